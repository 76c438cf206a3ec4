"""Feeds and files for crawlers.

Per language, section and tag: RSS 2.0 (``rss.xml``) and JSON Feed 1.1 (``feed.json``), both
rendered from one ``Feed``. For the whole site: ``sitemap.xml`` with hreflang alternates (an index of
numbered sitemaps once it would pass the protocol's 50,000 URLs), a Google News sitemap per language
holding the stories of the 48 hours before the build's moment, and ``robots.txt`` naming them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from urllib.parse import urljoin

from markupsafe import escape

from .content import Image, Source, pack, unpack
from .lists import alternates_for, tag_name
from .pages import sitemap_urls
from .record import Correction
from .site import (
    JSON_FEED_FILE,
    RSS_FILE,
    Alternate,
    Chrome,
    Job,
    Lists,
    Site,
    Teaser,
    absolute,
    out_path_for,
    section_url,
    url_for,
)
from .templates import formatted_date

SITEMAP_LIMIT = 50_000  # URLs in one sitemap file (the sitemap protocol's limit)
NEWS_WINDOW = timedelta(hours=48)  # Google News sitemaps hold the last two days' stories...
NEWS_LIMIT = 1_000  # ...at most this many
_URL_ATTRIBUTE = re.compile(r'(?<=\s)(href|src)="([^"]*)"')
_SRCSET = re.compile(r'(?<=\s)srcset="([^"]*)"')


@dataclass(frozen=True)
class FeedItem:
    teaser: Teaser
    body_z: bytes  # the full body with absolute URLs, compressed; empty when feeds carry summaries only
    image: Image | None
    source: Source | None
    modified: datetime | None = None  # updated, or the newest correction when later; None when neither
    corrections_text: str = ""  # "\n\nCorrection (13 Jan 2017): …" per correction, newest first
    corrections_html: str = ""  # the same as paragraphs, after the body

    @property
    def body(self) -> str:
        return _unpacked(self.body_z)


@lru_cache(maxsize=256)
def _unpacked(body_z: bytes) -> str:
    """A feed item's body, unpacked once for the feeds that hold it: a template asks twice per
    feed (``if item.body``, then the body), and a story is in its language's, section's and tags' feeds."""
    return unpack(body_z)


@dataclass(frozen=True)
class Feed:
    title: str
    description: str
    lang: str
    link: str  # absolute URL of the page the feed is about
    rss_url: str  # absolute URLs of the feed itself, in each format
    json_url: str
    items: tuple[FeedItem, ...]
    updated: datetime | None


@dataclass(frozen=True)
class SitemapEntry:
    abs_url: str
    lastmod: datetime | None
    alternates: tuple[Alternate, ...]
    x_default: str


@dataclass(frozen=True)
class SitemapFile:
    """One of the numbered sitemaps a sitemap index points at."""

    abs_url: str
    lastmod: datetime | None


def absolute_body(html: str, page_url: str) -> str:
    """Body HTML with every link and image made absolute, as a feed reader has no page to resolve
    them against: site-root paths, a page bundle's images beside the page, footnote anchors."""
    html = _URL_ATTRIBUTE.sub(lambda m: f'{m.group(1)}="{urljoin(page_url, m.group(2))}"', html)
    return (
        _SRCSET.sub(
            lambda m: 'srcset="{}"'.format(
                ", ".join(
                    " ".join([urljoin(page_url, part.split()[0]), *part.split()[1:]])
                    for part in m.group(1).split(", ")
                    if part.split()
                )
            ),
            html,
        )
        if "srcset=" in html
        else html
    )


def correction_blocks(corrections: tuple[Correction, ...], chrome: Chrome, lang: str) -> tuple[str, str]:
    """A story's corrections as feeds carry them, appended to the item's text and to its HTML:
    ``Correction (13 Jan 2017): …`` (``Đính chính (13/01/2017): …``), newest first."""
    if not corrections:
        return "", ""
    label = chrome.strings.get("correction", "Correction")
    pattern = chrome.strings.get("date_short", "yyyy-MM-dd")
    lines = [(f"{label} ({formatted_date(c.date, chrome.timezone, pattern, lang)})", c.text) for c in corrections]
    text = "".join(f"\n\n{head}: {body}" for head, body in lines)
    html = "".join(f'<p class="correction"><strong>{escape(head)}:</strong> {escape(body)}</p>' for head, body in lines)
    return text, html


