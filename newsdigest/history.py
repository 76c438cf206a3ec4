"""What changed in an original since a translation was made: its earlier revisions' text, from the
cache or from git, and the paragraphs that differ. When neither knows the revision, it says so.
"""

from __future__ import annotations

import difflib
import re
import shutil
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import sitefiles
from .cache import Cache
from .content import split_front_matter
from .sitefiles import Fence
from .translations import Version, digest_of_text, groups, is_stale, original_of, revision_text, scalar_text
from .yamlfm import load_yaml

GIT_COMMITS = 200  # how far back git history is searched for a revision
GIT_TIMEOUT = 10.0


@dataclass(frozen=True)
class Changes:
    """The original's paragraphs removed (``-``) and added (``+``) since revision ``base``."""

    known: bool
    base: str
    source: str = ""  # "cache", or "git <commit>"
    paragraphs: tuple[tuple[str, str], ...] = ()
    reason: str = ""  # why it cannot be known

    def as_json(self) -> dict[str, Any]:
        if not self.known:
            return {"known": False, "base": self.base, "reason": self.reason}
        return {
            "known": True,
            "base": self.base,
            "source": self.source,
            "paragraphs": [{"change": sign, "text": text} for sign, text in self.paragraphs],
        }


def text_of_file(raw: bytes) -> str | None:
    """A story file's revision text (title, summary, body as the revision takes them), or None when
    the file cannot be read as a story."""
    try:
        text = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError:
        return None
    split = split_front_matter(text)
    if isinstance(split, str):
        return None
    try:
        meta = load_yaml(split[0]) if split[0].strip() else {}
    except yaml.YAMLError:
        return None
    if not isinstance(meta, dict):
        return None
    return revision_text(scalar_text(meta.get("title")), scalar_text(meta.get("summary")), split[1])


def paragraphs(text: str) -> list[str]:
    """A revision text as the paragraphs a diff compares: the title, the summary, the body's blocks."""
    title, _, rest = text.partition("\n")
    summary, _, body = rest.partition("\n")
    blocks = [b.strip("\n") for b in re.split(r"\n[ \t]*\n", body) if b.strip()]
    return [f"title: {title}"] + ([f"summary: {summary}"] if summary else []) + blocks


def diff(old: str, new: str) -> tuple[tuple[str, str], ...]:
    """The paragraphs of ``new`` that are not in ``old`` (``+``) and those of ``old`` gone (``-``)."""
    a, b = paragraphs(old), paragraphs(new)
    out: list[tuple[str, str]] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag != "equal":
            out += [("-", p) for p in a[i1:i2]] + [("+", p) for p in b[j1:j2]]
    return tuple(out)


def remember(
    current: Iterable[tuple[str, str]], referenced: Iterable[tuple[str, str]], cache: Cache, content_dir: Path, fence: Fence
) -> None:
    """Keep the text of each (original's file, revision) an up-to-date translation was made from,
    while the file still has it (``current``), so that when the original changes the desk can show
    what changed; and mark as still wanted the older ones stale translations refer to."""
    wanted = sorted(set(current))
    if cache.db is None:
        return
    known = cache.known_revisions(wanted)
    rows = []
    for rel, rev in wanted:
        if (rel, rev) in known:
            continue
        try:
            text = text_of_file(sitefiles.read_bytes(content_dir / rel, fence))
        except (OSError, sitefiles.NotASiteFile):
            continue
        if text is not None and digest_of_text(text) == rev:
            rows.append((rel, rev, text))
    cache.put_revisions(rows, touched=sorted(known | set(referenced)))


def revision_pairs(versions: Iterable[Version], languages: Sequence[str]) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """For ``remember``: the (original's file, revision) of every up-to-date translation with
    ``translated_from``, and the (original's file, translated_from) of every stale one."""
    current, referenced = [], []
    for group in groups(versions).values():
        original = original_of(list(group.values()), languages)
        for version in group.values():
            if version is not original and version.translated_from:
                (referenced if is_stale(version, original) else current).append((original.rel, version.translated_from))
    return current, referenced


def _git(args: list[str], cwd: Path) -> bytes | None:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, timeout=GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout if done.returncode == 0 else None


def from_git(path: Path, rev: str) -> tuple[str, str] | None:
    """The text of ``path`` at revision ``rev`` and the commit that has it, searched in the last
    commits that touched the file; None without git, outside a work tree, or when none has it."""
    if shutil.which("git") is None or not path.parent.is_dir():
        return None
    top = _git(["rev-parse", "--show-toplevel"], path.parent)
    if top is None:
        return None
    root = Path(top.decode("utf-8", "replace").strip())
    try:
        rel = path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return None
    log = _git(["log", f"-n{GIT_COMMITS}", "--format=%H", "--", rel], root)
    for commit in (log or b"").decode("ascii", "replace").split():
        blob = _git(["show", f"{commit}:{rel}"], root)
        text = text_of_file(blob) if blob is not None else None
        if text is not None and digest_of_text(text) == rev:
            return text, commit[:12]
    return None


def what_changed(original: Path, rel: str, base: str, cache: Cache | None, fence: Fence) -> Changes:
    """The original's changes since revision ``base``, from the cache, else git; or why not known."""
    if not base:
        return Changes(False, base, reason="translated_from is empty")
    try:
        now = text_of_file(sitefiles.read_bytes(original, fence))
    except (OSError, sitefiles.NotASiteFile):
        now = None
    if now is None:
        return Changes(False, base, reason=f"{original} cannot be read")
    old = cache.revision_text(rel, base) if cache is not None else None
    if old is not None and digest_of_text(old) == base:
        return Changes(True, base, "cache", diff(old, now))
    found = from_git(original, base)
    if found is not None:
        return Changes(True, base, f"git {found[1]}", diff(found[0], now))
    return Changes(False, base, reason=f"revision {base} is neither in the cache nor in the git history")
