"""iCalendar files (RFC 5545) of the bodies' meetings, written with the icalendar library (escaping,
folding, CRLF). Deterministic: DTSTAMP is the meeting's date, events come oldest first, and the time zone
is the fixed Danish rule below, never the clock. The build assembles a calendar from events kept one by
one in the feeds' cache (feeds.py)."""

from __future__ import annotations

import datetime as dt
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
    """A meeting's VEVENT."""
    url = site.base.absolute(site.meeting_url(meeting.key))
    vevent = icalendar.Event()
    vevent.add("uid", f"{meeting.cluster}-{meeting.date.isoformat()}-{meeting.forum}@{site.base.host}")
    vevent.add("dtstamp", dt.datetime(meeting.date.year, meeting.date.month, meeting.date.day, tzinfo=dt.UTC))
    start = _clock(meeting, meeting.time) if meeting.time else None
    if start:
        vevent.add("dtstart", start)
        end = _clock(meeting, meeting.end_time) if meeting.end_time else None
        if end is None or end <= start:  # no end time: the default duration stated in the config
            end = start + dt.timedelta(minutes=site.config.meeting_minutes)
        vevent.add("dtend", end)
    else:  # the time is unknown: an all-day event
        vevent.add("dtstart", meeting.date)
        vevent.add("dtend", meeting.date + dt.timedelta(days=1))
    description = "\n".join([f"Referat: {url}", ""] + [f"Punkt {i.number}: {i.title}" for i in meeting.items])
    vevent.add("summary", site.meeting_title(meeting))
    if meeting.location:
        vevent.add("location", meeting.location)
    vevent.add("url", url)
    if meeting.joint_with:
        names = ", ".join(site.config.clusters[b].full_name for b in meeting.bodies)
        description = f"Fællesmøde: {names}\n" + description
    vevent.add("description", description)
    return vevent.to_ical()


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
    vcalendar.add_component(_timezone())
    head = vcalendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    # The events are cached one by one, so they go in between the head and the end as bytes.
    return head[: -len(end)] + b"".join(events) + end
