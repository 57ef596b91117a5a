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


def to_lines(blocks: list[Block], spaced: bool = True) -> list[str]:
    """Blocks → text lines for the recogniser; a blank line between blocks when `spaced`."""
    out: list[str] = []
    grid: dict[int, str] = {}  # the attendance grid whose rows follow
    for block in blocks:
        if block.debris:
            continue
        if block.kind == "blank":
            out.append("")
            continue
        if block.kind != "row":
            grid = {}
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
        elif block.bold and len(lines) == 1 and not lines[0].startswith("**"):
            lines = [f"**{lines[0]}**"]
        if spaced and out and out[-1] != "":
            out.append("")
        out.extend(lines)
    return out
