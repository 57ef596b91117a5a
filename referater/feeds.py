"""Atom feeds (RFC 4287) and iCalendar files (RFC 5545) made from the site model (leaf).

Everything here is a pure function of the published meetings: `updated` and `DTSTAMP` come from meeting
dates, never from the clock, so an unchanged site builds byte-identical feeds. The per-meeting pieces
(entries, events) come from a Fragments cache: each key below must name everything its piece shows
beyond the config, or an incremental build would publish a stale piece.
"""

from __future__ import annotations

import re
from html import escape as html_escape
from xml.sax.saxutils import escape, quoteattr

from . import __version__, urls
from .fragments import Fragments
from .model import AgendaItem, Meeting
from .site import Site

FEED_LIMIT = 100  # entries per Atom feed, newest first; the archive and open data hold everything
_EPOCH = "1970-01-01T00:00:00Z"  # `updated` of a feed with no entries: still deterministic


def feed_files(site: Site, cache: Fragments | None = None) -> list[tuple[str, bytes]]:
    cache = cache or Fragments(None, site.config)
    files: list[tuple[str, bytes]] = [(urls.ALL_FEED, all_feed(site, cache))]
    for slug in site.config.clusters:
        files.append((urls.body_feed(slug), cluster_feed(site, slug, cache)))
        files.append((urls.calendar(slug), cluster_calendar(site, slug, cache)))
    order = {m.key: i for i, m in enumerate(site.meetings)}
    for slug in site.config.topics:
        files.append((urls.topic_feed(slug), topic_feed(site, slug, order, cache)))
    return files


def _stamp(meeting: Meeting) -> str:
    return f"{meeting.date.isoformat()}T00:00:00Z"


# --- Atom -------------------------------------------------------------------------------------------


def all_feed(site: Site, cache: Fragments | None = None) -> bytes:
    cache = cache or Fragments(None, site.config)
    return _atom(
        site,
        path=urls.ALL_FEED,
        title=f"{site.config.title}: nye referater",
        subtitle="Alle udgivne referater fra sundhedsklyngerne, nyeste først.",
        alternate=site.url(urls.HOME),
        author=site.config.title,
        entries=[_meeting_entry(site, m, cache) for m in site.meetings[:FEED_LIMIT]],
        updated=_stamp(site.meetings[0]) if site.meetings else _EPOCH,
    )


def cluster_feed(site: Site, slug: str, cache: Fragments | None = None) -> bytes:
    cache = cache or Fragments(None, site.config)
    cluster = site.config.clusters[slug]
    meetings = site.by_cluster.get(slug, [])
    return _atom(
        site,
        path=urls.body_feed(slug),
        title=f"{cluster.full_name}: nye referater",
        subtitle=cluster.description or f"Referater fra {cluster.full_name}.",
        alternate=site.cluster_url(slug),
        author=cluster.full_name,
        entries=[_meeting_entry(site, m, cache) for m in meetings[:FEED_LIMIT]],
        updated=_stamp(meetings[0]) if meetings else _EPOCH,
    )


def topic_feed(
    site: Site, slug: str, order: dict[tuple[str, str, str], int], cache: Fragments | None = None
) -> bytes:
    """One entry per agenda item about the topic, newest meeting first (title matches and mentions)."""
    cache = cache or Fragments(None, site.config)
    topic = site.config.topics[slug]
    entries = site.topic_entries.get(slug, [])
    ranked = sorted(entries, key=lambda e: (order[e.meeting], e.item))[:FEED_LIMIT]
    newest = site.by_key[ranked[0].meeting] if ranked else None
    return _atom(
        site,
        path=urls.topic_feed(slug),
        title=f"{topic.name}: nye dagsordenspunkter",
        subtitle=topic.description or f"Dagsordenspunkter om {topic.name}.",
        alternate=site.topic_url(slug),
        author=site.config.title,
        entries=[_item_entry(site, site.by_key[e.meeting], e.item, cache) for e in ranked],
        updated=_stamp(newest) if newest else _EPOCH,
    )


