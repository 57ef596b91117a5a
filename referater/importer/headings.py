"""Line classification: agenda item headings, section headings, metadata lines, TOC entries."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Styles of agenda item headings, strongest first. A referat uses one of them; the others are text.
P_COLON = re.compile(r"^(?:punkt|pkt\.?)\s*(\d{1,3})\s*:\s*(\S.*)$", re.IGNORECASE)
P_DOT = re.compile(r"^(?:punkt|pkt\.?)\s*(\d{1,3})\.?\s+(\S.*)$", re.IGNORECASE)
OPEN_CLOSED = re.compile(r"^(\d{1,3})\s*\(\s*(åben|åbent|lukket|lukkede?)\s*\)\s*(\S.*)$", re.IGNORECASE)
LUKKET_NUM = re.compile(r"^lukket\s+(\d{1,3})\.?\s+(\S.*)$", re.IGNORECASE)
NUM_DOT = re.compile(r"^(\d{1,3})\.\s+(\S.*)$")

SECTION_NAMES = {
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
}
# Sections that may carry their content on the heading line: "Fraværende Mette Bossen Linnet, V, …".
INLINE_SECTIONS = re.compile(r"^(fraværende|afbud)\s*:?\s+(\S.*)$", re.IGNORECASE)
_DECISION = re.compile(
    r"^beslutning(?:er)?(?:\s+(?:i|på|fra|den|d\.|af|truffet|taget|for)\b[^.]{0,110})?$", re.IGNORECASE
)
_PUBLIC_DECISION = re.compile(
    r"^(?:offentlig\w*\s+beslutning\w*|beslutning\w*\s*\(\s*offentlig\w*\s*\)|beslutning\w*\s*[-–]\s*offentlig\w*)$",
    re.IGNORECASE,
)
KNOWN_SUBHEADINGS = {"deltagere", "mødedeltagere", "sekretariat", "baggrund", "proces", "formål"}

CASE_NO = re.compile(
    r"^(?:[A-ZÆØÅ]{2,6}-\d{4}-\d{3,7}|\d{2}/\d{3,7}|\d{2}\.\d{2}\.\d{2}-[A-ZÆØÅ]\d{2}-\d+-\d{2})$"
)
CASE_LINE = re.compile(
    r"^(?:sags\s*id|sagsnr\.?|sags\s*nr\.?|sagsnummer|j\.?\s*nr\.?|journalnr\.?|journalnummer)\s*[:.]?\s*(\S.*)$",
    re.IGNORECASE,
)
DOC_LINE = re.compile(
    r"^(?:dok\.?\s*id|dokument\s*id|dok\.?\s*nr\.?|dokumentnr\.?|dokumentnummer)\s*[:.]?\s*(\S.*)$",
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


def item_heading(text: str) -> Heading | None:
    """The item heading this line could be in any style (the caller decides which style counts)."""
    t = plain(text)
    m = LUKKET_NUM.match(t)
    if m:
        return Heading("lukket", int(m.group(1)), m.group(2).strip(), True)
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
    m = NUM_DOT.match(t)
    if m:
        return Heading("num_dot", int(m.group(1)), m.group(2).strip(), False)
    return None


def section_heading(text: str) -> tuple[str, bool] | None:
    """(heading text for the output, is-public-decision) when the line is a known section heading."""
    t = plain(text).rstrip(":").strip()
    t = re.sub(r"\*\*|__", "", t).strip()
    low = re.sub(r"\s+", " ", t.lower())
    if _PUBLIC_DECISION.match(low):
        return "Beslutning", True
    if low in SECTION_NAMES or _DECISION.match(t):
        return sentence_case(t), False
    return None


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
