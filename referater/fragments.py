"""Rendered pieces of the feeds and calendars (one Atom entry, one VEVENT), kept in .cache/ between builds.

Every feed is rebuilt on every build, but a piece only changes with its meeting: an incremental build
renders the pieces of the meetings that changed and takes the rest from .cache/fragments.pickle.

The whole file is keyed by the engine (its source and libraries) and the full config as loaded, so a
base_url given on the command line counts as much as a changed site_config.yaml. Each piece is keyed by
its caller with everything else it shows: the meeting's digest, path and key, and whatever the site model
adds to it (its topics). The file keeps only the pieces the last build used, so it cleans itself.
A missing, foreign or damaged file costs a slower build, never a wrong one.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Hashable
from pathlib import Path

from .cache import atomic_write, engine_digest
from .config import SiteConfig

FRAGMENTS_FILE = "fragments.pickle"


def scope_key(config: SiteConfig) -> str:
    """What every piece depends on: the engine and every field of the config (its repr is deterministic)."""
    return hashlib.blake2b(f"{engine_digest()}\0{config!r}".encode(), digest_size=16).hexdigest()


class Fragments:
    """Pieces (UTF-8 bytes: they load several times faster than str) by key for one build; `path` None
    keeps them in memory only (--no-cache)."""

    def __init__(self, path: Path | None, config: SiteConfig):
        self.path = path
        self.scope = scope_key(config)
        self.old: dict[Hashable, bytes] = {}
        self.used: dict[Hashable, bytes] = {}  # also shares a piece between feeds within this build
        self.made = 0
        if path is not None:
            try:
                with path.open("rb") as handle:
                    scope, pieces = pickle.load(handle)  # noqa: S301 - our own file in the site's .cache/
                if scope == self.scope and isinstance(pieces, dict):
                    self.old = pieces
            except Exception:  # noqa: BLE001 - missing, damaged or foreign: render everything
                self.old = {}

    def get(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        piece = self.used.get(key)
        if piece is None:
            piece = self.old.get(key)
            if piece is None:
                piece = make()
                self.made += 1
            self.used[key] = piece
        return piece

    def save(self) -> None:
        """Keep exactly the pieces this build used; no write when the file already holds just those."""
        if self.path is None or (not self.made and len(self.used) == len(self.old)):
            return
        atomic_write(self.path, pickle.dumps((self.scope, self.used), protocol=pickle.HIGHEST_PROTOCOL))
