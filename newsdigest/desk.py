"""The translation desk's faces: ``translations`` printed (text or JSON), ``translations --mark``, and the
preview's ``/_translations/`` page. The rules are translations.py's; the report's data is report.py's.
"""

from __future__ import annotations

import html
import json
import os
import re
import sys
from pathlib import Path

from . import sitefiles
from .cache import CACHE_DIR, Cache
from .errors import UsageError
from .history import text_of_file
from .pipeline import Options
from .report import Entry, Report, Work, as_json, as_text, desk_report, make_report, waiting_days
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
    from .pipeline import _shown, scan
    from .report import _entries

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
            print(f"{mine.path}:{mine.translated_line}: this is the story's original, not a translation"
                  f" (its translations: {others})", file=sys.stderr)
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
    text = raw[3 if bom else 0:].decode("utf-8")
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


def desk_page(report: Report, base_path: str) -> bytes:
    """The preview's ``/_translations/``: the report as a page linking each story's preview page."""
    def link(entry: Entry | None) -> str:
        if entry is None:
            return ""
        label = html.escape(entry.title)
        return f'<a href="{html.escape(entry.url)}" lang="{entry.lang}">{label}</a>' if entry.url else label

    rows = "".join(
        f"<tr><td>{lang}</td><td>{c.stories}</td><td>{c.translated}</td><td>{c.stale}</td><td>{c.missing}</td>"
        f"<td>{c.coverage:.1f}%</td></tr>" for lang, c in report.totals.items())
    sections = "".join(
        f"<tr><td>{lang}</td><td>{html.escape(s)}</td><td>{c.stories}</td><td>{c.translated}</td><td>{c.stale}</td>"
        f"<td>{c.missing}</td><td>{c.coverage:.1f}%</td></tr>"
        for lang, by_section in report.sections.items() for s, c in by_section.items())
    work = "".join(_work_item(w, report, link) for w in report.work) or "<li>Nothing to do.</li>"
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Translation desk</title>'
        f'<link rel="stylesheet" href="{base_path}assets/style.css"></head><body><main class="desk">'
        "<h1>Translation desk</h1>"
        '<table class="desk-totals"><tr><th>language</th><th>stories</th><th>translated</th><th>stale</th>'
        f"<th>missing</th><th>coverage</th></tr>{rows}</table>"
        '<table class="desk-sections"><tr><th>language</th><th>section</th><th>stories</th><th>translated</th>'
        f"<th>stale</th><th>missing</th><th>coverage</th></tr>{sections}</table>"
        f'<h2>To do, longest waiting first ({len(report.work)})</h2><ol class="desk-work">{work}</ol>'
        "</main></body></html>\n"
    ).encode()


def _work_item(work: Work, report: Report, link: object) -> str:
    assert callable(link)
    target = link(work.translation) if work.translation else f"no {work.lang} version of {link(work.original)}"
    since = work.since.astimezone(report.zone).strftime("%Y-%m-%d %H:%M")
    head = (f'<li class="desk-{work.state}"><strong>{work.lang} · {work.state}</strong> {target}'
            f" <small>since {since} ({waiting_days(work, report.now)} d) · {html.escape(work.file)}"
            f" · revision {work.original.revision}</small>")
    changes = work.changes
    if work.state != "stale":
        return head + "</li>"
    if changes is None or not changes.known:
        reason = changes.reason if changes else "the translation has no translated_from"
        return head + f"<p>What changed in the original cannot be known: {html.escape(reason)}.</p></li>"
    diff = "".join(f'<{"del" if sign == "-" else "ins"}>{html.escape(text)}</{"del" if sign == "-" else "ins"}>\n'
                   for sign, text in changes.paragraphs)
    return (head + f"<p>Changed since revision {changes.base} ({html.escape(changes.source)}):</p>"
            f'<pre class="desk-diff">{diff}</pre></li>')


def preview_report(site: object, site_dir: Path, now: object, fence: sitefiles.Fence) -> Report:
    """The report of the preview's last build (its model: drafts and scheduled stories included)."""
    from .history import what_changed

    stories = [story for by_lang in site.stories.values() for story in by_lang]  # type: ignore[attr-defined]
    entries = [Entry.of_article(s.article, s.teaser.url) for s in stories]
    config = site.config  # type: ignore[attr-defined]
    cache = Cache(site_dir / CACHE_DIR / "cache.sqlite")
    try:
        def changes(original: Entry, translation: Entry):  # noqa: ANN202 - report.make_report's callback
            if translation.translated_from is None:
                return None
            return what_changed(site_dir / "content" / original.rel, original.rel, translation.translated_from, cache,
                                fence)

        return make_report(entries, config.languages, now, config.tz(), changes)  # type: ignore[arg-type]
    finally:
        cache.close()
