"""The HTML pages, one function per kind: homes, sections, tags, stories, 404, and the browsing pages.

``home_jobs``, ``section_jobs``, ``tag_jobs``, ``story_jobs`` (one language each) and ``special_jobs``
(``/`` and 404) make the reading pages; ``tag_index_jobs``, ``author_jobs``, ``archive_jobs`` the
browsing ones, each in every language, from what ``lists.gather`` collected; ``sitemap_urls`` names
them (and the corrections page, see record_pages.py) for the sitemap. Names are ordered by
``collation.sort_key`` and filed under ``collation.initial``.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from babel.core import UnknownLocaleError
from babel.dates import format_skeleton, get_month_names

from .collation import initial, sort_key
from .content import make_slug
from .lists import _section_links, _story_switch, _switch, alternates_for, list_page_jobs, tag_name
from .record_pages import newest_correction
from .site import (
    BLOCK_SIZE,
    LIST_SIZE,
    Alternate,
    Job,
    Lists,
    SectionBlock,
    Site,
    StoryPage,
    Teaser,
    absolute,
    out_path_for,
    section_url,
    url_for,
)


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


def page_jobs(site: Site, lists: Lists) -> list[Job]:
    """Every reading page: per language its home, sections, tags and stories; then 404 and ``/``."""
    jobs: list[Job] = []
    for lang in site.config.languages:
        jobs += home_jobs(site, lists, lang) + section_jobs(site, lists, lang) + tag_jobs(site, lists, lang)
        jobs += story_jobs(site, lists, lang)
    return jobs + special_jobs(site, lists, jobs)


def home_jobs(site: Site, lists: Lists, lang: str) -> list[Job]:
    """``/<lang>/`` (paginated): every story, newest first, under a block of each section's latest."""
    blocks = tuple(
        SectionBlock(link, lists.section_items[(lang, folder)][:BLOCK_SIZE])
        for folder, link in _section_links(site, lang, lists.section_items)
    )
    return list_page_jobs(
        site,
        lists,
        "home",
        lang,
        lists.chromes[lang].site_title,
        lists.homes[lang],
        lists.home_items[lang],
        lists.homes,
        page_blocks=blocks,
    )


def section_jobs(site: Site, lists: Lists, lang: str) -> list[Job]:
    """``/<lang>/<section>/`` (paginated) for each section with stories in ``lang``, with its intro."""
    config, jobs = site.config, []
    for section in site.sections:
        if (lang, section) not in lists.section_items:
            continue
        counterparts = {
            code: section_url(config, code, section) for code in config.languages if (code, section) in lists.section_items
        }
        jobs += list_page_jobs(
            site,
            lists,
            "section",
            lang,
            site.section_names[(section, lang)],
            section_url(config, lang, section),
            lists.section_items[(lang, section)],
            counterparts,
            site.section_intros.get((section, lang), ""),
        )
    return jobs


def tag_jobs(site: Site, lists: Lists, lang: str) -> list[Job]:
    """``/<lang>/tags/<slug>/`` (paginated) for each tag of ``lang``, paired with the same slug's."""
    jobs = []
    for (tag_lang, url), teasers in sorted(lists.tags.items()):
        if tag_lang != lang:
            continue
        slug = url.rstrip("/").rsplit("/", 1)[-1]
        jobs += list_page_jobs(
            site, lists, "tag", lang, tag_name(teasers[0], url), url, teasers, _counterparts(site, lists.tags, "tags", slug)
        )
    return jobs


def story_jobs(site: Site, lists: Lists, lang: str) -> list[Job]:
    """Each story page of ``lang``, with its neighbours and more of its section."""
    chrome = lists.chromes[lang]
    positions = {t.url: i for (code, _), teasers in lists.sections.items() if code == lang for i, t in enumerate(teasers)}
    jobs = []
    for story in site.stories[lang]:
        article = story.article
        section = lists.sections[(lang, article.section)]
        index = positions[story.teaser.url]
        older = section[index + 1 : index + 1 + LIST_SIZE]
        newer = section[max(0, index - (LIST_SIZE - len(older))) : index]
        page = StoryPage(
            story=article,
            teaser=story.teaser,
            url=story.teaser.url,
            abs_url=story.teaser.abs_url,
            section=story.section,
            tags=story.tags,
            alternates=story.alternates,
            x_default=story.x_default,
            prev=section[index + 1] if index + 1 < len(section) else None,
            next=section[index - 1] if index > 0 else None,
            more_in_section=older + newer,
            image_url=story.teaser.image_url,
            original_lang=story.original_lang,
            notice=story.notice,
        )
        layouts = (f"{article.layout}.html",) if article.layout else ()
        jobs.append(
            Job(
                story.out_path,
                (*layouts, f"article.{lang}.html", "article.html"),
                {"lang": lang, "site": chrome, "page": page, "switch": _story_switch(chrome, page.alternates)},
            )
        )
    return jobs


