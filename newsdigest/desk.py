"""The translation desk's faces: ``translations`` printed (text or JSON), ``translations --mark``, and the
preview's ``/_translations/`` page. The rules are translations.py's; the report's data is report.py's.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from . import sitefiles
from .cache import CACHE_DIR, Cache
from .errors import UsageError
from .history import Changes, text_of_file, what_changed
from .memory import Memory
from .options import Options
from .report import Counts, Entry, Report, Work, as_json, as_text, desk_report, make_report, waiting_days
from .translations import digest_of_text, groups, original_of
from .workers import Workers

_TRANSLATED_FROM_LINE = re.compile(r"^translated_from[ \t]*:")


def translations(options: Options, as_json_output: bool = False) -> int:
    """Print the report; 1 (and the errors) when the content cannot be read."""
    readers = Workers(os.cpu_count() or 1)  # a pool only when many files are not in the cache
    try:
        report, errors = desk_report(options, readers.executor)
    finally:
        readers.close()
    if report is None:
        for error in errors:
            print(error.shown(), file=sys.stderr)
        print(f"{len(errors)} error(s)", file=sys.stderr)
        return 1
    if as_json_output:
        print(json.dumps(as_json(report), ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(as_text(report))
    return 0


def _site_file(site_dir: Path, file: Path) -> tuple[Path, str]:
    """FILE (relative to the current folder) and its path under ``content/``; UsageError if outside."""
    path = file.resolve()
    content = (site_dir / "content").resolve()
    if not path.is_file():
        raise UsageError(f"{file}: no such file")
    try:
        return path, path.relative_to(content).as_posix()
    except ValueError:
        raise UsageError(f"{file}: not a story of the site {site_dir} (it is not under its content/)") from None


def mark(site_dir: Path, file: Path) -> int:
    """Set the translation's ``translated_from`` to its original's current revision: the one line
    of the file the tool ever changes (added before the closing ``---`` when there is none)."""
    from .errors import shown_path as _shown
    from .report import _entries
    from .scanning import scan

    path, rel = _site_file(site_dir, file)
    options = Options(site_dir=site_dir, drafts=True, future=True)
    scanned = scan(options)
    cache = Cache(site_dir / CACHE_DIR / "cache.sqlite")
    try:
        entries, errors = _entries(options, scanned, cache, _shown(site_dir / "content"), None)
        mine = next((e for e in entries if e.rel == rel), None)
        if mine is None:
            problems = [e for e in errors if e.path.endswith(rel)] or errors
            for error in problems:
                print(error.shown(), file=sys.stderr)
            return 1
        group = groups(entries)[mine.key]
        original = original_of(list(group.values()), scanned.config.languages)
        if original is mine:
            others = ", ".join(e.path for e in group.values() if e is not mine) or "none"
            print(
                f"{mine.path}:{mine.translated_line}: this is the story's original, not a translation"
                f" (its translations: {others})",
                file=sys.stderr,
            )
            return 1
        _set_translated_from(path, original.revision)
        text = text_of_file(sitefiles.read_bytes(site_dir / "content" / original.rel, scanned.fence))
        if text is not None and digest_of_text(text) == original.revision:
            cache.put_revisions([(original.rel, original.revision, text)], touched=[])
    finally:
        cache.close()
    print(f'{mine.path}: translated_from: "{original.revision}" (the revision of {original.path})')
    return 0


def _set_translated_from(path: Path, revision: str) -> None:
    raw = path.read_bytes()
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw[3 if bom else 0 :].decode("utf-8")
    lines = text.split("\n")
    fence = next((i for i in range(1, len(lines)) if lines[i].rstrip("\r \t") == "---"), None)
    if not lines or lines[0].rstrip("\r \t") != "---" or fence is None:
        raise UsageError(f"{path}: no front matter between '---' lines")
    ending = "\r" if lines[0].endswith("\r") else ""
    new_line = f'translated_from: "{revision}"{ending}'
    at = next((i for i in range(1, fence) if _TRANSLATED_FROM_LINE.match(lines[i])), None)
    if at is None:
        lines.insert(fence, new_line)
    else:
        lines[at] = new_line
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + "\n".join(lines).encode("utf-8"))


DESK_PATH = "/_translations/"  # the preview's desk (never part of a build)


def preview_page(memory: Memory, site_dir: Path, out_dir: Path, now: datetime | None) -> bytes:
    """The preview's ``/_translations/`` after its last build: the report of the stories it
    published (drafts and scheduled ones included, as the preview shows them), each linked to its
    preview page, with what changed in the originals; in the site's first language."""
    plan = memory.last_plan()
    if plan is None:
        return b"<!DOCTYPE html><title>Translation desk</title><p>No build yet.</p>\n"
    config = plan.site.config
    entries = [Entry.of_article(a, plan.urls.get(rel, "")) for rel, a in plan.articles.items()]
    fence = sitefiles.Fence.of(site_dir, out_dir)
    cache = Cache(site_dir / CACHE_DIR / "cache.sqlite")
    try:

        def changes(original: Entry, translation: Entry) -> Changes | None:
            if translation.translated_from is None:
                return None
            return what_changed(site_dir / "content" / original.rel, original.rel, translation.translated_from, cache, fence)

        report = make_report(entries, config.languages, now or datetime.now(UTC), config.tz(), changes)
    finally:
        cache.close()
    lang = config.default_language
    return desk_page(report, config.base_path, lang, plan.site.strings.get(lang, {}))


