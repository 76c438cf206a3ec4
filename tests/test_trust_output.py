"""The output is always one build and no fault gives a traceback: builds killed (SIGKILL) and
stopped (SIGINT) at every step of their commit, broken journals, names too long, two builds at
once, and environment faults — each followed by the next build, with and without content errors."""

from __future__ import annotations

import errno
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import newsdigest.serve
from newsdigest import cli, lock, output, pipeline, reading
from newsdigest.errors import ContentErrors
from newsdigest.pipeline import Options, build, check
from tests.conftest import NOW, write_site

REPO = Path(__file__).resolve().parent.parent


def story(section: str, name: str, title: str, body: str, tags: str = "chung") -> str:
    return f"""-- content/{section}/{name}.vi.md --
---
title: {title}
date: 2026-10-0{len(name) % 9 + 1}T08:00:00+07:00
tags: [{tags}]
---
{body}
"""


OLD = story("thoi-su", "mot", "Tin một", "Đoạn cũ.") + story("kinh-te", "hai", "Tin hai", "Hai.", "gia-vang")
# The new build changes a body, drops a story (its page and tag go: deletions) and adds one in a new tag.
NEW = story("thoi-su", "mot", "Tin một", "Đoạn mới.") + story("kinh-te", "ba", "Tin ba", "Ba.", "xang-dau")
BROKEN = "-- content/thoi-su/hong.vi.md --\n---\ntitle: Hỏng\n---\nno date\n"


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """The bytes of a fresh build of each version of the site, without any cache."""
    trees = {}
    for name, spec in (("old", OLD), ("new", NEW)):
        root = write_site(tmp_path_factory.mktemp(name), spec)
        build(Options(site_dir=root, now=NOW, cache=False))
        trees[name] = tree(root / "output")
    return trees


def site_with(root: Path, spec: str) -> Path:
    """``root`` holding exactly ``spec``'s content (the output and cache stay)."""
    shutil.rmtree(root / "content", ignore_errors=True)
    return write_site(root, spec)


def old_output(tmp_path: Path) -> Path:
    """A site built from OLD (output and cache), its content then changed to NEW."""
    root = write_site(tmp_path / "site", OLD)
    build(Options(site_dir=root, now=NOW))
    return site_with(root, NEW)


def in_child(run, env: dict[str, str] | None = None, stderr: Path | None = None) -> int:
    """``run()`` in a forked copy of this process (a real process, killed for real), with ``env``
    set there; its exit status as the shell shows it (128 + signal when a signal ended it)."""
    return finished(started(run, env, stderr))


def finished(pid: int) -> int:
    _, status = os.waitpid(pid, 0)
    return 128 + os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)


