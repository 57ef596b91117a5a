"""Long topic and forum lists are split into pages a reader (and a phone) can take: every item once, linked both ways."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import FIXTURES, broken_links, build, copy_site, page
from sitegen import add_meetings, age, build_site, copy_inputs, differing, rewritten, snapshot

from referater.pages import FORUM_PAGE_SIZE, build_pages
from referater.pipeline import BuildOptions, load_site


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site(FIXTURES / "links", tmp_path_factory.mktemp("many"))
    # 100 a cluster, alternating forums: each forum has just over FORUM_PAGE_SIZE meetings (with the fixture's)
    add_meetings(site, ["nord", "syd"], ["politisk-niveau", "chefforum"], per_cluster=100)
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


@pytest.mark.parametrize("forum", ["politisk-niveau", "chefforum"])
def test_a_long_forum_is_split_into_linked_pages(many: Path, forum: str) -> None:
    data = json.loads((many / "data/meetings.json").read_text("utf-8"))
    expected = {f"/klynger/{m['id']}/" for m in data["meetings"] if m["forum"]["slug"] == forum}
    assert FORUM_PAGE_SIZE < len(expected) <= 2 * FORUM_PAGE_SIZE  # the fixture makes two pages
    first = page(many, f"/fora/{forum}/")  # page 1 keeps the forum's URL
    name = first.find("h1").get_text()
    assert "side" not in name
    assert first.find("main").find("p").get_text().startswith(f"{len(expected)} møder")  # all pages' total
    pager = first.find("nav", class_="pager")
    assert pager.find(attrs={"aria-current": "page"}).get_text() == "1"
    assert pager.find("a", rel="prev") is None
    assert pager.find("a", rel="next")["href"] == f"/fora/{forum}/side/2/"
    second = page(many, f"/fora/{forum}/side/2/")
    assert second.find("h1").get_text() == f"{name}, side 2 af 2"
    assert second.find("title").get_text().startswith(f"{name}, side 2 af 2 – ")
    assert second.find("link", rel="canonical")["href"].endswith(f"/fora/{forum}/side/2/")
    crumbs = [a["href"] for a in second.find("nav", class_="crumbs").find_all("a")]
    assert crumbs == ["/", "/fora/"]
    pager = second.find("nav", class_="pager")
    assert pager.find(attrs={"aria-current": "page"}).get_text() == "2"
    assert pager.find("a", rel="prev")["href"] == f"/fora/{forum}/"
    assert pager.find("a", rel="next") is None
    assert not (many / f"fora/{forum}/side/3").exists()
    listed = []
    for doc in (first, second):
        links = doc.select("main ul.meetings > li > a")
        assert all(a.find("time") for a in links)
        listed.append([(a.find("time")["datetime"], a["href"]) for a in links])
    assert len(listed[0]) == FORUM_PAGE_SIZE and len(listed[1]) == len(expected) - FORUM_PAGE_SIZE
    seen = [href for dates in listed for _, href in dates]
    assert len(seen) == len(set(seen)) and set(seen) == expected  # every meeting exactly once
    dates = [d for day in listed for d, _ in day]
    assert dates == sorted(dates, reverse=True)  # newest first, across the pages
    for doc in (first, second):  # grouped by year within a page; a heading counts the forum's whole year
        for h2 in doc.select("main h2"):
            year = h2.get_text().split()[0]
            assert int(h2.find("span", class_="count").get_text().strip("()")) == sum(
                d[:4] == year for d in dates
            )
    sitemap = (many / "sitemap.xml").read_text("utf-8")
    assert f"/fora/{forum}/side/2/</loc>" in sitemap and f"/fora/{forum}/</loc>" in sitemap


def test_a_forum_page_depends_only_on_the_meetings_it_lists(many: Path) -> None:
    site, store, _ = load_site(many.parent, BuildOptions(use_cache=False))
    pages = [p for p in build_pages(site, store) if p.kind == "forum"]
    for slug in site.config.forums:
        own = sorted((p for p in pages if p.path.startswith(f"fora/{slug}/")), key=lambda p: len(p.path))
        assert [p.path for p in own] == [f"fora/{slug}/index.html", f"fora/{slug}/side/2/index.html"]
        listed = [m.key for m in site.by_forum[slug]]
        assert [len(p.deps) for p in own] == [FORUM_PAGE_SIZE, len(listed) - FORUM_PAGE_SIZE]
        assert [k for p in own for k in p.deps] == listed  # each page the meetings it lists, in order
        assert len({p.shape for p in own}) == 2


def test_an_edited_meeting_rewrites_only_its_forum_page(many: Path, tmp_path: Path) -> None:
    site = copy_inputs(many.parent, tmp_path / "site")
    build_site(site)
    age(site / "output")
    before = snapshot(site / "output")
    oldest = site / "content/nord/2020-01-20-chefforum.md"  # the one meeting on Chefforum's page 2
    oldest.write_text(
        oldest.read_text("utf-8") + "\n## Punkt 5: Nyt punkt\n\n### Beslutning\n\nGodkendt.\n", "utf-8"
    )
    build_site(site)
    after = snapshot(site / "output")
    done = rewritten(before, after)
    assert "fora/chefforum/side/2/index.html" in done
    assert b"(5 punkter)" in after["fora/chefforum/side/2/index.html"].data
    assert "fora/chefforum/index.html" not in done
    assert not any(rel.startswith("fora/politisk-niveau/") for rel in done)
    clean = copy_inputs(site, tmp_path / "clean")
    build_site(clean, "--no-cache")
    assert differing(site / "output", clean / "output") == []


def test_paginated_site_has_no_broken_links(many: Path) -> None:
    assert broken_links(many) == []


def _kinds(doc) -> list[bool]:
    """For each listed item: True when it is a main item of the topic, False when only mentioned."""
    found = []
    for section in doc.select("main section"):
        main = section.find("h2")["id"] == "h-main"
        found += [main] * len(section.select("ul.items > li"))
    return found
