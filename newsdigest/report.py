"""``python build.py translations``: the desk's report, per language and section, and its work list, as data, text and JSON.

It reads through the build's cache (the desk's few fields of each story, not the stories), so that
it answers in well under a second at 5,000 stories when nothing changed. See docs/translations.md.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from functools import lru_cache
from typing import Any

from .content import Article
from .errors import BuildError
from .history import Changes, remember, revision_pairs, what_changed
from .shapes import conforms
from .translations import changed_at, groups, is_stale, original_of


@dataclass(frozen=True)
class Entry:
    """What the desk reads of one story file (the fields of ``cache.desk_facts``, in its order)."""

    path: str
    rel: str
    lang: str
    section: str
    key: str
    title: str
    date: datetime
    updated: datetime | None
    revision: str
    translated_from: str | None
    translated_line: int
    draft: bool
    bundle: str = ""
    url: str = ""  # the story's page (the preview's desk links it)

    @classmethod
    def of(cls, facts: list[Any], path: str) -> Entry:
        updated = datetime.fromisoformat(facts[7]) if facts[7] else None
        return cls(path, *facts[1:6], datetime.fromisoformat(facts[6]), updated, *facts[8:13])

    @classmethod
    def of_article(cls, a: Article, url: str = "") -> Entry:
        return cls(
            a.path,
            a.rel,
            a.lang,
            a.section,
            a.key,
            a.title,
            a.date,
            a.updated,
            a.revision,
            a.translated_from,
            a.translated_line,
            a.draft,
            a.bundle,
            url,
        )


@dataclass(frozen=True)
class Counts:
    stories: int = 0  # stories of the site (a story and its translations are one)
    originals: int = 0  # written in this language
    translated: int = 0  # translated into it (stale ones included)
    stale: int = 0
    missing: int = 0  # with no version in this language

    @property
    def coverage(self) -> float:
        """The share of the site's stories that have a version in this language, in per cent."""
        return round(100 * (self.stories - self.missing) / self.stories, 1) if self.stories else 100.0

    @classmethod
    def of(cls, states: list[str]) -> Counts:
        """The counts of the states of a language's stories (original, translated, stale, missing)."""
        stale, missing = states.count("stale"), states.count("missing")
        return cls(len(states), states.count("original"), states.count("translated") + stale, stale, missing)

    def as_json(self) -> dict[str, Any]:
        return {
            "stories": self.stories,
            "originals": self.originals,
            "translated": self.translated,
            "stale": self.stale,
            "missing": self.missing,
            "coverage": self.coverage,
        }


@dataclass(frozen=True)
class Work:
    """A story the desk of ``lang`` has to translate (missing) or bring up to date (stale)."""

    lang: str
    state: str  # stale | missing
    file: str  # the file to work on: the stale translation, or the original to translate
    original: Entry
    translation: Entry | None
    since: datetime  # the original's date (missing), or its updated, else date (stale)
    changes: Changes | None = None  # what changed in the original since it was translated


@dataclass(frozen=True)
class Report:
    languages: tuple[str, ...]
    totals: dict[str, Counts]
    sections: dict[str, dict[str, Counts]]  # language -> section -> counts
    work: tuple[Work, ...]
    stories: tuple[tuple[Entry, str], ...]  # every story file and its state: original | translated | stale
    now: datetime
    zone: tzinfo
    notes: tuple[str, ...] = field(default=())


def visible(entry: Entry, now: datetime, drafts: bool, future: bool) -> bool:
    return (drafts or not entry.draft) and (future or entry.date <= now)


