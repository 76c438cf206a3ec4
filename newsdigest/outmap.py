"""One map of the output: every file a build will write, claimed with its source before anything is written.

Two claims on one path, a file where a folder must be, a name the file system cannot hold: each is
an error naming both sources, found while planning, so that no build ever replaces one output with
another, or fails half-way through writing. See docs/trust-files.md.

Every kind of output registers here: ``OutputMap.claim(path, source, blame)`` for a file and
``OutputMap.claim_folder(path, source, blame)`` for a folder the build fills whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BuildError
from .output import STAGING
from .site import Asset, Job, Site

NAME_MAX = 255  # bytes in one name, where the file system does not say (os.pathconf)
PATH_MAX = 4096  # bytes in a whole path, NUL included
_LABELS = {
    "rss.xml": "the RSS feed",
    "feed.json": "the JSON feed",
    "sitemap.xml": "the sitemap",
    "sitemap-index.xml": "the sitemap index",
    "news-sitemap.xml": "the news sitemap",
    "robots.txt": "robots.txt",
    "404.html": "the 404 page",
}
_HINT = "shorten the slug, title, tag or file name it is made from"


@dataclass(frozen=True)
class Claim:
    """Who writes one output file (or fills one output folder)."""

    source: str  # as messages name it: "content/a/b.vi.md (story page)", "static/vi (static file)", "the RSS feed"
    blame: str = ""  # the input file an error about it points at ("" for the build's own pages)
    line: int = 1  # the line in it (an alias: its aliases: key)


@dataclass
class OutputMap:
    """Output path -> its claim; the folders the claimed files need; the errors found so far."""

    root: str = ""  # the output folder, absolute: a whole path's length counts it
    name_max: int = NAME_MAX
    path_max: int = PATH_MAX
    files: dict[str, Claim] = field(default_factory=dict)
    folders: dict[str, str] = field(default_factory=dict)  # a folder -> the first file claimed in it
    whole: dict[str, Claim] = field(default_factory=dict)  # folders claimed whole (claim_folder)
    errors: list[BuildError] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._root_size = len(os.fsencode(self.root))

    @classmethod
    def for_folder(cls, out_dir: Path) -> OutputMap:
        """An empty map with the limits of the file system the output folder is (or will be) on."""
        root = os.path.abspath(out_dir)
        probe = root
        while not os.path.isdir(probe) and os.path.dirname(probe) != probe:
            probe = os.path.dirname(probe)
        limits = []
        for name, default in (("PC_NAME_MAX", NAME_MAX), ("PC_PATH_MAX", PATH_MAX)):
            try:
                limits.append(os.pathconf(probe, name) or default)
            except (OSError, ValueError, AttributeError):
                limits.append(default)
        return cls(root, limits[0], limits[1])

    def claim(self, path: str, source: str, blame: str = "", line: int = 1) -> bool:
        """Register one output file, ``path`` relative to the output folder (POSIX). False, and an
        error in ``errors`` (at ``line`` of ``blame`` when it is this claim's), when it is no usable
        path or clashes with a claim made before."""
        new = Claim(source, blame, line)
        if not self._usable(path, new):
            return False
        if path in self.files:
            return self._fail(
                new, self.files[path], f"two files would be written to {path}: {self.files[path].source} and {source}"
            )
        if path in self.folders:
            inner = self.folders[path]
            return self._fail(new, self._at(inner), self._both(path, new, self._at(inner), inner))
        if path in self.whole:
            return self._fail(
                new,
                self.whole[path],
                f"{path} would have to be both a file, for {source}, and a folder, filled by {self.whole[path].source}",
            )
        fresh = []  # folders no claim has needed yet, deepest first (those above a known one are known)
        for folder in reversed(_folders_of(path)):
            if folder in self.folders:
                break
            if folder in self.files:
                return self._fail(new, self.files[folder], self._both(folder, self.files[folder], new, path))
            if folder in self.whole:
                return self._fail(
                    new,
                    self.whole[folder],
                    f"{source} would write {path} inside {folder}/, which {self.whole[folder].source} fills",
                )
            fresh.append(folder)
        self.files[path] = new
        for folder in fresh:
            self.folders[folder] = path
        return True

    def claim_folder(self, path: str, source: str, blame: str = "") -> bool:
        """Register a folder the build fills whole, with files not known in advance (the search
        index): nothing else may be claimed in it, nor where it is."""
        new = Claim(source, blame)
        if not self._usable(path, new):
            return False
        if path in self.files or path in self.whole:
            other = self.files.get(path) or self.whole[path]
            return self._fail(
                new, other, f"{path} would have to be both a file, for {other.source}, and a folder, filled by {source}"
            )
        if path in self.folders:
            inner = self.folders[path]
            return self._fail(
                new, self._at(inner), f"{self._at(inner).source} would write {inner} inside {path}/, which {source} fills"
            )
        for folder in _folders_of(path):
            if folder in self.files or folder in self.whole:
                return self._fail(
                    new,
                    self._at(folder),
                    f"{folder} would have to be both a file, for {self._at(folder).source}, and a folder, for {source}",
                )
        self.whole[path] = new
        for folder in _folders_of(path):
            self.folders.setdefault(folder, path)
        return True

    def _usable(self, path: str, new: Claim) -> bool:
        """A plain relative path inside the output folder, each name and the whole short enough."""
        parts = path.split("/")
        if (
            not path
            or path[0] == "/"
            or "\\" in path
            or "\0" in path
            or "" in parts
            or "." in parts
            or ".." in parts
            or parts[0] == STAGING
        ):
            return self._fail(
                new, None, f"{new.source} would be written to {path!r}, which is not a plain path inside the output folder"
            )
        size = len(os.fsencode(path))
        if size > self.name_max:  # else no name in it can be too long: the usual case, decided at once
            for part in parts:
                length = len(os.fsencode(part))
                if length > self.name_max:
                    return self._fail(
                        new,
                        None,
                        f"{new.source} would be written to {_cut(path, 120)}, with a name "
                        f"of {length} bytes ('{_cut(part, 40)}'); the file system allows "
                        f"{self.name_max}",
                        _HINT,
                    )
        whole = self._root_size + 1 + size + 1  # the output folder, a slash, the path, the final NUL
        if whole > self.path_max:
            return self._fail(
                new,
                None,
                f"{new.source} would be written to {_cut(path, 120)}, a path of {whole} "
                f"bytes in {self.root}; the file system allows {self.path_max}",
                _HINT,
            )
        return True

    def _at(self, path: str) -> Claim:
        return self.files.get(path) or self.whole[path]

    @staticmethod
    def _both(path: str, file: Claim, other: Claim, inner: str) -> str:
        return f"{path} would have to be both a file, for {file.source}, and a folder, for {other.source}, which writes {inner}"

    def _fail(self, new: Claim, old: Claim | None, message: str, hint: str = "") -> bool:
        # The claim that knows its line (an alias) is the one to change; else the newer claim.
        blamed = max((c for c in (new, old) if c is not None and c.blame), key=lambda c: c.line > 1, default=None)
        self.errors.append(BuildError(blamed.blame if blamed else "output", blamed.line if blamed else 1, message, hint))
        return False


def _folders_of(path: str) -> list[str]:
    """``a/b/c`` -> ``a``, ``a/b``."""
    folders = []
    slash = path.find("/")
    while slash != -1:
        folders.append(path[:slash])
        slash = path.find("/", slash + 1)
    return folders


def _cut(text: str, size: int) -> str:
    return text if len(text) <= size else text[:size] + "…"


def job_claim(job: Job, story_paths: dict[str, str]) -> Claim:
    """Who a job's file is for: its story, or the list, feed or crawler file it is. A list page or
    a feed blames its newest story (a tag too long for the file system is that story's)."""
    page = job.context.get("page")
    if getattr(page, "kind", "") == "alias":  # a redirect page: the story whose aliases: asks for it
        return Claim(f"{page.alias_of} (alias {page.url})", page.alias_of, page.line)
    story = getattr(page, "story", None)
    if story is not None and getattr(story, "path", ""):
        return Claim(f"{story.path} (story page)", story.path)
    items = getattr(page, "items", None) or getattr(job.context.get("feed"), "items", ())
    first = items[0] if items else None
    blame = story_paths.get(getattr(first, "url", "") or getattr(getattr(first, "teaser", None), "url", ""), "")
    kind = getattr(page, "kind", "")
    if kind:
        return Claim(f"the {kind.replace('_', ' ')} page", blame)
    name = job.templates[-1]
    return Claim(_LABELS.get(name, f"the page made from {name}"), blame)


def asset_claim(asset: Asset, site_dir: Path, shown: str) -> Claim:
    """Who an asset is: a page bundle's file, a static file of the site, or a file of the theme."""
    source = asset.source
    if source.startswith(str(site_dir / "content") + os.sep):
        return Claim(f"{shown} (page bundle file)", shown)
    if source.startswith(str(site_dir / "static") + os.sep):
        return Claim(f"{shown} (static file)", shown)
    return Claim(f"{shown} (theme file)", shown)


def map_outputs(
    site: Site, jobs: list[Job], assets: list[Asset], site_dir: Path, out_dir: Path, shown: Callable[[Path], str]
) -> OutputMap:
    """The map of a planned build: every job's file, then every asset's. ``shown``: an asset's source
    as messages name it. A feature with outputs of its own claims them here, before any is written."""
    outputs = OutputMap.for_folder(out_dir)
    story_paths = {story.teaser.url: story.article.path for stories in site.stories.values() for story in stories}
    for job in jobs:
        claim = job_claim(job, story_paths)
        outputs.claim(job.out_path, claim.source, claim.blame, claim.line)
    for asset in assets:
        claim = asset_claim(asset, site_dir, shown(Path(asset.source)))
        outputs.claim(asset.out_path, claim.source, claim.blame)
    return outputs
