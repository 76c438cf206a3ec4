"""Tiny sites written inline (``-- path --`` headers), built into ``tmp_path``, read with needles."""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsdigest.errors import ContentErrors
from newsdigest.pipeline import Options, Result, build

# Every test builds at one fixed moment: no test depends on the clock.
NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)


def write_site(root: Path, spec: str) -> Path:
    """Write files given as ``-- path --`` blocks (dedented) under ``root``."""
    text = textwrap.dedent(spec).strip("\n") + "\n"
    current: str | None = None
    lines: list[str] = []
    files: dict[str, str] = {}
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped.startswith("-- ") and stripped.endswith(" --"):
            if current:
                files[current] = "".join(lines)
            current, lines = stripped[3:-3].strip(), []
        else:
            lines.append(line)
    if current:
        files[current] = "".join(lines)
    for rel, body in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(body, encoding="utf-8")
    return root


@dataclass
class BuiltSite:
    root: Path
    out: Path
    result: Result

    def read(self, rel: str) -> str:
        return (self.out / rel).read_text(encoding="utf-8")

    def assert_file(self, rel: str, *needles: str) -> str:
        """Each needle must be in the file; ``! needle`` must not be."""
        assert (self.out / rel).is_file(), f"{rel} was not written; have: {sorted(self.files())[:40]}"
        text = self.read(rel)
        for needle in needles:
            if needle.startswith("! "):
                assert needle[2:] not in text, f"{rel} should not contain {needle[2:]!r}"
            else:
                assert needle in text, f"{rel} should contain {needle!r}"
        return text

    def files(self) -> set[str]:
        return {p.relative_to(self.out).as_posix() for p in self.out.rglob("*") if p.is_file()}

    @property
    def rendered(self) -> set[str]:
        return set(self.result.rendered)


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    return tmp_path / "site"


@pytest.fixture
def build_site(tmp_path: Path):
    """``build_site(spec, **options)`` writes the spec and builds it; returns a BuiltSite."""

    def run(spec: str = "", **options) -> BuiltSite:
        root = tmp_path / "site"
        if spec:
            write_site(root, spec)
        (root / "content").mkdir(parents=True, exist_ok=True)
        opts = Options(site_dir=root, now=options.pop("now", NOW), **options)
        return BuiltSite(root, opts.out, build(opts))

    return run


@pytest.fixture
def build_errors(tmp_path: Path):
    """``build_errors(spec)`` builds a site expected to fail; returns the errors as strings."""

    def run(spec: str, **options) -> list[str]:
        root = write_site(tmp_path / "site", spec)
        (root / "content").mkdir(parents=True, exist_ok=True)
        with pytest.raises(ContentErrors) as caught:
            build(Options(site_dir=root, now=options.pop("now", NOW), **options))
        return [str(e) for e in caught.value.errors]

    return run


# Debian's Chromium, as the browser tests launch it (playwright drives it; nothing is downloaded).
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
