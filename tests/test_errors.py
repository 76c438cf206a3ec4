"""Bad input: every problem as ``path:line: message``, all in one run, exit 1, output untouched."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_site

REPO = Path(__file__).resolve().parent.parent
GOOD = """
-- content/a/good.vi.md --
---
title: Tốt
date: 2024-01-01
---
x
"""


def run_build(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args, "--site", "."], cwd=root, capture_output=True, text=True
    )


CASES = {
    "yaml": (
        "content/a/bad.vi.md",
        "---\ntitle: [oops\ndate: 2024-01-01\n---\nx\n",
        "content/a/bad.vi.md:3: front matter is not valid YAML",
    ),
    "fence": (
        "content/a/bad.vi.md",
        "---\ntitle: X\ndate: 2024-01-01\nbody without a fence\n",
        "content/a/bad.vi.md:1: the front matter's '---' fence is never closed",
    ),
    "no front matter": ("content/a/bad.vi.md", "# Just markdown\n", "content/a/bad.vi.md:1: no front matter"),
    "title": ("content/a/bad.vi.md", "---\ndate: 2024-01-01\n---\nx\n", "content/a/bad.vi.md:1: no title"),
    "date": (
        "content/a/bad.vi.md",
        "---\ntitle: X\ndate: yesterday\n---\nx\n",
        "content/a/bad.vi.md:3: date: 'yesterday' is not a date",
    ),
    "impossible date": (
        "content/a/bad.vi.md",
        "---\ntitle: X\ndate: 2024-13-45\n---\nx\n",
        "content/a/bad.vi.md:3: date: '2024-13-45' is not a date",
    ),
    "no date": ("content/a/bad.vi.md", "---\ntitle: X\n---\nx\n", "content/a/bad.vi.md:1: no date"),
    "language suffix": (
        "content/a/bad.fr.md",
        "---\ntitle: X\ndate: 2024-01-01\n---\nx\n",
        "content/a/bad.fr.md:1: language suffix '.fr' is not one of the site's languages (vi, en)",
    ),
    "lang key": (
        "content/a/bad.vi.md",
        "---\ntitle: X\ndate: 2024-01-01\nlang: de\n---\nx\n",
        "content/a/bad.vi.md:4: lang: 'de' is not one of the site's languages (vi, en)",
    ),
    "slug": (
        "content/a/bad.vi.md",
        "---\ntitle: X\ndate: 2024-01-01\nslug: ../../etc\n---\nx\n",
        "content/a/bad.vi.md:4: slug: '../../etc' would leave its folder",
    ),
    "broken link": (
        "content/a/bad.vi.md",
        "---\ntitle: X\ndate: 2024-01-01\n---\n\nSee [it](missing.vi.md).\n",
        "content/a/bad.vi.md:6: link to 'missing.vi.md': that story does not exist",
    ),
    "no section": (
        "content/bad.vi.md",
        "---\ntitle: X\ndate: 2024-01-01\n---\nx\n",
        "content/bad.vi.md:1: a story must be in a section folder",
    ),
    "views": (
        "content/a/bad.vi.md",
        "---\ntitle: X\ndate: 2024-01-01\nviews: many\n---\nx\n",
        "content/a/bad.vi.md:4: views: 'many' is not a whole number",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_with_its_line(case, tmp_path):
    rel, text, expected = CASES[case]
    root = write_site(tmp_path / "s", GOOD)
    (root / rel).parent.mkdir(parents=True, exist_ok=True)
    (root / rel).write_text(text, encoding="utf-8")
    done = run_build(root)
    assert done.returncode == 1, done
    assert expected in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


def test_file_that_is_not_utf8(tmp_path):
    root = write_site(tmp_path / "s", GOOD)
    (root / "content/a/cp1258.vi.md").write_bytes("---\ntitle: Đà\ndate: 2024-01-01\n---\n".encode("cp1258"))
    done = run_build(root)
    assert done.returncode == 1
    assert "content/a/cp1258.vi.md:2: not UTF-8: byte 0xd0 cannot be decoded" in done.stderr


def test_bom_and_crlf_are_fine(build_site):
    site = build_site(GOOD)
    (site.root / "content/a/win.vi.md").write_bytes(
        "\ufeff---\r\ntitle: Windows\r\ndate: 2024-01-01\r\n---\r\nDòng một.\r\n".encode()
    )
    site = build_site()
    site.assert_file("vi/a/windows/index.html", "Dòng một.")


def test_two_files_with_the_same_language_and_translation_key(tmp_path):
    root = write_site(
        tmp_path / "s",
        """
    -- content/a/one.vi.md --
    ---
    title: Một
    date: 2024-01-01
    translation_key: k
    ---
    x
    -- content/a/two.vi.md --
    ---
    title: Hai
    date: 2024-01-01
    translation_key: k
    ---
    y
    """,
    )
    done = run_build(root)
    assert done.returncode == 1
    assert "content/a/two.vi.md:1: same language (vi) and translation key 'k' as content/a/one.vi.md" in done.stderr


def test_two_stories_with_the_same_url_name_both_files(tmp_path):
    root = write_site(
        tmp_path / "s",
        """
    -- content/a/one.vi.md --
    ---
    title: Bảo trì máy chủ
    date: 2024-01-01
    slug: bao-tri
    ---
    x
    -- content/a/two.vi.md --
    ---
    title: Bảo trì máy chủ lần hai
    date: 2024-02-01
    slug: bao-tri
    ---
    y
    """,
    )
    done = run_build(root)
    assert done.returncode == 1
    assert "content/a/two.vi.md:1: same URL /vi/a/bao-tri/ as content/a/one.vi.md" in done.stderr


def test_repeated_titles_get_distinct_urls_and_the_oldest_keeps_its_own(build_site):
    site = build_site("""
    -- content/a/2024-03-01-maintenance.vi.md --
    ---
    title: Bảo trì máy chủ
    date: 2024-03-01T09:00:00+07:00
    ---
    newer
    -- content/a/2024-01-01-maintenance.vi.md --
    ---
    title: Bảo trì máy chủ
    date: 2024-01-01T09:00:00+07:00
    ---
    older
    -- content/a/2024-03-01-again.vi.md --
    ---
    title: Bảo trì máy chủ
    date: 2024-03-01T18:30:00+07:00
    ---
    same day
    """)
    site.assert_file("vi/a/bao-tri-may-chu/index.html", "older")
    site.assert_file("vi/a/bao-tri-may-chu-2024-03-01/index.html", "newer")
    site.assert_file("vi/a/bao-tri-may-chu-2024-03-01-1830/index.html", "same day")


def test_every_bad_file_is_reported_in_one_run_and_output_is_untouched(tmp_path):
    root = write_site(tmp_path / "s", GOOD)
    assert run_build(root).returncode == 0
    before = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    stamps = {p: p.stat().st_mtime_ns for p in before}
    for name, (rel, text, _) in CASES.items():
        path = root / rel.replace("bad", name.replace(" ", "-"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    done = run_build(root)
    assert done.returncode == 1
    for name, (rel, _, expected) in CASES.items():
        shown = rel.replace("bad", name.replace(" ", "-"))
        assert expected.replace(rel, shown) in done.stderr, (name, done.stderr)
    after = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    assert after == before
    assert {p: p.stat().st_mtime_ns for p in after} == stamps
    assert sorted(p.name for p in root.iterdir()) == [".newsdigest-cache", "content", "output"]


def test_check_reports_the_same_errors(tmp_path):
    root = write_site(tmp_path / "s", GOOD)
    (root / "content/a/bad.vi.md").write_text("---\ntitle: X\n---\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "check", "--site", "."], cwd=root, capture_output=True, text=True
    )
    assert done.returncode == 1 and "content/a/bad.vi.md:1: no title" not in done.stderr
    assert "content/a/bad.vi.md:1: no date" in done.stderr
    assert not (root / "output").exists()


def test_site_yaml_errors(tmp_path):
    root = write_site(tmp_path / "s", GOOD)
    (root / "site.yaml").write_text("title: Bản tin\nper_page: lots\ncolour: red\n", encoding="utf-8")
    done = run_build(root)
    assert done.returncode == 1
    assert "site.yaml:2: per_page: must be a whole number above 0" in done.stderr
    assert "site.yaml:3: colour: unknown setting" in done.stderr


def test_template_error_is_reported_not_raised(tmp_path):
    root = write_site(tmp_path / "s", GOOD)
    (root / "layouts").mkdir()
    (root / "layouts/article.html").write_text("<html>{{ page.no_such_thing }}</html>\n", encoding="utf-8")
    done = run_build(root)
    assert done.returncode == 1, done
    assert "article.html:1: template:" in done.stderr and "Traceback" not in done.stderr
    assert not (root / "output").exists()


def test_output_cannot_replace_the_site(tmp_path):
    root = write_site(tmp_path / "s", GOOD)
    for target in (".", "content", ".."):
        done = run_build(root, "build", "--output", target)
        assert done.returncode == 2, (target, done)
    assert (root / "content/a/good.vi.md").is_file()


def test_a_folder_that_is_not_a_build_is_never_emptied(tmp_path):
    root = write_site(tmp_path / "s", GOOD)
    documents = tmp_path / "documents"
    documents.mkdir()
    (documents / "letter.txt").write_text("keep me", encoding="utf-8")
    done = run_build(root, "build", "--output", str(documents))
    assert done.returncode == 2 and "not a build of a site" in done.stderr
    assert (documents / "letter.txt").read_text(encoding="utf-8") == "keep me"
    assert run_build(root, "build", "--output", str(tmp_path / "new")).returncode == 0
    assert run_build(root, "build", "--output", str(tmp_path / "new")).returncode == 0  # its own earlier build


def test_nothing_is_written_outside_the_output_folder(tmp_path):
    root = write_site(tmp_path / "s", GOOD)
    (root / "content/a/escape.vi.md").write_text(
        "---\ntitle: ../../../escape\ndate: 2024-01-01\nsection: ../..\n---\n[x](../../../../etc/passwd.md)\n"
    )
    before = sorted(p for p in tmp_path.rglob("*"))
    run_build(root)
    (root / "content/a/escape.vi.md").unlink()
    assert run_build(root).returncode == 0
    new = sorted(set(tmp_path.rglob("*")) - set(before))
    # The output folder, and the build's cache (documented, git-ignored) under the site folder.
    assert all(p.is_relative_to(root / "output") or p.is_relative_to(root / ".newsdigest-cache") for p in new), new
