"""A real headless Chromium opens the sample digest: home, a story and its translation, on a phone and a desktop.

Debian's ``/usr/bin/chromium`` is driven through Playwright (``playwright install`` cannot download here).
The built site is served by Python's http.server on 127.0.0.1; any request elsewhere is blocked and fails
the test. Screenshots go to the test's ``tmp_path``.
"""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from newsdigest.pipeline import Options, build
from tests.conftest import NOW

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
REPO = Path(__file__).resolve().parent.parent
SEED = "to-chuc-nha-nuoc/ky-cuong-hanh-chinh-2017"
WIDTHS = (390, 1280)

if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
                allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


@dataclass(frozen=True)
class Served:
    base: str  # http://127.0.0.1:<port>
    home: str
    story: str  # the seed story in Vietnamese
    translation: str  # its English translation


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
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(f"http://127.0.0.1:{server.server_address[1]}", "/", story.teaser.url, translation)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
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
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
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
        page.screenshot(path=str(tmp_path / f"{which}-{width}.png"), full_page=True)
        assert visit.problems == []
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
        page.screenshot(path=str(tmp_path / f"print-{width}.png"), full_page=True)
        for hidden in ("nav.sections", "nav.lang-switch", "aside.sidebar", ".tools", "nav.prev-next",
                       "nav.breadcrumb", "section.more"):
            assert not page.locator(hidden).first.is_visible(), hidden
        for shown in (".story-head h1", ".story-head time", ".lead-figure .credit", "p.source", "p.page-url"):
            assert page.locator(shown).first.is_visible(), shown
        assert served.story in page.locator("p.page-url").inner_text()
        assert visit.problems == []
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
