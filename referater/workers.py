"""Forked worker pools. What a worker needs (the config, the renderer, the pages) is handed to it by the
pool's initializer when it forks, so it is inherited, never pickled, and nothing is left in a module table
of the parent; only the items and the answers travel."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

# From this many items two workers win over the cost of forking (1 % of ten thousand meetings is a hundred).
MIN_ITEMS = 64

_task: Callable[[Any], Any] | None = None  # set in each worker by its pool's initializer


def _start(task: Callable[[Any], Any]) -> None:
    global _task
    _task = task


def _run(item: Any) -> Any:
    assert _task is not None, "a worker of forked_map runs only after its initializer"
    return _task(item)


def forked_map(
    task: Callable[[Any], Any],
    items: Iterable[Any],
    jobs: int,
    *,
    chunksize: int = 1,
    ordered: bool = True,
    tasks_per_worker: int | None = None,
) -> Iterator[Any]:
    """task(item) for every item, in `jobs` forked workers; in order unless `ordered` is False. A worker
    is forked anew after `tasks_per_worker` tasks (it copies the pages of the parent it touches)."""
    context = multiprocessing.get_context("fork")
    with context.Pool(jobs, initializer=_start, initargs=(task,), maxtasksperchild=tasks_per_worker) as pool:
        mapped = pool.imap if ordered else pool.imap_unordered
        yield from mapped(_run, items, chunksize)


_CHUNKS_PER_WORKER = 2  # a fresh fork every few parts: a worker copies the pages of the parent it touches


def forked_parts(task: Callable[[Sequence[Any]], Any], items: Sequence[Any], jobs: int) -> Iterator[Any]:
    """task(part) for consecutive parts of `items`, in `jobs` forked workers, as they finish. The parts are
    small (8 to 64 items, about eight per worker) and a worker is forked anew every few of them, so that
    each copies little of the parent; the items are inherited, only a part's start is sent."""
    size = max(8, min(64, len(items) // (jobs * 8)))

    def part(start: int) -> Any:
        return task(items[start : start + size])

    starts = range(0, len(items), size)
    yield from forked_map(part, starts, jobs, ordered=False, tasks_per_worker=_CHUNKS_PER_WORKER)
