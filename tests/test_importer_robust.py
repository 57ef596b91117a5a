"""Importer robustness: whatever a user feeds it (random or truncated HTML, text with odd Unicode, any
stream of blocks a reader could produce) ends in a content file or one Danish message, never a
traceback; and what it writes for every specimen is content the engine's `check` accepts."""

from __future__ import annotations

import argparse
import datetime
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_importer import ROOT, run_import
from test_importer_specimens import FACTS, SPECIMENS, _source

from referater.config import load_config
from referater.importer.blocks import Block
from referater.importer.blocks import to_lines as blocks_to_lines
from referater.importer.cli import import_one
from referater.importer.extract import to_lines
from referater.importer.layout import parse
from referater.importer.markdown_out import render
from referater.importer.model import ImportFailure, Report

CONFIG = load_config(ROOT)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ARGS = argparse.Namespace(cluster="fyn", forum="politisk-niveau", date=None)
HTML = (SPECIMENS / "regionh_edagsorden.html").read_text(encoding="utf-8")


def _import_bytes(data: bytes, name: str) -> str | None:
    """The Markdown for the input, or None when it is refused with an ImportFailure (a Danish message).
    Any other exception is a bug: the test fails with its traceback."""
    report = Report(name)
    try:
        lines = to_lines(data, report, name)
        parsed = parse(lines, CONFIG, report)
    except ImportFailure as exc:
        assert str(exc) and not str(exc).startswith("Traceback")
        return None
    parsed.meeting.cluster, parsed.meeting.forum = "fyn", "politisk-niveau"
    parsed.meeting.date = parsed.meeting.date or "2024-01-01"
    return render(parsed.meeting)


# Text a referat could hold, with the characters that break naive parsers mixed in.
_ODD = st.sampled_from(
    ["\u00a0", "\u00ad", "\u200b", "\ufeff", "\u2028", "\r", "\t", "\x0c", "ﬁ", "Ｌｕｋｋｅｔ", "🙂", "\u0301",
     "Æ", "ø", "å", "**", "#", "[", "](#)", "|", ":", "(", ")", "–", "•", "…", "\U0010ffff"]
)  # fmt: skip
_WORDS = st.sampled_from(
    ["Punkt 1:", "Pkt. 2", "3.", "4)", "Sag nr. 5", "Referat", "Dagsorden", "Beslutning", "Indstilling",
     "Lukket punkt", "Åben", "Lukket", "Afbud:", "Fraværende:", "Deltagere", "Alle var mødt undtagen",
     "deltog ikke", "den 5. december 2023", "05-12-2023", "kl. 9.00-9.05", "(15 min)", "Sagsnr.: 23/1",
     "Godkendt.", "Anna Holm (A)", "Indholdsfortegnelse", "..... 3", "Side 2 af 9", "\n", "\n\n", " "]
)  # fmt: skip
_TEXT = st.lists(st.one_of(_WORDS, _ODD, st.text(max_size=12)), max_size=80).map(" ".join)


@SETTINGS
@given(_TEXT)
def test_random_text_never_raises(text: str) -> None:
    for encoding in ("utf-8", "utf-16"):
        try:
            data = text.encode(encoding)
        except UnicodeEncodeError:
            continue  # lone surrogates cannot be written to a file either
        _import_bytes(data, "fuzz.txt")


@SETTINGS
@given(st.integers(min_value=0, max_value=len(HTML)), st.integers(min_value=0, max_value=len(HTML)))
def test_truncated_html_never_raises(a: int, b: int) -> None:
    start, end = sorted((a, b))
    _import_bytes(HTML[start:end].encode(), "cut.html")
    _import_bytes(HTML[:end].encode(), "cut.html")


_TAGS = st.sampled_from(
    ["<p>", "</p>", "<h2>", "</h2>", "<ol start='x'>", "<ol start='3'>", "</ol>", "<li>", "</li>", "<table>",
     "<tr>", "<td>", "</td>", "</tr>", "<br>", "<strong>", "</strong>", "<div class='cookie'>", "</div>",
     "<script>", "</script>", "<!--", "-->", "&nbsp;", "&#0;", "&amp;", "<html>", "<body>", "<title>"]
)  # fmt: skip


@SETTINGS
@given(st.lists(st.one_of(_TAGS, _WORDS, _ODD), max_size=120).map("".join))
def test_random_html_never_raises(soup: str) -> None:
    _import_bytes(("<!DOCTYPE html><html><body>" + soup).encode("utf-8", "surrogatepass"), "soup.html")


_BLOCK = st.builds(
    Block,
    kind=st.sampled_from(["heading", "paragraph", "list", "row", "blank"]),
    text=_TEXT,
    level=st.integers(min_value=0, max_value=9),
    bold=st.booleans(),
    number=st.sampled_from(["", "1", "2", "17"]),
    cells=st.lists(_TEXT, max_size=4).map(tuple),
    debris=st.booleans(),
)


@SETTINGS
@given(st.lists(_BLOCK, max_size=60), st.booleans())
def test_random_block_streams_never_raise(blocks: list[Block], spaced: bool) -> None:
    lines = blocks_to_lines(blocks, spaced)
    try:
        parsed = parse(lines, CONFIG, Report("blocks"))
    except ImportFailure:
        return
    render(parsed.meeting, spaced)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n1 0 obj <<>> endobj\n%%EOF",
        b"PK\x03\x04broken zip",
        os.urandom(64) + b"\x00",
        b"\xff\xfe\x00",
    ],
    ids=["broken-pdf", "broken-docx", "binary", "broken-utf16"],
)
def test_broken_files_end_in_one_danish_message(tmp_path: Path, data: bytes) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "site_config.yaml").write_bytes((ROOT / "site_config.yaml").read_bytes())
    path = tmp_path / "input.bin"
    path.write_bytes(data)
    result = run_import(site, str(path), "--cluster", "fyn", "--forum", "politisk-niveau")
    err = result.stderr.decode()
    assert result.returncode != 0 and "Traceback" not in err
    assert re.search(r"input\.bin: fejl: \S", err), err
    assert not (site / "content").exists()


