"""The photo stage's plan: which pictures stories show, what each becomes and where, and the
pictures' attributes in pages. Reading, making and staging the files is photowork.py's; pixels
and metadata are images.py's and photometa.py's.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote

from markupsafe import escape

from . import images
from .config import Config
from .content import Article, make_slug
from .errors import BuildError
from .images import Copy, Inspected, PictureError
from .markdown import BELOW_FOLD, IMAGE_MARKER_RE
from .photowork import Index, make_all, stage
from .sitefiles import Fence, NotASiteFile

__all__ = ["Photos", "Picture", "fill_body", "gather", "make_all", "stage", "take_originals"]

if TYPE_CHECKING:
    from .site import Asset

OUT_DIR = "photos"  # the copies' folder in the output
BODY_SIZES = "(min-width: 48rem) 46rem, calc(100vw - 2rem)"  # style.css: .story { max-width: 46rem }
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*:|//)", re.IGNORECASE)


@lru_cache(maxsize=1)
def version() -> str:
    """The code that makes the files: a new version makes them again (and only then)."""
    h = hashlib.blake2b(digest_size=8)
    for name in ("images.py", "photometa.py"):
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()


@dataclass(frozen=True)
class Picture:
    """A raster picture as pages show it: its displayed size and the URLs of its copies."""

    width: int
    height: int
    srcset: str  # WebP copies, "url 480w, url 960w, …"
    card_srcset: str  # the cropped copies lists show
    card_width: int
    card_height: int
    share_url: str  # absolute: og:image and JSON-LD
    share_width: int
    share_height: int
    share_type: str  # image/jpeg or image/png


@dataclass(frozen=True)
class Work:
    """The files still to make from one picture, and where they go in the cache."""

    source: str
    digest: str
    info: Inspected
    copies: tuple[Copy, ...]
    files: tuple[str, ...]
    fence: Fence | None = None


@dataclass
class Photos:
    """What the stage found: pictures by (story, src as written), output files, work to do."""

    pictures: dict[tuple[str, str], Picture] = field(default_factory=dict)
    outputs: dict[str, str] = field(default_factory=dict)  # output path -> the cache file with its bytes
    origin: dict[str, str] = field(default_factory=dict)  # output path of a copy -> the picture it is made from
    wanted: dict[str, dict[str, tuple[Copy, str]]] = field(default_factory=dict)  # source -> variant -> copy, file
    users: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)  # source -> (story, line, src)
    read: dict[str, tuple[str, Inspected]] = field(default_factory=dict)  # source -> digest, header
    failed: dict[str, str] = field(default_factory=dict)  # source -> why it cannot be read
    errors: list[BuildError] = field(default_factory=list)
    warnings: list[BuildError] = field(default_factory=list)
    index: Index | None = None
    fence: Fence | None = None  # where site files may be: pictures are read through sitefiles

    def copies_of(self) -> dict[str, str]:
        """Each copy's output path and its picture (the originals are their assets' paths)."""
        return dict(self.origin)

    def work(self) -> list[Work]:
        """What is left to make, each cache file once: pictures with the same bytes (one photo
        published at several paths) share their copies, so only the first of them is decoded."""
        todo, claimed = [], set()
        for source, variants in sorted(self.wanted.items()):
            missing = [(copy, file) for copy, file in variants.values() if file not in claimed and not os.path.exists(file)]
            claimed.update(file for _, file in variants.values())
            if missing:
                digest, info = self.read[source]
                todo.append(Work(source, digest, info, tuple(c for c, _ in missing), tuple(f for _, f in missing), self.fence))
        return todo


def locate(src: str, article: Article, content_dir: Path, static: dict[str, str], others: set[str]) -> str | None:
    """The file a story's raster picture is (``""`` when none is published there); None when the src
    is not one of the site's raster files (an external URL, an SVG)."""
    if _SCHEME.match(src):
        return None
    path = unquote(src.split("#", 1)[0].split("?", 1)[0])
    if PurePosixPath(path).suffix.lower() not in images.RASTER_SUFFIXES:
        return None
    if path.startswith("/"):
        return static.get(posixpath.normpath(path).lstrip("/"), "")
    name = posixpath.normpath(path)
    if not article.bundle or "/" in name or name.startswith(".."):
        return ""  # only a page bundle's own files are published beside its page
    if f"{article.bundle}/{name}" not in others:  # the site's listing, which left out links and devices
        return ""
    return f"{content_dir}/{article.bundle}/{name}"  # as planning._assets names the bundle's files


