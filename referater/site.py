"""Stage 2: the site model, computed once for all meetings: the one place where meetings learn about each
other (topics, cases, date references and backlinks, prev/next, related meetings, archives)."""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import NamedTuple

from . import urls
from .analysis import Analysis, analyse
from .bodies import KINDS, heirs, status_on
from .config import SiteConfig
from .dates import short_date
from .memory import paused_gc
from .model import Meeting
from .modelcache import ModelCache, model_digest
from .slugs import slugify
from .topics import TopicMatch, TopicMatcher
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


def newest_first(meeting: Meeting) -> tuple:
    # Stable across runs: date descending, then cluster and forum ascending.
    return (-meeting.date.toordinal(), meeting.cluster, meeting.forum)


@paused_gc()
def build_site(
    meetings: list[Meeting],
    config: SiteConfig,
    analyses: dict[Key, Analysis] | None = None,
    include_drafts: bool = False,
    cache_file: Path | None = None,
) -> Site:
    """The model of the published site. `analyses` (from the content cache) saves re-reading texts.
    The one place drafts are left out: only the preview (`include_drafts`) shows them. With `cache_file`
    the relations of the last build are reused when the meetings' model facts are the same (modelcache)."""
    published = sorted((m for m in meetings if include_drafts or not m.draft), key=newest_first)
    site = Site(config=config, meetings=published, by_key={m.key: m for m in published})
    known = analyses or {}
    matcher = TopicMatcher(config.topics)
    found = {m.key: known.get(m.key) or analyse(m, matcher) for m in published}
    if cache_file is not None:
        site.cache = ModelCache(cache_file, model_digest(published, found, config, include_drafts))
    _group(site)
    _item_topics(site, found)
    kept = site.cache.get(_RELATIONS)
    if kept is not None:
        for name, value in zip(_RELATION_FIELDS, kept, strict=True):
            setattr(site, name, value)
        return site
    _topics(site)
    _cases(site)
    _references(site, found)
    _neighbours(site)
    _related(site)
    site.cache.put(_RELATIONS, tuple(getattr(site, name) for name in _RELATION_FIELDS))
    return site


_RELATIONS = "relations"
# What build_site computes from the meetings' model facts (item_topics is read from the analyses as is)
_RELATION_FIELDS = (
    "meeting_topics",
    "topic_entries",
    "topic_meetings",
    "cases",
    "case_slugs",
    "case_steps",
    "references",
    "backlinks",
    "neighbours",
    "joint_neighbours",
    "related",
)


def _group(site: Site) -> None:
    groups: dict[str, dict] = {
        "cluster": defaultdict(list),
        "forum": defaultdict(list),
        "year": defaultdict(list),
        "month": defaultdict(list),
    }
    for m in site.meetings:  # already newest first, so every group is too
        for body in m.bodies:  # a joint meeting counts for each body taking part
            groups["cluster"][body].append(m)
        groups["forum"][m.forum].append(m)
        groups["year"][m.date.year].append(m)
        groups["month"][(m.date.year, m.date.month)].append(m)
    site.by_cluster = dict(groups["cluster"])
    site.by_forum = dict(groups["forum"])
    site.by_year = dict(groups["year"])
    site.by_month = dict(groups["month"])


_MAIN_WEIGHT = 3
_MEETING_TOPIC_WEIGHT = 3


def _by_number(meeting: Meeting) -> tuple:
    """The items in number order (a file may list them out of order: only a warning)."""
    items = meeting.items
    if all(a.number < b.number for a, b in zip(items, items[1:], strict=False)):
        return items
    return tuple(sorted(items, key=attrgetter("number")))


def _item_topics(site: Site, found: dict[Key, Analysis]) -> None:
    item_topics = site.item_topics
    for m in site.meetings:
        key = m.key
        known = found[key].item_topics
        for item in _by_number(m):
            item_topics[(key, item.number)] = tuple(known.get(item.number, ()))


def _topics(site: Site) -> None:
    # Main items (title matches) rank above mentions in passing; each group newest first, then by item
    # number: meetings are visited newest first and their items in number order, so no sort is needed.
    main: dict[str, list[TopicEntry]] = defaultdict(list)
    passing: dict[str, list[TopicEntry]] = defaultdict(list)
    item_topics = site.item_topics
    meetings: dict[str, int] = defaultdict(int)
    for m in site.meetings:
        key = m.key
        weight: dict[str, int] = defaultdict(int)
        for item in _by_number(m):
            matches = item_topics[(key, item.number)]
            for match in matches:
                entry = TopicEntry(key, item.number, match.in_title, match.mentions)
                (main if match.in_title else passing)[match.topic].append(entry)
                weight[match.topic] += _MAIN_WEIGHT if match.in_title else match.mentions
        for slug in weight:  # every topic with an entry here (hand topics of the meeting are added below)
            meetings[slug] += 1
        for slug in m.hand_topics:
            weight[slug] += _MAIN_WEIGHT
        # A meeting is about a topic when an item is, or the topic keeps coming up; not for one mention.
        site.meeting_topics[key] = sorted(slug for slug, w in weight.items() if w >= _MEETING_TOPIC_WEIGHT)
    site.topic_meetings = dict(meetings)
    site.topic_entries = {
        slug: main.get(slug, []) + passing.get(slug, []) for slug in sorted({*main, *passing})
    }


