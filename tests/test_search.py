"""Search: the Pagefind index, the search page and the header's form, read by a real headless Chromium.

The built site is served on 127.0.0.1 (under ``/digest/`` for the sub-path build); any request to
another host is blocked and fails the test. The query side (``assets/search-query.js``) is also called
directly in the browser, against a fake index, for what Pagefind itself would hide.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import threading
import unicodedata
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsdigest.pipeline import Options, build
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, NOW, write_site

REPO = Path(__file__).resolve().parent.parent

if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

SITE = """
-- site.yaml --
base_url: https://example.org/
sections:
  thoi-su: {vi: Thời sự, en: News}
  doi-song: {vi: Đời sống, en: Life}
-- content/thoi-su/ky-cuong.vi.md --
---
title: Siết chặt kỷ cương hành chính
date: 2017-01-12T08:00:00+07:00
---
Thành phố khắc phục tình trạng đùn đẩy trách nhiệm. Chủ tịch quận Đỗ Mạnh Tuấn nói sẽ làm ngay.
-- content/thoi-su/ky-hop.vi.md --
---
title: Kỳ họp thứ ba của hội đồng
date: 2017-01-13T08:00:00+07:00
---
Người dân dùng dịch vụ công nhiều hơn; đây là kết quả của kỳ họp. Ông Đỗ Văn Hùng và bà Trần Mạnh Thu dự họp.
-- content/doi-song/dun-nuoc.vi.md --
---
title: Đun nước sôi để nguội
date: 2017-01-14T08:00:00+07:00
---
Bà con đun nước trước khi uống, thúc đẩy thói quen sạch. Đây là lời khuyên của trạm y tế.
-- content/thoi-su/ky-cuong.en.md --
---
title: Tightening discipline in the civil service
date: 2017-01-12T08:00:00+07:00
---
The city will end the shirking of responsibility. District chairman Đỗ Mạnh Tuấn said so.
-- content/doi-song/boiling.en.md --
---
title: Boil water before drinking
date: 2017-01-14T08:00:00+07:00
---
Households boil water and keep kettles clean, the health station says.
"""
STORY = "/vi/thoi-su/siet-chat-ky-cuong-hanh-chinh/"
STORY_EN = "/en/thoi-su/tightening-discipline-in-the-civil-service/"
KY_HOP = "/vi/thoi-su/ky-hop-thu-ba-cua-hoi-dong/"
DUN = "/vi/doi-song/dun-nuoc-soi-de-nguoi/"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:<port>
    prefix: str  # "/" or "/digest/"
    out: Path


def _serve(out: Path, prefix: str) -> Iterator[Served]:
    """Serve ``out`` at ``prefix`` (a link to it inside a folder of its own for a sub-path)."""
    root = out
    if prefix != "/":
        root = out.parent / "served"
        root.mkdir(exist_ok=True)
        link = root / prefix.strip("/")
        if not link.exists():
            link.symlink_to(out, target_is_directory=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}", prefix, out)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def _built(tmp: Path, spec: str, base_url: str | None = None) -> Path:
    root = write_site(tmp / "site", spec)
    build(Options(site_dir=root, output_dir=tmp / "out", now=NOW, base_url=base_url))
    return tmp / "out"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _serve(_built(tmp_path_factory.mktemp("tiny"), SITE), "/")


@pytest.fixture(scope="module")
def tiny_sub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from _serve(_built(tmp_path_factory.mktemp("sub"), SITE, "https://example.org/digest/"), "/digest/")


@dataclass
class Found:
    links: list[str]  # result links, best first, without the prefix
    status: str
    excerpts: list[str]  # inner HTML
    problems: list[str]


def open_page(browser, served: Served, path: str, **context_options):
    """A page at ``path`` (under the served prefix), with every problem collected."""
    context = browser.new_context(**context_options)
    page = context.new_page()
    problems: list[str] = []

    def route(request_route, request) -> None:
        if request.url.startswith(served.base + "/"):
            request_route.continue_()
        else:
            problems.append(f"external request: {request.url}")
            request_route.abort()

    page.route("**/*", route)
    page.on("console", lambda message: message.type == "error" and problems.append(f"console: {message.text}"))
    page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
    page.on("response", lambda response: response.status >= 400 and problems.append(f"{response.status}: {response.url}"))
    page.goto(served.base + served.prefix + path.lstrip("/"), wait_until="load")
    return page, problems


def search(browser, served: Served, lang: str, query: str, **params: str) -> Found:
    """Open ``/<lang>/search/?q=…`` as a reader would and read what the page found."""
    qs = urllib.parse.urlencode({"q": query, **params})
    page, problems = open_page(browser, served, f"/{lang}/search/?{qs}")
    try:
        page.wait_for_selector("#search[data-ready]")
        links = [a.get_attribute("href") for a in page.query_selector_all("#search-results li h2 a")]
        excerpts = [e.inner_html() for e in page.query_selector_all("#search-results li .excerpt")]
        status = page.inner_text("#search-status")
    finally:
        page.context.close()
    assert all(link.startswith(served.prefix) for link in links), links
    return Found(["/" + link[len(served.prefix) :] for link in links], status, excerpts, problems)


@pytest.mark.parametrize("query", ["ky cuong", "KỶ CƯƠNG", unicodedata.normalize("NFD", "kỷ cương"), "Ky Cuong"])
def test_tones_and_case_are_ignored(browser, tiny, query):
    found = search(browser, tiny, "vi", query)
    assert found.problems == []
    assert found.links == [STORY]  # "kỳ họp" has kỳ, not cương
    assert "<mark>kỷ</mark> <mark>cương</mark>" in found.excerpts[0]


@pytest.mark.parametrize("query", ["dun day", "DUN DAY", "đun đẩy"])
def test_d_finds_dj_and_the_phrase_ranks_first(browser, tiny, query):
    found = search(browser, tiny, "vi", query)
    assert found.problems == []
    assert found.links[0] == STORY, found.links
    # The distractors hold "đun"/"dùng" and "đây"/"đẩy" apart: below the phrase, if at all.
    assert set(found.links) <= {STORY, KY_HOP, DUN}
    assert "<mark>đùn</mark> <mark>đẩy</mark>" in found.excerpts[0]  # the text as written, not folded
    assert "dun day" not in found.excerpts[0].lower()


def test_a_name_typed_without_marks(browser, tiny):
    found = search(browser, tiny, "vi", "do manh tuan")
    assert found.links[0] == STORY
    assert "<mark>Đỗ</mark> <mark>Mạnh</mark> <mark>Tuấn</mark>" in found.excerpts[0]
    assert found.problems == []


@pytest.mark.parametrize("query", ["xyzzy", "ky cuong xyzzy", "xyzzy dun day", "đùn đẩy qqqq"])
def test_a_word_in_no_story_finds_nothing(browser, tiny, query):
    found = search(browser, tiny, "vi", query)
    assert found.links == []
    assert found.status.startswith("Không tìm thấy bài nào"), found.status
    assert found.problems == []


def test_english_finds_english_stories_only(browser, tiny):
    for query, expected in (("civil service", [STORY_EN]), ("do manh tuan", [STORY_EN]), ("boil water", None)):
        found = search(browser, tiny, "en", query)
        assert found.links and all(link.startswith("/en/") for link in found.links), (query, found.links)
        if expected:
            assert found.links == expected
        assert found.problems == []
    kettle = search(browser, tiny, "en", "kettle")
    assert kettle.links == ["/en/doi-song/boil-water-before-drinking/"]
    assert kettle.status == "1 result for “kettle”", kettle.status  # one result, not "1 results"
    nothing = search(browser, tiny, "en", "đùn đẩy")  # only the Vietnamese story has it
    assert nothing.links == [] and nothing.status.startswith("No stories found")


def test_filter_by_section(browser, tiny):
    assert set(search(browser, tiny, "vi", "day").links) >= {KY_HOP, DUN}
    only = search(browser, tiny, "vi", "day", section="Đời sống")
    assert only.links == [DUN]


def test_results_show_title_date_and_section(browser, tiny):
    page, problems = open_page(browser, tiny, "/vi/search/?q=ky+cuong")
    try:
        page.wait_for_selector("#search[data-ready]")
        first = page.locator("#search-results li").first
        assert first.locator("h2 a").inner_text() == "Siết chặt kỷ cương hành chính"
        assert first.locator(".meta").inner_text() == "12/01/2017 08:00 · Thời sự"
        assert page.locator("#search-q").input_value() == "ky cuong"
        assert problems == []
    finally:
        page.context.close()


def test_the_header_form_reaches_the_search_page_without_javascript(browser, tiny):
    page, problems = open_page(browser, tiny, STORY, java_script_enabled=False)
    try:
        form = page.locator("header form[role=search]")
        assert form.get_attribute("action") == "/vi/search/"
        assert page.locator("label[for=site-search-q]").inner_text() == "Tìm trong các bài"
        page.fill("#site-search-q", "kỷ cương")
        page.press("#site-search-q", "Enter")
        page.wait_for_load_state("load")
        assert page.url.endswith("/vi/search/?q=k%E1%BB%B7+c%C6%B0%C6%A1ng")
        assert page.locator(".search-noscript").is_visible()
        assert "cần JavaScript" in page.locator(".search-noscript").inner_text()
        assert not page.locator("#search-results").is_visible()
        assert problems == []
    finally:
        page.context.close()


def test_under_a_sub_path(browser, tiny_sub):
    found = search(browser, tiny_sub, "vi", "dun day")
    assert found.links[0] == STORY and found.problems == []
    page, problems = open_page(browser, tiny_sub, STORY_EN)
    try:
        assert page.locator("header form[role=search]").get_attribute("action") == "/digest/en/search/"
        assert page.locator("label[for=site-search-q]").inner_text() == "Search the stories"
    finally:
        page.context.close()
    assert search(browser, tiny_sub, "en", "civil service").links == [STORY_EN]


def test_index_holds_only_story_text(tiny):
    """Only the stories are indexed (not lists, nor the search page), and of them only the story."""
    entry = json.loads((tiny.out / "pagefind/pagefind-entry.json").read_text(encoding="utf-8"))
    assert {lang: about["page_count"] for lang, about in entry["languages"].items()} == {"vi": 3, "en": 2}
    assert not list((tiny.out / "pagefind").glob("pagefind-ui*"))
    fragments = [
        json.loads(gzip.decompress(f.read_bytes())[len(b"pagefind_dcd") :])
        for f in (tiny.out / "pagefind/fragment").glob("vi_*.pf_fragment")
    ]
    story = next(f for f in fragments if f["url"] == STORY)
    assert story["content"].startswith("Siết chặt kỷ cương hành chính. Thành phố khắc phục")  # headline, body
    for left_out in ("Trang chủ", "12/01/2017", "Chia sẻ", "Thời sự"):  # breadcrumb, date, tools, section
        assert left_out not in story["content"], left_out
    assert story["meta"]["date"] == "12/01/2017 08:00" and story["meta"]["section"] == "Thời sự"
    assert story["filters"] == {"lang": ["vi"], "section": ["Thời sự"]}


def test_search_false_removes_index_page_and_form(tmp_path):
    out = _built(tmp_path, SITE.replace("base_url: https://example.org/", "base_url: https://example.org/\nsearch: false"))
    assert not (out / "pagefind").exists()
    assert not (out / "vi/search").exists() and not (out / "en/search").exists()
    assert 'role="search"' not in (out / STORY.strip("/") / "index.html").read_text(encoding="utf-8")
    assert "data-pagefind" not in (out / STORY.strip("/") / "index.html").read_text(encoding="utf-8")


def test_search_setting_is_validated(build_errors):
    errors = build_errors("-- site.yaml --\nsearch: sometimes\n-- content/a.md --\n---\ntitle: A\ndate: 2017-01-01\n---\nA\n")
    assert any(e.endswith("site.yaml:1: search: must be true or false") for e in errors), errors


def test_pagefind_runs_only_when_a_story_page_changed(tmp_path):
    root = write_site(tmp_path / "site", SITE)
    options = Options(site_dir=root, now=NOW)
    first = build(options)
    assert first.indexed and "pagefind/pagefind-entry.json" in first.write.written
    assert not build(options).indexed  # nothing changed
    (root / "layouts").mkdir()
    (root / "layouts/list.html").write_text('{% extends "theme/list.html" %}', encoding="utf-8")
    (root / "layouts/home.html").write_text(
        '{% extends "theme/home.html" %}{% block title %}Khác{% endblock %}', encoding="utf-8"
    )
    lists_only = build(options)
    assert lists_only.rendered and not lists_only.indexed  # no story page changed
    story = root / "content/thoi-su/ky-cuong.vi.md"
    story.write_text(story.read_text(encoding="utf-8").replace("làm ngay", "làm ngay hôm nay"), encoding="utf-8")
    edited = build(options)
    assert edited.indexed
    assert any(p.startswith("pagefind/fragment/") for p in edited.write.written)
    assert any(p.startswith("pagefind/fragment/") for p in edited.write.removed)  # the old story's fragment


def test_the_index_is_the_same_bytes_every_time(tmp_path):
    """Pagefind writes some files in a random order; the build puts them in a fixed one."""
    root = write_site(tmp_path / "site", SITE)
    outs = [tmp_path / f"out{i}" for i in range(3)]
    for out in outs:
        build(Options(site_dir=root, output_dir=out, now=NOW, cache=False))
    trees = [
        {p.relative_to(out).as_posix(): p.read_bytes() for p in (out / "pagefind").rglob("*") if p.is_file()} for out in outs
    ]
    assert trees[0] == trees[1] == trees[2]
    assert not any(name.startswith("newsdigest-search-") for name in os.listdir(os.environ.get("TMPDIR", "/tmp")))


# The query side, called directly: words, the d/đ spellings, and a fake index that, like Pagefind,
# drops a word that matches nothing and prefix-matches.
FAKE = """async ([query, pages]) => {
  const q = await import("%s");
  const fold = (w) => w.normalize("NFD").replace(/\\p{M}/gu, "").normalize("NFC");
  const index = pages.map((text, id) => ({ id: String(id), words: text.split(" ").map(fold) }));
  const asked = [];
  const pagefind = { search: async (text) => {
    asked.push(text);
    const terms = text.split(" ").filter((t) => index.some((p) => p.words.some((w) => w.startsWith(t))));
    const results = terms.length ? index.filter((p) => terms.every((t) => p.words.some((w) => w.startsWith(t)))) : [];
    return { results: results.map((p) => ({ id: p.id, score: 1,
      words: p.words.flatMap((w, i) => (terms.some((t) => w.startsWith(t)) ? [i] : [])) })) };
  } };
  const found = await q.find(pagefind, query);
  return { ids: found.map((r) => r.id), asked, words: q.words(query),
           variants: q.variants("dddd").concat(q.variants("dad")), many: q.combinations(
             q.words("do do do do do do do").map(q.variants)).length, limit: q.LIMIT };
}"""


def test_query_expansion_in_the_browser(browser, tiny):
    page, problems = open_page(browser, tiny, "/vi/")
    try:

        def run(query: str, pages: list[str]) -> dict:
            return page.evaluate(FAKE % (tiny.prefix + "assets/search-query.js"), [query, pages])

        pages = ["đùn đẩy trách nhiệm", "dùng đây", "đun nước"]
        got = run("DUN DAY", pages)
        assert got["ids"] == ["0", "1"]  # the phrase first; "dùng đây" matches two of the spellings
        assert got["words"] == ["dun", "day"]
        assert got["variants"] == ["dddd", "đđđđ", "dad", "đad", "dađ", "đađ"]
        assert got["many"] == got["limit"] == 32  # seven d-words: 128 spellings, bounded
        absent = run("dun xyzzy", pages)  # Pagefind would drop xyzzy and find every "dun"
        assert absent["ids"] == [] and "dun xyzzy" not in absent["asked"]
        assert run(unicodedata.normalize("NFD", "Đùn"), pages)["words"] == ["đùn"]
        assert run("", pages)["ids"] == []
        assert problems == []
    finally:
        page.context.close()


# The sample digest, as readers would type, under / and under a sub-path.
SAMPLE_QUERIES = [
    ("vi", "ky cuong", "/vi/to-chuc-nha-nuoc/quyet-tam-tao-dot-pha-ve-ky-luat-ky-cuong/"),
    ("vi", "KỶ CƯƠNG", "/vi/to-chuc-nha-nuoc/quyet-tam-tao-dot-pha-ve-ky-luat-ky-cuong/"),
    ("vi", "dun day", "/vi/to-chuc-nha-nuoc/quyet-tam-tao-dot-pha-ve-ky-luat-ky-cuong/"),
    ("vi", "do manh tuan", "/vi/to-chuc-nha-nuoc/quyet-tam-tao-dot-pha-ve-ky-luat-ky-cuong/"),
    ("vi", "duong day nong", "/vi/to-chuc-nha-nuoc/cong-khai-duong-day-nong-tiep-nhan-phan-anh-ve-thu-tuc-hanh-chinh/"),
    ("en", "civil servants", "/en/to-chuc-nha-nuoc/determined-to-make-a-breakthrough-in-discipline-and-order/"),
    ("en", "hotline", "/en/do-thi/200-new-trees-for-the-riverside-road/"),
]


@pytest.fixture(scope="module", params=["/", "/digest/"])
def sample(request, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    out = tmp_path_factory.mktemp("sample") / "out"
    base = "https://example.org" + request.param
    build(Options(site_dir=REPO, output_dir=out, now=NOW, base_url=base))
    yield from _serve(out, request.param)


@pytest.mark.parametrize(("lang", "query", "story"), SAMPLE_QUERIES)
def test_sample_digest_queries_find_their_story(browser, sample, lang, query, story):
    found = search(browser, sample, lang, query)
    assert story in found.links[:3], found.links
    assert all(link.startswith(f"/{lang}/") for link in found.links)
    assert found.problems == []


def test_templates_that_make_nothing_to_index_build_without_an_index(tmp_path):
    """A site whose story template writes no HTML (here: plain text) still builds; there is no index."""
    out = _built(tmp_path, SITE + "-- layouts/article.html --\n{{ page.story.title }}\n")
    assert (out / STORY.strip("/") / "index.html").read_text(encoding="utf-8") == "Siết chặt kỷ cương hành chính\n"
    assert not (out / "pagefind").exists() and (out / "vi/search/index.html").is_file()
