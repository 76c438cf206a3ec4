"""Reading stories: finding files, splitting front matter, validating it, slugs, ``Article``.

``load`` is pure: the same bytes and config give the same Article (or the same errors).
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, tzinfo
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any

import yaml
from slugify import slugify

from . import values
from .config import LANG_CODE, Config
from .errors import BuildError
from .markdown import BodyImage, StoryLink, cut_at_word, plain_text, render_body
from .record import Correction, read_aliases, read_corrections
from .sitefiles import Fence, walk
from .translations import revision, scalar_text, translated_from_value
from .urls import param_url_problems
from .yamlfm import YAMLLimit, clean_text, error_line, error_text, key_line, load_yaml

KNOWN_KEYS = {
    "title",
    "date",
    "updated",
    "slug",
    "summary",
    "tags",
    "author",
    "authors",
    "source",
    "image",
    "translation_key",
    "translated_from",
    "draft",
    "views",
    "lang",
    "aliases",
    "corrections",
}
_DATE_PREFIX = re.compile(r"^(\d{4})-(\d{2})-(\d{2})-")
_LOOSE_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})"
    r"(?:[T ]+(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}(?::?\d{2})?)?$",
    re.IGNORECASE,
)
_SAFE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
INDEX_NAME = "_index"
# A story is text: 2 MiB holds a few hundred thousand words. Past it, a file is an import gone wrong
# (a base64 picture pasted in, a log), and reading it would cost every build its memory and time.
MAX_STORY_BYTES = 2 * 1024 * 1024


@dataclass(frozen=True)
class Source:
    name: str
    url: str = ""


@dataclass(frozen=True)
class Image:
    src: str
    alt: str = ""
    caption: str = ""
    credit: str = ""
    focus_x: float = 0.5  # where a card crop centres, as fractions of the width and height
    focus_y: float = 0.5
    line: int = 0  # the file's line of ``src`` (of ``image:`` when given as one text)


@dataclass(frozen=True)
class Article:
    """One story in one language, as read from its file."""

    path: str  # as shown in messages
    rel: str  # relative to content/, POSIX
    lang: str
    section: str
    key: str  # translation key
    slug: str
    title: str
    date: datetime  # aware
    updated: datetime | None
    summary: str  # for lists and feeds: cut at a word boundary
    body_z: bytes  # the body's HTML, zlib-compressed: a 5,000-story site holds and ships far less
    lede: str = ""  # the front matter's summary in full, set apart on the story's page
    tags: tuple[str, ...] = ()
    author: str = ""  # the byline as one text: the authors joined with ", "
    authors: tuple[str, ...] = ()  # each author's name, as ``author:`` or ``authors:`` gave them
    source: Source | None = None
    image: Image | None = None
    draft: bool = False
    views: int | None = None
    layout: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    story_links: tuple[StoryLink, ...] = ()
    images: tuple[BodyImage, ...] = ()  # the body's local pictures (see markdown.IMAGE_MARKER)
    bundle: str = ""  # the page bundle's folder under content/, when the story is one
    slug_given: bool = False  # set by ``slug:`` (else derived from the title)
    warnings: tuple[BuildError, ...] = ()
    revision: str = ""  # see translations.revision
    translated_from: str | None = None  # None: the file has no ``translated_from:``
    translated_line: int = 1  # the line of ``translated_from:``, else of ``title:`` (for the desk's warnings)
    aliases: tuple[str, ...] = ()  # old URLs, as site paths (record.alias_path): each redirects here
    corrections: tuple[Correction, ...] = ()  # newest first
    url_line: int = 1  # the line the story's URL comes from: ``slug:``, else ``title:``
    aliases_line: int = 1

    @property
    def body_html(self) -> str:
        return unpack(self.body_z)

    @property
    def modified(self) -> datetime:
        """When the story last changed for its readers: ``updated`` (else ``date``), or its newest
        correction when that is later."""
        changed = self.updated or self.date
        if self.corrections and self.corrections[0].date > changed:
            return self.corrections[0].date
        return changed


@dataclass(frozen=True)
class SectionIndex:
    """``content/<section>/_index.<lang>.md``: the section's name and intro in one language."""

    path: str
    section: str
    lang: str
    title: str
    body_html: str


Loaded = Article | SectionIndex | list[BuildError]  # what reading one file gives


def pack(html: str) -> bytes:
    return zlib.compress(html.encode("utf-8"), 1)


def unpack(data: bytes) -> str:
    return zlib.decompress(data).decode("utf-8") if data else ""


def discover(content_dir: Path, shown: str, fence: Fence) -> tuple[list[str], list[str], list[BuildError]]:
    """Every file under ``content/``, relative and sorted: the ``.md`` files, and the others (a page
    bundle's pictures); and an error for each entry that is no site file (see sitefiles.walk).
    Hidden files and folders are skipped."""
    files, errors = walk(content_dir, shown, fence)
    stories = [rel for rel in files if rel.endswith(".md")]
    others = [rel for rel in files if not rel.endswith(".md")]
    return stories, others, errors