def make_report(
    entries: Iterable[Entry],
    languages: Sequence[str],
    now: datetime,
    zone: tzinfo,
    changes: Callable[[Entry, Entry], Changes | None] | None = None,
) -> Report:
    """Counts per language and section, the work list (longest waiting first) and every file's state."""
    per_lang: dict[str, list[str]] = {lang: [] for lang in languages}
    per_section: dict[tuple[str, str], list[str]] = {}
    work: list[Work] = []
    states: list[tuple[Entry, str]] = []
    for group in groups(entries).values():
        original = original_of(list(group.values()), languages)
        for lang in languages:
            version = group.get(lang)
            if version is original:
                state = "original"
            elif version is None:
                state = "missing"
                work.append(Work(lang, state, original.path, original, None, original.date))
            elif is_stale(version, original):
                state = "stale"
                found = changes(original, version) if changes else None
                work.append(Work(lang, state, version.path, original, version, changed_at(original), found))
            else:
                state = "translated"
            if version is not None:
                states.append((version, state))
            per_lang[lang].append(state)
            per_section.setdefault((lang, original.section), []).append(state)
    work.sort(key=lambda w: (w.since, w.lang, w.file))
    states.sort(key=lambda item: item[0].rel)
    sections = {
        lang: {section: Counts.of(per_section[(code, section)]) for code, section in sorted(per_section) if code == lang}
        for lang in languages
    }
    return Report(
        tuple(languages), {lang: Counts.of(per_lang[lang]) for lang in languages}, sections, tuple(work), tuple(states), now, zone
    )


def width(text: str) -> int:
    """Columns a terminal gives the text (NFC): combining marks none, wide East Asian characters two."""
    if text.isascii():
        return len(text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return sum(_char_width(char) for char in text)


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], right: Iterable[int] = ()) -> list[str]:
    """Aligned columns (the last one is not padded, so a long title is shown whole)."""
    right = set(right)
    every = [headers, *rows]
    widths = [[width(cell) for cell in row] for row in every]
    sizes = [max(w[i] for w in widths) for i in range(len(headers))]
    last = len(headers) - 1
    lines = []
    for row, row_widths in zip(every, widths, strict=True):
        cells = []
        for i, cell in enumerate(row):
            gap = " " * (sizes[i] - row_widths[i])
            cells.append(gap + cell if i in right else cell if i == last else cell + gap)
        lines.append("  ".join(cells).rstrip())
    return lines


