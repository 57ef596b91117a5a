"""Stage 3: every output page: its URL, its template, what it depends on, and how to make its context.

This list is the dependency graph. A page's fingerprint is its `shape` (the site model's facts it shows,
as plain data) plus the digests of the meetings in `deps`; only a page whose fingerprint changed is
rendered again, and only then is its context (small, explicit views) built.
"""

from __future__ import annotations

import functools
import hashlib
import io
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .dates import long_date, month_name
from .mdrender import LinkContext
from .meeting_page import CaseSteps, meeting_shape, meeting_view
from .model import Meeting
from .opendata import meeting_json
from .site import Key, Site, cluster_mention_pattern, collector_paused
from .views import Link, MeetingLink, item_link, meeting_link


@dataclass(frozen=True)
class Page:
    path: str  # output path relative to the output root, e.g. "klynger/fyn/index.html"
    template: str
    kind: str
    make: Callable[[], dict[str, Any]] = field(compare=False, repr=False)
    shape: bytes = b""  # digest of the model's facts the page shows (kept small: 11,000 pages)
    deps: tuple[Key, ...] = ()
    companions: Callable[[], list[tuple[str, bytes]]] | None = field(default=None, compare=False, repr=False)
    companion_paths: tuple[str, ...] = ()
    own: Key | None = None  # a meeting page's meeting: the only one whose full content it shows

    def context(self) -> dict[str, Any]:
        return self.make()


def _page(
    path: str,
    template: str,
    kind: str,
    title: str,
    crumbs: list[Link],
    shape: Any = (),
    deps: tuple[Key, ...] = (),
    *,
    extra: dict[str, Any] | None = None,
    **fixed: Any,
) -> Callable[[Callable[[], dict[str, Any]]], Page]:
    """Decorator-style helper: the wrapped function computes the rest of the context, lazily."""

    def wrap(build: Callable[[], dict[str, Any]] = dict) -> Page:
        def make() -> dict[str, Any]:
            context = build()
            context.update(
                fixed, title=title, crumbs=tuple(crumbs), canonical=path.removesuffix("index.html")
            )
            return context

        digest = hashlib.blake2b(canonical_bytes((path, kind, shape)), digest_size=16).digest()
        return Page(path, template, kind, make, digest, deps, **(extra or {}))

    return wrap


