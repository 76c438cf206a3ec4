"""``python build.py new``: a new story's file, its front matter filled in, never over another file."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from .config import load_config
from .content import make_slug
from .errors import ContentErrors, UsageError
from .site import RESERVED_SECTIONS


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
    if (not section or section in (".", "..") or "/" in section or "\\" in section
            or section.startswith(".") or section in RESERVED_SECTIONS):
        raise UsageError(f"--section {section!r}: must be one folder name under content/, not hidden, "
                         f"not one of {', '.join(sorted(RESERVED_SECTIONS))}")
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
