"""Live preview: ``python build.py serve``.

Build (drafts and scheduled stories included), serve the result on localhost with the standard
library's threaded HTTP server, watch the site's sources with watchdog and, on every save, call the
same ``pipeline.build()`` as ``python build.py build``; then tell the open tabs over server-sent events
which files changed, and the tabs showing one of them reload. The reload script is added to HTML
responses as they are sent, never to the files on disk.

Three kinds of thread: the HTTP server's (one daemon per request; a tab's event stream is one of
them), watchdog's (it only records changed paths), and the caller's, which runs every build — so
Ctrl-C interrupts a build where it stands, and the build discards what it had staged.
"""

from __future__ import annotations

import contextlib
import errno
import html
import io
import ipaddress
import json
import logging
import os
import signal
import socket
import sys
import threading
import time
import traceback
import unicodedata
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from datetime import datetime
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

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

from . import workers
from .errors import ContentErrors, UsageError
from .memo import Memo
from .pipeline import Options, Result, build
from .templates import layout_dirs
from .wording import plural

PREVIEW_DIR = ".preview"  # inside the site folder: never the deployable output/
DEFAULT_PORT = 8000
PORT_TRIES = 20  # without --port: 8000, else the next free one up to 8019
EVENTS_PATH = "/__newsdigest/events"
QUIET_SECONDS = 0.03  # a burst of events ends after this long without one...
BURST_SECONDS = 0.5  # ...or this long after it began, whichever comes first
PROGRESS_SECONDS = 3.0  # a long build says where it is this often
PING_SECONDS = 15.0  # an idle event stream sends a comment this often, to notice closed tabs
HEAD_SECONDS = 10.0  # a client has this long to send its request line and headers
IDLE_SECONDS = 30.0  # a client socket on which nothing moves for this long is closed (beats PING_SECONDS)
FIRST_BUILD_WAIT = 300.0  # how long a request waits for a build that is swapping the tree in
POOL_FROM_FILES = 200  # content files from which rendering goes through a long-lived process pool
MAX_CHANGED_LISTED = 500  # beyond this many changed files, every tab reloads
PAGE_SUFFIXES = (".html", ".xml", ".txt", ".json")  # a change to any other file (a style sheet) reloads every tab
HISTORY = 100  # builds remembered, so a tab that reconnects learns what changed meanwhile
BUILD_ATTEMPTS = 3  # a file may vanish between discovery and reading: build again at once

# Editors write these around a save (vim, emacs, JetBrains, Kate, VS Code, MS Office, backups).
EDITOR_DEBRIS_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".swpx", ".tmp", ".temp", ".bak", ".orig", ".crswap",
                          ".kate-swp", "___jb_tmp___", "___jb_old___")
WATCHED_EVENTS = [FileCreatedEvent, FileModifiedEvent, FileMovedEvent, FileDeletedEvent, FileClosedEvent,
                  DirCreatedEvent, DirMovedEvent, DirDeletedEvent]  # not opens and reads: builds read every file
SOURCE_DIRS = ("content", "layouts", "static")
HTML = "text/html; charset=utf-8"


class PortInUse(Exception):
    """The port asked for is taken (or not ours to take)."""


def is_editor_debris(name: str) -> bool:
    """Swap, backup, lock and temporary files that editors write around a save; also hidden files,
    which the build ignores anyway. ``4913`` is the file vim writes to test that a folder is writable."""
    return name.startswith((".", "#", "~$")) or name.endswith(EDITOR_DEBRIS_SUFFIXES) or name == "4913"


@dataclass(frozen=True)
class Outcome:
    """What one build left for the browser."""

    generation: int
    errors: tuple[str, ...] = ()  # ``path:line: message``; empty when the build worked
    changed: frozenset[str] | None = frozenset()  # URL paths of changed files; None: every tab reloads


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
        for raw, appeared in ((event.src_path, event.event_type == "created"),
                              (getattr(event, "dest_path", ""), True)):
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


