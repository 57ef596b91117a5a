"""Atom feeds (RFC 4287) and iCalendar files (RFC 5545) made from the site model (leaf).

Everything here is a pure function of the published meetings: `updated` and `DTSTAMP` come from meeting
dates, never from the clock, so an unchanged site builds byte-identical feeds. The per-meeting pieces
(entries, events) come from a Fragments cache: each key below must name everything its piece shows
beyond the config, or an incremental build would publish a stale piece.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from html import escape as html_escape
from xml.sax.saxutils import escape, quoteattr
from zoneinfo import ZoneInfo

import icalendar

from . import __version__, urls
from .fragments import Fragments
from .loader import Texts, as_is
from .model import AgendaItem, Meeting
from .site import Key, Site

FEED_LIMIT = 100  # entries per Atom feed, newest first; the archive and open data hold everything
_EPOCH = "1970-01-01T00:00:00Z"  # `updated` of a feed with no entries: still deterministic


class Entries:
    """The per-meeting pieces of every feed and calendar: from the Fragments cache, else made from the
    meeting's full text, which only the content store has (the model's meetings are light)."""

    def __init__(self, site: Site, store: Texts, cache: Fragments | None = None):
        self.site, self.store = site, store
        self.cache = cache or Fragments(None, site.config)

    def meeting(self, meeting: Meeting) -> bytes:
        key = ("meeting", *_meeting_key(self.site, meeting))
        return self.cache.get(key, lambda: _render_meeting_entry(self.site, self.store(meeting)))

    def item(self, key: Key, number: int) -> bytes:
        meeting = self.site.by_key[key]
        piece = ("item", number, *_meeting_key(self.site, meeting))
        return self.cache.get(piece, lambda: _render_item_entry(self.site, self.store(meeting), number))

    def event(self, meeting: Meeting) -> bytes:
        key = ("event", *_meeting_key(self.site, meeting))
        return self.cache.get(key, lambda: _event(self.site, meeting))


def feed_files(site: Site, store: Texts, cache: Fragments | None = None) -> Iterator[tuple[str, bytes]]:
    """Every Atom feed and calendar of the site, by output path, one at a time: together they are some
    160 MB at 10,000 meetings, and the build stages each as it comes."""
    entries = Entries(site, store, cache)
    for path, name, about, alternate, author, meetings in _meeting_feeds(site):
        pieces = [entries.meeting(m) for m in meetings[:FEED_LIMIT]]
        head = (path, f"{name}: nye referater", about, alternate, author)
        yield path, _atom(site, head, pieces, meetings[0] if meetings else None)
    for path, title, about, alternate, items in _item_feeds(site):
        pieces = [entries.item(key, number) for key, number in items]
        head = (path, title, about, alternate, site.config.title)
        yield path, _atom(site, head, pieces, site.by_key[items[0][0]] if items else None)
    for slug in site.config.clusters:
        yield site.calendar_path(slug), cluster_calendar(site, slug, entries)


def _meeting_feeds(site: Site) -> Iterator[tuple[str, str, str, str, str, list[Meeting]]]:
    """(path, name, subtitle, alternate page, author, meetings newest first) of each feed of meetings."""
    config = site.config
    about = "Alle udgivne referater fra sundhedsklyngerne og sundhedsrådene, nyeste først."
    yield urls.ALL_FEED, config.title, about, site.url(urls.HOME), config.title, site.meetings
    for slug, body in config.clusters.items():
        about = body.description or f"Referater fra {body.full_name}."
        meetings = site.by_cluster.get(slug, [])
        yield (
            site.body_feed_path(slug),
            body.full_name,
            about,
            site.cluster_url(slug),
            body.full_name,
            meetings,
        )
    for slug, forum in config.forums.items():
        about = f"Referater fra møder på {forum.name.lower()} i alle sundhedsklynger og sundhedsråd."
        yield (
            urls.forum_feed(slug),
            forum.name,
            about,
            site.forum_url(slug),
            config.title,
            site.by_forum.get(slug, []),
        )


def _item_feeds(site: Site) -> Iterator[tuple[str, str, str, str, list[tuple[Key, int]]]]:
    """(path, title, subtitle, alternate page, items newest first) of each feed of agenda items: a case's
    (a citizen follows one case across bodies) and a topic's (title matches and mentions)."""
    order = {m.key: i for i, m in enumerate(site.meetings)}
    for case, slug in site.case_slugs.items():
        refs = sorted(site.cases.get(case, []), key=lambda r: (order[r.meeting], r.number))[:FEED_LIMIT]
        about = f"Sagens forløb for sag {case}: hver gang et møde behandler sagen."
        alternate = site.case_url(case) or site.url(urls.CASES)
        yield (
            urls.case_feed(slug),
            f"Sag {case}: nye behandlinger",
            about,
            alternate,
            [(r.meeting, r.number) for r in refs],
        )
    for slug, topic in site.config.topics.items():
        ranked = sorted(site.topic_entries.get(slug, []), key=lambda e: (order[e.meeting], e.item))[
            :FEED_LIMIT
        ]
        about = topic.description or f"Dagsordenspunkter om {topic.name}."
        title = f"{topic.name}: nye dagsordenspunkter"
        yield urls.topic_feed(slug), title, about, site.topic_url(slug), [(e.meeting, e.item) for e in ranked]


