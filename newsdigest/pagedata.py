"""The plain data the model hands on: stories, teasers, links, list and story pages, the chrome of
a language's pages, the jobs and assets a plan is made of, and the ``Site`` itself."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .config import Config, Publisher
from .content import Article
from .photos import Picture


@dataclass(frozen=True)
class Alternate:
    """A page's version in one language: for ``hreflang`` links and the language switch."""

    lang: str
    name: str  # the language's own name, e.g. "Tiếng Việt"
    url: str  # root-relative, under the base path
    abs_url: str


@dataclass(frozen=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True)
class Teaser:
    """A story as lists, sidebars and feeds show it."""

    title: str
    url: str
    abs_url: str
    date: datetime
    updated: datetime | None
    summary: str
    lang: str
    section: Link
    image_url: str = ""
    image_abs_url: str = ""
    image_alt: str = ""
    picture: Picture | None = None  # the lead picture's size and copies, when it is one of the site's rasters
    views: int | None = None
    author: str = ""
    tags: tuple[Link, ...] = ()
    draft: bool = False
    authors: tuple[Link, ...] = ()  # each byline and its author page
    scheduled: bool = False
    foreign: str = ""  # listed in another language's lists (untranslated: list): its own language's name


@dataclass(frozen=True)
class TranslationNotice:
    """What a stale translation's page says: its original changed after it was translated."""

    url: str  # the original's page
    lang: str  # the original's language
    name: str  # that language's own name
    changed: datetime  # the original's updated, else date


@dataclass(frozen=True)
class Story:
    """An article placed in the site: its URLs, section, tags, neighbours and translations."""

    article: Article
    teaser: Teaser
    out_path: str
    section: Link
    tags: tuple[Link, ...]
    alternates: tuple[Alternate, ...] = ()
    x_default: str = ""
    original_lang: str = ""  # the language of the story's original (its own, when it is the original)
    notice: TranslationNotice | None = None  # a translation older than its original


@dataclass(frozen=True)
class Chrome:
    """What every page of one language shows around its content."""

    lang: str
    default_lang: str
    site_title: str
    description: str
    base_path: str
    base_url: str
    home_url: str
    feed_url: str
    sections: tuple[Link, ...]
    languages: tuple[Alternate, ...]
    latest: tuple[Teaser, ...]
    most_read: tuple[Teaser, ...]
    publisher: Publisher
    strings: dict[str, str]
    timezone: str
    params: dict[str, Any] = field(default_factory=dict)
    json_feed_url: str = ""
    logo_url: str = ""  # the publisher's logo, absolute (for feeds and structured data)
    tags_url: str = ""  # the browsing pages: the tag index, the authors, the archive by month
    authors_url: str = ""
    archive_url: str = ""
    corrections_url: str = ""  # the language's corrections page (record_pages.corrections_jobs)
    share: Picture | None = None  # the site's share picture (site.yaml image:), for og:image
    search_url: str = ""  # the language's search page; empty when site.yaml says ``search: false``
    fingerprint: str = ""  # a digest of all of the above: fragments rendered once per language are keyed by it


@dataclass(frozen=True)
class SectionBlock:
    """A section's newest stories, as the first home page shows them."""

    section: Link
    items: tuple[Teaser, ...]


@dataclass(frozen=True)
class PageNumber:
    """One item of a list's numbered pagination: a page (``current`` for the one shown) or a gap."""

    number: int  # 0 for a gap (…)
    url: str = ""
    current: bool = False


@dataclass(frozen=True)
class ListPage:
    kind: str  # home | section | tag | author | month
    title: str
    url: str
    abs_url: str
    items: tuple[Teaser, ...]
    number: int
    count: int
    prev_url: str
    next_url: str
    feed_url: str
    alternates: tuple[Alternate, ...]
    x_default: str
    intro_html: str = ""
    blocks: tuple[SectionBlock, ...] = ()  # the first home page's per-section blocks
    json_feed_url: str = ""
    numbers: tuple[PageNumber, ...] = ()  # 1 2 3 … 12


@dataclass(frozen=True)
class StoryPage:
    """Everything the article template needs about one story."""

    story: Article
    teaser: Teaser
    url: str
    abs_url: str
    section: Link
    tags: tuple[Link, ...]
    alternates: tuple[Alternate, ...]
    x_default: str
    prev: Teaser | None
    next: Teaser | None
    more_in_section: tuple[Teaser, ...]
    image_url: str
    original_lang: str = ""
    notice: TranslationNotice | None = None


@dataclass(frozen=True)
class Job:
    """One file to render: a template (first existing name wins) and plain, picklable data."""

    out_path: str
    templates: tuple[str, ...]
    context: dict[str, Any]


@dataclass(frozen=True)
class Asset:
    """A file copied as is: a page bundle's image, or one of ``static/``."""

    source: str  # absolute path on disk
    out_path: str


@dataclass(frozen=True)
class Lists:
    """What ``plan`` has gathered per language, handed on to the feeds and sitemaps."""

    chromes: dict[str, Chrome]
    names: dict[str, str]  # language code -> the language's own name
    homes: dict[str, str]  # language code -> home URL
    sections: dict[tuple[str, str], tuple[Teaser, ...]]  # (lang, section folder) -> newest first
    tags: dict[tuple[str, str], tuple[Teaser, ...]]  # (lang, tag URL) -> newest first
    authors: dict[tuple[str, str], tuple[Teaser, ...]] = field(default_factory=dict)  # (lang, author URL) -> newest first
    months: dict[tuple[str, str], tuple[Teaser, ...]] = field(default_factory=dict)  # (lang, month URL) -> newest first
    # What a language's home and section pages list: its stories, and with ``untranslated: list`` the
    # other languages' stories that have no version in it (lists.untranslated_lists).
    home_items: dict[str, tuple[Teaser, ...]] = field(default_factory=dict)
    section_items: dict[tuple[str, str], tuple[Teaser, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Site:
    config: Config
    stories: dict[str, tuple[Story, ...]]  # per language, newest first
    sections: tuple[str, ...]
    section_names: dict[tuple[str, str], str]  # (section, lang) -> name
    section_intros: dict[tuple[str, str], str]
    strings: dict[str, dict[str, str]]
    share: Picture | None = None  # site.yaml's image: the share picture of pages without one

    def story_count(self) -> dict[str, int]:
        return {lang: len(stories) for lang, stories in self.stories.items()}
