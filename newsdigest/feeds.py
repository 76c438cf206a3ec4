"""Feeds and files for crawlers: RSS per language and section, ``sitemap.xml``, ``robots.txt``."""

from __future__ import annotations

import re

from .config import Config
from .content import make_slug
from .site import Feed, Job, Lists, Site, SitemapEntry, Teaser, _alternates, absolute, out_path_for, url_for

def absolute_body(config: Config, html: str) -> str:
    """Body HTML with site-root links made absolute, for feed readers."""
    return re.sub(r'(href|src)="/(?!/)', lambda m: f'{m.group(1)}="{config.origin}/', html)


def feed_jobs(site: Site, lists: Lists) -> list[Job]:
    """RSS 2.0 per language and per section."""
    config = site.config
    chromes, section_lists = lists.chromes, lists.sections
    jobs = []
    bodies = {s.teaser.url: s.article.body_html for lang in config.languages for s in site.stories[lang]}

    def feed(lang: str, title: str, url: str, teasers: tuple[Teaser, ...], description: str) -> Job:
        items = teasers[:config.feed_items]
        full = tuple(absolute_body(config, bodies[t.url]) if config.feed_full_content else "" for t in items)
        updated = max((t.updated or t.date for t in items), default=None)
        data = Feed(title, description, lang, absolute(config, url), absolute(config, url + "rss.xml"),
                    items, full, updated)
        return Job(out_path_for(config, url, "rss.xml"), ("rss.xml",), {"lang": lang, "site": chromes[lang], "feed": data})

    for lang in config.languages:
        chrome = chromes[lang]
        jobs.append(feed(lang, chrome.site_title, chrome.home_url,
                         tuple(s.teaser for s in site.stories[lang]), chrome.description))
        for section in site.sections:
            if (lang, section) in section_lists:
                name = site.section_names[(section, lang)]
                jobs.append(feed(lang, f"{name} · {chrome.site_title}", url_for(config, lang, make_slug(section) or section),
                                 section_lists[(lang, section)], chrome.description))
    return jobs


def crawler_jobs(site: Site, lists: Lists) -> list[Job]:
    """``sitemap.xml`` with hreflang alternates and ``robots.txt``."""
    chromes, names, homes = lists.chromes, lists.names, lists.homes
    section_lists, tag_lists = lists.sections, lists.tags
    config = site.config
    entries: list[SitemapEntry] = []

    newest = {lang: (site.stories[lang][0].teaser.date if site.stories[lang] else None) for lang in config.languages}
    home_alts, home_default = _alternates(config, names, homes)
    for lang in config.languages:
        entries.append(SitemapEntry(absolute(config, homes[lang]), newest[lang], home_alts, home_default))
    for section in site.sections:
        s_slug = make_slug(section) or section
        urls = {lang: url_for(config, lang, s_slug) for lang in config.languages if (lang, section) in section_lists}
        alts, x_default = _alternates(config, names, urls)
        for lang, url in urls.items():
            entries.append(SitemapEntry(absolute(config, url), section_lists[(lang, section)][0].date, alts, x_default))
    for (lang, url), teasers in sorted(tag_lists.items()):
        entries.append(SitemapEntry(absolute(config, url), teasers[0].date, (), ""))
    for lang in config.languages:
        for story in site.stories[lang]:
            entries.append(SitemapEntry(story.teaser.abs_url, story.article.updated or story.article.date,
                                        story.alternates, story.x_default if story.alternates else ""))
    default = config.default_language
    return [
        Job("sitemap.xml", ("sitemap.xml",), {"lang": default, "site": chromes[default], "entries": tuple(entries)}),
        Job("robots.txt", ("robots.txt",), {"lang": default, "site": chromes[default],
                                            "sitemaps": (absolute(config, config.base_path + "sitemap.xml"),)}),
    ]


