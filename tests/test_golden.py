"""The built sites are byte for byte the committed golden trees (tests/golden/): a refactoring changes
no output. After an intended output change, run `make golden` and commit the new trees on their own."""

from __future__ import annotations

from pathlib import Path

import pytest
from golden import GOLDEN, SITES, build_tree, differences, read_tree


@pytest.mark.parametrize("name", sorted(SITES))
def test_build_matches_the_golden_tree(name: str, tmp_path: Path) -> None:
    expected = read_tree(GOLDEN / name)
    assert expected, f"tests/golden/{name} is missing: run make golden"
    found = differences(expected, read_tree(build_tree(name, tmp_path)))
    assert not found, f"output differs from tests/golden/{name} (intended? run make golden):\n{found}"


def test_a_difference_is_reported_with_a_diff_and_the_added_and_removed_files() -> None:
    expected = {"a.html": b"<p>one</p>\n<p>two</p>\n", "gone.xml": b"x", "same.txt": b"s"}
    actual = {"a.html": b"<p>one</p>\n<p>2</p>\n", "new.ics": b"y", "same.txt": b"s"}
    report = differences(expected, actual)
    assert report.splitlines()[:3] == ["1 changed, 1 added, 1 removed", "added: new.ics", "removed: gone.xml"]
    assert "-<p>two</p>" in report and "+<p>2</p>" in report
    assert differences(expected, dict(expected)) == ""


def test_a_line_ending_difference_is_named() -> None:
    report = differences({"k.ics": b"A\r\nB\r\n"}, {"k.ics": b"A\nB\n"})
    assert "line endings or final newline differ" in report


def test_a_long_changed_line_is_shown_where_it_differs() -> None:
    line = b'{"a":"' + b"x" * 2000 + b"OLD" + b"y" * 2000 + b'"}\n'
    report = differences({"data.json": line}, {"data.json": line.replace(b"OLD", b"NEW")})
    assert "OLD" in report and "NEW" in report
    assert max(map(len, report.splitlines())) < 400
