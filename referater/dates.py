"""Danish dates: formatting for readers, and finding references to dates in the minutes' text."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass

from .danish import MONTHS, WEEKDAYS


def long_date(day: dt.date) -> str:
    """'tirsdag 5. december 2023'"""
    return f"{WEEKDAYS[day.weekday()]} {day.day}. {MONTHS[day.month - 1]} {day.year}"


def short_date(day: dt.date) -> str:
    """'5. december 2023'"""
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def as_date(value: object) -> dt.date:
    """A date as YAML gives it (a date, a datetime, or text in ISO form); ValueError if it is none."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def month_name(month: int) -> str:
    return MONTHS[month - 1]


_MONTH_ALT = "|".join(MONTHS)
# One pattern, tried left to right; the groups say which form matched.
_DATE_REF = re.compile(
    rf"(?=\d)(?<![\w/.-])(?:"  # starting at a digit lets re skip ahead: twice as fast on long texts
    rf"(?P<d1>\d{{1,2}})\.\s*(?P<m1>{_MONTH_ALT})(?:\s+(?P<y1>(?:19|20)\d\d))?"  # 8. februar 2024 / 4. marts
    rf"|(?P<d2>\d{{1,2}})/(?P<m2>\d{{1,2}})(?:[\s-]+(?P<y2>(?:19|20)\d\d))?"  # 30/4 2024, d. 30/4
    rf"|(?P<d3>\d{{1,2}})[-.](?P<m3>\d{{1,2}})[-.](?P<y3>(?:19|20)\d\d)"  # 05-12-2023, 05.12.2023
    rf"|(?P<y4>(?:19|20)\d\d)-(?P<m4>\d\d)-(?P<d4>\d\d)"  # 2023-12-05
    rf")(?![\w/]|-\d|\.\d)",
    re.IGNORECASE,
)
_SLASH_PREFIX = re.compile(r"(?:(?<!\w)d\.|(?<!\w)den)\s+$", re.IGNORECASE)  # "d. 30/4", "den 30/4"
# "No digit before" is checked from the end ((?<!\d{5}) over the four digits matched), so that the pattern
# starts with a literal and re jumps between 1s and 2s: three times as fast as a leading look-behind.
_YEAR = re.compile(r"((?:19|20)\d\d)(?<!\d{5})(?!\d)")

# Where a date can start: a digit with no word character, "/", "." or "-" before it. This pattern starts
# with a plain digit, so re jumps from digit to digit; _DATE_REF starts with look-arounds and is tried at
# every position.
_DATE_START = re.compile(r"\d(?<![\w/.-]\d)")


def _date_matches(text: str) -> Iterator[re.Match[str]]:
    """What _DATE_REF.finditer(text) gives, a third faster: _DATE_REF is tried only where a date can start."""
    position = 0
    while (start := _DATE_START.search(text, position)) is not None:
        match = _DATE_REF.match(text, start.start())  # its look-behind still sees the text before
        if match is None:
            position = start.start() + 1
        else:
            yield match
            position = match.end()


# Every form _DATE_REF knows has a digit followed by one of these: "8. maj", "30/4", "05-12-2023".
_DATE_HINT = re.compile(r"\d[./-]")


def may_hold_date(text: str) -> bool:
    """False if a DateScanner certainly finds no date in text (it may still see a year there)."""
    return _DATE_HINT.search(text) is not None


def may_name_day(text: str, day_months: frozenset[tuple[int, int]]) -> bool:
    """Whether a DateScanner may find in `text` a date whose (day, month) is one of `day_months`, whatever
    year it gives it; False: certainly not. A pre-check that needs no year context, for text that is
    scanned in full only when it may link."""
    if not may_hold_date(text):
        return False
    for match in _date_matches(text):
        key = _day_month(match)
        if key is None or key in day_months:
            return True
    return False


def _day_month(match: re.Match[str]) -> tuple[int, int] | None:
    """The day and month a date match names, before any year is known; None if unsure (then it may link)."""
    g = match.groupdict()
    if g["d1"]:
        name = g["m1"].lower()
        return (int(g["d1"]), MONTHS.index(name) + 1) if name in MONTHS else None
    if g["d2"]:
        return int(g["d2"]), int(g["m2"])
    if g["d3"]:
        return int(g["d3"]), int(g["m3"])
    return int(g["d4"]), int(g["m4"])


@dataclass(frozen=True)
class DateRef:
    start: int
    end: int
    date: dt.date


class DateScanner:
    """Finds dates in text fed to it in reading order; a date without a year takes the last year seen
    before it (else the meeting's year), as a reader would ("30. april 2024 … den 4. marts")."""

    def __init__(self, default_year: int):
        self.year = default_year

    def scan(self, text: str) -> Iterator[DateRef]:
        position = 0
        for match in _date_matches(text):
            self._see_years(text[position : match.start()])
            position = match.end()
            ref = self._resolve(match, text)
            if ref is not None:
                self.year = ref.date.year
                yield ref
        self._see_years(text[position:])

    def _see_years(self, text: str) -> None:
        years = _YEAR.findall(text)
        if years:
            self.year = int(years[-1])

    def _resolve(self, m: re.Match[str], text: str) -> DateRef | None:
        g = m.groupdict()
        if g["d1"]:
            day, month, year = int(g["d1"]), MONTHS.index(g["m1"].lower()) + 1, g["y1"]
        elif g["d2"]:
            if not g["y2"] and not _SLASH_PREFIX.search(text, max(0, m.start() - 5), m.start()):
                return None  # a bare "1/3" is a fraction far more often than a date
            day, month, year = int(g["d2"]), int(g["m2"]), g["y2"]
        elif g["d3"]:
            day, month, year = int(g["d3"]), int(g["m3"]), g["y3"]
        else:
            day, month, year = int(g["d4"]), int(g["m4"]), g["y4"]
        try:
            date = dt.date(int(year) if year else self.year, month, day)
        except ValueError:
            return None
        return DateRef(m.start(), m.end(), date)
