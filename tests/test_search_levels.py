"""The levels of the search index through a series of edits: after each build, the records a browser keeps
(static/search.js's rule: a record's level is its `level` meta, the base when it has none; the manifest's
mask for that level drops it) are exactly one per published meeting, its newest version, and never a
deleted meeting. Read from the manifest and the bundles the build wrote."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from browser_sites import decoded
from conftest import FIXTURES, copy_site
from test_search import _files, fragments, manifest

from referater.pipeline import build
from referater.search import index as search_index
from referater.search import levels as search_levels
from referater.search.levels import DELTA, RECENT, plan_levels, scrub, superseded, withdrawn

FEB = "nord/2024-02-08-politisk-niveau"
MAR = "nord/2024-03-04-chefforum"
APR = "nord/2024-04-30-politisk-niveau"
MAY = "syd/2024-05-15-politisk-niveau"


def url(meeting: str) -> str:
    return f"/klynger/{meeting}/"


def visible(out: Path) -> dict[str, dict]:
    """The records the browser keeps, by meeting; a meeting kept twice fails here."""
    listed = manifest(out)
    masks = {level: set(ids) for level, ids in listed["mask"].items()}
    kept: dict[str, dict] = {}
    for bundle in [*listed["bundles"], *listed["levels"]]:
        for meeting, record in fragments(out, bundle).items():
            level = record["meta"].get("level", "base")
            assert level == (bundle if bundle in listed["levels"] else "base"), (bundle, meeting)
            if meeting in masks.get(level, {meeting}):
                continue
            assert meeting not in kept, f"{meeting} twice, the second time in {bundle}"
            kept[meeting] = record
    return kept


def published(out: Path) -> set[str]:
    return {
        "/" + p.parent.relative_to(out).as_posix() + "/" for p in (out / "klynger").glob("*/*/index.html")
    }


def expect(site: Path, words: dict[str, str | None]) -> dict[str, dict]:
    """Every published meeting shown once; each meeting named in `words` shows that word (None: gone)."""
    out = site / "output"
    shown = visible(out)
    assert set(shown) == published(out)
    for meeting, word in words.items():
        if word is None:
            assert url(meeting) not in shown and url(meeting) not in published(out)
        else:
            assert word in shown[url(meeting)]["content"], (meeting, word)
    return shown


def edit(site: Path, meeting: str, word: str) -> None:
    """Put `word` into the meeting's first decision, in place of the word an earlier edit put there."""
    path = site / "content" / f"{meeting}.md"
    text = path.read_text("utf-8")
    start = text.find("\n\nkvasi")
    if start >= 0:
        text = text[:start] + text[text.index("\n", start + 2) :]
    path.write_text(text.replace("### Beslutning\n", f"### Beslutning\n\n{word}\n", 1), "utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    build(site, jobs=1)
    return site


def test_edits_and_deletes_show_the_newest_record_of_each_meeting(site: Path) -> None:
    out = site / "output"
    base = {rel: stat for rel, stat in _files(out).items() if rel != "manifest.json"}
    edit(site, FEB, "kvasifebet")
    build(site, jobs=1)
    expect(site, {FEB: "kvasifebet"})
    assert manifest(out)["levels"] == [RECENT]

    edit(site, MAR, "kvasimarts")  # another meeting: recent is built again with both
    build(site, jobs=1)
    shown = expect(site, {FEB: "kvasifebet", MAR: "kvasimarts"})
    assert set(fragments(out, RECENT)) == {url(FEB), url(MAR)}
    assert shown[url(MAR)]["meta"]["level"] == RECENT

    edit(site, FEB, "kvasifebto")  # the same meeting again: its old version is nowhere to be seen
    build(site, jobs=1)
    shown = expect(site, {FEB: "kvasifebto", MAR: "kvasimarts"})
    assert "kvasifebet" not in json.dumps(shown, ensure_ascii=False)

    after = _files(out)
    assert {rel: after.get(rel) for rel in base} == base  # the base never changed
    recent = {rel: stat for rel, stat in after.items() if rel.startswith("recent/")}
    (site / ".cache/build.json").unlink()  # a build although no input changed
    build(site, jobs=1)
    assert {rel: _files(out).get(rel) for rel in recent} == recent  # recent did not need to change


def test_recent_folds_into_the_delta_which_is_then_kept(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = site / "output"
    monkeypatch.setattr(search_levels, "recent_threshold", lambda meetings: 1)
    edit(site, FEB, "kvasifebet")
    edit(site, MAR, "kvasimarts")
    edit(site, APR, "kvasiapril")
    build(site, jobs=1)  # three changes, more than recent may hold: folded
    listed = manifest(out)
    assert listed["levels"] == [DELTA] and set(fragments(out, DELTA)) == {url(FEB), url(MAR), url(APR)}
    expect(site, {FEB: "kvasifebet", MAR: "kvasimarts", APR: "kvasiapril"})
    delta = {rel: stat for rel, stat in _files(out).items() if rel.startswith("delta/")}

    edit(site, FEB, "kvasifebto")  # one change: recent, above a delta that keeps its bytes and mtime
    build(site, jobs=1)
    listed = manifest(out)
    assert listed["levels"] == [DELTA, RECENT]
    assert listed["mask"] == {"base": [url(FEB), url(MAR), url(APR)], DELTA: [url(FEB)], RECENT: []}
    shown = expect(site, {FEB: "kvasifebto", MAR: "kvasimarts", APR: "kvasiapril"})
    assert (shown[url(FEB)]["meta"]["level"], shown[url(MAR)]["meta"]["level"]) == (RECENT, DELTA)
    assert {rel: _files(out).get(rel) for rel in delta} == delta

    edit(site, MAY, "kvasimaj")  # with FEB two pending: folded again, recent goes
    build(site, jobs=1)
    listed = manifest(out)
    assert listed["levels"] == [DELTA] and not (out / "pagefind/recent").exists()
    assert set(fragments(out, DELTA)) == {url(FEB), url(MAR), url(APR), url(MAY)}
    assert listed["mask"] == {"base": [url(FEB), url(MAR), url(APR), url(MAY)], DELTA: []}
    expect(site, {FEB: "kvasifebto", MAR: "kvasimarts", APR: "kvasiapril", MAY: "kvasimaj"})


def anywhere(out: Path, word: str) -> list[str]:
    """The index files that hold `word`, decompressed."""
    return [
        p.relative_to(out).as_posix()
        for p in (out / "pagefind").rglob("*")
        if p.is_file() and word.lower().encode() in decoded(p).lower()
    ]


def own_words(out: Path, meeting: str) -> list[str]:
    """Words of a meeting's records that no other meeting's record has."""
    records = {m: set(re.findall(r"\w+", r["content"].lower())) for m, r in fragments(out).items()}
    mine = records.pop(url(meeting))
    return sorted(word for word in mine.difference(*records.values()) if len(word) > 5)


def test_a_meeting_that_leaves_the_site_leaves_every_bundle(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Deleted, or made a draft again: masking would hide its record from the search page only, so each
    bundle that holds it is built again without it, and every other bundle keeps its bytes and mtime."""
    out = site / "output"
    monkeypatch.setattr(search_index, "SHARD_MEETINGS", 2)  # two base bundles: [FEB, MAR], [APR, MAY]
    (site / ".cache/search.json").unlink()
    (site / ".cache/build.json").unlink()
    build(site, jobs=1)
    assert manifest(out)["bundles"] == ["2024-0", "2024-1"]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_levels, "recent_threshold", lambda meetings: 0)
        edit(site, FEB, "kvasifebet")
        edit(site, APR, "kvasiapril")
        build(site, jobs=1)  # into the delta
    edit(site, MAR, "kvasimarts")
    build(site, jobs=1)  # into recent
    assert manifest(out)["levels"] == [DELTA, RECENT]
    first = {
        rel: stat for rel, stat in _files(out).items() if rel.startswith(("2024-0/", "delta/", "recent/"))
    }
    may = own_words(out, MAY)
    assert may and all(anywhere(out, word) for word in may)

    (site / "content" / f"{MAY}.md").unlink()  # in the second base bundle only
    build(site, jobs=1)
    listed = manifest(out)
    assert url(MAY) not in fragments(out) and [w for w in may if anywhere(out, w)] == []
    assert listed["levels"] == [DELTA, RECENT]
    assert listed["mask"] == {"base": [url(FEB), url(MAR)], DELTA: [url(APR)], RECENT: []}  # APR: in 2024-1
    expect(site, {MAY: None, FEB: "kvasifebet", MAR: "kvasimarts", APR: "kvasiapril"})
    assert {rel: _files(out).get(rel) for rel in first} == first  # the other bundles kept

    feb = own_words(out, FEB)
    assert feb
    path = site / "content" / f"{FEB}.md"  # in the first base bundle and in the delta: made a draft
    path.write_text(path.read_text("utf-8").replace("---\n\n", "draft: true\n---\n\n", 1), "utf-8")
    build(site, jobs=1)
    assert [w for w in ["kvasifebet", *feb] if anywhere(out, w)] == []
    assert not (out / "pagefind" / DELTA).exists()  # its meetings are in the base bundles built again
    expect(site, {FEB: None, MAY: None, MAR: "kvasimarts", APR: "kvasiapril"})

    (site / "content" / f"{MAR}.md").unlink()  # the last meeting of the first base bundle
    build(site, jobs=1)
    assert manifest(out)["bundles"] == ["2024-1"] and not (out / "pagefind/2024-0").exists()
    expect(site, {MAR: None, APR: "kvasiapril"})


def test_a_meeting_edited_back_shows_its_base_record(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = site / "output"
    path = site / "content" / f"{FEB}.md"
    original = path.read_bytes()
    monkeypatch.setattr(search_levels, "recent_threshold", lambda meetings: 0)
    edit(site, FEB, "kvasifebet")
    edit(site, APR, "kvasiapril")
    build(site, jobs=1)  # into the delta
    monkeypatch.undo()
    edit(site, MAR, "kvasimarts")
    path.write_bytes(original)
    build(site, jobs=1)
    listed = manifest(out)
    assert listed["levels"] == [DELTA, RECENT] and listed["mask"][DELTA] == [url(FEB)]
    assert url(FEB) not in listed["mask"]["base"]
    shown = expect(site, {MAR: "kvasimarts", APR: "kvasiapril"})
    assert "level" not in shown[url(FEB)]["meta"] and "kvasifebet" not in shown[url(FEB)]["content"]


def test_a_new_meeting_goes_to_recent_unmasked(site: Path) -> None:
    new = "syd/2024-09-01-politisk-niveau"
    text = (site / "content" / f"{MAY}.md").read_text("utf-8").replace("2024-05-15", "2024-09-01")
    (site / "content" / f"{new}.md").write_text(text, "utf-8")
    edit(site, new, "kvasinyt")
    build(site, jobs=1)
    listed = manifest(site / "output")
    assert listed["levels"] == [RECENT] and listed["mask"] == {"base": [], RECENT: []}
    assert expect(site, {new: "kvasinyt"})[url(new)]["meta"]["level"] == RECENT


def test_a_delta_deleted_from_the_output_puts_its_meetings_back_in(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = site / "output"
    monkeypatch.setattr(search_levels, "recent_threshold", lambda meetings: 0)
    edit(site, FEB, "kvasifebet")
    build(site, jobs=1)
    monkeypatch.undo()
    shutil.rmtree(out / "pagefind" / DELTA)
    (site / ".cache/build.json").unlink()  # a build although no input changed
    build(site, jobs=1)
    assert manifest(out)["levels"] == [RECENT]
    expect(site, {FEB: "kvasifebet"})


# --- the plan itself, on meeting ids and digests ------------------------------------------------


def test_plan_levels_folds_past_the_threshold_and_drops_a_delta_with_nothing_current() -> None:
    base = {f"m{i}": "0" for i in range(100)}
    now = dict(base, m1="1", m2="1")
    assert plan_levels(base, now, {}) == {DELTA: {}, RECENT: {"m1": "1", "m2": "1"}}
    many = dict(base, **{f"m{i}": "1" for i in range(11)})  # more than recent_threshold(100) = 10
    assert plan_levels(base, many, {RECENT: now}) == {DELTA: {f"m{i}": "1" for i in range(11)}, RECENT: {}}
    held = {DELTA: {"m1": "1", "m2": "1"}}
    assert plan_levels(base, dict(now, m2="2"), held) == {DELTA: held[DELTA], RECENT: {"m2": "2"}}
    # every delta record superseded (m1 deleted, m2 edited back to its base version): the delta goes
    gone = {k: v for k, v in base.items() if k != "m1"}
    assert plan_levels(base, gone, held) == {DELTA: {}, RECENT: {}}


def test_superseded_masks_deleted_meetings_in_every_level() -> None:
    base = {"a": "0", "b": "0", "c": "0"}
    levels = {DELTA: {"a": "1", "b": "1"}, RECENT: {"a": "2"}}
    now = {"a": "2", "c": "0"}  # b deleted
    assert superseded(base, levels, now) == {"base": ["a", "b"], DELTA: ["a", "b"], RECENT: []}
    assert superseded(base, {DELTA: {}, RECENT: {}}, base) == {"base": []}
    # a base bundle built again holds a meeting as it is now: the delta's copy of that version goes
    assert superseded({"a": "1"}, {DELTA: {"a": "1", "b": "1"}}, {"a": "1", "b": "1"}) == {
        "base": [],
        DELTA: ["a"],
    }


def test_scrub_takes_gone_meetings_out_of_every_bundle() -> None:
    shards = {"2024-0": {"a": "0", "b": "0"}, "2024-1": {"c": "0"}, "2025-0": {"d": "0"}}
    held = {DELTA: {"a": "1"}, RECENT: {"d": "1"}}
    now = {"a": "2", "d": "1"}
    assert scrub(shards, held, now) == ["2024-0"]
    assert shards == {"2024-0": {"a": "2"}, "2025-0": {"d": "0"}}  # 2024-1 held only c: it goes
    assert held == {DELTA: {"a": "1"}, RECENT: {"d": "1"}}  # the levels held no gone meeting
    assert scrub(shards, held, {"d": "1"}) == [] and held[DELTA] == {} and held[RECENT] == {"d": "1"}


def test_an_item_closed_after_it_was_indexed_leaves_every_bundle(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A secretariat that published an item's text and then marks the item closed: the text it had must
    leave the older bundles too, not only the search page."""
    monkeypatch.setattr(search_index, "SHARD_MEETINGS", 2)  # two base bundles: [FEB, MAR], [APR, MAY]
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    path = site / "content" / f"{FEB}.md"
    text = path.read_text("utf-8")
    path.write_text(
        text.replace("Intet.", "Intet.\n\n### Sagsfremstilling\n\nBorgeren kvasiborger."), "utf-8"
    )
    build(site, jobs=1)
    out = site / "output"
    assert anywhere(out, "kvasiborger")
    edit(site, FEB, "kvasifebet")
    build(site, jobs=1)  # the text now in the base and in recent
    assert {p.split("/")[1] for p in anywhere(out, "kvasiborger")} == {"2024-0", RECENT}
    other = {rel: stat for rel, stat in _files(out).items() if rel.startswith("2024-1/")}
    closed = path.read_text("utf-8").replace(
        "## Punkt 2: Eventuelt\n\n### Beslutning\n\nIntet.\n\n### Sagsfremstilling\n\nBorgeren kvasiborger.",
        "## Punkt 2: Eventuelt\n\nLukket: ja",
    )
    assert "kvasiborger" not in closed
    path.write_text(closed, "utf-8")
    build(site, jobs=1)
    assert anywhere(out, "kvasiborger") == []
    shown = expect(site, {FEB: "kvasifebet"})
    assert "level" not in shown[url(FEB)]["meta"]  # from its base bundle, built again
    assert {rel: _files(out).get(rel) for rel in other} == other


def test_withdrawn_are_the_indexed_meetings_with_an_item_closed_since() -> None:
    closed = {"a": [2], "b": [1, 3], "c": [1], "new": [1]}
    was = {"a": [2], "b": [1]}
    assert withdrawn(closed, was, {"a", "b", "c", "d"}) == {"b", "c"}  # "new" was never indexed