def started(run, env: dict[str, str] | None = None, stderr: Path | None = None) -> int:
    pid = os.fork()
    if pid == 0:  # the child: never back into pytest
        code = 99
        try:
            os.environ.update(env or {})
            # Ctrl-C as a terminal gives it, however pytest was started: a shell starts a background
            # job (`pytest &`) with SIGINT ignored, and this fork would inherit that.
            signal.signal(signal.SIGINT, signal.default_int_handler)
            sink = os.open(stderr or os.devnull, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
            os.dup2(sink, 1)
            os.dup2(sink, 2)
            sys.stdout = sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115 - not pytest's capture
            code = run() or 0
        finally:
            sys.stderr.flush()
            os._exit(code)
    return pid


def kill_hook(after: int, sig: str = "KILL") -> dict[str, str]:
    return {output.KILL_AFTER: str(after), output.KILL_SIGNAL: sig}


def commit_steps(tmp_path: Path) -> int:
    """How many steps the OLD → NEW commit has: before the journal, the journal, one per file."""
    root = old_output(tmp_path / "count")
    result = build(Options(site_dir=root, now=NOW))
    return 2 + len(result.write.written) + len(result.write.removed)


def test_a_build_killed_at_any_step_of_its_commit_leaves_one_build_for_every_later_build(tmp_path, fresh):
    steps = commit_steps(tmp_path)
    assert steps > 10
    # Every step near either end, and a random few between (the same few on every run).
    points = sorted({0, 1, 2, steps - 1, steps, *random.Random(10).sample(range(3, steps - 1), 3)})
    template = old_output(tmp_path / "template")
    for n in points:
        root = shutil.copytree(template, tmp_path / f"k{n}")
        status = in_child(lambda root=root: build(Options(site_dir=root, now=NOW)) and 0, kill_hook(n))
        assert status == (128 + signal.SIGKILL if n < steps else 0), n
        # The next build's content has an error: it must still finish (or undo) the stopped commit first.
        site_with(root, NEW + BROKEN)
        with pytest.raises(ContentErrors):
            build(Options(site_dir=root, now=NOW))
        expected = fresh["old"] if n == 0 else fresh["new"]  # from step 1 on the journal was whole
        assert tree(root / "output") == expected, f"killed at step {n} of {steps}"
        assert not output.staging_dir(root / "output").exists()
        if n == points[1]:  # and with the errors mended, the build is a fresh build's
            site_with(root, NEW)
            build(Options(site_dir=root, now=NOW))
            assert tree(root / "output") == fresh["new"]


def test_check_finishes_a_killed_commit_before_reading(tmp_path, fresh):
    root = old_output(tmp_path)
    assert in_child(lambda: build(Options(site_dir=root, now=NOW)) and 0, kill_hook(4)) == 128 + signal.SIGKILL
    assert tree(root / "output") not in (fresh["old"], fresh["new"])  # a mix, until someone finishes it
    site_with(root, NEW + BROKEN)
    with pytest.raises(ContentErrors):
        check(Options(site_dir=root, now=NOW))
    assert tree(root / "output") == fresh["new"]


def test_a_first_build_killed_leaves_no_output_at_all(tmp_path, fresh):
    root = write_site(tmp_path / "site", NEW)
    for _ in range(2):  # killed once its tree is written, before the tree is renamed into place
        assert in_child(lambda: build(Options(site_dir=root, now=NOW)) and 0, kill_hook(0)) == 128 + signal.SIGKILL
        assert not (root / "output").exists()
    site_with(root, NEW + BROKEN)
    with pytest.raises(ContentErrors):
        build(Options(site_dir=root, now=NOW))
    assert sorted(p.name for p in root.iterdir()) == [".newsdigest-cache", "content"]  # the half tree is gone
    site_with(root, NEW)
    assert in_child(lambda: build(Options(site_dir=root, now=NOW)) and 0, kill_hook(1)) == 128 + signal.SIGKILL
    assert tree(root / "output") == fresh["new"]  # killed just after the rename: the whole build is there


@pytest.mark.parametrize(
    "journal", [b"", b'{"staged": ["vi/index.html"', b"\xff\xfe\x00", b"[]", b'{"staged": 3}', b'{"staged": ["a"], "stale": [1]}']
)
def test_a_journal_that_is_not_whole_is_discarded_with_its_staging(tmp_path, fresh, journal):
    root = old_output(tmp_path)
    stage = output.staging_dir(root / "output")
    stage.mkdir()
    (stage / output.staged_name(str(stage), "vi/index.html")).write_bytes(b"half a build")
    (stage / output.MARKER).write_bytes(journal)  # a kill as it was written, by an older version
    site_with(root, NEW + BROKEN)
    with pytest.raises(ContentErrors):
        build(Options(site_dir=root, now=NOW))
    assert tree(root / "output") == fresh["old"] and not stage.exists()
    site_with(root, NEW)
    build(Options(site_dir=root, now=NOW))
    assert tree(root / "output") == fresh["new"]


def test_a_journal_entry_that_cannot_be_applied_is_reported_once_not_replayed_forever(tmp_path, fresh):
    root = old_output(tmp_path)
    out = root / "output"
    stage = output.staging_dir(out)
    stage.mkdir()
    too_long = "vi/thoi-su/" + "dai-" * 70 + "/index.html"
    staged = [too_long, "../ngoai.txt", "vi/thoi-su/tin-mot/index.html"]
    for rel in staged:
        (stage / output.staged_name(str(stage), rel)).write_bytes(b"from the stopped build")
    (root / "keep.txt").write_text("not the output's")
    (stage / output.MARKER).write_text(json.dumps({"staged": staged, "stale": ["../keep.txt", str(root / "keep.txt")]}))
    result = build(Options(site_dir=root, now=NOW))
    skipped = [str(w) for w in result.warnings if "could not put this file in place" in w.message]
    assert len(skipped) == 4, result.warnings  # the long name, and the three outside the output folder
    assert not (root / "ngoai.txt").exists() and (root / "keep.txt").exists()
    assert tree(out) == fresh["new"]
    again = build(Options(site_dir=root, now=NOW))
    assert not again.warnings


def test_check_name_counts_bytes_and_the_whole_path(tmp_path):
    assert output.check_name("vi/" + "a" * 255 + "/index.html", tmp_path) is None
    assert "256 bytes" in output.check_name("vi/" + "a" * 256 + "/index.html", tmp_path)
    assert output.check_name("đ" * 127, tmp_path) is None  # 254 bytes
    assert "256 bytes" in output.check_name("đ" * 128, tmp_path)
    deep = "/".join(["a" * 200] * 21)
    assert "output path" in output.check_name(deep, tmp_path)


@pytest.mark.parametrize("first", [True, False])
def test_a_name_too_long_for_the_file_system_is_an_error_naming_the_story(tmp_path, fresh, first):
    root = write_site(tmp_path / "site", OLD)
    if not first:
        build(Options(site_dir=root, now=NOW))
    slug = "tin-" + "rat-dai-" * 40
    write_site(root, f"-- content/thoi-su/dai.vi.md --\n---\ntitle: Dài\nslug: {slug}\ndate: 2026-10-01\n---\nx\n")
    with pytest.raises(ContentErrors) as caught:
        build(Options(site_dir=root, now=NOW))
    assert [e.path for e in caught.value.errors] == [str(root / "content/thoi-su/dai.vi.md")]
    if first:
        assert not (root / "output").exists() and not output.fresh_dir(root / "output").exists()
    else:
        assert tree(root / "output") == fresh["old"]
    (root / "content/thoi-su/dai.vi.md").unlink()
    build(Options(site_dir=root, now=NOW))  # nothing wedged
    assert tree(root / "output") == fresh["old"]


def test_ctrl_c_at_any_step_of_the_commit_stops_cleanly_with_one_build(tmp_path, fresh):
    steps = commit_steps(tmp_path)
    template = old_output(tmp_path / "template")
    for n in (0, 1, steps // 2, steps - 1):
        root = shutil.copytree(template, tmp_path / f"i{n}")
        errors = tmp_path / f"i{n}.err"
        status = in_child(
            lambda root=root: cli.main(["build", "--site", str(root), "--jobs", "1"]),
            {**kill_hook(n, "INT"), "SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))},
            errors,
        )
        said = errors.read_text(encoding="utf-8")
        assert status == 130, said
        assert "stopped by Ctrl-C" in said and "Traceback" not in said
        assert tree(root / "output") == (fresh["old"] if n == 0 else fresh["new"]), n
        assert not output.staging_dir(root / "output").exists()


def test_ctrl_c_at_random_moments_of_a_build_never_shows_a_traceback(tmp_path, fresh):
    """Builds stopped from the outside at random moments (the same ones every run): whatever the
    moment, the exit is clean and the output one build."""
    template = old_output(tmp_path / "template")
    epoch = {"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    rng = random.Random(7)
    for attempt in range(6):
        root = shutil.copytree(template, tmp_path / f"r{attempt}")
        errors = tmp_path / f"r{attempt}.err"
        pid = started(lambda root=root: cli.main(["build", "--site", str(root), "-j", "1"]), epoch, errors)
        time.sleep(rng.uniform(0, 0.25))  # a random moment, not a race: every moment must be fine
        os.kill(pid, signal.SIGINT)  # the child is ours and not yet reaped: the pid cannot be another's
        status = finished(pid)
        said = errors.read_text(encoding="utf-8")
        assert status in (0, 130), said
        assert "Traceback" not in said
        assert tree(root / "output") in (fresh["old"], fresh["new"])


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, "PYTHONPATH": str(REPO), "SOURCE_DATE_EPOCH": str(int(NOW.timestamp())), **(env or {})}
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args],
        cwd=REPO,
        env=full,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # as a terminal gives it (see started)
    )


def test_a_second_build_of_the_same_output_waits_or_exits_2(tmp_path, fresh):
    root = old_output(tmp_path)
    log = tmp_path / "refused.err"
    with lock.locked(root / ".newsdigest-cache", root / "output"):
        status = in_child(lambda: cli.main(["build", "--site", str(root)]), {"NEWSDIGEST_LOCK_WAIT": "0"}, log)
    said = log.read_text(encoding="utf-8")
    assert status == 2, said
    assert f"another build into {root / 'output'} is running (process {os.getpid()})" in said
    assert tree(root / "output") == fresh["old"]
    build(Options(site_dir=root, now=NOW))  # the lock went with its holder
    assert tree(root / "output") == fresh["new"]


def test_two_builds_at_once_give_exactly_one_builds_output(tmp_path):
    """Two processes build one site into one folder, each with its own base URL: the second waits
    for the first, and the folder ends up exactly one of them, byte for byte."""
    root = write_site(tmp_path / "site", NEW)
    urls = ("https://one.example/", "https://two.example/tin/")
    expected = []
    for url in urls:
        build(Options(site_dir=root, output_dir=tmp_path / url.split("/")[2], base_url=url, now=NOW, cache=False))
        expected.append(tree(tmp_path / url.split("/")[2]))
    epoch = {"SOURCE_DATE_EPOCH": str(int(NOW.timestamp()))}
    for attempt in range(3):
        logs = [tmp_path / f"{attempt}-{i}.err" for i in range(2)]
        both = [
            started(lambda url=url: cli.main(["build", "--site", str(root), "-j", "1", "--base-url", url]), epoch, log)
            for url, log in zip(urls, logs, strict=True)
        ]
        statuses = [finished(pid) for pid in both]
        said = "".join(log.read_text(encoding="utf-8") for log in logs)
        assert statuses == [0, 0] and "Traceback" not in said, said
        assert tree(root / "output") in expected


def test_an_unreadable_content_file_is_an_error_naming_it(tmp_path, fresh, monkeypatch, capsys):
    root = old_output(tmp_path)
    monkeypatch.chdir(root)
    real = os.open
    target = root / "content/kinh-te/ba.vi.md"

    def refuse(path, *args, **kwargs) -> int:  # site files are opened with os.open (sitefiles.read_bytes)
        if os.fspath(path) == str(target):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refuse)
    assert cli.main(["build", "--site", str(root)]) == 1
    said = capsys.readouterr().err
    assert "content/kinh-te/ba.vi.md:1: cannot be read: Permission denied" in said and "Traceback" not in said
    assert tree(root / "output") == fresh["old"]
    assert cli.main(["check", "--site", str(root)]) == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_an_unreadable_content_file_for_real(tmp_path, fresh):
    root = old_output(tmp_path)
    (root / "content/kinh-te/ba.vi.md").chmod(0)
    said = run_cli("build", "--site", str(root))
    assert said.returncode == 1 and "ba.vi.md:1: cannot be read: Permission denied" in said.stderr
    assert tree(root / "output") == fresh["old"]


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_an_output_that_cannot_be_written_exits_2_and_keeps_the_old_output(tmp_path, fresh, monkeypatch, capsys, code):
    root = old_output(tmp_path)
    real = open

    def failing(path, mode="r", *args, **kwargs):  # a staged page (output.stage_bytes), the first thing written
        if "w" in mode and output.STAGING in str(path):
            raise OSError(code, os.strerror(code), str(path))
        return real(path, mode, *args, **kwargs)

    def failing_journal(path, mode="r", *args, **kwargs):
        if "w" in mode and output.STAGING in str(path) and str(path).endswith(f"{output.MARKER}.tmp"):
            raise OSError(code, os.strerror(code), str(path))
        return real(path, mode, *args, **kwargs)

    monkeypatch.setattr(output, "open", failing, raising=False)
    assert cli.main(["build", "--site", str(root), "-j", "1"]) == 2
    said = capsys.readouterr().err
    assert f"cannot write the output: {os.strerror(code)}" in said and "left as it was" in said
    assert "Traceback" not in said
    assert tree(root / "output") == fresh["old"]
    monkeypatch.setattr(output, "open", failing_journal, raising=False)  # the journal, the last thing written
    assert cli.main(["build", "--site", str(root), "-j", "1"]) == 2
    assert tree(root / "output") == fresh["old"]
    monkeypatch.undo()
    assert cli.main(["build", "--site", str(root), "-j", "1"]) == 0


