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
from .meta import TITLE, find_date, find_times, forum_line, is_committee_line, match_all, title_parts
from .model import ImportFailure, Item, Line, Meeting, Report
from .people import absentees_in, mark_absent, parse_people, participants_from_items
from .starts import groups, is_group_line, item_starts, table_of_contents, titled_starts, unnumbered_starts

_SINGLE_KEYS = {
    "mødedato", "dato", "tidspunkt", "mødetidspunkt", "starttidspunkt", "sluttidspunkt", "mødestart",
    "mødeslut", "tid", "mødested", "sted", "lokale", "udvalg", "mødeforum", "forum", "møde", "mødeleder",
    "ordstyrer", "start kl", "slut kl", "emne", "varighed",
}  # fmt: skip
_WHEN_KEYS = ("mødedato", "dato", "tidspunkt", "mødetidspunkt", "starttidspunkt", "mødestart", "tid", "start kl", "varighed")  # fmt: skip
_PRESENT_KEYS = (
    "mødedeltagere", "deltagere", "medlemmer", "til stede", "tilstede", "tilstedeværende",
    "tilstedeværende medlemmer", "fremmødte", "desuden deltog",
)  # fmt: skip
_ABSENT_KEYS = (
    "afbud", "afbud fra", "afbud modtaget fra", "fraværende", "fraværende med afbud", "fraværende uden afbud",
    "ikke til stede",
    "forfald",
)  # fmt: skip
# "Dagsorden:" over the numbered list of the items in a referat's head: the items say it again.
_AGENDA_LABEL = re.compile(r"^(?:dagsorden|dagsordenspunkter|punkter på dagsordenen|program)\s*:?$", re.I)
# Portal furniture copied along with the text: buttons, links to the top, the item list's own label.
_DEBRIS = re.compile(
    r"^(?:(?:tilbage\s+)?til\s+(?:toppen|top|indholdsfortegnelse(?:en)?)|gå til (?:indhold|toppen)|"
    r"spring til (?:primært )?indhold|skip til .*indhold|you are here|du er her|print|udskriv|del|"
    r"del (?:siden|på .*)|søg|abonnér|abonner|se alle dagsordener.*|luk alle punkter.*|åbn alle punkter.*|"
    r"fold (?:alle )?(?:punkter )?(?:ind|ud)|vis alle|skjul alle|punkter|dagsordenspunkter|"
    r"download (?:som )?pdf|hent (?:som )?pdf|læs op|cookie.*|accepter.*cookies.*|"
    r"vælg|oversigtsdagsorden\s*:.*|show video|vis video|se video(?:en)?|afspil video(?:en)?)$",
    re.IGNORECASE,
)
_DEBRIS_PREFIX = re.compile(
    r"^(?:fold (?:dette punkt |punktet )?(?:ind|ud)|luk alle punkter|åbn alle punkter)\s+", re.I
)
_DEAD_LINK = re.compile(r"\[([^\]\n]+)\]\((?:#[^)\s]*|)\)")
_WHOLE_LINK = re.compile(r"^\s*(?:[-•*▪]\s+)?\[[^\]\n]+\]\([^)\n]*\)\s*$")


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


# eDoc publishing glues an item's title to its first section: "1. Meddelelse fra formandenReferat".
_GLUED_SECTION = re.compile(
    r"^(\s*\d{1,3}\.\s*\S.*?[a-zæøå0-9)])(Referat|Beslutning|Indstilling|Sagsfremstilling|Resumé|Resume)\s*$"
)


def _unglue(raw_lines: list[str]) -> list[tuple[int, str]]:
    """(line number, text), an item heading glued to its first section's name split in two."""
    out: list[tuple[int, str]] = []
    for no, text in enumerate(raw_lines, 1):
        m = _GLUED_SECTION.match(text)
        out += [(no, m.group(1)), (no, m.group(2))] if m else [(no, text)]
    return out


