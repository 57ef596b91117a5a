"""Atom feeds and iCalendar files (leaf): filled in by the feeds work."""

from __future__ import annotations

from .site import Site


def feed_files(site: Site) -> list[tuple[str, bytes]]:
    return []
