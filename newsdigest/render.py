"""Rendering jobs to bytes: ``render_job`` is pure and module-level, so any Executor can run it."""

from __future__ import annotations

import traceback
from collections.abc import Iterator
from concurrent.futures import Executor
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .errors import BuildError
from .site import Job
from .templates import environment


@dataclass(frozen=True)
class Rendered:
    out_path: str
    data: bytes = b""
    error: BuildError | None = None


def _template_error(exc: Exception, dirs: tuple[str, ...]) -> BuildError:
    """Where in which template a render failed, from Jinja's rewritten traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return BuildError(exc.filename or exc.name or "template", exc.lineno, f"template: {exc.message}")
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if any(frame.filename.startswith(d) for d in dirs) or not frame.filename.endswith(".py"):
            return BuildError(frame.filename, frame.lineno or 1, f"template: {type(exc).__name__}: {exc}")
    return BuildError("layouts", 1, f"template: {type(exc).__name__}: {exc}")


def render_job(job: Job, dirs: tuple[str, ...]) -> Rendered:
    try:
        template = environment(dirs).select_template(list(job.templates))
        return Rendered(job.out_path, template.render(**job.context).encode("utf-8"))
    except jinja2.TemplatesNotFound:
        return Rendered(job.out_path, error=BuildError(
            str(Path(dirs[0]) / job.templates[-1]), 1, f"no template for {job.out_path}: looked for {', '.join(job.templates)}"))
    except Exception as exc:  # noqa: BLE001 - a template error is content to report, not a crash
        return Rendered(job.out_path, error=_template_error(exc, dirs))


def _render_chunk(jobs: list[Job], dirs: tuple[str, ...]) -> list[Rendered]:
    return [render_job(job, dirs) for job in jobs]


def render_all(jobs: list[Job], dirs: tuple[str, ...], executor: Executor | None = None,
               chunk: int = 64) -> Iterator[Rendered]:
    """Render every job, in order. Serial without an executor; the bytes are the same either way."""
    if executor is None:
        for job in jobs:
            yield render_job(job, dirs)
        return
    chunks = [jobs[i:i + chunk] for i in range(0, len(jobs), chunk)]
    for results in executor.map(_render_chunk, chunks, [dirs] * len(chunks)):
        yield from results
