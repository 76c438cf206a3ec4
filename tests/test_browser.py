"""A real headless Chromium opens the sample digest: home, a story and its translation, on a phone and a desktop;
axe-core checks every page kind in both languages at both widths; a site of 14 sections under a sub-path
keeps its section menu on one line on a phone.

Debian's ``/usr/bin/chromium`` is driven through Playwright (``playwright install`` cannot download here).
The built site is served by Python's http.server on 127.0.0.1; any request elsewhere is blocked and fails
the test. Screenshots go to the test's ``tmp_path``.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from newsdigest.pipeline import Options, build
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, NOW, write_site

REPO = Path(__file__).resolve().parent.parent
SEED = "to-chuc-nha-nuoc/ky-cuong-hanh-chinh-2017"
WIDTHS = (390, 1280)

if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
Axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:<port>
    home: str
    story: str  # the seed story in Vietnamese
    translation: str  # its English translation
    kinds: dict[str, str] = field(default_factory=dict)  # "<kind> <lang>" -> a page of that kind


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The repository's sample digest, built into a temporary folder and served on a free port."""
    out = tmp_path_factory.mktemp("browser") / "output"
    result = build(Options(site_dir=REPO, output_dir=out, now=NOW))
    story = next(s for s in result.site.stories["vi"] if s.article.rel == f"{SEED}.vi.md")
    translation = next(a.url for a in story.alternates if a.lang == "en")
    with serving(out) as base:
        yield Served(base, "/", story.teaser.url, translation, page_kinds(result.site))


