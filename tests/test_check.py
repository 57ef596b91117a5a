"""`build.py check` through the real CLI: one `file:line: level: message` line per problem, the right line,
the right level, the right exit code, and the pre-commit hook that runs it."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT, copy_site, run_cli, tree_digest

FINDING = re.compile(r"^(?P<path>[^:\n]+):(?P<line>\d+): (?P<level>fejl|advarsel): (?P<message>.+)$")
SUMMARY = re.compile(r"^check: (\d+) fejl, (\d+) (?:advarsel|advarsler)$")
LEVELS = {"fejl": "error", "advarsel": "warning"}

FEB = """---
cluster: nord
forum: politisk-niveau
date: 2024-02-08
---

## Punkt 1: Lægedækning

### Beslutning

Godkendt.
"""
APR = FEB.replace("2024-02-08", "2024-04-30")
NEW = "content/nord/2024-09-02-chefforum.md"
HEAD = """---
cluster: nord
forum: chefforum
date: 2024-09-02
---

"""


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the n-th line containing `needle` in the text the test wrote."""
    hits = [i + 1 for i, line in enumerate(text.split("\n")) if needle in line]
    assert len(hits) >= occurrence, f"{needle!r} not in the test's own text"
    return hits[occurrence - 1]


def clean_site(root: Path) -> Path:
    """The fixture's config with two valid meetings: `check` has nothing to say about it."""
    site = copy_site(FIXTURES / "links", root, with_content=False)
    (site / "content/nord").mkdir(parents=True)
    (site / "content/nord/2024-02-08-politisk-niveau.md").write_text(FEB, "utf-8")
    (site / "content/nord/2024-04-30-politisk-niveau.md").write_text(APR, "utf-8")
    return site


def write(site: Path, rel: str, text: str) -> str:
    target = site / rel
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, "utf-8")
    return text


def check(site: Path, *args: str | Path) -> tuple[int, list[tuple[str, int, str, str]]]:
    """Run `check`; every line it prints must be a finding or the summary. Returns (exit code, findings)."""
    result = run_cli("check", "--site", site, *args)
    assert "Traceback" not in result.stderr, result.stderr
    lines = (result.stdout + result.stderr).splitlines()
    summaries = [line for line in lines if SUMMARY.match(line)]
    assert len(summaries) == 1, lines
    findings = []
    for line in lines:
        if line in summaries:
            continue
        match = FINDING.match(line)
        assert match, f"not 'file:line: level: message': {line!r}"
        findings.append((match["path"], int(match["line"]), LEVELS[match["level"]], match["message"]))
    errors, warnings = map(int, SUMMARY.match(summaries[0]).groups())  # type: ignore[union-attr]
    assert errors == sum(1 for f in findings if f[2] == "error")
    assert warnings == sum(1 for f in findings if f[2] == "warning")
    return result.returncode, findings


def only(findings: list[tuple[str, int, str, str]], needle: str) -> list[tuple[str, int, str]]:
    return [(path, line, level) for path, line, level, message in findings if needle in message]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return clean_site(tmp_path / "site")


def test_clean_site_passes(site: Path) -> None:
    assert check(site) == (0, [])


def test_real_content_has_no_errors(tmp_path: Path) -> None:
    site = copy_site(ROOT, tmp_path / "real")
    code, findings = check(site)
    assert code == 0, findings
    assert all(level == "warning" for _, _, level, _ in findings)


def test_closed_items_with_text_are_errors_in_check_and_build_alike(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "links")
    expected = []
    for rel in ("content/nord/2024-04-30-politisk-niveau.md", "content/syd/2024-05-15-politisk-niveau.md"):
        path = site / rel
        text = path.read_text("utf-8")
        heading = next(line for line in text.splitlines() if line.startswith("## Punkt 2: Lukket punkt"))
        text = text.replace(heading, heading + "\n\nCANARY-CLOSED-1 må aldrig udgives.", 1)
        path.write_text(text, "utf-8")
        expected.append((rel, line_of(text, "CANARY-CLOSED-1"), "error"))
    code, findings = check(site)
    assert code == 1
    assert only(findings, "er et lukket punkt, men har tekst") == expected

    built = run_cli("build", "--site", site, "--no-search")
    assert built.returncode == 1
    failed = [line for line in built.stderr.splitlines() if "er et lukket punkt, men har tekst" in line]
    assert [line.split(": ")[0:2] for line in failed] == [[f"{p}:{n}", "fejl"] for p, n, _ in expected]
    assert not (site / "output").exists()


