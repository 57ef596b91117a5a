"""The search index, read from the bundles the build wrote: what is indexed, its filters, no leaks, and
how a rebuild updates it (kept bundles, the levels, the mask, the merge; test_search_levels.py follows a
site through a series of edits)."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from browser_sites import BASE_PATH, combined_site, decoded, leaks
from conftest import FIXTURES, broken_links, copy_site, page

from referater.pipeline import build
from referater.search import index as search_index

NORD_APR = BASE_PATH + "klynger/nord/2024-04-30-politisk-niveau/"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return combined_site(tmp_path_factory) / "output"


def manifest(out: Path) -> dict:
    return json.loads((out / "pagefind/manifest.json").read_text("utf-8"))


def fragments(out: Path, bundle: str | None = None) -> dict[str, dict]:
    """Every record of the bundles (or of one), by URL."""
    found = {}
    for path in sorted((out / "pagefind").glob(f"{bundle or '*'}/fragment/*.pf_fragment")):
        data = decoded(path)
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data[len(b"pagefind_dcd") :])
        found[fragment["url"]] = fragment
    return found


def test_bundles_are_served_from_the_site(out: Path) -> None:
    listed = manifest(out)
    assert listed["bundles"] and listed["levels"] == [] and listed["mask"] == {"base": []}
    for name in listed["bundles"]:
        entry = json.loads((out / "pagefind" / name / "pagefind-entry.json").read_text("utf-8"))
        assert list(entry["languages"]) == ["da"]  # Danish stemming
        for file in ("pagefind.js", "wasm.da.pagefind"):
            assert (out / "pagefind" / name / file).is_file()
        assert not list((out / "pagefind" / name).glob("pagefind*-ui.*"))  # the site has its own UI
    doc = page(out, "/soeg/")
    sources = [s["src"] for s in doc.find_all("script", src=True)]
    sources += [link["href"] for link in doc.find_all("link", rel="stylesheet")]
    assert sources and all(s.startswith(BASE_PATH) for s in sources), sources  # no CDN
    assert doc.find(id="search")["data-bundle"] == BASE_PATH + "pagefind/"
    assert not doc.find_all("script", src=False), "inline scripts break the CSP"
    assert doc.find("form", class_="search-form")["action"] == BASE_PATH + "soeg/"


def test_every_published_meeting_is_one_record_with_a_heading_per_item(out: Path) -> None:
    indexed = fragments(out)
    expected = {}
    for path in (out / "klynger").glob("*/*/index.html"):
        url = "/" + path.parent.relative_to(out).as_posix() + "/"
        expected[BASE_PATH[:-1] + url] = [s["id"] for s in page(out, url).select("section.item[id]")]
    assert set(indexed) == set(expected)
    for url, record in indexed.items():
        anchors = [a for a in record["anchors"] if a["element"] == "h2"]
        assert [a["id"] for a in anchors] == expected[url], url  # each item links to its #punkt-N
        assert record["meta"]["meeting"] == url


def test_records_carry_filters_meta_and_the_item_text(out: Path) -> None:
    record = fragments(out)[NORD_APR]
    assert record["filters"] == {
        "Klynge": ["Sundhedsklynge Nord"],
        "Forum": ["Politisk niveau"],
        "År": ["2024"],
        "Område": ["Sundhedsråd Vendsyssel"],  # the body that carries the cluster's work after the reform
        "Emne": ["Forebyggelse", "Lægedækning"],  # the topics of any of its items
    }
    meta = record["meta"]
    topics = json.loads(meta["topics"])  # Emne per item, for the page
    assert topics["punkt-1"] == ["Lægedækning"] and "Lægedækning" not in topics.get("punkt-3", [])
    assert (meta["body"], meta["forum"], meta["date"]) == (
        "Sundhedsklynge Nord",
        "Politisk niveau",
        "30. april 2024",
    )
    first = record["anchors"][0]
    assert (first["id"], first["text"], first["location"]) == ("punkt-1", "Opfølgning på lægedækning", 0)
    assert record["content"].startswith("Opfølgning på lægedækning. ")
    assert "Til oversigten" not in record["content"] and "Punkt 1" not in record["content"]
    # The meta lives in the record's head: no meta value is searchable text.
    assert "Sundhedsklynge Nord" not in record["content"]


def test_no_document_numbers_or_topic_tags_in_the_records(out: Path) -> None:
    for url, record in fragments(out).items():
        assert "DokID" not in record["content"], url
        assert "Emner:" not in record["content"] and "Sagsnr." not in record["content"], url


def test_no_closed_text_or_draft_in_any_bundle(out: Path) -> None:
    assert list((out / "pagefind").glob("*/index/*.pf_index"))
    assert leaks(out) == []
    assert not any("2024-06-01" in url for url in fragments(out))  # the draft
    closed = [
        r
        for r in fragments(out).values()
        if "lukkede døre" in page(out, r["meta"]["meeting"].removeprefix(BASE_PATH[:-1])).get_text()
    ]
    assert closed  # the fixture has closed items; their records hold what their page shows, no more


def test_no_search_skips_the_index(links_site: Path) -> None:
    assert not (links_site / "output/pagefind").exists()


def test_every_link_resolves_under_the_base_path_with_the_bundle(out: Path) -> None:
    assert (out / "pagefind/manifest.json").is_file()
    assert broken_links(out, BASE_PATH) == []


# --- incremental updates, on a site of its own -------------------------------------------------


def _files(out: Path) -> dict[str, tuple[int, int]]:
    root = out / "pagefind"
    return {
        p.relative_to(root).as_posix(): (p.stat().st_ino, p.stat().st_mtime_ns)
        for p in root.rglob("*")
        if p.is_file()
    }


def _edit(site: Path, rel: str, text: str) -> None:
    path = site / "content" / rel
    path.write_text(
        path.read_text("utf-8").replace("### Beslutning\n", f"### Beslutning\n\n{text}\n", 1), "utf-8"
    )


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(FIXTURES / "links", tmp_path / "site")


def test_a_rebuild_keeps_every_index_file(site: Path) -> None:
    build(site, jobs=1)
    before = _files(site / "output")
    (site / "content/nord/2024-02-08-politisk-niveau.md").touch()  # no change in what is published
    build(site, jobs=1)
    assert _files(site / "output") == before


def test_a_changed_meeting_goes_to_recent_and_masks_its_base_record(site: Path) -> None:
    build(site, jobs=1)
    before = _files(site / "output")
    _edit(site, "nord/2024-02-08-politisk-niveau.md", "Tilføjet kvasirelevansord efter mødet.")
    build(site, jobs=1)
    out = site / "output"
    listed = manifest(out)
    meeting = "/klynger/nord/2024-02-08-politisk-niveau/"
    assert listed["levels"] == ["recent"] and listed["mask"] == {"base": [meeting], "recent": []}
    recent = fragments(out, "recent")
    assert set(recent) == {meeting} and recent[meeting]["meta"]["level"] == "recent"
    assert any("kvasirelevansord" in r["content"] for r in recent.values())
    assert "level" not in fragments(out, "2024-0")[meeting]["meta"]  # a base record names no level
    after = _files(out)
    base = {rel: stat for rel, stat in before.items() if rel != "manifest.json"}
    assert {rel: after.get(rel) for rel in base} == base  # the base bundles kept bytes and mtime

    os.remove(site / "content/syd/2024-05-15-politisk-niveau.md")
    build(site, jobs=1)
    # A deleted meeting leaves every bundle: its base bundle (the fixture has one) is built again, with
    # the edited meeting as it is now, so recent has nothing left to hold.
    listed = manifest(out)
    assert listed["levels"] == [] and listed["mask"] == {"base": []}
    records = fragments(out)
    assert "/klynger/syd/2024-05-15-politisk-niveau/" not in records
    assert "kvasirelevansord" in records[meeting]["content"]


def test_a_large_delta_is_merged_into_the_base(site: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    build(site, jobs=1)
    monkeypatch.setattr(search_index, "merge_threshold", lambda meetings: 1)
    _edit(site, "nord/2024-02-08-politisk-niveau.md", "Første kvasiord.")
    _edit(site, "syd/2024-05-15-politisk-niveau.md", "Andet kvasiord.")
    build(site, jobs=1)
    out = site / "output"
    listed = manifest(out)
    assert listed["levels"] == [] and listed["mask"] == {"base": []}
    assert not (out / "pagefind/delta").exists() and not (out / "pagefind/recent").exists()
    contents = " ".join(r["content"] for r in fragments(out).values())
    assert "Første kvasiord" in contents and "Andet kvasiord" in contents
    assert leaks(out) == []


def test_without_the_cache_every_bundle_is_built(site: Path) -> None:
    build(site, jobs=1)
    _edit(site, "nord/2024-02-08-politisk-niveau.md", "Uden cache.")
    build(site, jobs=1, use_cache=False)
    listed = manifest(site / "output")
    assert listed["levels"] == [] and listed["mask"] == {"base": []}
    assert any("Uden cache." in r["content"] for r in fragments(site / "output").values())


def _build_again(site: Path) -> None:
    """A build that runs although no input changed: without the build state it renders everything."""
    (site / ".cache/build.json").unlink()
    build(site, jobs=1)


def test_a_bundle_deleted_from_the_output_is_built_again(site: Path) -> None:
    build(site, jobs=1)
    _edit(site, "nord/2024-02-08-politisk-niveau.md", "Slettet kvasidelta.")
    build(site, jobs=1)
    out = site / "output"
    base = {rel: stat for rel, stat in _files(out).items() if not rel.startswith(("recent/", "manifest"))}
    shutil.rmtree(out / "pagefind/recent")
    _build_again(site)
    assert manifest(out)["levels"] == ["recent"]
    assert any("kvasidelta" in r["content"] for r in fragments(out, "recent").values())
    assert {rel: _files(out).get(rel) for rel in base} == base  # the base kept bytes and mtime


def test_a_kept_bundle_is_the_published_one_not_the_recycled_copy(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The staging tree is the output of two builds ago: a bundle rebuilt in between must be staged as
    published, not as the older copy the recycled tree still holds."""
    build(site, jobs=1)
    monkeypatch.setattr(search_index, "merge_threshold", lambda meetings: 0)
    _edit(site, "nord/2024-02-08-politisk-niveau.md", "Flettet kvasiord.")
    build(site, jobs=1)  # merged: the base bundle is built again
    merged = _files(site / "output")
    monkeypatch.undo()
    _build_again(site)
    out = site / "output"
    assert manifest(out)["levels"] == []
    assert any("kvasiord" in r["content"] for r in fragments(out).values())
    assert _files(out) == merged


