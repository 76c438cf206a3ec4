"""The foundation end to end: tiny sites built into tmp_path, checked with needles."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import feedparser
import html5lib
import pytest

from tests.conftest import write_site

REPO = Path(__file__).resolve().parent.parent

PAIR = """
-- content/thoi-su/lu-lut.vi.md --
---
title: Lũ lụt ở Đà Nẵng
date: 2024-10-01T08:00:00+07:00
tags: [Đà Nẵng, thời tiết]
---
Nước dâng cao ở nhiều quận.
-- content/thoi-su/lu-lut.en.md --
---
title: Floods in Da Nang
date: 2024-10-01T08:00:00+07:00
tags: [Da Nang]
---
Water rose in many districts.
-- content/kinh-te/gia-vang.vi.md --
---
title: Giá vàng tăng mạnh
date: 2024-10-02T09:30:00+07:00
---
Giá vàng trong nước tăng.
"""


def test_story_links_its_translation(build_site):
    site = build_site(PAIR)
    site.assert_file(
        "vi/thoi-su/lu-lut-o-da-nang/index.html",
        '<html lang="vi">',
        'hreflang="en"',
        "/en/thoi-su/floods-in-da-nang/",
        'hreflang="x-default"',
        "Nước dâng cao",
        "! Water rose",
    )
    site.assert_file(
        "en/thoi-su/floods-in-da-nang/index.html",
        '<html lang="en">',
        'hreflang="vi"',
        "/vi/thoi-su/lu-lut-o-da-nang/",
        "Water rose",
    )


def test_untranslated_story_links_nowhere_that_does_not_exist(build_site):
    site = build_site(PAIR)
    page = site.assert_file(
        "vi/kinh-te/gia-vang-tang-manh/index.html", '! <link rel="alternate" hreflang="en"', '! hreflang="x-default"'
    )
    for href in _links(page):
        if href.startswith("/") and not href.startswith("//"):
            assert _exists(site.out, href), f"{href} does not exist"


def _links(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="([^"]+)"', html)


def _exists(out: Path, href: str) -> bool:
    path = href.split("#")[0].split("?")[0].lstrip("/")
    target = out / path
    return target.is_file() or (target / "index.html").is_file()


def test_every_internal_link_resolves(build_site):
    site = build_site(PAIR)
    for rel in site.files():
        if rel.endswith(".html"):
            for href in _links(site.read(rel)):
                if href.startswith("/"):
                    assert _exists(site.out, href), f"{rel} links {href}, which was not written"


def test_urls_follow_the_contract(build_site):
    site = build_site(PAIR)
    assert {
        "index.html",
        "vi/index.html",
        "en/index.html",
        "vi/thoi-su/index.html",
        "vi/kinh-te/index.html",
        "en/thoi-su/index.html",
        "vi/thoi-su/lu-lut-o-da-nang/index.html",
        "vi/tags/da-nang/index.html",
        "vi/tags/thoi-tiet/index.html",
        "en/tags/da-nang/index.html",
        "vi/rss.xml",
        "en/rss.xml",
        "vi/thoi-su/rss.xml",
        "sitemap.xml",
        "robots.txt",
        "404.html",
    } <= site.files()
    assert "en/kinh-te/index.html" not in site.files()  # no English story in that section


def test_root_is_the_default_language_home(build_site):
    site = build_site(PAIR)
    root = site.assert_file("index.html", '<html lang="vi">', "Giá vàng tăng mạnh")
    assert 'rel="canonical" href="http://localhost:8000/vi/"' in root


def test_base_url_with_a_path(build_site):
    site = build_site(PAIR, base_url="https://example.org/digest/")
    page = site.assert_file(
        "vi/thoi-su/lu-lut-o-da-nang/index.html",
        'href="/digest/en/thoi-su/floods-in-da-nang/"',
        'href="https://example.org/digest/en/thoi-su/floods-in-da-nang/"',
    )
    for href in _links(page):
        if href.startswith("/"):
            assert href.startswith("/digest/"), href
    site.assert_file("vi/rss.xml", "<link>https://example.org/digest/vi/thoi-su/lu-lut-o-da-nang/</link>")
    site.assert_file("robots.txt", "Sitemap: https://example.org/digest/sitemap.xml")


def test_localised_dates(build_site):
    site = build_site("""
    -- content/a/ky-cuong.vi.md --
    ---
    title: Kỷ cương
    date: 2017-01-12T01:37:00+07:00
    ---
    Nội dung.
    -- content/a/ky-cuong.en.md --
    ---
    title: Discipline
    date: 2017-01-12T01:37:00+07:00
    ---
    Text.
    """)
    site.assert_file("vi/a/ky-cuong/index.html", "12/01/2017 01:37")
    site.assert_file("en/a/discipline/index.html", "12 Jan 2017, 01:37")


def test_dates_without_offset_are_in_the_site_zone_and_order_by_instant(build_site):
    site = build_site("""
    -- content/a/one.vi.md --
    ---
    title: Một
    date: 2024-01-01 08:00
    ---
    x
    -- content/a/two.vi.md --
    ---
    title: Hai
    date: 2024-01-01T02:00:00Z
    ---
    y
    -- content/a/three.vi.md --
    ---
    title: Ba
    date: 2024-01-01
    ---
    z
    """)
    home = site.read("vi/index.html")
    # 02:00Z is 09:00 in +07:00: newer than 08:00 local, and midnight is oldest.
    assert home.index("Hai") < home.index("Một") < home.index("Ba")
    site.assert_file("vi/a/hai/index.html", "01/01/2024 09:00")


def test_pagination(build_site):
    spec = "".join(
        f"-- content/s/story-{i}.vi.md --\n---\ntitle: Story {i}\ndate: 2024-01-{i + 1:02d}\n---\nBody {i}.\n" for i in range(25)
    )
    site = build_site(spec)
    first = site.assert_file("vi/index.html", "Story 24", 'href="/vi/page/2/"')
    linked = {int(n) for n in re.findall(r'href="/vi/s/story-(\d+)/"', first)}
    assert linked == set(range(5, 25))
    site.assert_file("vi/page/2/index.html", "Story 4<", "Story 0<", 'href="/vi/"')
    site.assert_file("vi/s/page/2/index.html", "Story 0<")
    assert "vi/page/3/index.html" not in site.files()


def test_tags_differing_by_case_or_unicode_form_are_one_tag(build_site):
    nfd = "Đà Nẵng".encode().decode()  # NFC in source; make an NFD spelling explicitly
    import unicodedata

    nfd = unicodedata.normalize("NFD", "đà nẵng")
    site = build_site(f"""
    -- content/a/one.vi.md --
    ---
    title: Một
    date: 2024-01-01
    tags: [Đà Nẵng]
    ---
    x
    -- content/a/two.vi.md --
    ---
    title: Hai
    date: 2024-01-02
    tags: ["{nfd}"]
    ---
    y
    """)
    # (vi/tags/index.html is the tag index: it lists the one tag once)
    tag_pages = [f for f in site.files() if f.startswith("vi/tags/") and f.endswith(".html") and f != "vi/tags/index.html"]
    assert tag_pages == ["vi/tags/da-nang/index.html"]
    assert site.read("vi/tags/index.html").count('href="/vi/tags/da-nang/"') == 1
    site.assert_file("vi/tags/da-nang/index.html", "Một", "Hai")


def test_prev_next_and_more_in_section(build_site):
    spec = (
        "".join(f"-- content/s/n{i}.vi.md --\n---\ntitle: Tin {i}\ndate: 2024-02-{i + 1:02d}\n---\nB.\n" for i in range(8))
        + "-- content/other/x.vi.md --\n---\ntitle: Khác\ndate: 2024-03-01\n---\nB.\n"
    )
    site = build_site(spec)
    page = site.assert_file("vi/s/tin-4/index.html", 'rel="prev" href="/vi/s/tin-3/"', 'rel="next" href="/vi/s/tin-5/"')
    more = page.split('id="more-title"')[1].split("</section>")[0]
    assert "Tin 3" in more and "Tin 2" in more and "Khác" not in more and "Tin 4<" not in more


def test_markdown_features(build_site):
    site = build_site("""
    -- content/a/md.vi.md --
    ---
    title: Markdown
    date: 2024-01-01
    ---
    ## Vào cuộc khẩn trương

    | a | b |
    |---|---|
    | 1 | 2 |

    ~~cũ~~ và chú thích[^1].

    ![Người dân làm thủ tục](/images/mot-cua.png "Hướng dẫn người dân")

    <script>alert(1)</script> {{ site.title }} {% raw %}

    [^1]: Ghi chú.
    """)
    site.assert_file(
        "vi/a/markdown/index.html",
        '<h2 id="vao-cuoc-khan-truong">',
        "<table>",
        "<s>cũ</s>",
        'class="footnote-ref"',
        "<figure>",
        "<figcaption>Hướng dẫn người dân</figcaption>",
        'alt="Người dân làm thủ tục"',
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "{{ site.title }} {% raw %}",
        "! <script>alert",
    )


def test_raw_html_allowed_by_site_setting(build_site):
    site = build_site("""
    -- site.yaml --
    allow_html: true
    -- content/a/x.vi.md --
    ---
    title: X
    date: 2024-01-01
    ---
    <div class="irc-log">hi</div>
    """)
    site.assert_file("vi/a/x/index.html", '<div class="irc-log">hi</div>')


def test_links_to_story_files_become_urls(build_site):
    site = build_site("""
    -- content/a/one.vi.md --
    ---
    title: Bài một
    date: 2024-01-01
    ---
    Xem [bài hai](../b/two.vi.md#chi-tiet) và [bản dịch](one.en.md).
    -- content/a/one.en.md --
    ---
    title: Story one
    date: 2024-01-01
    ---
    See [two](../b/two.md).
    -- content/b/two.vi.md --
    ---
    title: Bài hai
    date: 2024-01-02
    ---
    x
    """)
    site.assert_file("vi/a/bai-mot/index.html", 'href="/vi/b/bai-hai/#chi-tiet"', 'href="/en/a/story-one/"')
    site.assert_file("en/a/story-one/index.html", 'href="/vi/b/bai-hai/"')


def test_summary_from_first_paragraph_cut_at_a_word(build_site):
    words = " ".join(["kỷ cương hành chính"] * 40)
    site = build_site(f"""
    -- site.yaml --
    summary_length: 60
    -- content/a/x.vi.md --
    ---
    title: X
    date: 2024-01-01
    ---
    # Heading is not the summary

    {words}
    """)
    summary = site.result.site.stories["vi"][0].article.summary
    assert summary.endswith("…") and len(summary) <= 61
    assert summary[:-1].split(" ")[-1] in ("kỷ", "cương", "hành", "chính")
    assert not summary.startswith("Heading")
    site.assert_file("vi/index.html", summary)


def test_drafts_and_scheduled_stories(build_site, tmp_path):
    spec = """
    -- content/a/draft.vi.md --
    ---
    title: Nháp
    date: 2024-01-01
    draft: true
    ---
    x
    -- content/a/future.vi.md --
    ---
    title: Sắp đăng
    date: 2030-01-01
    ---
    y
    -- content/a/now.vi.md --
    ---
    title: Đã đăng
    date: 2024-01-01
    ---
    z
    """
    site = build_site(spec)
    assert "vi/a/nhap/index.html" not in site.files() and "vi/a/sap-dang/index.html" not in site.files()
    site = build_site(drafts=True, future=True)
    assert {"vi/a/nhap/index.html", "vi/a/sap-dang/index.html"} <= site.files()


def test_source_date_epoch_is_the_build_moment(tmp_path):
    root = write_site(
        tmp_path / "s",
        """
    -- content/a/x.vi.md --
    ---
    title: Tương lai
    date: 2025-06-01
    ---
    x
    """,
    )
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1700000000"}  # 2023: the story is scheduled
    subprocess.run([sys.executable, str(REPO / "build.py"), "--site", str(root), "-q"], check=True, env=env)
    assert not (root / "output/vi/a/tuong-lai/index.html").exists()
    env["SOURCE_DATE_EPOCH"] = "1800000000"  # 2027
    subprocess.run([sys.executable, str(REPO / "build.py"), "--site", str(root), "-q"], check=True, env=env)
    assert (root / "output/vi/a/tuong-lai/index.html").exists()


def test_page_bundle_images_are_copied_beside_each_page(build_site):
    site = build_site("""
    -- content/a/lu/index.vi.md --
    ---
    title: Lũ
    date: 2024-01-01
    image: {src: anh.svg, alt: Nước lũ}
    ---
    ![Nước](anh.svg)
    -- content/a/lu/index.en.md --
    ---
    title: Flood
    date: 2024-01-01
    image: {src: anh.svg, alt: Flood water}
    ---
    ![Water](anh.svg)
    -- content/a/lu/anh.svg --
    <svg xmlns="http://www.w3.org/2000/svg"/>
    """)
    assert {"vi/a/lu/anh.svg", "en/a/flood/anh.svg"} <= site.files()
    site.assert_file("en/a/flood/index.html", 'href="/vi/a/lu/"')


def test_static_files_and_site_layouts_override(build_site):
    site = build_site("""
    -- static/images/logo.svg --
    <svg xmlns="http://www.w3.org/2000/svg"/>
    -- layouts/article.html --
    {% extends "theme/article.html" %}
    {% block title %}OVERRIDDEN {{ page.story.title }}{% endblock %}
    -- content/a/x.vi.md --
    ---
    title: X
    date: 2024-01-01
    ---
    x
    """)
    assert "images/logo.svg" in site.files()
    site.assert_file("vi/a/x/index.html", "<title>OVERRIDDEN X</title>", '<html lang="vi">')


def test_ui_strings_override_key_by_key(build_site):
    site = build_site("""
    -- layouts/i18n/vi.yaml --
    skip_to_content: Nhảy tới bài viết
    -- content/a/x.vi.md --
    ---
    title: X
    date: 2024-01-01
    ---
    x
    """)
    # The overridden key changes; the keys the site did not override keep the project's text.
    site.assert_file("vi/a/x/index.html", "Nhảy tới bài viết", "01/01/2024<", "! 01/01/2024 00:00")


def test_same_input_gives_byte_identical_output(build_site, tmp_path):
    first = build_site(PAIR)
    snapshot = {rel: (first.out / rel).read_bytes() for rel in first.files()}
    second = build_site(output_dir=tmp_path / "again")
    assert {rel: (second.out / rel).read_bytes() for rel in second.files()} == snapshot


def test_unchanged_files_keep_their_timestamps(build_site):
    site = build_site(PAIR)
    story = site.out / "vi/thoi-su/lu-lut-o-da-nang/index.html"
    os.utime(story, (1_000_000_000, 1_000_000_000))
    site = build_site()
    assert story.stat().st_mtime == 1_000_000_000
    assert "vi/thoi-su/lu-lut-o-da-nang/index.html" in site.result.write.unchanged


def test_stale_files_are_removed(build_site):
    site = build_site(PAIR)
    (site.root / "content/kinh-te/gia-vang.vi.md").unlink()
    site = build_site()
    assert "vi/kinh-te/gia-vang-tang-manh/index.html" not in site.files()


def test_every_page_parses_as_html5_and_every_feed_in_feedparser(build_site):
    site = build_site(PAIR)
    parser = html5lib.HTMLParser(strict=False)
    for rel in site.files():
        if rel.endswith(".html"):
            parser.parse(site.read(rel))
            assert not [e for e in parser.errors if e[1] not in ("unexpected-end-tag-before-html",)], (rel, parser.errors)
        if rel.endswith("rss.xml"):
            feed = feedparser.parse(site.read(rel))
            assert feed.bozo == 0, (rel, feed.bozo_exception)


def test_site_with_only_content_builds_from_another_folder(tmp_path):
    root = write_site(
        tmp_path / "bare",
        """
    -- content/tin/a.md --
    ---
    title: Chỉ có nội dung
    date: 2024-01-01
    ---
    x
    """,
    )
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    done = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "build", "--site", str(root)], cwd=elsewhere, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert "Built 1 story (vi 1, en 0)" in done.stdout  # was "1 stories": issue 11 asks for plurals right
    assert (root / "output/vi/tin/chi-co-noi-dung/index.html").is_file()
    assert not (elsewhere / "output").exists()


@pytest.mark.parametrize("argv", [["build", "--nope"], ["frobnicate"], ["build", "--jobs", "0"]])
def test_wrong_command_line_exits_2(argv, tmp_path):
    done = subprocess.run([sys.executable, str(REPO / "build.py"), *argv], cwd=tmp_path, capture_output=True, text=True)
    assert done.returncode == 2, done
    assert "Traceback" not in done.stderr


def test_missing_site_folder_exits_2(tmp_path):
    (tmp_path / "not-a-site").mkdir()
    for site in ("nowhere", "not-a-site"):
        done = subprocess.run(
            [sys.executable, str(REPO / "build.py"), "--site", str(tmp_path / site)], capture_output=True, text=True
        )
        assert done.returncode == 2 and "no content/ folder" in done.stderr
    assert [p.name for p in tmp_path.iterdir()] == ["not-a-site"] and not any((tmp_path / "not-a-site").iterdir())


def test_quiet_and_summary(build_site, tmp_path, capsys):
    from newsdigest.cli import main

    root = write_site(tmp_path / "q", PAIR)
    assert main(["build", "--site", str(root), "--jobs", "1"]) == 0
    out = capsys.readouterr().out
    assert "Built 3 stories (vi 2, en 1)" in out and "feeds" in out and " s" in out
    assert main(["build", "--site", str(root), "--quiet"]) == 0
    assert capsys.readouterr().out == ""


def test_check_writes_nothing(tmp_path, capsys):
    from newsdigest.cli import main

    root = write_site(tmp_path / "c", PAIR)
    assert main(["check", "--site", str(root)]) == 0
    assert not (root / "output").exists()
    assert "Checked 3 stories" in capsys.readouterr().out


def test_a_site_gets_the_theme_files_but_not_the_sample_digests(build_site):
    site = build_site(PAIR)
    assert {"assets/style.css", "favicon.svg"} <= site.files()
    assert not [f for f in site.files() if f.startswith("images/")]  # the sample digest's pictures stay its own


def test_translations_paired_by_translation_key_and_by_path_in_deeper_folders(build_site):
    site = build_site("""
    -- content/kinh-te/gia-vang-tang.vi.md --
    ---
    title: Giá vàng tăng
    date: 2024-05-01T08:00:00+07:00
    translation_key: gold-2024-05
    ---
    Vàng.
    -- content/kinh-te/gold-price-rises.en.md --
    ---
    title: Gold price rises
    date: 2024-05-01T08:00:00+07:00
    translation_key: gold-2024-05
    ---
    Gold.
    -- content/kinh-te/2024/tong-ket.vi.md --
    ---
    title: Tổng kết năm 2024
    date: 2024-12-31T08:00:00+07:00
    ---
    Năm 2024.
    -- content/kinh-te/2024/tong-ket.en.md --
    ---
    title: The year 2024 in review
    date: 2024-12-31T08:00:00+07:00
    ---
    2024.
    -- content/kinh-te/2023/tong-ket.vi.md --
    ---
    title: Tổng kết năm 2023
    date: 2023-12-31T08:00:00+07:00
    ---
    Năm 2023.
    """)
    site.assert_file(
        "vi/kinh-te/gia-vang-tang/index.html", 'hreflang="en" href="http://localhost:8000/en/kinh-te/gold-price-rises/"'
    )
    site.assert_file(
        "en/kinh-te/the-year-2024-in-review/index.html",
        'hreflang="vi" href="http://localhost:8000/vi/kinh-te/tong-ket-nam-2024/"',
    )
    site.assert_file("vi/kinh-te/tong-ket-nam-2023/index.html", '! <link rel="alternate" hreflang="en"')
