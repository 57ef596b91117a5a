"""Accessibility and search proven in a real browser: Debian's chromium driven by Playwright, axe-core on
every page type, the site served under its base path. Skips locally without chromium; fails under CI."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from pathlib import Path

import pytest
from browser_server import launch_chromium, serve
from browser_sites import BASE_PATH, combined_site, seed_present

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
NORD_FEB = "klynger/nord/2024-02-08-politisk-niveau/"
NORD_APR = "klynger/nord/2024-04-30-politisk-niveau/"
SYD_MAY = "klynger/syd/2024-05-15-politisk-niveau/"
SEED = (
    "klynger/soenderjylland/2024-04-22-fagligt-strategisk-niveau/",
    "klynger/nykoebing-falster/2024-04-22-politisk-niveau/",
)
PAGES = {  # every page type, by URL below the base path
    "home": "",
    "clusters": "klynger/",
    "cluster": "klynger/nord/",
    "forums": "fora/",
    "forum": "fora/politisk-niveau/",
    "topics": "emner/",
    "topic": "emner/laegedaekning/",
    "cases": "sager/",
    "case": "sager/24-1001/",
    "archive": "arkiv/",
    "year": "2024/",
    "month": "2024/04/",
    "meeting": NORD_APR,
    "search": "soeg/?q=l%C3%A6ged%C3%A6kning",
    "404": "findes-ikke/",
}
TIMEOUT_MS = 15_000


@functools.cache
def _axe_source() -> str:
    """axe-core as shipped inside the axe-playwright-python package (installed from PyPI, works offline)."""
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text("utf-8") + "\n;true"


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launch_chromium()


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    output = combined_site(tmp_path_factory) / "output"
    with serve(output, BASE_PATH) as url:
        yield url


@pytest.fixture
def tab(browser, root: str) -> Iterator[object]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.problems = problems  # type: ignore[attr-defined]
    yield page
    context.close()


def results(tab) -> list[str]:
    """Hrefs of all the search results, after the page has finished searching and every "Vis flere"
    page is shown (bounded: the ranking of equal scores may differ between index builds)."""
    done = "() => { const t = document.getElementById('search-status').textContent; return t && !t.startsWith('Søger'); }"
    tab.wait_for_function(done)
    for _ in range(20):
        more = tab.query_selector("#search-more:not([hidden])")
        if more is None:
            break
        shown = tab.eval_on_selector_all("#search-results li", "els => els.length")
        more.click()
        tab.wait_for_function(f"() => document.querySelectorAll('#search-results li').length > {shown}")
    return tab.eval_on_selector_all("#search-results li h2 a", "els => els.map(a => a.getAttribute('href'))")


def result_count(tab) -> int:
    return len(results(tab))


@pytest.mark.parametrize("kind", list(PAGES))
def test_no_wcag_a_or_aa_violations(tab, root: str, kind: str) -> None:
    response = tab.goto(root + PAGES[kind])
    assert response is not None and response.status == (404 if kind == "404" else 200)
    if kind == "search":
        results(tab)  # check the page with its results shown
    tab.evaluate(_axe_source())  # through the devtools protocol: the page's CSP stays in force for the site
    found = tab.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    assert found["testEngine"]["name"] == "axe-core"
    violations = [
        f"{v['id']} ({v['impact']}): {v['help']} → {[n['target'] for n in v['nodes']][:5]}"
        for v in found["violations"]
    ]
    assert violations == [], "\n".join(violations)
    assert [p for p in tab.problems if "Content Security Policy" in p] == []


def test_search_finds_the_agenda_items_and_links_to_them(tab, root: str) -> None:
    tab.goto(root + "soeg/?q=l%C3%A6ged%C3%A6kning")
    links = results(tab)
    for meeting in (NORD_FEB, NORD_APR, SYD_MAY):
        assert any(h.startswith(BASE_PATH + meeting) for h in links), (meeting, links)
    assert BASE_PATH + NORD_APR + "#punkt-1" in links  # the item anchor, not the heading's
    assert not any(h.endswith("-h") for h in links)
    assert tab.input_value("#q-top") == "lægedækning"
    assert tab.problems == []


def test_danish_stemming_and_the_seed_content(tab, root: str) -> None:
    tab.goto(root + "soeg/?q=l%C3%A6ged%C3%A6kningen")
    urls = [h.split("#")[0] for h in results(tab)]
    for meeting in (NORD_FEB, NORD_APR, SYD_MAY):
        assert BASE_PATH + meeting in urls, urls  # "lægedækningen" finds "lægedækning"
    if not seed_present():
        pytest.skip("the seed referater are not in content/ yet")
    for meeting in SEED:
        assert BASE_PATH + meeting in urls, urls


def test_filtering_by_cluster_narrows_the_results(tab, root: str) -> None:
    tab.goto(root + "soeg/?q=l%C3%A6ged%C3%A6kning")
    results(tab)
    before = result_count(tab)
    tab.get_by_label("Sundhedsklynge Syd", exact=True).check()
    tab.wait_for_function(f"() => document.querySelectorAll('#search-results li').length < {before}")
    links = results(tab)
    assert links and all(h.startswith(BASE_PATH + "klynger/syd/") for h in links), links


def test_meeting_page_has_no_horizontal_scroll_at_320px(tab, root: str) -> None:
    tab.set_viewport_size({"width": 320, "height": 640})
    for url in (NORD_APR, "", "soeg/?q=l%C3%A6ged%C3%A6kning"):
        tab.goto(root + url)
        if url.startswith("soeg"):
            results(tab)
        widths = tab.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], (url, widths)


def test_skip_link_is_first_and_moves_focus_to_main(tab, root: str) -> None:
    tab.goto(root + NORD_APR)
    tab.keyboard.press("Tab")
    focused = tab.evaluate(
        "() => [document.activeElement.className, document.activeElement.getAttribute('href')]"
    )
    assert focused == ["skip", "#indhold"]
    assert tab.is_visible("a.skip")  # visible when focused
    tab.keyboard.press("Enter")
    tab.wait_for_function("() => document.activeElement && document.activeElement.id === 'indhold'")
    assert tab.evaluate("() => document.activeElement.tagName") == "MAIN"
