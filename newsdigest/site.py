"""The bilingual model: languages, translation pairs, sections, tags, pages of lists, URLs.

``model`` turns loaded articles into a ``Site``; lists.py gathers its lists and each language's
page chrome, pages.py makes a Job for every HTML page, feeds.py the feeds and sitemaps.
All are pure and linear in the number of stories.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from dataclasses import replace
from datetime import datetime, tzinfo

from .config import Config
from .content import Article, SectionIndex, make_slug, pack, split_name
from .errors import BuildError
from .markdown import LINK_MARKER_RE
from .pagedata import (
    Alternate,
    Asset,
    Chrome,
    Job,
    Link,
    ListPage,
    Lists,
    PageNumber,
    SectionBlock,
    Site,
    Story,
    StoryPage,
    Teaser,
    TranslationNotice,
)
from .photos import SITE, Picture, fill_body
from .translations import original_of, staleness

__all__ = [
    "Alternate",
    "Asset",
    "BLOCK_SIZE",
    "Chrome",
    "JSON_FEED_FILE",
    "Job",
    "LIST_SIZE",
    "Link",
    "ListPage",
    "Lists",
    "PAGE_WINDOW",
    "PageNumber",
    "RESERVED_SECTIONS",
    "RESERVED_SLUGS",
    "RSS_FILE",
    "SectionBlock",
    "Site",
    "Story",
    "StoryPage",
    "Teaser",
    "TranslationNotice",
    "absolute",
    "linked_story",
    "media_url",
    "model",
    "out_path_for",
    "resolve_story_links",
    "section_display_name",
    "section_url",
    "url_for",
]

LIST_SIZE = 5  # "latest", "most read", "more in this section"
BLOCK_SIZE = 4  # stories per section block on the home page
RESERVED_SECTIONS = {"tags", "page", "static", "assets", "authors", "archive", "corrections", "search"}
PAGE_WINDOW = 2  # numbered pagination: this many page numbers either side of the current one
# A story's folder sits beside its section's own files. Its feeds and list page always exist, so the
# output map finds a slug such as ``rss.xml`` clashing with them; ``page/`` holds the numbered list
# pages, which appear only once the section grows, so that name (and the site's other own names) is
# refused from the start. A slug given as one is an error; one made from a title gets a suffix.
RESERVED_SLUGS = frozenset(RESERVED_SECTIONS)
RSS_FILE = "rss.xml"  # every home, section and tag page has its feeds beside it
JSON_FEED_FILE = "feed.json"


def url_for(config: Config, *parts: str) -> str:
    """Root-relative URL of a folder page under the base path: ``/digest/vi/thoi-su/``."""
    inner = "/".join(p.strip("/") for p in parts if p.strip("/"))
    return config.base_path + (inner + "/" if inner else "")


_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def absolute(config: Config, url: str) -> str:
    """A root-relative URL made absolute with base_url's origin."""
    return url if _SCHEME.match(url) else config.origin + url


def out_path_for(config: Config, url: str, filename: str = "index.html") -> str:
    return url[len(config.base_path) :] + filename


def media_url(config: Config, src: str, page_url: str) -> str:
    """An image src as a root-relative (or external) URL: site-root paths get the base path,
    relative ones are relative to the story's page (a page bundle's images sit beside it)."""
    if re.match(r"^([a-z][a-z0-9+.-]*:|//)", src, re.IGNORECASE):
        return src
    if src.startswith("/"):
        return config.base_path + src.lstrip("/")
    return page_url + src


def section_url(config: Config, lang: str, folder: str) -> str:
    """``/<lang>/<section>/``: a section folder's URL (its name transliterated when it needs it)."""
    return url_for(config, lang, make_slug(folder) or folder)


def section_display_name(folder: str) -> str:
    return folder.replace("-", " ").replace("_", " ").capitalize()


def resolve_story_links(
    article: Article,
    by_rel: dict[str, Article],
    urls: dict[str, str],
    languages: tuple[str, ...],
    pictures: dict[tuple[str, str], Picture] | None = None,
    keyed: dict[tuple[str, str], str] | None = None,
) -> tuple[Article, list[BuildError]]:
    """Swap the body's ``.md`` link markers for the linked stories' URLs (``linked_story``), and its
    picture markers for their sizes and copies. ``keyed``: each published story's file by language
    and translation key (made from ``by_rel`` and ``urls`` when not given)."""
    if not article.story_links:
        if article.images:
            return replace(article, body_z=pack(fill_body(article, article.body_html, pictures or {}))), []
        return article, []
    if keyed is None:
        keyed = {(a.lang, a.key): rel for rel, a in by_rel.items() if rel in urls}
    errors: list[BuildError] = []
    targets: list[tuple[str, str]] = []
    for link in article.story_links:
        found, other_lang, reason = linked_story(posixpath.normpath(link.target), article.lang, by_rel, urls, languages, keyed)
        if found is None:
            errors.append(BuildError(article.path, link.line, f"link to '{link.written}': that story {reason}"))
            targets.append(("#", ""))
        else:
            targets.append((urls[found], other_lang))

    def href(match: re.Match[str]) -> str:
        url, lang = targets[int(match.group(1))]
        return f'href="{url}{match.group(2)}"' + (f' hreflang="{lang}"' if lang else "")

    body = LINK_MARKER_RE.sub(lambda m: targets[int(m.group(1))][0], _HREF_MARKER.sub(href, article.body_html))
    if article.images:
        body = fill_body(article, body, pictures or {})
    return replace(article, body_z=pack(body)), errors