def _key(digest: str, variant: str) -> str:
    return hashlib.blake2b(f"{version()}\0{digest}\0{variant}".encode(), digest_size=16).hexdigest()


def _want(photos: Photos, root: Path, source: str, copy: Copy) -> tuple[str, str]:
    """The copy's cache file and its output path (``photos/<name>-<variant>-<key>.webp``)."""
    digest = photos.read[source][0]
    key = _key(digest, copy.variant)
    file = str(root / key[:2] / f"{key}{copy.suffix}")
    photos.wanted.setdefault(source, {})[copy.variant] = (copy, file)
    stem = make_slug(PurePosixPath(source).stem)[:60] or "photo"
    label = copy.variant.split("@", 1)[0]
    out = f"{OUT_DIR}/{stem}-{label}-{key[:10]}{copy.suffix}"
    if copy.kind != "original":
        photos.origin[out] = source
    return file, out


def _picture(photos: Photos, root: Path, source: str, focus: tuple[float, float], config: Config) -> Picture:
    info = photos.read[source][1]
    urls: dict[str, list[tuple[str, Copy]]] = {"size": [], "card": [], "share": []}
    for copy in images.plan(info, focus)[1:]:
        file, out = _want(photos, root, source, copy)
        photos.outputs[out] = file
        urls[copy.kind].append((config.base_path + out, copy))
    card = urls["card"][min(1, len(urls["card"]) - 1)][1]
    share_url, share = urls["share"][0]
    return Picture(
        info.width,
        info.height,
        ", ".join(f"{url} {c.width}w" for url, c in urls["size"]),
        ", ".join(f"{url} {c.width}w" for url, c in urls["card"]),
        card.width,
        card.height,
        config.origin + share_url,
        share.width,
        share.height,
        "image/png" if share.suffix == ".png" else "image/jpeg",
    )


def _references(article: Article) -> list[tuple[str, int, tuple[float, float] | None]]:
    """(src, line, focus) of the lead picture (focus given) and of every body picture (none)."""
    refs: list[tuple[str, int, tuple[float, float] | None]] = []
    if article.image:
        refs.append((article.image.src, article.image.line or 1, (article.image.focus_x, article.image.focus_y)))
    refs.extend((image.src, image.line, None) for image in article.images)
    return refs


SITE = ""  # the story part of the site's own share picture's key in ``Photos.pictures``


def gather(
    articles: list[Article],
    config: Config,
    content_dir: Path,
    static: dict[str, str],
    others: set[str],
    root: Path,
    settings_file: str = "site.yaml",
    fence: Fence | None = None,
) -> Photos:
    """Every raster picture the stories show, and the site's share picture: read, checked, and
    planned. ``static``: output path -> file; ``others``: content/'s files that are not stories;
    ``root``: the cache folder."""
    photos = Photos(fence=fence)
    index = Index(root, fence)
    if config.image:
        _site_picture(photos, index, config, static, root, settings_file)
    for article in articles:
        for src, line, focus in _references(article):
            source = locate(src, article, content_dir, static, others)
            if source is None:
                if focus is not None and not _SCHEME.match(src) and src.lower().split("?")[0].endswith(".svg"):
                    photos.warnings.append(
                        BuildError(
                            article.path,
                            line,
                            f"image: '{src}' is an SVG: social previews will not show it",
                            "give the story a JPEG, PNG or WebP picture (the SVG may stay in the body)",
                        )
                    )
                continue
            if not source:
                photos.warnings.append(
                    BuildError(
                        article.path,
                        line,
                        f"picture '{src}' not found",
                        "site-root pictures come from static/, relative ones from the page bundle",
                    )
                )
                continue
            photos.users.setdefault(source, []).append((article.path, line, src))
            if not _read(photos, index, source, article.path, line, src):
                continue
            key = (article.rel, src)
            if key not in photos.pictures or focus is not None:
                photos.pictures[key] = _picture(photos, root, source, focus or (0.5, 0.5), config)
    photos.index = index  # the originals are read next, with the same memo
    return photos