def split_front_matter(text: str) -> tuple[str, str, int] | str:
    """``(front matter, body, lines before the body)``, or an error message.

    The text has had its BOM removed and its line endings made ``\\n`` already."""
    if not text.startswith("---\n") and text.rstrip("\n") != "---":
        return "no front matter: the file must start with a line '---'"
    match = re.search(r"^---[ \t]*$", text[4:], re.MULTILINE)
    if not match:
        return "the front matter's '---' fence is never closed"
    front = text[4 : 4 + match.start()]
    rest = text[4 + match.end() :]
    body = rest[1:] if rest.startswith("\n") else rest
    return front, body, front.count("\n") + 2


@lru_cache(maxsize=65536)
def make_slug(text: str) -> str:
    """Text transliterated to ASCII, lower case, hyphens (``Đ``/``đ`` become ``d``); may be empty."""
    return slugify(unicodedata.normalize("NFC", text).replace("Đ", "D").replace("đ", "d"))


def parse_date(value: Any, zone: tzinfo) -> datetime | None:
    """A YAML date, datetime or date-like string as an aware datetime (site zone when none given)."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), zone)
    if not isinstance(value, str):
        return None
    match = _LOOSE_DATE.match(value.strip())
    if not match:
        return None
    year, month, day, hour, minute, second, offset = match.groups()
    if offset:
        iso_offset = "+00:00" if offset.upper() == "Z" else offset[:3] + ":" + (offset[3:].lstrip(":") or "00")
        zone_text = iso_offset
    else:
        zone_text = None
    try:
        naive = datetime(int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0))
        if zone_text is None:
            return naive.replace(tzinfo=zone)
        return datetime.fromisoformat(naive.isoformat() + zone_text)
    except ValueError:
        return None


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


def _source(value: Any) -> tuple[Source | None, list[str]]:
    """``source: Name`` or ``source: {name, url}``; the url under the site's URL policy."""
    if value is None:
        return None, []
    if isinstance(value, dict):
        name, name_problem = values.visible_text(value.get("name"), "source.name")
        link, url_problem = values.url(value.get("url"), "source.url")
        problems = [p for p in (name_problem, url_problem) if p]
        if problems:
            return None, problems
        if not name and not link:
            return None, ["source: needs a name (and may have a url)"]
        return Source(name or re.sub(r"^[a-z]+:(//)?(www\.)?|/.*$", "", link, flags=re.IGNORECASE), link), []
    if values.one_line(value) is None:
        return None, ["source: must be {name: ..., url: ...}"]
    name, problem = values.visible_text(value, "source")
    return (Source(name) if name else None), [problem] if problem else []


def _image(value: Any) -> tuple[Image | None, list[str]]:
    """``image: src`` or ``image: {src, alt, caption, credit}``; the src under the URL policy."""
    if value is None:
        return None, []
    if isinstance(value, dict):
        src, src_problem = values.url(value.get("src"), "image.src")
        texts = [values.text(value.get(key), f"image.{key}") for key in ("alt", "caption", "credit")]
        problems = [p for p in (src_problem, *(problem for _, problem in texts)) if p]
        if problems:
            return None, problems
        if not src:
            return None, ["image: needs a src"]
        return Image(src, *(text for text, _ in texts)), []
    if values.one_line(value) is None:
        return None, ["image: must be {src, alt, caption, credit}"]
    src, problem = values.url(value, "image")
    return (Image(src) if src else None), [problem] if problem else []


def _dates(meta: dict[str, Any], rel: str, zone: tzinfo, error: Any, line_of: Any) -> tuple[datetime | None, datetime | None]:
    """``date`` (else the file name's date) and ``updated``, each one every page can show."""
    when: datetime | None = None
    if "date" in meta:
        when = parse_date(meta["date"], zone)
        if when is None:
            error(
                line_of("date"), f"date: '{str(meta['date'])[:60]}' is not a date", "use ISO 8601, e.g. 2017-01-12T01:37:00+07:00"
            )
    else:
        prefix = _DATE_PREFIX.match(PurePosixPath(rel).name)
        when = parse_date("-".join(prefix.groups()), zone) if prefix else None
        if when is None:
            error(1, "no date: front matter needs 'date: ...'", "e.g. date: 2017-01-12T01:37:00+07:00")
    updated = None
    if meta.get("updated") is not None:
        updated = parse_date(meta["updated"], zone)
        if updated is None:
            error(line_of("updated"), f"updated: '{str(meta['updated'])[:60]}' is not a date")
    for key, moment in (("date", when), ("updated", updated)):
        problem = values.date_problem(moment, key) if moment is not None else ""
        if problem:
            error(line_of(key) if key in meta else 1, problem)
    return when, updated