_HREF_MARKER = re.compile('href="\ue000ndlink(\\d+)\ue001([^"]*)"')


def linked_story(
    target: str,
    lang: str,
    by_rel: dict[str, Article],
    urls: dict[str, str],
    languages: tuple[str, ...],
    keyed: dict[tuple[str, str], str],
) -> tuple[str | None, str, str]:
    """The file a body link to ``target`` (under content/) goes to, from a story in ``lang``; the
    language to name in ``hreflang`` when it is another language's version; or why there is none.
    ``x.en.md`` is that very file. ``x.md`` is the story, in the linking story's language when it
    has a version in it (paired by name or ``translation_key``), else in the first language that has one."""
    base, suffix, _ = split_name(target, languages)
    if suffix is not None:
        candidates = [target]
    else:
        candidates = [target] + [f"{base}.{code}.md" for code in languages]
        known = next((by_rel[c] for c in candidates if c in by_rel), None)
        if known is not None:
            versions = [keyed.get((code, known.key)) for code in (lang, *languages)]
            candidates = [v for v in versions if v is not None] + candidates
    found = next((c for c in candidates if c in urls), None)
    if found is None:
        published = any(c in by_rel for c in candidates)
        return None, "", "is not published in this build (a draft or scheduled?)" if published else "does not exist"
    linked = by_rel.get(found)
    other = linked.lang if linked is not None and linked.lang != lang else ""
    return found, other, ""


def _distinct_slug(article: Article, placed: dict[str, Article], zone: tzinfo, section: str) -> Article:
    """A title slug already taken in its section (archives repeat "Server maintenance") gets the
    story's local date, then its time, then its file name — the first that is free."""
    local = article.date.astimezone(zone)
    name = make_slug(article.key.rsplit("/", 1)[-1]) or "story"
    day = local.date().isoformat()  # strftime("%Y") writes year 1 as "1"
    for suffix in (day, f"{day}-{local:%H%M}", name):
        slug = f"{article.slug}-{suffix}"
        if f"{section}{slug}/" not in placed:
            return replace(article, slug=slug)
    return article


def model(
    articles: list[Article],
    indexes: list[SectionIndex],
    config: Config,
    strings: dict[str, dict[str, str]],
    now: datetime | None = None,
    pictures: dict[tuple[str, str], Picture] | None = None,
) -> tuple[Site, list[BuildError]]:
    """Pair translations, place every story at its URL, find collisions and broken links. A story dated
    after ``now`` (the build's moment), which only ``--future`` lets in, is marked as scheduled.
    ``pictures``: the photo stage's, by (story file, src as written)."""
    pictures = pictures or {}
    placed, errors = _claim_urls(articles, config)
    urls = {a.rel: url for url, a in placed.items()}
    keyed = {(a.lang, a.key): a.rel for a in placed.values()}
    by_rel = {a.rel: a for a in articles}
    resolved: list[Article] = []
    for article in placed.values():
        article, link_errors = resolve_story_links(article, by_rel, urls, config.languages, pictures, keyed)
        errors.extend(link_errors)
        resolved.append(article)
    sections, section_names, section_intros = _sections(resolved, indexes, config)
    names = {lang: strings.get(lang, {}).get("language_name", lang) for lang in config.languages}
    stories = _place(resolved, config, section_names, names, now, pictures)
    share = pictures.get((SITE, config.image)) if config.image else None
    return Site(config, stories, sections, section_names, section_intros, strings, share=share), errors


def _claim_urls(articles: list[Article], config: Config) -> tuple[dict[str, Article], list[BuildError]]:
    """Each story at its URL (URL -> story). Stories with a slug of their own claim their URLs first;
    then derived slugs, oldest first, so publishing a new story never moves an old one's URL."""
    errors: list[BuildError] = []
    placed: dict[str, Article] = {}  # URL -> article
    by_key: dict[tuple[str, str], Article] = {}
    for article in sorted(articles, key=lambda a: (not a.slug_given, a.date.timestamp(), a.rel)):
        if article.section in RESERVED_SECTIONS:
            errors.append(
                BuildError(
                    article.path,
                    1,
                    f"section folder '{article.section}' is reserved for the site's own pages",
                    "rename the folder",
                )
            )
            continue
        first = by_key.setdefault((article.lang, article.key), article)
        if first is not article:
            errors.append(
                BuildError(article.path, 1, f"same language ({article.lang}) and translation key '{article.key}' as {first.path}")
            )
            continue
        home = section_url(config, article.lang, article.section)
        url = home + article.slug + "/"
        if article.slug in RESERVED_SLUGS and article.slug_given:
            what = "the section's numbered list pages" if article.slug == "page" else "the site's own pages"
            errors.append(
                BuildError(
                    article.path,
                    1,
                    f"slug: '{article.slug}' is reserved: {home}{article.slug}/ is kept for {what}",
                    "give the story another 'slug:'",
                )
            )
            continue
        if (url in placed or article.slug in RESERVED_SLUGS) and not article.slug_given:
            article = _distinct_slug(article, placed, config.tz(), home)
            url = home + article.slug + "/"
        other = placed.setdefault(url, article)
        if other is not article:
            errors.append(BuildError(article.path, 1, f"same URL {url} as {other.path}", "give one of them another 'slug:'"))
    return placed, errors


