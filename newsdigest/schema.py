"""schema.org JSON-LD for story pages and home pages, as plain dicts for ``tojson``; Open Graph locales.

Built here rather than in ``_meta.html``: assembling nested dicts with ``{% set _ = d.update() %}``
cost a template a third of a story page's rendering time."""

from __future__ import annotations

from typing import Any

from .site import Chrome, ListPage, StoryPage

CONTEXT = "https://schema.org"
OG_LOCALES = {
    "vi": "vi_VN",
    "en": "en_US",
    "fr": "fr_FR",
    "de": "de_DE",
    "es": "es_ES",
    "ja": "ja_JP",
    "ko": "ko_KR",
    "zh": "zh_CN",
    "th": "th_TH",
    "km": "km_KH",
    "lo": "lo_LA",
    "id": "id_ID",
}


def og_locale(lang: str) -> str:
    """Open Graph's locale for a language code: ``vi`` → ``vi_VN``; ``pt-BR`` → ``pt_BR``."""
    return OG_LOCALES.get(lang, lang.replace("-", "_"))


def organization(site: Chrome) -> dict[str, Any]:
    """The publisher, as every story's JSON-LD and the home page's name it."""
    org: dict[str, Any] = {
        "@type": "NewsMediaOrganization",
        "@id": site.base_url + "#organization",
        "name": site.publisher.name or site.site_title,
        "url": site.base_url,
    }
    if site.logo_url:
        org["logo"] = {"@type": "ImageObject", "url": site.logo_url}
    return org


def _people(names: tuple[str, ...]) -> dict[str, Any] | list[dict[str, Any]]:
    """schema.org authors: one Person, or a list of them for a shared byline; empty when none."""
    people = [{"@type": "Person", "name": name} for name in names]
    return people[0] if len(people) == 1 else people


def news_article(page: StoryPage, site: Chrome, lang: str) -> dict[str, Any]:
    """A story: its headline, dates, section, author, picture and source, and its translations.
    The original is the version without ``translated_from`` (else the default language's); the
    others are its translations. ``dateModified`` is the page's own, stale translation or not."""
    story = page.story
    publisher = organization(site)
    article: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "NewsArticle",
        "@id": page.abs_url,
        "url": page.abs_url,
        "mainEntityOfPage": {"@type": "WebPage", "@id": page.abs_url},
        "headline": story.title,
        "datePublished": story.date.isoformat(),
        "dateModified": story.modified.isoformat(),  # a correction changes the story too
        "inLanguage": lang,
        "articleSection": page.section.title,
        "author": _people(story.authors or ((story.author,) if story.author else ())) or publisher,
        "publisher": publisher,
    }
    if story.summary:
        article["description"] = story.summary
    if page.tags:
        article["keywords"] = [tag.title for tag in page.tags]
    if story.image:
        picture = page.teaser.picture
        image: dict[str, Any] = {"@type": "ImageObject", "url": page.teaser.image_abs_url}
        if picture:  # the raster share copy, 1200 wide: what Google's Top Stories asks for
            image.update(url=picture.share_url, width=picture.share_width, height=picture.share_height)
        if story.image.caption:
            image["caption"] = story.image.caption
        if story.image.credit:
            image["creditText"] = story.image.credit
        article["image"] = image
    if story.source:
        outlet: dict[str, Any] = {"@type": "Organization", "name": story.source.name}
        if story.source.url:
            outlet["url"] = story.source.url
        article["isBasedOn"] = {"@type": "CreativeWork", "publisher": outlet}
    translations = [
        {"@type": "NewsArticle", "@id": alt.abs_url, "url": alt.abs_url, "inLanguage": alt.lang}
        for alt in page.alternates
        if alt.lang != lang
    ]
    origin = page.original_lang or site.default_lang  # see translations.original_of
    if lang == origin and translations:
        article["workTranslation"] = translations
    for original in translations:
        if original["inLanguage"] == origin:
            article["translationOfWork"] = original
    translator = story.params.get("translator")
    if isinstance(translator, str):
        article["translator"] = {"@type": "Person", "name": translator}
    return article


def home_graph(page: ListPage, site: Chrome, lang: str) -> dict[str, Any]:
    """The home page: the site, and the publisher with its contact details."""
    org = organization(site)
    website: dict[str, Any] = {
        "@type": "WebSite",
        "@id": page.abs_url + "#website",
        "url": page.abs_url,
        "name": site.site_title,
        "inLanguage": lang,
        "publisher": {"@id": org["@id"]},
    }
    if site.description:
        website["description"] = site.description
    p = site.publisher
    for key, value in (
        ("description", p.about),
        ("email", p.email),
        ("telephone", p.phone),
        ("faxNumber", p.fax),
        ("address", p.address),
    ):
        if value:
            org[key] = value
    return {"@context": CONTEXT, "@graph": [website, org]}
