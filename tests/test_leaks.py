"""Closed items and drafts never reach the public: a unique canary in every place they could hide text, a
full build with the Pagefind index, and a byte search of every output file (index fragments decompressed).

Canaries are single lower-case words of letters and digits, so that Pagefind's tokenizer and Danish
stemmer keep them whole; a published control word proves that the search would find them if present.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from browser_sites import decoded
from conftest import FIXTURES, copy_site, page, run_cli
from sitegen import into_each_search_level

from referater.pipeline import build

FRAGMENT = re.compile(r"pagefind/[^/]+/fragment/")  # in any bundle of the index (referater/search)
INDEX_CHUNK = re.compile(r"pagefind/[^/]+/index/")

DRAFT_URL = "klynger/nord/2024-06-01-politisk-niveau"
CLOSED_MEETING = "/klynger/nord/2024-04-30-politisk-niveau/"

CANARIES = {
    # closed item "Lukket punkt – X"
    "dash-intro": "qzintro01",
    "dash-section": "qzsection02",
    "dash-subheading": "qzsubhead03",
    "dash-subtext": "qzsubtext04",
    "dash-bilag": "qzbilag05",
    "dash-dokid": "qzdokid06",
    # closed item "X - Lukket punkt"
    "suffix-section": "qzsuffix07",
    "suffix-indstilling": "qzindst08",
    # closed item with "Lukket: ja"
    "flag-section": "qzflag09",
    "flag-intro": "qzflagintro10",
    "flag-economy": "qzokonomi11",
    # draft meeting
    "draft-title": "qzdrafttitle12",
    "draft-location": "qzdraftloc13",
    "draft-participant": "qzdraftname14",
    "draft-org": "qzdraftorg15",
    "draft-secretariat": "qzdraftsec16",
    "draft-item-title": "qzdraftitem17",
    "draft-item-text": "qzdrafttext18",
    "draft-decision": "qzdraftdec19",
    "draft-source": "qzdraftsrc20",
}
PUBLISHED_CONTROL = "qzpublic99"  # in a published item: must be found, proving the search works
DECISIONS = ("qzdecision1", "qzdecision2", "qzdecision3")
CLOSED_TITLES = ("Salg af bygning qzt1", "Personalesag qzt2", "Lejekontrakt qzt3")

FEB = """---
cluster: nord
forum: politisk-niveau
date: 2024-02-08
location: Rådhuset
---

## Punkt 1: Lægedækning i Nordby

Sagsnr.: 24/1001

### Beslutning

Klyngen nedsætter en arbejdsgruppe. {control}
"""

CLOSED = """---
cluster: nord
forum: politisk-niveau
date: 2024-04-30
location: Rådhuset
---

## Punkt 1: Opfølgning

Sagsnr.: 24/1001

### Beslutning

Godkendt.

## Punkt 2: Lukket punkt – {t1}

Sagsnr.: 24/2002
Dok ID: {dash-dokid}

Indledning {dash-intro}, jf. mødet den 8. februar 2024 og Sundhedsklynge Syd.

### Sagsfremstilling

Forebyggelse forebygger {dash-section}. Se [februar](/klynger/nord/2024-02-08-politisk-niveau/).

#### Underafsnit {dash-subheading}

Tekst {dash-subtext}.

### Bilag

- Bilag 1 - {dash-bilag}.pdf

### Beslutning

Salget blev godkendt {d1}.

## Punkt 3: {t2} - Lukket punkt

### Indstilling

Det indstilles {suffix-indstilling}.

### Sagsfremstilling

Forebyggelse {suffix-section}, omtalt på mødet den 8. februar 2024.

### Beslutning i Sundhedsklynge Nord den 30-04-2024

Sagen blev afsluttet {d2}.

## Punkt 4: {t3}

Lukket: ja

Indledning {flag-intro}.

### Sagsfremstilling

Tekst {flag-section}, forebyggelse.

### Økonomi

Beløb {flag-economy}.

### Beslutning

Kontrakten blev forlænget {d3}.
"""

# The same meeting as a secretariat must write it: closed items hold their title, case number and a
# decision marked public, nothing else.
CLOSED_OK = """---
cluster: nord
forum: politisk-niveau
date: 2024-04-30
location: Rådhuset
---

## Punkt 1: Opfølgning

Sagsnr.: 24/1001

### Beslutning

Godkendt.

## Punkt 2: Lukket punkt – {t1}

Sagsnr.: 24/2002
Offentlig beslutning: ja

### Beslutning

Salget blev godkendt {d1}.

## Punkt 3: {t2} - Lukket punkt

Offentlig beslutning: ja

### Beslutning i Sundhedsklynge Nord den 30-04-2024

Sagen blev afsluttet {d2}.

## Punkt 4: {t3}

Lukket: ja
Offentlig beslutning: ja

### Beslutning

Kontrakten blev forlænget {d3}.
"""

DRAFT = """---
cluster: nord
forum: politisk-niveau
date: 2024-06-01
time: "10:00"
title: Ekstraordinært møde {draft-title}
location: Lokale {draft-location}
participants:
  - {{name: Person {draft-participant}, org: Parti {draft-org}, role: formand}}
