"""Specimens of the layouts real Danish agenda systems publish (tests/fixtures/import/specimens/: the
structure and markers studied on each publisher's pages, text written for the project), each scored
against the facts beside it: date, items and titles, decisions, case numbers, time slots, absentees,
closed items, and what must not become an item or a heading. Every fact must be right."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from test_importer import ROOT, decisions, items, run_import, split

SPECIMENS = ROOT / "tests" / "fixtures" / "import" / "specimens"
FACTS = sorted(SPECIMENS.glob("*.yaml"))


def _source(facts_path: Path, tmp_path: Path) -> Path:
    facts = yaml.safe_load(facts_path.read_text(encoding="utf-8"))
    stem = facts_path.stem
    render = facts.get("render")
    if render == "pdf":
        out = tmp_path / f"{stem}.pdf"
        render_pdf((SPECIMENS / f"{stem}.txt").read_text(encoding="utf-8"), out)
        return out
    if render == "docx":
        out = tmp_path / f"{stem}.docx"
        render_docx((SPECIMENS / f"{stem}.txt").read_text(encoding="utf-8"), out)
        return out
    return next(p for p in SPECIMENS.glob(f"{stem}.*") if p.suffix in (".txt", ".html", ".htm"))


def render_pdf(text: str, path: Path) -> None:
    """ "# " lines as large bold headings, "## " as bold ones, tab-separated cells in columns, a running header ("@header …") and a footer
    "Side n af m" on every page, "@page" a page break: what an agenda system's PDF export looks like."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    header = ""
    pages: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.startswith("@header "):
            header = line[8:]
        elif line == "@page":
            pages.append([])
        else:
            pages[-1].append(line)
    pdf = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    for number, lines in enumerate(pages, 1):
        pdf.setFont("Helvetica", 8)
        pdf.drawString(50, height - 30, header)
        pdf.drawString(width - 120, 30, f"Side {number} af {len(pages)}")
        y = height - 70
        for line in lines:
            if line.startswith("# "):
                y -= 8
                pdf.setFont("Helvetica-Bold", 15)
                pdf.drawString(50, y, line[2:])
                y -= 22
            elif line.startswith("## "):
                pdf.setFont("Helvetica-Bold", 10)
                pdf.drawString(50, y, line[3:])
                y -= 14
            else:
                pdf.setFont("Helvetica", 10)
                for column, cell in enumerate(line.split("\t")):  # a table row: cells in columns
                    pdf.drawString(50 + (300 + 60 * (column - 1) if column else 0), y, cell)
                y -= 13
        pdf.showPage()
    pdf.save()


def render_docx(text: str, path: Path) -> None:
    """ "# " lines as Heading 1, "## " as Heading 2, "### " as Heading 3, "#. " as a bold paragraph that
    Word numbers itself ("List Number"), "| a | b |" lines as the rows of one table (a cell's " / " a
    paragraph break in it), the rest as paragraphs."""
    import docx

    document = docx.Document()
    rows: list[list[str]] = []

    def table() -> None:
        if rows:
            grid = document.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for r, cells in enumerate(rows):
                for c, cell in enumerate(cells):
                    grid.cell(r, c).text = cell.replace(" / ", "\n")
            rows.clear()

    for line in text.splitlines():
        m = re.match(r"^(#{1,3}) (.*)$", line)
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
            continue
        table()
        if line.startswith("#. "):  # Word's own numbering: the number is not in the text
            document.add_paragraph(style="List Number").add_run(line[3:]).bold = True
        elif m:
            document.add_heading(m.group(2), level=len(m.group(1)))
        else:
            document.add_paragraph(line)
    table()
    document.save(str(path))


