"""What a build is asked to do (``Options``) and what it answers (``Result``, with ``LeftOut``)."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from . import search
from .errors import BuildError
from .output import WriteResult
from .site import Site


@dataclass(frozen=True)
class Options:
    site_dir: Path
    output_dir: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    jobs: int = 1
    now: datetime | None = None  # the build's moment; default SOURCE_DATE_EPOCH or the clock
    cache: bool = True
    strict: bool = False  # every warning is an error
    search_index: bool = True  # False: keep the last search index as it is (see search.index), for the preview

    @property
    def out(self) -> Path:
        return self.output_dir or self.site_dir / "output"


def build_moment() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


@dataclass(frozen=True)
class LeftOut:
    """The stories this build's moment and options kept out: drafts (``--drafts`` lets them in) and
    scheduled stories (``--future``), with the time, in the site's zone, the first of those is due."""

    drafts: int = 0
    scheduled: int = 0
    first_due: datetime | None = None


def left_out(facts: Iterable[tuple[datetime, bool]], options: Options, now: datetime, zone: tzinfo) -> LeftOut:
    """Count the stories ``(date, draft)`` the build leaves out; a draft that is also scheduled is
    counted once, as a draft (``--drafts`` is the first thing it needs)."""
    drafts, due = 0, []
    for when, draft in facts:
        if draft and not options.drafts:
            drafts += 1
        elif when > now and not options.future:
            due.append(when)
    return LeftOut(drafts, len(due), min(due).astimezone(zone) if due else None)


@dataclass
class Result:
    """What a build did, as data a test can read."""

    site: Site | None  # None when nothing changed and the model was not needed
    stories: dict[str, int] = field(default_factory=dict)  # per language
    pages: int = 0
    feeds: int = 0
    rendered: list[str] = field(default_factory=list)  # jobs rendered this time
    reused: list[str] = field(default_factory=list)  # jobs whose key and file were unchanged
    parsed: list[str] = field(default_factory=list)  # content files parsed (not from the cache)
    write: WriteResult | None = None
    warnings: list[BuildError] = field(default_factory=list)
    images_made: list[str] = field(default_factory=list)  # pictures decoded and copied this time
    seconds: float = 0.0
    left_out: LeftOut = LeftOut()
    indexed: bool = False  # Pagefind ran: a searchable page changed (see search.py)
    index_files: tuple[tuple[str, str], ...] = ()  # the search index's files: (kept copy, output path)
    index_later: search.Later | None = None  # story pages changed; the index is to be made after (search_index)
