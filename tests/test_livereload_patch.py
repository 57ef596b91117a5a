"""Each bend of livereload's internals in referater/livereload_patch.py still takes on the installed
livereload: the handler polls through our watcher, a quick second save reloads, and the log stays quiet."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from livereload.handlers import LiveReloadHandler
from tornado import ioloop

from referater.livereload_patch import fast_watcher, quiet_server


@pytest.fixture
def handler() -> Iterator[type[LiveReloadHandler]]:
    """LiveReloadHandler's class-level state, restored afterwards."""
    saved = {
        name: getattr(LiveReloadHandler, name)
        for name in ("watcher", "waiters", "_last_reload_time", "DEFAULT_RELOAD_TIME")
    }
    yield LiveReloadHandler
    for name, value in saved.items():
        setattr(LiveReloadHandler, name, value)


def test_the_handler_polls_through_our_watcher(handler: type[LiveReloadHandler], tmp_path: Path) -> None:
    loop = ioloop.IOLoop(make_current=False)
    watcher = fast_watcher(poll_ms=1)
    polled: list[object] = []

    def examine() -> tuple[None, None]:
        polled.append(loop)
        loop.stop()
        return None, None

    watcher.watch(str(tmp_path))
    watcher.examine = examine
    started = []
    original_start = watcher.start
    watcher.start = lambda callback: started.append(callback) or original_start(callback)
    handler.watcher, handler._last_reload_time = watcher, None

    async def begin() -> None:
        handler.start_tasks()

    loop.add_callback(begin)
    loop.start()
    loop.close()
    assert started == [handler.poll_tasks]  # start_tasks hands its poll to our watcher's start()
    assert polled  # and our periodic callback drives it


def test_a_save_right_after_a_reload_reloads(
    handler: type[LiveReloadHandler], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reloads: list[str] = []
    monkeypatch.setattr(handler, "reload_waiters", classmethod(lambda cls, path=None: reloads.append("r")))
    watcher = fast_watcher()
    handler.watcher, handler.waiters = watcher, {object()}

    def save_just_after_a_reload() -> None:
        handler._last_reload_time = time.time()
        watcher._changes.append((str(tmp_path / "x.md"), None))
        handler.poll_tasks()

    handler.DEFAULT_RELOAD_TIME = 3  # livereload as it comes: the save is ignored
    save_just_after_a_reload()
    assert reloads == []
    quiet_server(lambda environ, start: [], watcher)
    save_just_after_a_reload()
    assert reloads == ["r"]


def test_livereload_logs_nothing_below_a_warning() -> None:
    from livereload import Server

    assert "_setup_logging" in Server.serve.__code__.co_names  # serve() still sets its logging up there
    server = quiet_server(lambda environ, start: [], fast_watcher())
    logging.getLogger("livereload").setLevel(logging.INFO)
    server._setup_logging()
    assert logging.getLogger("livereload").level == logging.WARNING
