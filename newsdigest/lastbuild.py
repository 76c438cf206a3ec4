"""What the store says of the last complete build into an output folder: whether nothing changed
since, which of its job keys still hold, and what this build leaves for the next to compare with."""

from __future__ import annotations

import hashlib
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from . import output
from .cache import Cache, OutputRecord, RememberedPlan, records_digest
from .kept import body_refs
from .keys import code_version, moment_state
from .options import LeftOut, Options, Result, left_out

if TYPE_CHECKING:
    from .planning import Plan
    from .scanning import Scan


def unchanged(store: Cache, options: Options, scanned: Scan) -> Result | None:
    """When the plan's inputs are those of the last build into this folder and every file it wrote
    is still there as written, nothing needs reading, modelling or rendering: only static files are
    compared. None when anything differs (then the full build runs)."""
    out_dir = options.out
    remembered = store.plan(str(out_dir.resolve()))
    if remembered is None or output.staging_dir(out_dir).exists():
        return None
    inputs = _inputs_digest(options, scanned, store)
    if inputs is None or inputs[0] != remembered.inputs:
        return None
    records = store.outputs(str(out_dir.resolve()))
    if records_digest(records) != remembered.records or not _records_intact(out_dir, records):
        return None  # a record went missing (or was dropped as wrong), or a file: build
    copies = [copy for copy in remembered.assets if copy[1] not in records]
    if not all(_copy_intact(out_dir, *copy) for copy in copies):
        return None  # a static file changed: the full build stages and commits it
    write = output.WriteResult(unchanged=sorted(records) + [copy[1] for copy in copies])
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


def remember(store: Cache, options: Options, scanned: Scan, planned: Plan, result: Result) -> None:
    """What the next build into this folder compares with: the inputs' digest (nothing changed?),
    the outline and each file's content key (did only some stories' bodies change?), and a digest
    of the output records as stored, which it holds for (a record dropped since is a change)."""
    out_dir = str(options.out.resolve())
    inputs = _inputs_digest(options, scanned, store)
    if inputs is None:
        store.forget_plan(out_dir)
        return
    copies = tuple((a.source, a.out_path) for a in planned.assets) + result.index_files
    assets = tuple(_copy_stat(options.out, source, out) for source, out in copies)
    store.put_plan(
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
            records_digest(store.outputs(out_dir)),
        ),
    )


def kept_keys(store: Cache, out_dir: Path, scanned: Scan, planned: Plan, records: dict[str, OutputRecord]) -> dict[str, str]:
    """Job keys of the last build into ``out_dir`` that still hold, when only stories' bodies changed
    since (the same outline): every job's but those that carry a changed body."""
    remembered = store.plan(str(out_dir.resolve()))
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


def _copy_stat(out_dir: Path, source: str, out: str) -> tuple[str, str, int, int, int, int]:
    """A copied file as the commit left it: both files' sizes and times, so that the next build
    need not read them to know they are unchanged (the output records trust a page's the same way).
    A source whose time is a whole second, as on file systems with coarse clocks where an edit may
    keep it, gets -1: it is compared by its bytes."""
    try:
        was, now = os.stat(source), os.stat(out_dir / out)
    except OSError:
        return source, out, -1, -1, -1, -1
    if was.st_mtime_ns % 1_000_000_000 == 0:
        return source, out, -1, -1, -1, -1
    return source, out, was.st_size, was.st_mtime_ns, now.st_size, now.st_mtime_ns


def _copy_intact(out_dir: Path, source: str, out: str, size: int, mtime_ns: int, out_size: int, out_mtime_ns: int) -> bool:
    """Whether a static file's copy (or the search index's) is still its source's bytes: both with
    the size and time they had at the last commit (a stat each; at 20,000 stories the index alone is
    38,000 files), else by reading both."""
    if size >= 0:
        try:
            was, now = os.stat(source), os.stat(out_dir / out)
        except OSError:
            return False
        if (was.st_size, was.st_mtime_ns, now.st_size, now.st_mtime_ns) == (size, mtime_ns, out_size, out_mtime_ns):
            return True
    return output.same_bytes(Path(source), out_dir / out)


def _records_intact(out_dir: Path, records: dict[str, OutputRecord]) -> bool:
    for rel, record in records.items():
        try:
            stat = os.stat(out_dir / rel)
        except OSError:
            return False
        if stat.st_size != record.size or stat.st_mtime_ns != record.mtime_ns:
            return False
    return True


def _inputs_digest(options: Options, scanned: Scan, store: Cache) -> tuple[str, LeftOut] | None:
    """A digest of everything the plan is made from, or None when a story is not in the store yet.
    Per story it takes the content key and what the build's moment makes of it (hidden, published,
    news of the last 48 hours, scheduled), so a build at a later moment is not taken for the same.
    And, from the same facts, the stories the build leaves out."""
    keys = scanned.keys
    hidden: list[tuple[datetime, bool]] = []
    facts = store.article_facts(list(set(keys.values())))
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
        if key not in facts or facts[key].kind == "errors":
            return None
        fact = facts[key]
        state = "index" if fact.kind == "index" or fact.when is None else moment_state(fact.when, fact.draft, options, moment)
        if state == "hidden":
            hidden.append((datetime.fromtimestamp(fact.when, UTC), fact.draft))
        h.update(f"{rel}\0{key}\0{state}\n".encode())
    return h.hexdigest(), left_out(hidden, options, scanned.now, scanned.config.tz())
