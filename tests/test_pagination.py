"""Long topic lists are split into pages a reader (and a phone) can take: every item once, linked both ways."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, broken_links, build, copy_site, page
from sitegen import add_meetings


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site(FIXTURES / "links", tmp_path_factory.mktemp("many"))
    add_meetings(site, ["nord", "syd"], ["politisk-niveau", "chefforum"], per_cluster=40)
    build(site)
    return site / "output"


def test_a_long_topic_is_split_into_linked_pages(many: Path) -> None:
    first = page(many, "/emner/laegedaekning/")
    items = [a["href"] for a in first.select("main ul.items > li > a")]
    assert len(items) == 50
    pager = first.find("nav", class_="pager")
    pages = [a["href"] for a in pager.find_all("a") if a.get_text().isdigit()]
    assert pages and pages[0] == "/emner/laegedaekning/side/2/"
    assert pager.find(attrs={"aria-current": "page"}).get_text() == "1"
    seen = list(items)
    kinds = _kinds(first)
    for url in pages:
        doc = page(many, url)
        assert doc.find("nav", class_="pager").find("a", rel="prev") is not None
        assert doc.find("h1").get_text().startswith("Lægedækning, side ")
        seen += [a["href"] for a in doc.select("main ul.items > li > a")]
        kinds += _kinds(doc)
    assert len(seen) == len(set(seen))  # every item exactly once across the pages
    count = int(first.find("main").find("p", class_=None).get_text().split()[0])
    assert len(seen) == count  # the count on page 1 is the number of items on all pages
    assert kinds[0] and kinds == sorted(kinds, reverse=True)  # main items first, across all pages
    assert "/emner/laegedaekning/side/2/" in (many / "sitemap.xml").read_text("utf-8")


def test_paginated_site_has_no_broken_links(many: Path) -> None:
    assert broken_links(many) == []


def _kinds(doc) -> list[bool]:
    """For each listed item: True when it is a main item of the topic, False when only mentioned."""
    found = []
    for section in doc.select("main section"):
        main = section.find("h2")["id"] == "h-main"
        found += [main] * len(section.select("ul.items > li"))
    return found
