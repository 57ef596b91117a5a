"""The feeds' cache (.cache/fragments.sqlite): a warm build renders only the entries of changed meetings,
yet its feeds equal a build without the cache, and every change that shows in an entry (the meeting, the
config, the engine) reaches the published Atom. A feed whose inputs did not change keeps its published
file (the same inode and mtime); every feed or calendar that lists a changed or deleted meeting follows."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import sqlite3
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FIXTURES, copy_site
from sitegen import read_config, write_config

from referater import feeds, write
from referater.cache import CACHE_DIR
from referater.fragments import FRAGMENTS_FILE, TOKEN_SIZE
from referater.pipeline import build

A = "{http://www.w3.org/2005/Atom}"
APRIL = "nord/2024-04-30-politisk-niveau.md"
APRIL_URL = "https://example.org/klynger/nord/2024-04-30-politisk-niveau/"
SLUG = "2024-04-30-politisk-niveau"


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


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {rel: (os.stat(out / rel).st_ino, os.stat(out / rel).st_mtime_ns) for rel in feed_files(out)}


def clean_feeds(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """The same input built without a cache into a directory of its own."""
    other = copy_site(site, tmp_path / f"clean-{len(list(tmp_path.glob('clean-*')))}")
    return feed_files(run(other, use_cache=False))


def shown(rel: str, data: bytes) -> list[str]:
    """The texts a feed or calendar shows of the April meeting: its entries, or its event unfolded."""
    if rel.endswith(".ics"):
        text = re.sub(r"\r\n[ \t]", "", data.decode("utf-8"))
        return [e for e in text.split("BEGIN:VEVENT")[1:] if SLUG in e]
    root = ET.fromstring(data)
    return [
        ET.tostring(e, encoding="unicode")
        for e in root.findall(f"{A}entry")
        if SLUG in e.find(f"{A}link").get("href")
    ]


def test_a_changed_meeting_reaches_every_feed_that_lists_it_and_the_others_keep_their_files(
    site: Path, tmp_path: Path
) -> None:
    out = run(site)
    listing = {rel for rel, data in feed_files(out).items() if shown(rel, data)}
    assert {"feeds/all.atom", "feeds/klynger/nord.atom", "kalender/nord.ics"} <= listing
    assert any(rel.startswith("feeds/sager/") for rel in listing)  # its case, 24/1001
    assert any(rel.startswith("feeds/emner/") for rel in listing)
    others = set(feed_files(out)) - listing
    assert {"feeds/klynger/syd.atom", "kalender/syd.ics"} <= others
    before = stamps(out)

    # Item 3's title (shown by every kind of piece; it keeps its topic) and item 1's decision.
    edit(site, "## Punkt 3: Forebyggelse og sundhedsfremme", "## Punkt 3: Forebyggelse og trivsel")
    edit(site, "Arbejdsgruppens kommissorium blev godkendt.", "Kommissoriet blev sendt tilbage.")
    out = run(site)
    after = feed_files(out)
    for rel in listing:
        pieces = shown(rel, after[rel])
        assert pieces, rel
        assert all("sundhedsfremme" not in p and "kommissorium blev godkendt" not in p for p in pieces), rel
        assert any("trivsel" in p or "sendt tilbage" in p for p in pieces), rel
        assert stamps(out)[rel][0] != before[rel][0], rel  # a new file
    kept = stamps(out)
    assert all(kept[rel] == before[rel] for rel in others)  # untouched: same inode, same mtime
    assert after == clean_feeds(site, tmp_path)

    # Deleted: it leaves every feed and calendar; the others still keep their files.
    (site / "content" / APRIL).unlink()
    out = run(site)
    after = feed_files(out)
    assert not any(SLUG.encode() in data for data in after.values())
    assert all(stamps(out)[rel] == before[rel] for rel in others if rel in after)
    assert after == clean_feeds(site, tmp_path)


def test_a_build_that_did_not_publish_leaves_no_feed_believed_current(
    site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprints of feeds staged by a failed build describe files that never went out: the next
    build must make them again, not keep the old published ones."""
    run(site)
    edit(site, "Arbejdsgruppens kommissorium blev godkendt.", "Kommissoriet blev sendt tilbage.")

    def failing(self: write.Staging) -> None:
        raise OSError(28, "No space left on device", str(self.out))

    with monkeypatch.context() as patched:
        patched.setattr(write.Staging, "publish", failing)
        with pytest.raises(Exception):  # noqa: B017, PT011 - the build's own message for it
            run(site)
    assert b"sendt tilbage" not in (site / "output/feeds/all.atom").read_bytes()
    out = run(site)
    assert b"sendt tilbage" in (out / "feeds/all.atom").read_bytes()
    assert feed_files(out) == clean_feeds(site, tmp_path)


def test_a_case_given_to_another_meeting_reaches_the_case_feed(site: Path, tmp_path: Path) -> None:
    """Which items a case's feed lists is kept with the model's facts: a new case number changes them."""
    case_feed = "feeds/sager/24-1001.atom"
    out = run(site)
    assert b"2024-03-04-chefforum" not in (out / case_feed).read_bytes()
    path = site / "content/nord/2024-03-04-chefforum.md"
    text = path.read_text("utf-8")
    path.write_text(text.replace("hold 4\n", "hold 4\n\nSagsnr.: 24/1001\n", 1), "utf-8")
    out = run(site)
    links = [e.find(f"{A}link").get("href") for e in ET.parse(out / case_feed).getroot().findall(f"{A}entry")]
    assert "https://example.org/klynger/nord/2024-03-04-chefforum/#punkt-1" in links
    assert feed_files(out) == clean_feeds(site, tmp_path)
