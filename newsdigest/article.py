"""A story as read from its file: ``Article`` (and its body, kept compressed), a section's
``SectionIndex``, and what reading one file gives (``Loaded``)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .errors import BuildError
from .markdown import BodyImage, StoryLink
from .record import Correction


@dataclass(frozen=True)
class Source:
    name: str
    url: str = ""


@dataclass(frozen=True)
class Image:
    src: str
    alt: str = ""
    caption: str = ""
    credit: str = ""
    focus_x: float = 0.5  # where a card crop centres, as fractions of the width and height
    focus_y: float = 0.5
    line: int = 0  # the file's line of ``src`` (of ``image:`` when given as one text)


@dataclass(frozen=True)
class Article:
    """One story in one language, as read from its file."""

    path: str  # as shown in messages
    rel: str  # relative to content/, POSIX
    lang: str
    section: str
    key: str  # translation key
    slug: str
    title: str
    date: datetime  # aware
    updated: datetime | None
    summary: str  # for lists and feeds: cut at a word boundary
    body_z: bytes  # the body's HTML, zlib-compressed: a 5,000-story site holds and ships far less
    lede: str = ""  # the front matter's summary in full, set apart on the story's page
    tags: tuple[str, ...] = ()
    author: str = ""  # the byline as one text: the authors joined with ", "
    authors: tuple[str, ...] = ()  # each author's name, as ``author:`` or ``authors:`` gave them
    source: Source | None = None
    image: Image | None = None
    draft: bool = False
    views: int | None = None
    layout: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    story_links: tuple[StoryLink, ...] = ()
    images: tuple[BodyImage, ...] = ()  # the body's local pictures (see markdown.IMAGE_MARKER)
    bundle: str = ""  # the page bundle's folder under content/, when the story is one
    slug_given: bool = False  # set by ``slug:`` (else derived from the title)
    warnings: tuple[BuildError, ...] = ()
    revision: str = ""  # see translations.revision
    translated_from: str | None = None  # None: the file has no ``translated_from:``
    translated_line: int = 1  # the line of ``translated_from:``, else of ``title:`` (for the desk's warnings)
    aliases: tuple[str, ...] = ()  # old URLs, as site paths (record.alias_path): each redirects here
    corrections: tuple[Correction, ...] = ()  # newest first
    url_line: int = 1  # the line the story's URL comes from: ``slug:``, else ``title:``
    aliases_line: int = 1

    @property
    def body_html(self) -> str:
        return unpack(self.body_z)

    @property
    def modified(self) -> datetime:
        """When the story last changed for its readers: ``updated`` (else ``date``), or its newest
        correction when that is later."""
        changed = self.updated or self.date
        if self.corrections and self.corrections[0].date > changed:
            return self.corrections[0].date
        return changed


@dataclass(frozen=True)
class SectionIndex:
    """``content/<section>/_index.<lang>.md``: the section's name and intro in one language."""

    path: str
    section: str
    lang: str
    title: str
    body_html: str


Loaded = Article | SectionIndex | list[BuildError]  # what reading one file gives


def pack(html: str) -> bytes:
    return zlib.compress(html.encode("utf-8"), 1)


def unpack(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8") if data else ""
