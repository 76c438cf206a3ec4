"""The browsing pages: the tag index, the authors and their stories, the archive by month.

One function per output kind — ``tag_index_jobs``, ``author_jobs``, ``archive_jobs`` — each making
its pages in every language from what ``site.gather`` collected; ``sitemap_urls`` names them for the
sitemap. Names are ordered by ``collation.sort_key`` and filed under ``collation.initial``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from babel.core import UnknownLocaleError
from babel.dates import format_skeleton, get_month_names

from .collation import initial, sort_key
from .content import make_slug
from .site import Alternate, Job, Lists, Site, Teaser, _switch, absolute, alternates_for, list_page_jobs, tag_name, url_for


@dataclass(frozen=True)
class IndexEntry:
    """A name (a tag, an author, a month) in an index, its page and its number of stories."""

    title: str
    url: str
    count: int


@dataclass(frozen=True)
class IndexGroup:
    """The entries under one heading: an initial letter, or a year."""

    label: str
    anchor: str  # the heading's id, for the jump bar
    entries: tuple[IndexEntry, ...]


@dataclass(frozen=True)
class IndexPage:
    """A page of names in groups with a bar that jumps to each group."""

    kind: str  # tag_index | author_index | archive
    title: str
    url: str
    abs_url: str
    groups: tuple[IndexGroup, ...]
    alternates: tuple[Alternate, ...]
    x_default: str
    number: int = 1  # index pages are never cut into pages; templates may ask as of any list


# Vietnamese letters written as Telex types them, for anchors a reader can type: #letter-dd is Đ.
_TELEX = {"Ă": "aw", "Â": "aa", "Đ": "dd", "Ê": "ee", "Ô": "oo", "Ơ": "ow", "Ư": "uw", "#": "other"}


def _anchor(label: str) -> str:
    return "letter-" + (_TELEX.get(label) or make_slug(label) or "-".join(f"{ord(c):x}" for c in label))


def _by_initial(entries: list[IndexEntry], lang: str) -> tuple[IndexGroup, ...]:
    """Entries in the language's order, under their initial letters (A, Ă, Â, B, … Đ …)."""
    groups: dict[str, list[IndexEntry]] = {}
    for entry in sorted(entries, key=lambda e: (sort_key(e.title, lang), e.url)):
        groups.setdefault(initial(entry.title, lang), []).append(entry)
    return tuple(IndexGroup(label, _anchor(label), tuple(items)) for label, items in groups.items())


def _index_jobs(site: Site, lists: Lists, kind: str, title_key: str, slug: str,
                groups_of: dict[str, tuple[IndexGroup, ...]]) -> list[Job]:
    """``/<lang>/<slug>/`` in every language, each paired with the others."""
    config = site.config
    urls = {lang: url_for(config, lang, slug) for lang in config.languages}
    alts, x_default = alternates_for(config, lists.names, urls)
    jobs = []
    for lang in config.languages:
        chrome = lists.chromes[lang]
        page = IndexPage(kind, chrome.strings.get(title_key, title_key), urls[lang], absolute(config, urls[lang]),
                         groups_of[lang], alts, x_default)
        jobs.append(Job(page.url[len(config.base_path):] + "index.html", (f"{kind}.{lang}.html", f"{kind}.html", "browse.html"),
                        {"lang": lang, "site": chrome, "page": page, "switch": _switch(chrome, alts)}))
    return jobs


def _counterparts(site: Site, found: dict[tuple[str, str], tuple[Teaser, ...]], *parts: str) -> dict[str, str]:
    """The same page (``/<lang>/<parts>/``) in every language that has it."""
    return {code: url_for(site.config, code, *parts) for code in site.config.languages
            if (code, url_for(site.config, code, *parts)) in found}


def tag_index_jobs(site: Site, lists: Lists) -> list[Job]:
    """``/<lang>/tags/``: every tag of the language with its number of stories, by initial letter."""
    groups = {lang: _by_initial([IndexEntry(tag_name(teasers[0], url), url, len(teasers))
                                 for (code, url), teasers in lists.tags.items() if code == lang], lang)
              for lang in site.config.languages}
    return _index_jobs(site, lists, "tag_index", "tags", "tags", groups)


def author_name(teaser: Teaser, url: str) -> str:
    """An author's display name: the spelling on their newest story."""
    return next((author.title for author in teaser.authors if author.url == url), url)


