"""Plain text from the minutes' Markdown, for snippets, descriptions, feeds and search."""

from __future__ import annotations

import html
import re

_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_TAG = re.compile(r"<[^>]{0,500}>")
_MARKS = re.compile(r"^(\s*)(#{1,6}|[-*+]|\d+[.)])\s+", re.MULTILINE)  # only at a line start: "den 8. maj"
# Every match starts at a mark: the leading lookahead lets re skip to the next one (3x faster), as the
# lookbehind of the second branch kept it from doing.
_EMPHASIS = re.compile(r"(?=[*_`])(?:(\*\*|__|\*|_|`)(?=\S)|(?<=\S)(\*\*|__|\*|_|`))")
_SPACE = re.compile(r"\s+")


def plain_text(markdown: str) -> str:
    # Each pattern only where its characters occur: open data runs this on every section of every meeting.
    text = _LINK.sub(r"\1", markdown) if "](" in markdown else markdown
    if "<" in text:
        text = _TAG.sub(" ", text)
    text = _MARKS.sub(r"\1", text)
    if "*" in text or "_" in text or "`" in text:
        text = _EMPHASIS.sub("", text)
    return " ".join(text.split())


_BLOCK_TAG = re.compile(
    r"</?(?:p|li|ul|ol|h[1-6]|pre|blockquote|table|thead|tbody|tr|td|th|br|hr|div)\b[^>]*>"
)
_ANY_TAG = re.compile(r"<[^>]*>")


def html_text(rendered: str) -> str:
    """The text of cmark's (well-formed, escaped) HTML: what a reader of the page sees, nothing more."""
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", rendered))
    return " ".join(html.unescape(text).split())


def snippet(markdown: str, limit: int = 220) -> str:
    return snippet_of_text(plain_text(markdown), limit)


def snippet_of_text(text: str, limit: int = 220) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(",.;:– ") + " …"
