"""Incremental builds: a change rewrites exactly the files it affects, and the result is byte-identical
to a clean build of the same input.

Every test builds a copy of the links fixture into a temp dir, dates the published files back (age), changes
one input, builds again through the CLI and compares bytes, inodes and mtimes file by file.
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, broken_links, copy_site, page, run_cli
from sitegen import (
    age,
    build_site,
    changed,
    copy_inputs,
    differing,
    read_config,
    rewritten,
    snapshot,
    write_config,
)

NORD_FEB = "klynger/nord/2024-02-08-politisk-niveau/"
NORD_CHEF = "klynger/nord/2024-03-04-chefforum/"
NORD_APR = "klynger/nord/2024-04-30-politisk-niveau/"
SYD_MAY = "klynger/syd/2024-05-15-politisk-niveau/"
HTML_SUFFIX = ".html"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """The links fixture with the engine's templates copied in (so a test may edit them), built once and
    its output dated back."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    shutil.copytree(ROOT / "templates", site / "templates")
    build_site(site)
    age(site / "output")
    return site


def assert_same_as_clean_build(site: Path, tmp_path: Path) -> None:
    """The incremental output equals a build of the same input from nothing, without the cache."""
    clean = copy_inputs(site, tmp_path / "clean")
    build_site(clean, "--no-cache")
    assert differing(site / "output", clean / "output") == []


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new), "utf-8")


def html_files(state: dict) -> set[str]:
    return {rel for rel in state if rel.endswith(HTML_SUFFIX)}


def test_topic_template_change_rewrites_every_topic_page_and_nothing_else(site: Path, tmp_path: Path) -> None:
    before = snapshot(site / "output")
    edit(
        site / "templates/topic.html",
        "<h1>{{ title }}</h1>",
        '<h1>{{ title }}</h1><p class="m">TOPIC-MARK-41</p>',
    )
    summary = build_site(site)
    after = snapshot(site / "output")

    topic_pages = {rel for rel in after if rel.startswith("emner/") and rel.count("/") == 2}
    assert topic_pages == {f"emner/{t}/index.html" for t in ("laegedaekning", "forebyggelse", "dnlp")}
    for rel in topic_pages:
        assert b"TOPIC-MARK-41" in after[rel].data, rel
    assert rewritten(before, after) == topic_pages
    assert summary["rendered"] == len(topic_pages)
    assert summary["written"] == len(topic_pages)
    assert b"TOPIC-MARK-41" not in after["emner/index.html"].data  # topics.html is another template
    assert_same_as_clean_build(site, tmp_path)


def test_base_template_change_rewrites_every_html_page_and_no_other_file(site: Path, tmp_path: Path) -> None:
    before = snapshot(site / "output")
    edit(site / "templates/base.html", "</body>", "<!-- BASE-MARK-77 --></body>")
    summary = build_site(site)
    after = snapshot(site / "output")

    pages = html_files(after)
    assert pages and all(b"BASE-MARK-77" in after[rel].data for rel in pages)
    assert rewritten(before, after) == pages  # feeds, JSON, calendars, sitemap and CSS are kept
    assert summary["rendered"] == summary["pages"] == len(pages)
    assert_same_as_clean_build(site, tmp_path)


def test_macro_change_reaches_every_page_that_imports_it(site: Path, tmp_path: Path) -> None:
    """A template's fingerprint covers what it imports: meeting_list in macros.html is used by the
    cluster, forum, year, month and home templates. Pages rendered again with the same bytes (meeting
    pages import macros.html too) keep their files."""
    before = snapshot(site / "output")
    lists = {rel for rel, state in before.items() if b'<ul class="meetings">' in state.data}
    assert {
        "klynger/nord/index.html",
        "fora/chefforum/index.html",
        "2024/index.html",
        "2024/03/index.html",
    } <= lists
    edit(site / "templates/macros.html", '<ul class="meetings">', '<ul class="meetings" data-mark="ML-9">')
    summary = build_site(site)
    after = snapshot(site / "output")
    assert rewritten(before, after) == lists
    assert all(b'data-mark="ML-9"' in after[rel].data for rel in lists)
    assert summary["rendered"] > len(lists)  # meeting pages were rendered again and kept
    assert_same_as_clean_build(site, tmp_path)


