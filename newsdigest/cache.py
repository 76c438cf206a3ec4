"""The build's memory between runs: one SQLite file under the site folder, keyed by content hashes.

- ``articles``: a loaded story (or its errors) keyed by its file's bytes, path, the config and the
  code version, stored as JSON (never pickle: a cache must not be able to run code).
- ``outputs``: per output path, the key of the job that made it and the digest, size and mtime of
  the file written, so a job whose key did not change (and whose file is still the one we wrote)
  is neither rendered nor written again.

A cache that cannot be opened, was written by another format version, or holds a value that does not
decode is ignored (and replaced), never trusted. Deleting it gives the same output bytes.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sqlite3
from dataclasses import dataclass, fields
from datetime import date, datetime
from pathlib import Path
from typing import Any

from .content import Article, Image, SectionIndex, Source
from .errors import BuildError
from .markdown import StoryLink

FORMAT = "newsdigest-cache-4"
CACHE_DIR = ".newsdigest-cache"


def digest(*parts: bytes | str) -> str:
    h = hashlib.blake2b(digest_size=20)
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def _encode(value: Any) -> Any:
    """JSON-ready data: datetimes, dates and bytes tagged, dataclasses as field mappings."""
    if isinstance(value, bytes):
        return {"$b64": base64.b64encode(value).decode("ascii")}
    if isinstance(value, datetime):
        return {"$dt": value.isoformat()}
    if isinstance(value, date):
        return {"$d": value.isoformat()}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {"$map": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _encode(getattr(value, f.name)) for f in fields(value)}
    return value


def _decode_value(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode_value(v) for v in value]
    if isinstance(value, dict):
        if "$dt" in value:
            return datetime.fromisoformat(value["$dt"])
        if "$d" in value:
            return date.fromisoformat(value["$d"])
        if "$map" in value:
            return {_decode_value(k): _decode_value(v) for k, v in value["$map"]}
    return value


def encode_loaded(loaded: Article | SectionIndex | list[BuildError]) -> str:
    if isinstance(loaded, Article):
        kind, value = "article", _encode_article(loaded)
    else:
        kind, value = ("index" if isinstance(loaded, SectionIndex) else "errors"), _encode(loaded)
    return json.dumps({"kind": kind, "value": value}, ensure_ascii=False, separators=(",", ":"))


def _encode_article(article: Article) -> dict[str, Any]:
    """What ``_encode`` makes of an article, field by field: the generic walk was a second's work
    at 5,000 stories, in the process that also hands out the parsing."""
    raw = dict(vars(article))
    raw["date"] = {"$dt": article.date.isoformat()}
    raw["updated"] = {"$dt": article.updated.isoformat()} if article.updated else None
    raw["body_z"] = {"$b64": base64.b64encode(article.body_z).decode("ascii")}
    raw["tags"] = list(article.tags)
    raw["authors"] = list(article.authors)
    raw["source"] = vars(article.source) if article.source else None
    raw["image"] = vars(article.image) if article.image else None
    raw["params"] = _encode(article.params)
    raw["story_links"] = [vars(link) for link in article.story_links]
    raw["warnings"] = [vars(warning) for warning in article.warnings]
    return raw


def decode_loaded(text: str) -> Article | SectionIndex | list[BuildError]:
    """The inverse of ``encode_loaded``; raises on anything it does not recognise."""
    data = json.loads(text)
    value = data["value"]
    if data["kind"] == "errors":
        return [BuildError(**e) for e in value]
    if data["kind"] == "index":
        return SectionIndex(**value)
    if data["kind"] != "article":
        raise ValueError(f"unknown cached kind {data['kind']!r}")
    raw = dict(value)
    raw["date"] = datetime.fromisoformat(raw["date"]["$dt"])
    raw["updated"] = datetime.fromisoformat(raw["updated"]["$dt"]) if raw["updated"] else None
    raw["body_z"] = base64.b64decode(raw["body_z"]["$b64"])
    raw["tags"] = tuple(raw["tags"])
    raw["authors"] = tuple(raw["authors"])
    raw["source"] = Source(**raw["source"]) if raw["source"] else None
    raw["image"] = Image(**raw["image"]) if raw["image"] else None
    raw["params"] = _decode_value(raw["params"])
    raw["story_links"] = tuple(StoryLink(**s) for s in raw["story_links"])
    raw["warnings"] = tuple(BuildError(**w) for w in raw["warnings"])
    return Article(**raw)


def facts_of(loaded: Article | SectionIndex | list[BuildError]) -> tuple[str, float | None, bool]:
    """What deciding a story's visibility needs, kept beside it: its kind, date and draft flag."""
    if isinstance(loaded, Article):
        return "article", loaded.date.timestamp(), loaded.draft
    return ("index" if isinstance(loaded, SectionIndex) else "errors"), None, False


@dataclass(frozen=True)
class OutputRecord:
    job_key: str
    digest: str
    size: int
    mtime_ns: int


