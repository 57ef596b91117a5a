"""The everyday mistakes `check` catches, through the real CLI, in Danish with the line to fix."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_cli
from test_check import HEAD, NEW, check, clean_site, line_of, write

ITEM = "## Punkt 1: Godkendelse\n\n### Beslutning\n\nGodkendt.\n"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return clean_site(tmp_path / "site")


def messages(findings: list[tuple[str, int, str, str]]) -> list[tuple[int, str, str]]:
    return [(line, level, message) for path, line, level, message in findings if path == NEW]


def test_the_new_skeleton_published_unchanged_is_an_error(site: Path) -> None:
    made = run_cli("new", "--site", site, "--cluster", "nord", "--forum", "chefforum", "--date", "2024-09-02")
    assert made.returncode == 0, made.stderr
    path = site / NEW
    draft = path.read_text("utf-8")
    code, findings = check(site)
    assert (code, findings) == (0, [])  # a draft is work in progress

    text = draft.replace("draft: true ", "draft: false")
    path.write_text(text, "utf-8")
    code, findings = check(site)
    assert code == 1
    errors = [(line, message) for line, level, message in messages(findings) if level == "error"]
    assert errors == [
        (
            line_of(text, "draft: false"),
            "referatet er stadig den tomme skabelon fra `new`, men står som færdigt (draft: false): "
            "skriv referatet, eller sæt draft: true, så det ikke bliver udgivet",
        ),
        (
            line_of(text, "## Punkt 2"),
            "punkt 2 hedder stadig 'Titel på punktet' fra skabelonen: skriv punktets rigtige titel, eller "
            "slet punktet. Er referatet ikke færdigt, så sæt draft: true",
        ),
    ]
    warned = {line for line, level, _ in messages(findings) if level == "warning"}
    assert line_of(text, "### Resumé") in warned  # an empty section
    assert line_of(text, "### Beslutning", 3) in warned  # Eventuelt's empty decision


def test_a_filled_in_skeleton_passes(site: Path) -> None:
    run_cli("new", "--site", site, "--cluster", "nord", "--forum", "chefforum", "--date", "2024-09-02")
    path = site / NEW
    text = path.read_text("utf-8").replace("draft: true ", "draft: false")
    text = text.replace("Titel på punktet", "Lægedækning").replace("### Resumé\n\n", "")
    text = text.replace("### Sagsfremstilling\n\n", "### Sagsfremstilling\n\nDrøftelse.\n\n")
    text = text.replace(
        "### Indstilling\n\n### Beslutning", "### Indstilling\n\nTil drøftelse.\n\n### Beslutning"
    )
    text = text.replace("### Bilag\n\n", "").replace("### Beslutning\n", "### Beslutning\n\nGodkendt.\n")
    path.write_text(text, "utf-8")
    assert check(site) == (0, [])


def test_misspelt_heading_is_a_warning_with_the_nearest_one_and_strict_makes_it_an_error(site: Path) -> None:
    text = write(
        site,
        NEW,
        HEAD + "## Punkt 1: Lægedækning\n\n### Sagsfremstiling\n\nTekst.\n\n### Beslutnig\n\nGodkendt.\n",
    )
    code, findings = check(site)
    assert code == 0
    assert messages(findings) == [
        (
            line_of(text, "## Punkt 1"),
            "warning",
            "punkt 1 'Lægedækning' har ingen beslutning: tilføj '### Beslutning' med det, mødet besluttede "
            "(fx 'Taget til efterretning.')",
        ),
        (
            line_of(text, "Sagsfremstiling"),
            "warning",
            "ukendt afsnitsoverskrift '### Sagsfremstiling' – mente du 'Sagsfremstilling'?",
        ),
        (
            line_of(text, "Beslutnig"),
            "warning",
            "ukendt afsnitsoverskrift '### Beslutnig' – mente du 'Beslutning'? Sådan som den står, vises "
            "punktets beslutning ikke i oversigter og på emnesider.",
        ),
    ]
    code, strict = check(site, "--strict")
    assert code == 1 and {level for _, level, _ in messages(strict)} == {"error"}


def test_known_and_free_headings(site: Path) -> None:
    body = (
        "## Punkt 1: A\n\n### Beslutning i Politisk niveau den 2. september\n\nGodkendt.\n\n"
        "### Indstilling fra sekretariatet\n\nX.\n\n### Økonomi\n\nY.\n\n### Noget helt tredje\n\nZ.\n"
    )
    text = write(site, NEW, HEAD + body)
    code, findings = check(site)
    assert code == 0
    assert [(line, level) for line, level, _ in messages(findings)] == [(line_of(text, "tredje"), "warning")]
    assert "de faste er Resumé, Sagsfremstilling, Indstilling, Beslutning og Bilag" in findings[0][3]


def test_items_without_decision_only_in_held_open_meetings(site: Path) -> None:
    body = (
        "## Punkt 1: Orientering\n\n### Sagsfremstilling\n\nTekst.\n\n"
        "## Punkt 2: Salg – Lukket punkt\n\n"
        "## Punkt 3: Eventuelt\n\n### Beslutning\n\n"
    )
    text = write(site, NEW, HEAD + body)
    code, findings = check(site)
    assert code == 0
    assert [(line, level, message.split(":")[0]) for line, level, message in messages(findings)] == [
        (line_of(text, "## Punkt 1"), "warning", "punkt 1 'Orientering' har ingen beslutning"),
        (line_of(text, "### Beslutning"), "warning", "punkt 3 'Eventuelt' har en tom '### Beslutning'"),
    ]
    future = "content/nord/2999-01-04-chefforum.md"
    write(site, future, HEAD.replace("2024-09-02", "2999-01-04") + body)
    code, findings = check(site, future)
    assert (code, findings) == (0, [])  # an agenda: nothing is decided yet


def test_empty_sections_are_warnings(site: Path) -> None:
    text = write(site, NEW, HEAD + "## Punkt 1: A\n\n### Resumé\n\n### Bilag\n\n### Beslutning\n\nOK.\n")
    code, findings = check(site)
    assert code == 0
    assert messages(findings) == [
        (
            line_of(text, "Resumé"),
            "warning",
            "afsnittet '### Resumé' i punkt 1 er tomt: skriv teksten, eller slet overskriften",
        ),
        (
            line_of(text, "Bilag"),
            "warning",
            "afsnittet '### Bilag' i punkt 1 er tomt: skriv teksten, eller slet overskriften",
        ),
    ]


def test_links_without_a_target(site: Path) -> None:
    text = write(
        site,
        NEW,
        HEAD + "## Punkt 1: A\n\n### Beslutning\n\nSe [rapporten](#) og\n[dagsordenen]() og "
        "[denne](https://example.org/) og `[kode](#)` og ![billede]().\n",
    )
    code, findings = check(site)
    assert code == 0
    assert messages(findings) == [
        (
            line_of(text, "rapporten"),
            "warning",
            "linket [rapporten](#) har intet mål: skriv adressen i parentesen, eller fjern klammerne, så det "
            "bliver almindelig tekst",
        ),
        (
            line_of(text, "[dagsordenen]"),
            "warning",
            "linket [dagsordenen]() har intet mål: skriv adressen i parentesen, eller fjern klammerne, så det "
            "bliver almindelig tekst",
        ),
    ]


def test_references_to_items_that_do_not_exist(site: Path) -> None:
    text = write(
        site,
        NEW,
        HEAD + "## Punkt 1: A\n\n### Beslutning\n\nSe [punkt 1](#punkt-1) og [punkt 7](#punkt-7).\n\n"
        "## Punkt 2: B\n\n### Beslutning\n\n"
        "Som [i februar](/klynger/nord/2024-02-08-politisk-niveau/#punkt-1), ikke "
        "[punkt 4](/klynger/nord/2024-02-08-politisk-niveau/#punkt-4).\n",
    )
    code, findings = check(site)
    assert code == 1
    assert messages(findings) == [
        (
            line_of(text, "punkt 7"),
            "error",
            "link til #punkt-7: dette møde har intet punkt 7 (punkterne er 1, 2)",
        ),
        (
            line_of(text, "punkt 4"),
            "error",
            "link til /klynger/nord/2024-02-08-politisk-niveau/#punkt-4: det møde har intet punkt 4 "
            "(punkterne er 1)",
        ),
    ]


def test_a_link_to_a_draft_says_it_is_a_draft(site: Path) -> None:
    draft = "content/nord/2024-06-01-politisk-niveau.md"
    write(
        site,
        draft,
        HEAD.replace("2024-09-02", "2024-06-01")
        .replace("chefforum", "politisk-niveau")
        .replace("---\n\n", "draft: true\n---\n\n")
        + ITEM,
    )
    text = write(
        site,
        NEW,
        HEAD + "## Punkt 1: A\n\n### Beslutning\n\nSe [juni](/klynger/nord/2024-06-01-politisk-niveau/).\n",
    )
    code, findings = check(site)
    assert code == 1
    assert messages(findings) == [
        (
            line_of(text, "juni"),
            "error",
            "link til /klynger/nord/2024-06-01-politisk-niveau/: det møde er en kladde (draft: true) og "
            "bliver ikke udgivet",
        ),
    ]


def test_a_file_that_does_not_exist_is_a_danish_error(site: Path) -> None:
    result = run_cli("check", "--site", site, "content/nord/2024-09-31-chefforum.md")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "fejl: filen content/nord/2024-09-31-chefforum.md findes ikke" in result.stderr


def test_a_build_into_a_folder_that_cannot_be_written_is_a_danish_error(site: Path, tmp_path: Path) -> None:
    blocked = tmp_path / "blocked"
    blocked.write_text("en fil, ikke en mappe", "utf-8")
    result = run_cli("build", "--site", site, "--no-search", "--out", blocked / "output")
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    assert "fejl: kunne ikke læse eller skrive" in result.stderr
