"""Small, explicit view objects that templates receive: plain data, cheap to hash for the page cache."""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass, field

from .dates import short_date
from .site import Key, Site


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True)
class MeetingLink:
    url: str
    title: str
    iso: str
    date: str  # "5. december 2023"
    cluster: str
    cluster_url: str
    forum: str
    items: int


@dataclass(frozen=True)
class ItemLink:
    url: str
    title: str
    number: int
    meeting: MeetingLink
    snippet: str = ""  # the start of the decision
    main: bool = True


def meeting_link(site: Site, key: Key) -> MeetingLink:
    link = site.view_links.get(key)
    if link is None:
        link = site.view_links[key] = _meeting_link(site, key)
    return link


def _meeting_link(site: Site, key: Key) -> MeetingLink:
    m = site.by_key[key]
    return MeetingLink(
        url=site.meeting_url(key),
        title=site.meeting_title(m),
        iso=m.date.isoformat(),
        date=short_date(m.date),
        cluster=site.config.clusters[m.cluster].name,
        cluster_url=site.cluster_url(m.cluster),
        forum=site.config.forums[m.forum].name,
        items=len(m.items),
    )


def item_link(site: Site, key: Key, number: int, main: bool = True, with_snippet: bool = False) -> ItemLink:
    if with_snippet:
        # Only the topic and case listings show snippets, and they list most items of the site, each a
        # page or two: kept, their links held some 46 MB at 10,000 meetings for half a second of work.
        return _item_link(site, key, number, main, with_snippet)
    cache_key = (key, number, main, with_snippet)
    link = site.view_links.get(cache_key)
    if link is None:
        link = site.view_links[cache_key] = _item_link(site, key, number, main, with_snippet)
    return link


def _item_link(site: Site, key: Key, number: int, main: bool, with_snippet: bool) -> ItemLink:
    m = site.by_key[key]
    items = m.items
    item = items[number - 1] if 0 < number <= len(items) else None  # items are numbered 1, 2, … mostly
    if item is None or item.number != number:
        item = next(i for i in items if i.number == number)
    return ItemLink(
        url=site.item_url(key, number),
        title=item.title,
        number=number,
        meeting=meeting_link(site, key),
        snippet=item.summary if with_snippet else "",
        main=main,
    )


@dataclass
class LinkContext:
    """What one meeting's text may link to; built by the pages stage from the site model."""

    year: int  # the meeting's year, for dates written without one
    date_links: dict[str, str] = field(default_factory=dict)  # iso date → meeting URL
    cluster_links: dict[str, str] = field(default_factory=dict)  # lower-cased name → cluster URL
    cluster_pattern: re.Pattern[str] | None = None

    @functools.cached_property
    def day_months(self) -> frozenset[tuple[int, int]]:
        """(day, month) of every linked date: a date can only link if its day and month are one of these,
        whatever year the scanner gives it."""
        return frozenset((int(iso[8:10]), int(iso[5:7])) for iso in self.date_links)

    @functools.cached_property
    def name_prefix(self) -> str:
        """What every linked cluster name starts with ("sundhedsklynge "): one search rules most text out."""
        return os.path.commonprefix(list(self.cluster_links))

    @functools.cached_property
    def names_exact(self) -> bool:
        # str.lower() of a substring equals the substring of str.lower() for every character but the
        # Greek capital sigma (final-sigma rule): with a sigma in a name, the name pre-check is skipped.
        return not any("σ" in name or "ς" in name for name in self.cluster_links)
