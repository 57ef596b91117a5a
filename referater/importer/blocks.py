"""The one stream every reader produces: blocks of a referat in reading order, whatever the input kind.

A reader knows its input's structure (HTML elements, Word styles, PDF font sizes); the recogniser
(layout.py) knows what a referat says. Between them is this stream, serialised as the lines the
recogniser reads: a heading as `## text` (Markdown marks, which plain() strips), a bold paragraph as
`**text**`, a list item as `- text` or `3. text`, a table row with its cells side by side.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = ("heading", "paragraph", "list", "row", "blank")


@dataclass(frozen=True)
class Block:
    kind: str  # one of KINDS
    text: str = ""  # may hold line breaks (<br>, soft returns): kept as lines
    level: int = 0  # heading level 1-6; list nesting; 0 otherwise
    bold: bool = False
    number: str = ""  # list number ("3") for an ordered list item; "" for a bullet
    cells: tuple[str, ...] = ()  # table row
    debris: bool = False  # page header/footer, navigation: never content


def _clean(text: str) -> str:
    return re.sub(r"[ \t\u00a0]+", " ", text).strip()


def row_text(cells: tuple[str, ...]) -> str:
    """A table row as one line: "Mødedato: 5. december 2023" for a label and its value, else the cells."""
    cells = tuple(c for c in (_clean(c) for c in cells) if c)
    deduped: list[str] = []
    for cell in cells:  # merged cells repeat their text in every column they span
        if not deduped or deduped[-1] != cell:
            deduped.append(cell)
    if len(deduped) == 2 and len(deduped[0]) <= 30 and not deduped[0].endswith((".", ",")):
        label = deduped[0].rstrip(":")
        return f"{label}: {deduped[1]}"
    return "  ".join(deduped)


STATUS_COLUMN = re.compile(r"^(?:deltog|deltager|til stede|mødt|afbud|fraværende|forfald|fravær)$", re.I)
MARK = re.compile(r"^[xX✓✔✗•]$")


def grid_columns(cells: tuple[str, ...]) -> dict[int, str]:
    """An attendance grid's header row ("Sundhedsudvalget | Deltog | Afbud"): column index → status."""
    found = {i: _clean(c) for i, c in enumerate(cells) if i and STATUS_COLUMN.match(_clean(c))}
    return found if len(found) >= 2 else {}


def grid_row(cells: tuple[str, ...], columns: dict[int, str]) -> str:
    """A member's row of an attendance grid as "Navn (A): Afbud", or "" if the row is not one."""
    marked = [i for i, c in enumerate(cells) if MARK.match(_clean(c))]
    name = _clean(cells[0]) if cells else ""
    if not name or len(marked) != 1 or marked[0] not in columns:
        return ""
    return f"{name}: {columns[marked[0]]}"


# An agenda laid out as a table (Word referater of secretariats): "Nr. | Emne | Referat" over rows
# "1 | Godkendelse af dagsorden | Dagsordenen blev godkendt."; the time plan may be a column of its own.
_NUMBER_CELL = re.compile(r"^(?:punkt|pkt\.?|ad)?\s*(\d{1,3})\s*[.):]?$", re.IGNORECASE)
_TITLE_COLUMN = re.compile(
    r"^(?:emne|punkt|dagsordenspunkt|dagsorden|titel|overskrift|sag|indhold|tema)$", re.I
)
_NUMBER_COLUMN = re.compile(r"^(?:nr\.?|punkt(?:\s+nr\.?)?|pkt\.?(?:\s+nr\.?)?|#)$", re.IGNORECASE)
_NUMBERED_TITLE = re.compile(
    r"^(?:punkt\s+|pkt\.?\s*|ad\s+)?(\d{1,3})\s*[.):]\s*([A-ZÆØÅ].*)$", re.IGNORECASE
)
_SLOT_CELL = re.compile(
    r"^(?:kl\.?\s*)?\d{1,2}[.:]\d{2}(?:\s*[-–—]\s*\d{1,2}[.:]\d{2})?$|^\d{1,3}\s*min\.?$", re.I
)


def agenda_header(cells: tuple[str, ...]) -> tuple[str, ...]:
    """The column names of an agenda table's header row ("Nr. | Emne | Referat"), or ()."""
    names = tuple(_clean(c).rstrip(":") for c in cells)
    has_number = any(_NUMBER_COLUMN.match(n) for n in names)
    has_title = any(_TITLE_COLUMN.match(n) for n in names)
    titled = bool(names) and _TITLE_COLUMN.match(names[0]) is not None  # "Dagsordenspunkt | Konklusion"
    return names if (has_number or titled) and has_title and len(names) >= 2 else ()


