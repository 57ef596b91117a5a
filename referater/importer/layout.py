"""Recognise the parts of a referat: title, meeting facts, table of contents and the agenda items.

The lines come from any reader (blocks.py); nothing here depends on one agenda system's layout. The
items themselves are read in items.py, the people in people.py."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..closed import is_closed_title
from ..config import SiteConfig
from . import headings as h
from .items import case_values, is_case_line, read_item
from .meta import TITLE, find_date, find_times, is_committee_line, match_all, title_parts
from .model import ImportFailure, Line, Meeting, Report
from .people import absentees_in, mark_absent, parse_people, participants_from_items

_STYLE_ORDER = ("p_colon", "p_dot", "open_closed", "num_dot")
_HEADER_KEY = re.compile(
    r"^(mødedato|dato|tidspunkt|mødetidspunkt|starttidspunkt|sluttidspunkt|mødestart|mødeslut|tid|"
    r"mødested|sted|lokale|udvalg|mødeforum|forum|møde|"
    r"mødedeltagere|deltagere|medlemmer|til stede|tilstede|fremmødte|"
    r"fraværende med afbud|fraværende uden afbud|fraværende i mødet|afbud fra|afbud|fraværende|"
    r"sekretariat|sekretær|referent|mødeleder|ordstyrer)\b\s*:?\s*(.*)$",
    re.IGNORECASE,
)
_SINGLE_KEYS = {
    "mødedato", "dato", "tidspunkt", "mødetidspunkt", "starttidspunkt", "sluttidspunkt", "mødestart",
    "mødeslut", "tid", "mødested", "sted", "lokale", "udvalg", "mødeforum", "forum", "møde", "mødeleder",
    "ordstyrer",
}  # fmt: skip
_WHEN_KEYS = ("mødedato", "dato", "tidspunkt", "mødetidspunkt", "starttidspunkt", "mødestart", "tid")
_PRESENT_KEYS = ("mødedeltagere", "deltagere", "medlemmer", "til stede", "tilstede", "fremmødte")
_ABSENT_KEYS = ("afbud", "afbud fra", "fraværende", "fraværende med afbud", "fraværende uden afbud")
# Portal furniture copied along with the text: buttons, links to the top, the item list's own label.
_DEBRIS = re.compile(
    r"^(?:(?:tilbage\s+)?til\s+(?:toppen|top|indholdsfortegnelse(?:en)?)|gå til (?:indhold|toppen)|"
    r"spring til (?:primært )?indhold|skip til .*indhold|you are here|du er her|print|udskriv|del|"
    r"del (?:siden|på .*)|søg|abonnér|abonner|se alle dagsordener.*|luk alle punkter.*|åbn alle punkter.*|"
    r"fold (?:alle )?(?:punkter )?(?:ind|ud)|vis alle|skjul alle|punkter|dagsordenspunkter|"
    r"download (?:som )?pdf|hent (?:som )?pdf|læs op|cookie.*|accepter.*cookies.*)$",
    re.IGNORECASE,
)
_DEBRIS_PREFIX = re.compile(
    r"^(?:fold (?:dette punkt |punktet )?(?:ind|ud)|luk alle punkter|åbn alle punkter)\s+", re.I
)
_DEAD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:#[^)\s]*|)\)")


@dataclass
class Parsed:
    meeting: Meeting
    recommendation_phrases: list[str] = field(default_factory=list)
    body_text: str = ""
    unplaced: list[Line] = field(default_factory=list)


def clean_line(text: str) -> str:
    """A line without portal furniture and links whose target the export lost ("[tekst](#)")."""
    text = _DEAD_LINK.sub(r"\1", text)
    core = re.sub(r"^[\s\-•*▪●◦]+", "", h.plain(text)).strip()
    if _DEBRIS.match(core):
        return ""
    stripped = _DEBRIS_PREFIX.sub("", text.strip())
    return stripped if stripped != text.strip() else text


def parse(raw_lines: list[str], config: SiteConfig, report: Report) -> Parsed:
    lines = [Line(i + 1, clean_line(text)) for i, text in enumerate(raw_lines)]
    meeting = Meeting()
    title_idx = _title_index(lines)
    title_date = ""
    if title_idx is not None:
        rest = TITLE.match(_unbold(lines[title_idx].text)).group("rest")
        meeting.cluster, meeting.forum, title_date = title_parts(rest, config)
    toc_idx, toc = _table_of_contents(lines, title_idx)
    skip = toc_idx | ({title_idx} if title_idx is not None else set())
    starts, toc = _item_starts(lines, skip, toc, report)
    if not starts:
        raise ImportFailure(
            "fandt ingen dagsordenspunkter (no agenda items; fx 'Punkt 1: Titel', '1. Titel' eller "
            "'Pkt. 1'); er det et referat? Gem hele referatet, ikke kun en forside eller en liste"
        )
    pre_cases = _cases_before_items(lines, starts)
    moved = {i for found in pre_cases.values() for i in found}
    header_end = min([starts[0][0], *(pre_cases.get(starts[0][0], []))])
    header = [ln for i, ln in enumerate(lines[:header_end]) if i not in skip and i not in moved]
    parsed = Parsed(meeting)
    _read_header(header, meeting, config, report, parsed)
    first_date, first_line = _first_date(lines[:header_end])
    head_date = meeting.date or title_date or first_date
    if not meeting.time and first_line:
        meeting.time, meeting.end_time = find_times(first_line)
    if title_date and meeting.date and meeting.date != title_date:
        report.warn(lines[title_idx].no, f"datoen i titlen ({title_date}) er ikke mødedatoen {meeting.date}")
    meeting.date = head_date
    nonblank = sum(1 for ln in lines if ln.text.strip())
    spaced = (len(lines) - nonblank) > nonblank * 0.2  # text with blank lines between paragraphs
    for n, (start, head) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        body = [ln if i not in moved else Line(ln.no, "") for i, ln in enumerate(lines[:end])]
        item = read_item(body, start, end, head, spaced, toc, config, report)
        for i in pre_cases.get(start, []):
            item.cases = list(dict.fromkeys([*case_values(_unbold(lines[i].text)), *item.cases]))
        meeting.items.append(item)
    if len(toc) == len(meeting.items):
        for (_, entry), item in zip(toc, meeting.items, strict=True):
            item.closed = item.closed or is_closed_title(entry)  # closed per the TOC only
    _check_toc(meeting.items, toc, report)
    participants_from_items(meeting, report)
    texts = [ln for ln in header] + [
        ln
        for it in meeting.items
        if not it.closed
        for ln in it.intro + [x for s in it.sections for x in s.lines]
    ]
    mark_absent(meeting.participants, absentees_in(texts))
    for it in meeting.items:  # "### Fraværende" sections of open items list the absent
        for sec in it.sections if not it.closed else []:
            if sec.heading.lower().startswith(("fravær", "afbud")):
                mark_absent(meeting.participants, parse_people(sec.lines, report, absent=True))
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


def _first_date(lines: list[Line]) -> tuple[str, str]:
    """The meeting's date where no field names it: the first date in the heading lines (and its line)."""
    for ln in lines:
        text = _unbold(ln.text)
        if text and not re.match(r"^(?:[-•*]\s*)?(?:afbud|fraværende|deltagere)\b", text, re.I):
            found = find_date(text)
            if found:
                return found, text
    return "", ""


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
            if h.item_heading(ln.text):
                if entries:
                    break  # a "3. Titel" item after the TOC (its entries all had page numbers)
                continue  # an item list without page numbers: _drop_item_lists sorts it out
            toc_idx.add(i)  # a wrapped TOC entry
            pending = f"{pending} {t}".strip()
    return toc_idx, entries


