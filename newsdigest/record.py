"""The public record as a story states it and as builds remember it: ``aliases:`` and ``corrections:``
read and checked, the URL each story file had after the last build, and the warnings when it moved.

Reading is pure and needs nothing of the model (content.py calls it); the warnings take the placed
stories. The redirect pages and the corrections page themselves are page kinds (pages.py).
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from . import values
from .errors import BuildError

if TYPE_CHECKING:
    from .site import Site

# A redirect page is an HTML page: a static host serves ``.php`` or ``.aspx`` as something else.
PAGE_SUFFIXES = (".html", ".htm")
MAX_ALIAS = 1000  # characters: an alias longer than this is an import gone wrong
# Characters a site path may not hold once percent-escapes are decoded: a redirect page is a file,
# and a query or fragment is no part of a file's name.
_REFUSED = {"?": "a query ('?')", "#": "a fragment ('#')", "\\": "a backslash"}


@dataclass(frozen=True)
class Correction:
    """One published correction: when, and what was wrong (plain text)."""

    date: datetime  # aware
    text: str


def alias_path(written: str) -> tuple[str, str]:
    """An alias as the site path it names (``/vi/thoi-su/ten-cu/`` or ``/vi/cu.html``, NFC,
    percent-escapes decoded, a trailing slash added to a folder), or a problem."""
    if written != written.strip():
        return "", "has spaces around it"
    if not written.startswith("/") or written.startswith("//"):
        return "", "is not a site path: write it from the site's root, e.g. /vi/thoi-su/ten-cu/ (no scheme or host)"
    if len(written) > MAX_ALIAS:
        return "", f"is longer than {MAX_ALIAS} characters"
    path = unicodedata.normalize("NFC", unquote(written))
    if any(ord(c) < 0x20 or 0x7F <= ord(c) < 0xA0 for c in path):
        return "", "holds a control character"
    for char, what in _REFUSED.items():
        if char in path:
            return "", f"holds {what}: a redirect page is a file, found by its path alone"
    parts = path[1:].split("/")
    inner = parts[:-1] if parts[-1] == "" else parts
    if not inner:
        return "", "is the site's root, which is the home page"
    if any(part in ("", ".", "..") for part in inner):
        return "", "is not a plain path ('//', '.' or '..' in it)"
    if any(part.startswith(".") for part in inner):
        return "", "has a hidden name (starting with '.'), which static hosts do not serve"
    last = parts[-1]
    if last and "." in last and not last.lower().endswith(PAGE_SUFFIXES):
        return "", "names a file that is not a web page: end it with '/' (or '.html')"
    if last and not last.lower().endswith(PAGE_SUFFIXES):
        path += "/"
    return path, ""


def out_path_of(alias: str) -> str:
    """The output file of an alias's redirect page: a folder's ``index.html``, or the file named."""
    return alias[1:] + "index.html" if alias.endswith("/") else alias[1:]


def read_aliases(value: Any) -> tuple[tuple[str, ...], list[str]]:
    """``aliases:``: a list of site paths (one path alone is a list of one), each normalised once."""
    if value is None:
        return (), []
    items = value if isinstance(value, list) else [value]
    found: list[str] = []
    problems: list[str] = []
    for number, item in enumerate(items, 1):
        where = f"aliases: item {number}" if isinstance(value, list) else "aliases:"
        if not isinstance(item, str):
            problems.append(f"{where} must be a site path such as /vi/thoi-su/ten-cu/, not {values.one_line(item) or 'that'}")
            continue
        path, problem = alias_path(item)
        if problem:
            problems.append(f"{where} '{item[:80]}' {problem}")
        elif path not in found:
            found.append(path)
    return tuple(found), problems


def read_corrections(value: Any, parse: Callable[[Any], datetime | None]) -> tuple[tuple[Correction, ...], list[str]]:
    """``corrections:``: a list of ``{date, text}`` (one mapping alone is a list of one), newest first.
    ``parse`` reads a date as the story's ``date:`` is read (the site's zone when none is given)."""
    if value is None:
        return (), []
    items = value if isinstance(value, list) else [value]
    found: list[Correction] = []
    problems: list[str] = []
    for number, item in enumerate(items, 1):
        where = f"corrections: item {number}" if isinstance(value, list) else "corrections:"
        if not isinstance(item, dict) or set(map(str, item)) - {"date", "text"}:
            problems.append(
                f"{where} must be {{date: ..., text: ...}}"
                + (f" (unknown key '{sorted(set(map(str, item)) - {'date', 'text'})[0]}')" if isinstance(item, dict) else "")
            )
            continue
        when = parse(item.get("date")) if item.get("date") is not None else None
        if when is None:
            problems.append(f"{where} needs a date such as 2017-01-13 (ISO 8601)")
            continue
        out_of_range = values.date_problem(when, f"{where} date")
        text, problem = values.visible_text(item.get("text"), f"{where} text")
        if out_of_range or problem:
            problems.append(out_of_range or problem)
        elif not text:
            problems.append(f"{where} needs a text saying what was corrected")
        else:
            found.append(Correction(when, text))
    return tuple(sorted(found, key=lambda c: -c.date.timestamp())), problems


def site_path(url: str, base_path: str) -> str:
    """A page's URL under the base path as a site path: ``/digest/vi/x/`` → ``/vi/x/``."""
    return "/" + url[len(base_path) :]


