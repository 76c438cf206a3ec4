"""Writing: new bytes are staged inside the output folder and moved into place only once the whole
build has succeeded; files whose bytes did not change are never touched (same timestamp).

The commit is journalled: a marker in the staging folder lists what the commit will delete. A build
killed mid-commit is finished by the next build (the marker is there) and one killed before it is
discarded (no marker), so the output is never left a mix of two builds.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

STAGING = ".newsdigest-staging"
MARKER = ".commit"


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)  # new or changed bytes
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


class UnsafeOutput(Exception):
    """An output path that would land outside the output folder."""


def safe_rel(rel: str) -> str:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in rel or path.parts[0] == STAGING:
        raise UnsafeOutput(f"refusing to write outside the output folder: {rel!r}")
    return str(path)


def staging_dir(out_dir: Path) -> Path:
    return out_dir / STAGING


def destination(out_dir: str, stage_dir: str, rel: str) -> str:
    """Where a file's new bytes are written: its own path on a first build, which writes straight
    into the output folder (``begin`` said so by returning that folder); else its staged name."""
    return os.path.join(out_dir, rel) if stage_dir == out_dir else staged_name(stage_dir, rel)


def staged_name(stage_dir: str, rel: str) -> str:
    """A flat name in the staging folder, made from the file's path. A tree of folders there would
    cost a mkdir per story page — as much as writing the page on some disks — only for the commit
    to make the same folders again in the output, where they mostly exist already."""
    return os.path.join(stage_dir, hashlib.blake2b(rel.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest())


def recover(out_dir: Path) -> None:
    """Finish a commit that a killed build began, or discard a build that never reached it."""
    stage = staging_dir(out_dir)
    if not stage.is_dir():
        return
    marker = stage / MARKER
    if marker.is_file():
        _commit(out_dir, json.loads(marker.read_text(encoding="utf-8")))
    shutil.rmtree(stage, ignore_errors=True)


def begin(out_dir: Path) -> tuple[Path, bool]:
    """Where new files go, and whether the output folder existed before. A first build writes
    straight into the new folder (there is no previous build to keep, and a failure removes it);
    later builds write into a fresh staging folder inside it."""
    existed = out_dir.is_dir()
    recover(out_dir)
    if not existed:
        out_dir.mkdir(parents=True)
        return out_dir, existed
    stage = staging_dir(out_dir)
    stage.mkdir(parents=True)
    return stage, existed


def abandon(out_dir: Path, existed: bool) -> None:
    """Leave the output exactly as it was before ``begin`` — unless the commit had begun: then its
    journal stays, and the next build finishes it (some files are in place already)."""
    if not existed:
        shutil.rmtree(out_dir, ignore_errors=True)
    elif not (staging_dir(out_dir) / MARKER).is_file():
        shutil.rmtree(staging_dir(out_dir), ignore_errors=True)


def same_bytes(source: Path, current: Path, data: bytes | None = None) -> bool:
    data = source.read_bytes() if data is None else data
    try:
        return current.stat().st_size == len(data) and current.read_bytes() == data
    except OSError:
        return False


def stage_copy(source: Path, rel: str, out_dir: Path) -> bool:
    """Stage a static file when its bytes differ from the output's; True when staged."""
    data = source.read_bytes()
    if same_bytes(source, out_dir / rel, data):
        return False
    stage = staging_dir(out_dir)
    target = Path(destination(str(out_dir), str(stage if stage.is_dir() else out_dir), rel))
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return True


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


def commit(out_dir: Path, staged: list[str], keep: set[str], present: set[str] | None = None) -> list[str]:
    """Move staged files into place and delete every file the build did not produce. ``present``:
    the files known to be in the folder (what the last build of this process produced), which
    spares a walk over the whole folder."""
    stage = staging_dir(out_dir)
    if not stage.is_dir():  # a first build wrote in place (see ``begin``)
        return []
    stale = sorted((existing_files(out_dir) if present is None else present) - keep)
    plan = {"staged": staged, "stale": stale}
    (stage / MARKER).write_text(json.dumps(plan), encoding="utf-8")
    _commit(out_dir, plan)
    shutil.rmtree(stage, ignore_errors=True)
    return stale


def _commit(out_dir: Path, plan: dict[str, list[str]]) -> None:
    stage = str(staging_dir(out_dir))
    ready: set[str] = set()  # folders known to exist
    for rel in plan["staged"]:
        target = os.path.join(out_dir, rel)
        folder = os.path.dirname(target)
        if folder not in ready:
            if os.path.isfile(folder):  # a file where a folder must now be
                os.unlink(folder)
            if not os.path.isdir(folder):
                os.makedirs(folder)
            ready.add(folder)
        try:
            os.replace(staged_name(stage, rel), target)
        except FileNotFoundError:  # moved already by the commit that was interrupted
            continue
        except IsADirectoryError:  # a folder where a file must now be
            shutil.rmtree(target)
            os.replace(staged_name(stage, rel), target)
    for rel in plan["stale"]:
        path = out_dir / rel
        if path.is_file() or path.is_symlink():
            path.unlink()
        parent = path.parent
        while parent != out_dir and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
