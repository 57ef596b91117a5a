"""The agenda items of a meeting file, taken from the same CommonMark tree that renders them.

A level-2 heading "Punkt N: Titel" starts an item, a level-3 heading a section of it, exactly as cmark
reads the file: an unclosed fence, a heading with leading spaces or a setext heading means to this module
what it means to the renderer. Lines that look like headings but are not headings in the tree (inside a
code or HTML block, a list or a quote) are errors, because the person who wrote them meant a structure
the page would not show. Closed items are decided by the one rule in closed.py and lose every block but
a public decision here, before anything renders, indexes or exports them.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, field

from . import closed as closed_rule
from .cmark import Block, Document
from .model import AgendaItem, Section
from .text import html_text, snippet_of_text

Report = Callable[..., None]  # report(line, message, level="error", code="")
Marks = dict[int, tuple[bool | None, bool]]  # closed.line_marks of the file: line → (closes, public decision)

_ITEM_TITLE = re.compile(r"^(?:Punkt|Pkt\.?)\s*(\d{1,4})\s*[:.\-–—)]?\s*(.*)$", re.IGNORECASE)
_HEADING_LIKE = re.compile(r"^\s*(?:>\s*)*(?:[-*+]\s+|\d{1,9}[.)]\s+)?#{1,6}(?:\s|$|(?=\w))")
_ITEM_LIKE = re.compile(r"^[\W_]*(?:punkt|pkt\.?)\s*\d{1,4}\s*[:.\-–—)]", re.IGNORECASE)
_LEADING_TAGS = re.compile(r"^\s*(?:<[^<>]{0,80}>\s*)+")
_META = re.compile(
    r"^(Sagsnr\.?|Sags\s*nr\.?|Sags\s*ID|Sagsnummer|Dok\.?\s*ID|Emner|Tidspunkt|Tid)\s*:\s*(.*?)\s*$", re.I
)


@dataclass
class _Item:
    number: int
    title: str
    line: int
    end: int = 0  # last line of the item
    meta: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    # (heading, heading line, block indices); the first has heading "" for text before any heading
    sections: list[tuple[str, int, list[int]]] = field(default_factory=list)


def parse_items(
    body: str, first_line: int, report: Report, topics: dict, keep_source: bool = True
) -> tuple[AgendaItem, ...] | None:
    """The items of the text after the frontmatter; `first_line` is the file line of its first line.
    keep_source=False: every Section.source is "" (see content.parse_meeting)."""
    # Blank lines in place of the frontmatter: every line number of the tree is then the file's.
    body = "\n" * (first_line - 1) + body
    lines = body.split("\n")
    marks = closed_rule.line_marks(lines)
    ok = True

    def error(line: int, message: str, level: str = "error", code: str = "") -> None:
        nonlocal ok
        report(line, message, level, code)
        ok = ok and level != "error"

    with Document(body) as document:
        blocks = document.blocks()
        heading_lines = {b.start for b in blocks if b.kind == "heading"}
        for line in document.nested_headings():
            heading_lines.discard(line)
            error(
                line,
                "en overskrift inde i en liste eller et citat kan ikke starte et punkt eller et afsnit; "
                "flyt den helt ud til venstre margen",
            )
        _check_lookalikes(lines, blocks, heading_lines, error)
        raw_items = _group(blocks, lines, error)
        items = [
            _make_item(raw, blocks, lines, marks, document, error, topics, keep_source) for raw in raw_items
        ]
    if not raw_items and ok:
        error(first_line, "der er ingen dagsordenspunkter; start hvert punkt med '## Punkt N: Titel'")
        return None
    _check_numbers(items, error)
    return tuple(items) if ok else None


def _check_lookalikes(lines: list[str], blocks: list[Block], headings: set[int], error: Report) -> None:
    """Lines written like an item heading, or naming a closed item, that the tree does not read as one."""
    where = {}
    for block in blocks:
        if block.kind in ("code_block", "html_block"):
            for line in range(block.start, block.end + 1):
                where[line] = block
    for number, line in enumerate(lines, 1):
        if number in headings or not line.strip():
            continue
        looks_like_heading = "#" in line and bool(_HEADING_LIKE.match(line)) and len(line) < 2000
        if "<" in line[:200]:  # "<h2>Punkt 5: Lukket punkt</h2>": a heading written in HTML
            line = _LEADING_TAGS.sub("", line[:2000], count=1)
        item_like = _ITEM_LIKE.match(line)
        names_closed_item = bool(item_like) and closed_rule.is_closed_title(line[item_like.end() : 300])
        if not (looks_like_heading or names_closed_item):
            continue
        block = where.get(number)
        if block is not None and block.kind == "code_block":
            why = f"den står i en kodeblok, der begynder på linje {block.start}; luk kodeblokken med ``` "
        elif block is not None:
            why = f"den står i en HTML-blok, der begynder på linje {block.start}; fjern HTML'en "
        elif looks_like_heading:
            why = (
                "Markdown læser den ikke som overskrift; skriv '##' eller '###' helt ude ved venstre margen "
            )
        else:
            why = "den er ikke en overskrift; skriv den som '## Punkt N: Titel – Lukket punkt' "
        error(number, f"linjen ligner en overskrift, men {why}")


def _group(blocks: list[Block], lines: list[str], error: Report) -> list[_Item]:
    items: list[_Item] = []
    for index, block in enumerate(blocks):
        if block.kind == "heading" and block.level <= 2:
            match = _ITEM_TITLE.match(block.text) if block.level == 2 else None
            if match is None:
                hint = ""
                if block.end > block.start and set(lines[block.end - 1].strip()) <= {"-", "="}:
                    hint = " (en linje med --- eller === under en tekst gør teksten til en overskrift: sæt en tom linje før den)"
                error(
                    block.start,
                    f"uventet overskrift {block.text[:80]!r}: et dagsordenspunkt skrives '## Punkt N: Titel', "
                    f"et afsnit i punktet '### Overskrift'{hint}",
                )
                continue
            if items:
                items[-1].end = block.start - 1
            title = match.group(2).strip().strip("*_ ").strip()
            if not title:
                error(
                    block.start,
                    f"punkt {match.group(1)} har ingen titel; skriv den efter 'Punkt {match.group(1)}:'",
                )
            items.append(_Item(int(match.group(1)), title, block.start, sections=[("", block.start, [])]))
            continue
        if not items:
            if block.kind != "heading" or block.level > 2:
                error(
                    block.start,
                    "der er tekst før første dagsordenspunkt; start hvert punkt med '## Punkt N: Titel'",
                )
            continue
        current = items[-1]
        if block.kind == "heading" and block.level == 3:
            current.sections.append((block.text, block.start, []))
        else:
            current.sections[-1][2].append(index)
    if items:
        items[-1].end = len(lines)
    return items


def _take_meta(raw: _Item, blocks: list[Block], lines: list[str], marks: Marks, error: Report) -> None:
    """Sagsnr./Dok ID/Emner/Tidspunkt/Lukket lines in the paragraphs at the top of an item."""
    heading, line, indices = raw.sections[0]
    kept = []
    for position, index in enumerate(indices):
        block = blocks[index]
        if block.kind != "paragraph" or len(kept) < position:
            kept.append(index)
            continue
        source = lines[block.start - 1 : block.end]
        found = [(_META.match(text.strip()), number) for number, text in enumerate(source, block.start)]
        meta_lines = [bool(m) or number in marks for m, number in found]
        if not all(meta_lines):
            if any(meta_lines):
                error(
                    block.start,
                    "sæt en tom linje mellem linjerne med Sagsnr., Dok ID, Emner og teksten under dem",
                    "warning",
                )
            kept.append(index)
            continue
        for match, number in found:
            if match:
                raw.meta.setdefault(_meta_key(match.group(1)), []).append((match.group(2), number))
    raw.sections[0] = (heading, line, kept)


def _meta_key(label: str) -> str:
    label = label.lower().replace(" ", "").replace(".", "")
    if label.startswith("dok"):
        return "documents"
    if label.startswith("emner"):
        return "topics"
    if label.startswith("tid"):
        return "slot"
    return "cases"


def _make_item(
    raw: _Item,
    blocks: list[Block],
    lines: list[str],
    marks: Marks,
    document: Document,
    error: Report,
    topics: dict,
    keep_source: bool,
) -> AgendaItem:
    _take_meta(raw, blocks, lines, marks, error)
    marked = list(marks)  # in line order
    in_item = [marks[n] for n in marked[bisect_left(marked, raw.line) : bisect_right(marked, raw.end)]]
    closed = closed_rule.is_closed_title(raw.title) or closed_rule.is_closed_title(lines[raw.line - 1])
    closed = closed or any(verdict is True for verdict, _ in in_item)
    # A heading inside the item that names a closed item ("### Punkt 3: Lukket punkt – Salg", "#### Salg
    # (lukket)"): the writer meant a closed item there, so the whole item is closed.
    closed = (
        closed
        or any(closed_rule.is_closed_title(heading) for heading, _, _ in raw.sections[1:])
        or any(
            blocks[i].kind == "heading" and closed_rule.is_closed_title(blocks[i].text)
            for _, _, indices in raw.sections
            for i in indices
        )
    )
    public_decision = any(public for _, public in in_item)

    def values(key: str) -> tuple[str, ...]:
        found: list[str] = []
        for value, _line in raw.meta.get(key, []):
            found.extend(v.strip() for v in value.split(",") if v.strip() and v.strip() != ".")
        return tuple(dict.fromkeys(found))

    if not closed:
        for value, line in raw.meta.get("topics", []):
            for topic in (v.strip() for v in value.split(",")):
                if topic and topic not in topics:
                    error(line, f"ukendt emne {topic!r} i 'Emner:' (kendte emner: {', '.join(topics)})")
    sections: list[Section] = []
    withheld_reported = False
    for heading, line, indices in raw.sections:
        content = [i for i in indices if not _marker_only(blocks[i], lines, marks)]
        if closed and not (public_decision and Section.is_decision_heading(heading)):
            if not withheld_reported and (
                content or (heading and not closed_rule.is_closed_marker_line(heading))
            ):
                withheld_reported = True
                first = line if heading or not content else blocks[content[0]].start
                error(
                    first,
                    f"punkt {raw.number} er et lukket punkt, men har tekst, der ikke må offentliggøres: "
                    "fjern teksten fra filen (et lukket punkt viser kun sin titel; en offentlig beslutning "
                    "skrives under '### Beslutning' med linjen 'Offentlig beslutning: ja' i punktet)",
                    "error",
                    "closed-body",
                )
            continue  # nothing of it is rendered, so nothing of it can reach any output
        if not heading and not content:
            continue
        start = blocks[content[0]].start if content else line + 1
        end = blocks[content[-1]].end if content else line
        source = "\n".join(lines[start - 1 : end])  # no "<", "](" or "]:" spans a line break
        may_hold_dead_links = "](" in source or "]:" in source
        rendered = document.render(content, "<" in source, may_hold_dead_links)
        sections.append(
            Section(
                heading=heading,
                markdown=rendered.markdown,
                line=start if content else line,
                html=rendered.html,
                text=html_text(rendered.html),
                source=source if content and keep_source else "",
            )
        )
    heading_block = blocks[bisect_left([b.start for b in blocks], raw.line)] if closed else None
    if heading_block is not None and heading_block.end - heading_block.start >= 2:
        # Text just under the title, with a line of --- below it: Markdown joins it to the title, and a
        # closed item's title is published.
        error(
            raw.line + 1,
            f"punkt {raw.number} er et lukket punkt, og linjen under titlen bliver en del af titlen (på "
            "grund af linjen med --- under den): skriv titlen på én linje, og fjern teksten",
            "error",
            "closed-body",
        )
    public: set[int] = set()  # the lines of a public decision: published as written, definitions too
    for index, (heading, line, _) in enumerate(raw.sections):
        if closed and public_decision and Section.is_decision_heading(heading):
            end = raw.sections[index + 1][1] - 1 if index + 1 < len(raw.sections) else raw.end
            public.update(range(line, end + 1))
    if closed and not withheld_reported and (swallowed := _swallowed(raw, blocks, lines, public)):
        error(
            swallowed,
            f"punkt {raw.number} er et lukket punkt, men har tekst, der ikke må offentliggøres (fx en "
            "linkdefinition '[navn]: adresse'): fjern teksten fra filen",
            "error",
            "closed-body",
        )
    decision = next((s for s in sections if s.is_decision), None)
    slot = values("slot")
    return AgendaItem(
        number=raw.number,
        title=raw.title,
        sections=tuple(sections),
        summary=snippet_of_text(decision.text) if decision else "",
        line=raw.line,
        closed=closed,
        cases=() if closed else values("cases"),
        documents=() if closed else values("documents"),
        hand_topics=() if closed else values("topics"),
        slot=slot[0] if slot and not closed else "",
    )


def _swallowed(raw: _Item, blocks: list[Block], lines: list[str], public: set[int]) -> int:
    """The first line of the item outside `public` that no block of the tree holds (0 if none): a link
    reference definition becomes no block, yet another item's "[tekst][navn]" shows its address and title."""
    covered = set(public)
    first = bisect_left([b.start for b in blocks], raw.line)
    for index in range(first, len(blocks)):
        block = blocks[index]
        if block.start > raw.end:
            break
        end = max(block.start, block.end)
        if block.kind in ("html_block", "code_block"):
            # cmark may end these a line early (an HTML block last in the file); nothing else can start
            # inside one, so it holds every line up to the next block.
            following = blocks[index + 1].start if index + 1 < len(blocks) else raw.end + 1
            end = max(end, min(following, raw.end + 1) - 1)
        covered.update(range(block.start, end + 1))
    return next((n for n in range(raw.line, raw.end + 1) if n not in covered and lines[n - 1].strip()), 0)


def _marker_only(block: Block, lines: list[str], marks: Marks) -> bool:
    """A paragraph that says nothing but "Lukket punkt" or "Offentlig beslutning: ja"."""
    if block.kind != "paragraph":
        return False
    for number in range(block.start, block.end + 1):  # a loop: most paragraphs fail on their first line
        if number not in marks and lines[number - 1].strip():
            return False
    return True


def _check_numbers(items: list[AgendaItem], error: Report) -> None:
    numbers: set[int] = set()
    previous = 0
    for item in items:
        if item.number in numbers:
            error(item.line, f"punkt {item.number} findes to gange; giv hvert punkt sit eget nummer")
        elif item.number < previous:
            error(
                item.line,
                f"punkterne står i forkert rækkefølge: punkt {item.number} efter punkt {previous}",
                "warning",
            )
        numbers.add(item.number)
        previous = max(previous, item.number)
