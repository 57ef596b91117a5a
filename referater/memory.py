"""The build's memory tricks, in one place: each says why it is there, and tests/test_memory.py proves
that each still does what it says on this interpreter and libc."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
import os
from collections.abc import Callable, Iterator

# What the build's processes may take together (PSS): the nightly build's target, on a 2-core host.
MEMORY_BUDGET_MB = 1000


def within_budget(jobs: int, each_mb: int) -> int:
    """How many helper processes of about `each_mb` to run at once beside this one: one per job while
    they fit in the budget with this process's resident memory, at least one."""
    return max(1, min(jobs, (MEMORY_BUDGET_MB - resident_mb()) // max(1, each_mb)))


def resident_mb() -> int:
    """This process's resident memory in MB (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE") // (1 << 20)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """For passes that make hundreds of thousands of objects and no cycles (unpickling the cache, building
    the model and the pages): the collector, run again and again over the growing heap, took more time
    than the work itself. Also a decorator."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def release_free_memory() -> bool:
    """Give the memory freed while loading (the content cache's bytes, parse results) back to the system
    before the render workers fork: otherwise it stays resident in the parent and the workers' first
    allocations land in it, copying the pages. glibc only: False where there is no malloc_trim."""
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return False
    trim(0)
    return True


@contextlib.contextmanager
def frozen_heap() -> Iterator[Callable[[], None]]:
    """The model and pages live until the end of the build: the collector need not walk them again and
    again, and forked workers must not touch (and so copy) them for it. The collector is off while they
    are made (they hold no cycles) and the body calls the callable it gets once they are complete: the
    heap is frozen *before* the collector is on again, because the first allocation after re-enabling
    it would walk every object made since it was paused. Thawed at the end (serve goes on)."""
    was_enabled = gc.isenabled()
    gc.disable()

    def freeze() -> None:
        release_free_memory()
        gc.freeze()
        if was_enabled:
            gc.enable()

    try:
        yield freeze
    finally:
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def pickled_apart(task: Callable[[], None]) -> None:
    """Run `task`, which pickles the model, in a forked child (where there is fork) and wait for it.
    CPython's pickler leaves a UTF-8 copy inside every non-ASCII string it writes, cached in the string
    object, so in this process every Danish title and summary would carry a second copy for the rest of
    the build; the child's copies go with it. Only for tasks whose failure costs a shortcut (a cache
    file): what goes wrong in the child is not reported."""
    try:
        pid = os.fork()
    except (AttributeError, OSError):  # no fork here, or no memory or process left for one: in this process
        task()
        return
    if pid == 0:  # pragma: no cover - the child; its coverage is not collected
        code = 1
        try:
            task()
            code = 0
        finally:
            os._exit(code)  # no atexit, no flushing of the parent's buffers a second time
    os.waitpid(pid, 0)
