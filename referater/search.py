"""Search: a Pagefind index over the staged output (leaf).

Pagefind indexes only elements marked `data-pagefind-body` (the meeting pages), stems Danish because the
pages say `<html lang="da">`, and writes its bundle (UI, wasm, index) to `pagefind/` inside the site, so
nothing is loaded from a CDN. The filters (klynge, forum, emne, år) come from `data-pagefind-filter`
attributes in templates/meeting.html.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .errors import Finding, SiteError
from .site import Site

BUNDLE_DIR = "pagefind"
_TIMEOUT = 600  # seconds; the index of 10,000 meetings takes a few


def pagefind_command(stage: Path) -> list[str]:
    """The Pagefind binary shipped by the `pagefind[bin]` package, via its module entry point."""
    return [sys.executable, "-m", "pagefind", "--site", str(stage), "--output-subdir", BUNDLE_DIR, "--silent"]


def build_index(stage: Path, site: Site) -> None:
    if not site.meetings:
        return  # nothing to index; the search page says so through the UI's empty bundle check
    try:
        done = subprocess.run(
            pagefind_command(stage), capture_output=True, text=True, timeout=_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise SiteError([Finding("pagefind", 0, f"the search index could not be built: {exc}")]) from None
    if done.returncode != 0 or not (stage / BUNDLE_DIR / "pagefind-entry.json").is_file():
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        message = (
            f"the search index could not be built (pagefind exit {done.returncode}): {' | '.join(detail)}"
        )
        raise SiteError([Finding("pagefind", 0, message)])