def parse(raw_lines: list[str], config: SiteConfig, report: Report) -> Parsed:
    numbered = _unglue(raw_lines)
    raw_lines = [text for _, text in numbered]
    lines = [Line(no, clean_line(text), link=bool(_WHOLE_LINK.match(text))) for no, text in numbered]
    lines = _drop_running(lines)
    meeting = Meeting()
    title_idx = _title_index(lines)
    title_date = ""
    if title_idx is not None:
        rest = TITLE.match(_unbold(lines[title_idx].text)).group("rest")
        meeting.cluster, meeting.forum, title_date = title_parts(rest, config)
    toc_idx, toc = table_of_contents(lines)
    skip = toc_idx | ({title_idx} if title_idx is not None else set())
    found = item_starts(lines, skip, toc, report)
    starts, toc = found.starts, found.toc
    starts = starts or titled_starts(lines, skip) or unnumbered_starts(lines, skip)
    if not starts:
        raise ImportFailure(
            "fandt ingen dagsordenspunkter (no agenda items; fx 'Punkt 1: Titel', '1. Titel' eller "
            "'Pkt. 1'); er det et referat? Gem hele referatet, ikke kun en forside eller en liste"
        )
    in_closed_group, group_lines = groups(lines, starts)
    pre_cases = _cases_before_items(lines, starts)
    moved = {i for found in pre_cases.values() for i in found} | found.above | group_lines
    header_end = min([starts[0][0], *(pre_cases.get(starts[0][0], [])), *found.above])
    # A skipped, moved or furniture heading ("## PUNKTER") stays as "#": it ends the list above it.
    breaks = skip | moved | {i for i, t in enumerate(raw_lines) if t.startswith("#") and not lines[i].text}
    header = [Line(ln.no, "#") if i in breaks else ln for i, ln in enumerate(lines[:header_end])]
    parsed = Parsed(meeting)
    listed = {_loose_title(hd.title) for _, hd in starts}
    _read_header(header, meeting, config, report, parsed, listed)
    first_date, first_line = _first_date(header)
    head_date = meeting.date or title_date or first_date
    title_rest = TITLE.match(_unbold(lines[title_idx].text)).group("rest") if title_idx is not None else ""
    if not meeting.time and title_date and re.search(r"\bkl\.?\s*\d", title_rest, re.IGNORECASE):
        meeting.time, meeting.end_time = find_times(title_rest)  # "Referat til mødet i … den … kl. 09:00"
    if not meeting.time and first_line[0]:
        meeting.time, meeting.end_time = first_line
    if title_date and meeting.date and meeting.date != title_date:
        report.warn(lines[title_idx].no, f"datoen i titlen ({title_date}) er ikke mødedatoen {meeting.date}")
    meeting.date = head_date
    nonblank = sum(1 for ln in lines if ln.text.strip())
    spaced = (len(lines) - nonblank) > nonblank * 0.2  # text with blank lines between paragraphs
    for n, (start, head) in enumerate(starts):
        end = starts[n + 1][0] if n + 1 < len(starts) else len(lines)
        body = [ln if i not in moved else Line(ln.no, "") for i, ln in enumerate(lines[:end])]
        item = read_item(body, start, end, head, spaced, toc, config, report)
        item.closed = item.closed or in_closed_group[n]
        for i in pre_cases.get(start, []):
            item.cases = list(dict.fromkeys([*case_values(_unbold(lines[i].text)), *item.cases]))
        meeting.items.append(item)
    if len(toc) == len(meeting.items):
        for (_, entry), item in zip(toc, meeting.items, strict=True):
            item.closed = item.closed or is_closed_title(entry)  # closed per the TOC only
    closed_entries = [entry for _, entry in toc if is_closed_title(entry)]
    for item in meeting.items:  # "5. Salg af grund (Lukket)" in the list, "5. Salg af grund" over the text
        if not item.closed and any(h.titles_agree(item.title, e) for e in closed_entries):
            item.closed = True
    for hd in found.listed_only:  # closed items that only the item list names: title, nothing else
        meeting.items.append(Item(hd.number, hd.title, hd.title_line or 0, closed=True))
    meeting.items.sort(key=lambda it: it.number)
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


