"""The public record's page kinds: a redirect page at each story's alias, and each language's
corrections page. One function each (``alias_jobs``, ``corrections_jobs``), beside the reading and
browsing page kinds of pages.py; ``newest_correction`` dates the corrections page for the sitemap.
Alias pages are in no feed and not in the sitemap. See docs/public-record.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from .lists import _switch, alternates_for
from .record import out_path_of
from .site import Alternate, Job, Lists, Site, absolute, url_for


@dataclass(frozen=True)
class AliasPage:
    """A redirect from a story's old URL (an ``aliases:`` entry) to the story."""

    kind: str  # alias
    title: str  # the story's
    url: str  # the old URL, under the base path
    target: str  # the story's URL under the base path: the refresh and the plain link (any host, a preview too)
    target_abs: str  # and absolute: the canonical link
    alias_of: str  # the story's file, as messages name it (the output map blames it)
    line: int  # of its aliases: key


def alias_jobs(site: Site, lists: Lists) -> list[Job]:
    """A redirect page at each alias of each story: ``<meta http-equiv="refresh">`` to the story,
    its canonical link, a plain link, ``noindex``, in the story's language. Never in feeds or the
    sitemap. An alias is a site path: under a sub-path base_url it is below the base path, like
    every page (``/vi/x/`` is ``/digest/vi/x/``)."""
    config = site.config
    jobs = []
    for lang in config.languages:
        for story in site.stories[lang]:
            article = story.article
            for alias in article.aliases:
                page = AliasPage(
                    "alias",
                    article.title,
                    config.base_path + alias[1:],
                    story.teaser.url,
                    story.teaser.abs_url,
                    article.path,
                    article.aliases_line,
                )
                jobs.append(
                    Job(
                        out_path_of(alias),
                        (f"alias.{lang}.html", "alias.html"),
                        {"lang": lang, "site": lists.chromes[lang], "page": page},
                    )
                )
    return jobs


@dataclass(frozen=True)
class CorrectionEntry:
    """A correction on the corrections page, with the story it corrects."""

    date: datetime
    text: str
    story: str  # the story's title
    url: str


@dataclass(frozen=True)
class CorrectionsPage:
    """``/<lang>/corrections/``: the language's corrections, newest first."""

    kind: str  # corrections
    title: str
    url: str
    abs_url: str
    entries: tuple[CorrectionEntry, ...]
    alternates: tuple[Alternate, ...]
    x_default: str
    number: int = 1


def corrections_jobs(site: Site, lists: Lists) -> list[Job]:
    """``/<lang>/corrections/`` in every language (paired with the others), listing every
    correction of the language's stories, newest first, each linking to its story. It exists even
    while there is none: the footer of every page links it."""
    config = site.config
    urls = {lang: url_for(config, lang, "corrections") for lang in config.languages}
    alts, x_default = alternates_for(config, lists.names, urls)
    jobs = []
    for lang in config.languages:
        entries = sorted(
            (
                CorrectionEntry(c.date, c.text, s.teaser.title, s.teaser.url)
                for s in site.stories[lang]
                for c in s.article.corrections
            ),
            key=lambda e: (-e.date.timestamp(), e.url),
        )
        chrome = lists.chromes[lang]
        page = CorrectionsPage(
            "corrections",
            chrome.strings.get("corrections_title", "Corrections"),
            urls[lang],
            absolute(config, urls[lang]),
            tuple(entries),
            alts,
            x_default,
        )
        jobs.append(
            Job(
                page.url[len(config.base_path) :] + "index.html",
                (f"corrections.{lang}.html", "corrections.html"),
                {"lang": lang, "site": chrome, "page": page, "switch": _switch(chrome, alts)},
            )
        )
    return jobs


def newest_correction(site: Site, lang: str) -> datetime | None:
    """When the language's corrections page last changed: its newest correction."""
    return max((s.article.corrections[0].date for s in site.stories[lang] if s.article.corrections), default=None)
