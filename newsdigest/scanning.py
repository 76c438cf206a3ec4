"""What a build reads before any story is parsed: settings, templates, UI strings, static files,
every content/ file listed, and a content key per story file (asked of the memory)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from . import sitefiles
from .config import Config, load_config
from .errors import BuildError, UsageError, shown_path
from .folders import check_site_dir
from .keys import code_version, digest, files_digest
from .memory import Memory
from .options import Options, build_moment
from .sitefiles import Fence
from .templates import Layouts, layout_dirs, layout_files, layouts_of, load_strings
from .urls import base_url_problem


@dataclass
class Scan:
    """The site's inputs, read and hashed, before any story is parsed."""

    config: Config
    layouts: Layouts
    strings: dict[str, dict[str, str]]
    errors: list[BuildError]
    keys: dict[str, str]  # content/ path -> the key of its bytes, path, config and code
    now: datetime
    files: str  # a digest of the templates, and of the static and page-bundle files' names
    fence: Fence = field(default_factory=lambda: Fence(()))  # where the site's files may be (sitefiles.py)
    static: tuple[tuple[str, str], ...] = ()  # output path -> source, theme's and site's static files
    others: tuple[str, ...] = ()  # content/ files that are not stories (page bundles' pictures)


def scan(options: Options, memory: Memory | None = None) -> Scan:
    """Settings, UI strings, every site file listed, and a content key per story file (a digest of
    what ``load`` reads). Only the site's own files are read (see sitefiles.py)."""
    check_site_dir(options)
    memory = memory or Memory()
    site_dir = options.site_dir
    if options.base_url is not None and base_url_problem(options.base_url):
        raise UsageError(f"--base-url {base_url_problem(options.base_url)}")
    dirs = layout_dirs(site_dir)
    fence = Fence.of(site_dir, options.out, *map(Path, dirs))
    config, errors = _read_config(site_dir, fence)
    if options.base_url:
        config = replace(config, base_url=options.base_url if options.base_url.endswith("/") else options.base_url + "/")
    listed, layout_errors = layout_files(dirs)
    layouts = layouts_of(site_dir, listed)
    strings, string_errors = load_strings(layouts.dirs, config.languages)
    static, static_errors = _static_files(site_dir, listed, fence)
    content_dir = site_dir / "content"
    config_key = digest(code_version(), config.load_key())
    files = memory.listing(content_dir, fence)
    keys, read_errors = memory.file_keys(content_dir, files, config_key, fence)
    errors += layout_errors + string_errors + static_errors + files.errors + read_errors
    return Scan(
        config,
        layouts,
        strings,
        errors,
        keys,
        options.now or build_moment(),
        files_digest(layouts.version, static, files.others, content_dir),
        fence,
        tuple(static.items()),
        tuple(files.others),
    )


def _read_config(site_dir: Path, fence: Fence) -> tuple[Config, list[BuildError]]:
    """``site.yaml``, unless it is no site file (a FIFO, a link out of the site): then an error."""
    shown = shown_path(site_dir / "site.yaml")
    problem = sitefiles.check(site_dir / "site.yaml", fence)
    if problem:
        return Config(), [BuildError(shown, 1, problem)]
    return load_config(site_dir, shown)


def _static_files(site_dir: Path, listed: dict[str, list[str]], fence: Fence) -> tuple[dict[str, str], list[BuildError]]:
    """Output path -> source of every static file: the theme's (``layouts/static/``, the project's
    under the site's), then the site's own ``static/`` over them — the one deliberate overriding
    in the output (see docs/trust-files.md)."""
    static: dict[str, str] = {}
    for directory in reversed(tuple(listed)):
        for rel in listed[directory]:
            if rel.startswith("static/"):
                static[rel[len("static/") :]] = os.path.join(directory, rel)
    folder = site_dir / "static"
    files, errors = sitefiles.walk(folder, shown_path(folder), fence)
    for rel in files:
        static[rel] = os.path.join(folder, rel)
    return dict(sorted(static.items())), errors
