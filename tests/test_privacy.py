"""The personal-data scanner: real CPR numbers, e-mails and phones are found; other digits not."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referater.privacy import PersonalDataHit, scan_personal_data


def kinds(text: str) -> list[tuple[str, str]]:
    return [(hit.kind, hit.level) for hit in scan_personal_data(text)]


# ---- positives --------------------------------------------------------------------------------------------

# (text, expected (kind, level) list). Valid mod-11 numbers: 010203-1008, 150585-1001, 070761-1006.
POSITIVE = [
    ("Borgerens CPR 010203-1008 fremgår af bilaget.", [("cpr", "error")]),
    ("cpr: 150585-1001", [("cpr", "error")]),
    # dashed with a failing mod-11 is still an error (CPR numbers without mod-11 exist since 2007)
    ("Født 150585-1234.", [("cpr", "error")]),
    ("Nummer 150585\u20131234 (tankestreg)", [("cpr", "error")]),
    # 29 Feb 2000 with serial 4xxx → 2000, a leap year
    ("290200-4321", [("cpr", "error")]),
    # undashed: date and mod-11 both valid
    ("Personnummer 0707611006 står i journalen", [("cpr", "error")]),
    ("(0102031008)", [("cpr", "error")]),
    # undashed with failing mod-11, but the word CPR right before it
    ("CPR-nr.: 1505851234", [("cpr", "error")]),
    # letters and punctuation glued on do not hide a number (file names, link targets, case-like prefixes)
    ("EMN-010203-1008", [("cpr", "error")]),
    ("010203-1008-2", [("cpr", "error")]),
    ("x010203-1008", [("cpr", "error")]),
    ("[bilag](/doc/010203-1008.pdf)", [("cpr", "error")]),
    ("bilag_0102031008.pdf", [("cpr", "error")]),
    ("Kontakt jens.hansen@gmail.com for info", [("email", "warning")]),
    ("<mette.b+referat@rsyd.dk>", [("email", "warning")]),
    ("Skriv til søren@kommune.dk.", [("email", "warning")]),
    ("Ring på 23 45 67 89 efter kl. 16", [("phone", "warning")]),
    ("tlf. 2345 6789", [("phone", "warning")]),
    ("Mobil: 23456789", [("phone", "warning")]),
    ("+45 23 45 67 89", [("phone", "warning")]),
    ("0045 23456789", [("phone", "warning")]),
    ("+4523456789", [("phone", "warning")]),
    ("Hans (42 42 42 42) og Grete (87654321).", [("phone", "warning"), ("phone", "warning")]),
    # a phone word overrides the "looks like a date" exception
    ("tlf. nr. 25122023", [("phone", "warning")]),
    (
        "Jens, 010203-1008, jens@example.org, 23 45 67 89",
        [("cpr", "error"), ("email", "warning"), ("phone", "warning")],
    ),
]


@pytest.mark.parametrize(("text", "expected"), POSITIVE, ids=[p[0][:40] for p in POSITIVE])
def test_finds_personal_data(text: str, expected: list[tuple[str, str]]) -> None:
    assert kinds(text) == expected


# ---- negatives --------------------------------------------------------------------------------------------

NEGATIVE = [
    "Sagsnr.: EMN-2022-08415",
    "Sagsnr.: 22/43402",
    "Dok ID: 11406564",
    "Dok ID: 21406564",
    "Beslutning i Sundhedsklynge Sydvestjylland den 05-12-2023",
    "Mødet d. 30/4 2024 kl. 16.00-18.00",
    "Der er afsat 1.200.000 kr. til projektet",
    "Budget: 12.345.678 kr.",
    "I alt 25000000 kr.",
    "Beløbet er 23456789 kr",
    "Beløb 2.345.678,50",
    "Pris 23456789,-",
    "Datoen 25122023 er en dato, 20231205 også",
    "Perioden 2023 2024 og 2025 2026",
    "CVR 29190909",
    "EAN 5798000123456",
    "Tal: 10 20 30 40 50 60",
    "Kontonummer 1234 12345678",
    "Løbenummer 123456789012",
    # CPR-like but impossible dates or centuries
    "321203-1234",  # day 32
    "011303-1234",  # month 13
    "290200-1002",  # 29 Feb 1900 (serial 1 → 1900s), not a leap year
    "010150-5000",  # serial 5, yy 50 → 2050: in the future
    # undashed ten digits with a valid date but failing mod-11 and no CPR word
    "Journalnummer 1505851234",
    # glued to other digits
    "12010203-1008",
    "010203-10082",
    "1.0102031008",  # the tail of a decimal number
    "0102031008,50",
    "ref. 2345678901234",
    "Se punkt 12 om økonomi",
    "foo@bar (not an address)",
    "@mention and a@b",
]


@pytest.mark.parametrize("text", NEGATIVE)
def test_no_false_alarms(text: str) -> None:
    assert scan_personal_data(text) == []


# ---- details ----------------------------------------------------------------------------------------------


def test_line_numbers_are_offset_by_first_line() -> None:
    text = "ingen\r\nher\n\ntlf 23 45 67 89\nCPR 010203-1008"
    hits = scan_personal_data(text, first_line=10)
    assert [(h.line, h.kind) for h in hits] == [(13, "phone"), (14, "cpr")]


def test_messages_mask_the_number() -> None:
    (cpr,) = scan_personal_data("010203-1008")
    assert "010203-xxxx" in cpr.message
    assert "1008" not in cpr.message
    (phone,) = scan_personal_data("tlf 23456789")
    assert "6789" not in phone.message
    assert "23 45 xx xx" in phone.message
    (mail,) = scan_personal_data("jens.hansen@gmail.com")
    assert "jens.hansen" not in mail.message
    assert "j***@gmail.com" in mail.message


def test_undashed_cpr_masked_too() -> None:
    (hit,) = scan_personal_data("0707611006")
    assert hit.message.startswith("CPR-nummer (070761-xxxx) må aldrig offentliggøres: fjern det")
    assert "1006" not in hit.message


def test_messages_are_one_danish_sentence_that_says_what_to_do() -> None:
    hits = scan_personal_data("CPR 010203-1008, jens@example.org, tlf. 23 45 67 89")
    assert [hit.message for hit in hits] == [
        "CPR-nummer (010203-xxxx) må aldrig offentliggøres: fjern det "
        "(se docs/takedown.md, hvis det allerede er offentliggjort)",
        "e-mailadresse (j***@example.org): fjern den, medmindre det er en arbejdsadresse, "
        "som personen har sagt ja til at offentliggøre",
        "telefonnummer (23 45 xx xx): fjern det, medmindre det er et arbejdsnummer, der må offentliggøres",
    ]


def test_same_address_twice_on_a_line_is_one_warning() -> None:
    assert kinds("[a.b@c.dk](mailto:a.b@c.dk)") == [("email", "warning")]


def test_hit_is_a_dataclass_with_the_documented_fields() -> None:
    hit = scan_personal_data("cpr 010203-1008", first_line=3)[0]
    assert isinstance(hit, PersonalDataHit)
    assert (hit.line, hit.kind, hit.level) == (3, "cpr", "error")


@settings(max_examples=300, deadline=None)
@given(st.text(), st.integers(min_value=1, max_value=10_000))
def test_never_raises_on_arbitrary_text(text: str, first_line: int) -> None:
    hits = scan_personal_data(text, first_line)
    last = first_line + text.count("\n")
    for hit in hits:
        assert first_line <= hit.line <= last
        assert hit.kind in {"cpr", "email", "phone"}
        assert hit.level in {"error", "warning"}


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="0123456789 -./,+@kr\n", max_size=80))
def test_never_raises_on_digit_soup(text: str) -> None:
    scan_personal_data(text)