def author_jobs(site: Site, lists: Lists) -> list[Job]:
    """``/<lang>/authors/`` (every byline, by initial letter) and ``/<lang>/authors/<slug>/`` (each
    author's stories, newest first, paginated)."""
    languages = site.config.languages
    groups = {lang: _by_initial([IndexEntry(author_name(teasers[0], url), url, len(teasers))
                                 for (code, url), teasers in lists.authors.items() if code == lang], lang)
              for lang in languages}
    jobs = _index_jobs(site, lists, "author_index", "authors_title", "authors", groups)
    for (lang, url), teasers in sorted(lists.authors.items()):
        slug = url.rstrip("/").rsplit("/", 1)[-1]
        jobs += list_page_jobs(site, lists, "author", lang, author_name(teasers[0], url), url, teasers,
                               _counterparts(site, lists.authors, "authors", slug), feeds=False)
    return jobs


def month_title(year: int, month: int, lang: str) -> str:
    """``Tháng 1 năm 2017``, ``January 2017``: Babel's year-and-month, capitalised as a heading."""
    try:
        text = format_skeleton("yMMMM", date(year, month, 1), locale=lang)
    except (UnknownLocaleError, ValueError):
        text = format_skeleton("yMMMM", date(year, month, 1), locale="en")
    return text[:1].upper() + text[1:]


def month_name(month: int, lang: str) -> str:
    """``Tháng 1``, ``January``: the month alone, as a calendar heads it."""
    try:
        names = get_month_names("wide", "stand-alone", locale=lang)
    except (UnknownLocaleError, ValueError):
        names = get_month_names("wide", "stand-alone", locale="en")
    text = unicodedata.normalize("NFC", names[month])
    return text[:1].upper() + text[1:]


def _year_month(url: str) -> tuple[int, int]:
    """``/vi/archive/2017/01/`` → (2017, 1)."""
    year, month = url.rstrip("/").split("/")[-2:]
    return int(year), int(month)


def archive_jobs(site: Site, lists: Lists) -> list[Job]:
    """``/<lang>/archive/`` (every month with stories and its count, under its year, newest first) and
    ``/<lang>/archive/<yyyy>/<mm>/`` (that month's stories, paginated)."""
    config = site.config
    groups: dict[str, tuple[IndexGroup, ...]] = {}
    for lang in config.languages:
        years: dict[int, list[IndexEntry]] = {}
        for (code, url), teasers in sorted(lists.months.items(), reverse=True):
            if code == lang:
                year, month = _year_month(url)
                years.setdefault(year, []).append(IndexEntry(month_name(month, lang), url, len(teasers)))
        groups[lang] = tuple(IndexGroup(str(year), f"year-{year}", tuple(entries)) for year, entries in years.items())
    jobs = _index_jobs(site, lists, "archive", "archive", "archive", groups)
    for (lang, url), teasers in sorted(lists.months.items()):
        year, month = _year_month(url)
        jobs += list_page_jobs(site, lists, "month", lang, month_title(year, month, lang), url, teasers,
                               _counterparts(site, lists.months, "archive", f"{year:04d}/{month:02d}"), feeds=False)
    return jobs


def browse_jobs(site: Site, lists: Lists) -> list[Job]:
    """Every browsing page of every language."""
    return tag_index_jobs(site, lists) + author_jobs(site, lists) + archive_jobs(site, lists)


def sitemap_urls(site: Site, lists: Lists) -> list[tuple[dict[str, str], dict[str, datetime | None]]]:
    """The browsing pages for the sitemap: each page's URL per language, and when it last changed
    (its newest story's date) per language."""
    config = site.config
    newest = {lang: site.stories[lang][0].teaser.date if site.stories[lang] else None for lang in config.languages}
    pages: list[tuple[dict[str, str], dict[str, datetime | None]]] = [
        ({lang: url_for(config, lang, slug) for lang in config.languages}, newest)
        for slug in ("tags", "authors", "archive")]
    for found in (lists.authors, lists.months):
        paired: dict[str, dict[str, str]] = {}
        dates: dict[str, dict[str, datetime | None]] = {}
        for (lang, url), teasers in sorted(found.items()):
            tail = url[len(url_for(config, lang)):]  # authors/<slug>/ or archive/<yyyy>/<mm>/
            paired.setdefault(tail, {})[lang] = url
            dates.setdefault(tail, {})[lang] = teasers[0].date
        pages += [(paired[tail], dates[tail]) for tail in paired]
    return pages
