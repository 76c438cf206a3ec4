"""The build as a straight line: scan → load → model → plan → render → write; ``check`` stops before
render. Between stages it asks the memory (memory.py) what it may skip and tells it what happened;
the workers (workers.py) say where work runs. The output bytes are the same whatever either is.

Each stage has a room of its own: scanning.py, reading.py, site.py (the model), planning.py,
publishing.py (render and write, through render.py and output.py); folders.py holds the output's lock.
"""

from __future__ import annotations

import time
from concurrent.futures import Executor

from . import photos, publishing
from .errors import BuildError, ContentErrors, shown_path
from .folders import Progress, output_held
from .memory import Memory
from .options import LeftOut, Options, Result, build_moment
from .planning import Plan, count_feeds, plan_site, replan, shown_source
from .reading import parse_files, read_stories
from .scanning import Scan, scan
from .site import model
from .workers import Workers, collector_paused

_shown = shown_path  # a path as messages show it (the desk and the tests say it so)


def build(
    options: Options, executor: Executor | None = None, progress: Progress | None = None, memory: Memory | None = None
) -> Result:
    """Build the site into ``options.out``, rendering and writing only what changed. Raises
    ContentErrors and then leaves the old output exactly as it was. A long-lived caller (the preview
    server) passes the same ``Memory.lasting()`` to every build, so that a save costs what it touches;
    ``executor``: where reading and rendering run (else this process, or forked workers)."""
    started = time.perf_counter()
    memory = memory or Memory()
    skipped: list[BuildError] = []
    try:
        with output_held(options, progress) as skipped, memory.opened(options), Workers(options.jobs, executor) as workers:
            result = _build(options, memory, workers, progress)
    except ContentErrors as exc:
        raise _with_skipped(exc, skipped) from None
    result.warnings = skipped + result.warnings
    _refuse_warnings(options, result.warnings)  # also those of a build that found nothing changed
    result.seconds = time.perf_counter() - started
    return result


def _build(options: Options, memory: Memory, workers: Workers, progress: Progress | None) -> Result:
    scanned = scan(options, memory)  # settings, templates, strings, static files, a key per story file
    result = memory.unchanged(options, scanned)  # the last build's, when none of that changed
    if result is None:
        with collector_paused():
            planned = _plan(options, scanned, memory, workers, progress)  # load → model → plan
        if planned.errors:
            raise ContentErrors(planned.errors)
        _refuse_warnings(options, planned.warnings + planned.moved)
        made = _pictures(planned, workers)
        workers.close()  # rendering forks its own workers, which inherit the plan
        tasks = publishing.tasks(options, scanned, planned, memory)  # the jobs whose key or file changed
        with publishing.staging(options) as staging:
            outcomes = publishing.render(options, tasks, scanned.layouts, staging, workers.given, progress)
            written = publishing.write(options, scanned, planned, tasks, outcomes, staging, memory, progress)
        memory.written(options.out, publishing.records(tasks, outcomes, written), tasks.records, written.produced, planned.site)
        result = publishing.result(planned, tasks, outcomes, written)
        result.images_made = made
        memory.remember_plan(options, scanned, planned, result)  # what the next build compares with
    result.warnings = memory.trouble(options.site_dir) + result.warnings
    return result


def _plan(
    options: Options, scanned: Scan, memory: Memory, workers: Workers | None = None, progress: Progress | None = None
) -> Plan:
    """Load every story, model the site and plan its files; when only stories' bodies changed since
    the last build in this process, its plan with the new bodies put in."""
    stories = read_stories(options, scanned, memory, workers, progress)
    kept = memory.kept_plan(stories.outline)
    if kept is not None:
        return replan(options, scanned, stories, kept, memory)
    site, errors = model(
        stories.articles, stories.indexes, scanned.config, scanned.strings, now=scanned.now, pictures=stories.photos.pictures
    )
    return plan_site(options, scanned, stories, site, errors, memory)


def _pictures(planned: Plan, workers: Workers) -> list[str]:
    """The pictures' copies made (in the workers), named as messages name them."""
    made, failures = photos.make_all(planned.photos, workers.executor()) if planned.photos else ([], [])
    if failures:
        raise ContentErrors(failures)
    return [shown_source(source) for source in made]


def check(options: Options) -> Result:
    """Read and validate everything; write nothing (but the cache, and finishing a commit a stopped
    build left in the output folder). Raises ContentErrors."""
    started = time.perf_counter()
    memory = Memory()
    with output_held(options, checking=True) as skipped, memory.opened(options):
        planned = _plan(options, scan(options, memory), memory)
        trouble = memory.trouble(options.site_dir)
    if planned.errors:
        raise ContentErrors(planned.errors + skipped)
    _refuse_warnings(options, skipped + planned.warnings + planned.moved)
    feeds = count_feeds(planned.jobs)
    return Result(
        planned.site,
        stories=planned.site.story_count(),
        pages=len(planned.jobs) - feeds,
        feeds=feeds,
        parsed=planned.parsed,
        warnings=skipped + trouble + planned.warnings + planned.moved,
        seconds=time.perf_counter() - started,
        left_out=planned.left_out,
    )


def _refuse_warnings(options: Options, warnings: list[BuildError]) -> None:
    """``--strict``: every warning is an error (before anything is written, for those the plan finds)."""
    if options.strict and warnings:
        raise ContentErrors(warnings)


def _with_skipped(exc: ContentErrors, skipped: list[BuildError]) -> ContentErrors:
    return ContentErrors(exc.errors + skipped) if skipped else exc


__all__ = ["LeftOut", "Options", "Result", "build", "build_moment", "check", "parse_files", "scan"]
