"""The live preview's search index, made again in the background after a save.

Pagefind takes seconds at a thousand meetings, far more than the second a saved page may take to show,
so a save rebuilds the pages at once and keeps the previous bundle (pipeline keeps it in the preview),
and this runs Pagefind over the preview beside the server: into .cache/preview-search, swapped into
the preview's pagefind/ only when it finished whole. A save while it runs stops it; it runs again once the saving pauses.
Everything happens on the server's one thread (tick is a periodic callback), so a swap never meets a build.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from . import urls
from .search import BUNDLE_DIR

_QUIET_S = 0.8  # wait for a pause in the saving before indexing


def _lower_priority() -> None:
    os.nice(10)  # the index may wait; a saved page may not


class SearchRefresh:
    def __init__(self, cache_dir: Path, out: Path):
        self.out = out
        self.work = cache_dir / "preview-search"
        self.process: subprocess.Popen[bytes] | None = None
        self.dirty = False
        self.since = 0.0
        self.refreshed = 0  # bundles swapped in (for tests and the terminal)

    def wanted(self) -> None:
        """The pages changed: the index should follow."""
        self.dirty, self.since = True, time.monotonic()

    def pause(self) -> None:
        """A save is being built: stop an index run, so that it does not take the cores the page needs
        (it starts again once the saving pauses)."""
        if self.process is not None and self.process.poll() is None:
            self.stop()
            self.process = None
            self.dirty = True

    def tick(self) -> None:
        if self.process is not None:
            if self.process.poll() is None:
                return
            ok = self.process.returncode == 0 and (self.work / "pagefind-entry.json").is_file()
            self.process = None
            if ok:
                self._install()
            elif not self.dirty:
                print("Søgeindekset i forhåndsvisningen kunne ikke laves; det gamle bruges.", file=sys.stderr)
        if self.dirty and time.monotonic() - self.since >= _QUIET_S and (self.out / urls.INDEX).is_file():
            self._start()

    def _start(self) -> None:
        self.dirty = False
        shutil.rmtree(self.work, ignore_errors=True)
        command = [sys.executable, "-m", "pagefind", "--site", str(self.out), "--output-path", str(self.work)]
        try:
            self.process = subprocess.Popen(
                [*command, "--silent"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                preexec_fn=_lower_priority,  # noqa: PLW1509 - the server has one thread
            )
        except OSError:
            self.process = None

    def _install(self) -> None:
        live = self.out / BUNDLE_DIR
        old = self.out / (BUNDLE_DIR + ".old")
        shutil.rmtree(old, ignore_errors=True)
        try:
            if live.exists():
                os.replace(live, old)
            os.replace(self.work, live)
        except OSError:
            if old.exists() and not live.exists():
                os.replace(old, live)
            return
        shutil.rmtree(old, ignore_errors=True)
        self.refreshed += 1

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
