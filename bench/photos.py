"""Time the photo stage: a cold build of the sample digest, and of a site of camera-sized JPEGs.

    python bench/photos.py                       # the sample digest, and 200 stories with a 4000x3000 JPEG each
    python bench/photos.py --photos 50 --jobs 2 --keep /tmp/photo-bench

For each site it times ``python build.py build --quiet`` as a separate process (wall clock, with
interpreter start-up): cold (no cache, no output); again with nothing changed; after one story's
body changed (a full read of the site: every picture's file is looked at, none decoded); and cold
but for the image cache (so the difference to the first is the image work). Markdown on stdout.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

import make_photos  # noqa: E402 - a sibling script, not a package

STORY = """---
title: Ảnh số {n} của bản tin
date: 2024-{month:02d}-{day:02d}T08:00:00+07:00
image:
  src: /images/photo-{n:03d}.jpg
  alt: Ảnh minh họa số {n}
  credit: Bản tin
---
Đoạn mở đầu của bài số {n}, một câu đủ dài để làm tóm tắt cho danh sách.

![Ảnh trong bài](/images/photo-{n:03d}.jpg "Chú thích ảnh số {n}")

Đoạn cuối.
"""


def photo_site(root: Path, count: int, made: Path | None = None) -> None:
    if made:  # pictures made before (make_photos.py --bench DIR): drawing 200 takes minutes
        (root / "static/images").mkdir(parents=True)
        for n in range(count):
            shutil.copy(made / f"photo-{n:03d}.jpg", root / "static/images")
    else:
        make_photos.bench_photos(root / "static/images", count)
    for n in range(count):
        path = root / "content" / ("thoi-su", "kinh-te", "van-hoa", "do-thi")[n % 4] / f"anh-{n:03d}.vi.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(STORY.format(n=n, month=1 + n % 12, day=1 + n % 28), encoding="utf-8")
    (root / "site.yaml").write_text("base_url: https://example.org/\nlanguages: [vi, en]\n", encoding="utf-8")


def sample_site(root: Path) -> None:
    for name in ("content", "static"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "site.yaml", root / "site.yaml")


def build(site: Path, jobs: int | None) -> tuple[float, float]:
    """Wall seconds, and CPU seconds of the build and its workers (the fairer figure on a busy machine)."""
    command = [sys.executable, str(REPO / "build.py"), "build", "--site", str(site), "--quiet"]
    command += ["--jobs", str(jobs)] if jobs else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, cwd=REPO, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def measure(site: Path, jobs: int | None) -> dict[str, tuple[float, float]]:
    cache, out = site / ".newsdigest-cache", site / "output"
    shutil.rmtree(cache, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    times = {"cold": build(site, jobs), "unchanged": build(site, jobs)}
    story = next((site / "content").rglob("*.md"))
    text = story.read_text(encoding="utf-8")
    story.write_text(text + "\nMột câu mới.\n", encoding="utf-8")
    times["one story edited"] = build(site, jobs)
    story.write_text(text, encoding="utf-8")
    shutil.rmtree(out)
    (cache / "cache.sqlite").unlink()
    times["cold, images cached"] = build(site, jobs)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=200)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--pictures", type=Path, default=None, help="take the JPEGs from make_photos.py --bench DIR")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="photo-bench-"))
    rows = []
    for label, make in (
        ("sample digest (12 photos)", sample_site),
        (f"{args.photos} stories, a 4000x3000 JPEG each", lambda r: photo_site(r, args.photos, args.pictures)),
    ):
        root = base / label.split()[0]
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        print(f"writing {label} into {root}", file=sys.stderr)
        make(root)
        size = sum(p.stat().st_size for p in (root / "static/images").glob("*.jpg")) / 1e6
        times = measure(root, args.jobs)
        rows.append((label, size, times))
    print(
        f"jobs: {args.jobs or 'build.py default'}, cores: {os.cpu_count()}, load: {os.getloadavg()[0]:.1f}; "
        "each cell: wall s / CPU s (build and workers)"
    )
    print("| site | photos MB | " + " | ".join(rows[0][2]) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in rows[0][2]) + " |")
    for label, size, times in rows:
        print(f"| {label} | {size:.1f} | " + " | ".join(f"{w:.2f} / {c:.2f}" for w, c in times.values()) + " |")
    if not args.keep:
        shutil.rmtree(base)


if __name__ == "__main__":
    main()
