"""The build, top to bottom: read → model → plan → render → write. ``check`` stops before render.

Reading and rendering are memoised in ``.newsdigest-cache/`` under the site folder (see cache.py) and
run through a process pool when there is enough work; the output bytes are the same either way.
"""

from __future__ import annotations

import hashlib
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from . import history, lock, output, photos, search, sitefiles, workers
from .cache import CACHE_DIR, Cache, OutputRecord, RememberedPlan, digest, records_digest
from .config import Config, load_config
from .content import MAX_STORY_BYTES, Article, Loaded, SectionIndex, discover, load, too_large
from .errors import BuildError, ContentErrors, Failure, UsageError
from .feeds import NEWS_WINDOW, crawler_jobs, feed_jobs
from .images import RASTER_SUFFIXES
from .lists import gather
from .memo import Memo, PlanMemo, body_refs, skeleton, with_new_bodies
from .outmap import OutputMap, map_outputs
from .pages import browse_jobs, page_jobs
from .record import moved_urls, section_warnings, story_paths
from .record_pages import alias_jobs, corrections_jobs
from .render import Outcome, Task, TemplateKeys, code_version, render_all
from .search import search_jobs
from .site import Asset, Job, Site, model
from .sitefiles import Fence
from .templates import Layouts, layout_dirs, layout_files, layouts_of, load_strings
from .translations import review
from .urls import base_url_problem
from .workers import Workers

Progress = Callable[[str, int, int], None]  # (stage, done, total)
LOAD_CHUNK = 32
PARALLEL_LOADS = 64  # fewer stories to parse than this: a process pool costs more than it saves
PARALLEL_RENDERS = 200
IN_FLIGHT = 8  # chunks submitted ahead of the one being collected
SETTLED_NS = 2_000_000_000  # a file's stat is trusted by the preview's memo once it is this old


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


@dataclass(frozen=True)
class LeftOut:
    """The stories this build's moment and options kept out: drafts (``--drafts`` lets them in) and
    scheduled stories (``--future``), with the time, in the site's zone, the first of those is due."""

    drafts: int = 0
    scheduled: int = 0
    first_due: datetime | None = None


def left_out(
    facts: Iterator[tuple[datetime, bool]] | list[tuple[datetime, bool]], options: Options, now: datetime, zone: tzinfo
) -> LeftOut:
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
    write: output.WriteResult | None = None
    warnings: list[BuildError] = field(default_factory=list)
    images_made: list[str] = field(default_factory=list)  # pictures decoded and copied this time
    seconds: float = 0.0
    left_out: LeftOut = LeftOut()
    indexed: bool = False  # Pagefind ran: a searchable page changed (see search.py)
    index_files: tuple[tuple[str, str], ...] = ()  # the search index's files: (kept copy, output path)
    index_later: search.Later | None = None  # story pages changed; the index is to be made after (search_index)


@dataclass
class Plan:
    """Everything before rendering."""

    site: Site
    jobs: list[Job]
    assets: list[Asset]
    errors: list[BuildError]
    warnings: list[BuildError]
    parsed: list[str]
    outline: str = ""  # the digest of the plan's inputs but the stories' bodies (see memo.skeleton)
    photos: photos.Photos | None = None
    left_out: LeftOut = LeftOut()
    # Stories whose URL is not the one the last build into this output gave them (record.moved_urls):
    # apart from ``warnings``, which the next build may repeat, since these are about this build only.
    moved: list[BuildError] = field(default_factory=list)


def build_moment() -> datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def _shown(path: Path) -> str:
    """A path as messages show it: relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def _shown_source(source: str) -> str:
    return _shown(Path(source))


def _check_site_dir(options: Options) -> None:
    content = options.site_dir / "content"
    if not content.is_dir():
        raise UsageError(f"{_shown(options.site_dir)}: not a site folder (it has no content/ folder)")
    out = options.out.resolve()
    site = options.site_dir.resolve()
    if out == site or out in site.parents:
        raise UsageError(f"--output {_shown(options.out)} would replace the site itself")
    for protected in (site / "content", site / "layouts", site / "static", site / CACHE_DIR):
        if out.is_relative_to(protected):
            raise UsageError(f"--output {_shown(options.out)} is inside {_shown(protected)}")


def _check_output_dir(options: Options) -> None:
    """A build makes its output folder exactly the site, deleting whatever else is there: refuse a
    folder that holds files but no earlier build (``--output ~/Documents`` must not empty it), and
    an output that is a file, or lies under one."""
    out = options.out
    above = out
    while not above.is_dir() and above.parent != above:
        if above.exists() or above.is_symlink():
            what = "is a file" if above == out else f"is inside {_shown(above)}, which is a file"
            raise UsageError(f"--output {_shown(out)} {what}, not a folder")
        above = above.parent
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not any((out / name).exists() for name in ("sitemap.xml", "404.html", output.STAGING)):
        raise UsageError(f"--output {_shown(out)} holds files that are not a build of a site; choose an empty or new folder")


class Unreadable(list[BuildError]):
    """The errors of a file that could not be read (it vanished, or became a FIFO, since it was listed):
    what this moment met, not what the file's bytes say, so never remembered under their key."""


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


