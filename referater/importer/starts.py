"""Where the agenda items start: the table of contents, item lists before the bodies, the one numbering
style a referat uses, titles above or below a bare "Sag nr. 5", and "Åben"/"Lukket" group lines."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..closed import closed_by_line, is_closed_title
from . import headings as h
from .items import is_case_line, is_mark_line
from .model import Line, Report

_STYLE_ORDER = ("p_colon", "p_dot", "open_closed", "num_colon", "roman", "num_dot", "num_space")
# Styles a stray line could have ("2: Oplæg" in a decision, "V. Hansen"): they count only where two of
# their headings follow each other (n, n + 1).
_RUN_STYLES = ("num_colon", "roman")
# A line that opens a group of items: "Åben", "Åbne punkter", "Lukket", "Lukkede sager", "Lukket dagsorden".
_GROUP = re.compile(
    r"^(?:(?P<open>åben|åbne|åbent|offentlige?(?=\s))|(?P<closed>lukket|lukkede|fortrolige?|ikke[\s-]*offentlige?))"
    r"(?:\s+(?:punkter|sager|dagsorden(?:spunkter)?|del|møde))?\s*[:.]?$",
    re.IGNORECASE,
)
# "Label: value" lines (not titles): "Beslutningskompetence: SOSU".
_ABBREVIATED = re.compile(r"(?:^|\s)(?:evt|m\.m|m\.v|mv|mm|bl\.a|inkl|ca|jf|vedr|mht)\.$", re.IGNORECASE)
_FIELD = re.compile(r"^[A-ZÆØÅ][\wæøå./ -]{1,40}:\s+\S")


@dataclass
class Starts:
    starts: list[tuple[int, h.Heading]]
    toc: list[tuple[int, str]]
    listed_only: list[h.Heading] = field(default_factory=list)  # closed items that only the list names
    above: set[int] = field(default_factory=set)  # title lines above their "Sag nr. N" heading


def is_group_line(text: str) -> bool:
    """ "Åbne punkter", "Lukket møde", "Ikke offentlige punkter": a line over a group of items."""
    return bool(_GROUP.match(unbold(text)))


def unbold(text: str) -> str:
    return re.sub(r"\*\*|__", "", h.plain(text)).strip()


def table_of_contents(lines: list[Line]) -> tuple[set[int], list[tuple[int, str]]]:
    """Indices of TOC lines (never content) and the entries (line, title) for cross-checking."""
    toc_idx: set[int] = set()
    entries: list[tuple[int, str]] = []
    in_toc = False
    pending = ""  # the start of a TOC entry wrapped onto the next line (PDF)
    for i, ln in enumerate(lines):
        t = h.plain(ln.text)
        if h.TOC_HEADING.match(unbold(ln.text)):
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
        elif in_toc and t and h.HEADER_KEY.match(unbold(ln.text)):
            in_toc, pending = False, ""  # "Medlemmer:" after the TOC: the meeting's facts again
        elif in_toc and re.fullmatch(r"(?i)(?:punkt(?:\s+nr\.?)?\s+)?side", unbold(ln.text)):
            toc_idx.add(i)  # the TOC's column header "Side" / "Punkt nr. Side"
        elif in_toc and t:
            if h.item_heading(ln.text):
                if entries:
                    break  # a "3. Titel" item after the TOC (its entries all had page numbers)
                continue  # an item list without page numbers: drop_item_lists sorts it out
            toc_idx.add(i)  # a wrapped TOC entry, or a group line ("Åbne") of the list
            pending = "" if _GROUP.match(unbold(ln.text)) else f"{pending} {t}".strip()
    return toc_idx, entries


def item_starts(lines: list[Line], skip: set[int], toc: list[tuple[int, str]], report: Report) -> Starts:
    candidates = [(i, hd) for i, ln in enumerate(lines) if i not in skip and (hd := h.item_heading(ln.text))]
    candidates = [(i, _with_title(lines, i, hd)) for i, hd in candidates]
    # A title starts with a capital or a digit ("eSundhed" too); "Pkt. 17 flyttes til …" is a sentence.
    candidates = [
        (i, hd) for i, hd in candidates if hd.title and not re.match(r"^[a-zæøå][a-zæøå]", hd.title)
    ]
    candidates, listed, listed_only = _drop_item_lists(lines, candidates)
    toc = toc + listed
    styles = {hd.style for _, hd in candidates}
    for weak in _RUN_STYLES:
        numbers = {hd.number for _, hd in candidates if hd.style == weak}
        # a programme "13: Velkomst", "14: Oplæg" inside a "1. Titel" referat is no run of items
        others = [(i, hd.number) for i, hd in candidates if hd.style in ("num_dot", "num_space")]
        mine = [(i, hd.number) for i, hd in candidates if hd.style == weak]
        longer = _run_length([n for _, n in others]) - _run_length([n for _, n in mine])
        if not any(n + 1 in numbers for n in numbers) or longer > 0 or (longer == 0 and others[0] < mine[0]):
            styles.discard(weak)
    style = next((s for s in _STYLE_ORDER if s in styles), "")
    toc_titles = [t for _, t in toc]
    main_numbers = {hd.number for _, hd in candidates if hd.style == style}
    starts: list[tuple[int, h.Heading]] = []
    current = 0
    for i, hd in candidates:
        accepted = False
        if hd.style == "lukket" or (hd.style == "open_closed" and style != "open_closed"):
            accepted = hd.number > current and (hd.closed or hd.number == current + 1)
        elif {hd.style, style} == {"p_colon", "p_dot"}:
            # "Ad 3. …" then "Ad pkt. 4: …" (typed by hand): one run, where the main style has no such number
            accepted = hd.number == current + 1 and hd.number not in main_numbers
        elif hd.style == style == "roman":
            accepted = hd.number == current + 1
        elif hd.style == style and style in ("num_dot", "num_space"):
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
    above = {hd.title_line - 1 for i, hd in starts if hd.title_line and hd.title_line <= lines[i].no}
    numbers = {hd.number for _, hd in starts}
    return Starts(starts, toc, [hd for hd in listed_only if hd.number not in numbers], above)


def _run_length(numbers: list[int]) -> int:
    """How many of the numbers, in order, continue a run n, n + 1, … from the first of them."""
    current, length = None, 0
    for n in numbers:
        if current is None or n == current + 1:
            current, length = n, length + 1
    return length


def _with_title(lines: list[Line], i: int, hd: h.Heading) -> h.Heading:
    """ "Pkt. 15" on a line of its own takes its title from the next line, or from the line above when
    what follows is the item's fields ("Sag nr. 12" under its title, "Beslutningskompetence: KB" below)."""
    if hd.title:
        return hd
    bare = bool(re.fullmatch(r"\d{1,3}", unbold(lines[i].text)))  # a web page's number element
    for ln in lines[i + 1 : i + 4]:
        text = unbold(ln.text)
        if text and bare and not h.is_decorated(ln.text):
            return hd  # "3" over a paragraph: an amount, a count, not an item
        if text:
            if h.item_heading(text) or h.section_heading(text) or is_case_line(text) or _FIELD.match(text):
                return hd if hd.style == "num_dot" else _title_above(lines, i, hd)  # "3." has it below
            if closed_by_line(text) is True and hd.style == "num_dot":  # "3." / "Lukket punkt"
                return h.Heading(hd.style, hd.number, text, True, title_line=ln.no)
            if closed_by_line(text) is True:  # "Sag nr. 24" / "Lukket punkt": the title is above
                above = _title_above(lines, i, hd)
                return h.Heading(above.style, above.number, above.title, True, above.title_line)
            return h.Heading(hd.style, hd.number, text, hd.closed or is_closed_title(text), title_line=ln.no)
    return hd


