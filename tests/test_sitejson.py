"""/data/meetings.json in a rebuild: the unchanged meetings are copied from the published file, and the
result is byte for byte what a clean build writes, whatever changed; a published file that is not the
one the last build wrote (changed by hand, gone, a damaged record) is not copied from."""

from __future__ import annotations

import errno
import json
import os
from datetime import date
from pathlib import Path

import pytest
from sitegen import big_site, build_site, copy_inputs, meeting_text, read_config, write_config

from referater import pipeline

DATA = "output/data/meetings.json"
RECORD = ".cache/opendata.json"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The links fixture and six generated meetings in each of its two bodies, built once."""
    site = big_site(tmp_path / "site", 6, with_seed=False)
    build_site(site)
    return site


def reused(site: Path) -> int:
    """The bytes the last build copied from the published meetings.json (its record says)."""
    return json.loads((site / RECORD).read_text("utf-8"))["reused"]


def assert_as_clean_build(site: Path, target: Path) -> bytes:
    clean = copy_inputs(site, target)
    build_site(clean, "--no-cache")
    data = (site / DATA).read_bytes()
    assert data == (clean / DATA).read_bytes()
    json.loads(data)
    return data


def meeting_ids(site: Path) -> list[str]:
    return [m["id"] for m in json.loads((site / DATA).read_bytes())["meetings"]]


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), "utf-8")


def test_rebuilds_copy_the_unchanged_meetings_and_equal_a_clean_build(site: Path, tmp_path: Path) -> None:
    ids = meeting_ids(site)
    assert reused(site) == 0  # the first build had nothing to copy from
    size = (site / DATA).stat().st_size

    # One meeting in the middle changed: the others come from the published file.
    middle = site / "content" / f"{ids[len(ids) // 2]}.md"
    edit(middle, "### Beslutning\n", "### Beslutning\n\nÆndret i en genopbygning.\n\n")
    build_site(site)
    data = assert_as_clean_build(site, tmp_path / "one")
    assert "Ændret i en genopbygning".encode() in data
    assert 0 < reused(site) < size

    # The newest meeting changed and the oldest deleted: the ends of the list move.
    edit(site / "content" / f"{ids[0]}.md", "### Beslutning\n", "### Beslutning\n\nNyeste ændret.\n\n")
    (site / "content" / f"{ids[-1]}.md").unlink()
    build_site(site)
    assert_as_clean_build(site, tmp_path / "ends")
    assert meeting_ids(site) == ids[:-1]
    assert reused(site) > 0

    # A meeting added between others (and the bodies' meeting counts in the frame change).
    day = date(2020, 1, 13)  # between the generated ones of 6 and 20 January
    (site / "content/nord" / f"{day.isoformat()}-chefforum.md").write_text(
        meeting_text("nord", "chefforum", day, 99, None), "utf-8"
    )
    build_site(site)
    assert_as_clean_build(site, tmp_path / "added")
    assert "nord/2020-01-13-chefforum" in meeting_ids(site)
    assert reused(site) > 0

    # The site's facts in the frame changed (and with the config every page).
    config = read_config(site)
    config["title"] = config["title"] + " og omegn"
    write_config(site, config)
    build_site(site)
    assert_as_clean_build(site, tmp_path / "config")


def test_a_rebuild_that_changes_no_meeting_keeps_the_published_file(site: Path) -> None:
    before = (site / DATA).stat()
    path = next((site / "content").rglob("*.md"))
    path.write_bytes(path.read_bytes())  # touched: the build runs, no meeting changes
    build_site(site)
    after = (site / DATA).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
    assert reused(site) == after.st_size


def change_one_meeting(site: Path, tag: str) -> None:
    path = sorted((site / "content/nord").glob("2020-*.md"))[2]  # a generated meeting
    edit(path, "### Beslutning\n", f"### Beslutning\n\n{tag}\n\n")


def test_a_published_file_changed_by_hand_is_not_copied_from(site: Path, tmp_path: Path) -> None:
    published = site / DATA
    data = published.read_bytes()
    i = data.index(b'"title":"', len(data) // 2)  # in a meeting of the middle, same size
    published.write_bytes(data[:i] + b'"title":"X' + data[i + 10 :])
    change_one_meeting(site, "Efter en håndrettelse.")
    build_site(site)
    assert b'"title":"X' not in published.read_bytes()[i : i + 10]
    assert_as_clean_build(site, tmp_path / "clean")
    assert reused(site) == 0


def test_a_frame_changed_by_hand_behind_the_same_size_and_mtime_is_seen(site: Path, tmp_path: Path) -> None:
    published = site / DATA
    stat, data = published.stat(), bytearray(published.read_bytes())
    data[data.index(b"Testklynger")] = ord("X")
    published.write_bytes(bytes(data))
    os.utime(published, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    change_one_meeting(site, "Efter en rettelse i rammen.")
    build_site(site)
    assert_as_clean_build(site, tmp_path / "clean")
    assert reused(site) == 0


def test_a_missing_published_file_or_record_costs_the_copy(site: Path, tmp_path: Path) -> None:
    (site / DATA).unlink()
    change_one_meeting(site, "Uden udgivet fil.")
    build_site(site)
    assert_as_clean_build(site, tmp_path / "gone")
    assert reused(site) == 0

    (site / RECORD).write_text("{not json", "utf-8")
    change_one_meeting(site, "Med en beskadiget optegnelse.")
    build_site(site)
    assert_as_clean_build(site, tmp_path / "record")
    assert reused(site) == 0


def test_without_copy_file_range_the_bytes_are_copied_by_reading(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> int:
        raise OSError(errno.EXDEV, "another file system")

    monkeypatch.setattr(os, "copy_file_range", refuse)
    change_one_meeting(site, "Uden copy_file_range.")
    pipeline.build(site, search=False)
    assert_as_clean_build(site, tmp_path / "clean")
    assert reused(site) > 0


def test_a_record_whose_ranges_leave_the_meetings_is_not_followed(site: Path, tmp_path: Path) -> None:
    record = json.loads((site / RECORD).read_text("utf-8"))
    record["pieces"][1][2] = 1  # the second meeting said to begin inside the site's facts
    (site / RECORD).write_text(json.dumps(record), "utf-8")
    change_one_meeting(site, "Efter en forkert optegnelse.")
    build_site(site)
    assert_as_clean_build(site, tmp_path / "clean")
    assert reused(site) == 0
