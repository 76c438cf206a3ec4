"""The site's files only, and one map of the output (issue 10): tiny sites that try to publish a host
file, hang the build, or have one output destroy another. Each must fail with its exact error, exit 1
(ContentErrors), and leave the previous output exactly as it was."""

from __future__ import annotations

import os
import signal
import socket
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from newsdigest.errors import ContentErrors
from newsdigest.memory import Memory
from newsdigest.pipeline import Options, build, check
from tests.conftest import NOW, write_site

REPO = Path(__file__).resolve().parent.parent

SITE = """
-- content/thoi-su/lu-lut.vi.md --
---
title: Lũ lụt
date: 2024-10-01T08:00:00+07:00
---
Nước dâng cao.
-- content/kinh-te/gia-vang.vi.md --
---
title: Giá vàng
date: 2024-10-02T08:00:00+07:00
---
Giá vàng tăng.
"""

STORY = """---
title: {title}
date: 2024-10-03T08:00:00+07:00
{extra}---
Body.
"""


@pytest.fixture(autouse=True)
def _never_hang():
    """A build that blocks on a FIFO would stall the whole suite: turn that into a failure."""

    def stop(*_):
        raise TimeoutError("the build hung")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(120)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, previous)


def _tree(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def _options(root: Path, **kw) -> Options:
    return Options(site_dir=root, now=NOW, **kw)


class Site:
    """A good site built once; ``fails`` then checks that a bad change is refused, naming it."""

    def __init__(self, root: Path, spec: str = SITE):
        self.root = write_site(root, spec)
        build(_options(root))
        self.out = root / "output"
        self.before = _tree(self.out)
        assert self.before, "the good build wrote nothing"

    def fails(self, *expected: str) -> list[str]:
        with pytest.raises(ContentErrors) as caught:
            build(_options(self.root))
        errors = [str(e) for e in caught.value.errors]
        assert errors == list(expected)
        assert _tree(self.out) == self.before, "the failed build changed the output"
        with pytest.raises(ContentErrors) as checked:  # check rejects exactly what build rejects
            check(_options(self.root))
        assert [str(e) for e in checked.value.errors] == errors
        return errors

    def p(self, rel: str) -> Path:
        return self.root / rel


def _story(title: str, extra: str = "") -> str:
    return STORY.format(title=title, extra=extra)


def _fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)


OUTSIDE = "is a symbolic link to /etc/passwd, outside the site's files"


# -- links out of the site ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel",
    [
        "static/passwd",  # a static file
        "content/thoi-su/lu-lut/passwd",  # beside a page bundle's story (below)
        "content/thoi-su/passwd.vi.md",  # a story
        "site.yaml",
    ],
)
def test_a_link_out_of_the_site_is_an_error_and_never_published(tmp_path, rel):
    site = Site(tmp_path / "site")
    if rel.startswith("content/thoi-su/lu-lut/"):  # make lu-lut a page bundle first
        bundle = site.p("content/thoi-su/lu-lut")
        bundle.mkdir()
        site.p("content/thoi-su/lu-lut.vi.md").rename(bundle / "index.vi.md")
        build(_options(site.root))
        site.before = _tree(site.out)
    site.p(rel).parent.mkdir(parents=True, exist_ok=True)
    site.p(rel).symlink_to("/etc/passwd")
    site.fails(f"{site.p(rel)}:1: {OUTSIDE}")
    assert not any(b"root:" in data for data in _tree(site.out).values())


def test_a_template_linked_out_of_the_template_folders_is_an_error(tmp_path):
    site = Site(tmp_path / "site")
    layouts = site.p("layouts").resolve()
    site.p("layouts/i18n").mkdir(parents=True)
    site.p("layouts/article.html").symlink_to("/etc/passwd")
    site.p("layouts/i18n/vi.yaml").symlink_to("../../content/thoi-su/lu-lut.vi.md")  # in the site, not a template folder
    site.p("layouts/list.html").symlink_to("article.html")  # a link to a link: judged by where it ends
    site.fails(
        f"{layouts}/article.html:1: is a symbolic link to /etc/passwd, outside the template folders",
        f"{layouts}/i18n/vi.yaml:1: is a symbolic link to {site.root.resolve()}/content/thoi-su/lu-lut.vi.md, "
        "outside the template folders",
        f"{layouts}/list.html:1: is a symbolic link to /etc/passwd, outside the template folders",
    )


