"""Attacks a red-team found holes with, one test each: in the leak guarantee (nothing closed, no draft
reaches any output: whole builds into a temporary site, every output file searched, Pagefind's gzip
chunks decompressed) and in the bad-input guarantee (one Danish message with file:line, exit 1, no
traceback, the published output as it was)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from browser_sites import decoded
from conftest import FIXTURES, copy_site, tree_digest
from sitegen import cli_command, cli_env

from referater import closed, privacy
from referater.config import load_config
from referater.content import parse_meeting
from referater.errors import Finding, SiteError
from referater.model import Meeting
from referater.pipeline import build
from referater.search import index as search_index

HEAD = "---\ncluster: nord\nforum: chefforum\ndate: 2024-09-04\n{extra}---\n\n"
OPEN = (
    "## Punkt 1: Godkendelse\n\n### Beslutning\n\nGodkendt qzcontrol.\n\n"
    "## Punkt 2: Salg af bygning\n\n### Sagsfremstilling\n\nTekst qzsecretword.\n"
)
CLOSED = (
    "## Punkt 1: Godkendelse\n\n### Beslutning\n\nGodkendt qzcontrol.\n\n## Punkt 2: Salg – Lukket punkt\n"
)
MEETING = "content/nord/2024-09-04-chefforum.md"
OTHER = "content/nord/2024-09-05-chefforum.md"  # published throughout: its word proves the index works


def run_build(site: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli_command(site), env=cli_env(**env), capture_output=True, text=True, timeout=300)


def where(out: Path, word: bytes) -> list[str]:
    return sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file() and word in decoded(p))


@pytest.mark.parametrize("change", ["closed", "draft"])
@pytest.mark.parametrize("stop", ["open data", "feeds"])
def test_a_build_stopped_after_the_search_stage_leaves_no_old_text_in_the_index(
    tmp_path: Path, change: str, stop: str
) -> None:
    """The search stage writes its state before the output is published. A build killed after it (or
    failing in a later stage) left a state that said the bundle holding the old version had been
    scrubbed, so the next build kept the published bundle: the closed item's text, or the draft's, stayed
    downloadable from the search index for good."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    (site / MEETING).write_text(HEAD.format(extra="") + OPEN, "utf-8")
    other = (
        HEAD.format(extra="").replace("2024-09-04", "2024-09-05") + "## Punkt 1: Orientering\n\nqzother.\n"
    )
    (site / OTHER).write_text(other, "utf-8")
    assert run_build(site).returncode == 0
    out = site / "output"
    assert any(p.startswith("pagefind/") for p in where(out, b"qzsecretword"))
    if change == "closed":
        (site / MEETING).write_text(HEAD.format(extra="") + CLOSED, "utf-8")
    else:
        (site / MEETING).write_text(HEAD.format(extra="draft: true\n") + OPEN, "utf-8")
    assert run_build(site, REFERATER_FAULT=stop).returncode < 0  # killed at that point
    done = run_build(site)
    assert done.returncode == 0, done.stderr
    assert where(out, b"qzsecretword") == []
    assert any(p.startswith("pagefind/") for p in where(out, b"qzother"))


# --- closed items written in ways the rule did not read as closed ------------------------------------------

CONFIG = load_config(FIXTURES / "links")
FILE = "content/nord/2024-09-02-chefforum.md"
TOP = "---\ncluster: nord\nforum: chefforum\ndate: 2024-09-02\n---\n\n## Punkt 1: Godkendelse\n\nGodkendt qzcontrol.\n\n"