SCHEMA_CASES = {
    "unknown-key": (HEAD.replace("date:", "locaton: Rådhuset\ndate:"), "locaton:", "ukendt nøgle 'locaton'"),
    "missing-forum": (HEAD.replace("forum: chefforum\n", ""), "cluster:", "nøglen 'forum' mangler"),
    "participants-not-a-list": (
        HEAD.replace("date:", "participants: Anna\ndate:"),
        "participants:",
        "'participants' skal være en liste",
    ),
    "participant-without-name": (
        HEAD.replace("date:", "participants:\n  - {org: A}\ndate:"),
        "{org: A}",
        "hver person i 'participants' skal have et 'name'",
    ),
    "draft-not-boolean": (HEAD.replace("date:", "draft: måske\ndate:"), "draft:", "'draft' skal være true"),
    "bad-time": (HEAD.replace("date:", 'time: "25:00"\ndate:'), "time:", "'time' skal være et klokkeslæt"),
    "impossible-date": (HEAD.replace("2024-09-02", "2024-02-30"), "date:", "umulig dato '2024-02-30'"),
    "month-13": (HEAD.replace("2024-09-02", "2024-13-01"), "date:", "umulig dato '2024-13-01'"),
    "unknown-cluster": (
        HEAD.replace("cluster: nord", "cluster: nordd"),
        "cluster:",
        "ukendt klynge 'nordd'",
    ),
    "unknown-forum": (HEAD.replace("forum: chefforum", "forum: chef"), "forum:", "ukendt forum 'chef'"),
    "unknown-frontmatter-topic": (
        HEAD.replace("date:", "topics: [laegedaekning, tandpleje]\ndate:"),
        "topics:",
        "ukendt emne 'tandpleje'",
    ),
}


@pytest.mark.parametrize("case", sorted(SCHEMA_CASES))
def test_schema_errors_name_the_line(site: Path, case: str) -> None:
    head, needle, message = SCHEMA_CASES[case]
    rel = NEW  # a file whose frontmatter is invalid is not also checked against its name
    text = write(site, rel, head + "## Punkt 1: Godkendelse\n\n### Beslutning\n\nGodkendt.\n")
    code, findings = check(site)
    assert code == 1
    assert (rel, line_of(text, needle), "error") in only(findings, message), findings


def test_unknown_topic_in_item_emner_is_an_error_with_its_line(site: Path) -> None:
    text = write(
        site, NEW, HEAD + "## Punkt 1: Godkendelse\n\nEmner: tandpleje\n\n### Beslutning\n\nGodkendt.\n"
    )
    code, findings = check(site)
    assert code == 1
    assert only(findings, "tandpleje") == [(NEW, line_of(text, "Emner:"), "error")], findings


def test_unknown_topic_in_item_emner_fails_the_build_cleanly(site: Path) -> None:
    text = write(
        site, NEW, HEAD + "## Punkt 1: Godkendelse\n\nEmner: tandpleje\n\n### Beslutning\n\nGodkendt.\n"
    )
    result = run_cli("build", "--site", site, "--no-search")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1
    assert f"{NEW}:{line_of(text, 'Emner:')}: fejl: " in result.stderr and "tandpleje" in result.stderr


def test_duplicate_meeting_is_an_error_on_the_second_files_date(site: Path) -> None:
    text = write(site, "content/nord/2024-04-30-politisk-niveau-kopi.md", APR)
    code, findings = check(site)
    assert code == 1
    # files are read in sorted order, so the plain name is the duplicate of the "-kopi" one
    assert only(findings, "samme møde som content/nord/2024-04-30-politisk-niveau-kopi.md") == [
        ("content/nord/2024-04-30-politisk-niveau.md", line_of(text, "date:"), "error")
    ]


