"""``site.yaml`` into a frozen Config: every key has a default; unknown keys are errors."""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, timedelta, timezone, tzinfo
from functools import cached_property
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from .errors import BuildError
from .urls import base_url_problem, param_url_problems, url_problem
from .values import visible
from .yamlfm import error_line, error_text, key_line, load_yaml

LANG_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")


@dataclass(frozen=True)
class Publisher:
    """The publisher's legal details, shown in every page's footer and in structured data."""

    name: str = ""
    editor_in_chief: str = ""
    address: str = ""
    phone: str = ""
    fax: str = ""
    email: str = ""
    licence: str = ""
    copyright: str = ""
    logo: str = ""
    about: str = ""


@dataclass(frozen=True)
class Config:
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    base_url: str = "http://localhost:8000/"
    languages: tuple[str, ...] = ("vi", "en")
    timezone: str = "+07:00"
    per_page: int = 20
    summary_length: int = 200
    allow_html: bool = False
    feed_items: int = 50
    feed_full_content: bool = True
    # Tag feeds carry summaries unless asked: with full bodies every story would be repeated in each
    # of its tags' feeds (at 5,000 stories, half the site's bytes).
    tag_feeds_full_content: bool = False
    search: bool = True  # the search page, its index and every page's search form (see search.py)
    sections: dict[str, dict[str, str]] = field(default_factory=dict)
    publisher_texts: dict[str, dict[str, str]] = field(default_factory=dict)  # field -> language -> text
    params: dict[str, Any] = field(default_factory=dict)
    image: str = ""  # the share picture of pages that have none of their own (a site-root path)
    image_line: int = 0  # its line in site.yaml, for messages
    untranslated: dict[str, str] = field(default_factory=dict)  # language -> hide | list (docs/translations.md)

    @property
    def default_language(self) -> str:
        return self.languages[0]

    @cached_property
    def base_path(self) -> str:
        """The path part of base_url, with both slashes: ``/digest/`` or ``/``."""
        path = re.sub(r"^[a-z][a-z0-9+.-]*://[^/]*", "", self.base_url, flags=re.IGNORECASE)
        return "/" + path.strip("/") + "/" if path.strip("/") else "/"

    @cached_property
    def origin(self) -> str:
        """``https://example.org`` (no path, no trailing slash)."""
        match = re.match(r"^[a-z][a-z0-9+.-]*://[^/]*", self.base_url, flags=re.IGNORECASE)
        return match.group(0) if match else ""

    def tz(self) -> tzinfo:
        return parse_timezone(self.timezone) or timezone(timedelta(hours=7))

    def load_key(self) -> str:
        """What reading a story depends on: a new base URL host (the preview's) keeps the cache."""
        return repr((self.base_path, self.languages, self.timezone, self.summary_length, self.allow_html))

    def publisher_for(self, lang: str) -> Publisher:
        """The publisher's details in one language (each may be one text, or one per language)."""
        return Publisher(**{name: self.localized(values, lang) for name, values in self.publisher_texts.items()})

    def localized(self, values: dict[str, str], lang: str, fallback: str = "") -> str:
        """A per-language setting: this language's value, else the default language's."""
        return values.get(lang) or values.get(self.default_language) or fallback


def parse_timezone(value: str) -> tzinfo | None:
    """``+07:00``, ``-0530``, ``UTC`` or an IANA name such as ``Asia/Ho_Chi_Minh``."""
    match = re.fullmatch(r"([+-])(\d{1,2}):?(\d{2})?", value.strip())
    if match:
        sign = -1 if match.group(1) == "-" else 1
        delta = timedelta(hours=int(match.group(2)), minutes=int(match.group(3) or 0))
        return timezone(sign * delta) if delta < timedelta(hours=24) else None
    if value.strip().upper() in ("UTC", "Z"):
        return UTC
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


UNTRANSLATED = ("hide", "list")


