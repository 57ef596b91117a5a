"""Closed items stay closed whatever the file looks like: each class of sloppy or hostile input, generated.

The property, for every generated file: either the content stage refuses it (an error with a line), or
no canary planted in a closed item is in anything it publishes, while the canary of an open item is.
A full build of one site made of such files then searches every output file, decompressed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from browser_sites import decoded
from conftest import FIXTURES, copy_site, run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitegen import into_each_search_level

from referater import closed
from referater.config import load_config
from referater.content import parse_meeting
from referater.model import Meeting
from referater.pipeline import build

CONFIG = load_config(FIXTURES / "links")
HEAD = "---\ncluster: nord\nforum: chefforum\ndate: 2024-09-02\n---\n\n"
SECRET, PUBLIC = "qzsecret", "qzpublic"

CLOSED_TITLES = [
    "Lukket punkt – Salg",
    "Salg – Lukket punkt",
    "Salg (Lukket)",
    "Salg [lukket]",
    "Lukket: Salg",
    "LUKKET PUNKT - Salg",
    "Lukket møde – Salg",
    "Lukket dagsordenspunkt: Salg",
    "Fortroligt: Salg",
    "Salg - fortroligt",
    "Ikke offentligt punkt: Salg",
    "Closed item: Sale",
    "**Lukket punkt** – Salg",
]
CLOSED_LINES = [
    "Lukket: ja",
    "lukket: Ja, jf. offentlighedslovens § 30",
    "LUKKET PUNKT: JA",
    "Lukket punkt",
    "(Lukket)",
]
# What a sloppy previous item can do to the structure after it, in CommonMark's eyes.
TRAPS = [
    "```",  # a fence never closed: the rest of the file is code
    "~~~",
    "```python",
    "Tekst med ```tre backticks``` inde i linjen.",
    "<!-- en kommentar der aldrig lukkes",
    "<!-- kommentar med -> pil -->",
    "<div>",
    "<script>",
    "<pre>",
    "    indrykket tekst",
    "> citat",
    "- punktliste",
    "1. nummereret liste",
    "[ref]: https://example.org/ 'titel qzsecretdef'",
    "Tekst\n---",
    "|a|b|\n|-|-|\n|1|2|",
]
# How the closed item's heading may be written.
HEADINGS = [
    "## Punkt {n}: {title}",
    " ## Punkt {n}: {title}",
    "   ## Punkt {n}: {title}",
    "## Punkt {n}: {title} ##",
    "Punkt {n}: {title}\n---",
    "Punkt {n}: {title}\n-----------",
    "##Punkt {n}: {title}",
    "## Punkt {n} - {title}",
    "**Punkt {n}: {title}**",
    "    ## Punkt {n}: {title}",
    "> ## Punkt {n}: {title}",
    "- ## Punkt {n}: {title}",
]
PLACES = ["first", "after-text", "in-section", "in-decision", "end"]


def published(meeting: Meeting) -> str:
    """Everything of a meeting that any output is made from (the sections' `source` never is)."""
    parts = [meeting.title, meeting.location]
    for item in meeting.items:
        parts += [item.title, item.summary, item.slot, *item.cases, *item.documents, *item.hand_topics]
        for section in item.sections:
            parts += [section.heading, section.html, section.markdown, section.text]
    return "\n".join(parts)


def closed_item(n: int, heading: str, title: str, line: str | None, place: str, decision: bool) -> str:
    text = [heading.format(n=n, title=title), ""]
    if line and place == "first":
        text += [line, ""]
    if decision:
        text += ["Offentlig beslutning: ja", ""]
    text += [f"Indledning {SECRET}1.", ""]
    if line and place == "after-text":
        text += [line, ""]
    text += ["### Sagsfremstilling", "", f"Tekst {SECRET}2.", ""]
    if line and place == "in-section":
        text += [line, ""]
    text += ["### Beslutning", "", f"Besluttet {SECRET}3." if not decision else "Godkendt.", ""]
    if line and place == "in-decision":
        text += [line, ""]
    if line and place == "end":
        text += [line, ""]
    return "\n".join(text)


@st.composite
def meetings(draw: st.DrawFn) -> str:
    trap = draw(st.sampled_from(["", *TRAPS]))
    heading = draw(st.sampled_from(HEADINGS))
    by_title = draw(st.booleans())
    title = draw(st.sampled_from(CLOSED_TITLES)) if by_title else "Salg af bygning"
    line = None if by_title and draw(st.booleans()) else draw(st.sampled_from(CLOSED_LINES))
    place = draw(st.sampled_from(PLACES))
    first = f"## Punkt 1: Godkendelse\n\n### Beslutning\n\nGodkendt {PUBLIC}.\n\n{trap}\n"
    after = "\n## Punkt 3: Eventuelt\n\n### Beslutning\n\nIntet.\n" if draw(st.booleans()) else ""
    body = first + "\n" + closed_item(2, heading, title, line, place, draw(st.booleans())) + after
    return HEAD + body


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meetings())
def test_no_closed_text_is_published_whatever_the_structure(text: str) -> None:
    meeting, findings = parse_meeting(text.encode(), "content/nord/2024-09-02-chefforum.md", CONFIG)
    if meeting is None:
        assert any(f.level == "error" and f.line > 0 for f in findings), findings
        return
    out = published(meeting)
    assert SECRET not in out, (text, out)
    assert PUBLIC in out  # the open item is there: the property is not vacuous