def _stamp(meeting: Meeting) -> str:
    return f"{meeting.date.isoformat()}T00:00:00Z"


# --- Atom -------------------------------------------------------------------------------------------


def _atom(
    site: Site, head: tuple[str, str, str, str, str], entries: list[bytes], newest: Meeting | None
) -> bytes:
    """A feed: head is (path, title, subtitle, alternate page, author); `updated` is its newest meeting's."""
    path, title, subtitle, alternate, author = head
    updated = _stamp(newest) if newest else _EPOCH
    self_url = site.base.absolute(path)
    head = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="da">',
        f"  <id>{escape(self_url)}</id>",
        f"  <title>{escape(title)}</title>",
        f"  <subtitle>{escape(subtitle)}</subtitle>",
        f"  <updated>{updated}</updated>",
        f"  <author><name>{escape(author)}</name></author>",
        f'  <link rel="self" type="application/atom+xml" href={quoteattr(self_url)}/>',
        f'  <link rel="alternate" type="text/html" href={quoteattr(site.base.absolute(alternate))}/>',
        f'  <generator version="{escape(__version__)}">referater</generator>',
    ]
    return b"\n".join([*(line.encode("utf-8") for line in head), *entries, b"</feed>"]) + b"\n"


def _entry(
    *, entry_id: str, title: str, url: str, updated: str, content_html: str, categories: list[tuple[str, str]]
) -> bytes:
    parts = [
        "  <entry>",
        f"    <id>{escape(entry_id)}</id>",
        f"    <title>{escape(title)}</title>",
        f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>',
        f"    <updated>{updated}</updated>",
        f"    <published>{updated}</published>",
        *(f"    <category term={quoteattr(term)} label={quoteattr(label)}/>" for term, label in categories),
        f'    <content type="html">{escape(content_html)}</content>',
        "  </entry>",
    ]
    return "\n".join(parts).encode("utf-8")


def _categories(site: Site, meeting: Meeting) -> list[tuple[str, str]]:
    cats = [(body, site.config.clusters[body].full_name) for body in meeting.bodies]
    cats.append((meeting.forum, site.config.forums[meeting.forum].name))
    cats += [
        (t, site.config.topics[t].name)
        for t in site.meeting_topics.get(meeting.key, [])
        if t in site.config.topics
    ]
    return cats


def _item_html(item: AgendaItem, url: str) -> str:
    """An item as small HTML: its title linked, then its decision as plain text (never the raw Markdown)."""
    html = f'<h2><a href="{html_escape(url)}">Punkt {item.number}: {html_escape(item.title)}</a></h2>'
    if item.closed:
        html += "<p><em>Lukket punkt.</em></p>"
    decision = item.decision
    if decision is not None:
        html += f"<p><strong>Beslutning:</strong> {html_escape(decision.text)}</p>"
    return html


