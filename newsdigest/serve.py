"""Live preview: ``python build.py serve`` — the preview's life cycle, and its builds.

Build (drafts and scheduled stories included), serve the result on localhost with the standard
library's threaded HTTP server (preview_http.py), watch the site's sources with watchdog (watch.py)
and, on every save, call the same ``pipeline.build()`` as ``python build.py build``; then tell the
open tabs over server-sent events which files changed, and the tabs showing one of them reload. The
reload script is added to HTML responses as they are sent, never to the files on disk.

Four kinds of thread: the HTTP server's (one daemon per request; a tab's event stream is one of
them), watchdog's (it only records changed paths), the search index's (Pagefind, after a build),
and the caller's, which runs every build — so Ctrl-C stops a build where it stands: one stopped
before its commit discards what it had staged, and one in its commit finishes it first (output.py
holds Ctrl-C for that long). Ctrl-C is raised only inside a build; anywhere else in the loop it
only asks the loop to stop (see ``Preview.on_signal``).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import TextIO

from . import search, workers
from .errors import ContentErrors, UsageError
from .memory import Memory
from .output import Interrupted
from .pipeline import Options, Result, build
from .preview_http import EVENTS_PATH, PortInUse, bind, handler_class, inject
from .templates import layout_dirs
from .watch import SOURCE_DIRS, Changes, Watcher, is_editor_debris, story_files
from .wording import plural

__all__ = ["EVENTS_PATH", "Changes", "Preview", "PortInUse", "inject", "is_editor_debris", "serve"]
_story_files = story_files  # the name the tests know

PREVIEW_DIR = ".preview"  # inside the site folder: never the deployable output/
DEFAULT_PORT = 8000
PORT_TRIES = 20  # without --port: 8000, else the next free one up to 8019
PROGRESS_SECONDS = 3.0  # a long build says where it is this often
POOL_FROM_FILES = 200  # content files from which rendering goes through a long-lived process pool
INDEXED = "(search index)"  # what the watcher is handed when the search index is ready to copy
INDEX_STOP_SECONDS = 5.0  # close() waits this long for the index thread once its Pagefind is stopped
MAX_CHANGED_LISTED = 500  # beyond this many changed files, every tab reloads
PAGE_SUFFIXES = (".html", ".xml", ".txt", ".json")  # a change to any other file (a style sheet) reloads every tab
HISTORY = 100  # builds remembered, so a tab that reconnects learns what changed meanwhile
BUILD_ATTEMPTS = 3  # a file may vanish between discovery and reading: build again at once


@dataclass(frozen=True)
class Outcome:
    """What one build left for the browser."""

    generation: int
    errors: tuple[str, ...] = ()  # ``path:line: message``; empty when the build worked
    changed: frozenset[str] | None = frozenset()  # URL paths of changed files; None: every tab reloads


def _ignore_sigint() -> None:
    """Pool workers leave Ctrl-C to the main process, which stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Preview:
    """The server, the watcher and the builds of one ``serve`` session.

    ``open()`` binds the port and starts the server and the watcher; ``run(stop)`` builds, then builds
    again after every burst of changes until ``stop`` is set; ``close()`` stops everything."""

    def __init__(
        self,
        site_dir: Path,
        *,
        host: str = "127.0.0.1",
        port: int | None = None,
        output_dir: Path | None = None,
        jobs: int = 1,
        quiet: bool = False,
        now: datetime | None = None,
    ):
        self.site_dir = site_dir.resolve()
        self.host = host
        self.port_asked = port
        self.output_dir = (output_dir or self.site_dir / PREVIEW_DIR).resolve()
        self.jobs = jobs
        self.quiet = quiet
        self.now = now  # the builds' moment; None: the clock at each build
        self.session = f"{os.getpid():x}{time.time_ns():x}"
        self.port = 0
        self.url = ""
        self.options: Options | None = None
        self.ready = threading.Event()  # the first build is over (worked or not)
        self._idle = threading.Event()  # no build is running
        self._cond = threading.Condition()
        self._history: list[Outcome] = [Outcome(0, (), None)]
        self._closing = False
        self._building = False  # pipeline.build is running: the one place Ctrl-C is raised (on_signal)
        self.interrupted = 0  # the signal (Ctrl-C, SIGTERM) that stopped the loop; 0: none
        self._pool: ProcessPoolExecutor | None = None
        self.memory = Memory.lasting()  # what one build leaves for the next: a save costs what it touches
        self._server: ThreadingHTTPServer | None = None
        self._watcher: Watcher | None = None
        self._index_cond = threading.Condition()  # the search index, made in a thread (see _index_later)
        self._index_next: tuple[search.Later, Path, int] | None = None  # the newest request, its number
        self._index_thread: threading.Thread | None = None
        self._pagefind: subprocess.Popen[str] | None = None  # the index thread's Pagefind, for close() to stop
        self._index_asked = self._index_made = self._index_copied = 0  # requests, made, in the output

    # -- life cycle --------------------------------------------------------------------------

    def open(self) -> None:
        """Bind the port, then start the process pool (big sites), the server and the watcher."""
        self._server = self._bind()
        self.port = self._server.server_address[1]
        url_host = (
            "127.0.0.1"
            if self.host in ("", "0.0.0.0")
            else "[::1]"
            if self.host == "::"
            else (f"[{self.host}]" if ":" in self.host else self.host)
        )
        self.url = f"http://{url_host}:{self.port}/"
        self.options = Options(
            site_dir=self.site_dir,
            output_dir=self.output_dir,
            base_url=self.url,
            drafts=True,
            future=True,
            jobs=self.jobs,
            now=self.now,
            search_index=False,
        )
        if self.jobs > 1 and self._count_sources() >= POOL_FROM_FILES:
            self._pool = self._start_pool()  # before any thread of ours exists: its workers are forked
        else:  # and never later: forking a process with threads running can deadlock the child
            self.options = replace(self.options, jobs=1)
        threading.Thread(target=self._server.serve_forever, args=(0.1,), name="preview-http", daemon=True).start()
        theme = [Path(d) for d in layout_dirs(self.site_dir)]  # the project's layouts/ too (its static/ is inside)
        self._watcher = Watcher(self.site_dir, [self.site_dir / name for name in SOURCE_DIRS] + theme)
        self._watcher.start()

    def run(self) -> None:
        """Build, then build again after every burst of changes, until ``stop()``."""
        assert self._watcher is not None, "open() first"
        self.say(f"Serving {self.site_dir} at {self.url} (drafts and scheduled stories included and marked)")
        self.rebuild([])
        self.ready.set()
        self.say("Watching content/, layouts/, static/ and site.yaml. Ctrl-C to stop.")
        while changed := self._watcher.changes.take():
            self.rebuild(changed)

    def stop(self) -> None:
        """Make ``run`` return once the build in progress (if any) is over; for a caller in another thread."""
        if self._watcher is not None:
            self._watcher.changes.stop()

    def on_signal(self, signum: int, frame: object) -> None:
        """``serve``'s handler of Ctrl-C and SIGTERM: raised only inside ``pipeline.build``, which
        cleans up after it; anywhere else the loop is only asked to stop. Raised at any other point,
        it may come between a threading lock's acquire and its release (inside Event.set, or as a
        ``with`` block's exit begins), leave the lock held, and close() then waits for it for ever.
        Recorded first, so that the loop also stops if the exception is lost (one raised inside a
        finalizer is only printed)."""
        self.interrupted = signum
        self.stop()
        if self._building:
            raise Interrupted(signum)

    def close(self) -> None:
        """Stop the watcher, end every event stream, stop the server and the pool. Safe to call twice."""
        self.stop()
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._stop_indexing()
        self._idle.set()
        self.ready.set()  # a request still waiting for the first build is answered, not left to block close
        if self._watcher is not None:
            self._watcher.stop()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _bind(self) -> ThreadingHTTPServer:
        asked = [self.port_asked] if self.port_asked is not None else None
        server = bind(self.host, asked or range(DEFAULT_PORT, DEFAULT_PORT + PORT_TRIES), handler_class(self), not asked)
        if asked is None and server.server_address[1] != DEFAULT_PORT:
            self.say(f"Port {DEFAULT_PORT} is in use; using port {server.server_address[1]} instead.")
        return server

    def _count_sources(self) -> int:
        content = self.site_dir / "content"
        return sum(1 for _ in content.rglob("*.md")) if content.is_dir() else 0

    def _start_pool(self) -> ProcessPoolExecutor:
        # forked: the workers inherit the imported modules (workers.pool says why that matters).
        pool = workers.pool(self.jobs, fork=True, initializer=_ignore_sigint)
        pool.submit(os.getpid).result()  # a fork pool starts every worker on its first task
        return pool

    # -- builds ------------------------------------------------------------------------------

    def rebuild(self, sources: list[str]) -> Outcome:
        """One build through ``pipeline.build``; its outcome goes to the terminal and the open tabs."""
        was_failing = self.outcome.generation > 0 and bool(self.outcome.errors)
        self._idle.clear()
        started = time.perf_counter()
        indexed = INDEXED in sources  # the search index made after an earlier build is ready to copy
        sources = [s for s in sources if s != INDEXED]
        self.memory.changed = story_files(sources) if sources or not indexed else set()
        try:
            result, errors = self._build()
        finally:
            self._idle.set()
        if result is not None and result.index_later is not None:
            with self._index_cond:
                self._index_asked += 1  # before the tabs hear of the build: wait_indexed waits for its index
                asked = self._index_asked
        outcome = self._publish(errors, result)
        if sources or not indexed or errors:  # a build that only copied the search index says nothing
            self._report(sources, was_failing, time.perf_counter() - started, result, errors)
        if result is not None and result.index_later is not None:
            self._index_later(result.index_later, asked)
        if indexed:
            with self._index_cond:
                self._index_copied = self._index_made
                self._index_cond.notify_all()
        return outcome

    def _report(
        self, sources: list[str], was_failing: bool, seconds: float, result: Result | None, errors: tuple[str, ...]
    ) -> None:
        head = "Built" if not sources else f"{_what_changed(sources)} → {'fixed, ' if was_failing else ''}rebuilt"
        if errors:
            head = "Build" if not sources else _what_changed(sources) + " →"
            print(f"{head} {plural(len(errors), 'error')} in {seconds:.2f} s (the browser shows them too):", file=sys.stderr)
            print("\n".join(errors), file=sys.stderr, flush=True)
        elif result is not None and result.write is not None:
            written = result.write.written
            listed = ", ".join(written[:3]) + (f" and {len(written) - 3} more" if len(written) > 3 else "")
            self.say(
                f"{head} in {seconds:.2f} s ({plural(sum(result.stories.values()), 'story')}): "
                f"parsed {len(result.parsed)}, rendered {len(result.rendered)}, "
                f"wrote {len(written)}{f' ({listed})' if written else ''}, {len(result.write.unchanged)} unchanged"
            )
            for warning in result.warnings:  # all of them at first, then those of the files just saved
                if not sources or any(warning.path.endswith(source) for source in sources):
                    print(warning.shown("warning: "), file=sys.stderr)

    def _index_later(self, later: search.Later, number: int) -> None:
        """Make the search index of the pages just built in a thread of its own, from a snapshot of
        them (hard links), once the tabs have been told to reload: neither this save's page nor the
        next save waits for Pagefind. When it is made, the next build copies it into the output (the
        watcher is handed INDEXED); no tab reloads for it. A newer request replaces one not begun."""
        try:
            tree = search.snapshot(Path(later.home), dict(later.pages))
        except OSError as exc:  # a page replaced while it was linked: the next save asks again
            print(f"warning: the search index was not made: {exc}", file=sys.stderr)
            return
        with self._index_cond:
            if self._index_next is not None:
                shutil.rmtree(self._index_next[1], ignore_errors=True)
            self._index_next = (later, tree, number)
            if self._index_thread is None:
                self._index_thread = threading.Thread(target=self._indexer, name="search-index", daemon=True)
                self._index_thread.start()

    def wait_indexed(self, timeout: float) -> bool:
        """Wait until the output holds the search index of the newest pages asked for (for tests)."""
        with self._index_cond:
            return self._index_cond.wait_for(lambda: self._index_copied >= self._index_asked, timeout)

    def _pagefind_started(self, process: subprocess.Popen[str]) -> None:
        with self._index_cond:
            self._pagefind = process
        if self._closing:  # close() came before Pagefind: it found nothing to stop
            process.kill()

    def _stop_indexing(self) -> None:
        """Stop Pagefind (the server's process never leaves it running, writing into the cache) and
        wait for the index thread to clean up; a snapshot not begun is deleted."""
        with self._index_cond:
            thread, pagefind, waiting = self._index_thread, self._pagefind, self._index_next
            self._index_next = None
        if waiting is not None:
            shutil.rmtree(waiting[1], ignore_errors=True)
        if pagefind is not None:
            pagefind.kill()
        if thread is not None:
            thread.join(INDEX_STOP_SECONDS)

    def _indexer(self) -> None:
        while True:
            with self._index_cond:
                if self._index_next is None:
                    self._index_thread = None
                    return
                (later, tree, asked), self._index_next = self._index_next, None
            try:
                search.make(later, tree, self._pagefind_started)
            except Exception as exc:  # noqa: BLE001 - the last index stays; the next save tries again
                if not self._closing:  # else close() stopped Pagefind
                    print(f"warning: the search index was not made: {exc}", file=sys.stderr)
            with self._index_cond:
                self._pagefind = None
                self._index_made = asked
            if self._watcher is not None:
                self._watcher.changes.add(INDEXED)

    def _build(self) -> tuple[Result | None, tuple[str, ...]]:
        """``pipeline.build`` with the preview's options; a content error, a vanished file or even a
        bug comes back as error lines, never as an exception that would stop the server."""
        assert self.options is not None, "open() first"
        for attempt in range(1, BUILD_ATTEMPTS + 1):
            try:
                return self._pipeline(), ()
            except ContentErrors as exc:
                return None, tuple(str(e) for e in exc.errors)
            except UsageError as exc:
                return None, (f"{self.site_dir}:1: {exc}",)
            except BrokenProcessPool:
                self._pool = None  # a worker died: go on without the pool, in this process
                self.options = replace(self.options, jobs=1)
            except OSError as exc:  # a file vanished (or was being replaced) between listing and reading
                if attempt == BUILD_ATTEMPTS:
                    return None, (f"{exc.filename or self.site_dir}:1: cannot read: {exc.strerror or exc}",)
            except Exception as exc:  # noqa: BLE001 - a bug must not stop the preview; show it instead
                traceback.print_exc()
                return None, (f"{self.site_dir}:1: the build crashed: {type(exc).__name__}: {exc}",)
        return None, (f"{self.site_dir}:1: the build's process pool keeps failing",)

    def _pipeline(self) -> Result:
        """``pipeline.build``: while it runs, Ctrl-C is raised (see on_signal)."""
        assert self.options is not None, "open() first"
        self._building = True
        try:
            if self.interrupted:  # Ctrl-C came after the loop took the changes: no build
                raise Interrupted(self.interrupted)
            return build(self.options, executor=self._pool, progress=self._progress(), memory=self.memory)
        finally:
            self._building = False

    def _progress(self) -> Callable[[str, int, int], None] | None:
        """For a long build (the first one of a big site): where it is, every few seconds."""
        if self.quiet:
            return None
        last = time.monotonic()

        def report(stage: str, done: int, total: int) -> None:
            nonlocal last
            if time.monotonic() - last >= PROGRESS_SECONDS:
                last = time.monotonic()
                print(f"  … {stage} {done}/{total}", flush=True)

        return report

    def _publish(self, errors: tuple[str, ...], result: Result | None) -> Outcome:
        """Record the build's outcome and wake every tab's event stream."""
        with self._cond:
            previous = self._history[-1]
            changed: frozenset[str] | None = None  # an error page, or one fixed, or a style change: all reload
            if not errors and not previous.errors and result is not None and result.write is not None:
                # The search index's files are shown by no tab: a new index reloads none.
                written = [p for p in result.write.written if not p.startswith(search.BUNDLE + "/")]
                if len(written) <= MAX_CHANGED_LISTED and all(p.endswith(PAGE_SUFFIXES) for p in written):
                    changed = frozenset("/" + p for p in written)
            outcome = Outcome(previous.generation + 1, errors, changed)
            self._history = (self._history + [outcome])[-HISTORY:]
            self._cond.notify_all()
        return outcome

    def say(self, text: str, stream: TextIO | None = None) -> None:
        if not self.quiet:
            print(text, file=stream or sys.stdout, flush=True)

    # -- what the HTTP threads ask -----------------------------------------------------------

    @property
    def outcome(self) -> Outcome:
        with self._cond:
            return self._history[-1]

    def wait_idle(self, timeout: float) -> bool:
        """Wait for the build in progress, if any; True when there was one."""
        if self._idle.is_set():
            return False
        self._idle.wait(timeout)
        return True

    def news_since(self, generation: int, timeout: float) -> tuple[int, frozenset[str] | None] | None:
        """Wait for a build newer than ``generation``: its number and the URL paths changed since
        (None: reload in any case). None when nothing happened within ``timeout``. Raises EOFError
        when the preview is closing."""
        with self._cond:
            self._cond.wait_for(lambda: self._closing or self._history[-1].generation > generation, timeout)
            if self._closing:
                raise EOFError
            latest = self._history[-1]
            if latest.generation <= generation:
                return None
            newer = [o for o in self._history if o.generation > generation]
            if newer[0].generation != generation + 1 or any(o.changed is None for o in newer):
                return latest.generation, None
            return latest.generation, frozenset().union(*(o.changed for o in newer if o.changed is not None))


