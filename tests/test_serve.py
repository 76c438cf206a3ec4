"""``python build.py serve``: a real server on a free port, real files edited, a real event stream read.

Every wait is bounded and driven by the server's own reload events (or a deadline); nothing sleeps.
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import queue
import re
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from urllib.parse import quote

import pytest
from watchdog.events import FileClosedEvent, FileCreatedEvent, FileModifiedEvent, FileMovedEvent

from newsdigest import preview_http
from newsdigest import serve as serve_module
from newsdigest.cli import main
from newsdigest.scaffold import new_story
from newsdigest.serve import EVENTS_PATH, Changes, Preview, inject, is_editor_debris
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, NOW, write_site

TIMEOUT = 30.0  # generous bound for a slow machine; a passing run takes a fraction of a second

SITE = """
-- site.yaml --
title: {vi: Bản tin thử, en: Test digest}
-- content/thoi-su/lu-lut.vi.md --
---
title: Lũ lụt ở Đà Nẵng
date: 2024-10-01T08:00:00+07:00
tags: [thời tiết]
---
Nước dâng cao.
-- content/thoi-su/lu-lut.en.md --
---
title: Floods in Da Nang
date: 2024-10-01T08:00:00+07:00
---
Water rose.
-- content/thoi-su/ban-nhap.vi.md --
---
title: Bài đang viết
date: 2024-10-02T08:00:00+07:00
draft: true
---
Chưa xong.
-- content/thoi-su/hen-gio.vi.md --
---
title: Bài hẹn giờ
date: 2027-01-01T08:00:00+07:00
---
Sẽ đăng sau.
"""
STORY_VI = "/vi/thoi-su/lu-lut-o-da-nang/"
STORY_EN = "/en/thoi-su/floods-in-da-nang/"


class Running:
    """A Preview serving a site from ``tmp_path`` on a free port, its build loop in a thread."""

    def __init__(self, site: Path):
        self.site = site
        self.preview = Preview(site, port=0, quiet=True, now=NOW)
        self.preview.open()
        self.thread = threading.Thread(target=self.preview.run, daemon=True)
        self.thread.start()
        assert self.preview.ready.wait(TIMEOUT), "the first build did not finish"

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.preview.port}{path}"

    def fetch(self, path: str, method: str = "GET") -> tuple[int, Message, bytes]:
        request = urllib.request.Request(self.url(path), method=method)
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def text(self, path: str) -> str:
        return self.fetch(path)[2].decode("utf-8")

    def events(self) -> Events:
        return Events(self.preview.port, self.preview.session, self.preview.outcome.generation)

    def wait_for(self, path: str, needle: str, events: Events) -> str:
        """Fetch ``path`` after each reload event until it contains ``needle`` (bounded). Called after
        a change, so a build is on its way: its event comes first even when the build was done
        before the first fetch (a fetch first would find the page already changed, and no event)."""
        deadline = time.monotonic() + TIMEOUT
        while True:
            events.seen.append(events.next_reload(deadline))
            body = self.text(path)
            if needle in body:
                return body

    def close(self) -> None:
        self.preview.stop()
        self.thread.join(TIMEOUT)
        self.preview.close()
        assert not self.thread.is_alive()


class Events:
    """A tab's event stream, read line by line from a plain socket."""

    def __init__(self, port: int, session: str, since: int):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.sock.sendall(f"GET {EVENTS_PATH}?session={session}&since={since} HTTP/1.0\r\n\r\n".encode())
        self.file = self.sock.makefile("rb")
        self.seen: list[dict] = []  # the reload events a wait went through
        status = self.file.readline()
        assert b" 200 " in status, status
        while self.file.readline().strip():  # headers
            pass

    def next_reload(self, deadline: float) -> dict:
        """The next ``reload`` event's data; fails when ``deadline`` (monotonic) passes first."""
        event, data = "", ""
        while True:
            left = deadline - time.monotonic()
            assert left > 0, "no reload event in time"
            self.sock.settimeout(left)
            line = self.file.readline().decode("utf-8")
            assert line, "the server closed the event stream"
            line = line.rstrip("\n")
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif not line and event == "reload":
                return json.loads(data)

    def close(self) -> None:
        self.file.close()
        self.sock.close()


