"""Feeds and crawler files, read back with real parsers: feedparser, json, lxml."""

from __future__ import annotations

import calendar
import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import feedparser
import pytest
from conftest import NOW
from lxml import etree

from newsdigest import feeds
from newsdigest.pipeline import Options, build

REPO = Path(__file__).resolve().parent.parent
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"

PAIR = """
-- site.yaml --
title: {vi: Bản tin Thử, en: Test Digest}
description: {vi: Tin thử nghiệm, en: Test news}
base_url: https://example.org/digest/
publisher: {name: Tòa soạn Thử, logo: /images/logo.png}
sections:
  thoi-su: {vi: Thời sự, en: News}
-- content/thoi-su/lu-lut.vi.md --
---
title: Lũ lụt ở Đà Nẵng
date: 2017-01-12T01:37:00+07:00
summary: Nước dâng cao ở Đà Nẵng.
author: Viết Thành
tags: [Đà Nẵng, thời tiết]
image: {src: /images/lu.jpg, alt: Phố ngập, caption: Phố ngập nước, credit: Viết Thành}
---
Nước dâng cao. [Trang chủ](/vi/) và [chú thích][^1].

[^1]: Ghi chú.
-- content/thoi-su/lu-lut.en.md --
---
title: Floods in Da Nang
date: 2017-01-12T01:37:00+07:00
summary: Water rose in Da Nang.
author: Viet Thanh
tags: [Da Nang]
---
Water rose.
-- content/thoi-su/bao.vi.md --
---
title: Bão số 5
date: 2017-01-10T08:00:00+07:00
tags: [thời tiết]
---
Bão đổ bộ.
"""


def rss(site, rel: str) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(site.out.joinpath(rel).read_bytes())
    assert parsed.bozo == 0, f"{rel}: {parsed.get('bozo_exception')}"
    return parsed


def test_language_section_and_tag_feeds_read_in_feedparser(build_site):
    site = build_site(PAIR)
    vi = rss(site, "vi/rss.xml")
    assert vi.version == "rss20"
    assert vi.feed.title == "Bản tin Thử"
    assert vi.feed.subtitle == "Tin thử nghiệm"
    assert vi.feed.language == "vi"
    assert vi.feed.link == "https://example.org/digest/vi/"
    assert {"rel": "self", "type": "application/rss+xml", "href": "https://example.org/digest/vi/rss.xml"} in [
        dict(link) for link in vi.feed.links
    ]
    assert vi.feed.image.href == "https://example.org/digest/images/logo.png"
    assert [e.title for e in vi.entries] == ["Lũ lụt ở Đà Nẵng", "Bão số 5"]  # newest first

    entry = vi.entries[0]
    url = "https://example.org/digest/vi/thoi-su/lu-lut-o-da-nang/"
    assert entry.link == url and entry.id == url
    site.assert_file("vi/rss.xml", f'<guid isPermaLink="true">{url}</guid>')
    assert entry.published_parsed == time.struct_time((2017, 1, 11, 18, 37, 0, 2, 11, 0))  # in UTC
    assert entry.author == "Viết Thành"
    assert [t.term for t in entry.tags] == ["Thời sự", "Đà Nẵng", "thời tiết"]
    assert entry.summary == "Nước dâng cao ở Đà Nẵng."
    assert entry.media_content == [{"url": "https://example.org/digest/images/lu.jpg", "medium": "image"}]
    assert entry.media_credit[0]["content"] == "Viết Thành"

    en = rss(site, "en/rss.xml")
    assert (en.feed.title, en.feed.language, en.feed.subtitle) == ("Test Digest", "en", "Test news")
    assert [e.title for e in en.entries] == ["Floods in Da Nang"]

    section = rss(site, "vi/thoi-su/rss.xml")
    assert section.feed.title == "Thời sự · Bản tin Thử"
    assert section.feed.link == "https://example.org/digest/vi/thoi-su/"
    tag = rss(site, "vi/tags/thoi-tiet/rss.xml")
    assert tag.feed.title == "Từ khóa: thời tiết · Bản tin Thử"
    assert [e.title for e in tag.entries] == ["Lũ lụt ở Đà Nẵng", "Bão số 5"]
    assert rss(site, "en/tags/da-nang/rss.xml").feed.title == "Tag: Da Nang · Test Digest"


