"""The Jinja2 environment: a site's ``layouts/`` first, then the project's; filters; UI strings."""

from __future__ import annotations

import hashlib
import os
import posixpath
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime as rfc2822
from functools import lru_cache, partial
from pathlib import Path
from typing import Any

import jinja2
from babel.core import UnknownLocaleError
from babel.dates import format_datetime
from babel.numbers import format_decimal
from markupsafe import Markup, escape

from . import reuse, schema
from .config import parse_timezone
from .errors import BuildError
from .sitefiles import Fence, NotASiteFile, read_bytes, shown, walk
from .yamlfm import load_yaml

PROJECT_LAYOUTS = Path(__file__).resolve().parent.parent / "layouts"


@dataclass(frozen=True)
class Layouts:
    """The template folders in lookup order, and a digest of every file in them: an environment is
    made per version, so templates are read once and never re-checked on disk while rendering."""

    dirs: tuple[str, ...]
    version: str


def layouts_of(site_dir: Path, listed: dict[str, list[str]] | None = None) -> Layouts:
    """The template folders and their version; ``listed``: each folder's files, when
    ``layout_files`` has listed them already."""
    dirs = layout_dirs(site_dir)
    if listed is None:
        listed = layout_files(dirs)[0]
    fence = Fence.templates(dirs)
    h = hashlib.blake2b(digest_size=16)
    for directory in dirs:
        for rel in listed.get(directory, ()):
            path = os.path.join(directory, rel)
            h.update(f"{path}\0".encode())
            try:
                h.update(read_bytes(path, fence))
            except (NotASiteFile, FileNotFoundError) as exc:  # changed since it was listed: a new version
                h.update(f"\0{exc}".encode())
    return Layouts(dirs, h.hexdigest())


def layout_files(dirs: tuple[str, ...]) -> tuple[dict[str, list[str]], list[BuildError]]:
    """Every file in each template folder (``static/`` and ``i18n/`` included), and an error for
    each entry that is no regular file, or a link that ends outside the template folders."""
    fence = Fence.templates(dirs)
    listed: dict[str, list[str]] = {}
    errors: list[BuildError] = []
    for directory in dirs:
        listed[directory], found = walk(Path(directory), shown(Path(directory)), fence)
        errors += found
    return listed, errors


def layout_dirs(site_dir: Path) -> tuple[str, ...]:
    """Where templates are looked up, in order: the site's ``layouts/``, then the project's."""
    dirs = [site_dir / "layouts", PROJECT_LAYOUTS]
    unique = dict.fromkeys(str(d.resolve()) for d in dirs if d.is_dir())
    return tuple(unique)