def story_paths(site: Site) -> dict[str, str]:
    """Each published story file (content path) and its URL as a site path: what the next build
    into the same output compares with."""
    base = site.config.base_path
    return {s.article.rel: site_path(s.teaser.url, base) for stories in site.stories.values() for s in stories}


def moved_urls(site: Site, previous: dict[str, str]) -> list[BuildError]:
    """A warning for each story whose URL is not the one the last build gave the same file, unless
    one of its aliases keeps the old one. ``previous`` comes from the cache: a row that is not a
    site path is ignored, and a wrong one can only give a wrong warning (nothing else reads it)."""
    warnings: list[BuildError] = []
    base = site.config.base_path
    for stories in site.stories.values():
        for story in stories:
            article = story.article
            old = previous.get(article.rel)
            now = site_path(story.teaser.url, base)
            if not isinstance(old, str) or not old.startswith("/") or old == now or old in article.aliases:
                continue
            warnings.append(
                BuildError(
                    article.path,
                    article.url_line,
                    f"the story's URL changed since the last build: it was {old}, it is now {now}; "
                    "links and search results pointing at the old URL will break",
                    _keep_hint(old, now, article.aliases),
                )
            )
    return warnings


def _keep_hint(old: str, now: str, aliases: tuple[str, ...]) -> str:
    """The exact line that keeps the old URL: ``slug:`` when only the last segment changed, and
    ``aliases:`` (a redirect from the old one) always."""
    alias = json.dumps(old, ensure_ascii=False)
    redirect = f"add '- {alias}' under aliases:" if aliases else f"add the line 'aliases: [{alias}]'"
    old_folder, _, old_slug = old.rstrip("/").rpartition("/")
    new_folder = now.rstrip("/").rpartition("/")[0]
    if old.endswith("/") and old_folder == new_folder and old_slug:
        slug = json.dumps(old_slug, ensure_ascii=False)
        return f"to keep the old URL add the line 'slug: {slug}'; or, to send readers of the old URL here, {redirect}"
    return f"to send readers of the old URL here, {redirect}"


def section_warnings(site: Site) -> list[BuildError]:
    """When site.yaml names sections, a warning for each section folder it leaves out and no
    ``_index`` file names: its name would be made from the folder (``giao-thong`` → "Giao thong",
    without its diacritics). It points at the folder's first story."""
    from .site import section_display_name  # here: site.py imports content.py, which imports this module

    config = site.config
    if not config.sections:
        return []
    firsts: dict[str, tuple[str, str]] = {}  # section folder -> its first story's content path, as shown
    for stories in site.stories.values():
        for story in stories:
            article = story.article
            if article.section not in firsts or article.rel < firsts[article.section][0]:
                firsts[article.section] = (article.rel, article.path)
    warnings = []
    for folder in site.sections:
        if folder in config.sections or folder not in firsts:
            continue
        made = section_display_name(folder)
        if any(site.section_names[(folder, lang)] == made for lang in config.languages):
            names = ", ".join(f"{lang}: …" for lang in config.languages)
            warnings.append(
                BuildError(
                    firsts[folder][1],
                    1,
                    f"section folder '{folder}' is not in site.yaml's sections: it is named "
                    f"'{made}', made from the folder's name",
                    f"add it to site.yaml under sections: ({folder}: {{{names}}})",
                )
            )
    return warnings
