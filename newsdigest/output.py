"""Writing: a staging tree swapped in whole, unchanged files kept (same bytes, same timestamp).

Nothing is written outside the output folder and its staging sibling, which is renamed into place.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .render import Rendered
from .site import Asset


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)  # new or changed bytes
    unchanged: list[str] = field(default_factory=list)
    removed: int = 0


class UnsafeOutput(Exception):
    """An output path that would land outside the output folder."""


def _safe_rel(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel)
    if path.is_absolute() or ".." in path.parts or not path.parts or "\\" in rel:
        raise UnsafeOutput(f"refusing to write outside the output folder: {rel!r}")
    return path


def staging_dir(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.staging"


def _old_dir(out_dir: Path) -> Path:
    return out_dir.parent / f".{out_dir.name}.previous"


def recover(out_dir: Path) -> None:
    """Undo what a build killed during the swap left behind: put the previous tree back."""
    old = _old_dir(out_dir)
    if old.is_dir() and not out_dir.exists():
        old.rename(out_dir)
    for leftover in (staging_dir(out_dir), old):
        if leftover.exists():
            shutil.rmtree(leftover)


def _place(target: Path, previous: Path, data: bytes | None, source: Path | None) -> bool:
    """Put one file in the staging tree; True when its bytes differ from the previous build's.
    An unchanged file is hard-linked from the previous tree, so it keeps its timestamp."""
    target.parent.mkdir(parents=True, exist_ok=True)
    if previous.is_file():
        same = (data if data is not None else source.read_bytes()) == previous.read_bytes()  # type: ignore[union-attr]
        if same:
            try:
                os.link(previous, target)
            except OSError:
                shutil.copy2(previous, target)
            return False
    if data is not None:
        target.write_bytes(data)
    else:
        shutil.copyfile(source, target)  # type: ignore[arg-type]
    return True


def write(rendered: Iterable[Rendered], assets: Iterable[Asset], out_dir: Path) -> WriteResult:
    """Write a whole new tree beside ``out_dir`` and swap it in; the old tree goes at the end."""
    recover(out_dir)
    stage = staging_dir(out_dir)
    stage.mkdir(parents=True)
    result = WriteResult()
    seen: set[str] = set()
    try:
        for item in rendered:
            rel = _safe_rel(item.out_path)
            seen.add(str(rel))
            changed = _place(stage / rel, out_dir / rel, item.data, None)
            (result.written if changed else result.unchanged).append(str(rel))
        for asset in assets:
            rel = _safe_rel(asset.out_path)
            if str(rel) in seen:  # a rendered page wins over a static file of the same name
                continue
            seen.add(str(rel))
            changed = _place(stage / rel, out_dir / rel, None, Path(asset.source))
            (result.written if changed else result.unchanged).append(str(rel))
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    if out_dir.exists():
        result.removed = sum(1 for p in out_dir.rglob("*")
                             if p.is_file() and p.relative_to(out_dir).as_posix() not in seen)
        old = _old_dir(out_dir)
        out_dir.rename(old)
        stage.rename(out_dir)
        shutil.rmtree(old)
    else:
        stage.rename(out_dir)
    return result
