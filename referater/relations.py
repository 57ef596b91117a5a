"""Stage 2: the relations of the site model, computed once for all meetings: the one place where meetings
learn about each other (topics, cases, date references and backlinks, prev/next, related meetings)."""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Sequence
from functools import partial
from operator import attrgetter
from pathlib import Path
from typing import Any

from .analysis import Analysis, analyse
from .config import SiteConfig
from .memory import paused_gc
from .model import Meeting
from .modelcache import ModelCache, model_prefix
from .site import ItemRef, Key, Site, TopicEntry
from .slugs import slugify
from .topics import TopicMatcher


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
        site.cache = ModelCache(cache_file, published, found, model_prefix(config, include_drafts))
    _group(site)
    _item_topics(site, found)
    kept = site.cache.get(_RELATIONS)
    if kept is not None:
        for name, value in zip(_RELATION_FIELDS, kept, strict=True):
            setattr(site, name, _as_records(name, value))
        return site
    _topics(site)
    _cases(site)
    _references(site, found)
    _neighbours(site)
    _related(site)
    site.cache.put(_RELATIONS, tuple(_as_plain(name, getattr(site, name)) for name in _RELATION_FIELDS))
    return site


# Relations whose lists hold named tuples are kept as plain tuples: unpickling calls a named tuple's
# Python constructor once per entry (a quarter of a million at 10,000 meetings), tuple.__new__ is C.
_RECORD_LISTS = {"cases": ItemRef, "backlinks": ItemRef, "topic_entries": TopicEntry}


def _as_plain(name: str, relation: Any) -> Any:
    if name not in _RECORD_LISTS:
        return relation
    return {key: list(map(tuple, records)) for key, records in relation.items()}


def _as_records(name: str, relation: Any) -> Any:
    record = _RECORD_LISTS.get(name)
    if record is None:
        return relation
    make = partial(tuple.__new__, record)
    return {key: list(map(make, plain)) for key, plain in relation.items()}


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
