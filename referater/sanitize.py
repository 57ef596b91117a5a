"""The HTML cleaner between rendered Markdown and the templates: an explicit allow-list on top of nh3.

Anything a secretariat pastes into a referat (HTML included) is published the same night, so the cleaner
assumes hostile input. It keeps only what rendered Markdown needs: block text, lists, emphasis, code,
quotes, small headings (h1-h3 belong to the templates), tables and links.

* No ``style``, no event handlers, no ``id``/``class`` (anchors come from templates, not user HTML).
* ``href`` may only be http, https, mailto or a relative URL; values with control characters (the
  ``jav&#x09;ascript:`` family) are dropped whole.
* Links to other sites get ``rel="noopener noreferrer"``. A link is internal only when it is relative
  (path, query or fragment) or an absolute http(s) URL whose host is ``base_host``; protocol-relative
  ``//host`` and ``/\\host`` count as absolute.
* The contents of script, style, svg, math and similar elements are removed together with the element.
"""

from __future__ import annotations

import functools
import html
import re
from urllib.parse import urlsplit

import nh3

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "URL_SCHEMES", "clean_html"]

ALLOWED_TAGS: frozenset[str] = frozenset(
    {
        "p", "a", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "blockquote",
        "h4", "h5", "h6", "table", "thead", "tbody", "tr", "th", "td", "br", "hr",
        "sup", "sub", "del", "abbr",
    }
)  # fmt: skip

ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "a": {"href", "title"},
    "ol": {"start"},
    "abbr": {"title"},
}

URL_SCHEMES: frozenset[str] = frozenset({"http", "https", "mailto"})

# Elements dropped with everything inside them (their text is code or markup, never reading matter).
_DROP_WITH_CONTENT: frozenset[str] = frozenset(
    {
        "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "noscript",
        "noembed", "noframes", "template", "svg", "math", "textarea", "select", "xmp", "title",
    }
)  # fmt: skip

_REL_EXTERNAL = "noopener noreferrer"
# nh3's serializer quotes every attribute with '"' and escapes '"', '<' and '>' inside values, and escapes
# '<' in text, so in its output an anchor start tag is exactly this.
_A_START = re.compile(r'<a((?: [a-z]+="[^"]*")*)>')
_HREF = re.compile(r' href="([^"]*)"')
_UNSAFE_URL_CHARS = re.compile(r"[\x00-\x20\x7f-\x9f\ufffd\u2028\u2029]")
_DIGITS = re.compile(r"\d{1,9}")


def clean_html(html_text: str, base_host: str | None = None) -> str:
    """Clean HTML rendered from a referat; base_host (e.g. "referater.example.dk") marks internal links."""
    cleaned = _cleaner().clean(html_text)
    if "<a" not in cleaned:  # most sections have no link: skip the anchor pass
        return cleaned
    own_host = _host_of(base_host)
    return _A_START.sub(lambda match: _mark_external(match, own_host), cleaned)


@functools.cache
def _cleaner() -> nh3.Cleaner:
    # Built once: nh3.clean() converts the allow-lists into Rust sets on every call, a third of its
    # time over the twenty thousand sections of four hundred meetings.
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROP_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,  # added below, to external links only
        strip_comments=True,
        generic_attribute_prefixes=set(),
    )


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute == "href":
        stripped = value.strip(" ")
        if not stripped or _UNSAFE_URL_CHARS.search(stripped):
            return None
        return stripped
    if tag == "ol" and attribute == "start":
        return value if _DIGITS.fullmatch(value.strip()) else None
    return value


@functools.lru_cache(maxsize=64)  # one base host per build: urlsplit once, not per section
def _host_of(base_host: str | None) -> str | None:
    """The bare lower-case host name of "example.dk", "example.dk:8000" or "https://example.dk/"."""
    if not base_host:
        return None
    text = base_host.strip()
    if "//" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname
    except ValueError:
        return None
    return host or None


def is_external(href: str, own_host: str | None) -> bool:
    """True when a browser would leave the site following href (href as in the HTML, entities decoded)."""
    url = href.strip().replace("\\", "/")
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return True
    scheme = parts.scheme.lower()
    if scheme in ("mailto",):
        return False
    if not scheme and not url.startswith("//"):
        return False  # relative path, query or fragment
    if scheme not in ("", "http", "https"):
        return True
    return host is None or own_host is None or host != own_host


def _mark_external(match: re.Match[str], own_host: str | None) -> str:
    attributes = match.group(1)
    href = _HREF.search(attributes)
    if href and is_external(html.unescape(href.group(1)), own_host):
        return f'<a{attributes} rel="{_REL_EXTERNAL}">'
    return match.group(0)