def _cases(site: Site) -> None:
    found: dict[str, list[ItemRef]] = defaultdict(list)
    steps = site.case_steps
    for m in reversed(site.meetings):  # oldest first: a case history reads forwards
        key = m.key
        for item in m.items:
            ref = ItemRef(key, item.number, item.title)
            for case in dict.fromkeys((*item.cases, *m.cases)):
                refs = found[case]
                steps.setdefault((case, key, item.number), len(refs))  # history windows look items up here
                refs.append(ref)
    site.cases = dict(sorted(found.items()))
    used: set[str] = set()
    for case, refs in site.cases.items():
        first = refs[0].meeting
        if all(r.meeting == first for r in refs):
            continue  # a case gets a page only when it spans meetings
        slug = slugify(case) or "sag"
        base, n = slug, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        site.case_slugs[case] = slug


def _references(site: Site, found: dict[Key, Analysis]) -> None:
    """Dates in the text that are a published meeting of the same cluster become links and backlinks."""
    on_day: dict[tuple[str, str], list[Meeting]] = defaultdict(list)
    for m in site.meetings:
        for body in m.bodies:
            on_day[(body, m.date.isoformat())].append(m)
    backlinks: dict[Key, list[ItemRef]] = defaultdict(list)
    for m in reversed(site.meetings):
        key, dates = m.key, found[m.key].item_dates
        targets: dict[str, Key] = {}
        for item in m.items:
            cited: set[Key] = set()
            for day in dates.get(item.number, ()):
                if day in targets:  # the same day elsewhere in this meeting: the same target
                    target = targets[day]
                else:
                    chosen = choose_target(on_day.get((m.cluster, day), ()), m)
                    if chosen is None:
                        continue
                    target = targets[day] = chosen.key
                if target not in cited:
                    cited.add(target)
                    backlinks[target].append(ItemRef(key, item.number, item.title))
        if targets:
            site.references[key] = dict(sorted(targets.items()))
    site.backlinks = dict(backlinks)


def choose_target(candidates: Sequence[Meeting], source: Meeting) -> Meeting | None:
    """The meeting a date refers to: never the citing meeting itself; the same forum if it met that day."""
    if len(candidates) == 1:  # nearly always: one meeting of the cluster that day
        return None if candidates[0].key == source.key else candidates[0]
    others = [c for c in candidates if c.key != source.key]
    if not others:
        return None
    return next((c for c in others if c.forum == source.forum), others[0])


def _neighbours(site: Site) -> None:
    """Previous and next per body and forum; a joint meeting is in the series of every body taking part."""
    series: dict[tuple[str, str], list[Meeting]] = defaultdict(list)
    for m in reversed(site.meetings):
        for body in m.bodies:
            series[(body, m.forum)].append(m)
    for (body, _), run in series.items():
        for i, m in enumerate(run):
            previous = run[i - 1].key if i > 0 else None
            following = run[i + 1].key if i + 1 < len(run) else None
            if body == m.cluster:
                site.neighbours[m.key] = (previous, following)
            else:
                site.joint_neighbours[(m.key, body)] = (previous, following)


_RELATED_PER_TOPIC = 6  # nearest meetings in time per shared topic: keeps this linear at 10,000 meetings
RELATED_COUNT = 5


def _related(site: Site) -> None:
    """Meetings sharing topics, other clusters first, then more shared topics, then nearer in time."""
    bits: dict[str, int] = {}  # topic → bit: shared topics are counted with int operations, not sets
    main_topics: dict[Key, int] = defaultdict(int)
    by_topic: dict[str, list[tuple[int, Key]]] = {}
    day_of = {key: m.date.toordinal() for key, m in site.by_key.items()}
    for slug, entries in site.topic_entries.items():
        bit = 1 << bits.setdefault(slug, len(bits))
        keys = dict.fromkeys(e.meeting for e in entries if e.main)
        for key in keys:
            main_topics[key] |= bit
        by_topic[slug] = sorted((day_of[key], key) for key in keys)
    keys_of = {slug: [key for _, key in run] for slug, run in by_topic.items()}
    for m in site.meetings:
        key, day = m.key, day_of[m.key]
        mine = 0
        candidates: set[Key] = set()
        for slug in site.meeting_topics[key]:
            mine |= 1 << bits.setdefault(slug, len(bits))
            run = by_topic.get(slug)
            if run:
                at = bisect.bisect_left(run, (day, key))
                candidates.update(
                    keys_of[slug][max(0, at - _RELATED_PER_TOPIC) : at + _RELATED_PER_TOPIC + 1]
                )
        candidates.discard(key)
        # Every candidate shares a main topic with this meeting (it was found through one). The sort key
        # as plain tuples: sorted() then compares in C instead of calling a key function per candidate.
        ranked = sorted(
            (k[0] == m.cluster, -(mine & main_topics[k]).bit_count(), abs(day_of[k] - day), k)
            for k in candidates
        )
        site.related[key] = [k for *_, k in ranked[:RELATED_COUNT]]


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