@dataclass
class Scan:
    """The site's inputs, read and hashed, before any story is parsed."""

    config: Config
    layouts: Layouts
    strings: dict[str, dict[str, str]]
    errors: list[BuildError]
    keys: dict[str, str]  # content/ path -> the key of its bytes, path, config and code
    now: datetime
    files: str  # a digest of the templates, and of the static and page-bundle files' names
    fence: Fence = field(default_factory=lambda: Fence(()))  # where the site's files may be (sitefiles.py)
    static: tuple[tuple[str, str], ...] = ()  # output path -> source, theme's and site's static files
    others: tuple[str, ...] = ()  # content/ files that are not stories (page bundles' pictures)


def scan(options: Options, memo: Memo | None = None) -> Scan:
    """Settings, UI strings, every site file listed, and a content key per story file (a digest of
    what ``load`` reads). Only the site's own files are read (see sitefiles.py)."""
    _check_site_dir(options)
    site_dir = options.site_dir
    if options.base_url is not None and base_url_problem(options.base_url):
        raise UsageError(f"--base-url {base_url_problem(options.base_url)}")
    dirs = layout_dirs(site_dir)
    fence = Fence.of(site_dir, options.out, *map(Path, dirs))
    config, errors = _read_config(site_dir, fence)
    if options.base_url:
        config = replace(config, base_url=options.base_url if options.base_url.endswith("/") else options.base_url + "/")
    listed, layout_errors = layout_files(dirs)
    layouts = layouts_of(site_dir, listed)
    strings, string_errors = load_strings(layouts.dirs, config.languages)
    static, static_errors = _static_files(site_dir, listed, fence)
    content_dir = site_dir / "content"
    config_key = digest(code_version(), config.load_key())
    changed: set[str] | None = None
    if memo is not None and memo.files is not None and memo.changed is not None:
        changed = memo.changed
        stories, others = _with_changes(memo.files, changed, content_dir)
        walk_errors: list[BuildError] = []
    else:
        stories, others, walk_errors = discover(content_dir, _shown(content_dir), fence)
    if memo is not None:
        memo.changed = None  # told for this build only: a retry or the next build looks at everything
    keys, stats, read_errors = _content_keys(content_dir, stories, config_key, fence, memo, changed)
    if memo is not None:  # a listing that found problems is not reused: the next build lists again
        memo.stats, memo.files = stats, (stories, others) if not walk_errors else None
    errors += layout_errors + string_errors + static_errors + walk_errors + read_errors
    return Scan(
        config,
        layouts,
        strings,
        errors,
        keys,
        options.now or build_moment(),
        _files_digest(layouts, static, others, content_dir),
        fence,
        tuple(static.items()),
        tuple(others),
    )


def _read_config(site_dir: Path, fence: Fence) -> tuple[Config, list[BuildError]]:
    """``site.yaml``, unless it is no site file (a FIFO, a link out of the site): then an error."""
    shown = _shown(site_dir / "site.yaml")
    problem = sitefiles.check(site_dir / "site.yaml", fence)
    if problem:
        return Config(), [BuildError(shown, 1, problem)]
    return load_config(site_dir, shown)


def _static_files(site_dir: Path, listed: dict[str, list[str]], fence: Fence) -> tuple[dict[str, str], list[BuildError]]:
    """Output path -> source of every static file: the theme's (``layouts/static/``, the project's
    under the site's), then the site's own ``static/`` over them — the one deliberate overriding
    in the output (see docs/trust-files.md)."""
    static: dict[str, str] = {}
    for directory in reversed(tuple(listed)):
        for rel in listed[directory]:
            if rel.startswith("static/"):
                static[rel[len("static/") :]] = os.path.join(directory, rel)
    folder = site_dir / "static"
    files, errors = sitefiles.walk(folder, _shown(folder), fence)
    for rel in files:
        static[rel] = os.path.join(folder, rel)
    return dict(sorted(static.items())), errors


def _content_keys(
    content_dir: Path, stories: list[str], config_key: str, fence: Fence, memo: Memo | None, changed: set[str] | None
) -> tuple[dict[str, str], dict[str, tuple[int, int, str, str]], list[BuildError]]:
    """Each story file's content key, the stats the preview's memo may trust next time, and an error
    for each file that is no site file or cannot be read."""
    keys: dict[str, str] = {}
    stats: dict[str, tuple[int, int, str, str]] = {}
    errors: list[BuildError] = []
    started = time.time_ns()
    for rel in stories:
        try:
            if memo is not None:
                known = memo.stats.get(rel)
                if changed is not None and rel not in changed and known and known[2] == config_key:
                    keys[rel], stats[rel] = known[3], known
                    continue
                stat = os.stat(f"{content_dir}/{rel}")
                if known and known[:3] == (stat.st_size, stat.st_mtime_ns, config_key):
                    keys[rel] = known[3]
                    stats[rel] = known
                    continue
            keys[rel] = digest(config_key, rel, sitefiles.read_bytes(f"{content_dir}/{rel}", fence, MAX_STORY_BYTES))
            # A file changed within the last seconds may change again within one tick of the clock
            # that stamps it (same size, same time): trust its stat only once it has settled.
            if memo is not None and stat.st_mtime_ns < started - SETTLED_NS:
                stats[rel] = (stat.st_size, stat.st_mtime_ns, config_key, keys[rel])
        except FileNotFoundError:  # deleted since we listed it (an editor's rename-on-save)
            problem = sitefiles.check(content_dir / rel, fence)  # or a link to nothing
            if problem:
                errors.append(BuildError(f"{_shown(content_dir)}/{rel}", 1, problem))
        except sitefiles.TooLarge as exc:  # never read whole: the same error as load's
            errors.append(too_large(f"{_shown(content_dir)}/{rel}", exc.size))
        except sitefiles.NotASiteFile as exc:
            errors.append(BuildError(f"{_shown(content_dir)}/{rel}", 1, str(exc)))
        except OSError as exc:  # permission denied, an I/O error, os.stat of a link loop: the file is named
            errors.append(BuildError(f"{_shown(content_dir)}/{rel}", 1, f"cannot be read: {exc.strerror or exc}"))
    return keys, stats, errors