def _title_above(lines: list[Line], i: int, hd: h.Heading) -> h.Heading:
    prev = next((ln for ln in reversed(lines[max(0, i - 3) : i]) if ln.text.strip()), None)
    if prev is None:
        return hd
    text = unbold(prev.text)
    plausible = (
        3 <= len(text) <= 200
        and not text.endswith((".", ":", ";", ",", "!", "?"))
        and not h.section_heading(text)
        and not h.item_heading(text)
        and not h.LIST_ITEM.match(text)
        and not _FIELD.match(text)
        and (h.is_decorated(prev.text) or text[:1].isupper())
    )
    if not plausible:
        return hd
    return h.Heading(hd.style, hd.number, text, hd.closed or is_closed_title(text), title_line=prev.no)


def _drop_item_lists(
    lines: list[Line], candidates: list[tuple[int, h.Heading]]
) -> tuple[list[tuple[int, h.Heading]], list[tuple[int, str]], list[h.Heading]]:
    """An item list before the bodies is not the items: a run of headings with nothing between them whose
    numbers and titles come again later. A heading repeated right below itself in the same style
    ("1. Titel" / "1.   Titel") counts once. The list's titles still serve as the table of contents; its
    closed items that have no body of their own ("16. Lukket punkt") are items all the same."""
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
    only: list[h.Heading] = []
    for k in range(n - 1):
        a, b = candidates[k][1], candidates[k + 1][1]
        if gaps[k] and a.number == b.number and a.style == b.style:
            drop.add(k)
    k = 0
    while k < n:
        j = k
        while j + 1 < n and gaps[j] and candidates[j + 1][1].number > candidates[j][1].number:
            j += 1
        again = [m for m in range(k, j + 1) if recurs(m, j)]
        listed_closed = [
            m for m in range(k, j + 1) if m not in again and _closed_in_list(lines, candidates, m)
        ]
        if j > k and again and len(again) + len(listed_closed) == j - k + 1:
            drop.update(range(k, j + 1))
            only += [candidates[m][1] for m in listed_closed]
        k = j + 1
    kept = [c for k, c in enumerate(candidates) if k not in drop]
    listed = [(lines[candidates[k][0]].no, candidates[k][1].title) for k in sorted(drop)]
    return kept, listed, [h.Heading(hd.style, hd.number, hd.title, True, hd.title_line) for hd in only]


