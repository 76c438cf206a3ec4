"""Whether decoded data has the shape its dataclass declares: every field's type, all the way down."""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import datetime
from functools import cache
from typing import Any

Check = Callable[[Any], bool]
PLAIN = (str, int, float, bool, bytes, type(None))  # types whose values hold nothing more to check


def conforms(value: object, kind: type) -> bool:
    """True when ``value`` is exactly a ``kind`` whose every field holds what its annotation says.

    Exact types (a bool is no int, an int no float); datetimes aware. What JSON or SQLite hands back
    can be anything: a cached row is only used when this holds, so no stage downstream meets a
    value of a type it was never written for."""
    return _checker(kind)(value)


@cache
def _checker(hint: Any) -> Check:
    """A function checking one annotation, made once per annotation (decoding 10,000 cached stories
    checks 250,000 fields)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return lambda value: True
    if hint is type(None) or hint is None:
        return lambda value: value is None
    if origin in (typing.Union, types.UnionType):
        others = tuple(arg for arg in args if arg is not type(None))
        if len(others) == 1 and len(args) == 2:  # X | None, the usual union
            inner = _checker(others[0])
            return lambda value: value is None or inner(value)
        options = tuple(_checker(arg) for arg in args)
        return lambda value: any(check(value) for check in options)
    if origin in (tuple, list):
        return _sequence(origin, args)
    if origin is dict:
        key_check, value_check = _checker(args[0]), _checker(args[1])
        return lambda value: type(value) is dict and all(key_check(k) and value_check(v) for k, v in value.items())
    if isinstance(hint, type) and is_dataclass(hint):
        return _dataclass(hint)
    if hint is datetime:
        return lambda value: type(value) is datetime and value.tzinfo is not None
    return lambda value: type(value) is hint


def _sequence(origin: type, args: tuple[Any, ...]) -> Check:
    if origin is list or (len(args) == 2 and args[1] is Ellipsis):
        item = _checker(args[0])
        return lambda value: type(value) is origin and all(item(v) for v in value)
    items = tuple(_checker(arg) for arg in args)  # a fixed tuple: tuple[str, int]
    return lambda value: (
        type(value) is tuple and len(value) == len(items) and all(check(v) for check, v in zip(items, value, strict=True))
    )


def _dataclass(kind: type) -> Check:
    """Fields of plain types (``str``, ``int | None``) are compared by type in one loop, the others
    checked each by its own function: a story has two dozen fields, and 10,000 stories are checked."""
    hints = typing.get_type_hints(kind)
    plain: list[tuple[str, tuple[type, ...]]] = []
    other: list[tuple[str, Check]] = []
    for f in fields(kind):
        hint = hints[f.name]
        options = typing.get_args(hint) if typing.get_origin(hint) in (typing.Union, types.UnionType) else (hint,)
        if all(isinstance(o, type) and o in PLAIN for o in options):
            plain.append((f.name, tuple(options)))
        else:
            other.append((f.name, _checker(hint)))

    def check(value: Any) -> bool:
        if type(value) is not kind:
            return False
        for name, allowed in plain:
            if type(getattr(value, name)) not in allowed:
                return False
        return all(field_check(getattr(value, name)) for name, field_check in other)

    return check
