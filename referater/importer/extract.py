"""Input bytes → normalised text lines, through the reader for the input's kind (text, HTML, Word, PDF)."""

from __future__ import annotations

import re
import unicodedata

from .model import ImportFailure, Report

_HTML_START = re.compile(
    rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|div|title)\b", re.I | re.S
)


def kind_of(data: bytes, name: str) -> str:
    """ "pdf", "docx", "html" or "text": by content first (a renamed file still reads), then by name."""
    head = data.lstrip()[:512]
    if head[:5] == b"%PDF-":
        return "pdf"
    if data[:4] == b"PK\x03\x04":
        return "docx"
    lower = name.lower()
    if _HTML_START.match(head) or (lower.endswith((".html", ".htm")) and b"<" in head):
        return "html"
    return "text"


def to_lines(data: bytes, report: Report, name: str = "") -> list[str]:
    """Decode an input; raise ImportFailure when it is not readable as a referat's text at all."""
    if not data.strip():
        raise ImportFailure(
            "filen er tom (empty file); hent referatet igen fra dagsordenssystemet, gem det og prøv igen"
        )
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":  # OLE2: Word 97-2003 (.doc), or Excel, Outlook
        raise ImportFailure(
            "filen er et ældre Office-dokument (fx Word 97-2003, .doc), som importøren ikke kan læse; åbn "
            "den i Word og gem den som Word-dokument (.docx) eller PDF, og prøv igen"
        )
    if data[:4] == b"PK\x03\x04" and b"application/vnd.oasis.opendocument" in data[:200]:
        raise ImportFailure(
            "filen er et OpenDocument-dokument (.odt, LibreOffice), som importøren ikke kan læse; gem den "
            "som Word-dokument (.docx) eller PDF, og prøv igen"
        )
    if data.lstrip()[:5] == b"{\\rtf":
        raise ImportFailure(
            "filen er RTF (Rich Text Format), som importøren ikke kan læse; åbn den i Word og gem den som "
            "Word-dokument (.docx) eller PDF, og prøv igen"
        )
    kind = kind_of(data, name)
    if kind == "pdf":
        from .read_pdf import pdf_lines

        lines = pdf_lines(data, report)
    elif kind == "docx":
        from .read_docx import docx_lines

        lines = docx_lines(data)
    elif kind == "html":
        from .read_html import html_lines

        lines = html_lines(decode(data, report))
    else:
        lines = decode(data, report).split("\n")
    return normalise("\n".join(lines)).split("\n")


def decode(data: bytes, report: Report) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            raise ImportFailure("kan ikke læses som tekst (ødelagt UTF-16)") from None
    if b"\x00" in data:
        raise ImportFailure(_BINARY)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_mixed(data, report)
    controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
    if controls > max(2, len(text) // 200):
        raise ImportFailure(_BINARY)
    return text


def _decode_mixed(data: bytes, report: Report) -> str:
    """Text that is not UTF-8: older Windows exports are Windows-1252 (or Latin-1), and a file pieced
    together from two sources may be UTF-8 in some lines and Windows-1252 in others; each line is read
    the way it was written. Whether it looks like text is decided by the caller."""
    lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")
    legacy: list[int] = []
    out: list[str] = []
    for no, raw in enumerate(lines, 1):
        try:
            out.append(raw.decode("utf-8"))
        except UnicodeDecodeError:
            legacy.append(no)
            # cp1252 leaves five bytes undefined; Latin-1 reads them (as control characters).
            out.append("".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in raw))
    read_as_legacy = set(legacy)
    utf8 = any(not ln.isascii() for no, ln in enumerate(out, 1) if no not in read_as_legacy)
    if not utf8:
        report.warn(0, "filen er ikke UTF-8; den er læst som Windows-1252 (kontrollér æ, ø og å)")
    else:
        report.warn(
            legacy[0],
            f"{len(legacy)} linje(r) er ikke UTF-8 og er læst som Windows-1252 (første: linje {legacy[0]}); "
            "kontrollér æ, ø og å der, eller gem filen igen som UTF-8",
        )
    return "\n".join(out)


_BINARY = (
    "filen er binær, ikke tekst, HTML, Word eller PDF (binary); gem referatet som PDF, Word, "
    "HTML eller tekst (UTF-8) og prøv igen"
)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n").replace("\u2028", "\n")
    text = text.replace("\u00a0", " ").replace("\u00ad", "").replace("\u200b", "").replace("\ufeff", "")
    return "\n".join(line.rstrip() for line in text.split("\n"))
