"""The commands' sentences: a count with its noun ("1 story", "2 stories"), and what a build left out."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the error types count with plural() too: no import of the pipeline at run time
    from .options import LeftOut

IRREGULAR = {"story": "stories", "entry": "entries"}


def plural(count: int, noun: str) -> str:
    """``1 story``, ``2 stories``, ``0 pages``, ``3 scheduled stories``: the last word of ``noun``
    (an English noun the commands count) made plural unless the count is one."""
    if count == 1:
        return f"{count} {noun}"
    head, _, last = noun.rpartition(" ")
    return f"{count} {head + ' ' if head else ''}{IRREGULAR.get(last, last + 's')}"


def left_out_line(left: LeftOut) -> str:
    """One line naming the drafts and scheduled stories a build kept out and how to let them in;
    "" when there were none. A scheduled story appears with the first build after its time (see
    docs/front-door.md), so the line says when the first one is due, in the site's zone."""
    parts = []
    if left.drafts:
        parts.append(f"{plural(left.drafts, 'draft')} (--drafts to include)")
    if left.scheduled and left.first_due is not None:
        which = "it appears" if left.scheduled == 1 else "the first appears"
        due = left.first_due.strftime("%Y-%m-%d %H:%M" + (":%S" if left.first_due.second else ""))
        parts.append(
            f"{plural(left.scheduled, 'scheduled story')} (--future to include; {which} with the first build after {due})"
        )
    return f"Left out {' and '.join(parts)}" if parts else ""
