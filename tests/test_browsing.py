"""Browsing: the tag index in Vietnamese order, the authors and their pages, the archive by month,
and numbered pagination on every list — on tiny inline sites."""

from __future__ import annotations

import re
import unicodedata

import html5lib
import pytest

from newsdigest.lists import page_numbers

SITE = """
-- site.yaml --
title: {vi: Bản tin Thử, en: Test Digest}
base_url: https://example.org/digest/
sections:
  thoi-su: {vi: Thời sự, en: News}
"""


def story(name: str, title: str, date: str, lang: str = "vi", **front: str) -> str:
    lines = "".join(f"{key}: {value}\n" for key, value in front.items())
    return f"-- content/thoi-su/{name}.{lang}.md --\n---\ntitle: {title}\ndate: {date}\n{lines}---\nNội dung.\n"


def main_links(html: str, selector: str = "main") -> list[tuple[str, str]]:
    """(text, href) of every link in the page's <main>, in document order."""
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    main = tree.find(".//main")
    return [("".join(a.itertext()).strip(), a.get("href")) for a in main.iter("a")]


def headings(html: str) -> list[str]:
    tree = html5lib.parse(html, namespaceHTMLElements=False)
    return ["".join(h.itertext()).strip() for h in tree.find(".//main").iter("h2")]


# Tags in every trap of Vietnamese order: a < ă < â, d < đ, o < ô < ơ, u < ư, the tones, case, NFD.
TAGS = [
    "ưu đãi",
    "Ô nhiễm",
    "ơn nghĩa",
    "ong mật",
    "đường dây nóng",
    "Đà Nẵng",
    "dịch vụ",
    "ấm áp",
    "ăn uống",
    "an toàn",
    "anh hùng",
    "Hà Nội",
    "hoà giải",
    "2024",
]
# as ICU's vi collation sorts them (checked once with icu.Collator.createInstance(icu.Locale("vi")))
ORDER = [
    "2024",
    "an toàn",
    "anh hùng",
    "ăn uống",
    "ấm áp",
    "dịch vụ",
    "Đà Nẵng",
    "đường dây nóng",
    "Hà Nội",
    "hoà giải",
    "ong mật",
    "Ô nhiễm",
    "ơn nghĩa",
    "ưu đãi",
]


def test_tag_index_is_in_vietnamese_order_under_initial_letters(build_site):
    spec = SITE + "".join(
        story(f"s{i}", f"Tin {i}", f"2017-01-{i + 1:02d}", tags=f'["{unicodedata.normalize("NFD", t) if i % 2 else t}"]')
        for i, t in enumerate(TAGS)
    )
    spec += story("extra", "Thêm", "2017-02-01", tags='["Hà Nội", "hòa giải"]')  # the old tone placement
    spec += story("nfd", "NFD", "2017-02-02", tags=f'["{unicodedata.normalize("NFD", "Hà Nội")}", "hoà giải"]')
    site = build_site(spec)
    html = site.assert_file("vi/tags/index.html", '<nav class="jump"', 'aria-label="Chọn chữ cái"')
    links = [(text, href) for text, href in main_links(html) if href.startswith("/digest/vi/tags/")]
    assert [unicodedata.normalize("NFC", t) for t, _ in links] == ORDER
    assert headings(html) == ["#", "A", "Ă", "Â", "D", "Đ", "H", "O", "Ô", "Ơ", "Ư"]
    # the jump bar links every heading, in the same order
    jump = re.findall(r'<a href="#(letter-[a-z-]+)">([^<]+)</a>', html)
    assert [label for _, label in jump] == headings(html)
    assert all(f'id="{anchor}"' in html for anchor, _ in jump)
    # counts: NFC, NFD and both tone placements are one tag
    counts = dict(re.findall(r'href="/digest/vi/tags/([a-z0-9-]+)/">[^<]+</a> <span class="count">(\d+)<', html))
    assert counts["ha-noi"] == "3" and counts["hoa-giai"] == "3" and counts["an-toan"] == "1"
    site.assert_file("vi/tags/ha-noi/index.html", "Thêm", "NFD")  # tag pages as before


