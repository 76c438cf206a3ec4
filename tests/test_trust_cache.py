"""A cache that cannot lie: rows rewritten to valid but wrong values give exactly a fresh build's output.

Each test builds a tiny site, rewrites rows of ``.newsdigest-cache/cache.sqlite`` as a bug, a hand
edit or another version could, builds again, and compares the whole output tree, byte for byte, with
a build of the same site into another folder without any cache.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest

from newsdigest import cache as cache_module
from newsdigest.cli import main
from newsdigest.errors import ContentErrors
from newsdigest.pipeline import Options, build
from newsdigest.stored import decode_loaded
from tests.conftest import NOW, write_site

SITE = """
-- site.yaml --
title: {vi: Bản tin thử, en: Test digest}
-- static/extra.txt --
a static file
-- content/thoi-su/lu-lut.vi.md --
---
title: Lũ lụt ở Đà Nẵng
date: 2024-10-01T08:00:00+07:00
summary: Mưa lớn.
tags: [thời tiết]
---
Nước dâng cao.
-- content/thoi-su/lu-lut.en.md --
---
title: Floods in Da Nang
date: 2024-10-01T08:00:00+07:00
---
Water rose.
-- content/kinh-te/gia-vang.vi.md --
---
title: Giá vàng tăng
date: 2024-10-02T08:00:00+07:00
tags: [vàng]
---
Giá vàng tăng mạnh.
-- content/kinh-te/sap-dang.vi.md --
---
title: Sắp đăng
date: 2026-11-02T08:00:00+07:00
---
Tin hẹn giờ.
"""
STORY = "content/thoi-su/lu-lut.vi.md"
PAGE = "vi/thoi-su/lu-lut-o-da-nang/index.html"


def tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = write_site(tmp_path / "site", SITE)
    build(Options(site_dir=root, now=NOW))
    return root


def fresh(root: Path, now=NOW) -> dict[str, bytes]:
    """The output of a build without any cache, into a folder of its own."""
    out = root.parent / "fresh"
    shutil.rmtree(out, ignore_errors=True)
    build(Options(site_dir=root, output_dir=out, now=now, cache=False))
    return tree(out)


def sql(root: Path, *statements: str, params: tuple = ()) -> None:
    with sqlite3.connect(root / ".newsdigest-cache/cache.sqlite") as db:
        for statement in statements:
            changed = db.execute(statement, params).rowcount
            assert changed, f"the test's rewrite changed no row: {statement}"


def rows(root: Path, query: str) -> list[tuple]:
    with sqlite3.connect(root / ".newsdigest-cache/cache.sqlite") as db:
        return db.execute(query).fetchall()


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def rebuilt_as_fresh(root: Path, now=NOW) -> None:
    """A build with the rewritten cache gives a fresh build's bytes, and leaves a cache that the
    next build can use again (it reads no story and renders nothing)."""
    build(Options(site_dir=root, now=now))
    assert tree(root / "output") == fresh(root, now)
    again = build(Options(site_dir=root, now=now))
    assert again.parsed == [] and again.rendered == []
    assert tree(root / "output") == fresh(root, now)


def article_key(root: Path, needle: str) -> str:
    """The key of the one stored story whose title or body holds ``needle``."""
    stored = {key: decode_loaded(value) for key, value in rows(root, "SELECT key, value FROM articles")}
    keys = [key for key, loaded in stored.items() if needle in getattr(loaded, "title", "") + loaded.body_html]
    assert len(keys) == 1, needle
    return keys[0]


REWRITES = {
    "a title changed inside the stored story": [
        "UPDATE articles SET value = replace(value, 'Lũ lụt ở Đà Nẵng', 'Tin giả') WHERE value LIKE '%Lũ lụt%'"
    ],
    "a draft flag set in the stored story": ["""UPDATE articles SET value = replace(value, '"draft":false', '"draft":true')"""],
    "a draft flag set among the facts": ["UPDATE articles SET draft = 1 WHERE kind = 'article'"],
    "every story stored as 'no errors, no content'": [
        """UPDATE articles SET value = '{"kind":"errors","value":[]}', kind = 'errors', date_ts = NULL, draft = 0"""
    ],
    "a garbled draft flag": ["""UPDATE articles SET value = replace(value, '"draft":false', '"draft":"no"')"""],
    "a date without a zone": ["""UPDATE articles SET value = replace(value, '+07:00"}', '"}')"""],
    "a wrong type in a nested field": ["""UPDATE articles SET value = replace(value, '"tags":["', '"tags":[["x"],"')"""],
    "facts saying a story is an index": ["UPDATE articles SET kind = 'index', date_ts = NULL"],
    "facts with a date of another year": ["UPDATE articles SET date_ts = date_ts - 31536000"],
    "facts with text for a date": ["UPDATE articles SET date_ts = 'soon' WHERE kind = 'article'"],
    "a remembered plan that forged its inputs": ["UPDATE plans SET digest = 'forged'"],
    "a remembered plan with no static files": ["""UPDATE plans SET summary = json_set(summary, '$.assets', json('[]'))"""],
    "a remembered plan with wrong counts": ["""UPDATE plans SET summary = json_set(summary, '$.stories.vi', 0)"""],
    "a remembered plan that is not JSON": ["UPDATE plans SET summary = 'not json'"],
    "output records with another digest and size": ["UPDATE outputs SET digest = 'forged', size = size + 1"],
    "output records with another job key": ["UPDATE outputs SET job_key = 'forged'"],
    "output records with text for a size": ["UPDATE outputs SET size = 'big'"],
}


def untouched(root: Path) -> None:
    """Nothing changed: the build may answer from the remembered plan alone."""


def another_story_and_a_static_file_edited(root: Path) -> None:
    """The stories rewritten are decoded from the cache, the plan's keys are consulted."""
    edit(root, "content/thoi-su/lu-lut.en.md", "Water rose.", "Water fell.")
    edit(root, "static/extra.txt", "a static file", "a changed static file")


