"""HTML reader: a referat page saved from an agenda portal, read from its DOM: headings, paragraphs,
lists (with their numbers), table rows; navigation, cookie banners, buttons and scripts dropped."""

from __future__ import annotations

import re

from .blocks import Block, agenda_cells, agenda_header, agenda_row, to_lines
from .model import ImportFailure

_DROP = {
    "script", "style", "noscript", "nav", "footer", "form", "select", "input", "svg",
    "iframe", "template", "object", "embed", "img", "picture", "video", "audio", "canvas", "map",
}  # fmt: skip
_DEBRIS_ATTR = re.compile(
    r"breadcrumb|cookie|consent|gdpr|share|social|skip|menu|navbar|navigation|topnav|sidebar|"
    r"print|search|toolbar|language|lang-switch|sr-only|visually-hidden|offcanvas",
    re.IGNORECASE,
)
_BLOCKS = {
    "p", "div", "section", "article", "main", "header", "aside", "li", "ul", "ol", "dl", "dt", "dd",
    "table", "thead", "tbody", "tfoot", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
    "blockquote", "pre", "address", "figure", "figcaption", "details", "summary", "fieldset", "body",
    "caption", "center", "hr",
}  # fmt: skip


def html_lines(text: str) -> list[str]:
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for node in soup.find_all(string=lambda s: isinstance(s, Comment)):
        node.extract()
    for node in soup.find_all(list(_DROP)):
        node.decompose()
    for node in soup.find_all("button"):
        if _is_toggle(node):
            node.unwrap()  # an accordion's toggle holds the item's title (Ishøj, Bootstrap portals)
        else:
            node.decompose()
    for node in soup.find_all(_is_debris):
        node.decompose()
    if soup.head:
        soup.head.decompose()
    root = soup.body or soup
    blocks: list[Block] = []
    _walk(root, blocks)
    if not any(b.text.strip() or b.cells for b in blocks):
        raise ImportFailure("HTML-siden har ingen tekst; gem hele referatets side (Ctrl+S) og prøv igen")
    first = next((b for b in blocks if b.kind != "blank"), None)
    if title and not (first and first.kind == "heading" and first.level == 1):
        blocks.insert(0, Block("heading", title, level=1))  # the date may be only in the page's title
    return to_lines(blocks)


def _is_toggle(button) -> bool:  # noqa: ANN001
    """A button that opens an item's body: in a heading, or an accordion's (aria-controls, "accordion")."""
    attrs = " ".join(button.get("class") or [])
    return bool(
        button.find_parent(["h1", "h2", "h3", "h4", "h5", "h6", "summary"])
        or button.has_attr("aria-controls")
        or button.has_attr("aria-expanded")
        or re.search(r"accordion|toggle|collaps|expand", attrs, re.IGNORECASE)
    )


def _is_debris(tag) -> bool:  # noqa: ANN001 - bs4 Tag
    if tag.name in ("html", "body", "main", "article"):
        return False
    if tag.get("role") in ("navigation", "banner", "contentinfo", "search", "dialog", "alertdialog"):
        return tag.get("role") != "banner" or bool(tag.find("nav"))
    if tag.get("aria-hidden") == "true" or tag.has_attr("hidden"):
        return True
    attrs = " ".join([*(tag.get("class") or []), tag.get("id") or ""])
    return bool(attrs and _DEBRIS_ATTR.search(attrs))


def _text(tag) -> str:  # noqa: ANN001
    """Text of an inline run: <br> is a line break, everything else flows."""
    parts: list[str] = []
    for node in tag.descendants if hasattr(tag, "descendants") else []:
        if getattr(node, "name", None) == "br":
            parts.append("\n")
        elif isinstance(node, str):
            parts.append(str(node))
    return "".join(parts) if hasattr(tag, "descendants") else str(tag)


def _has_blocks(tag) -> bool:  # noqa: ANN001
    return any(getattr(d, "name", None) in _BLOCKS for d in tag.descendants)


def _bold(tag) -> bool:  # noqa: ANN001
    """A paragraph whose whole text is inside <strong>/<b>: a heading in many portals."""
    text = tag.get_text(strip=True)
    tops = [s for s in tag.find_all(["strong", "b"]) if s.find_parent(["strong", "b"]) is None]
    return bool(text) and "".join(s.get_text(strip=True) for s in tops) == text


