"""The lists a site's pages are made of: ``gather`` (per language: sections, tags, authors, months and
the page chrome), lists cut into numbered pages (``list_page_jobs``), and the language switches."""

from __future__ import annotations

import hashlib
import pickle
from collections import defaultdict
from dataclasses import replace

from .config import Config
from .content import make_slug
from .site import (
    JSON_FEED_FILE,
    LIST_SIZE,
    PAGE_WINDOW,
    RSS_FILE,
    Alternate,
    Chrome,
    Job,
    Link,
    ListPage,
    Lists,
    PageNumber,
    SectionBlock,
    Site,
    Teaser,
    absolute,
    media_url,
    out_path_for,
    section_url,
    url_for,
)


def _pages(items: tuple[Teaser, ...], per_page: int) -> list[tuple[Teaser, ...]]:
    return [items[i : i + per_page] for i in range(0, len(items), per_page)] or [()]


def _page_url(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def gather(site: Site) -> Lists:
    """One pass over each language's stories: section and tag lists, and each page's chrome."""
    config = site.config
    languages = config.languages
    names = {lang: site.strings[lang].get("language_name", lang) for lang in languages}
    homes = {lang: url_for(config, lang) for lang in languages}
    chromes: dict[str, Chrome] = {}
    section_lists: dict[tuple[str, str], tuple[Teaser, ...]] = {}
    tag_lists: dict[tuple[str, str], list[Teaser]] = defaultdict(list)
    author_lists: dict[tuple[str, str], list[Teaser]] = defaultdict(list)
    month_lists: dict[tuple[str, str], list[Teaser]] = defaultdict(list)
    zone = config.tz()
    for lang in languages:
        stories = site.stories[lang]
        by_section: dict[str, list[Teaser]] = defaultdict(list)
        for story in stories:
            by_section[story.article.section].append(story.teaser)
            for tag in story.tags:
                tag_lists[(lang, tag.url)].append(story.teaser)
            for author in story.teaser.authors:
                author_lists[(lang, author.url)].append(story.teaser)
            local = story.article.date.astimezone(zone)
            month = f"{local.year:04d}/{local.month:02d}"  # strftime writes year 1 as "1", not "0001"
            month_lists[(lang, url_for(config, lang, "archive", month))].append(story.teaser)
        for section, teasers in by_section.items():
            section_lists[(lang, section)] = tuple(teasers)
        most_read = sorted(
            (s.teaser for s in stories if s.teaser.views is not None), key=lambda t: (-(t.views or 0), -t.date.timestamp(), t.url)
        )
        chromes[lang] = Chrome(
            lang=lang,
            default_lang=config.default_language,
            site_title=config.localized(config.title, lang, site.strings[lang].get("site_title", "newsdigest")),
            description=config.localized(config.description, lang, site.strings[lang].get("site_description", "")),
            base_path=config.base_path,
            base_url=config.base_url,
            home_url=homes[lang],
            feed_url=homes[lang] + RSS_FILE,
            sections=tuple(
                Link(site.section_names[(s, lang)], section_url(config, lang, s))
                for s in site.sections
                if (lang, s) in section_lists
            ),
            languages=tuple(Alternate(code, names[code], homes[code], absolute(config, homes[code])) for code in languages),
            latest=tuple(s.teaser for s in stories[:LIST_SIZE]),
            most_read=tuple(most_read[:LIST_SIZE]),
            publisher=config.publisher_for(lang),
            strings=site.strings[lang],
            timezone=config.timezone,
            params=config.params,
            json_feed_url=homes[lang] + JSON_FEED_FILE,
            logo_url=absolute(config, media_url(config, config.publisher_for(lang).logo, config.base_path))
            if config.publisher_for(lang).logo
            else "",
            tags_url=url_for(config, lang, "tags"),
            authors_url=url_for(config, lang, "authors"),
            archive_url=url_for(config, lang, "archive"),
            corrections_url=url_for(config, lang, "corrections"),
            share=site.share,
            search_url=url_for(config, lang, "search") if config.search else "",
        )
    chromes = {
        lang: replace(chrome, fingerprint=hashlib.blake2b(pickle.dumps(chrome, protocol=5)).hexdigest())
        for lang, chrome in chromes.items()
    }
    home_items, section_items = untranslated_lists(site, names, section_lists)
    return Lists(
        chromes,
        names,
        homes,
        section_lists,
        {k: tuple(v) for k, v in tag_lists.items()},
        {k: tuple(v) for k, v in author_lists.items()},
        {k: tuple(v) for k, v in month_lists.items()},
        home_items,
        section_items,
    )


def untranslated_lists(
    site: Site, names: dict[str, str], section_lists: dict[tuple[str, str], tuple[Teaser, ...]]
) -> tuple[dict[str, tuple[Teaser, ...]], dict[tuple[str, str], tuple[Teaser, ...]]]:
    """What each language's home and section pages list. With ``untranslated: list`` for a language,
    the originals of the stories that have no version in it are listed among its own, newest first,
    linking to the original, marked with its language (``Teaser.foreign``) and under this language's
    section names; with ``hide`` (the default) only its own stories."""
    config = site.config
    homes = {lang: tuple(s.teaser for s in site.stories[lang]) for lang in config.languages}
    sections = dict(section_lists)
    for lang in config.languages:
        if config.untranslated.get(lang) != "list":
            continue
        have = {story.article.key for story in site.stories[lang]}
        foreign = [
            (
                story.article.section,
                replace(
                    story.teaser,
                    foreign=names[story.article.lang],
                    section=Link(
                        site.section_names[(story.article.section, lang)], section_url(config, lang, story.article.section)
                    ),
                ),
            )
            for other in config.languages
            if other != lang
            for story in site.stories[other]
            if story.original_lang == story.article.lang and story.article.key not in have
        ]
        if not foreign:
            continue
        newest = lambda teaser: (-teaser.date.timestamp(), teaser.url)  # noqa: E731 - the one order of lists
        homes[lang] = tuple(sorted([*homes[lang], *(teaser for _, teaser in foreign)], key=newest))
        for folder in {folder for folder, _ in foreign}:
            listed = [*section_lists.get((lang, folder), ()), *(t for f, t in foreign if f == folder)]
            sections[(lang, folder)] = tuple(sorted(listed, key=newest))
    return homes, sections


def page_numbers(number: int, count: int, base: str) -> tuple[PageNumber, ...]:
    """``1 2 3 … 12``: the first and last pages, the current one with ``PAGE_WINDOW`` either side,
    and a gap where pages are left out (a gap of one page shows that page instead)."""
    shown = sorted({1, count, *range(max(1, number - PAGE_WINDOW), min(count, number + PAGE_WINDOW) + 1)})
    items: list[PageNumber] = []
    for n in shown:
        if items and n - items[-1].number == 2:
            items.append(PageNumber(n - 1, _page_url(base, n - 1)))
        elif items and n - items[-1].number > 2:
            items.append(PageNumber(0))
        items.append(PageNumber(n, _page_url(base, n), n == number))
    return tuple(items) if count > 1 else ()


def list_page_jobs(
    site: Site,
    lists: Lists,
    kind: str,
    lang: str,
    title: str,
    base: str,
    teasers: tuple[Teaser, ...],
    counterpart_urls: dict[str, str],
    intro: str = "",
    page_blocks: tuple[SectionBlock, ...] = (),
    feeds: bool = True,
) -> list[Job]:
    """A list of stories cut into pages (``base``, ``base/page/2/``…). Only its first page is paired
    with ``counterpart_urls``: page n of one language is not page n of the other."""
    config = site.config
    chrome = lists.chromes[lang]
    pages = _pages(teasers, config.per_page)
    jobs: list[Job] = []
    for number, items in enumerate(pages, start=1):
        url = _page_url(base, number)
        counterparts = {code: _page_url(u, 1) for code, u in counterpart_urls.items()} if number == 1 else {lang: url}
        alts, x_default = alternates_for(config, lists.names, counterparts)
        page = ListPage(
            kind,
            title,
            url,
            absolute(config, url),
            items,
            number,
            len(pages),
            _page_url(base, number - 1) if number > 1 else "",
            _page_url(base, number + 1) if number < len(pages) else "",
            base + RSS_FILE if feeds else "",
            alts,
            x_default,
            intro if number == 1 else "",
            page_blocks if number == 1 else (),
            json_feed_url=base + JSON_FEED_FILE if feeds else "",
            numbers=page_numbers(number, len(pages), base),
        )
        jobs.append(
            Job(
                out_path_for(config, url),
                (f"{kind}.{lang}.html", f"{kind}.html", "list.html"),
                {"lang": lang, "site": chrome, "page": page, "switch": _switch(chrome, page.alternates)},
            )
        )
    return jobs


def tag_name(teaser: Teaser, url: str) -> str:
    """A tag's display name: its first spelling on the newest story that has it."""
    return next((tag.title for tag in teaser.tags if tag.url == url), url)


def alternates_for(config: Config, names: dict[str, str], urls: dict[str, str]) -> tuple[tuple[Alternate, ...], str]:
    """A page's versions per language (none when it has no translation) and its x-default URL."""
    alts = tuple(Alternate(lang, names[lang], url, absolute(config, url)) for lang, url in urls.items())
    default_url = urls.get(config.default_language) or next(iter(urls.values()))
    return (alts if len(alts) > 1 else ()), absolute(config, default_url)


def _switch(chrome: Chrome, alternates: tuple[Alternate, ...]) -> tuple[Alternate, ...]:
    """The language switch of a list page: its counterpart, else that language's home."""
    by_lang = {a.lang: a for a in alternates}
    return tuple(by_lang.get(home.lang, home) for home in chrome.languages if home.lang != chrome.lang)


def _story_switch(chrome: Chrome, alternates: tuple[Alternate, ...]) -> tuple[Alternate, ...]:
    """A story's language switch: only its real translations (never a home page in disguise)."""
    return tuple(a for a in alternates if a.lang != chrome.lang)


def _section_links(site: Site, lang: str, section_lists: dict[tuple[str, str], tuple[Teaser, ...]]) -> list[tuple[str, Link]]:
    """The sections that have stories in ``lang``, in the site's order, with their names and URLs."""
    return [
        (folder, Link(site.section_names[(folder, lang)], url_for(site.config, lang, make_slug(folder) or folder)))
        for folder in site.sections
        if (lang, folder) in section_lists
    ]