def test_dead_whole_line_link_is_text_not_a_subheading(tmp_path: Path) -> None:
    text = (
        "Referat fra mødet den 5. december 2023\n\nPunkt 1: Godkendelse\n\nBeslutning\nGodkendt.\n\n"
        "Se også materialet.\n\n[Oversigt over indsatser](#)\n\n"
        "Dette er en længere tekst, der følger efter linket og forklarer, hvad indsatserne går ud på.\n"
    )
    path = tmp_path / "link.txt"
    path.write_text(text, encoding="utf-8")
    markdown, _, _ = import_one(str(path), CONFIG, ARGS, Report("link.txt"))
    assert "\nOversigt over indsatser\n" in markdown
    assert "#### Oversigt" not in markdown and "](#)" not in markdown


def test_every_specimen_imports_to_content_that_check_accepts(tmp_path: Path) -> None:
    """The engine is the judge of the importer's output: closed items without text, public decisions
    marked, 'Tidspunkt:' lines where it reads them."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "site_config.yaml").write_bytes((ROOT / "site_config.yaml").read_bytes())
    for day, facts in enumerate(FACTS, 1):  # dates in the cluster's lifetime: the specimens' are older
        source = str(_source(facts, tmp_path))
        date = (datetime.date(2024, 1, 1) + datetime.timedelta(days=day)).isoformat()  # more than 31
        result = run_import(site, source, "--cluster", "fyn", "--forum", "politisk-niveau", "--date", date)
        assert result.returncode == 0, result.stderr.decode()
    written = sorted((site / "content").rglob("*.md"))
    assert len(written) == len(FACTS)
    for path in written:
        assert "CANARY" not in path.read_text(encoding="utf-8"), path
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    check = subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "check", "--site", str(site)],
        capture_output=True,
        env=env,
        cwd=site,
        timeout=300,
    )
    out = check.stdout.decode() + check.stderr.decode()
    assert check.returncode == 0, out
    assert ": fejl:" not in out, out
    metas = [yaml.safe_load(p.read_text(encoding="utf-8").split("---")[1]) for p in written]
    assert all(m["cluster"] == "fyn" and m["forum"] == "politisk-niveau" for m in metas)


# --- odd encodings and empty documents ----------------------------------------------------------------

_UTF8_HEAD = (
    "Referat\nSundhedsklynge Fyn – Politisk niveau\nDato: 5. maj 2026\n\nPunkt 1: Godkendelse af dagsorden\n"
)


def test_a_file_of_utf8_and_windows_1252_lines_reads_each_line_as_written(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "site_config.yaml").write_bytes((ROOT / "site_config.yaml").read_bytes())
    data = (_UTF8_HEAD + "Beslutning\nGodkendt – uden ændringer.\n").encode() + (
        "\nPunkt 2: Økonomi for ældre\nBeslutning\nTaget til efterretning med fokus på æ, ø og å.\n"
    ).encode("cp1252")
    path = tmp_path / "mixed.txt"
    path.write_bytes(data)
    result = run_import(site, str(path), "--dry-run")
    err, out = result.stderr.decode(), result.stdout.decode()
    assert result.returncode == 0, err
    assert "## Punkt 2: Økonomi for ældre" in out and "med fokus på æ, ø og å." in out
    assert "Godkendt – uden ændringer." in out  # the UTF-8 lines are not read as Windows-1252 ("â€“")
    assert re.search(r"mixed\.txt:9: advarsel: 2 linje\(r\) er ikke UTF-8 .*linje 9", err), err


def test_a_windows_1252_file_with_latin1_bytes_is_read_with_one_warning(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "site_config.yaml").write_bytes((ROOT / "site_config.yaml").read_bytes())
    text = _UTF8_HEAD.replace("Godkendelse af dagsorden", "Årsberetning") + "Beslutning\nGodkendt.\n"
    path = tmp_path / "old.txt"
    path.write_bytes(text.encode("cp1252") + b"\x81\n")  # 0x81: undefined in cp1252, a control in Latin-1
    result = run_import(site, str(path), "--dry-run")
    err = result.stderr.decode()
    assert result.returncode == 0 and "## Punkt 1: Årsberetning" in result.stdout.decode(), err
    assert err.count("advarsel: filen er ikke UTF-8") == 1 and "Traceback" not in err


def test_a_word_document_without_text_gives_one_danish_message(tmp_path: Path) -> None:
    import docx

    site = tmp_path / "site"
    site.mkdir()
    (site / "site_config.yaml").write_bytes((ROOT / "site_config.yaml").read_bytes())
    path = tmp_path / "scan.docx"
    docx.Document().save(str(path))
    result = run_import(site, str(path), "--cluster", "fyn", "--forum", "politisk-niveau")
    err = result.stderr.decode()
    assert result.returncode != 0 and "Traceback" not in err
    assert re.search(r"scan\.docx: fejl: Word-dokumentet har ingen tekst .*\.txt-fil", err), err
    assert err.count("fejl:") == 1 and not (site / "content").exists()
