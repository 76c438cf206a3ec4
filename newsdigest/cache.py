"""The build's memory between runs: one SQLite file under the site folder, keyed by content hashes.

- ``articles``: a loaded story (or its errors) keyed by its file's bytes, path, the config and the
  code version, stored as JSON (never pickle: a cache must not be able to run code).
- ``outputs``: per output path, the key of the job that made it and the digest, size and mtime of
  the file written, so a job whose key did not change (and whose file is still the one we wrote)
  is neither rendered nor written again.
- ``plans``: per output folder, what the last complete build into it remembered (stored.RememberedPlan).
- ``story_urls``: per output folder, the URL each story file had (record.moved_urls).
- ``revisions``: the text of earlier revisions of originals translations were made from (history.py).
  A revision's text checks itself: its SHA-256 is the revision.

It is the store and nothing more: what a build may skip is decided in memory.py.

The cache may make a build faster, never different: every row carries a check (a digest of its
values keyed with its key, so a row edited, or copied under another key, fails it), and is checked
for its shape (the type of every field) and for what it claims to be (the file it was read from)
before it is used. A row that fails is dropped and its file read again, or its page rendered again.
A cache that cannot be opened, was written by another format version, or is locked or read-only is
not used (the build says so in a warning), never trusted. Deleting it gives the same output bytes.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import time
from pathlib import Path
from typing import Any

from .content import Article, SectionIndex
from .errors import BuildError
from .stored import (
    OutputRecord,
    RememberedPlan,
    StoryFacts,
    decode_loaded,
    decode_plan,
    encode_loaded,
    encode_plan,
    facts_of,
    facts_ok,
    records_digest,
    row_check,
)

__all__ = ["CACHE_DIR", "Cache", "OutputRecord", "RememberedPlan", "records_digest"]

FORMAT = "newsdigest-cache-6"
CACHE_DIR = ".newsdigest-cache"
REVISIONS_KEPT = 180 * 86400  # an earlier revision's text nobody refers to is kept this long (seconds)


SCHEMA = {  # each table's columns, then its other clauses
    "articles": (
        "key TEXT PRIMARY KEY",
        "value TEXT NOT NULL",
        "kind TEXT",
        "date_ts REAL",
        "draft INTEGER",
        "value_check TEXT",
        "facts_check TEXT",
    ),
    "outputs": (
        "out_dir TEXT",
        "path TEXT",
        "job_key TEXT",
        "digest TEXT",
        "size INTEGER",
        "mtime_ns INTEGER",
        "row_check TEXT",
        "PRIMARY KEY (out_dir, path)",
    ),
    "plans": ("out_dir TEXT PRIMARY KEY", "digest TEXT", "summary TEXT", "row_check TEXT"),
    "desk": ("key TEXT PRIMARY KEY", "facts TEXT", "row_check TEXT"),  # per story key: report.Entry's fields
    "revisions": ("rel TEXT", "revision TEXT", "text TEXT", "seen REAL", "PRIMARY KEY (rel, revision)"),
}
# SQLite's answers that mean the file is no database of ours (start afresh); any other (locked, read-only,
# cannot open, disk full) means the cache cannot be used now, and it is left alone.
NOT_A_DATABASE = {sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT}
BUSY_SECONDS = 2.0  # how long a write waits for another process's lock before the cache is given up


class Cache:
    """The on-disk memo. On any database problem it is given up for the rest of the build (its
    ``trouble`` says why): a build that could not record a step must not record the next."""

    def __init__(self, path: Path | None):
        self.db: sqlite3.Connection | None = None
        self.trouble = ""  # why the cache is not used, when it is not
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = self._open(path)
        except (OSError, sqlite3.Error) as exc:
            self._give_up(exc)

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        for attempt in range(2):
            db = None
            try:
                db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
                row = db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
                if row is None or row[0] != FORMAT or not _schema_ok(db):
                    db.executescript(
                        "".join(
                            f"DROP TABLE IF EXISTS {name}; CREATE TABLE {name} ({', '.join(columns)});"
                            for name, columns in SCHEMA.items()
                        )
                    )
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
                # Kept across format changes: the URLs an output folder published do not depend on
                # the code that reads them (a new version must still warn when one moves).
                db.execute("CREATE TABLE IF NOT EXISTS story_urls (out_dir TEXT, rel TEXT, url TEXT, PRIMARY KEY (out_dir, rel))")
                return db
            except sqlite3.DatabaseError as exc:
                if db is not None:
                    db.close()
                if attempt or getattr(exc, "sqlite_errorcode", None) not in NOT_A_DATABASE:
                    raise
                for suffix in ("", "-wal", "-shm"):  # a corrupt or foreign file: start afresh
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise sqlite3.DatabaseError("unreachable")

    def _give_up(self, exc: BaseException) -> None:
        self.trouble = self.trouble or (getattr(exc, "strerror", None) or str(exc) or type(exc).__name__)
        if self.db is not None:
            with contextlib.suppress(sqlite3.Error):
                self.db.close()
            self.db = None

    def articles(self, shown: dict[str, str]) -> dict[str, Article | SectionIndex | list[BuildError]]:
        """The stored reading of each content key in ``shown`` (key -> the file as messages show
        it) whose row passes every check; the others are misses."""
        found: dict[str, Article | SectionIndex | list[BuildError]] = {}
        sql = "SELECT key, value, kind, date_ts, draft, value_check, facts_check FROM articles WHERE key IN"
        for key, value, kind, when, draft, value_check, facts_check in self._select(sql, list(shown)):
            if type(value) is not str or not facts_ok(kind, when, draft):
                continue
            if value_check != row_check("article", key, value) or facts_check != _facts_check(
                key, kind, when, draft, value_check
            ):
                continue  # edited, or copied from another key's row
            try:
                loaded = decode_loaded(value, shown[key])
            except (ValueError, KeyError, TypeError, AttributeError):
                continue  # a value we do not understand is a miss
            if facts_of(loaded) == (kind, when, bool(draft)):
                found[key] = loaded
        return found

    def put_articles(self, items: list[tuple[str, Article | SectionIndex | list[BuildError]]]) -> None:
        rows = []
        for key, loaded in items:
            kind, when, draft = facts_of(loaded)
            value = encode_loaded(loaded)
            value_check = row_check("article", key, value)
            rows.append((key, value, kind, when, int(draft), value_check, _facts_check(key, kind, when, int(draft), value_check)))
        self._write("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?, ?, ?)", rows)
        desks = [(key, desk, row_check("desk", key, desk)) for key, loaded in items if (desk := desk_facts(loaded)) is not None]
        self._write("INSERT OR REPLACE INTO desk VALUES (?, ?, ?)", desks)

    def desk(self, keys: list[str]) -> dict[str, list[Any] | None]:
        """Per story key, what the translation desk reads of it (``desk_facts``: None for a
        section's _index), without decoding the story: a tenth of the time at 5,000 stories. Only
        rows whose desk fields pass their check; the caller checks their shape (report.Entry.of)."""
        found: dict[str, list[Any] | None] = {}
        sql = "SELECT key, facts, row_check FROM desk WHERE key IN"
        for key, desk, check in self._select(sql, keys):
            if type(desk) is str and check == row_check("desk", key, desk):
                try:
                    found[key] = json.loads(desk)
                except ValueError:
                    continue
        return found

    def article_facts(self, keys: list[str]) -> dict[str, StoryFacts]:
        """Per story key: its kind, date and draft flag, without decoding the story (only rows whose
        facts pass their check, which covers the value's check too)."""
        facts: dict[str, StoryFacts] = {}
        sql = "SELECT key, kind, date_ts, draft, value_check, facts_check FROM articles WHERE key IN"
        for key, kind, when, draft, value_check, facts_check in self._select(sql, keys):
            if facts_ok(kind, when, draft) and facts_check == _facts_check(key, kind, when, draft, value_check):
                facts[key] = StoryFacts(kind, when, bool(draft))
        return facts

    def _select(self, sql: str, keys: list[str]) -> list[tuple[Any, ...]]:
        """``sql`` (ending in ``IN``) for every key, 500 at a time; [] once the cache has failed."""
        rows: list[tuple[Any, ...]] = []
        try:
            for start in range(0, len(keys), 500) if self.db is not None else ():
                batch = keys[start : start + 500]
                rows += self.db.execute(f"{sql} ({','.join('?' * len(batch))})", batch).fetchall()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return []
        return rows

    def plan(self, out_dir: str) -> RememberedPlan | None:
        """What the last complete build into ``out_dir`` remembered, if its row passes its checks."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT digest, summary, row_check FROM plans WHERE out_dir = ?", (out_dir,)).fetchone()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return None
        if row is None or row[2] != row_check("plan", out_dir, row[0], row[1]) or type(row[1]) is not str:
            return None
        return decode_plan(row[0], row[1])

    def put_plan(self, out_dir: str, plan: RememberedPlan) -> None:
        summary = encode_plan(plan)
        self._write(
            "INSERT OR REPLACE INTO plans VALUES (?, ?, ?, ?)",
            [(out_dir, plan.inputs, summary, row_check("plan", out_dir, plan.inputs, summary))],
        )

    def forget_plan(self, out_dir: str) -> None:
        self._write("DELETE FROM plans WHERE out_dir = ?", [(out_dir,)])

    def outputs(self, out_dir: str) -> dict[str, OutputRecord]:
        """What the last build into ``out_dir`` wrote (a preview and a build keep separate records).
        A row that fails its checks is dropped: its page is rendered and compared again."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute(
                "SELECT path, job_key, digest, size, mtime_ns, row_check FROM outputs WHERE out_dir = ?", (out_dir,)
            ).fetchall()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return {}
        records: dict[str, OutputRecord] = {}
        bad = []
        for path, job_key, digest_, size, mtime_ns, check in rows:
            record = OutputRecord(job_key, digest_, size, mtime_ns)
            typed = type(path) is str and type(job_key) is str and type(digest_) is str and type(size) is int
            if typed and type(mtime_ns) is int and check == _output_check(out_dir, path, record):
                records[path] = record
            else:
                bad.append((out_dir, path))
        self._write("DELETE FROM outputs WHERE out_dir = ? AND path = ?", bad)
        return records

    def put_outputs(self, out_dir: str, records: dict[str, OutputRecord], previous: dict[str, OutputRecord]) -> None:
        """Store this build's records, writing only the rows that differ from ``previous``."""
        if self.db is None:
            return
        try:
            self.db.execute("BEGIN")
            self.db.executemany(
                "DELETE FROM outputs WHERE out_dir = ? AND path = ?", [(out_dir, p) for p in previous if p not in records]
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (out_dir, p, r.job_key, r.digest, r.size, r.mtime_ns, _output_check(out_dir, p, r))
                    for p, r in records.items()
                    if previous.get(p) is not r and previous.get(p) != r
                ],
            )
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            self._give_up(exc)

    def known_revisions(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        """Which (content path, revision) pairs have their text kept."""
        if self.db is None or not pairs:
            return set()
        try:
            rows = self.db.execute("SELECT rel, revision FROM revisions").fetchall()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return set()
        return {(rel, rev) for rel, rev in rows} & set(pairs)

    def revision_text(self, rel: str, revision: str) -> str | None:
        """The text (translations.revision_text) of a story file at an earlier revision, if kept;
        the caller checks it against the revision (its SHA-256) before using it."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT text FROM revisions WHERE rel = ? AND revision = ?", (rel, revision)).fetchone()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return None
        return row[0] if row and type(row[0]) is str else None

    def put_revisions(self, rows: list[tuple[str, str, str]], touched: list[tuple[str, str]]) -> None:
        """Keep these revisions' texts; note the ``touched`` ones as still wanted; forget those
        nobody wanted for REVISIONS_KEPT seconds."""
        if self.db is None or not rows and not touched:
            return
        now = time.time()
        try:
            self.db.execute("BEGIN")
            self.db.executemany(
                "INSERT OR REPLACE INTO revisions VALUES (?, ?, ?, ?)", [(rel, rev, text, now) for rel, rev, text in rows]
            )
            self.db.executemany(
                "UPDATE revisions SET seen = ? WHERE rel = ? AND revision = ?", [(now, rel, rev) for rel, rev in touched]
            )
            self.db.execute("DELETE FROM revisions WHERE seen < ?", (now - REVISIONS_KEPT,))
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            self._give_up(exc)

    def story_urls(self, out_dir: str) -> dict[str, str]:
        """Each story file's URL (a site path) after the last build into ``out_dir``. Read only for
        warnings (record.moved_urls), so a wrong row can never change the output."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute("SELECT rel, url FROM story_urls WHERE out_dir = ?", (out_dir,)).fetchall()
        except sqlite3.Error as exc:
            self._give_up(exc)
            return {}
        return {rel: url for rel, url in rows if isinstance(rel, str) and isinstance(url, str)}

    def put_story_urls(self, out_dir: str, urls: dict[str, str]) -> None:
        """This build's story URLs into ``out_dir``, replacing the last build's."""
        if self.db is None:
            return
        previous = self.story_urls(out_dir)
        try:
            self.db.execute("BEGIN")
            self.db.executemany(
                "DELETE FROM story_urls WHERE out_dir = ? AND rel = ?", [(out_dir, rel) for rel in previous if rel not in urls]
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO story_urls VALUES (?, ?, ?)",
                [(out_dir, rel, url) for rel, url in urls.items() if previous.get(rel) != url],
            )
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            self._give_up(exc)

    def prune_articles(self, keep: set[str]) -> None:
        """Forget stories no longer in the site (old versions of edited files)."""
        if self.db is None:
            return
        try:
            stale = {k for (k,) in self.db.execute("SELECT key FROM articles") if k not in keep}
        except sqlite3.Error as exc:
            self._give_up(exc)
            return
        self.forget_articles(stale)

    def forget_articles(self, keys: set[str]) -> None:
        self._write("DELETE FROM articles WHERE key = ?", [(key,) for key in keys])
        self._write("DELETE FROM desk WHERE key = ?", [(key,) for key in keys])

    def _write(self, sql: str, rows: list[tuple[Any, ...]]) -> None:
        if self.db is None or not rows:
            return
        try:
            self.db.execute("BEGIN")
            self.db.executemany(sql, rows)
            self.db.execute("COMMIT")
        except sqlite3.Error as exc:
            self._rollback()
            self._give_up(exc)

    def _rollback(self) -> None:
        try:
            if self.db is not None and self.db.in_transaction:
                self.db.execute("ROLLBACK")
        except sqlite3.Error:
            pass

    def close(self) -> None:
        if self.db is not None:
            self.db.close()
            self.db = None


def _schema_ok(db: sqlite3.Connection) -> bool:
    """The tables have the columns this version reads (a file of the right format but another shape
    is made afresh, not queried into errors on every build)."""
    for name, columns in SCHEMA.items():
        want = [column.split()[0] for column in columns if not column.startswith("PRIMARY KEY")]
        have = [row[1] for row in db.execute(f"PRAGMA table_info({name})")]
        if have != want:
            return False
    return True


def desk_facts(loaded: Article | SectionIndex | list[BuildError]) -> str | None:
    """The fields of a story the translation desk reads, as a JSON list (report.Entry's order);
    ``null`` for a section's _index; None for errors (the file is read again, to show them)."""
    if not isinstance(loaded, Article):
        return "null" if isinstance(loaded, SectionIndex) else None
    a = loaded
    return json.dumps(
        [
            a.path,
            a.rel,
            a.lang,
            a.section,
            a.key,
            a.title,
            a.date.isoformat(),
            a.updated.isoformat() if a.updated else None,
            a.revision,
            a.translated_from,
            a.translated_line,
            a.draft,
            a.bundle,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def _facts_check(key: str, kind: object, when: object, draft: object, value_check: object) -> str:
    return row_check("facts", key, kind, repr(when), draft, value_check)  # repr: a float's every digit


def _output_check(out_dir: str, path: str, record: OutputRecord) -> str:
    return row_check("output", out_dir, path, record.job_key, record.digest, record.size, record.mtime_ns)
