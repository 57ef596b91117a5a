"""The content stage's one-pass scans find exactly what the scans they replaced found.

Each old way is kept here as the oracle, written as it stood in the engine: a file's published texts
scanned one by one (`content._scan_published`), frontmatter values scanned one by one
(`privacy.scan_values`), and the closed-item rule asked of every line of an item (`agenda`). Generated
text mixes valid CPR numbers in every disguise test_cpr_forms.py knows with the pieces that make a scan
go wrong: line breaks, entities, percent escapes, other digits, invisible characters and Markdown.
"""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st
from test_cpr_forms import written

from referater import closed, content, privacy
from referater.model import AgendaItem, Section
from referater.readable import DASHES, SPACES

PIECES = ["0", "1", "2", "3", "9", "010203", "1008", "0707611006", "23456789", "12 34 56 78", "1234 5678"]
PIECES += [" ", "\u00a0", "\u2009", "\t", "\n", "\n\n", "\r", ".", "/", ",", "-", "\u2011", "\u2013"]
PIECES += ["&#48;", "&#x31;", "&ndash;", "&nbsp;", "&amp;", "&", "%2D", "%30", "%", "\uff10", "\u0661"]
PIECES += ["\u00ad", "\u200b", "\u0301", "…", "**", "*", "`", "\\", "_", "<b>", "<!-- x -->", "~~"]
PIECES += ["CPR ", "cpr-nr. ", "tlf ", "a@b.dk", "@", "x", "mødet", "Sag 24/12345", "05-12-2023 kl. 10.30"]
PIECES += list(DASHES[:6]) + list(SPACES[:6])


@st.composite
def text(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.sampled_from(PIECES), max_size=25))
    if draw(st.booleans()):
        planted, _date, _serial = draw(written())
        parts.insert(draw(st.integers(0, len(parts))), planted)
    return "".join(parts)


def old_scan_published(items: tuple, hits: list) -> list:
    seen = {hit.message for hit in hits if hit.kind == "cpr"}
    found = []
    for item in items:
        texts = [(item.title, item.line)] + [(s.text, s.line) for s in item.sections]
        for text, line in texts:
            for hit in privacy.scan_personal_data(text):
                if hit.kind == "cpr" and hit.message not in seen:
                    seen.add(hit.message)
                    found.append(dataclasses.replace(hit, line=line))
    return found


def old_scan_values(values: list[tuple[str, int]]) -> list:
    hits = []
    for value, line in values:
        flat = value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
        hits.extend(privacy.scan_personal_data(flat, line))
    return hits


@settings(max_examples=600, deadline=None)
@given(st.lists(text(), max_size=12))
def test_scanning_many_texts_at_once_finds_what_scanning_each_finds(texts: list[str]) -> None:
    assert privacy.scan_many(texts) == [privacy.scan_personal_data(t) for t in texts]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(text(), st.integers(1, 60)), max_size=10))
def test_frontmatter_values_are_scanned_as_one_by_one(values: list[tuple[str, int]]) -> None:
    assert privacy.scan_values(values) == old_scan_values(values)


@st.composite
def items(draw: st.DrawFn) -> tuple[AgendaItem, ...]:
    out = []
    line = 1
    for number in range(1, draw(st.integers(1, 5)) + 1):
        sections = []
        for _ in range(draw(st.integers(0, 4))):
            # a section's published text is one line (text.html_text joins its words with spaces)
            line += draw(st.integers(1, 9))
            sections.append(Section("Beslutning", "", line, text=" ".join(draw(text()).split())))
        title = " ".join(draw(text()).split())
        out.append(AgendaItem(number, title, tuple(sections), line))
        line += 3
    return tuple(out)


@settings(max_examples=400, deadline=None)
@given(items(), st.lists(text(), max_size=2))
def test_published_texts_are_scanned_as_one_by_one(found: tuple, raw: list[str]) -> None:
    # hits the file's own text gave: their CPR numbers are not reported again
    hits = [hit for t in raw for hit in privacy.scan_personal_data(t)]
    assert content._scan_published(found, hits) == old_scan_published(found, hits)


MARKER_PIECES = ["Lukket", "lukket punkt", "LUKKET", "Fortroligt", "Offentlig beslutning", "Beslutning"]
MARKER_PIECES += [": ", ":", " = ", "ja", "nej", "Ja, jf. § 30", "(", ")", "**", "- ", "> ", " ", "x"]
MARKER_PIECES += ["\u00ad", "\u200b", "\uff2c", "ｕ", "\u00a0", "Ikke offentligt", "Closed item", "Sagen"]
MARKER_PIECES += [
    "L*ukket*",
    "Luk**ket** punkt",
    "L`ukket`",
    "Lu\\kket",
    "_",
    "~",
    "Åbent punkt",
    "åben",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.lists(st.sampled_from(MARKER_PIECES), max_size=6).map("".join), max_size=30))
def test_the_closed_rule_read_once_per_file_says_what_it_says_per_line(lines: list[str]) -> None:
    old = {
        number: (closed.closed_by_line(line), closed.is_public_decision_line(line))
        for number, line in enumerate(lines, 5)
    }
    marks = closed.line_marks(lines, 5)
    for number, (verdict, public) in old.items():
        assert marks.get(number, (None, False)) == (verdict, public), lines[number - 5]


def old_cpr_in_output(data: bytes) -> str | None:
    for match in privacy._OUTPUT_CPR.finditer(data):
        date_digits, serial = match.group(1).decode(), match.group(2).decode()
        if privacy.birth_date(date_digits, serial):
            return date_digits
    return None


OUTPUT_PIECES = [
    b"0",
    b"7",
    b"010190",
    b"0101901",
    b"1234",
    b"12345",
    b"-",
    b" ",
    b"\xc2\xa0",
    b"\xe2\x80\x93",
]
OUTPUT_PIECES += [
    b"\xe2\x88\x92",
    b"a",
    b"Z",
    b"<p>",
    b"</td>",
    b"\n",
    b"_",
    b".",
    b"010190-1234",
    b"311299 0000",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(OUTPUT_PIECES), max_size=30))
def test_output_guard_finds_what_the_pattern_alone_finds(parts: list[bytes]) -> None:
    """The last guard tries its pattern only where a run of six digits begins; the pattern run over the
    whole file is the oracle."""
    data = b"".join(parts)
    assert privacy.cpr_in_output(data) == old_cpr_in_output(data)
