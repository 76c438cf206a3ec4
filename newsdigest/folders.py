"""The site and output folders a build may use: what it refuses, the lock on the output, and a
stopped build's commit finished (or undone) before anything is read; the faults it names."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from . import lock, output
from .cache import CACHE_DIR
from .errors import BuildError, ContentErrors, UsageError, shown_path
from .options import Options

Progress = Callable[[str, int, int], None]  # (stage, done, total)


def check_site_dir(options: Options) -> None:
    content = options.site_dir / "content"
    if not content.is_dir():
        raise UsageError(f"{shown_path(options.site_dir)}: not a site folder (it has no content/ folder)")
    out = options.out.resolve()
    site = options.site_dir.resolve()
    if out == site or out in site.parents:
        raise UsageError(f"--output {shown_path(options.out)} would replace the site itself")
    for protected in (site / "content", site / "layouts", site / "static", site / CACHE_DIR):
        if out.is_relative_to(protected):
            raise UsageError(f"--output {shown_path(options.out)} is inside {shown_path(protected)}")


def _check_output_dir(options: Options) -> None:
    """A build makes its output folder exactly the site, deleting whatever else is there: refuse a
    folder that holds files but no earlier build (``--output ~/Documents`` must not empty it), and
    an output that is a file, or lies under one."""
    out = options.out
    above = out
    while not above.is_dir() and above.parent != above:
        if above.exists() or above.is_symlink():
            what = "is a file" if above == out else f"is inside {shown_path(above)}, which is a file"
            raise UsageError(f"--output {shown_path(out)} {what}, not a folder")
        above = above.parent
    if not out.is_dir() or not any(out.iterdir()):
        return
    if not any((out / name).exists() for name in ("sitemap.xml", "404.html", output.STAGING)):
        raise UsageError(f"--output {shown_path(out)} holds files that are not a build of a site; choose an empty or new folder")


@contextmanager
def output_held(options: Options, progress: Progress | None = None, checking: bool = False) -> Iterator[list[BuildError]]:
    """The output folder locked for this build (or check), and whatever a stopped build left in it
    finished or undone first — before any content is read, so that no later build can say "left as
    it was" over a mix of two builds. Yields the journal entries that could not be applied."""
    check_site_dir(options)
    if not checking:
        _check_output_dir(options)
    out = options.out
    waiting = (lambda pid: progress("wait", pid, 0)) if progress else None
    try:
        with lock.locked(options.site_dir / CACHE_DIR, out, waiting):
            try:
                skipped = output.recover(out)
            except OSError as exc:
                raise output_fault(out, exc) from exc
            yield [
                BuildError(
                    shown_path(out / entry.split(": ", 1)[0]),
                    1,
                    f"a stopped build's commit could not put this file in place: {entry.split(': ', 1)[-1]}",
                )
                for entry in skipped
            ]
    except lock.OutputBusy as exc:
        holder = f" (process {exc.pid})" if exc.pid else ""
        raise UsageError(
            f"another build into {shown_path(out)} is running{holder}; waited {exc.waited:g} s for it "
            "(NEWSDIGEST_LOCK_WAIT sets how long): try again when it has finished"
        ) from None


def output_fault(out: Path, exc: OSError) -> UsageError:
    """A fault of the output folder (read-only, full, not ours to write): exit 2, saying what it holds."""
    state = "holds part of this build: the next build finishes it" if output.unfinished(out) else "was left as it was"
    return UsageError(f"{shown_path(out)}: cannot write the output: {exc.strerror or exc}; {shown_path(out)} {state}")


def write_fault(options: Options, exc: OSError) -> Exception:
    """An OSError met while staging or committing: a site file that cannot be read (exit 1, naming
    it), or else the output folder's fault (exit 2)."""
    if exc.filename:
        path = Path(os.fsdecode(exc.filename)).resolve()
        out = options.out.resolve()
        if not (path.is_relative_to(out) or path.is_relative_to(output.fresh_dir(out))):
            return ContentErrors([BuildError(shown_path(path), 1, f"cannot be read: {exc.strerror or exc}")])
    return output_fault(options.out, exc)
