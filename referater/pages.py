"""Stage 3: every output page, with its URL, template and a small explicit context.

A page's context holds everything it shows and nothing else, so the hash of the context (with the
templates, config and engine version) decides whether the page must be rendered again.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from .dates import long_date, month_name
from .mdrender import LinkContext
from .model import AgendaItem, Meeting, Participant, Section
from .site import Key, Site
from .text import snippet
from .views import ItemLink, Link, MeetingLink, item_link, meeting_link

try:
    from zoneinfo import ZoneInfo

    _DANISH_TIME: datetime.tzinfo | None = ZoneInfo("Europe/Copenhagen")
except Exception:  # noqa: BLE001 - no tz database: fall back to local times without offset
    _DANISH_TIME = None


@dataclass(frozen=True)
class Page:
    path: str  # output path relative to the output root, e.g. "klynger/fyn/index.html"
    template: str
    context: dict[str, Any] = field(hash=False)
    kind: str = "page"


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


def _page(
    path: str, template: str, title: str, crumbs: list[Link], kind: str = "page", **context: Any
) -> Page:
    context.update(title=title, crumbs=tuple(crumbs), canonical=path.removesuffix("index.html"))
    return Page(path, template, context, kind)


def build_pages(site: Site) -> list[Page]:
    pages: list[Page] = []
    pages.append(_home(site))
    pages.extend(_clusters(site))
    pages.extend(_meetings(site))
    pages.extend(_forums(site))
    pages.extend(_topics(site))
    pages.extend(_cases(site))
    pages.extend(_archive(site))
    pages.append(_page("soeg/index.html", "search.html", "Søg i referaterne", [_root(site)], kind="search"))
    pages.append(_page("404.html", "404.html", "Siden findes ikke", [_root(site)], kind="404"))
    return pages


def _root(site: Site) -> Link:
    return Link(site.url(""), "Forside")


def _crumb(site: Site, path: str, label: str) -> Link:
    return Link(site.url(path), label)


def _home(site: Site) -> Page:
    return _page(
        "index.html",
        "home.html",
        site.config.title,
        [],
        kind="home",
        description=site.config.description,
        latest=tuple(meeting_link(site, m.key) for m in site.meetings[:12]),
        clusters=_cluster_links(site),
        topics=_topic_links(site),
        years=_year_links(site),
        total=len(site.meetings),
    )


def _cluster_links(site: Site) -> tuple[tuple[Link, int, str], ...]:
    return tuple(
        (Link(site.cluster_url(slug), c.name), len(site.by_cluster.get(slug, [])), c.region)
        for slug, c in sorted(site.config.clusters.items(), key=lambda kv: kv[1].name)
    )


def _topic_links(site: Site) -> tuple[tuple[Link, int], ...]:
    return tuple(
        (Link(site.topic_url(slug), t.name), len({e.meeting for e in site.topic_entries.get(slug, [])}))
        for slug, t in sorted(site.config.topics.items(), key=lambda kv: kv[1].name)
        if site.topic_entries.get(slug)
    )


def _year_links(site: Site) -> tuple[tuple[Link, int], ...]:
    return tuple(
        (Link(site.year_url(y), str(y)), len(ms)) for y, ms in sorted(site.by_year.items(), reverse=True)
    )


def _grouped_by_year(site: Site, meetings: list[Meeting]) -> tuple[tuple[int, tuple[MeetingLink, ...]], ...]:
    years: dict[int, list[MeetingLink]] = {}
    for m in meetings:  # newest first already
        years.setdefault(m.date.year, []).append(meeting_link(site, m.key))
    return tuple((y, tuple(links)) for y, links in years.items())


def _clusters(site: Site) -> list[Page]:
    crumbs = [_root(site)]
    pages = [
        _page(
            "klynger/index.html",
            "clusters.html",
            "Sundhedsklyngerne",
            crumbs,
            kind="index",
            clusters=_cluster_links(site),
        )
    ]
    crumbs = [_root(site), _crumb(site, "klynger/", "Klynger")]
    for slug, cluster in site.config.clusters.items():
        meetings = site.by_cluster.get(slug, [])
        forums = tuple(
            (Link(site.forum_url(f), forum.name), len(ms), _grouped_by_year(site, ms))
            for f, forum in site.config.forums.items()
            if (ms := [m for m in meetings if m.forum == f])
        )
        pages.append(
            _page(
                f"klynger/{slug}/index.html",
                "cluster.html",
                cluster.full_name,
                crumbs,
                kind="cluster",
                cluster=cluster,
                forums=forums,
                total=len(meetings),
                slug=slug,
                description=cluster.description or f"Referater fra {cluster.full_name}.",
            )
        )
    return pages


def _forums(site: Site) -> list[Page]:
    forum_links = tuple(
        (Link(site.forum_url(slug), f.name), len(site.by_forum.get(slug, [])))
        for slug, f in site.config.forums.items()
    )
    pages = [_page("fora/index.html", "forums.html", "Fora", [_root(site)], kind="index", forums=forum_links)]
    crumbs = [_root(site), _crumb(site, "fora/", "Fora")]
    for slug, forum in site.config.forums.items():
        meetings = site.by_forum.get(slug, [])
        pages.append(
            _page(
                f"fora/{slug}/index.html",
                "forum.html",
                forum.name,
                crumbs,
                kind="forum",
                forum=forum,
                years=_grouped_by_year(site, meetings),
                total=len(meetings),
                description=f"Referater fra møder på {forum.name.lower()} i alle sundhedsklynger.",
            )
        )
    return pages


def _topics(site: Site) -> list[Page]:
    pages = [
        _page(
            "emner/index.html",
            "topics.html",
            "Emner",
            [_root(site)],
            kind="index",
            topics=_topic_links(site),
            descriptions={s: t.description for s, t in site.config.topics.items()},
        )
    ]
    crumbs = [_root(site), _crumb(site, "emner/", "Emner")]
    for slug, topic in site.config.topics.items():
        entries = site.topic_entries.get(slug, [])
        links = tuple(item_link(site, e.meeting, e.item, e.main, with_snippet=True) for e in entries)
        pages.append(
            _page(
                f"emner/{slug}/index.html",
                "topic.html",
                topic.name,
                crumbs,
                kind="topic",
                topic=topic,
                main=tuple(link for link in links if link.main),
                mentioned=tuple(link for link in links if not link.main),
                meetings=len({e.meeting for e in entries}),
                description=topic.description or f"Dagsordenspunkter om {topic.name.lower()}.",
            )
        )
    return pages


def _cases(site: Site) -> list[Page]:
    listed = tuple(
        (Link(site.url(f"sager/{slug}/"), case), len({r.meeting for r in site.cases[case]}))
        for case, slug in site.case_slugs.items()
    )
    pages = [_page("sager/index.html", "cases.html", "Sager", [_root(site)], kind="index", cases=listed)]
    crumbs = [_root(site), _crumb(site, "sager/", "Sager")]
    for case, slug in site.case_slugs.items():
        refs = site.cases[case]
        items = tuple(item_link(site, r.meeting, r.number, with_snippet=True) for r in refs)
        pages.append(
            _page(
                f"sager/{slug}/index.html",
                "case.html",
                f"Sag {case}",
                crumbs,
                kind="case",
                case=case,
                items=tuple(reversed(items)),
                meetings=len({r.meeting for r in refs}),
                description=f"Sagens forløb for sag {case}: alle møder, der har behandlet sagen.",
            )
        )
    return pages


def _archive(site: Site) -> list[Page]:
    years = tuple(
        (
            Link(site.year_url(y), str(y)),
            len(ms),
            tuple(
                (Link(site.month_url(y, mo), month_name(mo)), len(site.by_month[(y, mo)]))
                for mo in sorted({m.date.month for m in ms}, reverse=True)
            ),
        )
        for y, ms in sorted(site.by_year.items(), reverse=True)
    )
    pages = [_page("arkiv/index.html", "archive.html", "Arkiv", [_root(site)], kind="index", years=years)]
    for year, meetings in site.by_year.items():
        months = tuple(
            (
                Link(site.month_url(year, mo), f"{month_name(mo).capitalize()} {year}"),
                tuple(meeting_link(site, m.key) for m in meetings if m.date.month == mo),
            )
            for mo in sorted({m.date.month for m in meetings}, reverse=True)
        )
        pages.append(
            _page(
                f"{year}/index.html",
                "year.html",
                f"Møder i {year}",
                [_root(site), _crumb(site, "arkiv/", "Arkiv")],
                kind="year",
                year=year,
                months=months,
                total=len(meetings),
                description=f"Alle referater fra sundhedsklyngernes møder i {year}.",
            )
        )
    for (year, month), meetings in site.by_month.items():
        label = f"{month_name(month).capitalize()} {year}"
        crumbs = [_root(site), _crumb(site, "arkiv/", "Arkiv"), _crumb(site, f"{year}/", str(year))]
        pages.append(
            _page(
                f"{year}/{month:02d}/index.html",
                "month.html",
                f"Møder i {label.lower()}",
                crumbs,
                kind="month",
                label=label,
                meetings=tuple(meeting_link(site, m.key) for m in meetings),
                description=f"Referater fra sundhedsklyngernes møder i {label.lower()}.",
            )
        )
    return pages


def _meetings(site: Site) -> list[Page]:
    cluster_names: dict[str, dict[str, str]] = {}
    for slug, cluster in site.config.clusters.items():
        for name in (cluster.full_name, *cluster.aliases):
            cluster_names.setdefault(slug, {})[name.lower()] = site.cluster_url(slug)
    pages = []
    for m in site.meetings:
        cluster = site.config.clusters[m.cluster]
        crumbs = [
            _root(site),
            _crumb(site, "klynger/", "Klynger"),
            Link(site.cluster_url(m.cluster), cluster.name),
        ]
        view = meeting_view(site, m)
        other_clusters = {
            name: url
            for slug, names in cluster_names.items()
            if slug != m.cluster
            for name, url in names.items()
        }
        links = LinkContext(
            year=m.date.year,
            date_links={
                day: site.meeting_url(target) for day, target in site.references.get(m.key, {}).items()
            },
            cluster_links=other_clusters,
        )
        summary = "; ".join(i.title for i in m.items[:6])
        pages.append(
            _page(
                f"klynger/{m.cluster}/{m.slug}/index.html",
                "meeting.html",
                view.title,
                crumbs,
                kind="meeting",
                meeting=view,
                links=links,
                description=f"Referat af mødet {long_date(m.date)}. Dagsorden: {summary}"[:300],
            )
        )
    return pages


def meeting_view(site: Site, m: Meeting) -> MeetingView:
    previous, following = site.neighbours.get(m.key, (None, None))
    return MeetingView(
        key=m.key,
        title=site.meeting_title(m),
        cluster=Link(site.cluster_url(m.cluster), site.config.clusters[m.cluster].full_name),
        forum=Link(site.forum_url(m.forum), site.config.forums[m.forum].name),
        region=site.config.clusters[m.cluster].region,
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
    )


def _json_ld(site: Site, m: Meeting) -> dict[str, Any]:
    cluster = site.config.clusters[m.cluster]
    data: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "Event",
        "name": site.meeting_title(m),
        "startDate": start_time(m),
        "eventStatus": "https://schema.org/EventScheduled",
        "url": site.config.base_url + f"klynger/{m.cluster}/{m.slug}/",
        "organizer": {"@type": "Organization", "name": cluster.full_name},
        "location": {
            "@type": "Place",
            "name": m.location or "Ikke oplyst",
            "address": m.location or cluster.region,
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
        refs = site.cases[case]
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
        summary=decision_snippet(item),
    )


def decision_snippet(item: AgendaItem, limit: int = 160) -> str:
    decision = item.decision
    return snippet(decision.markdown, limit) if decision else ""
