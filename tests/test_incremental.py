"""Memoised builds: what a rebuild renders is an assertion, and every path gives the same bytes."""

from __future__ import annotations

import os
import shutil
import sqlite3
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from newsdigest import output, publishing, reading
from newsdigest.memory import Memory
from newsdigest.pipeline import Options, build
from tests.conftest import NOW, write_site

SITE = "".join(
    f"""-- content/{section}/tin-{i}.vi.md --
---
title: Tin số {i}
date: 2024-03-{i + 1:02d}T08:00:00+07:00
summary: Tóm tắt {i}.
tags: [{"chung" if i % 2 else "le"}]
---
Đoạn đầu {i}.

Đoạn sau {i}.
-- content/{section}/tin-{i}.en.md --
---
title: Story {i}
date: 2024-03-{i + 1:02d}T08:00:00+07:00
summary: Summary {i}.
---
First {i}.
"""
    for i, section in enumerate(["thoi-su", "kinh-te"] * 6)
)


def tree(out):
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_second_build_renders_nothing(build_site):
    first = build_site(SITE)
    assert first.result.rendered and not first.result.reused
    second = build_site()
    assert second.rendered == set()
    assert second.result.parsed == []
    assert second.result.write.written == []


def test_body_edit_renders_the_story_and_the_feeds_that_carry_its_body(build_site):
    build_site(SITE)
    path = build_site().root / "content/thoi-su/tin-0.vi.md"
    path.write_text(path.read_text(encoding="utf-8").replace("Đoạn sau 0.", "Đoạn sau đã sửa."), encoding="utf-8")
    site = build_site()
    assert site.result.parsed == ["thoi-su/tin-0.vi.md"]
    story = "vi/thoi-su/tin-so-0/index.html"
    feeds = {f for f in site.rendered if f.endswith(("rss.xml", "feed.json"))}
    assert site.rendered == {story} | feeds
    assert {"vi/thoi-su/rss.xml", "vi/rss.xml"} <= feeds
    assert all(f.startswith("vi/") for f in feeds) and not any(f.startswith("vi/kinh-te") for f in feeds)
    site.assert_file(story, "Đoạn sau đã sửa.")


def test_title_edit_renders_its_lists_too(build_site):
    build_site(SITE)
    path = build_site().root / "content/kinh-te/tin-1.vi.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: Tin số 1", "title: Tin số một"), encoding="utf-8")
    site = build_site()
    assert "vi/kinh-te/tin-so-mot/index.html" in site.rendered
    assert {"vi/kinh-te/index.html", "vi/tags/chung/index.html"} <= site.rendered
    assert "en/kinh-te/story-1/index.html" in site.rendered  # its translation links it by its new URL
    assert "vi/kinh-te/tin-so-1/index.html" not in site.files()


def test_template_edit_renders_only_what_uses_it(build_site):
    site = build_site(SITE + "-- layouts/robots.txt --\nUser-agent: *\n")
    (site.root / "layouts/robots.txt").write_text("User-agent: *\nDisallow: /private/\n", encoding="utf-8")
    site = build_site()
    assert site.rendered == {"robots.txt"}


def test_deleting_the_cache_gives_the_same_bytes_and_keeps_timestamps(build_site):
    first = build_site(SITE)
    before = tree(first.out)
    stamps = {rel: (first.out / rel).stat().st_mtime_ns for rel in before}
    for path in (first.root / ".newsdigest-cache").iterdir():
        shutil.rmtree(path) if path.is_dir() else path.unlink()  # the search index's kept copy is a folder
    second = build_site()
    assert tree(second.out) == before
    assert second.result.write.written == []
    assert {rel: (second.out / rel).stat().st_mtime_ns for rel in before} == stamps


def test_a_corrupt_cache_is_ignored(build_site):
    first = build_site(SITE)
    before = tree(first.out)
    db = first.root / ".newsdigest-cache/cache.sqlite"
    for suffix in ("-wal", "-shm"):
        (first.root / f".newsdigest-cache/cache.sqlite{suffix}").unlink(missing_ok=True)
    db.write_bytes(b"this is not a database" * 100)
    second = build_site()
    assert tree(second.out) == before