def test_a_link_between_templates_is_followed(tmp_path):
    root = write_site(tmp_path / "site", SITE + "-- layouts/shared/story.html --\n{{ page.story.title }} / ours\n")
    (root / "layouts/article.html").symlink_to("shared/story.html")
    build(_options(root))
    assert (root / "output/vi/thoi-su/lu-lut/index.html").read_text(encoding="utf-8") == "Lũ lụt / ours\n"


def test_a_template_that_only_an_include_names_is_read_inside_the_fence_too(tmp_path):
    """Hidden names are not listed, so the template loader itself refuses the link."""
    site = Site(tmp_path / "site")
    layouts = site.p("layouts")
    layouts.mkdir()
    (layouts / ".secret.html").symlink_to("/etc/passwd")
    (layouts / "404.html").write_text('{% include ".secret.html" %}\n', encoding="utf-8")
    with pytest.raises(ContentErrors) as caught:
        build(_options(site.root))
    [error] = caught.value.errors
    assert error.message.endswith(
        f"{layouts.resolve()}/.secret.html: is a symbolic link to /etc/passwd, outside the template folders"
    )
    assert _tree(site.out) == site.before


def test_a_link_into_the_sites_hidden_folders_or_its_output_is_refused(tmp_path):
    """Inside the site folder, but not the site's files: .git/ (a CI token in its config), the
    cache (embargoed drafts), the output."""
    site = Site(tmp_path / "site")
    (site.root / ".git").mkdir()
    (site.root / ".git/config").write_text("[http] extraheader = AUTHORIZATION: basic c2VjcmV0\n", encoding="utf-8")
    site.p("static").mkdir()
    site.p("static/config").symlink_to("../.git/config")
    site.p("static/home.html").symlink_to("../output/vi/index.html")
    site.fails(
        f"{site.p('static/config')}:1: is a symbolic link to {site.root.resolve()}/.git/config, outside the site's files",
        f"{site.p('static/home.html')}:1: is a symbolic link to {site.out.resolve()}/vi/index.html, outside the site's files",
    )


def test_links_inside_the_site_are_followed(tmp_path):
    root = write_site(tmp_path / "site", SITE + "-- content/thoi-su/anh.svg --\n<svg>anh</svg>\n")
    (root / "static").mkdir()
    (root / "static/logo.svg").symlink_to("../content/thoi-su/anh.svg")
    (root / "content/the-gioi").mkdir()
    (root / "content/the-gioi/lu.vi.md").symlink_to("../thoi-su/lu-lut.vi.md")
    (root / "static/shared").symlink_to("../content/thoi-su", target_is_directory=True)
    build(_options(root))
    out = root / "output"
    assert (out / "logo.svg").read_text(encoding="utf-8") == "<svg>anh</svg>\n"
    assert (out / "shared/anh.svg").is_file() and not (out / "shared/lu-lut.vi.md").is_symlink()
    assert "Nước dâng cao" in (out / "vi/the-gioi/lu-lut/index.html").read_text(encoding="utf-8")


def test_link_loops_are_errors_and_never_hang(tmp_path):
    site = Site(tmp_path / "site")
    site.p("static/sub").mkdir(parents=True)
    site.p("static/loop").symlink_to("loop")
    site.p("static/sub/up").symlink_to("..", target_is_directory=True)
    site.p("content/thoi-su/here").symlink_to(".", target_is_directory=True)
    site.p("content/thoi-su/nowhere.vi.md").symlink_to("missing.vi.md")
    site.fails(
        f"{site.p('content/thoi-su/here')}:1: is a symbolic link to a folder it is in (a loop)",
        f"{site.p('content/thoi-su/nowhere.vi.md')}:1: is a symbolic link to "
        f"{site.p('content/thoi-su').resolve()}/missing.vi.md, which does not exist",
        f"{site.p('static/loop')}:1: is a symbolic link that loops (it never reaches a file)",
        f"{site.p('static/sub/up')}:1: is a symbolic link to a folder it is in (a loop)",
    )


def test_links_between_folders_read_each_folder_once(tmp_path):
    """Two links to one folder in each of ten folders would otherwise make 2**10 walks."""
    site = Site(tmp_path / "site")
    static = site.p("static")
    for level in range(10):
        (static / f"d{level}").mkdir(parents=True)
    for level in range(9):
        for name in ("a", "b"):
            (static / f"d{level}" / name).symlink_to(f"../d{level + 1}", target_is_directory=True)
    with pytest.raises(ContentErrors) as caught:
        build(_options(site.root))
    # d1…d9 are each read once through a link (d0/a, d0/a/a, …); every other link to them is an error
    assert len(caught.value.errors) == 2 * 9 + 2 * 8 - 9
    assert _tree(site.out) == site.before


