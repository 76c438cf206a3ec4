"""``python build.py new``: a new story's file, or a story's translation to make, never over another file."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from .config import load_config
from .content import Article, load, make_slug, split_front_matter, split_name
from .errors import ContentErrors, UsageError
from .site import RESERVED_SECTIONS
from .yamlfm import load_yaml


class StoryExists(Exception):
    """The story's file is already there; nothing was written."""


def front_matter(title: str, when: datetime, slug: str) -> str:
    """The new story's text. The title is a JSON string, which YAML reads as is (quotes, colons, ``#``)."""
    return (
        "---\n"
        f"title: {json.dumps(title, ensure_ascii=False)}\n"
        f"date: {when.isoformat()}\n"
        f"slug: {slug}\n"
        "tags: []\n"
        "draft: true\n"
        "---\n"
        "\n"
    )


def new_story(site_dir: Path, section: str, lang: str, title: str, now: datetime) -> Path:
    """Write ``content/<section>/<slug>.<lang>.md`` dated ``now`` in the site's zone, as a draft.

    Raises UsageError for a wrong section, language or title, ContentErrors when ``site.yaml`` cannot
    be read (its languages and zone are needed), and StoryExists rather than overwrite a file."""
    content = site_dir / "content"
    if not content.is_dir():
        raise UsageError(f"{site_dir}: not a site folder (it has no content/ folder)")
    config, errors = load_config(site_dir, str(site_dir / "site.yaml"))
    if errors:
        raise ContentErrors(errors)
    if lang not in config.languages:
        raise UsageError(f"--lang {lang}: not one of the site's languages ({', '.join(config.languages)})")
    if (
        not section
        or section in (".", "..")
        or "/" in section
        or "\\" in section
        or section.startswith(".")
        or section in RESERVED_SECTIONS
    ):
        raise UsageError(
            f"--section {section!r}: must be one folder name under content/, not hidden, "
            f"not one of {', '.join(sorted(RESERVED_SECTIONS))}"
        )
    title = " ".join(title.split())
    slug = make_slug(title)
    if not slug:
        raise UsageError(f"title {title!r}: it needs letters or digits to make the story's file name from")
    path = content / section / f"{slug}.{lang}.md"
    when = now.astimezone(config.tz()).replace(microsecond=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(front_matter(title, when, slug))
    except FileExistsError:
        raise StoryExists(f"{path}: already exists; nothing written (choose another title, or edit that file)") from None
    return path


TODO = "# TODO translate"  # marks each field the translator has to translate (docs/translations.md)
BODY_TODO = "<!-- TODO translate: the original's text follows; replace it with the translation -->"


def translate_story(site_dir: Path, file: Path, lang: str) -> Path:
    """Write FILE's counterpart in ``lang`` (``name.<lang>.md`` beside it; ``index.<lang>.md`` in a
    page bundle) as a draft: ``translated_from`` the original's revision, its date, tags, image,
    source and translation key, and its title, summary and body to translate, marked."""
    config, errors = load_config(site_dir, str(site_dir / "site.yaml"))
    if errors:
        raise ContentErrors(errors)
    if lang not in config.languages:
        raise UsageError(f"--lang {lang}: not one of the site's languages ({', '.join(config.languages)})")
    path = file.resolve()
    content = (site_dir / "content").resolve()
    if not path.is_file() or not path.name.endswith(".md"):
        raise UsageError(f"--translate {file}: no such story file")
    try:
        rel = path.relative_to(content).as_posix()
    except ValueError:
        raise UsageError(f"--translate {file}: not under {site_dir / 'content'}") from None
    raw = path.read_bytes()
    loaded = load(raw, rel, str(file), config)
    if isinstance(loaded, list):
        raise ContentErrors(loaded)
    if not isinstance(loaded, Article):
        raise UsageError(f"--translate {file}: a section's _index file is not a story")
    if loaded.lang == lang:
        raise UsageError(f"--translate {file}: the story is in {lang} already")
    stem, _, _ = split_name(rel, config.languages)
    target = content / f"{stem}.{lang}.md"
    text = raw.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    front, body, _ = split_front_matter(text)  # type: ignore[misc] - load() has read it already
    meta = load_yaml(front) or {}
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8", newline="\n") as out:
            out.write(translation_text(meta, loaded, body))
    except FileExistsError:
        raise StoryExists(
            f"{target}: already exists; nothing written (edit that file,"
            " or run python build.py translations --mark on it once it is up to date)"
        ) from None
    _remember(site_dir, rel, loaded.revision, raw)
    return target


def translation_text(meta: dict[str, Any], original: Article, body: str) -> str:
    """The draft translation's text: the original's front matter that stays, and what to translate."""

    def text(value: Any) -> str:
        return json.dumps(str(value), ensure_ascii=False)

    lines = [
        "---",
        f"title: {text(meta.get('title', original.title))}  {TODO}",
        f"date: {original.date.isoformat()}",
        f'translated_from: "{original.revision}"',
    ]
    if meta.get("summary") is not None:
        lines.append(f"summary: {text(meta['summary'])}  {TODO}")
    if original.tags:
        lines.append(f"tags: {json.dumps(list(original.tags), ensure_ascii=False)}  {TODO}")
    if original.image:
        image = original.image
        lines += ["image:", f"  src: {text(image.src)}"]
        lines += [f"  {key}: {text(getattr(image, key))}  {TODO}" for key in ("alt", "caption") if getattr(image, key)]
        if image.credit:
            lines.append(f"  credit: {text(image.credit)}")
    if original.source:
        lines += ["source:", f"  name: {text(original.source.name)}"]
        if original.source.url:
            lines.append(f"  url: {text(original.source.url)}")
    if meta.get("translation_key") is not None:
        lines.append(f"translation_key: {text(original.key)}")
    lines += ["draft: true", "---", "", BODY_TODO, "", body.strip("\n"), ""]
    return "\n".join(lines)


def _remember(site_dir: Path, rel: str, revision: str, raw: bytes) -> None:
    """The original's text at this revision, kept in the cache: the desk can show what changed later."""
    from .cache import CACHE_DIR, Cache
    from .history import text_of_file
    from .translations import digest_of_text

    text = text_of_file(raw)
    if text is None or digest_of_text(text) != revision:
        return
    cache = Cache(site_dir / CACHE_DIR / "cache.sqlite")
    try:
        cache.put_revisions([(rel, revision, text)], touched=[])
    finally:
        cache.close()