def test_english_tag_index_ignores_case_and_accents(build_site):
    site = build_site(SITE + story("a", "A", "2017-01-01", "en", tags="[Zebra, éclair, apple, Đà Nẵng, Eclipse]"))
    html = site.read("en/tags/index.html")
    assert [t for t, h in main_links(html) if "/tags/" in h] == ["apple", "Đà Nẵng", "éclair", "Eclipse", "Zebra"]
    assert headings(html) == ["A", "D", "E", "Z"]


AUTHORS = SITE + (
    story("one", "Một", "2017-01-01", author="Thu Hà")
    + story("two", "Hai", "2017-01-02", authors="[Hoàng Nam, Thu Hà]")
    + story("three", "Ba", "2017-01-03", authors="Đỗ Mười")
    + story("one", "One", "2017-01-01", "en", author="Thu Hà")
    + story("four", "Bốn", "2017-01-04", author="Ánh Dương")
)


def test_authors_index_and_pages(build_site):
    site = build_site(AUTHORS)
    index = site.assert_file(
        "vi/authors/index.html", "<h1>Tác giả</h1>", 'hreflang="en" href="https://example.org/digest/en/authors/"'
    )
    assert [t for t, h in main_links(index) if "/authors/" in h] == ["Ánh Dương", "Đỗ Mười", "Hoàng Nam", "Thu Hà"]
    assert 'href="/digest/vi/authors/thu-ha/">Thu Hà</a> <span class="count">2<' in index
    page = site.assert_file(
        "vi/authors/thu-ha/index.html",
        '<span class="label">Tác giả:</span> Thu Hà',
        'hreflang="en" href="https://example.org/digest/en/authors/thu-ha/"',
    )
    assert [t for t, h in main_links(page) if "/thoi-su/" in h and t != "Thời sự"] == ["Hai", "Một"]  # newest first
    # no English page of that author: no pair
    site.assert_file("vi/authors/do-muoi/index.html", "Ba", '! <link rel="alternate" hreflang="en"')
    # bylines link each author
    site.assert_file(
        "vi/thoi-su/hai/index.html",
        'Tác giả <a href="/digest/vi/authors/hoang-nam/" rel="author">Hoàng Nam</a>, '
        '<a href="/digest/vi/authors/thu-ha/" rel="author">Thu Hà</a>',
    )
    site.assert_file("en/thoi-su/one/index.html", 'By <a href="/digest/en/authors/thu-ha/" rel="author">Thu Hà</a>')
    # no feed of its own, so none is announced
    assert "authors/thu-ha/rss.xml" not in page and not (site.out / "vi/authors/thu-ha/rss.xml").exists()


def test_several_authors_in_feeds_and_structured_data(build_site):
    import json

    site = build_site(AUTHORS)
    feed = json.loads(site.read("vi/feed.json"))
    two = next(item for item in feed["items"] if item["title"] == "Hai")
    assert two["authors"] == [{"name": "Hoàng Nam"}, {"name": "Thu Hà"}]
    assert site.read("vi/rss.xml").count("<dc:creator>") == 5
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', site.read("vi/thoi-su/hai/index.html")).group(1)
    assert json.loads(ld)["author"] == [{"@type": "Person", "name": "Hoàng Nam"}, {"@type": "Person", "name": "Thu Hà"}]


@pytest.mark.parametrize(
    ("front", "message"),
    [
        ("author: Thu Hà\nauthors: [Hoàng Nam]", "content/thoi-su/x.vi.md:5: both author: and authors: are given"),
        ("author: [Thu Hà, Hoàng Nam]", "content/thoi-su/x.vi.md:4: author: is one name"),
        ("authors: [Thu Hà, {name: Nam}]", "content/thoi-su/x.vi.md:4: authors: each author must be a name"),
    ],
)
def test_author_keys_are_validated(build_errors, front, message):
    errors = build_errors(
        SITE
        + f"-- content/thoi-su/x.vi.md --\n---\ntitle: X\ndate: 2017-01-01\n{front}\n---\nx\n"
        + story("ok", "Ok", "2017-01-02", author="[broken")
    )
    assert any(message in e for e in errors), errors
    assert any("content/thoi-su/ok.vi.md:5: front matter is not valid YAML" in e for e in errors), errors  # all in one run


