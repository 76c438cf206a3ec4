"""Cheaper rendering, same bytes: the theme's macros called on shared data render once per process,
and Jinja's output escaping skips the Markup object it makes and throws away."""

from __future__ import annotations

from typing import Any

import jinja2
import markupsafe
from jinja2 import meta, nodes
from jinja2.runtime import Macro

# markupsafe 3 wraps its C escaper in Python (a Markup object per call); 2.x has no _escape_inner
# and a C ``escape``, fast already.
_ESCAPE_TEXT = getattr(markupsafe, "_escape_inner", None)
# Names a macro may read from the page it is called on and still be shared: every page of one
# language has the same ``site`` (its Chrome, fingerprinted) and ``lang``. The filters that take the
# context (time_tag, display_date, number, once) read only these two as well.
SHARED_NAMES = frozenset({"site", "lang"})
# Statements that bring in names or templates the analysis cannot see.
OPAQUE = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
CALLS_KEPT = 32768  # rendered calls kept per macro file and process; the whole lot goes when full
PLAIN = (str, int, float, bool, type(None))


def output_escape(value: Any) -> Any:
    """What ``{{ value }}`` writes, as ``markupsafe.escape`` writes it, as a plain ``str`` when
    ``value`` is one: Jinja only ever joins what it writes into the page's text, so the Markup
    that ``escape`` wraps it in is never looked at."""
    kind = type(value)
    if kind is str and _ESCAPE_TEXT is not None:
        return _ESCAPE_TEXT(value)
    if kind is markupsafe.Markup:
        return value
    return markupsafe.escape(value)


def _sharable(template: jinja2.Template) -> bool:
    """Whether the macros of this template depend on nothing but their arguments, ``site`` and
    ``lang``: its free names are those (or the environment's globals), and it includes nothing."""
    env = template.environment
    if template.name is None or env.loader is None:
        return False
    try:
        source = env.loader.get_source(env, template.name)[0]
        tree = env.parse(source)
        names = meta.find_undeclared_variables(tree)
    except (jinja2.TemplateError, TypeError):
        return False
    if any(True for _ in tree.find_all(OPAQUE)):
        return False
    return names <= SHARED_NAMES | set(env.globals)


def _arg_key(value: Any) -> tuple[Any, ...] | None:
    """An argument's part of a call's key: a plain value by type and value (``True`` is not ``1``:
    it prints differently), frozen data by identity (kept alive with the result); else None."""
    kind = type(value)
    if kind in PLAIN:
        return (kind, value)
    params = getattr(kind, "__dataclass_params__", None)
    if params is not None and params.frozen:
        return (id(value),)
    return None


class SharedMacro:
    """A macro whose calls are kept by their arguments, the site's fingerprint and the language:
    a story's teaser is rendered once per language, not once per list that shows it."""

    def __init__(self, macro: Macro, calls: dict[tuple[Any, ...], tuple[Any, markupsafe.Markup]], context: Any):
        self._macro = macro
        self._calls = calls
        chrome = context.get("site")
        fingerprint = getattr(chrome, "fingerprint", "")
        self._scope = (macro.name, fingerprint, context.get("lang")) if fingerprint else None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._scope is None or kwargs:
            return self._macro(*args, **kwargs)
        parts = [_arg_key(arg) for arg in args]
        if None in parts:
            return self._macro(*args)
        key = (*self._scope, *parts)
        hit = self._calls.get(key)
        if hit is not None:
            return hit[1]
        result = self._macro(*args)
        if len(self._calls) >= CALLS_KEPT:
            self._calls.clear()
        self._calls[key] = (args, result)  # the arguments are kept so that their ids stay theirs
        return result

    def __getattr__(self, name: str) -> Any:  # a template may read a macro's name, arguments…
        return getattr(self._macro, name)


class Template(jinja2.Template):
    """Jinja's template, escaping its output with ``output_escape``; a file of macros imported with
    the page's context gives shared macros when they read nothing of the page (see ``_sharable``)."""

    @classmethod
    def from_code(cls, environment: jinja2.Environment, code: Any, globals: Any, uptodate: Any = None) -> Any:
        template = super().from_code(environment, code, globals, uptodate)
        namespace = template.root_render_func.__globals__  # the compiled module's: where ``escape`` is looked up
        if namespace.get("escape") is markupsafe.escape:
            namespace["escape"] = output_escape
        return template

    def make_module(self, vars: Any = None, shared: bool = False, locals: Any = None) -> Any:
        module = super().make_module(vars, shared, locals)
        if not shared or vars is None:
            return module
        sharable = self.__dict__.get("_sharable")
        if sharable is None:
            sharable = self.__dict__["_sharable"] = _sharable(self)
            self.__dict__["_calls"] = {}
        if sharable:
            calls = self.__dict__["_calls"]
            for name, value in list(module.__dict__.items()):
                if isinstance(value, Macro) and not value.caller:
                    module.__dict__[name] = SharedMacro(value, calls, vars)
        return module
