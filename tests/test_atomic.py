"""Publishing is atomic: a build killed at any point leaves the previous output/ whole, and the next build
cleans up after it. Files whose bytes did not change keep their inode and mtime.

(A build stopped by a content error is covered in test_bad_input.py.)
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

from conftest import FIXTURES, copy_site, tree_digest
from sitegen import OLD_NS, add_meetings, age, build_site, cli_command, cli_env, differing, snapshot

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


def _differs_from_a_clean_build(site: Path, tmp_path: Path) -> list[str]:
    """Files in which output/ differs from the same input built from nothing."""
    clean = copy_site(site, tmp_path / "clean")
    build_site(clean, "--no-cache")
    return differing(site / "output", clean / "output")


def test_the_recycled_previous_tree_keeps_the_site_it_held_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """The tree that was live is kept as output.previous and updated in place by the next build. Writing
    the next site into it must not alter the live files it shares inodes with, and nothing of the older
    tree (a deleted meeting's page) may come back."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    out, previous = site / "output", site / "output.previous"
    build_site(site)
    first = tree_digest(out)
    gone = site / "content/syd/2024-05-15-politisk-niveau.md"
    gone.unlink()
    build_site(site)
    assert tree_digest(previous) == first  # the previous site, whole
    assert not (out / "klynger/syd/2024-05-15-politisk-niveau/index.html").exists()
    second = tree_digest(out)

    decision = site / "content/nord/2024-03-04-chefforum.md"
    decision.write_text(decision.read_text("utf-8").replace("hold 4", "hold 6"), "utf-8")
    build_site(site)  # staged in the recycled first tree, which still holds the deleted meeting
    assert tree_digest(previous) == second  # the live files were not written through shared inodes
    assert not (out / "klynger/syd/2024-05-15-politisk-niveau/index.html").exists()
    assert not any("2024-05-15-politisk-niveau" in p.as_posix() for p in out.rglob("*"))
    assert _differs_from_a_clean_build(site, tmp_path) == []


def test_a_recycled_tree_with_junk_in_every_shape_still_builds_the_exact_site(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    build_site(site)
    build_site(site, "--no-cache")
    previous = site / "output.previous"
    assert previous.is_dir()
    page_dir = previous / "klynger/nord/2024-02-08-politisk-niveau"
    shutil.rmtree(page_dir)
    page_dir.write_text("a file where a folder was", "utf-8")  # a folder where a file must go
    index = previous / "index.html"
    index.unlink()
    index.mkdir()  # a folder where a file must go
    (index / "stale.html").write_text("<p>stale", "utf-8")
    (previous / "old-page/index.html").parent.mkdir()
    (previous / "old-page/index.html").write_text("<p>gone", "utf-8")
    (previous / "link-out").symlink_to(tmp_path)
    (previous / "feeds/all.atom").write_text("tampered", "utf-8")  # same path, other bytes

    build_site(site, "--no-cache")
    out = site / "output"
    assert not (out / "old-page").exists() and not (out / "link-out").exists()
    assert _differs_from_a_clean_build(site, tmp_path) == []


def test_kept_files_are_the_published_ones_whatever_the_recycled_tree_holds_there(tmp_path: Path) -> None:
    """An incremental build keeps most files by linking the published ones into the recycled tree. At a
    kept file's path that tree may hold other bytes, a folder, a link out of the site or nothing: the
    output has the published file itself (same inode and mtime) and nothing of the recycled tree."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    build_site(site)
    decision = site / "content/nord/2024-03-04-chefforum.md"
    decision.write_text(decision.read_text("utf-8").replace("hold 4", "hold 6"), "utf-8")
    build_site(site)  # now output.previous exists
    out, previous = site / "output", site / "output.previous"
    age(out)
    before = snapshot(out)
    page, data = (
        "klynger/nord/2024-03-04-chefforum/index.html",
        "klynger/nord/2024-04-30-politisk-niveau/meeting.json",
    )
    (previous / page).unlink()
    (previous / page).write_text("<p>other bytes", "utf-8")
    (previous / data).unlink()
    (previous / data).mkdir()  # a folder where a kept file goes
    (previous / data / "stale.html").write_text("<p>stale", "utf-8")
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(previous / "fora/chefforum", elsewhere)
    shutil.rmtree(previous / "emner")
    (previous / "emner").symlink_to(elsewhere)  # a link where a kept folder goes
    (previous / "404.html").unlink()
    (previous / "klynger/stale").mkdir()
    (previous / "klynger/stale/index.html").write_text("<p>gone", "utf-8")
    (site / "content/syd/2024-05-15-politisk-niveau.md").unlink()

    summary = build_site(site)
    after = snapshot(out)
    assert 0 < summary["rendered"] < summary["pages"]  # pages were kept, not made again
    assert summary["removed"] >= 2 and not (out / "klynger/syd/2024-05-15-politisk-niveau").exists()
    kept = {rel for rel in before.keys() & after.keys() if before[rel].data == after[rel].data}
    assert {page, data, "404.html", "emner/dnlp/index.html"} <= kept
    for rel in kept:
        assert (after[rel].inode, after[rel].mtime_ns) == (before[rel].inode, before[rel].mtime_ns), rel
    assert not (out / "klynger/stale").exists() and not (out / "emner").is_symlink()
    assert [p.name for p in elsewhere.iterdir()] == ["index.html"]
    assert (elsewhere / "index.html").read_bytes() == before["fora/chefforum/index.html"].data
    assert _differs_from_a_clean_build(site, tmp_path) == []