class Cache:
    """The on-disk memo. Every method degrades to "no cache" on any database problem."""

    def __init__(self, path: Path | None):
        self.db: sqlite3.Connection | None = None
        if path is None:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = self._open(path)
        except (OSError, sqlite3.Error):
            self.db = None

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        for attempt in range(2):
            try:
                db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")
                db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
                row = db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
                if row is None or row[0] != FORMAT:
                    db.executescript(
                        "DROP TABLE IF EXISTS articles; DROP TABLE IF EXISTS outputs; DROP TABLE IF EXISTS plans;"
                        "CREATE TABLE articles (key TEXT PRIMARY KEY, value TEXT NOT NULL,"
                        " kind TEXT, date_ts REAL, draft INTEGER);"
                        "CREATE TABLE outputs (out_dir TEXT, path TEXT, job_key TEXT, digest TEXT,"
                        " size INTEGER, mtime_ns INTEGER, PRIMARY KEY (out_dir, path));"
                        "CREATE TABLE plans (out_dir TEXT PRIMARY KEY, digest TEXT, summary TEXT);"
                    )
                    db.execute("INSERT OR REPLACE INTO meta VALUES ('format', ?)", (FORMAT,))
                return db
            except sqlite3.DatabaseError:
                if attempt:  # a second failure: give up on caching
                    raise
                for suffix in ("", "-wal", "-shm"):  # a corrupt or foreign file: start afresh
                    Path(f"{path}{suffix}").unlink(missing_ok=True)
        raise sqlite3.DatabaseError("unreachable")

    def articles(self, keys: list[str]) -> dict[str, Article | SectionIndex | list[BuildError]]:
        found: dict[str, Article | SectionIndex | list[BuildError]] = {}
        if self.db is None or not keys:
            return found
        try:
            for start in range(0, len(keys), 500):
                batch = keys[start:start + 500]
                marks = ",".join("?" * len(batch))
                for key, value in self.db.execute(f"SELECT key, value FROM articles WHERE key IN ({marks})", batch):
                    try:
                        found[key] = decode_loaded(value)
                    except (ValueError, KeyError, TypeError):
                        continue  # a value we do not understand is a miss
        except sqlite3.Error:
            return {}
        return found

    def put_articles(self, items: list[tuple[str, Article | SectionIndex | list[BuildError]]]) -> None:
        rows = []
        for key, loaded in items:
            kind, when, draft = facts_of(loaded)
            rows.append((key, encode_loaded(loaded), kind, when, int(draft)))
        self._write("INSERT OR REPLACE INTO articles VALUES (?, ?, ?, ?, ?)", rows)

    def article_facts(self, keys: list[str]) -> dict[str, tuple[str, float | None, bool]]:
        """Per story key: its kind, date and draft flag, without decoding the story."""
        facts: dict[str, tuple[str, float | None, bool]] = {}
        if self.db is None:
            return facts
        try:
            for start in range(0, len(keys), 500):
                batch = keys[start:start + 500]
                marks = ",".join("?" * len(batch))
                sql = f"SELECT key, kind, date_ts, draft FROM articles WHERE key IN ({marks})"
                for key, kind, when, draft in self.db.execute(sql, batch):
                    facts[key] = (kind, when, bool(draft))
        except sqlite3.Error:
            return {}
        return facts

    def plan(self, out_dir: str) -> tuple[str, str] | None:
        """The digest of the last complete build's inputs into ``out_dir``, and its summary."""
        if self.db is None:
            return None
        try:
            row = self.db.execute("SELECT digest, summary FROM plans WHERE out_dir = ?", (out_dir,)).fetchone()
        except sqlite3.Error:
            return None
        return (row[0], row[1]) if row else None

    def put_plan(self, out_dir: str, digest: str, summary: str) -> None:
        self._write("INSERT OR REPLACE INTO plans VALUES (?, ?, ?)", [(out_dir, digest, summary)])

    def forget_plan(self, out_dir: str) -> None:
        self._write("DELETE FROM plans WHERE out_dir = ?", [(out_dir,)])

    def outputs(self, out_dir: str) -> dict[str, OutputRecord]:
        """What the last build into ``out_dir`` wrote (a preview and a build keep separate records)."""
        if self.db is None:
            return {}
        try:
            rows = self.db.execute("SELECT path, job_key, digest, size, mtime_ns FROM outputs WHERE out_dir = ?",
                                   (out_dir,))
            return {path: OutputRecord(*rest) for path, *rest in rows}
        except (sqlite3.Error, TypeError):
            return {}

    def put_outputs(self, out_dir: str, records: dict[str, OutputRecord],
                    previous: dict[str, OutputRecord]) -> None:
        """Store this build's records, writing only the rows that differ from ``previous``."""
        if self.db is None:
            return
        try:
            self.db.execute("BEGIN")
            self.db.executemany("DELETE FROM outputs WHERE out_dir = ? AND path = ?",
                                [(out_dir, p) for p in previous if p not in records])
            self.db.executemany("INSERT OR REPLACE INTO outputs VALUES (?, ?, ?, ?, ?, ?)",
                                [(out_dir, p, r.job_key, r.digest, r.size, r.mtime_ns)
                                 for p, r in records.items() if previous.get(p) is not r and previous.get(p) != r])
            self.db.execute("COMMIT")
        except sqlite3.Error:
            self._rollback()

    def prune_articles(self, keep: set[str]) -> None:
        """Forget stories no longer in the site (old versions of edited files)."""
        if self.db is None:
            return
        try:
            stale = {k for (k,) in self.db.execute("SELECT key FROM articles") if k not in keep}
        except sqlite3.Error:
            return
        self.forget_articles(stale)

    def forget_articles(self, keys: set[str]) -> None:
        self._write("DELETE FROM articles WHERE key = ?", [(key,) for key in keys])

    def _write(self, sql: str, rows: list[tuple[str, ...]]) -> None:
        if self.db is None or not rows:
            return
        try:
            self.db.execute("BEGIN")
            self.db.executemany(sql, rows)
            self.db.execute("COMMIT")
        except sqlite3.Error:
            self._rollback()

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
