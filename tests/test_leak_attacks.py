"""Attacks on the leak guarantee that a red-team found holes with, one test each: whole builds into a
temporary site, every output file searched (Pagefind's gzip chunks decompressed)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from browser_sites import decoded
from conftest import FIXTURES, copy_site
from sitegen import cli_command, cli_env

HEAD = "---\ncluster: nord\nforum: chefforum\ndate: 2024-09-04\n{extra}---\n\n"
OPEN = (
    "## Punkt 1: Godkendelse\n\n### Beslutning\n\nGodkendt qzcontrol.\n\n"
    "## Punkt 2: Salg af bygning\n\n### Sagsfremstilling\n\nTekst qzsecretword.\n"
)
CLOSED = (
    "## Punkt 1: Godkendelse\n\n### Beslutning\n\nGodkendt qzcontrol.\n\n## Punkt 2: Salg – Lukket punkt\n"
)
MEETING = "content/nord/2024-09-04-chefforum.md"
OTHER = "content/nord/2024-09-05-chefforum.md"  # published throughout: its word proves the index works


def run_build(site: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli_command(site), env=cli_env(**env), capture_output=True, text=True, timeout=300)


def where(out: Path, word: bytes) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and word in decoded(p))


@pytest.mark.parametrize("change", ["closed", "draft"])
@pytest.mark.parametrize("stop", ["open data", "feeds"])
def test_a_build_stopped_after_the_search_stage_leaves_no_old_text_in_the_index(
    tmp_path: Path, change: str, stop: str
) -> None:
    """The search stage writes its state before the output is published. A build killed after it (or
    failing in a later stage) left a state that said the bundle holding the old version had been
    scrubbed, so the next build kept the published bundle: the closed item's text, or the draft's, stayed
    downloadable from the search index for good."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    (site / MEETING).write_text(HEAD.format(extra="") + OPEN, "utf-8")
    other = (
        HEAD.format(extra="").replace("2024-09-04", "2024-09-05") + "## Punkt 1: Orientering\n\nqzother.\n"
    )
    (site / OTHER).write_text(other, "utf-8")
    assert run_build(site).returncode == 0
    out = site / "output"
    assert any(p.startswith("pagefind/") for p in where(out, b"qzsecretword"))
    if change == "closed":
        (site / MEETING).write_text(HEAD.format(extra="") + CLOSED, "utf-8")
    else:
        (site / MEETING).write_text(HEAD.format(extra="draft: true\n") + OPEN, "utf-8")
    assert run_build(site, REFERATER_FAULT=stop).returncode < 0  # killed at that point
    done = run_build(site)
    assert done.returncode == 0, done.stderr
    assert where(out, b"qzsecretword") == []
    assert any(p.startswith("pagefind/") for p in where(out, b"qzother"))
