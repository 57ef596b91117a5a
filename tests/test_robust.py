"""Input that cannot hang or break the build: YAML alias bombs, clock times YAML would read as numbers,
impossible dates, broken site templates. Each ends as one Danish file:line message and exit 1, never a
traceback, and the published output/ stays as it was."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, build, copy_site, tree_digest

from referater.config import load_config
from referater.content import parse_meeting

MEETING = "content/nord/2024-09-02-chefforum.md"
HEAD = "---\ncluster: nord\nforum: chefforum\ndate: 2024-09-02\n"
BODY = "---\n\n## Punkt 1: Godkendelse af dagsorden\n\n### Beslutning\n\nGodkendt.\n"
BOUND_S = 60  # a hang shows as a timeout; a working build of these sites takes a second or two


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), *map(str, args)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=BOUND_S,
    )


def built_site(tmp_path: Path) -> tuple[Path, str]:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    build(site)
    return site, tree_digest(site / "output")


def bomb(levels: int = 9) -> str:
    """The classic 'billion laughs': nine levels of nine aliases, 9**9 strings once expanded."""
    lines = ['lol0: &lol0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        lines.append(f"lol{level}: &lol{level} [{', '.join([f'*lol{level - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


def refused(result: subprocess.CompletedProcess[str], where: str) -> None:
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert f"{where}: fejl: YAML-ankre og -aliaser (&navn, *navn) er ikke tilladt" in result.stderr


@pytest.mark.parametrize("command", ["check", "build"])
def test_an_alias_bomb_in_the_frontmatter_is_refused_at_once(tmp_path: Path, command: str) -> None:
    site, published = built_site(tmp_path)
    (site / MEETING).write_text(HEAD + bomb() + BODY, "utf-8")
    result = cli(command, "--site", site, *(["--no-search"] if command == "build" else []))
    refused(result, f"{MEETING}:6")  # the first line that uses an alias (*lol0)
    assert tree_digest(site / "output") == published


def test_an_alias_bomb_in_the_config_is_refused_at_once(tmp_path: Path) -> None:
    site, published = built_site(tmp_path)
    config = site / "site_config.yaml"
    own = config.read_text("utf-8")
    config.write_text(own + bomb(), "utf-8")
    first_alias = f"site_config.yaml:{len(own.splitlines()) + 2}"
    refused(cli("build", "--site", site, "--no-search"), first_alias)
    refused(cli("check", "--site", site), first_alias)
    assert tree_digest(site / "output") == published


@pytest.mark.parametrize(
    "yaml_text",
    [
        "a: &x 1\nb: *x\n",
        "a: &x {k: v}\nb:\n  <<: *x\n",
        "a: &x [1]\nb: [*x, *x]\n",
        "a: &x\n  - *x\n",  # a list that contains itself
    ],
)
def test_every_alias_is_refused_with_its_line(yaml_text: str) -> None:
    config = load_config(FIXTURES / "links")
    meeting, findings = parse_meeting((HEAD + yaml_text + BODY).encode(), MEETING, config)
    assert meeting is None
    assert [f.message for f in findings] == [
        "YAML-ankre og -aliaser (&navn, *navn) er ikke tilladt i metadatablokken; skriv værdien ud"
    ]
    assert 5 <= findings[0].line <= 7


def test_text_with_asterisks_and_ampersands_is_no_alias() -> None:
    config = load_config(FIXTURES / "links")
    head = HEAD + 'title: "Møde & *vigtigt*"\nlocation: R&D *hus*\n'
    meeting, findings = parse_meeting((head + BODY).encode(), MEETING, config)
    assert meeting is not None, findings
    assert (meeting.title, meeting.location) == ("Møde & *vigtigt*", "R&D *hus*")


CLOCK_TIMES = {
    "1330": "13:30",
    "9:00": "09:00",  # YAML 1.1 reads it as 540 (minutes)
    "09:00": "09:00",
    "0930": "09:30",
    "0730": "07:30",  # YAML 1.1 reads it as octal 472
    "930": "09:30",
    "13.30": "13:30",  # a float: 13.3
    "9.05": "09:05",
    "23:59": "23:59",
    "0000": "00:00",
    '"13:30"': "13:30",
    "'9.00'": "09:00",
    "kl. 13.30": "13:30",
}


@pytest.mark.parametrize(("written", "expected"), sorted(CLOCK_TIMES.items()))
def test_a_clock_time_reads_as_the_time_it_looks_like(written: str, expected: str) -> None:
    config = load_config(FIXTURES / "links")
    text = HEAD + f"time: {written}\nend_time: {written}\n" + BODY
    meeting, findings = parse_meeting(text.encode(), MEETING, config)
    assert meeting is not None, findings
    assert (meeting.time, meeting.end_time) == (expected, expected)


@pytest.mark.parametrize(
    "written",
    ["2400", "13:60", "1360", "25.00", "9.5", "13", "133000", "yes", "1e3", "0x1F", "[13, 30]", "-930"],
)
@pytest.mark.parametrize("key", ["time", "end_time"])
def test_anything_but_a_clock_time_is_an_error_on_its_line(written: str, key: str) -> None:
    config = load_config(FIXTURES / "links")
    text = HEAD + f"{key}: {written}\n" + BODY
    meeting, findings = parse_meeting(text.encode(), MEETING, config)
    assert meeting is None
    assert [(f.line, f.level) for f in findings] == [(5, "error")]
    assert findings[0].message.startswith(f"'{key}' skal være et klokkeslæt som \"09:00\"")


def test_unquoted_times_reach_the_published_data_as_clock_times(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    (site / MEETING).write_text(HEAD + "time: 1330\nend_time: 15.30\n" + BODY, "utf-8")
    out = build(site)
    data = json.loads((out / "klynger/nord/2024-09-02-chefforum/meeting.json").read_text("utf-8"))
    assert (data["time"], data["end_time"]) == ("13:30", "15:30")
    assert "kl. 13:30–15:30" in (out / "klynger/nord/2024-09-02-chefforum/index.html").read_text("utf-8")


@pytest.mark.parametrize("written", ["2024-13-45", "2024-02-30", "2024-00-10", "22-04-2024", "2024-4-31"])
def test_an_impossible_date_is_a_danish_error_on_its_line(written: str) -> None:
    config = load_config(FIXTURES / "links")
    text = HEAD.replace("date: 2024-09-02", f"date: {written}") + BODY
    meeting, findings = parse_meeting(text.encode(), MEETING, config)
    assert meeting is None
    assert [(f.line, f.message) for f in findings] == [
        (4, f"umulig dato '{written}'; skriv den som ÅÅÅÅ-MM-DD, fx 2024-04-22")
    ]


TEMPLATE_ERRORS = {
    # kind: (template, line to replace, new line, message start)
    "syntax": (
        "meeting.html",
        3,
        "{% set m = meeting %}{% if %}",
        "skabelonen kan ikke læses: Expected an expression",
    ),
    "unknown-filter": (
        "meeting.html",
        3,
        "{% set m = meeting|sorteret %}",
        "skabelonen kan ikke læses: No filter named 'sorteret'",
    ),
    "undefined": (
        "meeting.html",
        5,
        "<p>{{ m.mødeleder.navn }}</p>",
        "skabelonen bruger en værdi, der ikke findes: ",
    ),
    "missing-include": (
        "meeting.html",
        5,
        '{% include "sidefod.html" %}',
        "skabelonen 'sidefod.html' findes ikke",
    ),
    "division": ("home.html", 4, "<h1>{{ 1 // 0 }}</h1>", "skabelonen fejlede: ZeroDivisionError"),
    "in-base": ("base.html", 4, "{{ site.titel }}", "skabelonen bruger en værdi, der ikke findes: "),
}


@pytest.mark.parametrize("kind", sorted(TEMPLATE_ERRORS))
def test_a_broken_site_template_is_an_error_on_its_line(tmp_path: Path, kind: str) -> None:
    template, line, text, message = TEMPLATE_ERRORS[kind]
    site, published = built_site(tmp_path)
    lines = (ROOT / "templates" / template).read_text("utf-8").splitlines()
    assert len(lines) > line
    lines[line - 1] = text
    (site / "templates").mkdir()
    (site / "templates" / template).write_text("\n".join(lines) + "\n", "utf-8")
    for jobs in ("1", "2"):  # rendered here, or in a worker process
        result = cli("build", "--site", site, "--no-search", "--jobs", jobs)
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        assert f"templates/{template}:{line}: fejl: {message}" in result.stderr
        assert tree_digest(site / "output") == published
