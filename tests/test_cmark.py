"""referater/cmark.py reaches cmark-gfm's C API through cffi: prove the declarations fit the installed
library, that the tree is the one the renderer uses, and that nothing it allocates is left behind."""

from __future__ import annotations

import re
import resource
from importlib.metadata import version
from pathlib import Path

from referater.cmark import Document, render_html

ROOT = Path(__file__).resolve().parent.parent


def test_the_library_version_is_the_pinned_one() -> None:
    pinned = re.search(r'"cmarkgfm==([^"]+)"', (ROOT / "pyproject.toml").read_text("utf-8"))
    assert pinned, "pyproject.toml must pin cmarkgfm: cmark.py declares its C API by hand"
    assert version("cmarkgfm") == pinned.group(1)


def test_blocks_lines_levels_and_rendering_come_from_one_tree() -> None:
    text = "## Punkt 1: *Titel*\n\nTekst <!-- skjult --> her.\n\nSetext\n---\n\n| a |\n|---|\n| 1 |\n"
    with Document(text) as document:
        blocks = document.blocks()
        assert [(b.kind, b.start, b.level, b.text) for b in blocks] == [
            ("heading", 1, 2, "Punkt 1: Titel"),
            ("paragraph", 3, 0, ""),
            ("heading", 5, 2, "Setext"),
            ("table", 8, 0, ""),
        ]
        part = document.render([1, 3], may_hold_html=True)
    assert part.html.startswith("<p>Tekst  her.</p>\n<table>")
    assert "skjult" not in part.html + part.markdown
    assert part.markdown.startswith("Tekst  her.\n\n| a |")
    assert render_html("**fed**") == "<p><strong>fed</strong></p>\n"


def test_parsing_and_rendering_free_what_they_allocate() -> None:
    text = (
        "## Punkt 1: Titel\n\n" + "Et afsnit med *fremhævning* og [et link](https://example.org/).\n\n" * 200
    ) * 2
    for _ in range(50):  # warm up the allocator
        render_html(text)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    for _ in range(150):  # a tree of ~1 MB and its HTML each: a leak would add well over 100 MB
        with Document(text) as document:
            blocks = document.blocks()
            document.render(list(range(len(blocks))), may_hold_html=False)
    grown_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    assert grown_kb < 30_000, f"peak memory grew by {grown_kb} KB"


def test_a_link_whose_target_was_lost_becomes_its_text() -> None:
    text = "Se [bilag](#), [mere]() og [*fed*](#) men [dette](https://example.org/).\n\n[r]: #\n\n[x][r]\n"
    with Document(text) as document:
        blocks = document.blocks()
        part = document.render(list(range(len(blocks))), may_hold_html=False, may_hold_dead_links=True)
    assert part.html == (
        '<p>Se bilag, mere og <em>fed</em> men <a href="https://example.org/">dette</a>.</p>\n<p>x</p>\n'
    )
    assert "](#)" not in part.markdown and "]()" not in part.markdown
