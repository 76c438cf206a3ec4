"""YAML with ``yaml.safe_load`` semantics, through the C loader when libyaml is there, and bounded:
nesting depth and the number of values aliases expand to are capped, odd tags refused."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import yaml

# The C loader is about ten times faster than the pure-Python one.
_Base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# Front matter nests a few levels at most; libyaml's composer recurses in C and a few hundred
# thousand "[" crash the interpreter, so depth is checked before composing.
MAX_DEPTH = 32
# Values the document may expand to once aliases are followed: a "billion laughs" of 464 bytes
# expands to 10**9 (and ran for minutes); a real story's front matter has a few dozen.
MAX_VALUES = 10_000
# Every collection starts with one of these: "[", "{", a "-", "?" or ":" indicator followed by a
# space or a line's end, or a ":" right after a quoted key ({"a":1}). Hyphens in dates and words
# are none. Counted with str.count (a regular expression took a tenth of the parse).
_STARTS = ("[", "{", '":', "':") + tuple(c + after for c in "-?:" for after in " \t\r\n")


class YAMLLimit(yaml.constructor.ConstructorError):
    """Input past one of the bounds above, or a tag the site does not read."""

    def __init__(self, problem: str, mark: Any) -> None:
        super().__init__(None, None, problem, mark)


def _expanded_size(root: yaml.Node) -> int:
    """How many values ``root`` stands for once every alias is followed (shared nodes counted as
    often as they are referred to), worked out once per node: linear in the composed document.
    A value that holds itself (``&a [*a]``) is refused."""
    sizes: dict[int, int] = {}
    opened: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, yaml.SequenceNode):
            children = list(node.value)
        elif isinstance(node, yaml.MappingNode):
            children = [part for pair in node.value for part in pair]
        else:
            sizes[id(node)] = 1
            continue
        if children_done:
            sizes[id(node)] = min(1 + sum(sizes[id(c)] for c in children), MAX_VALUES + 1)
            continue
        if id(node) in opened:
            raise YAMLLimit("a value that holds itself through an alias", node.start_mark)
        opened.add(id(node))
        stack.append((node, True))
        stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """safe_load semantics, except that an impossible timestamp (``2020-13-01``) stays text, so the
    validator can say which key is wrong instead of the parser failing without a line; odd tags and
    over-long numbers are refused."""

    def construct_yaml_timestamp(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            return self.construct_scalar(node)

    def construct_yaml_int(self, node: yaml.Node) -> Any:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # more digits than Python converts (4,300)
            raise YAMLLimit("a number with too many digits", node.start_mark) from None

    def refuse_tag(self, node: yaml.Node) -> Any:
        raise YAMLLimit(
            f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed: write a list or a mapping", node.start_mark
        )


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader.construct_yaml_timestamp)
_Loader.add_constructor("tag:yaml.org,2002:int", _Loader.construct_yaml_int)
for _tag in ("set", "binary", "omap", "pairs"):
    _Loader.add_constructor(f"tag:yaml.org,2002:{_tag}", _Loader.refuse_tag)


class _AliasLoader(_Loader):
    """For text with aliases (``*name``): the values they expand to are counted before any is made.
    Without an alias a document holds no more values than its text has characters."""

    def construct_document(self, node: yaml.Node) -> Any:
        if _expanded_size(node) > MAX_VALUES:
            raise YAMLLimit(f"more than {MAX_VALUES} values once its aliases (*name) are expanded", node.start_mark)
        return super().construct_document(node)


def _check_depth(text: str) -> None:
    """Raise when collections nest deeper than MAX_DEPTH. The events are read (libyaml's parser
    does not recurse) only when the text has enough indicators to nest that deep at all."""
    if sum(map(text.count, _STARTS)) + 1 <= MAX_DEPTH:  # + 1: an indicator ending the text
        return
    depth = 0
    for event in yaml.parse(text, Loader=_Base):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YAMLLimit(f"values nested more than {MAX_DEPTH} levels deep", event.start_mark)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


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
    """Parse YAML text into clean data; raises ``yaml.YAMLError`` with a mark on bad input
    (``YAMLLimit`` past the bounds)."""
    _check_depth(text)
    return clean_data(yaml.load(text, Loader=_AliasLoader if "*" in text else _Loader))  # noqa: S506 - safe loaders


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
