"""The meeting page's view: a meeting with everything the site model knows about it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

from . import urls
from .dates import long_date, month_name
from .loader import Texts
from .model import AgendaItem, Meeting, Participant, Section
from .page import Page, crumb_link, make_page, page_shape_digest, root_link
from .site import ItemRef, Key, Site, cluster_mention_pattern
from .views import ItemLink, Link, LinkContext, MeetingLink, item_link, meeting_link

try:
    from zoneinfo import ZoneInfo

    _DANISH_TIME: datetime.tzinfo | None = ZoneInfo("Europe/Copenhagen")
except Exception:  # noqa: BLE001 - no tz database: fall back to local times without offset
    _DANISH_TIME = None

HISTORY_SPAN = 4  # steps shown before and after this item in "Sagens forløb"; the case page has them all


@dataclass(frozen=True)
class ItemView:
    number: int
    anchor: str
    title: str
    closed: bool
    sections: tuple[Section, ...]
    cases: tuple[Link | str, ...]
    documents: tuple[str, ...]
    topics: tuple[Link, ...]
    history: tuple[tuple[str, tuple[tuple[ItemLink, bool], ...]], ...]  # case → (item, is this one)
    summary: str  # the start of the decision, for the overview "Beslutninger"
    slot: str = ""  # the agenda's time slot


@dataclass(frozen=True)
class MeetingView:
    key: Key
    title: str
    cluster: Link
    forum: Link
    region: str
    date_long: str
    iso: str
    time: str
    end_time: str
    location: str
    present: tuple[Participant, ...]
    absent: tuple[Participant, ...]
    secretariat: tuple[Participant, ...]
    items: tuple[ItemView, ...]
    topics: tuple[Link, ...]
    previous: MeetingLink | None
    next: MeetingLink | None
    backlinks: tuple[ItemLink, ...]
    related: tuple[MeetingLink, ...]
    month: Link
    source: str
    json_ld: dict[str, Any]
    kind: str = "Sundhedsklynge"  # the body's kind as the page names it
    successors: tuple[Link, ...] = ()  # where the body's work goes on
    joint: tuple[Link, ...] = ()  # the other bodies of a joint meeting
    joint_series: tuple[tuple[str, MeetingLink | None, MeetingLink | None], ...] = ()  # their prev/next
    draft: bool = False  # only the preview shows drafts, with a banner


def meeting_view(site: Site, m: Meeting) -> MeetingView:
    """`m` in full, from the content store (the model's meetings are light)."""
    previous, following = site.neighbours.get(m.key, (None, None))
    return MeetingView(
        key=m.key,
        title=site.meeting_title(m),
        cluster=Link(site.cluster_url(m.cluster), site.config.clusters[m.cluster].full_name),
        forum=Link(site.forum_url(m.forum), site.config.forums[m.forum].name),
        region=site.region_of(m),
        kind=site.config.clusters[m.cluster].kind_info.title,
        successors=tuple(
            Link(site.cluster_url(b), site.config.clusters[b].full_name)
            for b in site.config.clusters[m.cluster].successors
        ),
        joint=tuple(Link(site.cluster_url(b), site.config.clusters[b].full_name) for b in m.joint_with),
        joint_series=tuple(
            (
                site.config.clusters[b].full_name,
                meeting_link(site, p)
                if (p := site.joint_neighbours.get((m.key, b), (None, None))[0])
                else None,
                meeting_link(site, n)
                if (n := site.joint_neighbours.get((m.key, b), (None, None))[1])
                else None,
            )
            for b in m.joint_with
        ),
        date_long=long_date(m.date),
        iso=m.date.isoformat(),
        time=m.time,
        end_time=m.end_time,
        location=m.location,
        present=m.present,
        absent=m.absent,
        secretariat=m.secretariat,
        items=tuple(_item_view(site, m, item) for item in m.items),
        topics=tuple(Link(site.topic_url(t), site.config.topics[t].name) for t in site.meeting_topics[m.key]),
        previous=meeting_link(site, previous) if previous else None,
        next=meeting_link(site, following) if following else None,
        backlinks=tuple(item_link(site, r.meeting, r.number) for r in site.backlinks.get(m.key, [])),
        related=tuple(meeting_link(site, k) for k in site.related.get(m.key, [])),
        month=Link(site.month_url(m.date.year, m.date.month), f"{month_name(m.date.month)} {m.date.year}"),
        source=m.source,
        json_ld=_json_ld(site, m),
        draft=m.draft,
    )


def _json_ld(site: Site, m: Meeting) -> dict[str, Any]:
    cluster = site.config.clusters[m.cluster]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": site.meeting_title(m),
        "startDate": start_time(m),
        "eventStatus": "https://schema.org/EventScheduled",
        "url": site.base.absolute(site.meeting_path(m.key)),
        "organizer": [{"@type": "Organization", "name": site.config.clusters[b].full_name} for b in m.bodies]
        if m.joint_with
        else {"@type": "Organization", "name": cluster.full_name},
        "location": {
            "@type": "Place",
            "name": m.location or "Ikke oplyst",
            "address": m.location or site.region_of(m),
        },
        "inLanguage": "da",
    }
    if m.end_time:
        data["endDate"] = start_time(m, m.end_time)
    return data


