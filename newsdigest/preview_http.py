"""The preview's HTTP side, for this machine only: pages with the reload script, errors, event streams."""

from __future__ import annotations

import errno
import html
import io
import ipaddress
import json
import socket
import sys
import time
import unicodedata
from collections.abc import Sequence
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit, urlunsplit

from .desk import DESK_PATH, preview_page
from .wording import plural

if TYPE_CHECKING:
    from .serve import Preview

EVENTS_PATH = "/__newsdigest/events"
PING_SECONDS = 15.0  # an idle event stream sends a comment this often, to notice closed tabs
HEAD_SECONDS = 10.0  # a client has this long to send its request line and headers
IDLE_SECONDS = 30.0  # a client socket on which nothing moves for this long is closed (beats PING_SECONDS)
FIRST_BUILD_WAIT = 300.0  # how long a request waits for a build that is swapping the tree in
HTML = "text/html; charset=utf-8"


class Server(ThreadingHTTPServer):
    daemon_threads = True  # an open event stream never holds up shutdown
    request_queue_size = 64


class Server6(Server):
    address_family = socket.AF_INET6


class PortInUse(Exception):
    """The port asked for is taken (or not ours to take)."""


def bind(host: str, ports: Sequence[int], handler: type[SimpleHTTPRequestHandler], searching: bool) -> Server:
    """A server listening on ``ports[0]``, or (``searching``: none was asked for) the first free one."""
    for port in ports:
        try:
            return (Server6 if ":" in host else Server)((host, port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE and searching and port < ports[-1]:
                continue
            where = f"port {port} on {host}"
            if exc.errno == errno.EADDRINUSE:
                hint = "another server (another serve?) is using it; stop it, or choose one with --port N"
                if searching:
                    hint = f"so are ports {ports[0]}-{port}; choose a free one with --port N"
                raise PortInUse(f"{where} is already in use: {hint}") from None
            if exc.errno == errno.EACCES:
                raise PortInUse(
                    f"{where}: not allowed (ports below 1024 need privileges); choose another with --port N"
                ) from None
            raise PortInUse(f"cannot listen on {where}: {exc.strerror or exc}") from None
    raise AssertionError("unreachable")


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
<h1 id="newsdigest-build-error">Trang chưa dựng được · The site does not build ({plural(len(errors), "error")})</h1>
<p lang="vi">Sửa lỗi rồi lưu tệp: trang này tự tải lại.</p>
<p lang="en">Fix them and save: this page reloads by itself.</p>
<pre>{items}</pre>
</body>
</html>
""".encode()


def handler_class(preview: Preview) -> type[SimpleHTTPRequestHandler]:
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
        buffer[: len(data)] = data
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
        if path == DESK_PATH:  # the translation desk, made from the last build (docs/translations.md)
            page = preview_page(self.preview.memory, self.preview.site_dir, self.preview.output_dir, self.preview.now)
            self._send(200, inject(page, reload_script(self.preview, outcome.generation, True)), HTML, head)
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
                    self._send(200, inject(file.read_bytes(), reload_script(self.preview, outcome.generation)), HTML, head)
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
                    data = {
                        "session": self.preview.session,
                        "generation": generation,
                        "changed": sorted(changed) if changed is not None else None,
                    }
                    self.wfile.write(f"id: {generation}\nevent: reload\ndata: {json.dumps(data)}\n\n".encode())
                self.wfile.flush()
        except (ConnectionError, TimeoutError):  # a closed tab: nothing to say
            return