def _sections(
    articles: list[Article], indexes: list[SectionIndex], config: Config
) -> tuple[tuple[str, ...], dict[tuple[str, str], str], dict[tuple[str, str], str]]:
    """The sections in order (site.yaml's first, then the other folders), each one's name in every
    language (site.yaml's, else its _index file's title, else from its folder) and intros."""
    section_names: dict[tuple[str, str], str] = {}
    section_intros: dict[tuple[str, str], str] = {}
    for index in indexes:
        if index.title:
            section_names[(index.section, index.lang)] = index.title
        if index.body_html.strip():
            section_intros[(index.section, index.lang)] = index.body_html
    folders = sorted({a.section for a in articles})
    configured = [s for s in config.sections if s in folders]
    sections = tuple(configured + [s for s in folders if s not in configured])
    for folder in sections:
        for lang in config.languages:
            name = config.sections.get(folder, {}).get(lang) or section_names.get((folder, lang))
            section_names[(folder, lang)] = name or section_display_name(folder)
    return sections, section_names, section_intros


def _place(
    articles: list[Article],
    config: Config,
    section_names: dict[tuple[str, str], str],
    names: dict[str, str],
    now: datetime | None = None,
    pictures: dict[tuple[str, str], Picture] | None = None,
) -> dict[str, tuple[Story, ...]]:
    by_key: dict[str, dict[str, Article]] = defaultdict(dict)
    for article in articles:
        by_key[article.key][article.lang] = article
    urls = {id(a): section_url(config, a.lang, a.section) + a.slug + "/" for a in articles}
    tag_slugs = {tag: make_slug(tag) or "tag" for a in articles for tag in a.tags}
    author_slugs = {name: make_slug(name) or "author" for a in articles for name in a.authors}
    result: dict[str, list[Story]] = {lang: [] for lang in config.languages}
    default = config.default_language
    for article in articles:
        url = urls[id(article)]
        section = Link(section_names[(article.section, article.lang)], section_url(config, article.lang, article.section))
        tags = tuple(Link(t, url_for(config, article.lang, "tags", tag_slugs[t])) for t in article.tags)
        teaser = _teaser(article, url, section, tags, config, author_slugs, now, pictures)
        siblings = by_key[article.key]
        alternates = tuple(
            Alternate(lang, names[lang], urls[id(siblings[lang])], absolute(config, urls[id(siblings[lang])]))
            for lang in config.languages
            if lang in siblings
        )
        x_default = absolute(config, urls[id(siblings[default])]) if default in siblings else alternates[0].abs_url
        original = original_of(list(siblings.values()), config.languages)
        stale = staleness(article, original)
        notice = TranslationNotice(urls[id(original)], original.lang, names[original.lang], stale.changed) if stale else None
        result[article.lang].append(
            Story(
                article,
                teaser,
                out_path_for(config, url),
                section,
                tags,
                alternates if len(alternates) > 1 else (),
                x_default,
                original.lang,
                notice,
            )
        )
    return {
        lang: tuple(sorted(items, key=lambda s: (-s.article.date.timestamp(), s.article.rel))) for lang, items in result.items()
    }


def _teaser(
    article: Article,
    url: str,
    section: Link,
    tags: tuple[Link, ...],
    config: Config,
    author_slugs: dict[str, str],
    now: datetime | None,
    pictures: dict[tuple[str, str], Picture] | None,
) -> Teaser:
    """What a list, a feed or a sidebar shows of a story."""
    image_url = media_url(config, article.image.src, url) if article.image else ""
    return Teaser(
        title=article.title,
        url=url,
        abs_url=absolute(config, url),
        date=article.date,
        updated=article.updated,
        summary=article.summary,
        lang=article.lang,
        section=section,
        image_url=image_url,
        image_abs_url=absolute(config, image_url) if image_url else "",
        image_alt=article.image.alt if article.image else "",
        views=article.views,
        picture=(pictures or {}).get((article.rel, article.image.src)) if article.image else None,
        author=article.author,
        tags=tags,
        draft=article.draft,
        authors=tuple(Link(n, url_for(config, article.lang, "authors", author_slugs[n])) for n in article.authors),
        scheduled=now is not None and article.date > now,
    )
