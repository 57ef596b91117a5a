"""Cross-links computed once for the whole site, checked on a fixture built into a temp dir."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import broken_links, page

NORD_FEB = "/klynger/nord/2024-02-08-politisk-niveau/"
NORD_APR = "/klynger/nord/2024-04-30-politisk-niveau/"
NORD_CHEF = "/klynger/nord/2024-03-04-chefforum/"
SYD_MAY = "/klynger/syd/2024-05-15-politisk-niveau/"


def item(doc, number: int):
    section = doc.find(id=f"punkt-{number}")
    assert section is not None, f"no punkt-{number}"
    return section


def hrefs(tag) -> dict[str, str]:
    return {a.get_text(" ", strip=True): a["href"] for a in tag.find_all("a")}


def test_previous_and_next_follow_cluster_and_forum(links_site: Path) -> None:
    out = links_site / "output"
    feb, apr = page(out, NORD_FEB), page(out, NORD_APR)
    assert feb.find("a", rel="next")["href"] == NORD_APR
    assert feb.find("a", rel="prev") is None
    assert apr.find("a", rel="prev")["href"] == NORD_FEB
    assert apr.find("a", rel="next") is None  # the only later meeting is a draft
    assert page(out, NORD_CHEF).find("a", rel="prev") is None  # another forum is another series


def test_date_references_link_to_meetings_of_the_same_cluster(links_site: Path) -> None:
    apr = page(links_site / "output", NORD_APR)
    links = hrefs(item(apr, 1))
    assert links["8. februar 2024"] == NORD_FEB
    assert links["4. marts"] == NORD_CHEF  # year inferred from the text around it
    assert "30/4 2024" not in links  # the meeting itself
    assert "05-12-2023" not in hrefs(item(apr, 3))  # no meeting that day
    syd = page(links_site / "output", SYD_MAY)
    assert "8. februar 2024" not in hrefs(item(syd, 1))  # Syd has no meeting that day


def test_referred_meetings_list_backlinks(links_site: Path) -> None:
    out = links_site / "output"
    for target in (NORD_FEB, NORD_CHEF):
        section = page(out, target).find(id="omtalt").parent
        assert [a["href"] for a in section.find_all("a")] == [f"{NORD_APR}#punkt-1"]
    assert page(out, SYD_MAY).find(id="omtalt") is None


def test_items_sharing_a_case_number_have_a_case_history(links_site: Path) -> None:
    out = links_site / "output"
    expected = [f"{NORD_FEB}#punkt-1", f"{NORD_APR}#punkt-1", f"{SYD_MAY}#punkt-1"]
    case = page(out, "/sager/24-1001/")
    assert sorted(a["href"] for a in case.select("main ul.items a")) == sorted(expected)
    history = item(page(out, NORD_APR), 1).find("nav", class_="history")
    assert history is not None and "Sagens forløb" in history.get_text()
    linked = [a["href"] for a in history.find_all("a")]
    assert linked == [expected[0], expected[2]]  # the others, oldest first; this item is marked current
    assert history.find(attrs={"aria-current": "true"}) is not None
    assert page(out, "/sager/").find("a", href="/sager/24-1001/") is not None


def test_mentions_of_other_clusters_link_to_their_page(links_site: Path) -> None:
    out = links_site / "output"
    assert hrefs(item(page(out, NORD_APR), 1))["Sundhedsklynge Syd"] == "/klynger/syd/"
    syd_links = hrefs(item(page(out, SYD_MAY), 1))
    assert syd_links["Sundhedsklynge Nord"] == "/klynger/nord/"
    assert syd_links["NK Sundhedsklynge"] == "/klynger/nord/"


def test_related_meetings_share_topics_other_clusters_first(links_site: Path) -> None:
    out = links_site / "output"
    related = page(out, SYD_MAY).find(id="relaterede").parent
    urls = [a["href"] for a in related.find_all("a")]
    assert urls and all(u.startswith("/klynger/nord/") for u in urls)
    assert NORD_FEB in urls and NORD_APR in urls
    nord = [a["href"] for a in page(out, NORD_FEB).find(id="relaterede").parent.find_all("a")]
    assert nord[0] == SYD_MAY  # another cluster ranks first


def test_topic_page_ranks_title_matches_above_mentions(links_site: Path) -> None:
    doc = page(links_site / "output", "/emner/laegedaekning/")
    main = [a["href"] for a in doc.find(id="h-main").parent.select("ul.items > li > a")]
    assert main == [f"{SYD_MAY}#punkt-1", f"{NORD_APR}#punkt-1", f"{NORD_FEB}#punkt-1"]  # newest first
    snippets = doc.select("p.snippet")
    assert any("plejehjemslæger" in s.get_text() for s in snippets)
    prevention = page(links_site / "output", "/emner/forebyggelse/")
    assert prevention.find("a", href=f"{NORD_APR}#punkt-3") is not None


def test_meeting_page_facts_and_json_ld(links_site: Path) -> None:
    doc = page(links_site / "output", NORD_FEB)
    assert doc.find("h1").get_text(strip=True) == "Politisk niveau, Sundhedsklynge Nord, 8. februar 2024"
    assert "torsdag 8. februar 2024" in doc.find("dl", class_="facts").get_text()
    people = doc.find(id="deltagere").parent.get_text(" ", strip=True)
    assert "Anna Andersen, A" in people and "Fraværende (1) Bent Berg, V" in people
    data = json.loads(doc.find("script", type="application/ld+json").string)
    assert data["@type"] == "Event"
    assert data["startDate"] == "2024-02-08T10:00:00+01:00"
    assert data["location"]["name"] == "Rådhuset, Nordby"
    assert data["organizer"]["name"] == "Sundhedsklynge Nord"
    overview = doc.find(id="beslutninger").parent
    assert [a["href"] for a in overview.find_all("a")] == ["#punkt-1", "#punkt-2"]
    assert "arbejdsgruppe" in overview.get_text()


def test_closed_items_show_title_and_decision_only(links_site: Path) -> None:
    doc = page(links_site / "output", NORD_APR)
    closed = item(doc, 2)
    assert "Salg af bygning" in closed.find("h2").get_text()
    assert "Salget blev godkendt." in closed.get_text()
    assert [h.get_text() for h in closed.find_all("h3")] == ["Beslutning"]
    assert item(page(links_site / "output", SYD_MAY), 2).find("h3") is None


def test_no_closed_text_or_draft_anywhere_in_output(links_site: Path) -> None:
    for path in (links_site / "output").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            for canary in (b"CANARY-CLOSED-7f3a9", b"CANARY-CLOSED-2b8e1", b"CANARY-DRAFT-1c2d3"):
                assert canary not in data, f"{canary!r} leaked into {path}"
    assert not (links_site / "output/klynger/nord/2024-06-01-politisk-niveau").exists()


def test_every_internal_link_and_anchor_resolves(links_site: Path) -> None:
    assert broken_links(links_site / "output") == []
