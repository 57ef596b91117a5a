"""Markdown → safe HTML, with dates of other meetings and mentions of other clusters turned into links.

The links are made by a Python-Markdown Treeprocessor, so text inside code and existing links is left
alone; the HTML is then sanitised to an allow-list (nh3), whatever the content file contained.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .dates import DateScanner
from .sanitize import clean_html


@dataclass
class LinkContext:
    """What one meeting's text may link to; built by the pages stage from the site model."""

    year: int  # the meeting's year, for dates written without one
    date_links: dict[str, str] = field(default_factory=dict)  # iso date → meeting URL
    cluster_links: dict[str, str] = field(default_factory=dict)  # lower-cased name → cluster URL
    cluster_pattern: re.Pattern[str] | None = None


_SKIP = {"a", "code", "pre"}


class _LinkProcessor(Treeprocessor):
    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self.context: LinkContext | None = None
        self.scanner: DateScanner | None = None

    def run(self, root: ET.Element) -> None:
        if self.context is None or self.scanner is None:
            return
        self._walk(root)

    def _walk(self, element: ET.Element) -> None:
        if element.tag in _SKIP:
            return
        if element.text:
            pieces = self._link(element.text)
            if pieces:
                element.text = pieces[0]
                for offset, child in enumerate(pieces[1:]):
                    element.insert(offset, child)
        for child in list(element):
            self._walk(child)
            if child.tail:
                pieces = self._link(child.tail)
                if pieces:
                    child.tail = pieces[0]
                    at = list(element).index(child) + 1
                    for offset, new in enumerate(pieces[1:]):
                        element.insert(at + offset, new)

    def _link(self, text: str) -> list | None:
        """Split text into [leading text, <a>, <a>…] (each <a> carrying the following text as tail)."""
        assert self.context is not None and self.scanner is not None
        spans: list[tuple[int, int, str]] = []
        for ref in self.scanner.scan(text):
            url = self.context.date_links.get(ref.date.isoformat())
            if url:
                spans.append((ref.start, ref.end, url))
        pattern = self.context.cluster_pattern
        if pattern is not None and self.context.cluster_links:
            for match in pattern.finditer(text):
                url = self.context.cluster_links.get(match.group(1).lower())
                if url and not any(s < match.end() and match.start() < e for s, e, _ in spans):
                    spans.append((match.start(), match.end(), url))
        if not spans:
            return None
        spans.sort()
        pieces: list = [text[: spans[0][0]]]
        for i, (start, end, url) in enumerate(spans):
            link = ET.Element("a", {"href": url})
            link.text = text[start:end]
            link.tail = text[end : spans[i + 1][0]] if i + 1 < len(spans) else text[end:]
            pieces.append(link)
        return pieces


class _LinkExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802 - Python-Markdown's API
        processor = _LinkProcessor(md)
        md.treeprocessors.register(processor, "referater_links", 5)
        md.referater_links = processor  # type: ignore[attr-defined]


class MarkdownRenderer:
    """One Markdown instance, reused (creating one is costly); not thread-safe, one per process."""

    def __init__(self) -> None:
        self._md = markdown.Markdown(extensions=["sane_lists", "tables", _LinkExtension()])
        self._links: _LinkProcessor = self._md.referater_links  # type: ignore[attr-defined]

    def start(self, context: LinkContext | None) -> None:
        """Begin a new agenda item: dates without a year count from the meeting's year again."""
        self._links.context = context
        self._links.scanner = DateScanner(context.year) if context else None

    def render(self, text: str) -> str:
        html = self._md.reset().convert(text)
        return clean_html(html)
