"""What a long-lived process (the preview server) keeps between builds, behind memory.py's face,
so that saving one story costs what that story touches, not a walk over the whole archive.

It is memoisation inside the one ``build()``, never a second way of building: every stage still
runs, and takes its previous result when its inputs are the same. A build with it gives the same
bytes as one without (the tests compare them).

- ``stats``: a file whose size and modification time did not change is not read and hashed again.
  (In one process only; the on-disk store never trusts timestamps.) When the caller says which
  story files changed (``changed``, from its file watcher), the others are not even looked at.
- ``loaded``: stories as loaded, by content key, so they are not decoded from the store again.
- ``plan``: the model and plan of the last build, keyed by their outline: a digest of everything they
  are made of except story bodies (keys.outline). When only bodies changed — the usual save — the
  old plan is kept and the changed bodies are put into the pages and feeds that carry them; every
  other job keeps its key.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .content import Article, Loaded, pack
from .feeds import Feed, absolute_body
from .keys import KnownOutline
from .photos import Picture
from .site import Asset, Job, Site, StoryPage, resolve_story_links
from .stored import OutputRecord


@dataclass(frozen=True)
class FileStat:
    """A story file as the last build found it: its stat, and the content key it had then."""

    size: int
    mtime_ns: int
    config_key: str
    key: str


@dataclass
class KeptPlan:
    """The last build's model and jobs, for a build whose outline is the same."""

    outline: str
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
class Kept:
    stats: dict[str, FileStat] = field(default_factory=dict)  # content/ path -> its stat and key
    files: tuple[list[str], list[str]] | None = None  # content/ as the last build found it: stories, others
    changed: set[str] | None = None  # story files changed since the last build, if the caller knows; used once
    loaded: dict[str, Loaded] = field(default_factory=dict)  # content key -> as loaded
    plan: KeptPlan | None = None
    records: dict[str, OutputRecord] | None = None  # the output records, as the store holds them
    produced: set[str] | None = None  # every file the last build left in the output folder
    outlines: dict[int, KnownOutline] = field(default_factory=dict)  # per story object: its outline part


def with_changes(files: tuple[list[str], list[str]], changed: set[str], content_dir: Path) -> tuple[list[str], list[str]]:
    """``discover``'s answer from the last build's and the story files known to have changed since
    (whatever each now is: reading it says if it is no site file)."""
    stories = set(files[0])
    for rel in changed:
        path = content_dir / rel
        if os.path.lexists(path) and not path.is_dir() and not any(part.startswith(".") for part in rel.split("/")):
            stories.add(rel)
        else:
            stories.discard(rel)
    return sorted(stories), files[1]


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
    kept: KeptPlan, articles: list[Article], languages: tuple[str, ...], pictures: dict[tuple[str, str], Picture] | None = None
) -> tuple[list[Job], set[str]]:
    """The last plan with the changed stories' bodies put in; and the output paths that changed."""
    known = kept.articles  # an unchanged story is the very object the memory loaded last time
    changed = {a.rel: a for a in articles if a is not known[a.rel] and a.body_z != known[a.rel].body_z}
    if not changed:
        return kept.jobs, set()
    urls = kept.urls
    by_rel = {a.rel: a for a in articles} if any(a.story_links for a in changed.values()) else {}
    resolved = {rel: resolve_story_links(a, by_rel, urls, languages, pictures)[0] for rel, a in changed.items()}
    bodies = {urls[rel]: a for rel, a in resolved.items()}
    jobs = list(kept.jobs)
    indices = sorted({index for rel in changed for index in kept.refs.get(rel, [])})
    new_contexts: dict[int, dict[str, Any]] = {}  # an RSS and a JSON feed share their context
    for index in indices:
        job = kept.jobs[index]
        context = new_contexts.get(id(job.context))
        if context is None:
            context = _with_bodies(job.context, resolved, bodies)
            new_contexts[id(job.context)] = context
        jobs[index] = replace(job, context=context)
    return jobs, {jobs[index].out_path for index in indices}


def _with_bodies(old: dict[str, Any], resolved: dict[str, Article], bodies: dict[str, Article]) -> dict[str, Any]:
    """A job's context with the new bodies in its story page or its feed's items."""
    context = dict(old)
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
    return context