def _slug(meta: dict[str, Any], title: str, name: str, error: Any, line_of: Any) -> str:
    if meta.get("slug") is None:
        return make_slug(title) or make_slug(PurePosixPath(name).name) or "story"
    given, problem = values.text(meta["slug"], "slug")
    if problem:
        error(line_of("slug"), problem)
        return "invalid"
    if "/" in given or "\\" in given or given.strip(".") == "" or ".." in given:
        error(line_of("slug"), f"slug: '{given}' would leave its folder", "a slug is one URL segment, without '/' or '..'")
        return "invalid"
    slug = given if _SAFE_SLUG.match(given) else make_slug(given)
    if not slug:
        error(line_of("slug"), f"slug: '{given}' has no letter or digit to make a URL from")
        return "invalid"
    return slug


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


def _authors(meta: dict[Any, Any], line_of: Any, error: Any) -> tuple[str, ...]:
    """The bylines: ``author:`` one name, or ``authors:`` a list of names (one name alone is taken
    as a list of one); not both. Repeated names (whatever their case) count once."""
    if "author" in meta and "authors" in meta:
        error(line_of("authors"), "both author: and authors: are given", "keep one: authors: [A, B] for several")
        return ()
    value = meta.get("authors", meta.get("author"))
    key = "authors" if "authors" in meta else "author"
    if value is None:
        return ()
    if isinstance(value, list) and key == "author":
        error(line_of(key), "author: is one name", "write several as authors: [A, B]")
        return ()
    names: list[str] = []
    for entry in value if isinstance(value, list) else [value]:
        name, problem = values.visible_text(entry, key)
        if problem:
            error(
                line_of(key),
                f"{key}: each author must be a name, not {entry!r}" if values.one_line(entry) is None else problem,
                "e.g. authors: [Thu Hà, Hoàng Nam]",
            )
            return ()
        if name and name.casefold() not in {n.casefold() for n in names}:
            names.append(name)
    return tuple(names)


def _focus(value: Any) -> tuple[float, float] | None:
    """``image.focus``: a point as two fractions ``[x, y]`` (the centre when not given); None if invalid."""
    if value is None:
        return 0.5, 0.5
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        return None
    if any(isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1 for v in value):
        return None
    return float(value[0]), float(value[1])


def _placed(image: Image, value: Any, image_line: Any, error: Any) -> Image:
    """The lead picture with its focus point (``image.focus``) and the line of its src, which the
    photo stage's messages point at."""
    focus = _focus(value.get("focus")) if isinstance(value, dict) else (0.5, 0.5)
    if focus is None:
        error(
            image_line("focus"),
            f"image.focus: '{str(value.get('focus'))[:40]}' is not a point of the picture",
            "two fractions of its width and height, from 0 to 1: focus: [0.3, 0.2]",
        )
        focus = (0.5, 0.5)
    return replace(image, focus_x=focus[0], focus_y=focus[1], line=image_line("src"))


def _nested_line(front: str, parent: int, key: str) -> int:
    """The line of ``key:`` inside the mapping that starts at file line ``parent`` (block or flow
    style); the parent's line when it is not on a line of its own."""
    lines = front.split("\n")
    for index in range(parent - 2, len(lines)):
        text = lines[index]
        if index > parent - 2 and text[:1] not in (" ", "\t", ""):
            break  # the next top-level key
        if re.search(rf"(^|[\s{{,]){re.escape(key)}\s*:", text[text.find(":") + 1 :] if index == parent - 2 else text):
            return index + 2
    return parent


def load(raw: bytes, rel: str, shown: str, config: Config) -> Loaded:
    """Validate one story file's bytes. Every problem is returned, not raised."""
    errors: list[BuildError] = []

    def error(line: int, message: str, hint: str = "") -> None:
        errors.append(BuildError(shown, line, message, hint))

    rel = unicodedata.normalize("NFC", rel)
    parsed = _parse_front(raw, shown)
    if isinstance(parsed, list):
        return parsed
    meta, front, body, body_offset = parsed

    def line_of(key: str) -> int:
        return key_line(front, key) + 2 if key in meta else 1

    def field(key: str, check: Any) -> Any:
        value, problem = check(meta.get(key), key)
        if problem:
            error(line_of(key), problem)
        return value

    parts = PurePosixPath(rel).parts
    name, lang, problem = split_name(rel, config.languages)
    if problem:
        error(1, problem)
    if "lang" in meta:
        if not isinstance(meta["lang"], str) or meta["lang"] not in config.languages:
            error(
                line_of("lang"),
                f"lang: '{str(meta['lang'])[:40]}' is not one of the site's languages ({', '.join(config.languages)})",
            )
        else:
            lang = meta["lang"]
    lang = lang or config.default_language
    if len(parts) < 2:
        error(1, "a story must be in a section folder: content/<section>/<name>.<lang>.md")
        return errors
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
        index_title = field("title", values.text)
        return errors or SectionIndex(shown, section, lang, index_title, rendered.html)
    story = _article(
        meta,
        rel,
        shown,
        name,
        lang,
        section,
        rendered,
        config,
        errors,
        error,
        line_of,
        field,
        lambda key: _nested_line(front, line_of("image"), key),
    )
    return _translation_fields(story, raw, meta, front, line_of, shown)


