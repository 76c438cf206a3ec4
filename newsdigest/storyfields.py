"""Per-field readers of a story's front matter: each key checked as the pages, feeds and structured
data will use it, every problem an error at the key's line (``Front`` collects them)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace
from datetime import date, datetime, time, tzinfo
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from slugify import slugify

from . import values
from .article import Image, Source
from .errors import BuildError
from .yamlfm import key_line

KNOWN_KEYS = {
    "title",
    "date",
    "updated",
    "slug",
    "summary",
    "tags",
    "author",
    "authors",
    "source",
    "image",
    "translation_key",
    "translated_from",
    "draft",
    "views",
    "lang",
    "aliases",
    "corrections",
}
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")
_LOOSE_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")


class Front:
    """One file's front matter as its readers see it: the keys, the line of each, and the errors found."""

    def __init__(self, meta: dict[str, Any], front: str, shown: str):
        self.meta, self.front, self.shown = meta, front, shown
        self.errors: list[BuildError] = []

    def error(self, line: int, message: str, hint: str = "") -> None:
        self.errors.append(BuildError(self.shown, line, message, hint))

    def line_of(self, key: str) -> int:
        return key_line(self.front, key) + 2 if key in self.meta else 1

    def field(self, key: str, check: Any) -> Any:
        """``check``'s reading of the key (values.py), its problem an error at the key's line."""
        value, problem = check(self.meta.get(key), key)
        if problem:
            self.error(self.line_of(key), problem)
        return value

    def nested_line(self, parent: str, key: str) -> int:
        return _nested_line(self.front, self.line_of(parent), key)


def split_front_matter(text: str) -> tuple[str, str, int] | str:
    """``(front matter, body, lines before the body)``, or an error message.

    The text has had its BOM removed and its line endings made ``\\n`` already."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return "no front matter: the file must start with a line '---'"
    match = re.search(r"^---[ \t]*$", text[4:], re.MULTILINE)
    if not match:
        return "the front matter's '---' fence is never closed"
    front = text[4 : 4 + match.start()]
    rest = text[4 + match.end() :]
    body = rest[1:] if rest.startswith("\n") else rest
    return front, body, front.count("\n") + 2


@lru_cache(maxsize=65536)
def make_slug(text: str) -> str:
    """Text transliterated to ASCII, lower case, hyphens (``Đ``/``đ`` become ``d``); may be empty."""
    return slugify(unicodedata.normalize("NFC", text).replace("Đ", "D").replace("đ", "d"))


def parse_date(value: Any, zone: tzinfo) -> datetime | None:
    """A YAML date, datetime or date-like string as an aware datetime (site zone when none given)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), zone)
    if not isinstance(value, str):
        return None
    match = _LOOSE_DATE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    if offset:
        iso_offset = "+00:00" if offset.upper() == "Z" else offset[:3] + ":" + (offset[3:].lstrip(":") or "00")
        zone_text = iso_offset
    else:
        zone_text = None
    try:
        naive = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        if zone_text is None:
            return naive.replace(tzinfo=zone)
        return datetime.fromisoformat(naive.isoformat() + zone_text)
    except ValueError:
        return None


def read_source(value: Any) -> tuple[Source | None, list[str]]:
    """``source: Name`` or ``source: {name, url}``; the url under the site's URL policy."""
    if value is None:
        return None, []
    if isinstance(value, dict):
        name, name_problem = values.visible_text(value.get("name"), "source.name")
        link, url_problem = values.url(value.get("url"), "source.url")
        problems = [p for p in (name_problem, url_problem) if p]
        if problems:
            return None, problems
        if not name and not link:
            return None, ["source: needs a name (and may have a url)"]
        return Source(name or re.sub(r"^[a-z]+:(//)?(www\.)?|/.*$", "", link, flags=re.IGNORECASE), link), []
    if values.one_line(value) is None:
        return None, ["source: must be {name: ..., url: ...}"]
    name, problem = values.visible_text(value, "source")
    return (Source(name) if name else None), [problem] if problem else []


def read_image(value: Any) -> tuple[Image | None, list[str]]:
    """``image: src`` or ``image: {src, alt, caption, credit}``; the src under the URL policy."""
    if value is None:
        return None, []
    if isinstance(value, dict):
        src, src_problem = values.url(value.get("src"), "image.src")
        texts = [values.text(value.get(key), f"image.{key}") for key in ("alt", "caption", "credit")]
        problems = [p for p in (src_problem, *(problem for _, problem in texts)) if p]
        if problems:
            return None, problems
        if not src:
            return None, ["image: needs a src"]
        return Image(src, *(text for text, _ in texts)), []
    if values.one_line(value) is None:
        return None, ["image: must be {src, alt, caption, credit}"]
    src, problem = values.url(value, "image")
    return (Image(src) if src else None), [problem] if problem else []


