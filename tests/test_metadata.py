"""Head metadata of pages (canonical, hreflang, Open Graph, Twitter, JSON-LD) and escaping in every
output context, read back with real parsers (html5lib, json, lxml, feedparser)."""

from __future__ import annotations

import json
import tempfile
import unicodedata
from datetime import timedelta
from pathlib import Path

import feedparser
import html5lib
from conftest import NOW, write_site
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from lxml import etree

from newsdigest.pipeline import Options, build

HTML = "{http://www.w3.org/1999/xhtml}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"

# The seed story (hanoimoi.com.vn, 12/01/2017 01:37) with its translation, inline: content/ is the
# sample digest's and may change.
SEED = """
-- site.yaml --
title: {vi: Bản tin Kỷ cương, en: The Discipline Digest}
description: {vi: Bản tin song ngữ, en: A bilingual digest}
base_url: https://example.org/
publisher:
  name: Bản tin Kỷ cương
  logo: /images/logo.png
  email: toasoan@example.org
  phone: (024) 3000 0000
-- content/to-chuc-nha-nuoc/ky-cuong-hanh-chinh-2017.vi.md --
---
title: Quyết tâm tạo đột phá về kỷ luật, kỷ cương
date: 2017-01-12T01:37:00+07:00
summary: Dư luận cán bộ, đảng viên và nhân dân hết sức đồng tình.
tags: [kỷ cương hành chính, Hà Nội]
author: Viết Thành
views: 1168
source: {name: hanoimoi.com.vn, url: "https://hanoimoi.com.vn"}
image:
  src: /images/mot-cua.svg
  alt: Quầy “một cửa”
  caption: Hướng dẫn người dân làm thủ tục hành chính tại bộ phận “một cửa” quận Thanh Xuân.
  credit: Viết Thành
---
## Vào cuộc khẩn trương

Theo Giám đốc Sở Nội vụ Hà Nội Trần Huy Sáng...
-- content/to-chuc-nha-nuoc/ky-cuong-hanh-chinh-2017.en.md --
---
title: Determined to break through on discipline and order
date: 2017-01-12T01:37:00+07:00
updated: 2017-01-13T09:00:00+07:00
tags: [administrative discipline, Hanoi]
translator: Minh Anh
source: {name: hanoimoi.com.vn, url: "https://hanoimoi.com.vn"}
image: {src: /images/mot-cua.svg, alt: A one-stop counter, credit: Viết Thành}
---
## A swift start

According to the Director of the Hanoi Department of Home Affairs...
-- content/to-chuc-nha-nuoc/lone.vi.md --
---
title: Chưa dịch
date: 2017-01-11T08:00:00+07:00
---
Chỉ có tiếng Việt.
"""
VI_URL = "https://example.org/vi/to-chuc-nha-nuoc/quyet-tam-tao-dot-pha-ve-ky-luat-ky-cuong/"
EN_URL = "https://example.org/en/to-chuc-nha-nuoc/determined-to-break-through-on-discipline-and-order/"


def head(site, rel: str):
    """The page's <head>, parsed as a browser would."""
    document = html5lib.parse(site.read(rel), namespaceHTMLElements=True)
    return document.find(f"{HTML}head")


def meta(head_element, key: str) -> list[str]:
    return [m.get("content") for m in head_element.iter(f"{HTML}meta") if m.get("property") == key or m.get("name") == key]


def links(head_element, rel: str) -> list[dict[str, str]]:
    return [dict(link.attrib) for link in head_element.iter(f"{HTML}link") if link.get("rel") == rel]


def json_ld(head_element) -> list[dict]:
    return [json.loads(s.text) for s in head_element.iter(f"{HTML}script") if s.get("type") == "application/ld+json"]


def test_story_links_canonical_and_its_translations(build_site):
    site = build_site(SEED)
    vi = head(site, "vi/to-chuc-nha-nuoc/quyet-tam-tao-dot-pha-ve-ky-luat-ky-cuong/index.html")
    assert links(vi, "canonical") == [{"rel": "canonical", "href": VI_URL}]
    hreflang = {link["hreflang"]: link["href"] for link in links(vi, "alternate") if "hreflang" in link}
    assert hreflang == {"vi": VI_URL, "en": EN_URL, "x-default": VI_URL}
    lone = head(site, "vi/to-chuc-nha-nuoc/chua-dich/index.html")
    assert [link for link in links(lone, "alternate") if "hreflang" in link] == []
    assert meta(lone, "og:locale:alternate") == []


