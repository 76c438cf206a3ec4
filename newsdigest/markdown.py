"""The one configured markdown-it-py parser: bodies to HTML, summaries, figures, story links.

Bodies are data, never templates: ``{{ }}`` and ``{% %}`` in a story reach the page as text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from slugify import slugify

from .urls import allowed

if TYPE_CHECKING:  # markdown-it-py is imported when a body is first parsed: a build that finds
    # every story in its cache (nothing changed, a theme edit) never loads it
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

# A link to another story's ``.md`` file is written into the body as this marker, numbered, and
# swapped for the story's URL once every story is known (see ``site.resolve_story_links``).
LINK_MARKER = "\ue000ndlink{}\ue001"
LINK_MARKER_RE = re.compile("\ue000ndlink(\\d+)\ue001")
# A story's own picture (not an external URL) gets this marker where its size and copies go, swapped
# once the pictures are read (see ``photos.fill_body``): a picture can change while the story does not.
IMAGE_MARKER = "\ue000ndimg{}\ue001"
IMAGE_MARKER_RE = re.compile("\ue000ndimg(\\d+)\ue001")
BELOW_FOLD = ' loading="lazy" decoding="async"'  # a body's pictures are below the story's lead
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@dataclass(frozen=True)
class StoryLink:
    """A body link to another story's file: ``target`` relative to ``content/``."""

    target: str
    line: int
    written: str  # as the author wrote it, for messages


@dataclass(frozen=True)
class BodyImage:
    """A picture in a story's body: its ``src`` as parsed (site-root or relative, URL-encoded) and line."""

    src: str
    line: int


@dataclass(frozen=True)
class RenderedBody:
    html: str
    first_paragraph: str
    story_links: tuple[StoryLink, ...]
    images_without_alt: tuple[int, ...] = ()  # file lines of images with no alt text
    images: tuple[BodyImage, ...] = ()  # the local pictures, in the order of their markers


@lru_cache(maxsize=4096)
def _heading_slug(text: str) -> str:
    return slugify(text) or "section"


def unique_ids(slugs: Iterable[str], taken: set[str] | None = None) -> list[str]:
    """Each slug made unique in order: ``x``, ``x-1``, ``x-2``, … (as markdown-it-py's anchors
    plugin names them). Linear: each base slug remembers the next suffix to try, where the plugin
    counted from 1 again for every repeat (20,000 equal headings took 38 s)."""
    used = set() if taken is None else taken
    following: dict[str, int] = {}
    ids: list[str] = []
    for slug in slugs:
        unique = slug
        if unique in used:
            number = following.get(slug, 1)
            while f"{slug}-{number}" in used:
                number += 1
            following[slug] = number + 1
            unique = f"{slug}-{number}"
        used.add(unique)
        ids.append(unique)
    return ids


def _heading_ids(state: Any) -> None:
    """Every heading gets an ``id`` from its text (what the anchors plugin did, in linear time)."""
    headings = [i for i, token in enumerate(state.tokens) if token.type == "heading_open"]
    titles = (
        "".join(child.content for child in state.tokens[i + 1].children or [] if child.type in ("text", "code_inline"))
        for i in headings
    )
    for i, heading_id in zip(headings, unique_ids(_heading_slug(title) for title in titles), strict=True):
        state.tokens[i].attrSet("id", heading_id)