def _translation_fields(story: Loaded, raw: bytes, meta: dict[str, Any], front: str, line_of: Any, shown: str) -> Loaded:
    """The desk's fields (translations.py): the revision, of the body as written rather than as
    cleaned for the page; ``translated_from`` as written; the line its warnings point at."""
    if isinstance(meta.get("translated_from"), (list, dict)):
        problem = BuildError(
            shown, line_of("translated_from"), "translated_from: must be the original's revision (12 hex digits)"
        )
        return (story if isinstance(story, list) else []) + [problem]
    if not isinstance(story, Article):
        return story
    written = split_front_matter(raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n"))
    translated_from = translated_from_value(meta, front)
    return replace(
        story,
        revision=revision(
            scalar_text(meta.get("title")), scalar_text(meta.get("summary")), written[1] if isinstance(written, tuple) else ""
        ),
        translated_from=translated_from,
        translated_line=line_of("translated_from" if translated_from is not None else "title"),
    )


def _article(
    meta: dict[str, Any],
    rel: str,
    shown: str,
    name: str,
    lang: str,
    section: str,
    rendered: Any,
    config: Config,
    errors: list[BuildError],
    error: Any,
    line_of: Any,
    field: Any,
    image_line: Any,
) -> Loaded:
    """The story's own keys, each checked as the pages, feeds and structured data will use it."""
    title, problem = values.visible_text(meta.get("title"), "title")
    if problem:
        error(line_of("title"), problem)
    elif not title:
        error(
            line_of("title"),
            "no title: front matter needs 'title: ...'",
            "keys are case-sensitive" if any(str(k).lower() == "title" for k in meta) else "",
        )
    when, updated = _dates(meta, rel, config.tz(), error, line_of)
    slug = _slug(meta, title, name, error, line_of)
    tags = field("tags", values.text_list)
    authors = _authors(meta, line_of, error)
    views = field("views", values.count)
    source, source_problems = _source(meta.get("source"))
    image, image_problems = _image(meta.get("image"))
    aliases, alias_problems = read_aliases(meta.get("aliases"))
    corrections, correction_problems = read_corrections(meta.get("corrections"), lambda v: parse_date(v, config.tz()))
    for key, problems in (
        ("source", source_problems),
        ("image", image_problems),
        ("aliases", alias_problems),
        ("corrections", correction_problems),
    ):
        for problem in problems:
            error(line_of(key), problem)
    if image is not None:
        image = _placed(image, meta.get("image"), image_line, error)
    draft = meta.get("draft", False)
    if not isinstance(draft, bool):
        error(line_of("draft"), "draft: must be true or false")
    key = field("translation_key", values.text)
    layout = field("layout", values.text)
    summary_source = field("summary", values.text) or field("description", values.text)
    params = {k: v for k, v in meta.items() if k not in KNOWN_KEYS}
    for where, problem in param_url_problems(params):
        error(line_of(where.split(".")[0]), f"{where}: {problem}")
    parts = PurePosixPath(rel).parts
    bundle = "/".join(parts[:-1]) if PurePosixPath(name).name == "index" and len(parts) > 2 else ""
    key = key or bundle or name
    lede = plain_text(summary_source) if summary_source else ""
    summary = lede or rendered.first_paragraph
    if errors:
        return errors
    assert title and when
    warnings = [
        BuildError(shown, line, "image without alt text", "describe the picture for readers who cannot see it")
        for line in rendered.images_without_alt
    ]
    if image and not image.alt:
        warnings.insert(
            0, BuildError(shown, line_of("image"), "image: no alt text", "add image.alt, a short description of the photo")
        )
    return Article(
        path=shown,
        rel=rel,
        lang=lang,
        section=section,
        key=key,
        slug=slug,
        title=title,
        date=when,
        updated=updated,
        summary=cut_at_word(summary, config.summary_length),
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
        warnings=tuple(warnings),
        slug_given=meta.get("slug") is not None,
        aliases=aliases,
        corrections=corrections,
        url_line=line_of("slug") if meta.get("slug") is not None else line_of("title"),
        aliases_line=line_of("aliases"),
    )
