"""The heading, decision, date and closed-item forms the importer learnt from secretariats' referater,
one by one (the specimens in test_importer_specimens.py score them in whole referater)."""

from __future__ import annotations

import pytest

from referater.importer import headings as h
from referater.importer.blocks import agenda_header, agenda_row
from referater.importer.meta import find_date


@pytest.mark.parametrize(
    ("line", "style", "number", "title"),
    [
        ("Ad 1. Godkendelse af dagsorden", "p_dot", 1, "Godkendelse af dagsorden"),
        ("Ad pkt. 4: Eventuelt", "p_colon", 4, "Eventuelt"),
        ("Ad punkt 12 - Budget", "p_dot", 12, "Budget"),
        ("3: Opfølgning på handleplan", "num_colon", 3, "Opfølgning på handleplan"),
        ("IV. Eventuelt", "roman", 4, "Eventuelt"),
        ("XII) Mødeplan", "roman", 12, "Mødeplan"),
        ("3.", "num_dot", 3, ""),
        ("§ 12 Godkendelse af dagsorden", "p_dot", 12, "Godkendelse af dagsorden"),
    ],
)
def test_item_heading_forms(line: str, style: str, number: int, title: str) -> None:
    found = h.item_heading(line)
    assert found is not None and (found.style, found.number, found.title) == (style, number, title)


@pytest.mark.parametrize(
    "line", ["14:00 Frokost", "Adgang 3 gange", "IIII. Forkert", "V Hansen deltog", "10:30"]
)
def test_lines_that_are_not_item_headings(line: str) -> None:
    found = h.item_heading(line)
    assert found is None or found.style not in ("num_colon", "roman", "p_dot", "p_colon")


@pytest.mark.parametrize(
    "line",
    ["Konklusion", "Konklusion:", "Udvalgets konklusion", "Indstilling og beslutning", "Beslutning/konklusion",
     "Referat og konklusion", "Konklusion og opfølgning", "BESLUTNINGER", "Beslutning (Sundhedsklynge Fyn, 3. marts 2026)"],
)  # fmt: skip
def test_decision_headings_are_written_as_beslutning(line: str) -> None:
    found = h.section_heading(line)
    assert found is not None and found[0].split(" ")[0] == "Beslutning"


def test_drøftelse_is_a_section_of_its_own_and_drøftet_is_no_heading() -> None:
    assert h.section_heading("Drøftelse") == ("Drøftelse", False)
    assert h.section_heading("Drøftet") is None  # "Drøftet" alone is a decision's whole text


@pytest.mark.parametrize(
    ("text", "date"),
    [("Dato: 3/3-26", "2026-03-03"), ("24.03.26 kl. 9", "2026-03-24"), ("3/3 2026 og 4.4.26", "2026-03-03")],
)
def test_two_digit_years_only_where_no_date_has_four(text: str, date: str) -> None:
    assert find_date(text) == date


def test_a_kle_number_is_no_two_digit_date() -> None:
    assert find_date("Åbent - 27.12.00-P22-1-23") == ""


def test_agenda_table_rows() -> None:
    header = agenda_header(("Nr.", "Emne", "Referat"))
    assert header == ("Nr.", "Emne", "Referat")
    assert agenda_row(("2", "Status\nOplæg ved X", "Godkendt."), header) == (
        "2. Status",
        [("", "Oplæg ved X"), ("Referat", "Godkendt.")],
    )
    assert agenda_row(("9.00-9.10", "1", "Velkomst"), ()) == ("1. Velkomst (9.00-9.10)", [])
    assert agenda_row(("Mødedato", "3. marts 2026"), header) is None
    titled = agenda_header(("Dagsordenspunkt", "Konklusion"))
    assert agenda_row(("1. Godkendelse af dagsorden", "Godkendt."), titled) == (
        "1. Godkendelse af dagsorden",
        [("Konklusion", "Godkendt.")],
    )