# Each title was read as an open item's, so the text under it was published.
TITLES = [
    "Salg af arealer – lukket jf. offentlighedslovens § 30",
    "Salg (lukket, jf. § 30)",
    "Salg (lukket jf. forvaltningslovens § 15)",
    "Salg - LUKKET (jf. § 30)",
    "Lukket jf. § 15: Salg",
    "Lukket (§ 30): Salg",
    "Lukket§ 30: Salg",
    "Lukket pga. persondata: Salg",
    "Personalesag (lukket for offentligheden)",
    "Salg [LUKKET – § 30]",
    "Salg (Lukket, persondata)",
    "Lukkede punkter: Salg",
    "Salg – ej offentligt",
    "Salg – ikke til offentliggørelse",
    "Lukket\u2011punkt – Salg",  # a non-breaking hyphen
    "Salg (lukket\u2011punkt)",
    "Lukk\u0435t punkt – Salg",  # a Cyrillic е
    "L\u00fakket punkt – Salg",  # a diacritic
    "Sale – not public",
    "Non-public item: Sale",
]
# Each line was read as saying nothing, so its item stayed open.
LINES = [
    "L\u200bukket: ja",  # a zero-width space
    "Lu\u00adkket: ja",  # a soft hyphen
    "Lukk\u00e9t: ja",
    "LUKK\u00c9T PUNKT",
    "Lukk\u0435t: ja",
    "Lukket ja",
    "Lukket - ja",
    "L*ukket*: ja",  # emphasis inside the word: the page shows one word
    "Luk**ket** punkt",
    "Lukket&#58; ja",
    "&#76;ukket: ja",
    "<p>Lukket: ja</p>",
    "| Lukket | ja |",
    "| 2 | Lukket punkt |",
    "Lukket jf. offentlighedslovens § 30",
    "Lukket, jf. § 30",
    "Lukket punkt – jf. § 30",
    "Lukket punkt (§ 30)",
    "Lukket for offentligheden",
    "Lukket punkt – Personalesag",
    "Lukket-punkt",
    "Lukketpunkt",
    "Status: Lukket",
    "Offentlighed: lukket punkt",
    "Offentligt: nej",
    "Åbent punkt: nej",
    "Punktet er lukket.",
    "Dette punkt behandles for lukkede døre.",
]
# Each structure left a closed item's text, or an item meant to be closed, in an open item.
STRUCTURES = {
    "item-heading-on-level-3": "## Punkt 2: Salg\n\nTekst.\n\n### Punkt 3: Lukket punkt – Sag\n\nqzsecret.\n",
    "closed-sub-heading": "## Punkt 2: Salg\n\n### Sagsfremstilling\n\n#### Sagen (lukket)\n\nqzsecret.\n",
    "closed-section-heading": "## Punkt 2: Salg\n\n### Sagsfremstilling (lukket)\n\nqzsecret.\n",
    "item-heading-in-html": "## Punkt 2: Salg\n\n<h2>Punkt 3: Lukket punkt – Sag</h2>\n\nqzsecret.\n",
    "two-line-setext-title": "Punkt 2: Lukket punkt – Salg\nqzsecret tekst\n---\n",
    "link-definition-in-closed-item": (
        "## Punkt 2: Lukket punkt – Salg\n\n[a]: https://example.org/qzsecret 'qzsecret'\n\n"
        "## Punkt 3: Eventuelt\n\nSe [bilaget][a].\n"
    ),
}
# Running text that mentions closing: the item stays open and its text is published.
OPEN_TEXT = [
    "Afdelingen blev lukket i 2023.",
    "Lukket afdeling på Sygehus Sønderjylland genåbner.",
    "Der er lukket for tilgang af nye patienter, jf. aftalen.",
    "Sagen er lukket.",
    "Udelukkende offentlige midler.",
    "Mødet var åbent for offentligheden.",
    "- Akutklinikken i Tønder: lukket",
    "Lukkede sengeafsnit: 3",
    "| Tønder | Lukket i juli |",
    "Offentlige: nej tak",
    "Offentlig høring: nej",
    "Et lukket møde blev holdt i maj.",
    "Fortroligheden skal sikres.",
    "Status: afsluttet",
    "Lukket – genåbner i maj.",
    "- Lukket - afventer ansættelse",
]


def parsed(body: str) -> tuple[Meeting | None, list[Finding]]:
    return parse_meeting((TOP + body).encode(), FILE, CONFIG)


def shown(meeting: Meeting) -> str:
    """Everything of a meeting that any output is made from."""
    parts = [meeting.title, meeting.location]
    for item in meeting.items:
        parts += [item.title, item.summary, item.slot, *item.cases, *item.documents, *item.hand_topics]
        parts += [text for s in item.sections for text in (s.heading, s.html, s.markdown, s.text)]
    return "\n".join(parts)


def assert_withheld(body: str) -> list[Finding]:
    """The secret is published nowhere: the file is refused with a line, or the text is cut."""
    meeting, findings = parsed(body)
    errors = [f for f in findings if f.level == "error"]
    if meeting is None:
        assert errors and all(f.line > 0 for f in errors)
    else:
        assert "qzsecret" not in shown(meeting)
        assert "qzcontrol" in shown(meeting)
    return errors


