"""Content errors as data: every stage collects them and the build stops before writing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .wording import plural


@dataclass(frozen=True, order=True)
class BuildError:
    """One problem in the site's input, printed as ``path:line: message``."""

    path: str
    line: int
    message: str
    hint: str = ""

    def __str__(self) -> str:
        return self.shown()

    def shown(self, label: str = "") -> str:
        """``path:line: message (hint)``; ``label`` (``warning: ``) goes before the message."""
        text = f"{self.path}:{self.line}: {label}{self.message}"
        return f"{text} ({self.hint})" if self.hint else text


class ContentErrors(Exception):
    """Raised by the pipeline when any BuildError was collected; carries all of them."""

    def __init__(self, errors: list[BuildError]):
        super().__init__(plural(len(errors), "content error"))
        self.errors = sorted(set(errors))


class UsageError(Exception):
    """A wrong command line or site folder: exit status 2."""


class Failure(Exception):
    """An unexpected exception (a bug, or a fault no check foresaw) and where it happened: the file
    being processed, or the stage. The command line prints it as one line (``--debug``: the trace)."""

    def __init__(self, where: str, detail: str):
        super().__init__(where, detail)  # both in args: it crosses from a worker process by pickling
        self.where, self.detail = where, detail

    def __str__(self) -> str:
        return f"{self.where}: {self.detail}"


class Unreadable(list[BuildError]):
    """The errors of a file that could not be read (it vanished, or became a FIFO, since it was listed):
    what this moment met, not what the file's bytes say, so never remembered under their key."""


def shown_path(path: Path) -> str:
    """A path as messages show it: relative to the current folder when it is inside it."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)