def feed_jobs(site: Site, lists: Lists) -> list[Job]:
    """RSS 2.0 and JSON Feed 1.1 per language, per section and per tag: the newest ``feed_items``."""
    config = site.config
    chromes = lists.chromes
    articles = {s.teaser.url: s.article for lang in config.languages for s in site.stories[lang]}
    items: dict[str, FeedItem] = {}  # each story's item is made once, however many feeds hold it
    jobs: list[Job] = []

    summaries: dict[str, FeedItem] = {}

    def item(teaser: Teaser, full: bool) -> FeedItem:
        made = items if full else summaries
        if teaser.url not in made:
            article = articles[teaser.url]
            body = pack(absolute_body(article.body_html, teaser.abs_url)) if full else b""
            modified = article.modified if article.updated or article.corrections else None
            text, html = correction_blocks(article.corrections, chromes[teaser.lang], teaser.lang)
            made[teaser.url] = FeedItem(teaser, body, article.image, article.source, modified, text, html)
        return made[teaser.url]

    def feed(lang: str, title: str, url: str, teasers: tuple[Teaser, ...], full: bool) -> None:
        newest = teasers[: config.feed_items]
        data = Feed(
            title,
            chromes[lang].description,
            lang,
            absolute(config, url),
            absolute(config, url + RSS_FILE),
            absolute(config, url + JSON_FEED_FILE),
            tuple(item(t, full) for t in newest),
            max((t.updated or t.date for t in newest), default=None),
        )
        context = {"lang": lang, "site": chromes[lang], "feed": data}
        jobs.append(Job(out_path_for(config, url, RSS_FILE), ("rss.xml",), context))
        jobs.append(Job(out_path_for(config, url, JSON_FEED_FILE), ("feed.json",), context))

    tags = sorted(lists.tags.items())
    for lang in config.languages:
        chrome = chromes[lang]
        full = config.feed_full_content
        feed(lang, chrome.site_title, chrome.home_url, tuple(s.teaser for s in site.stories[lang]), full)
        for section in site.sections:
            if (lang, section) in lists.sections:
                feed(
                    lang,
                    f"{site.section_names[(section, lang)]} · {chrome.site_title}",
                    section_url(config, lang, section),
                    lists.sections[(lang, section)],
                    full,
                )
        for (tag_lang, url), teasers in tags:
            if tag_lang == lang:
                tag = f"{chrome.strings.get('tag', 'Tag')}: {tag_name(teasers[0], url)}"
                feed(lang, f"{tag} · {chrome.site_title}", url, teasers, full and config.tag_feeds_full_content)
    return jobs


def crawler_jobs(site: Site, lists: Lists, now: datetime) -> list[Job]:
    """``sitemap.xml`` (or a sitemap index and its numbered sitemaps), a Google News sitemap per
    language, and ``robots.txt``. ``now`` is the build's moment: what counts as news is relative to it."""
    config = site.config
    names, homes = lists.names, lists.homes
    default = config.default_language
    chrome = lists.chromes[default]
    entries: list[SitemapEntry] = []

    home_alts, home_default = alternates_for(config, names, homes)
    for lang in config.languages:
        newest = site.stories[lang][0].teaser.date if site.stories[lang] else None
        entries.append(SitemapEntry(absolute(config, homes[lang]), newest, home_alts, home_default))
    for section in site.sections:
        listed = lists.section_items or lists.sections  # with untranslated: list, a language's section may list only others'
        urls = {lang: section_url(config, lang, section) for lang in config.languages if (lang, section) in listed}
        alts, x_default = alternates_for(config, names, urls)
        for lang, url in urls.items():
            entries.append(SitemapEntry(absolute(config, url), listed[(lang, section)][0].date, alts, x_default))
    for (_lang, url), teasers in sorted(lists.tags.items()):
        slug = url.rstrip("/").rsplit("/", 1)[-1]  # a tag's pages in other languages share its slug
        urls = {
            code: url_for(config, code, "tags", slug)
            for code in config.languages
            if (code, url_for(config, code, "tags", slug)) in lists.tags
        }
        alts, x_default = alternates_for(config, names, urls)
        entries.append(SitemapEntry(absolute(config, url), teasers[0].date, alts, x_default))
    for urls, lastmods in sitemap_urls(site, lists):  # tag index, authors, archive by month
        alts, x_default = alternates_for(config, names, urls)
        entries += [SitemapEntry(absolute(config, url), lastmods[lang], alts, x_default) for lang, url in urls.items()]
    for lang in config.languages:
        for story in site.stories[lang]:
            entries.append(
                SitemapEntry(
                    story.teaser.abs_url, story.article.modified, story.alternates, story.x_default if story.alternates else ""
                )
            )

    jobs = _sitemap_jobs(site, lists, entries)
    since = now - NEWS_WINDOW
    for lang in config.languages:
        fresh = [s.teaser for s in site.stories[lang] if since <= s.teaser.date <= now][:NEWS_LIMIT]
        jobs.append(
            Job(
                out_path_for(config, homes[lang], "news-sitemap.xml"),
                ("news-sitemap.xml",),
                {"lang": lang, "site": lists.chromes[lang], "stories": tuple(fresh)},
            )
        )
    sitemaps = [absolute(config, config.base_path + job.out_path) for job in jobs]
    jobs.append(Job("robots.txt", ("robots.txt",), {"lang": default, "site": chrome, "sitemaps": tuple(sitemaps)}))
    return jobs


def _sitemap_jobs(site: Site, lists: Lists, entries: list[SitemapEntry]) -> list[Job]:
    """``sitemap.xml`` itself, or, past ``SITEMAP_LIMIT`` URLs, an index of ``sitemap-<n>.xml``."""
    config = site.config
    default = config.default_language
    context = {"lang": default, "site": lists.chromes[default]}
    if len(entries) <= SITEMAP_LIMIT:
        return [Job("sitemap.xml", ("sitemap.xml",), {**context, "entries": tuple(entries)})]
    jobs: list[Job] = []
    files: list[SitemapFile] = []
    for number, start in enumerate(range(0, len(entries), SITEMAP_LIMIT), start=1):
        chunk = tuple(entries[start : start + SITEMAP_LIMIT])
        name = f"sitemap-{number}.xml"
        jobs.append(Job(name, ("sitemap.xml",), {**context, "entries": chunk}))
        files.append(
            SitemapFile(absolute(config, config.base_path + name), max((e.lastmod for e in chunk if e.lastmod), default=None))
        )
    return [Job("sitemap.xml", ("sitemap-index.xml",), {**context, "sitemaps": tuple(files)}), *jobs]
