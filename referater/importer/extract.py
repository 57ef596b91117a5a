"""Input bytes (text file, PDF, stdin) → normalised text lines."""

from __future__ import annotations

import io
import re
import unicodedata
from collections import Counter

from .model import ImportFailure, Report

_PAGE_NO = re.compile(r"^(side\s+)?\d{1,3}(\s*(af|/)\s*\d{1,3})?$", re.IGNORECASE)


def to_lines(data: bytes, report: Report) -> list[str]:
    """Decode a text or PDF input; raise ImportFailure when it is not readable text at all."""
    if not data.strip():
        raise ImportFailure("the file is empty")
    is_pdf = data.lstrip()[:5] == b"%PDF-"
    text = _pdf_text(data, report) if is_pdf else _decode(data, report)
    return _normalise(text).split("\n")


def _decode(data: bytes, report: Report) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFailure("not readable text (broken UTF-16)") from None
    if b"\x00" in data:
        raise ImportFailure("this is a binary file, not text or PDF")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older Windows exports are often cp1252; accept them only if they look like text.
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise ImportFailure("not UTF-8 text and not a PDF (binary or unknown encoding)") from None
        report.warn(0, "the file is not UTF-8; read it as Windows-1252 (check æ, ø, å)")
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(2, len(text) // 200):
        raise ImportFailure("this is a binary file, not text or PDF")
    return text


def _pdf_text(data: bytes, report: Report) -> str:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ImportFailure("the PDF is password protected; export it again without a password")
        pages = [page.extract_text() or "" for page in reader.pages]
    except ImportFailure:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ImportFailure(f"cannot read the PDF ({exc})") from None
    if not "".join(pages).strip():
        raise ImportFailure(
            "the PDF has no text (probably a scanned document); export the referat from the "
            "agenda system as a PDF with text, or copy the text into a .txt file"
        )
    return "\n".join(_strip_running_lines(pages))


def _strip_running_lines(pages: list[str]) -> list[str]:
    """Drop page numbers and headers/footers repeated on most pages: PDF layout, not content."""
    split = [[ln.strip() for ln in page.splitlines()] for page in pages]
    edges: Counter[str] = Counter()
    for lines in split:
        nonblank = [ln for ln in lines if ln]
        edges.update(set(nonblank[:2] + nonblank[-2:]))
    running = {ln for ln, n in edges.items() if len(pages) >= 3 and n >= len(pages) * 0.6}
    kept: list[str] = []
    for lines in split:
        nonblank_idx = [i for i, ln in enumerate(lines) if ln]
        edge_idx = set(nonblank_idx[:1] + nonblank_idx[-1:])
        for i, ln in enumerate(lines):
            if ln in running or (i in edge_idx and _PAGE_NO.match(ln)):
                continue
            kept.append(ln)
    return kept


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = text.replace("\u00a0", " ").replace("\u00ad", "").replace("\u200b", "")
    return "\n".join(line.rstrip() for line in text.split("\n"))