def test_archive_by_month(build_site):
    spec = SITE + (
        story("a", "Tháng một", "2017-01-12T01:37:00+07:00")
        + story("b", "Cuối tháng một", "2017-01-31T23:30:00+07:00")
        + story("c", "Đầu tháng hai giờ Việt Nam", "2017-02-01T00:30:00+07:00")  # still 31 January in UTC
        + story("d", "Năm trước", "2016-12-05")
        + story("a", "January", "2017-01-12T01:37:00+07:00", "en")
    )
    site = build_site(spec)
    html = site.assert_file("vi/archive/index.html", "<h1>Lưu trữ</h1>", 'aria-label="Chọn năm"')
    assert headings(html) == ["2017", "2016"]
    assert main_links(html)[-3:] == [
        ("Tháng 2", "/digest/vi/archive/2017/02/"),
        ("Tháng 1", "/digest/vi/archive/2017/01/"),
        ("Tháng 12", "/digest/vi/archive/2016/12/"),
    ]
    assert re.search(r'archive/2017/01/">Tháng 1</a> <span class="count">2<', html)
    month = site.assert_file(
        "vi/archive/2017/01/index.html",
        '<span class="label">Lưu trữ:</span> Tháng 1 năm 2017',
        'hreflang="en" href="https://example.org/digest/en/archive/2017/01/"',
    )
    assert [t for t, h in main_links(month) if "/thoi-su/" in h and t != "Thời sự"] == ["Cuối tháng một", "Tháng một"]
    site.assert_file("vi/archive/2017/02/index.html", "Đầu tháng hai giờ Việt Nam", '! <link rel="alternate" hreflang="en"')
    site.assert_file("en/archive/index.html", ">January</a>", "<h1>Archive</h1>")
    site.assert_file("en/archive/2017/01/index.html", "January 2017")


def test_browsing_pages_are_linked_from_header_and_footer_and_in_the_sitemap(build_site):
    site = build_site(AUTHORS)
    for lang, names in (("vi", ("Từ khóa", "Tác giả", "Lưu trữ")), ("en", ("Tags", "Authors", "Archive"))):
        html = site.read(f"{lang}/index.html")
        header, footer = html.split("<main", 1)[0], html.split("</main>", 1)[1]
        for slug, name in zip(("tags", "authors", "archive"), names, strict=True):
            assert f'<a href="/digest/{lang}/{slug}/">{name}</a>' in header
            assert f'<a href="/digest/{lang}/{slug}/">{name}</a>' in footer
    site.assert_file(
        "vi/tags/index.html",
        'hreflang="en" href="https://example.org/digest/en/tags/"',
        '<a href="/digest/vi/tags/" aria-current="page">',
    )
    sitemap = site.read("sitemap.xml")
    for path in ("vi/tags/", "en/authors/", "vi/authors/thu-ha/", "vi/archive/", "vi/archive/2017/01/"):
        assert f"<loc>https://example.org/digest/{path}</loc>" in sitemap


@pytest.mark.parametrize("folder", ["authors", "archive"])
def test_section_folders_named_like_browsing_pages_are_errors(build_errors, folder):
    errors = build_errors(f"-- content/{folder}/x.vi.md --\n---\ntitle: X\ndate: 2017-01-01\n---\nx\n")
    assert len(errors) == 1
    assert f"content/{folder}/x.vi.md:1: section folder '{folder}' is reserved for the site's own pages" in errors[0]


def numbers(html: str) -> list[str]:
    """The numbered pagination as text: ``[1]`` for the current page, ``…`` for a gap."""
    nav = re.search(r'<ol class="numbers">(.*?)</ol>', html, re.S)
    if not nav:
        return []
    out = []
    for item in re.findall(r"<li[^>]*>(.*?)</li>", nav.group(1), re.S):
        text = re.sub(r"<[^>]+>", "", item).strip()
        out.append(f"[{text}]" if 'aria-current="page"' in item else text)
    return out


