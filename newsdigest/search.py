"""Search: each language's search page, and the Pagefind index of the story pages, made by one run
of Pagefind's binary and handed to the commit as outputs like any other file (see docs/search.md)."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable
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
    later: Later | None = None  # the pages changed but Pagefind was told not to run: the files are the kept index's

    @property
    def pending(self) -> bool:
        return self.later is not None


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
    scratch folder that ``release`` deletes. ``run`` False (the preview, which indexes after the
    reload): the kept index's files as they are, and ``later`` to make the one of these pages with."""
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
    digest = pages_digest(pages)
    kept = "" if scratch else _kept(home)
    if kept == digest:
        return Index(_files(home / f"bundle-{digest}"), False)
    if not run and not scratch:
        later = Later(str(home), digest, tuple((rel, os.path.join(out_dir, rel)) for rel in sorted(pages)))
        return Index(_files(home / f"bundle-{kept}") if kept else (), False, later=later)
    try:
        make(Later(str(home), digest, ()), snapshot(home, {rel: source for rel, (_, source) in pages.items()}))
    except BaseException:
        release(Index((), False, scratch))
        raise
    return Index(_files(home / f"bundle-{digest}"), True, scratch)


@dataclass(frozen=True)
class Later:
    """An index to make after the build (the preview's): where, of what, and the pages' files once
    the build is in place."""

    home: str
    digest: str
    pages: tuple[tuple[str, str], ...]  # (output path, the file in the output folder)


def release(found: Index) -> None:
    """Delete the scratch folder of an index made without a cache (its files are staged by now)."""
    if found.scratch:
        shutil.rmtree(found.scratch, ignore_errors=True)


def _kept(home: Path) -> str:
    """The digest of the pages the kept index was made of ("" when none is kept)."""
    try:
        digest = (home / "current").read_text(encoding="utf-8").strip()
    except OSError:
        return ""
    return digest if (home / f"bundle-{digest}").is_dir() else ""


def snapshot(home: Path, pages: dict[str, str]) -> Path:
    """A tree of hard links to the pages' files (copies where links cannot be made): what Pagefind
    reads, as it is now, whatever a later build writes meanwhile."""
    tree = Path(tempfile.mkdtemp(prefix="tree-", dir=home))
    made: set[str] = set()
    for rel, source in pages.items():
        target = os.path.join(tree, rel)
        folder = os.path.dirname(target)
        if folder not in made:
            os.makedirs(folder, exist_ok=True)
            made.add(folder)
        try:
            os.link(source, target)
        except OSError:  # another file system, or no hard links: a copy
            shutil.copyfile(source, target)
    return tree


def make(later: Later, tree: Path, started: Callable[[subprocess.Popen[str]], None] | None = None) -> None:
    """One Pagefind run over ``tree`` into ``bundle-<digest>``, then named the current index. The two
    indexes before it stay, so that a build still copying one of them is never left without.
    ``started`` is handed the Pagefind process (the preview's, which stops it when it closes)."""
    home = Path(later.home)
    target = home / f"bundle-{later.digest}"
    try:
        shutil.rmtree(target, ignore_errors=True)
        _run(target, tree, started)
        pointer = home / f"current-{os.getpid()}-{threading.get_ident()}"
        pointer.write_text(later.digest, encoding="utf-8")
        try:
            os.rename(pointer, home / "current")  # atomic where it replaces (POSIX)
        except FileExistsError:  # Windows: rename does not replace
            (home / "current").unlink()
            os.rename(pointer, home / "current")
    finally:
        shutil.rmtree(tree, ignore_errors=True)
    old = sorted((p for p in home.glob("bundle-*") if p != target), key=lambda p: p.stat().st_mtime_ns)
    for stale in old[:-2]:
        shutil.rmtree(stale, ignore_errors=True)


def _run(bundle: Path, tree: Path, started: Callable[[subprocess.Popen[str]], None] | None = None) -> None:
    """Pagefind over ``tree`` into ``bundle``, made reproducible. Stopped with the build (Ctrl-C); a
    preview's (``started``) in a session of its own: the terminal's Ctrl-C is the preview's to pass on."""
    from pagefind_bin import get_executable  # the binary inside the wheel; no download, no Node

    command = [
        str(get_executable()),
        "--site",
        str(tree),
        "--output-path",
        str(bundle),
        "--silent",
        "--exclude-selectors",
        EXCLUDED,
    ]
    pipe = subprocess.PIPE
    try:
        process = subprocess.Popen(
            command,
            stdout=pipe,
            stderr=pipe,
            text=True,
            encoding="utf-8",
            errors="replace",
            start_new_session=started is not None,
        )
    except OSError as exc:
        raise ContentErrors([BuildError("pagefind", 1, f"search index: cannot run Pagefind ({exc})")]) from exc
    with process:  # waits for it
        if started is not None:
            started(process)
        try:
            out, err = process.communicate()
        except BaseException:  # Ctrl-C: Pagefind stops too
            process.kill()
            raise
    said = " ".join((err + out).split())
    if process.returncode != 0 and NOTHING_TO_INDEX in said:  # a site whose templates make no HTML: no index
        bundle.mkdir(exist_ok=True)
    elif process.returncode != 0:
        shutil.rmtree(bundle, ignore_errors=True)
        raise ContentErrors([BuildError("pagefind", 1, f"search index: Pagefind failed: {said[:400]}")])
    canonical(bundle)  # the same pages, the same bytes (Pagefind's own order varies by run)


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
