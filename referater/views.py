"""Small, explicit view objects that templates receive: plain data, cheap to hash for the page cache."""

from __future__ import annotations

from dataclasses import dataclass

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
    m = site.by_key[key]
    item = next(i for i in m.items if i.number == number)
    return ItemLink(
        url=site.item_url(key, number),
        title=item.title,
        number=number,
        meeting=meeting_link(site, key),
        snippet=item.summary if with_snippet else "",
        main=main,
    )