def _item_starts(
    lines: list[Line], skip: set[int], toc: list[tuple[int, str]], report: Report
) -> tuple[list[tuple[int, h.Heading]], list[tuple[int, str]]]:
    candidates = [(i, hd) for i, ln in enumerate(lines) if i not in skip and (hd := h.item_heading(ln.text))]
    candidates = [(i, _with_title(lines, i, hd)) for i, hd in candidates]
    # A title starts with a capital or a digit ("eSundhed" too); "Pkt. 17 flyttes til …" is a sentence.
    candidates = [
        (i, hd) for i, hd in candidates if hd.title and not re.match(r"^[a-zæøå][a-zæøå]", hd.title)
    ]
    candidates, listed = _drop_item_lists(lines, candidates)
    toc = toc + listed
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
                report.warn(
                    lines[i].no, f"punktnummer {hd.number} følger ikke efter {current}; læst som tekst"
                )
        if accepted:
            starts.append((i, hd))
            current = hd.number
    return starts, toc


def _with_title(lines: list[Line], i: int, hd: h.Heading) -> h.Heading:
    """ "Pkt. 15" on a line of its own takes its title from the next line."""
    if hd.title:
        return hd
    for ln in lines[i + 1 : i + 4]:
        text = _unbold(ln.text)
        if text:
            if h.item_heading(text) or h.section_heading(text) or is_case_line(text):
                return hd
            return h.Heading(hd.style, hd.number, text, hd.closed or is_closed_title(text), title_line=ln.no)
    return hd


def _drop_item_lists(
    lines: list[Line], candidates: list[tuple[int, h.Heading]]
) -> tuple[list[tuple[int, h.Heading]], list[tuple[int, str]]]:
    """An item list before the bodies is not the items: a run of headings with nothing between them whose
    numbers and titles come again later. A heading repeated right below itself in the same style
    ("1. Titel" / "1.   Titel") counts once. The list's titles still serve as the table of contents."""
    n = len(candidates)

    def dense(k: int) -> bool:
        i, hd = candidates[k]
        nxt = candidates[k + 1][0] if k + 1 < n else len(lines)
        between = [ln.text for ln in lines[i + 1 : nxt] if ln.text.strip() and ln.no != hd.title_line]
        return len(between) <= 1 and not any(h.section_heading(t) for t in between)

    def recurs(k: int, after: int) -> bool:
        hd = candidates[k][1]
        return any(
            c.number == hd.number and (h.titles_agree(c.title, hd.title) or is_closed_title(hd.title))
            for _, c in candidates[after + 1 :]
        )

    gaps = [dense(k) for k in range(n)]
    drop: set[int] = set()
    for k in range(n - 1):
        a, b = candidates[k][1], candidates[k + 1][1]
        if gaps[k] and a.number == b.number and a.style == b.style:
            drop.add(k)
    k = 0
    while k < n:
        j = k
        while j + 1 < n and gaps[j] and candidates[j + 1][1].number > candidates[j][1].number:
            j += 1
        if j > k and all(recurs(m, j) for m in range(k, j + 1)):
            drop.update(range(k, j + 1))
        k = j + 1
    kept = [c for k, c in enumerate(candidates) if k not in drop]
    listed = [(lines[candidates[k][0]].no, candidates[k][1].title) for k in sorted(drop)]
    return kept, listed


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