def _with_changes(files: tuple[list[str], list[str]], changed: set[str], content_dir: Path) -> tuple[list[str], list[str]]:
    """``discover``'s answer from the last build's and the story files known to have changed since
    (whatever each now is: reading it says if it is no site file)."""
    stories = set(files[0])
    for rel in changed:
        path = content_dir / rel
        if os.path.lexists(path) and not path.is_dir() and not any(part.startswith(".") for part in rel.split("/")):
            stories.add(rel)
        else:
            stories.discard(rel)
    return sorted(stories), files[1]


def _loaded(
    options: Options, scanned: Scan, cache: Cache | None, workers: Workers | None, progress: Progress | None, memo: Memo | None
) -> tuple[dict[str, Loaded], list[str]]:
    """Every story file by its content key: from the preview's memo, else the cache, else parsed
    (through the workers when there are many), and the files that were parsed. What was parsed
    goes into the cache, and what no file holds any more out of it."""
    keys, content_dir = scanned.keys, options.site_dir / "content"
    found: dict[str, Loaded] = {}
    if memo is not None:
        found = {key: memo.loaded[key] for key in keys.values() if key in memo.loaded}
    shown = _shown(content_dir)  # resolved once, not once per file
    if cache:  # a row is only taken for the file it was read from, shown as this build shows it
        found.update(cache.articles({key: f"{shown}/{rel}" for rel, key in keys.items() if key not in found}))
    misses = [(rel, f"{shown}/{rel}") for rel in keys if keys[rel] not in found]
    # A few files (a save's one) are parsed here, sooner than a round trip to a worker.
    executor = workers.executor() if workers is not None and len(misses) >= PARALLEL_LOADS else None
    fresh: list[tuple[str, Loaded]] = []
    loads = _load_all(content_dir, misses, scanned.config, executor, progress, scanned.fence)
    for (rel, _), loaded in zip(misses, loads, strict=True):
        if not isinstance(loaded, Unreadable):  # not what its bytes give, but what reading them met
            fresh.append((keys[rel], loaded))
        found[keys[rel]] = loaded
        if cache and len(fresh) >= 500:  # stored as it comes, so the encoded text never piles up
            cache.put_articles(fresh)
            fresh = []
    current = set(keys.values())
    if cache:
        cache.put_articles(fresh)
        if misses and memo is not None and memo.loaded:  # the versions this process saw replaced
            cache.forget_articles(memo.loaded.keys() - current)
        elif misses:
            cache.prune_articles(current)

    if memo is not None:
        memo.loaded = {key: found[key] for key in current if not isinstance(found[key], Unreadable)}
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


