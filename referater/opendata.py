"""Open data: /data/meetings.json and a meeting.json beside each meeting page (leaf)."""

from __future__ import annotations

from .site import Site


def data_files(site: Site) -> list[tuple[str, bytes]]:
    return []
