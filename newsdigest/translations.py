"""The translation desk's rules: a story's revision, who is the original in a pair, when a translation is stale.

Pure functions over stories (an ``Article``, or the desk's light ``Entry`` read from the cache): the
model uses them for the pages' notices and the build's warnings, the ``translations`` report
(report.py) for its counts and work list. See docs/translations.md.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol, TypeVar

from .errors import BuildError

REVISION_LENGTH = 12
_RAW_TRANSLATED_FROM = re.compile(r"^translated_from[ \t]*:[ \t]*(['\"]?)([^'\"#\s]*)\1", re.MULTILINE)


def normalized(text: str) -> str:
    """NFC; CRLF turned into LF; trailing whitespace stripped from every line; leading and trailing
    blank lines dropped: the form a revision is taken of (so an editor's line endings, Unicode form
    or stray spaces do not make a new revision)."""
    lines = [line.rstrip() for line in unicodedata.normalize("NFC", text).replace("\r\n", "\n").split("\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines)


def revision_text(title: str, summary: str, body: str) -> str:
    """What a revision is the digest of: title, a newline, summary, a newline, body, each normalized."""
    return f"{normalized(title)}\n{normalized(summary)}\n{normalized(body)}"


def revision(title: str, summary: str, body: str) -> str:
    """The first 12 hex digits of the SHA-256 of ``revision_text``'s UTF-8."""
    data = revision_text(title, summary, body).encode("utf-8", "surrogatepass")
    return hashlib.sha256(data).hexdigest()[:REVISION_LENGTH]


def digest_of_text(text: str) -> str:
    """The revision of a text made by ``revision_text`` (a remembered version checks itself with it)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:REVISION_LENGTH]


def scalar_text(value: Any) -> str:
    """A front-matter scalar as the text a revision takes: ``title: 1984`` is ``1984``; none is empty."""
    if value is None or isinstance(value, (list, dict)):
        return ""
    return str(value)


def translated_from_value(meta: dict[str, Any], front: str) -> str | None:
    """``translated_from`` as written: None when absent. YAML reads an all-digit revision as a number
    (``012345670123`` even as octal), so anything but text is taken from the line itself."""
    if "translated_from" not in meta:
        return None
    value = meta["translated_from"]
    if isinstance(value, str):
        return value.strip()
    match = _RAW_TRANSLATED_FROM.search(front)
    return match.group(2) if match else scalar_text(value).strip()


class Version(Protocol):
    """What the rules read of a story: an ``Article``, or the report's ``Entry``."""

    path: str
    rel: str
    lang: str
    key: str
    date: datetime
    updated: datetime | None
    revision: str
    translated_from: str | None
    translated_line: int


V = TypeVar("V", bound=Version)


def original_of(group: Sequence[V], languages: Sequence[str]) -> V:
    """The original among a story's versions: the one without ``translated_from``. When none or
    several lack it, the one in the site's earliest language (its default language first)."""
    order = {lang: i for i, lang in enumerate(languages)}
    untranslated = [v for v in group if v.translated_from is None] or list(group)
    return min(untranslated, key=lambda v: (order.get(v.lang, len(order)), v.rel))


def changed_at(version: Version) -> datetime:
    """When a story last changed, as far as its front matter says: ``updated``, else ``date``."""
    return version.updated or version.date


def is_stale(translation: Version, original: Version) -> bool:
    """Stale: its ``translated_from`` is not the original's revision now; or, without one, the
    original changed (``updated`` else ``date``) later than the translation did."""
    if translation.translated_from is not None:
        return translation.translated_from != original.revision
    return changed_at(original) > changed_at(translation)


@dataclass(frozen=True)
class Staleness:
    """A stale translation and what its page and warning say about its original."""

    original_path: str
    original_rel: str
    original_lang: str
    original_revision: str
    translated_from: str | None
    changed: datetime  # the original's updated, else date
    own_changed: datetime  # the translation's updated, else date


def staleness(translation: Version, original: Version) -> Staleness | None:
    if translation is original or not is_stale(translation, original):
        return None
    return Staleness(
        original.path,
        original.rel,
        original.lang,
        original.revision,
        translation.translated_from,
        changed_at(original),
        changed_at(translation),
    )


def stale_warning(path: str, line: int, stale: Staleness, mark_hint: str = "") -> BuildError:
    """``path:line: translation is older than its original …``, naming what differs."""
    if stale.translated_from is None:
        why = f"the original was changed {stale.changed.isoformat()}, this translation {stale.own_changed.isoformat()}"
    elif not stale.translated_from:
        why = f"translated_from is empty; the original's revision is {stale.original_revision}"
    else:
        why = f"translated from revision {stale.translated_from}, the original is now {stale.original_revision}"
    hint = (
        f'update it, then set translated_from: "{stale.original_revision}" or run'
        f" python build.py translations --mark {mark_hint or path}"
    )
    return BuildError(path, line, f"translation is older than its original {stale.original_path}: {why}", hint)


def groups(versions: Iterable[V]) -> dict[str, dict[str, V]]:
    """Versions by translation key, then language (the first of a language wins: a second one is
    the model's error, which stops the build)."""
    found: dict[str, dict[str, V]] = {}
    for version in versions:
        found.setdefault(version.key, {}).setdefault(version.lang, version)
    return found


def review(versions: Iterable[Version], languages: Sequence[str]) -> tuple[str, list[BuildError]]:
    """The desk's warnings for the published stories: every stale translation, every story whose
    versions all say they are translations. And a digest of which translations are stale, for the
    build's outline: a body edit that leaves it unchanged changes no other page."""
    warnings: list[BuildError] = []
    stale_ones: list[str] = []
    for group in groups(versions).values():
        if len(group) < 2:
            continue
        original = original_of(list(group.values()), languages)
        for version in group.values():
            found = staleness(version, original)
            if found is not None:
                stale_ones.append(version.rel)
                warnings.append(stale_warning(version.path, version.translated_line, found))
        warnings += pair_warnings(group, languages)
    stale_ones.sort()
    return hashlib.blake2b("\n".join(stale_ones).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest(), warnings


def pair_warnings(group: dict[str, V], languages: Sequence[str]) -> list[BuildError]:
    """Every version of a story says it is a translation: the one taken as the original is named."""
    if len(group) < 2 or any(v.translated_from is None for v in group.values()):
        return []
    original = original_of(list(group.values()), languages)
    return [
        BuildError(
            original.path,
            original.translated_line,
            "translated_from: every version of this story says it is a translation; this one is taken as the original",
            "remove translated_from from the original",
        )
    ]
