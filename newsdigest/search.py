"""Search: each language's search page, and the Pagefind index of the story pages, made by one run
of Pagefind's binary and handed to the commit as outputs like any other file (see docs/search.md)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata
from pathlib import Path

from .errors import BuildError, ContentErrors
from .lists import _switch, alternates_for
from .pfcanon import canonical
from .site import Alternate, Job, Link, Lists, Site, absolute, url_for

BUNDLE = "pagefind"  # the index's folder at the output root: one bundle, one index per <html lang>
CACHE = Path(".newsdigest-cache") / "search"
# Left out of the index besides what the theme marks data-pagefind-ignore (their markup is other
# features'): the story's date line, a stale translation's notice, the corrections.
NOTHING_TO_INDEX = "not able to build an index"  # Pagefind's words when no page had anything to index
EXCLUDED = ".story-head > .meta, .story .translation-notice, .story > .corrections"
# What the search page loads. Pagefind also writes its own UI bundles; our page does not use them.
KEPT = re.compile(
    r"^(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|wasm\.[\w-]+\.pagefind"
    r"|pagefind\.[\w-]+\.pf_meta|(index|fragment|filter)/[\w.-]+)$"
)


@dataclass(frozen=True)
class SearchPage:
    """What ``search.html`` needs: the sections to filter by, and where the index is."""

    kind: str
    title: str
    url: str
    abs_url: str
    alternates: tuple[Alternate, ...]
    x_default: str
    sections: tuple[Link, ...]  # the language's sections, by the names the index filters on
    bundle_url: str  # root-relative, under the base path
    stories: int  # how many stories the language has (none: no index to load)


@dataclass(frozen=True)
class Index:
    """The index's files as (file holding the bytes, output path), and whether Pagefind ran."""

    files: tuple[tuple[str, str], ...]
    indexed: bool
    scratch: str = ""  # a folder of this build's own, to delete once the files are staged (see release)
    pending: bool = False  # the pages changed but Pagefind was told not to run: the files are the last index's


def search_jobs(site: Site, lists: Lists) -> list[Job]:
    """``/<lang>/search/`` for every language, unless ``search: false``."""
    config = site.config
    if not config.search:
        return []
    urls = {lang: url_for(config, lang, "search") for lang in config.languages}
    alternates, x_default = alternates_for(config, lists.names, urls)
    jobs = []
    for lang, url in urls.items():
        chrome = lists.chromes[lang]
        page = SearchPage(
            "search",
            chrome.strings.get("search", "Search"),
            url,
            absolute(config, url),
            alternates,
            x_default,
            chrome.sections,
            config.base_path + BUNDLE + "/",
            len(site.stories[lang]),
        )
        jobs.append(
            Job(
                url[len(config.base_path) :] + "index.html",
                (f"search.{lang}.html", "search.html"),
                {"lang": lang, "site": chrome, "page": page, "switch": _switch(chrome, alternates)},
            )
        )
    return jobs


def story_paths(site: Site) -> set[str]:
    """The pages a reader searches: stories only (lists repeat their text, and would outrank them)."""
    return {story.out_path for stories in site.stories.values() for story in stories}


@lru_cache(maxsize=1)
def pagefind_version() -> str:
    try:
        return metadata.version("pagefind_bin")
    except metadata.PackageNotFoundError:
        return "unknown"


def pages_digest(pages: dict[str, tuple[str, str]]) -> str:
    """A digest of the searchable pages' paths and bytes (their digests, known from rendering)."""
    h = hashlib.blake2b(pagefind_version().encode(), digest_size=20)
    for rel, (digest, _) in sorted(pages.items()):
        h.update(f"{rel}\0{digest}\n".encode())
    return h.hexdigest()


