"""The translation desk: revisions, stale translations (warnings, ``--strict``, the page's notice),
the ``translations`` report, ``new --translate``, ``--mark`` and what changed (cache and git)."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import unicodedata
from pathlib import Path

import PIL.Image
import pytest

from newsdigest.cli import main
from newsdigest.config import Config
from newsdigest.content import Article, load
from newsdigest.report import width
from tests.conftest import NOW, write_site

EPOCH = str(int(NOW.timestamp()))

ORIGINAL = """\
---
title: Chợ hoa Tết
date: 2024-02-01T08:00:00+07:00
summary: Chợ mở cửa sớm.
---
Chợ hoa mở cửa từ sáng.

Giá hoa tăng nhẹ.
"""


def independent_revision(title: str, summary: str, body: str) -> str:
    """The contract's definition, written out again here without the project's code."""

    def clean(text: str) -> str:
        lines = [line.rstrip() for line in unicodedata.normalize("NFC", text).replace("\r\n", "\n").split("\n")]
        return "\n".join(lines).strip("\n")

    return hashlib.sha256(f"{clean(title)}\n{clean(summary)}\n{clean(body)}".encode()).hexdigest()[:12]


def loaded(text: str | bytes, rel: str = "kt/cho.vi.md") -> Article:
    story = load(text.encode() if isinstance(text, str) else text, rel, rel, Config())
    assert isinstance(story, Article), story
    return story


def test_revision_is_the_contracts_digest():
    expected = independent_revision("Chợ hoa Tết", "Chợ mở cửa sớm.", "Chợ hoa mở cửa từ sáng.\n\nGiá hoa tăng nhẹ.")
    assert loaded(ORIGINAL).revision == expected
    # Written out by hand once, so that both computations being wrong the same way is caught too.
    assert (
        expected
        == hashlib.sha256("Chợ hoa Tết\nChợ mở cửa sớm.\nChợ hoa mở cửa từ sáng.\n\nGiá hoa tăng nhẹ.".encode()).hexdigest()[:12]
    )


def test_crlf_nfd_and_trailing_spaces_give_the_same_revision():
    base = loaded(ORIGINAL).revision
    assert loaded(ORIGINAL.replace("\n", "\r\n").encode()).revision == base
    assert loaded(unicodedata.normalize("NFD", ORIGINAL)).revision == base
    spaced = ORIGINAL.replace("sáng.\n", "sáng.   \t\n").replace("---\nChợ", "---\n\n\nChợ") + "\n  \n"
    assert loaded(spaced).revision == base
    assert loaded(ORIGINAL.replace("tăng nhẹ", "tăng mạnh")).revision != base
    assert loaded(ORIGINAL.replace("Chợ mở cửa sớm.", "Chợ mở cửa muộn.")).revision != base
    without_summary = loaded(ORIGINAL.replace("summary: Chợ mở cửa sớm.\n", ""))
    assert without_summary.revision == independent_revision("Chợ hoa Tết", "", "Chợ hoa mở cửa từ sáng.\n\nGiá hoa tăng nhẹ.")


def test_an_all_digit_revision_is_read_as_written():
    story = loaded("---\ntitle: A\ndate: 2024-01-01\ntranslated_from: 012345670123\n---\nx\n", "kt/a.en.md")
    assert story.translated_from == "012345670123" and story.translated_line == 4


def pair(translation_front: str, original_extra: str = "", body: str = "The market opens.") -> str:
    return f"""
    -- content/kt/cho.vi.md --
    ---
    title: Chợ hoa Tết
    date: 2024-02-01T08:00:00+07:00
    {original_extra}
    ---
    Chợ hoa mở cửa.
    -- content/kt/cho.en.md --
    ---
    title: Tet flower market
    date: 2024-02-01T08:00:00+07:00
    {translation_front}
    ---
    {body}
    """


REV = independent_revision("Chợ hoa Tết", "", "Chợ hoa mở cửa.")


def test_up_to_date_translation_has_no_notice_nor_warning(build_site):
    site = build_site(pair(f'translated_from: "{REV}"'))
    assert not site.result.warnings, site.result.warnings
    site.assert_file("en/kt/tet-flower-market/index.html", "! translation-notice", '"translationOfWork"')
    site.assert_file("vi/kt/cho-hoa-tet/index.html", "! translation-notice", '"workTranslation"')


def test_stale_by_revision_warns_and_shows_the_notice(build_site):
    site = build_site(pair('translated_from: "0123456789ab"', "updated: 2024-02-03T09:30:00+07:00"))
    [warning] = site.result.warnings
    assert warning.path.endswith("content/kt/cho.en.md") and warning.line == 4
    assert warning.message.startswith("translation is older than its original ")
    assert "0123456789ab" in warning.message and warning.message.endswith(
        loaded((site.root / "content/kt/cho.vi.md").read_bytes()).revision
    )
    page = site.assert_file(
        "en/kt/tet-flower-market/index.html",
        'class="translation-notice"',
        'href="/vi/kt/cho-hoa-tet/"',
        "3 Feb 2024",
        '"translationOfWork"',
    )
    ld = json.loads(page.split('<script type="application/ld+json">', 1)[1].split("</script>", 1)[0])
    assert ld["dateModified"] == "2024-02-01T08:00:00+07:00"  # the translation's own, not the original's
    site.assert_file("vi/kt/cho-hoa-tet/index.html", "! translation-notice")


def test_stale_by_date_without_translated_from(build_site):
    site = build_site(pair("", "updated: 2024-02-05T08:00:00+07:00"))
    [warning] = site.result.warnings
    assert warning.line == 2 and "translation is older than its original" in warning.message  # the title's line
    site.assert_file("en/kt/tet-flower-market/index.html", "translation-notice", "5 Feb 2024")
    fresh = build_site(pair("updated: 2024-02-06T08:00:00+07:00", "updated: 2024-02-05T08:00:00+07:00"))
    assert not fresh.result.warnings


def test_vietnamese_notice_is_in_vietnamese(build_site):
    site = build_site(f"""
    -- content/kt/cho.en.md --
    ---
    title: Tet flower market
    date: 2024-02-01T08:00:00+07:00
    updated: 2024-02-04T08:00:00+07:00
    ---
    The market opens.
    -- content/kt/cho.vi.md --
    ---
    title: Chợ hoa Tết
    date: 2024-02-01T08:00:00+07:00
    translated_from: "{REV}"
    ---
    Chợ hoa mở cửa.
    """)
    site.assert_file(
        "vi/kt/cho-hoa-tet/index.html",
        'class="translation-notice"',
        "Bản dịch này cũ hơn bản gốc",
        'href="/en/kt/tet-flower-market/"',
        '"translationOfWork"',
    )
    site.assert_file("en/kt/tet-flower-market/index.html", "! translation-notice", '"workTranslation"')


def test_strict_turns_warnings_into_errors(tmp_path, capsys):
    root = write_site(tmp_path / "site", pair('translated_from: "0123456789ab"'))
    out = tmp_path / "out"
    assert main(["build", "--site", str(root), "--output", str(out)]) == 0
    captured = capsys.readouterr()
    assert "; 1 warning" in captured.out
    assert any(
        line.endswith(".en.md:4: translation is older than its original " + line.split("original ", 1)[1])
        for line in captured.err.splitlines()
    ), captured.err
    (root / "content/kt/cho.en.md").write_text((root / "content/kt/cho.en.md").read_text() + "\nMore.\n")
    before = (out / "en/kt/tet-flower-market/index.html").read_bytes()
    assert main(["build", "--strict", "--site", str(root), "--output", str(out)]) == 1
    assert "cho.en.md:4: translation is older than its original" in capsys.readouterr().err
    assert (out / "en/kt/tet-flower-market/index.html").read_bytes() == before  # left as it was
    assert main(["check", "--strict", "--site", str(root)]) == 1
    assert main(["check", "--site", str(root)]) == 0


def test_both_versions_with_translated_from(build_site):
    site = build_site(pair(f'translated_from: "{REV}"', 'translated_from: "0123456789ab"'))
    [warning] = site.result.warnings
    assert warning.path.endswith("cho.vi.md") and "every version of this story says it is a translation" in warning.message
    site.assert_file("en/kt/tet-flower-market/index.html", "! translation-notice")


DESK = """
-- content/kt/cho.vi.md --
---
title: Chợ hoa Tết
date: 2024-02-01T08:00:00+07:00
updated: 2024-02-03T08:00:00+07:00
---
Chợ hoa mở cửa.