# -- special files --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "rel",
    [
        "content/thoi-su/x.vi.md",
        "static/x",
        "content/thoi-su/lu-lut/anh.jpg",
        "layouts/article.html",
        "layouts/i18n/vi.yaml",
        "site.yaml",
    ],
)
def test_a_fifo_is_an_error_and_never_opened(tmp_path, rel):
    site = Site(tmp_path / "site")
    if "/lu-lut/" in rel:
        bundle = site.p("content/thoi-su/lu-lut")
        bundle.mkdir()
        site.p("content/thoi-su/lu-lut.vi.md").rename(bundle / "index.vi.md")
        build(_options(site.root))
        site.before = _tree(site.out)
    _fifo(site.p(rel))
    shown = site.p(rel)
    if rel.startswith("layouts/"):
        shown = site.p("layouts").resolve() / rel[len("layouts/") :]
    site.fails(f"{shown}:1: is not a regular file (a FIFO)")


def test_dev_zero_socket_and_device_are_errors(tmp_path):
    site = Site(tmp_path / "site")
    site.p("content/thoi-su/zero.vi.md").symlink_to("/dev/zero")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(site.p("content/thoi-su/sock.vi.md")))
        expected = [
            f"{site.p('content/thoi-su/sock.vi.md')}:1: is not a regular file (a socket)",
            f"{site.p('content/thoi-su/zero.vi.md')}:1: is a symbolic link to /dev/zero, outside the site's files",
        ]
        try:
            os.mknod(site.p("content/thoi-su/null.vi.md"), stat.S_IFCHR | 0o600, os.makedev(1, 3))
            expected.insert(0, f"{site.p('content/thoi-su/null.vi.md')}:1: is not a regular file (a character device)")
        except PermissionError:  # no CAP_MKNOD: the two others still run
            pass
        site.fails(*expected)


def test_a_story_swapped_for_a_fifo_after_a_preview_build_is_an_error(tmp_path):
    """The preview lists only the files its watcher names: those are read as carefully."""
    root = write_site(tmp_path / "site", SITE)
    memo = Memory.lasting()
    build(_options(root), memory=memo)
    before = _tree(root / "output")
    story = root / "content/thoi-su/lu-lut.vi.md"
    story.unlink()
    os.mkfifo(story)
    memo.changed = {"thoi-su/lu-lut.vi.md"}
    with pytest.raises(ContentErrors) as caught:
        build(_options(root), memory=memo)
    assert [str(e) for e in caught.value.errors] == [f"{story}:1: is not a regular file (a FIFO)"]
    assert _tree(root / "output") == before