def _as_link(text: str, nodes: list) -> str:  # noqa: ANN001
    """A paragraph that is one link and nothing else (an attachment, a cross reference) as "[text]()":
    the recogniser reads it as a link line, never as a sub-heading; its target is not kept."""
    tags = [n for n in nodes if getattr(n, "name", None)]
    rest = "".join(str(n) for n in nodes if not getattr(n, "name", None)).strip()
    if len(tags) == 1 and tags[0].name == "a" and not rest and "\n" not in text.strip():
        return f"[{text.strip()}]()"
    return text


def _walk(node, out: list[Block], list_level: int = 0) -> None:  # noqa: ANN001
    inline: list[str] = []
    nodes: list = []

    def flush() -> None:
        text = _as_link(_squash("".join(inline)), nodes)
        inline.clear()
        nodes.clear()
        if text.strip():
            out.append(Block("paragraph", text))

    for child in node.children:
        name = getattr(child, "name", None)
        if name is None:
            inline.append(str(child))
            nodes.append(child)
        elif name == "br":
            inline.append("\n")
            nodes.append(child)
        elif name not in _BLOCKS and not _has_blocks(child):
            inline.append(_text(child))
            nodes.append(child)
        else:
            flush()
            _block(child, out, list_level)
    flush()


def _block(tag, out: list[Block], list_level: int) -> None:  # noqa: ANN001
    name = tag.name
    if name in ("h1", "h2", "h3", "h4", "h5", "h6"):
        out.append(Block("heading", _squash(_text(tag)).replace("\n", " "), level=int(name[1])))
    elif name in ("ul", "ol"):
        start = int(tag.get("start", "1")) if str(tag.get("start", "1")).isdigit() else 1
        index = start
        for li in tag.find_all("li", recursive=False):
            number = str(index) if name == "ol" else ""
            index += 1
            if _has_blocks(li):
                head = [c for c in li.children if getattr(c, "name", None) not in _BLOCKS]
                text = "".join(_text(c) if getattr(c, "name", None) else str(c) for c in head)
                if text.strip():
                    out.append(Block("list", _squash(text), level=list_level, number=number))
                for c in li.children:
                    if getattr(c, "name", None) in _BLOCKS:
                        _block(c, out, list_level + 1)
            else:
                out.append(Block("list", _squash(_text(li)), level=list_level, number=number))
    elif name == "tr":
        cells = tag.find_all(["td", "th"], recursive=False)
        texts = tuple(_cell_text(c) for c in cells)
        header = _table_header(tag)
        if texts == header and header:
            return  # the agenda table's own header: its names head the cells below
        item = agenda_row(texts, header)
        if item:
            out.append(Block("heading", item[0], level=3))
            for column, text in agenda_cells(item[1]):
                if column:
                    out.append(Block("paragraph", column, bold=True))
                out.append(Block("paragraph", text))
        elif any(_has_blocks(c) for c in cells):
            for c in cells:
                _walk(c, out, list_level)
        else:
            out.append(Block("row", cells=tuple(_squash(_text(c)).replace("\n", " ") for c in cells)))
    elif name == "hr":
        out.append(Block("blank"))
    elif _has_blocks(tag):
        _walk(tag, out, list_level)
    else:
        text = _squash(_text(tag))
        if text.strip():
            out.append(Block("paragraph", _as_link(text, list(tag.children)), bold=_bold(tag)))


def _cell_text(cell) -> str:  # noqa: ANN001
    """A table cell's text, a line per paragraph or list item."""
    blocks: list[Block] = []
    _walk(cell, blocks)
    lines = [f"- {b.text}" if b.kind == "list" else b.text for b in blocks if b.text.strip()]
    return "\n".join(lines) or _squash(_text(cell))


def _table_header(row) -> tuple[str, ...]:  # noqa: ANN001
    """The column names of the agenda table the row is in ("Pkt. | Emne | Beslutning"), or ()."""
    table = row.find_parent("table")
    first = table.find("tr") if table is not None else None
    if first is None:
        return ()
    return agenda_header(tuple(_squash(_text(c)).replace("\n", " ") for c in first.find_all(["td", "th"])))


def _squash(text: str) -> str:
    lines = [re.sub(r"\s+", " ", ln).strip() for ln in text.split("\n")]
    return "\n".join(ln for ln in lines if ln)
