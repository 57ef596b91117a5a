"""One agenda item: its title (time slot taken out), case and document numbers, closed marks, and its
sections, however the agenda system heads them."""

from __future__ import annotations

import re

from ..closed import closed_by_line, is_closed_title
from ..config import SiteConfig
from . import headings as h
from .meta import TITLE, find_date, is_committee_line
from .model import Item, Line, Report, Section

_PAGE_LINE = re.compile(r"^side\s+\d+(\s+af\s+\d+)?$", re.IGNORECASE)
_OPEN_MARK = re.compile(
    r"^[\W_]*(?:åben|åbent|aaben|aabent|open)(?:\s+(?:punkt|sag|møde|dagsordenspunkt))?[\W_]*$", re.I
)
_ITEM_KIND = re.compile(
    r"^(?:beslutningssag|orienteringssag|drøftelsessag|temadrøftelse|til beslutning|til orientering|til drøftelse)$",
    re.I,
)
_TIME = r"\d{1,2}[.:]\d{2}"
# "(9.00 – 9.05)", "(15 min)", "(kl. 10.30-10.45)", "kl. 10.30-10.45", "10.30 - 10.45" at the title's end
# or start: the agenda's time plan, not part of the title.
_SLOT_END = re.compile(
    rf"\s*[(\[]\s*((?:kl\.?\s*)?{_TIME}\s*(?:[-–—]|til)\s*(?:kl\.?\s*)?{_TIME}|(?:kl\.?\s*)?{_TIME}|\d{{1,3}}\s*min(?:\.|utter)?)\s*[)\]]\s*$"
    rf"|\s*[-–—,]?\s*((?:kl\.?\s*){_TIME}(?:\s*(?:[-–—]|til)\s*{_TIME})?|{_TIME}\s*[-–—]\s*{_TIME})\s*$",
    re.IGNORECASE,
)
_SLOT_START = re.compile(
    rf"^\s*[(\[]?((?:kl\.?\s*)?{_TIME}\s*[-–—]\s*{_TIME})[)\]]?\s*[:\-–—]?\s+(?=\S)", re.IGNORECASE
)
# "Åbent - 27.12.00-P22-1-23", "Åbent - 00.01.00A04 - 2007/34364" (KLE, then the case number)
_MARK_CASE = re.compile(
    r"^(åbent|åben|lukket|fortroligt)\s*[-–—]\s*(?:[\w./-]*\d[\w./-]*\s*[-–—]\s*)?([\w./-]*\d[\w./-]*)$", re.I
)


def is_mark_line(text: str) -> bool:
    """The open/closed mark and case number SBSYS writes under a title."""
    return bool(_MARK_CASE.match(text.strip()))


# "Salg af grund (L)": the agenda's letter for a closed item (as "(B)" marks one for decision).
_L_MARK = re.compile(r"[(\[]\s*L\s*[)\]]\s*$")
# Closed in words the engine's markers do not have: "for lukkede døre", "ikke til offentliggørelse",
# "undtaget fra offentlighed" (wherever they stand in the item: when in doubt, close).
_CLOSED_PHRASE = re.compile(
    r"\bfor\s+lukkede\s+døre\b|\bikke\s+til\s+offentliggørelse\b|\bundtaget\s+(?:fra\s+)?offentlighed", re.I
)
_CLOSED_SUFFIX = re.compile(r"\s*[-–—]\s*(?:lukket|lukkede)\s+sag\s*$", re.IGNORECASE)
_EMPTY_PARENS = re.compile(r"\s*\(\s*\)\s*$")


def split_slot(title: str) -> tuple[str, str]:
    """(title without its time slot, the slot as "9.00–9.05" / "15 min" / "10.30")."""
    for pattern in (_SLOT_END, _SLOT_START):
        m = pattern.search(title)
        if m:
            slot = next(g for g in m.groups() if g)
            rest = (title[: m.start()] + title[m.end() :]).strip(" -–—,")
            if rest:
                slot = re.sub(r"^kl\.?\s*", "", slot.strip(), flags=re.I)
                slot = re.sub(r"\s*(?:[-–—]|til)\s*(?:kl\.?\s*)?", "–", slot)
                return rest, re.sub(r"\s*min(?:\.|utter)?$", " min", slot)
    return title, ""


