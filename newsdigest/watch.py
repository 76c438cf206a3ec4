"""Which source files changed: watchdog's events, filtered and gathered a burst at a time."""

from __future__ import annotations

import contextlib
import logging
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

QUIET_SECONDS = 0.03  # a burst of events ends after this long without one...
BURST_SECONDS = 0.5  # ...or this long after it began, whichever comes first
# Editors write these around a save (vim, emacs, JetBrains, Kate, VS Code, MS Office, backups).
EDITOR_DEBRIS_SUFFIXES = (
    "~",
    ".swp",
    ".swo",
    ".swx",
    ".swpx",
    ".tmp",
    ".temp",
    ".bak",
    ".orig",
    ".crswap",
    ".kate-swp",
    "___jb_tmp___",
    "___jb_old___",
)
WATCHED_EVENTS = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileDeletedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirMovedEvent,
    DirDeletedEvent,
]  # not opens and reads: builds read every file
SOURCE_DIRS = ("content", "layouts", "static")


def is_editor_debris(name: str) -> bool:
    """Swap, backup, lock and temporary files that editors write around a save; also hidden files,
    which the build ignores anyway. ``4913`` is the file vim writes to test that a folder is writable."""
    return name.startswith((".", "#", "~$")) or name.endswith(EDITOR_DEBRIS_SUFFIXES) or name == "4913"


class Changes(FileSystemEventHandler):
    """Collects the source paths that matter, from watchdog's thread; the build loop takes them a burst
    at a time."""

    def __init__(self, site_dir: Path, roots: Iterable[Path], on_folder: Callable[[Path, bool], None]):
        self.site_dir = site_dir
        self.roots = tuple(roots)
        self.on_folder = on_folder  # content/, layouts/ or static/ appeared (True) or went (False)
        self._cond = threading.Condition()
        self._paths: dict[str, None] = {}  # an ordered set
        self._last = 0.0
        self._stopping = False

    def on_any_event(self, event: FileSystemEvent) -> None:
        if not isinstance(event, tuple(WATCHED_EVENTS)):
            return
        for raw, appeared in ((event.src_path, event.event_type == "created"), (getattr(event, "dest_path", ""), True)):
            path = Path(os.fsdecode(raw)) if raw else None
            if path is None:
                continue
            if event.is_directory and path.parent == self.site_dir and path.name in SOURCE_DIRS:
                self.on_folder(path, appeared)
            shown = self.matters(path)
            if shown:
                with self._cond:
                    self._paths[shown] = None
                    self._last = time.monotonic()
                    self._cond.notify_all()

    def matters(self, path: Path) -> str | None:
        """The path as the terminal shows it when a change to it needs a build, else None."""
        if path == self.site_dir / "site.yaml":
            return "site.yaml"
        for root in self.roots:
            if path == root or path.is_relative_to(root):
                parts = path.relative_to(root).parts
                if any(is_editor_debris(part) for part in parts):
                    return None
                return _shown(path, self.site_dir)
        return None

    def take(self) -> list[str]:
        """Wait for a change, then for its burst to settle; the changed paths ([] when stopping)."""
        with self._cond:
            while not self._paths and not self._stopping:
                self._cond.wait(1.0)
            first = time.monotonic()
            while not self._stopping:
                now = time.monotonic()
                left = min(self._last + QUIET_SECONDS - now, first + BURST_SECONDS - now)
                if left <= 0:
                    break
                self._cond.wait(left)
            if self._stopping:
                return []
            paths, self._paths = list(self._paths), {}
            return paths

    def add(self, name: str) -> None:
        """Hand ``take`` a change that no file event reports (the preview's finished search index)."""
        with self._cond:
            self._paths[name] = None
            self._last = time.monotonic() - QUIET_SECONDS
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopping = True
            self._cond.notify_all()


def _shown(path: Path, site_dir: Path) -> str:
    try:
        return path.relative_to(site_dir).as_posix()
    except ValueError:
        return str(path)


def _drop_stop_race(record: logging.LogRecord) -> bool:
    return "called when the thread is inactive" not in record.getMessage()


class Watcher:
    """watchdog watching the site folder (for ``site.yaml`` and the source folders coming and going)
    and each source folder that exists, feeding one ``Changes``; inotify, else polling."""

    def __init__(self, site_dir: Path, roots: Iterable[Path]):
        self.site_dir = site_dir
        self.changes = Changes(site_dir, dict.fromkeys(r.resolve() for r in roots), self._folder_changed)
        self._observer: BaseObserver | None = None
        self._watched: dict[Path, ObservedWatch] = {}

    def start(self) -> None:
        try:
            self._start(Observer())
        except OSError as exc:  # typically inotify's limit on watches (ENOSPC)
            print(f"warning: cannot watch with inotify ({exc.strerror or exc}); polling for changes instead", file=sys.stderr)
            self._start(PollingObserver(timeout=0.25))

    def _start(self, observer: BaseObserver) -> None:
        self._observer, self._watched = observer, {}
        observer.schedule(self.changes, str(self.site_dir), recursive=False, event_filter=WATCHED_EVENTS)
        for root in self.changes.roots:
            self.watch(root)
        observer.start()

    def watch(self, root: Path) -> None:
        """Watch one source folder, once it exists (``layouts/`` may be made while serving)."""
        if root in self._watched or not root.is_dir() or self._observer is None:
            return
        self._watched[root] = self._observer.schedule(self.changes, str(root), recursive=True, event_filter=WATCHED_EVENTS)

    def _folder_changed(self, root: Path, appeared: bool) -> None:
        if appeared:
            self.watch(root)
            return
        watch = self._watched.pop(root, None)
        if watch is not None and self._observer is not None:
            with contextlib.suppress(KeyError, OSError):  # it may be gone with its folder already
                self._observer.unschedule(watch)

    def stop(self) -> None:
        """Stop gathering (``take`` returns []) and stop watchdog's threads. Safe to call twice."""
        self.changes.stop()
        if self._observer is not None:
            # watchdog logs a harmless race when a watch thread is stopped mid-read; keep Ctrl-C quiet
            logging.getLogger("watchdog.observers.inotify").addFilter(_drop_stop_race)
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None


def story_files(sources: list[str]) -> set[str] | None:
    """The changed sources as paths under ``content/`` when all of them are story files; else None,
    and the build looks at every file (a folder, a template, settings or a picture changed)."""
    prefix = "content/"
    if not all(source.startswith(prefix) and source.endswith(".md") for source in sources):
        return None
    return {source[len(prefix) :] for source in sources}
