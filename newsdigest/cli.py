"""The command line: sub-commands, exit codes (0 done, 1 content errors or an unexpected failure,
2 usage or an unusable output folder, 130 Ctrl-C), messages — never a traceback but with ``--debug``."""

from __future__ import annotations

import argparse
import difflib
import os
import signal
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from . import __version__
from .errors import BuildError, ContentErrors, Failure, UsageError
from .output import Interrupted
from .pipeline import Options, Result, build, build_moment, check
from .scaffold import StoryExists, new_story, translate_story
from .starter import init_site
from .urls import base_url_problem
from .wording import left_out_line, plural

REPO_SITE = Path(__file__).resolve().parent.parent  # this checkout, whose own site is the sample digest
COMMANDS = ("build", "check", "serve", "new", "init", "translations")
SITE_HELP = "the site folder (default: the current folder if it has content/, else the sample digest)"


def version() -> str:
    """The installed package's version; this checkout's ``__version__`` when it is not installed."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed

    try:
        return installed("newsdigest")
    except PackageNotFoundError:
        return __version__


def default_site() -> Path:
    """The site a command works on without ``--site``: the current folder when it holds ``content/``
    (a newsroom's own repository), else this checkout's sample digest; else the current folder
    again, so that the error names it."""
    here = Path.cwd()
    if (here / "content").is_dir() or not (REPO_SITE / "content").is_dir():
        return here
    return REPO_SITE


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Build a bilingual news digest.")
    parser.add_argument("--version", action="store_true", help="print the version and stop")
    commands = parser.add_subparsers(dest="command")

    def site_options(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--site", type=Path, help=SITE_HELP)
        sub.add_argument("--quiet", "-q", action="store_true", help="print only errors")
        sub.add_argument("--debug", action="store_true", help="show the full trace of an unexpected error")

    for name, text in (("build", "build the site (the default)"), ("check", "read and validate; write nothing")):
        sub = commands.add_parser(name, help=text)
        site_options(sub)
        sub.add_argument("--base-url", help="override site.yaml's base_url")
        sub.add_argument("--drafts", action="store_true", help="include drafts")
        sub.add_argument("--future", action="store_true", help="include stories dated after the build's moment")
        sub.add_argument("--strict", action="store_true", help="treat every warning as an error (exit 1)")
        if name == "build":
            sub.add_argument("--output", type=Path, help="output folder (default: SITE/output)")
            sub.add_argument(
                "--jobs", "-j", type=int, default=os.cpu_count() or 1, help="render processes (default: the number of cores)"
            )
    sub = commands.add_parser("serve", help="build, serve on localhost, rebuild and reload on every save")
    site_options(sub)
    sub.add_argument("--port", "-p", type=int, help="port (default: 8000, else the next free one)")
    sub.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this machine only)")
    sub.add_argument(
        "--jobs",
        "-j",
        type=int,
        default=os.cpu_count() or 1,
        help="render processes for big sites (default: the number of cores)",
    )
    _desk_commands(commands, site_options)
    return parser


def _desk_commands(commands: Any, site_options: Any) -> None:
    """The newsroom's own sub-commands: ``new``, ``init`` and ``translations``."""
    sub = commands.add_parser("new", help="write a new story (a draft) with its front matter filled in")
    sub.add_argument("--site", type=Path, help=SITE_HELP)
    sub.add_argument("--section", help="the section folder under content/")
    sub.add_argument("--lang", required=True, help="the story's language, one of the site's")
    sub.add_argument(
        "--translate",
        type=Path,
        metavar="FILE",
        help="write FILE's translation into --lang instead (a draft holding the text to translate)",
    )
    sub.add_argument("title", nargs="?", help="the headline; the file name and slug are made from it")
    sub.add_argument("--debug", action="store_true", help="show the full trace of an unexpected error")
    sub = commands.add_parser("init", help="make a new site in DIR: settings, a story, .gitignore, a publishing workflow")
    sub.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")
    sub.add_argument("--debug", action="store_true", help="show the full trace of an unexpected error")
    sub = commands.add_parser("translations", help="the translation desk: what is stale or missing in each language")
    site_options(sub)
    sub.add_argument("--json", action="store_true", help="print the report as one JSON object")
    sub.add_argument(
        "--mark",
        type=Path,
        metavar="FILE",
        help="set FILE's translated_from to its original's current revision (after updating it)",
    )
    sub.add_argument("--drafts", action="store_true", help="include drafts")
    sub.add_argument("--future", action="store_true", help="include stories dated after the build's moment")


def _print_problems(problems: list[BuildError], label: str = "") -> None:
    for problem in problems:
        print(problem.shown(label), file=sys.stderr)


def _summary(result: Result, verb: str) -> str:
    counts = ", ".join(f"{lang} {n}" for lang, n in result.stories.items())
    total = sum(result.stories.values())
    text = (
        f"{verb} {plural(total, 'story')} ({counts}), {plural(result.pages, 'page')},"
        f" {plural(result.feeds, 'feed')} in {result.seconds:.2f} s"
    )
    if result.write is not None:
        text += (
            f"; rendered {len(result.rendered)}, reused {len(result.reused)};"
            f" {plural(len(result.write.written), 'file')} written, {len(result.write.unchanged)} unchanged,"
            f" {len(result.write.removed)} removed"
        )
    if result.warnings:
        text += f"; {plural(len(result.warnings), 'warning')}"
    return text


class _TerminalProgress:
    """One self-overwriting status line on a terminal, shown once a build has run for a second; and,
    terminal or not, one line when the build waits for another build of the same output folder."""

    def __init__(self, out: Path, tty: bool, prog: str) -> None:
        self.started = time.monotonic()
        self.shown = False
        self.out, self.tty, self.prog = out, tty, prog

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage == "wait":  # ``done`` is the other build's process id (0: not known)
            self.clear()
            holder = f" (process {done})" if done else ""
            print(f"{self.prog}: waiting for another build into {self.out}{holder} to finish…", file=sys.stderr)
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


def main_entry() -> None:
    """The ``newsdigest`` command (and ``python -m newsdigest``): what ``python build.py`` does."""
    sys.exit(main(prog="newsdigest"))


def main(argv: list[str] | None = None, prog: str = "build.py") -> int:
    """Run one command; whatever happens, its outcome is a few lines and an exit status, never a
    traceback (``--debug`` prints the trace of an unexpected error). No command means ``build``."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0].startswith("-") and args_list[0] not in ("-h", "--help", "--version"):
        args_list.insert(0, "build")
    if args_list[0] == "--version":
        print(f"newsdigest {version()}")
        return 0
    if args_list[0] not in COMMANDS and args_list[0] not in ("-h", "--help"):
        return _unknown_command(args_list[0], prog)
    debug = "--debug" in args_list  # known before parsing: a failure anywhere may show its trace
    on_main = threading.current_thread() is threading.main_thread()
    kept = signal.signal(signal.SIGTERM, _terminated) if on_main else None
    try:
        return _run(args_list, prog)
    except KeyboardInterrupt as exc:
        return _stopped(exc, None, prog)
    except BrokenPipeError:  # ``build.py check | head``: the reader went away; nothing more to say
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - so that the interpreter's final flush is quiet
        return 1
    except Exception as exc:  # noqa: BLE001 - the last line of defence: one line, not a traceback
        _unexpected(exc, debug, prog)
        return 1
    finally:
        if on_main:
            signal.signal(signal.SIGTERM, kept if kept is not None else signal.SIG_DFL)


def _unknown_command(word: str, prog: str) -> int:
    """A first word that is no command (nor an option): the commands, and the closest one (exit 2)."""
    close = difflib.get_close_matches(word, COMMANDS, n=1)
    guess = f" (did you mean '{close[0]}'?)" if close else ""
    return _error(
        prog,
        f"unknown command '{word}'{guess}; the commands: {', '.join(COMMANDS)}"
        f" (none means build; {prog} COMMAND --help shows one's options)",
    )


def _terminated(signum: int, frame: object) -> None:
    raise Interrupted(signum)


def _stopped(exc: KeyboardInterrupt, out: Path | None, prog: str) -> int:
    """Ctrl-C (or SIGTERM): say what the output holds; exit 128 + the signal (130 for Ctrl-C)."""
    signum = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
    name = "Ctrl-C" if signum == signal.SIGINT else signal.Signals(signum).name
    if out is None:
        text = ""
    elif isinstance(exc, Interrupted) and exc.committed:
        text = f"; {out} holds one whole build (a commit under way was finished first)"
    else:
        text = f"; {out} left as it was"
    print(f"{chr(10) if sys.stderr.isatty() else ''}{prog}: stopped by {name}{text}", file=sys.stderr)
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


def _unexpected(exc: Exception, debug: bool, prog: str) -> None:
    if debug:
        traceback.print_exception(exc)
    if isinstance(exc, Failure):
        where, text = exc.where, exc.detail
    elif isinstance(exc, OSError) and exc.filename:
        where, text = str(exc.filename), f"{exc.strerror or exc} (in {_where(exc)})"
    else:
        where, text = _where(exc), f"unexpected {type(exc).__name__}: {exc}"
    line = " ".join(f"{prog}: error: {where}: {text}".split())
    if len(line) > 400:
        line = line[:399] + "…"
    print(line + ("" if debug else " (--debug shows the trace)"), file=sys.stderr)


def _error(prog: str, text: str, status: int = 2) -> int:
    """Say what is wrong in one line on stderr; return the exit status (2: the command line)."""
    print(f"{prog}: error: {text}", file=sys.stderr)
    return status


def _run(args_list: list[str], prog: str) -> int:
    args = _parser(prog).parse_args(args_list)
    args.prog = prog
    if args.command == "init":
        return _init(args)
    if args.site is None:
        args.site = default_site()
    if args.command == "serve":
        return _serve(args)
    if args.command == "new":
        return _new(args)
    if args.command == "translations":
        return _translations(args)
    if getattr(args, "jobs", 1) is not None and getattr(args, "jobs", 1) < 1:
        return _error(prog, "--jobs must be 1 or more")
    options = Options(
        site_dir=args.site,
        output_dir=getattr(args, "output", None),
        base_url=args.base_url,
        drafts=args.drafts,
        future=args.future,
        jobs=getattr(args, "jobs", 1),
        strict=args.strict,
    )
    problem = base_url_problem(args.base_url) if args.base_url is not None else None
    if problem:
        return _error(prog, f"--base-url {problem}")
    progress = None if args.quiet else _TerminalProgress(options.out, sys.stderr.isatty(), prog)
    try:
        result = check(options) if args.command == "check" else build(options, progress=progress)
    except KeyboardInterrupt as exc:
        return _stopped(exc, None if args.command == "check" else options.out, prog)
    except UsageError as exc:
        return _error(prog, str(exc))
    except ContentErrors as exc:
        _print_problems(exc.errors)
        kept = "" if args.command == "check" else f"; {options.out} left as it was"
        print(f"{plural(len(exc.errors), 'error')}{kept}", file=sys.stderr)
        return 1
    finally:
        if progress:
            progress.clear()
    _print_problems(result.warnings)
    if not args.quiet:
        print(_summary(result, "Checked" if args.command == "check" else "Built"))
        if left_out_line(result.left_out):
            print(left_out_line(result.left_out))
    return 0


def _serve(args: argparse.Namespace) -> int:
    if args.port is not None and not 0 <= args.port <= 65535:
        return _error(args.prog, "--port must be between 0 and 65535")
    if args.jobs < 1:
        return _error(args.prog, "--jobs must be 1 or more")
    from .serve import serve  # only here: the other commands need no HTTP server nor watchdog

    return serve(args.site, host=args.host, port=args.port, jobs=args.jobs, quiet=args.quiet)


def _translations(args: argparse.Namespace) -> int:
    from .desk import mark, translations  # the desk's own module: the build needs none of it

    try:
        if args.mark:
            return mark(args.site, args.mark)
        return translations(Options(site_dir=args.site, drafts=args.drafts, future=args.future), args.json)
    except UsageError as exc:
        return _error(args.prog, str(exc))


def _new(args: argparse.Namespace) -> int:
    if (args.translate is None) == (args.title is None) or (args.title is not None) != (args.section is not None):
        return _error(args.prog, "new needs --section S and a title, or --translate FILE")
    try:
        if args.translate is not None:
            path = translate_story(args.site, args.translate, args.lang)
        else:
            path = new_story(args.site, args.section, args.lang, args.title, build_moment())
    except UsageError as exc:
        return _error(args.prog, str(exc))
    except ContentErrors as exc:
        _print_problems(exc.errors)
        return 1
    except StoryExists as exc:
        return _error(args.prog, str(exc), 1)
    print(_relative(path))
    return 0


def _init(args: argparse.Namespace) -> int:
    """Make a new site; say what was written and how to build it."""
    try:
        written = init_site(args.dir, build_moment(), version())
    except UsageError as exc:
        return _error(args.prog, str(exc))
    except FileExistsError as exc:  # appeared while the site was being written: left alone
        return _error(args.prog, f"{exc.filename}: appeared meanwhile; not overwritten; the site is incomplete", 1)
    for path in written:
        print(_relative(path))
    where = _relative(args.dir)
    how = f"cd {where} && newsdigest" if args.prog == "newsdigest" else f"python build.py --site {where}"
    print(f"Made a new site in {where}; build it with: {how} (serve to preview it)")
    return 0


def _relative(path: Path) -> Path:
    """A path as the user would type it: relative to the current folder when it is inside it."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path