_PAGE_MARK = re.compile(
    r"(?:^|\s)side\s+\d{1,3}(?:\s*(?:af|/)\s*\d{1,3})?\s*$|^\d{1,3}\s*(?:af|/)\s*\d{1,3}$", re.I
)


def _drop_running(lines: list[Line]) -> list[Line]:
    """A PDF's page header or footer copied into the text ("Fagligt strategisk niveau 14-04-2026  Side 2
    af 3") on every page: a line that comes back three times or more, digits aside, and holds a page
    number or a date, is furniture after its first time; a bare "Side 2 af 3" always is."""
    shapes = [re.sub(r"\d+", "#", _unbold(ln.text).lower()) for ln in lines]
    counts: dict[str, int] = {}
    for shape in shapes:
        counts[shape] = counts.get(shape, 0) + 1
    seen: set[str] = set()
    out: list[Line] = []
    for ln, shape in zip(lines, shapes, strict=True):
        text = _unbold(ln.text)
        running = (
            counts[shape] >= 3
            and len(text) <= 140
            and bool(_PAGE_MARK.search(text) or find_date(text))
            and not h.item_heading(text)
            and not h.section_heading(text)
        )
        if (running and shape in seen) or (_PAGE_MARK.search(text) and len(text) <= 14):
            out.append(Line(ln.no, ""))
            continue
        seen.add(shape)
        out.append(ln)
    return out


def _unbold(text: str) -> str:
    return re.sub(r"\*\*|__", "", h.plain(text)).strip()


# "Referat godkendt 10. marts 2026" above the meeting's own heading: a note, not the title.
_APPROVAL = re.compile(r"^(?:er\s+)?(?:godkendt|udsendt|offentliggjort|publiceret|rettet)\b", re.IGNORECASE)


def _title_index(lines: list[Line]) -> int | None:
    seen = 0
    for i, ln in enumerate(lines):
        if not ln.text.strip():
            continue
        title = TITLE.match(_unbold(ln.text))
        if title and not _APPROVAL.match(title.group("rest")):
            return i
        seen += 1
        if seen > 8:
            return None
    return None


_NOT_MEETING_DATE = re.compile(
    r"^(?:[-•*]\s*)?(?:afbud|fraværende|deltagere|publiceret|offentliggjort|udsendt|udskrevet|printet|"
    r"opdateret|senest opdateret|sidst opdateret|genereret|oprettet|godkendt|referatet er godkendt|"
    r"referat godkendt|næste møde|frist|deadline)\b",
    re.IGNORECASE,
)