def score(markdown: str, facts: dict) -> tuple[int, list[str]]:
    """(facts right, what was wrong) for one import."""
    meta, body = split(markdown)
    found = items(markdown)
    by_number = {i["number"]: i for i in found}
    wrong: list[str] = []
    right = 0

    def check(ok: bool, what: str) -> None:
        nonlocal right
        if ok:
            right += 1
        else:
            wrong.append(what)

    check(str(meta.get("date")) == str(facts["date"]), f"date {meta.get('date')} != {facts['date']}")
    for key in ("cluster", "forum"):
        if key in facts:
            check(meta.get(key) == facts[key], f"{key} {meta.get(key)} != {facts[key]}")
    if "time" in facts:
        check(meta.get("time") == facts["time"], f"time {meta.get('time')} != {facts['time']}")
    expected = [(n, t) for n, t in facts["items"]]
    check(len(found) == len(expected), f"{len(found)} items, expected {len(expected)}")
    for number, title in expected:
        item = by_number.get(number)
        shown = re.sub(r"\s*–\s*Lukket punkt$", "", item["title"]) if item else None
        check(shown == title, f"item {number}: {shown!r} != {title!r}")
    for number, text in (facts.get("decisions") or {}).items():
        got = " ".join(decisions(by_number[number])) if number in by_number else ""
        check(text in got, f"decision of {number}: {text!r} not in {got[:80]!r}")
    for number, case in (facts.get("cases") or {}).items():
        pre = by_number[number]["pre"] if number in by_number else ""
        check(f"Sagsnr.: {case}" in pre, f"case of {number}: {case} not in {pre[:60]!r}")
    for number, slot in (facts.get("slots") or {}).items():
        pre = by_number[number]["pre"] if number in by_number else ""
        check(f"Tidspunkt: {slot}" in pre, f"slot of {number}: {slot} not in {pre[:60]!r}")
    absent = {p["name"] for p in meta.get("participants") or [] if p.get("absent")}
    for name in facts.get("absent") or []:
        check(name in absent, f"absentee {name} missing (have {sorted(absent)})")
    extra = absent - set(facts.get("absent") or [])
    check(not extra, f"absentees that are not: {sorted(extra)}")
    for number in facts.get("closed") or []:
        item = by_number.get(number)
        ok = bool(item) and item["pre"].strip().startswith("Lukket: ja") and not item["sections"]
        check(ok, f"item {number} is not written as closed")
    check("CANARY" not in markdown, "text of a closed item leaked")
    opened = [i["number"] for i in found if i["pre"].strip().startswith("Lukket: ja")]
    check(sorted(opened) == sorted(facts.get("closed") or []), f"closed items {opened}")
    titles = [i["title"] for i in found]
    for text in facts.get("not_items") or []:
        check(not any(text in t for t in titles), f"{text!r} became an item")
    for text in facts.get("not_text") or []:  # group headings, portal furniture: neither item nor text
        check(text not in body, f"{text!r} is in the text")
    for text in facts.get("not_headings") or []:  # a link alone in a paragraph is text, not a heading
        check(not re.search(rf"^#+ {re.escape(text)}\s*$", body, re.M), f"{text!r} became a heading")
    return right, wrong


@pytest.mark.parametrize("facts_path", FACTS, ids=[p.stem for p in FACTS])
def test_specimen_facts_all_right(tmp_path: Path, facts_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "site_config.yaml").write_bytes((ROOT / "site_config.yaml").read_bytes())
    facts = yaml.safe_load(facts_path.read_text(encoding="utf-8"))
    source = _source(facts_path, tmp_path)
    # A specimen that names its body ("cluster:", "forum:") is imported without --cluster/--forum.
    named = "cluster" in facts
    options = () if named else ("--cluster", "fyn", "--forum", "politisk-niveau")
    result = run_import(site, str(source), "--dry-run", *options)
    err = result.stderr.decode()
    assert result.returncode == 0 and "Traceback" not in err, err
    right, wrong = score(result.stdout.decode("utf-8"), facts)
    assert not wrong, f"{right}/{right + len(wrong)} facts right; wrong: {wrong}"


def test_at_least_ten_publishers_and_every_input_kind() -> None:
    facts = [yaml.safe_load(p.read_text(encoding="utf-8")) for p in FACTS]
    assert len({f["publisher"].split(",")[0] for f in facts}) >= 10
    kinds = {
        f.get("render") or next(s.suffix for s in SPECIMENS.glob(f"{p.stem}.*") if s.suffix != ".yaml")
        for f, p in zip(facts, FACTS, strict=True)
    }
    assert {"pdf", "docx", ".html", ".txt"} <= kinds