def test_numbered_pagination_at_one_two_and_a_hundred_pages(build_site):
    spec = SITE.replace("sections:", "per_page: 1\nsections:") + "".join(
        story(
            f"s{i:03d}",
            f"Tin {i}",
            f"2017-0{1 + i // 50}-{1 + i % 28:02d}T{i % 24:02d}:00:00+07:00",
            author="Một Trang" if i == 0 else "Hai Trang" if i < 3 else "Nhiều Trang",
        )
        for i in range(101)
    )
    site = build_site(spec)
    one = site.read("vi/authors/mot-trang/index.html")
    assert numbers(one) == [] and 'class="pagination"' not in one
    two = site.read("vi/authors/hai-trang/index.html")
    assert numbers(two) == ["[1]", "2"] and 'rel="next" href="/digest/vi/authors/hai-trang/page/2/"' in two
    assert numbers(site.read("vi/authors/hai-trang/page/2/index.html")) == ["1", "[2]"]
    home = "vi/index.html"
    assert numbers(site.read(home)) == ["[1]", "2", "3", "…", "101"]
    middle = site.read("vi/page/50/index.html")
    assert numbers(middle) == ["1", "…", "48", "49", "[50]", "51", "52", "…", "101"]
    assert 'rel="prev" href="/digest/vi/page/49/"' in middle and 'rel="next" href="/digest/vi/page/51/"' in middle
    assert 'href="/digest/vi/page/50/" aria-current="page"' in middle
    assert numbers(site.read("vi/page/101/index.html")) == ["1", "…", "99", "100", "[101]"]
    assert numbers(site.read("vi/page/4/index.html")) == ["1", "2", "3", "[4]", "5", "6", "…", "101"]
    assert numbers(site.read("vi/archive/2017/01/index.html"))[:3] == ["[1]", "2", "3"]  # month lists too
    assert numbers(site.read("vi/thoi-su/index.html"))[-1] == "101"  # and sections


def test_page_numbers_never_skip_a_single_page():
    for count in range(1, 40):
        for number in range(1, count + 1):
            shown = [n.number for n in page_numbers(number, count, "/x/")]
            if count == 1:
                assert shown == []
                continue
            pages = [n for n in shown if n]
            assert pages[0] == 1 and pages[-1] == count and number in pages and pages == sorted(set(pages))
            # a gap always stands for two pages or more
            for i, n in enumerate(shown):
                if n == 0:
                    assert shown[i + 1] - shown[i - 1] > 2
            assert len(shown) <= 9


def test_story_pages_carry_the_newspaper_date_and_lists_the_short_one(build_site):
    site = build_site(
        SITE
        + story("a", "Kỷ cương", "2017-01-12T01:37:00+07:00")
        + story("a", "Discipline", "2017-01-12T01:37:00+07:00", "en")
        + story("b", "Chỉ ngày", "2017-01-15", updated="2017-01-16T18:05:00+07:00")
        + story("c", "Giờ Ấn Độ", "2017-01-13T02:00:00+05:30")
    )
    site.assert_file(
        "vi/thoi-su/ky-cuong/index.html",
        '<p class="meta"><time datetime="2017-01-12T01:37:00+07:00">Thứ năm, 12/01/2017, 01:37 (GMT+7)</time>',
    )
    site.assert_file("en/thoi-su/discipline/index.html", "Thursday, 12 January 2017, 01:37 (GMT+7)</time>")
    # a date without a time shows no time and no zone; the update keeps its time
    page = site.assert_file(
        "vi/thoi-su/chi-ngay/index.html",
        ">Chủ nhật, 15/01/2017</time>",
        'Cập nhật <time datetime="2017-01-16T18:05:00+07:00">Thứ hai, 16/01/2017, 18:05 (GMT+7)</time>',
    )
    assert ", 00:00" not in page and " 00:00<" not in page
    # shown in the site's zone, whatever zone the front matter used
    site.assert_file("vi/thoi-su/gio-an-do/index.html", "Thứ sáu, 13/01/2017, 03:30 (GMT+7)</time>")
    site.assert_file("vi/thoi-su/index.html", ">12/01/2017 01:37</time>", "! Thứ năm", "! (GMT+7)")  # lists: short


def test_the_zone_of_the_site_names_itself(build_site):
    site = build_site(SITE + 'timezone: "+05:30"\n' + story("a", "A", "2017-01-12T01:37:00+05:30", "en"))
    site.assert_file("en/thoi-su/a/index.html", "Thursday, 12 January 2017, 01:37 (GMT+5:30)</time>")
