"""Loading the story files: each one known to the memory or parsed (through the workers when there
are many), sorted into what the build publishes, with the pictures they show and their outline."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import photos, sitefiles
from .cache import CACHE_DIR, Cache
from .config import Config
from .content import MAX_STORY_BYTES, Article, Loaded, SectionIndex, load, too_large
from .errors import BuildError, Failure, Unreadable, shown_path
from .folders import Progress
from .memory import Memory
from .options import LeftOut, Options, left_out
from .scanning import Scan
from .sitefiles import Fence
from .translations import review
from .workers import Workers

LOAD_CHUNK = 32
PARALLEL_LOADS = 64  # fewer stories to parse than this: a process pool costs more than it saves
IN_FLIGHT = 8  # chunks submitted ahead of the one being collected


@dataclass(frozen=True)
class Stories:
    """What the story files say, before the model: the stories this build publishes and the section
    index files, every error and warning so far (the scan's too), the stories left out, the files
    parsed this time, the pictures the stories show, and the outline of it all (keys.outline; ""
    when there are errors)."""

    articles: list[Article]
    indexes: list[SectionIndex]
    errors: list[BuildError]
    warnings: list[BuildError]
    left_out: LeftOut
    parsed: list[str]
    photos: photos.Photos
    outline: str


def read_stories(
    options: Options, scanned: Scan, memory: Memory, workers: Workers | None = None, progress: Progress | None = None
) -> Stories:
    """Every story file loaded (the memory's, else parsed) and sorted, and the pictures it shows found."""
    config = scanned.config
    found, parsed = _loaded(options, scanned, memory, workers, progress)
    stories = _sorted(found, scanned, options)
    errors = scanned.errors + stories.errors
    stale, desk_warnings = review(stories.articles, config.languages)
    warnings = stories.warnings + desk_warnings
    found_photos = photos.gather(
        stories.articles,
        config,
        options.site_dir / "content",
        dict(scanned.static),
        set(scanned.others),
        images_root(options),
        shown_path(options.site_dir / "site.yaml"),
        scanned.fence,
    )
    errors += found_photos.errors
    warnings += found_photos.warnings
    outline = memory.outline(options, scanned, stories.articles, stories.indexes, stale) if not errors else ""
    return Stories(stories.articles, stories.indexes, errors, warnings, stories.left_out, parsed, found_photos, outline)


def images_root(options: Options) -> Path:
    """Where the photo stage keeps the pictures' copies between builds."""
    return options.site_dir / CACHE_DIR / "images"


def _loaded(
    options: Options, scanned: Scan, memory: Memory, workers: Workers | None, progress: Progress | None
) -> tuple[dict[str, Loaded], list[str]]:
    """Every story file by its content key: known to the memory, else parsed (through the workers
    when there are many), and the files that were parsed. The memory is told what was parsed, and
    which stories the site still has."""
    keys, content_dir = scanned.keys, options.site_dir / "content"
    shown = shown_path(content_dir)  # resolved once, not once per file
    found = memory.stories(keys, shown)
    misses = [(rel, f"{shown}/{rel}") for rel in keys if keys[rel] not in found]
    # A few files (a save's one) are parsed here, sooner than a round trip to a worker.
    executor = workers.executor() if workers is not None and len(misses) >= PARALLEL_LOADS else None
    fresh: list[tuple[str, Loaded]] = []
    loads = _load_all(content_dir, misses, scanned.config, executor, progress, scanned.fence)
    for (rel, _), loaded in zip(misses, loads, strict=True):
        if not isinstance(loaded, Unreadable):  # not what its bytes give, but what reading them met
            fresh.append((keys[rel], loaded))
        found[keys[rel]] = loaded
        if len(fresh) >= 500:  # told as it comes, so the encoded text never piles up
            memory.learn(fresh)
            fresh = []
    memory.learn(fresh)
    memory.read_done(found, set(keys.values()), bool(misses))
    return found, sorted(rel for rel, _ in misses)


@dataclass(frozen=True)
class Sorted:
    """The files read, sorted: the stories this build publishes, the section index files, the
    files' errors and warnings, and the stories its moment and options leave out."""

    articles: list[Article]
    indexes: list[SectionIndex]
    errors: list[BuildError]
    warnings: list[BuildError]
    left_out: LeftOut


def _sorted(found: dict[str, Loaded], scanned: Scan, options: Options) -> Sorted:
    """Sort what each story file gave, in the files' order."""
    articles: list[Article] = []
    indexes: list[SectionIndex] = []
    errors: list[BuildError] = []
    warnings: list[BuildError] = []
    hidden: list[tuple[datetime, bool]] = []
    now = scanned.now
    for key in scanned.keys.values():
        loaded = found[key]
        if isinstance(loaded, list):
            errors += loaded
        elif isinstance(loaded, SectionIndex):
            indexes.append(loaded)
        else:
            warnings += loaded.warnings
            if (loaded.draft and not options.drafts) or (loaded.date > now and not options.future):
                hidden.append((loaded.date, loaded.draft))
                continue
            articles.append(loaded)
    return Sorted(articles, indexes, errors, warnings, left_out(hidden, options, now, scanned.config.tz()))


def parse_files(
    options: Options, scanned: Scan, rels: list[str], cache: Cache | None, pool: Callable[[], Executor | None] | None = None
) -> Iterator[tuple[str, Loaded]]:
    """Parse the given story files as ``read`` does (through a pool when there are many) and keep
    them in the cache: for readers of the site that need no model (the translation desk's report)."""
    content_dir = options.site_dir / "content"
    shown = shown_path(content_dir)
    items = [(rel, f"{shown}/{rel}") for rel in rels]
    executor = pool() if pool is not None and len(items) >= PARALLEL_LOADS else None
    fresh: list[tuple[str, Loaded]] = []
    for rel, loaded in zip(rels, _load_all(content_dir, items, scanned.config, executor, None, scanned.fence), strict=True):
        fresh.append((scanned.keys[rel], loaded))
        if cache and len(fresh) >= 500:
            cache.put_articles(fresh)
            fresh = []
        yield rel, loaded
    if cache:
        cache.put_articles(fresh)


def _load_chunk(content_dir: Path, items: list[tuple[str, str]], config: Config, fence: Fence) -> list[Loaded]:
    return [_load_file(content_dir, rel, shown, config, fence) for rel, shown in items]


def _load_file(content_dir: Path, rel: str, shown: str, config: Config, fence: Fence) -> Loaded:
    try:
        raw = sitefiles.read_bytes(f"{content_dir}/{rel}", fence, MAX_STORY_BYTES)
    except FileNotFoundError:
        return Unreadable([BuildError(shown, 1, "the file disappeared while the site was being read")])
    except sitefiles.TooLarge as exc:  # grown past the limit since it was listed
        return Unreadable([too_large(shown, exc.size)])
    except sitefiles.NotASiteFile as exc:  # swapped for a FIFO or a link since it was listed; unreadable
        return Unreadable([BuildError(shown, 1, str(exc))])
    try:
        return load(raw, rel, shown, config)
    except Exception as exc:  # a bug, named by the story that met it (the command line prints one line)
        raise Failure(shown, f"unexpected {type(exc).__name__} while reading it: {exc}") from exc


def _load_all(
    content_dir: Path,
    items: list[tuple[str, str]],
    config: Config,
    executor: Executor | None,
    progress: Progress | None,
    fence: Fence,
) -> Iterator[Loaded]:
    """Parse files in order; through the executor a few chunks at a time, so neither the files'
    bytes nor the parsed stories queue up in memory."""
    if executor is None:
        for done, (rel, shown) in enumerate(items, 1):
            yield _load_file(content_dir, rel, shown, config, fence)
            if progress and done % 200 == 0:
                progress("read", done, len(items))
        return
    chunks = [items[i : i + LOAD_CHUNK] for i in range(0, len(items), LOAD_CHUNK)]
    pending: deque[Future[list[Loaded]]] = deque()
    done = 0
    for chunk in chunks:
        pending.append(executor.submit(_load_chunk, content_dir, chunk, config, fence))
        if len(pending) >= IN_FLIGHT:
            loaded = pending.popleft().result()
            done += len(loaded)
            if progress:
                progress("read", done, len(items))
            yield from loaded
    while pending:
        loaded = pending.popleft().result()
        done += len(loaded)
        if progress:
            progress("read", done, len(items))
        yield from loaded
