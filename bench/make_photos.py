"""Draw the sample digest's photos (static/images/*.jpg) with Pillow, as a camera would hand them over.

    python bench/make_photos.py            # the sample digest's pictures, into static/images/
    python bench/make_photos.py --bench DIR [--count 200]   # 4000x3000 camera-sized JPEGs for bench/

Simple shapes, a little grain so they compress like photographs, realistic sizes, an sRGB colour
profile, and, on some, the EXIF a phone writes: GPS coordinates (fake: Hoàn Kiếm lake), a camera
model, and an Orientation tag (one picture is stored on its side). The build must publish none of
the location and show every one upright. Deterministic: the same bytes on every run.
"""

from __future__ import annotations

import argparse
import io
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageCms, ImageDraw, ImageFilter

REPO = Path(__file__).resolve().parent.parent


def _srgb() -> bytes:
    """LittleCMS's sRGB profile, with its creation time fixed (and so no profile ID): same bytes every run."""
    profile = bytearray(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())
    profile[24:36] = b"".join(n.to_bytes(2, "big") for n in (2017, 1, 1, 0, 0, 0))
    profile[84:100] = bytes(16)
    return bytes(profile)


SRGB = _srgb()
Draw = ImageDraw.ImageDraw


def camera_exif(gps: bool, orientation: int = 1, artist: str = "Bản tin Sông Hồng") -> bytes:
    exif = Image.Exif()
    exif[0x010F], exif[0x0110] = "Fictional Phone Co.", "Model 7"  # Make, Model: dropped by the build
    exif[0x013B] = artist.encode("ascii", "ignore").decode() or "newsdigest"  # Artist: kept
    if orientation != 1:
        exif[0x0112] = orientation
    if gps:
        exif[0x8825] = {1: "N", 2: (21.0, 1.0, 43.2), 3: "E", 4: (105.0, 51.0, 11.4), 5: 0, 6: 12.0}
    return exif.tobytes()


def grain(im: Image.Image, rng: random.Random, amount: float = 0.06) -> Image.Image:
    """Film grain: seeded noise, blended in lightly, then a touch of lens softness."""
    noise = Image.frombytes("L", im.size, rng.randbytes(im.width * im.height)).convert("RGB")
    return Image.blend(im, noise, amount).filter(ImageFilter.GaussianBlur(1.2))