def test_dates_are_rfc822_in_english_whatever_the_language(build_site):
    site = build_site(PAIR)
    site.assert_file(
        "vi/rss.xml",
        "<pubDate>Thu, 12 Jan 2017 01:37:00 +0700</pubDate>",
        "<pubDate>Tue, 10 Jan 2017 08:00:00 +0700</pubDate>",
        "<lastBuildDate>Thu, 12 Jan 2017 01:37:00 +0700</lastBuildDate>",
    )


def test_full_body_with_absolute_links_is_content_encoded(build_site):
    site = build_site(PAIR)
    content = rss(site, "vi/rss.xml").entries[0].content[0]
    assert content.type == "text/html"
    assert "Nước dâng cao." in content.value
    assert 'href="https://example.org/digest/vi/"' in content.value  # a site-root link
    assert 'href="https://example.org/digest/vi/thoi-su/lu-lut-o-da-nang/#fn1"' in content.value  # an anchor


def test_page_bundle_images_are_absolute_in_feeds(build_site):
    site = build_site("""
    -- content/anh/pho-co/index.vi.md --
    ---
    title: Phố cổ
    date: 2017-01-12T01:37:00+07:00
    ---
    ![Phố cổ về đêm](dem.jpg)
    """)
    body = json.loads(site.read("vi/feed.json"))["items"][0]["content_html"]
    assert 'src="http://localhost:8000/vi/anh/pho-co/dem.jpg"' in body


def test_summaries_only_when_full_content_is_off(build_site):
    site = build_site(PAIR.replace("sections:", "feed_full_content: false\nsections:"))
    assert "content:encoded" not in site.read("vi/rss.xml")
    assert all(c.type != "text/html" for c in rss(site, "vi/rss.xml").entries[0].content)  # only the caption
    item = json.loads(site.read("vi/feed.json"))["items"][0]
    assert "content_html" not in item and item["content_text"] == "Nước dâng cao ở Đà Nẵng."


def test_tag_feeds_carry_summaries_unless_asked(build_site):
    site = build_site(PAIR)
    tag_feeds = sorted(p.relative_to(site.out).as_posix() for p in site.out.glob("*/tags/*/rss.xml"))
    assert tag_feeds and "content:encoded" in site.read("vi/rss.xml")
    assert all("content:encoded" not in site.read(rel) for rel in tag_feeds)
    site = build_site(PAIR.replace("sections:", "tag_feeds_full_content: true\nsections:"))
    assert all("content:encoded" in site.read(rel) for rel in tag_feeds)


def test_feeds_hold_the_newest_feed_items(build_site):
    stories = "".join(
        f"-- content/tin/tin-{n}.vi.md --\n---\ntitle: Tin {n}\ndate: 2017-01-{n:02d}T08:00:00+07:00\n---\nTin số {n}.\n"
        for n in range(1, 6)
    )
    site = build_site("-- site.yaml --\nfeed_items: 3\n" + stories)
    for rel in ("vi/rss.xml", "vi/tin/rss.xml"):
        assert [e.title for e in rss(site, rel).entries] == ["Tin 5", "Tin 4", "Tin 3"]
    assert [i["title"] for i in json.loads(site.read("vi/feed.json"))["items"]] == ["Tin 5", "Tin 4", "Tin 3"]


def test_json_feed_beside_every_rss_feed(build_site):
    site = build_site(PAIR)
    rss_feeds = {p.parent for p in site.out.rglob("rss.xml")}
    assert rss_feeds == {p.parent for p in site.out.rglob("feed.json")}
    assert len(rss_feeds) == 2 + 2 + 3  # languages, sections, tags
    for folder in rss_feeds:
        rel = folder.relative_to(site.out).as_posix()
        document = json.loads((folder / "feed.json").read_text(encoding="utf-8"))
        assert document["version"] == "https://jsonfeed.org/version/1.1"
        assert document["feed_url"] == f"https://example.org/digest/{rel}/feed.json"
        assert document["home_page_url"] == f"https://example.org/digest/{rel}/"
        assert document["language"] == rel.split("/")[0]
        assert document["title"] == rss(site, f"{rel}/rss.xml").feed.title
        for item in document["items"]:
            assert {"id", "url", "title", "date_published"} <= item.keys()
            assert "content_html" in item or "content_text" in item
            datetime.fromisoformat(item["date_published"])

    item = json.loads(site.read("vi/feed.json"))["items"][0]
    assert item["id"] == item["url"] == "https://example.org/digest/vi/thoi-su/lu-lut-o-da-nang/"
    assert item["date_published"] == "2017-01-12T01:37:00+07:00"
    assert item["authors"] == [{"name": "Viết Thành"}]
    assert item["tags"] == ["Thời sự", "Đà Nẵng", "thời tiết"]
    assert item["summary"] == "Nước dâng cao ở Đà Nẵng."
    assert item["image"] == "https://example.org/digest/images/lu.jpg"


