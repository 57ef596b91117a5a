"""Atom feeds (RFC 4287) made from the site model, and the plan of every feed and calendar (leaf).

Everything here is a pure function of the published meetings: `updated` and `DTSTAMP` come from meeting
dates, never from the clock, so an unchanged site builds byte-identical feeds. The per-meeting pieces
(entries, events) come from a Fragments cache: a meeting's token below must name everything its pieces
show beyond the config, or an incremental build would publish a stale piece; and a feed's fingerprint
names its head and its pieces, or a kept feed would be stale.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from html import escape as html_escape
from xml.sax.saxutils import escape, quoteattr

from . import __version__, calendars, urls
from .fragments import TOKEN_SIZE, Fragments
from .loader import Texts
from .model import AgendaItem, Meeting
from .site import Key, Site
from .workers import MIN_ITEMS, forked_parts

FEED_LIMIT = 100  # entries per Atom feed, newest first; the archive and open data hold everything
_EPOCH = "1970-01-01T00:00:00Z"  # `updated` of a feed with no entries: still deterministic


MEETING, ITEM, EVENT = 0, 1, 2  # the kinds of piece: a meeting's Atom entry, an item's, a VEVENT


@dataclass(frozen=True)
class Feed:
    """One feed or calendar as the site model gives it: its file, what it shows beyond its pieces (an
    Atom feed's title, subtitle, alternate page, author and `updated`), and its pieces in order, by key:
    the meeting's token, the kind of piece and the item's number (0 but for an item)."""

    path: str
    head: tuple[str, ...]
    pieces: list[bytes]
    calendar: str | None = None  # the body of a calendar; None for an Atom feed


@dataclass
class FeedPlan:
    """The feeds to make again (`todo`) and the pieces they need that the cache has not, by meeting."""

    todo: list[Feed]
    wanted: dict[Key, list[bytes]]  # a meeting's missing pieces, by the meeting's key

    def pieces_of(self, site: Site, store: Texts, light: Meeting) -> list[tuple[bytes, bytes]]:
        """The missing pieces of one meeting (none if it has none): for a render worker, which has its
        full text loaded already. The rows go to `taken`."""
        keys = self.wanted.get(light.key)
        return _meeting_pieces(site, store, light, keys) if keys else []

    def taken(self, cache: Fragments, rows: list[tuple[bytes, bytes]], key: Key) -> None:
        """The pieces pieces_of made for the meeting `key`: into the cache, no longer wanted."""
        if rows:
            cache.add(rows)
        self.wanted.pop(key, None)


def plan_feeds(
    site: Site,
    cache: Fragments,
    fresh: Callable[[str, bytes], bool] = lambda rel, fp: False,
) -> FeedPlan:
    """The Atom feeds and calendars that must be made again, and the pieces they show that the cache
    has not. `fresh(path, fingerprint)` says whether the published file of a feed with those inputs can
    stay (and keeps it)."""
    tokens = _tokens(site)
    cache.in_use({tokens[m.key]: (m.path, m.digest) for m in site.meetings})
    scope = cache.scope.encode()
    todo = []
    for feed in _feeds(site, tokens, _kept_item_feeds(site, cache)):
        head = repr((feed.path, feed.head, feed.calendar)).encode()
        fingerprint = hashlib.blake2b(b"\0".join([scope, head, *feed.pieces]), digest_size=16).digest()
        if not fresh(feed.path, fingerprint):
            todo.append(feed)
    meetings = {token: key for key, token in tokens.items()}
    wanted: dict[Key, list[bytes]] = {}
    for piece in sorted(cache.missing(key for feed in todo for key in feed.pieces)):
        wanted.setdefault(meetings[piece[:TOKEN_SIZE]], []).append(piece)
    return FeedPlan(todo, wanted)


def render_wanted(site: Site, store: Texts, cache: Fragments, plan: FeedPlan, jobs: int = 1) -> None:
    """Render the pieces still wanted, a meeting at a time (its full text is loaded once for all its
    pieces): in `jobs` forked workers when there are many meetings. Everything that reads the content
    store or forks for the feeds is done by now, so that made_feeds can run beside the search index's
    threads."""
    groups = [(site.by_key[key], keys) for key, keys in plan.wanted.items()]
    plan.wanted = {}
    if jobs > 1 and len(groups) >= MIN_ITEMS:

        def part(meetings: Sequence[tuple[Meeting, list[bytes]]]) -> list[tuple[bytes, bytes]]:
            return [row for light, keys in meetings for row in _meeting_pieces(site, store, light, keys)]

        for rows in forked_parts(part, groups, jobs):
            cache.add(rows)
        return
    rows: list[tuple[bytes, bytes]] = []
    for light, keys in groups:
        rows += _meeting_pieces(site, store, light, keys)
        if len(rows) >= _RENDER_BATCH:
            cache.add(rows)
            rows = []
    cache.add(rows)


def made_feeds(site: Site, cache: Fragments, todo: list[Feed]) -> Iterator[tuple[str, bytes]]:
    """The feeds a plan makes again (once render_wanted has run), from their cached pieces, by output
    path, one at a time (together they are some 160 MB at 10,000 meetings, and the build stages each as
    it comes)."""
    for feed in todo:
        pieces = list(cache.pieces(feed.pieces))
        if feed.calendar is not None:
            yield feed.path, calendars.calendar(site, feed.calendar, pieces)
        else:
            yield feed.path, _atom(site, feed, pieces)


_SUFFIX = {kind: bytes([kind, 0, 0, 0, 0]) for kind in (MEETING, EVENT)}  # kind, then no item number
_RENDER_BATCH = 1000  # pieces handed to the cache at a time: the rest of a cold build is not held


def _tokens(site: Site) -> dict[Key, bytes]:
    """Each meeting's token: what its pieces show of it beyond the config and the item they are of."""
    return {
        m.key: hashlib.blake2b(repr(_meeting_key(site, m)).encode(), digest_size=TOKEN_SIZE).digest()
        for m in site.meetings
    }


def _item_piece(token: bytes, number: int) -> bytes:
    return token + bytes([ITEM]) + number.to_bytes(4, "big")


def _meeting_pieces(site: Site, store: Texts, light: Meeting, keys: list[bytes]) -> list[tuple[bytes, bytes]]:
    """The pieces of one meeting by key: its Atom entry, its items' entries, its VEVENT."""
    texts = any(key[TOKEN_SIZE] != EVENT for key in keys)
    full = store(light) if texts else light  # events show no text
    shared = _Shared(site, full) if texts else None
    rows = []
    for key in keys:
        kind, number = key[TOKEN_SIZE], int.from_bytes(key[TOKEN_SIZE + 1 :], "big")
        if kind == EVENT:
            rows.append((key, calendars.event(site, light)))
        elif kind == MEETING:
            rows.append((key, _render_meeting_entry(site, full, shared)))
        else:
            rows.append((key, _render_item_entry(site, full, number, shared)))
    return rows


def _kept_item_feeds(site: Site, cache: Fragments) -> list[tuple[str, str, str, str, list[tuple[Key, int]]]]:
    """_item_feeds, kept in the model cache with the feeds' scope (engine and full config): it sorts the
    items of every case and topic, and reads nothing but the model's relations and the config."""
    kept = site.cache.get(_ITEM_FEEDS)
    if kept is None or kept[0] != cache.scope:
        kept = (cache.scope, list(_item_feeds(site)))
        site.cache.put(_ITEM_FEEDS, kept)
    return kept[1]


_ITEM_FEEDS = "item-feeds"


def _feeds(site: Site, tokens: dict[Key, bytes], item_feeds: list) -> Iterator[Feed]:
    entry, event = _SUFFIX[MEETING], _SUFFIX[EVENT]
    for path, name, about, alternate, author, meetings in _meeting_feeds(site):
        updated = _stamp(meetings[0]) if meetings else _EPOCH
        head = (f"{name}: nye referater", about, alternate, author, updated)
        yield Feed(path, head, [tokens[m.key] + entry for m in meetings[:FEED_LIMIT]])
    for path, title, about, alternate, items in item_feeds:
        updated = _stamp(site.by_key[items[0][0]]) if items else _EPOCH
        head = (title, about, alternate, site.config.title, updated)
        yield Feed(path, head, [_item_piece(tokens[key], number) for key, number in items])
    for slug in site.config.clusters:
        # oldest first, as calendars list them
        events = [tokens[m.key] + event for m in reversed(site.by_cluster.get(slug, []))]
        yield Feed(site.calendar_path(slug), (), events, calendar=slug)


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


def _atom(site: Site, feed: Feed, entries: list[bytes]) -> bytes:
    """A feed: its head is (title, subtitle, alternate page, author, updated)."""
    title, subtitle, alternate, author, updated = feed.head
    self_url = site.base.absolute(feed.path)
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
        *(_category(term, label) for term, label in categories),
        f'    <content type="html">{escape(content_html)}</content>',
        "  </entry>",
    ]
    return "\n".join(parts).encode("utf-8")


