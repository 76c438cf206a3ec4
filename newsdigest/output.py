"""Writing the output so that a reader only ever sees one whole build: new bytes are staged, then put
in place by a journalled commit, one build at a time per output folder; files whose bytes did not
change are never touched (same timestamp).

- A later build stages changed files in ``.newsdigest-staging/`` inside the output folder. The commit
  first writes a journal there (atomically: a temporary name moved into place) listing every move
  and deletion, then does them. A build killed mid-commit is finished by the next build or ``check``
  (the journal is there) before anything else; one killed before is discarded (no journal, or one
  that is not whole), so the output is never left a mix of two builds for a later build to miss.
- A first build writes its whole tree beside the output folder (``.<name>.newsdigest-new``) and
  renames it into place at once: until then there is no output folder at all.
- Ctrl-C (and SIGTERM) during a commit is held until the commit is done, then raised.
- One build at a time per output folder: see lock.py.
- ``docs/trust-output.md`` says what a reader of the output can see at every moment.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
import shutil
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

STAGING = ".newsdigest-staging"
MARKER = ".commit"
FRESH = ".newsdigest-new"
# A test hook, documented in docs/trust-output.md: the commit sends itself a signal (default SIGKILL)
# at its N-th step (0: all staged, no journal yet; 1: journal written; then one step per move or deletion).
KILL_AFTER = "NEWSDIGEST_TEST_KILL_AFTER"
KILL_SIGNAL = "NEWSDIGEST_TEST_KILL_SIGNAL"
# Errors that waiting will not cure: a journal entry that meets one is skipped and reported on replay.
_PERMANENT = {
    errno.ENAMETOOLONG,
    errno.EINVAL,
    errno.ENOTDIR,
    errno.EISDIR,
    errno.ELOOP,
    errno.EEXIST,
    errno.ENOTEMPTY,
    errno.EILSEQ,
}
_holding = [False]  # signals are being held (``_signals_held`` does not nest)


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)  # new or changed bytes
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


class UnsafeOutput(Exception):
    """An output path that would land outside the output folder."""


class Interrupted(KeyboardInterrupt):
    """Ctrl-C or SIGTERM, raised where it is safe: ``committed`` when a commit it arrived in was finished first."""

    def __init__(self, signum: int = signal.SIGINT, committed: bool = False):
        super().__init__(signum, committed)
        self.signum, self.committed = signum, committed


def safe_rel(rel: str) -> str:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in rel or path.parts[0] == STAGING:
        raise UnsafeOutput(f"refusing to write outside the output folder: {rel!r}")
    return str(path)


@functools.lru_cache(maxsize=16)
def _limits(root: str) -> tuple[int, int]:
    """The file system's longest name and path (bytes) where ``root`` is, or would be made."""
    folder = root
    while folder and not os.path.isdir(folder) and os.path.dirname(folder) != folder:
        folder = os.path.dirname(folder)
    try:
        return os.pathconf(folder, "PC_NAME_MAX"), os.pathconf(folder, "PC_PATH_MAX")
    except (OSError, ValueError):
        return 255, 4096


def check_name(rel: str, root: Path | str | None = None) -> str | None:
    """Why the file system would refuse ``rel`` as a path under ``root`` — a name in it, or the whole
    path, too long — or None. Checked before anything is written: the commit must not meet it."""
    name_max, path_max = _limits(os.path.abspath(root)) if root is not None else (255, 4096)
    for part in rel.split("/"):
        size = len(part.encode("utf-8", "surrogatepass"))
        if size > name_max:
            return f"the name {part[:24]}… in its output path is {size} bytes long, more than the file system allows ({name_max})"
    full = os.path.join(os.path.abspath(root), rel) if root is not None else rel
    size = len(full.encode("utf-8", "surrogatepass"))
    if size >= path_max:
        return f"its output path is {size} bytes long, more than the file system allows ({path_max - 1})"
    return None


def staging_dir(out_dir: Path) -> Path:
    return out_dir / STAGING


def fresh_dir(out_dir: Path) -> Path:
    """Where a first build writes its tree, beside the output folder, to rename it into place whole."""
    out = out_dir.resolve()
    return out.with_name(f".{out.name}{FRESH}")


def destination(out_dir: str, stage_dir: str, rel: str) -> str:
    """Where a file's new bytes are written: its own path in a tree that will become the output
    whole (a first build, which passes that tree as both folders); else its staged name."""
    return os.path.join(out_dir, rel) if stage_dir == out_dir else staged_name(stage_dir, rel)