def test_the_command_line_exits_1_naming_the_fifo_without_a_traceback(tmp_path):
    root = write_site(tmp_path / "site", SITE)
    _fifo(root / "static/x")
    done = subprocess.run(
        [sys.executable, "build.py", "build", "--site", str(root)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 1, done.stderr
    assert f"{root}/static/x:1: is not a regular file (a FIFO)" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


# -- unreadable folders -----------------------------------------------------------------------


def test_an_unreadable_section_folder_is_an_error_not_an_empty_section(tmp_path, monkeypatch):
    site = Site(tmp_path / "site")
    folder = site.p("content/kinh-te")
    assert "vi/kinh-te/gia-vang/index.html" in site.before
    if os.geteuid() == 0:  # root reads through chmod 000: make the listing fail as it would for anyone else
        real = os.scandir

        def scandir(path=".", *rest):
            if os.fspath(path) == str(folder):
                raise PermissionError(13, "Permission denied", os.fspath(path))
            return real(path, *rest)

        monkeypatch.setattr(os, "scandir", scandir)
    folder.chmod(0)
    try:
        site.fails(f"{folder}:1: this folder cannot be read: Permission denied")
    finally:
        folder.chmod(0o755)


# -- one map of the output -----------------------------------------------------------------------


def test_a_static_file_where_a_generated_folder_must_be(tmp_path):
    """Today: ``static/vi`` replaced the whole vi/ tree, exit 0."""
    site = Site(tmp_path / "site")
    site.p("static").mkdir()
    site.p("static/vi").write_text("x\n", encoding="utf-8")
    site.fails(
        f"{site.p('static/vi')}:1: vi would have to be both a file, for {site.p('static/vi')} (static file), "
        "and a folder, for the home page, which writes vi/index.html"
    )


@pytest.mark.parametrize(
    ("rel", "what"),
    [
        ("vi/index.html", "the home page"),
        ("vi/rss.xml", "the RSS feed"),
        ("sitemap.xml", "the sitemap"),
        ("robots.txt", "robots.txt"),
        ("404.html", "the 404 page"),
        ("vi/thoi-su/lu-lut/index.html", None),
        ("vi/tags/index.html", "the tag index page"),
        ("vi/archive/2024/10/index.html", "the month page"),
        ("index.html", "the home page"),
        ("vi/thoi-su/index.html", "the section page"),
    ],
)
def test_a_static_file_on_a_generated_files_path(tmp_path, rel, what):
    site = Site(tmp_path / "site")
    target = site.p("static") / rel
    target.parent.mkdir(parents=True)
    target.write_text("x\n", encoding="utf-8")
    first = what or f"{site.p('content/thoi-su/lu-lut.vi.md')} (story page)"
    site.fails(f"{target}:1: two files would be written to {rel}: {first} and {target} (static file)")


def test_a_theme_file_on_a_generated_files_path_and_a_site_file_over_a_theme_file(tmp_path):
    site = Site(tmp_path / "site")
    site.p("static/assets").mkdir(parents=True)
    site.p("static/assets/style.css").write_text("body{}\n", encoding="utf-8")  # the site over the theme: intended
    build(_options(site.root))
    assert (site.out / "assets/style.css").read_text(encoding="utf-8") == "body{}\n"
    site.before = _tree(site.out)
    theme_file = site.p("layouts/static/vi/rss.xml")
    theme_file.parent.mkdir(parents=True)
    theme_file.write_text("<rss/>\n", encoding="utf-8")
    shown = site.p("layouts").resolve() / "static/vi/rss.xml"
    site.fails(f"{shown}:1: two files would be written to vi/rss.xml: the RSS feed and {shown} (theme file)")


@pytest.mark.parametrize(
    ("slug", "clash"),
    [
        (
            "rss.xml",
            "vi/thoi-su/rss.xml would have to be both a file, for the RSS feed, and a folder, for {story} "
            "(story page), which writes vi/thoi-su/rss.xml/index.html",
        ),
        (
            "feed.json",
            "vi/thoi-su/feed.json would have to be both a file, for the JSON feed, and a folder, for {story} "
            "(story page), which writes vi/thoi-su/feed.json/index.html",
        ),
        (
            "index.html",
            "vi/thoi-su/index.html would have to be both a file, for the section page, and a folder, for "
            "{story} (story page), which writes vi/thoi-su/index.html/index.html",
        ),
    ],
)
def test_a_slug_equal_to_a_generated_file_name(tmp_path, slug, clash):
    """Today: ``slug: rss.xml`` crashed the first build and dropped the story on the next."""
    site = Site(tmp_path / "site")
    story = site.p("content/thoi-su/x.vi.md")
    story.write_text(_story("X", f"slug: {slug}\n"), encoding="utf-8")
    site.fails(f"{story}:1: " + clash.format(story=story))


def test_a_slug_equal_to_a_generated_name_fails_the_first_build_too(tmp_path):
    root = write_site(tmp_path / "site", SITE + "-- content/thoi-su/x.vi.md --\n" + _story("X", "slug: rss.xml\n"))
    with pytest.raises(ContentErrors):
        build(_options(root))
    assert not (root / "output").exists()


@pytest.mark.parametrize("slug", ["page", "tags"])
def test_a_slug_the_site_keeps_for_itself(tmp_path, slug):
    site = Site(tmp_path / "site")
    story = site.p("content/thoi-su/x.vi.md")
    story.write_text(_story("X", f"slug: {slug}\n"), encoding="utf-8")
    what = "the section's numbered list pages" if slug == "page" else "the site's own pages"
    site.fails(f"{story}:1: slug: '{slug}' is reserved: /vi/thoi-su/{slug}/ is kept for {what} (give the story another 'slug:')")


def test_a_title_that_makes_a_kept_slug_gets_a_suffix(tmp_path):
    root = write_site(tmp_path / "site", SITE + "-- content/thoi-su/page.vi.md --\n" + _story("Page"))
    build(_options(root))
    assert (root / "output/vi/thoi-su/page-2024-10-03/index.html").is_file()


def test_a_bundle_file_named_like_its_page_or_like_a_static_file(tmp_path):
    site = Site(tmp_path / "site")
    bundle = site.p("content/thoi-su/lu-lut")
    bundle.mkdir()
    site.p("content/thoi-su/lu-lut.vi.md").rename(bundle / "index.vi.md")
    (bundle / "index.html").write_text("<p>x</p>\n", encoding="utf-8")
    (bundle / "anh.svg").write_text("<svg/>\n", encoding="utf-8")
    site.p("static/vi/thoi-su/lu-lut").mkdir(parents=True)
    site.p("static/vi/thoi-su/lu-lut/anh.svg").write_text("<svg/>\n", encoding="utf-8")
    story = bundle / "index.vi.md"
    site.fails(
        f"{bundle}/anh.svg:1: two files would be written to vi/thoi-su/lu-lut/anh.svg: "
        f"{site.p('static/vi/thoi-su/lu-lut/anh.svg')} (static file) and {bundle}/anh.svg (page bundle file)",
        f"{bundle}/index.html:1: two files would be written to vi/thoi-su/lu-lut/index.html: {story} (story page) "
        f"and {bundle}/index.html (page bundle file)",
    )


def test_two_stories_with_one_slug(tmp_path):
    site = Site(tmp_path / "site")
    for name in ("a", "b"):
        site.p(f"content/thoi-su/{name}.vi.md").write_text(_story(name, "slug: cung-ten\n"), encoding="utf-8")
    site.fails(
        f"{site.p('content/thoi-su/b.vi.md')}:1: same URL /vi/thoi-su/cung-ten/ as "
        f"{site.p('content/thoi-su/a.vi.md')} (give one of them another 'slug:')"
    )


@pytest.mark.parametrize("section", ["tags", "page"])
def test_a_section_named_like_a_generated_folder(tmp_path, section):
    site = Site(tmp_path / "site")
    story = site.p(f"content/{section}/x.vi.md")
    story.parent.mkdir()
    story.write_text(_story("X"), encoding="utf-8")
    site.fails(f"{story}:1: section folder '{section}' is reserved for the site's own pages (rename the folder)")


def test_a_section_named_like_a_feed_gets_a_folder_of_its_own(tmp_path):
    root = write_site(tmp_path / "site", SITE + "-- content/rss.xml/x.vi.md --\n" + _story("X"))
    build(_options(root))
    assert (root / "output/vi/rss-xml/x/index.html").is_file()
    assert (root / "output/vi/rss.xml").read_text(encoding="utf-8").startswith("<?xml")


# -- names the file system cannot hold, and odd slugs ------------------------------------------------


def test_a_slug_too_long_for_the_file_system(tmp_path):
    site = Site(tmp_path / "site")
    story = site.p("content/thoi-su/x.vi.md")
    story.write_text(_story("X", f"slug: {'a' * 300}\n"), encoding="utf-8")
    path = f"vi/thoi-su/{'a' * 300}/index.html"
    site.fails(
        f"{story}:1: {story} (story page) would be written to {path[:120]}…, with a name of 300 bytes "
        f"('{'a' * 40}…'); the file system allows 255 (shorten the slug, title, tag or file name it is made from)"
    )


def test_a_title_too_long_for_the_file_system(tmp_path):
    site = Site(tmp_path / "site")
    story = site.p("content/thoi-su/x.vi.md")
    story.write_text(_story("Giá vàng " * 30), encoding="utf-8")
    slug = "-".join(["gia-vang"] * 30)
    path = f"vi/thoi-su/{slug}/index.html"
    site.fails(
        f"{story}:1: {story} (story page) would be written to {path[:120]}…, with a name of {len(slug)} bytes "
        f"('{slug[:40]}…'); the file system allows 255 (shorten the slug, title, tag or file name it is made from)"
    )


def test_a_tag_too_long_for_the_file_system_names_its_story(tmp_path):
    site = Site(tmp_path / "site")
    story = site.p("content/thoi-su/x.vi.md")
    story.write_text(_story("X", f"tags: [{'b' * 256}]\n"), encoding="utf-8")
    cut = ("vi/tags/" + "b" * 256)[:120]  # the tag's page and its two feeds
    site.fails(
        *(
            f"{story}:1: {what} would be written to {cut}…, with a name of 256 "
            f"bytes ('{'b' * 40}…'); the file system allows 255 (shorten the slug, title, tag or file name it is made from)"
            for what in ("the JSON feed", "the RSS feed", "the tag page")
        )
    )


def test_a_whole_path_too_long_for_the_file_system(tmp_path):
    """Each name fits and the source exists, but the output folder is deeper than the site."""
    site = Site(tmp_path / "site")
    names = ["d" * 250] * 15
    folder = site.p("static")
    folder.mkdir()
    os.chdir(folder)  # the source's whole path stays under the limit; made step by step
    try:
        for name in names:
            os.mkdir(name)
            os.chdir(name)
        Path("f").write_text("x\n", encoding="utf-8")
    finally:
        os.chdir(REPO)
    deep = tmp_path / ("o" * 200) / ("p" * 200)
    rel = "/".join(names) + "/f"
    with pytest.raises(ContentErrors) as caught:
        build(_options(site.root, output_dir=deep))
    size = len(os.fsencode(f"{deep}/{rel}")) + 1
    source = f"{site.p('static')}/{rel}"
    assert [str(e) for e in caught.value.errors] == [
        f"{source}:1: {source} (static file) would be written to {rel[:120]}…, a path of {size} bytes in {deep}; "
        "the file system allows 4096 (shorten the slug, title, tag or file name it is made from)"
    ]
    assert not deep.exists()


@pytest.mark.parametrize(
    ("slug", "message"),
    [
        ("'.'", "slug: '.' would leave its folder (a slug is one URL segment, without '/' or '..')"),
        ("'..'", "slug: '..' would leave its folder (a slug is one URL segment, without '/' or '..')"),
        ("a/b", "slug: 'a/b' would leave its folder (a slug is one URL segment, without '/' or '..')"),
        ("'a\\b'", "slug: 'a\\b' would leave its folder (a slug is one URL segment, without '/' or '..')"),
        ("'!!!'", "slug: '!!!' has no letter or digit to make a URL from"),
    ],
)
def test_odd_slugs_are_errors(tmp_path, slug, message):
    site = Site(tmp_path / "site")
    story = site.p("content/thoi-su/x.vi.md")
    story.write_text(_story("X", f"slug: {slug}\n"), encoding="utf-8")
    site.fails(f"{story}:4: {message}")


def test_a_nul_in_a_slug_is_dropped(tmp_path):
    root = write_site(tmp_path / "site", SITE + "-- content/thoi-su/x.vi.md --\n" + _story("X", 'slug: "a\\0b"\n'))
    build(_options(root))
    assert (root / "output/vi/thoi-su/ab/index.html").is_file()


def test_a_folder_claimed_whole_takes_nothing_else():
    """``claim_folder`` is for outputs whose files are not known in advance (the search index)."""
    from newsdigest.outmap import OutputMap

    outputs = OutputMap.for_folder(Path("/tmp/out"))
    assert outputs.claim("vi/index.html", "the home page")
    assert outputs.claim_folder("pagefind", "the search index")
    assert not outputs.claim("pagefind/x.js", "static/pagefind/x.js (static file)", "static/pagefind/x.js")
    assert not outputs.claim("pagefind", "static/pagefind (static file)", "static/pagefind")
    assert not outputs.claim_folder("vi", "a second index")
    assert not outputs.claim_folder("vi/index.html/x", "a third index")
    assert [str(e) for e in outputs.errors] == [
        "static/pagefind/x.js:1: static/pagefind/x.js (static file) would write pagefind/x.js inside pagefind/, "
        "which the search index fills",
        "static/pagefind:1: pagefind would have to be both a file, for static/pagefind (static file), "
        "and a folder, filled by the search index",
        "output:1: the home page would write vi/index.html inside vi/, which a second index fills",
        "output:1: vi/index.html would have to be both a file, for the home page, and a folder, for a third index",
    ]


def test_a_huge_story_is_refused_before_it_is_read(tmp_path):
    """An 8 GiB (sparse) file: read whole, it would exhaust the memory before the size limit said no."""
    site = Site(tmp_path / "site")
    huge = site.p("content/thoi-su/lon.vi.md")
    with huge.open("wb") as handle:
        handle.truncate(8 << 30)
    site.fails(
        f"{huge}:1: the file is {8 << 30:,} bytes; a story may have at most 2 MiB (split it, or keep pictures and data beside it)"
    )
