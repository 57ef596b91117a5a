"""Open data: /data/meetings.json and a meeting.json beside each meeting page (leaf).

The shape is described by docs/meetings.schema.json (JSON Schema 2020-12) and docs/open-data.md. The
output is deterministic: keys sorted, meetings newest first as on the site, no build timestamps.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import orjson

from . import urls
from .bodies import Body
from .model import AgendaItem, Meeting, Participant
from .site import Site

SCHEMA_VERSION = 1


def meeting_json(site: Site, m: Meeting) -> bytes:
    """The meeting.json beside a meeting page; also one element of /data/meetings.json."""
    return _dump(meeting_data(site, m))


def site_json_frame(site: Site) -> tuple[bytes, bytes]:
    """/data/meetings.json around its meetings: the site's facts up to the meetings' "[", and from their
    "]" on. The meetings are every meeting.json, newest first, joined by commas (sitejson.py)."""
    marker = "\u0000meetings\u0000"
    head = json.dumps(all_data(site, marker), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    before, after = head.split(json.dumps(marker))
    return before.encode("utf-8") + b"[", b"]" + after.encode("utf-8") + b"\n"


def _dump(data: Any) -> bytes:
    """The bytes json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) gives, and a
    newline (tests/test_opendata.py compares them), six times as fast: one for each meeting of a build."""
    return orjson.dumps(data, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE)


def all_data(site: Site, meetings: Any) -> dict[str, Any]:
    config, absolute = site.config, site.base.absolute
    return {
        "schema_version": SCHEMA_VERSION,
        "site": {"title": config.title, "url": config.base_url, "language": config.language},
        "clusters": [
            {
                "slug": slug,
                "name": c.full_name,
                "region": c.region,
                "url": absolute(site.cluster_url(slug)),
                "feed": absolute(site.body_feed_path(slug)),
                "calendar": absolute(site.calendar_path(slug)),
            }
            for slug, c in config.of_kind("sundhedsklynge").items()
        ],
        "bodies": [_body(site, slug, b) for slug, b in config.clusters.items()],
        "forums": [
            {"slug": slug, "name": f.name, "url": absolute(site.forum_url(slug))}
            for slug, f in config.forums.items()
        ],
        "topics": [
            {
                "slug": slug,
                "name": t.name,
                "url": absolute(site.topic_url(slug)),
                "feed": absolute(urls.topic_feed(slug)),
            }
            for slug, t in config.topics.items()
        ],
        "meetings": meetings,
    }


def _day(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _body(site: Site, slug: str, body: Body) -> dict[str, Any]:
    """A body over time: kind, lifetime, members, region history, successors and predecessors."""
    absolute = site.base.absolute
    return {
        "slug": slug,
        "kind": body.kind,
        "name": body.full_name,
        "short_name": body.name,
        "from": _day(body.start),
        "until": _day(body.until),
        "municipalities": list(body.municipalities),
        "hospital": body.hospital or None,
        "regions": [{"name": r.name, "from": _day(r.start), "until": _day(r.until)} for r in body.regions],
        "successors": list(body.successors),
        "predecessors": list(body.predecessors),
        "meetings": len(site.by_cluster.get(slug, [])),
        "url": absolute(site.cluster_url(slug)),
        "feed": absolute(site.body_feed_path(slug)),
        "calendar": absolute(site.calendar_path(slug)),
    }


def _person(p: Participant) -> dict[str, Any]:
    return {"name": p.name, "organisation": p.org, "role": p.role, "absent": p.absent}


def _item(site: Site, m: Meeting, item: AgendaItem) -> dict[str, Any]:
    sections = [{"heading": s.heading, "markdown": s.markdown, "text": s.text} for s in item.sections]
    # The decision is one of the sections (AgendaItem.decision): its plain text is made once, not twice.
    decision = next(
        (section for s, section in zip(item.sections, sections, strict=True) if s.is_decision), None
    )
    topics = site.item_topics.get((m.key, item.number), [])
    case_pages = {c: site.case_url(c) for c in item.cases}
    return {
        "number": item.number,
        "title": item.title,
        "anchor": item.anchor,
        "url": site.base.absolute(site.item_url(m.key, item.number)),
        "closed": item.closed,
        "cases": [
            {"number": c, "url": site.base.absolute(url) if url else None} for c, url in case_pages.items()
        ],
        "documents": list(item.documents),
        "topics": [{"slug": t.topic, "main": t.in_title} for t in topics if t.topic in site.config.topics],
        "decision": {"markdown": decision["markdown"], "text": decision["text"]} if decision else None,
        "sections": sections,
    }


def meeting_data(site: Site, m: Meeting) -> dict[str, Any]:
    """`m` in full, from the content store (the model's meetings are light)."""
    url = site.base.absolute(site.meeting_url(m.key))
    cluster, forum = site.config.clusters[m.cluster], site.config.forums[m.forum]
    return {
        "id": f"{m.cluster}/{m.slug}",
        "title": site.meeting_title(m),
        "cluster": {"slug": m.cluster, "name": cluster.full_name},
        "bodies": [
            {"slug": b, "name": site.config.clusters[b].full_name, "kind": site.config.clusters[b].kind}
            for b in m.bodies
        ],
        "region": site.region_of(m) or None,
        "forum": {"slug": m.forum, "name": forum.name},
        "date": m.date.isoformat(),
        "time": m.time or None,
        "end_time": m.end_time or None,
        "location": m.location or None,
        "participants": [_person(p) for p in m.participants],
        "secretariat": [_person(p) for p in m.secretariat],
        "topics": list(site.meeting_topics.get(m.key, [])),
        "cases": sorted({c for item in m.items for c in item.cases} | set(m.cases)),
        "source": m.source or None,
        "links": {
            "html": url,
            "json": urls.meeting_data(url),
            "calendar": site.base.absolute(site.calendar_path(m.cluster)),
        },
        "items": [_item(site, m, item) for item in m.items],
    }
