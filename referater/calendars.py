"""iCalendar files (RFC 5545) of the bodies' meetings: the head made by the icalendar library, each event
written as the bytes icalendar writes for it (its escaping, folding, CRLF) without its objects.
Deterministic: DTSTAMP is the meeting's date, events come oldest first, and the time zone is the fixed
Danish rule below, never the clock. The build assembles a calendar from events kept one by one in the
feeds' cache (feeds.py)."""

from __future__ import annotations

import datetime as dt
import functools
import re
from zoneinfo import ZoneInfo

import icalendar

from . import __version__
from .model import Meeting
from .site import Site

_TZID = "Europe/Copenhagen"
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")
_COPENHAGEN = ZoneInfo(_TZID)


def _timezone() -> icalendar.Timezone:
    """Denmark's rules since 1996 (EU summer time): enough for any meeting these minutes record."""
    zone = icalendar.Timezone()
    zone.add("tzid", _TZID)
    for kind, offset_from, offset_to, name, month, hour in (
        (icalendar.TimezoneDaylight, 1, 2, "CEST", 3, 2),
        (icalendar.TimezoneStandard, 2, 1, "CET", 10, 3),
    ):
        part = kind()
        part.add("tzoffsetfrom", dt.timedelta(hours=offset_from))
        part.add("tzoffsetto", dt.timedelta(hours=offset_to))
        part.add("tzname", name)
        part.add("dtstart", dt.datetime(1970, month, 29 if month == 3 else 25, hour))
        part.add("rrule", {"freq": "yearly", "bymonth": month, "byday": "-1su"})
        zone.add_component(part)
    return zone


def _clock(meeting: Meeting, clock: str) -> dt.datetime | None:
    match = _CLOCK.match(clock.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        return None
    d = meeting.date
    return dt.datetime(d.year, d.month, d.day, hour, minute, tzinfo=_COPENHAGEN)


def event(site: Site, meeting: Meeting) -> bytes:
    """A meeting's VEVENT, the bytes icalendar writes for it (tests/test_calendar_bytes.py compares them)
    without its objects: an event per meeting made them half the feeds stage of a cold build."""
    url = site.base.absolute(site.meeting_url(meeting.key))
    d = meeting.date
    start = _clock(meeting, meeting.time) if meeting.time else None
    if start:
        end = _clock(meeting, meeting.end_time) if meeting.end_time else None
        if end is None or end <= start:  # no end time: the default duration stated in the config
            end = start + dt.timedelta(minutes=site.config.meeting_minutes)
        when = [f"DTSTART;TZID={_TZID}:{_datetime(start)}", f"DTEND;TZID={_TZID}:{_datetime(end)}"]
    else:  # the time is unknown: an all-day event
        when = [f"DTSTART;VALUE=DATE:{_date(d)}", f"DTEND;VALUE=DATE:{_date(d + dt.timedelta(days=1))}"]
    description = "\n".join([f"Referat: {url}", ""] + [f"Punkt {i.number}: {i.title}" for i in meeting.items])
    if meeting.joint_with:
        names = ", ".join(site.config.clusters[b].full_name for b in meeting.bodies)
        description = f"Fællesmøde: {names}\n" + description
    # icalendar's order: its canonical properties first, then the others by name
    lines = [
        "SUMMARY:" + _text(site.meeting_title(meeting)),
        *when,
        f"DTSTAMP:{_date(d)}T000000Z",
        "UID:" + _text(f"{meeting.cluster}-{d.isoformat()}-{meeting.forum}@{site.base.host}"),
        "DESCRIPTION:" + _text(description),
    ]
    if meeting.location:
        lines.append("LOCATION:" + _text(meeting.location))
    lines.append("URL:" + _bom_stripped(url))
    return b"BEGIN:VEVENT\r\n" + b"".join(_fold(line) + b"\r\n" for line in lines) + b"END:VEVENT\r\n"


def _date(d: dt.date) -> str:
    return f"{d.year:04}{d.month:02}{d.day:02}"


def _datetime(t: dt.datetime) -> str:
    return f"{t.year:04}{t.month:02}{t.day:02}T{t.hour:02}{t.minute:02}{t.second:02}"


def _text(value: str) -> str:
    """A TEXT value escaped as icalendar escapes it (RFC 5545 3.3.11), its odd steps included."""
    escaped = (
        value.replace("\\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )
    return _bom_stripped(escaped)


def _bom_stripped(value: str) -> str:
    # icalendar decodes each value as utf-8-sig, which drops one byte order mark at its start
    return value[1:] if value.startswith("\ufeff") else value


_FOLD_AT = 74  # octets of a line before icalendar folds it (it folds before the 75th)
_ESCAPES = (ord("\\"), ord("^"))  # icalendar keeps these with the character after them


def _fold(line: str) -> bytes:
    """A content line folded as icalendar folds it: at most 74 octets a line, never inside a character,
    and never right after a backslash or caret (that character goes onto the next line)."""
    data = line.encode()
    if len(data) <= _FOLD_AT:
        return data
    parts = []
    start = 0
    while len(data) - start > _FOLD_AT:
        cut = start + _FOLD_AT
        while data[cut] & 0xC0 == 0x80:  # a UTF-8 continuation byte: back to the character's start
            cut -= 1
        if data[cut - 1] in _ESCAPES and cut - 1 > start:
            cut -= 1
        parts.append(data[start:cut])
        start = cut
    parts.append(data[start:])
    return b"\r\n ".join(parts)


def cluster_calendar(site: Site, slug: str) -> bytes:
    """A body's calendar made afresh (the build assembles it from cached events)."""
    return calendar(site, slug, [event(site, m) for m in reversed(site.by_cluster.get(slug, []))])


def calendar(site: Site, slug: str, events: list[bytes]) -> bytes:
    """A body's calendar around its events (VEVENTs as bytes)."""
    body = site.config.clusters[slug]
    vcalendar = icalendar.Calendar()
    vcalendar.add("version", "2.0")
    vcalendar.add("prodid", f"-//{site.config.title}//referater {__version__}//DA")
    vcalendar.add("calscale", "GREGORIAN")
    vcalendar.add("method", "PUBLISH")
    vcalendar.add("x-wr-calname", body.full_name)
    vcalendar.add("x-wr-timezone", _TZID)
    head = vcalendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    # The time zone and the events (cached one by one) follow the properties, as icalendar orders them.
    return head[: -len(end)] + _timezone_ical() + b"".join(events) + end


@functools.cache
def _timezone_ical() -> bytes:
    """The same for every calendar: made once."""
    return _timezone().to_ical()