def test_asset_change_rewrites_the_asset_and_every_page_that_links_it(site: Path, tmp_path: Path) -> None:
    before = snapshot(site / "output")
    (site / "static").mkdir()
    css = (ROOT / "static/style.css").read_text("utf-8") + "\n.m { color: red; }\n"
    (site / "static/style.css").write_text(css, "utf-8")
    build_site(site)
    after = snapshot(site / "output")
    assert after["static/style.css"].data == css.encode()
    # the stylesheet URL carries a hash of its bytes (?v=…), so every page links the new one
    assert rewritten(before, after) == html_files(after) | {"static/style.css"}
    assert_same_as_clean_build(site, tmp_path)


def test_decision_change_rewrites_only_the_meeting_and_what_lists_it(site: Path, tmp_path: Path) -> None:
    out = site / "output"
    before = snapshot(out)
    url = "/" + NORD_CHEF
    listing = {rel for rel, state in before.items() if url.encode() in state.data}
    own = {NORD_CHEF + "index.html", NORD_CHEF + "meeting.json"}
    aggregates = {rel for rel in before if rel.startswith(("feeds/", "data/"))} | {"sitemap.xml"}
    edit(site / "content/nord/2024-03-04-chefforum.md", "udpegede to deltagere", "udpegede tre deltagere")
    summary = build_site(site)
    after = snapshot(out)

    new_text = b"udpegede tre deltagere"
    must_change = own | {"data/meetings.json", "feeds/all.atom", "feeds/klynger/nord.atom"}
    for rel in must_change:
        assert new_text in after[rel].data, rel
    assert must_change <= rewritten(before, after)
    assert rewritten(before, after) <= own | listing | aggregates
    assert rewritten(before, after) == changed(before, after)  # a file is rewritten iff its bytes changed
    # a meeting in another cluster and forum, which neither links nor lists this one, is the same file
    for rel in (SYD_MAY + "index.html", SYD_MAY + "meeting.json", "klynger/syd/index.html"):
        assert (after[rel].inode, after[rel].mtime_ns) == (before[rel].inode, before[rel].mtime_ns), rel
    assert summary["rendered"] < summary["pages"] // 2
    assert_same_as_clean_build(site, tmp_path)


def test_deleted_meeting_disappears_with_every_link_to_it(site: Path, tmp_path: Path) -> None:
    out = site / "output"
    slug = "2024-02-08-politisk-niveau"
    assert any(
        slug.encode() in state.data for rel, state in snapshot(out).items() if not rel.startswith(NORD_FEB)
    )
    (site / "content/nord" / f"{slug}.md").unlink()
    summary = build_site(site)

    assert not (out / NORD_FEB).exists()
    assert summary["removed"] >= 2  # index.html and meeting.json
    mentions = [
        rel
        for rel, state in snapshot(out).items()
        if rel.endswith((".html", ".json", ".xml", ".atom", ".ics")) and slug.encode() in state.data
    ]
    assert mentions == []
    assert broken_links(out) == []
    assert_same_as_clean_build(site, tmp_path)


def test_renamed_topic_moves_its_pages_and_every_link(site: Path, tmp_path: Path) -> None:
    out = site / "output"
    config = read_config(site)
    config["topics"] = {
        ("laegemangel" if k == "laegedaekning" else k): v for k, v in config["topics"].items()
    }
    write_config(site, config)
    build_site(site)

    assert not (out / "emner/laegedaekning").exists()
    assert not (out / "feeds/emner/laegedaekning.atom").exists()
    assert (out / "emner/laegemangel/index.html").is_file()
    assert (out / "feeds/emner/laegemangel.atom").is_file()
    meeting_links = {a["href"] for a in page(out, "/" + NORD_FEB).find_all("a")}
    assert "/emner/laegemangel/" in meeting_links
    stale = [rel for rel, state in snapshot(out).items() if b"emner/laegedaekning" in state.data]
    assert stale == []
    assert broken_links(out) == []
    assert_same_as_clean_build(site, tmp_path)


