"""Where work runs (workers.py): the preview's builds leave nothing frozen that has died."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import write_site
from tests.test_incremental import SITE

SAVES = 60
REPO = Path(__file__).resolve().parent.parent

# Run in a process of its own: what earlier tests froze and let die would be counted too.
SAVING = """
import gc, sys
from pathlib import Path
from newsdigest.memory import Memory
from newsdigest.pipeline import Options, build
from tests.conftest import NOW
root, saves = Path(sys.argv[1]), int(sys.argv[2])
memo = Memory.lasting()  # as serve keeps it: one memory across saves
options = Options(site_dir=root, now=NOW, jobs=1, drafts=True, future=True)
gc.collect()  # what importing left: the first build freezes what is alive, dead or not
build(options, memory=memo)
story = root / "content/thoi-su/tin-0.vi.md"
text = story.read_text(encoding="utf-8")
for n in range(saves):
    story.write_text(text.replace("Đoạn sau 0.", f"Đoạn sau, lần {n}."), encoding="utf-8")
    memo.changed = {"thoi-su/tin-0.vi.md"}
    assert build(options, memory=memo).parsed == ["thoi-su/tin-0.vi.md"]
gc.collect()  # the last build's garbage, not frozen: not what is counted
gc.unfreeze()  # what the builds froze goes back to the collector, which counts the dead
print(gc.collect())
"""


def test_preview_saves_leave_no_dead_objects_frozen(tmp_path):
    """Each build freezes what it made; the cycles the last build left (Jinja's macros, the JSON
    encoder's closures) must be collected before that, or every save keeps dozens of unreachable
    objects for the server's life (about 80 a save on this site, before)."""
    root = write_site(tmp_path / "s", SITE)
    ran = subprocess.run(
        [sys.executable, "-c", SAVING, str(root), str(SAVES)], cwd=REPO, capture_output=True, text=True, check=True
    )
    dead = int(ran.stdout.split()[-1])
    assert dead < SAVES, f"{dead} unreachable objects were frozen over {SAVES} saves"