def _first_date(lines: list[Line]) -> tuple[str, tuple[str, str]]:
    """The meeting's date where no field names it: the first date in the heading lines that is not the
    page's publication date, and the time on its line or on the line below ("Mødelokale F7 kl. 12.00")."""
    texts = [t for t in (_unbold(ln.text) for ln in lines) if t]
    for n, text in enumerate(texts):
        if _NOT_MEETING_DATE.match(text):
            continue
        found = find_date(text)
        if found:
            times = find_times(text)
            for nxt in texts[n + 1 : n + 3]:
                if times[0] or find_date(nxt):
                    break
                if re.search(r"\b(?:kl\.?|klokken)\s*\d", nxt, re.IGNORECASE):
                    times = find_times(nxt)
            return found, times
    return "", ("", "")


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
    header: list[Line], meeting: Meeting, config: SiteConfig, report: Report, parsed: Parsed, listed: set[str]
) -> None:
    """The meeting's facts above the first item; `listed` are the items' titles, which an item list
    before the bodies repeats ("1 Titel", "1. Titel")."""
    values: dict[str, list[Line]] = {}
    key = ""
    for ln in header:
        text = re.sub(r"^[-•*▪]\s+", "", _unbold(ln.text))
        if ln.text.startswith("#") or h.GROUP_LETTER.match(text):
            key = ""  # a heading ends the list above it ("Fraværende: …" then "## PUNKTER")
        if not text or ln.text == "#" or h.GROUP_LETTER.match(text):
            continue
        sentence = len(text.split()) > 6 or re.search(r"\b(?:deltog|deltager|var|havde|blev|mødte)\b", text)
        if key in (*_PRESENT_KEYS, *_ABSENT_KEYS) and sentence and text.endswith("."):
            key = ""  # a sentence under a list of names ("Direktør X deltog under pkt. 2.") ends it
        if _AGENDA_LABEL.match(text):
            key = "agenda"
            continue
        if key == "agenda" and re.match(r"^(?:\d{1,3}|[IVX]{1,6})\s*[.):]\s*\S|^[-•*▪]\s", ln.text.strip()):
            continue
        key = "" if key == "agenda" else key
        m = h.HEADER_KEY.match(text)
        if m and not (key in _PRESENT_KEYS and m.group(1).lower() in ("møde", "tid", "sted")):
            key = m.group(1).lower()
            if m.group(2).strip():
                values.setdefault(key, []).append(Line(ln.no, m.group(2).strip()))
                key = "" if key in _SINGLE_KEYS or m.group(2).strip().lower().rstrip(".") == "ingen" else key
            continue
        numbered = re.match(r"^\d{1,3}\s*[.):]?\s+(\S.*)$", text)
        entry = numbered.group(1) if numbered else ""
        if numbered and {_loose_title(entry), _loose_title(re.sub(r"\s+\d{1,3}$", "", entry))} & listed:
            key = ""
            continue  # the item list before the bodies: the items say it again
        if re.match(r"^(?:åben|åbent|lukket)\b", text, re.IGNORECASE) or is_group_line(text):
            key = ""
            continue  # "Åbent møde." or "Åbne punkter" above the first item
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
        elif forum_line(text, config):
            meeting.forum = meeting.forum or forum_line(text, config)
        elif find_date(text) and match_all(text, config.clusters):
            # "Sundhedsklynge Fyn – Politisk niveau, tirsdag den 3. marts 2026 kl. 14.00": the meeting's line
            cluster, forum, _ = title_parts(text, config)
            meeting.cluster = meeting.cluster or cluster
            meeting.forum = meeting.forum or forum
        elif text != "." and not find_date(text) and not absentees_in([ln]):  # those are read below
            report.warn(ln.no, f"kunne ikke placere denne linje før første punkt: {text[:60]!r}")
            parsed.unplaced.append(ln)
    for k in ("udvalg", "mødeforum", "forum", "møde", "emne"):
        for ln in values.get(k, []):
            cluster, forum, _ = title_parts(ln.text, config)
            meeting.cluster = meeting.cluster or cluster
            stems = match_all(ln.text, config.forums, stems=True)
            meeting.forum = meeting.forum or forum or (stems[0].slug if stems else "")
    when = " ".join(ln.text for k in _WHEN_KEYS for ln in values.get(k, []))
    meeting.date = find_date(when)
    meeting.time, meeting.end_time = find_times(when)
    ends = " ".join(ln.text for k in ("sluttidspunkt", "mødeslut", "slut kl") for ln in values.get(k, []))
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


def _loose_title(text: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"\*\*|__|\[|\]\(\)", "", text).lower()).strip(" .:")


def _check_toc(items: list, toc: list[tuple[int, str]], report: Report) -> None:
    if not toc:
        return
    if len(toc) != len(items):
        report.warn(toc[0][0], f"indholdsfortegnelsen har {len(toc)} punkter, referatet har {len(items)}")
    for (line, entry), item in zip(toc, items, strict=False):
        if not h.titles_agree(item.title, entry) and not item.closed:
            report.warn(item.line, f"titlen afviger fra indholdsfortegnelsens {entry!r} (linje {line})")