@functools.cache
def _category(term: str, label: str) -> str:
    """A category line: the same few bodies, forums and topics label thousands of entries."""
    return f"    <category term={quoteattr(term)} label={quoteattr(label)}/>"


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


class _Shared:
    """What a meeting's Atom entries show alike, made once for all of them: its title, its categories and
    each item's HTML (the meeting's entry shows every item, an item's entry one)."""

    def __init__(self, site: Site, meeting: Meeting):
        self.site, self.meeting = site, meeting
        self.title = site.meeting_title(meeting)
        self.categories = _categories(site, meeting)
        self._items: dict[int, str] = {}

    def item(self, index: int) -> tuple[str, str]:
        """(url, HTML) of the meeting's index-th item."""
        item = self.meeting.items[index]
        url = self.site.base.absolute(self.site.item_url(self.meeting.key, item.number))
        html = self._items.get(index)
        if html is None:
            html = self._items[index] = _item_html(item, url)
        return url, html


def _render_meeting_entry(site: Site, meeting: Meeting, shared: _Shared | None = None) -> bytes:
    shared = shared or _Shared(site, meeting)
    url = site.base.absolute(site.meeting_url(meeting.key))
    facts = [meeting.date.isoformat() + (f", kl. {meeting.time}" if meeting.time else "")]
    if meeting.location:
        facts.append(meeting.location)
    body = f"<p>{html_escape(' · '.join(facts))}</p>" + "".join(
        shared.item(i)[1] for i in range(len(meeting.items))
    )
    return _entry(
        entry_id=url,
        title=shared.title,
        url=url,
        updated=_stamp(meeting),
        content_html=body,
        categories=shared.categories,
    )


def _render_item_entry(site: Site, meeting: Meeting, number: int, shared: _Shared | None = None) -> bytes:
    shared = shared or _Shared(site, meeting)
    index = next(i for i, item in enumerate(meeting.items) if item.number == number)
    url, html = shared.item(index)
    return _entry(
        entry_id=url,
        title=f"{meeting.items[index].title} ({shared.title})",
        url=url,
        updated=_stamp(meeting),
        content_html=f"<p>{html_escape(shared.title)}</p>" + html,
        categories=shared.categories,
    )
