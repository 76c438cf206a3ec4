#!/usr/bin/env python3
"""Run a command and write its peak resident memory (KiB) to a file: a stand-in for
``/usr/bin/time -f %M -o FILE`` where GNU time is missing.

    python bench/maxrss.py OUTFILE COMMAND [ARG ...]

The number is ``getrusage(RUSAGE_CHILDREN).ru_maxrss`` of this wrapper, whose only child is the
command: the peak of the largest single process among the command and the children it waited for
(a process pool's workers included), the same figure GNU time reports. Exits with the command's
status. Writes nothing when the platform has no ``resource`` module.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def peak_kib() -> int | None:
    """Peak RSS of this process's finished children, in KiB (None where it cannot be read)."""
    try:
        import resource
    except ImportError:  # Windows
        return None
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak // 1024 if sys.platform == "darwin" else peak  # macOS counts bytes, Linux KiB


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print("usage: maxrss.py OUTFILE COMMAND [ARG ...]", file=sys.stderr)
        return 2
    out, command = Path(argv[0]), argv[1:]
    status = subprocess.call(command)
    peak = peak_kib()
    out.write_text("" if peak is None else f"{peak}\n", encoding="utf-8")
    return status if status >= 0 else 128 - status  # killed by a signal: the shell's convention


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