def test_item_order_warning_and_number_used_twice_error(site: Path) -> None:
    body = "## Punkt 2: A\n\n### Beslutning\n\nx\n\n## Punkt 1: B\n\n### Beslutning\n\ny\n"
    text = write(site, NEW, HEAD + body)
    code, findings = check(site)
    assert code == 0
    assert findings == [(NEW, line_of(text, "## Punkt 1"), "warning", findings[0][3])]
    assert "punkterne står i forkert rækkefølge: punkt 1 efter punkt 2" in findings[0][3]

    text = write(site, NEW, HEAD + body + "\n## Punkt 2: C\n\n### Beslutning\n\nz\n")
    code, findings = check(site)
    assert code == 1
    assert only(findings, "punkt 2 findes to gange") == [(NEW, line_of(text, "## Punkt 2", 2), "error")]


def test_references_to_missing_meetings_within_the_archive(site: Path) -> None:
    write(site, "content/nord/2024-06-01-politisk-niveau.md", APR.replace("2024-04-30", "2024-06-01") + "")
    draft = (site / "content/nord/2024-06-01-politisk-niveau.md").read_text("utf-8")
    write(
        site,
        "content/nord/2024-06-01-politisk-niveau.md",
        draft.replace("---\n\n", "draft: true\n---\n\n", 1),
    )
    text = write(
        site,
        NEW,
        HEAD
        + "## Punkt 1: Opfølgning\n\n### Sagsfremstilling\n\n"
        + "Som besluttet på mødet den 8. februar 2024 (findes).\n"
        + "Drøftet på mødet den 3. marts 2024 (findes ikke).\n"
        + "Omtalt på mødet den 5. januar 2024 (før arkivet begynder).\n"
        + "Vi ses den 3. marts 2024 i Nordby (ingen påstand om et møde).\n"
        + "Og på mødet den 1. juni 2024, som kun er en kladde.\n\n"
        + "### Beslutning\n\nTaget til efterretning.\n",
    )
    code, findings = check(site)
    assert code == 0
    assert [(f[1], f[2], f[3]) for f in findings] == [
        (
            line_of(text, "findes ikke"),
            "warning",
            "henviser til et møde den 2024-03-03, men Sundhedsklynge Nord har intet udgivet referat den dag; "
            "ret datoen, eller læg referatet fra det møde ind",
        ),
        (
            line_of(text, "kun er en kladde"),
            "warning",
            "henviser til et møde den 2024-06-01, men Sundhedsklynge Nord har intet udgivet referat den dag; "
            "ret datoen, eller læg referatet fra det møde ind",
        ),
    ]


def test_internal_links_to_missing_pages(site: Path) -> None:
    text = write(
        site,
        NEW,
        HEAD
        + "## Punkt 1: Links\n\n### Sagsfremstilling\n\n"
        + "Se [februar](/klynger/nord/2024-02-08-politisk-niveau/) og [emnet](/emner/laegedaekning/).\n"
        + "Men [denne](/klynger/nord/2024-03-03-politisk-niveau/) findes ikke.\n\n"
        + "### Beslutning\n\nOg [heller ikke](/emner/tandpleje) denne.\n",
    )
    code, findings = check(site)
    assert code == 1
    assert [(f[1], f[2], f[3]) for f in findings] == [
        (
            line_of(text, "findes ikke"),
            "error",
            "link til /klynger/nord/2024-03-03-politisk-niveau/, en side som sitet ikke har; "
            "ret adressen, eller fjern linket",
        ),
        (
            line_of(text, "heller ikke"),
            "error",
            "link til /emner/tandpleje, en side som sitet ikke har; ret adressen, eller fjern linket",
        ),
    ]


