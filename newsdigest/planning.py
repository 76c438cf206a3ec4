"""The plan: every file the build will write, as jobs (one function per page kind, in pages.py and
beside it) and assets, from the model; or the last plan with new bodies when only bodies changed."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from . import output, photos, search
from .errors import BuildError, shown_path
from .feeds import crawler_jobs, feed_jobs
from .kept import KeptPlan, with_new_bodies
from .lists import gather
from .memory import Memory
from .options import LeftOut, Options
from .outmap import OutputMap, map_outputs
from .pages import browse_jobs, page_jobs
from .reading import Stories, images_root
from .record import moved_urls, section_warnings
from .record_pages import alias_jobs, corrections_jobs
from .scanning import Scan
from .search import search_jobs
from .site import Asset, Job, Site


@dataclass
class Plan:
    """Everything before rendering."""

    site: Site
    jobs: list[Job]
    assets: list[Asset]
    errors: list[BuildError]
    warnings: list[BuildError]
    parsed: list[str]
    outline: str = ""  # the digest of the plan's inputs but the stories' bodies (see keys.outline)
    photos: photos.Photos | None = None
    left_out: LeftOut = LeftOut()
    # Stories whose URL is not the one the last build into this output gave them (record.moved_urls):
    # apart from ``warnings``, which the next build may repeat, since these are about this build only.
    moved: list[BuildError] = field(default_factory=list)


def plan_site(
    options: Options, scanned: Scan, stories: Stories, site: Site, model_errors: list[BuildError], memory: Memory
) -> Plan:
    """The jobs and assets of the model ``site``, and every error: none is planned when there are
    errors, and every file the plan would write is claimed in one map before any is written."""
    errors = stories.errors + model_errors
    content_dir = options.site_dir / "content"
    if not errors:  # the text a translation was made from, for the desk's "what changed"
        memory.remember_revisions(site, scanned.config.languages, content_dir, scanned.fence)
    jobs = site_jobs(site, scanned.now) if not errors else []
    every_asset = _assets(site, scanned, content_dir) if not errors else []
    reported = len(stories.photos.errors)  # the originals' are read with the assets
    assets = photos.take_originals(stories.photos, images_root(options), every_asset, shown_source)
    errors += stories.photos.errors[reported:]
    if not errors:  # every file the build will write, in one map: clashes are errors before any is written
        errors += _output_map(site, jobs, every_asset, options, stories.photos).errors
    if stories.outline and not errors:
        memory.keep_plan(made=(stories.outline, site, jobs, every_asset, {a.rel: a for a in stories.articles}))
    else:
        memory.keep_plan(None)
    warnings = stories.warnings + section_warnings(site) if not errors else stories.warnings
    moved = _moved(options, memory, site) if not errors else []
    return Plan(
        site, jobs, assets, errors, warnings, stories.parsed, stories.outline, stories.photos, stories.left_out, moved=moved
    )


def replan(options: Options, scanned: Scan, stories: Stories, kept: KeptPlan, memory: Memory) -> Plan:
    """The last plan in this process, whose outline is this build's: only stories' bodies changed,
    and they are put into the jobs that carry them (every other job keeps its key)."""
    articles = stories.articles
    jobs, touched = with_new_bodies(kept, articles, scanned.config.languages, stories.photos.pictures)
    memory.keep_plan(
        replace(
            kept, jobs=jobs, articles={a.rel: a for a in articles}, keys={p: k for p, k in kept.keys.items() if p not in touched}
        )
    )
    reported = len(stories.photos.errors)
    assets = photos.take_originals(stories.photos, images_root(options), kept.assets, shown_source)
    return Plan(
        kept.site,
        jobs,
        assets,
        stories.errors + stories.photos.errors[reported:],
        stories.warnings + section_warnings(kept.site),
        stories.parsed,
        stories.outline,
        stories.photos,
        stories.left_out,
        moved=_moved(options, memory, kept.site),
    )


def site_jobs(site: Site, now: datetime) -> list[Job]:
    """Every file to emit: pages, then feeds, then the crawlers' files (the news sitemap holds what
    is fresh at ``now``, the build's moment)."""
    lists = gather(site)
    return (
        page_jobs(site, lists)
        + browse_jobs(site, lists)
        + corrections_jobs(site, lists)
        + alias_jobs(site, lists)
        + search_jobs(site, lists)
        + feed_jobs(site, lists)
        + crawler_jobs(site, lists, now)
    )


def count_feeds(jobs: list[Job]) -> int:
    return sum(1 for j in jobs if j.out_path.endswith(("rss.xml", "feed.json")))


def shown_source(source: str) -> str:
    return shown_path(Path(source))


def name_errors(planned: Plan, root: Path) -> list[BuildError]:
    """Output paths the file system would refuse (a name or the path too long), as errors naming the
    story or file they come from: found before anything is written, never half-way through a commit."""
    sources = {story.out_path: story.article.path for stories in planned.site.stories.values() for story in stories}
    claims = [(job.out_path, sources.get(job.out_path, job.out_path)) for job in planned.jobs]
    claims += [(asset.out_path, shown_path(Path(asset.source))) for asset in planned.assets]
    errors = []
    for rel, source in claims:
        problem = output.check_name(rel, root)
        if problem:
            hint = "shorten the title, or set a shorter slug" if rel in sources else ""
            errors.append(BuildError(source, 1, f"cannot be written: {problem}", hint))
    return errors


def _moved(options: Options, memory: Memory, site: Site) -> list[BuildError]:
    """Warnings for the stories whose URL moved since the last build into this output folder."""
    return moved_urls(site, memory.story_urls(options.out))


def _assets(site: Site, scanned: Scan, content_dir: Path) -> list[Asset]:
    """Static files (theme's and site's, as ``scan`` listed them) and each page bundle's files
    beside each of its pages."""
    assets = [Asset(source, rel) for rel, source in scanned.static]
    in_folder: dict[str, list[str]] = {}
    for rel in scanned.others:
        folder, _, name = rel.rpartition("/")
        in_folder.setdefault(folder, []).append(name)
    for stories in site.stories.values():
        for story in stories:
            if story.article.bundle:
                page_dir = story.out_path.rsplit("/", 1)[0]
                for name in in_folder.get(story.article.bundle, ()):
                    assets.append(Asset(f"{content_dir}/{story.article.bundle}/{name}", f"{page_dir}/{name}"))
    return assets


def _output_map(
    site: Site, jobs: list[Job], assets: list[Asset], options: Options, found_photos: photos.Photos | None = None
) -> OutputMap:
    """The map of every file this build will write (outmap.py). A feature that writes files of its
    own claims them here, with ``outputs.claim(path, source, blame)`` or ``outputs.claim_folder``.
    A picture's original is its asset's path; its copies are the photo stage's own."""
    outputs = map_outputs(site, jobs, assets, options.site_dir, options.out, shown_path)
    if found_photos is not None:
        for rel, source in found_photos.copies_of().items():
            shown = shown_source(source)
            outputs.claim(rel, f"{shown} (a copy of the picture)", shown)
    if site.config.search:
        outputs.claim_folder(search.BUNDLE, "the search index")
    return outputs
