"""``python build.py new``: a new story's file with its front matter filled in, never over another."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdigest.cli import main
from newsdigest.config import Config
from newsdigest.content import Article, load
from newsdigest.pipeline import Options, build
from tests.conftest import NOW, write_site

EPOCH = str(int(NOW.timestamp()))  # 2026-11-01 12:00 UTC: what the story's date is made from


@pytest.fixture
def site(tmp_path: Path, monkeypatch) -> Path:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)  # the build's moment, and so ``new``'s "now"
    monkeypatch.chdir(tmp_path)
    return write_site(
        tmp_path / "site",
        """
    -- site.yaml --
    timezone: "-05:00"
    -- content/thoi-su/lu-lut.vi.md --
    ---
    title: Lũ lụt
    date: 2024-10-01T08:00:00+07:00
    ---
    Nước dâng cao.
    """,
    )


def new(site: Path, *args: str) -> int:
    return main(["new", "--site", str(site), *args])


def test_new_writes_the_front_matter(site: Path, capsys):
    assert new(site, "--section", "thoi-su", "--lang", "vi", "Đường sắt đô thị: đoạn Nhổn – ga Hà Nội") == 0
    path = site / "content/thoi-su/duong-sat-do-thi-doan-nhon-ga-ha-noi.vi.md"
    assert capsys.readouterr().out.strip() == "site/content/thoi-su/duong-sat-do-thi-doan-nhon-ga-ha-noi.vi.md"
    assert path.read_text(encoding="utf-8") == (
        "---\n"
        'title: "Đường sắt đô thị: đoạn Nhổn – ga Hà Nội"\n'
        "date: 2026-11-01T07:00:00-05:00\n"  # now, in the site's zone (site.yaml says -05:00)
        "slug: duong-sat-do-thi-doan-nhon-ga-ha-noi\n"
        "tags: []\n"
        "draft: true\n"
        "---\n"
        "\n"
    )
    story = load(path.read_bytes(), "thoi-su/duong-sat-do-thi-doan-nhon-ga-ha-noi.vi.md", "x", Config(timezone="-05:00"))
    assert isinstance(story, Article)
    assert story.title == "Đường sắt đô thị: đoạn Nhổn – ga Hà Nội"
    assert story.date == NOW and story.draft and story.lang == "vi" and story.tags == ()


def test_title_with_yaml_characters_is_kept_as_written(site: Path):
    title = 'Giá vàng "tăng" #1: [kỷ lục] & {hơn} 100%'
    assert new(site, "--section", "kinh-te", "--lang", "en", title) == 0
    path = site / "content/kinh-te/gia-vang-tang-1-ky-luc-hon-100.en.md"
    story = load(path.read_bytes(), "kinh-te/gia-vang-tang-1-ky-luc-hon-100.en.md", "x", Config())
    assert isinstance(story, Article) and story.title == title and story.lang == "en"


def test_new_never_overwrites(site: Path, capsys):
    assert new(site, "--section", "thoi-su", "--lang", "vi", "Lũ lụt ở Đà Nẵng") == 0
    path = site / "content/thoi-su/lu-lut-o-da-nang.vi.md"
    path.write_text("the editor's work\n", encoding="utf-8")
    capsys.readouterr()
    assert new(site, "--section", "thoi-su", "--lang", "vi", "Lũ lụt ở Đà Nẵng") == 1
    assert path.read_text(encoding="utf-8") == "the editor's work\n"
    err = capsys.readouterr().err
    assert "lu-lut-o-da-nang.vi.md: already exists; nothing written" in err
    assert new(site, "--section", "thoi-su", "--lang", "en", "Lũ lụt ở Đà Nẵng") == 0  # another language is fine


def test_the_new_story_builds_with_drafts(site: Path):
    assert new(site, "--section", "kinh-te", "--lang", "vi", "Giá vàng tăng mạnh") == 0
    out = site / "output"
    build(Options(site_dir=site, drafts=True, now=NOW))
    page = (out / "vi/kinh-te/gia-vang-tang-manh/index.html").read_text(encoding="utf-8")
    assert "Giá vàng tăng mạnh" in page and "Bản nháp" in page
    build(Options(site_dir=site, now=NOW))
    assert not (out / "vi/kinh-te/gia-vang-tang-manh/index.html").exists()  # a draft until it says otherwise


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--section", "thoi-su", "--lang", "fr", "Bonjour"], "--lang fr: not one of the site's languages (vi, en)"),
        (["--section", "../ngoai", "--lang", "vi", "Tin"], "--section '../ngoai': must be one folder name"),
        (["--section", "tags", "--lang", "vi", "Tin"], "--section 'tags': must be one folder name"),
        (["--section", "thoi-su", "--lang", "vi", "?!…"], "it needs letters or digits"),
    ],
)
def test_wrong_command_lines_write_nothing(site: Path, capsys, args: list[str], message: str):
    before = sorted(p for p in (site / "content").rglob("*"))
    assert new(site, *args) == 2
    assert message in capsys.readouterr().err
    assert sorted(p for p in (site / "content").rglob("*")) == before


def test_a_broken_site_yaml_is_reported(site: Path, capsys):
    (site / "site.yaml").write_text("timezone: Mars/Olympus\n", encoding="utf-8")
    assert new(site, "--section", "thoi-su", "--lang", "vi", "Tin") == 1
    assert "site.yaml:1: timezone:" in capsys.readouterr().err