def staged_name(stage_dir: str, rel: str) -> str:
    """A flat name in the staging folder, made from the file's path. A tree of folders there would
    cost a mkdir per story page — as much as writing the page on some disks — only for the commit
    to make the same folders again in the output, where they mostly exist already."""
    return os.path.join(stage_dir, hashlib.blake2b(rel.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest())


def recover(out_dir: Path) -> list[str]:
    """Finish a commit that a stopped build began, or discard a build that never reached it. Returns
    the journal's entries that could not be applied (``path: reason``), which were skipped."""
    fresh = fresh_dir(out_dir)
    if fresh.is_dir() and not fresh.is_symlink():
        shutil.rmtree(fresh)  # a first build that never finished: there was no output, there is none
    stage = staging_dir(out_dir)
    if not stage.is_dir():
        return []
    problems: list[str] = []
    with _signals_held():
        plan = _read_journal(stage / MARKER)
        if plan is not None:
            problems = _apply(out_dir, plan, lambda: None, replaying=True)
        _finish(stage)
    return problems


def unfinished(out_dir: Path) -> bool:
    """Whether a commit was stopped half-way (its journal is there): the output holds part of it."""
    return (staging_dir(out_dir) / MARKER).is_file()


def begin(out_dir: Path) -> tuple[Path, bool]:
    """Where new files go, and whether the output folder existed before: a fresh tree beside it on a
    first build (see ``fresh_dir``); later builds, a fresh staging folder inside it."""
    recover(out_dir)
    if not out_dir.is_dir():
        fresh = fresh_dir(out_dir)
        fresh.mkdir(parents=True)
        return fresh, False
    stage = staging_dir(out_dir)
    stage.mkdir()
    return stage, True


def abandon(out_dir: Path, existed: bool) -> None:
    """Leave the output exactly as it was before ``begin`` — unless the commit had begun: then its
    journal stays, and the next build finishes it (some files are in place already)."""
    with _signals_held():
        if not existed:
            shutil.rmtree(fresh_dir(out_dir), ignore_errors=True)
        elif not unfinished(out_dir):
            shutil.rmtree(staging_dir(out_dir), ignore_errors=True)


def same_bytes(source: Path, current: Path, data: bytes | None = None) -> bool:
    data = source.read_bytes() if data is None else data
    try:
        return current.stat().st_size == len(data) and current.read_bytes() == data
    except OSError:
        return False


def stage_copy(source: Path, rel: str, out_dir: Path, stage_dir: Path, data: bytes | None = None) -> bool:
    """Stage a static file when its bytes differ from the output's; True when staged. ``data``: its
    bytes, read already (as the build reads site files: sitefiles.read_bytes)."""
    data = source.read_bytes() if data is None else data
    if same_bytes(source, out_dir / rel, data):
        return False
    target = Path(destination(str(out_dir), str(stage_dir), rel))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return True


def intact(out_dir: str, rel: str, size: int, mtime_ns: int) -> bool:
    """Whether the output's file at ``rel`` is still as a record says the last build left it."""
    try:
        stat = os.stat(os.path.join(out_dir, rel))
    except OSError:
        return False
    return stat.st_size == size and stat.st_mtime_ns == mtime_ns


def stage_bytes(
    out_dir: str, stage_dir: str, rel: str, data: bytes, known_same: bool = False, made: set[str] | None = None
) -> tuple[int, bool]:
    """Stage a rendered file (in a worker, too) unless the output's current file holds these bytes
    already (``known_same``: its record says so), which then keeps its timestamp. Returns the file's
    mtime and whether it was staged. ``made``: folders this worker has already made (a mkdir costs as
    much as writing a page on some disks, even when it fails)."""
    current = os.path.join(out_dir, rel)
    if known_same or _same_file(current, data):
        try:
            return os.stat(current).st_mtime_ns, False
        except OSError:
            pass  # gone since we looked: write it
    staged = destination(out_dir, stage_dir, rel)
    folder = os.path.dirname(staged)
    if made is None or folder not in made:
        os.makedirs(folder, exist_ok=True)
        if made is not None:
            made.add(folder)
    with open(staged, "wb") as handle:
        handle.write(data)
    return os.stat(staged).st_mtime_ns, True


def _same_file(path: str, data: bytes) -> bool:
    try:
        if os.path.getsize(path) != len(data):
            return False
        with open(path, "rb") as handle:
            return handle.read() == data
    except OSError:
        return False


def existing_files(out_dir: Path) -> set[str]:
    """Every file in the output folder now (the staging folder aside)."""
    found: set[str] = set()
    for root, dirs, files in os.walk(out_dir):
        if root == str(out_dir):
            dirs[:] = [d for d in dirs if d != STAGING]
        base = os.path.relpath(root, out_dir)
        for name in files:
            found.add(name if base == "." else f"{base}/{name}")
    return {f.replace(os.sep, "/") for f in found}


def commit(out_dir: Path, stage: Path, staged: list[str], keep: set[str], present: set[str] | None = None) -> list[str]:
    """Put the build in place: a first build's tree renamed whole; else staged files moved into place
    and every file the build did not produce deleted. ``present``: the files known to be in the folder
    (what the last build of this process produced), which spares a walk over the whole folder."""
    step = _test_hook()
    if stage != staging_dir(out_dir):  # a first build (see ``begin``)
        step()
        with _signals_held():
            os.replace(stage, out_dir)  # over nothing, or over an empty folder made since
            step()
        return []
    stale = sorted((existing_files(out_dir) if present is None else present) - keep)
    plan = {"staged": staged, "stale": stale}
    step()
    with _signals_held():
        _write_journal(stage, plan)
        step()
        _apply(out_dir, plan, step, replaying=False)
        _finish(stage)
    return stale


def _write_journal(stage: Path, plan: dict[str, list[str]]) -> None:
    """The journal, whole or not at all: written under a temporary name, flushed, moved into place."""
    temporary = stage / f"{MARKER}.tmp"
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(plan, handle, ensure_ascii=False)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, stage / MARKER)
    folder = os.open(stage, os.O_RDONLY)
    try:
        os.fsync(folder)
    finally:
        os.close(folder)


