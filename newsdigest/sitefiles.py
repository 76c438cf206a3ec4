"""The site's files: which paths the build may read (regular files inside the site), listing and reading them.

A newsroom's folders are written by many hands, and the build runs on machines that hold secrets.
So a symbolic link is followed only when it ends inside the site (see ``Fence``), a FIFO, socket or
device is an error naming it and is never opened for reading, and a folder that cannot be listed is
an error, not a silently empty section. See docs/trust-files.md.
"""

from __future__ import annotations

import errno
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError

_KINDS = {
    stat.S_IFIFO: "a FIFO",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFDIR: "a folder",
    stat.S_IFLNK: "a symbolic link",
}
_OPEN = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


class NotASiteFile(Exception):
    """A path the build refuses to read; the message says why, e.g. ``is not a regular file (a FIFO)``."""


class TooLarge(NotASiteFile):
    """A file over the size its caller allows: refused before a byte is read (an 8 GiB "story")."""

    def __init__(self, size: int):
        super().__init__(f"is {size:,} bytes")
        self.size = size


@dataclass(frozen=True)
class Fence:
    """Where the site's files may really be. A symbolic link may point anywhere below one of
    ``roots`` (real paths) that is neither hidden there (``.git/`` with a CI token in its config,
    the cache holding embargoed drafts) nor inside ``outside`` (the output folder)."""

    roots: tuple[str, ...]
    outside: tuple[str, ...] = ()
    name: str = "the site's files"  # as messages say where a refused link should have ended

    @classmethod
    def templates(cls, dirs: tuple[str, ...]) -> Fence:
        """The template folders (the site's ``layouts/``, the project's): a link there ends there."""
        return cls(tuple(os.path.realpath(d) for d in dirs), (), "the template folders")

    @classmethod
    def of(cls, site_dir: Path, out_dir: Path, *extra: Path) -> Fence:
        """The site folder and its input folders (each may itself be a link, put there by whoever set
        the site up), plus ``extra`` (the project's own layouts)."""
        folders = [site_dir, *(site_dir / name for name in ("content", "static", "layouts")), *extra]
        return cls(tuple(dict.fromkeys(os.path.realpath(f) for f in folders)), (os.path.realpath(out_dir),))

    def admits(self, real: str) -> bool:
        if any(_within(real, other) for other in self.outside):
            return False
        for root in self.roots:
            if _within(real, root) and not any(part.startswith(".") for part in real[len(root) :].split(os.sep)):
                return True
        return False


def _within(path: str, root: str) -> bool:
    return path == root or path.startswith(root.rstrip(os.sep) + os.sep)


