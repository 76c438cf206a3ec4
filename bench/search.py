"""Measure search on a corpus: Pagefind's run over the story pages (time, peak memory), the index's
size, whether builds that change no story page skip it, and the bytes a first query downloads in
each language, read in Chromium from Playwright's network events.

    python bench/make_corpus.py /tmp/search1k --stories 1000
    python bench/search.py /tmp/search1k

Markdown on stdout. Needs GNU time (/usr/bin/time) and Debian's chromium (/usr/bin/chromium).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newsdigest.pipeline import Options, build  # noqa: E402 - after the path is set

QUERIES = {"vi": "ky cuong hanh chinh", "en": "administrative procedures"}


def story_pages(out: Path) -> list[Path]:
    """The pages the build indexes: those that carry ``data-pagefind-body``."""
    return [p for p in out.rglob("index.html") if b"data-pagefind-body" in p.read_bytes()]


def pagefind_alone(out: Path) -> tuple[str, int]:
    """One Pagefind run over a tree of the story pages, as the build makes it: GNU time's figures."""
    from pagefind_bin import get_executable

    with tempfile.TemporaryDirectory() as tmp:
        pages = story_pages(out)
        for page in pages:
            target = Path(tmp, "site", page.relative_to(out))
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(page, target)
        done = subprocess.run(
            [
                "/usr/bin/time",
                "-f",
                "%e s %M KB",
                str(get_executable()),
                "--site",
                f"{tmp}/site",
                "--output-path",
                f"{tmp}/bundle",
                "--silent",
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stderr.strip().splitlines()[-1], len(pages)


def index_size(out: Path) -> str:
    files = [p for p in (out / "pagefind").rglob("*") if p.is_file()]
    by_lang = {}
    for lang in QUERIES:
        mine = [p for p in files if p.name.startswith((f"{lang}_", f"pagefind.{lang}_"))]
        by_lang[lang] = f"{lang} {sum(p.stat().st_size for p in mine) / 2**20:.1f} MiB in {len(mine)} files"
    total = sum(p.stat().st_size for p in files) / 2**20
    return f"{total:.1f} MiB, {len(files)} files ({'; '.join(by_lang.values())})"


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - the base class's name
        pass


def first_query(out: Path, lang: str, query: str) -> tuple[int, int, int]:
    """Bytes a reader's first query downloads with an empty browser cache: the page and its own
    style and scripts, then the index's files; and the number of results."""
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(out)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    sizes: dict[str, int] = {}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=["--headless", "--no-sandbox"])
            page = browser.new_context().new_page()
            page.on("response", lambda r: sizes.__setitem__(r.url, len(r.body())) if r.ok else None)
            page.goto(f"{base}/{lang}/search/?q={urllib.parse.quote(query)}")
            page.wait_for_selector("#search[data-ready]")
            results = len(page.query_selector_all("#search-results li"))
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    index = sum(n for url, n in sizes.items() if "/pagefind/" in url)
    return sum(sizes.values()) - index, index, results


def timed_build(site: Path) -> tuple[float, bool]:
    started = time.perf_counter()
    result = build(Options(site_dir=site))
    return time.perf_counter() - started, result.indexed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    args = parser.parse_args()
    site: Path = args.site
    shutil.rmtree(site / "output", ignore_errors=True)
    shutil.rmtree(site / ".newsdigest-cache", ignore_errors=True)
    cold, cold_indexed = timed_build(site)
    again, again_indexed = timed_build(site)
    story = sorted((site / "content").rglob("*.vi.md"))[len(list((site / "content").rglob("*.vi.md"))) // 2]
    original = story.read_text(encoding="utf-8")
    try:
        story.write_text(original + "\nMột câu mới cho phép đo.\n", encoding="utf-8")
        edit, edit_indexed = timed_build(site)
    finally:
        story.write_text(original, encoding="utf-8")
    timebuild, _ = timed_build(site)  # back as generated (indexes again)
    figures, pages = pagefind_alone(site / "output")
    print(f"| {site} | |\n| --- | --- |")
    print(f"| story pages indexed | {pages} |")
    print(f"| Pagefind alone over them (`/usr/bin/time -f '%e s %M KB'`) | {figures} |")
    print(f"| index as published | {index_size(site / 'output')} |")
    print(f"| cold build (indexes) | {cold:.2f} s, indexed={cold_indexed} |")
    print(f"| nothing changed | {again:.2f} s, indexed={again_indexed} |")
    print(f"| one story's body edited | {edit:.2f} s, indexed={edit_indexed} |")
    for lang, query in QUERIES.items():
        page_bytes, index_bytes, results = first_query(site / "output", lang, query)
        print(
            f"| first query `{query}` on /{lang}/search/ | page, style and scripts {page_bytes / 1024:.0f} KiB; "
            f"index {index_bytes / 1024:.0f} KiB; {results} results shown |"
        )


if __name__ == "__main__":
    main()
