"""A cached parse and the no-op shortcut trust a file only while its stamp (size, mtime, ctime, inode)
is unchanged and old enough to vouch for its bytes: an edit that keeps the size and puts the mtime back
is built, and so is one that a coarse clock would hide."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import FIXTURES, copy_site

from referater import buildstate, cache, cli, loader

MEETING = "content/nord/2024-02-08-politisk-niveau.md"
PAGE = "output/klynger/nord/2024-02-08-politisk-niveau/index.html"
OTHER = "content/syd/2024-05-15-politisk-niveau.md"


def run(site: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["build", "--site", str(site), "--no-search", "--jobs", "1"]) == 0
    return capsys.readouterr().out


def same_size_edit(path: Path, old: str, new: str, keep_mtime: bool = True) -> None:
    assert len(old.encode()) == len(new.encode())
    before = path.stat()
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")
    if keep_mtime:
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns) or not keep_mtime


@pytest.mark.parametrize("noop_path", [True, False])
def test_an_edit_that_keeps_size_and_mtime_is_built(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], noop_path: bool
) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    run(site, capsys)
    if not noop_path:  # another file changes too: the build goes past the shortcut to the content cache
        (site / OTHER).write_text((site / OTHER).read_text("utf-8") + "\n", "utf-8")
    same_size_edit(site / MEETING, "arbejdsgruppe", "styregruppe!!")
    assert "intet er ændret" not in run(site, capsys)
    assert "styregruppe!!" in (site / PAGE).read_text("utf-8")


def test_a_recent_edit_is_built_even_where_stamps_cannot_tell(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a file system whose clock ticks so coarsely that the edit keeps every stamp (here: the stamp is
    the size alone), the files changed just before the last build are compared by their bytes."""
    for module in (cache, loader, buildstate):
        monkeypatch.setattr(module, "stamp", lambda stat: (stat.st_size, 0, 0, 0))
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    (site / MEETING).write_bytes((site / MEETING).read_bytes())  # written just before the build reads it
    run(site, capsys)
    same_size_edit(site / MEETING, "arbejdsgruppe", "styregruppe!!", keep_mtime=False)
    assert "intet er ændret" not in run(site, capsys)
    assert "styregruppe!!" in (site / PAGE).read_text("utf-8")
    assert "intet er ændret" in run(site, capsys)  # and an unchanged site is still a no-op


def test_old_files_are_trusted_by_their_stamp_without_being_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    run(site, capsys)
    monkeypatch.setattr(cache, "RACY_NS", 0)  # as if the files were written long ago
    (site / OTHER).write_text((site / OTHER).read_text("utf-8") + "\n", "utf-8")
    run(site, capsys)
    reads: list[str] = []
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        reads.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    (site / OTHER).write_text((site / OTHER).read_text("utf-8") + "\n", "utf-8")
    run(site, capsys)
    assert [name for name in reads if name.endswith(".md")] == [Path(OTHER).name]