def start_time(m: Meeting, clock: str | None = None) -> str:
    """ISO 8601 with the Danish offset of that day (CET/CEST), or the date alone without a time."""
    clock = m.time if clock is None else clock
    if not clock:
        return m.date.isoformat()
    hour, minute = (int(x) for x in clock.split(":"))
    moment = datetime.datetime(m.date.year, m.date.month, m.date.day, hour, minute, tzinfo=_DANISH_TIME)
    return moment.isoformat()


def _item_view(site: Site, m: Meeting, item: AgendaItem) -> ItemView:
    history = []
    for case in dict.fromkeys((*item.cases, *m.cases)):
        url = site.case_url(case)
        if url is None:
            continue
        refs = history_window(site, case, m.key, item.number)
        history.append(
            (
                case,
                tuple(
                    (item_link(site, r.meeting, r.number), (r.meeting, r.number) == (m.key, item.number))
                    for r in refs
                ),
            )
        )
    return ItemView(
        number=item.number,
        anchor=item.anchor,
        title=item.title,
        closed=item.closed,
        sections=item.sections,
        cases=tuple(Link(url, c) if (url := site.case_url(c)) else c for c in item.cases),
        documents=item.documents,
        topics=tuple(
            Link(site.topic_url(t.topic), site.config.topics[t.topic].name)
            for t in site.item_topics.get((m.key, item.number), [])
            if t.topic in site.config.topics
        ),
        history=tuple(history),
        summary=item.summary,
        slot=item.slot,
    )


def history_window(site: Site, case: str, key: Key, number: int) -> list[ItemRef]:
    """The steps of a case around this item: a case that runs through every meeting of a series would
    otherwise list hundreds of steps on every item (and tie every page of the series together)."""
    at = site.case_steps.get((case, key, number), 0)
    return site.cases[case][max(0, at - HISTORY_SPAN) : at + HISTORY_SPAN + 1]


class CaseSteps:
    """Each case's steps as (meeting, item number) pairs and as meetings, made once per build: every
    meeting page's shape takes windows of them. Item titles are left out: they are in the outline of
    each step's meeting, which is among the page's deps."""

    def __init__(self, site: Site):
        self.site = site
        self._steps: dict[str, tuple[tuple[tuple[Key, int], ...], tuple[Key, ...]]] = {}

    def window(self, case: str, key: Key, number: int) -> tuple[tuple[tuple[Key, int], ...], tuple[Key, ...]]:
        steps = self._steps.get(case)
        if steps is None:
            refs = self.site.cases[case]
            steps = self._steps[case] = (tuple(map(_STEP, refs)), tuple(r.meeting for r in refs))
        at = self.site.case_steps.get((case, key, number), 0)
        low, high = max(0, at - HISTORY_SPAN), at + HISTORY_SPAN + 1
        return steps[0][low:high], steps[1][low:high]