def read(
    options: Options,
    cache: Cache | None = None,
    workers: Workers | None = None,
    progress: Progress | None = None,
    scanned: Scan | None = None,
    memo: Memo | None = None,
) -> Plan:
    """Read, validate and model every file, and plan every output. Stories whose bytes, path and
    config are unchanged come from the cache instead of being parsed again."""
    scanned = scanned or scan(options, memo)
    config, now = scanned.config, scanned.now
    content_dir = options.site_dir / "content"
    found, parsed = _loaded(options, scanned, cache, workers, progress, memo)
    stories = _sorted(found, scanned, options)
    articles, indexes, left = stories.articles, stories.indexes, stories.left_out
    errors = scanned.errors + stories.errors
    warnings = list(stories.warnings)
    stale, desk_warnings = review(articles, config.languages)
    warnings += desk_warnings
    images_root = options.site_dir / CACHE_DIR / "images"
    found_photos = photos.gather(
        articles,
        config,
        content_dir,
        dict(scanned.static),
        set(scanned.others),
        images_root,
        _shown(options.site_dir / "site.yaml"),
        scanned.fence,
    )
    errors += found_photos.errors
    warnings += found_photos.warnings
    reported = len(found_photos.errors)  # the originals' (read with the assets, below) come after
    outline = _outline(options, scanned, memo, articles, indexes, stale) if not errors else ""
    if memo is not None and memo.plan is not None and outline and memo.plan.skeleton == outline:
        kept = memo.plan  # only stories' bodies changed: the last plan, with the new bodies put in
        jobs, touched = with_new_bodies(kept, articles, config.languages, found_photos.pictures)
        memo.plan = replace(
            kept, jobs=jobs, articles={a.rel: a for a in articles}, keys={p: k for p, k in kept.keys.items() if p not in touched}
        )
        assets = photos.take_originals(found_photos, images_root, kept.assets, _shown_source)
        return Plan(
            kept.site,
            jobs,
            assets,
            errors + found_photos.errors[reported:],
            warnings + section_warnings(kept.site),
            parsed,
            outline,
            found_photos,
            left,
            moved=_moved(options, cache, kept.site),
        )
    site, model_errors = model(articles, indexes, config, scanned.strings, now=now, pictures=found_photos.pictures)
    errors += model_errors
    if cache and not errors:  # the text a translation was made from, for the desk's "what changed"
        history.remember(*history.revision_pairs(_published(site), config.languages), cache, content_dir, scanned.fence)
    jobs = plan(site, now) if not errors else []
    every_asset = _assets(site, scanned, content_dir) if not errors else []
    assets = photos.take_originals(found_photos, images_root, every_asset, _shown_source)
    errors += found_photos.errors[reported:]
    if not errors:  # every file the build will write, in one map: clashes are errors before any is written
        errors += _output_map(site, jobs, every_asset, options, found_photos).errors
    if memo is not None and outline and not errors:
        memo.plan = PlanMemo(outline, site, jobs, every_asset, {a.rel: a for a in articles}, body_refs(site, jobs))
    elif memo is not None:
        memo.plan = None
    if not errors:
        warnings += section_warnings(site)
    return Plan(
        site,
        jobs,
        assets,
        errors,
        warnings,
        parsed,
        outline,
        found_photos,
        left,
        moved=_moved(options, cache, site) if not errors else [],
    )


def _moved(options: Options, cache: Cache | None, site: Site) -> list[BuildError]:
    """Warnings for the stories whose URL moved since the last build into this output folder."""
    return moved_urls(site, cache.story_urls(str(options.out.resolve()))) if cache else []


def _published(site: Site) -> list[Article]:
    return [story.article for stories in site.stories.values() for story in stories]


def parse_files(
    options: Options, scanned: Scan, rels: list[str], cache: Cache | None, pool: Callable[[], Executor | None] | None = None
) -> Iterator[tuple[str, Loaded]]:
    """Parse the given story files as ``read`` does (through a pool when there are many) and keep
    them in the cache: for readers of the site that need no model (the translation desk's report)."""
    content_dir = options.site_dir / "content"
    shown = _shown(content_dir)
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


def _outline(
    options: Options, scanned: Scan, memo: Memo | None, articles: list[Article], indexes: list[SectionIndex], stale: str
) -> str:
    """The digest of everything the model and plan are made of except the stories' bodies (and so
    their revisions: ``stale`` says which translations the bodies make stale)."""
    parts = (
        code_version(),
        repr(scanned.config),
        repr(sorted(scanned.strings.items())),
        scanned.layouts.version,
        scanned.files,
        options.drafts,
        options.future,
        stale,
    )
    moment = scanned.now.timestamp()
    return skeleton(parts, articles, indexes, lambda when, draft: _state(when, draft, options, moment), memo)


def _state(when: float, draft: bool, options: Options, moment: float) -> str:
    """What the build's moment makes of a story: hidden, scheduled, news (the last 48 hours) or old."""
    if (draft and not options.drafts) or (when > moment and not options.future):
        return "hidden"
    return "scheduled" if when > moment else "news" if when >= moment - NEWS_WINDOW.total_seconds() else "old"


def _assets(site: Site, scanned: Scan, content_dir: Path) -> list[Asset]:
    """Static files (theme's and site's, as ``scan`` listed them) and each page bundle's files
    beside each of its pages."""
    assets = [Asset(source, rel) for rel, source in scanned.static]
    in_folder: dict[str, list[str]] = {}
    for rel in scanned.others:
        folder, _, name = rel.rpartition("/")
        in_folder.setdefault(folder, []).append(name)
    for stories in site.stories.values():
        for story in stories:
            if story.article.bundle:
                page_dir = story.out_path.rsplit("/", 1)[0]
                for name in in_folder.get(story.article.bundle, ()):
                    assets.append(Asset(f"{content_dir}/{story.article.bundle}/{name}", f"{page_dir}/{name}"))
    return assets


def _output_map(
    site: Site, jobs: list[Job], assets: list[Asset], options: Options, found_photos: photos.Photos | None = None
) -> OutputMap:
    """The map of every file this build will write (outmap.py). A feature that writes files of its
    own claims them here, with ``outputs.claim(path, source, blame)`` or ``outputs.claim_folder``.
    A picture's original is its asset's path; its copies are the photo stage's own."""
    outputs = map_outputs(site, jobs, assets, options.site_dir, options.out, _shown)
    if found_photos is not None:
        for rel, source in found_photos.copies_of().items():
            shown = _shown_source(source)
            outputs.claim(rel, f"{shown} (a copy of the picture)", shown)
    if site.config.search:
        outputs.claim_folder(search.BUNDLE, "the search index")
    return outputs