def _cases_before_items(lines: list[Line], starts: list[tuple[int, h.Heading]]) -> dict[int, list[int]]:
    """Case number lines just above an item's heading ("Sagsnr. 16/34038" / "1. Titel") are that item's."""
    found: dict[int, list[int]] = {}
    for start, _ in starts:
        j = start - 1
        while j >= 0 and not lines[j].text.strip():
            j -= 1
        if j >= 0 and is_case_line(_unbold(lines[j].text)):
            found[start] = [j]
    return found


def _read_header(
    header: list[Line], meeting: Meeting, config: SiteConfig, report: Report, parsed: Parsed
) -> None:
    values: dict[str, list[Line]] = {}
    key = ""
    for ln in header:
        text = re.sub(r"^[-•*▪]\s+", "", _unbold(ln.text))
        if not text:
            continue
        m = _HEADER_KEY.match(text)
        if m and not (key in _PRESENT_KEYS and m.group(1).lower() in ("møde", "tid", "sted")):
            key = m.group(1).lower()
            if m.group(2).strip():
                values.setdefault(key, []).append(Line(ln.no, m.group(2).strip()))
                key = "" if key in _SINGLE_KEYS or m.group(2).strip().lower().rstrip(".") == "ingen" else key
            continue
        if re.match(r"^(?:åben|åbent|lukket)\b", text, re.IGNORECASE):
            continue  # "Åbent møde." above the first item
        if key:
            values.setdefault(key, []).append(Line(ln.no, text))
            key = "" if key in _SINGLE_KEYS or text.lower().rstrip(".") == "ingen" else key
        elif is_committee_line(text, config) or TITLE.match(text):
            # "Sundhedsklynge X - Politisk niveau" under a bare "Referat" title names the meeting.
            cluster, forum, _ = title_parts(
                TITLE.match(text).group("rest") if TITLE.match(text) else text, config
            )
            meeting.cluster = meeting.cluster or cluster
            meeting.forum = meeting.forum or forum
        elif text != "." and not find_date(text):
            report.warn(ln.no, f"kunne ikke placere denne linje før første punkt: {text[:60]!r}")
            parsed.unplaced.append(ln)
    for k in ("udvalg", "mødeforum", "forum"):
        for ln in values.get(k, []):
            cluster, forum, _ = title_parts(ln.text, config)
            meeting.cluster = meeting.cluster or cluster
            stems = match_all(ln.text, config.forums, stems=True)
            meeting.forum = meeting.forum or forum or (stems[0].slug if stems else "")
    when = " ".join(ln.text for k in _WHEN_KEYS for ln in values.get(k, []))
    meeting.date = find_date(when)
    meeting.time, meeting.end_time = find_times(when)
    ends = " ".join(ln.text for k in ("sluttidspunkt", "mødeslut") for ln in values.get(k, []))
    if ends:
        meeting.end_time = find_times(ends)[0] or meeting.end_time
    place = [ln.text for k in ("mødested", "sted", "lokale") for ln in values.get(k, [])]
    meeting.location = ", ".join(p for p in place if p != ".")
    for k in (*_PRESENT_KEYS, *_ABSENT_KEYS):
        found = values.get(k, [])
        if found and found[0].text.count(",") >= 3:  # one comma list, maybe wrapped over lines
            values[k] = [Line(found[0].no, " ".join(ln.text for ln in found))]
    for k in _PRESENT_KEYS:
        meeting.participants += parse_people(values.get(k, []), report)
    for k in ("sekretariat", "sekretær", "referent"):
        meeting.secretariat += parse_people(values.get(k, []), report)
    for k in _ABSENT_KEYS:
        mark_absent(meeting.participants, parse_people(values.get(k, []), report, absent=True))


def _check_toc(items: list, toc: list[tuple[int, str]], report: Report) -> None:
    if not toc:
        return
    if len(toc) != len(items):
        report.warn(toc[0][0], f"indholdsfortegnelsen har {len(toc)} punkter, referatet har {len(items)}")
    for (line, entry), item in zip(toc, items, strict=False):
        if not h.titles_agree(item.title, entry) and not item.closed:
            report.warn(item.line, f"titlen afviger fra indholdsfortegnelsens {entry!r} (linje {line})")
