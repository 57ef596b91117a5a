"""Meeting-level facts: title line, dates and times, and matching cluster/forum names to site_config."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ..config import SiteConfig
from ..danish import month_number

_WORD = r"[a-zæøå]{3,9}"
_DATE_NUM = re.compile(r"(?<![\d.,/-])(\d{1,2})[-./](\d{1,2})[-./](\d{4})(?![\d])")
_DATE_SPACE_YEAR = re.compile(r"(?<![\d.,/-])(\d{1,2})[./](\d{1,2})\.?\s+(\d{4})(?!\d)")  # 5/12 2023
_DATE_SHORT = re.compile(r"(?<![\w.,/-])(\d{1,2})[-./](\d{1,2})[-./](\d{2})(?!\d|[-./]\w)")
_DATE_NUM_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_DATE_TEXT = re.compile(rf"(?<![\d.])(\d{{1,2}})\.?\s*({_WORD})\.?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE)
_DATE_US = re.compile(rf"(?<![\wæøå])({_WORD})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.I)
_TIME = re.compile(
    r"(?:kl\.?|klokken)\s*(\d{1,2})(?:\s*[.:]\s*(\d{2}))?"
    r"(?:\s*(?:-|–|—|til)\s*(?:kl\.?\s*)?(\d{1,2})(?:[.:](\d{2}))?)?",
    re.IGNORECASE,
)
_BARE_TIME = re.compile(
    r"(?<![\d.:/-])(\d{1,2})[.:](\d{2})(?::\d{2})?(?!\d|[.:/]\d)"
    r"(?:\s*(?:-|–|—|til)\s*(\d{1,2})[.:](\d{2})(?::\d{2})?(?!\d))?"
)
TITLE = re.compile(
    r"^(?:(?:godkendt|endeligt?|foreløbigt?)\s+)?(?:referat|dagsorden|beslutningsprotokol|protokol|mødereferat)"
    r"(?:\s+(?:fra|af|for|til)(?:\s+mødet?)?(?:\s+i)?)?\b[\s:–-]*(?P<rest>.*)$",
    re.IGNORECASE,
)


def find_date(text: str) -> str:
    """The first date in the text as yyyy-mm-dd, or "": 05-12-2023, 5/12 2023, 2023-12-05,
    "tirsdag den 5. december 2023", "5. dec. 2023", "December 5, 2023", "Marts 3, 2016"."""
    found: list[tuple[int, str]] = []
    for m in _DATE_NUM_ISO.finditer(text):
        found.append((m.start(), _iso(int(m.group(1)), int(m.group(2)), int(m.group(3)))))
    for pattern in (_DATE_NUM, _DATE_SPACE_YEAR):
        for m in pattern.finditer(text):
            found.append((m.start(), _iso(int(m.group(3)), int(m.group(2)), int(m.group(1)))))
    for m in _DATE_TEXT.finditer(text):
        month = month_number(m.group(2))
        if month:
            found.append((m.start(), _iso(int(m.group(3)), month, int(m.group(1)))))
    for m in _DATE_US.finditer(text):
        month = month_number(m.group(1))
        if month and m.group(1).lower() not in ("den", "kl", "d"):
            found.append((m.start(), _iso(int(m.group(3)), month, int(m.group(2)))))
    found = [f for f in found if f[1]]
    if not found:  # "3/3-26", "24.03.26": a two-digit year, only where no date has four
        for m in _DATE_SHORT.finditer(text):
            found.append((m.start(), _iso(2000 + int(m.group(3)), int(m.group(2)), int(m.group(1)))))
        found = [f for f in found if f[1]]
    return min(found)[1] if found else ""


def _iso(year: int, month: int, day: int) -> str:
    if 1900 < year < 2200 and 1 <= month <= 12 and 1 <= day <= 31:
        return f"{year:04d}-{month:02d}-{day:02d}"
    return ""


def find_times(text: str) -> tuple[str, str]:
    """Start and end time from "kl. 09:00", "kl. 9.00-12.00", "Kl. 16: 00" or, without "kl.", the first
    time of day ("9:30-11:00", "04-06-2020 09:00:00")."""
    m = _TIME.search(text)
    if m:
        start = _hhmm(m.group(1), m.group(2))
        end = _hhmm(m.group(3), m.group(4)) if m.group(3) else ""
        return start, end
    m = _BARE_TIME.search(text)
    if not m:
        return "", ""
    return _hhmm(m.group(1), m.group(2)), _hhmm(m.group(3), m.group(4)) if m.group(3) else ""


def _hhmm(hours: str, minutes: str | None) -> str:
    h, mnt = int(hours), int(minutes or 0)
    return f"{h:02d}:{mnt:02d}" if h < 24 and mnt < 60 else ""


@dataclass(frozen=True)
class Match:
    slug: str
    start: int
    end: int


def _alias_pattern(alias: str, stems: bool) -> str:
    words = [re.escape(w) for w in re.split(r"[\s-]+", alias.strip()) if w]
    tail = r"\w{0,3}" if stems else ""
    return r"(?<!\w)" + r"[\s-]+".join(w + tail for w in words) + r"(?!\w)"


def _names(entries: dict, with_slug: bool = True) -> list[tuple[str, str]]:
    names: list[tuple[str, str]] = []
    for slug, entry in entries.items():
        candidates = [entry.name, *entry.aliases] + ([slug] if with_slug else [])
        names.extend((slug, c) for c in candidates if c)
    return names


def match_all(text: str, entries: dict, stems: bool = False) -> list[Match]:
    """Every mention of a configured name/alias/slug in the text, longest first where they overlap."""
    found: list[Match] = []
    for slug, alias in _names(entries):
        for m in re.finditer(_alias_pattern(alias, stems), text, re.IGNORECASE):
            found.append(Match(slug, m.start(), m.end()))
    found.sort(key=lambda m: (m.start, -(m.end - m.start)))
    kept: list[Match] = []
    for m in found:
        if not kept or m.start >= kept[-1].end:
            kept.append(m)
        elif m.end - m.start > kept[-1].end - kept[-1].start:
            kept[-1] = m
    return kept


def resolve(value: str, entries: dict) -> str | None:
    """The slug of a value given by option or title: exact name, alias or slug, case-insensitive."""
    wanted = re.sub(r"[\s-]+", " ", value.strip().lower())
    for slug, alias in _names(entries):
        if re.sub(r"[\s-]+", " ", alias.lower()) == wanted:
            return slug
    return None


def title_parts(rest: str, config: SiteConfig) -> tuple[str, str, str]:
    """Cluster slug, forum slug and date from the text after "REFERAT" in the title line."""
    date = find_date(rest)
    clusters = match_all(rest, config.clusters)
    cluster = clusters[0].slug if clusters else ""
    remainder = rest
    for m in reversed(clusters):
        remainder = remainder[: m.start] + " " + remainder[m.end :]
    forums = match_all(remainder, config.forums)
    forum = forums[0].slug if forums else ""
    return cluster, forum, date


def is_committee_line(text: str, config: SiteConfig) -> bool:
    """A repeated page/item header such as "NFS Sundhedsklynge Politisk": only cluster and forum names."""
    clusters = match_all(text, config.clusters)
    forums = match_all(text, config.forums)
    if not clusters:
        return False
    rest = text
    for m in sorted(clusters + forums, key=lambda m: -m.start):
        rest = rest[: m.start] + rest[m.end :]
    rest = re.sub(r"\b(møde|mødet|referat|dagsorden|d\.|den)\b|\d[\d.\-/]*", "", rest, flags=re.IGNORECASE)
    return not re.sub(r"[\s\-–:,.|]+", "", rest)


def forum_line(text: str, config: SiteConfig) -> str:
    """The forum's slug for a line that names a forum and nothing else ("Fagligt strategisk niveau" under
    the cluster's name in a referat's head), else ""."""
    forums = match_all(text, config.forums)
    rest = text
    for m in sorted(forums, key=lambda m: -m.start):
        rest = rest[: m.start] + rest[m.end :]
    rest = re.sub(r"\b(møde|mødet|referat|dagsorden|d\.|den)\b|\d[\d.\-/]*", "", rest, flags=re.IGNORECASE)
    return forums[0].slug if len(forums) == 1 and not re.sub(r"[\s\-–:,.|]+", "", rest) else ""


def infer_forum(phrases: list[str], body: str, config: SiteConfig) -> str:
    """Forum from "Det indstilles, at <forum> …" phrases, else the forum named most often in the text."""
    votes: Counter[str] = Counter()
    for phrase in phrases:
        found = match_all(phrase, config.forums, stems=True)
        if found:
            votes[found[0].slug] += 1
    if not votes:
        votes.update(m.slug for m in match_all(body, config.forums, stems=True))
    if not votes:
        return ""
    ranked = sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[0][0]


def infer_cluster(body: str, config: SiteConfig) -> str:
    votes = Counter(m.slug for m in match_all(body, config.clusters))
    if not votes:
        return ""
    return sorted(votes.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
