"""What a long-lived process (the preview server) keeps between builds, so that saving one story
costs what that story touches, not a walk over the whole archive.

It is memoisation inside the one ``build()``, never a second way of building: every stage still
runs, and takes its previous result when its inputs are the same. A build with a Memo gives the same
bytes as one without (the tests compare them).

- ``stats``: a file whose size and modification time did not change is not read and hashed again.
  (In one process only; the on-disk cache never trusts timestamps.) When the caller says which
  story files changed (``changed``, from its file watcher), the others are not even looked at.
- ``loaded``: stories as loaded, by content key, so they are not decoded from the cache again.
- ``plan``: the model and plan of the last build, keyed by a digest of everything they are made of
  except story bodies. When only bodies changed — the usual save — the old plan is kept and the
  changed bodies are put into the pages and feeds that carry them; every other job keeps its key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

from .cache import OutputRecord
from .content import Article, Loaded, SectionIndex, pack
from .feeds import Feed, absolute_body
from .photos import Picture
from .site import Asset, Job, Site, StoryPage, resolve_story_links

# A revision follows from the body (and the title and summary, which are in the outline already):
# which translations it makes stale is digested into the outline instead (translations.review).
_SKELETON_FIELDS = tuple(f.name for f in fields(Article) if f.name not in ("body_z", "revision"))


@dataclass
class PlanMemo:
    skeleton: str
    site: Site
    jobs: list[Job]
    assets: list[Asset]
    articles: dict[str, Article]  # content path -> the article as loaded (before its links were resolved)
    refs: dict[str, list[int]]  # content path -> the jobs that carry its body
    keys: dict[str, str] = field(default_factory=dict)  # output path -> job key, once rendered
    urls: dict[str, str] = field(default_factory=dict)  # content path -> the story's URL

    def __post_init__(self) -> None:
        self.urls = self.urls or {s.article.rel: s.teaser.url for stories in self.site.stories.values() for s in stories}


@dataclass
class Memo:
    stats: dict[str, tuple[int, int, str, str]] = field(default_factory=dict)  # path -> size, mtime, config, key
    files: tuple[list[str], list[str]] | None = None  # content/ as the last build found it: stories, others
    changed: set[str] | None = None  # story files changed since the last build, if the caller knows; used once
    loaded: dict[str, Loaded] = field(default_factory=dict)  # content key -> as loaded
    plan: PlanMemo | None = None
    records: dict[str, OutputRecord] | None = None  # the output records, as the cache holds them
    produced: set[str] | None = None  # every file the last build left in the output folder
    outlines: dict[int, tuple[Article, bytes, float]] = field(default_factory=dict)  # a story's digest without its body, its time


def skeleton(
    parts: tuple[Any, ...],
    articles: list[Article],
    indexes: list[SectionIndex],
    state_of: Callable[[float, bool], str],
    memo: Memo | None = None,
) -> str:
    """A digest of the model's inputs without the stories' bodies (``parts``: settings, strings,
    templates, code; ``state_of``: what the build's moment makes of a story, from its time and draft
    flag). With a memo, a story kept from the last build (the same object) is not digested again."""
    h = hashlib.blake2b(repr(parts).encode(), digest_size=20)
    known_outlines = memo.outlines if memo is not None else {}
    outlines: dict[int, tuple[Article, bytes, float]] = {}
    for article in articles:
        known = known_outlines.get(id(article))
        if known is None or known[0] is not article:
            fields_repr = repr(tuple(getattr(article, name) for name in _SKELETON_FIELDS))
            known = (
                article,
                hashlib.blake2b(fields_repr.encode("utf-8", "surrogatepass"), digest_size=16).digest(),
                article.date.timestamp(),
            )
        outlines[id(article)] = known
        h.update(known[1] + state_of(known[2], article.draft).encode())
    if memo is not None:
        memo.outlines = outlines
    for index in indexes:
        h.update(repr(index).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def body_refs(site: Site, jobs: list[Job], only: set[str] | None = None) -> dict[str, list[int]]:
    """For each story (or each of ``only``), the jobs whose output holds its body: its page, and
    feeds with full text. Nothing else shows a body: all the rest comes from the outline."""
    rel_of = {story.teaser.url: story.article.rel for stories in site.stories.values() for story in stories}
    refs: dict[str, list[int]] = {}
    for index, job in enumerate(jobs):
        page, feed = job.context.get("page"), job.context.get("feed")
        if isinstance(page, StoryPage) and (only is None or page.story.rel in only):
            refs.setdefault(page.story.rel, []).append(index)
        if isinstance(feed, Feed):
            for item in feed.items:
                if item.body_z and (only is None or rel_of[item.teaser.url] in only):
                    refs.setdefault(rel_of[item.teaser.url], []).append(index)
    return refs


def with_new_bodies(
    memo: PlanMemo, articles: list[Article], languages: tuple[str, ...], pictures: dict[tuple[str, str], Picture] | None = None
) -> tuple[list[Job], set[str]]:
    """The last plan with the changed stories' bodies put in; and the output paths that changed."""
    kept = memo.articles  # an unchanged story is the very object the memo loaded last time
    changed = {a.rel: a for a in articles if a is not kept[a.rel] and a.body_z != kept[a.rel].body_z}
    if not changed:
        return memo.jobs, set()
    urls = memo.urls
    by_rel = {a.rel: a for a in articles} if any(a.story_links for a in changed.values()) else {}
    resolved = {rel: resolve_story_links(a, by_rel, urls, languages, pictures)[0] for rel, a in changed.items()}
    bodies = {urls[rel]: a for rel, a in resolved.items()}
    jobs = list(memo.jobs)
    indices = sorted({index for rel in changed for index in memo.refs.get(rel, [])})
    new_contexts: dict[int, dict[str, Any]] = {}  # an RSS and a JSON feed share their context
    for index in indices:
        job = memo.jobs[index]
        context = new_contexts.get(id(job.context))
        if context is None:
            context = dict(job.context)
            page, feed = context.get("page"), context.get("feed")
            if isinstance(page, StoryPage) and page.story.rel in resolved:
                context["page"] = replace(page, story=resolved[page.story.rel])
            if isinstance(feed, Feed):
                context["feed"] = replace(
                    feed,
                    items=tuple(
                        replace(item, body_z=pack(absolute_body(bodies[item.teaser.url].body_html, item.teaser.abs_url)))
                        if item.body_z and item.teaser.url in bodies
                        else item
                        for item in feed.items
                    ),
                )
            new_contexts[id(job.context)] = context
        jobs[index] = replace(job, context=context)
    return jobs, {jobs[index].out_path for index in indices}