def shown(path: Path) -> str:
    """A path as messages show it: relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def kind(mode: int) -> str:
    return _KINDS.get(stat.S_IFMT(mode), "not a file of a known kind")


def inspect(path: str, fence: Fence) -> tuple[str, os.stat_result]:
    """The real path and status of a site file or folder; raises NotASiteFile for anything else.
    A link is judged by where it ends, before that is even looked at."""
    try:
        status = os.lstat(path)
    except OSError as exc:
        raise NotASiteFile(f"cannot be read: {exc.strerror or exc}") from exc
    real = path
    if stat.S_ISLNK(status.st_mode):
        real = os.path.realpath(path)
        if not fence.admits(real):
            raise NotASiteFile(f"is a symbolic link to {real}, outside {fence.name}")
        try:
            status = os.stat(path)
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise NotASiteFile("is a symbolic link that loops (it never reaches a file)") from exc
            raise NotASiteFile(f"is a symbolic link to {real}, which does not exist") from exc
    if not (stat.S_ISREG(status.st_mode) or stat.S_ISDIR(status.st_mode)):
        raise NotASiteFile(f"is not a regular file ({kind(status.st_mode)})")
    return real, status


def check(path: Path, fence: Fence) -> str | None:
    """Why a single site file (``site.yaml``) may not be read, or None: it is fine, or absent."""
    if not os.path.lexists(path):
        return None
    try:
        _, status = inspect(str(path), fence)
    except NotASiteFile as exc:
        return str(exc)
    return None if stat.S_ISREG(status.st_mode) else f"is not a regular file ({kind(status.st_mode)})"


def walk(top: Path, shown: str, fence: Fence) -> tuple[list[str], list[BuildError]]:
    """Every regular file below ``top`` (relative, POSIX, sorted; hidden names skipped), and an error,
    ``<shown>/<path>:1: …``, for each entry that is no site file or folder, or cannot be listed.
    Links to folders are followed inside the fence, each folder once; one to a folder it is in is an error."""
    files: list[str] = []
    errors: list[BuildError] = []
    linked: dict[str, str] = {}  # a folder's real path -> the link it was first read through
    if not os.path.isdir(top):
        return files, errors
    pending: list[tuple[str, str, tuple[str, ...]]] = [("", str(top), (os.path.realpath(top),))]
    while pending:
        rel, folder, ancestors = pending.pop()
        try:
            with os.scandir(folder) as listing:
                entries = sorted(listing, key=lambda e: e.name)
        except OSError as exc:
            errors.append(BuildError(f"{shown}/{rel}" if rel else shown, 1, f"this folder cannot be read: {exc.strerror or exc}"))
            continue
        below: list[tuple[str, str, tuple[str, ...]]] = []
        for entry in entries:
            if entry.name.startswith("."):
                continue
            child = f"{rel}/{entry.name}" if rel else entry.name
            if entry.is_file(follow_symlinks=False):  # the common case, told by the listing itself
                files.append(child)
                continue
            if entry.is_dir(follow_symlinks=False):  # a real folder: its real path is its parent's and its name
                below.append((child, entry.path, (*ancestors, os.path.join(ancestors[-1], entry.name))))
                continue
            try:
                real, status = inspect(entry.path, fence)
            except NotASiteFile as exc:
                errors.append(BuildError(f"{shown}/{child}", 1, str(exc)))
                continue
            if stat.S_ISREG(status.st_mode):
                files.append(child)
            elif real in ancestors:
                errors.append(BuildError(f"{shown}/{child}", 1, "is a symbolic link to a folder it is in (a loop)"))
            elif real in linked:  # links between folders could otherwise make the walk exponential
                errors.append(
                    BuildError(
                        f"{shown}/{child}", 1, f"is a symbolic link to a folder already read through {shown}/{linked[real]}"
                    )
                )
            else:
                linked[real] = child
                below.append((child, entry.path, (*ancestors, real)))
        pending.extend(reversed(below))  # depth first, in name order
    return sorted(files), errors


def read_bytes(path: str | Path, fence: Fence, limit: int | None = None) -> bytes:
    """A site file's bytes; raises NotASiteFile (TooLarge past ``limit``), or FileNotFoundError when it
    has gone. It is opened
    without following a link (a link is judged first) and without waiting for a writer, and only
    then asked what it is: a FIFO or a device swapped in after the listing is never read."""
    try:
        fd = os.open(path, _OPEN)
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            if isinstance(exc, FileNotFoundError):
                raise
            raise NotASiteFile(f"cannot be read: {exc.strerror or exc}") from exc
        real, _ = inspect(str(path), fence)
        try:
            fd = os.open(real, _OPEN)
        except OSError as again:
            raise NotASiteFile(f"cannot be read: {again.strerror or again}") from again
    with os.fdopen(fd, "rb") as opened:
        try:
            status = os.fstat(fd)
            if not stat.S_ISREG(status.st_mode):
                raise NotASiteFile(f"is not a regular file ({kind(status.st_mode)})")
            if limit is not None and status.st_size > limit:
                raise TooLarge(status.st_size)
            data = opened.read() if limit is None else opened.read(limit + 1)
            if limit is not None and len(data) > limit:  # grown since fstat
                raise TooLarge(len(data))
            return data
        except OSError as exc:
            raise NotASiteFile(f"cannot be read: {exc.strerror or exc}") from exc
