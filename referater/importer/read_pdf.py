"""PDF reader: pdfplumber's words with their font size and weight → headings, paragraphs and lines;
running headers, footers and page numbers dropped. pypdf's plain text is the fallback."""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass

from .blocks import MARK, STATUS_COLUMN, Block, to_lines
from .model import ImportFailure, Report

PAGE_NO = re.compile(r"^(?:side\s+)?\d{1,3}(?:\s*(?:af|/|of)\s*\d{1,3})?$", re.IGNORECASE)
_SCANNED = (
    "PDF'en har ingen tekst (no text; sandsynligvis et scannet dokument, scanned); hent referatet fra "
    "dagsordenssystemet som PDF med tekst, eller kopiér teksten over i en .txt-fil"
)


@dataclass
class _Line:
    page: int
    top: float
    bottom: float
    text: str
    size: float
    bold: bool
    edge: bool  # in the top or bottom margin of its page


def pdf_lines(data: bytes, report: Report) -> list[str]:
    for name in ("pdfminer", "pypdf", "pdfplumber"):  # their warnings about a damaged file are not ours
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        lines = _plumber_lines(data)
    except ImportFailure:
        raise
    except Exception:  # pdfplumber fails on some damaged files that pypdf still reads
        return _pypdf_lines(data)
    if not any(ln.text.strip() for ln in lines):
        raise ImportFailure(_SCANNED)
    return to_lines(_blocks(_drop_running(lines)), spaced=False)


def _plumber_lines(data: bytes) -> list[_Line]:
    import pdfplumber

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except Exception as exc:
        if "password" in str(exc).lower() or "encrypt" in type(exc).__name__.lower():
            raise ImportFailure("PDF'en er beskyttet med adgangskode; eksportér den igen uden") from None
        raise
    out: list[_Line] = []
    with pdf:
        for number, page in enumerate(pdf.pages):
            words = page.extract_words(extra_attrs=["size", "fontname"], use_text_flow=True)
            out.extend(_page_lines(number, float(page.height), words))
    return out


def _page_lines(number: int, height: float, words: list[dict]) -> list[_Line]:
    rows: list[list[dict]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= 2.5:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines: list[_Line] = []
    grid: dict[str, float] = {}  # an attendance grid's columns: status → centre of its header word
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        text = row[0]["text"]
        for prev, word in zip(row, row[1:], strict=False):
            gap = word["x0"] - prev["x1"]
            text += ("    " if gap > 3 * word["size"] else " ") + word["text"]
        text, grid = _grid_line(row, text, grid)
        size = max(w["size"] for w in row)
        bold = all(re.search(r"bold|black|heavy|semibold|,b\b", w["fontname"], re.I) for w in row)
        top, bottom = min(w["top"] for w in row), max(w["bottom"] for w in row)
        edge = top < height * 0.08 or bottom > height * 0.93
        lines.append(_Line(number, top, bottom, text, size, bold, edge))
    return lines


def _grid_line(row: list[dict], text: str, grid: dict[str, float]) -> tuple[str, dict[str, float]]:
    """ "Sundhedsudvalget  Deltog  Afbud" over "Navn (A)   x" rows (Norddjurs): the x's column is the
    member's status, so "Navn (A): Afbud"; what the text alone cannot say."""
    status = {w["text"]: (w["x0"] + w["x1"]) / 2 for w in row[1:] if STATUS_COLUMN.match(w["text"])}
    if len(status) >= 2 and len(row) - len(status) <= 3:
        return "Medlemmer:", status
    if grid and len(row) >= 3 and MARK.match(row[-1]["text"]):
        centre = (row[-1]["x0"] + row[-1]["x1"]) / 2
        column = min(grid, key=lambda s: abs(grid[s] - centre))
        return f"{' '.join(w['text'] for w in row[:-1])}: {column}", grid
    return text, {}


def _drop_running(lines: list[_Line]) -> list[_Line]:
    """Page numbers, and header/footer lines that repeat on most pages (digits aside)."""
    pages = len({ln.page for ln in lines})
    shapes = Counter(
        key for key in {(ln.page, re.sub(r"\d+", "#", ln.text.lower())) for ln in lines if ln.edge}
    )
    counts = Counter(shape for _, shape in shapes)
    running = {shape for shape, n in counts.items() if pages >= 2 and n >= max(2, pages * 0.5)}
    # The running header at the top of the first page stays once: it may be all that names the meeting
    # ("Praksisplanudvalget · Sundhedsklynge Fyn – Politisk niveau · 04.02.2027").
    first = (
        sorted((ln for ln in lines if ln.page == lines[0].page), key=lambda ln: ln.top)[:1] if lines else []
    )
    return [
        ln
        for ln in lines
        if not (
            ln.edge
            and (
                PAGE_NO.match(ln.text.strip())
                or (re.sub(r"\d+", "#", ln.text.lower()) in running and ln not in first)
            )
        )
    ]


def _blocks(lines: list[_Line]) -> list[Block]:
    sizes: Counter[float] = Counter()
    for ln in lines:
        sizes[round(ln.size, 1)] += len(ln.text)
    body = sizes.most_common(1)[0][0] if sizes else 10.0
    gaps = Counter(
        round(b.top - a.top)
        for a, b in zip(lines, lines[1:], strict=False)
        if a.page == b.page and b.top > a.top
    )
    pitch = gaps.most_common(1)[0][0] if gaps else body * 1.3
    blocks: list[Block] = []
    prev: _Line | None = None
    for ln in lines:
        heading = ln.size >= body + 1.5
        if prev is not None and prev.page == ln.page and ln.top - prev.top > pitch * 1.6:
            blocks.append(Block("blank"))
        same_heading = (
            heading
            and blocks
            and blocks[-1].kind == "heading"
            and prev is not None
            and abs(prev.size - ln.size) < 0.5
            and ln.top - prev.top <= ln.size * 1.6
        )
        if same_heading:  # a heading wrapped over two lines is one heading
            last = blocks.pop()
            blocks.append(Block("heading", f"{last.text} {ln.text}", level=last.level))
        elif heading:
            blocks.append(Block("heading", ln.text, level=1 if ln.size >= body + 5 else 2))
        else:
            blocks.append(Block("paragraph", ln.text, bold=ln.bold and ln.size >= body - 0.5))
        prev = ln
    return blocks


def _pypdf_lines(data: bytes) -> list[str]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportFailure("PDF'en er beskyttet med adgangskode; eksportér den igen uden")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ImportFailure:
        raise
    except Exception as exc:
        raise ImportFailure(f"PDF'en kan ikke læses (broken PDF: {exc}); eksportér den igen") from None
    if not "".join(pages).strip():
        raise ImportFailure(_SCANNED)
    split = [[ln.strip() for ln in page.splitlines()] for page in pages]
    edges: Counter[str] = Counter()
    for page_lines in split:
        nonblank = [ln for ln in page_lines if ln]
        edges.update(set(nonblank[:2] + nonblank[-2:]))
    running = {ln for ln, n in edges.items() if len(pages) >= 3 and n >= len(pages) * 0.6}
    kept: list[str] = []
    for page_lines in split:
        nonblank = [i for i, ln in enumerate(page_lines) if ln]
        edge = set(nonblank[:1] + nonblank[-1:])
        kept += [
            ln
            for i, ln in enumerate(page_lines)
            if ln not in running and not (i in edge and PAGE_NO.match(ln))
        ]
    return kept
