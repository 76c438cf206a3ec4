"""``newsdigest init DIR``: a new site's files (settings, one story in both languages, a .gitignore and
a publishing workflow), written only into an empty or new folder, never over anything."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from .errors import UsageError

# What an empty folder may already hold: ``git init mysite && newsdigest init mysite`` is fine.
HARMLESS = frozenset({".git"})
ZONE = timezone(timedelta(hours=7), "Asia/Ho_Chi_Minh")  # the sample settings' zone, as site.yaml names it

SITE_YAML = """\
# The site's settings; every key is optional (docs: the generator's docs/content-format.md).
title:
  vi: Bản tin của chúng tôi
  en: Our Digest
description:
  vi: Bản tin song ngữ Việt – Anh
  en: A bilingual Vietnamese–English digest
# The published address. The workflow in .github/workflows/ passes GitHub Pages' own with --base-url.
base_url: https://example.org/
languages: [vi, en]                   # the first is the default language
timezone: Asia/Ho_Chi_Minh
per_page: 20
sections:                             # each folder under content/, named in each language
  thoi-su: {vi: Thời sự, en: News}
publisher:                            # each detail is one text, or one per language
  name: {vi: Bản tin của chúng tôi, en: Our Digest}
  editor_in_chief: Nguyễn Văn A
  address:
    vi: Số 1 phố Mẫu, Hà Nội
    en: 1 Mau Street, Hanoi
  email: toasoan@example.org
  copyright:
    vi: © Bản tin của chúng tôi. Ghi rõ nguồn khi trích dẫn.
    en: © Our Digest. Credit the digest when quoting.
"""

STORY_VI = """\
---
title: Chào mừng đến với bản tin
date: {date}
summary: "Bài đầu tiên của trang: sửa hoặc xoá nó, rồi viết bài của bạn."
tags: [giới thiệu]
author: Ban biên tập
---
Mỗi bài là một tệp Markdown trong một thư mục chuyên mục dưới `content/`. Bản dịch có cùng đường dẫn,
chỉ khác đuôi ngôn ngữ: `chao-mung.vi.md` và `chao-mung.en.md`.

## Xuất bản

Mỗi lần đẩy lên nhánh `main`, và mỗi giờ một lần, quy trình trong `.github/workflows/publish.yml`
dựng lại trang và đăng nó.
"""

STORY_EN = """\
---
title: Welcome to the digest
date: {date}
summary: "The site's first story: edit or delete it, then write your own."
tags: [introduction]
author: The editors
---
Each story is one Markdown file in a section folder under `content/`. Its translation has the same
path but for the language suffix: `chao-mung.vi.md` and `chao-mung.en.md`.

## Publishing

On every push to `main`, and once an hour, the workflow in `.github/workflows/publish.yml` builds the
site again and publishes it.
"""

GITIGNORE = """\
# Made by every build; the publishing workflow keeps both between its runs.
output/
.newsdigest-cache/
"""

WORKFLOW = """\
# Build the digest and publish it on GitHub Pages (Settings → Pages → Source: GitHub Actions).
# It runs on every push to main, by hand, and every hour: a story dated later than a build (a
# scheduled story) appears only with the first build after its time.
name: publish

on:
  push:
    branches: [main]
  schedule:
    - cron: "7 * * * *"   # hourly; GitHub may start a scheduled run some minutes late
  workflow_dispatch:

permissions:
  contents: read
  pages: write
  id-token: write

concurrency:                # one publication at a time, never cancelled half-way
  group: pages
  cancel-in-progress: false

env:
  # The generator, as pip installs it: this version from a package index, or git+https://… of its repository.
  NEWSDIGEST: "newsdigest=={version}"

jobs:
  publish:
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{{{ steps.deploy.outputs.page_url }}}}
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.12"
      - run: python -m pip install "$NEWSDIGEST"
      - id: pages
        uses: actions/configure-pages@v5
      # The build's cache and the last output, kept between runs with their file times: a build then
      # reads and renders only what changed, and a build with nothing changed takes about a second.
      - uses: actions/cache@v4
        with:
          path: |
            .newsdigest-cache
            output
          key: newsdigest-${{{{ github.run_id }}}}
          restore-keys: newsdigest-
      - run: newsdigest build --base-url "${{{{ steps.pages.outputs.base_url }}}}/"
      - uses: actions/upload-pages-artifact@v3
        with:
          path: output
      - id: deploy
        uses: actions/deploy-pages@v4
"""


def starter_files(now: datetime, version: str) -> dict[str, str]:
    """The new site's files by path. The story is dated ``now`` (to the minute, in the settings'
    zone), so the first build publishes it."""
    date = now.astimezone(ZONE).replace(second=0, microsecond=0).isoformat()
    return {
        "site.yaml": SITE_YAML,
        "content/thoi-su/chao-mung.vi.md": STORY_VI.format(date=date),
        "content/thoi-su/chao-mung.en.md": STORY_EN.format(date=date),
        ".gitignore": GITIGNORE,
        ".github/workflows/publish.yml": WORKFLOW.format(version=version),
    }


def init_site(folder: Path, now: datetime, version: str) -> list[Path]:
    """Write a new site into ``folder`` (made if missing) and return the files written.

    Raises UsageError, writing nothing, when ``folder`` is a file or already holds anything but an
    empty repository's ``.git``; FileExistsError if a file appears while writing (never overwritten)."""
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"{folder}: is a file; init makes a new site in a new or empty folder")
    held = sorted(p.name for p in folder.iterdir() if p.name not in HARMLESS) if folder.is_dir() else []
    if (folder / "content").is_dir() or (folder / "site.yaml").exists():
        raise UsageError(
            f"{folder}: already a site (it has {'content/' if (folder / 'content').is_dir() else 'site.yaml'}); nothing written"
        )
    if held:
        shown = ", ".join(held[:3]) + (" …" if len(held) > 3 else "")
        raise UsageError(f"{folder}: not empty ({shown}); init makes a new site in a new or empty folder; nothing written")
    written = []
    for rel, text in starter_files(now, version).items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("x", encoding="utf-8", newline="\n") as file:
            file.write(text)
        written.append(path)
    return written