def _closed_in_list(lines: list[Line], candidates: list[tuple[int, h.Heading]], m: int) -> bool:
    """A list entry is closed by its title or by a "Lukket" group line above it in the list."""
    if candidates[m][1].closed or is_closed_title(candidates[m][1].title):
        return True
    for ln in reversed(lines[: candidates[m][0]]):
        group = _GROUP.match(unbold(ln.text)) if ln.text.strip() else None
        if group:
            return bool(group.group("closed"))
        if ln.text.strip() and not h.item_heading(ln.text) and len(ln.text) > 60:
            return False
    return False


def _num_dot_is_item(lines: list[Line], i: int, hd: h.Heading, toc: list[str], current: int) -> bool:
    """ "3. Titel" is an item only where it cannot be a numbered list (e.g. inside an Indstilling); "3 Titel"
    only where it is a heading or a section heading follows it."""
    if toc:
        return any(h.titles_agree(hd.title, t) for t in toc)
    if h.is_decorated(lines[i].text):
        return True
    if hd.style == "num_space":
        nxt = next((ln.text for ln in lines[i + 1 : i + 6] if ln.text.strip()), "")
        return bool(h.section_heading(nxt)) and (not current or hd.number == current + 1)
    if current and hd.number != current + 1:
        return False
    prev = next((ln.text.strip() for ln in reversed(lines[:i]) if ln.text.strip()), "")
    if prev.endswith(":") or h.LIST_ITEM.match(prev) or h.section_heading(prev):
        return False
    if not hd.title.endswith((".", ",", ";")) or _ABBREVIATED.search(hd.title):
        return True  # "3. Evt.", "2. Nyt fra kommuner, region m.m.": the dot is an abbreviation's
    nxt = next((unbold(ln.text) for ln in lines[i + 1 : i + 4] if ln.text.strip()), "")
    return hd.title.endswith(".") and (is_mark_line(nxt) or is_case_line(nxt))  # Odense: "1. Titel."


