"""cmark-gfm's parse tree, reached through cffi's ABI mode on the library that cmarkgfm ships.

cmarkgfm's own bindings only render whole documents to HTML, and leak the tree and the string they
render (cmarkgfm 2025.10). The engine needs the tree itself: agenda items and sections are taken from the
same CommonMark tree that renders them, so that structure and rendering cannot disagree. This module
declares the few functions of cmark-gfm's public C API it uses and frees everything it allocates.
tests/test_cmark.py proves the declarations still fit the installed library; pyproject pins its version.
"""

from __future__ import annotations

import ctypes.util
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import cffi
from cmarkgfm import _cmark

_CDEF = """
typedef struct cmark_node cmark_node;
typedef struct cmark_parser cmark_parser;
typedef struct cmark_iter cmark_iter;
typedef struct cmark_syntax_extension cmark_syntax_extension;
typedef struct cmark_llist cmark_llist;
cmark_parser *cmark_parser_new(int options);
void cmark_parser_free(cmark_parser *parser);
void cmark_parser_feed(cmark_parser *parser, const char *buffer, size_t len);
cmark_node *cmark_parser_finish(cmark_parser *parser);
int cmark_parser_attach_syntax_extension(cmark_parser *parser, cmark_syntax_extension *extension);
cmark_llist *cmark_parser_get_syntax_extensions(cmark_parser *parser);
cmark_syntax_extension *cmark_find_syntax_extension(const char *name);
void cmark_gfm_core_extensions_ensure_registered(void);
cmark_node *cmark_node_new(int type);
void cmark_node_free(cmark_node *node);
void cmark_node_unlink(cmark_node *node);
int cmark_node_append_child(cmark_node *node, cmark_node *child);
int cmark_node_insert_before(cmark_node *node, cmark_node *sibling);
const char *cmark_node_get_url(cmark_node *node);
cmark_node *cmark_node_first_child(cmark_node *node);
cmark_node *cmark_node_next(cmark_node *node);
int cmark_node_get_type(cmark_node *node);
const char *cmark_node_get_type_string(cmark_node *node);
int cmark_node_get_heading_level(cmark_node *node);
int cmark_node_get_start_line(cmark_node *node);
int cmark_node_get_end_line(cmark_node *node);
char *cmark_render_html(cmark_node *root, int options, cmark_llist *extensions);
char *cmark_render_commonmark(cmark_node *root, int options, int width);
char *cmark_render_plaintext(cmark_node *root, int options, int width);
cmark_iter *cmark_iter_new(cmark_node *root);
int cmark_iter_next(cmark_iter *iter);
cmark_node *cmark_iter_get_node(cmark_iter *iter);
void cmark_iter_free(cmark_iter *iter);
"""
_EVENT_DONE, _EVENT_ENTER = 1, 2
_EXTENSIONS = (b"table", b"autolink", b"strikethrough")
OPTIONS = _cmark.lib.CMARK_OPT_VALIDATE_UTF8 | _cmark.lib.CMARK_OPT_NORMALIZE

_ffi = cffi.FFI()
_ffi.cdef(_CDEF)
_lib = _ffi.dlopen(_cmark.__file__)
_ffi.cdef("void free(void *ptr);", override=True)
_libc = _ffi.dlopen(ctypes.util.find_library("c") or "libc.so.6")
_lib.cmark_gfm_core_extensions_ensure_registered()
_extension_handles = [_lib.cmark_find_syntax_extension(name) for name in _EXTENSIONS]


def _node_types() -> dict[str, int]:
    """The type numbers of the node kinds this module tests, read from a parsed sample: comparing numbers
    spares a string from C for every node of every file."""
    sample = b"# h\n\n> q\n\n- l\n\n<div>\n</div>\n\nx <b>y</b> [z](u)\n\n| a |\n|---|\n| 1 |\n"
    parser = _lib.cmark_parser_new(OPTIONS)
    for extension in _extension_handles:
        _lib.cmark_parser_attach_syntax_extension(parser, extension)
    _lib.cmark_parser_feed(parser, sample, len(sample))
    root = _lib.cmark_parser_finish(parser)
    try:
        return {
            _ffi.string(_lib.cmark_node_get_type_string(node)).decode(): _lib.cmark_node_get_type(node)
            for node in _walk(root)
        }
    finally:
        _lib.cmark_node_free(root)
        _lib.cmark_parser_free(parser)


def _take(raw) -> str:
    """A string cmark allocated, as Python text, freed."""
    try:
        return _ffi.string(raw).decode("utf-8")
    finally:
        _libc.free(raw)


class Block(NamedTuple):
    """One top-level block of a document: its kind ("heading", "paragraph", "code_block", …), its lines
    (1-based, inclusive) and, for a heading, its level and plain text. A named tuple: a file has hundreds
    of blocks, and a tuple is made several times faster than a frozen dataclass."""

    kind: str
    start: int
    end: int
    level: int = 0
    text: str = ""


@dataclass(frozen=True, slots=True)
class Rendered:
    """One part of a document, rendered from its tree with every raw HTML node removed: the page's HTML and
    the Markdown that open data publishes come from the same nodes."""

    html: str
    markdown: str


