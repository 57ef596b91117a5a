"""Search: a Pagefind index over the staged output (leaf)."""

from __future__ import annotations

from pathlib import Path

from .site import Site


def build_index(stage: Path, site: Site) -> None:
    return None