def test_personal_data_cpr_is_an_error_email_and_phone_warnings(site: Path) -> None:
    text = write(
        site,
        NEW,
        HEAD.replace("date:", "location: Hos borger 010203-1234\ndate:")
        + "## Punkt 1: Henvendelser\n\n### Sagsfremstilling\n\n"
        + "Skriv til hanne.hansen@gmail.com om sagen.\n\n"
        + "Ring på 23 45 67 89.\n\n### Beslutning\n\nOK.\n",
    )
    code, findings = check(site)
    assert code == 1
    assert only(findings, "CPR-nummer (010203-xxxx)") == [(NEW, line_of(text, "location:"), "error")]
    assert only(findings, "e-mailadresse") == [(NEW, line_of(text, "gmail"), "warning")]
    assert only(findings, "telefonnummer (23 45 xx xx)") == [(NEW, line_of(text, "Ring på"), "warning")]
    assert not any("1234" in f[3] or "hanne.hansen" in f[3] for f in findings)  # messages mask the data


def test_cpr_fails_the_build_and_leaves_output_untouched(site: Path) -> None:
    built = run_cli("build", "--site", site, "--no-search")
    assert built.returncode == 0, built.stderr
    before = tree_digest(site / "output")
    text = write(site, NEW, HEAD + "## Punkt 1: Klage\n\nBorger 0102031008 har klaget.\n")
    result = run_cli("build", "--site", site, "--no-search")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert f"{NEW}:{line_of(text, 'Borger')}: fejl: CPR-nummer" in result.stderr
    assert "0102031008" not in result.stderr
    assert tree_digest(site / "output") == before


def test_warnings_only_exit_zero_and_strict_makes_them_errors(site: Path) -> None:
    text = write(site, NEW, HEAD + "## Punkt 1: Kontakt\n\n### Beslutning\n\nRing 23 45 67 89.\n")
    code, findings = check(site)
    assert code == 0
    assert [(f[1], f[2]) for f in findings] == [(line_of(text, "Ring"), "warning")]
    code, strict = check(site, "--strict")
    assert code == 1
    assert [(f[1], f[2], f[3]) for f in strict] == [(line_of(text, "Ring"), "error", findings[0][3])]


def test_file_arguments_restrict_the_report(site: Path) -> None:
    other = "content/nord/2024-09-03-chefforum.md"
    write(site, NEW, HEAD + "## Punkt 1: A\n\n### Beslutning\n\nRing 23 45 67 89.\n")
    write(
        site,
        other,
        HEAD.replace("09-02", "09-03").replace("forum: chefforum", "forum: chef") + "## Punkt 1: A\n",
    )
    code, findings = check(site)
    assert code == 1 and {f[0] for f in findings} == {NEW, other}

    code, findings = check(site, NEW)
    assert code == 0 and {f[0] for f in findings} == {NEW}
    code, findings = check(site, site / other)  # an absolute path names the same file
    assert code == 1 and {f[0] for f in findings} == {other}
    code, findings = check(site, "content/nord/2024-02-08-politisk-niveau.md")
    assert (code, findings) == (0, [])


def test_pre_commit_hook_stops_a_commit_with_errors(site: Path, tmp_path: Path) -> None:
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text("utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"] if hook["id"] == "referater-check"]
    assert len(hooks) == 1
    hook = hooks[0]
    assert hook["language"] == "system" and hook["pass_filenames"] is False
    assert re.search(hook["files"], NEW) and re.search(hook["files"], "site_config.yaml")
    assert not re.search(hook["files"], "referater/check.py")

    # pre-commit runs a system hook's entry in the repository root with the PATH of the shell
    # that committed, where the project's .venv is activated: `python` is the venv's python.
    (site / "build.py").write_bytes((ROOT / "build.py").read_bytes())
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(ROOT),
    }

    def run_hook() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            shlex.split(hook["entry"]), cwd=site, env=env, capture_output=True, text=True, timeout=120
        )

    ok = run_hook()
    assert ok.returncode == 0, ok.stderr
    write(site, NEW, HEAD.replace("forum: chefforum", "forum: chef") + "## Punkt 1: A\n")
    failed = run_hook()
    assert failed.returncode != 0
    assert f"{NEW}:3: fejl: ukendt forum 'chef'" in failed.stderr