def is_case_line(text: str) -> bool:
    return bool(h.CASE_LINE.match(text) or h.CASE_NO.match(text.strip()) or h.MARKED_CASE.match(text.strip()))


# "Åben sag  Sagsnr: 15/16285  Forvaltning: …": the item's open/closed mark before its case number.
_MARK_PREFIX = re.compile(r"^(?:åben|åbent|lukket|lukkede?)(?:\s+(?:sag|punkt))?\s+(?=\S)", re.IGNORECASE)


def case_values(text: str) -> list[str]:
    kle = h.KLE_CASE.match(text.strip()) or h.MARKED_CASE.match(text.strip())
    if kle:
        return [kle.group(1)]
    if h.CASE_NO.match(text.strip()):
        return [text.strip()]
    text = _MARK_PREFIX.sub("", text.strip())
    m = h.CASE_LINE.match(text)
    if not m:
        return []
    fields = h.CASE_FIELD.findall(text)
    if fields:
        return fields
    values = [v.strip() for v in m.group(1).split(",") if v.strip()]
    return values if all(re.search(r"\d", v) and len(v) <= 40 for v in values) else []


def read_item(
    lines: list[Line],
    start: int,
    end: int,
    hd: h.Heading,
    spaced: bool,
    toc: list[tuple[int, str]],
    config: SiteConfig,
    report: Report,
) -> Item:
    title = _EMPTY_PARENS.sub("", re.sub(r"\*\*|__", "", hd.title)).strip()
    body_start = start + 1
    if hd.title_line:
        while body_start < end and lines[body_start].no <= hd.title_line:
            body_start += 1
    # A heading wrapped onto the next line (PDF): join it when the TOC or a lower-case start says so.
    nxt = _unbold(lines[body_start].text) if body_start < end else ""
    if nxt and not (
        h.section_heading(nxt) or is_case_line(nxt) or h.item_heading(nxt) or h.LIST_ITEM.match(nxt)
    ):
        joined = f"{title} {nxt}"
        lj, lt = _loose(joined), _loose(title)
        in_toc = any(
            _loose(t).startswith(lj) or lj.startswith(_loose(t))
            for _, t in toc
            if len(_loose(t)) > len(lt) + 3
        )
        bold_wrap = lines[start].text.count("**") == 1 and lines[body_start].text.rstrip().endswith("**")
        if in_toc or bold_wrap or (not spaced and (nxt[:1].islower() or nxt[:1].isdigit() or nxt[:1] == "(")):
            title, body_start = joined, body_start + 1
    title, slot = split_slot(title)
    closed = (
        hd.closed or is_closed_title(title) or bool(_L_MARK.search(title) or _CLOSED_PHRASE.search(title))
    )
    title = _CLOSED_SUFFIX.sub("", title).strip() or title  # Norddjurs' mark: the item's flag
    if closed and re.fullmatch(r"(?i)lukket\s+(?:punkt|sag)\.", title):
        title = title.rstrip(".")  # "16. Lukket punkt." in an item list
    item = Item(hd.number, title, lines[start].no, closed=closed, slot=slot)
    section: Section | None = None
    for ln in lines[body_start:end]:
        text = ln.text.strip()
        t = _unbold(text)
        target = section.lines if section else item.intro
        if not text:
            target.append(Line(ln.no, ""))
            continue
        if _skip(item, hd, t, config):
            continue
        if section is None and _marker(item, t):
            continue  # "Lukket punkt", "Åbent", the title repeated: the portal's marks, not text
        if _meta(item, t):
            continue
        if closed_by_line(t) is True:  # the engine closes an item on such a line wherever it stands
            item.closed = True
            continue
        if _CLOSED_PHRASE.search(t):  # "Punktet blev behandlet for lukkede døre."
            item.closed = True
        sh = h.section_heading(text)
        inline = h.INLINE_SECTIONS.match(t)
        labelled = h.labelled_decision(t) if not (sh or inline) else None
        if labelled is not None:  # "Beslutning/referat: Godkendt."
            if section is None or not section.heading.lower().startswith("beslutning"):
                section = Section("Beslutning", ln.no)
                item.sections.append(section)
            section.lines.append(Line(ln.no, labelled))
            continue
        in_decision = section is not None and section.heading.lower().startswith("beslutning")
        if in_decision and re.match(r"^(?:fraværende|afbud)[^:]{0,20}:", t, re.IGNORECASE):
            if t.split(":", 1)[1].strip():  # "Fraværende: X (V)" in the decision is part of the decision
                target.append(Line(ln.no, text))
            continue
        if sh:
            section = Section(sh[0], ln.no, public_decision=sh[1])
            item.sections.append(section)
        elif inline:
            heading = inline.group(1) or inline.group(2)
            verdict = heading.lower() in ("besluttet", "drøftet")  # "Besluttet: …" says the decision itself
            sh = ("Beslutning", False) if verdict else h.section_heading(heading)
            name = sh[0] if sh else h.sentence_case(heading)
            if section is None or not (
                in_decision and name == "Beslutning"
            ):  # "Beslutning" / "Drøftet: …": one
                section = Section(name, ln.no, public_decision=False)
                item.sections.append(section)
            section.lines.append(Line(ln.no, t if verdict else inline.group(3)))
        else:
            target.append(ln)
    item.sections = [s for s in item.sections if _has_content(s.lines)]
    if not _has_content(item.intro):
        item.intro = []
    return item