def index(site_dir: Path, out_dir: Path, pages: dict[str, tuple[str, str]], remember: bool = True, run: bool = True) -> Index:
    """The index of ``pages`` (output path -> (digest of its bytes, file that holds them now)).
    Pagefind runs only when the pages differ from those of the index kept for this output folder.
    The kept index lives in the site's cache, so the output folder is only ever written by the
    commit; without a cache (``remember`` False, or no folder can be made there) it is made in a
    scratch folder that ``release`` deletes. ``run`` False (the preview, which indexes after the reload):
    the last index's files as they are, and ``pending`` when they are not these pages'."""
    if not pages:
        return Index((), False)
    home = site_dir / CACHE / hashlib.blake2b(str(out_dir.resolve()).encode(), digest_size=8).hexdigest()
    try:
        if not remember:
            raise OSError("no cache")
        home.mkdir(parents=True, exist_ok=True)
        scratch = ""
    except OSError:
        home = Path(tempfile.mkdtemp(prefix="newsdigest-search-"))
        scratch = str(home)
    bundle, stamp = home / "bundle", home / "digest"
    digest = pages_digest(pages)
    try:
        fresh = not scratch and stamp.read_text(encoding="utf-8") == digest and bundle.is_dir()
    except OSError:
        fresh = False
    if not fresh and not run and not scratch:
        return Index(_files(bundle) if bundle.is_dir() else (), False, pending=True)
    if not fresh:
        try:
            _run(home, pages)
            stamp.unlink(missing_ok=True)  # the digest names the bundle: never one without the other
            shutil.rmtree(bundle, ignore_errors=True)
            os.replace(home / "work" / "bundle", bundle)
            shutil.rmtree(home / "work", ignore_errors=True)
            stamp.write_text(digest, encoding="utf-8")
        except BaseException:
            release(Index((), False, scratch))
            raise
    return Index(_files(bundle), not fresh, scratch)


def release(found: Index) -> None:
    """Delete the scratch folder of an index made without a cache (its files are staged by now)."""
    if found.scratch:
        shutil.rmtree(found.scratch, ignore_errors=True)


def _run(home: Path, pages: dict[str, tuple[str, str]]) -> None:
    """One Pagefind run over a tree of the story pages alone (hard links to their new bytes)."""
    from pagefind_bin import get_executable  # the binary inside the wheel; no download, no Node

    work = home / "work"
    shutil.rmtree(work, ignore_errors=True)
    tree = work / "site"
    made: set[str] = set()
    for rel, (_, source) in pages.items():
        target = os.path.join(tree, rel)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        try:
            os.link(source, target)
        except OSError:  # another file system, or no hard links: a copy
            shutil.copyfile(source, target)
    command = [
        str(get_executable()),
        "--site",
        str(tree),
        "--output-path",
        str(work / "bundle"),
        "--silent",
        "--exclude-selectors",
        EXCLUDED,
    ]
    try:
        done = subprocess.run(command, capture_output=True, text=True, encoding="utf-8", errors="replace", check=False)
    except OSError as exc:
        raise ContentErrors([BuildError("pagefind", 1, f"search index: cannot run Pagefind ({exc})")]) from exc
    said = " ".join((done.stderr + done.stdout).split())
    if done.returncode != 0 and NOTHING_TO_INDEX in said:  # a site whose templates make no HTML Pagefind reads
        (work / "bundle").mkdir()
    elif done.returncode != 0:
        raise ContentErrors([BuildError("pagefind", 1, f"search index: Pagefind failed: {said[:400]}")])
    shutil.rmtree(tree, ignore_errors=True)
    canonical(work / "bundle")  # the same pages, the same bytes (Pagefind's own order varies by run)


def _files(bundle: Path) -> tuple[tuple[str, str], ...]:
    """The bundle's files the search page loads, as (file, output path)."""
    found = []
    for root, _, names in os.walk(bundle):
        for name in names:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, bundle).replace(os.sep, "/")
            if KEPT.match(rel):
                found.append((path, f"{BUNDLE}/{rel}"))
    return tuple(sorted(found, key=lambda item: item[1]))