def _untranslated(value: Any, languages: tuple[str, ...]) -> dict[str, str] | None:
    """``untranslated:``: one mode for every language, or a mode per language (the others hide)."""
    if isinstance(value, str) and value in UNTRANSLATED:
        return {lang: value for lang in languages}
    if isinstance(value, dict) and value and all(k in languages and v in UNTRANSLATED for k, v in value.items()):
        return {str(k): str(v) for k, v in value.items()}
    return None


def _localized_setting(value: Any, languages: tuple[str, ...]) -> dict[str, str] | None:
    if isinstance(value, str):
        return {lang: value for lang in languages}
    if isinstance(value, dict) and all(isinstance(v, str) for v in value.values()):
        return {str(k): v for k, v in value.items()}
    return None


def _publisher_urls_refused(texts: dict[str, dict[str, str] | None]) -> str:
    """The first publisher URL (its logo, in any language) the URL policy refuses, as a message."""
    for lang, logo in sorted((texts.get("logo") or {}).items()):
        problem = url_problem(logo.strip()) if logo.strip() else None
        if problem:
            return f"logo ({lang}): '{logo[:80]}' {problem}"
    return ""


# A key's reader: (key, value, the site's languages, the key's line) -> the settings it gives, or
# what is wrong with it (one message; load_config puts the path, the line and the key before it).
Reading = dict[str, Any] | str
Reader = Callable[[str, Any, tuple[str, ...], int], Reading]


def _read_texts(key: str, value: Any, languages: tuple[str, ...], line: int) -> Reading:
    """title, description: one text, or one per language."""
    localized = _localized_setting(value, languages)
    if localized is None:
        return "must be text, or a mapping of language code to text"
    if key == "title" and not all(visible(text) for text in localized.values() if text):
        return "shows nothing (only invisible characters such as U+200B)"
    return {key: localized}


def _read_base_url(key: str, value: Any, languages: tuple[str, ...], line: int) -> Reading:
    problem = base_url_problem(value) if isinstance(value, str) else "must be text"
    return problem or {key: value if value.endswith("/") else value + "/"}


def _read_timezone(key: str, value: Any, languages: tuple[str, ...], line: int) -> Reading:
    if not isinstance(value, str) or parse_timezone(value) is None:
        return "must be an offset such as +07:00 or a zone name such as Asia/Ho_Chi_Minh"
    return {key: value}


def _read_count(key: str, value: Any, languages: tuple[str, ...], line: int) -> Reading:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        return "must be a whole number above 0"
    return {key: value}


def _read_switch(key: str, value: Any, languages: tuple[str, ...], line: int) -> Reading:
    return {key: value} if isinstance(value, bool) else "must be true or false"


def _read_sections(key: str, value: Any, languages: tuple[str, ...], line: int) -> Reading:
    if not isinstance(value, dict) or not all(
        isinstance(v, dict) and all(isinstance(n, str) for n in v.values()) for v in value.values()
    ):
        return "must map each section folder to its names, e.g. {thoi-su: {vi: Thời sự, en: News}}"
    return {key: {str(k): {str(lang): n for lang, n in v.items()} for k, v in value.items()}}


def _read_publisher(key: str, value: Any, languages: tuple[str, ...], line: int) -> Reading:
    known = set(Publisher.__dataclass_fields__)
    texts = (
        {k: _localized_setting(str(v) if isinstance(v, int) else v, languages) for k, v in value.items()}
        if isinstance(value, dict)
        else None
    )
    if texts is None or not all(k in known and v is not None for k, v in texts.items()):
        return f"must map {', '.join(sorted(known))} to text, or to text per language"
    return _publisher_urls_refused(texts) or {"publisher_texts": texts}


def _read_image(key: str, value: Any, languages: tuple[str, ...], line: int) -> Reading:
    if not isinstance(value, str) or not value.strip():
        return "must be a picture's site-root path, e.g. /images/share.jpg"
    return {key: value.strip(), "image_line": line}