def _what_changed(sources: list[str]) -> str:
    return sources[0] + (f" and {len(sources) - 1} more" if len(sources) > 1 else "")


def serve(site_dir: Path, *, host: str = "127.0.0.1", port: int | None = None, jobs: int = 1, quiet: bool = False) -> int:
    """``python build.py serve``: run until Ctrl-C. Exit status 0, or 2 when the port cannot be had."""
    if not (site_dir / "content").is_dir():
        print(f"build.py: error: {site_dir}: not a site folder (it has no content/ folder)", file=sys.stderr)
        return 2
    preview = Preview(site_dir, host=host, port=port, jobs=jobs, quiet=quiet)
    try:
        preview.open()
    except PortInUse as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        preview.close()
        return 2
    kept = _handle_signals(preview.on_signal)
    stopping = False
    try:
        preview.run()  # returns when on_signal stopped it; raises when it stopped a build
        stopping = bool(preview.interrupted)
    except KeyboardInterrupt:
        stopping = True
    finally:
        if stopping:
            preview.say("\nStopping…")
        preview.close()
        for sig, handler in kept.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
    preview.say("Stopped.")
    return 0


def _handle_signals(handler: Callable[[int, object], None]) -> dict[int, object]:
    """Ctrl-C and SIGTERM to ``handler`` (the previous handlers, to restore), in the main thread only.
    A signal ignored from the start stays ignored (Ctrl-C, for a server run in the background)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    kept = {}
    for sig in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(sig) is not signal.SIG_IGN:
            kept[sig] = signal.signal(sig, handler)
    return kept
