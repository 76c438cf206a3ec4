"""The command line: sub-commands, exit codes (0 done, 1 content errors or an unexpected failure,
2 usage or an unusable output folder, 130 Ctrl-C), messages — never a traceback but with ``--debug``."""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path

from .errors import BuildError, ContentErrors, Failure, UsageError
from .output import Interrupted
from .pipeline import Options, Result, build, build_moment, check
from .scaffold import StoryExists, new_story
from .urls import base_url_problem

REPO_SITE = Path(__file__).resolve().parent.parent
COMMANDS = ("build", "check", "serve", "new")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="build.py", description="Build a bilingual news digest.")
    commands = parser.add_subparsers(dest="command")

    def site_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--site", type=Path, default=REPO_SITE, help="the site folder (default: this repository)")
        sub.add_argument("--quiet", "-q", action="store_true", help="print only errors")
        sub.add_argument("--debug", action="store_true", help="show the full trace of an unexpected error")

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
    sub.add_argument("--debug", action="store_true", help="show the full trace of an unexpected error")
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
    """One self-overwriting status line on a terminal, shown once a build has run for a second; and,
    terminal or not, one line when the build waits for another build of the same output folder."""

    def __init__(self, out: Path, tty: bool) -> None:
        self.started = time.monotonic()
        self.shown = False
        self.out, self.tty = out, tty

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "wait":  # ``done`` is the other build's process id (0: not known)
            self.clear()
            holder = f" (process {done})" if done else ""
            print(f"build.py: waiting for another build into {self.out}{holder} to finish…", file=sys.stderr)
            return
        if not self.tty or time.monotonic() - self.started < 1.0:
            return
        self.shown = True
        sys.stderr.write(f"\r\x1b[K{stage}: {done}/{total}" if total else f"\r\x1b[K{stage}…")
        sys.stderr.flush()

    def clear(self) -> None:
        if self.shown:
            sys.stderr.write("\r\x1b[K")
            sys.stderr.flush()


def main(argv: list[str] | None = None) -> int:
    """Run one command; whatever happens, its outcome is a few lines and an exit status, never a
    traceback (``--debug`` prints the trace of an unexpected error)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help"):
        args_list.insert(0, "build")
    debug = "--debug" in args_list  # known before parsing: a failure anywhere may show its trace
    on_main = threading.current_thread() is threading.main_thread()
    kept = signal.signal(signal.SIGTERM, _terminated) if on_main else None
    try:
        return _run(args_list)
    except KeyboardInterrupt as exc:
        return _stopped(exc, None)
    except BrokenPipeError:  # ``build.py check | head``: the reader went away; nothing more to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that the interpreter's final flush is quiet
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        _unexpected(exc, debug)
        return 1
    finally:
        if on_main:
            signal.signal(signal.SIGTERM, kept if kept is not None else signal.SIG_DFL)


def _terminated(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def _stopped(exc: KeyboardInterrupt, out: Path | None) -> int:
    """Ctrl-C (or SIGTERM): say what the output holds; exit 128 + the signal (130 for Ctrl-C)."""
    signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
    name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    if out is None:
        text = ""
    elif isinstance(exc, Interrupted) and exc.committed:
        text = f"; {out} holds one whole build (a commit under way was finished first)"
    else:
        text = f"; {out} left as it was"
    print(f"{chr(10) if sys.stderr.isatty() else ''}build.py: stopped by {name}{text}", file=sys.stderr)
    return 128 + signum


def _where(exc: BaseException) -> str:
    """The innermost place in newsdigest's own code that an exception passed through: the stage."""
    package = Path(__file__).resolve().parent
    place = "build.py"
    for frame in traceback.extract_tb(exc.__traceback__):
        path = Path(frame.filename)
        if path.parent == package:
            place = f"newsdigest/{path.name}:{frame.lineno} ({frame.name})"
    return place


def _unexpected(exc: Exception, debug: bool) -> None:
    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, Failure):
        where, text = exc.where, exc.detail
    elif isinstance(exc, OSError) and exc.filename:
        where, text = str(exc.filename), f"{exc.strerror or exc} (in {_where(exc)})"
    else:
        where, text = _where(exc), f"unexpected {type(exc).__name__}: {exc}"
    line = " ".join(f"build.py: error: {where}: {text}".split())
    if len(line) > 400:
        line = line[:399] + "…"
    print(line + ("" if debug else " (--debug shows the trace)"), file=sys.stderr)


def _run(args_list: list[str]) -> int:
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
    problem = base_url_problem(args.base_url) if args.base_url is not None else None
    if problem:
        print(f"build.py: error: --base-url {problem}", file=sys.stderr)
        return 2
    progress = None if args.quiet else _TerminalProgress(options.out, sys.stderr.isatty())
    try:
        result = check(options) if args.command == "check" else build(options, progress=progress)
    except KeyboardInterrupt as exc:
        return _stopped(exc, None if args.command == "check" else options.out)
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