@pytest.mark.parametrize("title", TITLES)
def test_a_title_that_says_closed_in_other_words_closes(title: str) -> None:
    assert closed.is_closed_title(title)
    errors = assert_withheld(f"## Punkt 2: {title}\n\nqzsecret.\n")
    assert [f.code for f in errors] == ["closed-body"]
    meeting, _ = parsed(f"## Punkt 2: {title}\n")
    assert meeting is not None and meeting.items[1].closed and meeting.items[1].title


@pytest.mark.parametrize("line", LINES)
@pytest.mark.parametrize("where", ["top", "section"])
def test_a_line_that_says_closed_in_other_words_closes(line: str, where: str) -> None:
    assert closed.closed_by_line(line) is True
    if where == "top":
        body = f"## Punkt 2: Salg af bygning\n\n{line}\n\nqzsecret.\n"
    else:
        body = f"## Punkt 2: Salg af bygning\n\n### Sagsfremstilling\n\nqzsecret.\n\n{line}\n"
    assert "closed-body" in [f.code for f in assert_withheld(body)]


@pytest.mark.parametrize("name", sorted(STRUCTURES))
def test_a_closed_item_hidden_in_the_structure_is_refused(name: str) -> None:
    errors = assert_withheld(STRUCTURES[name])
    assert errors, "the file must be refused: its writer meant a closed item"


def test_a_link_definition_in_a_closed_item_names_its_line() -> None:
    _, findings = parsed(STRUCTURES["link-definition-in-closed-item"])
    assert [(f.line, f.code) for f in findings if f.level == "error"] == [(13, "closed-body")]


@pytest.mark.parametrize("line", OPEN_TEXT)
def test_running_text_that_mentions_closing_is_published(line: str) -> None:
    meeting, findings = parsed(f"## Punkt 2: Orientering\n\n{line}\n\n### Beslutning\n\nqzpublished.\n")
    assert meeting is not None, findings
    assert not meeting.items[1].closed
    assert "qzpublished" in shown(meeting)


