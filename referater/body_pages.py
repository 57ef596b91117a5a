"""The pages of the bodies: an index per kind (/klynger/, /sundhedsraad/) and a page per body with its
lifetime, members, region history, predecessors and successors, and its meetings by forum and year.

What is current and what is archive follows the newest meeting in the content, never the clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from . import urls
from .bodies import KINDS, Body, lineage
from .dates import short_date
from .model import Meeting
from .page import Page, crumb_link, make_page, root_link
from .site import Site
from .views import Link, MeetingLink, meeting_link

_STATUS = {"current": "", "upcoming": "kommende", "archive": "arkiv"}


@dataclass(frozen=True)
class BodyLink:
    """A body as lists show it."""

    url: str
    label: str
    count: int
    region: str
    status: str  # "", "kommende" or "arkiv"


def body_link(site: Site, slug: str) -> BodyLink:
    body = site.config.clusters[slug]
    day = site.content_date
    region = body.region_on(day) if day and body.alive_on(day) else _last_region(body)
    return BodyLink(
        site.cluster_url(slug),
        body.full_name,
        len(site.by_cluster.get(slug, [])),
        region,
        _STATUS[site.body_status(slug)],
    )


def _last_region(body: Body) -> str:
    return body.regions[-1].name if body.regions else body.region


def body_groups(site: Site) -> tuple[tuple[str, str, tuple[BodyLink, ...]], ...]:
    """Per kind, current kinds first: (heading, index URL, bodies); in a kind, current bodies before
    upcoming ones before the archive, then by name."""
    order = {"": 0, "kommende": 1, "arkiv": 2}
    groups = []
    for kind in site.kinds_in_order():
        links = sorted(
            (body_link(site, slug) for slug in site.config.of_kind(kind)),
            key=lambda b: (order[b.status], b.label),
        )
        heading = KINDS[kind].plural + (" (arkiv)" if site.kind_is_archive(kind) else "")
        groups.append((heading, site.url(urls.bodies(KINDS[kind].root)), tuple(links)))
    return tuple(groups)


def body_shape(site: Site) -> tuple:
    """What the lists of bodies show beyond the config: counts and what is current."""
    return tuple(
        (slug, len(site.by_cluster.get(slug, [])), site.body_status(slug)) for slug in site.config.clusters
    )


def _lifetime(body: Body) -> str:
    if body.start and body.until:
        return f"{short_date(body.start)} – {short_date(body.until)}"
    if body.start:
        return f"fra {short_date(body.start)}"
    if body.until:
        return f"til {short_date(body.until)}"
    return ""


def _names(links: list[Link]) -> str:
    labels = [link.label for link in links]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " og " + labels[-1]


def _continuation(site: Site, body: Body) -> str:
    """'Sundhedsklyngens arbejde videreføres fra 1. januar 2027 i' (the successor links follow)."""
    first = [site.config.clusters[s] for s in body.successors]
    start = (
        body.until + dt.timedelta(days=1)
        if body.until
        else min((b.start for b in first if b.start), default=None)
    )
    when = f" fra {short_date(start)}" if start else ""
    return f"{body.kind_info.genitive} arbejde videreføres{when} i"


def _forums(site: Site, meetings: list[Meeting]) -> tuple:
    forums = []
    for f, forum in site.config.forums.items():
        ms = [m for m in meetings if m.forum == f]
        if not ms:
            continue
        years: dict[int, list[MeetingLink]] = {}
        for m in ms:  # newest first already
            years.setdefault(m.date.year, []).append(meeting_link(site, m.key))
        grouped = tuple((y, tuple(links)) for y, links in years.items())
        forums.append((Link(site.forum_url(f), forum.name), len(ms), grouped))
    return tuple(forums)


def body_pages(site: Site) -> list[Page]:
    pages = []
    shape = body_shape(site)
    for kind in site.config.kinds:
        info = KINDS[kind]
        title = "Sundhedsklyngerne" if kind == "sundhedsklynge" else info.plural
        pages.append(
            make_page(
                urls.file_of(urls.bodies(info.root)),
                "clusters.html",
                "index",
                title,
                [root_link(site)],
                shape,
            )(
                lambda kind=kind: {
                    "groups": tuple(
                        g for g in body_groups(site) if g[1] == site.url(urls.bodies(KINDS[kind].root))
                    ),
                    "kind": kind,
                }
            )
        )
    for slug, body in site.config.clusters.items():
        pages.append(_body_page(site, slug, body))
    return pages


def _body_page(site: Site, slug: str, body: Body) -> Page:
    info = body.kind_info
    meetings = site.by_cluster.get(slug, [])
    earlier = lineage(site.config.clusters, slug)[1:]
    links = {
        s: Link(site.cluster_url(s), site.config.clusters[s].full_name) for s in (*earlier, *body.successors)
    }
    archives = tuple(
        (links[s], len(site.by_cluster.get(s, [])), _lifetime(site.config.clusters[s])) for s in earlier
    )
    shape = (
        slug,
        site.body_status(slug),
        tuple((s, len(site.by_cluster.get(s, []))) for s in earlier),
        tuple(m.key for m in meetings),
    )
    crumbs = [root_link(site), crumb_link(site, urls.bodies(info.root), info.plural)]
    successors = [links[s] for s in body.successors]

    def context() -> dict[str, Any]:
        return {
            "forums": _forums(site, meetings),
            "predecessors": tuple(links[s] for s in body.predecessors),
            "archives": archives,
            "successors": tuple(successors),
            "continuation": _continuation(site, body) if successors else "",
            "regions": tuple(
                (span.name, _lifetime(Body(slug, "", start=span.start, until=span.until)))
                for span in body.regions
            ),
        }

    return make_page(
        urls.file_of(site.body_path(slug)),
        "cluster.html",
        "cluster",
        body.full_name,
        crumbs,
        shape,
        tuple(m.key for m in meetings),
        cluster=body,
        body_kind=info,
        lifetime=_lifetime(body),
        status=_STATUS[site.body_status(slug)],
        total=len(meetings),
        slug=slug,
        feed_url=site.url(site.body_feed_path(slug)),
        calendar_url=site.url(site.calendar_path(slug)),
        description=body.description or f"Referater fra {body.full_name}.",
    )(context)