def canonical_bytes(value: Any) -> bytes:
    """The value pickled without the memo: equal values give equal bytes however their objects are
    shared (with the memo, a second occurrence of one object is written as a back-reference, so a shape
    read from the cache and a freshly parsed one would differ, and pages would render again for nothing)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


@collector_paused()
def build_pages(site: Site) -> list[Page]:
    summaries = _summaries(site)
    pages: list[Page] = [_home(site)]
    pages.extend(_clusters(site))
    pages.extend(_meetings(site))
    pages.extend(_forums(site))
    pages.extend(_topics(site, summaries))
    pages.extend(_cases(site, summaries))
    pages.extend(_archive(site))
    pages.append(
        _page(
            "soeg/index.html",
            "search.html",
            "search",
            "Søg i referaterne",
            [_root(site)],
            description="Søg i alle sundhedsklyngernes dagsordenspunkter og beslutninger.",
        )()
    )
    pages.append(_page("404.html", "404.html", "404", "Siden findes ikke", [_root(site)])())
    return pages


def _root(site: Site) -> Link:
    return Link(site.url(""), "Forside")


def _crumb(site: Site, path: str, label: str) -> Link:
    return Link(site.url(path), label)


def _summaries(site: Site) -> dict[tuple[Key, int], str]:
    """The decision snippet that topic and case pages show beside an item, by (meeting, item number)."""
    return {(m.key, i.number): i.summary for m in site.meetings for i in m.items}


def _keys(meetings: list[Meeting]) -> tuple[Key, ...]:
    return tuple(m.key for m in meetings)


def _home(site: Site) -> Page:
    latest = site.meetings[:12]
    counts = (_cluster_counts(site), _topic_counts(site), _year_counts(site), len(site.meetings))
    return _page(
        "index.html",
        "home.html",
        "home",
        site.config.title,
        [],
        ("home", counts),
        _keys(latest),
        description=site.config.description,
    )(
        lambda: {
            "latest": tuple(meeting_link(site, m.key) for m in latest),
            "clusters": _cluster_links(site),
            "topics": _topic_links(site),
            "years": _year_links(site),
            "total": len(site.meetings),
        }
    )


def _cluster_counts(site: Site) -> tuple:
    return tuple((slug, len(site.by_cluster.get(slug, []))) for slug in site.config.clusters)


def _topic_counts(site: Site) -> tuple:
    return tuple((slug, site.topic_meetings.get(slug, 0)) for slug in site.config.topics)


def _year_counts(site: Site) -> tuple:
    return tuple((year, len(ms)) for year, ms in sorted(site.by_year.items()))


def _cluster_links(site: Site) -> tuple[tuple[Link, int, str], ...]:
    return tuple(
        (Link(site.cluster_url(slug), c.name), len(site.by_cluster.get(slug, [])), c.region)
        for slug, c in sorted(site.config.clusters.items(), key=lambda kv: kv[1].name)
    )


def _topic_links(site: Site) -> tuple[tuple[Link, int], ...]:
    return tuple(
        (Link(site.topic_url(slug), t.name), site.topic_meetings.get(slug, 0))
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
    pages = [
        _page(
            "klynger/index.html",
            "clusters.html",
            "index",
            "Sundhedsklyngerne",
            [_root(site)],
            _cluster_counts(site),
        )(lambda: {"clusters": _cluster_links(site)})
    ]
    crumbs = [_root(site), _crumb(site, "klynger/", "Klynger")]
    for slug, cluster in site.config.clusters.items():
        meetings = site.by_cluster.get(slug, [])

        def context(meetings: list[Meeting] = meetings) -> dict[str, Any]:
            forums = tuple(
                (Link(site.forum_url(f), forum.name), len(ms), _grouped_by_year(site, ms))
                for f, forum in site.config.forums.items()
                if (ms := [m for m in meetings if m.forum == f])
            )
            return {"forums": forums}

        pages.append(
            _page(
                f"klynger/{slug}/index.html",
                "cluster.html",
                "cluster",
                cluster.full_name,
                crumbs,
                slug,
                _keys(meetings),
                cluster=cluster,
                total=len(meetings),
                slug=slug,
                description=cluster.description or f"Referater fra {cluster.full_name}.",
            )(context)
        )
    return pages


def _forums(site: Site) -> list[Page]:
    counts = tuple((slug, len(site.by_forum.get(slug, []))) for slug in site.config.forums)
    pages = [
        _page("fora/index.html", "forums.html", "index", "Fora", [_root(site)], counts)(
            lambda: {
                "forums": tuple(
                    (Link(site.forum_url(slug), f.name), len(site.by_forum.get(slug, [])))
                    for slug, f in site.config.forums.items()
                )
            }
        )
    ]
    crumbs = [_root(site), _crumb(site, "fora/", "Fora")]
    for slug, forum in site.config.forums.items():
        meetings = site.by_forum.get(slug, [])
        pages.append(
            _page(
                f"fora/{slug}/index.html",
                "forum.html",
                "forum",
                forum.name,
                crumbs,
                slug,
                _keys(meetings),
                forum=forum,
                total=len(meetings),
                description=f"Referater fra møder på {forum.name.lower()} i alle sundhedsklynger.",
            )(lambda meetings=meetings: {"years": _grouped_by_year(site, meetings)})
        )
    return pages


def _topics(site: Site, summaries: dict[tuple[Key, int], str]) -> list[Page]:
    pages = [
        _page("emner/index.html", "topics.html", "index", "Emner", [_root(site)], _topic_counts(site))(
            lambda: {
                "topics": _topic_links(site),
                "descriptions": {s: t.description for s, t in site.config.topics.items()},
            }
        )
    ]
    crumbs = [_root(site), _crumb(site, "emner/", "Emner")]
    for slug, topic in site.config.topics.items():
        entries = site.topic_entries.get(slug, [])
        chunks = [entries[i : i + TOPIC_PAGE_SIZE] for i in range(0, len(entries), TOPIC_PAGE_SIZE)] or [[]]
        urls = [site.topic_url(slug) + (f"side/{n}/" if n > 1 else "") for n in range(1, len(chunks) + 1)]
        totals = (sum(1 for e in entries if e.main), sum(1 for e in entries if not e.main))
        meetings = site.topic_meetings.get(slug, 0)
        numbered = tuple(Link(url, str(n)) for n, url in enumerate(urls, start=1))
        for number, chunk in enumerate(chunks, start=1):

            def context(chunk: list = chunk) -> dict[str, Any]:
                links = tuple(item_link(site, e.meeting, e.item, e.main, with_snippet=True) for e in chunk)
                return {
                    "main": tuple(link for link in links if link.main),
                    "mentioned": tuple(link for link in links if not link.main),
                }

            shape = (
                number,
                len(chunks),
                totals,
                tuple((e.meeting, e.item, e.main, summaries.get((e.meeting, e.item), "")) for e in chunk),
            )
            path = f"emner/{slug}/" + (f"side/{number}/" if number > 1 else "") + "index.html"
            title = topic.name if number == 1 else f"{topic.name}, side {number} af {len(chunks)}"
            pages.append(
                _page(
                    path,
                    "topic.html",
                    "topic",
                    title,
                    crumbs,
                    shape,
                    tuple(dict.fromkeys(e.meeting for e in chunk)),
                    topic=topic,
                    meetings=meetings,
                    totals=totals,
                    pager=_pager(numbered, number),
                    description=topic.description or f"Dagsordenspunkter om {topic.name.lower()}.",
                )(context)
            )
    return pages


TOPIC_PAGE_SIZE = 50  # items per topic page: at 10,000 meetings a topic has thousands


def _pager(pages: tuple[Link, ...], number: int) -> dict[str, Any] | None:
    """Links between the pages of a long list: previous, next, and every page by number."""
    if len(pages) < 2:
        return None
    return {
        "current": number,
        "pages": pages,
        "previous": pages[number - 2].url if number > 1 else None,
        "next": pages[number].url if number < len(pages) else None,
    }


def _cases(site: Site, summaries: dict[tuple[Key, int], str]) -> list[Page]:
    listed = tuple(
        (Link(site.url(f"sager/{slug}/"), case), len({r.meeting for r in site.cases[case]}))
        for case, slug in site.case_slugs.items()
    )
    pages = [_page("sager/index.html", "cases.html", "index", "Sager", [_root(site)], listed, cases=listed)()]
    crumbs = [_root(site), _crumb(site, "sager/", "Sager")]
    for case, slug in site.case_slugs.items():
        refs = site.cases[case]
        shape = tuple((r.meeting, r.number, summaries.get((r.meeting, r.number), "")) for r in refs)
        pages.append(
            _page(
                f"sager/{slug}/index.html",
                "case.html",
                "case",
                f"Sag {case}",
                crumbs,
                shape,
                tuple(dict.fromkeys(r.meeting for r in refs)),
                case=case,
                meetings=len({r.meeting for r in refs}),
                description=f"Sagens forløb for sag {case}: alle møder, der har behandlet sagen.",
            )(
                lambda refs=refs: {
                    "items": tuple(
                        item_link(site, r.meeting, r.number, with_snippet=True) for r in reversed(refs)
                    )
                }
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
    pages = [_page("arkiv/index.html", "archive.html", "index", "Arkiv", [_root(site)], years, years=years)()]
    for year, meetings in site.by_year.items():

        def months(year: int = year, meetings: list[Meeting] = meetings) -> dict[str, Any]:
            return {
                "months": tuple(
                    (
                        Link(site.month_url(year, mo), f"{month_name(mo).capitalize()} {year}"),
                        tuple(meeting_link(site, m.key) for m in meetings if m.date.month == mo),
                    )
                    for mo in sorted({m.date.month for m in meetings}, reverse=True)
                )
            }

        pages.append(
            _page(
                f"{year}/index.html",
                "year.html",
                "year",
                f"Møder i {year}",
                [_root(site), _crumb(site, "arkiv/", "Arkiv")],
                year,
                _keys(meetings),
                year=year,
                total=len(meetings),
                description=f"Alle referater fra sundhedsklyngernes møder i {year}.",
            )(months)
        )
    for (year, month), meetings in site.by_month.items():
        label = f"{month_name(month).capitalize()} {year}"
        crumbs = [_root(site), _crumb(site, "arkiv/", "Arkiv"), _crumb(site, f"{year}/", str(year))]
        pages.append(
            _page(
                f"{year}/{month:02d}/index.html",
                "month.html",
                "month",
                f"Møder i {label.lower()}",
                crumbs,
                (year, month),
                _keys(meetings),
                label=label,
                description=f"Referater fra sundhedsklyngernes møder i {label.lower()}.",
            )(lambda meetings=meetings: {"meetings": tuple(meeting_link(site, m.key) for m in meetings)})
        )
    return pages


def _meetings(site: Site) -> list[Page]:
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
    root, clusters = _root(site), _crumb(site, "klynger/", "Klynger")
    crumbs_of = {
        slug: [root, clusters, Link(site.cluster_url(slug), cluster.name)]
        for slug, cluster in site.config.clusters.items()
    }
    steps = CaseSteps(site)
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
            return {"meeting": meeting_view(site, m), "links": links}

        shape, deps = meeting_shape(site, m, steps)
        summary = "; ".join(i.title for i in m.items[:6])
        data = f"klynger/{m.cluster}/{m.slug}/meeting.json"
        page = _page(
            f"klynger/{m.cluster}/{m.slug}/index.html",
            "meeting.html",
            "meeting",
            site.meeting_title(m),
            crumbs_of[m.cluster],
            shape,
            deps,
            # meeting.json shows what the page shows: made (and kept) with it, from the same full meeting
            extra={
                "companions": functools.partial(_meeting_data, site, m, data),
                "companion_paths": (data,),
                "own": m.key,
            },
            description=f"Referat af mødet {long_date(m.date)}. Dagsorden: {summary}"[:300],
        )(context)
        pages.append(page)
    return pages


def _meeting_data(site: Site, m: Meeting, rel: str) -> list[tuple[str, bytes]]:
    return [(rel, meeting_json(site, m))]