def _meeting_key(site: Site, meeting: Meeting) -> tuple:
    """What a piece shows of its meeting beyond the config: the file (its bytes and where it lies) and the
    topics the site model gives it."""
    return (meeting.digest, meeting.path, meeting.key, tuple(site.meeting_topics.get(meeting.key, ())))


def _render_meeting_entry(site: Site, meeting: Meeting) -> bytes:
    url = site.base.absolute(site.meeting_url(meeting.key))
    facts = [meeting.date.isoformat() + (f", kl. {meeting.time}" if meeting.time else "")]
    if meeting.location:
        facts.append(meeting.location)
    body = f"<p>{html_escape(' · '.join(facts))}</p>" + "".join(
        _item_html(item, site.base.absolute(site.item_url(meeting.key, item.number)))
        for item in meeting.items
    )
    return _entry(
        entry_id=url,
        title=site.meeting_title(meeting),
        url=url,
        updated=_stamp(meeting),
        content_html=body,
        categories=_categories(site, meeting),
    )


def _render_item_entry(site: Site, meeting: Meeting, number: int) -> bytes:
    item = next(i for i in meeting.items if i.number == number)
    url = site.base.absolute(site.item_url(meeting.key, number))
    body = f"<p>{html_escape(site.meeting_title(meeting))}</p>" + _item_html(item, url)
    return _entry(
        entry_id=url,
        title=f"{item.title} ({site.meeting_title(meeting)})",
        url=url,
        updated=_stamp(meeting),
        content_html=body,
        categories=_categories(site, meeting),
    )


# --- iCalendar ----------------------------------------------------------------------------------------
# Written with the icalendar library (escaping, folding, CRLF). Deterministic: DTSTAMP is the meeting's
# date, events come oldest first, and the time zone is the fixed Danish rule below, never the clock.

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


def _event(site: Site, meeting: Meeting) -> bytes:
    url = site.base.absolute(site.meeting_url(meeting.key))
    event = icalendar.Event()
    event.add("uid", f"{meeting.cluster}-{meeting.date.isoformat()}-{meeting.forum}@{site.base.host}")
    event.add("dtstamp", dt.datetime(meeting.date.year, meeting.date.month, meeting.date.day, tzinfo=dt.UTC))
    start = _clock(meeting, meeting.time) if meeting.time else None
    if start:
        event.add("dtstart", start)
        end = _clock(meeting, meeting.end_time) if meeting.end_time else None
        if end is None or end <= start:  # no end time: the default duration stated in the config
            end = start + dt.timedelta(minutes=site.config.meeting_minutes)
        event.add("dtend", end)
    else:  # the time is unknown: an all-day event
        event.add("dtstart", meeting.date)
        event.add("dtend", meeting.date + dt.timedelta(days=1))
    description = "\n".join([f"Referat: {url}", ""] + [f"Punkt {i.number}: {i.title}" for i in meeting.items])
    event.add("summary", site.meeting_title(meeting))
    if meeting.location:
        event.add("location", meeting.location)
    event.add("url", url)
    if meeting.joint_with:
        names = ", ".join(site.config.clusters[b].full_name for b in meeting.bodies)
        description = f"Fællesmøde: {names}\n" + description
    event.add("description", description)
    return event.to_ical()


def cluster_calendar(site: Site, slug: str, entries: Entries | None = None) -> bytes:
    entries = entries or Entries(site, as_is)  # events show no text
    body = site.config.clusters[slug]
    calendar = icalendar.Calendar()
    calendar.add("version", "2.0")
    calendar.add("prodid", f"-//{site.config.title}//referater {__version__}//DA")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", body.full_name)
    calendar.add("x-wr-timezone", _TZID)
    calendar.add_component(_timezone())
    head = calendar.to_ical()
    end = b"END:VCALENDAR\r\n"
    events = [
        entries.event(m)
        for m in reversed(site.by_cluster.get(slug, []))  # oldest first, as calendars list them
    ]
    # The events are cached one by one, so they go in between the head and the end as bytes.
    return head[: -len(end)] + b"".join(events) + end
