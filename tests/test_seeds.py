"""The real content (the five seed referater) built into a temporary site, checked on the HTML it wrote."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from conftest import page, soup

SEEDS = {
    "/klynger/fyn/2023-12-05-fagligt-strategisk-niveau/": 9,
    "/klynger/sydvestjylland/2023-12-05-politisk-niveau/": 11,
    "/klynger/midt/2025-02-04-chefforum/": 10,
    "/klynger/soenderjylland/2024-04-22-fagligt-strategisk-niveau/": 3,
    "/klynger/nykoebing-falster/2024-04-22-politisk-niveau/": 10,
}
FYN, SVJ, MIDT, SJ, NFS = SEEDS


@pytest.mark.parametrize("url", SEEDS)
def test_every_agenda_item_of_each_seed_is_published_with_an_anchor(real_site: Path, url: str) -> None:
    doc = page(real_site / "output", url)
    items = doc.select("section.item")
    assert len(items) == SEEDS[url]
    assert [s["id"] for s in items] == [f"punkt-{n}" for n in _numbers(doc)]
    overview = doc.find(id="beslutninger").parent
    assert len(overview.select("ol.decisions > li")) == SEEDS[url]
    assert len(doc.find_all("h1")) == 1


def _numbers(doc) -> list[int]:
    return [
        int(h.find("span", class_="num").get_text().split()[1].rstrip(":"))
        for h in doc.select("section.item > h2")
    ]


@pytest.mark.parametrize(
    ("topic", "expected"),
    [
        ("laegedaekning", [(SJ, 1), (NFS, 4), (SVJ, 10)]),
        ("dnlp", [(FYN, 5), (MIDT, 4), (NFS, 8)]),
        ("forebyggelse", [(FYN, 2)]),
    ],
)
def test_topic_pages_list_the_expected_items(real_site: Path, topic: str, expected: list) -> None:
    doc = page(real_site / "output", f"/emner/{topic}/")
    listed = [a["href"] for a in doc.select("ul.items > li > a")]
    for url, number in expected:
        assert f"{url}#punkt-{number}" in listed


def test_title_matches_rank_above_mentions(real_site: Path) -> None:
    doc = page(real_site / "output", "/emner/laegedaekning/")
    main = [a["href"] for a in doc.find(id="h-main").parent.select("ul.items > li > a")]
    assert f"{SJ}#punkt-1" in main and f"{NFS}#punkt-4" in main
    assert f"{SVJ}#punkt-10" not in main  # mentioned in passing only


def test_sydvestjylland_participants_and_absentees(real_site: Path) -> None:
    people = page(real_site / "output", SVJ).find(id="deltagere").parent
    absent = [li.get_text(strip=True) for li in people.find_all("h3")[1].find_next("ul").find_all("li")]
    assert absent == ["Mette Bossen Linnet, V", "Pernelle Jensen, V", "Mette With Hagensen, A"]
    assert "Bo Libergren, V" in people.get_text()


def test_case_numbers_are_shown_per_item(real_site: Path) -> None:
    svj = page(real_site / "output", SVJ)
    assert "22/43402" in svj.find(id="punkt-1").find("p", class_="item-meta").get_text()
    nfs = page(real_site / "output", NFS)
    assert "EMN-2022-08415" in nfs.find(id="punkt-4").find("p", class_="item-meta").get_text()


def test_danish_dates_and_pages_per_cluster_forum_year_month(real_site: Path) -> None:
    out = real_site / "output"
    assert "tirsdag 5. december 2023" in page(out, FYN).find("dl", class_="facts").get_text()
    assert page(out, "/klynger/fyn/").find("a", href=FYN) is not None
    assert page(out, "/fora/politisk-niveau/").find("a", href=NFS) is not None
    assert page(out, "/2024/").find("a", href=SJ) is not None
    assert page(out, "/2024/04/").find("a", href=NFS) is not None
    years = [a.get_text() for a in page(out, "/arkiv/").select("main h2 a")]
    assert years == ["2025", "2024", "2023"]  # newest first


def test_everything_is_within_three_clicks_of_home(real_site: Path) -> None:
    out = real_site / "output"
    depth = {"/": 0}
    targets: dict[str, int] = {}
    queue = deque(["/"])
    while queue:
        url = queue.popleft()
        if depth[url] == 3:
            continue
        for a in page(out, url).find_all("a", href=True):
            parts = urlsplit(a["href"])
            path = parts.path or url  # "#punkt-3" is on this page
            if parts.scheme or parts.netloc or not path.endswith("/"):
                continue
            if parts.fragment:
                targets.setdefault(f"{path}#{parts.fragment}", depth[url] + 1)
            if path not in depth:
                depth[path] = depth[url] + 1
                queue.append(path)
    wanted = [p.parent for p in out.rglob("index.html") if "soeg" not in p.parts]
    for directory in wanted:
        url = "/" + str(directory.relative_to(out)).replace(".", "") + "/"
        url = url.replace("//", "/")
        assert url in depth and depth[url] <= 3, f"{url} is not within three clicks"
    for url in SEEDS:
        for number in _numbers(page(out, url)):
            assert targets.get(f"{url}#punkt-{number}", 9) <= 3


def test_no_raw_markup_from_the_importer_leaks_into_pages(real_site: Path) -> None:
    for path in (real_site / "output/klynger").rglob("index.html"):
        text = soup(path).find("main").get_text()
        assert "**" not in text and "\n## " not in text and "Indholdsfortegnelse" not in text
