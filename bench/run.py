#!/usr/bin/env python3
"""Time whole ``python build.py build`` processes on generated corpora and print a Markdown table.

    python bench/run.py [--stories 1000 5000] [--jobs N] [--repeat K] [--keep DIR]
                        [--hugo BIN --hugo-source PEER_SITE [--hugo-config FILE] [--pagefind BIN]]

For each size: write a corpus (bench/make_corpus.py) into a temporary folder (or ``DIR/<N>-stories``
with ``--keep``), then time, each as its own process with ``--quiet``:

  cold   no cache, no output folder;
  warm   the same again, nothing changed;
  edit   one sentence appended to one story's body;
  title  that story's title changed;
  theme  one character changed in a site override of ``base.html`` (every page renders again,
         nothing is parsed again);
  save   the same body edit as the live preview builds it (bench/preview_save.py: one process
         keeps its memo between builds and is told which file changed), median of 10 saves.

Each step runs ``--repeat`` times (default 1) and the median is shown. Peak memory comes from
``/usr/bin/time -f %M`` when it works, else from bench/maxrss.py. The pages rendered on an edit come
from one more, untimed, build of the same kind without ``--quiet`` (its summary line). CPU time is
user + system of the build and every process it waited for.

With ``--hugo``, Hugo builds the same corpus with the peer site's config, cold runs and ours in turn
(the order swapped each round), and Hugo's full rebuild in turn with our theme edit; with Pagefind
(by default when pagefind[bin] is installed) run over Hugo's output after each Hugo build, as a Hugo
site with search does. It prints both sides' medians and the median of the paired ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import make_corpus

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
MARKER = ".newsdigest-bench"  # marks a --keep folder this script made and may empty again
GNU_TIME = "/usr/bin/time"


class BenchError(RuntimeError):
    """A build failed or the benchmark cannot run; the message says what and why."""


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_kib: int | None
    stdout: str
    cpu: float = 0.0  # user + system seconds of the command and every child it waited for

    def __add__(self, other: Run) -> Run:
        """Two commands run one after the other, as one step (Hugo, then Pagefind over its output)."""
        peaks = [p for p in (self.peak_kib, other.peak_kib) if p is not None]
        return Run(self.seconds + other.seconds, max(peaks) if peaks else None, self.stdout + other.stdout, self.cpu + other.cpu)


class Meter:
    """Runs a command, timing its wall clock and reading its peak memory."""

    def __init__(self, tool: str) -> None:
        if tool == "auto":
            tool = "time" if gnu_time_works() else "wrapper"
        elif tool == "time" and not gnu_time_works():
            raise BenchError(f"{GNU_TIME} -f %M does not work here; use --memory wrapper")
        self.tool = tool

    def describe(self) -> str:
        return f"{GNU_TIME} -f %M" if self.tool == "time" else "bench/maxrss.py (RUSAGE_CHILDREN)"

    def run(self, command: list[str], env: dict[str, str] | None = None) -> Run:
        with tempfile.TemporaryDirectory(prefix="newsdigest-rss-") as scratch:
            rss_file = Path(scratch) / "maxrss"
            if self.tool == "time":
                full = [GNU_TIME, "-f", "%M", "-o", str(rss_file), *command]
            else:
                full = [sys.executable, str(BENCH / "maxrss.py"), str(rss_file), *command]
            before = children_cpu()
            started = time.perf_counter()
            done = subprocess.run(
                full, cwd=PROJECT, capture_output=True, text=True, check=False, env={**os.environ, **env} if env else None
            )
            seconds = time.perf_counter() - started
            cpu = children_cpu() - before
            if done.returncode != 0:
                tail = "\n".join(done.stderr.strip().splitlines()[-30:])
                raise BenchError(f"exit {done.returncode}: {' '.join(command)}\n{tail}")
            return Run(seconds, read_kib(rss_file), done.stdout, cpu)


def children_cpu() -> float:
    """User + system seconds of every child this process has waited for so far (pool workers and
    Pagefind included: each is waited for by its parent, so its time is counted up the chain)."""
    try:
        import resource
    except ImportError:  # Windows
        return 0.0
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def gnu_time_works() -> bool:
    """Whether ``/usr/bin/time -f %M -o FILE`` runs and writes a number (BusyBox and BSD may not)."""
    if not Path(GNU_TIME).is_file():
        return False
    with tempfile.TemporaryDirectory(prefix="newsdigest-rss-") as scratch:
        probe = Path(scratch) / "probe"
        try:
            subprocess.run(
                [GNU_TIME, "-f", "%M", "-o", str(probe), sys.executable, "-c", "pass"],
                capture_output=True,
                check=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError):
            return False
        return read_kib(probe) is not None


def read_kib(path: Path) -> int | None:
    """The number on the last non-empty line of ``path`` (GNU time may write a status line first)."""
    try:
        lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError:
        return None
    return int(lines[-1]) if lines and lines[-1].isdigit() else None


@dataclass(frozen=True)
class Builder:
    """Builds one corpus with ``build.py``, as a separate process each time."""

    meter: Meter
    site: Path
    out: Path
    jobs: int | None

    def command(self, quiet: bool = True) -> list[str]:
        command = [sys.executable, str(PROJECT / "build.py"), "build", "--site", str(self.site), "--output", str(self.out)]
        if self.jobs is not None:
            command += ["--jobs", str(self.jobs)]
        return command + (["--quiet"] if quiet else [])

    def cold(self) -> Run:
        shutil.rmtree(self.site / ".newsdigest-cache", ignore_errors=True)
        shutil.rmtree(self.out, ignore_errors=True)
        return self.meter.run(self.command())

    def timed(self) -> Run:
        return self.meter.run(self.command())

    def rendered(self) -> int:
        """Build once more, untimed and not quiet, and return how many pages it rendered."""
        summary = self.meter.run(self.command(quiet=False)).stdout
        found = re.search(r"rendered (\d+)", summary)
        if not found:
            raise BenchError(f"no 'rendered N' in the build's summary: {summary.strip()!r}")
        return int(found.group(1))


class Story:
    """The story the edit steps change; ``restore`` puts its original bytes back."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.original = path.read_bytes()

    def append_sentence(self, n: int) -> None:
        text = self.path.read_text(encoding="utf-8").rstrip("\n")
        self.path.write_text(
            f"{text}\n\nCập nhật lần {n}: UBND thành phố tiếp tục theo dõi, đôn đốc việc thực hiện.\n", encoding="utf-8"
        )

    def retitle(self, n: int) -> None:
        text = self.original.decode("utf-8")
        found = re.search(r"^title: (.*)$", text, re.MULTILINE)
        if not found:
            raise BenchError(f"{self.path}: no title line")
        raw = found.group(1).strip()
        title = json.loads(raw) if raw.startswith('"') else raw
        line = f"title: {json.dumps(f'{title} (cập nhật {n})', ensure_ascii=False)}"
        self.path.write_text(text[: found.start()] + line + text[found.end() :], encoding="utf-8")

    def restore(self) -> None:
        self.path.write_bytes(self.original)


