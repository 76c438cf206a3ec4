"""Everything a build may skip, behind one face: the build asks it, between stages, what it knows
and tells it what happened. No other module asks which memory it is.

Two kinds, one face: ``Memory()`` (the command line: a fresh one per build, backed by the SQLite
store in ``.newsdigest-cache/``, or by nothing with ``--no-cache``) and ``Memory.lasting()`` (the
preview: one for the life of the process, which also keeps what the last build in it left, kept.py).
Either way a build gives the same bytes: a memory only lets it skip work.

The questions, in the order a build asks them:

- ``listing`` and ``file_keys``: which story files there are and each one's content key;
- ``unchanged``: are the inputs those of the last build into this folder, its files all still there?
- ``stories``: which of these files (by key) do you know?
- ``outline`` and ``kept_plan``: is the plan of the last build still good but for some bodies?
- ``records`` and ``kept_keys``: what was written last time, and which job keys still hold?

and what it is told: ``learn`` (stories parsed), ``read_done``, ``keep_plan``, ``written``,
``remember_plan``.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from . import history, lastbuild, sitefiles
from .cache import CACHE_DIR, Cache, OutputRecord
from .content import MAX_STORY_BYTES, Article, Loaded, SectionIndex, discover, too_large
from .errors import BuildError, Unreadable, shown_path
from .kept import FileStat, Kept, KeptPlan, body_refs, with_changes
from .keys import code_version, content_key, moment_state, outline
from .options import Options, Result
from .record import story_paths
from .site import Asset, Job, Site
from .sitefiles import Fence

if TYPE_CHECKING:
    from .planning import Plan
    from .scanning import Scan

SETTLED_NS = 2_000_000_000  # a file's stat is trusted by a lasting memory once it is this old


@dataclass(frozen=True)
class Listing:
    """content/ as listed: story files, other files (page bundles' pictures), the errors met, and the
    story files the caller said changed since the last build (None: any may have)."""

    stories: list[str]
    others: list[str]
    errors: list[BuildError]
    changed: set[str] | None


class Memory:
    """What a build may skip. The store is open only during a build (``opened``)."""

    def __init__(self, kept: Kept | None = None):
        self._kept = kept
        self.store: Cache | None = None

    @classmethod
    def lasting(cls) -> Memory:
        """A memory for a process that builds again and again: it keeps what each build leaves."""
        return cls(Kept())

    @contextlib.contextmanager
    def opened(self, options: Options) -> Iterator[Memory]:
        """The store opened for one build (none with ``options.cache`` False)."""
        self.store = Cache(options.site_dir / CACHE_DIR / "cache.sqlite") if options.cache else None
        try:
            yield self
        finally:
            store, self.store = self.store, None
            if store:
                store.close()

    @property
    def changed(self) -> set[str] | None:
        """The story files the caller's file watcher said changed since the last build (None: any
        may have). For the next build only: a retry or the one after looks at every file again.
        Only a lasting memory is told; a fresh one has no last build in this process."""
        return self._kept.changed if self._kept is not None else None

    @changed.setter
    def changed(self, rels: set[str] | None) -> None:
        if self._kept is not None:
            self._kept.changed = rels

    def trouble(self, site_dir: Path) -> list[BuildError]:
        """A warning when the store could not be used (locked, read-only, not a folder): the build is
        the same without it, only slower."""
        if self.store is None or not self.store.trouble:
            return []
        return [
            BuildError(
                shown_path(site_dir / CACHE_DIR),
                1,
                f"the build's cache cannot be used ({self.store.trouble}); building without it, which is slower",
            )
        ]

    # -- scan ------------------------------------------------------------------------------

    def listing(self, content_dir: Path, fence: Fence) -> Listing:
        """content/'s files. Told what changed (``changed``), the last listing is reused."""
        kept = self._kept
        changed = kept.changed if kept is not None and kept.files is not None else None
        if kept is not None:
            kept.changed = None  # told for this build only
        if changed is not None and kept is not None and kept.files is not None:
            return Listing(*with_changes(kept.files, changed, content_dir), [], changed)
        return Listing(*discover(content_dir, shown_path(content_dir), fence), None)

    def file_keys(
        self, content_dir: Path, listed: Listing, config_key: str, fence: Fence
    ) -> tuple[dict[str, str], list[BuildError]]:
        """Each story file's content key, and an error for each file that is no site file or cannot
        be read. A lasting memory does not read a file whose settled stat is the one it knew."""
        changed = listed.changed
        kept = self._kept
        known_stats = kept.stats if kept is not None else {}
        keys: dict[str, str] = {}
        stats: dict[str, FileStat] = {}
        errors: list[BuildError] = []
        started = time.time_ns()
        for rel in listed.stories:
            try:
                if kept is not None:
                    known = known_stats.get(rel)
                    if known and known.config_key == config_key and changed is not None and rel not in changed:
                        keys[rel], stats[rel] = known.key, known
                        continue
                    stat = os.stat(f"{content_dir}/{rel}")
                    if known and (known.size, known.mtime_ns, known.config_key) == (stat.st_size, stat.st_mtime_ns, config_key):
                        keys[rel], stats[rel] = known.key, known
                        continue
                data = sitefiles.read_bytes(f"{content_dir}/{rel}", fence, MAX_STORY_BYTES)
                keys[rel] = content_key(config_key, rel, data)
                # A file changed within the last seconds may change again within one tick of the clock
                # that stamps it (same size, same time): trust its stat only once it has settled.
                if kept is not None and stat.st_mtime_ns < started - SETTLED_NS:
                    stats[rel] = FileStat(stat.st_size, stat.st_mtime_ns, config_key, keys[rel])
            except (OSError, sitefiles.TooLarge, sitefiles.NotASiteFile) as exc:
                errors += _unreadable(content_dir, rel, fence, exc)
        if kept is not None:  # a listing that found problems is not reused: the next build lists again
            kept.stats, kept.files = stats, (listed.stories, listed.others) if not listed.errors else None
        return keys, errors

    # -- nothing changed? ------------------------------------------------------------------

    def unchanged(self, options: Options, scanned: Scan) -> Result | None:
        """When the plan's inputs are those of the last build into this folder and every file it wrote
        is still there as written, nothing needs reading, modelling or rendering: only static files are
        compared. None when anything differs (then the full build runs). A lasting memory answers
        with its kept plan instead, as fast; its first build fills it."""
        store = self.store
        if store is None or self._kept is not None or scanned.errors:
            return None
        return lastbuild.unchanged(store, options, scanned)

    # -- reading ---------------------------------------------------------------------------

    def stories(self, keys: dict[str, str], shown_dir: str) -> dict[str, Loaded]:
        """The stories (or their errors) known by content key: kept in this process, else from the
        store, whose row is only taken for the file it was read from, shown as this build shows it."""
        kept = self._kept
        found = {key: kept.loaded[key] for key in keys.values() if key in kept.loaded} if kept is not None else {}
        if self.store:
            found.update(self.store.articles({key: f"{shown_dir}/{rel}" for rel, key in keys.items() if key not in found}))
        return found

    def learn(self, fresh: list[tuple[str, Loaded]]) -> None:
        """Stories just parsed, by content key (told as they come, so the stored text never piles up)."""
        if self.store:
            self.store.put_articles(fresh)

    def read_done(self, found: dict[str, Loaded], current: set[str], parsed: bool) -> None:
        """Every story of this build is ``found`` (``current``: their keys; ``parsed``: some were not
        known): the versions no longer in the site are forgotten."""
        kept = self._kept
        if self.store and parsed:
            if kept is not None and kept.loaded:  # the versions this process saw replaced
                self.store.forget_articles(kept.loaded.keys() - current)
            else:
                self.store.prune_articles(current)
        if kept is not None:
            kept.loaded = {key: found[key] for key in current if not isinstance(found[key], Unreadable)}

    def remember_revisions(self, site: Site, languages: tuple[str, ...], content_dir: Path, fence: Fence) -> None:
        """The text a translation was made from, for the desk's "what changed" (history.py)."""
        if self.store:
            published = [story.article for stories in site.stories.values() for story in stories]
            history.remember(*history.revision_pairs(published, languages), self.store, content_dir, fence)

    def story_urls(self, out_dir: Path) -> dict[str, str]:
        """Each story file's URL after the last build into ``out_dir`` (for record.moved_urls)."""
        return self.store.story_urls(str(out_dir.resolve())) if self.store else {}

    # -- the plan --------------------------------------------------------------------------

    def outline(self, options: Options, scanned: Scan, articles: list[Article], indexes: list[SectionIndex], stale: str) -> str:
        """The digest of everything the model and plan are made of except the stories' bodies (and so
        their revisions: ``stale`` says which translations the bodies make stale)."""
        parts = (
            code_version(),
            repr(scanned.config),
            repr(sorted(scanned.strings.items())),
            scanned.layouts.version,
            scanned.files,
            options.drafts,
            options.future,
            stale,
        )
        moment = scanned.now.timestamp()
        kept = self._kept
        digest, outlines = outline(
            parts,
            articles,
            indexes,
            lambda when, draft: moment_state(when, draft, options, moment),
            kept.outlines if kept is not None else {},
        )
        if kept is not None:
            kept.outlines = outlines
        return digest

    def kept_plan(self, outline: str) -> KeptPlan | None:
        """The last plan in this process, if its outline is this one: only stories' bodies changed."""
        plan = self._kept.plan if self._kept is not None else None
        return plan if plan is not None and outline and plan.outline == outline else None

    def keep_plan(
        self, plan: KeptPlan | None = None, *, made: tuple[str, Site, list[Job], list[Asset], dict[str, Article]] | None = None
    ) -> None:
        """Told the plan this build made (``made``: outline, model, jobs, assets and stories, from which
        the plan to keep is made) or kept (``plan``); neither: there is none to keep."""
        if self._kept is None:
            return
        if made is not None:
            outline_, site, jobs, assets, articles = made
            plan = KeptPlan(outline_, site, jobs, assets, articles, body_refs(site, jobs))
        self._kept.plan = plan

    def last_plan(self) -> KeptPlan | None:
        """The plan of the last build in this process (the preview's translation desk reads it)."""
        return self._kept.plan if self._kept is not None else None

    # -- rendering and writing -------------------------------------------------------------

    def records(self, out_dir: Path) -> tuple[dict[str, OutputRecord], bool]:
        """What the last build into ``out_dir`` wrote; and whether the records are trusted: a lasting
        memory's are its own, of a folder nobody else writes, and need no second look."""
        kept = self._kept
        if kept is not None and kept.records is not None:
            return kept.records, True
        return (self.store.outputs(str(out_dir.resolve())) if self.store else {}), False

    def kept_keys(self, out_dir: Path, scanned: Scan, planned: Plan, records: dict[str, OutputRecord]) -> dict[str, str]:
        """Job keys of the last build into ``out_dir`` that still hold (output path -> key). When only
        stories' bodies changed since (the same outline), every job but those carrying a changed body
        has the key it had, and working out 13,000 keys again would take longer than the rest of such
        a build. Then the remembered plan is forgotten: it describes the records, which are about to
        change (and it comes back with them, ``remember_plan``)."""
        kept, store = self._kept, self.store
        if kept is not None:
            known = kept.plan.keys if kept.plan is not None else {}
        else:
            known = lastbuild.kept_keys(store, out_dir, scanned, planned, records) if store and records else {}
        if store:
            store.forget_plan(str(out_dir.resolve()))
        return known

    def produced(self) -> set[str] | None:
        """Every file the last build in this process left in the output folder (None: not known)."""
        return self._kept.produced if self._kept is not None else None

    def written(
        self, out_dir: Path, records: dict[str, OutputRecord], previous: dict[str, OutputRecord], produced: set[str], site: Site
    ) -> None:
        """Told what this build's output holds: its records, every file in it, the stories' URLs."""
        if self.store:
            self.store.put_outputs(str(out_dir.resolve()), records, previous)
            self.store.put_story_urls(str(out_dir.resolve()), story_paths(site))  # what the next build compares with
        kept = self._kept
        if kept is not None:
            kept.records, kept.produced = records, produced
            if kept.plan is not None:
                kept.plan.keys = {path: record.job_key for path, record in records.items()}

    def remember_plan(self, options: Options, scanned: Scan, planned: Plan, result: Result) -> None:
        """What the next build into this folder compares with: the inputs' digest (nothing changed?),
        the outline and each file's content key (did only some stories' bodies change?), and a digest
        of the output records as stored, which it holds for (a record dropped since is a change). A
        lasting memory keeps its own plan instead."""
        store = self.store
        if store is None or self._kept is not None:
            return
        lastbuild.remember(store, options, scanned, planned, result)


def _unreadable(content_dir: Path, rel: str, fence: Fence, exc: Exception) -> list[BuildError]:
    """The error of a story file that could not be keyed (none when it is simply gone)."""
    shown = f"{shown_path(content_dir)}/{rel}"
    if isinstance(exc, FileNotFoundError):  # deleted since we listed it (an editor's rename-on-save)
        problem = sitefiles.check(content_dir / rel, fence)  # or a link to nothing
        return [BuildError(shown, 1, problem)] if problem else []
    if isinstance(exc, sitefiles.TooLarge):  # never read whole: the same error as load's
        return [too_large(shown, exc.size)]
    if isinstance(exc, sitefiles.NotASiteFile):
        return [BuildError(shown, 1, str(exc))]
    # permission denied, an I/O error, os.stat of a link loop: the file is named
    return [BuildError(shown, 1, f"cannot be read: {getattr(exc, 'strerror', None) or exc}")]
