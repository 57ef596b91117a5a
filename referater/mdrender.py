"""Markdown → safe HTML, with dates of other meetings and mentions of other clusters turned into links.

Markdown is rendered by cmark-gfm (GitHub's C implementation of CommonMark): at ten thousand meetings
it is some fifteen times faster than Python-Markdown, which dominated the build. Raw HTML in the
content is omitted by cmark's safe mode and the result is sanitised to an allow-list (nh3) all the
same. Links are added to the text between tags of cmark's own, well-formed output, skipping text
inside links, code and preformatted blocks.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import html
import re
from dataclasses import dataclass, field

import cmarkgfm
from cmarkgfm.cmark import Options

from .dates import DateScanner
from .sanitize import clean_html

_OPTIONS = Options.CMARK_OPT_VALIDATE_UTF8 | Options.CMARK_OPT_NORMALIZE
_EXTENSIONS = (b"table", b"autolink", b"strikethrough")


class _Cmark:
    """cmark-gfm through cmarkgfm's own bindings, freeing what they leave allocated.

    cmarkgfm 2025.10 frees neither the parsed tree nor the rendered string: some 200 KB per meeting, a
    gigabyte at national scale. The two frees it lacks are called here; where the symbols are not
    found (another build of the library), its leaky wrapper is used instead.
    """

    def __init__(self) -> None:
        from cmarkgfm import _cmark

        self.ffi, self.lib = _cmark.ffi, _cmark.lib
        self.lib.cmark_gfm_core_extensions_ensure_registered()
        self.extensions = [self.lib.cmark_find_syntax_extension(name) for name in _EXTENSIONS]
        self.node_free = ctypes.CDLL(_cmark.__file__).cmark_node_free
        self.node_free.argtypes = [ctypes.c_void_p]
        self.free = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").free
        self.free.argtypes = [ctypes.c_void_p]

    def __call__(self, text: str) -> str:
        lib, ffi = self.lib, self.ffi
        data = text.encode("utf-8")
        parser = lib.cmark_parser_new(_OPTIONS)
        try:
            for extension in self.extensions:
                lib.cmark_parser_attach_syntax_extension(parser, extension)
            lib.cmark_parser_feed(parser, data, len(data))
            root = lib.cmark_parser_finish(parser)
            try:
                raw = lib.cmark_render_html(root, _OPTIONS, lib.cmark_parser_get_syntax_extensions(parser))
                try:
                    return ffi.string(raw).decode("utf-8")
                finally:
                    self.free(int(ffi.cast("uintptr_t", raw)))
            finally:
                self.node_free(int(ffi.cast("uintptr_t", root)))
        finally:
            lib.cmark_parser_free(parser)


def _make_cmark():
    try:
        return _Cmark()
    except (ImportError, AttributeError, OSError):
        return lambda text: cmarkgfm.github_flavored_markdown_to_html(text, _OPTIONS)


render_cmark = _make_cmark()


@dataclass
class LinkContext:
    """What one meeting's text may link to; built by the pages stage from the site model."""

    year: int  # the meeting's year, for dates written without one
    date_links: dict[str, str] = field(default_factory=dict)  # iso date → meeting URL
    cluster_links: dict[str, str] = field(default_factory=dict)  # lower-cased name → cluster URL
    cluster_pattern: re.Pattern[str] | None = None


_TAG = re.compile(r"(<[^>]*>)")
_OPENS = re.compile(r"<(a|code|pre)[\s>]", re.IGNORECASE)
_CLOSES = re.compile(r"</(a|code|pre)>", re.IGNORECASE)


def add_links(rendered: str, context: LinkContext) -> str:
    """Link dates of other meetings and names of other clusters in the text nodes of rendered HTML."""
    if not context.date_links and not context.cluster_links:
        return rendered
    parts = _TAG.split(rendered)
    skip = 0  # depth inside <a>, <code>, <pre>
    scanner = DateScanner(context.year)  # one per section, as the site model scans it
    for index, part in enumerate(parts):
        if index % 2:  # a tag
            if _OPENS.match(part):
                skip += 1
            elif _CLOSES.match(part):
                skip = max(0, skip - 1)
            continue
        if part and not skip:
            parts[index] = _link_text(part, context, scanner)
        elif part:
            for _ in scanner.scan(html.unescape(part)):
                pass  # keep the year context moving through skipped text, as the model's scan does
    return "".join(parts)


def _link_text(text: str, context: LinkContext, scanner: DateScanner) -> str:
    spans: list[tuple[int, int, str]] = []
    for ref in scanner.scan(text):
        url = context.date_links.get(ref.date.isoformat())
        if url:
            spans.append((ref.start, ref.end, url))
    pattern = context.cluster_pattern
    if pattern is not None and context.cluster_links:
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
        rendered = render_cmark(text)
        if self._context is not None:
            rendered = add_links(rendered, self._context)
        return clean_html(rendered, self._base_host)