@pytest.mark.parametrize("title", CLOSED_TITLES)
def test_every_closed_title_marker_closes(title: str) -> None:
    assert closed.is_closed_title(title)


@pytest.mark.parametrize(
    "title",
    [
        "Lukket afdeling på Sygehus Sønderjylland",
        "Status på lukkede sengeafsnit",
        "Godkendelse af dagsorden",
        "Fortrolighed i sundhedsdata – orientering",
        "Åbent punkt: budget",
    ],
)
def test_titles_that_only_mention_closing_stay_open(title: str) -> None:
    assert not closed.is_closed_title(title)


@pytest.mark.parametrize("line", CLOSED_LINES)
def test_every_closed_line_closes_and_nej_opens(line: str) -> None:
    assert closed.closed_by_line(line) is True
    assert closed.closed_by_line("Lukket: nej") is False
    assert closed.closed_by_line("Punktet blev behandlet efter frokost.") is None


def test_a_long_closed_line_still_closes() -> None:
    assert closed.closed_by_line("Lukket: ja, jf. " + "offentlighedsloven " * 40) is True


def test_a_closed_item_with_text_is_an_error_with_its_line() -> None:
    text = HEAD + "## Punkt 1: Lukket punkt – Salg\n\nSagsnr.: 24/1\n\nTekst qzsecret.\n"
    meeting, findings = parse_meeting(text.encode(), "content/nord/2024-09-02-chefforum.md", CONFIG)
    assert meeting is None
    assert [(f.line, f.level) for f in findings] == [(11, "error")]
    assert "punkt 1 er et lukket punkt" in findings[0].message


def test_closed_items_publish_neither_case_numbers_nor_topics() -> None:
    text = HEAD + (
        "## Punkt 1: Lukket punkt – Salg\n\nSagsnr.: 24/9999\nEmner: laegedaekning\nDok ID: 777\nTidspunkt: 9.00–9.30\n"
        "Offentlig beslutning: ja\n\n### Beslutning\n\nGodkendt.\n"
    )
    meeting, findings = parse_meeting(text.encode(), "content/nord/2024-09-02-chefforum.md", CONFIG)
    assert meeting is not None, findings
    (item,) = meeting.items
    assert item.closed and item.cases == () and item.hand_topics == () and item.documents == ()
    assert item.slot == ""
    assert [s.text for s in item.sections] == ["Godkendt."]


