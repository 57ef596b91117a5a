"""No slug, folder or symlink can make the build write outside output/ or publish a file from outside the
site: bad slugs are errors with file:line, odd content paths are reported or ignored."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from conftest import FIXTURES, copy_site, run_cli

MEETING = """---
cluster: {cluster}
forum: {forum}
date: {date}
---

## Punkt 1: Punkt {marker}

### Beslutning

Godkendt {marker}.
"""


def meeting(marker: str, cluster: str = "nord", forum: str = "chefforum", date: str = "2024-09-02") -> str:
    return MEETING.format(cluster=cluster, forum=forum, date=date, marker=marker)


def files_outside_output(root: Path) -> set[str]:
    """Every file, folder and link under root, except the site's own output/ and .cache/."""
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = Path(dirpath).relative_to(root)
        dirnames[:] = [d for d in dirnames if str(rel / d) not in ("site/output", "site/.cache")]
        found.update(str(rel / name) for name in filenames + dirnames)
    return found


def build_and_compare(root: Path, site: Path) -> tuple[int, str]:
    """Build; assert no file appeared or vanished anywhere under root but in output/ and .cache/."""
    before = files_outside_output(root)
    result = run_cli("build", "--site", site, "--no-search")
    assert "Traceback" not in result.stderr, result.stderr
    assert files_outside_output(root) == before
    return result.returncode, result.stderr


def output_text(site: Path) -> str:
    out = site / "output"
    if not out.is_dir():
        return ""
    return "\n".join(p.read_bytes().decode("utf-8", "replace") for p in out.rglob("*") if p.is_file())


BAD_SLUGS = [
    "../../etc",
    "..",
    ".",
    "a/b",
    "nord/../../x",
    "/etc",
    "/tmp/x",
    "a\\b",
    "",
    " nord",
    "Nord",
    "f\u0443n",  # Cyrillic у
    "\uff46\uff59\uff4e",  # full-width ｆｙｎ
    "fyn\u200b",  # zero-width space
    "fy\u0301n",  # combining accent
    "%2e%2e",
    "-nord",
]


@pytest.mark.parametrize("section", ["clusters", "forums", "topics"])
def test_bad_config_slugs_are_rejected_with_their_line(tmp_path: Path, section: str) -> None:
    """All bad slugs in one config: each is reported at its own line, and nothing is built."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    config = site / "site_config.yaml"
    lines = config.read_text("utf-8").split("\n")
    at = lines.index(f"{section}:") + 1
    extra = "    patterns: [snyd]" if section == "topics" else ""
    expected = []
    for slug in reversed(BAD_SLUGS):
        lines[at:at] = [f"  {json.dumps(slug)}:", "    name: Snyd", *([extra] if extra else [])]
    for index, row in enumerate(lines):
        for slug in BAD_SLUGS:
            if row == f"  {json.dumps(slug)}:":
                expected.append(
                    f"site_config.yaml:{index + 1}: fejl: det korte navn {slug!r} i {section} må kun"
                )
    assert len(expected) == len(BAD_SLUGS)
    config.write_text("\n".join(lines), "utf-8")
    code, stderr = build_and_compare(tmp_path, site)
    assert code == 1
    missing = [line for line in expected if line not in stderr]
    assert missing == [], stderr
    assert not (site / "output").exists()


NAMES = {"cluster": "klynge", "forum": "forum"}


@pytest.mark.parametrize(
    ("key", "value"),
    [("cluster", "../../etc"), ("cluster", "/etc"), ("forum", "../../../x"), ("forum", "chefforum/../../x")],
)
def test_path_tricks_in_frontmatter_are_unknown_slugs(tmp_path: Path, key: str, value: str) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site", with_content=False)
    target = site / "content/nord/2024-09-02-chefforum.md"
    target.parent.mkdir(parents=True)
    text = meeting("x", **{key: json.dumps(value)})
    target.write_text(text, "utf-8")
    code, stderr = build_and_compare(tmp_path, site)
    assert code == 1
    line = next(i + 1 for i, row in enumerate(text.split("\n")) if row.startswith(f"{key}:"))
    assert f"content/nord/2024-09-02-chefforum.md:{line}: fejl: ukendt {NAMES[key]} {value!r}" in stderr


@pytest.mark.parametrize(
    "rel",
    [
        "content/nord/sub/2024-09-02-chefforum.md",
        "content/2024-09-02-chefforum.md",
        "content/syd/2024-09-02-chefforum.md",
    ],
)
def test_files_in_the_wrong_folder_are_reported(tmp_path: Path, rel: str) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site", with_content=False)
    (site / rel).parent.mkdir(parents=True)
    (site / rel).write_text(meeting("qzfolder"), "utf-8")
    code, stderr = build_and_compare(tmp_path, site)
    assert code == 1
    assert f"{rel}:2: fejl: filen ligger ikke i sin klynges mappe: flyt den til content/nord/" in stderr


def test_symlink_to_a_file_elsewhere_in_the_site_is_reported(tmp_path: Path) -> None:
    """content/nord/x.md → ../../x.md: the file is really at the site's root, not in content/nord/."""
    site = copy_site(FIXTURES / "links", tmp_path / "site", with_content=False)
    (site / "content/nord").mkdir(parents=True)
    (site / "2024-09-02-chefforum.md").write_text(meeting("qzroot"), "utf-8")
    (site / "content/nord/2024-09-02-chefforum.md").symlink_to(Path("../../2024-09-02-chefforum.md"))
    code, stderr = build_and_compare(tmp_path, site)
    assert code == 1
    assert "content/nord/2024-09-02-chefforum.md: fejl: et link til en fil uden for content/" in stderr
    assert "qzroot" not in output_text(site)


def test_symlink_to_etc_passwd_is_not_published(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    (site / "content/nord/2024-09-02-chefforum.md").symlink_to("/etc/passwd")
    code, stderr = build_and_compare(tmp_path, site)
    assert "root:" not in stderr and "root:" not in output_text(site)
    assert code == 1 or "2024-09-02" not in output_text(site)


def test_symlink_to_a_meeting_outside_the_site_is_not_published(tmp_path: Path) -> None:
    """A committed symlink must not publish a file from the build machine, however well it is named."""
    outside = tmp_path / "elsewhere/nord"
    outside.mkdir(parents=True)
    (outside / "2024-09-02-chefforum.md").write_text(meeting("qzoutside"), "utf-8")
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    (site / "content/nord/2024-09-02-chefforum.md").symlink_to(outside / "2024-09-02-chefforum.md")
    code, stderr = build_and_compare(tmp_path, site)
    assert "qzoutside" not in output_text(site), "a file from outside the site was published"
    assert code == 1 and "content/nord/2024-09-02-chefforum.md" in stderr  # reported, not silently dropped


def test_symlinked_folder_to_outside_is_not_published(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere/syd"
    outside.mkdir(parents=True)
    (outside / "2024-09-02-chefforum.md").write_text(meeting("qzfolderlink", cluster="syd"), "utf-8")
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    (site / "content/syd").rename(site / "content/syd-real")
    (site / "content/syd").symlink_to(outside, target_is_directory=True)
    build_and_compare(tmp_path, site)
    assert "qzfolderlink" not in output_text(site)
