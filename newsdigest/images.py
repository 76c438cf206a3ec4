"""Pictures as bytes: a raster's real size, the copies a page needs of it, and making them.

Pure functions over bytes (no paths, no cache): the photo stage (photos.py) decides what to make and
where it goes. See docs/photos.md for the sizes, formats and metadata a published picture has.
"""

from __future__ import annotations

import io
import math
from dataclasses import dataclass

from PIL import Image, ImageOps

from .photometa import ORIENTATION, credit_exif, has_location, strip_metadata

FORMATS = {"JPEG": ".jpg", "PNG": ".png", "WEBP": ".webp"}
RASTER_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp")
WIDTHS = (480, 960, 1600)  # srcset copies: a phone, a tablet or a 2x phone, a desktop at 2x
CARD_WIDTHS = (240, 480, 960)  # list thumbnails (7.5rem and 14rem at 1x and 2x) and a list's lead picture
CARD_RATIO = (16, 9)  # the theme's .thumb and .lead-image boxes: style.css says aspect-ratio: 16 / 9
SHARE_WIDTH = 1200  # og:image: Facebook and X want at least 1200 px wide for a large card
WEBP_QUALITY = 80
JPEG_QUALITY = 82
WEBP_METHOD = 4  # 6 is a few percent smaller and twice as slow


class PictureError(Exception):
    """A picture that cannot be read or published; the message completes "<src> …"."""


@dataclass(frozen=True)
class Inspected:
    """What the header says: format, the size as shown (EXIF orientation applied), transparency."""

    format: str  # JPEG | PNG | WEBP
    width: int
    height: int
    orientation: int = 1
    alpha: bool = False


@dataclass(frozen=True)
class Copy:
    """One file the build makes from a picture. ``variant`` names it uniquely among its siblings."""

    variant: str  # "480w", "card-240w@0.50,0.50", "share", "original"
    kind: str  # size | card | share | original
    width: int
    height: int
    suffix: str  # ".webp", ".jpg", ...


def inspect(data: bytes) -> Inspected:
    """The picture's format and displayed size, from its header; PictureError when it is none."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            fmt = im.format or ""
            if fmt not in FORMATS:
                raise PictureError(f"is a {fmt or 'file of unknown kind'}, not a JPEG, PNG or WebP picture")
            width, height = im.size
            orientation = im.getexif().get(ORIENTATION, 1)
            alpha = im.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in im.info
    except PictureError:
        raise
    except Exception as exc:  # noqa: BLE001 - a hostile file may make the decoder raise anything
        raise PictureError(f"cannot be read as a picture ({type(exc).__name__}: {exc})") from None
    if not isinstance(orientation, int) or not 1 <= orientation <= 8:
        orientation = 1
    if orientation >= 5:  # 5-8 turn the picture a quarter: it shows taller than it is stored
        width, height = height, width
    if width < 1 or height < 1:
        raise PictureError("has no pixels")
    return Inspected(fmt, width, height, orientation, alpha)


def _scaled(width: int, height: int, to_width: int) -> tuple[int, int]:
    return to_width, max(1, round(height * to_width / width))


def card_box(width: int, height: int) -> tuple[int, int]:
    """The largest CARD_RATIO box that fits in the picture."""
    rw, rh = CARD_RATIO
    if width * rh > height * rw:
        return max(1, round(height * rw / rh)), height
    return width, max(1, round(width * rh / rw))


def plan(info: Inspected, focus: tuple[float, float] | None, copies: bool = True) -> tuple[Copy, ...]:
    """The files a picture becomes: always the original (stripped); and when a story shows it, WebP
    copies at WIDTHS, cards cropped around ``focus`` (default: the centre) and a raster share copy.
    Never larger than the picture: a small one's largest copy is its own width."""
    made = [Copy("original", "original", info.width, info.height, FORMATS[info.format])]
    if not copies:
        return tuple(made)
    w, h = info.width, info.height
    for width in sorted({min(x, w) for x in WIDTHS}):
        made.append(Copy(f"{width}w", "size", *_scaled(w, h, width), ".webp"))
    fx, fy = focus or (0.5, 0.5)
    box_w, box_h = card_box(w, h)
    for width in sorted({min(x, box_w) for x in CARD_WIDTHS}):
        made.append(Copy(f"card-{width}w@{fx:.2f},{fy:.2f}", "card", *_scaled(box_w, box_h, width), ".webp"))
    made.append(Copy("share", "share", *_scaled(w, h, min(SHARE_WIDTH, w)), ".png" if info.alpha else ".jpg"))
    return tuple(made)


