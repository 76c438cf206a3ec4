"""Keys and fingerprints: the code's version, a story file's content key, the outline of a plan,
the digest of the templates and static files. What the memory compares; never mtimes, never ``hash()``."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, fields
from functools import lru_cache
from pathlib import Path
from typing import Any

from .content import Article, SectionIndex
from .feeds import NEWS_WINDOW
from .images import RASTER_SUFFIXES

PACKAGE = Path(__file__).resolve().parent
# Modules that only drive the build (the command line, the preview server) do not change its output.
NOT_OUTPUT = {"__init__.py", "cli.py", "serve.py", "watch.py", "preview_http.py", "scaffold.py", "lock.py", "workers.py"}
# A revision follows from the body (and the title and summary, which are in the outline already):
# which translations it makes stale is digested into the outline instead (translations.review).
_OUTLINE_FIELDS = tuple(f.name for f in fields(Article) if f.name not in ("body_z", "revision"))


def digest(*parts: bytes | str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of the source that shapes the output: new code invalidates cached stories and pages."""
    h = hashlib.blake2b(digest_size=16)
    for path in sorted(p for p in PACKAGE.glob("*.py") if p.name not in NOT_OUTPUT):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def content_key(config_key: str, rel: str, data: bytes) -> str:
    """A story file's key: its bytes, its path and the settings and code that read it."""
    return digest(config_key, rel, data)


@dataclass(frozen=True)
class KnownOutline:
    """One story's part of the outline (its fields but the body, digested) and its time, kept with
    the very object it was made from so that its ``id`` cannot be reused meanwhile."""

    article: Article
    part: bytes
    when: float


def outline(
    parts: tuple[Any, ...],
    articles: list[Article],
    indexes: list[SectionIndex],
    state_of: Callable[[float, bool], str],
    known: dict[int, KnownOutline],
) -> tuple[str, dict[int, KnownOutline]]:
    """A digest of the model's inputs without the stories' bodies (``parts``: settings, strings,
    templates, code; ``state_of``: what the build's moment makes of a story, from its time and draft
    flag); and each story's part of it, by ``id``, for the next build: a story ``known`` from the last
    (the same object) is not digested again."""
    h = hashlib.blake2b(repr(parts).encode(), digest_size=20)
    outlines: dict[int, KnownOutline] = {}
    for article in articles:
        seen = known.get(id(article))
        if seen is None or seen.article is not article:
            fields_repr = repr(tuple(getattr(article, name) for name in _OUTLINE_FIELDS))
            part = hashlib.blake2b(fields_repr.encode("utf-8", "surrogatepass"), digest_size=16).digest()
            seen = KnownOutline(article, part, article.date.timestamp())
        outlines[id(article)] = seen
        h.update(seen.part + state_of(seen.when, article.draft).encode())
    for index in indexes:
        h.update(repr(index).encode("utf-8", "surrogatepass"))
    return h.hexdigest(), outlines


def files_digest(version: str, static: dict[str, str], content_files: list[str], content: Path) -> str:
    """Templates and UI strings by their bytes (the layouts' ``version``: layouts/static/ too); static
    and page-bundle files by name (their bytes are compared when they are copied), and pictures also
    by size and time: the photo stage publishes them rewritten, so no copy compares them."""
    h = hashlib.blake2b(version.encode(), digest_size=20)
    for rel, source in static.items():
        h.update(f"{rel}\0{source}\0{_picture_stat(Path(source))}\n".encode())
    h.update("\n".join(content_files).encode())
    for rel in content_files:
        if rel.lower().endswith(RASTER_SUFFIXES):
            h.update(f"{rel}\0{_picture_stat(content / rel)}\n".encode())
    return h.hexdigest()


def _picture_stat(path: Path) -> str:
    if not str(path).lower().endswith(RASTER_SUFFIXES):
        return ""
    try:
        stat = path.stat()
    except OSError:
        return "gone"
    return f"{stat.st_size}:{stat.st_mtime_ns}"


def moment_state(when: float, draft: bool, options: Any, moment: float) -> str:
    """What the build's moment makes of a story: hidden, scheduled, news (the last 48 hours) or old."""
    if (draft and not options.drafts) or (when > moment and not options.future):
        return "hidden"
    return "scheduled" if when > moment else "news" if when >= moment - NEWS_WINDOW.total_seconds() else "old"
