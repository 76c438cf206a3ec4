"""Reading one story file: finding the files, the front matter split and parsed, each key read
(storyfields.py), the body rendered: ``load`` gives an ``Article`` (article.py) or the errors.

``load`` is pure: the same bytes and config give the same Article (or the same errors).
"""

from __future__ import annotations

import unicodedata
from dataclasses import replace
from pathlib import Path, PurePosixPath
from typing import Any

import yaml

from . import values
from .article import Article, Image, Loaded, SectionIndex, Source, pack, unpack
from .config import LANG_CODE, Config
from .errors import BuildError
from .markdown import cut_at_word, plain_text, render_body
from .record import read_aliases, read_corrections
from .sitefiles import Fence, walk
from .storyfields import (
    KNOWN_KEYS,
    Front,
    make_slug,
    parse_date,
    placed,
    read_authors,
    read_dates,
    read_image,
    read_slug,
    read_source,
    split_front_matter,
)
from .translations import revision, scalar_text, translated_from_value
from .urls import param_url_problems
from .yamlfm import YAMLLimit, clean_text, error_line, error_text, load_yaml

__all__ = [
    "MAX_STORY_BYTES",
    "Article",
    "Image",
    "Loaded",
    "SectionIndex",
    "Source",
    "discover",
    "load",
    "make_slug",
    "pack",
    "parse_date",
    "split_front_matter",
    "split_name",
    "too_large",
    "unpack",
]

INDEX_NAME = "_index"
# A story is text: 2 MiB holds a few hundred thousand words. Past it, a file is an import gone wrong
# (a base64 picture pasted in, a log), and reading it would cost every build its memory and time.
MAX_STORY_BYTES = 2 * 1024 * 1024


def discover(content_dir: Path, shown: str, fence: Fence) -> tuple[list[str], list[str], list[BuildError]]:
    """Every file under ``content/``, relative and sorted: the ``.md`` files, and the others (a page
    bundle's pictures); and an error for each entry that is no site file (see sitefiles.walk).
    Hidden files and folders are skipped."""
    files, errors = walk(content_dir, shown, fence)
    stories = [rel for rel in files if rel.endswith(".md")]
    others = [rel for rel in files if not rel.endswith(".md")]
    return stories, others, errors


def split_name(rel: str, languages: tuple[str, ...]) -> tuple[str, str | None, str | None]:
    """``a/b/name.vi.md`` → (``a/b/name``, ``vi``, problem). A suffix that looks like a language
    code but is not one of the site's is a problem."""
    stem = rel[: -len(".md")]
    base, dot, suffix = stem.rpartition(".")
    if dot and "/" not in suffix and LANG_CODE.match(suffix):
        if suffix in languages:
            return base, suffix, None
        return base, None, f"language suffix '.{suffix}' is not one of the site's languages ({', '.join(languages)})"
    return stem, None, None


def too_large(shown: str, size: int) -> BuildError:
    """The error for a story file over MAX_STORY_BYTES (the reader refuses one before reading it)."""
    return BuildError(
        shown,
        1,
        f"the file is {size:,} bytes; a story may have at most {MAX_STORY_BYTES // 1024 // 1024} MiB",
        "split it, or keep pictures and data beside it",
    )