def load_strings(dirs: tuple[str, ...], languages: tuple[str, ...]) -> tuple[dict[str, dict[str, str]], list[BuildError]]:
    """UI strings, one file per language (``layouts/i18n/<lang>.yaml``). A site's file overrides the
    project's key by key; a language with no file of its own falls back to English."""
    strings: dict[str, dict[str, str]] = {}
    errors: list[BuildError] = []
    for lang in languages:
        merged: dict[str, str] = {}
        for directory in reversed(dirs):  # project first, then the site's overrides
            for code in dict.fromkeys(("en", lang)):
                path = Path(directory) / "i18n" / f"{code}.yaml"
                if not os.path.lexists(path) or (code == "en" and lang != "en" and merged):
                    continue
                try:
                    data = load_yaml(read_bytes(path, Fence.templates(dirs)).decode("utf-8")) or {}
                except FileNotFoundError:
                    continue
                except NotASiteFile as exc:  # a FIFO, a link out of the folders: layout_files says the same
                    errors.append(BuildError(shown(path), 1, str(exc)))
                    continue
                except Exception as exc:  # noqa: BLE001 - any unreadable file is an error to report
                    errors.append(BuildError(str(path), 1, f"UI strings: {exc}"))
                    continue
                merged.update({str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {})
        strings[lang] = merged
    return strings, errors


@lru_cache(maxsize=64)
def _zone(name: str) -> Any:
    return parse_timezone(name)


# What a date filter wrote, by the date as written (its offset too), the format, the chrome and the
# language: a list page shows dozens of dates, a story page its section's, the same on many pages.
_DATES_KEPT = 65536
_dates: dict[tuple[str, str, str, str, bool], str] = {}


def _display_date(context: Any, value: datetime, key: str = "date_format") -> str:
    return _date_filter(context, value, key, False)


def _time_tag(context: Any, value: datetime, key: str = "date_format") -> Markup:
    """``<time datetime="…">12/01/2017 01:37</time>``: a filter, not a macro, because a list page
    shows dozens of dates and a Jinja macro call costs ten times as much."""
    return Markup(_date_filter(context, value, key, True))


def _date_filter(context: Any, value: datetime, key: str, tag: bool) -> str:
    chrome = context["site"]
    fingerprint = getattr(chrome, "fingerprint", "") if type(value) is datetime else ""
    memo = (value.isoformat(), key, fingerprint, context["lang"], tag) if fingerprint else None
    if memo is not None:
        hit = _dates.get(memo)
        if hit is not None:
            return hit
    shown = _date_text(context, value, key)
    text = f'<time datetime="{escape(value.isoformat())}">{escape(shown)}</time>' if tag else shown
    if memo is not None:
        if len(_dates) >= _DATES_KEPT:
            _dates.clear()
        _dates[memo] = text
    return text


def _date_text(context: Any, value: datetime, key: str = "date_format") -> str:
    """A date as readers of the page's language write it: ``12/01/2017 01:37``, ``12 Jan 2017, 01:37``;
    with ``date_long`` as a newspaper heads a story: ``Thứ năm, 12/01/2017, 01:37 (GMT+7)``.
    A story dated without a time (midnight in the site's zone) shows its date alone, not "00:00"."""
    chrome = context["site"]
    zone = _zone(chrome.timezone)
    local = value.astimezone(zone) if zone else value
    midnight = (local.hour, local.minute, local.second) == (0, 0, 0)
    if key == "date_long":
        pattern = chrome.strings.get("date_long_day" if midnight else "date_long", "EEEE, yyyy-MM-dd, HH:mm")
        return _long_date(value, chrome.timezone, pattern, context["lang"], not midnight)
    if key == "date_format" and midnight:
        key = "date_short"
    return _formatted(value, chrome.timezone, chrome.strings.get(key, "yyyy-MM-dd HH:mm"), context["lang"])


@lru_cache(maxsize=16384)
def _long_date(value: datetime, zone_name: str, pattern: str, lang: str, with_zone: bool) -> str:
    """The long form: the weekday in sentence case (Babel writes "Thứ Năm"; Vietnamese papers "Thứ
    năm", "Chủ nhật"), then the pattern, then the offset as "(GMT+7)" when a time is shown."""
    text = _formatted(value, zone_name, pattern, lang)
    if pattern.startswith("EEEE"):
        weekday = _formatted(value, zone_name, "EEEE", lang)
        if text.startswith(weekday):
            text = weekday[:1].upper() + weekday[1:].lower() + text[len(weekday) :]
    if not with_zone:
        return text
    zone = _zone(zone_name)
    offset = (value.astimezone(zone) if zone else value).utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset is not None else 0
    sign, minutes = ("+" if minutes >= 0 else "-"), abs(minutes)
    gmt = "GMT" if not minutes else f"GMT{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")
    return f"{text} ({gmt})"


@lru_cache(maxsize=65536)
def _formatted(value: datetime, zone_name: str, pattern: str, lang: str) -> str:
    """Babel's formatting is slow and the same dates recur on thousands of pages ("latest news")."""
    zone = _zone(zone_name)
    local = value.astimezone(zone) if zone else value
    try:
        return format_datetime(local, pattern, locale=lang)
    except (UnknownLocaleError, ValueError):
        return format_datetime(local, pattern, locale="en")


def formatted_date(value: datetime, zone_name: str, pattern: str, lang: str) -> str:
    """``value`` in the zone, written with a Babel pattern in the language (for text made outside
    templates: the corrections a feed item carries)."""
    return _formatted(value, zone_name, pattern, lang)