secretariat:
  - {{name: Sekretær {draft-secretariat}, org: Region}}
source: referat-{draft-source}.pdf
draft: true
---

## Punkt 1: Lægedækning {draft-item-title}

Sagsnr.: 24/1001
Emner: laegedaekning

Som besluttet på mødet den 8. februar 2024 og mødet den 30. april 2024: {draft-item-text}.

### Beslutning

Forebyggelse og lægedækning {draft-decision}.
"""

LATER = """---
cluster: nord
forum: politisk-niveau
date: 2024-09-10
location: Rådhuset
---

## Punkt 1: Lægedækning, opfølgning

Sagsnr.: 24/1001

### Sagsfremstilling

På mødet den 1. juni 2024 (en kladde) og mødet d. 1/6 2024 blev lægedækning drøftet.

### Beslutning

Taget til efterretning.
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site(FIXTURES / "links", tmp_path_factory.mktemp("leaks"), with_content=False)
    folder = site / "content/nord"
    folder.mkdir(parents=True)
    values = {**CANARIES, "control": PUBLISHED_CONTROL}
    values.update({f"d{i + 1}": d for i, d in enumerate(DECISIONS)})
    values.update({f"t{i + 1}": t for i, t in enumerate(CLOSED_TITLES)})
    (folder / "2024-02-08-politisk-niveau.md").write_text(FEB.format(**values), "utf-8")
    (folder / "2024-04-30-politisk-niveau.md").write_text(CLOSED.format(**values), "utf-8")
    (folder / "2024-06-01-politisk-niveau.md").write_text(DRAFT.format(**values), "utf-8")
    (folder / "2024-09-10-politisk-niveau.md").write_text(LATER, "utf-8")
    result = run_cli("build", "--site", site, "--no-cache")
    assert result.returncode != 0  # closed items with text stop the build: nothing is published
    assert "Traceback" not in result.stderr
    for line, number in ((21, 2), (41, 3), (57, 4)):
        assert (
            f"2024-04-30-politisk-niveau.md:{line}: fejl: punkt {number} er et lukket punkt" in result.stderr
        )
    assert not (site / "output").exists()
    (folder / "2024-04-30-politisk-niveau.md").write_text(CLOSED_OK.format(**values), "utf-8")
    result = run_cli("build", "--site", site, "--no-cache")  # with the Pagefind index
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def files(site: Path) -> dict[str, bytes]:
    """Every output file, lower-cased, Pagefind's gzip chunks decompressed."""
    out = site / "output"
    found = {str(p.relative_to(out)): decoded(p).lower() for p in sorted(out.rglob("*")) if p.is_file()}
    kinds = {Path(name).suffix for name in found}
    for kind in (".html", ".xml", ".ics", ".json", ".txt", ".pf_fragment", ".pf_index", ".pf_meta"):
        assert kind in kinds, f"no {kind} file in the output: the search would prove nothing"
    assert "robots.txt" in found and "sitemap.xml" in found
    return found


