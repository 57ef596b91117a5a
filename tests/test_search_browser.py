# ruff: noqa: F811 - the fixtures of test_browser.py, imported by name
"""Search answers as a reader gets them: Danish queries over the seed referater and the fixtures, run in
chromium on the built site (the fixtures of test_browser.py), each with the items it must and must not
return; the page's own behaviour (no-result message, exact before stem, phrases, snippets, filters,
typography); and the delta and mask of an incremental build seen from the browser."""

from __future__ import annotations

import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_server import serve
from browser_sites import BASE_PATH, seed_present
from conftest import FIXTURES, copy_site
from test_browser import TIMEOUT_MS, browser, results, root, tab  # noqa: F401 - fixtures

from referater.pipeline import build
from referater.search import index as search_index
from referater.search import levels as search_levels

SJ = "klynger/soenderjylland/2024-04-22-fagligt-strategisk-niveau/"
NF = "klynger/nykoebing-falster/2024-04-22-politisk-niveau/"
SVJ = "klynger/sydvestjylland/2023-12-05-politisk-niveau/"
FYN = "klynger/fyn/2023-12-05-fagligt-strategisk-niveau/"
MIDT = "klynger/midt/2025-02-04-chefforum/"
NORD_FEB = "klynger/nord/2024-02-08-politisk-niveau/"
NORD_MAR = "klynger/nord/2024-03-04-chefforum/"
NORD_APR = "klynger/nord/2024-04-30-politisk-niveau/"
SYD_MAY = "klynger/syd/2024-05-15-politisk-niveau/"
DRAFT = "klynger/nord/2024-06-01-politisk-niveau/"

SEED = pytest.mark.skipif(not seed_present(), reason="the seed referater are not in content/")

# (query, items it must return, items or meetings it must not return)
CASES = [
    ("lægedækning", [f"{SJ}#punkt-1", f"{NF}#punkt-4", f"{NORD_FEB}#punkt-1", f"{SYD_MAY}#punkt-1"], []),
    ("lægedækningen", [f"{SJ}#punkt-1", f"{NF}#punkt-4", f"{NORD_APR}#punkt-1"], []),
    ("plejehjemslæger", [f"{SYD_MAY}#punkt-1", f"{NF}#punkt-4"], [f"{SJ}#punkt-1", NORD_FEB]),
    ("ambulancedækning", [f"{SVJ}#punkt-3"], [SJ, NF, FYN]),
    ("responstider", [f"{SVJ}#punkt-3"], [f"{SVJ}#punkt-2"]),
    ("frivillighed", [f"{SVJ}#punkt-2"], [SJ, NF]),
    ("sengepladser", [f"{MIDT}#punkt-5"], [SVJ, FYN]),
    ("hjerterehabilitering", [f"{FYN}#punkt-7"], [MIDT]),
    ("signaturprojekt", [f"{NF}#punkt-2"], [SJ, SVJ]),
    ('"den sidste tid"', [f"{NF}#punkt-2"], [f"{MIDT}#punkt-4"]),
    ("den sidste tid", [f"{NF}#punkt-2", f"{MIDT}#punkt-4"], []),  # the words anywhere, unquoted
    ('"kom trygt hjem"', [f"{FYN}#punkt-6", f"{SJ}#punkt-3"], [f"{SJ}#punkt-2"]),
    ("datapakke", [f"{NF}#punkt-5"], [MIDT]),
    ("eSundhed", [f"{MIDT}#punkt-6"], [SJ]),
    ("akutberedskab", [f"{SVJ}#punkt-3"], [FYN]),
    ("genindlæggelser", [f"{SVJ}#punkt-4"], [MIDT]),
    ("klyngemidler", [f"{SVJ}#punkt-6", f"{SJ}#punkt-3"], [MIDT]),
    ("ledelsesprogram", [f"{NORD_MAR}#punkt-1", f"{MIDT}#punkt-4", f"{FYN}#punkt-5"], [SYD_MAY]),
    ("handleplanen", [f"{MIDT}#punkt-7"], [NF]),
    ("sundhedsråd", [f"{MIDT}#punkt-8"], [SVJ]),
    ("mistrivsel", [f"{SJ}#punkt-3"], [NF]),
    ("sundhedsfremme", [f"{NORD_APR}#punkt-3"], [SYD_MAY]),
    ("bygning", [f"{NORD_APR}#punkt-2"], []),  # a closed item's title is published
    ("personalesag", [f"{SYD_MAY}#punkt-2"], []),
    ("kladde", [], [DRAFT]),  # drafts are never indexed
    ("demens", [], ["klynger/"]),  # occurs nowhere; Danish stemming makes it "dem"
    ("CANARY", [], ["klynger/"]),  # the canaries stand in closed text and drafts only
    ("7f3a9", [], ["klynger/"]),
    ("11411587", [], ["klynger/"]),  # a document number, from an attachments list
]


