"""What crawlers and link previews see: sitemap.xml, robots.txt, the 404 page, canonical and Open Graph."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser_sites import BASE_PATH, BASE_URL, based_site
from conftest import page

SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
PAGE_TYPES = {
    "/": "website",
    "/klynger/nord/": "website",
    "/fora/politisk-niveau/": "website",
    "/emner/laegedaekning/": "website",
    "/sager/24-1001/": "website",
    "/2024/": "website",
    "/2024/04/": "website",
    "/klynger/nord/2024-04-30-politisk-niveau/": "article",
    "/soeg/": "website",
}


@pytest.fixture(scope="module")
def based(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return based_site(tmp_path_factory) / "output"


def sitemap_urls(out: Path) -> list[str]:
    root = ET.parse(out / "sitemap.xml").getroot()
    assert root.tag == f"{SM}urlset"
    return [loc.text for loc in root.iter(f"{SM}loc")]


def test_sitemap_lists_every_page_but_search_and_404(links_site: Path) -> None:
    out = links_site / "output"
    urls = sitemap_urls(out)
    assert len(urls) == len(set(urls))
    pages = {
        "https://example.org/" + p.relative_to(out).as_posix().removesuffix("index.html")
        for p in out.rglob("*.html")
    }
    assert set(urls) == pages - {"https://example.org/soeg/", "https://example.org/404.html"}
    assert "https://example.org/klynger/nord/2024-06-01-politisk-niveau/" not in urls  # the draft


def test_robots_points_at_the_sitemap(links_site: Path, based: Path) -> None:
    robots = (links_site / "output/robots.txt").read_text("utf-8").splitlines()
    assert "User-agent: *" in robots and "Sitemap: https://example.org/sitemap.xml" in robots
    assert f"Sitemap: {BASE_URL}sitemap.xml" in (based / "robots.txt").read_text("utf-8").splitlines()
    assert all(u.startswith(BASE_URL) for u in sitemap_urls(based))


def test_404_page_is_danish_and_links_onwards(links_site: Path, based: Path) -> None:
    doc = page(links_site / "output", "/404.html")
    assert doc.html["lang"] == "da"
    assert doc.find("h1").get_text(strip=True) == "Siden findes ikke"
    links = {a["href"] for a in doc.find("main").find_all("a")}
    assert {"/", "/soeg/", "/arkiv/"} <= links
    # A 404 page is served at any depth, so under a base path its links must be absolute paths.
    based_links = {a["href"] for a in page(based, "/404.html").find_all(["a", "link"], href=True)}
    assert all(h.startswith((BASE_PATH, "http", "#")) for h in based_links), based_links


@pytest.mark.parametrize("url", list(PAGE_TYPES))
def test_canonical_description_and_open_graph(based: Path, url: str) -> None:
    doc = page(based, url)
    expected = BASE_URL + url.lstrip("/")
    assert doc.find("link", rel="canonical")["href"] == expected
    meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.find_all("meta")}
    assert meta["og:url"] == expected
    assert meta["og:type"] == PAGE_TYPES[url]
    assert meta["og:title"] and meta["og:site_name"] and meta["og:locale"] == "da_DK"
    title = doc.find("title").get_text()
    assert meta["og:title"] in title
    if url != "/soeg/":
        assert meta["description"] and meta["og:description"] == meta["description"], url