def groups(lines: list[Line], starts: list[tuple[int, h.Heading]]) -> tuple[list[bool], set[int]]:
    """Per item: is it in a "Lukket"/"Lukkede punkter" group; and the group lines (never content). A group
    line stands right above an item's heading, after the previous item's text (a "Lukket" right under a
    heading is that item's own mark)."""
    closed: list[bool] = []
    used: set[int] = set()
    state = False
    for n, (start, _) in enumerate(starts):
        prev_start = starts[n - 1][0] if n else -1
        j = start - 1
        while j > prev_start and not lines[j].text.strip():
            j -= 1
        text = unbold(lines[j].text) if j > prev_start else ""
        group = _GROUP.match(text)
        lettered = h.GROUP_LETTER.match(text)
        if lettered and not group:
            group = _GROUP.match("lukkede" if re.search(r"lukke|fortrolig", text, re.I) else "åbne")
        if group:
            k = j - 1
            while k > prev_start and not lines[k].text.strip():
                k -= 1
            if n == 0 or (k > prev_start and lines[k].no != starts[n - 1][1].title_line):
                state = bool(group.group("closed"))
                used.add(j)
        closed.append(state)
    return closed, used


def titled_starts(lines: list[Line], skip: set[int]) -> list[tuple[int, h.Heading]]:
    """Items whose bodies carry no number, only their title, under a numbered item list ("Dagsorden: 1.
    Velkomst 2. Status" and then "Velkomst" over its text): each title of the list found again, in
    order, alone on a later line. Only where no numbered item was found, and only for two or more."""
    listed: list[tuple[int, h.Heading]] = []
    for i, ln in enumerate(lines):
        hd = h.item_heading(ln.text) if i not in skip else None
        if hd and hd.title and (not listed or hd.number == listed[-1][1].number + 1):
            listed.append((i, hd))
        elif hd and hd.title and hd.number == 1:
            listed = [(i, hd)]
        elif ln.text.strip() and len(listed) < 2:
            listed = []
        elif ln.text.strip():
            break
    found: list[tuple[int, h.Heading]] = []
    at = listed[-1][0] + 1 if listed else len(lines)
    for _, hd in listed:
        wanted = re.sub(r"\s+", " ", hd.title.lower()).strip(" .:")
        for j in range(at, len(lines)):
            if re.sub(r"\s+", " ", unbold(lines[j].text).lower()).strip(" .:") == wanted:
                found.append((j, h.Heading("listed", hd.number, unbold(lines[j].text), hd.closed)))
                at = j + 1
                break
    return found if len(found) >= 2 else []


_FIRST_SECTIONS = ("beslutning", "resumé", "resume", "indstilling", "sagsfremstilling", "sagens kerne")


def unnumbered_starts(lines: list[Line], skip: set[int]) -> list[tuple[int, h.Heading]]:
    """Items without numbers (Aarhus: a title, then "Beslutning", "Resumé"): a short line that is not a
    sentence or a section, right above a decision or summary section, numbered 1, 2, … in order. Only
    where no numbered item was found, and only if at least two items have that shape."""
    found: list[tuple[int, h.Heading]] = []
    for i, ln in enumerate(lines):
        t = unbold(ln.text)
        if i in skip or not t or len(t) > 160 or not t[:1].isupper() or t.endswith((".", ":", ",", ";")):
            continue
        if h.section_heading(ln.text) or h.HEADER_KEY.match(t) or _FIELD.match(t):
            continue
        nxt = next((x for x in lines[i + 1 :] if x.text.strip()), None)
        section = h.section_heading(nxt.text) if nxt else None
        if section and section[0].lower().startswith(_FIRST_SECTIONS):
            found.append((i, h.Heading("unnumbered", len(found) + 1, t, is_closed_title(t))))
    return found if len(found) >= 2 else []