def test_a_foreign_cache_value_is_not_trusted(build_site):
    first = build_site(SITE)
    before = tree(first.out)
    with sqlite3.connect(first.root / ".newsdigest-cache/cache.sqlite") as db:
        db.execute('UPDATE articles SET value = \'{"kind": "article", "value": {"title": 1}}\'')
        db.execute("UPDATE outputs SET job_key = 'forged'")
        db.execute("UPDATE plans SET digest = 'forged'")
    second = build_site()
    assert tree(second.out) == before
    assert len(second.result.parsed) == 24


def test_an_output_file_changed_by_hand_is_rendered_again(build_site):
    site = build_site(SITE)
    page = site.out / "vi/thoi-su/tin-so-0/index.html"
    page.write_text("vandalised", encoding="utf-8")
    site = build_site()
    assert "vi/thoi-su/tin-so-0/index.html" in site.rendered
    assert "Đoạn sau 0." in page.read_text(encoding="utf-8")


def test_serial_and_parallel_builds_give_identical_trees(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "PARALLEL_LOADS", 1)  # use the pools even for this small site
    monkeypatch.setattr(publishing, "PARALLEL_RENDERS", 1)
    root = write_site(tmp_path / "s", SITE)
    serial = build(Options(site_dir=root, output_dir=tmp_path / "serial", now=NOW, jobs=1, cache=False))
    with ProcessPoolExecutor(2) as pool:  # jobs pickled to a pool the caller made
        pickled = build(Options(site_dir=root, output_dir=tmp_path / "pickled", now=NOW, cache=False), executor=pool)
    forked = build(Options(site_dir=root, output_dir=tmp_path / "forked", now=NOW, jobs=2, cache=False))
    assert serial.rendered == pickled.rendered == forked.rendered
    assert len(serial.rendered) > 50
    assert tree(tmp_path / "serial") == tree(tmp_path / "pickled") == tree(tmp_path / "forked")


def test_keys_worked_out_in_worker_processes_match_the_parents(tmp_path):
    many = "".join(
        f"-- content/s{i % 3}/tin-{i}.vi.md --\n---\ntitle: Tin {i}\ndate: 2024-0{1 + i % 9}-1{i % 10}\n"
        f"tags: [t{i % 7}]\n---\nBài {i}.\n"
        for i in range(240)
    )
    root = write_site(tmp_path / "s", many)
    with ProcessPoolExecutor(2) as pool:
        first = build(Options(site_dir=root, now=NOW), executor=pool)
    assert len(first.rendered) > 200  # enough for the pool to be used
    (root / "static").mkdir()
    (root / "static/extra.txt").write_text("a new static file: the plan's inputs changed\n", encoding="utf-8")
    second = build(Options(site_dir=root, now=NOW, jobs=1))
    assert second.rendered == [] and len(second.reused) == len(first.rendered)


def test_an_interrupted_commit_is_finished_by_the_next_build(build_site):
    site = build_site(SITE)
    before = tree(site.out)
    stage = site.out / ".newsdigest-staging"
    stage.mkdir()
    (stage / "half-written.html").write_text("from a build that died", encoding="utf-8")
    site = build_site()
    assert not stage.exists()
    assert tree(site.out) == before


def test_unwritable_cache_folder_still_builds(build_site, tmp_path):
    site = build_site(SITE)
    cache = site.root / ".newsdigest-cache"
    shutil.rmtree(cache)  # files, and the search index's kept copy (a folder)
    cache.write_text("a file where the cache folder should be", encoding="utf-8")
    again = build_site()
    assert tree(again.out) == tree(site.out)
    assert os.path.isfile(cache)


def test_a_fragment_rendered_once_per_language_still_counts_as_a_dependency(build_site):
    site = build_site(SITE + '-- layouts/_sidebar.html --\n<aside class="sidebar">OLD {{ lang }}</aside>\n')
    site.assert_file("vi/thoi-su/tin-so-0/index.html", "OLD vi")
    (site.root / "layouts/_sidebar.html").write_text('<aside class="sidebar">NEW {{ lang }}</aside>\n', encoding="utf-8")
    site = build_site()
    pages = {f for f in site.files() if f.endswith(".html") and f != "404.html"}
    assert pages <= site.rendered
    site.assert_file("en/kinh-te/story-1/index.html", "NEW en", "! OLD")


def test_nothing_changed_reads_no_story_and_renders_nothing(build_site):
    build_site(SITE)
    site = build_site()
    assert site.result.site is None  # the model was not even needed
    assert site.result.stories == {"vi": 12, "en": 12}
    assert site.rendered == set() and site.result.write.written == []


