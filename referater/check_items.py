"""The everyday mistakes in one meeting that `check` points out (all in Danish, with the line to fix):

* text of the `new` skeleton left in a meeting that is to be published (error);
* a section heading that is no known one, with the nearest known one ("### Beslutnig" – mente du
  'Beslutning'?): a decision under a misspelt heading drops out of overviews and topic pages (warning);
* an agenda item of a held meeting without a decision, and sections with no text (warnings);
* links without a target, `[tekst](#)` and `[tekst]()`, which render as links that lead nowhere (warning).

A draft is work in progress: only its headings and links are judged. Meetings dated after today are
agendas, whose items have no decision yet.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .errors import Finding
from .importer.headings import KNOWN_SUBHEADINGS, SECTION_NAMES
from .model import AgendaItem, Meeting, Section
from .newmeeting import PLACEHOLDER_TITLE, skeleton
from .suggest import nearest

# [text](target "title"), not images; the target may be empty.
# The text excludes "[" too, so that a run of brackets costs linear time, not quadratic.
_LINK = re.compile(r"(?<!!)\[([^\[\]\n]*)\]\(\s*<?([^)\s>]*)>?(?:\s+\"[^\"\n]*\")?\s*\)")
_CODE = re.compile(r"`[^`\n]*`")
_KNOWN = {name.casefold() for name in (*SECTION_NAMES, *KNOWN_SUBHEADINGS)}
# Suggested spellings, as they are written in a referat.
_SHOWN = [name[0].upper() + name[1:] for name in sorted(SECTION_NAMES)]
_SKELETON_TEXT = {
    line.strip()
    for line in skeleton("x", "y", dt.date(2000, 1, 1)).split("---\n", 2)[2].splitlines()
    if line.strip() and not line.startswith("#")
}


def link_targets(meeting: Meeting) -> list[tuple[int, str, str]]:
    """(line, text, target) of every Markdown link in the meeting's text, outside code spans."""
    found = []
    for item in meeting.items:
        for section in item.sections:
            text = _CODE.sub(lambda m: " " * len(m.group()), section.source)
            line, counted = section.line, 0
            for match in _LINK.finditer(text):
                line += text.count("\n", counted, match.start())
                counted = match.start()
                found.append((line, match.group(1), match.group(2)))
    return found


def item_findings(site_dir: Path, meeting: Meeting, today: dt.date) -> list[Finding]:
    lines = _file_lines(site_dir / meeting.path)
    findings = _headings(meeting, lines) + _empty_links(meeting)
    if meeting.draft:
        return findings
    findings += _skeleton_left(meeting)
    held = meeting.date <= today
    for item in meeting.items:
        findings += _empty_sections(meeting, item, lines)
        if held and not item.closed:
            findings += _no_decision(meeting, item, lines)
    return findings


def _skeleton_left(meeting: Meeting) -> list[Finding]:
    found = []
    for item in meeting.items:
        if item.title.strip().casefold() == PLACEHOLDER_TITLE.casefold():
            found.append(
                Finding(
                    meeting.path,
                    item.line,
                    f"punkt {item.number} hedder stadig '{PLACEHOLDER_TITLE}' fra skabelonen: skriv punktets "
                    "rigtige titel, eller slet punktet. Er referatet ikke færdigt, så sæt draft: true",
                )
            )
    texts = [s.source.strip() for item in meeting.items for s in item.sections if s.source.strip()]
    if any(not i.closed for i in meeting.items) and all(text in _SKELETON_TEXT for text in texts):
        found.append(
            Finding(
                meeting.path,
                meeting.line_of.get("draft", 1),
                "referatet er stadig den tomme skabelon fra `new`, men står som færdigt (draft: false): "
                "skriv referatet, eller sæt draft: true, så det ikke bliver udgivet",
            )
        )
    return found


def _headings(meeting: Meeting, lines: list[str]) -> list[Finding]:
    found = []
    for item in meeting.items:
        for section in item.sections:
            heading = section.heading.strip().rstrip(":").strip()
            if not heading or _known(section, heading):
                continue
            line = _heading_line(lines, section)
            guess = nearest(heading, _SHOWN)
            if guess:
                decision = (
                    " Sådan som den står, vises punktets beslutning ikke i oversigter og på emnesider."
                    if guess == "Beslutning"
                    else ""
                )
                message = f"ukendt afsnitsoverskrift '### {heading}' – mente du '{guess}'?{decision}"
            else:
                message = (
                    f"ukendt afsnitsoverskrift '### {heading}'; de faste er "
                    "Resumé, Sagsfremstilling, Indstilling, Beslutning og Bilag (se docs/content-format.md)"
                )
            found.append(Finding(meeting.path, line, message, "warning", "heading"))
    return found


def _known(section: Section, heading: str) -> bool:
    folded = heading.casefold()
    if section.is_decision or folded in _KNOWN:
        return True
    # "Indstilling fra sekretariatet", "Bilag til punktet": a known heading with more after it.
    return any(folded.startswith(name + " ") for name in _KNOWN)


def _empty_sections(meeting: Meeting, item: AgendaItem, lines: list[str]) -> list[Finding]:
    found = []
    for section in item.sections:
        if section.heading and not section.source.strip() and not section.is_decision:
            found.append(
                Finding(
                    meeting.path,
                    _heading_line(lines, section),
                    f"afsnittet '### {section.heading}' i punkt {item.number} er tomt: skriv teksten, "
                    "eller slet overskriften",
                    "warning",
                    "empty-section",
                )
            )
    return found


def _no_decision(meeting: Meeting, item: AgendaItem, lines: list[str]) -> list[Finding]:
    decision = item.decision
    if decision is not None and decision.source.strip():
        return []
    if decision is None:
        line, what = item.line, "har ingen beslutning: tilføj '### Beslutning' med det, mødet besluttede"
    else:
        line, what = (
            _heading_line(lines, decision),
            "har en tom '### Beslutning': skriv, hvad mødet besluttede",
        )
    return [
        Finding(
            meeting.path,
            line,
            f"punkt {item.number} '{item.title}' {what} (fx 'Taget til efterretning.')",
            "warning",
            "no-decision",
        )
    ]


def _empty_links(meeting: Meeting) -> list[Finding]:
    return [
        Finding(
            meeting.path,
            line,
            f"linket [{text}]({target}) har intet mål: skriv adressen i parentesen, "
            "eller fjern klammerne, så det bliver almindelig tekst",
            "warning",
            "empty-link",
        )
        for line, text, target in link_targets(meeting)
        if target in ("", "#")
    ]


def _file_lines(path: Path) -> list[str]:
    try:
        return path.read_text("utf-8-sig").replace("\r\n", "\n").split("\n")
    except (OSError, UnicodeDecodeError):
        return []


def _heading_line(lines: list[str], section: Section) -> int:
    """The line of a section's '### ' heading: the last one at or before where its text starts."""
    for number in range(min(section.line, len(lines)), 0, -1):
        text = lines[number - 1].strip()
        if text.startswith("###") and section.heading in text:
            return number
    return section.line
