"""Photos: real sizes, smaller copies, no location metadata, upright, errors naming the story, and no
image work for a picture that did not change. Pictures are drawn with Pillow into ``tmp_path``."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw

from newsdigest.images import crop_box
from newsdigest.pipeline import Options, build
from tests.conftest import NOW

GPS = 0x8825
STORY = """---
title: Phố cổ về đêm
date: 2024-05-01T08:00:00+07:00
image:
  src: {src}
  alt: Phố cổ
{extra}---
Đoạn đầu.

![Chợ sáng]({body} "Chợ sáng ở phố cổ")
"""


def gps_exif(orientation: int = 1) -> bytes:
    exif = Image.Exif()
    exif[0x013B] = "Viet Thanh"  # Artist: credit may stay
    exif[0x010F] = "Camera Maker"
    if orientation != 1:
        exif[0x0112] = orientation
    exif[GPS] = {1: "N", 2: (21.0, 1.0, 42.0), 3: "E", 4: (105.0, 51.0, 12.0)}
    return exif.tobytes()


SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def photo(size: tuple[int, int] = (2400, 1600), fmt: str = "JPEG", **save) -> bytes:
    """A picture with a gradient and a few shapes (something to compress, like a photo)."""
    im = Image.linear_gradient("L").resize(size).convert("RGB")
    draw = ImageDraw.Draw(im)
    draw.ellipse((size[0] // 4, size[1] // 4, size[0] // 2, size[1] // 2), fill=(200, 40, 40))
    out = io.BytesIO()
    im.save(out, fmt, **save)
    return out.getvalue()


def make_site(root: Path, data: bytes, name: str = "pho.jpg", extra: str = "", body: str | None = None) -> Path:
    (root / "static/images").mkdir(parents=True, exist_ok=True)
    (root / "static/images" / name).write_bytes(data)
    story = root / "content/thoi-su/pho.vi.md"
    story.parent.mkdir(parents=True, exist_ok=True)
    story.write_text(STORY.format(src=f"/images/{name}", extra=extra, body=body or f"/images/{name}"), encoding="utf-8")
    return root


def run(root: Path, **options):
    return build(Options(site_dir=root, now=NOW, **options))


def img_tags(html: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'([a-z-]+)="([^"]*)"', tag)) for tag in re.findall(r"<img [^>]*>", html)]


def candidates(srcset: str) -> list[tuple[str, int]]:
    return [(url, int(width[:-1])) for url, width in (part.split() for part in srcset.split(", "))]


def story_page(root: Path) -> str:
    return (root / "output/vi/thoi-su/pho-co-ve-dem/index.html").read_text(encoding="utf-8")


def test_every_srcset_candidate_is_a_file_of_its_stated_width(tmp_path):
    root = make_site(tmp_path / "site", photo((2400, 1600), quality=85))
    run(root)
    lead, body = img_tags(story_page(root))
    for img in (lead, body):
        assert (img["width"], img["height"]) == ("2400", "1600")
        assert img["src"] == "/images/pho.jpg" and img["sizes"]
        found = candidates(img["srcset"])
        assert [w for _, w in found] == [480, 960, 1600]
        for url, width in found:
            with Image.open(root / "output" / url.lstrip("/")) as copy:
                assert copy.format == "WEBP" and copy.width == width
                assert copy.height == round(1600 * width / 2400)  # the picture's own aspect ratio
    assert lead.get("fetchpriority") == "high" and "loading" not in lead
    assert body["loading"] == "lazy" and body["decoding"] == "async"


def test_lists_get_a_card_cropped_to_16_9_and_share_previews_a_1200_raster(tmp_path):
    root = make_site(tmp_path / "site", photo((2400, 1600), quality=85))
    run(root)
    home = (root / "output/vi/index.html").read_text(encoding="utf-8")
    lead = img_tags(home)[0]
    assert lead["fetchpriority"] == "high" and int(lead["width"]) * 9 == int(lead["height"]) * 16
    for url, width in candidates(lead["srcset"]):
        with Image.open(root / "output" / url.lstrip("/")) as card:
            assert card.size == (width, width * 9 // 16)
    page = story_page(root)
    share = re.search(r'<meta property="og:image" content="https?://[^/]+/([^"]+)"', page)
    assert share and share.group(1).endswith(".jpg")
    with Image.open(root / "output" / share.group(1)) as picture:
        assert picture.format == "JPEG" and picture.size == (1200, 800)
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta property="og:image:height" content="800">' in page
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
    assert ld["image"]["url"].endswith("/" + share.group(1)) and ld["image"]["width"] == 1200


def test_a_small_picture_is_never_made_larger(tmp_path):
    root = make_site(tmp_path / "site", photo((300, 200), "PNG"), "nho.png")
    run(root)
    lead = img_tags(story_page(root))[0]
    assert (lead["width"], lead["height"]) == ("300", "200")
    assert [w for _, w in candidates(lead["srcset"])] == [300]
    for path in (root / "output/photos").iterdir():
        with Image.open(path) as copy:
            assert copy.width <= 300 and copy.height <= 200, path.name


@pytest.mark.parametrize("fmt,name", [("JPEG", "pho.jpg"), ("PNG", "pho.png"), ("WEBP", "pho.webp")])
def test_no_published_file_carries_gps_and_colour_profiles_stay(tmp_path, fmt, name):
    source = photo((1800, 1200), fmt, exif=gps_exif(), icc_profile=SRGB)
    with Image.open(io.BytesIO(source)) as check:
        assert check.getexif().get_ifd(GPS), "the test picture must carry GPS"
    root = make_site(tmp_path / "site", source, name)
    run(root)
    published = [p for p in (root / "output").rglob("*") if p.suffix in (".jpg", ".png", ".webp")]
    assert root / "output/images" / name in published and len(published) > 5
    for path in published:
        with Image.open(path) as picture:
            assert not picture.getexif().get_ifd(GPS), path
            assert picture.info.get("icc_profile") == SRGB, f"{path} lost its colour profile"
            assert b"Camera Maker" not in path.read_bytes()
    with Image.open(root / "output/images" / name) as original, Image.open(io.BytesIO(source)) as before:
        assert original.tobytes() == before.tobytes()  # the same pixels: stripped, not re-encoded
        if fmt == "JPEG":
            assert original.getexif().get(0x013B) == "Viet Thanh"  # the credit is kept


def test_an_exif_rotated_photo_comes_out_upright(tmp_path):
    # Stored 600x300, left half red and right half blue; Orientation 6 shows it turned a quarter
    # clockwise: 300 wide, 600 high, red on top.
    im = Image.new("RGB", (600, 300), (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, 300, 300))
    out = io.BytesIO()
    im.save(out, "JPEG", quality=95, exif=gps_exif(orientation=6))
    root = make_site(tmp_path / "site", out.getvalue())
    run(root)
    lead = img_tags(story_page(root))[0]
    assert (lead["width"], lead["height"]) == ("300", "600")
    for url, width in candidates(lead["srcset"]):
        with Image.open(root / "output" / url.lstrip("/")) as copy:
            rgb = copy.convert("RGB")
            assert copy.size == (width, width * 2)
            top, bottom = rgb.getpixel((width // 2, 10)), rgb.getpixel((width // 2, copy.height - 10))
            assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0], (top, bottom)
    with Image.open(root / "output/images/pho.jpg") as original:
        assert original.getexif().get(0x0112) == 6  # not re-encoded: browsers turn it by its tag


def test_a_corrupt_picture_is_an_error_naming_the_story_and_line(tmp_path, capsys):
    root = make_site(tmp_path / "site", b"\xff\xd8\xff\xe0 not really a JPEG")
    with pytest.raises(Exception) as caught:
        run(root)
    errors = [str(e) for e in caught.value.errors]
    assert any(re.search(r"pho\.vi\.md:5: picture '/images/pho\.jpg' cannot be read", e) for e in errors), errors
    assert any(re.search(r"pho\.vi\.md:10: picture '/images/pho\.jpg'", e) for e in errors), errors
    assert not (root / "output").exists()


def test_a_truncated_jpeg_is_an_error_and_the_previous_output_stays(tmp_path):
    good = photo((1600, 1000), quality=90)
    root = make_site(tmp_path / "site", good)
    run(root)
    before = {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()}
    (root / "static/images/pho.jpg").write_bytes(photo((1700, 1000), quality=90)[:5000])
    with pytest.raises(Exception) as caught:
        run(root)
    errors = [str(e) for e in caught.value.errors]
    assert any(re.search(r"pho\.vi\.md:5: picture '/images/pho\.jpg' cannot be decoded", e) for e in errors), errors
    assert {p: p.read_bytes() for p in (root / "output").rglob("*") if p.is_file()} == before


def test_the_second_build_does_no_image_work(tmp_path):
    root = make_site(tmp_path / "site", photo((2000, 1500), quality=85, exif=gps_exif()))
    first = run(root, jobs=2)
    assert first.images_made == [str(root / "static/images/pho.jpg")] or len(first.images_made) == 1
    copies = {p: p.stat().st_mtime_ns for p in (root / "output/photos").iterdir()}
    story = root / "content/thoi-su/pho.vi.md"
    story.write_text(story.read_text(encoding="utf-8") + "\nMột đoạn mới.\n", encoding="utf-8")
    second = run(root, jobs=2)  # the story changed, so the pipeline reads and plans everything again
    assert second.parsed and second.images_made == []
    assert {p: p.stat().st_mtime_ns for p in (root / "output/photos").iterdir()} == copies
    assert run(root).images_made == []
    (root / "static/images/pho.jpg").write_bytes(photo((2000, 1400), quality=85))
    assert len(run(root).images_made) == 1  # a new picture is made, once


def test_focus_moves_the_card_crop_and_a_bad_focus_is_an_error(tmp_path):
    assert crop_box(1600, 1600, (0.5, 0.5)) == (0, 350, 1600, 1250)
    assert crop_box(1600, 1600, (0.5, 0.0)) == (0, 0, 1600, 900)
    assert crop_box(1600, 1600, (0.5, 1.0)) == (0, 700, 1600, 1600)
    im = Image.new("RGB", (1600, 1600), (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, 1600, 400))  # a red band at the top
    out = io.BytesIO()
    im.save(out, "PNG")
    root = make_site(tmp_path / "site", out.getvalue(), "mat.png", extra="  focus: [0.5, 0.1]\n")
    run(root)
    home = (root / "output/vi/index.html").read_text(encoding="utf-8")
    url, _ = candidates(img_tags(home)[0]["srcset"])[0]
    with Image.open(root / "output" / url.lstrip("/")) as card:
        assert card.convert("RGB").getpixel((10, 5))[0] > 200  # the top of the picture is in the card
    story = root / "content/thoi-su/pho.vi.md"
    story.write_text(story.read_text(encoding="utf-8").replace("[0.5, 0.1]", "[2, top]"), encoding="utf-8")
    with pytest.raises(Exception) as caught:
        run(root)
    assert any(re.search(r"pho\.vi\.md:7: image\.focus: .* is not a point", str(e)) for e in caught.value.errors)


def test_an_svg_lead_picture_warns_that_previews_will_not_show_it(tmp_path):
    root = make_site(tmp_path / "site", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "ve.svg", body="/images/missing.jpg")
    result = run(root)
    shown = [str(w) for w in result.warnings]
    assert any(
        re.search(r"pho\.vi\.md:5: image: '/images/ve\.svg' is an SVG: social previews will not show it", w) for w in shown
    ), shown
    assert any(re.search(r"pho\.vi\.md:10: picture '/images/missing\.jpg' not found", w) for w in shown), shown


def test_a_page_bundles_picture_is_published_beside_each_page_and_copied_once(tmp_path):
    root = tmp_path / "site"
    bundle = root / "content/thoi-su/lu-lut"
    bundle.mkdir(parents=True)
    (bundle / "anh.jpg").write_bytes(photo((1200, 800), quality=85, exif=gps_exif()))
    for lang, title in (("vi", "Lũ lụt"), ("en", "Floods")):
        (bundle / f"index.{lang}.md").write_text(
            f"---\ntitle: {title}\ndate: 2024-05-01\nimage: {{src: anh.jpg, alt: x}}\n---\nBody.\n\n![x](anh.jpg)\n",
            encoding="utf-8",
        )
    (root / "static").mkdir()
    (root / "static/logo.jpg").write_bytes(photo((400, 200), quality=85, exif=gps_exif()))  # shown by no story
    result = run(root)
    out = root / "output"
    for page in ("vi/thoi-su/lu-lut", "en/thoi-su/floods"):
        html = (out / page / "index.html").read_text(encoding="utf-8")
        lead, body = img_tags(html)
        assert lead["src"] == f"/{page}/anh.jpg" and body["src"] == "anh.jpg"
        assert lead["width"] == body["width"] == "1200"
        with Image.open(out / page / "anh.jpg") as original:
            assert not original.getexif().get_ifd(GPS)
    with Image.open(out / "logo.jpg") as logo:
        assert not logo.getexif().get_ifd(GPS)  # published without location, though no story shows it
    assert len(result.images_made) == 2  # the bundle's picture once for both pages, and the logo
    assert len([p for p in (out / "photos").iterdir() if p.name.startswith("anh-480w-")]) == 1


def test_the_site_share_picture_is_the_preview_of_pages_without_one(tmp_path):
    root = make_site(tmp_path / "site", photo((1600, 900), quality=85), "chia-se.jpg")
    (root / "site.yaml").write_text("base_url: https://example.org/\nimage: /images/chia-se.jpg\n", encoding="utf-8")
    run(root)
    home = (root / "output/vi/index.html").read_text(encoding="utf-8")
    share = re.search(r'<meta property="og:image" content="https://example\.org/(photos/chia-se-share-[^"]+\.jpg)"', home)
    assert share and '<meta property="og:image:width" content="1200">' in home
    (root / "site.yaml").write_text("image: /images/logo.svg\n", encoding="utf-8")
    warnings = [str(w) for w in run(root).warnings]
    assert any(re.search(r"site\.yaml:1: image: '/images/logo\.svg' is not a JPEG, PNG or WebP", w) for w in warnings)


def test_an_unreadable_picture_no_story_shows_is_an_error_naming_it(tmp_path):
    root = make_site(tmp_path / "site", photo((800, 600), quality=85))
    (root / "static/images/hong.png").write_bytes(b"\x89PNG\r\n\x1a\n broken")
    with pytest.raises(Exception) as caught:
        run(root)
    assert any(
        re.search(r"static/images/hong\.png:1: picture 'images/hong\.png' cannot be read", str(e)) for e in caught.value.errors
    ), caught.value.errors


def test_the_copies_are_in_the_output_map(tmp_path):
    root = make_site(tmp_path / "site", photo((800, 600), quality=85))
    (root / "static/photos").write_text("a file where the copies' folder goes\n", encoding="utf-8")
    with pytest.raises(Exception) as caught:
        run(root)
    assert any("photos" in str(e) and "pho.jpg (a copy of the picture)" in str(e) for e in caught.value.errors), [
        str(e) for e in caught.value.errors
    ]


def test_a_png_turned_by_exif_is_published_upright(tmp_path):
    im = Image.new("RGB", (600, 300), (0, 0, 255))
    im.paste((255, 0, 0), (0, 0, 300, 300))
    out = io.BytesIO()
    im.save(out, "PNG", exif=gps_exif(orientation=6))
    root = make_site(tmp_path / "site", out.getvalue(), "xoay.png")
    run(root)
    assert img_tags(story_page(root))[0]["width"] == "300"
    with Image.open(root / "output/images/xoay.png") as original:
        assert original.size == (300, 600) and original.getexif().get(0x0112, 1) == 1
        assert not original.getexif().get_ifd(GPS)
        assert original.convert("RGB").getpixel((150, 10))[0] > 200  # red on top


def _two_paths(root: Path, data: bytes) -> Path:
    """The story's picture, and the same bytes at a second path shown by a second story."""
    make_site(root, data)
    (root / "static/images/lai.jpg").write_bytes(data)
    other = root / "content/thoi-su/lai.vi.md"
    other.write_text(
        STORY.format(src="/images/lai.jpg", extra="", body="/images/lai.jpg").replace(
            "title: Phố cổ về đêm", "title: Phố lại về đêm"
        ),
        encoding="utf-8",
    )
    return root


def test_one_photo_at_two_paths_is_decoded_once_and_shown_by_both(tmp_path):
    root = _two_paths(tmp_path / "site", photo((1600, 1000), quality=90))
    result = run(root, jobs=2)
    assert len(result.images_made) == 1  # same bytes, same copies: made once
    for page, stem in ((story_page(root), "pho"), (_page(root, "pho-lai-ve-dem"), "lai")):
        shown = set(re.findall(r"/(photos/[^\" ,]+\.webp)", page))
        assert shown and all(name.startswith(f"photos/{stem}-") for name in shown), shown
        assert all((root / "output" / name).is_file() for name in shown)


def _page(root: Path, slug: str) -> str:
    return (root / f"output/vi/thoi-su/{slug}/index.html").read_text(encoding="utf-8")


def test_a_corrupt_photo_at_two_paths_names_both_stories(tmp_path):
    root = _two_paths(tmp_path / "site", photo((1700, 1000), quality=90)[:5000])
    with pytest.raises(Exception) as caught:
        run(root)
    errors = [str(e) for e in caught.value.errors]
    for name in ("pho.jpg", "lai.jpg"):
        assert any(f"picture '/images/{name}' cannot be decoded" in e for e in errors), errors