def _parse_front(raw: bytes, shown: str) -> tuple[dict[str, Any], str, str, int] | list[BuildError]:
    """The front matter's mapping, its text, the body and the body's first line; or the errors."""
    if len(raw) > MAX_STORY_BYTES:
        return [too_large(shown, len(raw))]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return [
            BuildError(
                shown,
                line,
                f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
                "save the file as UTF-8; files from Windows are often Windows-1258",
            )
        ]
    text = clean_text(text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n"))
    split = split_front_matter(text)
    if isinstance(split, str):
        return [BuildError(shown, 1, split)]
    front, body, body_offset = split
    try:
        meta = load_yaml(front) if front.strip() else {}
    except YAMLLimit as exc:
        return [BuildError(shown, error_line(exc) + 2, f"front matter: {error_text(exc)}")]
    except yaml.YAMLError as exc:
        return [BuildError(shown, error_line(exc) + 2, f"front matter is not valid YAML: {error_text(exc)}")]
    if not isinstance(meta, dict):
        return [BuildError(shown, 2, "front matter must be a mapping of keys to values")]
    return meta, front, body, body_offset


def load(raw: bytes, rel: str, shown: str, config: Config) -> Loaded:
    """Validate one story file's bytes. Every problem is returned, not raised."""
    rel = unicodedata.normalize("NFC", rel)
    parsed = _parse_front(raw, shown)
    if isinstance(parsed, list):
        return parsed
    meta, front_text, body, body_offset = parsed
    front = Front(meta, front_text, shown)
    parts = PurePosixPath(rel).parts
    name, lang = _language(front, rel, config)
    if len(parts) < 2:
        front.error(1, "a story must be in a section folder: content/<section>/<name>.<lang>.md")
        return front.errors
    section = parts[0]
    is_index = PurePosixPath(name).name == INDEX_NAME
    rendered = render_body(
        body,
        allow_html=config.allow_html,
        source_dir="/".join(parts[:-1]),
        base_path=config.base_path,
        line_offset=body_offset,
        mark_images=not is_index,
    )
    if is_index:
        index_title = front.field("title", values.text)
        return front.errors or SectionIndex(shown, section, lang, index_title, rendered.html)
    story = _article(front, rel, name, lang, section, rendered, config)
    return _translation_fields(story, raw, front)


def _language(front: Front, rel: str, config: Config) -> tuple[str, str]:
    """The file's name without its language, and the story's language: ``lang:``, else the file
    name's, else the site's first."""
    meta = front.meta
    name, lang, problem = split_name(rel, config.languages)
    if problem:
        front.error(1, problem)
    if "lang" in meta:
        if not isinstance(meta["lang"], str) or meta["lang"] not in config.languages:
            front.error(
                front.line_of("lang"),
                f"lang: '{str(meta['lang'])[:40]}' is not one of the site's languages ({', '.join(config.languages)})",
            )
        else:
            lang = meta["lang"]
    return name, lang or config.default_language


def _translation_fields(story: Loaded, raw: bytes, front: Front) -> Loaded:
    """The desk's fields (translations.py): the revision, of the body as written rather than as
    cleaned for the page; ``translated_from`` as written; the line its warnings point at."""
    meta, line_of = front.meta, front.line_of
    if isinstance(meta.get("translated_from"), (list, dict)):
        problem = BuildError(
            front.shown, line_of("translated_from"), "translated_from: must be the original's revision (12 hex digits)"
        )
        return (story if isinstance(story, list) else []) + [problem]
    if not isinstance(story, Article):
        return story
    written = split_front_matter(raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n"))
    translated_from = translated_from_value(meta, front.front)
    return replace(
        story,
        revision=revision(
            scalar_text(meta.get("title")), scalar_text(meta.get("summary")), written[1] if isinstance(written, tuple) else ""
        ),
        translated_from=translated_from,
        translated_line=line_of("translated_from" if translated_from is not None else "title"),
    )


def _article(front: Front, rel: str, name: str, lang: str, section: str, rendered: Any, config: Config) -> Loaded:
    """The story's own keys, each checked as the pages, feeds and structured data will use it."""
    meta, field, zone = front.meta, front.field, config.tz()
    title = _title(front)
    when, updated = read_dates(meta, rel, zone, front.error, front.line_of)
    slug = read_slug(meta, title, name, front.error, front.line_of)
    tags = field("tags", values.text_list)
    authors = read_authors(meta, front.line_of, front.error)
    views = field("views", values.count)
    source, image, aliases, corrections = _attached(front, config)
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        front.error(front.line_of("draft"), "draft: must be true or false")
    key = field("translation_key", values.text)
    layout = field("layout", values.text)
    summary_source = field("summary", values.text) or field("description", values.text)
    params = {k: v for k, v in meta.items() if k not in KNOWN_KEYS}
    for where, problem in param_url_problems(params):
        front.error(front.line_of(where.split(".")[0]), f"{where}: {problem}")
    parts = PurePosixPath(rel).parts
    bundle = "/".join(parts[:-1]) if PurePosixPath(name).name == "index" and len(parts) > 2 else ""
    lede = plain_text(summary_source) if summary_source else ""
    if front.errors:
        return front.errors
    assert title and when
    return Article(
        path=front.shown,
        rel=rel,
        lang=lang,
        section=section,
        key=key or bundle or name,
        slug=slug,
        title=title,
        date=when,
        updated=updated,
        summary=cut_at_word(lede or rendered.first_paragraph, config.summary_length),
        body_z=pack(rendered.html),
        lede=lede,
        tags=tuple(tags),
        author=", ".join(authors),
        authors=authors,
        source=source,
        image=image,
        draft=draft is True,
        views=views,
        layout=layout,
        params=params,
        story_links=rendered.story_links,
        images=rendered.images,
        bundle=bundle,
        warnings=_alt_warnings(front, rendered, image),
        slug_given=meta.get("slug") is not None,
        aliases=aliases,
        corrections=corrections,
        url_line=front.line_of("slug") if meta.get("slug") is not None else front.line_of("title"),
        aliases_line=front.line_of("aliases"),
    )


def _title(front: Front) -> str:
    title, problem = values.visible_text(front.meta.get("title"), "title")
    if problem:
        front.error(front.line_of("title"), problem)
    elif not title:
        front.error(
            front.line_of("title"),
            "no title: front matter needs 'title: ...'",
            "keys are case-sensitive" if any(str(k).lower() == "title" for k in front.meta) else "",
        )
    return title


def _attached(front: Front, config: Config) -> tuple[Source | None, Image | None, tuple[str, ...], tuple[Any, ...]]:
    """What the story carries beside its text: its source, its lead picture, its old URLs and its
    corrections."""
    meta = front.meta
    source, source_problems = read_source(meta.get("source"))
    image, image_problems = read_image(meta.get("image"))
    aliases, alias_problems = read_aliases(meta.get("aliases"))
    corrections, correction_problems = read_corrections(meta.get("corrections"), lambda v: parse_date(v, config.tz()))
    for key, problems in (
        ("source", source_problems),
        ("image", image_problems),
        ("aliases", alias_problems),
        ("corrections", correction_problems),
    ):
        for problem in problems:
            front.error(front.line_of(key), problem)
    if image is not None:
        image = placed(image, meta.get("image"), lambda key: front.nested_line("image", key), front.error)
    return source, image, aliases, corrections


def _alt_warnings(front: Front, rendered: Any, image: Image | None) -> tuple[BuildError, ...]:
    warnings = [
        BuildError(front.shown, line, "image without alt text", "describe the picture for readers who cannot see it")
        for line in rendered.images_without_alt
    ]
    if image and not image.alt:
        warnings.insert(
            0,
            BuildError(
                front.shown, front.line_of("image"), "image: no alt text", "add image.alt, a short description of the photo"
            ),
        )
    return tuple(warnings)