def search(tab, root: str, query: str, **filters: str) -> list[str]:
    tab.goto(root + "soeg/?" + urllib.parse.urlencode({"q": query, **filters}, quote_via=urllib.parse.quote))
    return [href.removeprefix(BASE_PATH) for href in results(tab)]


@pytest.mark.parametrize(
    ("query", "must", "must_not"), [pytest.param(*c, marks=SEED, id=c[0]) for c in CASES]
)
def test_relevance(tab, root: str, query: str, must: list[str], must_not: list[str]) -> None:
    found = search(tab, root, query)
    assert [m for m in must if m not in found] == [], found
    assert [h for h in found if any(h.startswith(n) for n in must_not)] == [], found
    assert len(found) == len(set(found)), found
    # Script errors only: the browser's own favicon request outside the base path may 404.
    assert [p for p in tab.problems if not p.startswith("Failed to load resource")] == []


@SEED
def test_a_word_that_occurs_nowhere_says_so_with_a_suggestion(tab, root: str) -> None:
    assert search(tab, root, "demens") == []
    status = tab.locator("#search-status")
    assert "Ingen dagsordenspunkter nævner »demens«" in status.inner_text()
    suggestions = status.locator("a").evaluate_all("els => els.map(a => a.getAttribute('href'))")
    assert any(h.startswith("?q=") for h in suggestions) and BASE_PATH + "emner/" in suggestions
    search(tab, root, "lægedækming")  # a misspelling: the nearest topic is offered
    assert "Lægedækning" in tab.locator("#search-status").inner_text()


@SEED
def test_exact_words_rank_above_stem_matches(tab, root: str) -> None:
    found = search(tab, root, "lægedækning")
    assert found.index(f"{NORD_APR}#punkt-1") < found.index(f"{NF}#punkt-4")  # "lægedækningen" only there


@SEED
def test_each_result_names_body_forum_and_date_and_a_snippet_from_the_text(tab, root: str) -> None:
    search(tab, root, "plejehjemslæger")
    item = tab.locator("#search-results li", has=tab.locator(f"a[href='{BASE_PATH}{NF}#punkt-4']"))
    assert (
        item.locator(".where").inner_text()
        == "Sundhedsklynge Nykøbing Falster · Politisk niveau · 22. april 2024"
    )
    excerpt = item.locator(".excerpt").inner_text()
    assert "plejehjemslæger" in excerpt.lower() and item.locator(".excerpt mark").count() >= 1
    assert "DokID" not in excerpt and not excerpt.startswith("Emner")
    for text in tab.locator("#search-results .excerpt").all_inner_texts():
        assert not re.search(r"DokID|EMN-\d", text), text


def test_the_header_box_lands_on_the_search_page(tab, root: str) -> None:
    tab.goto(root)
    tab.fill("#q-top", "lægedækning")
    tab.press("#q-top", "Enter")
    tab.wait_for_url(re.compile(r"/soeg/\?q="))
    assert results(tab) and tab.input_value("#q") == "lægedækning"


def test_filters_fold_on_a_phone_and_the_page_uses_the_site_typography(tab, root: str) -> None:
    tab.set_viewport_size({"width": 390, "height": 800})
    tab.goto(root + "soeg/?q=l%C3%A6ged%C3%A6kning")
    results(tab)
    assert tab.eval_on_selector("#filters", "d => !d.hidden && !d.open")
    top = tab.eval_on_selector("#search-results", "el => el.getBoundingClientRect().top")
    assert top < 800  # the first results show on the first screen
    fonts = tab.evaluate(
        """() => [document.body, document.querySelector('#q'), document.querySelector('#search-results h2')]
            .map(el => getComputedStyle(el).fontFamily)"""
    )
    assert len(set(fonts)) == 1, fonts
    tab.set_viewport_size({"width": 1280, "height": 900})
    tab.goto(root + "soeg/?q=l%C3%A6ged%C3%A6kning")
    results(tab)
    assert tab.eval_on_selector("#filters", "d => d.open")


