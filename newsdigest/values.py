"""Front-matter values checked while reading, so that rendering can never fail on one: text, lists
of text, visible headlines, URLs, counts and dates every page, feed and sitemap can show.

Each checker returns ``(value, problem)``: the value as the site uses it, and a message (starting
with the key) when the value is refused, or "" when it is fine. Callers add the file and line.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

from .urls import url_problem
from .yamlfm import clean_text

# The largest count a page shows and a JSON reader reads exactly (2**53 - 1); Babel's number
# formatting gives up far above it (10**38 failed while rendering, blaming a template).
MAX_COUNT = 2**53 - 1
# Dates a page can show in any time zone: a day inside Python's calendar (years 1 to 9999) on each side,
# so moving one to the site's zone, or to UTC for feeds, never leaves it.
EARLIEST = datetime(1, 1, 2, tzinfo=UTC)
LATEST = datetime(9999, 12, 30, 23, 59, 59, tzinfo=UTC)
# Characters that draw nothing though Unicode files them as letters or symbols (Hangul fillers,
# the braille blank), beside the zero-width and format characters found by category.
_BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\u034f\u17b4\u17b5")
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me"})


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return f"a {type(value).__name__}"


def one_line(value: Any) -> str | None:
    """A scalar as one line of text (YAML reads ``title: 2024`` as a number; a folded title keeps no
    line breaks); None for anything that is not text, a number or a date."""
    if value is None or isinstance(value, bool) or not isinstance(value, (str, int, float, date)):
        return None
    return re.sub(r"[ \t\n\r]+", " ", clean_text(str(value))).strip()


def visible(text: str) -> bool:
    """Whether ``text`` shows anything: not only spaces and zero-width, format or bidi characters
    (U+200B, U+200D, U+2060, U+FEFF, U+200E, …) or lone combining marks."""
    return any(c not in _BLANK and unicodedata.category(c) not in _INVISIBLE_CATEGORIES for c in text)


def text(value: Any, key: str) -> tuple[str, str]:
    """Optional text: ``""`` when absent; a list or mapping where text belongs is a problem."""
    if value is None:
        return "", ""
    line = one_line(value)
    if line is None:
        return "", f"{key}: must be text, not {_kind(value)}"
    return line, ""


def visible_text(value: Any, key: str) -> tuple[str, str]:
    """Like ``text``, and text made only of invisible characters is a problem (a headline or a
    byline readers would not see)."""
    line, problem = text(value, key)
    if not problem and line and not visible(line):
        return "", f"{key}: shows nothing (only invisible characters such as U+200B)"
    return line, problem


def text_list(value: Any, key: str) -> tuple[list[str], str]:
    """A list of visible texts (one text alone is a list of one), without repeats ignoring case."""
    if value is None:
        return [], ""
    items = value if isinstance(value, list) else [value]
    texts: list[str] = []
    seen: set[str] = set()
    for number, item in enumerate(items, 1):
        line, problem = visible_text(item, key)
        if problem:
            return [], problem.replace(f"{key}:", f"{key}: item {number}", 1) if isinstance(value, list) else problem
        if line and line.casefold() not in seen:
            seen.add(line.casefold())
            texts.append(line)
    return texts, ""


def url(value: Any, key: str) -> tuple[str, str]:
    """An optional URL under the site's policy (``urls.url_problem``), judged as written: a tab or
    line break inside it is refused, not folded into a space."""
    line, problem = text(value, key)
    if problem or not line:
        return line, problem
    written = clean_text(str(value)).strip(" ") if isinstance(value, str) else line
    refused = url_problem(written)
    return (written, "") if refused is None else ("", f"{key}: '{line[:80]}' {refused}")


def count(value: Any, key: str) -> tuple[int | None, str]:
    """An optional whole number from 0 to ``MAX_COUNT`` (``"12"`` is 12; ``1.5``, ``true`` are not)."""
    if value is None:
        return None, ""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return None, f"{key}: '{str(value)[:40]}' is not a whole number"
    if value > MAX_COUNT:
        return None, f"{key}: {str(value)[:40]} is too large (at most {MAX_COUNT})"
    return value, ""


def date_problem(when: datetime, key: str) -> str:
    """A problem when a date is too near the calendar's ends to be shown in every time zone."""
    try:
        moment = when.astimezone(UTC)
    except (OverflowError, ValueError):
        moment = None
    if moment is None or not EARLIEST <= moment <= LATEST:
        return f"{key}: '{when.isoformat()}' is out of range (from 0001-01-02 to 9999-12-30)"
    return ""