def test_time_passing_publishes_a_scheduled_story(build_site):
    from datetime import timedelta

    spec = SITE + "-- content/thoi-su/sap-dang.vi.md --\n---\ntitle: Sắp đăng\ndate: 2026-11-02T08:00:00+07:00\n---\nx\n"
    site = build_site(spec)
    assert "vi/thoi-su/sap-dang/index.html" not in site.files()
    later = build_site(now=NOW + timedelta(days=2))
    later.assert_file("vi/thoi-su/sap-dang/index.html", "Sắp đăng")
    later.assert_file("vi/news-sitemap.xml", "/vi/thoi-su/sap-dang/")
    much_later = build_site(now=NOW + timedelta(days=9))  # out of the news sitemap's 48 hours
    much_later.assert_file("vi/news-sitemap.xml", "! /vi/thoi-su/sap-dang/")


def test_static_files_added_changed_and_removed(build_site):
    site = build_site(SITE + "-- static/images/a.svg --\n<svg/>\n")
    (site.root / "static/images/a.svg").write_text("<svg>changed</svg>\n", encoding="utf-8")
    (site.root / "static/images/b.svg").write_text("<svg/>\n", encoding="utf-8")
    site = build_site()
    assert site.read("images/a.svg") == "<svg>changed</svg>\n" and "images/b.svg" in site.files()
    (site.root / "static/images/b.svg").unlink()
    site = build_site()
    assert "images/b.svg" not in site.files()


def test_nothing_changed_reads_no_copied_file_again(build_site, monkeypatch):
    """Static files and the search index's files are known unchanged by their sizes and times, as
    the commit left them, not by reading both copies (at 20,000 stories the index is 38,000 files);
    a copy changed by hand is still put back."""
    site = build_site(SITE + "-- static/images/a.svg --\n<svg/>\n")
    assert any(path.startswith("pagefind/") for path in site.files())
    real, reads = output.same_bytes, []
    monkeypatch.setattr(output, "same_bytes", lambda *args, **kw: reads.append(args) or real(*args, **kw))
    site = build_site()
    assert site.result.site is None and reads == []
    (site.out / "images/a.svg").write_text("<svg>by hand</svg>\n", encoding="utf-8")
    site = build_site()
    assert site.read("images/a.svg") == "<svg/>\n" and reads


def test_an_output_file_deleted_by_hand_comes_back(build_site):
    site = build_site(SITE)
    (site.out / "vi/rss.xml").unlink()
    site = build_site()
    assert "vi/rss.xml" in site.files() and site.rendered == {"vi/rss.xml"}


def test_a_memo_kept_between_builds_gives_the_same_bytes_as_building_afresh(tmp_path):
    from newsdigest.memory import Memory

    root = write_site(
        tmp_path / "s",
        SITE
        + """-- content/thoi-su/lien-ket.vi.md --
---
title: Liên kết
date: 2024-02-01T08:00:00+07:00
summary: Có liên kết.
---
Xem [tin 0](tin-0.vi.md).

Đoạn hai.
""",
    )
    memo = Memory.lasting()
    options = Options(site_dir=root, now=NOW, jobs=1)
    build(options, memory=memo)

    def edit(rel: str, old: str, new: str) -> None:
        path = root / "content" / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    def same_as_afresh(result) -> None:
        afresh = tmp_path / "afresh"
        build(Options(site_dir=root, output_dir=afresh, now=NOW, jobs=1, cache=False))
        assert tree(root / "output") == tree(afresh)
        shutil.rmtree(afresh)

    edit("thoi-su/tin-0.vi.md", "Đoạn sau 0.", "Đoạn sau, đã sửa.")  # a body: the kept plan, new bodies
    result = build(options, memory=memo)
    assert result.parsed == ["thoi-su/tin-0.vi.md"]
    assert set(result.rendered) == {
        "vi/thoi-su/tin-so-0/index.html",
        "vi/thoi-su/rss.xml",
        "vi/thoi-su/feed.json",
        "vi/rss.xml",
        "vi/feed.json",
    }
    same_as_afresh(result)

    edit("thoi-su/lien-ket.vi.md", "Đoạn hai.", "Đoạn hai, sửa.")  # a body with a link to resolve
    same_as_afresh(build(options, memory=memo))

    edit("thoi-su/tin-0.vi.md", "title: Tin số 0", "title: Tin số không")  # a title: a new plan
    result = build(options, memory=memo)
    assert "vi/thoi-su/tin-so-khong/index.html" in result.rendered
    same_as_afresh(result)

    (root / "content/thoi-su/tin-2.vi.md").unlink()  # a story gone
    same_as_afresh(build(options, memory=memo))


