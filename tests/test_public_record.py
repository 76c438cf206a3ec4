"""The public record (issue 14): aliases as redirect pages, the warning when a story's URL moved
since the last build into the same output, section folders site.yaml does not name, and
corrections under the story, in both feeds, in JSON-LD and on each language's corrections page."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import feedparser
from conftest import NOW, write_site
from lxml import etree

from newsdigest.pipeline import Options, build, check

ROOT = Path(__file__).resolve().parent.parent
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"

PAIR = """
-- site.yaml --
base_url: https://example.org/digest/
-- content/thoi-su/lu-lut.vi.md --
---
title: Lũ lụt ở Đà Nẵng
date: 2024-10-01T08:00:00+07:00
updated: 2024-10-01T12:00:00+07:00
aliases: [/vi/thoi-su/lu-o-da-nang/, /tin-cu/123.html]
corrections:
  - {date: 2024-10-02, text: Bản trước ghi sai số hộ bị ngập.}
  - {date: 2024-10-03T09:30:00+07:00, text: "Tên phường Hòa Khánh được viết lại cho đúng."}
---
Nước dâng cao.
-- content/thoi-su/lu-lut.en.md --
---
title: Floods in Da Nang
date: 2024-10-01T08:00:00+07:00
aliases: /en/news/floods/
corrections:
  - {date: 2024-10-02, text: An earlier version gave the wrong number of flooded homes.}