def sky(im: Image.Image, top: tuple[int, int, int], bottom: tuple[int, int, int], until: float = 1.0) -> None:
    d = ImageDraw.Draw(im)
    end = int(im.height * until)
    for y in range(end):
        t = y / max(1, end - 1)
        d.line([(0, y), (im.width, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))


def night_bus(d: Draw, w: int, h: int, rng: random.Random) -> None:
    d.rectangle((0, h * 0.68, w, h), fill=(38, 38, 44))
    for x in range(0, w, w // 8):
        d.rectangle((x + w * 0.02, h * 0.83, x + w * 0.07, h * 0.845), fill=(210, 200, 150))
    for x in range(w // 10, w, w // 4):  # street lamps and their pools of light
        d.rectangle((x, h * 0.25, x + w * 0.008, h * 0.68), fill=(70, 70, 80))
        d.ellipse((x - w * 0.03, h * 0.2, x + w * 0.04, h * 0.28), fill=(255, 214, 120))
        d.ellipse((x - w * 0.08, h * 0.66, x + w * 0.09, h * 0.74), fill=(92, 86, 70))
    d.rounded_rectangle((w * 0.18, h * 0.42, w * 0.82, h * 0.76), radius=w * 0.03, fill=(28, 150, 90))
    for i in range(7):
        x = w * (0.21 + i * 0.085)
        d.rectangle((x, h * 0.47, x + w * 0.065, h * 0.58), fill=(255, 240, 190))
    for x in (w * 0.3, w * 0.7):
        d.ellipse((x - w * 0.045, h * 0.7, x + w * 0.045, h * 0.82), fill=(15, 15, 15))
    d.ellipse((w * 0.79, h * 0.6, w * 0.82, h * 0.65), fill=(255, 255, 220))


def market_basket(d: Draw, w: int, h: int, rng: random.Random) -> None:
    d.rectangle((0, h * 0.7, w, h), fill=(150, 110, 70))
    d.polygon([(w * 0.2, h * 0.5), (w * 0.8, h * 0.5), (w * 0.72, h * 0.9), (w * 0.28, h * 0.9)], fill=(170, 120, 60))
    for y in range(int(h * 0.55), int(h * 0.9), int(h * 0.05)):
        d.line([(w * 0.22, y), (w * 0.78, y)], fill=(120, 80, 40), width=max(2, w // 300))
    d.ellipse((w * 0.24, h * 0.3, w * 0.46, h * 0.58), fill=(120, 190, 90))  # cabbage
    d.ellipse((w * 0.42, h * 0.28, w * 0.6, h * 0.52), fill=(240, 236, 210))  # cauliflower
    d.polygon([(w * 0.58, h * 0.32), (w * 0.64, h * 0.3), (w * 0.62, h * 0.56)], fill=(240, 120, 30))  # carrot
    d.ellipse((w * 0.6, h * 0.38, w * 0.76, h * 0.56), fill=(220, 40, 40))  # tomato


def framed_wall(d: Draw, w: int, h: int, rng: random.Random) -> None:
    d.rectangle((0, h * 0.8, w, h), fill=(120, 100, 80))
    for i in range(3):
        x = w * (0.08 + i * 0.31)
        d.rectangle((x, h * 0.18, x + w * 0.26, h * 0.52), fill=(60, 45, 30))
        d.rectangle((x + w * 0.015, h * 0.2, x + w * 0.245, h * 0.5), fill=(140, 180, 210))
        d.polygon([(x + w * 0.015, h * 0.5), (x + w * 0.1, h * 0.33), (x + w * 0.245, h * 0.5)], fill=(70, 110, 70))
    d.ellipse((w * 0.46, h * 0.5, w * 0.54, h * 0.62), fill=(60, 40, 30))  # a visitor
    d.rectangle((w * 0.45, h * 0.62, w * 0.55, h * 0.95), fill=(40, 60, 110))


def old_quarter(d: Draw, w: int, h: int, rng: random.Random) -> None:
    d.rectangle((0, h * 0.78, w, h), fill=(90, 80, 75))
    x = 0.0
    while x < w:
        width = w * rng.uniform(0.1, 0.16)
        top = h * rng.uniform(0.18, 0.35)
        d.rectangle((x, top, x + width, h * 0.78), fill=rng.choice([(200, 170, 90), (180, 110, 80), (160, 150, 130)]))
        d.polygon([(x - w * 0.01, top), (x + width / 2, top - h * 0.08), (x + width + w * 0.01, top)], fill=(110, 60, 40))
        x += width
    for i in range(14):  # lanterns on a string
        lx = w * (0.04 + i * 0.07)
        d.ellipse((lx, h * 0.42, lx + w * 0.035, h * 0.5), fill=(230, 50, 40))
    for _ in range(9):
        px = w * rng.uniform(0.05, 0.95)
        d.ellipse((px, h * 0.62, px + w * 0.025, h * 0.67), fill=(40, 30, 30))
        d.rectangle((px, h * 0.67, px + w * 0.025, h * 0.8), fill=rng.choice([(30, 60, 120), (150, 30, 40), (60, 60, 60)]))


def riverside(d: Draw, w: int, h: int, rng: random.Random) -> None:
    d.rectangle((0, h * 0.55, w, h * 0.72), fill=(70, 120, 150))
    d.rectangle((0, h * 0.78, w, h), fill=(90, 90, 95))
    d.rectangle((0, h * 0.72, w, h * 0.78), fill=(100, 150, 70))
    for i in range(8):
        x = w * (0.05 + i * 0.125)
        d.rectangle((x + w * 0.02, h * 0.45, x + w * 0.03, h * 0.74), fill=(90, 60, 40))
        d.ellipse((x - w * 0.02, h * 0.2, x + w * 0.07, h * 0.52), fill=(40 + i * 5, 130, 60))


def peach_branch(d: Draw, w: int, h: int, rng: random.Random) -> None:
    d.polygon([(w * 0.38, h * 0.7), (w * 0.62, h * 0.7), (w * 0.58, h * 0.95), (w * 0.42, h * 0.95)], fill=(190, 40, 40))
    d.line([(w * 0.5, h * 0.7), (w * 0.45, h * 0.35), (w * 0.3, h * 0.15)], fill=(90, 55, 35), width=w // 80)
    d.line([(w * 0.46, h * 0.42), (w * 0.66, h * 0.2)], fill=(90, 55, 35), width=w // 110)
    for _ in range(60):
        x, y = w * rng.uniform(0.25, 0.72), h * rng.uniform(0.1, 0.5)
        r = w * rng.uniform(0.008, 0.016)
        d.ellipse((x - r, y - r, x + r, y + r), fill=(245, rng.randint(140, 180), 190))


def pottery(d: Draw, w: int, h: int, rng: random.Random) -> None:
    d.rectangle((0, h * 0.8, w, h), fill=(130, 95, 60))
    for i, colour in enumerate([(130, 80, 45), (40, 80, 160), (200, 160, 90)]):
        x = w * (0.2 + i * 0.22)
        d.ellipse((x, h * 0.35, x + w * 0.16, h * 0.8), fill=colour)
        d.rectangle((x + w * 0.05, h * 0.25, x + w * 0.11, h * 0.4), fill=colour)


def counter(d: Draw, w: int, h: int, rng: random.Random) -> None:
    d.rectangle((0, h * 0.6, w, h), fill=(160, 120, 80))
    d.rectangle((w * 0.1, h * 0.1, w * 0.9, h * 0.22), fill=(30, 90, 160))
    d.ellipse((w * 0.3, h * 0.3, w * 0.38, h * 0.42), fill=(80, 50, 40))  # the official
    d.rectangle((w * 0.27, h * 0.42, w * 0.41, h * 0.6), fill=(240, 240, 240))
    d.ellipse((w * 0.62, h * 0.32, w * 0.7, h * 0.44), fill=(70, 45, 35))  # the resident
    d.rectangle((w * 0.59, h * 0.44, w * 0.73, h * 0.75), fill=(150, 60, 70))
    d.rectangle((w * 0.44, h * 0.56, w * 0.56, h * 0.62), fill=(250, 250, 245))  # the form


def envelope(d: Draw, w: int, h: int, rng: random.Random) -> None:
    d.rectangle((w * 0.2, h * 0.25, w * 0.8, h * 0.75), fill=(240, 230, 210))
    d.line([(w * 0.2, h * 0.25), (w * 0.5, h * 0.52), (w * 0.8, h * 0.25)], fill=(170, 150, 120), width=w // 150)
    d.rectangle((w * 0.66, h * 0.3, w * 0.76, h * 0.44), fill=(200, 30, 40))


def calligraphy(d: Draw, w: int, h: int, rng: random.Random) -> None:
    d.rectangle((w * 0.35, h * 0.08, w * 0.65, h * 0.8), fill=(235, 215, 170))
    d.rectangle((w * 0.33, h * 0.06, w * 0.67, h * 0.09), fill=(110, 60, 30))
    for i in range(3):  # brush strokes
        y = h * (0.18 + i * 0.2)
        d.line([(w * 0.42, y), (w * 0.58, y + h * 0.06)], fill=(20, 20, 20), width=w // 60)
        d.line([(w * 0.5, y - h * 0.03), (w * 0.48, y + h * 0.12)], fill=(20, 20, 20), width=w // 70)
    d.ellipse((w * 0.1, h * 0.8, w * 0.25, h * 0.9), fill=(30, 30, 35))  # ink stone
    d.line([(w * 0.75, h * 0.9), (w * 0.9, h * 0.75)], fill=(150, 110, 60), width=w // 90)


def bookshelves(d: Draw, w: int, h: int, rng: random.Random) -> None:
    for row in range(4):
        y = h * (0.2 + row * 0.2)
        d.rectangle((w * 0.05, y + h * 0.17, w * 0.95, y + h * 0.2), fill=(110, 70, 40))
        x = w * 0.06
        while x < w * 0.93:
            width = w * rng.uniform(0.015, 0.03)
            d.rectangle(
                (x, y + h * rng.uniform(0, 0.05), x + width, y + h * 0.17),
                fill=(rng.randint(40, 230), rng.randint(40, 200), rng.randint(40, 220)),
            )
            x += width + w * 0.003
    d.ellipse((w * 0.45, h * 0.02, w * 0.55, h * 0.17), fill=(250, 250, 250), outline=(40, 40, 40), width=w // 200)


def red_river(d: Draw, w: int, h: int, rng: random.Random) -> None:
    """The site's share picture: the Red River at dusk, a bridge, the city's roofs."""
    d.polygon([(0, h * 0.62), (w, h * 0.55), (w, h * 0.8), (0, h * 0.9)], fill=(170, 90, 60))
    d.rectangle((0, h * 0.9, w, h), fill=(60, 90, 60))
    d.rectangle((0, h * 0.43, w, h * 0.46), fill=(70, 60, 70))  # the bridge
    for x in range(0, w, w // 16):
        d.rectangle((x, h * 0.46, x + w * 0.012, h * 0.68), fill=(70, 60, 70))
    x = 0.0
    while x < w:
        top = h * rng.uniform(0.28, 0.4)
        width = w * rng.uniform(0.03, 0.07)
        d.rectangle((x, top, x + width, h * 0.43), fill=(90 + rng.randint(0, 40), 70, 80))
        x += width
    d.ellipse((w * 0.7, h * 0.12, w * 0.78, h * 0.27), fill=(255, 200, 120))


# name: (drawing, size as shown, sky colours, GPS, stored orientation)
PHOTOS: dict[str, tuple[Callable[[Draw, int, int, random.Random], None], tuple[int, int], tuple, bool, int]] = {
    "xe-buyt": (night_bus, (2400, 1600), ((8, 10, 35), (40, 40, 80)), True, 1),
    "rau": (market_basket, (2400, 1600), ((250, 225, 180), (235, 200, 150)), True, 1),
    "trien-lam": (framed_wall, (2400, 1600), ((230, 225, 215), (210, 205, 195)), True, 1),
    "pho-di-bo": (old_quarter, (2400, 1600), ((30, 30, 70), (120, 80, 90)), True, 6),
    "cay-xanh": (riverside, (1800, 1200), ((150, 200, 240), (220, 235, 245)), False, 1),
    "hoa-dao": (peach_branch, (1800, 1200), ((250, 240, 235), (240, 225, 215)), False, 1),
    "gom": (pottery, (1800, 1200), ((235, 220, 200), (215, 195, 170)), False, 1),
    "mot-cua": (counter, (1800, 1200), ((225, 230, 235), (205, 210, 215)), True, 1),
    "buu-dien": (envelope, (1800, 1200), ((200, 215, 230), (180, 195, 215)), False, 1),
    "thu-phap": (calligraphy, (1800, 1200), ((170, 30, 30), (130, 20, 25)), False, 8),
    "thu-vien": (bookshelves, (1800, 1200), ((240, 235, 225), (225, 215, 200)), False, 1),
    "song-hong": (red_river, (1200, 630), ((240, 150, 110), (250, 210, 160)), False, 1),  # site.yaml image:
}


def draw(name: str, seed: int = 0) -> bytes:
    paint, size, colours, gps, orientation = PHOTOS[name]
    rng = random.Random(f"{name}:{seed}")
    im = Image.new("RGB", size)
    sky(im, *colours)
    paint(ImageDraw.Draw(im), size[0], size[1], rng)
    im = grain(im, rng)
    # Stored as a phone stores a photo taken sideways: the pixels turned, the tag saying how to turn them back.
    stored = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270}.get(orientation)
    if stored is not None:
        im = im.transpose(stored)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=80, optimize=True, exif=camera_exif(gps, orientation), icc_profile=SRGB)
    return out.getvalue()


def bench_photos(folder: Path, count: int) -> None:
    """Camera-sized JPEGs (4000x3000, about 2-3 MB each) with GPS, for a cold build's figures."""
    folder.mkdir(parents=True, exist_ok=True)
    names = list(PHOTOS)
    for i in range(count):
        rng = random.Random(i)
        im = Image.new("RGB", (4000, 3000))
        paint, _, colours, _, _ = PHOTOS[names[i % len(names)]]
        sky(im, *colours)
        paint(ImageDraw.Draw(im), 4000, 3000, rng)
        im = grain(im, rng, 0.1)
        im.save(folder / f"photo-{i:03d}.jpg", "JPEG", quality=90, exif=camera_exif(True), icc_profile=SRGB)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench", type=Path, help="write 4000x3000 benchmark JPEGs into this folder instead")
    parser.add_argument("--count", type=int, default=200)
    args = parser.parse_args()
    if args.bench:
        bench_photos(args.bench, args.count)
        return
    for name in PHOTOS:
        path = REPO / "static/images" / f"{name}.jpg"
        path.write_bytes(draw(name))
        print(f"{path.relative_to(REPO)}: {path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