def test_roman_values() -> None:
    assert [h.roman_value(n) for n in ("I", "II", "IV", "IX", "XIV", "XXXIX")] == [1, 2, 4, 9, 14, 39]
    assert [h.roman_value(n) for n in ("IIII", "VX", "IC", "")] == [0, 0, 0, 0]


@pytest.mark.parametrize("line", ["Acadre sagsnr.: 26/9981", "ESDH-sagsnr. 2026-0042", "Sagsnr.: 26/1"])
def test_case_lines_after_the_case_systems_name(line: str) -> None:
    assert h.CASE_LINE.match(line)


def _items(text: str) -> list[tuple[int, str]]:
    from pathlib import Path

    from referater.config import load_config
    from referater.importer.layout import parse
    from referater.importer.model import Report

    config = load_config(Path(__file__).resolve().parent.parent)
    return [(i.number, i.title) for i in parse(text.split("\n"), config, Report("t")).meeting.items]


def test_a_programme_of_clock_hours_inside_an_item_is_no_run_of_items() -> None:
    text = (
        "Referat\nDato: 1. december 2026\n\n1. Temadag om demens\nProgram for dagen:\n"
        "13: Velkomst ved formanden\n14: Oplæg om demensvenlige kommuner\nBeslutning\nTaget til efterretning.\n"
        "\n2. Eventuelt\nBeslutning\nIntet.\n"
    )
    assert _items(text) == [(1, "Temadag om demens"), (2, "Eventuelt")]


def test_number_colon_items_with_a_numbered_list_inside() -> None:
    text = (
        "Referat\nDato: 1. december 2026\n\n1: Handleplan\nPlanen har to spor:\n1. Kommunerne melder tilbage\n"
        "2. Hospitalet følger op\nBesluttet: Godkendt.\n\n2: Eventuelt\nIntet.\n"
    )
    assert _items(text) == [(1, "Handleplan"), (2, "Eventuelt")]


def test_a_stray_initial_is_no_roman_item() -> None:
    text = "Referat\nDato: 1. december 2026\n\n1. Status\nV. Hansen orienterede.\n\n2. Eventuelt\nIntet.\n"
    assert _items(text) == [(1, "Status"), (2, "Eventuelt")]


def test_an_item_closed_only_in_a_table_of_contents_of_another_length_is_closed() -> None:
    from pathlib import Path

    from referater.config import load_config
    from referater.importer.layout import parse
    from referater.importer.model import Report

    text = (
        "Referat\nDato: 1. december 2026\n\nIndholdsfortegnelse\n1. Godkendelse af dagsorden ..... 1\n"
        "2. Salg af grund (Lukket) ..... 2\n3. Eventuelt ..... 2\n4. Udgået punkt ..... 3\n\n"
        "1. Godkendelse af dagsorden\nBeslutning\nGodkendt.\n\n2. Salg af grund\nPrisen.\n\n3. Eventuelt\nIntet.\n"
    )
    config = load_config(Path(__file__).resolve().parent.parent)
    found = parse(text.split("\n"), config, Report("t")).meeting.items
    assert [(i.number, i.closed) for i in found] == [(1, False), (2, True), (3, False)]


@pytest.mark.parametrize(
    ("line", "text"),
    [("Beslutning/referat: Godkendt.", "Godkendt."), ("Udvalgets konklusion: Taget til efterretning.", "Taget til efterretning."),
     ("Formand: se bilag.", None), ("Konklusioner og aftaler: Ingen.", "Ingen.")],
)  # fmt: skip
def test_decisions_on_their_labels_line(line: str, text: str | None) -> None:
    assert h.labelled_decision(line) == text


def test_titles_that_end_in_an_abbreviation_are_items() -> None:
    text = (
        "Referat\nDato: 1. december 2026\n\n1. Godkendelse af dagsorden\nGodkendt.\n\n"
        "2. Nyt fra kommuner, region, PLO m.m.\nDer blev orienteret.\n\n3. Evt.\nIntet.\n"
    )
    assert [n for n, _ in _items(text)] == [1, 2, 3]
