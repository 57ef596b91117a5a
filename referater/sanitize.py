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


# What nh3 gives back as it is (cmark's output of most sections): the tags below without attributes, a
# list start, a link to a path of this site, and text with no character its serializer writes otherwise.
_INLINE: frozenset[str] = frozenset({"strong", "em", "code", "del", "a"})
_FLOW = frozenset({"", "li", "blockquote"})  # where cmark puts blocks ("": the top level)
_PARENTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("p", "ul", "ol", "pre", "blockquote", "h4", "h5", "h6", "table"), _FLOW),
    "li": frozenset({"ul", "ol"}),
    "thead": frozenset({"table"}),
    "tbody": frozenset({"table"}),
    "tr": frozenset({"thead", "tbody"}),
    "th": frozenset({"tr"}),
    "td": frozenset({"tr"}),
}
_HOLDS_INLINE = frozenset({"p", "li", "pre", "h4", "h5", "h6", "th", "td", *_INLINE})
_KEPT_TAGS = re.compile(
    r"(?:</?(?:p|ul|ol|li|strong|em|code|pre|blockquote|h4|h5|h6|del|table|thead|tbody|tr|th|td|a)>"
    r'|<ol start="[0-9]{1,9}">|<a href="/[A-Za-z0-9/._~%-]*">)*'
)
_ANY_TAG = re.compile(r"<[^<>]*>")
_ATTRIBUTES = re.compile(r" [^>]*")
_SKELETON_TAG = re.compile(r"<(/?)([a-z0-9]+)>")
_ODD_ENTITY = re.compile(r"&(?!amp;|lt;|gt;|quot;)")  # cmark writes these four only
# Text that the parser moves out of a table, or drops after <pre>
_TABLE_TEXT = re.compile(r"<(?:table|thead|tbody|tr|/thead|/tbody|/tr|/th|/td)>[\t\n\f ]*[^\t\n\f <]")
_PRE_NEWLINE = "<pre>\n"


def _kept_as_is(html_text: str) -> bool:
    """True if nh3 would return `html_text` unchanged but for `&quot;`, which it writes as '"'; False
    means only that it may not. Every '<' and '>' must be in one of the tags above, nested as cmark nests
    them, so that the parser has nothing to move or drop; anything else (an attribute, a comment, a
    script, an unknown element, a stray '<') goes through the cleaner."""
    # the parser drops a NUL and a newline after <pre>, turns CR into LF; nh3 writes a no-break space as &nbsp;
    if "\x00" in html_text or "\r" in html_text or "\xa0" in html_text or _PRE_NEWLINE in html_text:
        return False
    if "&" in html_text and _ODD_ENTITY.search(html_text):
        return False
    tags = _ANY_TAG.findall(html_text)
    if html_text.count("<") != len(tags) or html_text.count(">") != len(tags):
        return False
    joined = "".join(tags)
    if not _KEPT_TAGS.fullmatch(joined):
        return False
    if "<table>" in joined and _TABLE_TEXT.search(html_text):
        return False
    return _well_nested(_ATTRIBUTES.sub("", joined) if "=" in joined else joined)


@functools.lru_cache(maxsize=4096)  # sections share a few hundred shapes of tags
def _well_nested(skeleton: str) -> bool:
    stack: list[str] = []
    for close, name in _SKELETON_TAG.findall(skeleton):
        if close:
            if not stack or stack[-1] != name:
                return False
            stack.pop()
            continue
        parent = stack[-1] if stack else ""
        if name in _INLINE:
            if parent not in _HOLDS_INLINE or (name == "a" and "a" in stack):
                return False
        elif parent not in _PARENTS[name]:
            return False
        stack.append(name)
    return not stack


def clean_html(html_text: str, base_host: str | None = None) -> str:
    """Clean HTML rendered from a referat; base_host (e.g. "referater.example.dk") marks internal links."""
    if _kept_as_is(html_text):  # most sections of cmark's output: no need to parse them again
        return html_text.replace("&quot;", '"') if "&quot;" in html_text else html_text
    return _clean_with_nh3(html_text, base_host)


def _clean_with_nh3(html_text: str, base_host: str | None) -> str:
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
