"""What metadata a published picture keeps: its original bytes, rewritten without location.

The pixels are not re-encoded: a JPEG's segments, a PNG's chunks and a WebP's RIFF chunks are
copied one by one, and those that can say where or with what a photo was taken are left out. Kept:
the colour profile, what decoding needs, and a new minimal EXIF block holding only Orientation,
Artist and Copyright. Everything else (GPS, XMP, IPTC, camera serials, dates, maker notes,
thumbnails, comments, data after the end of the picture) goes. ValueError on a structure this does
not follow; the caller then re-encodes with Pillow.
"""

from __future__ import annotations

import io

from PIL import Image

ORIENTATION = 0x0112
ARTIST = 0x013B
COPYRIGHT = 0x8298
GPS_IFD = 0x8825
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# PNG chunks that carry pixels, colour or layout; any other ancillary chunk is dropped.
PNG_KEPT = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"cHRM", b"gAMA", b"iCCP", b"sBIT", b"sRGB", b"cICP",
            b"mDCv", b"cLLi", b"bKGD", b"hIST", b"pHYs", b"sPLT", b"acTL", b"fcTL", b"fdAT"}
PNG_TEXT = {b"tEXt", b"zTXt", b"iTXt"}
PNG_KEPT_TEXT = {b"Author", b"Copyright"}
WEBP_KEPT = {b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ANIM", b"ANMF", b"ICCP"}


def credit_exif(exif: Image.Exif, orientation: int | None) -> bytes:
    """An EXIF block (``Exif\\0\\0``…) with only the credit tags of ``exif`` and ``orientation``
    (left out when 1 or None); empty when there is nothing to say."""
    kept = Image.Exif()
    for tag in (ARTIST, COPYRIGHT):
        value = exif.get(tag)
        if isinstance(value, str) and value.strip():
            kept[tag] = value
    if orientation and orientation != 1:
        kept[ORIENTATION] = orientation
    return kept.tobytes() if len(kept) else b""


def strip_metadata(data: bytes, fmt: str) -> bytes:
    """``data`` without location and camera metadata, its picture bytes untouched."""
    if fmt == "JPEG":
        return _jpeg(data)
    if fmt == "PNG":
        return _png(data)
    if fmt == "WEBP":
        return _webp(data)
    raise ValueError(f"no metadata rules for {fmt}")


def _jpeg(data: bytes) -> bytes:
    if data[:2] != b"\xff\xd8":
        raise ValueError("no JPEG start marker")
    with Image.open(io.BytesIO(data)) as im:
        exif = im.getexif()
    block = credit_exif(exif, exif.get(ORIENTATION))
    new_app1 = b"\xff\xe1" + (len(block) + 2).to_bytes(2, "big") + block if block else b""
    out = [b"\xff\xd8"]
    pos, end = 2, len(data)
    inserted = False
    while pos + 1 < end:
        if data[pos] != 0xFF:
            raise ValueError(f"no marker at byte {pos}")
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if not inserted and marker != 0xE0:  # the new EXIF block goes after JFIF's APP0, as EXIF wants
            out.append(new_app1)
            inserted = True
        if marker == 0xD9:
            out.append(b"\xff\xd9")
            return b"".join(out)  # whatever follows the end (a second picture, a trailer) is dropped
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            out.append(data[pos:pos + 2])
            pos += 2
            continue
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if length < 2 or pos + 2 + length > end:
            raise ValueError(f"segment at byte {pos} runs past the end")
        segment = data[pos:pos + 2 + length]
        pos += 2 + length
        if _keep_segment(marker, segment[4:]):
            out.append(segment)
        if marker == 0xDA:  # start of scan: entropy-coded data runs to the next real marker
            scan_end = _scan_end(data, pos)
            out.append(data[pos:scan_end])
            pos = scan_end
    raise ValueError("no JPEG end marker")


def _keep_segment(marker: int, payload: bytes) -> bool:
    if marker == 0xE1 or marker == 0xFE or marker == 0xED:  # EXIF or XMP; comment; IPTC (may name places)
        return False
    if marker == 0xE2:
        return payload.startswith(b"ICC_PROFILE\0")  # not MPF, whose pictures follow the end marker
    if marker == 0xEE:
        return payload.startswith(b"Adobe")  # says how the colours are transformed: decoding needs it
    return not 0xE0 < marker <= 0xEF  # other application segments: no picture needs them


def _scan_end(data: bytes, pos: int) -> int:
    """Where a scan's entropy-coded data ends: the first 0xFF not followed by a stuffed 0x00, a
    restart marker or a fill byte."""
    while True:
        found = data.find(b"\xff", pos)
        if found < 0 or found + 1 >= len(data):
            raise ValueError("scan runs past the end")
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            pos = found + 1
            continue
        return found


def _png(data: bytes) -> bytes:
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("no PNG signature")
    out = [PNG_SIGNATURE]
    pos = len(PNG_SIGNATURE)
    while pos + 12 <= len(data):
        length = int.from_bytes(data[pos:pos + 4], "big")
        kind = data[pos + 4:pos + 8]
        chunk_end = pos + 12 + length
        if chunk_end > len(data):
            raise ValueError(f"chunk {kind!r} runs past the end")
        keyword = data[pos + 8:pos + 8 + min(length, 80)].split(b"\0", 1)[0]
        if kind in PNG_KEPT or (kind in PNG_TEXT and keyword in PNG_KEPT_TEXT):
            out.append(data[pos:chunk_end])
        if kind == b"IEND":
            return b"".join(out)
        pos = chunk_end
    raise ValueError("no IEND chunk")


def _webp(data: bytes) -> bytes:
    if data[:4] != b"RIFF" or data[8:12] != b"WEBP":
        raise ValueError("no RIFF WEBP header")
    end = min(len(data), 8 + int.from_bytes(data[4:8], "little"))
    chunks: list[bytes] = []
    pos = 12
    while pos + 8 <= end:
        kind = data[pos:pos + 4]
        size = int.from_bytes(data[pos + 4:pos + 8], "little")
        chunk_end = pos + 8 + size + (size & 1)
        if pos + 8 + size > end:
            raise ValueError(f"chunk {kind!r} runs past the end")
        chunk = data[pos:min(chunk_end, end)]
        if kind == b"VP8X" and size >= 10:
            chunk = chunk[:8] + bytes([chunk[8] & ~0x0C]) + chunk[9:]  # no EXIF (0x08), no XMP (0x04)
        if kind in WEBP_KEPT:
            chunks.append(chunk + (b"\0" if len(chunk) & 1 else b""))
        pos = chunk_end
    if not chunks:
        raise ValueError("no WebP picture chunk")
    body = b"WEBP" + b"".join(chunks)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


def has_location(data: bytes) -> bool:
    """Whether Pillow reads any GPS tag in the picture's EXIF (a last check before publishing)."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            return bool(im.getexif().get_ifd(GPS_IFD))
    except Exception:  # noqa: BLE001 - an unreadable block holds no tag Pillow would read
        return False