def test_story_open_graph_and_twitter_cards(build_site):
    site = build_site(SEED)
    vi = head(site, "vi/to-chuc-nha-nuoc/quyet-tam-tao-dot-pha-ve-ky-luat-ky-cuong/index.html")
    assert meta(vi, "og:type") == ["article"]
    assert meta(vi, "og:title") == meta(vi, "twitter:title") == ["Quyết tâm tạo đột phá về kỷ luật, kỷ cương"]
    assert meta(vi, "og:description") == meta(vi, "description") == ["Dư luận cán bộ, đảng viên và nhân dân hết sức đồng tình."]
    assert meta(vi, "og:url") == [VI_URL]
    assert meta(vi, "og:image") == meta(vi, "twitter:image") == ["https://example.org/images/mot-cua.svg"]
    assert meta(vi, "og:locale") == ["vi_VN"] and meta(vi, "og:locale:alternate") == ["en_US"]
    assert meta(vi, "og:site_name") == ["Bản tin Kỷ cương"]
    assert meta(vi, "twitter:card") == ["summary_large_image"]
    assert meta(vi, "article:published_time") == ["2017-01-12T01:37:00+07:00"]
    en = head(site, "en/to-chuc-nha-nuoc/determined-to-break-through-on-discipline-and-order/index.html")
    assert meta(en, "og:locale") == ["en_US"] and meta(en, "og:locale:alternate") == ["vi_VN"]
    assert meta(en, "article:modified_time") == ["2017-01-13T09:00:00+07:00"]


def test_seed_story_json_ld_carries_source_credit_and_translation(build_site):
    site = build_site(SEED)
    [vi] = json_ld(head(site, "vi/to-chuc-nha-nuoc/quyet-tam-tao-dot-pha-ve-ky-luat-ky-cuong/index.html"))
    assert vi["@context"] == "https://schema.org" and vi["@type"] == "NewsArticle"
    assert vi["headline"] == "Quyết tâm tạo đột phá về kỷ luật, kỷ cương"
    assert vi["url"] == vi["@id"] == VI_URL
    assert vi["datePublished"] == vi["dateModified"] == "2017-01-12T01:37:00+07:00"
    assert vi["author"] == {"@type": "Person", "name": "Viết Thành"}
    assert vi["inLanguage"] == "vi"
    assert vi["image"] == {
        "@type": "ImageObject",
        "url": "https://example.org/images/mot-cua.svg",
        "creditText": "Viết Thành",
        "caption": "Hướng dẫn người dân làm thủ tục hành chính tại bộ phận “một cửa” quận Thanh Xuân.",
    }
    assert vi["publisher"]["name"] == "Bản tin Kỷ cương"
    assert vi["publisher"]["logo"] == {"@type": "ImageObject", "url": "https://example.org/images/logo.png"}
    assert vi["isBasedOn"]["publisher"] == {"@type": "Organization", "name": "hanoimoi.com.vn", "url": "https://hanoimoi.com.vn"}
    assert vi["workTranslation"] == [{"@type": "NewsArticle", "@id": EN_URL, "url": EN_URL, "inLanguage": "en"}]
    assert "translationOfWork" not in vi

    [en] = json_ld(head(site, "en/to-chuc-nha-nuoc/determined-to-break-through-on-discipline-and-order/index.html"))
    assert en["inLanguage"] == "en"
    assert en["dateModified"] == "2017-01-13T09:00:00+07:00"
    assert en["translationOfWork"] == {"@type": "NewsArticle", "@id": VI_URL, "url": VI_URL, "inLanguage": "vi"}
    assert "workTranslation" not in en
    assert en["translator"] == {"@type": "Person", "name": "Minh Anh"}
    assert en["author"]["@type"] == "NewsMediaOrganization"  # no byline: the publisher
    assert en["image"]["creditText"] == "Viết Thành" and "caption" not in en["image"]


def test_home_page_describes_the_website_and_the_publisher(build_site):
    site = build_site(SEED)
    for rel in ("vi/index.html", "index.html"):
        [data] = json_ld(head(site, rel))
        website, organization = data["@graph"]
        assert website["@type"] == "WebSite" and website["url"] == "https://example.org/vi/"
        assert website["name"] == "Bản tin Kỷ cương" and website["inLanguage"] == "vi"
        assert website["publisher"] == {"@id": organization["@id"]}
        assert organization["@type"] == "NewsMediaOrganization"
        assert organization["name"] == "Bản tin Kỷ cương"
        assert organization["logo"]["url"] == "https://example.org/images/logo.png"
        assert organization["email"] == "toasoan@example.org"
        assert organization["telephone"] == "(024) 3000 0000"
    [en] = json_ld(head(site, "en/index.html"))
    assert en["@graph"][0]["name"] == "The Discipline Digest"
    assert json_ld(head(site, "vi/to-chuc-nha-nuoc/index.html")) == []
    assert meta(head(site, "en/index.html"), "og:locale") == ["en_US"]