def _render_paragraph_open(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    if tokens[idx].meta.get("figure"):
        return "<figure>\n"
    return self.renderToken(tokens, idx, options, env)


def _render_paragraph_close(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    if tokens[idx].meta.get("figure"):
        return "</figure>\n"
    return self.renderToken(tokens, idx, options, env)


def _render_image(self: Any, tokens: list[Token], idx: int, options: Any, env: Any) -> str:
    from markdown_it.common.utils import escapeHtml

    token = tokens[idx]
    alt = self.renderInlineAsText(token.children or [], options, env)
    src = escapeHtml(str(token.attrGet("src") or ""))
    title = token.attrGet("title")
    extra = IMAGE_MARKER.format(token.meta["picture"]) if "picture" in token.meta else BELOW_FOLD
    if token.meta.get("figure") and title:
        return f'<img src="{src}" alt="{escapeHtml(alt)}"{extra}>\n<figcaption>{escapeHtml(str(title))}</figcaption>'
    if title:
        return f'<img src="{src}" alt="{escapeHtml(alt)}" title="{escapeHtml(str(title))}"{extra}>'
    return f'<img src="{src}" alt="{escapeHtml(alt)}"{extra}>'


def _mark_figures(state: Any) -> None:
    """A paragraph holding nothing but an image with a title becomes a figure with a caption."""
    tokens = state.tokens
    for i in range(len(tokens) - 2):
        if tokens[i].type != "paragraph_open" or tokens[i + 1].type != "inline":
            continue
        children = [c for c in tokens[i + 1].children or [] if not (c.type == "text" and not c.content.strip())]
        if len(children) == 1 and children[0].type == "image" and children[0].attrGet("title"):
            tokens[i].meta["figure"] = tokens[i + 2].meta["figure"] = True
            children[0].meta["figure"] = True


@lru_cache(maxsize=4)
def parser(allow_html: bool) -> MarkdownIt:
    """CommonMark plus tables, strikethrough, footnotes; heading ids; raw HTML only if allowed.
    Links and images go through the site's URL policy: one it refuses stays plain text."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": allow_html}).enable(["table", "strikethrough"]).use(footnote_plugin)
    md.validateLink = allowed  # type: ignore[method-assign]
    md.core.ruler.push("heading_ids", _heading_ids)
    md.core.ruler.push("figures", _mark_figures)
    md.add_render_rule("paragraph_open", _render_paragraph_open)
    md.add_render_rule("paragraph_close", _render_paragraph_close)
    md.add_render_rule("image", _render_image)
    return md


def _rewrite_urls(
    tokens: list[Token], source_dir: str, base_path: str, line_offset: int, images: list[BodyImage] | None = None
) -> list[StoryLink]:
    """Site-root links get the base path; links to ``.md`` files become story-link markers; local
    pictures are listed in ``images`` (when given) and numbered for their markers."""
    links: list[StoryLink] = []
    line = line_offset
    for block in tokens:
        if block.map:
            line = line_offset + block.map[0] + 1
        for token in block.children or []:
            attr = "href" if token.type == "link_open" else "src" if token.type == "image" else None
            url = str(token.attrGet(attr) or "") if attr else ""
            if not url or _SCHEME.match(url) or url.startswith(("#", "//")):
                continue
            if attr == "src" and images is not None:
                token.meta["picture"] = len(images)
                images.append(BodyImage(url, line))
            if url.startswith("/"):
                token.attrSet(attr, base_path + url.lstrip("/"))
                continue
            path, _, fragment = url.partition("#")
            # markdown-it percent-encodes the link ("giá" is "gi%C3%A1"); file names are matched as
            # the file system spells them, in NFC like every content path.
            path = unicodedata.normalize("NFC", unquote(path.split("?")[0]))
            if attr == "href" and path.endswith(".md"):
                target = "/".join(p for p in (source_dir, path) if p)
                marker = LINK_MARKER.format(len(links)) + (f"#{fragment}" if fragment else "")
                links.append(StoryLink(target, line, unicodedata.normalize("NFC", unquote(url))))
                token.attrSet("href", marker)
    return links


def render_body(
    text: str, *, allow_html: bool, source_dir: str, base_path: str, line_offset: int, mark_images: bool = False
) -> RenderedBody:
    """Markdown to HTML. ``source_dir`` is the file's folder under ``content/`` (for ``.md`` links);
    ``line_offset`` is the body's first line in the file, so errors point at the file's lines.
    ``mark_images``: local pictures get markers for their sizes (a story's body, not a section's intro)."""
    md = parser(allow_html)
    env: dict[str, Any] = {}
    tokens = md.parse(text, env)
    images: list[BodyImage] | None = [] if mark_images else None
    links = _rewrite_urls(tokens, source_dir, base_path, line_offset, images)
    no_alt = tuple(
        line_offset + block.map[0] + 1
        for block in tokens
        if block.type == "inline" and block.map
        for child in block.children or []
        if child.type == "image" and not inline_text(child.children or [])
    )
    first = ""
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and not token.meta.get("figure") and token.level == 0:
            first = inline_text(tokens[i + 1].children or [])
            if first:
                break
    return RenderedBody(md.renderer.render(tokens, md.options, env), first, tuple(links), no_alt, tuple(images or ()))


def inline_text(children: list[Token]) -> str:
    """Plain text of inline tokens: what a reader sees, without markup."""
    parts: list[str] = []
    for child in children:
        if child.type in ("text", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
        elif child.type == "image":
            parts.append(inline_text(child.children or []))
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def plain_text(markdown: str) -> str:
    """A one-line Markdown string (a summary from front matter) as plain text."""
    tokens = parser(False).parseInline(markdown)
    return inline_text(tokens[0].children or []) if tokens else ""


def cut_at_word(text: str, limit: int) -> str:
    """At most ``limit`` characters, cut at a word boundary, with an ellipsis when cut."""
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    space = cut.rfind(" ")
    cut = cut[:space] if space > limit // 2 else text[:limit]
    return cut.rstrip(" ,;:-–—") + "…"