def desk_page(report: Report, base_path: str, lang: str, strings: dict[str, str]) -> bytes:
    """The report as a page in the theme's look, its words from the UI strings (``desk_*``)."""

    def say(key: str) -> str:
        return html.escape(strings.get(f"desk_{key}", DESK_WORDS[key]))

    heads = "".join(f"<th>{say(k)}</th>" for k in ("stories", "translated", "stale", "missing", "coverage"))

    def cells(c: Counts) -> str:
        return f"<td>{c.stories}</td><td>{c.translated}</td><td>{c.stale}</td><td>{c.missing}</td><td>{c.coverage:.1f}%</td>"

    totals = "".join(f"<tr><td>{code}</td>{cells(c)}</tr>" for code, c in report.totals.items())
    sections = "".join(
        f"<tr><td>{code}</td><td>{html.escape(s)}</td>{cells(c)}</tr>"
        for code, by_section in report.sections.items()
        for s, c in by_section.items()
    )
    work = "".join(_work_item(w, report, say) for w in report.work) or f"<li>{say('nothing')}</li>"
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<title>{say("title")}</title><link rel="stylesheet" href="{base_path}assets/style.css"></head>'
        f'<body><main class="wrap desk" id="translation-desk"><h1>{say("title")}</h1>'
        f'<table class="desk-totals"><tr><th>{say("language")}</th>{heads}</tr>{totals}</table>'
        f'<table class="desk-sections"><tr><th>{say("language")}</th><th>{say("section")}</th>{heads}</tr>'
        f'{sections}</table><h2>{say("todo")} ({len(report.work)})</h2><ol class="desk-work">{work}</ol>'
        "</main></body></html>\n"
    ).encode()


DESK_WORDS = {  # the English words, for a site whose UI strings lack the desk's
    "title": "Translation desk",
    "language": "language",
    "section": "section",
    "stories": "stories",
    "translated": "translated",
    "stale": "stale",
    "missing": "missing",
    "coverage": "coverage",
    "todo": "To do, longest waiting first",
    "nothing": "Nothing to translate.",
    "since": "since",
    "days": "days",
    "revision": "revision",
    "no_version": "no version in",
    "changed": "Changed since revision",
    "unknown": "What changed in the original cannot be known",
    "no_base": "the translation has no translated_from",
}


def _work_item(work: Work, report: Report, say: Callable[[str], str]) -> str:
    def link(entry: Entry) -> str:
        label = html.escape(entry.title)
        return (
            f'<a href="{html.escape(entry.url)}" lang="{entry.lang}" hreflang="{entry.lang}">{label}</a>'
            if entry.url
            else f'<span lang="{entry.lang}">{label}</span>'
        )

    target = link(work.translation) if work.translation else f"{say('no_version')} {work.lang}: {link(work.original)}"
    since = work.since.astimezone(report.zone).strftime("%Y-%m-%d %H:%M")
    head = (
        f'<li class="desk-{work.state}"><strong>{work.lang} · {say(work.state)}</strong> {target}'
        f" <small>{say('since')} {since} ({waiting_days(work, report.now)} {say('days')}) ·"
        f" <code>{html.escape(work.file)}</code> · {say('revision')} <code>{work.original.revision}</code></small>"
    )
    changes = work.changes
    if work.state != "stale":
        return head + "</li>"
    if changes is None or not changes.known:
        reason = html.escape(changes.reason) if changes else say("no_base")
        return head + f"<p>{say('unknown')}: {reason}.</p></li>"
    diff = "".join(
        f"<{'del' if sign == '-' else 'ins'}>{html.escape(text)}</{'del' if sign == '-' else 'ins'}>\n"
        for sign, text in changes.paragraphs
    )
    return (
        head + f"<p>{say('changed')} <code>{changes.base}</code> ({html.escape(changes.source)}):</p>"
        f'<pre class="desk-diff">{diff}</pre></li>'
    )
