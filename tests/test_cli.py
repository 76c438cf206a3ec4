"""The front door: ``newsdigest`` / ``python -m newsdigest``, ``init``, ``--version``, ``--site``'s
default, unknown commands and settings answered with the closest match, counts in words, and the
line about drafts and scheduled stories a build left out."""

from __future__ import annotations

import importlib
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from newsdigest import __version__, cli
from newsdigest.cli import COMMANDS, main
from newsdigest.output import WriteResult
from newsdigest.pipeline import Options, Result, build
from newsdigest.wording import plural
from tests.conftest import NOW, write_site

REPO = Path(__file__).resolve().parent.parent
EPOCH = str(int(NOW.timestamp()))  # 2026-11-01 12:00 UTC, the build's moment in every test here

ONE = """
-- content/thoi-su/mot.vi.md --
---
title: Một bài
date: 2026-10-01T08:00:00+07:00
---
Nội dung.
"""


@pytest.fixture(autouse=True)
def moment(monkeypatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)


def run_module(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess:
    """``python -m newsdigest ARGS`` with this checkout's package first on the path."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "newsdigest", *args], cwd=cwd, env=env, capture_output=True, text=True)


# -- init -----------------------------------------------------------------------------------------


def test_init_makes_a_site_that_checks_and_builds_from_its_own_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["init", "mysite"], prog="newsdigest") == 0
    out = capsys.readouterr().out
    assert "mysite/site.yaml" in out and "cd mysite && newsdigest" in out
    site = tmp_path / "mysite"
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == [
        ".github/workflows/publish.yml",
        ".gitignore",
        "content/thoi-su/chao-mung.en.md",
        "content/thoi-su/chao-mung.vi.md",
        "site.yaml",
    ]
    settings = yaml.safe_load((site / "site.yaml").read_text(encoding="utf-8"))
    assert settings["languages"] == ["vi", "en"] and settings["sections"]["thoi-su"] == {"vi": "Thời sự", "en": "News"}
    assert settings["publisher"]["name"] and settings["publisher"]["editor_in_chief"]
    assert (site / ".gitignore").read_text(encoding="utf-8").split("\n")[1:3] == ["output/", ".newsdigest-cache/"]

    monkeypatch.chdir(site)  # no --site: the current folder, as a newsroom runs it in its repository
    assert main(["check"]) == 0
    checked = capsys.readouterr()
    assert "Checked 2 stories (vi 1, en 1)" in checked.out and checked.err == ""  # not one warning
    assert main([]) == 0
    built = capsys.readouterr()
    assert "Built 2 stories" in built.out and built.err == ""
    vi = (site / "output/vi/thoi-su/chao-mung-den-voi-ban-tin/index.html").read_text(encoding="utf-8")
    assert "Chào mừng đến với bản tin" in vi and 'hreflang="en"' in vi  # the two are one story's translations
    assert (site / "output/en/thoi-su/welcome-to-the-digest/index.html").is_file()


def test_init_writes_a_publishing_workflow_that_keeps_the_cache_and_runs_hourly(tmp_path):
    assert main(["init", str(tmp_path / "s")]) == 0
    text = (tmp_path / "s/.github/workflows/publish.yml").read_text(encoding="utf-8")
    flow = yaml.safe_load(text)
    triggers = flow.get("on", flow.get(True))  # YAML 1.1 reads the key ``on`` as true
    assert re.fullmatch(r"\d{1,2} \* \* \* \*", triggers["schedule"][0]["cron"])  # once an hour
    assert triggers["push"] == {"branches": ["main"]} and "workflow_dispatch" in triggers
    steps = flow["jobs"]["publish"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert uses.index("actions/cache") < uses.index("actions/upload-pages-artifact") < uses.index("actions/deploy-pages")
    kept = steps[uses.index("actions/cache")]["with"]
    assert kept["path"].split() == [".newsdigest-cache", "output"] and "restore-keys" in kept
    runs = [step["run"] for step in steps if "run" in step]
    assert any(run.startswith("newsdigest build") for run in runs)
    assert uses.index("actions/cache") < [i for i, s in enumerate(steps) if s.get("run", "").startswith("newsdigest")][0]
    assert f"newsdigest=={__version__}" in text or "newsdigest==" in text


def test_init_never_writes_over_anything(tmp_path, capsys):
    site = write_site(tmp_path / "site", ONE)
    before = (site / "content/thoi-su/mot.vi.md").read_bytes()
    assert main(["init", str(site)]) == 2
    assert "already a site" in capsys.readouterr().err
    assert sorted(p.name for p in site.iterdir()) == ["content"]
    assert (site / "content/thoi-su/mot.vi.md").read_bytes() == before

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.txt").write_text("x", encoding="utf-8")
    assert main(["init", str(notes)]) == 2
    assert "not empty (todo.txt)" in capsys.readouterr().err and [p.name for p in notes.iterdir()] == ["todo.txt"]

    (tmp_path / "a-file").write_text("x", encoding="utf-8")
    assert main(["init", str(tmp_path / "a-file")]) == 2
    assert "is a file" in capsys.readouterr().err

    repo = tmp_path / "repo"  # an empty repository (``git init repo``) is an empty folder
    (repo / ".git").mkdir(parents=True)
    assert main(["init", str(repo)]) == 0 and (repo / "site.yaml").is_file()


# -- the command itself --------------------------------------------------------------------------


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"newsdigest {cli.version()}\n"
    assert cli.version() == __version__  # the installed metadata and the package agree


def test_python_dash_m_newsdigest_builds_from_the_repository_root(tmp_path):
    site = write_site(tmp_path / "site", ONE)
    done = run_module("--site", str(site))  # no command: build
    assert done.returncode == 0, done.stderr
    assert "Built 1 story (vi 1, en 0)" in done.stdout and (site / "output/vi/index.html").is_file()
    shown = run_module("--version")
    assert shown.returncode == 0 and shown.stdout == f"newsdigest {__version__}\n"
    wrong = run_module("chekc", "--site", str(site))
    assert wrong.returncode == 2 and wrong.stderr.startswith("newsdigest: error: unknown command 'chekc'")


def test_the_newsdigest_script_is_declared_and_exists():
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, _, name = scripts["newsdigest"].partition(":")
    assert callable(getattr(importlib.import_module(module), name))


def test_unknown_command_lists_the_commands_and_the_closest(tmp_path, capsys):
    assert main(["biuld"]) == 2
    err = capsys.readouterr().err
    assert "build.py: error: unknown command 'biuld' (did you mean 'build'?)" in err
    assert all(command in err for command in COMMANDS)
    assert main(["xyzzy"]) == 2
    assert "did you mean" not in capsys.readouterr().err
    site = write_site(tmp_path / "site", ONE)
    assert main(["--site", str(site), "-q"]) == 0 and (site / "output/index.html").is_file()  # options alone: build


def test_site_defaults_to_the_current_folder_when_it_holds_content(tmp_path, monkeypatch, capsys):
    site = write_site(tmp_path / "site", ONE)
    monkeypatch.chdir(site)
    assert cli.default_site() == site
    assert main(["check"]) == 0 and "Checked 1 story (vi 1, en 0)" in capsys.readouterr().out
    assert main(["new", "--section", "thoi-su", "--lang", "vi", "Bài mới"]) == 0
    assert (site / "content/thoi-su/bai-moi.vi.md").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # no content/ here: this checkout's sample digest
    assert cli.default_site() == REPO
    monkeypatch.setattr(cli, "REPO_SITE", tmp_path / "installed")  # an installed package has no sample
    assert cli.default_site() == elsewhere
    assert main(["check"]) == 2 and "no content/ folder" in capsys.readouterr().err


def test_a_site_yaml_typo_is_answered_with_the_closest_setting(tmp_path, capsys):
    site = write_site(
        tmp_path / "site",
        ONE
        + """
-- site.yaml --
languages: [vi, en]
timezon: "+07:00"
publsher: {name: X}
colour: red
""",
    )
    assert main(["check", "--site", str(site)]) == 1
    err = capsys.readouterr().err
    assert "site.yaml:2: timezon: unknown setting; did you mean 'timezone'? (known: " in err
    assert "site.yaml:3: publsher: unknown setting; did you mean 'publisher'?" in err
    assert "site.yaml:4: colour: unknown setting (known: " in err
    assert "publisher_texts" not in err and "image_line" not in err  # the keys as they are written
    assert err.rstrip().endswith("3 errors")


# -- counts in words -----------------------------------------------------------------------------


def test_plurals():
    assert [plural(n, "story") for n in (0, 1, 2)] == ["0 stories", "1 story", "2 stories"]
    assert [plural(1, w) for w in ("page", "feed", "warning", "file")] == ["1 page", "1 feed", "1 warning", "1 file"]
    assert plural(2, "scheduled story") == "2 scheduled stories" and plural(3, "draft") == "3 drafts"


def test_summaries_count_in_words(tmp_path, capsys):
    result = Result(None, stories={"vi": 1}, pages=1, feeds=1, write=WriteResult(written=["a.html"]))
    assert cli._summary(result, "Built").startswith("Built 1 story (vi 1), 1 page, 1 feed in ")
    assert "; 1 file written, 0 unchanged" in cli._summary(result, "Built")
    site = write_site(
        tmp_path / "site",
        ONE
        + """
-- content/thoi-su/hai.vi.md --
---
title: Hai
---
x
""",
    )
    assert main(["build", "--site", str(site)]) == 1
    assert capsys.readouterr().err.rstrip().endswith("1 error; " + str(site / "output") + " left as it was")


# -- what a build left out -----------------------------------------------------------------------

LEFT_OUT = (
    ONE
    + """
-- content/thoi-su/nhap-1.vi.md --
---
title: Bản nháp một
date: 2026-10-02T08:00:00+07:00
draft: true
---
x
-- content/thoi-su/nhap-2.vi.md --
---
title: Bản nháp hai
date: 2026-12-24T08:00:00+07:00
draft: true
---
x
-- content/thoi-su/sap-dang.vi.md --
---
title: Sắp đăng
date: 2026-12-02T08:00:00+07:00
---
x
-- content/thoi-su/sau-nua.vi.md --
---
title: Sau nữa
date: 2027-01-01T08:00:00+07:00
---
x
-- site.yaml --
timezone: Asia/Ho_Chi_Minh
"""
)


def test_a_build_says_what_it_left_out_and_how_to_include_it(tmp_path, capsys):
    site = write_site(tmp_path / "site", LEFT_OUT)
    line = (
        "Left out 2 drafts (--drafts to include) and 2 scheduled stories (--future to include;"
        " the first appears with the first build after 2026-12-02 08:00)"
    )
    assert main(["build", "--site", str(site)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [line]
    assert main(["build", "--site", str(site)]) == 0  # nothing changed: the remembered plan answers
    out = capsys.readouterr().out
    assert "rendered 0" in out and out.splitlines()[1:] == [line]
    assert main(["check", "--site", str(site)]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == [line]
    assert main(["build", "--site", str(site), "--drafts"]) == 0  # the scheduled draft is now counted as scheduled
    assert capsys.readouterr().out.splitlines()[1:] == [
        "Left out 3 scheduled stories (--future to include; the first appears with the first build after 2026-12-02 08:00)"
    ]
    assert main(["build", "--site", str(site), "--future"]) == 0
    assert capsys.readouterr().out.splitlines()[1:] == ["Left out 2 drafts (--drafts to include)"]
    assert main(["build", "--site", str(site), "--future", "--drafts"]) == 0
    assert len(capsys.readouterr().out.splitlines()) == 1
    assert main(["build", "--site", str(site), "-q"]) == 0 and capsys.readouterr().out == ""


def test_one_scheduled_story_is_named_with_its_time(tmp_path, capsys):
    site = write_site(
        tmp_path / "site",
        ONE
        + """
-- content/thoi-su/sap-dang.en.md --
---
title: Soon
date: 2026-11-01T19:00:30+07:00
---
x
-- site.yaml --
timezone: Asia/Ho_Chi_Minh
""",
    )
    result = build(Options(site_dir=site, now=NOW))
    assert (result.left_out.drafts, result.left_out.scheduled) == (0, 1)
    assert main(["build", "--site", str(site)]) == 0
    assert capsys.readouterr().out.splitlines()[1] == (
        "Left out 1 scheduled story (--future to include; it appears with the first build after 2026-11-01 19:00:30)"
    )


def test_every_setting_has_a_reader():
    """A new Config field needs a reader in config.READERS, or site.yaml could never set it (and
    "did you mean" would not know it)."""
    from newsdigest.config import READERS, Config

    internal = {"publisher_texts", "image_line"}  # set by the publisher and image readers
    assert set(Config.__dataclass_fields__) - internal == set(READERS) - {"publisher"} | {"languages"}