def test_a_whole_build_refuses_the_hidden_closed_items_and_keeps_the_output(tmp_path: Path) -> None:
    """Through the command line: each file is one Danish message with its line, the build exits non-zero
    without a traceback, and the published output is as it was, byte for byte."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    assert run_build(site).returncode == 0
    before = tree_digest(site / "output")
    bodies = [f"## Punkt 2: {TITLES[0]}\n\nqzsecret.\n", f"## Punkt 2: Salg\n\n{LINES[0]}\n\nqzsecret.\n"]
    bodies += [STRUCTURES["link-definition-in-closed-item"], STRUCTURES["item-heading-on-level-3"]]
    for day, body in enumerate(bodies, 10):
        text = (TOP + body).replace("2024-09-02", f"2024-09-{day}")
        (site / f"content/nord/2024-09-{day}-chefforum.md").write_text(text, "utf-8")
    done = run_build(site)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    for day in range(10, 10 + len(bodies)):
        assert f"content/nord/2024-09-{day}-chefforum.md:" in done.stderr
        assert re.search(rf"2024-09-{day}-chefforum\.md:\d+: fejl: punkt \d er et lukket punkt", done.stderr)
    assert tree_digest(site / "output") == before
    assert where(site / "output", b"qzsecret") == []


# --- files that are no meeting file to read ----------------------------------------------------------------

GOOD = "---\ncluster: nord\nforum: chefforum\ndate: 2024-09-02\n---\n\n## Punkt 1: Godkendelse\n\nGodkendt.\n"
MEETING_FILE = "content/nord/2024-09-02-chefforum.md"


def _folder(site: Path) -> None:
    (site / MEETING_FILE).mkdir()


def _dangling(site: Path) -> None:
    (site / MEETING_FILE).symlink_to("missing.md")


def _loop(site: Path) -> None:
    (site / MEETING_FILE).symlink_to(Path(MEETING_FILE).name)


def _fifo(site: Path) -> None:
    os.mkfifo(site / MEETING_FILE)  # reading it would wait for a writer for ever


def _undecodable_name(site: Path) -> None:
    with open(os.path.join(os.fsencode(site / "content/nord"), b"2024-09-02-\xff.md"), "wb") as handle:
        handle.write(GOOD.encode())


def _no_content(site: Path) -> None:
    shutil.rmtree(site / "content")  # a wrong --site: building would delete every published meeting


def _org_list(site: Path) -> None:
    text = GOOD.replace("date: 2024-09-02", "date: 2024-09-02\nparticipants:\n  - {name: Bo, org: [A, B]}")
    (site / MEETING_FILE).write_text(text, "utf-8")


def _date_list(site: Path) -> None:
    (site / MEETING_FILE).write_text(GOOD.replace("date: 2024-09-02", "date: [2024-09-02]"), "utf-8")


BAD_FILES = {
    "folder-named-md": (_folder, f"{MEETING_FILE}:1: fejl: dette er en mappe, ikke en fil"),
    "dangling-link": (_dangling, f"{MEETING_FILE}:1: fejl: filen er et link, der ikke fører til nogen fil"),
    "link-to-itself": (_loop, f"{MEETING_FILE}:1: fejl: filen er et link, der ikke fører til nogen fil"),
    "named-pipe": (_fifo, f"{MEETING_FILE}:1: fejl: dette er ikke en almindelig fil"),
    "undecodable-name": (_undecodable_name, ":1: fejl: filnavnet er ikke UTF-8"),
    "no-content-folder": (_no_content, "content: fejl: der er ingen mappe content/"),
    "participant-org-a-list": (_org_list, f"{MEETING_FILE}:6: fejl: 'org' i participants skal være en tekst"),
    "date-a-list": (_date_list, f"{MEETING_FILE}:4: fejl: 'date' skal være én dato"),
}


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site(FIXTURES / "links", tmp_path_factory.mktemp("published") / "site")
    assert run_build(site).returncode == 0
    return site


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_a_file_that_cannot_be_a_meeting_is_one_message_and_the_output_stays(
    published: Path, tmp_path: Path, name: str
) -> None:
    """These were skipped without a word (a folder, a dead link, a named pipe), hung the build for ever
    (the pipe: the build read it to see whether a recent file had changed), ended in a traceback (a name
    that is not UTF-8), published Python's repr ("['A', 'B']"), or deleted every published meeting (no
    content/ folder)."""
    site = tmp_path / "site"
    shutil.copytree(published, site, symlinks=True)
    before = tree_digest(site / "output")
    setup, expected = BAD_FILES[name]
    setup(site)
    done = subprocess.run(cli_command(site), env=cli_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout
    assert "Traceback" not in done.stderr
    assert expected in done.stderr
    assert "intet blev udgivet" in done.stderr
    assert tree_digest(site / "output") == before


# --- the last guard: no written file holds a CPR number ----------------------------------------------------


def test_a_cpr_number_in_a_static_file_stops_the_build(published: Path, tmp_path: Path) -> None:
    """Only the content and the config were scanned: a text file in static/ (or a site template) was
    published with the number in it. Every file a build writes is now scanned for the forms with a dash
    or a space (privacy.cpr_in_output), whatever input it was made from."""
    site = tmp_path / "site"
    shutil.copytree(published, site, symlinks=True)
    before = tree_digest(site / "output")
    (site / "static").mkdir(exist_ok=True)
    (site / "static/noter.txt").write_text("Borgeren 010190-1235 ringede.\n", "utf-8")
    done = run_build(site)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "output/static/noter.txt: fejl: filen ville indeholde et CPR-nummer (010190-xxxx)" in done.stderr
    assert "1235" not in done.stderr
    assert tree_digest(site / "output") == before


def test_a_published_file_with_a_cpr_number_is_not_kept_because_it_is_unchanged(tmp_path: Path) -> None:
    """The guard read only bytes that differed from the published file: a file published before the
    guard existed (or by hand) with the number in it was linked into every later build unread."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    assert run_build(site).returncode == 0
    text = "Borgeren 010190-1235 ringede.\n"
    (site / "static").mkdir(exist_ok=True)
    (site / "static/noter.txt").write_text(text, "utf-8")
    (site / "output/static/noter.txt").write_text(text, "utf-8")  # as an older build published it
    before = tree_digest(site / "output")
    done = run_build(site)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "output/static/noter.txt: fejl: filen ville indeholde et CPR-nummer (010190-xxxx)" in done.stderr
    assert tree_digest(site / "output") == before