def test_a_record_that_cannot_be_made_stops_the_index_with_its_own_error() -> None:
    """Records are drawn on the thread that feeds Pagefind: an error there (a meeting file changed under
    the build) reaches the build as that error, after the pages before it were indexed."""
    from referater.errors import SiteError
    from referater.search.service import PagefindService

    def pages():
        yield "/a/", '<html lang="da"><body><h2 id="punkt-1">Et punkt</h2><p>Tekst.</p></body></html>'
        raise SiteError([])

    with PagefindService("da") as service, pytest.raises(SiteError):
        service.add_pages(pages())
    with PagefindService("da") as service:
        assert service.add_pages(iter([("/b/", "<html><body><p>Ord.</p></body></html>")])) == 1
        assert any(rel == "pagefind-entry.json" for rel, _ in service.files())


def test_pagefind_ending_mid_index_is_its_own_error_not_a_hang() -> None:
    from referater.search.service import PagefindError, PagefindService

    def pages(service: PagefindService):
        yield "/a/", "<html><body><p>Ord.</p></body></html>"
        service._process.kill()
        service._process.wait()
        for n in range(50):  # more than a pipe holds: the writer must see the process gone
            yield f"/{n}/", "<html><body><p>" + "ord " * 5000 + "</p></body></html>"

    with pytest.raises(PagefindError), PagefindService("da") as service:
        service.add_pages(pages(service))