def plan(site: Site, now: datetime) -> list[Job]:
    """Every file to emit: pages, then feeds, then the crawlers' files (the news sitemap holds what
    is fresh at ``now``, the build's moment)."""
    lists = gather(site)
    return (
        page_jobs(site, lists)
        + browse_jobs(site, lists)
        + corrections_jobs(site, lists)
        + alias_jobs(site, lists)
        + search_jobs(site, lists)
        + feed_jobs(site, lists)
        + crawler_jobs(site, lists, now)
    )


def _count_feeds(jobs: list[Job]) -> int:
    return sum(1 for j in jobs if j.out_path.endswith(("rss.xml", "feed.json")))


@contextmanager
def _opened_cache(options: Options) -> Iterator[Cache | None]:
    _check_site_dir(options)  # before the cache folder is made: never inside a folder that is no site
    cache = Cache(options.site_dir / CACHE_DIR / "cache.sqlite") if options.cache else None
    try:
        yield cache
    finally:
        if cache:
            cache.close()


@contextmanager
def _output_held(options: Options, progress: Progress | None = None, checking: bool = False) -> Iterator[list[BuildError]]:
    """The output folder locked for this build (or check), and whatever a stopped build left in it
    finished or undone first — before any content is read, so that no later build can say "left as
    it was" over a mix of two builds. Yields the journal entries that could not be applied."""
    _check_site_dir(options)
    if not checking:
        _check_output_dir(options)
    out = options.out
    waiting = (lambda pid: progress("wait", pid, 0)) if progress else None
    try:
        with lock.locked(options.site_dir / CACHE_DIR, out, waiting):
            try:
                skipped = output.recover(out)
            except OSError as exc:
                raise _output_fault(out, exc) from exc
            yield [
                BuildError(
                    _shown(out / entry.split(": ", 1)[0]),
                    1,
                    f"a stopped build's commit could not put this file in place: {entry.split(': ', 1)[-1]}",
                )
                for entry in skipped
            ]
    except lock.OutputBusy as exc:
        holder = f" (process {exc.pid})" if exc.pid else ""
        raise UsageError(
            f"another build into {_shown(out)} is running{holder}; waited {exc.waited:g} s for it "
            "(NEWSDIGEST_LOCK_WAIT sets how long): try again when it has finished"
        ) from None


def _output_fault(out: Path, exc: OSError) -> UsageError:
    """A fault of the output folder (read-only, full, not ours to write): exit 2, saying what it holds."""
    state = "holds part of this build: the next build finishes it" if output.unfinished(out) else "was left as it was"
    return UsageError(f"{_shown(out)}: cannot write the output: {exc.strerror or exc}; {_shown(out)} {state}")


def _write_fault(options: Options, exc: OSError) -> Exception:
    """An OSError met while staging or committing: a site file that cannot be read (exit 1, naming
    it), or else the output folder's fault (exit 2)."""
    if exc.filename:
        path = Path(os.fsdecode(exc.filename)).resolve()
        out = options.out.resolve()
        if not (path.is_relative_to(out) or path.is_relative_to(output.fresh_dir(out))):
            return ContentErrors([BuildError(_shown(path), 1, f"cannot be read: {exc.strerror or exc}")])
    return _output_fault(options.out, exc)


def _with_skipped(exc: ContentErrors, skipped: list[BuildError]) -> ContentErrors:
    return ContentErrors(exc.errors + skipped) if skipped else exc


def _cache_trouble(options: Options, cache: Cache | None) -> list[BuildError]:
    """A warning when the cache could not be used (locked, read-only, not a folder): the build is
    the same without it, only slower."""
    if cache is None or not cache.trouble:
        return []
    return [
        BuildError(
            _shown(options.site_dir / CACHE_DIR),
            1,
            f"the build's cache cannot be used ({cache.trouble}); building without it, which is slower",
        )
    ]


def check(options: Options) -> Result:
    """Read and validate everything; write nothing (but the cache, and finishing a commit a stopped
    build left in the output folder). Raises ContentErrors."""
    started = time.perf_counter()
    with _output_held(options, checking=True) as skipped, _opened_cache(options) as cache:
        planned = read(options, cache)
    if planned.errors:
        raise ContentErrors(planned.errors + skipped)
    _refuse_warnings(options, skipped + planned.warnings + planned.moved)
    feeds = _count_feeds(planned.jobs)
    return Result(
        planned.site,
        stories=planned.site.story_count(),
        pages=len(planned.jobs) - feeds,
        feeds=feeds,
        parsed=planned.parsed,
        warnings=skipped + _cache_trouble(options, cache) + planned.warnings + planned.moved,
        seconds=time.perf_counter() - started,
        left_out=planned.left_out,
    )