---
Water rose.
-- content/thoi-su/bao.vi.md --
---
title: Bão số 5
date: 2024-09-01T08:00:00+07:00
---
Gió mạnh.
"""
STORY = "vi/thoi-su/lu-lut-o-da-nang/"
TARGET = "/digest/" + STORY
ABS_TARGET = "https://example.org/digest/" + STORY


def test_alias_is_a_redirect_page_in_the_story_language(build_site):
    site = build_site(PAIR)
    page = site.assert_file(
        "vi/thoi-su/lu-o-da-nang/index.html",
        '<html lang="vi">',
        f'<meta http-equiv="refresh" content="0; url={TARGET}">',
        f'<link rel="canonical" href="{ABS_TARGET}">',
        '<meta name="robots" content="noindex">',
        f'<a href="{TARGET}">Lũ lụt ở Đà Nẵng</a>',
        "Bài viết đã chuyển sang địa chỉ mới",
    )
    assert page.count("http-equiv") == 1
    # an explicit file name is that file; an alias without a trailing slash is a folder
    site.assert_file("tin-cu/123.html", f'url={TARGET}"')
    site.assert_file(
        "en/news/floods/index.html",
        '<html lang="en">',
        "This story has moved",
        'href="https://example.org/digest/en/thoi-su/floods-in-da-nang/"',
    )


def test_alias_pages_are_in_no_feed_and_not_in_the_sitemap(build_site):
    site = build_site(PAIR)
    for feed in ("vi/rss.xml", "vi/feed.json", "vi/thoi-su/rss.xml", "en/rss.xml", "en/feed.json"):
        site.assert_file(feed, "! lu-o-da-nang", "! tin-cu", "! news/floods")
    root = etree.fromstring((site.out / "sitemap.xml").read_bytes())
    locs = {url.findtext(f"{SITEMAP}loc") for url in root.iter(f"{SITEMAP}url")}
    assert ABS_TARGET in locs
    assert not [loc for loc in locs if "lu-o-da-nang" in loc or "tin-cu" in loc or "news/floods" in loc]


def test_alias_under_a_sub_path_is_below_the_base_path(build_site):
    site = build_site(PAIR, base_url="https://example.org/a/b/")
    site.assert_file(
        "vi/thoi-su/lu-o-da-nang/index.html",
        'content="0; url=/a/b/vi/thoi-su/lu-lut-o-da-nang/"',
        'href="https://example.org/a/b/vi/thoi-su/lu-lut-o-da-nang/"',
        "! /digest/",
    )
    assert not (site.out / "a").exists()


def test_alias_percent_escapes_and_unicode_name_one_file(build_site):
    site = build_site("""
    -- content/thoi-su/a.vi.md --
    ---
    title: Tin
    date: 2024-10-01
    aliases: ["/vi/t%C3%AAn-c%C5%A9/", /vi/tên-cũ-2]
    ---
    x
    """)
    assert {"vi/tên-cũ/index.html", "vi/tên-cũ-2/index.html"} <= site.files()


def test_bad_aliases_are_errors_with_their_line(build_errors):
    errors = build_errors("""
    -- content/thoi-su/a.vi.md --
    ---
    title: Tin
    date: 2024-10-01
    aliases:
      - https://example.org/vi/x/
      - /vi/../../etc/
      - vi/relative/
      - /vi/x/?p=1
      - //evil.example/x/
      - /vi/old.php
      - 12
      - /
    ---
    x
    """)
    assert len(errors) == 8, errors
    assert all(re.search(r"a\.vi\.md:4: aliases: item \d", e) for e in errors), errors
    joined = "\n".join(errors)
    for needle in (
        "item 1 'https://example.org/vi/x/' is not a site path",
        "item 2 '/vi/../../etc/' is not a plain path",
        "item 3 'vi/relative/' is not a site path",
        "item 4 '/vi/x/?p=1' holds a query",
        "item 5 '//evil.example/x/' is not a site path",
        "item 6 '/vi/old.php' names a file that is not a web page",
        "item 7 must be a site path",
        "item 8 '/' is the site's root",
    ):
        assert needle in joined, (needle, errors)


def test_alias_that_is_another_page_is_an_error_naming_both(build_errors):
    errors = build_errors("""
    -- content/thoi-su/a.vi.md --
    ---
    title: Tin A
    date: 2024-10-01
    ---
    a
    -- content/thoi-su/b.vi.md --
    ---
    title: Tin B
    date: 2024-10-02
    aliases: [/vi/thoi-su/tin-a/, /vi/tags/]
    ---
    b
    """)
    assert len(errors) == 2, errors
    assert all("b.vi.md:4: two files would be written to vi/" in e for e in errors), errors
    page = next(e for e in errors if "vi/thoi-su/tin-a/index.html" in e)
    assert "a.vi.md (story page)" in page and "b.vi.md (alias /vi/thoi-su/tin-a/)" in page
    assert any("vi/tags/index.html" in e and "the tag index page" in e for e in errors), errors


def test_alias_that_is_another_alias_or_a_static_file_is_an_error(build_errors):
    errors = build_errors("""
    -- static/old/index.html --
    <p>old</p>
    -- content/thoi-su/a.vi.md --
    ---
    title: Tin A
    date: 2024-10-01
    aliases: [/vi/cu/]
    ---
    a
    -- content/thoi-su/b.vi.md --
    ---
    title: Tin B
    date: 2024-10-02
    tags: [x]
    aliases:
      - /vi/cu
      - /old/
    ---
    b
    """)
    assert len(errors) == 2, errors
    alias = next(e for e in errors if "vi/cu/index.html" in e)
    assert "a.vi.md (alias /vi/cu/)" in alias and "b.vi.md (alias /vi/cu/)" in alias
    static = next(e for e in errors if "old/index.html" in e)
    assert "b.vi.md:5:" in static and "(static file)" in static and "b.vi.md (alias /old/)" in static


def _story(root: Path, title: str, extra: str = "") -> None:
    write_site(
        root,
        f"""
    -- content/thoi-su/lu-lut.vi.md --
    ---
    title: {title}
    date: 2024-10-01T08:00:00+07:00
    {extra}
    ---
    Nước dâng cao.
    """,
    )


def _build(root: Path, **options) -> list[str]:
    return [str(w) for w in build(Options(site_dir=root, now=NOW, **options)).warnings]


def test_url_changed_warning_across_builds_in_fresh_processes(tmp_path):
    """A headline edit without a slug moves the URL: the next build (here a new process, so the
    URL can only have come from the cache's store) warns once, naming the file and both URLs."""
    root = tmp_path / "site"
    _story(root, "Lũ lụt ở Đà Nẵng")
    first = subprocess.run(
        [sys.executable, "build.py", "build", "--site", str(root), "-q"], cwd=ROOT, capture_output=True, text=True
    )
    assert first.returncode == 0 and "warning" not in first.stderr + first.stdout, first.stderr  # first build: none
    _story(root, "Lũ lụt lớn ở Đà Nẵng")
    second = subprocess.run([sys.executable, "build.py", "build", "--site", str(root)], cwd=ROOT, capture_output=True, text=True)
    assert second.returncode == 0, second.stderr
    shown = second.stderr + second.stdout
    assert (
        "lu-lut.vi.md:2: the story's URL changed since the last build: it was "
        "/vi/thoi-su/lu-lut-o-da-nang/, it is now /vi/thoi-su/lu-lut-lon-o-da-nang/" in shown
    ), shown
    assert """'slug: "lu-lut-o-da-nang"'""" in shown and """'aliases: ["/vi/thoi-su/lu-lut-o-da-nang/"]'""" in shown
    assert (root / "output/vi/thoi-su/lu-lut-lon-o-da-nang/index.html").is_file()
    assert _build(root) == []  # the output now holds the new URL: nothing moved since


def test_url_changed_warning_points_at_slug_and_not_when_an_alias_keeps_the_old_url(tmp_path):
    root = tmp_path / "site"
    _story(root, "Lũ lụt", "slug: lu-lut")
    assert _build(root) == []
    _story(root, "Lũ lụt", "slug: lu-lut-2024")
    moved = _build(root)
    assert len(moved) == 1 and "lu-lut.vi.md:4: the story's URL changed" in moved[0]
    _story(root, "Lũ lụt", "slug: lu-lut-mien-trung\n    aliases: [/vi/thoi-su/lu-lut-2024/]")
    assert _build(root) == []  # the old URL redirects: nothing breaks
    assert (root / "output/vi/thoi-su/lu-lut-2024/index.html").is_file()


def test_url_memory_is_per_output_folder_and_check_reads_it(tmp_path):
    root = tmp_path / "site"
    _story(root, "Lũ lụt")
    assert _build(root) == []
    _story(root, "Lũ lụt miền Trung")
    assert _build(root, output_dir=tmp_path / "other") == []  # another output folder: its first build
    result = check(Options(site_dir=root, now=NOW))
    assert [w.message[:40] for w in result.warnings] == ["the story's URL changed since the last b"]
    assert len(_build(root)) == 1  # check wrote nothing: the build still warns


def test_a_lying_url_row_changes_no_output(tmp_path):
    """The remembered URLs only feed warnings: rows that lie give at most a wrong warning."""
    import sqlite3

    root = tmp_path / "site"
    _story(root, "Lũ lụt")
    _build(root)
    before = {p.relative_to(root / "output"): p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    db = sqlite3.connect(root / ".newsdigest-cache/cache.sqlite")
    db.execute("UPDATE story_urls SET url = '/vi/<script>/'")
    db.execute("INSERT INTO story_urls VALUES ('x', 'thoi-su/nothing.vi.md', 'not a path')")
    db.commit()
    db.close()
    (root / "content/thoi-su/lu-lut.vi.md").write_text((root / "content/thoi-su/lu-lut.vi.md").read_text() + "\n")
    warnings = _build(root)
    assert len(warnings) == 1 and "it was /vi/<script>/" in warnings[0]
    after = {p.relative_to(root / "output"): p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    assert after == before


def test_section_folder_missing_from_site_yaml_is_a_warning(build_site):
    site = build_site("""
    -- site.yaml --
    sections:
      thoi-su: {vi: Thời sự, en: News}
    -- content/thoi-su/a.vi.md --
    ---
    title: Tin
    date: 2024-10-01
    ---
    a
    -- content/giao-thong/b.vi.md --
    ---
    title: Kẹt xe
    date: 2024-10-01
    ---
    b
    -- content/van-hoa/_index.vi.md --
    ---
    title: Văn hóa
    ---
    -- content/van-hoa/_index.en.md --
    ---
    title: Culture
    ---
    -- content/van-hoa/c.vi.md --
    ---
    title: Lễ hội
    date: 2024-10-01
    ---
    c
    """)
    warnings = [str(w) for w in site.result.warnings]
    assert len(warnings) == 1, warnings  # van-hoa is named by its _index files
    assert (
        "giao-thong/b.vi.md:1: section folder 'giao-thong' is not in site.yaml's sections: it is named "
        "'Giao thong'" in warnings[0]
    )
    assert "sections: (giao-thong: {vi: …, en: …})" in warnings[0]


def test_no_section_warning_without_a_sections_map(build_site):
    site = build_site("""
    -- content/giao-thong/b.vi.md --
    ---
    title: Kẹt xe
    date: 2024-10-01
    ---
    b
    """)
    assert site.result.warnings == []


def test_corrections_under_the_story_newest_first(build_site):
    site = build_site(PAIR)
    page = site.assert_file(
        STORY + "index.html",
        '<section class="corrections"',
        ">Đính chính</h2>",
        '<time datetime="2024-10-03T09:30:00+07:00">03/10/2024 09:30</time></span>: Tên phường Hòa',
        '<time datetime="2024-10-02T00:00:00+07:00">02/10/2024</time></span>: Bản trước ghi sai',
    )
    assert page.index("Tên phường Hòa Khánh") < page.index("Bản trước ghi sai")
    site.assert_file("en/thoi-su/floods-in-da-nang/index.html", ">Correction</h2>", "2 Oct 2024</time></span>: An earlier")
    site.assert_file("vi/thoi-su/bao-so-5/index.html", '! class="corrections"')


def test_corrections_change_date_modified_in_json_ld_and_meta(build_site):
    site = build_site(PAIR)
    page = site.read(STORY + "index.html")
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page).group(1))
    assert ld["dateModified"] == "2024-10-03T09:30:00+07:00"  # later than updated: 2024-10-01T12:00
    assert '<meta property="article:modified_time" content="2024-10-03T09:30:00+07:00">' in page
    plain = site.read("vi/thoi-su/bao-so-5/index.html")
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', plain).group(1))
    assert ld["dateModified"] == "2024-09-01T08:00:00+07:00"


def test_corrections_in_rss_and_json_feed(build_site):
    site = build_site(
        PAIR,
    )
    rss = feedparser.parse(site.read("vi/rss.xml"))
    item = next(e for e in rss.entries if e.link == ABS_TARGET)
    assert item.summary.endswith(
        "\n\nĐính chính (03/10/2024): Tên phường Hòa Khánh được viết lại cho đúng."
        "\n\nĐính chính (02/10/2024): Bản trước ghi sai số hộ bị ngập."
    )
    assert '<p class="correction"><strong>Đính chính (03/10/2024):</strong> Tên phường' in item.content[0].value
    feed = json.loads(site.read("vi/feed.json"))
    entry = next(e for e in feed["items"] if e["url"] == ABS_TARGET)
    assert entry["date_modified"] == "2024-10-03T09:30:00+07:00"
    assert entry["summary"].endswith("Đính chính (02/10/2024): Bản trước ghi sai số hộ bị ngập.")
    assert entry["content_html"].endswith("Bản trước ghi sai số hộ bị ngập.</p>")
    en = json.loads(site.read("en/feed.json"))["items"][0]
    assert en["summary"].endswith("\n\nCorrection (2 Oct 2024): An earlier version gave the wrong number of flooded homes.")
    other = next(e for e in feed["items"] if "bao-so-5" in e["url"])
    assert "Đính chính" not in json.dumps(other, ensure_ascii=False) and "date_modified" not in other


def test_corrections_page_in_both_languages(build_site):
    site = build_site(PAIR)
    vi = site.assert_file(
        "vi/corrections/index.html",
        "<h1>Đính chính</h1>",
        f'<a href="{TARGET}">Lũ lụt ở Đà Nẵng</a>',
        '<link rel="alternate" hreflang="en" href="https://example.org/digest/en/corrections/">',
        '<link rel="canonical" href="https://example.org/digest/vi/corrections/">',
    )
    assert vi.index("Tên phường Hòa Khánh") < vi.index("Bản trước ghi sai")
    site.assert_file(
        "en/corrections/index.html",
        "<h1>Corrections</h1>",
        '<html lang="en">',
        '<a href="/digest/en/thoi-su/floods-in-da-nang/">Floods in Da Nang</a>',
        '<link rel="alternate" hreflang="vi" href="https://example.org/digest/vi/corrections/">',
    )
    # linked from every page's footer, and in the sitemap with its newest correction's date
    site.assert_file("vi/thoi-su/bao-so-5/index.html", '<a href="/digest/vi/corrections/">Đính chính</a>')
    site.assert_file("en/index.html", '<a href="/digest/en/corrections/">Corrections</a>')
    root = etree.fromstring((site.out / "sitemap.xml").read_bytes())
    lastmods = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.iter(f"{SITEMAP}url")}
    assert lastmods["https://example.org/digest/vi/corrections/"] == "2024-10-03T09:30:00+07:00"