def agenda_row(cells: tuple[str, ...], header: tuple[str, ...]) -> tuple[str, list[tuple[str, str]]] | None:
    """An agenda table's row as (item heading "3. Titel (9.00-9.10)", [(column name, cell text), …]) for
    the cells after the title, or None if the row is not an item's."""
    texts = [c.strip() for c in cells]
    joined = _NUMBERED_TITLE.match(_clean(texts[0].split("\n")[0])) if texts and header else None
    if joined and len(texts) >= 2 and _TITLE_COLUMN.match(header[0]):  # "1. Godkendelse | Godkendt."
        texts = [joined.group(1), joined.group(2) + texts[0][len(texts[0].split("\n")[0]) :], *texts[1:]]
        header = ("", *header)
    numbered = [i for i, t in enumerate(texts) if _NUMBER_CELL.match(_clean(t))]
    if not numbered or numbered[0] + 1 >= len(texts) or numbered[0] > 1:
        return None
    i = numbered[0]
    title_lines = [ln for ln in (_clean(x) for x in texts[i + 1].split("\n")) if ln]
    if not title_lines or not title_lines[0][:1].isupper() or len(title_lines[0]) > 200:
        return None
    slot = _clean(texts[0]) if i == 1 and _SLOT_CELL.match(_clean(texts[0])) else ""
    if i == 1 and not slot:
        return None
    number = _NUMBER_CELL.match(_clean(texts[i])).group(1)
    heading = f"{number}. {title_lines[0]}" + (f" ({slot})" if slot else "")
    rest = [("", "\n".join(title_lines[1:]))] if title_lines[1:] else []
    for k in range(i + 2, len(texts)):
        name = header[k] if k < len(header) else ""
        if texts[k] and not (k + 1 == len(texts) and _SLOT_CELL.match(_clean(texts[k]))):
            rest.append((name, texts[k]))
    return heading, rest


_TEXT_COLUMN = re.compile(
    r"^(?:referat|beslutning(?:er)?|konklusion(?:er)?|indstilling|drøftelse|bemærkninger|sagsfremstilling|resumé|"
    r"resume|behandling|noter|indhold|beskrivelse)\b",
    re.IGNORECASE,
)


def agenda_cells(cells: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """An item's cells as (heading, text): a text column ("Referat", "Konklusion") heads its text; any
    other ("Ansvarlig", "Deadline") becomes one line "Ansvarlig: Ida Lund" under no heading."""
    out: list[tuple[str, str]] = []
    for name, text in cells:
        if not name or _TITLE_COLUMN.match(name) or _TEXT_COLUMN.match(name):
            out.append(("" if _TITLE_COLUMN.match(name) else name, text))
        else:
            out.append(("", f"{name}: {' '.join(_clean(t) for t in text.split(chr(10)))}"))
    return out


def to_lines(blocks: list[Block], spaced: bool = True) -> list[str]:
    """Blocks → text lines for the recogniser; a blank line between blocks when `spaced`."""
    out: list[str] = []
    grid: dict[int, str] = {}  # the attendance grid whose rows follow
    header: tuple[str, ...] = ()  # the agenda table whose rows follow
    for block in blocks:
        if block.debris:
            continue
        if block.kind == "blank":
            out.append("")
            continue
        if block.kind != "row":
            grid, header = {}, ()
        if block.kind == "row" and agenda_header(block.cells):
            header = agenda_header(block.cells)
            continue
        item = agenda_row(block.cells, header) if block.kind == "row" else None
        if item:
            if out and out[-1] != "":
                out.append("")
            out += [f"## {item[0]}", ""]
            for name, text in agenda_cells(item[1]):
                out += [f"**{name}**", ""] if name else []
                out += [_clean(t) for t in text.split("\n") if _clean(t)] + [""]
            continue
        if block.kind == "row" and grid_columns(block.cells):
            grid = grid_columns(block.cells)
            lines = ["Medlemmer:"]  # the grid's header names the committee; its rows are its members
        elif block.kind == "row" and grid and grid_row(block.cells, grid):
            lines = [grid_row(block.cells, grid)]
        elif block.kind == "row":
            lines = [row_text(block.cells)]
        else:
            lines = [_clean(t) for t in block.text.split("\n")]
        lines = [t for t in lines if t]
        if not lines:
            continue
        if block.kind == "heading":
            lines = [f"{'#' * min(max(block.level, 1), 4)} {' '.join(lines)}"]
        elif block.kind == "list":
            mark = f"{block.number}." if block.number else "-"
            lines = [f"{'  ' * block.level}{mark} {lines[0]}", *lines[1:]]
            if block.bold and block.number and len(lines) == 1 and not block.level:
                lines = [f"**{lines[0].strip()}**"]  # a bold numbered paragraph: an item's heading
        elif block.bold and len(lines) == 1 and not lines[0].startswith("**"):
            lines = [f"**{lines[0]}**"]
        if spaced and out and out[-1] != "":
            out.append("")
        out.extend(lines)
    return out