def _output(site: Path) -> dict[str, bytes]:
    out = site / "output"
    return {str(p.relative_to(out)): decoded(p).lower() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def levelled(site: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """The same site with its meetings in every level of the index: built once (the base), its published
    meetings and the draft edited and folded into the delta, then edited again into recent. The output
    after each of the three builds."""
    copy = tmp_path_factory.mktemp("levels") / "site"
    shutil.copytree(site, copy, ignore=shutil.ignore_patterns("output*", ".cache"))
    folder = copy / "content/nord"
    build(copy, jobs=1)
    steps = {"base": _output(copy)}
    words = {"delta": "qzdeltaword", "recent": "qzrecentword"}

    def edit(level: str) -> None:
        for path in sorted(folder.glob("*.md")):  # the public decision of the first item, the draft's too
            path.write_text(
                path.read_text("utf-8").replace("### Beslutning\n\n", f"### Beslutning\n\n{words[level]} ", 1)
            )

    for level in into_each_search_level(copy, edit, lambda: build(copy, jobs=1)):
        steps[level] = _output(copy)
    return steps


def where(files: dict[str, bytes], word: str) -> list[str]:
    needle = word.lower().encode()
    return [name for name, data in files.items() if needle in data]


def test_control_word_is_found_in_pages_and_the_search_index(files: dict[str, bytes]) -> None:
    hits = where(files, PUBLISHED_CONTROL)
    assert any(h.endswith(".html") for h in hits), hits
    assert any(FRAGMENT.match(h) for h in hits), hits
    assert any(INDEX_CHUNK.match(h) for h in hits), hits


@pytest.mark.parametrize("place", sorted(CANARIES))
def test_canary_is_nowhere_in_the_output(files: dict[str, bytes], place: str) -> None:
    assert where(files, CANARIES[place]) == []


@pytest.mark.parametrize("step", ["base", "delta", "recent"])
def test_no_canary_in_any_level_of_the_index(levelled: dict[str, dict[str, bytes]], step: str) -> None:
    files = levelled[step]
    if step != "base":  # the edited meetings, the closed one among them, are in that level's bundle
        word = "qzdeltaword" if step == "delta" else "qzrecentword"
        hits = [h for h in where(files, word) if h.startswith(f"pagefind/{step}/")]
        assert any(FRAGMENT.match(h) for h in hits) and any(INDEX_CHUNK.match(h) for h in hits), hits
        assert any(FRAGMENT.match(h) for h in where(files, DECISIONS[0]) if h.startswith(f"pagefind/{step}/"))
    assert [(place, where(files, word)) for place, word in CANARIES.items() if where(files, word)] == []
    assert where(files, DRAFT_URL) == [] and where(files, "2024-06-01") == []


def test_closed_titles_and_public_decisions_are_published(site: Path, files: dict[str, bytes]) -> None:
    doc = page(site / "output", CLOSED_MEETING)
    for number, title, decision in zip((2, 3, 4), CLOSED_TITLES, DECISIONS, strict=True):
        item = doc.find(id=f"punkt-{number}")
        assert item is not None and "closed" in item["class"]
        text = item.get_text(" ", strip=True)
        assert title in text and decision in text
        assert any(FRAGMENT.match(h) for h in where(files, decision))


def test_no_trace_of_the_draft_url(files: dict[str, bytes]) -> None:
    assert where(files, DRAFT_URL) == []
    assert where(files, "2024-06-01") == []  # not in JSON, ICS, feeds or sitemap either


def test_date_reference_to_a_draft_is_not_a_link(site: Path) -> None:
    doc = page(site / "output", "/klynger/nord/2024-09-10-politisk-niveau/")
    text = doc.find(id="punkt-1")
    assert "1. juni 2024" in text.get_text()
    assert all("2024-06-01" not in a.get("href", "") for a in doc.find_all("a"))


def test_draft_and_closed_text_give_no_backlinks(site: Path) -> None:
    """The February meeting is mentioned by a draft and by closed items only: it is "omtalt" nowhere."""
    feb = page(site / "output", "/klynger/nord/2024-02-08-politisk-niveau/")
    assert feb.find(id="omtalt") is None
    hrefs = [a["href"] for a in feb.find_all("a", href=True)]
    assert not any("#punkt-2" in h or "#punkt-3" in h or "#punkt-4" in h for h in hrefs), hrefs


def test_case_history_lists_published_items_only(site: Path) -> None:
    out = site / "output"
    case = page(out, "/sager/24-1001/")
    listed = sorted(a["href"] for a in case.select("main a") if re.search(r"/klynger/nord/\d", a["href"]))
    assert sorted({h.split("#")[0] for h in listed}) == [
        "/klynger/nord/2024-02-08-politisk-niveau/",
        "/klynger/nord/2024-04-30-politisk-niveau/",
        "/klynger/nord/2024-09-10-politisk-niveau/",
    ]


def test_closed_text_does_not_put_items_under_topics(site: Path) -> None:
    """ "Forebyggelse" appears only in closed bodies and the draft: no topic page may list those items."""
    out = site / "output"
    topic = out / "emner/forebyggelse/index.html"
    if topic.exists():
        hrefs = [a["href"] for a in page(out, "/emner/forebyggelse/").select("main a")]
        assert not any(CLOSED_MEETING in h for h in hrefs), hrefs


def test_closed_item_beslutningsgrundlag_is_not_a_decision(tmp_path: Path) -> None:
    """A heading such as "Beslutningsgrundlag" (the basis for a decision) is not the decision itself."""
    site = copy_site(FIXTURES / "links", tmp_path, with_content=False)
    target = site / "content/nord/2024-04-30-politisk-niveau.md"
    target.parent.mkdir(parents=True)
    target.write_text(
        FEB.format(control="x").replace("2024-02-08", "2024-04-30")
        + "\n## Punkt 2: Lukket punkt – Personalesag\n\n### Beslutningsgrundlag\n\n"
        + "Fortroligt qzgrundlag21.\n\n### Beslutning\n\nSagen blev afsluttet.\n",
        "utf-8",
    )
    result = run_cli("build", "--site", site, "--no-search")
    assert result.returncode != 0
    assert "2024-04-30-politisk-niveau.md:18: fejl: punkt 2 er et lukket punkt" in result.stderr
    assert not (site / "output").exists()
    (site / "content/nord/2024-04-30-politisk-niveau.md").write_text(
        target.read_text("utf-8").replace(
            "### Beslutningsgrundlag\n\nFortroligt qzgrundlag21.\n\n", "Offentlig beslutning: ja\n\n"
        ),
        "utf-8",
    )
    result = run_cli("build", "--site", site, "--no-search")
    assert result.returncode == 0, result.stderr
    html = (site / "output" / CLOSED_MEETING.strip("/") / "index.html").read_text("utf-8")
    assert "Sagen blev afsluttet." in html