def output_deleted(root: Path) -> None:
    """Every story comes from the cache, every page is rendered."""
    shutil.rmtree(root / "output")


@pytest.mark.parametrize("then", [untouched, another_story_and_a_static_file_edited, output_deleted])
@pytest.mark.parametrize("statements", REWRITES.values(), ids=REWRITES.keys())
def test_a_rewritten_row_gives_a_fresh_builds_output(site: Path, statements: list[str], then):
    sql(site, *statements)
    then(site)
    rebuilt_as_fresh(site)


def test_two_stories_values_swapped(site: Path):
    """Every column but the key swapped between two rows: each is a whole, valid row, of another file."""
    columns = "value, kind, date_ts, draft, value_check, facts_check"
    one, two = article_key(site, "Lũ lụt ở Đà Nẵng"), article_key(site, "Giá vàng tăng")
    with sqlite3.connect(site / ".newsdigest-cache/cache.sqlite") as db:
        first = db.execute(f"SELECT {columns} FROM articles WHERE key = ?", (one,)).fetchone()
        second = db.execute(f"SELECT {columns} FROM articles WHERE key = ?", (two,)).fetchone()
        update = f"UPDATE articles SET ({columns}) = (?, ?, ?, ?, ?, ?) WHERE key = ?"
        db.execute(update, (*second, one))
        db.execute(update, (*first, two))
    rebuilt_as_fresh(site)


def test_a_row_copied_under_the_key_of_the_edited_file(site: Path):
    """An edit whose new key is given the old version's whole row: the old text must not come back."""
    build(Options(site_dir=site, now=NOW))
    old = article_key(site, "Nước dâng cao.")
    edit(site, STORY, "Nước dâng cao.", "Nước đã rút.")
    build(Options(site_dir=site, now=NOW))
    new = article_key(site, "Nước đã rút.")
    with sqlite3.connect(site / ".newsdigest-cache/cache.sqlite") as db:
        db.execute("DELETE FROM articles WHERE key = ?", (new,))
        db.execute(
            "INSERT INTO articles SELECT ?, value, kind, date_ts, draft, value_check, facts_check FROM articles WHERE key = ?",
            (new, old),
        )
    shutil.rmtree(site / "output")
    rebuilt_as_fresh(site)


def test_a_record_claiming_the_edited_pages_new_digest_does_not_stop_its_writing(site: Path):
    """The record of a page says the file already holds the bytes the edit will render (its size
    and time still those of the file on disk): trusted, it would keep the old page."""
    edit(site, STORY, "Nước dâng cao.", "Nước đã rút.")
    new_page = fresh(site)[PAGE]
    sql(
        site, "UPDATE outputs SET digest = ? WHERE path = ?", params=(hashlib.blake2b(new_page, digest_size=20).hexdigest(), PAGE)
    )
    rebuilt_as_fresh(site)
    assert "Nước đã rút." in (site / "output" / PAGE).read_text(encoding="utf-8")


def test_a_dropped_record_is_no_proof_that_its_file_is_there(site: Path):
    """A record gone (or dropped as wrong) and its file deleted: "nothing changed" must not be said."""
    sql(site, "DELETE FROM outputs WHERE path = ?", params=(PAGE,))
    (site / "output" / PAGE).unlink()
    rebuilt_as_fresh(site)


def test_a_remembered_plan_hiding_an_edit_does_not_keep_the_old_page(site: Path):
    """The plan's content keys say the edited story had its new key already: its page would keep
    its old key, and the old text."""
    edit(site, STORY, "Nước dâng cao.", "Nước đã rút.")
    new = fresh(site)
    build(Options(site_dir=site, output_dir=site.parent / "other", now=NOW))  # the cache learns the new key
    new_key = article_key(site, "Nước đã rút.")
    sql(site, "UPDATE plans SET summary = json_set(summary, '$.content.\"thoi-su/lu-lut.vi.md\"', ?)", params=(new_key,))
    build(Options(site_dir=site, now=NOW))
    assert tree(site / "output") == new


