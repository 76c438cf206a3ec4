"""The build, top to bottom: read → model → plan → render → write. ``check`` stops before render."""

from __future__ import annotations

import os
import time
from concurrent.futures import Executor, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from .config import Config, load_config
from .content import Article, SectionIndex, discover, load
from .errors import BuildError, ContentErrors, UsageError
from .feeds import crawler_jobs, feed_jobs
from .output import WriteResult, write
from .render import render_all
from .site import Asset, Job, Site, gather, model, page_jobs
from .templates import layout_dirs, load_strings


@dataclass(frozen=True)
class Options:
    site_dir: Path
    output_dir: Path | None = None
    base_url: str | None = None
    drafts: bool = False
    future: bool = False
    jobs: int = 1
    now: datetime | None = None  # the build's moment; default SOURCE_DATE_EPOCH or the clock

    @property
    def out(self) -> Path:
        return self.output_dir or self.site_dir / "output"


@dataclass
class Result:
    """What a build did, as data a test can read."""

    site: Site
    pages: int = 0
    feeds: int = 0
    rendered: list[str] = field(default_factory=list)
    write: WriteResult | None = None
    warnings: list[BuildError] = field(default_factory=list)
    seconds: float = 0.0


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


def _check_site_dir(options: Options) -> None:
    content = options.site_dir / "content"
    if not content.is_dir():
        raise UsageError(f"{_shown(options.site_dir)}: not a site folder (it has no content/ folder)")
    out = options.out.resolve()
    site = options.site_dir.resolve()
    if out == site or out in site.parents:
        raise UsageError(f"--output {_shown(options.out)} would replace the site itself")
    for protected in (site / "content", site / "layouts", site / "static"):
        if out.is_relative_to(protected):
            raise UsageError(f"--output {_shown(options.out)} is inside {_shown(protected)}")


def read(options: Options) -> tuple[Site, list[Job], list[Asset], list[BuildError], list[BuildError]]:
    """Everything before rendering: the model, the jobs and assets, errors and warnings."""
    _check_site_dir(options)
    site_dir = options.site_dir
    config, errors = load_config(site_dir, _shown(site_dir / "site.yaml"))
    if options.base_url:
        config = replace(config, base_url=options.base_url if options.base_url.endswith("/") else options.base_url + "/")
    dirs = layout_dirs(site_dir)
    strings, string_errors = load_strings(dirs, config.languages)
    errors += string_errors
    content_dir = site_dir / "content"
    now = options.now or build_moment()
    articles: list[Article] = []
    indexes: list[SectionIndex] = []
    warnings: list[BuildError] = []
    for rel in discover(content_dir):
        loaded = load(content_dir / rel, rel, _shown(content_dir / rel), config)
        if isinstance(loaded, list):
            errors += loaded
        elif isinstance(loaded, SectionIndex):
            indexes.append(loaded)
        else:
            warnings += loaded.warnings
            if (loaded.draft and not options.drafts) or (loaded.date > now and not options.future):
                continue
            articles.append(loaded)
    site, model_errors = model(articles, indexes, config, strings)
    errors += model_errors
    jobs = plan(site) if not errors else []
    assets = _assets(site, content_dir, site_dir, dirs) if not errors else []
    return site, jobs, assets, errors, warnings


def _assets(site: Site, content_dir: Path, site_dir: Path, dirs: tuple[str, ...]) -> list[Asset]:
    """Static files (the site's over the project's) and each page bundle's files beside its page."""
    static: dict[str, str] = {}
    for directory in [Path(d).parent / "static" for d in reversed(dirs)] + [site_dir / "static"]:
        if directory.is_dir():
            for path in sorted(directory.rglob("*")):
                if path.is_file() and not any(p.startswith(".") for p in path.relative_to(directory).parts):
                    static[path.relative_to(directory).as_posix()] = str(path)
    assets = [Asset(source, rel) for rel, source in sorted(static.items())]
    for stories in site.stories.values():
        for story in stories:
            if story.article.bundle:
                folder = content_dir / story.article.bundle
                page_dir = story.out_path.rsplit("/", 1)[0]
                for path in sorted(folder.iterdir()):
                    if path.is_file() and path.suffix != ".md" and not path.name.startswith("."):
                        assets.append(Asset(str(path), f"{page_dir}/{path.name}"))
    return assets


def plan(site: Site) -> list[Job]:
    """Every file to emit: pages, then feeds, then the crawlers' files."""
    lists = gather(site)
    return page_jobs(site, lists) + feed_jobs(site, lists) + crawler_jobs(site, lists)


def _duplicate_outputs(jobs: list[Job]) -> list[BuildError]:
    seen: set[str] = set()
    errors = []
    for job in jobs:
        if job.out_path in seen:
            errors.append(BuildError(job.out_path, 1, "two pages would be written to this path"))
        seen.add(job.out_path)
    return errors


def check(options: Options) -> Result:
    """Read and validate everything; write nothing. Raises ContentErrors."""
    started = time.perf_counter()
    site, jobs, _, errors, warnings = read(options)
    errors += _duplicate_outputs(jobs)
    if errors:
        raise ContentErrors(errors)
    feeds = sum(1 for j in jobs if j.out_path.endswith(".xml") and "rss" in j.out_path)
    return Result(site, pages=len(jobs) - feeds, feeds=feeds, warnings=warnings,
                  seconds=time.perf_counter() - started)


def build(options: Options, executor: Executor | None = None) -> Result:
    """Build the site into ``options.out``. Raises ContentErrors and leaves the old output as it was."""
    started = time.perf_counter()
    site, jobs, assets, errors, warnings = read(options)
    errors += _duplicate_outputs(jobs)
    if errors:
        raise ContentErrors(errors)
    own_pool = executor is None and options.jobs > 1 and len(jobs) > 200
    pool = ProcessPoolExecutor(options.jobs) if own_pool else executor
    try:
        rendered = list(render_all(jobs, layout_dirs(options.site_dir), pool))
    finally:
        if own_pool and pool is not None:
            pool.shutdown()
    failures = [r.error for r in rendered if r.error]
    if failures:
        raise ContentErrors(failures)
    result = write(rendered, assets, options.out)
    feeds = sum(1 for j in jobs if j.out_path.endswith("rss.xml"))
    return Result(site, pages=len(jobs) - feeds, feeds=feeds, rendered=[r.out_path for r in rendered],
                  write=result, warnings=warnings, seconds=time.perf_counter() - started)


__all__ = ["Config", "Options", "Result", "build", "check"]