def _display_number(context: Any, value: int) -> str:
    """A count as the page's language writes it: 1.168 in Vietnamese, 1,168 in English."""
    try:
        return format_decimal(value, locale=context["lang"])
    except (UnknownLocaleError, ValueError):
        return format_decimal(value, locale="en")


def _once_renderer(env: jinja2.Environment) -> Any:
    """``{{ once("_sidebar.html") }}``: a fragment that depends only on ``site`` and ``lang`` (the
    sidebar, the footer) is rendered once per language and process, not once per page."""
    rendered: dict[tuple[int, str, str], tuple[jinja2.Template, Markup]] = {}

    @jinja2.pass_context
    def once(context: Any, name: str) -> Markup:
        chrome, lang = context["site"], context["lang"]
        template = env.get_template(name)  # Jinja reloads it when its file changed
        fingerprint = getattr(chrome, "fingerprint", "")
        if not fingerprint:
            return Markup(template.render(site=chrome, lang=lang))
        key = (id(template), lang, fingerprint)
        if key not in rendered:
            if len(rendered) > 64:
                rendered.clear()
            # The template is kept with its text, so its id cannot be reused while cached.
            rendered[key] = (template, Markup(template.render(site=chrome, lang=lang)))
        return rendered[key][1]

    return once


class FencedLoader(jinja2.FileSystemLoader):
    """Jinja's file loader, reading as the build reads every site file: a template that is a FIFO or
    a link out of the template folders is an error, even one only an ``include`` names (hidden names
    are not listed, so only this sees them)."""

    def __init__(self, searchpath: str | list[str], fence: Fence):
        super().__init__(searchpath)
        self.fence = fence

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            path = posixpath.join(folder, *pieces)  # as Jinja's: no drive or UNC part
            if not os.path.lexists(path) or os.path.isdir(path):
                continue
            try:
                data = read_bytes(path, self.fence)
            except FileNotFoundError:
                continue
            except NotASiteFile as exc:
                raise jinja2.TemplateError(f"{shown(Path(path))}: {exc}") from exc
            mtime = os.path.getmtime(path)
            return data.decode(self.encoding), os.path.normpath(path), partial(_unchanged, path, mtime)
        raise jinja2.TemplateNotFound(template)


def _unchanged(path: str, mtime: float) -> bool:
    try:
        return os.path.getmtime(path) == mtime
    except OSError:
        return False


@lru_cache(maxsize=8)
def environment(layouts: Layouts) -> jinja2.Environment:
    """One environment per process and layouts version. ``theme/<name>`` always names the project's
    own template, so a site's override can extend the template it shadows."""
    fence = Fence.templates(layouts.dirs)
    loader = jinja2.ChoiceLoader(
        [
            FencedLoader(list(layouts.dirs), fence),
            jinja2.PrefixLoader({"theme": FencedLoader(str(PROJECT_LAYOUTS), fence)}),
        ]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(["html", "xml", "htm"], default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # a changed file is a new Layouts version, hence a new environment
    )
    env.template_class = reuse.Template
    # tojson keeps escaping <, >, & and ' for <script> blocks; Vietnamese stays readable UTF-8.
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.filters["display_date"] = jinja2.pass_context(_display_date)
    env.filters["time_tag"] = jinja2.pass_context(_time_tag)
    env.globals["once"] = _once_renderer(env)
    env.globals["news_article_ld"] = schema.news_article
    env.globals["home_ld"] = schema.home_graph
    env.filters["og_locale"] = schema.og_locale
    env.filters["number"] = jinja2.pass_context(_display_number)
    env.filters["rfc822"] = rfc2822
    env.filters["isodate"] = lambda value: value.isoformat()
    env.filters["feed_author"] = lambda name: {"name": name}
    return env


@lru_cache(maxsize=256)
def choose(layouts: Layouts, candidates: tuple[str, ...]) -> jinja2.Template:
    """The first of a job's candidate templates that exists; looked up once per version, since a
    name that does not exist (``article.vi.html``) is otherwise searched for on disk every time."""
    return environment(layouts).select_template(list(candidates))
