"""Pagefind's index made reproducible: the same pages give the same bytes.

Pagefind writes a filter's values and a language's filters in the order of a Rust HashMap, which
is seeded afresh in every run, and names those files (and the language's metadata, and so
``pagefind-entry.json``) by a hash of their bytes. Here the filter values and the filters are
sorted, the files renamed by a hash of their new bytes, and the entry's languages sorted. Every
other file (the index chunks, the fragments, the scripts) is already the same from run to run.

The files are gzip of ``pagefind_dcd`` and CBOR; only the kinds of CBOR item Pagefind writes are
read (numbers, strings, arrays, maps). Anything else is left as Pagefind wrote it.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import struct
from pathlib import Path
from typing import Any

SIGNATURE = b"pagefind_dcd"


class Unknown(Exception):
    """A file this module does not understand: it is left as it was."""


def decode(data: bytes, at: int = 0) -> tuple[Any, int]:
    """One CBOR item from ``data[at:]`` and where the next begins."""
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n = int.from_bytes(data[at : at + size], "big")
        at += size
    else:
        raise Unknown(f"CBOR item {data[at - 1]:#x}")
    if major == 0:
        return n, at
    if major == 1:
        return -1 - n, at
    if major in (2, 3):
        raw = data[at : at + n]
        return (raw if major == 2 else raw.decode("utf-8")), at + n
    if major == 4:
        items = []
        for _ in range(n):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = {}
        for _ in range(n):
            key, at = decode(data, at)
            pairs[key], at = decode(data, at)
        return pairs, at
    raise Unknown(f"CBOR major type {major}")


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
        if n < 1 << (8 << (info - 24)):
            return bytes([major << 5 | info]) + struct.pack(fmt, n)
    raise Unknown(f"number too large: {n}")


def encode(value: Any) -> bytes:
    """CBOR in its shortest form, as Pagefind's encoder writes it."""
    if isinstance(value, bool) or value is None:
        raise Unknown(f"CBOR value {value!r}")
    if isinstance(value, int):
        return _head(0, value) if value >= 0 else _head(1, -1 - value)
    if isinstance(value, bytes):
        return _head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(3, len(raw)) + raw
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(encode(v) for v in value)
    if isinstance(value, dict):
        return _head(5, len(value)) + b"".join(encode(k) + encode(v) for k, v in value.items())
    raise Unknown(f"CBOR value {type(value).__name__}")


def read(path: Path) -> Any:
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise Unknown(f"{path.name}: not a Pagefind file")
    value, end = decode(data, len(SIGNATURE))
    if end != len(data) or encode(value) != data[len(SIGNATURE) :]:
        raise Unknown(f"{path.name}: does not read back as written")
    return value


def write(folder: Path, lang: str, digits: int, value: Any, pattern: str) -> str:
    """Write ``value`` as a Pagefind file named by a hash of its bytes; returns that name's hash."""
    data = gzip.compress(SIGNATURE + encode(value), compresslevel=6, mtime=0)
    name = f"{lang}_{hashlib.blake2b(data, digest_size=8).hexdigest()[:digits]}"
    (folder / pattern.format(name)).write_bytes(data)
    return name


def canonical(bundle: Path) -> None:
    """Rewrite the bundle's filters, metadata and entry in a fixed order; leave it as it is if its
    files are not as expected (search still works, only the bytes may differ between runs)."""
    entry_path = bundle / "pagefind-entry.json"
    try:
        entry = json.loads(entry_path.read_text(encoding="utf-8"))
        for lang, about in entry["languages"].items():
            about["hash"] = _language(bundle, lang, about["hash"])
    except (Unknown, OSError, ValueError, KeyError, TypeError, IndexError):
        return
    entry["languages"] = dict(sorted(entry["languages"].items()))
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _language(bundle: Path, lang: str, meta_hash: str) -> str:
    meta_path = bundle / f"pagefind.{meta_hash}.pf_meta"
    meta = read(meta_path)
    filters = bundle / "filter"
    for index, part in enumerate(meta):
        if not (
            isinstance(part, list)
            and part
            and all(
                isinstance(p, list) and len(p) == 2 and isinstance(p[1], str) and (filters / f"{p[1]}.pf_filter").is_file()
                for p in part
            )
        ):
            continue
        renamed = []
        for name, file_hash in part:
            old = filters / f"{file_hash}.pf_filter"
            key, values = read(old)
            new = write(filters, lang, 7, [key, sorted(values, key=lambda v: encode(v[0]))], "{}.pf_filter")
            if new != file_hash:
                old.unlink()
            renamed.append([name, new])
        meta[index] = sorted(renamed)
    new_hash = write(bundle, lang, 10, meta, "pagefind.{}.pf_meta")
    if new_hash != meta_hash:
        meta_path.unlink()
    return new_hash