def test_noop_rebuild_writes_nothing_and_keeps_every_file(site: Path) -> None:
    before = snapshot(site / "output")
    summary = build_site(site)
    after = snapshot(site / "output")
    assert summary == {
        "pages": summary["pages"],
        "written": 0,
        "unchanged": len(before),
        "removed": 0,
        "rendered": 0,
    }
    assert after.keys() == before.keys()
    assert rewritten(before, after) == set()


def test_noop_rebuild_with_search_keeps_the_search_bundle(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    build_site(site, search=True)
    out = site / "output"
    age(out)
    before = snapshot(out)
    assert any(re.match(r"pagefind/[^/]+/fragment/", rel) for rel in before)
    summary = build_site(site, search=True)
    assert summary["written"] == 0
    assert rewritten(before, snapshot(out)) == set()


def test_touched_but_unchanged_inputs_rewrite_nothing(tmp_path: Path) -> None:
    """A new mtime on every input defeats the no-op shortcut; the full pipeline must still find that no
    page changed, render none, and keep every file, the search bundle included."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    build_site(site, search=True)
    out = site / "output"
    age(out)
    before = snapshot(out)
    for path in [site / "site_config.yaml", *(site / "content").rglob("*.md")]:
        os.utime(path)
    summary = build_site(site, search=True)
    assert (summary["written"], summary["rendered"], summary["removed"]) == (0, 0, 0)
    assert rewritten(before, snapshot(out)) == set()


def test_search_bundle_files_with_the_same_bytes_keep_their_mtime(tmp_path: Path) -> None:
    """Changing one meeting puts it into the delta bundle; the base bundles and the delta's files whose
    bytes did not change (the scripts, the wasm) must keep their mtime, or every nightly upload sends the
    whole search index again."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    build_site(site, search=True)
    out = site / "output"
    age(out)
    before = snapshot(out)
    edit(site / "content/nord/2024-03-04-chefforum.md", "udpegede to deltagere", "udpegede tre deltagere")
    build_site(site, search=True)
    after = snapshot(out)
    bundle = {rel for rel in before.keys() & after.keys() if rel.startswith("pagefind/")}
    same_bytes = {rel for rel in bundle if before[rel].data == after[rel].data}
    assert "pagefind/2024-0/pagefind.js" in same_bytes
    assert sorted(rewritten(before, after) & same_bytes) == []


def test_no_cache_build_is_byte_identical_and_keeps_the_files(site: Path) -> None:
    before = snapshot(site / "output")
    summary = build_site(site, "--no-cache")
    after = snapshot(site / "output")
    assert summary["rendered"] == summary["pages"]
    assert summary["written"] == 0
    assert changed(before, after) == set()
    assert rewritten(before, after) == set()


def test_cache_does_not_trust_pages_of_another_output_directory(tmp_path: Path) -> None:
    """The page cache lives in SITE/.cache, but the files it vouches for are in whichever --out is built.
    Building into B after a change, then into A again, must not keep A's page from before the change."""
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    a, b = tmp_path / "a", tmp_path / "b"
    build_site(site, "--out", str(a))
    edit(site / "content/nord/2024-03-04-chefforum.md", "udpegede to deltagere", "udpegede tre deltagere")
    build_site(site, "--out", str(b))
    build_site(site, "--out", str(a))
    assert differing(a, b) == []


def test_timings_name_every_stage_of_a_real_build(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "links", tmp_path)
    result = run_cli("build", "--site", site, "--no-search", "--timings")
    assert result.returncode == 0, result.stderr
    stages = dict(part.rsplit(" ", 1) for part in result.stderr.strip().splitlines()[-1].split("  "))
    for stage in ("content", "site model", "pages", "render", "feeds", "publish"):
        assert float(stages[stage]) >= 0.0
    assert sum(map(float, stages.values())) > 0.0


NORD_APR_FILE = "content/nord/2024-04-30-politisk-niveau.md"


SYD_CHEF = "klynger/syd/2024-07-01-chefforum/"


def test_item_title_change_reaches_case_histories_and_backlinks(site: Path, tmp_path: Path) -> None:
    """Meeting pages list other meetings' items (case history, backlinks) by title; their shapes leave the
    titles to the outline of the linked meeting, which must still re-render every page that shows one.
    The July meeting added here shows April only in its case history (no topic, no date, another forum)."""
    (site / "content/syd/2024-07-01-chefforum.md").write_text(
        "---\ncluster: syd\nforum: chefforum\ndate: 2024-07-01\n---\n\n"
        "## Punkt 1: Status\n\nSagsnr.: 24/1001\n\n### Beslutning\n\nTaget til efterretning.\n",
        "utf-8",
    )
    build_site(site)
    out = site / "output"
    age(out)
    before = snapshot(out)
    old_title, new_title = "Opfølgning på lægedækning", "Opfølgning på lægedækning TITLE-MARK-5"
    showing = {page + "index.html" for page in (NORD_FEB, NORD_CHEF, SYD_MAY, SYD_CHEF)}
    for rel in showing:
        assert old_title.encode() in before[rel].data, rel  # a backlink (Feb, March) or a case step
    edit(site / NORD_APR_FILE, f"## Punkt 1: {old_title}", f"## Punkt 1: {new_title}")
    build_site(site)
    after = snapshot(out)
    for rel in showing:
        assert new_title.encode() in after[rel].data, rel
    assert showing <= rewritten(before, after)
    assert rewritten(before, after) == changed(before, after)
    assert_same_as_clean_build(site, tmp_path)


def test_decision_change_keeps_pages_that_show_only_the_item_title(site: Path, tmp_path: Path) -> None:
    """The May meeting in Syd shows April's item in its case history by title only: a new decision in
    April re-renders the case page (it shows the decision's start) but not the May page."""
    out = site / "output"
    before = snapshot(out)
    edit(site / NORD_APR_FILE, "Arbejdsgruppens kommissorium blev godkendt.", "Kommissoriet blev udsat.")
    build_site(site)
    after = snapshot(out)
    assert b"Kommissoriet blev udsat." in after[NORD_APR + "index.html"].data
    case_pages = {rel for rel in after if rel.startswith("sager/") and rel != "sager/index.html"}
    assert case_pages and case_pages <= rewritten(before, after)
    assert SYD_MAY + "index.html" not in rewritten(before, after)
    assert_same_as_clean_build(site, tmp_path)


def test_a_page_shape_digest_depends_on_values_not_on_how_objects_are_shared() -> None:
    from referater.page import canonical_bytes

    text = "Sundhedsklynge Nord"
    copy = "".join(["Sundhedsklynge", " ", "Nord"])
    assert text == copy and text is not copy
    assert canonical_bytes((text, text, (1, text))) == canonical_bytes((text, copy, (1, copy)))
    assert canonical_bytes((text, 1)) != canonical_bytes((text, 2))


def test_a_shape_with_links_and_interned_strings_hashes_by_value() -> None:
    import sys

    from referater.page import canonical_bytes
    from referater.views import Link

    name = "".join(["klynger/", "nord/"])
    link = Link(name, "Nord")
    shared = (link, link, (sys.intern("Nord"), 1))
    apart = (Link(name, "Nord"), Link("".join(["klynger/nord", "/"]), "Nord"), ("".join(["No", "rd"]), 1))
    assert canonical_bytes(shared) == canonical_bytes(apart)
    assert canonical_bytes((Link(name, "Nord"),)) != canonical_bytes((Link(name, "Syd"),))
    assert canonical_bytes((Link(name, "Nord"),)) != canonical_bytes(((name, "Nord"),))


MODEL_EDITS = {
    # each changes a fact the site model is computed from, not only text
    "case number": ("Sagsnr.: 24/1001", "Sagsnr.: 24/1001, 24/7777"),
    "date cited": ("Indsatsen forebygger indlæggelser.", "Indsatsen blev drøftet den 8. februar 2024."),
    "topic in a title": (
        "## Punkt 3: Forebyggelse og sundhedsfremme",
        "## Punkt 3: Lægedækning i yderområder",
    ),
    "item renumbered": ("## Punkt 3: Forebyggelse", "## Punkt 4: Forebyggelse"),
    "draft": ('time: "10:00"\n', 'time: "10:00"\ndraft: true\n'),
    "joint meeting": ('time: "10:00"\n', 'time: "10:00"\njoint_with: [syd]\n'),
}


@pytest.mark.parametrize("name", sorted(MODEL_EDITS))
def test_model_fact_edits_build_the_same_as_a_clean_build(site: Path, tmp_path: Path, name: str) -> None:
    """The model cache (relations and meeting page shapes of the last build) must never outlive a change to
    the facts they come from: after each such edit the incremental site equals a clean build."""
    old, new = MODEL_EDITS[name]
    model_file = site / ".cache/model.pickle"
    before = model_file.read_bytes()
    edit(site / NORD_APR_FILE, old, new)
    build_site(site)
    assert model_file.read_bytes() != before  # computed afresh under another digest
    assert_same_as_clean_build(site, tmp_path)


def test_text_edit_reuses_the_model_cache_and_still_builds_the_same(site: Path, tmp_path: Path) -> None:
    model_file = site / ".cache/model.pickle"
    before = model_file.stat()
    edit(site / NORD_APR_FILE, "Arbejdsgruppens kommissorium blev godkendt.", "Kommissoriet blev udsat.")
    build_site(site)
    after = model_file.stat()
    assert (after.st_mtime_ns, after.st_ino) == (before.st_mtime_ns, before.st_ino)  # not rewritten
    assert b"Kommissoriet blev udsat." in (site / "output" / NORD_APR / "index.html").read_bytes()
    assert_same_as_clean_build(site, tmp_path)


def test_model_cache_names_every_field_of_the_model() -> None:
    """A field added to Meeting or AgendaItem must be put among the model facts or the text-only fields."""
    from dataclasses import fields

    from referater import modelcache as mc
    from referater.model import AgendaItem, Meeting

    meeting = {f.name for f in fields(Meeting) if f.init}
    item = {f.name for f in fields(AgendaItem) if f.init}
    assert meeting == {*mc.MEETING_FACTS, *mc.MEETING_FACTS_SPELLED_OUT, *mc.MEETING_TEXT_ONLY}
    assert item == {*mc.ITEM_FACTS, *mc.ITEM_TEXT_ONLY}


def test_decision_snippet_change_reaches_the_topic_page_that_lists_the_item(
    site: Path, tmp_path: Path
) -> None:
    """Topic pages keep their entries in the model cache; the snippet beside an entry follows the text."""
    out = site / "output"
    pages = [p for p in (out / "emner").rglob("index.html") if b"Indsatsen forebygger" in p.read_bytes()]
    assert pages
    edit(site / NORD_APR_FILE, "Indsatsen forebygger indlæggelser.", "Indsatsen SNIPPET-MARK virker.")
    build_site(site)
    for page_file in pages:
        assert b"Indsatsen SNIPPET-MARK virker." in page_file.read_bytes(), page_file
    assert_same_as_clean_build(site, tmp_path)


def test_builds_in_one_process_show_each_its_own_titles_and_templates(site: Path) -> None:
    """The live preview builds again and again in one process: the links to meetings and items made once
    per build and the templates compiled once per build must come from that build's inputs."""
    from referater.pipeline import build as build_in_process

    out = site / "output"
    old_title, new_title = "Opfølgning på lægedækning", "Opfølgning på lægedækning TITLE-MARK-9"
    build_in_process(site, search=False, jobs=1)
    assert old_title in page(out, "/" + NORD_FEB).get_text()
    edit(site / NORD_APR_FILE, f"## Punkt 1: {old_title}", f"## Punkt 1: {new_title}")
    edit(site / "templates/macros.html", "Punkt {{ i.number }} ·", "Punkt {{ i.number }} MACRO-MARK ·")
    build_in_process(site, search=False, jobs=1)
    assert new_title in page(out, "/" + NORD_FEB).get_text()  # a backlink, made in this build
    topics = [p for p in (out / "emner").rglob("index.html") if new_title in p.read_text("utf-8")]
    assert topics and all("MACRO-MARK" in p.read_text("utf-8") for p in topics)


def test_snippet_change_keeps_topic_pages_listing_only_other_items_of_the_meeting(site: Path) -> None:
    """A topic page's snippets are followed item by item: a decision edited in item 3 re-renders the pages
    listing item 3, not those listing only item 1 of the same meeting."""
    out = site / "output"
    before = snapshot(out)
    topic_pages = {rel for rel in before if rel.startswith("emner/") and rel != "emner/index.html"}
    listing_item_3 = {rel for rel in topic_pages if b"Indsatsen forebygger" in before[rel].data}
    listing_item_1_only = {
        rel for rel in topic_pages - listing_item_3 if (NORD_APR + "#punkt-1").encode() in before[rel].data
    }
    assert listing_item_3 and listing_item_1_only
    edit(site / NORD_APR_FILE, "Indsatsen forebygger indlæggelser.", "Indsatsen er udskudt.")
    summary = build_site(site)
    after = snapshot(out)
    assert listing_item_3 <= rewritten(before, after)
    assert not listing_item_1_only & rewritten(before, after)
    # no page was rendered only to give the same bytes (a page whose snippets did not change)
    assert summary["rendered"] == len(html_files(changed(before, after)))


def test_snippets_follow_edit_after_edit_and_back_again(site: Path, tmp_path: Path) -> None:
    """The model cache is not written again for a decision edit alone, so its listing entries describe the
    files as they were then: each later edit, a return to those very bytes included, must still reach the
    topic and case pages that show the snippet."""
    out = site / "output"
    original = (site / NORD_APR_FILE).read_bytes()
    listing = [p for p in (out / "emner").rglob("index.html") if b"Indsatsen forebygger" in p.read_bytes()]
    assert listing
    for mark in ("Indsatsen FIRST-MARK virker.", "Indsatsen SECOND-MARK virker."):
        (site / NORD_APR_FILE).write_bytes(
            original.replace(b"Indsatsen forebygger indl\xc3\xa6ggelser.", mark.encode())
        )
        build_site(site)
        for page_file in listing:
            assert mark.encode() in page_file.read_bytes(), (mark, page_file)
    (site / NORD_APR_FILE).write_bytes(original)
    build_site(site)
    for page_file in listing:
        text = page_file.read_bytes()
        assert b"Indsatsen forebygger" in text and b"SECOND-MARK" not in text, page_file
    assert_same_as_clean_build(site, tmp_path)


def test_topic_pattern_change_in_the_config_alone_reaches_the_model(site: Path, tmp_path: Path) -> None:
    """The model cache keeps each meeting's fact hash by file and bytes; a config change keeps every file
    as it was but changes what is found in them (topics): the kept relations must not be reused."""
    out = site / "output"
    assert "Indsatsen forebygger" in (site / NORD_APR_FILE).read_text("utf-8")
    edit(site / "site_config.yaml", "Ledelsesprogram*]", 'Ledelsesprogram*, "*indlæggelser*"]')
    build_site(site)
    dnlp = "".join(p.read_text("utf-8") for p in (out / "emner" / "dnlp").rglob("index.html"))
    assert NORD_APR + "#punkt-3" in dnlp  # item 3 ("… forebygger indlæggelser") is now found under DNLP
    assert_same_as_clean_build(site, tmp_path)


def test_damaged_compiled_templates_cost_a_compile_not_the_build(site: Path, tmp_path: Path) -> None:
    """.cache/templates/ keeps the templates as Jinja compiled them; a file there cut short or overwritten
    is compiled again, and a template edited since is never taken from it."""
    kept = sorted((site / ".cache" / "templates").rglob("*.cache"))
    assert kept
    for i, path in enumerate(kept):
        path.write_bytes(path.read_bytes()[: i % 7] if i % 2 else b"not bytecode at all")
    edit(site / "templates/macros.html", "Punkt {{ i.number }} ·", "Punkt {{ i.number }} BYTECODE-MARK ·")
    build_site(site)
    topics = [
        p for p in (site / "output" / "emner").rglob("index.html") if "BYTECODE-MARK" in p.read_text("utf-8")
    ]
    assert topics
    assert_same_as_clean_build(site, tmp_path)