def test_every_page_advertises_its_feeds(build_site):
    site = build_site(PAIR)
    lang_feeds = (
        'type="application/rss+xml" title="Bản tin Thử" href="/digest/vi/rss.xml"',
        'type="application/feed+json" title="Bản tin Thử" href="/digest/vi/feed.json"',
    )
    for rel in (
        "index.html",
        "vi/index.html",
        "vi/thoi-su/lu-lut-o-da-nang/index.html",
        "404.html",
        "vi/thoi-su/index.html",
        "vi/tags/thoi-tiet/index.html",
    ):
        site.assert_file(rel, *lang_feeds)
    site.assert_file("en/index.html", 'href="/digest/en/rss.xml"', 'href="/digest/en/feed.json"')
    site.assert_file(
        "vi/thoi-su/index.html",
        'type="application/rss+xml" title="Thời sự · Bản tin Thử" href="/digest/vi/thoi-su/rss.xml"',
        'href="/digest/vi/thoi-su/feed.json"',
    )
    site.assert_file(
        "vi/tags/thoi-tiet/index.html",
        'href="/digest/vi/tags/thoi-tiet/rss.xml"',
        'type="application/feed+json" title="Từ khóa: thời tiết · Bản tin Thử" href="/digest/vi/tags/thoi-tiet/feed.json"',
    )


def sitemap_urls(site, rel: str) -> dict[str, etree._Element]:
    """A ``urlset`` checked against the protocol's structure: its ``url``s by ``loc``."""
    root = etree.fromstring(site.out.joinpath(rel).read_bytes())
    assert root.tag == f"{SITEMAP}urlset"
    urls = {}
    for url in root:
        assert url.tag == f"{SITEMAP}url"
        children = [child.tag for child in url]
        assert children[0] == f"{SITEMAP}loc" and children.count(f"{SITEMAP}loc") == 1
        assert set(children) <= {f"{SITEMAP}loc", f"{SITEMAP}lastmod", f"{XHTML}link", f"{NEWS}news"}
        loc = url.findtext(f"{SITEMAP}loc")
        assert loc.startswith("https://example.org/digest/") and loc not in urls
        lastmod = url.findtext(f"{SITEMAP}lastmod")
        if lastmod:
            assert datetime.fromisoformat(lastmod).tzinfo is not None  # W3C datetime with its offset
        urls[loc] = url
    return urls


def alternates(url: etree._Element) -> dict[str, str]:
    links = url.findall(f"{XHTML}link")
    assert all(link.get("rel") == "alternate" for link in links)
    return {link.get("hreflang"): link.get("href") for link in links}