def special_jobs(site: Site, lists: Lists, jobs: list[Job]) -> list[Job]:
    """``404.html``, and ``/``: the default language's home page itself (not a redirect), canonical
    to ``/<lang>/``; found among ``jobs``."""
    config, chromes = site.config, lists.chromes
    default = config.default_language
    missing = Job(
        "404.html", ("404.html",), {"lang": default, "site": chromes[default], "switch": (), "others": tuple(chromes.values())}
    )
    home = next(job for job in jobs if job.out_path == out_path_for(config, lists.homes[default]))
    return [missing, Job("index.html", home.templates, home.context)]


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


def _index_jobs(
    site: Site, lists: Lists, kind: str, title_key: str, slug: str, groups_of: dict[str, tuple[IndexGroup, ...]]
) -> list[Job]:
    """``/<lang>/<slug>/`` in every language, each paired with the others."""
    config = site.config
    urls = {lang: url_for(config, lang, slug) for lang in config.languages}
    alts, x_default = alternates_for(config, lists.names, urls)
    jobs = []
    for lang in config.languages:
        chrome = lists.chromes[lang]
        page = IndexPage(
            kind,
            chrome.strings.get(title_key, title_key),
            urls[lang],
            absolute(config, urls[lang]),
            groups_of[lang],
            alts,
            x_default,
        )
        jobs.append(
            Job(
                page.url[len(config.base_path) :] + "index.html",
                (f"{kind}.{lang}.html", f"{kind}.html", "browse.html"),
                {"lang": lang, "site": chrome, "page": page, "switch": _switch(chrome, alts)},
            )
        )
    return jobs


def _counterparts(site: Site, found: dict[tuple[str, str], tuple[Teaser, ...]], *parts: str) -> dict[str, str]:
    """The same page (``/<lang>/<parts>/``) in every language that has it."""
    return {
        code: url_for(site.config, code, *parts)
        for code in site.config.languages
        if (code, url_for(site.config, code, *parts)) in found
    }


def tag_index_jobs(site: Site, lists: Lists) -> list[Job]:
    """``/<lang>/tags/``: every tag of the language with its number of stories, by initial letter."""
    groups = {
        lang: _by_initial(
            [
                IndexEntry(tag_name(teasers[0], url), url, len(teasers))
                for (code, url), teasers in lists.tags.items()
                if code == lang
            ],
            lang,
        )
        for lang in site.config.languages
    }
    return _index_jobs(site, lists, "tag_index", "tags", "tags", groups)


def author_name(teaser: Teaser, url: str) -> str:
    """An author's display name: the spelling on their newest story."""
    return next((author.title for author in teaser.authors if author.url == url), url)


def author_jobs(site: Site, lists: Lists) -> list[Job]:
    """``/<lang>/authors/`` (every byline, by initial letter) and ``/<lang>/authors/<slug>/`` (each
    author's stories, newest first, paginated)."""
    languages = site.config.languages
    groups = {
        lang: _by_initial(
            [
                IndexEntry(author_name(teasers[0], url), url, len(teasers))
                for (code, url), teasers in lists.authors.items()
                if code == lang
            ],
            lang,
        )
        for lang in languages
    }
    jobs = _index_jobs(site, lists, "author_index", "authors_title", "authors", groups)
    for (lang, url), teasers in sorted(lists.authors.items()):
        slug = url.rstrip("/").rsplit("/", 1)[-1]
        jobs += list_page_jobs(
            site,
            lists,
            "author",
            lang,
            author_name(teasers[0], url),
            url,
            teasers,
            _counterparts(site, lists.authors, "authors", slug),
            feeds=False,
        )
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
        jobs += list_page_jobs(
            site,
            lists,
            "month",
            lang,
            month_title(year, month, lang),
            url,
            teasers,
            _counterparts(site, lists.months, "archive", f"{year:04d}/{month:02d}"),
            feeds=False,
        )
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
        ({lang: url_for(config, lang, slug) for lang in config.languages}, newest) for slug in ("tags", "authors", "archive")
    ]
    pages.append(
        (
            {lang: url_for(config, lang, "corrections") for lang in config.languages},
            {lang: newest_correction(site, lang) for lang in config.languages},
        )
    )
    for found in (lists.authors, lists.months):
        paired: dict[str, dict[str, str]] = {}
        dates: dict[str, dict[str, datetime | None]] = {}
        for (lang, url), teasers in sorted(found.items()):
            tail = url[len(url_for(config, lang)) :]  # authors/<slug>/ or archive/<yyyy>/<mm>/
            paired.setdefault(tail, {})[lang] = url
            dates.setdefault(tail, {})[lang] = teasers[0].date
        pages += [(paired[tail], dates[tail]) for tail in paired]
    return pages
