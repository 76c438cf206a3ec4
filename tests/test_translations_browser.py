"""A real headless Chromium opens the sample digest's stale translation and its original: the notice
is there, in English, says when the original changed and leads to it; the original has none.

The same Chromium, server and checks as tests/test_browser.py (Debian's chromium through Playwright).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsdigest.pipeline import Options, build
from tests.conftest import NOW
from tests.test_browser import REPO, Served, _axe_violations, _no_sideways_scroll, open_page, serving, sync_api

STALE = "kinh-te/cho-hoa-tet"  # its .en.md was translated from an older revision of its .vi.md


@pytest.fixture(scope="module")
def stale_pair(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, str, str]]:
    out = tmp_path_factory.mktemp("stale") / "output"
    result = build(Options(site_dir=REPO, output_dir=out, now=NOW))
    stories = {s.article.rel: s for by_lang in result.site.stories.values() for s in by_lang}
    with serving(out) as base:
        yield (Served(base, "/", "", ""), stories[f"{STALE}.en.md"].teaser.url, stories[f"{STALE}.vi.md"].teaser.url)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    from tests.conftest import CHROMIUM, CHROMIUM_ARGS

    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.mark.parametrize("width", [390, 1280])
def test_a_stale_translation_tells_the_reader_and_leads_to_its_original(chromium, stale_pair, width):
    served, translation, original = stale_pair
    visit = open_page(chromium, served, translation, width)
    page = visit.page
    try:
        notice = page.locator(".translation-notice")
        assert notice.count() == 1 and notice.is_visible()
        text = notice.inner_text()
        assert "older than its original" in text and "19 Jan 2017" in text, text
        link = notice.locator("a")
        assert link.get_attribute("hreflang") == "vi" and notice.locator('[lang="vi"]').inner_text() == "Tiếng Việt"
        assert _axe_violations(page) == []
        _no_sideways_scroll(page)
        link.click()
        page.wait_for_url(served.base + original)
        assert page.evaluate("document.documentElement.lang") == "vi"
        assert page.locator(".translation-notice").count() == 0
        assert page.locator("h1").inner_text() == "Chợ hoa Tết mở sớm, giá đào ổn định"
        assert visit.problems == []
    finally:
        page.context.close()
