"""Photos in a real phone-sized Chromium (390 px): the phone fetches small copies, never a camera
original; no picture moves the layout; every shared page has a raster preview. Served like
tests/test_browser.py: http.server on 127.0.0.1, every other request blocked."""

from __future__ import annotations

import functools
import http.server
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from newsdigest.pipeline import Options, build
from tests.conftest import CHROMIUM, CHROMIUM_ARGS, NOW
from tests.test_browser import REPO, _QuietHandler

if not CHROMIUM.exists():
    pytest.skip("browser tests need Debian's chromium at /usr/bin/chromium", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")
PHONE = {"width": 390, "height": 844}
MAX_PHOTO_BYTES = 100_000
# Sums the layout shifts a page makes while its pictures load (the Core Web Vitals' CLS, unweighted).
WATCH_SHIFTS = """
window.__shifts = 0;
new PerformanceObserver(list => { for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shifts += e.value; })
  .observe({type: 'layout-shift', buffered: true});
"""


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def visit(browser, base: str, path: str) -> tuple[object, dict[str, int]]:
    """Open ``path`` on a phone, have the lazy pictures load too (as scrolling would), and return
    the page and every picture it downloaded with its size in bytes."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    fetched: dict[str, int] = {}
    page.route("**/*", lambda route, request: route.continue_() if request.url.startswith(base + "/") else route.abort())

    def record(response) -> None:
        if response.request.resource_type == "image" and response.ok:
            fetched[response.url[len(base) :]] = len(response.body())

    page.on("response", record)
    page.add_init_script(WATCH_SHIFTS)
    page.goto(base + path, wait_until="load")
    page.evaluate("for (const img of document.images) img.loading = 'eager'")
    page.wait_for_function("[...document.images].every(img => img.complete)")
    page.wait_for_load_state("networkidle")
    return page, fetched


def test_a_phone_downloads_a_small_copy_not_the_camera_original(browser, tmp_path):
    root = tmp_path / "site"
    (root / "static/images").mkdir(parents=True)
    im = Image.radial_gradient("L").resize((4000, 3000)).convert("RGB")
    ImageDraw.Draw(im).rectangle((800, 600, 2400, 1800), fill=(30, 120, 200))
    im.save(root / "static/images/camera.jpg", quality=95)
    story = root / "content/thoi-su/anh.vi.md"
    story.parent.mkdir(parents=True)
    story.write_text(
        "---\ntitle: Ảnh lớn\ndate: 2024-05-01\nimage: {src: /images/camera.jpg, alt: Ảnh}\n---\n"
        "Đoạn đầu.\n\n![Ảnh trong bài](/images/camera.jpg)\n",
        encoding="utf-8",
    )
    build(Options(site_dir=root, now=NOW))
    with serving(root / "output") as base:
        for path in ("/vi/thoi-su/anh-lon/", "/vi/"):
            page, fetched = visit(browser, base, path)
            try:
                assert "/images/camera.jpg" not in fetched, fetched
                assert fetched and all(url.startswith("/photos/camera-") and url.endswith(".webp") for url in fetched)
                widths = [int(re.search(r"-(\d+)w-", url).group(1)) for url in fetched]
                assert max(widths) <= 960, fetched  # a 390 px phone at 1x needs no more than 480; a card 240
            finally:
                page.context.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("photos-sample") / "output"
    build(Options(site_dir=REPO, output_dir=out, now=NOW))
    return out


def story_pages(out: Path) -> list[str]:
    pages = []
    for path in sorted(out.glob("*/*/*/index.html")):
        if 'property="og:type" content="article"' in path.read_text(encoding="utf-8"):
            pages.append("/" + path.relative_to(out).parent.as_posix() + "/")
    return pages


def test_sample_digest_on_a_phone_small_photos_no_shifts(browser, sample):
    pages = ["/vi/", "/en/"] + story_pages(sample)
    assert len(pages) > 15
    with serving(sample) as base:
        for path in pages:
            page, fetched = visit(browser, base, path)
            try:
                photos = {url: size for url, size in fetched.items() if not url.endswith(".svg")}
                assert all(size <= MAX_PHOTO_BYTES for size in photos.values()), (path, photos)
                assert not [url for url in photos if url.startswith("/images/")], (path, photos)  # originals
                unsized = page.evaluate(
                    "[...document.images].filter(i => !i.getAttribute('width') || !i.getAttribute('height')).map(i => i.src)"
                )
                assert unsized == [], (path, unsized)
                assert page.evaluate("window.__shifts") < 0.01, path
            finally:
                page.context.close()


def test_every_page_of_the_sample_shares_a_raster_picture(sample):
    pages = story_pages(sample) + ["/vi/", "/en/", "/vi/kinh-te/", "/en/van-hoa/"]
    for path in pages:
        html = (sample / path.strip("/") / "index.html").read_text(encoding="utf-8")
        share = re.search(r'<meta property="og:image" content="https://example\.org/([^"]+)"', html)
        assert share, path
        with Image.open(sample / share.group(1)) as picture:
            assert picture.format in ("JPEG", "PNG") and picture.width >= 600, (path, share.group(1))
        assert re.search(r'<meta property="og:image:width" content="\d+">', html), path