def meeting_shape(site: Site, m: Meeting, steps: CaseSteps | None = None) -> tuple[tuple, tuple[Key, ...]]:
    """What a meeting page shows besides the meeting itself, as plain data (for its fingerprint), and
    every other meeting whose content appears on it (whose digests go into the fingerprint too).

    Only tuples, strings, numbers and None: model records would pickle through Python code, a million
    calls at 10,000 meetings. What the outlines of the deps cover (the titles of linked items and
    meetings) is left out."""
    steps = steps or CaseSteps(site)
    key = m.key
    previous, following = site.neighbours.get(key, (None, None))
    backlinks = tuple(map(_STEP, site.backlinks.get(key, ())))
    related = tuple(site.related.get(key, ()))
    references = tuple(site.references.get(key, {}).items())
    deps = {key, *related}
    deps.update(b[0] for b in backlinks)
    deps.update(target for _, target in references)
    histories = []
    item_topics = []
    case_slugs = []  # a case's URL is its slug under the base path (which is in every fingerprint)
    for item in m.items:
        if item.cases or m.cases:
            for case in dict.fromkeys((*item.cases, *m.cases)):
                if site.case_slugs.get(case):
                    window, meetings = steps.window(case, key, item.number)
                    deps.update(meetings)
                    histories.append((item.number, case, window))
            case_slugs.extend((c, site.case_slugs.get(c)) for c in item.cases)
        item_topics.append(tuple(map(_TOPIC, site.item_topics.get((key, item.number), ()))))
    topics = (tuple(site.meeting_topics[key]), tuple(item_topics), tuple(case_slugs))
    if previous:
        deps.add(previous)
    if following:
        deps.add(following)
    joint = tuple((b, site.joint_neighbours.get((key, b))) for b in m.joint_with)
    for _, pair in joint:
        deps.update(k for k in pair or () if k)
    shape = (key, previous, following, backlinks, related, references, tuple(histories), topics, joint)
    return shape, tuple(sorted(deps))


# Records to plain tuples without a Python call per record
_STEP = attrgetter("meeting", "number")
_TOPIC = attrgetter("topic", "in_title", "mentions")


def meeting_pages(site: Site, store: Texts) -> list[Page]:
    """A page per published meeting, each with its meeting.json, from its full text in `store`."""
    cluster_names: dict[str, dict[str, str]] = {}
    for slug, cluster in site.config.clusters.items():
        for name in (cluster.full_name, *cluster.aliases):
            cluster_names.setdefault(slug, {})[name.lower()] = site.cluster_url(slug)
    other_clusters = {
        slug: {
            name: url
            for other, names in cluster_names.items()
            if other != slug
            for name, url in names.items()
        }
        for slug in cluster_names
    }
    mentions = cluster_mention_pattern(site)  # one pattern for every meeting's text
    root = root_link(site)
    crumbs_of = {
        slug: [
            root,
            crumb_link(site, urls.bodies(cluster.kind_info.root), cluster.kind_info.plural),
            Link(site.cluster_url(slug), cluster.name),
        ]
        for slug, cluster in site.config.clusters.items()
    }
    steps = CaseSteps(site)
    known: dict[Key, tuple[bytes, tuple[Key, ...]]] | None = site.cache.get(_SHAPES)
    shapes: dict[Key, tuple[bytes, tuple[Key, ...]]] = {}
    pages = []
    for m in site.meetings:

        def context(m: Meeting = m) -> dict[str, Any]:
            links = LinkContext(
                year=m.date.year,
                date_links={
                    day: site.meeting_url(target) for day, target in site.references.get(m.key, {}).items()
                },
                cluster_links=other_clusters.get(m.cluster, {}),
                cluster_pattern=mentions,
            )
            return {"meeting": meeting_view(site, store(m)), "links": links}

        path = site.meeting_path(m.key)
        entry = known.get(m.key) if known is not None else None
        if entry is None:  # the model's facts changed since the last build: the shape is made again
            shape, deps = meeting_shape(site, m, steps)
            entry = (page_shape_digest(urls.file_of(path), "meeting", shape), deps)
        digest, deps = shapes[m.key] = entry
        summary = "; ".join(i.title for i in m.items[:6])
        data = urls.meeting_data(path)
        page = make_page(
            urls.file_of(path),
            "meeting.html",
            "meeting",
            site.meeting_title(m),
            crumbs_of[m.cluster],
            (),
            deps,
            # meeting.json shows what the page shows: the build makes (and keeps) it with the page
            extra={"companion_paths": (data,), "own": m.key},
            description=f"Referat af mødet {long_date(m.date)}. Dagsorden: {summary}"[:300],
            shape_digest=digest,
        )(context)
        pages.append(page)
    if shapes != known:
        site.cache.put(_SHAPES, shapes)
    return pages


_SHAPES = "meeting-shapes"  # in the model cache: meeting key → (shape digest, deps)
