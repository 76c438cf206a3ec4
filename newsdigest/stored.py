"""What the cache stores, as text and back: a story as read (or its errors), a remembered plan and
output records; each decoded value checked for its shape and for the file it claims to be read from."""

from __future__ import annotations

import base64
import hashlib
import json
import math
from dataclasses import dataclass, fields
from datetime import date, datetime
from typing import Any, NamedTuple

from .content import Article, Image, SectionIndex, Source
from .errors import BuildError
from .markdown import BodyImage, StoryLink
from .record import Correction
from .shapes import conforms


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
    raw["images"] = [vars(image) for image in article.images]
    raw["warnings"] = [vars(warning) for warning in article.warnings]
    raw["aliases"] = list(article.aliases)
    raw["corrections"] = [[c.date.isoformat(), c.text] for c in article.corrections]
    return raw


def decode_loaded(text: str, shown: str | None = None) -> Article | SectionIndex | list[BuildError]:
    """The inverse of ``encode_loaded``; raises on anything it does not recognise, on a value of
    the wrong shape, and (given ``shown``) on one read from another file than the one shown so."""
    loaded = _decode(json.loads(text))
    if isinstance(loaded, list):
        ok = bool(loaded) and all(conforms(e, BuildError) and shown in (None, e.path) for e in loaded)
    else:
        ok = conforms(loaded, type(loaded)) and shown in (None, loaded.path)
    if not ok:
        raise ValueError("a cached value that is not what reading its file gives")
    return loaded


def _decode(data: dict[str, Any]) -> Article | SectionIndex | list[BuildError]:
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
    raw["body_z"] = base64.b64decode(raw["body_z"]["$b64"], validate=True)
    raw["tags"] = tuple(raw["tags"])
    raw["authors"] = tuple(raw["authors"])
    raw["source"] = Source(**raw["source"]) if raw["source"] else None
    raw["image"] = Image(**raw["image"]) if raw["image"] else None
    raw["params"] = _decode_value(raw["params"])
    raw["story_links"] = tuple(StoryLink(**s) for s in raw["story_links"])
    raw["images"] = tuple(BodyImage(**i) for i in raw.get("images", ()))
    raw["warnings"] = tuple(BuildError(**w) for w in raw["warnings"])
    raw["aliases"] = tuple(raw["aliases"])
    raw["corrections"] = tuple(Correction(datetime.fromisoformat(when), text) for when, text in raw["corrections"])
    return Article(**raw)


class StoryFacts(NamedTuple):
    """What deciding a story's visibility needs, kept beside it in the store."""

    kind: str  # "article", "index" (a section's _index) or "errors"
    when: float | None  # an article's date, as a timestamp
    draft: bool


def facts_of(loaded: Article | SectionIndex | list[BuildError]) -> StoryFacts:
    """A story's kind, date and draft flag."""
    if isinstance(loaded, Article):
        return StoryFacts("article", loaded.date.timestamp(), loaded.draft)
    return StoryFacts("index" if isinstance(loaded, SectionIndex) else "errors", None, False)


def facts_ok(kind: object, when: object, draft: object) -> bool:
    if kind == "article":
        return type(when) is float and math.isfinite(when) and draft in (0, 1) and type(draft) is int
    return kind in ("index", "errors") and when is None and draft == 0 and type(draft) is int


def row_check(table: str, *parts: object) -> str:
    """The check a row carries: a digest of its table, its key and its values, in order. (The types
    of the values are checked apart: a size of "12" and one of 12 have the same check.)"""
    text = "\0".join([table, *map(str, parts)])
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass(frozen=True)
class OutputRecord:
    """What the last build wrote to one output path: the key of the job that made it, and the
    digest, size and time of the file. Trusted only while the file's size and time are these."""

    job_key: str
    digest: str
    size: int
    mtime_ns: int


def records_digest(records: dict[str, OutputRecord]) -> str:
    """One digest of a whole set of output records: a remembered plan names the records it goes with."""
    h = hashlib.blake2b(digest_size=20)
    for path in sorted(records):
        record = records[path]
        h.update(
            f"{path}\0{record.job_key}\0{record.digest}\0{record.size}\0{record.mtime_ns}\n".encode("utf-8", "surrogatepass")
        )
    return h.hexdigest()


@dataclass(frozen=True)
class RememberedPlan:
    """What the last complete build into one output folder left for the next to compare with."""

    inputs: str  # the digest of everything its plan was made from (lastbuild._inputs_digest)
    stories: dict[str, int]
    pages: int
    feeds: int
    warnings: tuple[BuildError, ...]
    # (source, output path, the source's size and time, the copy's size and time as committed; -1: unknown)
    assets: tuple[tuple[str, str, int, int, int, int], ...]
    outline: str  # everything but the stories' bodies (keys.outline)
    content: dict[str, str]  # content/ path -> content key
    records: str  # records_digest of the output records it goes with


def encode_plan(plan: RememberedPlan) -> str:
    data = {f.name: getattr(plan, f.name) for f in fields(plan) if f.name != "inputs"}
    data["warnings"] = [[w.path, w.line, w.message, w.hint] for w in plan.warnings]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def decode_plan(inputs: str, summary: str) -> RememberedPlan | None:
    try:
        data = json.loads(summary)
        data["warnings"] = tuple(BuildError(*w) for w in data["warnings"])
        data["assets"] = tuple(tuple(a) for a in data["assets"])
        plan = RememberedPlan(inputs=inputs, **data)
    except (ValueError, KeyError, TypeError):
        return None
    return plan if conforms(plan, RememberedPlan) else None
