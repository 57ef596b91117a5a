"""The calendars write their events without icalendar's objects; icalendar stays the reference. Every
calendar must be byte for byte what icalendar writes for the same meetings, whatever their text says."""

from __future__ import annotations

import dataclasses
import datetime as dt

import icalendar
from conftest import FIXTURES
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referater import __version__, calendars
from referater.config import load_config
from referater.model import AgendaItem, Meeting, Section
from referater.relations import build_site
from referater.site import Site

CONFIG = load_config(FIXTURES / "links")

# What makes escaping and folding go wrong: multi-byte letters and emoji across a fold, the escaped
# characters and the two icalendar keeps with the next one (backslash, caret), line breaks of every kind,
# a byte order mark (icalendar drops one at a value's start), "\N" (icalendar reads it as a line break).
ODD = st.sampled_from(
    [
        "a",
        "Æ",
        "ø",
        "å",
        "é",
        "😀",
        "👩‍⚕️",
        "\\",
        "^",
        ",",
        ";",
        ":",
        '"',
        "\n",
        "\r",
        "\r\n",
        "\t",
        "\\N",
        "\ufeff",
        " ",
    ]
)
TEXT = st.lists(ODD | st.characters(blacklist_categories=("Cs",)), max_size=200).map("".join)
CLOCK = st.one_of(
    st.just(""),
    st.from_regex(r"\A[0-2]?\d[:.][0-5]\d\Z"),
    st.sampled_from(["9.00", "23:59", "24:00", "10:61", "kl. 9", " 8:30 "]),
    st.text(max_size=6),
)


def reference_event(site: Site, meeting: Meeting) -> icalendar.Event:
    """A meeting's VEVENT as icalendar makes it (the build's event() before it wrote the bytes itself)."""
    url = site.base.absolute(site.meeting_url(meeting.key))
    vevent = icalendar.Event()
    vevent.add("uid", f"{meeting.cluster}-{meeting.date.isoformat()}-{meeting.forum}@{site.base.host}")
    vevent.add("dtstamp", dt.datetime(meeting.date.year, meeting.date.month, meeting.date.day, tzinfo=dt.UTC))
    start = calendars._clock(meeting, meeting.time) if meeting.time else None
    if start:
        vevent.add("dtstart", start)
        end = calendars._clock(meeting, meeting.end_time) if meeting.end_time else None
        if end is None or end <= start:
            end = start + dt.timedelta(minutes=site.config.meeting_minutes)
        vevent.add("dtend", end)
    else:
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
    return vevent


def reference_calendar(site: Site, slug: str) -> bytes:
    """A body's whole calendar made by icalendar alone, its events added as components."""
    vcalendar = icalendar.Calendar()
    vcalendar.add("version", "2.0")
    vcalendar.add("prodid", f"-//{site.config.title}//referater {__version__}//DA")
    vcalendar.add("calscale", "GREGORIAN")
    vcalendar.add("method", "PUBLISH")
    vcalendar.add("x-wr-calname", site.config.clusters[slug].full_name)
    vcalendar.add("x-wr-timezone", "Europe/Copenhagen")
    vcalendar.add_component(calendars._timezone())
    for meeting in reversed(site.by_cluster.get(slug, [])):
        vcalendar.add_component(reference_event(site, meeting))
    return vcalendar.to_ical()


def meeting(**fields: object) -> Meeting:
    item = AgendaItem(1, "Eventuelt", (Section("Beslutning", "Intet.", 3),), 2)
    base = Meeting(
        cluster="syd", forum="chefforum", date=dt.date(2025, 1, 9), path="x.md", digest="d", items=(item,)
    )
    return dataclasses.replace(base, **fields)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    location=TEXT,
    title=TEXT,
    item_titles=st.lists(TEXT, min_size=1, max_size=4),
    time=CLOCK,
    end_time=CLOCK,
    date=st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    joint=st.booleans(),
)
def test_events_are_the_bytes_icalendar_writes(
    location: str, title: str, item_titles: list[str], time: str, end_time: str, date: dt.date, joint: bool
) -> None:
    items = tuple(
        AgendaItem(n, t, (Section("Beslutning", "Godkendt.", 3),), 2) for n, t in enumerate(item_titles, 1)
    )
    m = meeting(
        location=location,
        title=title,
        items=items,
        time=time,
        end_time=end_time,
        date=date,
        joint_with=("nord",) if joint else (),
    )
    site = build_site([m], CONFIG)
    [light] = site.meetings
    assert calendars.event(site, light) == reference_event(site, light).to_ical()
    assert calendars.cluster_calendar(site, "syd") == reference_calendar(site, "syd")


@settings(max_examples=300, deadline=None)
@given(st.lists(ODD | st.characters(blacklist_categories=("Cs",)), max_size=400).map("".join))
def test_a_line_is_folded_and_escaped_as_icalendar_does(text: str) -> None:
    """Lines far longer than an event's, with every odd character at every fold position."""
    m = meeting(location=text, time="9.00")
    site = build_site([m], CONFIG)
    [light] = site.meetings
    ours = calendars.event(site, light)
    assert ours == reference_event(site, light).to_ical()
    assert all(len(line) <= 75 for line in ours.split(b"\r\n"))


def test_a_site_of_many_meetings_gets_icalendars_calendars() -> None:
    """Several bodies, all-day and timed meetings, a joint one: each body's whole calendar."""
    meetings = [
        meeting(cluster="nord", date=dt.date(2024, 3, 31), time="02:30", location="Sal 1, 2. sal; bag\\ved"),
        meeting(cluster="nord", date=dt.date(2024, 10, 27), time="23.30", end_time="00.30"),
        meeting(cluster="nord", forum="politisk-niveau", date=dt.date(2024, 2, 8), title="Æ" * 80),
        meeting(date=dt.date(2024, 5, 15), joint_with=("nord",), location="😀" * 40),
    ]
    site = build_site(meetings, CONFIG)
    for slug in ("nord", "syd"):
        data = calendars.cluster_calendar(site, slug)
        assert data == reference_calendar(site, slug)
        assert len(icalendar.Calendar.from_ical(data).walk("VEVENT")) == len(site.by_cluster[slug])
