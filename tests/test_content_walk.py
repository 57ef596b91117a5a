"""The loader's one scandir walk of content/ finds the files, stats and links the walk it replaced found.

The old way is kept here as the oracle: os.walk, a stat per file, and a look for a link at the file and at
every folder above it up to content/ (loader.outside_content as it stood).
"""

from __future__ import annotations

import os
from pathlib import Path
from stat import S_ISREG

import pytest

from referater import loader


def old_outside_content(path: str, site_dir: Path) -> bool:
    root = os.path.join(site_dir, "content")
    folder, links = os.path.dirname(path), os.path.islink(path)
    while not links and len(folder) >= len(root):
        links = os.path.islink(folder)
        folder = os.path.dirname(folder)
    if not links:
        return False
    return not Path(path).resolve().is_relative_to(Path(root).resolve())


def old_content_files(site_dir: Path) -> list[tuple[str, tuple, bool]]:
    found = []
    for name in loader.walk_files(site_dir / "content"):
        if not name.endswith(".md"):
            continue
        try:
            stat = os.stat(name)
        except OSError:
            continue
        if S_ISREG(stat.st_mode):
            found.append((name, (stat.st_size, stat.st_ino), old_outside_content(name, site_dir)))
    return found


def new_content_files(site_dir: Path) -> list[tuple[str, tuple, bool]]:
    root = Path(site_dir, "content").resolve()
    return [
        (name, (stat.st_size, stat.st_ino), link and not Path(name).resolve().is_relative_to(root))
        for name, stat, link in loader._content_entries(site_dir)[0]
    ]


def tree(site: Path, outside: Path) -> None:
    (site / "content/nord/sub").mkdir(parents=True)
    (site / "content/syd").mkdir(parents=True)
    outside.mkdir()
    (outside / "2024-01-01-chefforum.md").write_text("x")
    (outside / "deep").mkdir()
    (outside / "deep/2024-01-02-chefforum.md").write_text("x")
    (site / "content/nord/2024-02-01-chefforum.md").write_text("x")
    (site / "content/nord/sub/2024-02-02-chefforum.md").write_text("x")
    (site / "content/nord/notes.txt").write_text("x")
    (site / "content/nord/folder.md").mkdir()
    (site / "content/syd/2024-03-01-chefforum.md").write_text("x")
    (site / "content/syd/inside.md").symlink_to("../nord/2024-02-01-chefforum.md")
    (site / "content/syd/outside.md").symlink_to(outside / "2024-01-01-chefforum.md")
    (site / "content/syd/dangling.md").symlink_to("missing.md")
    (site / "content/syd/linked-folder").symlink_to(outside / "deep")
    (site / "content/syd/linked-inside").symlink_to("../nord/sub")
    (site / "content/syd/fifo.md").symlink_to("/dev/null")


def test_the_walk_finds_what_the_old_walk_found(tmp_path: Path) -> None:
    site = tmp_path / "site"
    tree(site, tmp_path / "elsewhere")
    assert new_content_files(site) == old_content_files(site)
    assert [name for name, _, out in new_content_files(site) if out] == [str(site / "content/syd/outside.md")]


@pytest.mark.parametrize("target", ["inside", "outside"])
def test_content_itself_a_link_is_walked_as_before(tmp_path: Path, target: str) -> None:
    real = tmp_path / "real"
    tree(real, tmp_path / "elsewhere")
    site = tmp_path / "site"
    site.mkdir()
    if target == "inside":  # content/ is a link to a folder of the site itself
        (real / "content").rename(site / "real-content")
        (site / "content").symlink_to("real-content")
    else:
        (site / "content").symlink_to(real / "content")
    assert new_content_files(site) == old_content_files(site)
    assert new_content_files(site)
