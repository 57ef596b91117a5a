"""Plain text of the minutes as the page shows them, for snippets, descriptions, feeds and search."""

from __future__ import annotations

import html
import re

_BLOCK_TAG = re.compile(
    r"</?(?:p|li|ul|ol|h[1-6]|pre|blockquote|table|thead|tbody|tr|td|th|br|hr|div)\b[^>]*>"
)
_ANY_TAG = re.compile(r"<[^>]*>")


def html_text(rendered: str) -> str:
    """The text of cmark's (well-formed, escaped) HTML: what a reader of the page sees, nothing more."""
    text = _ANY_TAG.sub("", _BLOCK_TAG.sub(" ", rendered))
    return " ".join(html.unescape(text).split())


def snippet_of_text(text: str, limit: int = 220) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > limit // 2 else limit].rstrip(",.;:– ") + " …"
