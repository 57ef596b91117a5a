"""`python build.py new`: run as the secretariat runs it, through the real CLI in a subprocess."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent


def run_new(site: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "new", "--site", str(site), *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=60,
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "site_config.yaml", tmp_path / "site_config.yaml")
    return tmp_path


def split_file(text: str) -> tuple[dict, str]:
    match = re.match(r"^---\n(.*?)\n---\n(.*)$", text, re.DOTALL)
    assert match, text[:200]
    return yaml.safe_load(match.group(1)), match.group(2)


def test_writes_a_draft_skeleton(site: Path) -> None:
    result = run_new(site, "--cluster", "fyn", "--forum", "fagligt-strategisk-niveau", "--date", "2024-04-22")
    assert result.returncode == 0, result.stderr
    path = site / "content" / "fyn" / "2024-04-22-fagligt-strategisk-niveau.md"
    assert "content/fyn/2024-04-22-fagligt-strategisk-niveau.md" in result.stdout
    assert "draft: true" in result.stdout and "udgivet" in result.stdout
    front, body = split_file(path.read_text(encoding="utf-8"))
    assert front == {
        "cluster": "fyn",
        "forum": "fagligt-strategisk-niveau",
        "date": dt.date(2024, 4, 22),
        "time": "",
        "location": "",
        "participants": [],
        "draft": True,
    }
    items = re.findall(r"^## Punkt (\d+): (.+)$", body, re.MULTILINE)
    assert items[0] == ("1", "Velkommen og godkendelse af dagsorden")
    assert items[-1][1] == "Eventuelt"
    numbers = [int(n) for n, _ in items]
    assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers)
    first_item = body.split("## Punkt 2")[0]
    assert "### Indstilling" in first_item and "### Beslutning" in first_item
    # the format allows no text before the first item and no other level 1/2 headings
    assert body.lstrip().startswith("## Punkt 1:")
    assert not re.findall(r"^#{1,2} (?!Punkt \d+: )", body, re.MULTILINE)


def test_commented_participant_example_is_valid_yaml_once_uncommented(site: Path) -> None:
    assert run_new(site, "--cluster", "midt", "--forum", "chefforum", "--date", "2024-01-02").returncode == 0
    text = (site / "content" / "midt" / "2024-01-02-chefforum.md").read_text(encoding="utf-8")
    examples = [line.lstrip("# ").rstrip() for line in text.splitlines() if line.startswith("#   - {")]
    assert examples
    filled = text.replace("participants: []", "participants:\n" + "\n".join(f"  {e}" for e in examples))
    front, _ = split_file(filled)
    assert front["participants"][0]["name"] == "Fornavn Efternavn"


def test_refuses_to_overwrite(site: Path) -> None:
    args = ("--cluster", "fyn", "--forum", "chefforum", "--date", "2024-03-05")
    assert run_new(site, *args).returncode == 0
    path = site / "content" / "fyn" / "2024-03-05-chefforum.md"
    path.write_text("my work", encoding="utf-8")
    result = run_new(site, *args)
    assert result.returncode == 1
    assert "content/fyn/2024-03-05-chefforum.md" in result.stderr
    assert "Traceback" not in result.stderr
    assert path.read_text(encoding="utf-8") == "my work"


def test_unknown_cluster_lists_the_known_ones(site: Path) -> None:
    result = run_new(site, "--cluster", "gotland", "--forum", "chefforum", "--date", "2024-03-05")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "'gotland'" in result.stderr
    for slug in ("fyn", "sydvestjylland", "midt", "soenderjylland", "nykoebing-falster", "limfjorden"):
        assert slug in result.stderr
    assert not (site / "content").exists()


@pytest.mark.parametrize(
    ("cluster", "forum", "path"),
    [
        ("Fyn", "chefforum", "content/fyn/2024-03-05-chefforum.md"),
        ("Sundhedsklynge Fyn", "Chefforum", "content/fyn/2024-03-05-chefforum.md"),
        ("Nykøbing Falster", "FSN", "content/nykoebing-falster/2024-03-05-fagligt-strategisk-niveau.md"),
        ("nykoebing falster", "Politisk niveau", "content/nykoebing-falster/2024-03-05-politisk-niveau.md"),
        ("SØNDERJYLLAND", "chefforum", "content/soenderjylland/2024-03-05-chefforum.md"),
    ],
)
def test_names_and_aliases_are_accepted_like_slugs(site: Path, cluster: str, forum: str, path: str) -> None:
    result = run_new(site, "--cluster", cluster, "--forum", forum, "--date", "2024-03-05")
    assert result.returncode == 0, result.stderr
    assert f"Skrev {path}" in result.stdout
    front, _ = split_file((site / path).read_text(encoding="utf-8"))
    assert f"content/{front['cluster']}/2024-03-05-{front['forum']}.md" == path


def test_typos_are_refused_with_a_danish_suggestion(site: Path) -> None:
    result = run_new(site, "--cluster", "sydvestjyland", "--forum", "chefforumm", "--date", "2024-03-05")
    assert result.returncode == 1
    assert "fejl: ukendt klynge 'sydvestjyland' – mente du 'sydvestjylland'?" in result.stderr
    assert "fejl: ukendt forum 'chefforumm' – mente du 'chefforum'?" in result.stderr
    assert "koordineringsforum" in result.stderr  # the known ones are listed
    assert not (site / "content").exists()


def test_a_folder_that_cannot_be_written_is_a_danish_error(site: Path) -> None:
    (site / "content").mkdir()
    (site / "content").chmod(0o500)
    try:
        if os.access(site / "content", os.W_OK):
            pytest.skip("running as a user who may write anywhere")
        result = run_new(site, "--cluster", "fyn", "--forum", "chefforum", "--date", "2024-03-05")
    finally:
        (site / "content").chmod(0o700)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "fejl: kunne ikke skrive content/fyn/2024-03-05-chefforum.md" in result.stderr


def test_a_file_in_the_way_of_the_folder_is_a_danish_error(site: Path) -> None:
    (site / "content").mkdir()
    (site / "content" / "fyn").write_text("ikke en mappe", encoding="utf-8")
    result = run_new(site, "--cluster", "fyn", "--forum", "chefforum", "--date", "2024-03-05")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr and "findes allerede" not in result.stderr
    assert "fejl: kunne ikke skrive content/fyn/2024-03-05-chefforum.md" in result.stderr


@pytest.mark.parametrize("bad", ["2024-02-30", "20240305", "05-03-2024", "2024-3-5", "../../etc", "i morgen"])
def test_bad_dates_are_refused(site: Path, bad: str) -> None:
    result = run_new(site, "--cluster", "fyn", "--forum", "chefforum", "--date", bad)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "dato" in result.stderr
    assert not (site / "content").exists()


def test_path_tricks_in_cluster_are_refused(site: Path) -> None:
    result = run_new(site, "--cluster", "../../x", "--forum", "chefforum", "--date", "2024-03-05")
    assert result.returncode == 1
    assert not (site / "content").exists()
    assert not any(site.parent.glob("x/*.md"))


def test_missing_config_is_a_clear_error(tmp_path: Path) -> None:
    result = run_new(tmp_path, "--cluster", "fyn", "--forum", "chefforum", "--date", "2024-03-05")
    assert result.returncode == 1
    assert "site_config.yaml" in result.stderr
    assert "Traceback" not in result.stderr
