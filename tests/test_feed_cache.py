"""The feeds' piece cache (.cache/fragments.sqlite): a warm build renders only the entries of changed
meetings, yet its feeds equal a build without the cache, and every change that shows in an entry (the
meeting, the config, the engine) reaches the published Atom."""

from __future__ import annotations

import contextlib
import hashlib
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FIXTURES, copy_site
from sitegen import read_config, write_config

from referater import feeds
from referater.cache import CACHE_DIR
from referater.fragments import FRAGMENTS_FILE, TOKEN_SIZE
from referater.pipeline import build

A = "{http://www.w3.org/2005/Atom}"
APRIL = "nord/2024-04-30-politisk-niveau.md"
APRIL_URL = "https://example.org/klynger/nord/2024-04-30-politisk-niveau/"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(FIXTURES / "links", tmp_path / "site")


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The meetings whose feed entry is rendered (not taken from the cache), by path."""
    made: list[str] = []
    original = feeds._render_meeting_entry

    def counted(site, meeting, *shared):  # noqa: ANN001, ANN002, ANN202 - a spy with the wrapped signature
        made.append(meeting.path)
        return original(site, meeting, *shared)

    monkeypatch.setattr(feeds, "_render_meeting_entry", counted)
    return made


def run(site: Path, **options: object) -> Path:
    build(site, jobs=1, search=False, **options)
    return site / "output"


def entries(out: Path, feed: str = "feeds/klynger/nord.atom") -> dict[str, ET.Element]:
    root = ET.parse(out / feed).getroot()
    return {e.findtext(f"{A}id"): e for e in root.findall(f"{A}entry")}


def content(entry: ET.Element) -> str:
    return entry.findtext(f"{A}content")


def edit(site: Path, old: str, new: str, name: str = APRIL) -> None:
    path = site / "content" / name
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def cache_file(site: Path) -> Path:
    return site / CACHE_DIR / FRAGMENTS_FILE


def files(out: Path) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def feed_files(out: Path) -> dict[str, bytes]:
    return {rel: data for rel, data in files(out).items() if rel.startswith(("feeds/", "kalender/"))}


def test_a_changed_decision_shows_and_the_other_entries_come_from_the_cache(
    site: Path, tmp_path: Path, renders: list[str]
) -> None:
    run(site)
    assert len(renders) == 4  # the four published meetings, each rendered once for all feeds
    renders.clear()
    edit(site, "Arbejdsgruppens kommissorium blev godkendt.", "Kommissoriet blev sendt tilbage.")
    out = run(site)
    assert renders == [f"content/{APRIL}"]
    for feed in ("feeds/klynger/nord.atom", "feeds/all.atom"):
        text = content(entries(out, feed)[APRIL_URL])
        assert "Kommissoriet blev sendt tilbage." in text
        assert "kommissorium blev godkendt" not in text
    # Warm equals cold: the same input built without any cache into another directory.
    clean = copy_site(site, tmp_path / "clean")
    run(clean, use_cache=False)
    assert files(out) == files(clean / "output")
    assert not cache_file(clean).exists()  # --no-cache neither reads nor writes it


def query(site: Path, sql: str, *args: object) -> list[tuple]:
    with contextlib.closing(sqlite3.connect(cache_file(site))) as db, db:
        return db.execute(sql, args).fetchall()


def cached_meetings(site: Path) -> set[tuple[str, str]]:
    """(path, digest) of every meeting with a piece in the cache."""
    pieces = {key[:TOKEN_SIZE] for (key,) in query(site, "SELECT key FROM pieces")}
    return {
        (path, digest) for token, path, digest in query(site, "SELECT * FROM meetings") if token in pieces
    }


def published(site: Path) -> set[tuple[str, str]]:
    return {
        (p.relative_to(site).as_posix(), hashlib.blake2b(p.read_bytes(), digest_size=16).hexdigest())
        for p in (site / "content").rglob("*.md")
        if "draft: true" not in p.read_text("utf-8")
    }


def test_the_cache_keeps_only_the_pieces_in_use(site: Path) -> None:
    run(site)
    assert cached_meetings(site) == published(site)
    edit(site, "Arbejdsgruppens kommissorium blev godkendt.", "Kommissoriet blev sendt tilbage.")
    (site / "content/syd/2024-05-15-politisk-niveau.md").unlink()
    run(site)
    assert cached_meetings(site) == published(site)  # neither the old April nor the deleted meeting
    assert len(published(site)) == 3


def test_closed_text_and_drafts_stay_out_with_a_warm_cache(site: Path) -> None:
    out = run(site)
    feb_url = "https://example.org/klynger/nord/2024-02-08-politisk-niveau/"
    assert APRIL_URL in entries(out) and "Lukket punkt." not in content(entries(out)[feb_url])
    # The meeting becomes a draft, and an item of another published meeting is closed.
    edit(site, "time: ", "draft: true\ntime: ")
    edit(
        site,
        "## Punkt 2: Eventuelt",
        "## Punkt 2: Lukket punkt – Eventuelt\n\nOffentlig beslutning: ja",
        "nord/2024-02-08-politisk-niveau.md",
    )
    out = run(site)
    for rel, data in feed_files(out).items():
        assert b"CANARY" not in data, rel
        assert b"2024-04-30-politisk-niveau" not in data, rel
    assert "Lukket punkt." in content(entries(out)[feb_url])


def test_config_changes_reach_the_entries(site: Path) -> None:
    run(site)
    config = read_config(site)
    config["clusters"]["nord"]["name"] = "Nordvest"
    config["topics"]["laegedaekning"]["name"] = "Lægeadgang"
    write_config(site, config)
    out = run(site)
    entry = entries(out)[APRIL_URL]
    labels = {c.get("term"): c.get("label") for c in entry.findall(f"{A}category")}
    assert labels["nord"] == "Sundhedsklynge Nordvest"
    assert labels["laegedaekning"] == "Lægeadgang"
    topic = entries(out, "feeds/emner/laegedaekning.atom")
    assert topic and all(
        c.get("label") == "Lægeadgang"
        for e in topic.values()
        for c in e.findall(f"{A}category")
        if c.get("term") == "laegedaekning"
    )
    # A base URL given for one build (not in the config file) moves every link.
    out = run(site, base_url="https://andet.example/referater/")
    links = [e.find(f"{A}link").get("href") for e in entries(out).values()]
    assert links and all(href.startswith("https://andet.example/referater/") for href in links)
    assert "https://example.org/" not in (out / "feeds/klynger/nord.atom").read_text("utf-8")
    assert "https://example.org/" not in (out / "kalender/nord.ics").read_text("utf-8")


def test_a_cache_from_another_engine_or_config_is_ignored(site: Path) -> None:
    run(site)
    [(scope,)] = query(site, "SELECT value FROM scope")

    def rebuild_with(cache_scope: str) -> bytes:
        with contextlib.closing(sqlite3.connect(cache_file(site))) as db, db:
            db.execute("UPDATE pieces SET data = ?", (b"  <entry>STALE</entry>",))
            db.execute("UPDATE scope SET value = ?", (cache_scope,))
            db.execute("DELETE FROM feeds")  # the feeds are assembled again, not kept
        (site / CACHE_DIR / "build.json").unlink()  # not a no-op build: the feeds are made again
        return (run(site) / "feeds/all.atom").read_bytes()

    assert b"STALE" not in rebuild_with("another engine")
    assert b"STALE" in rebuild_with(scope)  # the control: under its own key the same file is used
    cache_file(site).write_bytes(b"not a database")
    (site / CACHE_DIR / "build.json").unlink()
    assert b"STALE" not in (run(site) / "feeds/all.atom").read_bytes()
    assert query(site, "SELECT value FROM scope") == [(scope,)]  # made anew