def test_sitemap_lists_every_page_with_its_translations(build_site):
    site = build_site(PAIR)
    urls = sitemap_urls(site, "sitemap.xml")
    base = "https://example.org/digest/"
    assert set(urls) == {
        base + u
        for u in (
            "vi/",
            "en/",
            "vi/thoi-su/",
            "en/thoi-su/",
            "vi/tags/da-nang/",
            "vi/tags/thoi-tiet/",
            "en/tags/da-nang/",
            "vi/thoi-su/lu-lut-o-da-nang/",
            "vi/thoi-su/bao-so-5/",
            "en/thoi-su/floods-in-da-nang/",
            # the browsing pages (issue 14): the indexes, each author, each month
            "vi/tags/",
            "en/tags/",
            "vi/authors/",
            "en/authors/",
            "vi/archive/",
            "en/archive/",
            "vi/authors/viet-thanh/",
            "en/authors/viet-thanh/",
            "vi/archive/2017/01/",
            "en/archive/2017/01/",
            # the public record (issue 14): each language's corrections page
            "vi/corrections/",
            "en/corrections/",
        )
    }
    story = {"vi": base + "vi/thoi-su/lu-lut-o-da-nang/", "en": base + "en/thoi-su/floods-in-da-nang/"}
    for url in story.values():
        assert alternates(urls[url]) == {**story, "x-default": story["vi"]}
        assert urls[url].findtext(f"{SITEMAP}lastmod") == "2017-01-12T01:37:00+07:00"
    assert alternates(urls[base + "en/"]) == {"vi": base + "vi/", "en": base + "en/", "x-default": base + "vi/"}
    assert alternates(urls[base + "en/tags/da-nang/"]) == {
        "vi": base + "vi/tags/da-nang/",
        "en": base + "en/tags/da-nang/",
        "x-default": base + "vi/tags/da-nang/",
    }
    assert alternates(urls[base + "vi/thoi-su/bao-so-5/"]) == {}  # no translation, no alternates
    site.assert_file("robots.txt", "Sitemap: https://example.org/digest/sitemap.xml\n")


def test_sitemap_index_past_the_limit(build_site, monkeypatch):
    monkeypatch.setattr(feeds, "SITEMAP_LIMIT", 4)
    site = build_site(PAIR)
    root = etree.fromstring(site.out.joinpath("sitemap.xml").read_bytes())
    assert root.tag == f"{SITEMAP}sitemapindex"
    locs = [s.findtext(f"{SITEMAP}loc") for s in root.iter(f"{SITEMAP}sitemap")]
    # 22 URLs: 10 pages and stories, and since issue 14 ten browsing pages (indexes, an author, a month)
    # and the two corrections pages
    locs_expected = [f"https://example.org/digest/sitemap-{n}.xml" for n in (1, 2, 3, 4, 5, 6)]
    assert locs == locs_expected
    assert all(s.findtext(f"{SITEMAP}lastmod") for s in root.iter(f"{SITEMAP}sitemap"))
    parts = [sitemap_urls(site, f"sitemap-{n}.xml") for n in (1, 2, 3, 4, 5, 6)]
    assert [len(p) for p in parts] == [4, 4, 4, 4, 4, 2]
    assert len({loc for p in parts for loc in p}) == 22
    robots = site.read("robots.txt")
    assert all(f"Sitemap: {loc}\n" in robots for loc in ["https://example.org/digest/sitemap.xml", *locs])


NEWS_SITE = """
-- site.yaml --
title: {vi: Bản tin Thử, en: Test Digest}
-- content/tin/moi.vi.md --
---
title: Tin mới "nóng" & <gấp>
date: 2026-11-01T18:00:00+07:00
---
Một giờ trước.
-- content/tin/moi.en.md --
---
title: Fresh news
date: 2026-11-01T18:00:00+07:00
---
An hour ago.
-- content/tin/hom-kia.vi.md --
---
title: Tin hôm kia
date: 2026-10-30T12:00:00Z
---
Vừa đúng 48 giờ trước.
-- content/tin/cu.vi.md --
---
title: Tin cũ
date: 2026-10-30T11:59:59Z
---
Quá 48 giờ.
-- content/tin/hen-gio.vi.md --
---
title: Tin hẹn giờ
date: 2026-11-01T12:00:01Z
---
Sau thời điểm build.
"""


def news(site, rel: str) -> list[tuple[str, str, str, str, str]]:
    """A Google News sitemap's stories: (loc, publication name, language, date, title)."""
    out = []
    root = etree.fromstring(site.out.joinpath(rel).read_bytes())
    assert root.tag == f"{SITEMAP}urlset"
    for url in root:
        item = url.find(f"{NEWS}news")
        publication = item.find(f"{NEWS}publication")
        out.append(
            (
                url.findtext(f"{SITEMAP}loc"),
                publication.findtext(f"{NEWS}name"),
                publication.findtext(f"{NEWS}language"),
                item.findtext(f"{NEWS}publication_date"),
                item.findtext(f"{NEWS}title"),
            )
        )
    return out