def test_wrong_facts_do_not_keep_a_scheduled_story_unpublished(site: Path):
    """The facts say the scheduled story is a draft, as they would stay after its time comes."""
    key = article_key(site, "Tin hẹn giờ.")
    sql(site, "UPDATE articles SET draft = 1 WHERE key = ?", params=(key,))
    later = NOW + timedelta(days=2)
    rebuilt_as_fresh(site, later)
    assert (site / "output/vi/kinh-te/sap-dang/index.html").is_file()


def test_a_cache_of_the_right_format_but_another_shape_is_made_afresh(site: Path):
    with sqlite3.connect(site / ".newsdigest-cache/cache.sqlite") as db:
        db.execute("ALTER TABLE articles DROP COLUMN facts_check")
    rebuilt_as_fresh(site)


def test_a_file_that_is_no_database_is_replaced(site: Path):
    for suffix in ("-wal", "-shm"):
        (site / f".newsdigest-cache/cache.sqlite{suffix}").unlink(missing_ok=True)
    (site / ".newsdigest-cache/cache.sqlite").write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    rebuilt_as_fresh(site)


def test_a_locked_cache_builds_without_it_with_one_warning(site: Path, monkeypatch, capsys):
    monkeypatch.setattr(cache_module, "BUSY_SECONDS", 0.01)
    edit(site, STORY, "Nước dâng cao.", "Nước đã rút.")
    holder = sqlite3.connect(site / ".newsdigest-cache/cache.sqlite", isolation_level=None)
    try:
        holder.execute("PRAGMA locking_mode=EXCLUSIVE")
        holder.execute("BEGIN EXCLUSIVE")  # another process holds the database
        before = (site / ".newsdigest-cache/cache.sqlite").read_bytes()
        assert main(["build", "--site", str(site)]) == 0
        captured = capsys.readouterr()
        assert "Traceback" not in captured.err
        assert captured.err.count("cache cannot be used") == 1, captured.err
        assert (site / ".newsdigest-cache/cache.sqlite").read_bytes() == before  # left alone, not replaced
    finally:
        holder.close()


def test_a_read_only_cache_builds_without_it(site: Path, monkeypatch):
    real_connect = sqlite3.connect

    def read_only(path, *args, **kwargs):  # the tests run as root, for whom chmod does not forbid
        return real_connect(f"file:{path}?mode=ro", *args, uri=True, **kwargs)

    edit(site, STORY, "Nước dâng cao.", "Nước đã rút.")
    monkeypatch.setattr(sqlite3, "connect", read_only)
    result = build(Options(site_dir=site, now=NOW))
    monkeypatch.undo()
    assert any("cache cannot be used" in w.message for w in result.warnings)
    assert tree(site / "output") == fresh(site)


def test_a_cache_folder_that_is_a_file_builds_with_a_warning(tmp_path: Path):
    root = write_site(tmp_path / "site", SITE)
    (root / ".newsdigest-cache").write_text("not a folder", encoding="utf-8")
    result = build(Options(site_dir=root, now=NOW))
    assert [w.path for w in result.warnings] == [".newsdigest-cache"] or any(
        "cache cannot be used" in w.message for w in result.warnings
    )
    assert tree(root / "output") == fresh(root)


def test_an_intact_cache_is_used(site: Path):
    """The checks do not turn every row into a miss: an edit reads one file and renders its pages."""
    edit(site, STORY, "Nước dâng cao.", "Nước đã rút.")
    result = build(Options(site_dir=site, now=NOW))
    assert result.parsed == ["thoi-su/lu-lut.vi.md"]
    assert PAGE in result.rendered and not any(p.startswith("en/") for p in result.rendered)
    assert len(result.reused) > 20
    assert build(Options(site_dir=site, now=NOW)).site is None  # "nothing changed" still answers
    assert not rows(site, "SELECT path FROM outputs WHERE row_check IS NULL")
    assert json.loads(rows(site, "SELECT summary FROM plans")[0][0])["records"]


def test_a_file_that_vanished_while_being_read_is_not_remembered_so(tmp_path: Path, monkeypatch):
    """The key a reading is stored under is that of the bytes listed a moment before: "it
    disappeared" is not what those bytes say, and the file may well have them again."""
    from newsdigest import sitefiles

    root = write_site(tmp_path / "site", SITE)
    real_read = sitefiles.read_bytes
    reads = []

    def vanished(path, *args, **kwargs):
        if str(path).endswith("lu-lut.vi.md"):
            reads.append(path)
            if len(reads) == 2:  # listed and hashed, then gone when it is parsed
                raise FileNotFoundError(2, "No such file or directory", path)
        return real_read(path, *args, **kwargs)

    monkeypatch.setattr(sitefiles, "read_bytes", vanished)
    with pytest.raises(ContentErrors) as stopped:
        build(Options(site_dir=root, now=NOW))
    assert [e.message for e in stopped.value.errors] == ["the file disappeared while the site was being read"]
    monkeypatch.undo()
    rebuilt_as_fresh(root)
