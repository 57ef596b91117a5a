"""The build's memory tricks (referater/memory.py) and its worker pools (referater/workers.py) still do
what they say on this interpreter and libc."""

from __future__ import annotations

import gc
import os
import pickle
import platform
import sys
import threading
from pathlib import Path

import pytest

from referater import memory
from referater.workers import forked_map


def test_paused_gc_stops_the_collector_and_restores_it() -> None:
    assert gc.isenabled()
    with memory.paused_gc():
        assert not gc.isenabled()
        with memory.paused_gc():  # nested: the inner one leaves it off
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_paused_gc_as_a_decorator_keeps_a_disabled_collector_disabled() -> None:
    @memory.paused_gc()
    def inside() -> bool:
        return gc.isenabled()

    assert inside() is False
    gc.disable()
    try:
        inside()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_frozen_heap_moves_every_object_out_of_the_collectors_reach_and_back() -> None:
    gc.collect()
    assert gc.get_freeze_count() == 0
    kept = [{"n": i} for i in range(1000)]
    with memory.frozen_heap() as freeze:
        assert not gc.isenabled()  # while the model is made
        made = [{"n": i} for i in range(1000)]
        freeze()
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(kept) + len(made)
        # Frozen before the collector came back: nothing made so far waits in a generation to be walked.
        assert gc.get_count()[0] < 100
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()


def test_frozen_heap_thaws_and_restores_the_collector_when_the_model_fails() -> None:
    with pytest.raises(ValueError), memory.frozen_heap():
        raise ValueError("a site error before the heap was complete")
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="malloc_trim is glibc's")
def test_free_memory_is_given_back_through_glibc_malloc_trim() -> None:
    assert memory.release_free_memory() is True


def test_release_free_memory_is_a_no_op_without_malloc_trim(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_libc(_name: str) -> object:
        raise OSError("no libc here")

    monkeypatch.setattr(memory.ctypes, "CDLL", no_libc)
    assert memory.release_free_memory() is False


def test_workers_get_their_task_by_fork_not_by_pickle() -> None:
    lock = threading.Lock()  # cannot be pickled: the task reaches the workers only by being inherited
    parent = os.getpid()

    def task(n: int) -> tuple[int, bool]:
        with lock:
            return n * n, os.getpid() != parent

    answers = list(forked_map(task, range(40), 2, chunksize=4))
    assert [square for square, _ in answers] == [n * n for n in range(40)]
    assert all(in_worker for _, in_worker in answers)


def test_workers_unordered_and_renewed_give_every_answer() -> None:
    answers = forked_map(lambda n: (n, os.getpid()), range(30), 2, ordered=False, tasks_per_worker=2)
    got = list(answers)
    assert sorted(n for n, _ in got) == list(range(30))
    assert len({pid for _, pid in got}) > 2  # workers forked anew after two tasks each


def _danish(word: str) -> str:
    return "".join([f"{word} lægedækning "] * 4)  # made at run time: no constant shared with other tests


def test_pickle_still_leaves_a_utf8_copy_in_the_strings_it_writes() -> None:
    text = _danish("forebyggelse")
    before = sys.getsizeof(text)
    pickle.dumps(text)
    assert sys.getsizeof(text) > before  # the reason pickled_apart is there


def test_pickled_apart_runs_the_task_and_leaves_this_process_s_strings_as_they_were(tmp_path: Path) -> None:
    text = _danish("sundhedsråd")
    before = sys.getsizeof(text)
    target = tmp_path / "kept.pickle"
    memory.pickled_apart(lambda: target.write_bytes(pickle.dumps(text)))
    assert pickle.loads(target.read_bytes()) == text
    assert sys.getsizeof(text) == before


def test_pickled_apart_survives_a_task_that_fails(tmp_path: Path) -> None:
    def fails() -> None:
        raise OSError("disk full")

    memory.pickled_apart(fails)  # a lost cache file, nothing more
    memory.pickled_apart(lambda: (tmp_path / "after").write_text("ok"))
    assert (tmp_path / "after").read_text() == "ok"


def test_within_budget_runs_one_helper_per_job_while_they_fit_and_always_one() -> None:
    here = memory.resident_mb()
    room = memory.MEMORY_BUDGET_MB - here
    assert 0 < here < memory.MEMORY_BUDGET_MB  # the test process itself is well within it
    assert memory.within_budget(2, room // 5) == 2  # room for five: one per job
    assert memory.within_budget(8, room * 2 // 5) == 2  # room for two and a half: two of eight jobs
    assert memory.within_budget(2, room + 50) == 1  # none would fit: the work is still done, by one


def test_pickled_apart_does_the_task_here_when_there_is_no_fork(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_fork() -> int:
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(memory.os, "fork", no_fork)
    memory.pickled_apart(lambda: (tmp_path / "saved").write_text(str(os.getpid())))
    assert (tmp_path / "saved").read_text() == str(os.getpid())