def build(
    options: Options, executor: Executor | None = None, progress: Progress | None = None, memo: Memo | None = None
) -> Result:
    """Build the site into ``options.out``, rendering and writing only what changed. Raises
    ContentErrors and then leaves the old output exactly as it was. A long-lived caller (the preview
    server) passes the same ``memo`` to every build, so that a save costs what it touches."""
    started = time.perf_counter()
    readers = Workers(options.jobs, executor)
    skipped: list[BuildError] = []
    try:
        with _output_held(options, progress) as skipped, _opened_cache(options) as cache:
            scanned = scan(options, memo)
            # With a memo the kept plan answers "nothing changed" as fast, and its first build fills it.
            shortcut = cache and not scanned.errors and memo is None
            result = _unchanged(options, scanned, cache) if shortcut else None
            if result is None:
                with workers.collector_paused():
                    planned = read(options, cache, readers, progress, scanned, memo)
                if planned.errors:
                    raise ContentErrors(planned.errors)
                _refuse_warnings(options, planned.warnings + planned.moved)
                made, failures = photos.make_all(planned.photos, readers.executor()) if planned.photos else ([], [])
                if failures:
                    raise ContentErrors(failures)
                readers.close()  # rendering forks its own workers, which inherit the plan
                result = _render_and_write(options, scanned, planned, cache, executor, progress, memo)
                result.images_made = [_shown_source(source) for source in made]
                if cache and memo is None:  # what the next build compares with (a memo keeps its own plan)
                    _remember_plan(options, scanned, cache, planned, result)
            result.warnings = _cache_trouble(options, cache) + result.warnings
    except ContentErrors as exc:
        raise _with_skipped(exc, skipped) from None
    finally:
        readers.close()
    result.warnings = skipped + result.warnings
    _refuse_warnings(options, result.warnings)  # also those of a build that found nothing changed
    result.seconds = time.perf_counter() - started
    return result


def _refuse_warnings(options: Options, warnings: list[BuildError]) -> None:
    """``--strict``: every warning is an error (before anything is written, for those the plan finds)."""
    if options.strict and warnings:
        raise ContentErrors(warnings)


def _inputs_digest(options: Options, scanned: Scan, cache: Cache) -> tuple[str, LeftOut] | None:
    """A digest of everything the plan is made from, or None when a story is not in the cache yet.
    Per story it takes the content key and what the build's moment makes of it (hidden, published,
    news of the last 48 hours, scheduled), so a build at a later moment is not taken for the same.
    And, from the same facts, the stories the build leaves out."""
    keys = scanned.keys
    hidden: list[tuple[datetime, bool]] = []
    facts = cache.article_facts(list(set(keys.values())))
    h = hashlib.blake2b(digest_size=20)
    for part in (
        code_version(),
        repr(scanned.config),
        repr(sorted(scanned.strings.items())),
        repr((options.drafts, options.future)),
        scanned.files,
    ):
        h.update(part.encode())
    moment = scanned.now.timestamp()
    for rel, key in sorted(keys.items()):
        if key not in facts or facts[key][0] == "errors":
            return None
        kind, when, draft = facts[key]
        state = "index" if kind == "index" or when is None else _state(when, draft, options, moment)
        if state == "hidden":
            hidden.append((datetime.fromtimestamp(when, UTC), draft))
        h.update(f"{rel}\0{key}\0{state}\n".encode())
    return h.hexdigest(), left_out(hidden, options, scanned.now, scanned.config.tz())


def _files_digest(layouts: Layouts, static: dict[str, str], content_files: list[str], content: Path) -> str:
    """Templates and UI strings by their bytes (the layouts' version: layouts/static/ too); static and
    page-bundle files by name (their bytes are compared when they are copied), and pictures also by
    size and time: the photo stage publishes them rewritten, so no copy compares them."""
    h = hashlib.blake2b(layouts.version.encode(), digest_size=20)
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


def _remember_plan(options: Options, scanned: Scan, cache: Cache, planned: Plan, result: Result) -> None:
    """What the next build into this folder compares with: the inputs' digest (nothing changed?),
    the outline and each file's content key (did only some stories' bodies change?), and a digest
    of the output records as stored, which it holds for (a record dropped since is a change)."""
    out_dir = str(options.out.resolve())
    inputs = _inputs_digest(options, scanned, cache)
    if inputs is None:
        cache.forget_plan(out_dir)
        return
    assets = tuple((a.source, a.out_path) for a in planned.assets) + result.index_files
    cache.put_plan(
        out_dir,
        RememberedPlan(
            inputs[0],
            dict(result.stories),
            result.pages,
            result.feeds,
            tuple(planned.warnings),
            assets,
            planned.outline,
            dict(scanned.keys),
            records_digest(cache.outputs(out_dir)),
        ),
    )


def _kept_keys(out_dir: Path, scanned: Scan, cache: Cache, planned: Plan, records: dict[str, OutputRecord]) -> dict[str, str]:
    """Job keys of the last build into ``out_dir`` that still hold. When only stories' bodies
    changed since (the same outline), every job but those carrying a changed body has the key it
    had, and working out 13,000 keys again would take longer than the rest of such a build."""
    remembered = cache.plan(str(out_dir.resolve()))
    if remembered is None or not planned.outline or remembered.outline != planned.outline:
        return {}
    content = remembered.content
    if content.keys() != scanned.keys.keys() or remembered.records != records_digest(records):
        return {}
    changed = {rel for rel, key in scanned.keys.items() if content[rel] != key}
    carriers = {
        planned.jobs[index].out_path for refs in body_refs(planned.site, planned.jobs, changed).values() for index in refs
    }
    return {path: record.job_key for path, record in records.items() if path not in carriers}


