"""Publishing is atomic: a build killed at any point leaves the previous output/ whole, and the next build
cleans up after it. Files whose bytes did not change keep their inode and mtime.

(A build stopped by a content error is covered in test_bad_input.py.)
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from conftest import FIXTURES, copy_site, tree_digest
from sitegen import OLD_NS, add_meetings, age, build_site, cli_command, cli_env, snapshot

KILL_DEADLINE_S = 60.0


def staged_files(staging: Path) -> int:
    return sum(len(files) for _root, _dirs, files in os.walk(staging))


def test_sigkill_during_a_build_leaves_the_previous_output_whole(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    build_site(site)
    out, staging = site / "output", site / "output.staging"
    published = tree_digest(out)
    published_files = len(snapshot(out))
    add_meetings(site, ["nord", "syd"], ["politisk-niveau", "chefforum"], per_cluster=400)

    with (tmp_path / "stderr.txt").open("w") as stderr:
        proc = subprocess.Popen(
            cli_command(site, "--no-search", "--jobs", "1"),
            env=cli_env(),
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            start_new_session=True,  # its own process group: workers die with it
        )
        try:
            deadline = time.monotonic() + KILL_DEADLINE_S
            # kill once the build has staged more than the old site had: new pages are being written
            while not (staging.is_dir() and staged_files(staging) > published_files + 50):
                assert proc.poll() is None, "the build ended before it could be killed; make the site larger"
                assert time.monotonic() < deadline, "no staging directory filled up in time"
                time.sleep(0.005)
            os.killpg(proc.pid, signal.SIGKILL)
            assert proc.wait(timeout=30) == -signal.SIGKILL
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=30)

    assert staging.is_dir()  # killed in the middle: the half-built staging dir is still there
    assert tree_digest(out) == published

    summary = build_site(site)
    assert not staging.exists()
    assert summary["pages"] > 800
    assert (out / "klynger/syd/2020-01-07-politisk-niveau/index.html").is_file()
    assert (out / "klynger/nord/2024-02-08-politisk-niveau/index.html").is_file()


def test_a_build_after_an_interrupted_swap_restores_and_keeps_the_output(tmp_path: Path) -> None:
    """Killed between the two renames of the fallback swap: output/ is output.old and a stale staging dir
    is left. The next build puts the published files back and keeps them (same bytes and mtimes)."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    build_site(site)
    out = site / "output"
    age(out)
    published = tree_digest(out)
    out.rename(site / "output.old")
    (site / "output.staging/klynger").mkdir(parents=True)
    (site / "output.staging/klynger/half-written.html").write_text("<p>half", "utf-8")

    summary = build_site(site)
    assert summary["written"] == 0
    assert tree_digest(out) == published
    assert not (site / "output.old").exists()
    assert not (site / "output.staging").exists()


def test_unchanged_files_keep_their_mtime_when_others_change(tmp_path: Path) -> None:
    """A new meeting changes its neighbours, indexes, feeds and data; every other file is the very same
    file as before (inode and mtime), and every changed file is a new one."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    build_site(site)
    out = site / "output"
    age(out)
    before = snapshot(out)
    new = site / "content/nord/2024-03-20-chefforum.md"
    new.write_text(
        (site / "content/nord/2024-03-04-chefforum.md")
        .read_text("utf-8")
        .replace("2024-03-04", "2024-03-20")
        .replace("hold 4", "hold 5"),
        "utf-8",
    )
    summary = build_site(site)
    after = snapshot(out)

    kept = {rel for rel in before.keys() & after.keys() if before[rel].data == after[rel].data}
    modified = {rel for rel in before.keys() & after.keys() if before[rel].data != after[rel].data}
    assert kept and modified
    assert "klynger/nord/2024-03-04-chefforum/index.html" in modified  # it links its new successor
    assert "klynger/syd/2024-05-15-politisk-niveau/index.html" in kept
    for rel in kept:
        assert (after[rel].inode, after[rel].mtime_ns) == (before[rel].inode, before[rel].mtime_ns), rel
    for rel in modified:
        assert after[rel].inode != before[rel].inode and after[rel].mtime_ns > OLD_NS, rel
    assert summary["unchanged"] == len(kept)
    assert summary["written"] == len(after) - len(kept)
