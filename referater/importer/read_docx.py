"""Word reader (python-docx): paragraphs and tables in document order; headings from paragraph styles,
list numbers from Word's numbering (they are not in the text), bold paragraphs kept bold."""

from __future__ import annotations

import io
import re

from .blocks import Block, to_lines
from .model import ImportFailure

_HEADING_STYLE = re.compile(r"^(?:heading|overskrift)\s*(\d)$|^(?:title|titel)$", re.IGNORECASE)


def docx_lines(data: bytes) -> list[str]:
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many kinds for a file that is no .docx
        raise ImportFailure(
            f"filen kan ikke læses som Word-dokument (.docx): {exc}; gem den igen som .docx eller PDF"
        ) from None
    numbering = _Numbering(document)
    blocks: list[Block] = []
    for child in document.element.body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            blocks.append(_paragraph(Paragraph(child, document), numbering))
        elif tag == "tbl":
            for row in Table(child, document).rows:
                blocks.append(Block("row", cells=tuple(cell.text for cell in row.cells)))
    if not any(b.text.strip() or b.cells for b in blocks):
        raise ImportFailure(
            "Word-dokumentet har ingen tekst (no text; måske kun billeder af et scannet referat); hent "
            "referatet fra dagsordenssystemet som Word eller PDF med tekst, eller kopiér teksten over i en .txt-fil"
        )
    return to_lines(blocks, spaced=False)


def _paragraph(paragraph, numbering: _Numbering) -> Block:  # noqa: ANN001 - python-docx type
    text = paragraph.text
    if not text.strip():
        return Block("blank")
    style = paragraph.style.name if paragraph.style is not None else ""
    number, is_list, level = numbering.next(paragraph)
    heading = _HEADING_STYLE.match(style or "")
    if heading:
        level = int(heading.group(1)) if heading.group(1) else 1
        return Block("heading", f"{number}. {text}" if number else text, level=level)
    runs = [r for r in paragraph.runs if r.text.strip()]
    bold = bool(runs) and all(r.bold or (r.style is not None and r.style.font.bold) for r in runs)
    if is_list:
        return Block("list", text, level=level, number=number, bold=bold)
    return Block("paragraph", text, bold=bold)


def _style_numbering(style):  # noqa: ANN001, ANN202 - python-docx types
    """The numbering a paragraph has from its style ("List Number", a house style), if any."""
    while style is not None:
        ppr = style.element.pPr
        if ppr is not None and ppr.numPr is not None and ppr.numPr.numId is not None:
            return ppr.numPr
        style = style.base_style
    return None


class _Numbering:
    """Word keeps list numbers out of the text: count them per list and level as Word shows them."""

    def __init__(self, document) -> None:  # noqa: ANN001
        self.counters: dict[tuple[str, int], int] = {}
        try:
            self.root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, AttributeError):
            self.root = None

    def _format(self, num_id: str, level: int) -> tuple[str, int]:
        if self.root is None:
            return "decimal", 1
        abstract = self.root.xpath(f'./w:num[@w:numId="{num_id}"]/w:abstractNumId/@w:val')
        if not abstract:
            return "decimal", 1
        lvl = f'./w:abstractNum[@w:abstractNumId="{abstract[0]}"]/w:lvl[@w:ilvl="{level}"]'
        fmt = self.root.xpath(f"{lvl}/w:numFmt/@w:val")
        start = self.root.xpath(f"{lvl}/w:start/@w:val")
        return (fmt[0] if fmt else "decimal"), int(start[0]) if start else 1

    def next(self, paragraph) -> tuple[str, bool, int]:  # noqa: ANN001
        """(number or "", is a list paragraph, level)"""
        ppr = paragraph._p.pPr
        num = ppr.numPr if ppr is not None else None
        num = num if num is not None and num.numId is not None else _style_numbering(paragraph.style)
        if num is None or num.numId is None:
            style = paragraph.style.name.lower() if paragraph.style is not None else ""
            return "", style.startswith(("list", "liste")), 0
        num_id, level = str(num.numId.val), int(num.ilvl.val) if num.ilvl is not None else 0
        if num_id == "0":
            return "", False, 0
        fmt, start = self._format(num_id, level)
        for key in [k for k in self.counters if k[0] == num_id and k[1] > level]:
            del self.counters[key]  # a deeper level restarts under each new parent
        count = self.counters.get((num_id, level), start - 1) + 1
        self.counters[(num_id, level)] = count
        if fmt in ("bullet", "none"):
            return "", True, level
        return str(count), True, level