def test_corrections_page_without_corrections_says_so(build_site):
    site = build_site("""
    -- content/thoi-su/a.vi.md --
    ---
    title: Tin
    date: 2024-10-01
    ---
    a
    """)
    site.assert_file("vi/corrections/index.html", "Chưa có đính chính nào.")
    site.assert_file("en/corrections/index.html", "No corrections have been published.")


def test_bad_corrections_are_errors_with_their_line(build_errors):
    errors = build_errors("""
    -- content/thoi-su/a.vi.md --
    ---
    title: Tin
    date: 2024-10-01
    corrections:
      - {date: hôm qua, text: x}
      - {date: 2024-10-02}
      - {date: 2024-10-02, text: "\u200b"}
      - just text
      - {date: 2024-10-02, text: x, by: me}
      - {date: 0001-01-01, text: x}
    ---
    x
    """)
    assert len(errors) == 6, errors
    assert all("a.vi.md:4: corrections: item" in e for e in errors), errors
    joined = "\n".join(errors)
    for needle in (
        "item 1 needs a date",
        "item 2 needs a text",
        "item 3 text: shows nothing",
        "item 4 must be {date: ..., text: ...}",
        "(unknown key 'by')",
        "item 6 date: '0001-01-01",
    ):
        assert needle in joined, (needle, errors)


def test_strict_refuses_a_moved_url_before_writing(tmp_path):
    import pytest

    from newsdigest.errors import ContentErrors

    root = tmp_path / "site"
    _story(root, "Lũ lụt")
    _build(root)
    _story(root, "Lũ lụt miền Trung")
    with pytest.raises(ContentErrors) as caught:
        build(Options(site_dir=root, now=NOW, strict=True))
    assert ["the story's URL changed" in e.message for e in caught.value.errors] == [True]
    assert (root / "output/vi/thoi-su/lu-lut/index.html").is_file()  # the old output, as it was
    assert not (root / "output/vi/thoi-su/lu-lut-mien-trung").exists()
    assert len(_build(root)) == 1  # refused, so not remembered: the next build still warns
