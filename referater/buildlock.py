"""One build of a site at a time (build_lock), and the fault points the kill tests stop a build at."""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from .errors import Finding, SiteError

# For the fault tests only: REFERATER_FAULT=name[:n] kills the build (SIGKILL) the n-th time it passes
# fault_point(name); REFERATER_PAUSE=name:folder makes it write folder/reached there and wait for folder/go.
_FAULT = os.environ.get("REFERATER_FAULT", "").partition(":")
_PAUSE = os.environ.get("REFERATER_PAUSE", "").partition(":")
_PASSED: dict[str, int] = {}
_PAUSE_BOUND_S = 120.0


def fault_point(name: str) -> None:
    if _FAULT[0] == name:
        _PASSED[name] = _PASSED.get(name, 0) + 1
        if _PASSED[name] == int(_FAULT[2] or 1):
            os.kill(os.getpid(), signal.SIGKILL)
    if _PAUSE[0] == name:
        folder = Path(_PAUSE[2])
        (folder / "reached").touch()
        deadline = time.monotonic() + _PAUSE_BOUND_S
        while not (folder / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.01)


LOCK_WAIT_S = 15 * 60.0  # longer than a cold national build


@contextlib.contextmanager
def build_lock(path: Path, out: Path, wait_s: float, waiting: Callable[[str], None]) -> Iterator[None]:
    """One build of a site at a time (its .cache/, its output folder and staging tree): a second one
    waits for the first, up to wait_s, then stops with a message. The lock is the kernel's, so a build
    that is killed holds it no longer; a POSIX record lock (lockf), not flock, because forked workers do
    not inherit it and cannot keep it after their parent was killed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait_s
        told = False
        while True:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
                handle.seek(0)
                holder = handle.read().strip() or "?"
                if time.monotonic() >= deadline:
                    message = (
                        f"et andet byg til {out.name}/ (proces {holder}) er stadig i gang efter "
                        f"{wait_s / 60:.0f} minutter; vent på det, eller stop det, og byg så igen"
                    )
                    raise SiteError([Finding(f"{path.parent.name}/{path.name}", 0, message)]) from None
                if not told:
                    waiting(f"venter på et andet byg til {out.name}/ (proces {holder}) …")
                    told = True
                time.sleep(0.05)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        fault_point("locked")
        yield
