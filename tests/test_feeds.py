"""Atom feeds (RFC 4287) and iCalendar files (RFC 5545), parsed from what the build wrote."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from browser_sites import BASE_PATH, BASE_URL, based_site
from conftest import FIXTURES
from hypothesis import given, settings
from hypothesis import strategies as st

from referater.calendars import cluster_calendar
from referater.config import load_config
from referater.model import AgendaItem, Meeting, Section
from referater.relations import build_site

A = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
PUBLISHED = {  # the fixture's published meetings (the June one is a draft)
    "nord": ["2024-04-30-politisk-niveau", "2024-03-04-chefforum", "2024-02-08-politisk-niveau"],
    "syd": ["2024-05-15-politisk-niveau"],
}


def atom(path: Path) -> ET.Element:
    root = ET.parse(path).getroot()
    assert root.tag == f"{A}feed"
    return root


def check_rfc4287(feed: ET.Element) -> None:
    """The elements RFC 4287 requires of a feed and its entries (4.1.1, 4.1.2)."""
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{A}{name}")) == 1, name
    assert RFC3339.match(feed.findtext(f"{A}updated"))
    assert feed.find(f"{A}author/{A}name").text.strip()
    assert feed.find(f"{A}link[@rel='self']") is not None
    assert feed.find(f"{A}link[@rel='alternate']").get("href").startswith("http")
    ids = []
    for entry in feed.findall(f"{A}entry"):
        for name in ("id", "title", "updated"):
            assert len(entry.findall(f"{A}{name}")) == 1, name
        assert RFC3339.match(entry.findtext(f"{A}updated"))
        assert entry.find(f"{A}link[@rel='alternate']").get("href").startswith("http")
        content = entry.find(f"{A}content")
        assert content is not None and content.get("type") == "html" and content.text
        ids.append(entry.findtext(f"{A}id"))
    assert len(ids) == len(set(ids)), "entry ids must be unique"


def entry_links(feed: ET.Element) -> list[str]:
    return [e.find(f"{A}link[@rel='alternate']").get("href") for e in feed.findall(f"{A}entry")]


def test_all_feed_lists_every_published_meeting_newest_first(links_site: Path) -> None:
    feed = atom(links_site / "output/feeds/all.atom")
    check_rfc4287(feed)
    assert feed.findtext(f"{A}updated") == "2024-05-15T00:00:00Z"  # the newest meeting, not the build time
    assert entry_links(feed) == [
        "https://example.org/klynger/syd/2024-05-15-politisk-niveau/",
        "https://example.org/klynger/nord/2024-04-30-politisk-niveau/",
        "https://example.org/klynger/nord/2024-03-04-chefforum/",
        "https://example.org/klynger/nord/2024-02-08-politisk-niveau/",
    ]
    april = feed.findall(f"{A}entry")[1]
    html = april.findtext(f"{A}content")
    assert "Arbejdsgruppens kommissorium blev godkendt." in html
    assert "Salget blev godkendt." in html  # a closed item's decision is public
    assert "<h2>" in html and "&lt;" not in html  # escaped once in the XML, real HTML once parsed


def test_cluster_feeds_hold_their_own_meetings(links_site: Path) -> None:
    for cluster, slugs in PUBLISHED.items():
        feed = atom(links_site / f"output/feeds/klynger/{cluster}.atom")
        check_rfc4287(feed)
        assert entry_links(feed) == [f"https://example.org/klynger/{cluster}/{s}/" for s in slugs]
        assert feed.findtext(f"{A}updated") == f"{slugs[0][:10]}T00:00:00Z"
        assert feed.find(f"{A}author/{A}name").text == f"Sundhedsklynge {cluster.capitalize()}"


def test_topic_feed_has_an_entry_per_agenda_item(links_site: Path) -> None:
    feed = atom(links_site / "output/feeds/emner/laegedaekning.atom")
    check_rfc4287(feed)
    assert entry_links(feed) == [
        "https://example.org/klynger/syd/2024-05-15-politisk-niveau/#punkt-1",
        "https://example.org/klynger/nord/2024-04-30-politisk-niveau/#punkt-1",
        "https://example.org/klynger/nord/2024-02-08-politisk-niveau/#punkt-1",
    ]
    first = feed.find(f"{A}entry")
    assert first.findtext(f"{A}title").startswith("Plejehjemslæger i Syd")
    assert "Syd følger Nords model for plejehjemslæger." in first.findtext(f"{A}content")
    dnlp = atom(links_site / "output/feeds/emner/dnlp.atom")
    assert entry_links(dnlp) == ["https://example.org/klynger/nord/2024-03-04-chefforum/#punkt-1"]


def test_pages_link_to_feeds_that_exist(links_site: Path) -> None:
    out = links_site / "output"
    for cluster in PUBLISHED:
        assert (out / f"feeds/klynger/{cluster}.atom").is_file()
        assert (out / f"kalender/{cluster}.ics").is_file()
    for topic in ("laegedaekning", "forebyggelse", "dnlp"):
        assert (out / f"feeds/emner/{topic}.atom").is_file()


# --- iCalendar ---------------------------------------------------------------------------------------


def unfold(data: bytes) -> list[str]:
    """RFC 5545 3.1: every line ends in CRLF, is at most 75 octets; a leading space continues a line."""
    assert data.endswith(b"\r\n")
    physical = data[:-2].split(b"\r\n")
    for line in physical:
        assert b"\n" not in line and b"\r" not in line, "bare LF or CR"
        assert len(line) <= 75, f"line longer than 75 octets: {line!r}"
    logical: list[bytes] = []
    for line in physical:
        if line[:1] in (b" ", b"\t"):
            logical[-1] += line[1:]
        else:
            logical.append(line)
    return [line.decode("utf-8") for line in logical]  # folding never cut a character in two


def unescape(text: str) -> str:
    return re.sub(r"\\([\\;,nN])", lambda m: "\n" if m.group(1) in "nN" else m.group(1), text)


def parse_ics(data: bytes) -> list[dict]:
    """Components as dicts: name → (params, value); nested components under '_children'."""
    stack: list[dict] = [{"_name": "ROOT", "_children": []}]
    for line in unfold(data):
        name_params, _, value = line.partition(":")
        name, *params = name_params.split(";")
        if name == "BEGIN":
            component = {"_name": value, "_children": []}
            stack[-1]["_children"].append(component)
            stack.append(component)
        elif name == "END":
            assert stack.pop()["_name"] == value, f"END:{value} does not close its BEGIN"
        else:
            assert re.fullmatch(r"[A-Z][A-Z0-9-]*", name), line
            stack[-1][name] = (params, value)
    assert len(stack) == 1, "unclosed component"
    return stack[0]["_children"]


def calendar(path: Path) -> dict:
    [cal] = parse_ics(path.read_bytes())
    assert cal["_name"] == "VCALENDAR"
    assert cal["VERSION"][1] == "2.0" and cal["PRODID"][1]
    return cal


def events(cal: dict) -> list[dict]:
    found = [c for c in cal["_children"] if c["_name"] == "VEVENT"]
    zones = {c["TZID"][1] for c in cal["_children"] if c["_name"] == "VTIMEZONE"}
    for event in found:
        for required in ("UID", "DTSTAMP", "DTSTART", "SUMMARY", "URL", "DESCRIPTION"):
            assert required in event, required
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"][1])
        for param in event["DTSTART"][0]:
            if param.startswith("TZID="):
                assert param[5:] in zones, "DTSTART names a time zone the calendar does not define"
    assert len({e["UID"][1] for e in found}) == len(found)
    return found


def test_calendar_has_every_published_meeting_of_the_cluster(links_site: Path) -> None:
    nord = events(calendar(links_site / "output/kalender/nord.ics"))
    assert sorted(e["URL"][1] for e in nord) == sorted(
        f"https://example.org/klynger/nord/{s}/" for s in PUBLISHED["nord"]
    )
    feb = next(e for e in nord if "2024-02-08" in e["URL"][1])
    assert feb["DTSTART"] == (["TZID=Europe/Copenhagen"], "20240208T100000")
    assert feb["DTSTAMP"][1] == "20240208T000000Z"  # from the meeting date, not the clock
    assert feb["LOCATION"][1] == "Rådhuset\\, Nordby" and unescape(feb["LOCATION"][1]) == "Rådhuset, Nordby"
    assert unescape(feb["SUMMARY"][1]) == "Politisk niveau, Sundhedsklynge Nord, 8. februar 2024"
    assert "Punkt 1: Lægedækning i Nordby\nPunkt 2: Eventuelt" in unescape(feb["DESCRIPTION"][1])
    assert [e["URL"][1] for e in events(calendar(links_site / "output/kalender/syd.ics"))] == [
        "https://example.org/klynger/syd/2024-05-15-politisk-niveau/"
    ]


def test_calendar_escapes_text_and_uses_a_date_when_the_time_is_unknown() -> None:
    config = load_config(FIXTURES / "links")
    item = AgendaItem(1, "Budget; 2025, del\\1", (Section("Beslutning", "Godkendt.", 3),), 2)
    meeting = Meeting(
        cluster="syd",
        forum="chefforum",
        date=dt.date(2025, 1, 9),
        path="x.md",
        digest="d",
        items=(item,),
        location="Lokale 1; Sygehuset, Vej 2\\3\nIndgang B – 1. sal, æøå " * 3,
    )
    [event] = events(calendar_of(cluster_calendar(build_site([meeting], config), "syd")))
    assert event["DTSTART"] == (["VALUE=DATE"], "20250109")
    assert unescape(event["LOCATION"][1]) == meeting.location
    assert "Punkt 1: Budget; 2025, del\\1" in unescape(event["DESCRIPTION"][1])


def calendar_of(data: bytes) -> dict:
    [cal] = parse_ics(data)
    return cal


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=400))
def test_calendar_text_is_folded_short_and_unfolds_to_the_original(text: str) -> None:
    """icalendar escapes and folds; whatever a location says comes back whole from the calendar."""
    config = load_config(FIXTURES / "links")
    item = AgendaItem(1, "Eventuelt", (Section("Beslutning", "Intet.", 3),), 2)
    meeting = Meeting(
        cluster="syd",
        forum="chefforum",
        date=dt.date(2025, 1, 9),
        path="x.md",
        digest="d",
        items=(item,),
        time="09:00",
        location=text.strip() or "x",
    )
    [event] = events(calendar_of(cluster_calendar(build_site([meeting], config), "syd")))  # unfold checks 75
    assert unescape(event["LOCATION"][1]) == meeting.location
    assert event["DTEND"] == (["TZID=Europe/Copenhagen"], "20250109T110000")  # the default 120 minutes


# --- under a base path --------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def based(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return based_site(tmp_path_factory) / "output"


def test_feeds_and_calendars_use_the_base_path(based: Path) -> None:
    feed = atom(based / "feeds/all.atom")
    assert feed.find(f"{A}link[@rel='self']").get("href") == BASE_URL + "feeds/all.atom"
    assert feed.find(f"{A}link[@rel='alternate']").get("href") == BASE_URL
    for href in entry_links(feed) + entry_links(atom(based / "feeds/emner/laegedaekning.atom")):
        assert href.startswith(BASE_URL + "klynger/")
        assert (based / href[len(BASE_URL) :].split("#")[0] / "index.html").is_file(), href
    for event in events(calendar(based / "kalender/nord.ics")):
        assert event["URL"][1].startswith(BASE_URL + "klynger/nord/")
    cluster_page = (based / "klynger/nord/index.html").read_text("utf-8")
    assert f'href="{BASE_PATH}feeds/klynger/nord.atom"' in cluster_page
    assert f'href="{BASE_PATH}kalender/nord.ics"' in cluster_page