def read_dates(meta: dict[str, Any], rel: str, zone: tzinfo, error: Any, line_of: Any) -> tuple[datetime | None, datetime | None]:
    """``date`` (else the file name's date) and ``updated``, each one every page can show."""
    when: datetime | None = None
    if "date" in meta:
        when = parse_date(meta["date"], zone)
        if when is None:
            error(
                line_of("date"), f"date: '{str(meta['date'])[:60]}' is not a date", "use ISO 8601, e.g. 2017-01-12T01:37:00+07:00"
            )
    else:
        prefix = _DATE_PREFIX.match(PurePosixPath(rel).name)
        when = parse_date("-".join(prefix.groups()), zone) if prefix else None
        if when is None:
            error(1, "no date: front matter needs 'date: ...'", "e.g. date: 2017-01-12T01:37:00+07:00")
    updated = None
    if meta.get("updated") is not None:
        updated = parse_date(meta["updated"], zone)
        if updated is None:
            error(line_of("updated"), f"updated: '{str(meta['updated'])[:60]}' is not a date")
    for key, moment in (("date", when), ("updated", updated)):
        problem = values.date_problem(moment, key) if moment is not None else ""
        if problem:
            error(line_of(key) if key in meta else 1, problem)
    return when, updated


def read_slug(meta: dict[str, Any], title: str, name: str, error: Any, line_of: Any) -> str:
    if meta.get("slug") is None:
        return make_slug(title) or make_slug(PurePosixPath(name).name) or "story"
    given, problem = values.text(meta["slug"], "slug")
    if problem:
        error(line_of("slug"), problem)
        return "invalid"
    if "/" in given or "\\" in given or given.strip(".") == "" or ".." in given:
        error(line_of("slug"), f"slug: '{given}' would leave its folder", "a slug is one URL segment, without '/' or '..'")
        return "invalid"
    slug = given if _SAFE_SLUG.match(given) else make_slug(given)
    if not slug:
        error(line_of("slug"), f"slug: '{given}' has no letter or digit to make a URL from")
        return "invalid"
    return slug


def read_authors(meta: dict[Any, Any], line_of: Any, error: Any) -> tuple[str, ...]:
    """The bylines: ``author:`` one name, or ``authors:`` a list of names (one name alone is taken
    as a list of one); not both. Repeated names (whatever their case) count once."""
    if "author" in meta and "authors" in meta:
        error(line_of("authors"), "both author: and authors: are given", "keep one: authors: [A, B] for several")
        return ()
    value = meta.get("authors", meta.get("author"))
    key = "authors" if "authors" in meta else "author"
    if value is None:
        return ()
    if isinstance(value, list) and key == "author":
        error(line_of(key), "author: is one name", "write several as authors: [A, B]")
        return ()
    names: list[str] = []
    for entry in value if isinstance(value, list) else [value]:
        name, problem = values.visible_text(entry, key)
        if problem:
            error(
                line_of(key),
                f"{key}: each author must be a name, not {entry!r}" if values.one_line(entry) is None else problem,
                "e.g. authors: [Thu Hà, Hoàng Nam]",
            )
            return ()
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return tuple(names)


def _focus(value: Any) -> tuple[float, float] | None:
    """``image.focus``: a point as two fractions ``[x, y]`` (the centre when not given); None if invalid."""
    if value is None:
        return 0.5, 0.5
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1 for v in value):
        return None
    return float(value[0]), float(value[1])


def placed(image: Image, value: Any, image_line: Any, error: Any) -> Image:
    """The lead picture with its focus point (``image.focus``) and the line of its src, which the
    photo stage's messages point at."""
    focus = _focus(value.get("focus")) if isinstance(value, dict) else (0.5, 0.5)
    if focus is None:
        error(
            image_line("focus"),
            f"image.focus: '{str(value.get('focus'))[:40]}' is not a point of the picture",
            "two fractions of its width and height, from 0 to 1: focus: [0.3, 0.2]",
        )
        focus = (0.5, 0.5)
    return replace(image, focus_x=focus[0], focus_y=focus[1], line=image_line("src"))


def _nested_line(front: str, parent: int, key: str) -> int:
    """The line of ``key:`` inside the mapping that starts at file line ``parent`` (block or flow
    style); the parent's line when it is not on a line of its own."""
    lines = front.split("\n")
    for index in range(parent - 2, len(lines)):
        text = lines[index]
        if index > parent - 2 and text[:1] not in (" ", "\t", ""):
            break  # the next top-level key
        if re.search(rf"(^|[\s{{,]){re.escape(key)}\s*:", text[text.find(":") + 1 :] if index == parent - 2 else text):
            return index + 2
    return parent
