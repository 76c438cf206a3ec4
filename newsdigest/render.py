"""Rendering jobs: each job's key, and ``render_job`` (module-level, pure: its one staged file is written by
output.py), so any Executor can run it and every executor gives the same bytes."""

from __future__ import annotations

import hashlib
import pickle
import re
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta

from . import output, workers
from .cache import OutputRecord
from .content import Article, Image, Source
from .errors import BuildError
from .feeds import FeedItem, SitemapEntry
from .keys import code_version
from .site import Alternate, Job, Link, Teaser
from .templates import Layouts, choose, environment

ONCE_CALL = re.compile(r"""\bonce\(\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Outcome:
    """What one job came to: its key, its bytes' digest, and whether a staged file now holds them."""

    out_path: str
    key: str
    digest: str = ""
    size: int = 0
    mtime_ns: int = 0
    staged: bool = False  # False: the bytes equal the file already in the output
    error: BuildError | None = None
    rendered: bool = True  # False: the key and the file were those of the last build; not rendered


@dataclass(frozen=True)
class Task:
    """A job, and what the last build wrote for it: enough to decide, wherever the task runs,
    whether it must render."""

    job: Job
    template_key: str
    key: str = ""  # the job's key when already known (the preview's memo); else worked out where it runs
    record: OutputRecord | None = None  # what the last build wrote to this path
    trusted: bool = False  # the record is this process's own, of a folder only it writes: not looked at


class TemplateKeys:
    """Digests of template closures: a template's source and everything it extends, includes or
    imports, so editing ``rss.xml`` re-renders feeds and nothing else."""

    def __init__(self, layouts: Layouts):
        self.layouts = layouts
        self.env = environment(layouts)
        self.by_name: dict[str, str] = {}
        self.by_candidates: dict[tuple[str, ...], str] = {}

    def for_job(self, candidates: tuple[str, ...]) -> str:
        if candidates not in self.by_candidates:
            try:
                chosen = choose(self.layouts, candidates).name or candidates[-1]
                self.by_candidates[candidates] = self._closure(chosen, ())
            except jinja2.TemplateError:  # reported when the job renders
                self.by_candidates[candidates] = "missing:" + "|".join(candidates)
        return self.by_candidates[candidates]

    def _closure(self, name: str, seen: tuple[str, ...]) -> str:
        if name in self.by_name:
            return self.by_name[name]
        if name in seen:
            return "cycle"
        source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        h = hashlib.blake2b(source.encode(), digest_size=16)
        h.update((filename or name).encode())
        for ref in _references(self.env, source):
            if ref is None:  # a computed name: depend on every template there is
                h.update("".join(sorted(self.env.list_templates())).encode())
                for other in self.env.list_templates():
                    h.update(self.env.loader.get_source(self.env, other)[0].encode())  # type: ignore[union-attr]
                continue
            try:
                h.update(self._closure(ref, (*seen, name)).encode())
            except jinja2.TemplateNotFound:
                h.update(f"missing:{ref}".encode())
        self.by_name[name] = h.hexdigest()
        return self.by_name[name]


@lru_cache(maxsize=512)
def _references(env: jinja2.Environment, source: str) -> tuple[str | None, ...]:
    """The templates a template's source names (None for a computed name), parsed once per process."""
    fragments = tuple(ONCE_CALL.findall(source))  # once("_sidebar.html") renders a template too
    try:
        return tuple(sorted(meta.find_referenced_templates(env.parse(source)), key=str)) + fragments
    except jinja2.TemplateSyntaxError:
        return fragments


# Small, widely shared plain data whose repr is deterministic (dataclasses, strings, numbers, aware
# datetimes): one repr is much cheaper than walking it field by field. Containers that hold many
# shared objects (pages, feeds, the chrome) are walked, so each shared object is digested once.
BY_REPR = frozenset({Teaser, Link, Alternate, FeedItem, Image, Source, SitemapEntry})
# A story by the repr of its fields but its compressed body, which goes in as bytes: the repr of
# bytes escapes them one by one, and was a fifth of all the keys' time.
ARTICLE_FIELDS = tuple(f.name for f in fields(Article) if f.name != "body_z")


class Fingerprints:
    """Digests of the plain data jobs carry. One build's jobs share most of their data (a Teaser is
    on dozens of list pages and sidebars, a Chrome on every page of its language), so each object
    is digested once, by identity, and the memo keeps it alive so that identity cannot be reused."""

    def __init__(self) -> None:
        self.memo: dict[int, tuple[object, bytes]] = {}
        self.fields: dict[type, tuple[str, ...]] = {}

    def of(self, value: object) -> bytes:
        kind = type(value)
        if kind is str and len(value) < 256:  # type: ignore[arg-type]
            return value.encode("utf-8", "surrogatepass")  # type: ignore[union-attr]
        if kind in (int, float, bool) or value is None:
            return repr(value).encode()
        if kind is datetime or kind is date:
            return value.isoformat().encode()  # type: ignore[union-attr]
        hit = self.memo.get(id(value))
        if hit is not None:
            return hit[1]
        digest = self._digest(kind, value)
        self.memo[id(value)] = (value, digest)
        return digest

    def _digest(self, kind: type, value: Any) -> bytes:
        """A value met for the first time, by its kind (``of`` keeps the answer by identity)."""
        h = hashlib.blake2b(kind.__name__.encode(), digest_size=16)
        if kind is str:
            h.update(value.encode("utf-8", "surrogatepass"))  # type: ignore[union-attr]
        elif kind is bytes:
            h.update(value)  # type: ignore[arg-type]
        elif kind is tuple or kind is list:
            for item in value:  # type: ignore[attr-defined]
                self._add(h, item)
        elif kind is dict:
            for name, item in value.items():  # type: ignore[attr-defined]
                self._add(h, name)
                self._add(h, item)
        elif kind is Article:
            h.update(repr(tuple(getattr(value, name) for name in ARTICLE_FIELDS)).encode("utf-8", "surrogatepass"))
            h.update(value.body_z)  # type: ignore[attr-defined]
        elif kind in BY_REPR:
            h.update(repr(value).encode("utf-8", "surrogatepass"))
        elif hasattr(value, "__dataclass_fields__"):
            names = self.fields.get(kind)
            if names is None:
                names = self.fields[kind] = tuple(f.name for f in fields(value))  # type: ignore[arg-type]
            for name in names:
                self._add(h, getattr(value, name))
        else:  # anything else plain data may hold (a time zone, a set): its pickle
            h.update(pickle.dumps(value, protocol=5))
        return h.digest()

    def _add(self, h: Any, value: object) -> None:
        kind = type(value)
        if kind is str and len(value) < 256:  # type: ignore[arg-type]  # inline: most values are short
            part = value.encode("utf-8", "surrogatepass")  # type: ignore[union-attr]
        elif value is None or kind is int or kind is bool:
            part = b"N" if value is None else repr(value).encode()
        else:
            part = self.of(value)
        h.update(len(part).to_bytes(4, "little"))
        h.update(part)


def job_key(job: Job, template_key: str, fingerprints: Fingerprints) -> str:
    """The job's identity: code, templates, and the data it renders."""
    h = hashlib.blake2b(digest_size=20)
    h.update(code_version().encode())
    h.update(template_key.encode())
    h.update(job.out_path.encode())
    h.update(repr(job.templates).encode())
    h.update(fingerprints.of(job.context))
    return h.hexdigest()


def _template_error(exc: Exception, layouts: Layouts) -> BuildError:
    """Where in which template a render failed, from Jinja's rewritten traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return BuildError(exc.filename or exc.name or "template", exc.lineno, f"template: {exc.message}")
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if any(frame.filename.startswith(d) for d in layouts.dirs) or not frame.filename.endswith(".py"):
            return BuildError(frame.filename, frame.lineno or 1, f"template: {type(exc).__name__}: {exc}")
    return BuildError("layouts", 1, f"template: {type(exc).__name__}: {exc}")


def render_bytes(job: Job, layouts: Layouts) -> bytes:
    return choose(layouts, job.templates).render(**job.context).encode("utf-8")


def check(task: Task, out_dir: str, fingerprints: Fingerprints) -> Task | Outcome:
    """The task with its key worked out, and its record kept only if the file is still as recorded;
    or, when that file is what the job would render anyway, the Outcome that says so."""
    key = task.key or job_key(task.job, task.template_key, fingerprints)
    record = task.record
    if record is None:
        return replace(task, key=key)
    if task.trusted and record.job_key == key:
        return Outcome(task.job.out_path, key, record.digest, record.size, record.mtime_ns, rendered=False)
    intact = output.intact(out_dir, task.job.out_path, record.size, record.mtime_ns)
    if intact and record.job_key == key:
        return Outcome(task.job.out_path, key, record.digest, record.size, record.mtime_ns, rendered=False)
    return Task(task.job, task.template_key, key, record if intact else None)


def render_job(
    task: Task,
    layouts: Layouts,
    out_dir: str,
    stage_dir: str,
    fingerprints: Fingerprints | None = None,
    made: set[str] | None = None,
) -> Outcome:
    """Render one job, unless the output already holds what it would render. New bytes go to the
    staging folder, by output.stage_bytes; bytes equal to the output's current file are not written
    at all (so that file keeps its timestamp). ``made``: folders this worker has already made."""
    checked = check(task, out_dir, fingerprints or Fingerprints())
    if isinstance(checked, Outcome):
        return checked
    job, key = checked.job, checked.key
    try:
        data = render_bytes(job, layouts)
    except jinja2.TemplatesNotFound:
        return Outcome(
            job.out_path,
            key,
            error=BuildError(
                str(Path(layouts.dirs[0]) / job.templates[-1]),
                1,
                f"no template for {job.out_path}: looked for {', '.join(job.templates)}",
            ),
        )
    except Exception as exc:  # noqa: BLE001 - a template error is content to report, not a crash
        return Outcome(job.out_path, key, error=_template_error(exc, layouts))
    new_digest = hashlib.blake2b(data, digest_size=20).hexdigest()
    known_same = checked.record is not None and new_digest == checked.record.digest
    mtime_ns, staged = output.stage_bytes(out_dir, stage_dir, job.out_path, data, known_same, made)
    return Outcome(job.out_path, key, new_digest, len(data), mtime_ns, staged=staged)


def _render_chunk(
    tasks: list[Task],
    layouts: Layouts,
    out_dir: str,
    stage_dir: str,
    fingerprints: Fingerprints | None = None,
    made: set[str] | None = None,
) -> list[Outcome]:
    # Unpickled jobs are new objects per chunk, so a chunk has its own fingerprints: its jobs share
    # their language's Chrome and many teasers.
    fingerprints = fingerprints or Fingerprints()
    made = set() if made is None else made
    return [render_job(task, layouts, out_dir, stage_dir, fingerprints, made) for task in tasks]


# What forked workers render: set by the parent just before its pool forks, so a worker is sent two
# numbers per chunk instead of pickled jobs (pickling a page's context costs about as much as
# rendering it, and the parent doing it for every page starves the workers on two cores). The jobs
# are the same objects for the worker's whole life, so one set of fingerprints serves every chunk.
_INHERITED: tuple[list[Task], Layouts, str, str] | None = None
_WORKER: tuple[Fingerprints, set[str]] | None = None


def _render_range(start: int, stop: int) -> list[Outcome]:
    global _WORKER
    assert _INHERITED is not None, "only a forked worker of render_all renders a range"
    tasks, layouts, out_dir, stage_dir = _INHERITED
    if _WORKER is None:
        _WORKER = (Fingerprints(), set())
    return _render_chunk(tasks[start:stop], layouts, out_dir, stage_dir, *_WORKER)


@contextmanager
def _forked_pool(processes: int, inherited: tuple[list[Task], Layouts, str, str]) -> Iterator[Executor | None]:
    """Workers forked now (workers.forked), so that they hold ``inherited``; None where fork is not
    available, and the caller renders in order."""
    global _INHERITED
    _INHERITED = inherited
    try:
        with workers.forked(processes) as pool:
            yield pool
    finally:
        _INHERITED = None


def render_all(
    tasks: list[Task],
    layouts: Layouts,
    out_dir: Path,
    stage_dir: Path,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    processes: int = 1,
    parallel_from: int = 1,
    chunk: int = 48,
    in_flight: int = 8,
) -> Iterator[Outcome]:
    """Every task's outcome, rendering what changed; the bytes are the same whichever way. With
    ``executor``, tasks are checked here and only those that must render are pickled to it; else
    with ``processes`` > 1 workers forked for this call check and render them; else all runs here.
    Fewer tasks than ``parallel_from`` run here. A few chunks at a time are in flight."""
    where = (str(out_dir), str(stage_dir))
    if executor is not None:  # pickling a job costs about what rendering it does: send only those that must
        fingerprints = Fingerprints()
        checked = [check(task, where[0], fingerprints) for task in tasks]
        yield from (c for c in checked if isinstance(c, Outcome))
        tasks = [c for c in checked if isinstance(c, Task)]
        if len(tasks) >= parallel_from:
            yield from _collect(
                lambda start, stop: executor.submit(_render_chunk, tasks[start:stop], layouts, *where),
                len(tasks),
                progress,
                chunk,
                in_flight,
            )
            return
    elif processes > 1 and len(tasks) >= parallel_from:
        with _forked_pool(processes, (tasks, layouts, *where)) as forked:
            if forked is not None:
                yield from _collect(
                    lambda start, stop: forked.submit(_render_range, start, stop), len(tasks), progress, chunk, in_flight
                )
                return
    fingerprints = Fingerprints()
    made: set[str] = set()
    for done, task in enumerate(tasks, 1):
        yield render_job(task, layouts, *where, fingerprints, made)
        if progress and done % 200 == 0:
            progress(done)


def _collect(
    submit: Callable[[int, int], Future[list[Outcome]]],
    total: int,
    progress: Callable[[int], None] | None,
    chunk: int,
    in_flight: int,
) -> Iterator[Outcome]:
    pending: deque[Future[list[Outcome]]] = deque()
    done = 0
    for start in range(0, total, chunk):
        pending.append(submit(start, min(start + chunk, total)))
        while len(pending) >= in_flight or (pending and start + chunk >= total):
            outcomes = pending.popleft().result()
            done += len(outcomes)
            if progress:
                progress(done)
            yield from outcomes