HIDDEN = [
    ("comment", "Godkendt. <!-- qzhidden1 -->"),
    ("comment-arrow", "Godkendt. <!-- a -> qzhidden2 --> slut"),
    ("comment-block", "<!--\nqzhidden3\n-->\n\nGodkendt."),
    ("raw-html", 'Godkendt <span title="qzhidden4">x</span>.'),
    ("html-block", "<div data-x='qzhidden5'>\n\nGodkendt.\n\n</div>"),
    ("unused-definition", 'Godkendt.\n\n[x]: https://example.org/ "qzhidden6"'),
    ("script", "<script>alert('qzhidden7')</script>\n\nGodkendt."),
]


@pytest.mark.parametrize(("case", "decision"), HIDDEN, ids=[c for c, _ in HIDDEN])
def test_hidden_text_is_in_no_published_field(case: str, decision: str) -> None:
    text = HEAD + f"## Punkt 1: Budget\n\n### Beslutning\n\n{decision}\n"
    meeting, findings = parse_meeting(text.encode(), "content/nord/2024-09-02-chefforum.md", CONFIG)
    assert meeting is not None, findings
    out = published(meeting)
    assert "qzhidden" not in out, out
    assert "Godkendt" in meeting.items[0].sections[0].text


@pytest.mark.parametrize("char", ["\x00", "\x0b", "\x0c", "\x1b", "\x7f", "\x85"])
def test_control_characters_are_an_error_with_their_line(char: str) -> None:
    text = HEAD + f"## Punkt 1: Budget\n\n### Beslutning\n\nGod{char}kendt.\n"
    meeting, findings = parse_meeting(text.encode(), "content/nord/2024-09-02-chefforum.md", CONFIG)
    assert meeting is None
    assert [(f.line, f.level) for f in findings] == [(11, "error")]
    assert "kontroltegn" in findings[0].message


@pytest.mark.parametrize(
    "line",
    [
        "#" * 3 + " " * 100_000 + "x",
        "## Punkt 2: " + "a " * 50_000,
        "Lukket: " + " " * 100_000,
        "- " * 50_000,
        "> " * 50_000,
        "[" * 30_000 + "]" * 30_000,
        "*" * 100_000,
        "1" * 100_000,
        "Punkt 2: " + "-" * 100_000,
    ],
    ids=lambda line: repr(line[:12]),
)
def test_long_lines_parse_in_linear_time(line: str) -> None:
    """100 kB lines of what backtracking patterns choke on: parsed at all, with or without errors (a
    hang is what this guards against; pytest's own run time shows it, no timed assertion)."""
    text = HEAD + "## Punkt 1: Budget\n\n### Beslutning\n\n" + line + "\n"
    parse_meeting(text.encode(), "content/nord/2024-09-02-chefforum.md", CONFIG)


SLOPPY_SITE = {
    # each: a published meeting whose structure is sloppy but legal, with a canary in a closed item
    "2024-09-02-chefforum.md": "## Punkt 1: A\n\n### Beslutning\n\nGodkendt qzcontrol.\n\n"
    "## Punkt 2: Lukket punkt – Salg\n\nSagsnr.: 24/9999\nOffentlig beslutning: ja\n\n### Beslutning\n\nSolgt.\n",
    "2024-09-03-chefforum.md": "## Punkt 1: B\n\n### Beslutning\n\nOK <!-- qzleak1 --> [x][r].\n\n"
    '[r]: https://example.org/ "used title"\n[u]: https://example.org/u "qzleak3"\n',
}
DRAFT = (
    "---\ncluster: nord\nforum: chefforum\ndate: 2024-09-04\ntitle: Kladde qzleak4\ndraft: true\n---\n\n"
    "## Punkt 1: Kladde qzleak5\n\n### Beslutning\n\nIkke færdig qzleak6.\n"
)


