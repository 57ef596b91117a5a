"""Search records from the site model: one per published agenda item, from the text its page shows.

A record holds the item's title and the plain text of its published sections (Section.text, made from
the same sanitised tree as the page, open data and the snippets), never the attachments list (document
numbers) nor topic tags. The model has already cut closed items down to their title and public decision
and left drafts out of `site.meetings`, so nothing here can add what the page does not show.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..dates import short_date
from ..loader import Texts
from ..model import Meeting
from ..site import Site


def meeting_id(site: Site, m: Meeting) -> str:
    """A meeting's identity in the index: its page URL, as the browser masks it."""
    return site.meeting_url(m.key)


def item_records(site: Site, m: Meeting, store: Texts, delta: bool = False) -> Iterator[dict[str, Any]]:
    config = site.config
    full = store(m)
    cluster, forum = config.clusters[m.cluster].full_name, config.forums[m.forum].name
    year, date = str(m.date.year), short_date(m.date)
    bodies = [cluster] + [config.clusters[b].full_name for b in m.joint_with if b in config.clusters]
    areas = [config.clusters[b].full_name for b in site.areas_of(m)]
    for item in full.items:
        body = " ".join(s.text for s in item.sections if not s.is_attachments and s.text)
        topics = [
            config.topics[t.topic].name
            for t in site.item_topics.get((m.key, item.number), ())
            if t.topic in config.topics
        ]
        meta = {
            "title": f"Punkt {item.number}: {item.title}",
            "item": item.title,
            "meeting": meeting_id(site, m),
            "anchor": item.anchor,
            "body": cluster,
            "forum": forum,
            "date": date,
        }
        if delta:
            meta["delta"] = "1"
        filters = {"Klynge": bodies, "Forum": [forum], "År": [year]}
        if areas:
            filters["Område"] = (
                areas  # the bodies that carry this area's work today: one filter across the reform
            )
        if topics:
            filters["Emne"] = topics
        yield {
            "url": site.item_url(m.key, item.number),
            # The title first, as on the page: a word only in the title must find the item too.
            "content": f"{item.title}. {body}" if body else item.title,
            "meta": meta,
            "filters": filters,
            "sort": {"date": m.date.isoformat()},
        }
