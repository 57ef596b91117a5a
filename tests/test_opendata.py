"""Open data: /data/meetings.json and meeting.json, validated against docs/meetings.schema.json."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from browser_sites import BASE_URL, based_site
from conftest import ROOT, page
from hypothesis import given, settings
from hypothesis import strategies as st

from referater.opendata import _dump

SCHEMA = json.loads((ROOT / "docs/meetings.schema.json").read_text("utf-8"))
NORD_APR = "klynger/nord/2024-04-30-politisk-niveau/"


def validator(ref: str | None = None) -> jsonschema.Draft202012Validator:
    # One definition (ref) is checked with the others still resolvable.
    schema = {"$schema": SCHEMA["$schema"], "$defs": SCHEMA["$defs"], "$ref": ref} if ref else SCHEMA
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())


def load(path: Path) -> dict:
    return json.loads(path.read_text("utf-8"))


def test_schema_in_the_docs_is_the_schema_file() -> None:
    doc = (ROOT / "docs/open-data.md").read_text("utf-8")
    assert "meetings.schema.json" in doc
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_meetings_json_is_valid_and_holds_every_published_meeting(links_site: Path) -> None:
    data = load(links_site / "output/data/meetings.json")
    validator().validate(data)
    assert [m["id"] for m in data["meetings"]] == [
        "syd/2024-05-15-politisk-niveau",
        "nord/2024-04-30-politisk-niveau",
        "nord/2024-03-04-chefforum",
        "nord/2024-02-08-politisk-niveau",
    ]  # newest first, the draft left out
    assert {c["slug"] for c in data["clusters"]} == {"nord", "syd"}


def test_meeting_json_beside_each_meeting_page_matches_the_site(links_site: Path) -> None:
    out = links_site / "output"
    everything = load(out / "data/meetings.json")["meetings"]
    one = validator("#/$defs/meeting")
    for meeting in everything:
        path = out / "klynger" / meeting["id"] / "meeting.json"
        single = load(path)
        one.validate(single)
        assert single == meeting
        meeting_page = page(out, "/klynger/" + meeting["id"] + "/")
        assert (
            meeting_page.find("link", type="application/json")["href"]
            == f"/klynger/{meeting['id']}/meeting.json"
        )


def test_meeting_json_content(links_site: Path) -> None:
    m = load(links_site / "output" / NORD_APR / "meeting.json")
    assert m["date"] == "2024-04-30" and m["time"] == "10:00" and m["location"] == "Rådhuset, Nordby"
    assert m["links"]["html"] == "https://example.org/" + NORD_APR
    assert m["links"]["json"] == "https://example.org/" + NORD_APR + "meeting.json"
    assert m["topics"] == ["forebyggelse", "laegedaekning"]
    assert m["cases"] == ["24/1001"]
    first, closed, third = m["items"]
    assert first["url"] == "https://example.org/" + NORD_APR + "#punkt-1"
    assert first["cases"] == [{"number": "24/1001", "url": "https://example.org/sager/24-1001/"}]
    assert {"slug": "laegedaekning", "main": True} in first["topics"]
    assert [s["heading"] for s in first["sections"]] == ["Sagsfremstilling", "Beslutning"]
    assert first["decision"] == {
        "markdown": "Arbejdsgruppens kommissorium blev godkendt.",
        "text": "Arbejdsgruppens kommissorium blev godkendt.",
    }
    assert closed["closed"] is True and closed["title"] == "Lukket punkt – Salg af bygning"
    assert [s["heading"] for s in closed["sections"]] == ["Beslutning"]  # the body was never loaded
    assert {"slug": "forebyggelse", "main": True} in third["topics"]
    feb = load(links_site / "output/klynger/nord/2024-02-08-politisk-niveau/meeting.json")
    assert feb["participants"] == [
        {"name": "Anna Andersen", "organisation": "A", "role": "", "absent": False},
        {"name": "Bent Berg", "organisation": "V", "role": "", "absent": True},
    ]


def test_closed_item_without_decision_has_null_decision(links_site: Path) -> None:
    syd = load(links_site / "output/klynger/syd/2024-05-15-politisk-niveau/meeting.json")
    closed = syd["items"][1]
    assert closed["closed"] is True and closed["decision"] is None and closed["sections"] == []


def test_open_data_is_deterministic_and_sorted(links_site: Path) -> None:
    raw = (links_site / "output/data/meetings.json").read_text("utf-8")
    data = json.loads(raw)
    assert raw == json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    single = (links_site / "output" / NORD_APR / "meeting.json").read_text("utf-8")
    assert (
        single
        == json.dumps(json.loads(single), ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    )
    assert json.loads(single) == next(
        m for m in data["meetings"] if m["id"] == NORD_APR.strip("/").split("/", 1)[1]
    )


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_JSON_VALUES)
def test_meeting_json_bytes_are_those_of_json_dumps(value: object) -> None:
    expected = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    assert _dump(value) == expected.encode("utf-8")


def test_meeting_json_escapes_as_json_dumps() -> None:
    text = "".join(map(chr, range(0x80))) + '"\\/\u2028\u2029\ufeff\u00e6\U0001f600'
    assert _dump({"ø": text, "a": [None, True, -1]}) == (
        json.dumps(
            {"ø": text, "a": [None, True, -1]}, ensure_ascii=False, sort_keys=True, separators=(",", ":")
        )
        + "\n"
    ).encode("utf-8")


@pytest.fixture(scope="module")
def based(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return based_site(tmp_path_factory) / "output"


def test_open_data_urls_use_the_base_path_and_resolve(based: Path) -> None:
    data = load(based / "data/meetings.json")
    validator().validate(data)
    assert data["site"]["url"] == BASE_URL
    urls = [c["url"] for c in data["clusters"]] + [c["feed"] for c in data["clusters"]]
    for m in data["meetings"]:
        urls += [m["links"]["html"], m["links"]["json"], m["links"]["calendar"]]
        urls += [i["url"] for i in m["items"]]
    for url in urls:
        assert url.startswith(BASE_URL), url
        target = based / url[len(BASE_URL) :].split("#")[0]
        assert (target / "index.html" if url.split("#")[0].endswith("/") else target).is_file(), url
    footer = page(based, "/index.html").find("a", string="Åbne data (JSON)")
    assert footer["href"] == "/referater/data/meetings.json"
