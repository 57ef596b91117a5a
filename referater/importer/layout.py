"""Recognise the parts of a referat: title, meeting facts, table of contents, items and sections."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..config import SiteConfig
from . import headings as h
from .meta import TITLE, find_date, find_times, is_committee_line, title_parts
from .model import ImportFailure, Item, Line, Meeting, Person, Report, Section
from .people import apply_decision_lines, parse_people

_STYLE_ORDER = ("p_colon", "p_dot", "open_closed", "num_dot")
_HEADER_KEY = re.compile(
    r"^(mødedato|dato|tidspunkt|mødetidspunkt|mødested|sted|lokale|mødedeltagere|deltagere|medlemmer|"
    r"til stede|fremmødte|afbud|fraværende|sekretariat|sekretær|referent)\b\s*:?\s*(.*)$",
    re.IGNORECASE,
)
_SINGLE_KEYS = {"mødedato", "dato", "tidspunkt", "mødetidspunkt", "mødested", "sted", "lokale"}
_PAGE_LINE = re.compile(r"^side\s+\d+(\s+af\s+\d+)?$", re.IGNORECASE)
_CLOSED_TITLE = re.compile(r"lukket\s+punkt|\(\s*lukket\s*\)|^lukket\b|\blukket$", re.IGNORECASE)
_PARTICIPANT_ITEM = re.compile(r"^(deltagere|mødedeltagere|fremmødte|tilstedeværende)\b", re.IGNORECASE)


@dataclass
class Parsed:
    meeting: Meeting
    recommendation_phrases: list[str] = field(default_factory=list)
    body_text: str = ""


def parse(raw_lines: list[str], config: SiteConfig, report: Report) -> Parsed:
    lines = [Line(i + 1, text) for i, text in enumerate(raw_lines)]
    meeting = Meeting()
    title_idx = _title_index(lines)
    title_date = ""
    if title_idx is not None:
        rest = TITLE.match(_unbold(lines[title_idx].text)).group("rest")
        meeting.cluster, meeting.forum, title_date = title_parts(rest, config)
    toc_idx, toc = _table_of_contents(lines, title_idx)
    starts = _item_starts(lines, toc_idx | ({title_idx} if title_idx is not None else set()), toc, report)
    if not starts:
        raise ImportFailure("no agenda items found (expected headings such as 'Punkt 1: Titel')")
    header = [ln for i, ln in enumerate(lines[: starts[0][0]]) if i not in toc_idx and i != title_idx]
    _read_header(header, meeting, config, report)
    meeting.date = meeting.date or title_date
    if title_date and meeting.date != title_date:
        report.warn(lines[title_idx].no, f"title date {title_date} differs from Mødedato {meeting.date}")
    nonblank = sum(1 for ln in lines if ln.text.strip())
    spaced = (len(lines) - nonblank) > nonblank * 0.2  # text with blank lines between paragraphs
    for n, (start, head) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        meeting.items.append(_read_item(lines, start, end, head, spaced, toc, config, report))
    if len(toc) == len(meeting.items):
        for (_, entry), item in zip(toc, meeting.items, strict=True):
            item.closed = item.closed or bool(_CLOSED_TITLE.search(entry))  # closed per the TOC only
    _check_toc(meeting.items, toc, report)
    _participants_from_items(meeting, report)
    parsed = Parsed(meeting)
    for item in meeting.items:
        if item.closed:
            continue
        for ln in item.intro + [x for s in item.sections for x in s.lines]:
            m = re.search(r"indstille[rs]?,?\s+at\s+(.+?)(?::|$)", ln.text, re.IGNORECASE)
            if m:
                parsed.recommendation_phrases.append(m.group(1))
            parsed.body_text += ln.text + "\n"
    return parsed


def _unbold(text: str) -> str:
    return re.sub(r"\*\*|__", "", h.plain(text)).strip()


def _title_index(lines: list[Line]) -> int | None:
    seen = 0
    for i, ln in enumerate(lines):
        if not ln.text.strip():
            continue
        if TITLE.match(_unbold(ln.text)):
            return i
        seen += 1
        if seen > 8:
            return None
    return None


def _table_of_contents(lines: list[Line], title_idx: int | None) -> tuple[set[int], list[tuple[int, str]]]:
    """Indices of TOC lines (never content) and the entries (line, title) for cross-checking."""
    toc_idx: set[int] = set()
    entries: list[tuple[int, str]] = []
    in_toc = False
    pending = ""  # the start of a TOC entry wrapped onto the next line (PDF)
    for i, ln in enumerate(lines):
        t = h.plain(ln.text)
        if h.TOC_HEADING.match(_unbold(ln.text)):
            in_toc = True
            toc_idx.add(i)
            continue
        strong = h.item_heading(ln.text)
        if strong and strong.style in ("p_colon", "p_dot", "open_closed", "lukket") and not h.toc_title(t):
            break
        title = h.toc_title(t) or (pending and re.fullmatch(r"\d{1,3}", t) and " ")
        spaced_page = re.fullmatch(r"(.*\S)\s{2,}\d{1,3}", t)  # "… for Su    16": tab lost in a PDF
        if in_toc and not title and spaced_page:
            title = spaced_page.group(1)
        if title:
            toc_idx.add(i)
            title = f"{pending} {title}".strip()
            entries.append((ln.no, re.sub(r"^\d{1,3}\.?\s+", "", title)))
            pending = ""
        elif in_toc and t and not _HEADER_KEY.match(_unbold(ln.text)):
            if h.item_heading(ln.text) and entries:
                break  # a "3. Titel" item after the TOC (its entries all had page numbers)
            toc_idx.add(i)  # a wrapped TOC entry
            pending = f"{pending} {t}".strip()
    return toc_idx, entries


def _item_starts(
    lines: list[Line], skip: set[int], toc: list[tuple[int, str]], report: Report
) -> list[tuple[int, h.Heading]]:
    candidates = [(i, hd) for i, ln in enumerate(lines) if i not in skip and (hd := h.item_heading(ln.text))]
    styles = {hd.style for _, hd in candidates}
    style = next((s for s in _STYLE_ORDER if s in styles), "")
    toc_titles = [t for _, t in toc]
    starts: list[tuple[int, h.Heading]] = []
    current = 0
    for i, hd in candidates:
        accepted = False
        if hd.style == "lukket" or (hd.style == "open_closed" and style != "open_closed"):
            accepted = hd.number > current and (hd.closed or hd.number == current + 1)
        elif hd.style == style and style == "num_dot":
            accepted = hd.number > current and _num_dot_is_item(lines, i, hd, toc_titles, current)
        elif hd.style == style:
            accepted = hd.number > current
            if not accepted:
                report.warn(lines[i].no, f"item number {hd.number} does not follow {current}; kept as text")
        if accepted:
            starts.append((i, hd))
            current = hd.number
    return starts


def _num_dot_is_item(lines: list[Line], i: int, hd: h.Heading, toc: list[str], current: int) -> bool:
    """ "3. Titel" is an item only where it cannot be a numbered list (e.g. inside an Indstilling)."""
    if toc:
        return any(h.titles_agree(hd.title, t) for t in toc)
    if h.is_decorated(lines[i].text):
        return True
    if current and hd.number != current + 1:
        return False
    prev = next((ln.text.strip() for ln in reversed(lines[:i]) if ln.text.strip()), "")
    if prev.endswith(":") or h.LIST_ITEM.match(prev) or h.section_heading(prev):
        return False
    return not hd.title.endswith((".", ",", ";"))


def _read_header(header: list[Line], meeting: Meeting, config: SiteConfig, report: Report) -> None:
    values: dict[str, list[Line]] = {}
    key = ""
    for ln in header:
        text = _unbold(ln.text)
        if not text:
            continue
        m = _HEADER_KEY.match(text)
        if m:
            key = m.group(1).lower()
            if m.group(2).strip():
                values.setdefault(key, []).append(Line(ln.no, m.group(2).strip()))
                key = "" if key in _SINGLE_KEYS else key
            continue
        if key:
            values.setdefault(key, []).append(Line(ln.no, text))
            key = "" if key in _SINGLE_KEYS else key
        elif is_committee_line(text, config):
            # "Sundhedsklynge X - Politisk niveau" under a bare "Referat" title names the meeting.
            cluster, forum, _ = title_parts(text, config)
            meeting.cluster = meeting.cluster or cluster
            meeting.forum = meeting.forum or forum
        elif text != ".":
            report.warn(ln.no, f"could not place this line before the first item: {text[:60]!r}")
    when = " ".join(
        ln.text for k in ("mødedato", "dato", "tidspunkt", "mødetidspunkt") for ln in values.get(k, [])
    )
    meeting.date = find_date(when)
    meeting.time, meeting.end_time = find_times(when)
    place = [ln.text for k in ("mødested", "sted", "lokale") for ln in values.get(k, [])]
    meeting.location = ", ".join(p for p in place if p != ".")
    for k in ("mødedeltagere", "deltagere", "medlemmer", "til stede", "fremmødte", "afbud", "fraværende"):
        found = values.get(k, [])
        if found and found[0].text.count(",") >= 3:  # one comma list, maybe wrapped over lines
            values[k] = [Line(found[0].no, " ".join(ln.text for ln in found))]
    for k in ("mødedeltagere", "deltagere", "medlemmer", "til stede", "fremmødte"):
        meeting.participants += parse_people(values.get(k, []), report)
    for k in ("sekretariat", "sekretær", "referent"):
        meeting.secretariat += parse_people(values.get(k, []), report)
    for k in ("afbud", "fraværende"):
        _mark_absent(meeting.participants, parse_people(values.get(k, []), report, absent=True))


def _mark_absent(participants: list[Person], absent: list[Person]) -> None:
    for person in absent:
        known = next((p for p in participants if p.name == person.name), None)
        if known:
            known.absent = True
        else:
            participants.append(person)


def _read_item(
    lines: list[Line],
    start: int,
    end: int,
    hd: h.Heading,
    spaced: bool,
    toc: list[tuple[int, str]],
    config: SiteConfig,
    report: Report,
) -> Item:
    title = re.sub(r"\*\*|__", "", hd.title).strip()
    body_start = start + 1
    # A heading wrapped onto the next line (PDF): join it when the TOC or a lower-case start says so.
    nxt = _unbold(lines[body_start].text) if body_start < end else ""
    if nxt and not (
        h.section_heading(nxt) or h.CASE_NO.match(nxt) or h.item_heading(nxt) or h.LIST_ITEM.match(nxt)
    ):
        joined = f"{title} {nxt}"
        in_toc = any(
            _loose(t).startswith(_loose(joined)) for _, t in toc if len(_loose(t)) > len(_loose(title))
        )
        if in_toc or (not spaced and (nxt[:1].islower() or nxt[:1].isdigit() or nxt[:1] == "(")):
            title, body_start = joined, body_start + 1
    item = Item(hd.number, title, lines[start].no, closed=hd.closed or bool(_CLOSED_TITLE.search(title)))
    section: Section | None = None
    for ln in lines[body_start:end]:
        text = ln.text.strip()
        t = _unbold(text)
        target = section.lines if section else item.intro
        if not text:
            target.append(Line(ln.no, ""))
            continue
        oc = h.OPEN_CLOSED.match(t)
        if oc and int(oc.group(1)) == hd.number and oc.group(2).lower().startswith("luk"):
            item.closed = True  # "11 (Lukket) …" repeated under "Punkt 11: …" closes the item
        if (oc and int(oc.group(1)) == hd.number) or _PAGE_LINE.match(t) or is_committee_line(t, config):
            continue  # repeated item/committee headers and page numbers from the agenda system
        if TITLE.match(t) and find_date(t):
            continue  # the referat title repeated as a page header
        if _meta(item, t):
            continue
        sh = h.section_heading(text)
        inline = h.INLINE_SECTIONS.match(t)
        if sh:
            section = Section(sh[0], ln.no, public_decision=sh[1])
            item.sections.append(section)
        elif inline:
            section = Section(h.sentence_case(inline.group(1)), ln.no)
            section.lines.append(Line(ln.no, inline.group(2)))
            item.sections.append(section)
        else:
            target.append(Line(ln.no, ln.text))
    item.sections = [s for s in item.sections if _has_content(s.lines)]
    if not _has_content(item.intro):
        item.intro = []
    return item


def _loose(text: str) -> str:
    return re.sub(r"\s+", " ", text.lower()).strip()


def _meta(item: Item, text: str) -> bool:
    """Case and document numbers become the item's metadata lines."""
    m = h.CASE_LINE.match(text)
    values = [v.strip() for v in m.group(1).split(",")] if m else ([text] if h.CASE_NO.match(text) else [])
    if values:
        item.cases += [v for v in values if v and v not in item.cases]
        return True
    m = h.DOC_LINE.match(text)
    if m:
        item.doc_ids += [v.strip() for v in m.group(1).split(",") if v.strip() not in item.doc_ids]
        return True
    return False


