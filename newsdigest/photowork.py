"""The photo stage's files: the memo of pictures read, making copies into the cache (in the build's
worker processes), and staging them into the output.

A picture is read (hashed and its header inspected) once per version of its file: its size, time,
digest and header are kept in ``.newsdigest-cache/images/index.json``. Every made file is named by
the key of the picture's bytes and the copy it is, so an unchanged picture is never decoded again.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable
from concurrent.futures import Executor
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from . import images, output
from .cache import OutputRecord
from .errors import BuildError
from .images import Inspected, PictureError
from .sitefiles import Fence, NotASiteFile, read_bytes

if TYPE_CHECKING:
    from .photos import Photos, Work

SETTLED_NS = 2_000_000_000  # a file changed this recently may change again within its clock's tick


class Index:
    """Each picture file's size, time, digest and header, so an unchanged file is not read again."""

    def __init__(self, root: Path, fence: Fence | None = None):
        self.root = root
        self.fence = fence
        self.path = root / "index.json"
        try:
            self.entries: dict[str, list] = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        self.changed = False
        self.started = time.time_ns()

    def read(self, source: str) -> tuple[str, Inspected]:
        """The picture's digest and header; PictureError (or OSError) when it is none."""
        stat = os.stat(source)
        known = self.entries.get(source)
        if known and known[:2] == [stat.st_size, stat.st_mtime_ns]:
            if known[3] == "error":
                raise PictureError(known[4])
            return known[2], Inspected(*known[3:])
        data = _read(source, self.fence)
        digest = hashlib.blake2b(data, digest_size=20).hexdigest()
        settled = stat.st_mtime_ns < self.started - SETTLED_NS
        try:
            info = images.inspect(data)
        except PictureError as exc:
            if settled:
                self._put(source, [stat.st_size, stat.st_mtime_ns, digest, "error", str(exc)])
            raise
        if settled:
            self._put(
                source,
                [stat.st_size, stat.st_mtime_ns, digest, info.format, info.width, info.height, info.orientation, info.alpha],
            )
        return digest, info

    def _put(self, source: str, entry: list) -> None:
        self.entries[source] = entry
        self.changed = True

    def save(self, current: Iterable[str]) -> None:
        keep = set(current)
        if not self.changed and keep >= self.entries.keys():
            return
        entries = {k: v for k, v in self.entries.items() if k in keep}
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(f".{os.getpid()}.tmp")
            temporary.write_text(json.dumps(entries), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            pass  # only a memo: the next build reads the pictures again


def _read(source: str, fence: Fence | None) -> bytes:
    """A picture's bytes, read as every site file is (no FIFO, device or link out of the site)."""
    return read_bytes(source, fence) if fence is not None else Path(source).read_bytes()


def _write_atomically(path: str, data: bytes) -> None:
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "wb") as handle:
        handle.write(data)
    os.replace(temporary, path)  # a file in the cache is complete, or not there


def make_one(work: Work) -> tuple[str, str]:
    """Make one picture's missing files into the cache: (source, "" or what went wrong). Runs in a
    worker process: it reads the picture itself rather than being sent its bytes."""
    try:
        data = _read(work.source, work.fence)
    except NotASiteFile as exc:
        return work.source, str(exc)
    except OSError as exc:
        return work.source, f"cannot be read ({exc.strerror})"
    if hashlib.blake2b(data, digest_size=20).hexdigest() != work.digest:
        return work.source, "changed while the site was being built (build again)"
    try:
        made = images.make(data, work.info, work.copies)
    except PictureError as exc:
        return work.source, str(exc)
    for copy, file in zip(work.copies, work.files, strict=True):
        _write_atomically(file, made[copy.variant])
    return work.source, ""


def make_all(photos: Photos, executor: Executor | None) -> tuple[list[str], list[BuildError]]:
    """Make every missing file, in the executor's workers when there is more than one picture to
    make: the sources made, and an error naming each story that shows a picture that failed."""
    work = photos.work()
    if executor is not None and len(work) > 1:
        results = list(executor.map(make_one, work, chunksize=1))
    else:
        results = [make_one(item) for item in work]
    failed = {photos.read[source][0]: problem for source, problem in results if problem}
    errors = []
    for source in sorted(photos.wanted):  # a failure names the stories of every path with those bytes
        problem = failed.get(photos.read[source][0])
        if problem:
            for path, line, src in photos.users.get(source) or [(source, 1, PurePosixPath(source).name)]:
                errors.append(BuildError(path, line, f"picture '{src}' {problem}"))
    return [source for source, _ in results], errors


def stage(
    photos: Photos, out_dir: Path, stage_dir: Path, records: dict[str, OutputRecord]
) -> tuple[list[str], list[str], dict[str, OutputRecord]]:
    """Put each output file whose bytes changed into the staging folder: (staged, unchanged, their
    records). A file the last build wrote, still as it was written, is not read again."""
    staged: list[str] = []
    unchanged: list[str] = []
    kept: dict[str, OutputRecord] = {}
    for rel, file in sorted(photos.outputs.items()):
        key = PurePosixPath(file).stem
        target = out_dir / rel
        record = records.get(rel)
        if record is not None and record.job_key == key:
            try:
                stat = os.stat(target)
                if (stat.st_size, stat.st_mtime_ns) == (record.size, record.mtime_ns):
                    unchanged.append(rel)
                    kept[rel] = record
                    continue
            except OSError:
                pass
        data = Path(file).read_bytes()
        if output.same_bytes(Path(file), target, data):
            unchanged.append(rel)
            written = str(target)
        else:
            written = output.destination(str(out_dir), str(stage_dir), rel)
            _write_atomically(written, data)
            staged.append(rel)
        stat = os.stat(written)
        kept[rel] = OutputRecord(key, key, stat.st_size, stat.st_mtime_ns)
    return staged, unchanged, kept