def _sloppy_site(tmp_path: Path) -> Path:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    for name, body in SLOPPY_SITE.items():
        head = HEAD.replace("2024-09-02", name[:10])
        (site / "content/nord" / name).write_text(head + body, "utf-8")
    (site / "content/nord/2024-09-04-chefforum.md").write_text(DRAFT, "utf-8")
    return site


def test_a_whole_build_publishes_no_hidden_closed_or_draft_text(tmp_path: Path) -> None:
    site = _sloppy_site(tmp_path)
    result = run_cli("build", "--site", site, "--no-cache")  # with the search index
    assert result.returncode == 0, result.stderr
    _assert_no_leak(site / "output", "pagefind/")


def test_no_level_of_the_search_index_publishes_hidden_text(tmp_path: Path) -> None:
    """The same files edited into each level above the base (folded into the delta, then recent): the
    closed items and the draft are in no bundle of any level."""
    site = _sloppy_site(tmp_path)
    build(site, jobs=1)

    def edit(level: str) -> None:
        for name in [*SLOPPY_SITE, "2024-09-04-chefforum.md"]:
            path = site / "content/nord" / name
            path.write_text(
                path.read_text("utf-8").replace("### Beslutning\n\n", f"### Beslutning\n\n{level} ", 1)
            )

    for level in into_each_search_level(site, edit, lambda: build(site, jobs=1)):
        _assert_no_leak(site / "output", f"pagefind/{level}/")


def _assert_no_leak(out: Path, bundle: str) -> None:
    """No canary anywhere in the output, and the open item's control word in `bundle`."""
    files = {p.relative_to(out).as_posix(): decoded(p).lower() for p in out.rglob("*") if p.is_file()}
    assert any(b"qzcontrol" in data for p, data in files.items() if p.startswith(bundle))
    for canary in (b"qzleak1", b"qzleak3", b"qzleak4", b"qzleak5", b"qzleak6", b"24/9999", b"24-9999"):
        assert [p for p, data in files.items() if canary in data] == [], canary


@pytest.mark.parametrize("escape", ["\\x0b", "\\x00", "\\u0085", "\\x1b"])
def test_control_characters_escaped_in_yaml_are_an_error_with_their_line(escape: str) -> None:
    text = HEAD.replace("date: 2024-09-02\n", f'date: 2024-09-02\nlocation: "Lokale{escape} 4"\n')
    text += "## Punkt 1: Budget\n\n### Beslutning\n\nGodkendt.\n"
    meeting, findings = parse_meeting(text.encode(), "content/nord/2024-09-02-chefforum.md", CONFIG)
    assert meeting is None
    assert [(f.line, f.level) for f in findings] == [(5, "error")]
    assert "kontroltegn" in findings[0].message


def test_check_and_build_take_pathological_lines_without_a_hang(tmp_path: Path) -> None:
    """100 kB lines through every scanner of check and build (links, dates, names, topics, privacy)."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    lines = ["[" * 30_000 + "]" * 30_000, "den 8. " * 15_000, "Sundhedsklynge " * 7_000, "<" * 100_000]
    lines += ["1" * 100_000, "05-12-2023 " * 9_000, "lægedækning " * 8_000, "](/" * 30_000]
    body = "## Punkt 1: Budget\n\n### Beslutning\n\nGodkendt.\n\n" + "\n\n".join(lines) + "\n"
    (site / "content/nord/2024-09-02-chefforum.md").write_text(HEAD + body, "utf-8")
    for command in ("check", "build"):
        result = run_cli(command, "--site", site, *(("--no-search",) if command == "build" else ()))
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


def test_a_cpr_number_in_site_config_stops_the_build(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    config = site / "site_config.yaml"
    text = config.read_text("utf-8")
    config.write_text(text.replace("description:", "description: Kontakt 010190-1235", 1), "utf-8")
    result = run_cli("build", "--site", site, "--no-search")
    assert result.returncode == 1
    assert "site_config.yaml:" in result.stderr and "010190-xxxx" in result.stderr
    assert "010190-1235" not in result.stderr
    assert not (site / "output").exists()