def _unchanged(options: Options, scanned: Scan, cache: Cache) -> Result | None:
    """When the plan's inputs are those of the last build into this folder and every file it wrote
    is still there as written, nothing needs reading, modelling or rendering: only static files are
    compared. None when anything differs (then the full build runs)."""
    out_dir = options.out
    remembered = cache.plan(str(out_dir.resolve()))
    if remembered is None or output.staging_dir(out_dir).exists():
        return None
    inputs = _inputs_digest(options, scanned, cache)
    if inputs is None or inputs[0] != remembered.inputs:
        return None
    records = cache.outputs(str(out_dir.resolve()))
    if records_digest(records) != remembered.records:
        return None  # a record went missing (or was dropped as wrong): a file may be missing too
    for rel, record in records.items():
        try:
            stat = os.stat(out_dir / rel)
        except OSError:
            return None
        if stat.st_size != record.size or stat.st_mtime_ns != record.mtime_ns:
            return None
    assets = [Asset(source, out) for source, out in remembered.assets]
    copies = [a for a in assets if a.out_path not in records]
    if not all(output.same_bytes(Path(a.source), out_dir / a.out_path) for a in copies):
        return None  # a static file changed: the full build stages and commits it
    write = output.WriteResult(unchanged=sorted(records) + [a.out_path for a in copies])
    return Result(
        None,
        stories=dict(remembered.stories),
        pages=remembered.pages,
        feeds=remembered.feeds,
        reused=sorted(records),
        write=write,
        warnings=list(remembered.warnings),
        left_out=inputs[1],
    )


def _name_errors(planned: Plan, root: Path) -> list[BuildError]:
    """Output paths the file system would refuse (a name or the path too long), as errors naming the
    story or file they come from: found before anything is written, never half-way through a commit."""
    sources = {story.out_path: story.article.path for stories in planned.site.stories.values() for story in stories}
    claims = [(job.out_path, sources.get(job.out_path, job.out_path)) for job in planned.jobs]
    claims += [(asset.out_path, _shown(Path(asset.source))) for asset in planned.assets]
    errors = []
    for rel, source in claims:
        problem = output.check_name(rel, root)
        if problem:
            hint = "shorten the title, or set a shorter slug" if rel in sources else ""
            errors.append(BuildError(source, 1, f"cannot be written: {problem}", hint))
    return errors


def _tasks(
    jobs: list[Job], templates: TemplateKeys, records: dict[str, OutputRecord], known: dict[str, str], trusted: bool
) -> tuple[list[Task], dict[str, OutputRecord]]:
    """A task for every job that may have to render (where it runs, it decides), and the records
    of those that cannot: jobs whose key is known unchanged, in a folder whose records are trusted
    (a preview save leaves 13,000 of them, and even making a Task each showed in its time)."""
    tasks: list[Task] = []
    reused: dict[str, OutputRecord] = {}
    for job in jobs:
        key, record = known.get(job.out_path, ""), records.get(job.out_path)
        if trusted and key and record is not None and record.job_key == key:
            reused[job.out_path] = record
        else:
            tasks.append(Task(job, templates.for_job(job.templates), key, record, trusted))
    return tasks, reused


def _last_build(
    out_dir: Path, scanned: Scan, planned: Plan, cache: Cache | None, memo: Memo | None
) -> tuple[dict[str, OutputRecord], dict[str, str], bool]:
    """What the last build into ``out_dir`` left to compare with: its output records, the job keys
    that still hold, and whether the records may be trusted without a look at the files (the
    preview's are its own, of a folder nobody else writes)."""
    trusted = memo is not None and memo.records is not None
    if memo is not None and memo.records is not None:
        records = memo.records
    else:
        records = cache.outputs(str(out_dir.resolve())) if cache else {}
    if memo is not None:
        known = memo.plan.keys if memo.plan is not None else {}
    else:
        known = _kept_keys(out_dir, scanned, cache, planned, records) if cache and records else {}
    return records, known, trusted


def _stage_made(files: tuple[tuple[str, str], ...], root: Path, stage: Path) -> tuple[list[str], list[str]]:
    """Stage the files this build made outside rendering (the search index, in a folder the output
    map claimed whole) whose bytes differ from the output's; returns those staged and those unchanged."""
    copied: list[str] = []
    same: list[str] = []
    for source, rel in files:
        (copied if output.stage_copy(Path(source), rel, root, stage) else same).append(rel)
    return copied, same


def _stage_assets(assets: list[Asset], fence: Fence, root: Path, stage: Path) -> tuple[list[str], list[str]]:
    """Stage the static and page-bundle files whose bytes differ from the output's; returns those
    staged and those unchanged. Raises ContentErrors naming each that changed since it was listed."""
    copied: list[str] = []
    same: list[str] = []
    unreadable = []
    for asset in assets:  # the output map has made sure no two files share a path
        rel = output.safe_rel(asset.out_path)
        try:
            data = sitefiles.read_bytes(asset.source, fence)
        except (sitefiles.NotASiteFile, FileNotFoundError) as exc:  # changed since it was listed
            unreadable.append(
                BuildError(
                    _shown(Path(asset.source)),
                    1,
                    str(exc) if isinstance(exc, sitefiles.NotASiteFile) else "the file disappeared while the site was being read",
                )
            )
            continue
        (copied if output.stage_copy(Path(asset.source), rel, root, stage, data) else same).append(rel)
    if unreadable:
        raise ContentErrors(unreadable)
    return copied, same