def pick_story(site: Path) -> Story:
    """A published, translated story from the middle of the sorted file list (the same one every run)."""
    candidates = [
        path
        for path in sorted((site / "content").glob("*/*.vi.md"))
        if path.with_name(path.name[:-6] + ".en.md").exists() and "\ndraft: true" not in path.read_text("utf-8")
    ]
    if not candidates:
        raise BenchError(f"{site}: no translated, published story to edit")
    return Story(candidates[len(candidates) // 2])


@dataclass(frozen=True)
class Hugo:
    """Hugo building the same corpus with a peer site's config, then (with ``pagefind``) Pagefind over
    its output, as a Hugo site with search does. Only given with ``--hugo``."""

    meter: Meter
    binary: Path
    source: Path  # the peer site: its config, archetypes and layouts
    config: str
    content: Path
    out: Path
    pagefind: Path | None
    static: Path  # the corpus's static/ (its photos with --photos), copied by Hugo as it is

    def env(self) -> dict[str, str]:
        return {"HUGO_STATICDIR": str(self.static)}  # Hugo has no flag for it; its config keys read HUGO_*

    def command(self) -> list[str]:
        return [
            str(self.binary),
            "--quiet",
            "--source",
            str(self.source),
            "--config",
            self.config,
            "--contentDir",
            str(self.content),
            "--destination",
            str(self.out),
        ]

    def cold(self) -> Run:
        """A fresh destination, Hugo's own file cache ignored."""
        shutil.rmtree(self.out, ignore_errors=True)
        return self._indexed(self.meter.run([*self.command(), "--ignoreCache"], self.env()))

    def rebuild(self) -> Run:
        """Hugo again over its last output: after a template change it renders every page anyway."""
        return self._indexed(self.meter.run(self.command(), self.env()))

    def _indexed(self, run: Run) -> Run:
        if self.pagefind is None:
            return run
        return run + self.meter.run([str(self.pagefind), "--site", str(self.out), "--silent"])


class ThemeOverride:
    """A site override of ``base.html``, byte for byte the theme's, so the output is unchanged; each
    ``edit`` changes one more character of it: every page renders again, no story is parsed again."""

    def __init__(self, site: Path) -> None:
        self.path = site / "layouts" / "base.html"
        self.original = (PROJECT / "layouts" / "base.html").read_text(encoding="utf-8")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.path.write_text(self.original, encoding="utf-8")

    def edit(self, n: int) -> None:
        self.path.write_text(self.original + " " * n, encoding="utf-8")

    def restore(self) -> None:
        self.path.write_text(self.original, encoding="utf-8")


@dataclass(frozen=True)
class Side:
    """One step's runs for Hugo beside ours, paired run by run."""

    ours: list[Run]
    theirs: list[Run]

    def ratio(self, of: Callable[[Run], float]) -> float:
        """The median over pairs of ours / Hugo's."""
        return statistics.median(of(a) / of(b) for a, b in zip(self.ours, self.theirs, strict=True) if of(b) > 0)


@dataclass(frozen=True)
class SizeResult:
    stories: int
    files: int
    cold: list[Run]
    warm: float
    edit: float
    title: float
    theme: list[Run]
    peak_mib: float | None
    rendered_edit: int
    rendered_title: int
    rendered_theme: int
    preview_save_ms: float
    hugo_cold: list[Run]
    hugo_rebuild: list[Run]


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def timed_steps(label: str, repeat: int, step: Callable[[int], Run]) -> list[Run]:
    """Run ``step(1..repeat)`` and log each time."""
    return [logged(label, n, repeat, step(n)) for n in range(1, repeat + 1)]


def logged(label: str, n: int, repeat: int, run: Run) -> Run:
    memory = f", {run.peak_kib / 1024:.0f} MiB" if run.peak_kib else ""
    log(f"  {label} {n}/{repeat}: {run.seconds:.2f} s wall, {run.cpu:.2f} s CPU{memory}")
    return run


def paired_steps(
    label: str, repeat: int, ours: Callable[[int], Run], theirs: Callable[[int], Run] | None
) -> tuple[list[Run], list[Run]]:
    """Our step and Hugo's in turn, the order swapped every round so neither always runs on a
    machine the other has just warmed (or heated)."""
    mine: list[Run] = []
    hugo: list[Run] = []
    for n in range(1, repeat + 1):
        steps = [("ours", ours, mine), ("hugo", theirs, hugo)]
        for name, step, runs in steps if n % 2 else reversed(steps):
            if step is not None:
                runs.append(logged(f"{label} ({name})", n, repeat, step(n)))
    return mine, hugo


def median_seconds(runs: list[Run]) -> float:
    return statistics.median(run.seconds for run in runs)


def median_cpu(runs: list[Run]) -> float:
    return statistics.median(run.cpu for run in runs)


def edit_steps(builder: Builder, story: Story, repeat: int) -> tuple[list[Run], list[Run], int, int]:
    """The body and title edits: timed runs, then one untimed counting run of each kind."""

    def edited(change: Callable[[int], None]) -> Callable[[int], Run]:
        def step(n: int) -> Run:
            change(n)
            return builder.timed()

        return step

    try:
        body = timed_steps("one-story edit", repeat, edited(story.append_sentence))
        story.append_sentence(repeat + 1)
        rendered_edit = builder.rendered()
        title = timed_steps("title edit", repeat, edited(story.retitle))
        story.retitle(repeat + 1)
        rendered_title = builder.rendered()
    finally:
        story.restore()
    return body, title, rendered_edit, rendered_title


def theme_steps(builder: Builder, theme: ThemeOverride, hugo: Hugo | None, repeat: int) -> tuple[list[Run], list[Run], int]:
    """A one-character change to the site's ``base.html`` against Hugo's full rebuild, paired."""

    def edited(n: int) -> Run:
        theme.edit(n)
        return builder.timed()

    try:
        ours, theirs = paired_steps("theme edit", repeat, edited, (lambda _: hugo.rebuild()) if hugo else None)
        theme.edit(repeat + 1)
        rendered = builder.rendered()
    finally:
        theme.restore()
    builder.timed()  # back to the corpus's own output, for the steps after
    return ours, theirs, rendered


def bench_size(stories: int, workdir: Path, args: argparse.Namespace, meter: Meter) -> SizeResult:
    site, out = workdir / "site", workdir / "public"
    started = time.perf_counter()
    files = make_corpus.write_corpus(site, stories, args.seed)
    log(f"[{stories} stories] corpus: {files} files in {site} ({time.perf_counter() - started:.1f} s)")
    if args.photos:
        started = time.perf_counter()
        placed = place_photos(site, args.photos, workdir / "photos")
        log(f"  photos: {args.photos} camera JPEGs behind {placed} picture paths ({time.perf_counter() - started:.1f} s)")
    theme = ThemeOverride(site)
    builder = Builder(meter, site, out, args.jobs)
    hugo = None
    if args.hugo:
        hugo = Hugo(
            meter,
            args.hugo,
            args.hugo_source,
            args.hugo_config,
            site / "content",
            workdir / "hugo-public",
            args.pagefind,
            site / "static",
        )
    cold, hugo_cold = paired_steps("cold", args.repeat, lambda _: builder.cold(), (lambda _: hugo.cold()) if hugo else None)
    warm = timed_steps("warm", args.repeat, lambda _: builder.timed())
    body, title, rendered_edit, rendered_title = edit_steps(builder, pick_story(site), args.repeat)
    theme_runs, hugo_rebuild, rendered_theme = theme_steps(builder, theme, hugo, args.repeat)
    save_ms = preview_save(site, pick_story(site), args.jobs)
    log(f"  preview save: median {save_ms:.0f} ms")
    peaks = [run.peak_kib for run in cold if run.peak_kib is not None]
    return SizeResult(
        stories,
        files,
        cold,
        median_seconds(warm),
        median_seconds(body),
        median_seconds(title),
        theme_runs,
        max(peaks) / 1024 if peaks else None,
        rendered_edit,
        rendered_title,
        rendered_theme,
        save_ms,
        hugo_cold,
        hugo_rebuild,
    )


PICTURE = re.compile(r"(?:src: \"|\]\()(/images/[^\")]+\.jpg)")  # front matter image.src, body ![..](..)


def place_photos(site: Path, count: int, drawn: Path) -> int:
    """Draw ``count`` distinct 4000x3000 camera JPEGs (bench/make_photos.py) and put one, in turn, at
    every picture path the corpus names, under its static/: the build makes each one's copies once
    (they are named by the picture's bytes), as a newsroom re-using its photo desk's files would."""
    import make_photos  # Pillow: only with --photos

    make_photos.bench_photos(drawn, count)
    photos = sorted(drawn.glob("*.jpg"))
    paths = sorted({m.group(1) for f in (site / "content").rglob("*.md") for m in PICTURE.finditer(f.read_text("utf-8"))})
    for i, path in enumerate(paths):
        target = site / "static" / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        os.link(photos[i % len(photos)], target)
    return len(paths)


def preview_save(site: Path, story: Story, jobs: int | None, saves: int = 10) -> float:
    """The median time of ``saves`` body edits built the way ``build.py serve`` builds them, in ms."""
    rel = story.path.relative_to(site / "content").as_posix()
    command = [
        sys.executable,
        str(BENCH / "preview_save.py"),
        str(site),
        rel,
        "--saves",
        str(saves),
        "--jobs",
        str(jobs or os.cpu_count() or 1),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise BenchError(f"preview_save.py failed:\n{done.stderr.strip()}")
    return float(json.loads(done.stdout)["median_ms"])


@contextmanager
def work_folder(stories: int, keep: Path | None) -> Iterator[Path]:
    """A fresh folder for one size: temporary, or ``keep/<N>-stories`` left in place afterwards."""
    if keep is None:
        with tempfile.TemporaryDirectory(prefix=f"newsdigest-bench-{stories}-") as scratch:
            yield Path(scratch)
        return
    folder = keep / f"{stories}-stories"
    if folder.exists():
        if not (folder / MARKER).exists():
            raise BenchError(f"{folder} exists and was not made by bench/run.py; remove it or pick another --keep")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    (folder / MARKER).write_text("made by bench/run.py; emptied again by the next run with the same --keep\n")
    yield folder


def table(results: list[SizeResult]) -> str:
    head = [
        "stories",
        "files",
        "cold s",
        "cold CPU s",
        "warm s",
        "one-story edit s",
        "title edit s",
        "theme edit s",
        "preview save ms",
        "peak MiB (cold)",
        "pages rendered on edit",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + " ---: |" * (len(head) - 1) + " --- |"]
    for r in results:
        peak = f"{r.peak_mib:,.0f}" if r.peak_mib is not None else "n/a"
        cells = [
            f"{r.stories:,}",
            f"{r.files:,}",
            f"{median_seconds(r.cold):.2f}",
            f"{median_cpu(r.cold):.2f}",
            f"{r.warm:.2f}",
            f"{r.edit:.2f}",
            f"{r.title:.2f}",
            f"{median_seconds(r.theme):.2f}",
            f"{r.preview_save_ms:.0f}",
            peak,
            f"{r.rendered_edit:,} body / {r.rendered_title:,} title / {r.rendered_theme:,} theme",
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def hugo_table(results: list[SizeResult]) -> str:
    """Ours beside Hugo, step by step: medians of each side and the median of the paired ratios."""
    head = [
        "stories",
        "step",
        "newsdigest wall s",
        "Hugo wall s",
        "wall ratio",
        "newsdigest CPU s",
        "Hugo CPU s",
        "CPU ratio",
        "peak MiB newsdigest / Hugo",
    ]
    lines = ["| " + " | ".join(head) + " |", "|" + " ---: |" * len(head)]
    for r in results:
        for step, side in (("cold", Side(r.cold, r.hugo_cold)), ("theme edit / full rebuild", Side(r.theme, r.hugo_rebuild))):
            peaks = [max((run.peak_kib or 0) for run in runs) / 1024 for runs in (side.ours, side.theirs)]
            cells = [
                f"{r.stories:,}",
                step,
                f"{median_seconds(side.ours):.2f}",
                f"{median_seconds(side.theirs):.2f}",
                f"{side.ratio(lambda run: run.seconds):.2f}×",
                f"{median_cpu(side.ours):.2f}",
                f"{median_cpu(side.theirs):.2f}",
                f"{side.ratio(lambda run: run.cpu):.2f}×",
                f"{peaks[0]:,.0f} / {peaks[1]:,.0f}",
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def growth(results: list[SizeResult]) -> list[str]:
    """For each pair of consecutive sizes: how cold time (and memory) grew against the story count."""
    lines = []
    ordered = sorted(results, key=lambda r: r.stories)
    for small, big in zip(ordered, ordered[1:], strict=False):
        scale = big.stories / small.stories
        grown = median_seconds(big.cold) / median_seconds(small.cold)
        ratio = grown / scale
        verdict = "about linear" if 0.8 <= ratio <= 1.25 else ("superlinear" if ratio > 1.25 else "sublinear")
        line = (
            f"- {small.stories:,} → {big.stories:,} stories (×{scale:.1f}): cold time ×{grown:.2f},"
            f" ratio {ratio:.2f} ({verdict}; 1.00 is linear)"
        )
        if small.peak_mib and big.peak_mib:
            line += f"; peak memory ×{big.peak_mib / small.peak_mib:.2f}"
        lines.append(line)
    return lines


def environment(args: argparse.Namespace, meter: Meter) -> str:
    jobs = args.jobs if args.jobs is not None else f"default ({os.cpu_count()})"
    return (
        f"Python {platform.python_version()} on {platform.system()} {platform.machine()}, {os.cpu_count()} cores;"
        f" --jobs {jobs}; median of {args.repeat} run(s) per step; peak memory via {meter.describe()}"
    )


def hugo_version(binary: Path) -> str:
    done = subprocess.run([str(binary), "version"], capture_output=True, text=True, check=False)
    words = done.stdout.split()  # "hugo v0.168.0-<commit>+extended linux/amd64 BuildDate=…"
    return f"Hugo {words[1].split('-')[0]}" if len(words) > 1 else "Hugo"


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Time newsdigest builds on generated corpora.")
    parser.add_argument("--stories", type=positive, nargs="+", default=[1000, 5000], help="corpus sizes (default: 1000 5000)")
    parser.add_argument("--jobs", "-j", type=positive, help="passed to build.py (default: build.py's own, the core count)")
    parser.add_argument("--repeat", type=positive, default=1, help="runs per step; the median is shown (default 1)")
    parser.add_argument("--keep", type=Path, help="write corpora and output under DIR/<N>-stories and keep them")
    parser.add_argument("--seed", default="1", help="corpus seed (default 1)")
    parser.add_argument(
        "--memory",
        choices=["auto", "time", "wrapper"],
        default="auto",
        help="how to read peak memory: /usr/bin/time, bench/maxrss.py, or the first that works",
    )
    parser.add_argument("--hugo", type=Path, help="a Hugo binary: build each corpus with it too, in turn with ours")
    parser.add_argument("--hugo-source", type=Path, help="the peer Hugo site (config and layouts) to build the corpus with")
    parser.add_argument("--hugo-config", default="hugo-feeds.toml", help="its config file (default hugo-feeds.toml)")
    parser.add_argument(
        "--pagefind",
        type=Path,
        help="a Pagefind binary run over Hugo's output after each Hugo build"
        " (default: the one pagefind[bin] installed, when our build indexes too)",
    )
    parser.add_argument(
        "--photos",
        type=int,
        default=0,
        metavar="K",
        help="draw K distinct camera-sized JPEGs and put them at every picture path the corpus names",
    )
    args = parser.parse_args(argv)
    if args.hugo and not args.hugo_source:
        parser.error("--hugo needs --hugo-source (the peer site folder holding the Hugo config)")
    if args.hugo and args.pagefind is None:
        args.pagefind = installed_pagefind()
    return args


def installed_pagefind() -> Path | None:
    """The binary inside the ``pagefind_bin`` wheel, if it is installed."""
    try:
        import pagefind_bin
    except ImportError:
        return None
    return Path(pagefind_bin.get_executable())


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        meter = Meter(args.memory)
        results = []
        for stories in args.stories:
            with work_folder(stories, args.keep) as workdir:
                results.append(bench_size(stories, workdir, args, meter))
    except BenchError as exc:
        log(f"run.py: error: {exc}")
        return 1
    print(environment(args, meter), end="\n\n")
    print(table(results))
    if args.hugo:
        print(
            f"\nSide by side with {hugo_version(args.hugo)} ({args.hugo_config}"
            f"{', then Pagefind over its output' if args.pagefind else ''}), paired runs in turn:\n"
        )
        print(hugo_table(results))
    if len(results) > 1:
        print("\nGrowth:\n" + "\n".join(growth(results)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
