"""Where `serve` bends livereload's internals (written against livereload 2.7). Each bend is here, and
tests/test_livereload_patch.py checks on the installed livereload that each still takes:

- the watcher polls every POLL_MS instead of livereload's 800 ms (a save shows within a second);
- a save within 3 s of the last reload still reloads (LiveReloadHandler.DEFAULT_RELOAD_TIME);
- livereload's English log lines stay out of the terminal (Server._setup_logging).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

POLL_MS = 150


def fast_watcher(poll_ms: int = POLL_MS) -> Any:
    """A livereload Watcher that the handler's start_tasks starts on our own poll interval: a watcher
    whose start() returns True is polled by its own callback instead of livereload's 800 ms one."""
    from livereload.watcher import Watcher
    from tornado import ioloop

    class FastWatcher(Watcher):
        def start(self, callback: Callable[[], None]) -> bool:
            ioloop.PeriodicCallback(callback, poll_ms).start()
            return True

    return FastWatcher()


def quiet_server(app: Callable[..., Any], watcher: Any) -> Any:
    """livereload's Server over `app` with `watcher`, without its log lines; every save reloads."""
    from livereload import Server
    from livereload.handlers import LiveReloadHandler

    class QuietServer(Server):
        def _setup_logging(self) -> None:
            logging.getLogger("livereload").setLevel(logging.WARNING)

    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0  # livereload ignores saves within 3 s of the last reload
    return QuietServer(app=app, watcher=watcher)