def _render_and_write(
    options: Options,
    scanned: Scan,
    planned: Plan,
    cache: Cache | None,
    executor: Executor | None,
    progress: Progress | None,
    memo: Memo | None,
) -> Result:
    out_dir = options.out
    names = _name_errors(planned, out_dir if out_dir.is_dir() else output.fresh_dir(out_dir))
    if names:
        raise ContentErrors(names)
    records, known, trusted = _last_build(out_dir, scanned, planned, cache, memo)
    if cache:  # the remembered plan describes the records: it goes before they change, and comes back with them
        cache.forget_plan(str(out_dir.resolve()))
    layouts = scanned.layouts
    tasks, reused = _tasks(planned.jobs, TemplateKeys(layouts), records, known, trusted)
    try:
        stage, existed = output.begin(out_dir)
    except OSError as exc:  # a read-only disk, a folder not ours to write
        raise _output_fault(out_dir, exc) from exc
    root = out_dir if existed else stage  # a first build writes the tree that becomes the output
    found = search.Index((), False)
    try:
        outcomes: list[Outcome] = list(
            render_all(
                tasks,
                layouts,
                root,
                stage,
                executor,
                (lambda done: progress("render", done, len(tasks))) if progress else None,
                processes=options.jobs,
                parallel_from=PARALLEL_RENDERS,
            )
        )
        failures = [o.error for o in outcomes if o.error]
        if failures:
            raise ContentErrors(failures)
        write = output.WriteResult()
        staged = []
        for outcome in outcomes:
            (write.written if outcome.staged else write.unchanged).append(outcome.out_path)
            if outcome.staged:
                staged.append(outcome.out_path)
        write.unchanged.extend(reused)
        produced = {job.out_path for job in planned.jobs}
        photo_records: dict[str, OutputRecord] = {}
        if planned.photos:
            photo_staged, photo_unchanged, photo_records = photos.stage(planned.photos, root, stage, records)
            staged += photo_staged
            write.written += photo_staged
            write.unchanged += photo_unchanged
            produced.update(photo_records)
        found = _search_index(options, planned.site, outcomes, reused, root, stage)
        made = _stage_made(found.files, root, stage)
        search.release(found)
        for copied, same in (made, _stage_assets(planned.assets, scanned.fence, root, stage)):
            staged += copied
            write.written += copied
            write.unchanged += same
            produced.update(copied + same)
        if progress:
            progress("write", 0, len(staged))
        write.removed = output.commit(out_dir, stage, staged, produced, memo.produced if memo is not None else None)
    except OSError as exc:
        search.release(found)
        output.abandon(out_dir, existed)
        raise _write_fault(options, exc) from exc
    except BaseException:
        search.release(found)
        output.abandon(out_dir, existed)
        raise
    reused.update((o.out_path, records[o.out_path]) for o in outcomes if not o.rendered)
    now_records = {
        **reused,
        **photo_records,
        **{o.out_path: OutputRecord(o.key, o.digest, o.size, o.mtime_ns) for o in outcomes if o.rendered},
    }
    if cache:
        cache.put_outputs(str(out_dir.resolve()), now_records, records)
        cache.put_story_urls(str(out_dir.resolve()), story_paths(planned.site))  # what the next build compares with
    if memo is not None:
        memo.records = now_records
        memo.produced = produced
        if memo.plan is not None:
            memo.plan.keys = {path: record.job_key for path, record in now_records.items()}
    feeds = _count_feeds(planned.jobs)
    return Result(
        planned.site,
        stories=planned.site.story_count(),
        pages=len(planned.jobs) - feeds,
        feeds=feeds,
        rendered=[o.out_path for o in outcomes if o.rendered],
        reused=sorted(reused),
        parsed=planned.parsed,
        write=write,
        warnings=planned.warnings + planned.moved,
        left_out=planned.left_out,
        indexed=found.indexed,
        index_files=found.files,
        index_later=found.later,
    )


def _search_index(
    options: Options, site: Site, outcomes: list[Outcome], reused: dict[str, OutputRecord], root: Path, stage: Path
) -> search.Index:
    """The search index of this build's story pages, from the bytes each now has (staged or kept)."""
    if not site.config.search:
        return search.Index((), False)
    stories = search.story_paths(site)
    out = str(options.out)
    pages = {rel: (record.digest, os.path.join(out, rel)) for rel, record in reused.items() if rel in stories}
    for o in outcomes:
        if o.out_path in stories:
            pages[o.out_path] = (
                o.digest,
                output.destination(str(root), str(stage), o.out_path) if o.staged else os.path.join(out, o.out_path),
            )
    return search.index(options.site_dir, options.out, pages, remember=options.cache, run=options.search_index)


__all__ = ["Options", "Result", "build", "check"]