@pytest.mark.parametrize("first", [True, False])
def test_an_output_on_a_read_only_disk_exits_2(tmp_path, fresh, monkeypatch, capsys, first):
    root = write_site(tmp_path / "site", NEW) if first else old_output(tmp_path)
    real = Path.mkdir

    def read_only(path: Path, *args, **kwargs) -> None:
        if path.name in (output.STAGING, output.fresh_dir(root / "output").name):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(path))
        real(path, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", read_only)
    assert cli.main(["build", "--site", str(root)]) == 2
    said = capsys.readouterr().err
    assert "cannot write the output: Read-only file system" in said and "Traceback" not in said
    assert not (root / "output").exists() if first else tree(root / "output") == fresh["old"]


def test_an_output_that_is_a_file_is_a_usage_error(tmp_path, capsys):
    root = write_site(tmp_path / "site", NEW)
    (tmp_path / "file").write_text("mine")
    for target in ("file", "file/under"):
        assert cli.main(["build", "--site", str(root), "--output", str(tmp_path / target)]) == 2
        said = capsys.readouterr().err
        assert "not a folder" in said and "Traceback" not in said
    assert (tmp_path / "file").read_text() == "mine"


def test_an_unexpected_exception_is_one_line_and_debug_shows_the_trace(tmp_path, monkeypatch, capsys):
    root = write_site(tmp_path / "site", NEW)

    def broken(*args, **kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(pipeline, "model", broken)
    assert cli.main(["build", "--site", str(root)]) == 1
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "ZeroDivisionError: a bug" in said[0] and "newsdigest/pipeline.py" in said[0]
    assert cli.main(["build", "--site", str(root), "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err
    assert not (root / "output").exists()

    monkeypatch.setattr(reading, "load", broken)  # named by the story it met (a new one: not in the cache)
    write_site(root, story("the-gioi", "bon", "Tin bốn", "Bốn."))
    assert cli.main(["check", "--site", str(root)]) == 1
    said = capsys.readouterr().err.strip().splitlines()
    assert len(said) == 1 and "bon.vi.md: unexpected ZeroDivisionError while reading it: a bug" in said[0]

    monkeypatch.setattr(cli, "new_story", broken)
    assert cli.main(["new", "--site", str(root), "--section", "thoi-su", "--lang", "vi", "Tin"]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1

    monkeypatch.setattr(newsdigest.serve, "serve", broken)
    assert cli.main(["serve", "--site", str(root)]) == 1
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_ctrl_c_in_a_real_build_py_process_during_its_commit(tmp_path, fresh):
    root = old_output(tmp_path)
    said = run_cli("build", "--site", str(root), "-j", "1", env=kill_hook(3, "INT"))
    assert said.returncode == 130 and "Traceback" not in said.stderr, said.stderr
    assert "holds one whole build" in said.stderr
    assert tree(root / "output") == fresh["new"]
