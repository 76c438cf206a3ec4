"""The command line: sub-commands, exit codes (0 done, 1 content errors, 2 usage), messages."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from .errors import BuildError, ContentErrors, UsageError
from .pipeline import Options, Result, build, build_moment, check
from .scaffold import StoryExists, new_story

REPO_SITE = Path(__file__).resolve().parent.parent
COMMANDS = ("build", "check", "serve", "new")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build a bilingual news digest.")
    commands = parser.add_subparsers(dest="command")

    def site_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--site", type=Path, default=REPO_SITE, help="the site folder (default: this repository)")
        sub.add_argument("--quiet", "-q", action="store_true", help="print only errors")

    for name, text in (("build", "build the site (the default)"), ("check", "read and validate; write nothing")):
        sub = commands.add_parser(name, help=text)
        site_options(sub)
        sub.add_argument("--base-url", help="override site.yaml's base_url")
        sub.add_argument("--drafts", action="store_true", help="include drafts")
        sub.add_argument("--future", action="store_true", help="include stories dated after the build's moment")
        if name == "build":
            sub.add_argument("--output", type=Path, help="output folder (default: SITE/output)")
            sub.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                             help="render processes (default: the number of cores)")
    sub = commands.add_parser("serve", help="build, serve on localhost, rebuild and reload on every save")
    site_options(sub)
    sub.add_argument("--port", "-p", type=int, help="port (default: 8000, else the next free one)")
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    sub.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1,
                     help="render processes for big sites (default: the number of cores)")
    sub = commands.add_parser("new", help="write a new story (a draft) with its front matter filled in")
    sub.add_argument("--site", type=Path, default=REPO_SITE, help="the site folder (default: this repository)")
    sub.add_argument("--section", required=True, help="the section folder under content/")
    sub.add_argument("--lang", required=True, help="the story's language, one of the site's")
    sub.add_argument("title", help="the headline; the file name and slug are made from it")
    return parser


def _print_problems(problems: list[BuildError], label: str = "") -> None:
    for problem in problems:
        print(problem.shown(label), file=sys.stderr)


def _summary(result: Result, verb: str) -> str:
    counts = ", ".join(f"{lang} {n}" for lang, n in result.stories.items())
    total = sum(result.stories.values())
    text = f"{verb} {total} stories ({counts}), {result.pages} pages, {result.feeds} feeds in {result.seconds:.2f} s"
    if result.write is not None:
        text += (f"; rendered {len(result.rendered)}, reused {len(result.reused)};"
                 f" {len(result.write.written)} files written, {len(result.write.unchanged)} unchanged,"
                 f" {len(result.write.removed)} removed")
    return text


class _TerminalProgress:
    """One self-overwriting status line on a terminal, shown once a build has run for a second."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        if time.monotonic() - self.started < 1.0:
            return
        self.shown = True
        sys.stderr.write(f"\r\x1b[K{stage}: {done}/{total}" if total else f"\r\x1b[K{stage}…")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help"):
        args_list.insert(0, "build")
    args = _parser().parse_args(args_list)
    if args.command == "serve":
        return _serve(args)
    if args.command == "new":
        return _new(args)
    if getattr(args, "jobs", 1) is not None and getattr(args, "jobs", 1) < 1:
        print("build.py: error: --jobs must be 1 or more", file=sys.stderr)
        return 2
    options = Options(
        site_dir=args.site, output_dir=getattr(args, "output", None), base_url=args.base_url,
        drafts=args.drafts, future=args.future, jobs=getattr(args, "jobs", 1),
    )
    if args.base_url and not args.base_url.startswith(("http://", "https://")):
        print("build.py: error: --base-url must be an absolute http(s) URL", file=sys.stderr)
        return 2
    progress = _TerminalProgress() if not args.quiet and sys.stderr.isatty() else None
    try:
        result = check(options) if args.command == "check" else build(options, progress=progress)
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    except ContentErrors as exc:
        _print_problems(exc.errors)
        kept = "" if args.command == "check" else f"; {options.out} left as it was"
        print(f"{len(exc.errors)} error(s){kept}", file=sys.stderr)
        return 1
    finally:
        if progress:
            progress.clear()
    _print_problems(result.warnings, "warning: ")
    if not args.quiet:
        print(_summary(result, "Checked" if args.command == "check" else "Built"))
    return 0


def _serve(args: argparse.Namespace) -> int:
    if args.port is not None and not 0 <= args.port <= 65535:
        print("build.py: error: --port must be between 0 and 65535", file=sys.stderr)
        return 2
    if args.jobs < 1:
        print("build.py: error: --jobs must be 1 or more", file=sys.stderr)
        return 2
    from .serve import serve  # only here: the other commands need no HTTP server nor watchdog

    return serve(args.site, host=args.host, port=args.port, jobs=args.jobs, quiet=args.quiet)


def _new(args: argparse.Namespace) -> int:
    try:
        path = new_story(args.site, args.section, args.lang, args.title, build_moment())
    except UsageError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 2
    except ContentErrors as exc:
        _print_problems(exc.errors)
        return 1
    except StoryExists as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 1
    try:
        print(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        print(path)
    return 0