def test_news_sitemaps_hold_only_the_last_48_hours(build_site):
    site = build_site(NEWS_SITE, future=True)  # a scheduled story is in the build, not in the news
    base = "http://localhost:8000/"
    assert news(site, "vi/news-sitemap.xml") == [
        (base + "vi/tin/tin-moi-nong-gap/", "Bản tin Thử", "vi", "2026-11-01T18:00:00+07:00", 'Tin mới "nóng" & <gấp>'),
        (base + "vi/tin/tin-hom-kia/", "Bản tin Thử", "vi", "2026-10-30T12:00:00+00:00", "Tin hôm kia"),
    ]
    assert news(site, "en/news-sitemap.xml") == [
        (base + "en/tin/fresh-news/", "Test Digest", "en", "2026-11-01T18:00:00+07:00", "Fresh news")
    ]
    site.assert_file(
        "robots.txt",
        f"Sitemap: {base}sitemap.xml\n",
        f"Sitemap: {base}vi/news-sitemap.xml\n",
        f"Sitemap: {base}en/news-sitemap.xml\n",
    )


def test_news_sitemap_follows_source_date_epoch(build_site, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(datetime(2026, 10, 31, tzinfo=UTC).timestamp())))
    site = build_site(NEWS_SITE, now=None)
    assert [row[4] for row in news(site, "vi/news-sitemap.xml")] == ["Tin hôm kia", "Tin cũ"]
    assert news(site, "en/news-sitemap.xml") == []


def test_news_sitemap_holds_at_most_the_limit(build_site, monkeypatch):
    monkeypatch.setattr(feeds, "NEWS_LIMIT", 1)
    site = build_site(NEWS_SITE)
    assert [row[4] for row in news(site, "vi/news-sitemap.xml")] == ['Tin mới "nóng" & <gấp>']


def test_same_input_same_bytes(tmp_path, build_site):
    site = build_site(PAIR)
    again = build(Options(site_dir=site.root, output_dir=tmp_path / "again", now=NOW, cache=False))
    assert again.rendered
    for path in site.out.rglob("*"):
        if path.suffix in (".xml", ".json", ".txt"):
            assert path.read_bytes() == (tmp_path / "again" / path.relative_to(site.out)).read_bytes(), path


def test_repository_site_feeds_match_its_stories(tmp_path):
    """The repository's own digest, whatever its stories are: every feed parses, in its language,
    with each story's title and date."""
    result = build(Options(site_dir=REPO, output_dir=tmp_path / "out", now=NOW, cache=False))
    out = tmp_path / "out"
    stories = {s.teaser.abs_url: s.article for lang, items in result.site.stories.items() for s in items}
    assert stories
    feeds_read = 0
    languages_read = set()
    for path in out.rglob("rss.xml"):
        lang = path.relative_to(out).parts[0]
        parsed = feedparser.parse(path.read_bytes())
        assert parsed.bozo == 0, f"{path}: {parsed.get('bozo_exception')}"
        assert parsed.feed.language == lang and parsed.feed.title
        for entry in parsed.entries:
            article = stories[entry.link]
            assert article.lang == lang and entry.title == article.title
            assert calendar.timegm(entry.published_parsed) == int(article.date.timestamp())
        document = json.loads(path.with_name("feed.json").read_text(encoding="utf-8"))
        assert [i["title"] for i in document["items"]] == [e.title for e in parsed.entries]
        feeds_read += 1
        languages_read.add(lang)
    assert languages_read == set(result.site.config.languages)
    assert feeds_read >= 2 * len(languages_read)
    for rel in ("sitemap.xml", *(f"{lang}/news-sitemap.xml" for lang in result.site.config.languages)):
        assert etree.fromstring((out / rel).read_bytes()).tag in (f"{SITEMAP}urlset", f"{SITEMAP}sitemapindex")


@pytest.mark.parametrize("hours", [1, 47])
def test_fresh_is_relative_to_the_build_moment(build_site, hours):
    when = (NOW - timedelta(hours=hours)).isoformat()
    site = build_site(f"""
    -- content/tin/a.vi.md --
    ---
    title: Tin A
    date: {when}
    ---
    A.
    """)
    assert [row[4] for row in news(site, "vi/news-sitemap.xml")] == ["Tin A"]
