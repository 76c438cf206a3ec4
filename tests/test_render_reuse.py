"""What rendering reuses (a teaser per language, a date per format, Jinja's escaping) changes no byte."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from newsdigest.pipeline import Options, build
from newsdigest.reuse import SharedMacro, output_escape
from newsdigest.templates import PROJECT_LAYOUTS, environment, layouts_of
from tests.conftest import NOW, write_site

STORIES = """
-- site.yaml --
title: {vi: Bản tin Thử, en: Test Digest}
base_url: https://example.org/digest/
sections:
  thoi-su: {vi: Thời sự, en: News}
  kinh-te: {vi: Kinh tế, en: Economy}
-- content/thoi-su/mot.vi.md --
---
title: Tin <một> & "hai"
date: 2024-01-12T10:00:00+07:00
summary: Tóm tắt 'một'.
tags: [Hà Nội, Giá cả]
views: 12
---
Một.
-- content/thoi-su/mot.en.md --
---
title: One & only
date: 2024-01-12T10:00:00+07:00
tags: [Hanoi]
---
One.
-- content/kinh-te/hai.vi.md --
---
title: Tin hai
date: 2024-01-12T03:00:00+00:00
tags: [Hà Nội]
views: 5
---
Hai.
-- content/kinh-te/ba.vi.md --
---
title: Tin ba
date: 2024-01-13T00:00:00+07:00
tags: [Giá cả, Hà Nội]
---
Ba.
"""


def _built(root: Path, spec: str) -> dict[str, str]:
    write_site(root, spec)
    out = root / "output"
    build(Options(site_dir=root, now=NOW, jobs=1))
    return {p.relative_to(out).as_posix(): p.read_text(encoding="utf-8") for p in sorted(out.rglob("*.html"))}


def test_shared_macros_write_what_unshared_ones_write(tmp_path):
    """The theme's macros read only site and lang, so their calls are kept; a site's copy of
    _macros.html that also reads the page is not shared. Both sites' pages are byte for byte equal."""
    theme = (PROJECT_LAYOUTS / "_macros.html").read_text(encoding="utf-8")
    shared = _built(tmp_path / "shared", STORIES)
    unshared = _built(tmp_path / "unshared", STORIES + "-- layouts/_macros.html --\n{% set _ = page %}" + theme)
    macros = environment(layouts_of(tmp_path / "shared")).get_template("_macros.html")
    assert isinstance(macros.make_module({}, True).teaser, SharedMacro)
    assert shared.keys() == unshared.keys() and len(shared) > 10
    for rel, text in shared.items():
        assert text == unshared[rel], rel
    assert "Tin &lt;một&gt; &amp; &#34;hai&#34;" in shared["vi/index.html"]


def test_a_macro_that_reads_the_page_renders_for_each_page(tmp_path):
    """A teaser override that shows the page it is on must not be kept from one page for the next."""
    spec = STORIES + (
        "-- layouts/_macros.html --\n"
        "{% macro teaser(item, show_section=True) %}<p class=on>{{ page.title }}: {{ item.title }}</p>{% endmacro %}"
        "{% macro lead(item, show_section=True) %}{{ teaser(item) }}{% endmacro %}"
        "{% macro thumb(item, class='', sizes='', first=False) %}{% endmacro %}"
        "{% macro meta(item, show_section=True) %}{% endmacro %}"
        "{% macro pagination(page) %}{% endmacro %}{% macro count(n) %}{{ n }}{% endmacro %}\n"
    )
    pages = _built(tmp_path / "site", spec)
    assert "<p class=on>Hà Nội: Tin hai</p>" in pages["vi/tags/ha-noi/index.html"]
    assert "<p class=on>Giá cả: Tin ba</p>" in pages["vi/tags/gia-ca/index.html"]
    assert "<p class=on>Kinh tế: Tin hai</p>" in pages["vi/kinh-te/index.html"]


def test_the_same_moment_written_with_two_offsets_keeps_each_its_own(tmp_path):
    """Two stories at one instant, one written in +07:00 and one in UTC: a kept date is found by
    the date as written, so neither page shows the other's offset."""
    pages = _built(tmp_path / "site", STORIES)
    one = pages["vi/thoi-su/tin-mot-hai/index.html"]
    two = pages["vi/kinh-te/tin-hai/index.html"]
    assert '<time datetime="2024-01-12T10:00:00+07:00">' in one
    assert '<time datetime="2024-01-12T03:00:00+00:00">' in two


def test_output_escape_writes_what_markupsafe_writes():
    from markupsafe import Markup, escape

    for value in ("<a href='x'>&\"</a>", "", "Tiếng Việt", Markup("<b>safe</b>"), 42, None, 1.5, True):
        assert str(output_escape(value)) == str(escape(value))


def test_a_theme_edit_in_a_new_process_never_loads_markdown_it(tmp_path):
    """Every story comes from the cache after a theme edit: the parser's import is not paid for."""
    root = tmp_path / "site"
    _built(root, STORIES)
    base = (PROJECT_LAYOUTS / "base.html").read_text(encoding="utf-8")
    (root / "layouts").mkdir()
    (root / "layouts" / "base.html").write_text(base.replace('<body id="top">', '<body id="top" class="x">'), encoding="utf-8")
    code = (
        "import sys; from datetime import datetime; from pathlib import Path\n"
        "from newsdigest.pipeline import Options, build\n"
        "result = build(Options(site_dir=Path(sys.argv[1]), now=datetime.fromisoformat(sys.argv[2]), jobs=1))\n"
        "print(len(result.rendered), 'markdown_it' in sys.modules)\n"
    )
    repo = Path(__file__).resolve().parent.parent
    done = subprocess.run([sys.executable, "-c", code, str(root), NOW.isoformat()], cwd=repo, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    rendered, loaded = done.stdout.split()
    assert int(rendered) > 10 and loaded == "False"
    assert 'class="x"' in (root / "output" / "vi" / "index.html").read_text(encoding="utf-8")
