"""Search records from the site model: one small HTML page per meeting, an `<h2 id="punkt-N">` per
published agenda item with the text its page shows below it.

Pagefind splits a page into sub-results on headings with ids, so a meeting is one record (one fragment,
one entry in the index) whose items the browser still finds, links and excerpts one by one
(static/search.js, from the record's `anchors`). The item text is the plain text of its published
sections (Section.text, made from the same sanitised tree as the page, open data and the snippets),
never the attachments list (document numbers) nor topic tags. The model has already cut closed items
down to their title and public decision and left drafts out of `site.meetings`, so nothing here can add
what the page does not show.
"""

from __future__ import annotations

import json
from html import escape

from ..dates import short_date
from ..loader import Texts
from ..model import Meeting
from ..site import Site


def meeting_id(site: Site, m: Meeting) -> str:
    """A meeting's identity in the index: its page URL, as the browser masks it."""
    return site.meeting_url(m.key)


def _head(name: str, kind: str, value: str) -> str:
    """A meta or filter value as an attribute in the head: nothing there is indexed as text."""
    return f'<meta data-pagefind-{kind}="{escape(name)}[content]" content="{escape(value)}">'


def meeting_page(site: Site, m: Meeting, store: Texts, level: str | None = None) -> tuple[str, str]:
    """The meeting's record for Pagefind: its URL and the HTML it is indexed from. A record of a level
    above the base names it (levels.py), for the browser's mask; a base record names none."""
    config = site.config
    full = store(m)
    cluster, forum = config.clusters[m.cluster].full_name, config.forums[m.forum].name
    bodies = [cluster] + [config.clusters[b].full_name for b in m.joint_with if b in config.clusters]
    url = meeting_id(site, m)
    head = [
        _head("title", "meta", f"{cluster} · {forum} · {short_date(m.date)}"),
        _head("meeting", "meta", url),
        _head("body", "meta", cluster),
        _head("forum", "meta", forum),
        _head("date", "meta", short_date(m.date)),
        _head("date", "sort", m.date.isoformat()),
        _head("Forum", "filter", forum),
        _head("År", "filter", str(m.date.year)),
    ]
    if level:
        head.append(_head("level", "meta", level))
    head += [_head("Klynge", "filter", body) for body in bodies]
    # The bodies that carry this area's work today: one filter across the reform.
    head += [_head("Område", "filter", config.clusters[b].full_name) for b in site.areas_of(m)]
    body: list[str] = []
    topics: dict[str, list[str]] = {}  # item anchor → its topics, for the Emne filter per item
    for item in full.items:
        names = [
            config.topics[t.topic].name
            for t in site.item_topics.get((m.key, item.number), ())
            if t.topic in config.topics
        ]
        if names:
            topics[item.anchor] = names
        text = " ".join(s.text for s in item.searched_sections)
        body.append(f'<h2 id="{item.anchor}">{escape(item.title)}</h2><p>{escape(text)}</p>')
    for name in sorted({n for names in topics.values() for n in names}):
        head.append(_head("Emne", "filter", name))
    if topics:
        head.append(_head("topics", "meta", json.dumps(topics, ensure_ascii=False, separators=(",", ":"))))
    html = f'<html lang="da"><head>{"".join(head)}</head><body>{"".join(body)}</body></html>'
    return url, html