def crop_box(width: int, height: int, focus: tuple[float, float]) -> tuple[int, int, int, int]:
    """The CARD_RATIO box of a ``width``×``height`` picture centred on ``focus`` (fractions), kept
    inside the picture: a face at the edge of the frame stays in the card."""
    box_w, box_h = card_box(width, height)
    left = min(max(round(focus[0] * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focus[1] * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def _focus_of(variant: str) -> tuple[float, float]:
    x, y = variant.rsplit("@", 1)[1].split(",")
    return float(x), float(y)


def _upright(data: bytes, info: Inspected, wanted: tuple[Copy, ...]) -> Image.Image:
    """The decoded picture, turned upright, in RGB(A), decoded no larger than the copies need
    (a JPEG decodes at 1/2, 1/4 or 1/8 scale for a fraction of the time)."""
    im = Image.open(io.BytesIO(data))
    need = 0.0
    for copy in wanted:
        extent = card_box(info.width, info.height)[0] if copy.kind == "card" else info.width
        need = max(need, copy.width / extent)
    if im.format == "JPEG" and need < 1:
        im.draft("RGB", (math.ceil(im.width * need), math.ceil(im.height * need)))
    im.load()
    im = ImageOps.exif_transpose(im)
    return im.convert("RGBA" if info.alpha else "RGB")


def make(data: bytes, info: Inspected, wanted: tuple[Copy, ...]) -> dict[str, bytes]:
    """Each wanted copy's bytes, by variant. Copies hold the colour profile and no other metadata;
    the original keeps its bytes but for the metadata (see photometa.strip_metadata)."""
    made: dict[str, bytes] = {}
    resized = [c for c in wanted if c.kind != "original"]
    try:
        if any(c.kind == "original" for c in wanted):
            made["original"] = _original(data, info)
        if not resized:
            return made
        icc = Image.open(io.BytesIO(data)).info.get("icc_profile")
        base = _upright(data, info, tuple(resized))
    except PictureError:
        raise
    except Exception as exc:  # noqa: BLE001 - a truncated or hostile file may make the decoder raise anything
        raise PictureError(f"cannot be decoded ({type(exc).__name__}: {exc})") from None
    if base.mode == "RGB" and icc and _profile_space(icc) != "RGB ":
        icc = None  # a CMYK profile does not describe the RGB pixels Pillow converted to
    # Largest first, each from the last one of its framing: resizing 1600 px to 960 costs a
    # fraction of resizing the full picture, and looks the same.
    last: dict[str, Image.Image] = {}
    for copy in sorted(resized, key=lambda c: -c.width):
        framing = copy.variant.split("@")[1] if copy.kind == "card" else "full"
        source = last.get(framing)
        if source is None and copy.kind == "card":  # cropped from the largest full copy when that is enough
            whole = last.get("full", base)
            whole = whole if card_box(whole.width, whole.height)[0] >= copy.width else base
            box = crop_box(whole.width, whole.height, _focus_of(copy.variant))
            picture = whole.resize((copy.width, copy.height), Image.Resampling.LANCZOS, box=box, reducing_gap=3.0)
        else:
            source = source or base
            picture = source.resize((copy.width, copy.height), Image.Resampling.LANCZOS, reducing_gap=3.0)
        last[framing] = picture
        made[copy.variant] = _encode(picture, copy.suffix, icc)
    return made


def _profile_space(icc: bytes) -> str:
    """An ICC profile's colour space signature (bytes 16-20): "RGB ", "GRAY", "CMYK"."""
    return icc[16:20].decode("latin-1") if len(icc) >= 20 else ""


def _encode(picture: Image.Image, suffix: str, icc: bytes | None) -> bytes:
    out = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    if suffix == ".webp":
        picture.save(out, "WEBP", quality=WEBP_QUALITY, method=WEBP_METHOD, **extra)
    elif suffix == ".png":
        picture.save(out, "PNG", optimize=False, **extra)
    else:
        picture.convert("RGB").save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **extra)
    return out.getvalue()


def _original(data: bytes, info: Inspected) -> bytes:
    """The original as published: its own bytes without location and camera metadata. A PNG or WebP
    turned by EXIF is re-encoded upright (losslessly for PNG and lossless WebP), since browsers do
    not all honour their orientation; a JPEG keeps its Orientation tag and is not re-encoded."""
    if info.format != "JPEG" and info.orientation != 1:
        return _reencoded(data, info)
    try:
        stripped = strip_metadata(data, info.format)
    except ValueError:  # a structure our parser does not follow: Pillow writes a clean one
        return _reencoded(data, info)
    return _reencoded(data, info) if has_location(stripped) else stripped


def _reencoded(data: bytes, info: Inspected) -> bytes:
    with Image.open(io.BytesIO(data)) as im:
        icc = im.info.get("icc_profile")
        lossless = info.format == "WEBP" and getattr(im, "_lossless", False)
        exif = credit_exif(im.getexif(), orientation=1)
        upright = ImageOps.exif_transpose(im)
        out = io.BytesIO()
        options: dict[str, object] = {"icc_profile": icc} if icc else {}
        if exif:
            options["exif"] = exif
        if info.format == "PNG":
            upright.save(out, "PNG", **options)
        elif info.format == "WEBP":
            upright.save(out, "WEBP", lossless=lossless, quality=100 if lossless else 92, **options)
        else:
            upright.convert("RGB").save(out, "JPEG", quality=92, **options)
    return out.getvalue()