def _ignore_sigint() -> None:
    """Pool workers leave Ctrl-C to the main process, which stops them."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


class Preview:
    """The server, the watcher and the builds of one ``serve`` session.

    ``open()`` binds the port and starts the server and the watcher; ``run(stop)`` builds, then builds
    again after every burst of changes until ``stop`` is set; ``close()`` stops everything."""

    def __init__(self, site_dir: Path, *, host: str = "127.0.0.1", port: int | None = None,
                 output_dir: Path | None = None, jobs: int = 1, quiet: bool = False,
                 now: datetime | None = None):
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
        self._pool: ProcessPoolExecutor | None = None
        self._memo = Memo()  # what one build leaves for the next: a save costs what it touches
        self._server: ThreadingHTTPServer | None = None
        self._observer: BaseObserver | None = None
        self._changes: Changes | None = None
        self._watched: dict[Path, ObservedWatch] = {}

    # -- life cycle --------------------------------------------------------------------------

    def open(self) -> None:
        """Bind the port, then start the process pool (big sites), the server and the watcher."""
        self._server = self._bind()
        self.port = self._server.server_address[1]
        url_host = "127.0.0.1" if self.host in ("", "0.0.0.0") else "[::1]" if self.host == "::" else (
            f"[{self.host}]" if ":" in self.host else self.host)
        self.url = f"http://{url_host}:{self.port}/"
        self.options = Options(site_dir=self.site_dir, output_dir=self.output_dir, base_url=self.url,
                               drafts=True, future=True, jobs=self.jobs, now=self.now)
        if self.jobs > 1 and self._count_sources() >= POOL_FROM_FILES:
            self._pool = self._start_pool()  # before any thread of ours exists: its workers are forked
        else:  # and never later: forking a process with threads running can deadlock the child
            self.options = replace(self.options, jobs=1)
        threading.Thread(target=self._server.serve_forever, args=(0.1,), name="preview-http", daemon=True).start()
        theme = [Path(d) for d in layout_dirs(self.site_dir)]  # the project's layouts/ too (its static/ is inside)
        roots = [self.site_dir / name for name in SOURCE_DIRS] + theme
        self._changes = Changes(self.site_dir, dict.fromkeys(r.resolve() for r in roots), self._folder_changed)
        try:
            self._start_watching(Observer())
        except OSError as exc:  # typically inotify's limit on watches (ENOSPC)
            print(f"warning: cannot watch with inotify ({exc.strerror or exc}); polling for changes instead",
                  file=sys.stderr)
            self._start_watching(PollingObserver(timeout=0.25))

    def _start_watching(self, observer: BaseObserver) -> None:
        assert self._changes is not None
        self._observer, self._watched = observer, {}
        observer.schedule(self._changes, str(self.site_dir), recursive=False, event_filter=WATCHED_EVENTS)
        for root in self._changes.roots:
            self.watch(root)
        observer.start()

    def watch(self, root: Path) -> None:
        """Watch one source folder, once it exists (``layouts/`` may be made while serving)."""
        if root in self._watched or not root.is_dir() or self._observer is None or self._changes is None:
            return
        self._watched[root] = self._observer.schedule(self._changes, str(root), recursive=True,
                                                      event_filter=WATCHED_EVENTS)

    def _folder_changed(self, root: Path, appeared: bool) -> None:
        if appeared:
            self.watch(root)
            return
        watch = self._watched.pop(root, None)
        if watch is not None and self._observer is not None:
            with contextlib.suppress(KeyError, OSError):  # it may be gone with its folder already
                self._observer.unschedule(watch)

    def run(self) -> None:
        """Build, then build again after every burst of changes, until ``stop()``."""
        assert self._changes is not None, "open() first"
        self.say(f"Serving {self.site_dir} at {self.url} (drafts and scheduled stories included and marked)")
        self.rebuild([])
        self.ready.set()
        self.say("Watching content/, layouts/, static/ and site.yaml. Ctrl-C to stop.")
        while changed := self._changes.take():
            self.rebuild(changed)

    def stop(self) -> None:
        """Make ``run`` return once the build in progress (if any) is over; for a caller in another thread."""
        if self._changes is not None:
            self._changes.stop()

    def close(self) -> None:
        """Stop the watcher, end every event stream, stop the server and the pool. Safe to call twice."""
        self.stop()
        with self._cond:
            self._closing = True
            self._cond.notify_all()
        self._idle.set()
        if self._observer is not None:
            # watchdog logs a harmless race when a watch thread is stopped mid-read; keep Ctrl-C quiet
            logging.getLogger("watchdog.observers.inotify").addFilter(_drop_stop_race)
            self._observer.stop()
            self._observer.join(timeout=5)
            self._observer = None
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def _bind(self) -> ThreadingHTTPServer:
        ports = [self.port_asked] if self.port_asked is not None else range(DEFAULT_PORT, DEFAULT_PORT + PORT_TRIES)
        handler = _handler_class(self)
        server_class = _Server6 if ":" in self.host else _Server
        for port in ports:
            try:
                server = server_class((self.host, port), handler)
            except OSError as exc:
                if exc.errno == errno.EADDRINUSE and self.port_asked is None and port < ports[-1]:
                    continue
                where = f"port {port} on {self.host}"
                if exc.errno == errno.EADDRINUSE:
                    hint = "another server (another serve?) is using it; stop it, or choose one with --port N"
                    if self.port_asked is None:
                        hint = f"so are ports {DEFAULT_PORT}-{port}; choose a free one with --port N"
                    raise PortInUse(f"{where} is already in use: {hint}") from None
                if exc.errno == errno.EACCES:
                    raise PortInUse(f"{where}: not allowed (ports below 1024 need privileges); "
                                    "choose another with --port N") from None
                raise PortInUse(f"cannot listen on {where}: {exc.strerror or exc}") from None
            if self.port_asked is None and port != DEFAULT_PORT:
                self.say(f"Port {DEFAULT_PORT} is in use; using port {port} instead.")
            return server
        raise AssertionError("unreachable")

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
        self._memo.changed = _story_files(sources)
        try:
            result, errors = self._build()
        finally:
            self._idle.set()
        seconds = time.perf_counter() - started
        outcome = self._publish(errors, result)
        head = "Built" if not sources else f"{_what_changed(sources)} → {'fixed, ' if was_failing else ''}rebuilt"
        if errors:
            head = "Build" if not sources else _what_changed(sources) + " →"
            print(f"{head} {plural(len(errors), 'error')} in {seconds:.2f} s (the browser shows them too):", file=sys.stderr)
            print("\n".join(errors), file=sys.stderr, flush=True)
        elif result is not None and result.write is not None:
            written = result.write.written
            listed = ", ".join(written[:3]) + (f" and {len(written) - 3} more" if len(written) > 3 else "")
            self.say(f"{head} in {seconds:.2f} s ({plural(sum(result.stories.values()), 'story')}): "
                     f"parsed {len(result.parsed)}, rendered {len(result.rendered)}, "
                     f"wrote {len(written)}{f' ({listed})' if written else ''}, {len(result.write.unchanged)} unchanged")
            for warning in result.warnings:  # all of them at first, then those of the files just saved
                if not sources or any(warning.path.endswith(source) for source in sources):
                    print(warning.shown("warning: "), file=sys.stderr)
        return outcome

    def _build(self) -> tuple[Result | None, tuple[str, ...]]:
        """``pipeline.build`` with the preview's options; a content error, a vanished file or even a
        bug comes back as error lines, never as an exception that would stop the server."""
        assert self.options is not None, "open() first"
        for attempt in range(1, BUILD_ATTEMPTS + 1):
            try:
                return build(self.options, executor=self._pool, progress=self._progress(), memo=self._memo), ()
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
                written = result.write.written
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


def _story_files(sources: list[str]) -> set[str] | None:
    """The changed sources as paths under ``content/`` when all of them are story files; else None,
    and the build looks at every file (a folder, a template, settings or a picture changed)."""
    prefix = "content/"
    if not all(source.startswith(prefix) and source.endswith(".md") for source in sources):
        return None
    return {source[len(prefix):] for source in sources}


def _what_changed(sources: list[str]) -> str:
    return sources[0] + (f" and {len(sources) - 1} more" if len(sources) > 1 else "")


# -- HTTP ------------------------------------------------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds up shutdown
    request_queue_size = 64


class _Server6(_Server):
    address_family = socket.AF_INET6


def reload_script(preview: Preview, generation: int, error_page: bool = False) -> bytes:
    """The script added before ``</body>``: listen for builds; reload when this page's file changed,
    when the server restarted, or (on the error page) after any build."""
    return (
        "<script>(() => {"
        f"const session = {json.dumps(preview.session)}, errorPage = {json.dumps(error_page)};"
        "const here = decodeURIComponent(location.pathname).replace(/\\/$/, '/index.html');"
        f"const events = new EventSource({json.dumps(EVENTS_PATH)} + '?session=' + session + '&since={generation}');"
        "events.addEventListener('reload', (event) => {"
        "const news = JSON.parse(event.data);"
        "if (errorPage || news.session !== session || news.changed === null || news.changed.includes(here)) {"
        "events.close(); location.reload(); }"
        "});"
        "})();</script>\n"
    ).encode()


def inject(page: bytes, script: bytes) -> bytes:
    """The page with ``script`` just before its last ``</body>`` (at the end when it has none)."""
    index = page.lower().rfind(b"</body>")
    return page[:index] + script + page[index:] if index >= 0 else page + script


def error_page(errors: tuple[str, ...]) -> bytes:
    items = "\n".join(html.escape(line) for line in errors)
    return f"""<!DOCTYPE html>
