"""add_links skips sections by a pre-check on the whole HTML: the result must be the same as the full pass
over every text node (kept here as the reference), including how the year context moves."""

from __future__ import annotations

import html
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from referater import mdrender
from referater.cmark import render_html as render_cmark
from referater.dates import DateScanner, may_name_day
from referater.mdrender import LinkContext, add_links

NAMES = [
    "Sundhedsklynge Fyn",
    "Sundhedsklynge Fyn Nord",
    "Sundhedsklynge Midt",
    "Sundhedsklynge Sønderjylland",
]
PATTERN = re.compile(
    r"(?<!\w)(" + "|".join(re.escape(n) for n in sorted(NAMES, key=len, reverse=True)) + r")(?![\w-])",
    re.IGNORECASE,
)


def context(year: int = 2024) -> LinkContext:
    return LinkContext(
        year=year,
        date_links={"2024-03-04": "/m/a/", "2023-12-05": "/m/b/", "2024-04-30": "/m/c/"},
        cluster_links={n.lower(): f"/k/{i}/" for i, n in enumerate(NAMES) if n != "Sundhedsklynge Fyn"},
        cluster_pattern=PATTERN,
    )


def reference(rendered: str, context: LinkContext) -> str:
    """add_links as it was before the pre-check: every text node scanned."""
    if not context.date_links and not context.cluster_links:
        return rendered
    parts = mdrender._TAG.split(rendered)
    skip = 0
    scanner = DateScanner(context.year)
    for index, part in enumerate(parts):
        if index % 2:
            if mdrender._OPENS.match(part):
                skip += 1
            elif mdrender._CLOSES.match(part):
                skip = max(0, skip - 1)
            continue
        if part and not skip:
            spans = [
                (r.start, r.end, url)
                for r in scanner.scan(part)
                if (url := context.date_links.get(r.date.isoformat()))
            ]
            for match in PATTERN.finditer(part):
                url = context.cluster_links.get(match.group(1).lower())
                if url and not any(s < match.end() and match.start() < e for s, e, _ in spans):
                    spans.append((match.start(), match.end(), url))
            out, position = [], 0
            for start, end, url in sorted(spans):
                out += [part[position:start], f'<a href="{html.escape(url)}">{part[start:end]}</a>']
                position = end
            parts[index] = "".join(out) + part[position:]
        elif part:
            for _ in scanner.scan(html.unescape(part)):
                pass
    return "".join(parts)


WORDS = [
    "4. marts", "4.marts", "30. april 2024", "30/4", "d. 30/4", "den 4/3", "5/12 2023", "05-12-2023",
    "05.12.2023", "2023-12-05", "2024", "2023", "1999", "3/4", "30.4.", "4. MARTS", "4. ma\u017fts",
    "Sundhedsklynge Fyn", "sundhedsklynge fyn nord", "Sundhedsklynge Midt-", "SUNDHEDSKLYNGE MIDT",
    "Sundhedsklynge Sønderjylland", "x", "og", "\n\n", "\n", " ", "*", "`", "[link](http://e.dk)",
    "<b>", "</b>", "&amp;", "&#50;024", "# ", "- ", "1. ", "```\n", "> ", "\u0665", "5. maj",
]  # fmt: skip


@pytest.mark.parametrize("year", [2023, 2024])
def test_the_date_precheck_never_rules_out_a_date_the_scanner_finds(year: int) -> None:
    """dates.may_name_day is the pre-check beside the pattern it knows: every date a scanner finds in a
    text (with any year context) is one the pre-check says may be there."""
    for first in WORDS:
        for second in WORDS:
            text = f"{first} og {second}."
            for ref in DateScanner(year).scan(text):
                assert may_name_day(text, frozenset({(ref.date.day, ref.date.month)})), text
    assert not may_name_day("4. marts 2024", frozenset({(5, 3)}))
    assert not may_name_day("ingen datoer her", frozenset({(4, 3)}))


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(WORDS), max_size=30), st.sampled_from([2023, 2024]))
def test_same_links_as_every_text_node(words: list[str], year: int) -> None:
    rendered = render_cmark(" ".join(words))
    links = context(year)
    assert add_links(rendered, links) == reference(rendered, links)


def test_year_context_runs_through_skipped_and_digitless_text() -> None:
    links = context()
    for text in (
        "Møde 5. december 2023 ... senere den 4. marts",
        "`2023` og så 4. marts",
        "[5. december 2023](http://x.dk) og *fyn* 4. marts",
        "2023\n\n- Sundhedsklynge Midt\n- 4. marts\n\nSundhedsklynge Fyn 30. april",
    ):
        rendered = render_cmark(text)
        assert add_links(rendered, links) == reference(rendered, links)
    assert '<a href="/m/a/">4. marts</a>' in add_links(render_cmark("Den 4. marts"), links)
    assert "<a" not in add_links(render_cmark("Fra 2023 til 4. marts"), links)
    assert "<a" not in add_links(render_cmark("`2023` og 4. marts"), links)  # the year in code counts