def _read_untranslated(key: str, value: Any, languages: tuple[str, ...], line: int) -> Reading:
    modes = _untranslated(value, languages)
    if modes is None:
        return "must be hide or list, or a mapping of the site's languages to hide or list, e.g. {en: list}"
    return {key: modes}


def _read_params(key: str, value: Any, languages: tuple[str, ...], line: int) -> Reading:
    if not isinstance(value, dict):
        return "must be a mapping"
    if param_url_problems(value):
        where, problem = param_url_problems(value)[0]
        return f"{where}: {problem}"
    return {key: value}


# Every key site.yaml may hold but ``languages`` (read first: the others need it), and its reader.
READERS: dict[str, Reader] = {
    "title": _read_texts,
    "description": _read_texts,
    "base_url": _read_base_url,
    "timezone": _read_timezone,
    "per_page": _read_count,
    "summary_length": _read_count,
    "feed_items": _read_count,
    "allow_html": _read_switch,
    "feed_full_content": _read_switch,
    "tag_feeds_full_content": _read_switch,
    "search": _read_switch,
    "sections": _read_sections,
    "publisher": _read_publisher,
    "image": _read_image,
    "untranslated": _read_untranslated,
    "params": _read_params,
}


def unknown_setting(key: str) -> str:
    """The message for a key ``site.yaml`` does not know: the closest known one first (a typo is
    the likely cause), then all of them."""
    known = sorted({"languages", *READERS})
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    guess = f"; did you mean '{close[0]}'?" if close else ""
    return f"unknown setting{guess} (known: {', '.join(known)})"


def _read_languages(raw: dict[Any, Any]) -> tuple[tuple[str, ...], str]:
    """The site's languages (the default ones when the key is wrong), and what is wrong with it."""
    languages = raw.get("languages", Config.languages)
    if (
        not isinstance(languages, (list, tuple))
        or not languages
        or not all(isinstance(x, str) and LANG_CODE.match(x) for x in languages)
        or len(set(languages)) != len(languages)
    ):
        return Config.languages, "must be a list of distinct language codes such as [vi, en]"
    return tuple(languages), ""


def _read_yaml(path: Path, display_path: str) -> tuple[str, dict[Any, Any]] | BuildError:
    """site.yaml's text and its mapping, or the one error that stops reading it."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
        raw = load_yaml(text) or {}
    except UnicodeDecodeError as exc:
        return BuildError(display_path, 1, f"not UTF-8 ({exc.reason})")
    except yaml.YAMLError as exc:
        return BuildError(display_path, error_line(exc) + 1, f"YAML: {error_text(exc)}")
    if not isinstance(raw, dict):
        return BuildError(display_path, 1, "site.yaml must be a mapping of settings")
    return text, raw


def load_config(site_dir: Path, display_path: str) -> tuple[Config, list[BuildError]]:
    """Read ``site.yaml`` (if any). Returns the config and every error found in it."""
    path = site_dir / "site.yaml"
    if not path.is_file():
        return Config(), []
    read = _read_yaml(path, display_path)
    if isinstance(read, BuildError):
        return Config(), [read]
    text, raw = read
    errors: list[BuildError] = []

    def bad(key: str, message: str) -> None:
        errors.append(BuildError(display_path, key_line(text, key) + 1, f"{key}: {message}"))

    languages, problem = _read_languages(raw)
    if problem:
        bad("languages", problem)
    settings: dict[str, Any] = {"languages": languages}
    for key, value in raw.items():
        if key == "languages":
            continue
        reader = READERS.get(key) if isinstance(key, str) else None
        if reader is None:
            bad(str(key), unknown_setting(str(key)))
            continue
        reading = reader(key, value, languages, key_line(text, key) + 1)
        if isinstance(reading, str):
            bad(key, reading)
        else:
            settings.update(reading)
    return Config(**settings), errors