@pytest.fixture
def running(tmp_path: Path):
    site = write_site(tmp_path / "site", SITE)
    server = Running(site)
    yield server
    server.close()


def edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def test_serves_the_site_with_the_reload_script_in_responses_only(running: Running):
    status, headers, body = running.fetch(STORY_VI)
    assert status == 200
    assert headers["Content-Type"].startswith("text/html")
    assert int(headers["Content-Length"]) == len(body)
    page = body.decode("utf-8")
    assert "Lũ lụt ở Đà Nẵng" in page
    assert page.index(EVENTS_PATH) < page.rindex("</body>")
    on_disk = (running.site / ".preview" / STORY_VI.strip("/") / "index.html").read_text(encoding="utf-8")
    assert EVENTS_PATH not in on_disk
    assert f'href="http://127.0.0.1:{running.preview.port}{STORY_VI}"' in on_disk  # base_url is the server's
    status, headers, css = running.fetch("/assets/style.css")
    assert status == 200 and headers["Content-Type"] == "text/css" and EVENTS_PATH.encode() not in css
    status, headers, body = running.fetch(STORY_VI, method="HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) == len(running.fetch(STORY_VI)[2])
    assert running.fetch(STORY_VI.rstrip("/"))[0] == 200  # redirected to the folder's page
    status, _, missing = running.fetch("/vi/khong-co/")
    assert status == 404 and EVENTS_PATH.encode() in missing
    (running.site / ".preview/.hidden.html").write_text("staging", encoding="utf-8")
    assert running.fetch("/.hidden.html")[0] == 404  # nothing hidden (a build's staging folder) is served


def test_drafts_and_scheduled_stories_are_included(running: Running):
    assert "Bản nháp" in running.text("/vi/thoi-su/bai-dang-viet/")
    home = running.text("/vi/")
    assert "Bài đang viết" in home and "Bài hẹn giờ" in home


def test_scheduled_stories_are_marked(running: Running):
    assert "Hẹn giờ" in running.text("/vi/thoi-su/bai-hen-gio/"), (
        "no 'scheduled' badge: pipeline.read must pass the build's moment on, model(..., now=now)"
    )
    assert "Hẹn giờ" not in running.text(STORY_VI)


def test_an_edit_shows_up_and_only_its_pages_are_announced(running: Running):
    events = running.events()
    edit(running.site / "content/thoi-su/lu-lut.vi.md", "Nước dâng cao.", "Nước đã rút.")
    page = running.wait_for(STORY_VI, "Nước đã rút.", events)
    assert "Nước dâng cao." not in page
    changed = events.seen[-1]["changed"]
    assert STORY_VI + "index.html" in changed
    assert STORY_EN + "index.html" not in changed  # the English tab does not reload for a Vietnamese edit
    events.close()


def test_rename_on_save_and_editor_debris(running: Running):
    events = running.events()
    story = running.site / "content/thoi-su/lu-lut.en.md"
    (story.parent / ".lu-lut.en.md.swp").write_bytes(b"vim swap")
    (story.parent / "4913").write_bytes(b"")
    (story.parent / "lu-lut.en.md~").write_text("backup", encoding="utf-8")
    temp = story.parent / "lu-lut.en.md.tmp"
    temp.write_text(story.read_text(encoding="utf-8").replace("Water rose.", "Water fell."), encoding="utf-8")
    os.replace(temp, story)
    running.wait_for(STORY_EN, "Water fell.", events)
    assert running.fetch(STORY_EN)[0] == 200
    events.close()


def test_broken_front_matter_shows_the_error_page_until_it_is_fixed(running: Running, capsys):
    events = running.events()
    story = running.site / "content/thoi-su/lu-lut.vi.md"
    good = story.read_text(encoding="utf-8")
    story.write_text(good.replace("tags: [thời tiết]", "tags: [thời tiết"), encoding="utf-8")
    page = running.wait_for(STORY_VI, "does not build", events)
    status, _, _ = running.fetch(STORY_VI)
    assert status == 500
    assert "content/thoi-su/lu-lut.vi.md:" in page and "front matter is not valid YAML" in page
    assert EVENTS_PATH in page  # the error page reloads by itself
    assert "does not build" in running.text("/en/")  # every page shows it
    assert running.fetch("/assets/style.css")[0] == 200  # files other than pages still come
    assert "front matter is not valid YAML" in capsys.readouterr().err  # the terminal says the same
    story.write_text(good.replace("Nước dâng cao.", "Nước đã rút."), encoding="utf-8")
    running.wait_for(STORY_VI, "Nước đã rút.", events)
    assert running.fetch(STORY_VI)[0] == 200
    assert "fixed" in capsys.readouterr().out or running.preview.quiet
    events.close()


def test_every_error_is_listed_and_a_template_error_too(running: Running):
    events = running.events()
    (running.site / "content/thoi-su/lu-lut.en.md").write_text("---\ntitle: Floods\n---\nNo date.\n", encoding="utf-8")
    (running.site / "content/thoi-su/ban-nhap.vi.md").write_text("no front matter\n", encoding="utf-8")
    page = running.wait_for("/", "ban-nhap.vi.md:1: no front matter", events)
    assert "lu-lut.en.md:1: no date" in page
    (running.site / "content/thoi-su/lu-lut.en.md").write_text(
        "---\ntitle: Floods in Da Nang\ndate: 2024-10-01\n---\nWater.\n", encoding="utf-8"
    )
    (running.site / "content/thoi-su/ban-nhap.vi.md").unlink()
    running.wait_for(STORY_EN, "Water.", events)
    layouts = running.site / "layouts"
    layouts.mkdir()  # made while serving: watched from now on
    (layouts / "article.html").write_text(
        "{% extends 'theme/article.html' %}\n{% block main %}{% if %}{% endblock %}\n", encoding="utf-8"
    )
    page = running.wait_for(STORY_EN, "does not build", events)
    assert "article.html:2: template:" in page
    (layouts / "article.html").write_text("{% extends 'theme/article.html' %}\n", encoding="utf-8")
    running.wait_for(STORY_EN, "Water.", events)
    events.close()


def test_a_file_vanishing_during_a_build_is_survived(running: Running, monkeypatch):
    calls = []
    real_build = serve_module.build

    def flaky_build(options, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise FileNotFoundError(2, "No such file or directory", str(running.site / "content/thoi-su/tam.vi.md"))
        return real_build(options, **kwargs)

    monkeypatch.setattr(serve_module, "build", flaky_build)
    events = running.events()
    edit(running.site / "content/thoi-su/lu-lut.vi.md", "Nước dâng cao.", "Nước rút dần.")
    running.wait_for(STORY_VI, "Nước rút dần.", events)
    assert len(calls) >= 2 and not running.preview.outcome.errors
    events.close()


def test_a_new_story_is_picked_up_at_once(running: Running):
    events = running.events()
    path = new_story(running.site, "kinh-te", "vi", "Giá vàng tăng mạnh", NOW)
    page = running.wait_for("/vi/kinh-te/gia-vang-tang-manh/", "Giá vàng tăng mạnh", events)
    assert "Bản nháp" in page and path.is_file()
    events.close()


def test_burst_of_events_is_one_change_without_editor_debris(tmp_path: Path):
    content = tmp_path / "content"
    changes = Changes(tmp_path, [content, tmp_path / "layouts"], lambda folder, appeared: None)
    story = str(content / "thoi-su/lu-lut.vi.md")
    for event in (
        FileCreatedEvent(str(content / "thoi-su/.lu-lut.vi.md.swp")),
        FileCreatedEvent(str(content / "thoi-su/4913")),
        FileModifiedEvent(str(content / "thoi-su/lu-lut.vi.md~")),
        FileMovedEvent(str(content / "thoi-su/lu-lut.vi.md.tmp"), story),
        FileModifiedEvent(story),
        FileClosedEvent(story),
        FileModifiedEvent(str(tmp_path / ".preview/vi/index.html")),
        FileModifiedEvent(str(tmp_path / "site.yaml")),
    ):
        changes.on_any_event(event)
    assert changes.take() == ["content/thoi-su/lu-lut.vi.md", "site.yaml"]


def test_editor_debris_names():
    for name in (
        ".lu-lut.vi.md.swp",
        "lu-lut.vi.md~",
        "#lu-lut.vi.md#",
        ".#lu-lut.vi.md",
        "4913",
        "lu-lut.vi.md___jb_tmp___",
        "lu-lut.vi.md.crswap",
        ".goutputstream-AB12",
    ):
        assert is_editor_debris(name), name
    for name in ("lu-lut.vi.md", "anh.jpg", "_index.vi.md", "style.css"):
        assert not is_editor_debris(name), name


def test_inject_puts_the_script_before_the_last_body_end():
    assert inject(b"<p>a</p></BODY></html>", b"<s>") == b"<p>a</p><s></BODY></html>"
    assert inject(b"<p>no body end</p>", b"<s>") == b"<p>no body end</p><s>"


def test_an_open_event_stream_does_not_hold_up_shutdown(tmp_path: Path):
    server = Running(write_site(tmp_path / "site", SITE))
    events = server.events()
    started = time.monotonic()
    server.close()
    assert time.monotonic() - started < 5
    events.sock.settimeout(TIMEOUT)
    assert events.file.read().startswith(b"retry:")  # the server ended the stream: read() returned
    events.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", server.preview.port), timeout=1)


def test_loopback_only_by_default(running: Running):
    assert running.preview._server is not None
    assert running.preview._server.server_address[0] == "127.0.0.1"


def test_a_port_in_use_gets_a_clear_message(tmp_path: Path, capsys):
    site = write_site(tmp_path / "site", SITE)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--site", str(site), "--port", str(port)]) == 2
        err = capsys.readouterr().err
        assert f"port {port} on 127.0.0.1 is already in use" in err and "--port" in err
        assert not (site / ".preview").exists()


def test_without_port_the_next_free_one_is_used_and_said(tmp_path: Path, capsys, monkeypatch):
    site = write_site(tmp_path / "site", SITE)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        monkeypatch.setattr(serve_module, "DEFAULT_PORT", port)
        preview = Preview(site)
        try:
            preview.open()
            assert preview.port > port
            assert f"Port {port} is in use; using port {preview.port} instead." in capsys.readouterr().out
        finally:
            preview.close()


def _as_at_a_terminal() -> None:
    """The server's Ctrl-C as a terminal gives it, however the tests were started: a shell starts a
    background job (``pytest &``, a CI step) with SIGINT ignored, and serve keeps an ignored Ctrl-C
    ignored, as programs do, so without this the server would never hear the test's SIGINT."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def test_the_command_serves_until_ctrl_c(tmp_path: Path):
    site = write_site(tmp_path / "site", SITE)
    command = [
        sys.executable,
        str(Path(__file__).resolve().parent.parent / "build.py"),
        "serve",
        "--site",
        str(site),
        "--port",
        "0",
    ]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, preexec_fn=_as_at_a_terminal
    )
    lines: queue.Queue[str] = queue.Queue()
    reader = threading.Thread(target=lambda: [lines.put(line) for line in server.stdout], daemon=True)  # type: ignore[union-attr]
    reader.start()
    try:
        deadline = time.monotonic() + TIMEOUT
        said = []
        while not said or not said[-1].startswith("Watching"):
            said.append(lines.get(timeout=max(0.1, deadline - time.monotonic())))
        url = re.search(r"at (http://127\.0\.0\.1:\d+/)", said[0]).group(1)  # type: ignore[union-attr]
        with urllib.request.urlopen(url + STORY_VI.lstrip("/"), timeout=TIMEOUT) as response:
            assert "Lũ lụt ở Đà Nẵng" in response.read().decode("utf-8")
        server.send_signal(signal.SIGINT)
        assert server.wait(TIMEOUT) == 0
        assert "Traceback" not in server.stderr.read()  # type: ignore[union-attr]
        reader.join(TIMEOUT)
        assert "Stopped.\n" in [lines.get_nowait() for _ in range(lines.qsize())]
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(TIMEOUT)


# ``build.py serve`` with Ctrl-C sent at one exact moment: when the build that copies the finished
# search index into the output (the index thread hands it to the loop whenever Pagefind is done)
# sets ``_idle``, inside threading.Event.set, as its lock is about to be released. The loop's threading
# locks are taken and released at such moments many times a second.
CTRL_C_AT = """
import os, signal, sys, threading
from newsdigest.cli import main

fired = []

def trace(frame, event, arg):
    outer = frame.f_back
    if (event == "call" and frame.f_code is threading.Condition.__exit__.__code__ and not fired
            and outer is not None and outer.f_code is threading.Event.set.__code__
            and outer.f_back is not None and outer.f_back.f_code.co_name == "rebuild"
            and outer.f_back.f_locals.get("indexed") is True):
        fired.append(1)
        print("Ctrl-C now", flush=True)
        signal.raise_signal(signal.SIGINT)  # handled as the frame starts: before the lock is released
    return None

sys.settrace(trace)
sys.exit(main(["serve", "--site", sys.argv[1], "--port", "0"]))
"""


def test_ctrl_c_as_a_build_loop_releases_a_lock_still_stops_the_server(tmp_path: Path):
    """Ctrl-C raised inside the loop's bookkeeping (here: Event.set in the build that copied the
    search index) must not leave a lock held that stopping then waits for: the server stops, 0."""
    site = write_site(tmp_path / "site", SITE)
    script = tmp_path / "ctrl_c_at.py"
    script.write_text(CTRL_C_AT, encoding="utf-8")
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": root + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run(
        [sys.executable, str(script), str(site)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=env,
        timeout=TIMEOUT,
        preexec_fn=_as_at_a_terminal,
    )
    assert "Ctrl-C now" in done.stdout, (done.stdout, done.stderr)  # the moment came
    assert done.returncode == 0, (done.stdout, done.stderr)
    assert done.stdout.endswith("Stopped.\n") and "Traceback" not in done.stderr, (done.stdout, done.stderr)


FAKE_PAGEFIND = """#!/bin/sh
echo $$ > "$(dirname "$0")/pid.tmp" && mv "$(dirname "$0")/pid.tmp" "$(dirname "$0")/pid"
exec sleep 600
"""


def test_ctrl_c_while_pagefind_runs_stops_it_and_leaves_no_snapshot(tmp_path: Path):
    """The index thread's Pagefind (here one that never ends) is stopped when the server stops: it
    does not outlive the server, nor hold up its exit; the snapshot it was reading is deleted."""
    site = write_site(tmp_path / "site", SITE)
    fake = tmp_path / "fake" / "pagefind_bin"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text(
        "from pathlib import Path\n\n\ndef get_executable():\n    return Path(__file__).with_name('pagefind')\n",
        encoding="utf-8",
    )
    (fake / "pagefind").write_text(FAKE_PAGEFIND, encoding="utf-8")
    (fake / "pagefind").chmod(0o755)
    root = str(Path(__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(fake.parent), root, os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, str(Path(root) / "build.py"), "serve", "--site", str(site), "--port", "0"]
    server = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path, env=env, preexec_fn=_as_at_a_terminal
    )
    pid = 0
    try:
        deadline = time.monotonic() + TIMEOUT
        while not (fake / "pid").exists():  # Pagefind has started (it never ends by itself)
            assert time.monotonic() < deadline and server.poll() is None, "Pagefind was never started"
            time.sleep(0.01)
        pid = int((fake / "pid").read_text(encoding="utf-8"))
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=TIMEOUT)
        assert server.returncode == 0 and out.endswith("Stopped.\n"), (out, err)
        assert "Traceback" not in err and "warning" not in err, err
        with pytest.raises(ProcessLookupError):  # gone, and reaped by the server
            os.kill(pid, 0)
        assert not list((site / ".newsdigest-cache" / "search").glob("*/tree-*"))
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(TIMEOUT)
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Chromium at /usr/bin/chromium (Debian's chromium package)")
def test_a_chromium_tab_reloads_itself(running: Running):
    from playwright.sync_api import sync_playwright

    story = running.site / "content/thoi-su/lu-lut.vi.md"
    good = story.read_text(encoding="utf-8")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.goto(running.url(STORY_VI))
            page.evaluate("window.notReloaded = true")  # gone once the tab has reloaded
            # No need to wait for the tab's event stream: it asks for the builds since its page's.
            story.write_text(good.replace("Nước dâng cao.", "Nước đã rút."), encoding="utf-8")
            page.wait_for_function(
                "() => !window.notReloaded && document.body.innerText.includes('Nước đã rút.')", timeout=TIMEOUT * 1000
            )
            story.write_text(good.replace("---\n", "", 1), encoding="utf-8")  # breaks the front matter
            page.wait_for_function(
                "() => document.body.innerText.includes('lu-lut.vi.md:1: no front matter')", timeout=TIMEOUT * 1000
            )
            story.write_text(good, encoding="utf-8")
            page.wait_for_function("() => document.body.innerText.includes('Nước dâng cao.')", timeout=TIMEOUT * 1000)
        finally:
            browser.close()


def test_only_story_files_are_told_to_the_build():
    from newsdigest.serve import _story_files

    assert _story_files(["content/a/x.vi.md", "content/a/y.en.md"]) == {"a/x.vi.md", "a/y.en.md"}
    assert _story_files(["content/a/x.vi.md", "layouts/base.html"]) is None  # a template: look at everything
    assert _story_files(["content/a/photo.jpg"]) is None
    assert _story_files(["content/a"]) is None  # a folder


def raw_request(port: int, head: bytes) -> bytes:
    """Send ``head`` as it is (no Host header unless it has one) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT) as sock:
        sock.sendall(head)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    return b"".join(chunks)