def test_the_memo_sees_a_second_save_of_the_same_size_in_the_same_tick(tmp_path):
    from newsdigest.memory import Memory

    root = write_site(tmp_path / "s", SITE)
    memo = Memory.lasting()
    options = Options(site_dir=root, now=NOW, jobs=1)
    build(options, memory=memo)
    path = root / "content/thoi-su/tin-0.vi.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Đoạn sau 0.", "Đoạn sau A."), encoding="utf-8")
    stamp = path.stat().st_mtime_ns
    build(options, memory=memo)
    path.write_text(text.replace("Đoạn sau 0.", "Đoạn sau B."), encoding="utf-8")  # same size...
    os.utime(path, ns=(stamp, stamp))  # ...and the same time stamp, as two saves within one tick
    build(options, memory=memo)
    assert "Đoạn sau B." in (root / "output/vi/thoi-su/tin-so-0/index.html").read_text(encoding="utf-8")


def test_a_memo_told_which_stories_changed_looks_at_no_other_file(tmp_path):
    from newsdigest.memory import Memory

    root = write_site(tmp_path / "s", SITE)
    hour_ago = time.time_ns() - 3_600_000_000_000
    for path in (root / "content").rglob("*.md"):
        os.utime(path, ns=(hour_ago, hour_ago))  # settled: the memo may trust their stats
    memo = Memory.lasting()
    options = Options(site_dir=root, now=NOW, jobs=1)
    build(options, memory=memo)

    def same_as_afresh() -> None:
        afresh = tmp_path / "afresh"
        build(Options(site_dir=root, output_dir=afresh, now=NOW, jobs=1, cache=False))
        assert tree(root / "output") == tree(afresh)
        shutil.rmtree(afresh)

    edited, untold = root / "content/thoi-su/tin-0.vi.md", root / "content/kinh-te/tin-1.vi.md"
    edited.write_text(edited.read_text(encoding="utf-8").replace("Đoạn sau 0.", "Đoạn sau, đã sửa."), encoding="utf-8")
    untold.write_text(untold.read_text(encoding="utf-8").replace("Đoạn sau 1.", "Đoạn chưa báo."), encoding="utf-8")
    (root / "content/thoi-su/moi.vi.md").write_text("---\ntitle: Tin mới\ndate: 2024-04-01\n---\nMới.\n", encoding="utf-8")
    (root / "content/thoi-su/tin-2.vi.md").unlink()
    memo.changed = {"thoi-su/tin-0.vi.md", "thoi-su/moi.vi.md", "thoi-su/tin-2.vi.md"}
    result = build(options, memory=memo)
    assert result.parsed == ["thoi-su/moi.vi.md", "thoi-su/tin-0.vi.md"]  # not the file nobody told of
    assert "vi/thoi-su/tin-moi/index.html" in result.rendered and "vi/thoi-su/tin-so-2/index.html" in result.write.removed
    assert memo.changed is None  # told for one build only: the next looks at every file again
    result = build(options, memory=memo)
    assert result.parsed == ["kinh-te/tin-1.vi.md"]
    same_as_afresh()


def test_a_body_edit_keeps_every_other_jobs_key_and_gives_the_same_bytes_as_building_afresh(build_site, tmp_path, monkeypatch):
    from newsdigest import render

    site = build_site(SITE)
    worked_out = []
    original = render.job_key
    monkeypatch.setattr(render, "job_key", lambda job, *rest: worked_out.append(job.out_path) or original(job, *rest))

    def edit(rel: str, old: str, new: str) -> None:
        path = site.root / "content" / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")

    def same_as_afresh(built) -> None:
        afresh = tmp_path / "afresh"
        build(Options(site_dir=site.root, output_dir=afresh, now=NOW, jobs=1, cache=False))
        assert tree(built.out) == tree(afresh)
        shutil.rmtree(afresh)

    edit("thoi-su/tin-0.vi.md", "Đoạn sau 0.", "Đoạn sau, đã sửa.")
    worked_out.clear()
    body_edit = build_site()
    assert (
        set(worked_out)
        == body_edit.rendered
        == {"vi/thoi-su/tin-so-0/index.html", "vi/thoi-su/rss.xml", "vi/thoi-su/feed.json", "vi/rss.xml", "vi/feed.json"}
    )
    same_as_afresh(body_edit)

    edit("thoi-su/tin-0.vi.md", "title: Tin số 0", "title: Tin số không")  # the outline changed: every key again
    worked_out.clear()
    same_as_afresh(build_site())
    assert len(worked_out) > 50