def test_the_topic_filter_narrows_to_the_items_of_that_topic(tab, root: str) -> None:
    # A record is a meeting: its Emne filter holds the topics of all its items, the page keeps the items
    # of the chosen topic only. NORD_APR's item 3 is about health promotion, its item 1 about GP coverage.
    assert f"{NORD_APR}#punkt-3" in search(tab, root, "sundhedsfremme")
    found = search(tab, root, "sundhedsfremme", Emne="Lægedækning")
    assert f"{NORD_APR}#punkt-3" not in found, found
    found = search(tab, root, "lægedækning", Emne="Lægedækning")
    assert f"{NORD_APR}#punkt-1" in found and f"{NORD_APR}#punkt-3" not in found, found


def test_the_area_filter_spans_the_reform(tab, root: str) -> None:
    found = search(tab, root, "lægedækning", Område="Sundhedsråd Vendsyssel")
    assert found and all(h.startswith("klynger/nord/") for h in found), found
    assert tab.get_by_label("Sundhedsråd Vendsyssel", exact=True).is_checked()


def test_the_count_says_one_item_in_the_singular(tab, root: str) -> None:
    found = search(tab, root, "bygning")
    status = tab.locator("#search-status").inner_text()
    count = re.match(r"Viser (\d+) (dagsordenspunkt|dagsordenspunkter) for", status)
    assert count and int(count.group(1)) == len(found), status
    assert (count.group(2) == "dagsordenspunkt") == (len(found) == 1), status
    search(tab, root, "lægedækning")
    assert "dagsordenspunkter for" in tab.locator("#search-status").inner_text()


# --- the levels and the mask, from the browser --------------------------------------------------


def _replace(site: Path, meeting: str, old: str, new: str) -> None:
    path = site / "content" / (meeting.removeprefix("klynger/").rstrip("/") + ".md")
    path.write_text(path.read_text("utf-8").replace(old, new), "utf-8")


@pytest.fixture
def changed_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The links fixture built (the base, two meetings a bundle); two meetings edited and folded into the
    delta; one of them edited again (recent) and a meeting of the other base bundle deleted (that bundle
    built again without it)."""
    monkeypatch.setattr(search_index, "SHARD_MEETINGS", 2)
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    build(site, jobs=1)
    _replace(site, NORD_FEB, "Nordby", "Sydby")
    _replace(site, NORD_MAR, "udpegede to deltagere", "udpegede to kvasimarts deltagere")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search_levels, "recent_threshold", lambda meetings: 0)
        build(site, jobs=1)
    _replace(site, NORD_FEB, "Sydby", "Vestby")
    (site / "content" / (SYD_MAY.removeprefix("klynger/").rstrip("/") + ".md")).unlink()
    build(site, jobs=1)
    assert json.loads((site / "output/pagefind/manifest.json").read_text("utf-8"))["levels"] == [
        "delta",
        "recent",
    ]
    with serve(site / "output", "/") as url:
        yield url


def test_superseded_and_deleted_meetings_are_masked(browser, changed_root: str) -> None:  # noqa: F811
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(changed_root + "soeg/?q=Nordby")
        assert results(page) == []  # the first text lives on only in the base, masked
        page.goto(changed_root + "soeg/?q=Sydby")
        assert results(page) == []  # the second only in the delta, masked
        page.goto(changed_root + "soeg/?q=Vestby")
        assert results(page) == [f"/{NORD_FEB}#punkt-1"]  # from recent
        page.goto(changed_root + "soeg/?q=kvasimarts")
        assert results(page) == [f"/{NORD_MAR}#punkt-1"]  # from the delta, still its newest
        page.goto(changed_root + "soeg/?q=l%C3%A6ged%C3%A6kning")
        found = results(page)
        assert found.count(f"/{NORD_FEB}#punkt-1") == 1 and not any(SYD_MAY in h for h in found), found
        page.goto(changed_root + "soeg/?q=udpegede")
        assert [h for h in results(page) if NORD_MAR in h] == [f"/{NORD_MAR}#punkt-1"]  # once, not twice
        assert errors == []
    finally:
        context.close()