<html lang="vi">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lỗi dựng trang · Build error</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; }}
h1 {{ color: #a1001a; font-size: 1.4rem; }}
pre {{ background: #fff3f3; border-left: 4px solid #a1001a; padding: 1rem; white-space: pre-wrap;
      overflow-wrap: anywhere; }}
</style>
</head>
<body>
<h1 id="newsdigest-build-error">Trang chưa dựng được · The site does not build ({plural(len(errors), 'error')})</h1>
<p lang="vi">Sửa lỗi rồi lưu tệp: trang này tự tải lại.</p>
<p lang="en">Fix them and save: this page reloads by itself.</p>
<pre>{items}</pre>
</body>
</html>
""".encode()


def _handler_class(preview: Preview) -> type[SimpleHTTPRequestHandler]:
    class Handler(_PreviewHandler):
        pass

    Handler.preview = preview
    return Handler


class _HeadDeadline(io.RawIOBase):
    """A client socket's reads, all within one deadline until it is lifted: a client sending its
    request a byte at a time (slowloris) holds a thread for ``HEAD_SECONDS`` at most, not for ever."""

    def __init__(self, inner: io.BufferedIOBase, sock: socket.socket):
        super().__init__()
        self.inner, self.sock = inner, sock
        self.deadline: float | None = time.monotonic() + HEAD_SECONDS

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self.deadline is not None:
            left = self.deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError("the request's head took too long to arrive")
            self.sock.settimeout(min(left, IDLE_SECONDS))
        data = self.inner.read1(len(buffer))
        buffer[:len(data)] = data
        return len(data)

    def lift(self) -> None:
        """The head is read: from now on only the idle time-out applies."""
        self.deadline = None
        self.sock.settimeout(IDLE_SECONDS)

    def close(self) -> None:
        self.inner.close()
        super().close()


def host_allowed(host: str | None, bound: str) -> bool:
    """Whether a request's ``Host`` header names this machine: ``localhost`` or a loopback address,
    on any port, or the address the preview was told to listen on. A page of another site that
    points its own name at 127.0.0.1 (DNS rebinding) sends that name, and is refused. No header
    at all (an HTTP/1.0 client, never a browser) is allowed."""
    if host is None:
        return True
    try:
        parts = urlsplit("//" + host.strip())
        name, _ = parts.hostname, parts.port  # .port raises on a port that is not a number
    except ValueError:
        return False
    if not name or parts.username is not None or parts.password is not None or parts.path:
        return False
    bound = bound.strip("[]").lower()
    if name in ("localhost", bound):
        return True
    try:
        address = ipaddress.ip_address(name)
    except ValueError:
        return False  # any other name may be anybody's, pointed at this machine
    # Listening on every address (--host 0.0.0.0, to try the site on a phone): any address of it.
    return address.is_loopback or bound in ("", "0.0.0.0", "::")


def decoded_path(path: str) -> str:
    """A request's path as the file system will see it: percent-decoded, then NFC (as the build
    names its files). Every check on the path looks at this, never at the raw text: ``/%2ehidden``
    is ``/.hidden``."""
    return unicodedata.normalize("NFC", unquote(path, errors="surrogateescape"))


class _PreviewHandler(SimpleHTTPRequestHandler):
    """Files from the preview folder; HTML pages get the reload script; the error page while the
    last build failed; the event stream at ``EVENTS_PATH``. Only for requests naming this machine."""

    preview: Preview
    protocol_version = "HTTP/1.0"  # one request per connection: simple, and nothing lingers at shutdown

    def __init__(self, *args, **kwargs):
        super().__init__(*args, directory=str(self.preview.output_dir), **kwargs)

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(IDLE_SECONDS)  # no read or write on a client socket waits longer
        self._head = _HeadDeadline(self.rfile, self.connection)
        self.rfile = io.BufferedReader(self._head)

    def handle(self) -> None:
        try:
            super().handle()
        except (ConnectionError, TimeoutError) as exc:  # the client went away, or stopped reading
            self._dropped(exc)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the standard library's name
        pass

    def log_error(self, format: str, *args) -> None:  # noqa: A002
        if format.startswith("Request timed out"):  # the standard library's words for a timed-out socket
            self._dropped(args[0] if args and isinstance(args[0], BaseException) else TimeoutError())

    def _dropped(self, exc: BaseException) -> None:
        """One quiet line for a client that left (a closed tab, a slow or stalled client)."""
        what = getattr(self, "path", "") or "its request"
        self.preview.say(f"  (a client left before {what} was answered: {type(exc).__name__})", sys.stderr)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        self._respond(head=False)

    def do_HEAD(self) -> None:
        self._respond(head=True)

    def _respond(self, head: bool) -> None:
        self._head.lift()
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1 or not host_allowed(hosts[0] if hosts else None, self.preview.host):
            self._send(421, b"This preview answers only to localhost.\n", "text/plain; charset=utf-8", head)
            return
        raw = urlsplit(self.path).path
        path = decoded_path(raw)
        if path == EVENTS_PATH and not head:
            self._events()
            return
        self.preview.ready.wait(FIRST_BUILD_WAIT)
        # The outcome is read before the file: a build ending in between costs one reload too many,
        # never one too few.
        outcome = self.preview.outcome
        is_page = path.endswith(("/", ".html", ".htm")) or "." not in path.rsplit("/", 1)[-1]
        if outcome.errors and is_page:
            page = inject(error_page(outcome.errors), reload_script(self.preview, outcome.generation, True))
            self._send(500, page, HTML, head)
            return
        # Nothing hidden is served: the build's staging folder, dotfiles, ``..``; nor a name the file
        # system cannot take.
        hidden = any(part.startswith(".") for part in path.split("/")) or "\0" in path
        local = Path(self.directory, *(part for part in path.split("/") if part))
        for attempt in (1, 2):
            if hidden:
                break
            if local.is_dir() and not path.endswith("/"):
                parts = urlsplit(self.path)
                self.send_response(301)
                self.send_header("Location", urlunsplit(("", "", raw + "/", parts.query, "")))
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            file = local / "index.html" if local.is_dir() else local
            try:
                if file.suffix in (".html", ".htm"):
                    self._send(200, inject(file.read_bytes(), reload_script(self.preview, outcome.generation)),
                               HTML, head)
                    return
                if file.is_file():
                    self._send(200, file.read_bytes(), self.guess_type(str(file)), head)
                    return
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                pass
            if attempt == 1 and not self.preview.wait_idle(FIRST_BUILD_WAIT):
                break  # no build was writing: the file is not there
        not_found = Path(self.directory, "404.html")
        page = not_found.read_bytes() if not_found.is_file() else b"<!DOCTYPE html><title>404</title><h1>404</h1>"
        self._send(404, inject(page, reload_script(self.preview, outcome.generation)), HTML, head)

    def _send(self, status: int, body: bytes, content_type: str, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _events(self) -> None:
        """A tab's event stream: one ``reload`` event per build, carrying the URL paths it changed."""
        query = parse_qs(urlsplit(self.path).query)
        since = query.get("since", [""])[0]
        last_id = self.headers.get("Last-Event-ID", "")
        generation = max(int(since) if since.isdigit() else 0, int(last_id) if last_id.isdigit() else 0)
        if query.get("session", [""])[0] != self.preview.session:
            generation = -1  # a tab from an earlier server: reload it at once
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.end_headers()
        try:
            self.wfile.write(b"retry: 500\n\n")
            self.wfile.flush()
            while True:
                try:
                    news = self.preview.news_since(generation, PING_SECONDS)
                except EOFError:
                    return
                if news is None:
                    self.wfile.write(b": ping\n\n")
                else:
                    generation, changed = news
                    data = {"session": self.preview.session, "generation": generation,
                            "changed": sorted(changed) if changed is not None else None}
                    self.wfile.write(f"id: {generation}\nevent: reload\ndata: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()
        except (ConnectionError, TimeoutError):  # a closed tab: nothing to say
            return


def serve(site_dir: Path, *, host: str = "127.0.0.1", port: int | None = None, jobs: int = 1,
          quiet: bool = False) -> int:
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
    try:
        preview.run()
    except KeyboardInterrupt:
        preview.say("\nStopping…")
    finally:
        preview.close()
    preview.say("Stopped.")
    return 0
