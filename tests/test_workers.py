"""Where work runs (workers.py): the preview's builds leave nothing frozen that has died."""

from __future__ import annotations

import gc

from newsdigest.memo import Memo
from newsdigest.pipeline import Options, build
from tests.conftest import NOW, write_site
from tests.test_incremental import SITE

SAVES = 60


def test_preview_saves_leave_no_dead_objects_frozen(tmp_path):
    """Each build freezes what it made; the cycles the last build left (Jinja's macros, the JSON
    encoder's closures) must be collected before that, or every save keeps dozens of unreachable
    objects for the server's life (about 45 a save, before)."""
    root = write_site(tmp_path / "s", SITE)
    memo = Memo()  # as serve keeps it: one memory across saves
    options = Options(site_dir=root, now=NOW, jobs=1, drafts=True, future=True)
    gc.collect()  # what the test run left so far: the first build freezes what is alive, dead or not
    build(options, memo=memo)
    story = root / "content/thoi-su/tin-0.vi.md"
    text = story.read_text(encoding="utf-8")
    try:
        for n in range(SAVES):
            story.write_text(text.replace("Đoạn sau 0.", f"Đoạn sau, lần {n}."), encoding="utf-8")
            memo.changed = {"thoi-su/tin-0.vi.md"}
            result = build(options, memo=memo)
            assert result.parsed == ["thoi-su/tin-0.vi.md"]
    finally:
        gc.collect()  # the last build's garbage, not frozen: not what is counted
        gc.unfreeze()  # what the builds froze goes back to the collector, which counts the dead
        dead = gc.collect()
    assert dead < SAVES, f"{dead} unreachable objects were frozen over {SAVES} saves"