def _atom(
    site: Site,
    *,
    path: str,
    title: str,
    subtitle: str,
    alternate: str,
    author: str,
    entries: list[bytes],
    updated: str,
) -> bytes:
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
    cats = [
        (meeting.cluster, site.config.clusters[meeting.cluster].full_name),
        (meeting.forum, site.config.forums[meeting.forum].name),
    ]
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


def _meeting_entry(site: Site, meeting: Meeting, cache: Fragments) -> bytes:
    key = ("meeting", *_meeting_key(site, meeting))
    return cache.get(key, lambda: _render_meeting_entry(site, meeting))


def _render_meeting_entry(site: Site, meeting: Meeting) -> bytes:
    meeting = site.full(meeting)  # the model's meetings are light: the decisions are loaded for the feed
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


def _item_entry(site: Site, meeting: Meeting, number: int, cache: Fragments) -> bytes:
    key = ("item", number, *_meeting_key(site, meeting))
    return cache.get(key, lambda: _render_item_entry(site, meeting, number))


def _render_item_entry(site: Site, meeting: Meeting, number: int) -> bytes:
    meeting = site.full(meeting)
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

_TZID = "Europe/Copenhagen"
# Denmark's rules since 1996 (EU summer time): enough for any meeting these minutes record.
_VTIMEZONE = (
    "BEGIN:VTIMEZONE",
    f"TZID:{_TZID}",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
)
_CLOCK = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def ics_escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11)."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return text.replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n")


def fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 3.1), never inside a UTF-8 character."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    start, limit = 0, 75
    while start < len(data):
        end = min(start + limit, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # do not cut a multi-byte character
            end -= 1
        parts.append(data[start:end].decode("utf-8"))
        start, limit = end, 74  # continuation lines begin with one space
    return "\r\n ".join(parts)


def _local(meeting: Meeting, clock: str) -> str | None:
    match = _CLOCK.match(clock.strip())
    if not match:
        return None
    return f"{meeting.date.strftime('%Y%m%d')}T{int(match.group(1)):02d}{match.group(2)}00"


def _event(site: Site, meeting: Meeting) -> list[str]:
    url = site.base.absolute(site.meeting_url(meeting.key))
    day = meeting.date.strftime("%Y%m%d")
    lines = [
        "BEGIN:VEVENT",
        f"UID:{meeting.cluster}-{meeting.date.isoformat()}-{meeting.forum}@{site.base.host}",
        f"DTSTAMP:{day}T000000Z",
    ]
    start = _local(meeting, meeting.time) if meeting.time else None
    if start:
        lines.append(f"DTSTART;TZID={_TZID}:{start}")
        end = _local(meeting, meeting.end_time) if meeting.end_time else None
        if end and end > start:
            lines.append(f"DTEND;TZID={_TZID}:{end}")
    else:
        lines.append(f"DTSTART;VALUE=DATE:{day}")  # the time is unknown: an all-day event
    description = "\n".join([f"Referat: {url}", ""] + [f"Punkt {i.number}: {i.title}" for i in meeting.items])
    lines += [
        f"SUMMARY:{ics_escape(site.meeting_title(meeting))}",
        *([f"LOCATION:{ics_escape(meeting.location)}"] if meeting.location else []),
        f"URL:{url}",
        f"DESCRIPTION:{ics_escape(description)}",
        "END:VEVENT",
    ]
    return lines


def cluster_calendar(site: Site, slug: str, cache: Fragments | None = None) -> bytes:
    cache = cache or Fragments(None, site.config)
    cluster = site.config.clusters[slug]
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:-//{ics_escape(site.config.title)}//referater {__version__}//DA",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{ics_escape(cluster.full_name)}",
        f"X-WR-TIMEZONE:{_TZID}",
        *_VTIMEZONE,
    ]
    events = [
        cache.get(("event", *_meeting_key(site, m)), lambda m=m: _folded(_event(site, m)).encode("utf-8"))
        for m in reversed(site.by_cluster.get(slug, []))  # oldest first, as calendars list them
    ]
    return _folded(lines).encode("utf-8") + b"".join(events) + b"END:VCALENDAR\r\n"


def _folded(lines: list[str]) -> str:
    return "".join(fold(line) + "\r\n" for line in lines)
