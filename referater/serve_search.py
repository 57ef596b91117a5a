"""The live preview's search index, brought up to date once the saving pauses.

A save rebuilds the pages at once and keeps the previous index (the pipeline keeps `pagefind/` in the
preview), so the page shows within the second. Once no save has come for a moment, the preview is built
again with search on: nothing renders again, and the incremental index puts the changed meetings into
its recent level (a fraction of a second at a thousand meetings), so the search page never loses its bundle.
Everything happens on the server's one thread (tick is a periodic callback), so it never meets a build.
"""

from __future__ import annotations

import time
from collections.abc import Callable

_QUIET_S = 0.8  # wait for a pause in the saving before indexing


class SearchRefresh:
    def __init__(self, refresh: Callable[[], bool]):
        self.refresh = refresh  # builds the preview with search on; True when it succeeded
        self.dirty = False
        self.since = 0.0
        self.refreshed = 0  # index updates done (for tests and the terminal)

    def wanted(self) -> None:
        """The pages changed: the index should follow."""
        self.dirty, self.since = True, time.monotonic()

    def tick(self) -> None:
        if self.dirty and time.monotonic() - self.since >= _QUIET_S:
            self.dirty = False
            if self.refresh():
                self.refreshed += 1