def _site_picture(photos: Photos, index: Index, config: Config, static: dict[str, str], root: Path, settings_file: str) -> None:
    """``image:`` in site.yaml: the share picture of home, list and picture-less story pages."""
    path = unquote(config.image.split("?", 1)[0])
    line = config.image_line or 1
    if not path.startswith("/") or PurePosixPath(path).suffix.lower() not in images.RASTER_SUFFIXES:
        photos.warnings.append(
            BuildError(
                settings_file,
                line,
                f"image: '{config.image}' is not a JPEG, PNG or WebP in static/: social previews will not show it",
            )
        )
        return
    source = static.get(posixpath.normpath(path).lstrip("/"))
    if source is None:
        photos.warnings.append(BuildError(settings_file, line, f"image: picture '{config.image}' not found in static/"))
    elif _read(photos, index, source, settings_file, line, config.image):
        photos.users.setdefault(source, []).append((settings_file, line, config.image))
        photos.pictures[(SITE, config.image)] = _picture(photos, root, source, (0.5, 0.5), config)


def _read(photos: Photos, index: Index, source: str, path: str, line: int, src: str) -> bool:
    """Whether the picture could be read; when not, an error naming ``path`` and ``line``."""
    if source not in photos.read and source not in photos.failed:
        try:
            photos.read[source] = index.read(source)
        except (PictureError, NotASiteFile) as exc:
            photos.failed[source] = str(exc)
        except OSError as exc:
            photos.failed[source] = f"cannot be read ({exc.strerror})"
    if source in photos.failed:
        photos.errors.append(BuildError(path, line, f"picture '{src}' {photos.failed[source]}"))
        return False
    return True


def take_originals(photos: Photos, root: Path, assets: list[Asset], show: Callable[[str], str] = str) -> list[Asset]:
    """The assets left to copy as they are: each raster file among them is published by the photo
    stage instead, its metadata stripped (whether or not a story shows it)."""
    index = photos.index or Index(root, photos.fence)
    kept = []
    for asset in assets:
        if PurePosixPath(asset.source).suffix.lower() not in images.RASTER_SUFFIXES:
            kept.append(asset)
            continue
        if asset.source in photos.failed:
            continue  # reported where a story shows it
        if not _read(photos, index, asset.source, show(asset.source), 1, asset.out_path):
            continue
        info = photos.read[asset.source][1]
        file, _ = _want(photos, root, asset.source, images.plan(info, None, copies=False)[0])
        photos.outputs[asset.out_path] = file
    index.save(photos.read)
    return kept


def fill_body(article: Article, html: str, pictures: dict[tuple[str, str], Picture]) -> str:
    """The body's picture markers as attributes: size and copies of a raster picture, and below the
    fold (lazy) for every one."""

    def attributes(match: re.Match[str]) -> str:
        number = int(match.group(1))
        picture = pictures.get((article.rel, article.images[number].src)) if number < len(article.images) else None
        if picture is None:
            return BELOW_FOLD
        return (
            f' width="{picture.width}" height="{picture.height}" srcset="{escape(picture.srcset)}"'
            f' sizes="{BODY_SIZES}"{BELOW_FOLD}'
        )

    return IMAGE_MARKER_RE.sub(attributes, html)
