"""Stage 2: the site model: the published meetings, their groupings and relations (relations.py computes
them), and the site's links (the URL contract is urls.py)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from . import urls
from .bodies import KINDS, heirs, status_on
from .config import SiteConfig
from .dates import short_date
from .model import Meeting
from .modelcache import ModelCache
from .topics import TopicMatch
from .urls import Base

Key = tuple[str, str, str]  # (cluster, iso date, forum)


# Tuples, not dataclasses: there are hundreds of thousands of these at 10,000 meetings, and page shapes
# are made of them (tuple(ref) is plain data that pickles and hashes in C).
class ItemRef(NamedTuple):
    """One agenda item somewhere on the site, as lists show it."""

    meeting: Key
    number: int
    title: str


class TopicEntry(NamedTuple):
    meeting: Key
    item: int
    main: bool  # title matched or set by hand
    mentions: int


@dataclass
class Site:
    config: SiteConfig
    meetings: list[Meeting]  # published only, newest first
    by_key: dict[Key, Meeting] = field(default_factory=dict)
    item_topics: dict[tuple[Key, int], tuple[TopicMatch, ...]] = field(default_factory=dict)
    meeting_topics: dict[Key, list[str]] = field(default_factory=dict)
    topic_entries: dict[str, list[TopicEntry]] = field(default_factory=dict)
    topic_meetings: dict[str, int] = field(default_factory=dict)  # topic → meetings with an entry
    cases: dict[str, list[ItemRef]] = field(default_factory=dict)  # case number → items, oldest first
    case_slugs: dict[str, str] = field(default_factory=dict)  # case number → URL slug (cases with a page)
    case_steps: dict[tuple[str, Key, int], int] = field(default_factory=dict)  # (case, item) → index in cases
    references: dict[Key, dict[str, Key]] = field(default_factory=dict)  # source → {iso date: target}
    backlinks: dict[Key, list[ItemRef]] = field(default_factory=dict)  # target → citing items
    neighbours: dict[Key, tuple[Key | None, Key | None]] = field(default_factory=dict)  # (previous, next)
    # a joint meeting's previous and next in the series of each other body taking part
    joint_neighbours: dict[tuple[Key, str], tuple[Key | None, Key | None]] = field(default_factory=dict)
    related: dict[Key, list[Key]] = field(default_factory=dict)
    by_cluster: dict[str, list[Meeting]] = field(default_factory=dict)
    by_forum: dict[str, list[Meeting]] = field(default_factory=dict)
    by_year: dict[int, list[Meeting]] = field(default_factory=dict)
    by_month: dict[tuple[int, int], list[Meeting]] = field(default_factory=dict)
    # values computed from the model alone, kept between builds (a cache that keeps nothing by default)
    cache: ModelCache = field(default_factory=ModelCache, repr=False, compare=False)
    # views.py's links to meetings and items, made once per build: most pages list the same meetings
    view_links: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)
    # Every link on 10,000 pages asks for the base path: base_url is parsed once per config object
    _base: tuple[SiteConfig | None, Base] = field(
        default=(None, Base.parse("/")), init=False, repr=False, compare=False
    )

    # --- URLs: the public contract is urls.py; these are its links for this site's base path ---
    @property
    def base(self) -> Base:
        config, base = self._base
        if config is not self.config:
            config, base = self.config, Base.parse(self.config.base_url)
            self._base = (config, base)
        return base

    def url(self, path: str = "") -> str:
        config, base = self._base  # self.base inlined: this runs for every link of every page
        return (base if config is self.config else self.base).path + path

    def body_root(self, slug: str) -> urls.BodyRoot:
        """Where a body's kind publishes: urls.CLUSTERS for sundhedsklynger, urls.COUNCILS for sundhedsråd."""
        return self.config.clusters[slug].kind_info.root

    def body_path(self, slug: str) -> str:
        return urls.body(slug, self.body_root(slug))

    def body_feed_path(self, slug: str) -> str:
        return urls.body_feed(slug, self.body_root(slug))

    def calendar_path(self, slug: str) -> str:
        return urls.calendar(slug, self.body_root(slug))

    def meeting_path(self, key: Key) -> str:
        """A meeting's path under its own body (a joint meeting's under the body that wrote it)."""
        return urls.meeting(*key, root=self.body_root(key[0]))

    def meeting_url(self, key: Key) -> str:
        return self.url(self.meeting_path(key))

    def item_url(self, key: Key, number: int) -> str:
        return urls.item(self.meeting_url(key), number)

    def cluster_url(self, slug: str) -> str:
        return self.url(self.body_path(slug))

    def region_of(self, m: Meeting) -> str:
        """The region in force on the meeting's date (Region Sjælland in 2026, Region Østdanmark after)."""
        return self.config.clusters[m.cluster].region_on(m.date)

    @property
    def content_date(self) -> dt.date | None:
        """The newest published meeting's date: what "now" is for current and archived bodies."""
        return self.meetings[0].date if self.meetings else None

    def body_status(self, slug: str) -> str:
        return status_on(self.config.clusters[slug], self.content_date)

    def areas_of(self, m: Meeting) -> tuple[str, ...]:
        """The bodies that cover the meeting's area today (sundhedsråd Limfjorden for Midt in 2025)."""
        return tuple(dict.fromkeys(h for b in m.bodies for h in heirs(self.config.clusters, b)))

    def kinds_in_order(self) -> list[str]:
        """The kinds of bodies, those with current bodies first: after the reform in the content the
        sundhedsråd come first and the clusters are the archive."""
        kinds = self.config.kinds
        current = {k for k in kinds if any(self.body_status(s) == "current" for s in self.config.of_kind(k))}
        return sorted(kinds, key=lambda k: (k not in current, kinds.index(k)))

    def kind_is_archive(self, kind: str) -> bool:
        bodies = self.config.of_kind(kind)
        return bool(bodies) and all(self.body_status(s) == "archive" for s in bodies)

    def forum_url(self, slug: str) -> str:
        return self.url(urls.forum(slug))

    def topic_url(self, slug: str) -> str:
        return self.url(urls.topic(slug))

    def case_url(self, case: str) -> str | None:
        slug = self.case_slugs.get(case)
        return self.url(urls.case(slug)) if slug else None

    def year_url(self, year: int) -> str:
        return self.url(urls.year(year))

    def month_url(self, year: int, month: int) -> str:
        return self.url(urls.month(year, month))

    def meeting_title(self, meeting: Meeting) -> str:
        forum = self.config.forums[meeting.forum].name
        cluster = self.config.clusters[meeting.cluster].full_name
        return meeting.title or f"{forum}, {cluster}, {short_date(meeting.date)}"


def cluster_mention_pattern(site: Site) -> re.Pattern[str] | None:
    """'Sundhedsklynge Sønderjylland', 'NFS Sundhedsklynge' … → cluster slug, longest name first."""
    names: dict[str, str] = {}
    for slug, cluster in site.config.clusters.items():
        for name in (cluster.full_name, *cluster.aliases):
            if name.lower().startswith("sundhedsklynge") or "sundhedsklynge" in name.lower():
                names[name] = slug
    if not names:
        return None
    ordered = sorted(names, key=len, reverse=True)
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(n) for n in ordered) + r")(?![\w-])", re.IGNORECASE)


def body_nav(site: Site) -> list[tuple[str, str]]:
    """Navigation entries per kind of body: (path of its index, label), current kinds first."""
    labels = {"sundhedsklynge": "Klynger"}
    return [
        (
            urls.bodies(KINDS[k].root),
            labels.get(k, KINDS[k].plural) + (" (arkiv)" if site.kind_is_archive(k) else ""),
        )
        for k in site.kinds_in_order()
    ]
