"""What authors and site.yaml hand the build as values: one URL policy, strict text, bounded YAML,
errors that name the story in ``check`` as in ``build``, linear heading ids, non-ASCII story links."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys
import unicodedata
from pathlib import Path

import html5lib
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from newsdigest.cli import main
from newsdigest.errors import ContentErrors, UsageError
from newsdigest.markdown import render_body, unique_ids
from newsdigest.pipeline import Options, build, check
from newsdigest.urls import allowed, base_url_problem, url_problem
from newsdigest.yamlfm import clean_text
from tests.conftest import NOW, write_site

REPO = Path(__file__).resolve().parent.parent
STORY = "content/a/s.vi.md"


def site_with(tmp_path: Path, front: str, body: str = "x\n", extra: str = "") -> Path:
    root = write_site(tmp_path / "site", extra) if extra else tmp_path / "site"
    (root / "content/a").mkdir(parents=True, exist_ok=True)
    (root / STORY).write_text(f"---\n{front.strip()}\n---\n{body}", encoding="utf-8")
    return root


def errors_of(root: Path, command=build) -> list[str]:
    with pytest.raises(ContentErrors) as caught:
        command(Options(site_dir=root, now=NOW))
    return [str(e) for e in caught.value.errors]


def both_fail(root: Path) -> list[str]:
    """``check`` and ``build`` refuse the site with the same errors; they are returned."""
    checked, built = errors_of(root, check), errors_of(root, build)
    assert checked == built
    assert not any("layouts/" in e for e in built), built
    return built


def run_cli(root: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(REPO / "build.py"), *args], cwd=root, capture_output=True, text=True, timeout=timeout
    )


# --- the URL policy ---------------------------------------------------------------------------

ALLOWED = [
    "https://example.org/a?b=1#c",
    "http://example.org",
    "HTTPS://EXAMPLE.ORG/",
    "mailto:toa-soan@example.org",
    "/anh/a.jpg",
    "anh/a.jpg",
    "../b/c.jpg",
    "#muc-1",
    "?q=1",
    "a.jpg",
    "https://example.org/%20x",
]
REFUSED = [
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    " javascript:alert(1)",
    "javascript:alert(1) ",
    "\x01javascript:alert(1)",
    "java\tscript:alert(1)",
    "java\nscript:alert(1)",
    "java\rscript:x",
    "javascript&colon;alert(1)",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "java%73cript:alert(1)",
    "%6A%61vascript:alert(1)",
    "java%2573cript:x",
    "vbscript:msgbox(1)",
    "data:text/html,<script>alert(1)</script>",
    "data:image/png;base64,AAAA",
    "file:///etc/passwd",
    "//evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "https:evil.example",
    "http://",
    "mailto:",
    "blob:https://x/1",
    "jar:file:x!/",
    "a:b",
    "\u00a0javascript:alert(1)",
    "java\u200bscript:alert(1)",
]


@pytest.mark.parametrize("url", ALLOWED)
def test_the_policy_allows_web_mail_and_site_urls(url):
    assert url_problem(url) is None and allowed(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/",
        "http://localhost:8000/",
        "https://example.org/digest",
        "http://[::1]:8080/",
        "https://xn--bo-hia.vn/tin/",
        "https://example.org/%C3%A1/",
    ],
)
def test_base_url_allows_plain_addresses(url):
    assert base_url_problem(url) is None


@pytest.mark.parametrize("url", REFUSED)
def test_the_policy_refuses_every_other_scheme_however_written(url):
    assert url_problem(url) is not None and not allowed(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/d/?a=1",
        "https://example.org/#top",
        "ftp://example.org/",
        "https://user:pw@example.org/",
        "example.org",
        "javascript:alert(1)//",
        "",
        "https://[::1/",
        "https://báo.vn/",
        "https://example.org/%zz/",
        "https://-x.org/",
    ],
)
def test_base_url_refuses_queries_fragments_other_schemes(url):
    assert base_url_problem(url)


def _browser_scheme(value: str) -> str | None:
    """What a browser reads as the scheme of an attribute's (already entity-decoded) value: an
    oracle independent of newsdigest.urls."""
    value = re.sub("[\t\n\r]", "", value).strip("".join(map(chr, range(0x21))))
    if value.startswith(("//", "\\\\", "/\\", "\\/")):
        return "//"
    match = re.match(r"^([a-zA-Z][a-zA-Z0-9+.-]*):", value)
    return match.group(1).lower() if match else None


_URL_ATTRIBUTES = ("href", "src", "action", "formaction", "poster", "srcset", "xlink:href")
_URL_KEYS = {"url", "@id", "id", "external_url", "image", "icon", "favicon", "home_page_url", "feed_url", "logo"}


def _urls_in(value: object, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [u for k, v in value.items() for u in _urls_in(v, k)]
    if isinstance(value, list):
        return [u for v in value for u in _urls_in(v, key)]
    return [value] if isinstance(value, str) and key in _URL_KEYS else []


def published_urls(out: Path) -> list[tuple[str, str]]:
    """Every URL-valued spot of every output file: HTML attributes, Open Graph and Twitter metas,
    JSON-LD, JSON Feed, RSS and sitemaps."""
    found: list[tuple[str, str]] = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if path.suffix == ".html":
            document = html5lib.parse(path.read_bytes(), namespaceHTMLElements=False)
            for element in document.iter():
                for name, value in element.attrib.items():
                    if name in _URL_ATTRIBUTES:
                        found.append((rel, value))
                if element.tag == "meta" and re.search(r"(url|image)$", element.get("property", element.get("name", ""))):
                    found.append((rel, element.get("content", "")))
                if element.tag == "script" and element.get("type") == "application/ld+json":
                    found += [(rel, u) for u in _urls_in(json.loads(element.text or "{}"))]
        elif path.suffix == ".json" and path.name != "pagefind-entry.json":
            found += [(rel, u) for u in _urls_in(json.loads(path.read_text(encoding="utf-8")))]
        elif path.suffix == ".xml":
            for element in etree.fromstring(path.read_bytes()).iter():
                tag = etree.QName(element).localname if isinstance(element.tag, str) else ""
                if tag in ("link", "loc", "url", "guid", "comments") and element.text:
                    found.append((rel, element.text.strip()))
                found += [(rel, v) for k, v in element.attrib.items() if etree.QName(k).localname in ("href", "url")]
    return found


def assert_no_bad_scheme(out: Path) -> None:
    urls = published_urls(out)
    assert urls  # the scanner sees the pages' own links
    bad = [(rel, u) for rel, u in urls if _browser_scheme(u) not in (None, "http", "https", "mailto")]
    assert not bad, bad[:5]


SMUGGLED = st.builds(
    lambda scheme, join, tail: join(scheme) + tail,
    st.sampled_from(
        [
            "javascript",
            "vbscript",
            "data",
            "file",
            "JaVaScRiPt",
            "jav\tascript",
            "java%73cript",
            "javascript&colon;",
            "&#106;avascript",
            " javascript",
            "\x00javascript",
            "/",
            "\\",
        ]
    ),
    st.sampled_from(
        [
            lambda s: s + ":" if not s.endswith(";") and not s.startswith(("/", "\\")) else s,
            lambda s: s.upper() + ":" if s.isalpha() else s,
            lambda s: "/" + s if s in ("/", "\\") else s + ":",
        ]
    ),
    st.sampled_from(["alert(1)", "//evil.example/x", "text/html,<script>alert(1)</script>", "/evil.example"]),
)
FIELDS = ("source_url", "image_src", "image_str", "video_url", "body_link", "body_image", "body_ref", "body_auto")


@given(st.sampled_from(FIELDS), SMUGGLED)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_no_url_valued_field_smuggles_a_scheme_into_any_output(tmp_path_factory, field, url):
    """Front matter refuses it (an error naming the story's line); a body drops it (plain text).
    Either way no output file ever carries a URL a browser would run or fetch off-site."""
    root = tmp_path_factory.mktemp("s")
    (root / "content/a").mkdir(parents=True)
    quoted = json.dumps(url)
    front = {
        "source_url": f"source: {{name: Báo, url: {quoted}}}",
        "image_src": f"image: {{src: {quoted}, alt: a}}",
        "image_str": f"image: {quoted}",
        "video_url": f"video_url: {quoted}",
    }.get(field, "")
    escaped = url.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").replace("\n", "").replace("\r", "")
    body = {
        "body_link": f"[bấm]({escaped})",
        "body_image": f"![ảnh]({escaped})",
        "body_ref": f"[bấm][r]\n\n[r]: {escaped}",
        "body_auto": f"<{escaped}>",
    }.get(field, "Nội dung.")
    (root / STORY).write_text(f"---\ntitle: Tin\ndate: 2024-01-01\n{front}\n---\n{body}\n", encoding="utf-8")
    options = Options(site_dir=root, now=NOW, cache=False)
    if front and url_problem(clean_text(url).strip(" ")) is not None:  # as the file's text is read
        with pytest.raises(ContentErrors) as caught:
            build(options)
        assert [e.path.endswith(STORY) and e.line == 4 for e in caught.value.errors] == [True]
        assert not (root / "output").exists()
        return
    build(options)
    assert_no_bad_scheme(root / "output")


def test_a_site_full_of_allowed_urls_keeps_them(tmp_path):
    root = site_with(
        tmp_path,
        """
title: Tin
date: 2024-01-01
source: {name: Báo, url: "https://bao.example/tin"}
image: {src: /anh/a.jpg, alt: Ảnh}
video_url: https://video.example/1
""",
        "[web](https://a.example/) [thư](mailto:a@b.example) [mục](#muc) ![ảnh](anh/b.jpg)\n",
        extra="""
-- site.yaml --
base_url: https://example.org/digest/
publisher: {name: Báo, logo: /logo.png, email: toa-soan@example.org}
""",
    )
    build(Options(site_dir=root, now=NOW))
    page = (root / "output/vi/a/tin/index.html").read_text(encoding="utf-8")
    for needle in (
        'href="https://bao.example/tin"',
        'src="/digest/anh/a.jpg"',
        'href="https://a.example/"',
        'href="mailto:a@b.example"',
        'href="#muc"',
        'src="anh/b.jpg"',
    ):
        assert needle in page
    assert_no_bad_scheme(root / "output")


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ('source: {name: Báo, url: "javascript:alert(1)"}', ":4: source.url: 'javascript:alert(1)' uses the scheme"),
        ('source: {name: Báo, url: "//evil.example/"}', ":4: source.url: '//evil.example/' is protocol-relative"),
        ('image: {src: "data:image/png;base64,AAAA", alt: a}', ":4: image.src: 'data:image/png;base64,AAAA' uses the scheme"),
        ('image: "JAVASCRIPT:alert(1)"', ":4: image: 'JAVASCRIPT:alert(1)' uses the scheme"),
        ('image: {src: "java\\tscript:alert(1)"}', ":4: image.src: "),
        ('video_url: "javascript&colon;alert(1)"', ":4: video_url: uses the scheme 'javascript:'"),
        ('embed: {poster_src: "vbscript:x"}', ":4: embed.poster_src: uses the scheme 'vbscript:'"),
        ('note: "  javascript:alert(1)"', ":4: note: looks like a script or data URL"),
    ],
)
def test_front_matter_urls_outside_the_policy_are_errors_on_their_line(tmp_path, front, expected):
    root = site_with(tmp_path, f"title: Tin\ndate: 2024-01-01\n{front}")
    errors = both_fail(root)
    assert len(errors) == 1 and STORY in errors[0] and expected in errors[0], errors


def test_text_that_only_mentions_data_is_not_a_url(build_site):
    site = build_site("""
    -- content/a/s.vi.md --
    ---
    title: Tin
    date: 2024-01-01
    note: "Data: Tổng cục Thống kê"
    ---
    x
    """)
    assert site.result.stories == {"vi": 1, "en": 0}


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("base_url: https://example.org/digest/?a=1", "site.yaml:1: base_url: must have no query"),
        ("base_url: https://example.org/digest/#top", "site.yaml:1: base_url: must have no query"),
        ("base_url: ftp://example.org/", "site.yaml:1: base_url: must be an absolute http(s) URL"),
        ("publisher: {name: Báo, logo: 'javascript:alert(1)'}", "site.yaml:1: publisher: logo (en): 'javascript:alert(1)' uses"),
        ("publisher: {logo: {vi: /a.png, en: '//evil.example/a.png'}}", "site.yaml:1: publisher: logo (en):"),
        ("params: {banner: {link: 'javascript:alert(1)'}}", "site.yaml:1: params: banner.link: uses the scheme"),
        ('title: {vi: Bản tin, en: "\\u200b"}', "site.yaml:1: title: shows nothing"),
        ("base_url: 'https://example.org/a b/'", "site.yaml:1: base_url: is not a plain address"),
        ("base_url: 'https://example.org:99999/'", "site.yaml:1: base_url: is not a plain address"),
        ("base_url: 'https://example.org/<b>/'", "site.yaml:1: base_url: is not a plain address"),
        ("base_url: 'https://user@example.org/'", "site.yaml:1: base_url: must not hold a user name"),
    ],
)
def test_site_yaml_urls_outside_the_policy_are_errors(tmp_path, setting, expected):
    root = site_with(tmp_path, "title: Tin\ndate: 2024-01-01")
    (root / "site.yaml").write_text(setting + "\n", encoding="utf-8")
    errors = both_fail(root)
    assert any(e.endswith(expected) or expected in e for e in errors), errors


@pytest.mark.parametrize("url", ["https://example.org/?a=1", "https://example.org/#x", "ftp://example.org/", "example.org"])
def test_base_url_on_the_command_line_is_checked_exit_2(tmp_path, capsys, url):
    root = site_with(tmp_path, "title: Tin\ndate: 2024-01-01")
    for command in ("build", "check"):
        assert main([command, "--site", str(root), "--base-url", url]) == 2
        assert "build.py: error: --base-url " in capsys.readouterr().err
    assert not (root / "output").exists()
    with pytest.raises(UsageError):  # the library refuses it too (the preview, tests)
        build(Options(site_dir=root, base_url=url))


def test_bodies_drop_links_and_images_outside_the_policy():
    body = (
        "[a](javascript:alert(1)) [b](JAVA%73cript:x) <javascript:alert(1)> [c](//evil.example) "
        "![i](data:image/png;base64,AAA) [d](javascript&colon;alert(1)) [e](&#x6a;avascript:x) "
        "[f](<java\tscript:x>) [g](vbscript:x) ![h](file:///etc/passwd) [r][ref] [ok](https://a.example/)\n\n"
        "[ref]: javascript:alert(2)\n"
    )
    rendered = render_body(body, allow_html=False, source_dir="a", base_path="/", line_offset=3).html
    attributes = re.findall(r'(?:href|src)="([^"]*)"', rendered)
    assert attributes == ["https://a.example/"]


# --- strict values ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("tags: [[a]]", ":4: tags: item 1 must be text, not a list"),
        ("tags: [ok, {a: 1}]", ":4: tags: item 2 must be text, not a mapping"),
        ("tags: {a: 1}", ":4: tags: must be text, not a mapping"),
        ("author: [a, b]", ":4: author: is one name"),
        ("authors: [a, [b]]", ":4: authors: each author must be a name"),
        ('authors: [a, "\\u200b"]', ":4: authors: shows nothing"),
        ("summary: {a: 1}", ":4: summary: must be text, not a mapping"),
        ("description: [a]", ":4: description: must be text, not a list"),
        ("slug: [a]", ":4: slug: must be text, not a list"),
        ("slug: '!!!'", ":4: slug: '!!!' has no letter or digit"),
        ("translation_key: {a: b}", ":4: translation_key: must be text, not a mapping"),
        ("layout: [a]", ":4: layout: must be text, not a list"),
        ("source: {name: [a]}", ":4: source.name: must be text, not a list"),
        ("image: {src: a.jpg, alt: {a: 1}}", ":4: image.alt: must be text, not a mapping"),
        ("image: {src: [a.jpg]}", ":4: image.src: must be text, not a list"),
        ("lang: [vi]", ":4: lang: '['vi']' is not one of the site's languages"),
        ("views: 100000000000000000000000000000000000000", ":4: views: 100000000000000000000000000000000000000 is too large"),
        ("views: -1", ":4: views: '-1' is not a whole number"),
        ("views: true", ":4: views: 'True' is not a whole number"),
        ("views: 1.5", ":4: views: '1.5' is not a whole number"),
        ("updated: 0001-01-01", ":4: updated: '0001-01-01T00:00:00+07:00' is out of range"),
    ],
)
def test_values_where_they_do_not_belong_are_errors_on_their_line(tmp_path, front, expected):
    root = site_with(tmp_path, f"title: Tin\ndate: 2024-01-01\n{front}")
    errors = both_fail(root)
    assert len(errors) == 1 and STORY in errors[0] and expected in errors[0], errors


@pytest.mark.parametrize("title", ["[a, b]", "{a: 1}", "true", "[[x]]"])
def test_a_title_that_is_not_text_is_an_error(tmp_path, title):
    errors = both_fail(site_with(tmp_path, f"title: {title}\ndate: 2024-01-01"))
    assert len(errors) == 1 and f"{STORY}:2: title: must be text" in errors[0], errors


@pytest.mark.parametrize(
    "blank",
    [
        "\u200b",
        "\u200d",
        "\ufeff",
        "\u2060",
        "\u200e\u200f",
        "\u202e",
        "\u2066\u2069",
        "\u200b \u200c",
        "\u3164",
        "\u00a0\u200b\u3000",
        "\u034f",
        "\u0301",
    ],
)
def test_an_invisible_headline_is_an_error(tmp_path, blank):
    title = json.dumps(blank)  # YAML's double quotes read the JSON escapes
    errors = both_fail(site_with(tmp_path, f"title: {title}\ndate: 2024-01-01"))
    assert errors == [f"{errors_of_path(tmp_path)}:2: title: shows nothing (only invisible characters such as U+200B)"]


def errors_of_path(tmp_path: Path) -> str:
    from newsdigest.pipeline import _shown as shown

    return f"{shown(tmp_path / 'site' / 'content')}/a/s.vi.md"


def test_a_headline_with_a_joiner_inside_real_letters_is_fine(build_site):
    site = build_site("""
    -- content/a/s.vi.md --
    ---
    title: "Tin\\u200bnóng \\U0001F468\\u200d\\U0001F469"
    date: 2024-01-01
    ---
    x
    """)
    assert site.result.stories["vi"] == 1


@pytest.mark.parametrize(
    ("date", "line_text"),
    [
        ("0001-01-01", "date: '0001-01-01T00:00:00+07:00' is out of range"),
        ("0001-01-01T00:00:00+14:00", "is out of range"),
        ("9999-12-31T12:00:00+00:00", "is out of range"),
        ("9999-12-31T23:59:59-12:00", "is out of range"),
    ],
)
def test_dates_no_page_could_show_are_errors_in_check_and_build(tmp_path, date, line_text):
    errors = both_fail(site_with(tmp_path, f"title: Tin\ndate: {date}"))
    assert len(errors) == 1 and f"{STORY}:3: " in errors[0] and line_text in errors[0], errors


def test_the_calendars_last_safe_days_build(build_site):
    site = build_site(
        """
    -- content/a/old.vi.md --
    ---
    title: Cũ
    date: 0001-01-02T12:00:00+00:00
    views: 9007199254740991
    ---
    x
    -- content/a/new.vi.md --
    ---
    title: Mới
    date: 9999-12-30T00:00:00+00:00
    ---
    y
    """,
        future=True,
    )
    site.assert_file("vi/a/cu/index.html", "9.007.199.254.740.991")


# --- bounded input ----------------------------------------------------------------------------

LAUGHS = "\n".join(
    [f"a0: &a0 [{', '.join(['lol'] * 9)}]"] + [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
)


def test_a_yaml_bomb_is_refused_with_its_line(tmp_path):
    front = f"title: Tin\ndate: 2024-01-01\n{LAUGHS}"
    assert len(front.encode()) < 520  # 9**9 values from about 500 bytes
    errors = both_fail(site_with(tmp_path, front))
    assert errors == [f"{errors_of_path(tmp_path)}:2: front matter: more than 10000 values once its aliases (*name) are expanded"]


def test_aliases_that_expand_to_little_are_fine(build_site):
    site = build_site("""
    -- content/a/s.vi.md --
    ---
    title: &t Tin
    date: 2024-01-01
    summary: *t
    ---
    x
    """)
    site.assert_file("vi/a/tin/index.html", '<p class="lede">Tin</p>')


@pytest.mark.parametrize(
    ("front", "expected"),
    [
        ("x: " + "[" * 100_000 + "]" * 100_000, ":4: front matter: values nested more than 32 levels deep"),
        ("x: " + "- " * 50_000 + "a", ":4: front matter is not valid YAML"),
        ("x:\n" + "".join(" " * i + "k:\n" for i in range(1, 40)) + " " * 41 + "v", ": front matter: values nested more than 32"),
        ("tags: !!set {a, b}", ":4: front matter: the tag !!set is not allowed"),
        ("x: !!binary aGk=", ":4: front matter: the tag !!binary is not allowed"),
        ("x: !!omap [a: 1]", ":4: front matter: the tag !!omap is not allowed"),
        ("x: !!python/object/apply:os.system [echo hi]", ":4: front matter is not valid YAML: could not determine a constructor"),
        ("x: !!python/name:os.system ''", ":4: front matter is not valid YAML"),
        ("x: !custom 1", ":4: front matter is not valid YAML"),
        ("views: " + "9" * 5000, ":4: front matter: a number with too many digits"),
        ("x: &a [1, *a]", ":4: front matter: a value that holds itself through an alias"),
    ],
    ids=lambda v: v[:30],
)
def test_odd_yaml_is_an_error_not_a_crash(tmp_path, front, expected):
    errors = both_fail(site_with(tmp_path, f"title: Tin\ndate: 2024-01-01\n{front}"))
    assert len(errors) == 1 and STORY in errors[0] and expected in errors[0], errors


def test_deep_nesting_does_not_crash_the_interpreter(tmp_path):
    """libyaml's composer recursed in C: 100,000 "[" ended the process with a segmentation fault."""
    root = site_with(tmp_path, "title: Tin\ndate: 2024-01-01\nx: " + "[" * 100_000 + "]" * 100_000)
    done = run_cli(root, "check", "--site", ".", timeout=120)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert f"{STORY}:4: front matter: values nested more than 32 levels deep" in done.stderr


def test_a_story_file_over_2_mib_is_an_error_naming_it(tmp_path):
    root = site_with(tmp_path, "title: Tin\ndate: 2024-01-01", "chữ " * 600_000)
    errors = both_fail(root)
    assert errors == [
        f"{errors_of_path(tmp_path)}:1: the file is {(root / STORY).stat().st_size:,} bytes; a story may "
        "have at most 2 MiB (split it, or keep pictures and data beside it)"
    ]


def test_equal_headings_get_numbered_ids_in_linear_work():
    class Counting(set):
        probes = 0

        def __contains__(self, item: object) -> bool:
            Counting.probes += 1
            return super().__contains__(item)

    n = 20_000
    ids = unique_ids(["x"] * n, Counting())
    assert ids == ["x"] + [f"x-{i}" for i in range(1, n)]
    assert Counting.probes <= 2 * n  # the anchors plugin probed n**2 / 2 times (38 s)
    Counting.probes = 0
    mixed = unique_ids(["x", "x", "x-1", "x", "x-1"], Counting())
    assert mixed == ["x", "x-1", "x-1-1", "x-2", "x-1-2"]


def test_heading_ids_in_a_body(tmp_path):
    html_text = render_body(
        "# Tin\n\n## Tin\n\n## Tin 1\n\n### `mã` nguồn\n\n## !!!\n",
        allow_html=False,
        source_dir="a",
        base_path="/",
        line_offset=3,
    ).html
    assert re.findall(r'id="([^"]+)"', html_text) == ["tin", "tin-1", "tin-1-1", "ma-nguon", "section"]


# --- story links whose file names are not ASCII -----------------------------------------------


def test_a_link_to_a_story_with_a_vietnamese_file_name(build_site):
    nfd = unicodedata.normalize("NFD", "giá-vàng.vi.md")
    site = build_site(f"""
    -- content/kinh-te/giá-vàng.vi.md --
    ---
    title: Giá vàng
    date: 2024-01-01
    ---
    x
    -- content/kinh-te/tin.vi.md --
    ---
    title: Tin
    date: 2024-01-02
    ---
    Xem [giá vàng](giá-vàng.vi.md#cuoi), [lại]({nfd}) và [bản mã hoá](gi%C3%A1-v%C3%A0ng.vi.md).
    """)
    page = site.read("vi/kinh-te/tin/index.html").split('<div class="body">')[1].split("</div>")[0]
    assert page.count('href="/vi/kinh-te/gia-vang/') == 3 and 'href="/vi/kinh-te/gia-vang/#cuoi"' in page


def test_a_broken_non_ascii_link_names_the_file_as_written(tmp_path):
    root = site_with(tmp_path, "title: Tin\ndate: 2024-01-01", "Xem [x](vàng-bạc.vi.md).\n")
    errors = both_fail(root)
    assert errors == [f"{errors_of_path(tmp_path)}:5: link to 'vàng-bạc.vi.md': that story does not exist"]


def test_messages_quote_values_as_text(tmp_path):
    errors = both_fail(site_with(tmp_path, 'title: Tin\ndate: 2024-01-01\nsource: {name: B, url: "<b>javascript:x"}'))
    assert html.escape("<b>") not in errors[0] and "'<b>javascript:x'" in errors[0]


def test_yaml_dumped_fronts_round_trip_through_the_checks(tmp_path):
    front = yaml.safe_dump({"title": "Tin", "date": "2024-01-01", "tags": ["a", 2024], "views": "12"}, allow_unicode=True)
    root = site_with(tmp_path, front)
    result = check(Options(site_dir=root, now=NOW))
    assert result.stories["vi"] == 1
    assert result.site.stories["vi"][0].article.tags == ("a", "2024")
