#!/usr/bin/env python3
"""Time saves of one story as the live preview builds them, and print the figures as JSON.

    python bench/preview_save.py SITE STORY [--saves N] [--jobs N]

One process keeps a ``Memo`` between builds, as ``build.py serve`` does, and is told which story
file changed, as serve's file watcher tells it; the output goes to a temporary folder. After a
first, untimed build, each save appends a sentence to STORY (a path under SITE/content/) and times
``build()``: everything but the watcher's debounce and the browser's reload. STORY is put back at
the end.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsdigest.memory import Memory  # noqa: E402 - after the project is on the path
from newsdigest.pipeline import Options, build  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("story", help="the story file, relative to SITE/content/")
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    path = args.site / "content" / args.story
    original = path.read_bytes()
    memo = Memory.lasting()
    with tempfile.TemporaryDirectory() as out, ProcessPoolExecutor(args.jobs, mp_context=get_context("fork")) as pool:
        options = Options(
            site_dir=args.site,
            output_dir=Path(out),
            base_url="http://127.0.0.1:8000/",
            drafts=True,
            future=True,
            jobs=args.jobs,
            search_index=False,  # as serve: Pagefind runs after the reload, in a thread (not timed here)
        )
        build(options, executor=pool, memory=memo)
        seconds, rendered = [], []
        try:
            for n in range(1, args.saves + 1):
                text = path.read_text(encoding="utf-8").rstrip("\n")
                path.write_text(f"{text}\n\nCập nhật lần {n}.\n", encoding="utf-8")
                memo.changed = {args.story}
                started = time.perf_counter()
                result = build(options, executor=pool, memory=memo)
                seconds.append(time.perf_counter() - started)
                rendered.append(len(result.rendered))
        finally:
            path.write_bytes(original)
    print(
        json.dumps(
            {
                "median_ms": statistics.median(seconds) * 1000,
                "min_ms": min(seconds) * 1000,
                "max_ms": max(seconds) * 1000,
                "rendered": statistics.median(rendered),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