@contextlib.contextmanager
def serving(folder: Path) -> Iterator[str]:
    """``folder`` served on a free port of 127.0.0.1; yields the server's base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def page_kinds(site) -> dict[str, str]:
    """One page of every kind the theme makes, in each language: "<kind> <lang>" -> its path."""
    kinds = {"root vi": "/", "404 vi": "/404.html"}
    for lang, stories in site.stories.items():
        teaser = next(s.teaser for s in stories if s.teaser.tags and s.teaser.authors)
        home = site.config.base_path + f"{lang}/"
        kinds.update(
            {
                f"home {lang}": home,
                f"home-page-2 {lang}": home + "page/2/",
                f"section {lang}": teaser.section.url,
                f"tag {lang}": teaser.tags[0].url,
                f"story {lang}": teaser.url,
                f"tag-index {lang}": home + "tags/",
                f"authors {lang}": home + "authors/",
                f"author {lang}": teaser.authors[0].url,
                f"archive {lang}": home + "archive/",
                f"month {lang}": home + teaser.date.strftime("archive/%Y/%m/"),
                f"corrections {lang}": home + "corrections/",
            }
        )
        corrected = next((s.teaser for s in stories if s.article.corrections), None)
        if corrected is not None:  # the public record: a story with its corrections under it
            kinds[f"corrected-story {lang}"] = corrected.url
    return kinds


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@dataclass
class Visit:
    page: object
    problems: list[str]


def open_page(browser, served: Served, path: str, width: int, **context_options) -> Visit:
    """Open ``path`` at ``width`` px; console errors, failed requests and any request that is not
    to the local server are collected as problems."""
    context = browser.new_context(viewport={"width": width, "height": 900}, **context_options)
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
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url} {request.failure} on {page.url}"))
    page.on("response", lambda response: response.status >= 400 and problems.append(f"{response.status}: {response.url}"))
    page.goto(served.base + path, wait_until="load")
    return Visit(page, problems)


def _no_sideways_scroll(page) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"page is {widths[0]} px wide in a {widths[1]} px window"


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("which", ["home", "story", "translation"])
def test_page_renders_cleanly(browser, served, tmp_path, which, width):
    visit = open_page(browser, served, getattr(served, which), width)
    page = visit.page
    try:
        # Lazy images below the fold load when asked to, so a broken one cannot hide there.
        page.evaluate("for (const img of document.images) img.loading = 'eager'")
        page.wait_for_function("[...document.images].every(img => img.complete)")
        # Read the problems before the screenshot: a full-page screenshot resizes the viewport for a
        # moment, the browser picks other srcset candidates for it and aborts them when it is done
        # (net::ERR_ABORTED), which is the screenshot's doing, not the page's.
        assert visit.problems == []
        page.screenshot(path=str(tmp_path / f"{which}-{width}.png"), full_page=True)
        _no_sideways_scroll(page)
        assert page.evaluate("[...document.images].every(img => img.naturalWidth > 0)")
        assert page.evaluate("[...document.images].every(img => img.alt.trim().length > 0)")
        assert page.locator("nav.sections").is_visible()
        assert page.locator("footer.colophon").is_visible()
    finally:
        page.context.close()


def test_language_switch_lands_on_the_translation(browser, served):
    visit = open_page(browser, served, served.story, 390)
    page = visit.page
    try:
        assert page.evaluate("document.documentElement.lang") == "vi"
        page.locator('nav.lang-switch a[hreflang="en"]').click()
        page.wait_for_load_state("load")
        assert page.url == served.base + served.translation
        assert page.evaluate("document.documentElement.lang") == "en"
        page.locator('p.translation a[hreflang="vi"]').click()
        page.wait_for_load_state("load")
        assert page.url == served.base + served.story
        assert visit.problems == []
    finally:
        page.context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_print_drops_navigation_and_keeps_the_story(browser, served, tmp_path, width):
    visit = open_page(browser, served, served.story, width)
    page = visit.page
    try:
        page.emulate_media(media="print")
        page.wait_for_function("[...document.images].every(img => img.complete)")
        problems = list(visit.problems)  # before the screenshot's own aborted srcset requests (see above)
        page.screenshot(path=str(tmp_path / f"print-{width}.png"), full_page=True)
        for hidden in (
            "nav.sections",
            "nav.lang-switch",
            "aside.sidebar",
            ".tools",
            "nav.prev-next",
            "nav.breadcrumb",
            "section.more",
        ):
            assert not page.locator(hidden).first.is_visible(), hidden
        for shown in (".story-head h1", ".story-head time", ".lead-figure .credit", "p.source", "p.page-url"):
            assert page.locator(shown).first.is_visible(), shown
        assert served.story in page.locator("p.page-url").inner_text()
        assert problems == []
    finally:
        page.context.close()


def test_works_without_javascript(browser, served):
    visit = open_page(browser, served, served.story, 390, java_script_enabled=False)
    page = visit.page
    try:
        _no_sideways_scroll(page)
        assert page.locator(".story-head h1").is_visible()
        assert page.locator("a.share-facebook").is_visible()
        assert not page.locator("button.print").is_visible()  # it needs JavaScript, so it is hidden
        assert visit.problems == []
    finally:
        page.context.close()


KINDS = [
    f"{kind} {lang}"
    for kind in (
        "home",
        "home-page-2",
        "section",
        "tag",
        "story",
        "tag-index",
        "authors",
        "author",
        "archive",
        "month",
        "corrections",
        "corrected-story",
    )
    for lang in ("vi", "en")
] + ["root vi", "404 vi"]
AXE_SCRIPT = Axe().axe_script  # the axe-core that axe-playwright-python bundles


def _axe_violations(page) -> list[str]:
    """axe-core's violations on the page as it is, every rule on (only the violations come back:
    the full results of every page would cost more than the checks)."""
    page.evaluate(AXE_SCRIPT)
    return page.evaluate("""axe.run(document, {resultTypes: ['violations']}).then(results =>
        results.violations.map(v => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map(n => n.target).join(' | ')}`))""")


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_axe_finds_nothing_on_any_page_kind(browser, served, lang, width):
    kinds = [kind for kind in KINDS if kind.endswith(f" {lang}")]
    visit = open_page(browser, served, served.kinds[kinds[0]], width)
    page = visit.page
    found: dict[str, list[str]] = {}
    try:
        for kind in kinds:
            if kind != kinds[0]:  # the first is open already
                page.goto(served.base + served.kinds[kind], wait_until="load")
            assert page.evaluate("document.documentElement.lang") == lang, kind
            if violations := _axe_violations(page):
                found[f"{kind} {served.kinds[kind]}"] = violations
            _no_sideways_scroll(page)
            # every picture loads (and none is cut off by leaving the page)
            page.evaluate("for (const img of document.images) img.loading = 'eager'")
            page.wait_for_function("[...document.images].every(img => img.complete)")
        assert found == {}
        assert visit.problems == []
    finally:
        page.context.close()


FOURTEEN = (
    """
-- site.yaml --
title: {vi: Bản tin Mười bốn, en: Fourteen Sections}
base_url: https://example.org/digest/
sections:
"""
    + "".join(f"  muc-{n:02d}: {{vi: Chuyên mục số {n}, en: Section number {n}}}\n" for n in range(1, 15))
    + "".join(
        f"-- content/muc-{n:02d}/tin.{lang}.md --\n---\ntitle: Tin {n} {lang}\ndate: 2017-01-{n:02d}T08:00:00+07:00\n"
        f"author: Thu Hà\ntags: [Hà Nội, Đà Nẵng]\n---\nNội dung.\n"
        for n in range(1, 15)
        for lang in ("vi", "en")
    )
)


@pytest.fixture(scope="module")
def fourteen(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """A site of 14 sections built for a sub-path base_url and served under that path (/digest/)."""
    root = write_site(tmp_path_factory.mktemp("fourteen") / "site", FOURTEEN)
    served_dir = root.parent / "served"
    result = build(Options(site_dir=root, output_dir=served_dir / "digest", now=NOW))
    with serving(served_dir) as base:
        yield Served(base, "/digest/", "", "", page_kinds(result.site))


@pytest.mark.parametrize("width", WIDTHS)
def test_fourteen_sections_stay_on_one_line_on_a_phone(browser, fourteen, tmp_path, width):
    visit = open_page(browser, fourteen, "/digest/vi/", width)
    page = visit.page
    try:
        page.screenshot(path=str(tmp_path / f"fourteen-{width}.png"))
        tops = page.evaluate("[...document.querySelectorAll('nav.sections li')].map(li => li.getBoundingClientRect().top)")
        assert len(tops) == 15  # home and 14 sections
        menu = page.evaluate(
            "(() => { const ul = document.querySelector('nav.sections ul');"
            " return [ul.scrollWidth, ul.clientWidth, ul.getBoundingClientRect().height]; })()"
        )
        if width == 390:
            assert len(set(tops)) == 1, "the section menu wraps"
            assert menu[0] > menu[1], "the section menu does not scroll sideways"
            assert menu[2] < 60, f"the section menu is {menu[2]} px tall"
            # it scrolls: the last section can be brought into view
            page.locator("nav.sections li:last-child a").scroll_into_view_if_needed()
            assert page.locator("nav.sections li:last-child a").is_visible()
        _no_sideways_scroll(page)
        assert _axe_violations(page) == []
        assert visit.problems == []
    finally:
        page.context.close()


def test_browsing_by_topic_author_and_month_under_a_sub_path(browser, fourteen):
    visit = open_page(browser, fourteen, "/digest/vi/", 390)
    page = visit.page
    try:
        steps = (("Từ khóa", "nav.jump a"), ("Tác giả", "main .index-list a"), ("Lưu trữ", "main .index-list a"))
        for header_link, then in steps:
            page.locator("nav.browse-links a", has_text=header_link).click()
            page.wait_for_load_state("load")
            assert _axe_violations(page) == []
            page.locator(then).first.click()
            page.wait_for_load_state("load")
        assert page.url.endswith("/digest/vi/archive/2017/01/")
        assert page.locator("main .teaser h3 a, main .lead-title a").count() == 14
        assert visit.problems == []
    finally:
        page.context.close()
