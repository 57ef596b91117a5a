"""Markdown → safe HTML, with dates of other meetings and mentions of other clusters turned into links.

The content stage renders each section from the file's cmark-gfm tree (cmark.py), raw HTML removed; this
module adds the site's links and sanitises the result to an allow-list (nh3) all the same. Links are added to the text between tags of cmark's own, well-formed output, skipping text
inside links, code and preformatted blocks.
"""

from __future__ import annotations

import functools
import html
import re

from .cmark import render_html
from .dates import DateScanner, may_name_day
from .sanitize import clean_html
from .views import LinkContext


@functools.lru_cache(maxsize=16)
def _angle_free(pattern: re.Pattern[str]) -> bool:
    """True if the pattern can match no '<' or '>' (the names in it have none): then no match in the whole
    HTML can start in a tag and run on into a text node, hiding a match there."""
    body = re.sub(r"\(\?(?:<[!=]|P<\w+>)", "", pattern.pattern)
    return "<" not in body and ">" not in body


_TAG = re.compile(r"(<[^>]*>)")
_OPENS = re.compile(r"<(a|code|pre)[\s>]", re.IGNORECASE)
_CLOSES = re.compile(r"</(a|code|pre)>", re.IGNORECASE)
_DIGIT = re.compile(r"\d")  # as the date and year patterns see digits (any Unicode digit)


def add_links(rendered: str, context: LinkContext) -> str:
    """Link dates of other meetings and names of other clusters in the text nodes of rendered HTML."""
    if not context.date_links and not context.cluster_links:
        return rendered
    dates, clusters = _may_link(rendered, context)
    if not dates and not clusters:
        return rendered  # what the pass below would return: nothing in it can become a link
    parts = _TAG.split(rendered)
    skip = 0  # depth inside <a>, <code>, <pre>
    scanner = DateScanner(context.year)  # one per section, as the site model scans it
    # Text without a digit holds neither a date nor a year: scanning it changes nothing, so it is skipped.
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            if _OPENS.match(part):
                skip += 1
            elif _CLOSES.match(part):
                skip = max(0, skip - 1)
            continue
        if not part:
            continue
        if skip:
            if dates:
                text = html.unescape(part) if "&" in part else part
                if _DIGIT.search(text):
                    for _ in scanner.scan(text):
                        pass  # keep the year context moving through skipped text, as the model's scan does
        elif dates and _DIGIT.search(part):
            parts[index] = _link_text(part, context, scanner, clusters)
        elif clusters and (not context.names_exact or _names_one(part, context)):
            parts[index] = _link_text(part, context, None, clusters)
    return "".join(parts)


def _may_link(rendered: str, context: LinkContext) -> tuple[bool, bool]:
    """Whether a date, and whether a cluster name, in this section may become a link (False: certainly
    not). In three of four sections of the corpus neither may, and the pass over the text nodes is skipped.

    Dates and names are looked for in the whole HTML rather than text node by text node: neither can match
    across '<' or '>', and both see '>' before and '<' after a text node as they see the node's start and
    end, so every match in a text node is also found here (besides some in tags, which only make this
    answer True more often). The scanner is made anew for each section, so skipping one leaves the
    year context of every other as it was.
    """
    clusters = dates = False
    pattern = context.cluster_pattern
    if pattern is not None and context.cluster_links:
        if context.names_exact:
            # A mention that links is a name of cluster_links, lower-cased: without one in the text
            # nothing can link; with one the pass decides (the pattern would say yes to nearly all).
            clusters = _names_one(rendered, context)
        elif not _angle_free(pattern):
            clusters = pattern.search(rendered) is not None
        else:
            clusters = any(m.group(1).lower() in context.cluster_links for m in pattern.finditer(rendered))
    if context.date_links:
        dates = may_name_day(rendered, context.day_months)
    return dates, clusters


def _names_one(text: str, context: LinkContext) -> bool:
    """Whether the lower-cased text holds a name of cluster_links (a cheap test, the pattern is not)."""
    lowered = text.lower()
    return context.name_prefix in lowered and any(name in lowered for name in context.cluster_links)


def _link_text(text: str, context: LinkContext, scanner: DateScanner | None, clusters: bool) -> str:
    """Links in one text node; scanner None: no date here may link, clusters False: no name may."""
    spans: list[tuple[int, int, str]] = []
    if scanner is not None:
        for ref in scanner.scan(text):
            url = context.date_links.get(ref.date.isoformat())
            if url:
                spans.append((ref.start, ref.end, url))
    pattern = context.cluster_pattern
    if clusters and pattern is not None and (not context.names_exact or _names_one(text, context)):
        for match in pattern.finditer(text):
            url = context.cluster_links.get(match.group(1).lower())
            if url and not any(s < match.end() and match.start() < e for s, e, _ in spans):
                spans.append((match.start(), match.end(), url))
    if not spans:
        return text
    spans.sort()
    out, position = [], 0
    for start, end, url in spans:
        out.append(text[position:start])
        out.append(f'<a href="{html.escape(url)}">{text[start:end]}</a>')
        position = end
    out.append(text[position:])
    return "".join(out)


class MarkdownRenderer:
    def __init__(self, base_host: str | None = None) -> None:
        self._base_host = base_host
        self._context: LinkContext | None = None

    def start(self, context: LinkContext | None) -> None:
        self._context = context

    def render(self, text: str) -> str:
        return self.finish(render_html(text))

    def finish(self, rendered: str) -> str:
        """cmark's HTML of a section (content stage) with the site's links, through the allow-list."""
        if self._context is not None:
            rendered = add_links(rendered, self._context)
        return clean_html(rendered, self._base_host)