def test_keys_are_not_kept_from_a_build_that_stopped_before_remembering_its_plan(build_site, tmp_path, monkeypatch):
    site = build_site(SITE)
    path = site.root / "content/kinh-te/tin-1.vi.md"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace("title: Tin số 1", "title: Tin số một"), encoding="utf-8")

    def stop(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(Memory, "remember_plan", stop)  # the outputs are written and recorded, then it stops
    with pytest.raises(KeyboardInterrupt):
        build_site()
    monkeypatch.undo()
    path.write_text(original, encoding="utf-8")  # back to the outline the last remembered plan had
    reverted = build_site()
    build(Options(site_dir=site.root, output_dir=tmp_path / "afresh", now=NOW, jobs=1, cache=False))
    assert tree(reverted.out) == tree(tmp_path / "afresh")


def test_a_build_killed_while_moving_files_into_place_is_finished_by_the_next(build_site, tmp_path, monkeypatch):
    site = build_site(SITE)
    for i in (0, 1):
        path = site.root / f"content/{'thoi-su' if i == 0 else 'kinh-te'}/tin-{i}.vi.md"
        path.write_text(path.read_text(encoding="utf-8").replace(f"Đoạn sau {i}.", f"Đoạn mới {i}."), encoding="utf-8")
    moves = []
    real_replace = os.replace

    def die_on_the_third_move(source, target):
        moves.append(target)
        if len(moves) == 3:
            raise KeyboardInterrupt  # the machine stops half-way through the commit
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", die_on_the_third_move)
    with pytest.raises(KeyboardInterrupt):
        build_site()
    monkeypatch.undo()
    assert (site.out / ".newsdigest-staging/.commit").is_file()  # the journal says what is left to do
    finished = build_site()
    assert not (site.out / ".newsdigest-staging").exists()
    build(Options(site_dir=site.root, output_dir=tmp_path / "afresh", now=NOW, jobs=1, cache=False))
    assert tree(finished.out) == tree(tmp_path / "afresh")


def test_forked_workers_decide_what_to_render_as_one_process_would(tmp_path, monkeypatch):
    monkeypatch.setattr(publishing, "PARALLEL_RENDERS", 1)  # fork the workers even for this small site
    results = {}
    for jobs in (1, 2):
        root = write_site(tmp_path / f"s{jobs}", SITE)
        build(Options(site_dir=root, now=NOW, jobs=jobs))
        path = root / "content/kinh-te/tin-1.vi.md"
        path.write_text(path.read_text(encoding="utf-8").replace("title: Tin số 1", "title: Tin số một"), encoding="utf-8")
        (root / "output/vi/thoi-su/tin-so-0/index.html").write_text("changed by hand", encoding="utf-8")
        results[jobs] = build(Options(site_dir=root, now=NOW, jobs=jobs))
    assert results[1].rendered == results[2].rendered
    assert results[1].reused == results[2].reused and len(results[2].reused) > 20
    assert "vi/thoi-su/tin-so-0/index.html" in results[2].rendered  # a worker looked at the file and saw it changed
    assert tree(tmp_path / "s1/output") == tree(tmp_path / "s2/output")


def test_saves_through_a_memo_do_not_freeze_their_garbage(tmp_path):
    """The preview's builds each pause the cyclic collector and freeze what they made: the last
    build's cyclic garbage must not be frozen with it, or every save keeps some for good."""
    import gc

    from newsdigest.memory import Memory

    root = write_site(tmp_path / "s", SITE)
    memo = Memory.lasting()
    options = Options(site_dir=root, output_dir=tmp_path / "preview", now=NOW, jobs=1, drafts=True, future=True)
    build(options, memory=memo)
    story = root / "content/thoi-su/tin-0.vi.md"
    text = story.read_text(encoding="utf-8")
    frozen = []
    for n in range(15):
        story.write_text(text.replace("Đoạn sau 0.", f"Đoạn sau {n}."), encoding="utf-8")
        memo.changed = {"thoi-su/tin-0.vi.md"}
        build(options, memory=memo)
        frozen.append(gc.get_freeze_count())
    assert frozen[-1] - frozen[4] < 50, frozen  # it grew by about 100 a save