def _when(value: datetime, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def waiting_days(work: Work, now: datetime) -> int:
    return max(0, (now - work.since).days)


def _counts_row(counts: Counts) -> list[str]:
    return [str(counts.stories), str(counts.translated), str(counts.stale), str(counts.missing), f"{counts.coverage:.1f}%"]


def as_text(report: Report) -> str:
    """The report for a terminal."""
    heads = ["stories", "translated", "stale", "missing", "coverage"]
    out = [f"Translations, as of {_when(report.now, report.zone)}", ""]
    out += table(
        ["language", *heads], [[lang, *_counts_row(report.totals[lang])] for lang in report.languages], right=range(1, 6)
    )
    out.append("")
    rows = [
        [lang, section, *_counts_row(counts)] for lang in report.languages for section, counts in report.sections[lang].items()
    ]
    out += table(["language", "section", *heads], rows, right=range(2, 7))
    out += ["", f"To do, longest waiting first: {len(report.work)}"]
    if report.work:
        rows = [
            [
                w.lang,
                w.state,
                _when(w.since, report.zone),
                f"{waiting_days(w, report.now)} d",
                w.file,
                w.original.revision,
                w.original.title,
            ]
            for w in report.work
        ]
        lines = table(["lang", "state", "since", "waiting", "file", "revision", "title"], rows, right=[3])
        out.append(lines[0])
        for w, line in zip(report.work, lines[1:], strict=True):
            out.append(line)
            out += ["    " + text for text in _changes_text(w)]
    out += ["", "Every story's revision"]
    out += table(["file", "lang", "revision", "state"], [[e.path, e.lang, e.revision, state] for e, state in report.stories])
    return "\n".join(out) + "\n"


def _changes_text(work: Work) -> list[str]:
    if work.state != "stale" or work.translation is None:
        return []
    if work.translation.translated_from is None:
        return ["(no translated_from: what changed in the original cannot be known)"]
    changes = work.changes
    if changes is None or not changes.known:
        reason = changes.reason if changes else "revision not remembered"
        return [f"changed since revision {work.translation.translated_from}: cannot be known ({reason})"]
    lines = [f"changed since revision {changes.base} ({changes.source}):"]
    for sign, paragraph in changes.paragraphs:
        lines += [f"{sign} {line}" for line in paragraph.split("\n")]
    return lines


def as_json(report: Report) -> dict[str, Any]:
    """The same as one JSON-ready object."""

    def entry(e: Entry | None) -> dict[str, Any] | None:
        return (
            None
            if e is None
            else {
                "file": e.path,
                "lang": e.lang,
                "title": e.title,
                "revision": e.revision,
                "translated_from": e.translated_from,
                "url": e.url or None,
            }
        )

    return {
        "now": report.now.isoformat(),
        "languages": {
            lang: {**report.totals[lang].as_json(), "sections": {s: c.as_json() for s, c in report.sections[lang].items()}}
            for lang in report.languages
        },
        "work": [
            {
                "lang": w.lang,
                "state": w.state,
                "file": w.file,
                "revision": w.original.revision,
                "since": w.since.isoformat(),
                "waiting_days": waiting_days(w, report.now),
                "section": w.original.section,
                "title": w.original.title,
                "original": entry(w.original),
                "translation": entry(w.translation),
                "changes": w.changes.as_json() if w.changes else None,
            }
            for w in report.work
        ],
        "stories": [
            {
                "file": e.path,
                "lang": e.lang,
                "section": e.section,
                "revision": e.revision,
                "translated_from": e.translated_from,
                "state": state,
            }
            for e, state in report.stories
        ],
    }


def desk_report(options: Any, pool: Callable[[], Executor | None] | None = None) -> tuple[Report | None, list[BuildError]]:
    """The site's report, through the build's cache (a file not in it is parsed and put there);
    or None and the content's errors."""
    from .cache import CACHE_DIR, Cache
    from .errors import shown_path as _shown
    from .scanning import scan

    scanned = scan(options)
    content_dir = options.site_dir / "content"
    cache = Cache(options.site_dir / CACHE_DIR / "cache.sqlite" if options.cache else None)
    try:
        entries, errors = _entries(options, scanned, cache, _shown(content_dir), pool)
        if errors:
            return None, errors
        now, languages = scanned.now, scanned.config.languages
        shown = [e for e in entries if visible(e, now, options.drafts, options.future)]
        remember(*revision_pairs(shown, languages), cache, content_dir, scanned.fence)

        def changes(original: Entry, translation: Entry) -> Changes | None:
            if translation.translated_from is None:
                return None
            return what_changed(content_dir / original.rel, original.rel, translation.translated_from, cache, scanned.fence)

        return make_report(shown, languages, now, scanned.config.tz(), changes), []
    finally:
        cache.close()


def _entries(
    options: Any, scanned: Any, cache: Any, content: str, pool: Callable[[], Executor | None] | None
) -> tuple[list[Entry], list[BuildError]]:
    """Every story's desk fields: from the cache where its row holds them in the right shape for
    this very file, else read (and stored) again."""
    from .cache import desk_facts
    from .reading import parse_files

    errors = list(scanned.errors)
    keys = scanned.keys
    stored = cache.desk(list(set(keys.values())))
    entries: dict[str, Entry | None] = {}
    for rel, key in keys.items():
        if key in stored:
            entry = _checked(stored[key], rel, f"{content}/{rel}")
            if entry is not False:
                entries[rel] = entry
    misses = [rel for rel in keys if rel not in entries]
    for rel, loaded in parse_files(options, scanned, misses, cache, pool):
        if isinstance(loaded, list):
            errors += loaded
        else:
            found = desk_facts(loaded)
            entries[rel] = Entry.of(json.loads(found), f"{content}/{rel}") if found and found != "null" else None
    return [entry for entry in entries.values() if entry is not None], errors


def _checked(facts: Any, rel: str, path: str) -> Entry | None | bool:
    """The Entry of a cached row; None for a section's _index; False when the row is not what
    reading ``rel`` gives (wrong shape, or another file's)."""
    if facts is None:
        return None
    try:
        entry = Entry.of(facts, path)
    except (TypeError, ValueError, IndexError):
        return False
    return entry if entry.rel == rel and conforms(entry, Entry) else False
