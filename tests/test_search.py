"""The Pagefind index, read from the bundle the build wrote: what is indexed, its filters, no leaks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from browser_sites import BASE_PATH, combined_site, decoded, leaks
from conftest import broken_links, page

NORD_APR = "/klynger/nord/2024-04-30-politisk-niveau/"


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return combined_site(tmp_path_factory) / "output"


def fragments(out: Path) -> dict[str, dict]:
    found = {}
    for path in (out / "pagefind/fragment").glob("*.pf_fragment"):
        data = decoded(path)
        assert data.startswith(b"pagefind_dcd")
        fragment = json.loads(data[len(b"pagefind_dcd") :])
        found[fragment["url"]] = fragment
    return found


def test_bundle_is_served_from_the_site(out: Path) -> None:
    entry = json.loads((out / "pagefind/pagefind-entry.json").read_text("utf-8"))
    assert list(entry["languages"]) == ["da"]  # <html lang="da">: Danish stemming
    for name in ("pagefind.js", "pagefind-ui.js", "pagefind-ui.css", "wasm.da.pagefind"):
        assert (out / "pagefind" / name).is_file()
    doc = page(out, "/soeg/")
    sources = [s["src"] for s in doc.find_all("script", src=True)]
    sources += [link["href"] for link in doc.find_all("link", rel="stylesheet")]
    assert sources and all(s.startswith(BASE_PATH) for s in sources), sources  # no CDN
    assert doc.find(id="search")["data-bundle"] == BASE_PATH + "pagefind/"
    assert not doc.find_all("script", src=False), "inline scripts break the CSP"


def test_only_meeting_pages_are_indexed(out: Path) -> None:
    indexed = fragments(out)
    meetings = {
        "/" + p.parent.relative_to(out).as_posix() + "/" for p in (out / "klynger").glob("*/*/index.html")
    }
    assert set(indexed) == meetings


def test_meeting_fragments_carry_filters_and_item_anchors(out: Path) -> None:
    fragment = fragments(out)[NORD_APR]
    assert fragment["filters"] == {
        "Klynge": ["Sundhedsklynge Nord"],
        "Forum": ["Politisk niveau"],
        "Emne": ["Forebyggelse", "Lægedækning"],
        "År": ["2024"],
        "Område": ["Sundhedsråd Vendsyssel"],  # the body that carries the cluster's work after the reform
    }
    headings = [(a["id"], a["text"]) for a in fragment["anchors"] if a["element"] == "h2"]
    assert ("punkt-1-h", "Punkt 1: Opfølgning på lægedækning") in headings
    assert "Arbejdsgruppens kommissorium blev godkendt." in fragment["content"]
    assert "Til oversigten" not in fragment["content"]  # data-pagefind-ignore parts stay out


def test_no_closed_text_or_draft_in_any_file_or_the_index(out: Path) -> None:
    assert list((out / "pagefind/fragment").glob("*.pf_fragment"))
    assert list((out / "pagefind/index").glob("*.pf_index"))
    assert leaks(out) == []
    assert not (out / "klynger/nord/2024-06-01-politisk-niveau").exists()


def test_no_search_skips_the_index(links_site: Path) -> None:
    assert not (links_site / "output/pagefind").exists()


def test_every_link_resolves_under_the_base_path_with_the_bundle(out: Path) -> None:
    assert (out / "pagefind/pagefind-ui.js").is_file()  # so the search page's links are checked, not skipped
    assert broken_links(out, BASE_PATH) == []