Giá hoa tăng.
-- content/kt/cho.en.md --
---
title: Tet flower market
date: 2024-02-01T08:00:00+07:00
translated_from: "0123456789ab"
---
The market opens.
-- content/kt/gom/index.vi.md --
---
title: Làng gốm vào mùa Tết
date: 2024-01-20T07:00:00+07:00
summary: Lò nung đỏ lửa.
tags: [gốm, Tết]
image:
  src: lo.jpg
  alt: Lò gốm
  caption: Lò gốm Bát Tràng
  credit: Lê An
source: {name: VnExpress, url: "https://vnexpress.net/x"}
---
Đoạn một.

Đoạn hai.
-- content/xh/duong-day-nong.vi.md --
---
title: Đường dây nóng tiếp nhận phản ánh của người dân về thủ tục hành chính
date: 2024-01-05T07:00:00+07:00
---
Gọi số.
"""


@pytest.fixture
def desk(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    monkeypatch.chdir(tmp_path)
    site = write_site(tmp_path / "site", DESK)
    PIL.Image.new("RGB", (8, 6), "brown").save(site / "content/kt/gom/lo.jpg")
    return site


def report(site: Path, capsys, *args: str) -> str:
    capsys.readouterr()
    assert main(["translations", "--site", str(site), *args]) == 0
    return capsys.readouterr().out


def test_report_json(desk: Path, capsys):
    data = json.loads(report(desk, capsys, "--json"))
    en = data["languages"]["en"]
    assert (en["stories"], en["translated"], en["stale"], en["missing"], en["coverage"]) == (3, 1, 1, 2, 33.3)
    assert data["languages"]["vi"]["coverage"] == 100.0
    assert data["languages"]["en"]["sections"]["xh"] == {
        "stories": 1,
        "originals": 0,
        "translated": 0,
        "stale": 0,
        "missing": 1,
        "coverage": 0.0,
    }
    work = data["work"]
    assert [(w["state"], w["file"]) for w in work] == [  # the longest waiting first
        ("missing", "site/content/xh/duong-day-nong.vi.md"),
        ("missing", "site/content/kt/gom/index.vi.md"),
        ("stale", "site/content/kt/cho.en.md"),
    ]
    assert work[0]["since"] == "2024-01-05T07:00:00+07:00" and work[2]["since"] == "2024-02-03T08:00:00+07:00"
    assert work[2]["revision"] == loaded((desk / "content/kt/cho.vi.md").read_bytes()).revision
    assert work[2]["changes"] == {
        "known": False,
        "base": "0123456789ab",
        "reason": "revision 0123456789ab is neither in the cache nor in the git history",
    }
    revisions = {s["file"]: s["revision"] for s in data["stories"]}
    assert (
        revisions["site/content/kt/gom/index.vi.md"]
        == loaded((desk / "content/kt/gom/index.vi.md").read_bytes(), "kt/gom/index.vi.md").revision
    )


def test_report_text_is_aligned_and_shows_titles_whole(desk: Path, capsys):
    text = report(desk, capsys)
    lines = text.splitlines()
    head = next(i for i, line in enumerate(lines) if line.startswith("lang  state"))
    rows = lines[head : head + 4]
    assert rows[1].split()[:2] == ["en", "missing"]
    assert "Đường dây nóng tiếp nhận phản ánh của người dân về thủ tục hành chính" in rows[1]
    starts = {line.index("site/content") for line in rows[1:]}
    assert len(starts) == 1 and rows[0].index("file") == starts.pop()
    title_at = {width(line[: line.index(t)]) for line, t in zip(rows[1:], ("Đường", "Làng", "Chợ"), strict=True)}
    assert len(title_at) == 1  # the titles' column starts at one terminal column, whatever the letters before
    assert "cannot be known" in text
    assert "Every story's revision" in text and loaded((desk / "content/kt/cho.vi.md").read_bytes()).revision in text


def test_width_counts_terminal_columns():
    assert width("Đường") == 5 and width(unicodedata.normalize("NFD", "Đường")) == 5
    assert width("新闻") == 4 and width("a\u0301") == 1


def test_new_translate_plain_file_and_never_over(desk: Path, capsys):
    assert main(["new", "--site", str(desk), "--translate", "site/content/xh/duong-day-nong.vi.md", "--lang", "en"]) == 0
    assert capsys.readouterr().out.strip() == "site/content/xh/duong-day-nong.en.md"
    written = desk / "content/xh/duong-day-nong.en.md"
    text = written.read_text(encoding="utf-8")
    original = loaded((desk / "content/xh/duong-day-nong.vi.md").read_bytes(), "xh/duong-day-nong.vi.md")
    assert f'translated_from: "{original.revision}"' in text and "draft: true" in text
    assert "date: 2024-01-05T07:00:00+07:00" in text and "# TODO translate" in text and "Gọi số." in text
    draft = loaded(written.read_bytes(), "xh/duong-day-nong.en.md")
    assert draft.draft and draft.lang == "en" and draft.translated_from == original.revision
    written.write_text("changed by the translator", encoding="utf-8")
    assert main(["new", "--site", str(desk), "--translate", "site/content/xh/duong-day-nong.vi.md", "--lang", "en"]) == 1
    assert "already exists" in capsys.readouterr().err
    assert written.read_text(encoding="utf-8") == "changed by the translator"
    assert main(["new", "--site", str(desk), "--translate", "site/content/xh/duong-day-nong.vi.md", "--lang", "vi"]) == 2


def test_new_translate_page_bundle(desk: Path, capsys):
    assert main(["new", "--site", str(desk), "--translate", "site/content/kt/gom/index.vi.md", "--lang", "en"]) == 0
    written = desk / "content/kt/gom/index.en.md"
    assert capsys.readouterr().out.strip() == "site/content/kt/gom/index.en.md"
    draft = loaded(written.read_bytes(), "kt/gom/index.en.md")
    assert draft.key == "kt/gom" and draft.tags == ("gốm", "Tết") and draft.source.name == "VnExpress"
    assert draft.image.src == "lo.jpg" and draft.image.caption == "Lò gốm Bát Tràng" and draft.image.credit == "Lê An"
    assert draft.lede == "Lò nung đỏ lửa." and draft.title == "Làng gốm vào mùa Tết"
    text = written.read_text(encoding="utf-8")
    assert 'caption: "Lò gốm Bát Tràng"  # TODO translate' in text and "Đoạn hai." in text


def test_mark_sets_translated_from_and_nothing_else(desk: Path, capsys):
    path = desk / "content/kt/cho.en.md"
    path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    before = path.read_bytes()
    assert main(["translations", "--site", str(desk), "--mark", "site/content/kt/cho.en.md"]) == 0
    revision = loaded((desk / "content/kt/cho.vi.md").read_bytes()).revision
    assert path.read_bytes() == before.replace(b'"0123456789ab"', f'"{revision}"'.encode())
    assert "stale" not in [s["state"] for s in json.loads(report(desk, capsys, "--json"))["stories"]]
    assert main(["translations", "--site", str(desk), "--mark", "site/content/kt/cho.vi.md"]) == 1
    assert "this is the story's original" in capsys.readouterr().err


def test_mark_adds_translated_from_when_there_is_none(desk: Path):
    path = desk / "content/kt/cho.en.md"
    path.write_text(path.read_text().replace('translated_from: "0123456789ab"\n', ""))
    assert main(["translations", "--site", str(desk), "--mark", str(path)]) == 0
    assert path.read_text().splitlines()[3] == 'translated_from: "{}"'.format(
        loaded((desk / "content/kt/cho.vi.md").read_bytes()).revision
    )


def test_what_changed_from_the_cache(desk: Path, capsys):
    assert main(["translations", "--site", str(desk), "--mark", "site/content/kt/cho.en.md"]) == 0
    original = desk / "content/kt/cho.vi.md"
    original.write_text(original.read_text().replace("Giá hoa tăng.", "Giá hoa tăng mạnh."))
    data = json.loads(report(desk, capsys, "--json"))
    [stale] = [w for w in data["work"] if w["state"] == "stale"]
    assert stale["changes"]["known"] and stale["changes"]["source"] == "cache"
    assert stale["changes"]["paragraphs"] == [
        {"change": "-", "text": "Giá hoa tăng."},
        {"change": "+", "text": "Giá hoa tăng mạnh."},
    ]
    assert "+ Giá hoa tăng mạnh." in report(desk, capsys)


def test_a_build_remembers_the_revision_a_translation_was_made_from(desk: Path, capsys):
    revision = loaded((desk / "content/kt/cho.vi.md").read_bytes()).revision
    path = desk / "content/kt/cho.en.md"
    path.write_text(path.read_text().replace("0123456789ab", revision))
    assert main(["check", "--site", str(desk), "-q"]) == 0
    original = desk / "content/kt/cho.vi.md"
    original.write_text(original.read_text().replace("Chợ hoa mở cửa.", "Chợ hoa mở cửa sớm."))
    [stale] = [w for w in json.loads(report(desk, capsys, "--json"))["work"] if w["state"] == "stale"]
    assert stale["changes"]["paragraphs"] == [
        {"change": "-", "text": "Chợ hoa mở cửa."},
        {"change": "+", "text": "Chợ hoa mở cửa sớm."},
    ]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_what_changed_from_git(desk: Path, capsys):
    def git(*args: str) -> None:
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=desk, check=True, capture_output=True
        )

    revision = loaded((desk / "content/kt/cho.vi.md").read_bytes()).revision
    path = desk / "content/kt/cho.en.md"
    path.write_text(path.read_text().replace("0123456789ab", revision))
    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "first")
    original = desk / "content/kt/cho.vi.md"
    original.write_text(original.read_text().replace("Giá hoa tăng.", "Giá hoa giảm."))
    git("commit", "-q", "-am", "corrected")
    shutil.rmtree(desk / ".newsdigest-cache", ignore_errors=True)  # the cache does not know it: git does
    [stale] = [w for w in json.loads(report(desk, capsys, "--json"))["work"] if w["state"] == "stale"]
    assert stale["changes"]["known"] and stale["changes"]["source"].startswith("git ")
    assert stale["changes"]["paragraphs"] == [{"change": "-", "text": "Giá hoa tăng."}, {"change": "+", "text": "Giá hoa giảm."}]


def test_an_edit_of_the_original_makes_its_translation_stale_in_a_rebuild(build_site, tmp_path):
    from newsdigest.memory import Memory
    from newsdigest.pipeline import Options, build

    site = build_site(pair(f'translated_from: "{REV}"'))
    memo = Memory.lasting()
    preview = Options(site_dir=site.root, output_dir=tmp_path / "preview", now=NOW)
    build(preview, memory=memo)
    original = site.root / "content/kt/cho.vi.md"
    original.write_text(original.read_text(encoding="utf-8").replace("mở cửa.", "mở cửa sớm."), encoding="utf-8")
    again = build_site()  # a body edit: the kept plan is not enough, the translation's page changes too
    assert {"en/kt/tet-flower-market/index.html", "vi/kt/cho-hoa-tet/index.html"} <= again.rendered
    again.assert_file("en/kt/tet-flower-market/index.html", "translation-notice")
    assert [w.line for w in again.result.warnings] == [4]
    result = build(preview, memory=memo)
    assert "en/kt/tet-flower-market/index.html" in result.rendered and len(result.warnings) == 1
    assert "translation-notice" in (tmp_path / "preview/en/kt/tet-flower-market/index.html").read_text(encoding="utf-8")
    original.write_text(original.read_text(encoding="utf-8").replace("mở cửa sớm.", "mở cửa."), encoding="utf-8")
    result = build(preview, memory=memo)
    assert not result.warnings
    assert "translation-notice" not in (tmp_path / "preview/en/kt/tet-flower-market/index.html").read_text(encoding="utf-8")


def test_a_link_goes_to_the_linking_storys_language_through_translation_key(build_site):
    site = build_site("""
    -- content/kt/cho.md --
    ---
    title: Chợ hoa Tết
    date: 2024-02-01T08:00:00+07:00
    translation_key: tet-market
    ---
    Chợ hoa mở cửa.
    -- content/kt/flower-market.en.md --
    ---
    title: Tet flower market
    date: 2024-02-01T08:00:00+07:00
    translation_key: tet-market
    ---
    The market opens.
    -- content/kt/gom.vi.md --
    ---
    title: Làng gốm
    date: 2024-02-02T08:00:00+07:00
    ---
    Xem [chợ hoa](cho.md).
    -- content/kt/pottery.en.md --
    ---
    title: Pottery village
    date: 2024-02-02T08:00:00+07:00
    ---
    See [the market](cho.md), [its top](cho.md#top) and [the village](gom.md).
    """)
    page = site.assert_file(
        "en/kt/pottery-village/index.html",
        '<a href="/en/kt/tet-flower-market/">the market</a>',
        '<a href="/vi/kt/lang-gom/" hreflang="vi">the village</a>',
        '<a href="/en/kt/tet-flower-market/#top">its top</a>',
    )
    assert "/vi/kt/cho-hoa-tet/" not in page
    site.assert_file("vi/kt/lang-gom/index.html", '<a href="/vi/kt/cho-hoa-tet/">chợ hoa</a>')


UNTRANSLATED = """
-- content/kt/cho.vi.md --
---
title: Chợ hoa Tết
date: 2024-02-01T08:00:00+07:00
---
Chợ hoa mở cửa.
-- content/kt/cho.en.md --
---
title: Tet flower market
date: 2024-02-01T08:00:00+07:00
---
The market opens.
-- content/xh/duong.vi.md --
---
title: Đường dây nóng
date: 2024-02-03T08:00:00+07:00
---
Gọi số.
"""


def test_untranslated_list_shows_the_original_in_the_other_languages_lists(build_site):
    site = build_site("-- site.yaml --\nuntranslated: {en: list}\n" + UNTRANSLATED)
    for page in ("en/index.html", "en/xh/index.html"):
        site.assert_file(
            page,
            '<article class="lead-story" lang="vi">',
            'href="/vi/xh/duong-day-nong/"',
            "Đường dây nóng",
            "Not yet translated; in",
            '<span lang="vi">Tiếng Việt</span>',
        )
    site.assert_file("en/kt/index.html", "! duong-day-nong")
    site.assert_file("en/rss.xml", "! duong-day-nong")  # feeds carry a language's own stories only
    site.assert_file("vi/index.html", "! Not yet translated", "! Chưa dịch")
    site.assert_file("sitemap.xml", "/en/xh/")


def test_untranslated_hide_is_the_default(build_site):
    site = build_site(UNTRANSLATED)
    site.assert_file("en/index.html", "! duong-day-nong", "! Not yet translated")
    assert not (site.out / "en/xh/index.html").exists()
    hidden = build_site("-- site.yaml --\nuntranslated: hide\n" + UNTRANSLATED)
    hidden.assert_file("en/index.html", "! duong-day-nong")


@pytest.mark.parametrize("value", ["show", "{fr: list}", "{en: yes}", "[list]", "{}"])
def test_untranslated_setting_is_checked(build_errors, value):
    errors = build_errors(f"-- site.yaml --\ntitle: Tin\nuntranslated: {value}\n" + UNTRANSLATED)
    assert [e.split("site.yaml", 1)[1] for e in errors] == [
        ":2: untranslated: must be hide or list, or a mapping of the site's languages to hide or list, e.g. {en: list}"
    ]


def test_the_preview_shows_the_desk_and_keeps_it_out_of_builds(tmp_path):
    from tests.test_serve import Running

    site = write_site(tmp_path / "site", DESK)
    PIL.Image.new("RGB", (8, 6), "brown").save(site / "content/kt/gom/lo.jpg")
    running = Running(site)
    try:
        status, headers, body = running.fetch("/_translations/")
        page = body.decode("utf-8")
        assert status == 200 and headers["Content-Type"].startswith("text/html")
        assert '<html lang="vi">' in page and "Bàn biên dịch" in page and "EventSource" in page
        assert 'href="/en/kt/tet-flower-market/"' in page and 'href="/vi/xh/duong-day-nong-' in page
        assert "Không thể biết bản gốc đã thay đổi những gì" in page
        events = running.events()
        original = site / "content/kt/cho.vi.md"
        translation = site / "content/kt/cho.en.md"
        revision = loaded(original.read_bytes()).revision
        translation.write_text(translation.read_text(encoding="utf-8").replace("0123456789ab", revision), encoding="utf-8")
        running.wait_for("/_translations/", '<li class="desk-missing">', events)
        assert "desk-stale" not in running.text("/_translations/")
        original.write_text(original.read_text(encoding="utf-8").replace("Giá hoa tăng.", "Giá hoa giảm."), encoding="utf-8")
        page = running.wait_for("/_translations/", "desk-stale", events)
        assert "<del>Giá hoa tăng.</del>" in page and "<ins>Giá hoa giảm.</ins>" in page
    finally:
        running.close()
    built = tmp_path / "built"
    assert main(["build", "--site", str(site), "--output", str(built), "-q"]) == 0
    assert not (built / "_translations").exists() and not any("_translations" in p.as_posix() for p in built.rglob("*"))
