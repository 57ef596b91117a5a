"""The build's memory tricks, in one place: each says why it is there, and tests/test_memory.py proves
that each still does what it says on this interpreter and libc."""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import gc
from collections.abc import Iterator


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
def frozen_heap() -> Iterator[None]:
    """The model and pages live until the end of the build: the collector need not walk them again and
    again, and forked workers must not touch (and so copy) them for it. Thawed at the end (serve goes on)."""
    release_free_memory()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