class Document:
    """A parsed Markdown document. Use as a context manager: the tree is freed on exit."""

    def __init__(self, text: str) -> None:
        data = text.encode("utf-8")
        self._parser = _lib.cmark_parser_new(OPTIONS)
        for extension in _extension_handles:
            _lib.cmark_parser_attach_syntax_extension(self._parser, extension)
        _lib.cmark_parser_feed(self._parser, data, len(data))
        self._root = _lib.cmark_parser_finish(self._parser)
        self._extensions = _lib.cmark_parser_get_syntax_extensions(self._parser)
        self._document_type = _lib.cmark_node_get_type(self._root)
        self._nodes: list = []
        self._containers: list | None = None  # the top-level lists and quotes, found by `blocks`

    def __enter__(self) -> Document:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._root is not None:
            _lib.cmark_node_free(self._root)
            _lib.cmark_parser_free(self._parser)
            self._root = None

    def blocks(self) -> list[Block]:
        """The top-level blocks in order. Their nodes stay addressable by index for `render`."""
        found: list[Block] = []
        self._nodes = []
        self._containers = []
        lib, null, nodes, containers = _lib, _ffi.NULL, self._nodes, self._containers
        get_type, next_node = lib.cmark_node_get_type, lib.cmark_node_next
        start_line, end_line = lib.cmark_node_get_start_line, lib.cmark_node_get_end_line
        node = lib.cmark_node_first_child(self._root)
        while node != null:
            number = get_type(node)
            kind = _KINDS.get(number)
            if kind is None:
                kind = _KINDS[number] = _ffi.string(lib.cmark_node_get_type_string(node)).decode()
            if number == _HEADING:
                text = " ".join(_take(lib.cmark_render_plaintext(node, OPTIONS, 0)).split())
                level = lib.cmark_node_get_heading_level(node)
                found.append(Block(kind, start_line(node), end_line(node), level, text))
            else:
                found.append(Block(kind, start_line(node), end_line(node)))
                if number in _CONTAINERS:
                    containers.append(node)
            nodes.append(node)
            node = next_node(node)
        return found

    def nested_headings(self) -> Iterator[int]:
        """Start lines of headings that are not top-level blocks (inside a list or a quote). Before any
        `render`: that moves blocks out of the tree."""
        if self._containers is None:
            self.blocks()
        for container in self._containers:
            yield from _headings_in(container)

    def render(self, indices: list[int], may_hold_html: bool, may_hold_dead_links: bool = False) -> Rendered:
        """Move the given top-level blocks into a document of their own and render it two ways.

        Raw HTML (comments included) is unlinked from the tree first, so the page, the Markdown and the
        plain text hold exactly the same content; a link whose target was lost (`[tekst](#)`, `[tekst]()`)
        becomes its text. A block can be rendered once only."""
        part = _lib.cmark_node_new(self._document_type)
        try:
            for index in indices:
                _lib.cmark_node_append_child(part, self._nodes[index])
            if may_hold_html or may_hold_dead_links:
                for node in _walk(part):  # pre-order: a link is handled before the nodes inside it
                    kind = _lib.cmark_node_get_type(node)
                    if kind in _HTML_NODES:
                        _lib.cmark_node_unlink(node)
                        _lib.cmark_node_free(node)
                    elif kind == _LINK and _ffi.string(_lib.cmark_node_get_url(node)) in (b"", b"#"):
                        child = _lib.cmark_node_first_child(node)
                        while child != _ffi.NULL:
                            following = _lib.cmark_node_next(child)
                            _lib.cmark_node_insert_before(node, child)
                            child = following
                        _lib.cmark_node_unlink(node)
                        _lib.cmark_node_free(node)
            html = _take(_lib.cmark_render_html(part, OPTIONS, self._extensions))
            markdown = _take(_lib.cmark_render_commonmark(part, OPTIONS, 0))
            return Rendered(html, markdown.strip("\n"))
        finally:
            _lib.cmark_node_free(part)


def _headings_in(container) -> Iterator[int]:
    """Start lines of the headings inside a list, item or quote, in document order. Only these blocks hold
    blocks: the inline nodes of paragraphs, a tree's bulk, are never visited. A stack, not recursion: a
    quote can nest as deep as a file is long."""
    following = [_lib.cmark_node_first_child(container)]  # where to go on after each open container
    while following:
        node = following.pop()
        while node != _ffi.NULL:
            kind = _lib.cmark_node_get_type(node)
            if kind == _HEADING:
                yield _lib.cmark_node_get_start_line(node)
            elif kind in _CONTAINERS:
                following.append(_lib.cmark_node_next(node))
                node = _lib.cmark_node_first_child(node)
                continue
            node = _lib.cmark_node_next(node)


def _walk(root) -> list:
    nodes = []
    walker = _lib.cmark_iter_new(root)
    try:
        while True:
            event = _lib.cmark_iter_next(walker)
            if event == _EVENT_DONE:
                break
            if event == _EVENT_ENTER:
                node = _lib.cmark_iter_get_node(walker)
                if node != root:
                    nodes.append(node)
    finally:
        _lib.cmark_iter_free(walker)
    return nodes


_TYPES = _node_types()
_HEADING, _LINK = _TYPES["heading"], _TYPES["link"]
_CONTAINERS = (_TYPES["list"], _TYPES["item"], _TYPES["block_quote"])
_HTML_NODES = (_TYPES["html_block"], _TYPES["html_inline"])
# The kind of a top-level block by its type number. Safe to remember: a block of a document (paragraph,
# heading, list, table …) has one kind per number; only a table's rows, never top-level, differ.
_KINDS: dict[int, str] = {}


def render_html(text: str) -> str:
    """A whole Markdown text to HTML (raw HTML omitted by cmark's safe default)."""
    with Document(text) as document:
        blocks = document.blocks()
        return document.render(list(range(len(blocks))), "<" in text).html
