"""Line classification: agenda item headings, section headings, metadata lines, TOC entries."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Styles of agenda item headings, strongest first. A referat uses one of them; the others are text.
# "Ad 1." / "Ad pkt. 1" (a secretariat's referat answering its agenda point by point) counts as a prefix.
# "§ 12 Titel" in a protocol numbered by paragraphs.
_PREFIX = r"(?:ad\.?\s*(?:punkt|pkt\.?)?|punkt|pkt\.?|dagsordenspunkt|sag(?:\s+nr\.?)?|item|§)"
P_COLON = re.compile(rf"^{_PREFIX}\s*(\d{{1,3}})\s*:\s*(\S.*)$", re.IGNORECASE)
P_DOT = re.compile(rf"^{_PREFIX}\s*(\d{{1,3}})\.?(?:\s*[-–—]\s*|\s+)(\S.*)$", re.IGNORECASE)
P_ALONE = re.compile(rf"^{_PREFIX}\s*(\d{{1,3}})\s*[.:]?$", re.IGNORECASE)  # "Pkt. 15", title below
OPEN_CLOSED = re.compile(r"^(\d{1,3})\s*\(\s*(åben|åbent|lukket|lukkede?)\s*\)\s*(\S.*)$", re.IGNORECASE)
LUKKET_NUM = re.compile(r"^lukket\s+(\d{1,3})\.?\s+(\S.*)$", re.IGNORECASE)
AABENT_NUM = re.compile(r"^(?:åben|åbent)\s+(\d{1,3})\.?\s+(\S.*)$", re.IGNORECASE)
NUM_DOT = re.compile(r"^(\d{1,3})(?:[.)]\s+|\.(?=[A-ZÆØÅ]))(\S.*)$")  # "1.Titel": the space lost
# "38Godkendelse af dagsorden": number and title in separate elements that a copy glues together.
NUM_GLUED = re.compile(r"^(\d{1,3})([A-ZÆØÅ][a-zæøå]{2}.*)$")
# "1 Titel": an item only where it is a heading or a section heading follows (layout.py decides).
NUM_SPACE = re.compile(r"^(\d{1,3}) ([A-ZÆØÅ\"”»][^\s.:]*[a-zæøå].*)$")
NUM_WIDE = re.compile(r"^(\d{1,3})(?:\t|\s{3,})([A-ZÆØÅ\"”»].*)$")  # "1         Udarbejdelse af …"
# "3." on its own line, the title on the next (a PDF's columns); "3" alone only over a heading (starts.py)
NUM_ALONE = re.compile(r"^(\d{1,3})\.?$")
# "1: Velkomst" (a number and a colon, then a capital): never a list item, rarely anything but an item.
NUM_COLON = re.compile(r"^(\d{1,3})\s*:\s+([A-ZÆØÅ\"”»].*)$")
# "I. Godkendelse af dagsorden", "IV) Eventuelt": roman item numbers (layout.py wants a run I, II, …).
ROMAN = re.compile(r"^([IVX]{1,6})\s*[.):]\s+([A-ZÆØÅ\"”»].*)$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10}
BULLET = re.compile(r"^\s*[-•*▪●◦]\s+")

SECTION_NAMES = {
    "sagens forløb",
    "resumé",
    "resume",
    "sagsfremstilling",
    "sagsbeskrivelse",
    "beslutningstema",
    "indstilling",
    "indstillinger",
    "forslag til beslutning",
    "beslutning",
    "beslutninger",
    "bilag",
    "fraværende",
    "afbud",
    "økonomi",
    "økonomiske konsekvenser",
    "borger-/patientperspektiv",
    "borger/patientperspektiv",
    "borger- og patientperspektiv",
    "borgerperspektiv",
    "patientperspektiv",
    "tidligere beslutninger",
    "koordinering med andre afdelinger",
    "godkendt af",
    "program",
    "lovgrundlag",
    "retsgrundlag",
    "høring",
    "kommunikation",
    "tidsplan",
    "opfølgning",
    "bemærkninger",
    "konklusion",
    "supplerende sagsfremstilling",
    "administrationens indstilling",
    "forvaltningens indstilling",
    "direktionens indstilling",
    "formandskabets indstilling",
    "resume og indstilling",
    "sagsresumé",
    "sagsresume",
    "sagens indhold",
    "sagens baggrund",
    "beskrivelse",
    "beskrivelse af sagen",
    "indledning",
    "problemstilling",
    "løsning",
    "vurdering",
    "administrationens vurdering",
    "forvaltningens vurdering",
    "sagsgang og sagstype",
    "sagsforløb",
    "beslutningskompetence",
    "kompetence",
    "forslag",
    "indstilling til beslutning",
    "effekt",
    "personale",
    "personalemæssige konsekvenser",
    "risikovurdering",
    "videre proces",
    "næste skridt",
    "handicappolitiske konsekvenser",
    "miljø",
    "konsekvenser",
    "bevilling",
    "bevillingsmæssige konsekvenser",
    "relation til politikker",
    "relation til udviklingsstrategi og målsætning",
    "relation til sundhedsaftalen",
    "udtalelse",
    "udtalelser",
    "høringssvar",
    "inddragelse",
    "bilagsfortegnelse",
    "vedlagte bilag",
    "bilag til punktet",
    "fremmøde og inhabilitet",
    "fremmøde",
    "inhabilitet",
    "protokol",
    "protokolbemærkning",
    "sagens kerne",
    "administrativ indstilling",
    "politisk behandling",
    "baggrund for sagens fremlæggelse",
    "tidligere behandling",
    "økonomi og afledt drift",
    "alternativer",
    "tidsperspektiv",
    "sagsresumé og indstilling",
    "drøftelse",
}
# Sections that may carry their content on the heading line: "Fraværende Mette Bossen Linnet, V, …".
INLINE_SECTIONS = re.compile(
    r"^(?:(fraværende(?: med afbud| uden afbud)?|afbud)\s*:?\s+"
    r"|(beslutning|indstilling|kompetence|beslutningskompetence|sagsforløb|resumé|resume|sagsfremstilling|"
    r"bilag|økonomi|konklusion(?:er)?|referat|drøftelse|opfølgning|besluttet|drøftet)\s*:\s*)(\S.*)$",
    re.IGNORECASE,
)
# The decision however it is headed: "Beslutning", "Beslutning i Sundhedsudvalget den 5. december 2023",
# "Udvalgets beslutning", "Behandling i … , pkt. 1", "Referat", "Afgørelse", "Beslutning Ældrerådet den …"
_DECISION_WORD = r"(?:beslutning(?:er)?|behandling|referat|afgørelse)"
_DECISION = re.compile(
    r"^(?:(?:[\wæøå-]+s|endelig|foreløbig)\s+)?beslutning(?:er)?"
    r"(?:\s+(?:i|på|fra|den|d\.|af|truffet|taget|for|ved)\b[^\n]{0,140}|\s*\([^()\n]{1,140}\)"
    r"|\s+[A-ZÆØÅ][^\n]{0,110}\b(?:den|d\.)\s+\d[^\n]{0,40})?$"
    r"|^(?:behandling|referat|afgørelse)(?:\s+(?:i|på|ved)\s[^\n]{0,140})?$",
    re.IGNORECASE,
)
# "Sundheds- og Omsorgsudvalget, 03-03-2016, pkt. 16" (os2web): the forum's decision on the item.
_FORUM_DECISION = re.compile(
    r"^(\S.{2,100}?),\s*(\d{1,2}[-./]\d{1,2}[-./]\d{4}),?\s*(?:pkt|punkt)\.?\s*\d{1,3}$", re.I
)
# What a secretariat's referat calls the decision: "Konklusion", "Udvalgets konklusion", "Beslutninger",
# "Indstilling og beslutning", "Beslutning/konklusion", "Referat og konklusion", "Konklusion og opfølgning".
_DECISION_NOUN = r"(?:konklusion(?:er)?|beslutning(?:er)?)"
_DECISION_ALIAS = re.compile(
    rf"^(?:(?:[\wæøå-]+s|mødets|endelig)\s+)?(?:(?:indstilling|drøftelse|behandling|referat|opsamling)\s*(?:og|/|&|\+)\s*)?"
    rf"{_DECISION_NOUN}(?:\s*(?:og|/|&|\+)\s*(?:{_DECISION_NOUN}|opfølgning|aftaler|referat|videre proces|ansvarlig))?$"
    rf"|^referat\s*(?:og|/|&|\+)\s*{_DECISION_NOUN}$",
    re.IGNORECASE,
)
_PUBLIC_DECISION = re.compile(
    r"^(?:offentlig\w*\s+beslutning\w*|beslutning\w*\s*\(\s*offentlig\w*\s*\)|beslutning\w*\s*[-–]\s*offentlig\w*)$",
    re.IGNORECASE,
)
KNOWN_SUBHEADINGS = {"deltagere", "mødedeltagere", "sekretariat", "baggrund", "proces", "formål"}

# "29.09G00 - 2024/41657": a KLE number and the case number (Gribskov, Acadre); the case is the second.
KLE_CASE = re.compile(r"^\d{2}\.\d{2}(?:\.\d{2})?[A-ZÆØÅ]\d{2}\s*[-–]\s*(\d{4}/\d{3,7})$")
# Norddjurs: "00.01.00A00 25/112 Åben sag", "S00 13/650 Lukket sag": KLE, case number, open or closed.
MARKED_CASE = re.compile(
    r"^(?:[\d.]*[A-ZÆØÅ]\d{2}\s+)?(\d{2,4}/\d{2,7})\s+(?P<mark>åben|åbent|lukket)\s+(?:sag|punkt)$", re.I
)
CASE_NO = re.compile(
    r"^(?:\d{2}\.\d{2}(?:\.\d{2})?[A-ZÆØÅ]\d{2}\s*[-–]\s*\d{4}/\d{3,7}|[A-ZÆØÅ]{2,6}-\d{4}-\d{3,7}|\d{2}/\d{3,7}|\d{2}\.\d{2}\.\d{2}-?[A-ZÆØÅ]\d{2}-\d+(?:-\d{2})?"
    r"|\d-\d{2}-\d{2}-\d{2}-\d{2}|\d{3}-\d{4}-\d{2,7})$"
)
# "Sagsnr.", "Sags ID", "J.nr.", also after the case system's name ("Acadre sagsnr.", "ESDH-sagsnr.").
_CASE_LABEL = (
    r"(?:(?:acadre|sbsys|edoc|workzone|f2|esdh|gonect|captia)[\s-]*)?"
    r"(?:sags?\s*-?\s*id\.?|sag?s?\s*nr\.?|sagsnummer|sag\s+nr\.?|j\.?\s*nr\.?|journalnr\.?|journalnummer)"
)
_DOC_LABEL = r"(?:dok\.?\s*id|dokument\s*id|dok\.?\s*nr\.?|dokumentnr\.?|dokumentnummer|brevid|brev\s*id)"
CASE_LINE = re.compile(rf"^{_CASE_LABEL}\s*[:.]?\s*(\S.*)$", re.IGNORECASE)
DOC_LINE = re.compile(rf"^{_DOC_LABEL}\s*[:.]?\s*(\S.*)$", re.IGNORECASE)
# Every "label: value" of a case or document number in a line ("Sagsnr.: 1  Dok.nr.: 2  Åbent").
CASE_FIELD = re.compile(rf"(?<!\w){_CASE_LABEL}\s*[:.]?\s*([\w./-]*\d[\w./-]*)", re.IGNORECASE)
DOC_FIELD = re.compile(rf"(?<!\w){_DOC_LABEL}\s*[:.]?\s*([\w./-]*\d[\w./-]*)", re.IGNORECASE)
# A meeting fact's label at the start of a line in the referat's head: "Mødedato: …", "Afbud", "Deltagere:".
HEADER_KEY = re.compile(
    r"^(mødedato|dato|tidspunkt|mødetidspunkt|starttidspunkt|sluttidspunkt|mødestart|mødeslut|tid|"
    r"mødested|sted|lokale|udvalg|mødeforum|forum|møde|emne|varighed|"
    r"mødedeltagere|deltagere|medlemmer|til stede|tilstedeværende(?: medlemmer)?|tilstede|fremmødte|"
    r"desuden deltog|ikke til stede|forfald|"
    r"fraværende med afbud|fraværende uden afbud|fraværende i mødet|afbud modtaget fra|afbud fra|afbud|fraværende|"
    r"sekretariat|sekretær|referent|mødeleder|ordstyrer|start kl|slut kl)\b\.?\s*:?\s*(.*)$",
    re.IGNORECASE,
)
# Odense's lettered groups: "A. Sager til afgørelse i byrådet", "B: Sager til orientering", "D. Lukkede sager".
GROUP_LETTER = re.compile(
    r"^[A-H]\s*[.:)]\s+(?P<text>(?:sager|sag|orientering|orienteringssager|meddelelser|drøftelse|"
    r"temadrøftelse|beslutningssager|godkendelse|punkter|åbne|lukkede?|fortrolige?)\b[^.]{0,70})$",
    re.IGNORECASE,
)
TOC_HEADING = re.compile(r"^(?:indholdsfortegnelse|indhold)\s*:?$", re.IGNORECASE)
TOC_ENTRY = re.compile(r"^(?P<title>.*?\S)\s*(?:\.{2,}|…+|\t)[\s.…]*(?P<page>\d{1,3})$")
LIST_ITEM = re.compile(r"^(?P<indent>\s*)(?P<mark>[-•*▪●◦]|\d{1,2}[.)])\s+(?P<text>\S.*)$")
MD_HEADING = re.compile(r"^\s*(#{1,6})\s+(.*)$")


def plain(text: str) -> str:
    """A line without Markdown heading marks and whole-line bold/italic: what it says, not how."""
    t = text.strip()
    m = MD_HEADING.match(t)
    if m:
        t = m.group(2).strip()
    while True:
        m = re.fullmatch(r"(\*\*|__|\*|_)(.+)\1", t)
        if not m:
            break
        t = m.group(2).strip()
    if t.count("**") == 1:  # bold heading wrapped over two lines (PDF): "**Punkt 2: …" / "… (25 min)**"
        t = t.replace("**", "").strip()
    return t


def md_level(text: str) -> int:
    m = MD_HEADING.match(text)
    return len(m.group(1)) if m else 0


def is_decorated(text: str) -> bool:
    t = text.strip()
    return bool(MD_HEADING.match(t)) or (t.startswith("**") and t.endswith("**") and len(t) > 4)


@dataclass(frozen=True)
class Heading:
    style: str
    number: int
    title: str
    closed: bool
    title_line: int = 0  # the line the title is on when it is not the heading's own ("Pkt. 15" / "Titel")


def item_heading(text: str) -> Heading | None:
    """The item heading this line could be in any style (the caller decides which style counts)."""
    t = BULLET.sub("", plain(text))  # an item list as bullets ("• Pkt. 15 Titel") is still the items
    t = re.sub(r"\*\*|__", "", t).strip() if t.startswith(("**", "__")) else t
    m = LUKKET_NUM.match(t)
    if m:
        return Heading("lukket", int(m.group(1)), m.group(2).strip(), True)
    m = AABENT_NUM.match(t)
    if m:
        return Heading("open_closed", int(m.group(1)), m.group(2).strip(), False)
    m = OPEN_CLOSED.match(t)
    if m:
        return Heading(
            "open_closed", int(m.group(1)), m.group(3).strip(), m.group(2).lower().startswith("luk")
        )
    m = P_COLON.match(t)
    if m:
        return Heading("p_colon", int(m.group(1)), m.group(2).strip(), False)
    m = P_DOT.match(t)
    if m:
        return Heading("p_dot", int(m.group(1)), m.group(2).strip(), False)
    m = P_ALONE.match(t)
    if m:
        return Heading("p_dot", int(m.group(1)), "", False)
    m = NUM_COLON.match(t)
    if m:
        return Heading("num_colon", int(m.group(1)), m.group(2).strip(), False)
    m = ROMAN.match(t)
    if m and roman_value(m.group(1)):
        return Heading("roman", roman_value(m.group(1)), m.group(2).strip(), False)
    m = NUM_ALONE.match(t)
    if m:
        return Heading("num_dot", int(m.group(1)), "", False)  # the title is on the next line
    m = NUM_DOT.match(t) or NUM_WIDE.match(t) or NUM_GLUED.match(t)
    if m:
        return Heading("num_dot", int(m.group(1)), m.group(2).strip(), False)
    m = NUM_SPACE.match(t)
    if m:
        return Heading("num_space", int(m.group(1)), m.group(2).strip(), False)
    return None


def roman_value(numeral: str) -> int:
    """The value of a well-formed roman numeral up to 39 (I … XXXIX), else 0."""
    total, prev = 0, 0
    for ch in reversed(numeral.upper()):
        value = _ROMAN_VALUES.get(ch, 0)
        total, prev = (total - value, prev) if value < prev else (total + value, value)
    canonical = "X" * (total // 10) + ["", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX"][total % 10]
    return total if 0 < total < 40 and canonical == numeral.upper() else 0


def section_heading(text: str) -> tuple[str, bool] | None:
    """(heading text for the output, is-public-decision) when the line is a known section heading.
    A decision's heading always begins with "Beslutning", which is what the engine recognises."""
    t = BULLET.sub("", plain(text)).strip()
    t = re.sub(r"\*\*|__", "", t).strip().rstrip(":").strip()
    if len(t) > 160 or not t:
        return None
    low = re.sub(r"\s+", " ", t.lower())
    if _PUBLIC_DECISION.match(low):
        return "Beslutning", True
    if _DECISION_ALIAS.match(low):
        return "Beslutning", False
    if low in SECTION_NAMES:
        return sentence_case(t), False
    forum = _FORUM_DECISION.match(t) if t[:1].isupper() else None
    if forum:
        return f"Beslutning i {forum.group(1)} den {forum.group(2)}", False
    if t[:1].isupper() and _DECISION.match(t) and not re.search(r"[.!?]$", t.removesuffix(" d.")):
        return decision_heading(t), False
    return None