def test_only_requests_naming_this_machine_are_answered(running: Running):
    port = running.preview.port
    for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "LOCALHOST", f"127.1.2.3:{port}"):
        answer = raw_request(port, f"GET {STORY_VI} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
        assert answer.startswith(b"HTTP/1.0 200 "), host
    assert raw_request(port, f"GET {STORY_VI} HTTP/1.0\r\n\r\n".encode()).startswith(b"HTTP/1.0 200 ")  # no Host
    for host in (
        f"evil.example:{port}",
        "evil.example",
        f"localhost.evil.example:{port}",
        f"localhost:{port}@evil.example",
        "192.0.2.1",
        "localhost:port",
        "",
    ):
        for path in (STORY_VI, EVENTS_PATH, "/assets/style.css"):
            answer = raw_request(port, f"GET {path} HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
            assert answer.startswith(b"HTTP/1.0 421 ") and b"Nguy" not in answer, (host, path)
    two = raw_request(port, b"GET / HTTP/1.0\r\nHost: localhost\r\nHost: evil.example\r\n\r\n")
    assert two.startswith(b"HTTP/1.0 421 ")


def test_paths_are_decoded_before_hidden_ones_are_refused(running: Running):
    preview = running.site / ".preview"
    (preview / ".hidden.html").write_text("staging", encoding="utf-8")
    (preview / ".env").write_text("SECRET=1", encoding="utf-8")
    for path in (
        "/%2ehidden.html",
        "/%2Ehidden.html",
        "/%2eenv",
        "/vi/%2e%2e/%2eenv",
        "/vi/..%2f.env",
        "/%2e%2e/.newsdigest-cache/cache.sqlite",
        "/vi/%00",
        "/%C0%AE%C0%AEenv",
    ):
        status, _, body = running.fetch(path)
        assert status == 404 and b"staging" not in body and b"SECRET" not in body, path
    picture = running.site / "static/ảnh.txt"
    picture.parent.mkdir(exist_ok=True)
    events = running.events()
    picture.write_text("một tấm ảnh", encoding="utf-8")
    events.next_reload(time.monotonic() + TIMEOUT)
    events.close()
    status, _, body = running.fetch("/" + quote(unicodedata.normalize("NFD", "ảnh.txt")))  # asked for in NFD
    assert status == 200 and body.decode("utf-8") == "một tấm ảnh"


def test_a_client_sending_its_request_slowly_is_cut_off(running: Running, monkeypatch):
    monkeypatch.setattr(preview_http, "HEAD_SECONDS", 0.3)
    with socket.create_connection(("127.0.0.1", running.preview.port), timeout=TIMEOUT) as sock:
        sock.sendall(b"GET / HTTP/1.0\r\n")
        deadline = time.monotonic() + TIMEOUT
        sock.settimeout(0.05)
        while True:  # a byte of a header now and then, as slowloris does, until the server hangs up
            assert time.monotonic() < deadline, "the server kept a slow client for good"
            try:
                sock.sendall(b"X")
                if sock.recv(1024) == b"":
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                break


def test_an_event_stream_outlives_the_idle_time_out(running: Running, monkeypatch):
    monkeypatch.setattr(preview_http, "IDLE_SECONDS", 0.1)
    monkeypatch.setattr(preview_http, "PING_SECONDS", 0.05)
    events = running.events()
    events.sock.settimeout(TIMEOUT)
    pings = 0
    while pings < 6:  # longer than the idle time-out, with nothing sent by the tab
        if events.file.readline() == b": ping\n":
            pings += 1
    edit(running.site / "content/thoi-su/lu-lut.vi.md", "Nước dâng cao.", "Nước đã rút.")
    running.wait_for(STORY_VI, "Nước đã rút.", events)
    events.close()


def test_a_client_leaving_mid_answer_is_one_quiet_line(running: Running, monkeypatch, capsys):
    (running.site / ".preview/big.bin").write_bytes(b"\0" * 32_000_000)  # far more than socket buffers hold
    left = threading.Event()
    real_dropped = preview_http._PreviewHandler._dropped
    monkeypatch.setattr(preview_http._PreviewHandler, "_dropped", lambda self, exc: (real_dropped(self, exc), left.set()))
    running.preview.quiet = False
    sock = socket.create_connection(("127.0.0.1", running.preview.port), timeout=TIMEOUT)
    sock.sendall(b"GET /big.bin HTTP/1.0\r\n\r\n")
    assert sock.recv(100).startswith(b"HTTP/1.0 200 ")
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close with a reset
    sock.close()
    assert left.wait(TIMEOUT), "the server did not notice the client leave"
    err = capsys.readouterr().err
    assert "Traceback" not in err
    said = [line for line in err.splitlines() if "/big.bin" in line]
    assert len(said) == 1 and re.fullmatch(
        r"  \(a client left before /big\.bin was answered: "
        r"(ConnectionResetError|BrokenPipeError)\)",
        said[0],
    ), err


def _indexed_text(preview_dir: Path) -> str:
    """Every fragment of the preview's search index, as text."""
    return "".join(
        gzip.decompress(f.read_bytes()).decode("utf-8", "replace")
        for f in (preview_dir / "pagefind/fragment").glob("*.pf_fragment")
    )


def test_the_search_index_follows_a_save_after_its_reload(running: Running):
    """The reload goes out before Pagefind runs and names only the story's pages; Pagefind runs in a
    thread of its own, and the next build copies its index into the output (no tab reloads for it)."""
    assert running.preview.wait_indexed(TIMEOUT)
    assert "Nước dâng cao." in _indexed_text(running.site / ".preview")
    events = running.events()
    edit(running.site / "content/thoi-su/lu-lut.vi.md", "Nước dâng cao.", "Nước đã rút hết.")
    running.wait_for(STORY_VI, "Nước đã rút hết.", events)
    changed = events.seen[-1]["changed"]
    assert changed is not None and not any("pagefind" in path for path in changed)
    assert running.preview.wait_indexed(TIMEOUT)
    text = _indexed_text(running.site / ".preview")
    assert "Nước đã rút hết." in text and "Nước dâng cao." not in text
    copied = events.next_reload(time.monotonic() + TIMEOUT)  # the build that copied the index
    assert copied["changed"] == [], copied
    events.close()
