"""Rendering and writing: which jobs must render (asked of the memory), rendering them into the
output's staging folder, staging the pictures, the search index and the static files, and the
commit (output.py does every write)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from . import output, photos, search, sitefiles
from .cache import OutputRecord
from .errors import BuildError, ContentErrors, shown_path
from .folders import Progress, output_fault, write_fault
from .memory import Memory
from .options import Options, Result
from .planning import Plan, count_feeds, name_errors
from .render import Outcome, Task, TemplateKeys, render_all
from .scanning import Scan
from .site import Asset, Job, Site
from .sitefiles import Fence
from .templates import Layouts

PARALLEL_RENDERS = 200  # fewer tasks than this render in this process: forking costs more


@dataclass(frozen=True)
class Tasks:
    """The jobs that may have to render, as tasks (where each runs, it decides); the records of those
    that cannot (their key is known unchanged, in a folder whose records are trusted); and every
    record the last build left."""

    todo: list[Task]
    reused: dict[str, OutputRecord]
    records: dict[str, OutputRecord]


@dataclass(frozen=True)
class Staging:
    """Where this build's new files go before the commit: ``root`` is the tree the output will be."""

    out_dir: Path
    root: Path
    stage: Path
    existed: bool


@dataclass(frozen=True)
class Written:
    """What the commit left: the files written, kept and removed, every file the output now holds,
    the pictures' records and the search index made."""

    write: output.WriteResult
    produced: set[str]
    photo_records: dict[str, OutputRecord]
    index: search.Index


def tasks(options: Options, scanned: Scan, planned: Plan, memory: Memory) -> Tasks:
    """The plan's jobs as tasks, from what the last build wrote and the job keys that still hold.
    Output paths the file system would refuse are errors first, before anything is written."""
    out_dir = options.out
    names = name_errors(planned, out_dir if out_dir.is_dir() else output.fresh_dir(out_dir))
    if names:
        raise ContentErrors(names)
    records, trusted = memory.records(out_dir)
    known = memory.kept_keys(out_dir, scanned, planned, records)
    todo, reused = _tasks(planned.jobs, TemplateKeys(scanned.layouts), records, known, trusted)
    return Tasks(todo, reused, records)


@contextmanager
def staging(options: Options) -> Iterator[Staging]:
    """The output's staging folder for the block; on any failure the output is left as it was."""
    out_dir = options.out
    try:
        stage, existed = output.begin(out_dir)
    except OSError as exc:  # a read-only disk, a folder not ours to write
        raise output_fault(out_dir, exc) from exc
    try:  # a first build writes the tree that becomes the output
        yield Staging(out_dir, out_dir if existed else stage, stage, existed)
    except OSError as exc:
        output.abandon(out_dir, existed)
        raise write_fault(options, exc) from exc
    except BaseException:
        output.abandon(out_dir, existed)
        raise


def render(
    options: Options, tasks: Tasks, layouts: Layouts, staging: Staging, executor: Executor | None, progress: Progress | None
) -> list[Outcome]:
    """Every task's outcome, rendering what changed into the staging folder; template errors raised."""
    todo = tasks.todo
    outcomes: list[Outcome] = list(
        render_all(
            todo,
            layouts,
            staging.root,
            staging.stage,
            executor,
            (lambda done: progress("render", done, len(todo))) if progress else None,
            processes=options.jobs,
            parallel_from=PARALLEL_RENDERS,
        )
    )
    failures = [o.error for o in outcomes if o.error]
    if failures:
        raise ContentErrors(failures)
    return outcomes


def write(
    options: Options,
    scanned: Scan,
    planned: Plan,
    tasks: Tasks,
    outcomes: list[Outcome],
    staging: Staging,
    memory: Memory,
    progress: Progress | None,
) -> Written:
    """Stage the pictures, the search index and the static files beside the rendered pages, and
    commit: the output becomes this build's, the files no job produced removed."""
    root, stage = staging.root, staging.stage
    write = output.WriteResult()
    staged = [o.out_path for o in outcomes if o.staged]
    for outcome in outcomes:
        (write.written if outcome.staged else write.unchanged).append(outcome.out_path)
    write.unchanged.extend(tasks.reused)
    produced = {job.out_path for job in planned.jobs}
    photo_records: dict[str, OutputRecord] = {}
    if planned.photos:
        photo_staged, photo_unchanged, photo_records = photos.stage(planned.photos, root, stage, tasks.records)
        staged += photo_staged
        write.written += photo_staged
        write.unchanged += photo_unchanged
        produced.update(photo_records)
    index = _search_index(options, planned.site, outcomes, tasks.reused, root, stage)
    try:
        made = _stage_made(index.files, root, stage)
    finally:
        search.release(index)
    for copied, same in (made, _stage_assets(planned.assets, scanned.fence, root, stage)):
        staged += copied
        write.written += copied
        write.unchanged += same
        produced.update(copied + same)
    if progress:
        progress("write", 0, len(staged))
    write.removed = output.commit(staging.out_dir, stage, staged, produced, memory.produced())
    return Written(write, produced, photo_records, index)


def records(tasks: Tasks, outcomes: list[Outcome], written: Written) -> dict[str, OutputRecord]:
    """The output records after this build: what each job (and picture) now has in the output."""
    return {
        **kept(tasks, outcomes),
        **written.photo_records,
        **{o.out_path: OutputRecord(o.key, o.digest, o.size, o.mtime_ns) for o in outcomes if o.rendered},
    }


def kept(tasks: Tasks, outcomes: list[Outcome]) -> dict[str, OutputRecord]:
    """The records of the jobs that did not render: their key and file were the last build's."""
    return {**tasks.reused, **{o.out_path: tasks.records[o.out_path] for o in outcomes if not o.rendered}}


def result(planned: Plan, tasks: Tasks, outcomes: list[Outcome], written: Written) -> Result:
    feeds = count_feeds(planned.jobs)
    index = written.index
    return Result(
        planned.site,
        stories=planned.site.story_count(),
        pages=len(planned.jobs) - feeds,
        feeds=feeds,
        rendered=[o.out_path for o in outcomes if o.rendered],
        reused=sorted(kept(tasks, outcomes)),
        parsed=planned.parsed,
        write=written.write,
        warnings=planned.warnings + planned.moved,
        left_out=planned.left_out,
        indexed=index.indexed,
        index_files=index.files,
        index_later=index.later,
    )


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
                    shown_path(Path(asset.source)),
                    1,
                    str(exc) if isinstance(exc, sitefiles.NotASiteFile) else "the file disappeared while the site was being read",
                )
            )
            continue
        (copied if output.stage_copy(Path(asset.source), rel, root, stage, data) else same).append(rel)
    if unreadable:
        raise ContentErrors(unreadable)
    return copied, same


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