def _read_journal(path: Path) -> dict[str, list[str]] | None:
    """The journal, or None when there is none or it is not whole (empty, cut short, garbled): the
    commit it would describe never started, since a journal is moved into place only once written."""
    try:
        plan = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return None
    except ValueError:  # not JSON, or not UTF-8
        return None
    if not isinstance(plan, dict):
        return None
    staged, stale = plan.get("staged"), plan.get("stale")
    if not isinstance(staged, list) or not isinstance(stale, list):
        return None
    if not all(isinstance(rel, str) for rel in staged + stale):
        return None
    return {"staged": staged, "stale": stale}


def _finish(stage: Path) -> None:
    """The commit is done: its journal goes first (a stop after this leaves only discardable files)."""
    (stage / MARKER).unlink(missing_ok=True)
    shutil.rmtree(stage, ignore_errors=True)


def _apply(out_dir: Path, plan: dict[str, list[str]], step: Callable[[], None], replaying: bool) -> list[str]:
    """Do the journal's moves and deletions; each may have been done already by the commit that
    was stopped. Replaying, an entry that cannot be applied for good is skipped and reported (a
    journal must never wedge every later build); a fault that may pass (a full disk) is raised."""
    stage = str(staging_dir(out_dir))
    ready: set[str] = set()  # folders known to exist
    problems: list[str] = []
    for kind, entries in (("staged", plan["staged"]), ("stale", plan["stale"])):
        for rel in entries:
            try:
                rel = safe_rel(rel)
                if kind == "stale":
                    _delete(out_dir, rel)
                else:
                    problem = check_name(rel, out_dir)
                    if problem:
                        raise UnsafeOutput(problem)
                    _move(stage, str(out_dir), rel, ready)
            except (OSError, UnsafeOutput) as exc:
                if not replaying or (isinstance(exc, OSError) and exc.errno not in _PERMANENT):
                    raise
                problems.append(f"{rel}: {exc.strerror if isinstance(exc, OSError) else exc}")
            step()
    return problems


def _move(stage: str, out_dir: str, rel: str, ready: set[str]) -> None:
    target = os.path.join(out_dir, rel)
    folder = os.path.dirname(target)
    if folder not in ready:
        _make_folder(out_dir, folder)
        ready.add(folder)
    source = staged_name(stage, rel)
    try:
        os.replace(source, target)
    except FileNotFoundError:
        if os.path.lexists(source):
            raise
        return  # moved already by the commit that was stopped
    except IsADirectoryError:  # a folder where a file must now be
        shutil.rmtree(target)
        os.replace(source, target)


def _make_folder(out_dir: str, folder: str) -> None:
    """``folder`` made inside the output; a file or link on the way (an older build's) goes."""
    if os.path.isdir(folder) and not os.path.islink(folder):
        return
    current = out_dir
    for part in os.path.relpath(folder, out_dir).split(os.sep):
        current = os.path.join(current, part)
        if os.path.islink(current) or (os.path.lexists(current) and not os.path.isdir(current)):
            os.unlink(current)
        if not os.path.isdir(current):
            os.mkdir(current)


def _delete(out_dir: Path, rel: str) -> None:
    path = out_dir / rel
    if path.is_symlink() or path.is_file():
        path.unlink(missing_ok=True)
    parent = path.parent
    while parent != out_dir and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


@contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C and SIGTERM wait until the block is done, then are raised as ``Interrupted``: a commit
    is finished rather than left half-way. (Signals reach only the main thread; elsewhere, no-op.)"""
    if threading.current_thread() is not threading.main_thread() or _holding[0]:
        yield
        return
    caught: list[int] = []
    kept = {sig: signal.signal(sig, lambda signum, frame: caught.append(signum)) for sig in (signal.SIGINT, signal.SIGTERM)}
    _holding[0] = True
    try:
        yield
    finally:
        _holding[0] = False
        for sig, handler in kept.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
    if caught:
        raise Interrupted(caught[0], committed=True)


def _test_hook() -> Callable[[], None]:
    """The fault-injection hook (``NEWSDIGEST_TEST_KILL_AFTER``): a no-op unless the variable is set."""
    value = os.environ.get(KILL_AFTER, "")
    if not value.isdigit():
        return lambda: None
    limit, steps = int(value), [0]
    signum = getattr(signal, f"SIG{os.environ.get(KILL_SIGNAL, 'KILL').upper()}", signal.SIGKILL)

    def step() -> None:
        if steps[0] == limit:
            os.kill(os.getpid(), signum)
        steps[0] += 1

    return step