def _has_content(lines: list[Line]) -> bool:
    """Boilerplate sections hold nothing or a lone "." from the agenda system's empty fields."""
    return any(ln.text.strip() not in ("", ".") for ln in lines)


def _check_toc(items: list[Item], toc: list[tuple[int, str]], report: Report) -> None:
    if not toc:
        return
    if len(toc) != len(items):
        report.warn(toc[0][0], f"the table of contents lists {len(toc)} items, the referat has {len(items)}")
    for (line, entry), item in zip(toc, items, strict=False):
        if not h.titles_agree(item.title, entry) and not item.closed:
            report.warn(item.line, f"title differs from the table of contents entry {entry!r} (line {line})")


def _participants_from_items(meeting: Meeting, report: Report) -> None:
    """Midt-style: the participants are the content of an item called "Deltagere"."""
    if meeting.participants:
        decisions = [
            ln
            for it in meeting.items
            if not it.closed
            for s in it.sections
            if s.heading.lower().startswith("beslutning")
            for ln in s.lines
        ]
        apply_decision_lines(meeting.participants, decisions)
        return
    for item in meeting.items:
        if item.closed or not _PARTICIPANT_ITEM.match(item.title):
            continue
        groups: dict[str, list[Line]] = {"participants": [], "secretariat": [], "absent": []}
        mode = "participants"
        decisions: list[Line] = []
        for sec in [Section("", 0, item.intro), *item.sections]:
            low = sec.heading.lower()
            if low.startswith("beslutning"):
                decisions += sec.lines
                continue
            mode = "absent" if low in ("fraværende", "afbud") else mode
            for ln in sec.lines:
                key = _unbold(ln.text).rstrip(":").lower()
                if key in ("deltagere", "mødedeltagere", "til stede"):
                    mode = "participants"
                elif key in ("sekretariat", "sekretær", "referent"):
                    mode = "secretariat"
                elif key in ("afbud", "fraværende"):
                    mode = "absent"
                elif key:
                    groups[mode].append(ln)
        meeting.participants = parse_people(groups["participants"], report)
        meeting.secretariat = parse_people(groups["secretariat"], report)
        _mark_absent(meeting.participants, parse_people(groups["absent"], report, absent=True))
        apply_decision_lines(meeting.participants, decisions)
        return
