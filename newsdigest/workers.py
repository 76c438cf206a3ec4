"""Where a build's work runs: in this process, in worker processes, or on an executor the caller gives.

The only place process pools are made, and where the cyclic collector is paused and the parent's
objects frozen before workers are forked (so that they inherit them without copying them).
"""

from __future__ import annotations

import gc
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from . import lock


def can_fork() -> bool:
    """Whether workers can be forked (not on Windows): they then inherit what the parent holds."""
    return "fork" in multiprocessing.get_all_start_methods()


def pool(processes: int, *, fork: bool = False, initializer: Callable[[], None] = lock.worker_init) -> ProcessPoolExecutor:
    """A new process pool. ``fork``: its workers are forked from this process, so they inherit the
    imported modules and whatever the caller set up, and start at once (spawn or forkserver would
    import everything again in each); else Python's default."""
    context = multiprocessing.get_context("fork") if fork else None
    return ProcessPoolExecutor(processes, mp_context=context, initializer=initializer)


@contextmanager
def forked(processes: int) -> Iterator[Executor | None]:
    """A pool whose workers are forked now, for the length of the block; None where fork is not
    available, and the caller runs the work in order. The parent's objects are frozen out of the
    cyclic collector's sight first, so the workers' collections never touch them and their memory
    stays shared instead of being copied page by page. (They stay frozen: the plan is acyclic, and
    reference counting frees it.)"""
    if not can_fork():
        yield None
        return
    gc.freeze()
    made = pool(processes, fork=True)
    try:
        yield made
    finally:
        made.shutdown(cancel_futures=True)


@contextmanager
def collector_paused() -> Iterator[None]:
    """Reading and modelling make hundreds of thousands of small objects that live on, and no
    cycles: the cyclic garbage collector would walk the growing heap again and again (a fifth of
    the model's and the plan's time at 5,000 stories). After, they are frozen out of its sight,
    or its first collection would walk them all at once. (Reference counting still frees them.)

    A process that has frozen before (the preview, between saves) first collects what is not frozen:
    the last build's cyclic garbage (Jinja's macros and contexts, the JSON encoder's closures) would
    otherwise be frozen with the rest and kept for good, some 75 objects per save. That collection
    walks only what the last build left unfrozen, well under a millisecond at 1,000 stories."""
    enabled = gc.isenabled()
    if gc.get_freeze_count():
        gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if enabled:
            gc.enable()


class Workers:
    """The executor a build's reading and pictures run on: the caller's (the preview server's pool,
    or a distributed one), else a pool of ``processes`` made when first asked for, else none (work
    runs in this process). ``close()`` ends only a pool made here."""

    def __init__(self, processes: int, given: Executor | None = None):
        self.processes = processes
        self.given = given
        self._own: ProcessPoolExecutor | None = None

    def executor(self) -> Executor | None:
        if self.given is not None:
            return self.given
        if self.processes <= 1:
            return None
        if self._own is None:
            self._own = pool(self.processes)
        return self._own

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._own is not None:
            own, self._own = self._own, None
            own.shutdown()