def _skip(item: Item, hd: h.Heading, t: str, config: SiteConfig) -> bool:
    """Repeated item/committee headers, page numbers and the referat title repeated as a page header."""
    oc = h.OPEN_CLOSED.match(t)
    if oc and int(oc.group(1)) == hd.number and oc.group(2).lower().startswith("luk"):
        item.closed = True  # "11 (Lukket) …" repeated under "Punkt 11: …" closes the item
    if (oc and int(oc.group(1)) == hd.number) or _PAGE_LINE.match(t) or is_committee_line(t, config):
        return True
    return bool(TITLE.match(t) and find_date(t))


def _marker(item: Item, t: str) -> bool:
    """Lines between an item's heading and its first section that only mark it."""
    if _OPEN_MARK.match(t) or _ITEM_KIND.match(t) or h.GROUP_LETTER.match(t):
        return True
    marked = _MARK_CASE.match(t)
    if marked:  # "Åbent - 27.12.00-P22-1-23", "Lukket - …" (Odense/SBSYS): the mark and the case number
        item.cases += [c for c in [marked.group(2)] if c not in item.cases]
        item.closed = item.closed or not marked.group(1).lower().startswith("åb")
        return True
    if _loose(h.BULLET.sub("", t)) == _loose(item.title) or _loose(split_slot(t)[0]) == _loose(item.title):
        return True
    if closed_by_line(t) is True:
        item.closed = True
        return True
    return False


def _meta(item: Item, text: str) -> bool:
    """Case and document numbers become the item's metadata lines; what else such a line says ("Åbent
    punkt", "Lukket punkt") is read as a mark."""
    cases = case_values(text)
    doc_line = h.DOC_LINE.match(text)
    if not cases and not doc_line:
        return False
    docs = h.DOC_FIELD.findall(text) or (
        [v.strip() for v in doc_line.group(1).split(",") if v.strip()] if doc_line else []
    )
    item.cases += [v for v in cases if v not in item.cases]
    item.doc_ids += [v for v in docs if v not in item.doc_ids]
    rest = h.DOC_FIELD.sub(" ", h.CASE_FIELD.sub(" ", text))
    if is_closed_title(rest) or re.search(r"\blukket\b", rest, re.IGNORECASE):
        item.closed = True
    return True


def _unbold(text: str) -> str:
    return re.sub(r"\*\*|__", "", h.plain(text)).strip()


def _loose(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\*\*|__", "", text).lower()).strip(" .:")


def _has_content(lines: list[Line]) -> bool:
    """Boilerplate sections hold nothing or a lone "." from the agenda system's empty fields."""
    return any(ln.text.strip() not in ("", ".") for ln in lines)
