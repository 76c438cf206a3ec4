"""YAML with ``yaml.safe_load`` semantics, through the C loader when libyaml is there."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import yaml

# The C loader is about ten times faster than the pure-Python one.
_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """safe_load semantics, except that an impossible timestamp (``2020-13-01``) stays text, so the
    validator can say which key is wrong instead of the parser failing without a line."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)


# Characters XML 1.0 cannot carry (C0 controls but tab and newlines, lone surrogates, U+FFFE/F) or
# advises against (C1 controls, which feed readers take for Windows-1252 mojibake): an author's
# stray form feed must not make every feed unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str) -> str:
    """Author text as the site uses it: NFC, with characters XML cannot hold removed."""
    return unicodedata.normalize("NFC", _NOT_XML.sub("", text))


def clean_data(value: Any) -> Any:
    """``clean_text`` applied to every string (keys too) in parsed YAML."""
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, dict):
        return {clean_data(k): clean_data(v) for k, v in value.items()}
    if isinstance(value, list):
        return [clean_data(v) for v in value]
    return value


def load_yaml(text: str) -> Any:
    """Parse YAML text into clean data; raises ``yaml.YAMLError`` with a mark on bad input."""
    return clean_data(yaml.load(text, Loader=_Loader))  # noqa: S506 - a safe loader


def error_line(exc: yaml.YAMLError) -> int:
    """The 0-based line a YAML error points at (0 when PyYAML gives no mark)."""
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    return mark.line if mark is not None else 0


def error_text(exc: yaml.YAMLError) -> str:
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    context = getattr(exc, "context", None)
    return f"{context}: {problem}" if context else str(problem)


def key_line(text: str, key: str) -> int:
    """The 0-based line of a top-level ``key:`` in YAML text, or 0 when it is not there."""
    match = re.search(rf"^{re.escape(key)}[ \t]*:", text, re.MULTILINE)
    return text.count("\n", 0, match.start()) if match else 0