def test_digits_at_the_seam_of_two_sections_are_one_number_in_the_search_record(tmp_path: Path) -> None:
    """The search record reads an item's sections as one text: a date ending one section and a serial
    beginning the next became "010190 1235" in a Pagefind fragment, which the guard cannot read (it is
    compressed). `check` now names the line, and the build stops before anything is published."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    body = "## Punkt 1: Godkendelse\n\n### Sagsfremstilling\n\nSe nummer 010190\n\n### Indstilling\n\n1235 er nævnt.\n"
    (site / MEETING).write_text(HEAD.format(extra="") + body, "utf-8")
    line = (HEAD.format(extra="") + body).split("\n").index("1235 er nævnt.") + 1
    checked = subprocess.run(
        [*cli_command(site)[:2], "check", "--site", str(site)], env=cli_env(), capture_output=True, text=True
    )
    assert checked.returncode == 1
    assert f"{MEETING}:{line}: fejl: CPR-nummer (010190-xxxx)" in checked.stdout + checked.stderr
    done = run_build(site)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert not (site / "output").exists()


def test_digits_either_side_of_an_attachments_list_meet_in_the_search_record(tmp_path: Path) -> None:
    """The search record leaves the list of attachments out, so the sections before and after it are
    next to each other there, not on the page: `check` reads that seam too (model.searched_sections)."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    body = (
        "## Punkt 1: Godkendelse\n\n### Sagsfremstilling\n\nSe nummer 010190\n\n"
        "### Bilag\n\n- Notat om sagen\n\n### Indstilling\n\n1235 er nævnt.\n"
    )
    text = HEAD.format(extra="") + body
    (site / MEETING).write_text(text, "utf-8")
    line = text.split("\n").index("1235 er nævnt.") + 1
    checked = subprocess.run(
        [*cli_command(site)[:2], "check", "--site", str(site)], env=cli_env(), capture_output=True, text=True
    )
    assert checked.returncode == 1
    assert f"{MEETING}:{line}: fejl: CPR-nummer (010190-xxxx)" in checked.stdout + checked.stderr


def test_the_search_records_have_a_guard_of_their_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pagefind's files are compressed, so Staging's guard cannot read them: each record is scanned as it
    is made. Shown with a record maker that lets a number through, as a future bug in it might."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    text = HEAD.format(extra="") + "## Punkt 1: Godkendelse\n\n### Beslutning\n\nGodkendt.\n"
    (site / MEETING).write_text(text, "utf-8")
    assert run_build(site).returncode == 0
    before = tree_digest(site / "output")
    (site / MEETING).write_text(text + "\nEn ny linje.\n", "utf-8")
    made = search_index.meeting_page

    def leaky(*args: object, **kwargs: object) -> tuple[str, str]:
        url, html = made(*args, **kwargs)
        return url, html.replace("</body>", "<p>010190-1235</p></body>")

    monkeypatch.setattr(search_index, "meeting_page", leaky)
    with pytest.raises(SiteError) as stopped:
        build(site, jobs=1)
    (finding,) = stopped.value.findings
    assert (
        finding.path.startswith("content/")
        and "søgeindekset ville indeholde et CPR-nummer" in finding.message
    )
    assert "1235" not in finding.message
    assert tree_digest(site / "output") == before


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (b"<p>Nr. 010190-1235</p>", "010190"),
        ("010190\u20131235".encode(), "010190"),
        ("010190\u00a01235".encode(), "010190"),
        (b'{"x": "010190 1235"}', "010190"),
        (b"321290-1235", None),  # no 32 December
        (b"a010190-1235", None),  # part of a word: an id, a digest
        (b"12010190-1235", None),
        (b"0101901235", None),  # without a separator: digests and ids are full of such runs
        (b"DTSTART:20240902T090000Z", None),
    ],
)
def test_the_last_guard_reads_the_forms_with_a_separator(data: bytes, found: str | None) -> None:
    assert privacy.cpr_in_output(data) == found


@pytest.mark.parametrize(
    "decision",
    ["Se [bilaget][a].\n\n[a]: https://example.org/qzpublished\n", "Godkendt qzpublished.\n\n<div>x</div>\n"],
    ids=["link-definition", "html-block-last"],
)
def test_a_public_decision_keeps_what_it_holds(decision: str) -> None:
    """The definitions of a decision marked public are public too; an HTML block last in the file (which
    cmark ends a line early) is no swallowed text."""
    body = f"## Punkt 2: Lukket punkt – Salg\n\nOffentlig beslutning: ja\n\n### Beslutning\n\n{decision}"
    meeting, findings = parsed(body)
    assert meeting is not None, findings
    assert "qzpublished" in shown(meeting)
