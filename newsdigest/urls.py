"""The one URL policy: which author- and config-supplied URLs may reach a page, a feed or a sitemap.

Allowed: ``http://host…``, ``https://host…``, ``mailto:…``, site-relative paths (``/x``, ``x/y``,
``../x``, ``?q``) and fragments (``#x``). Everything else — ``javascript:``, ``data:``, ``file:``,
protocol-relative ``//host``, and the ways of hiding a scheme from a naive check (spaces or control
characters around or inside it, upper case, HTML entities, percent-encoding, backslashes) — is
refused. Front matter and site.yaml turn a refusal into an error; Markdown bodies drop the link
(markdown-it-py's ``validateLink`` is this module's ``allowed``).
"""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import unquote

ALLOWED_SCHEMES = frozenset({"http", "https", "mailto"})
# Browsers drop tabs and newlines anywhere in a URL, and C0 controls and spaces around it, before
# they read the scheme: "java\tscript:" is "javascript:" to them.
_IGNORED = re.compile("[\t\n\r]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_EDGES = "".join(map(chr, range(0x21)))  # C0 controls and the space
# Whatever stands before a colon that comes before the first "/", "?" or "#" is a scheme to a browser.
_SCHEME_PART = re.compile(r"^([^/?#]*):")
_HTTP = re.compile(r"^https?://[^/?#\s@\\]+", re.IGNORECASE)
# Keys whose values are URLs wherever they appear among a story's or the site's own ``params``.
_URL_KEY = re.compile(r"(^|_)(url|src|href|link|logo|image|icon)$", re.IGNORECASE)
# What runs code or reads local files, refused in any text of ``params``, URL-named or not (plain
# text such as "Data: GSO" is not a data URL: a MIME type must follow).
_DANGEROUS = re.compile(r"^(javascript|vbscript|livescript):|^data:\s*[a-z]+/[a-z0-9.+-]+\s*[;,]|^file:/|^blob:")


def _views(url: str) -> list[str]:
    """The URL as written, and as it reads once HTML entities and percent-escapes are decoded
    (repeatedly, a few rounds: ``%2573`` is ``%73`` is ``s``)."""
    views = [url]
    current = url
    for _ in range(4):
        decoded = unquote(html.unescape(current))
        if decoded == current:
            break
        views.append(decoded)
        current = decoded
    return views


def _cleaned(view: str) -> str:
    """``view`` as a browser reads it: tabs and newlines dropped, controls and spaces around it too."""
    return _IGNORED.sub("", view).strip(_EDGES)


def _scheme(view: str) -> str | None:
    """The scheme a browser would read in ``view`` (lower case), or None for a relative URL."""
    match = _SCHEME_PART.match(_cleaned(view))
    return match.group(1).lower() if match else None


def url_problem(url: str) -> str | None:
    """Why ``url`` may not be published (a short phrase), or None when the policy allows it."""
    if url != url.strip():
        return "has spaces around it"
    if _CONTROL.search(url):
        return "holds a control character (a tab or line break?)"
    if "\\" in url:
        return "holds a backslash"
    for view in _views(url):
        if _cleaned(view).startswith(("//", "\\\\", "/\\", "\\/")):
            return "is protocol-relative ('//host'): write https://host"
        scheme = _scheme(view)
        if scheme is not None and scheme not in ALLOWED_SCHEMES:
            return f"uses the scheme '{scheme[:20]}:', which is not allowed (only http, https, mailto and site paths)"
    scheme = _scheme(url)
    if scheme in ("http", "https") and not _HTTP.match(url):
        return f"is not a full {scheme} URL (write {scheme}://host/path)"
    if scheme == "mailto" and len(url) == len("mailto:"):
        return "is a mailto: without an address"
    return None


def allowed(url: str) -> bool:
    """The policy as a yes or no: markdown-it-py's ``validateLink`` for bodies."""
    return url_problem(url) is None


_BASE = re.compile(
    r"^https?://(?P<host>[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?"
    r"|\[[0-9A-Fa-f:.]+\])(?::(?P<port>\d{1,5}))?(?P<path>/[A-Za-z0-9._~!$&()*+,;=:@/-]*|%[0-9A-Fa-f]{2})*$"
)


def base_url_problem(url: str) -> str | None:
    """Why ``url`` cannot be the site's ``base_url``: it must be an absolute http(s) URL with a host
    (a name, or an IP address in brackets) and an optional port, a plain path (ASCII, percent-escapes
    allowed), and neither a query, a fragment nor credentials: every page's address starts with it."""
    if not re.match(r"^https?://", url, re.IGNORECASE):
        return "must be an absolute http(s) URL such as https://example.org/digest/"
    problem = url_problem(url)
    if problem:
        return problem
    if re.search(r"[?#]", url):
        return "must have no query ('?') or fragment ('#'): it is the start of every page's address"
    if "@" in url.split("/", 3)[2]:
        return "must not hold a user name or password"
    match = _BASE.match(url.lower())
    if not match or (match.group("port") and not 0 < int(match.group("port")) < 65536):
        return (
            "is not a plain address: write the host in ASCII (punycode for other scripts), an optional "
            "port, and a path of letters, digits, '-', '.', '_', '~' (others percent-encoded)"
        )
    return None


def is_url_key(key: Any) -> bool:
    """Whether a ``params`` key names a URL (``url``, ``video_url``, ``src``, ``logo``, …)."""
    return isinstance(key, str) and bool(_URL_KEY.search(key))


def param_url_problems(value: Any, where: str = "") -> list[tuple[str, str]]:
    """Every URL the policy refuses among free-form ``params``: ``(dotted key, problem)``. Values of
    URL-named keys go through the whole policy; any other text only may not start with a scheme
    that runs code or reads files (``javascript:``, ``data:``, …), however it is disguised."""
    found: list[tuple[str, str]] = []
    stack: list[tuple[str, Any, bool]] = [(where, value, False)]
    while stack:
        path, item, url_valued = stack.pop()
        if isinstance(item, dict):
            for key, inner in item.items():
                stack.append((f"{path}.{key}" if path else str(key), inner, is_url_key(key)))
        elif isinstance(item, list):
            stack.extend((path, inner, url_valued) for inner in item)
        elif isinstance(item, str):
            stripped = item.strip()
            if url_valued and stripped:
                problem = url_problem(stripped)
                if problem:
                    found.append((path, problem))
            elif any(_DANGEROUS.match(_cleaned(view).lower()) for view in _views(item[:200])):
                found.append((path, "looks like a script or data URL, which is not allowed"))
    return sorted(found)