_LABELLED = re.compile(r"^([^:]{3,60}?)\s*:\s*(\S.*)$")


def labelled_decision(text: str) -> str | None:
    """The text of a decision written on its label's line ("Beslutning/referat: Godkendt.", "Udvalgets
    konklusion: …"), or None."""
    m = _LABELLED.match(text)
    return m.group(2) if m and _DECISION_ALIAS.match(re.sub(r"\s+", " ", m.group(1).lower())) else None


def decision_heading(text: str) -> str:
    """ "Behandling i X den …" → "Beslutning i X den …"; "Udvalgets beslutning" → "Beslutning"."""
    m = re.match(rf"^(?:(?:[\wæøå-]+s|endelig|foreløbig)\s+)?{_DECISION_WORD}\b\s*(.*)$", text, re.IGNORECASE)
    rest = m.group(1).strip() if m else ""
    rest = re.sub(r",?\s*(?:pkt|punkt)\.?\s*\d{1,3}$", "", rest).strip()
    return f"Beslutning {rest}" if rest else "Beslutning"


def sentence_case(text: str) -> str:
    letters = [c for c in text if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        return text[:1].upper() + text[1:].lower()
    return text[:1].upper() + text[1:]


def toc_title(text: str) -> str | None:
    m = TOC_ENTRY.match(text.strip())
    if not m:
        return None
    return m.group("title").rstrip(" .…\t")


def comparable(title: str) -> str:
    """A title reduced for comparing TOC entries with headings: no times, punctuation or case."""
    t = re.sub(r"\(\s*\d{1,2}[.:]\d{2}\s*[-–]\s*\d{1,2}[.:]\d{2}\s*\)|\(\s*\d+\s*min\.?\s*\)", "", title)
    t = re.sub(r"\*\*|__", "", t)
    return re.sub(r"[^\wæøå]+", " ", t.lower()).strip()


def titles_agree(heading: str, toc: str) -> bool:
    """Does a heading agree with its (maybe truncated, maybe slightly misspelt) TOC entry?"""
    from difflib import SequenceMatcher

    a, b = comparable(heading), comparable(toc)
    if not a or not b:
        return False
    if a.startswith(b) or b.startswith(a):
        return True
    shorter = min(len(a), len(b))
    return SequenceMatcher(None, a[:shorter], b[:shorter]).ratio() >= 0.85