TRICKY = '</script><script>alert("x")</script> ]]> <![CDATA[ & &amp; \' “q” <b>b</b>'


def test_markup_in_author_text_cannot_break_out(build_site):
    site = build_site(f"""
    -- content/tin/a.vi.md --
    ---
    title: {json.dumps(TRICKY)}
    summary: {json.dumps(TRICKY)}
    author: {json.dumps(TRICKY)}
    slug: tricky
    date: {(NOW - timedelta(hours=1)).isoformat()}
    ---
    Body.
    """)
    summary = TRICKY.replace("&amp;", "&")  # a summary is Markdown reduced to its text
    assert site.result.site.stories["vi"][0].article.summary == summary
    page = site.read("vi/tin/tricky/index.html")
    assert "</script><script>" not in page
    [data] = json_ld(head(site, "vi/tin/tricky/index.html"))
    assert data["headline"] == data["author"]["name"] == TRICKY and data["description"] == summary
    parsed = feedparser.parse(site.out.joinpath("vi/rss.xml").read_bytes())
    assert parsed.bozo == 0
    item = etree.fromstring(site.out.joinpath("vi/rss.xml").read_bytes()).find("channel/item")
    assert item.findtext("title") == TRICKY and item.findtext("description") == summary
    assert json.loads(site.read("vi/feed.json"))["items"][0]["title"] == TRICKY
    news = etree.fromstring(site.out.joinpath("vi/news-sitemap.xml").read_bytes())
    assert news.findtext(f".//{NEWS}title") == TRICKY


# Text an author could write: anything but control characters, surrogates and YAML's line breaks.
AUTHOR_TEXT = (
    st.lists(
        st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"), blacklist_characters="\ufffe\uffff"), max_size=8)
        | st.sampled_from(["<", ">", "&", '"', "'", "]]>", "</script>", "&amp;", "{{", "#", ": ", "\\", "*", "`"]),
        min_size=1,
        max_size=6,
    )
    .map("".join)
    .filter(lambda s: s.strip())
)


def cleaned(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=AUTHOR_TEXT, summary=AUTHOR_TEXT, author=AUTHOR_TEXT)
@example(title="Â¡ looks double-encoded", summary="[]()", author="]]></dc:creator>")  # feedparser would "repair" Â¡
def test_any_text_survives_every_output_escaped_once(title, summary, author):
    with tempfile.TemporaryDirectory() as tmp:
        root = write_site(
            Path(tmp) / "site",
            f"""
        -- content/tin/bai.vi.md --
        ---
        title: {json.dumps(title, ensure_ascii=False)}
        summary: {json.dumps(summary, ensure_ascii=False)}
        author: {json.dumps(author, ensure_ascii=False)}
        slug: bai
        date: {(NOW - timedelta(hours=1)).isoformat()}
        ---
        Body.
        """,
        )
        result = build(Options(site_dir=root, now=NOW))
        out = root / "output"
        [story] = result.site.stories["vi"]
        expected_title, expected_author = cleaned(title), cleaned(author)
        assert story.article.title == expected_title and story.article.author == expected_author
        expected_summary = story.article.summary  # inline Markdown in a summary is reduced to its text

        rss_bytes = (out / "vi/rss.xml").read_bytes()
        assert feedparser.parse(rss_bytes).bozo == 0
        item = etree.fromstring(rss_bytes).find("channel/item")
        assert item.findtext("title") == expected_title
        assert item.findtext("description") == expected_summary
        assert item.findtext("{http://purl.org/dc/elements/1.1/}creator") == expected_author

        [entry] = json.loads((out / "vi/feed.json").read_text(encoding="utf-8"))["items"]
        assert (entry["title"], entry.get("summary", ""), entry["authors"]) == (
            expected_title,
            expected_summary,
            [{"name": expected_author}],
        )

        news = etree.fromstring((out / "vi/news-sitemap.xml").read_bytes())
        assert news.findtext(f".//{NEWS}title") == expected_title

        page = html5lib.parse((out / "vi/tin/bai/index.html").read_text(encoding="utf-8"))
        page_head = page.find(f"{HTML}head")
        [data] = json_ld(page_head)
        assert (data["headline"], data.get("description", ""), data["author"]["name"]) == (
            expected_title,
            expected_summary,
            expected_author,
        )
        assert meta(page_head, "og:title") == meta(page_head, "twitter:title") == [expected_title]
        if expected_summary:  # else the site's description stands in
            assert meta(page_head, "og:description") == [expected_summary]
