"""Feeds and calendars across builds: a feed whose inputs did not change keeps its published file (the
same inode and mtime), and every feed or calendar that lists a changed or deleted meeting follows it, so
that a warm build's feeds are byte for byte those of a build without any cache."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import FIXTURES, copy_site

from referater import write
from referater.pipeline import build

A = "{http://www.w3.org/2005/Atom}"
APRIL = "content/nord/2024-04-30-politisk-niveau.md"
SLUG = "2024-04-30-politisk-niveau"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    return copy_site(FIXTURES / "links", tmp_path / "site")


def run(site: Path, **options: object) -> Path:
    build(site, jobs=1, search=False, **options)
    return site / "output"


def feeds(out: Path) -> dict[str, bytes]:
    return {
        p.relative_to(out).as_posix(): p.read_bytes()
        for folder in ("feeds", "kalender")
        for p in sorted((out / folder).rglob("*"))
        if p.is_file()
    }


def stamps(out: Path) -> dict[str, tuple[int, int]]:
    return {rel: (os.stat(out / rel).st_ino, os.stat(out / rel).st_mtime_ns) for rel in feeds(out)}


def clean(site: Path, tmp_path: Path) -> dict[str, bytes]:
    """The same input built without a cache into a directory of its own."""
    other = copy_site(site, tmp_path / f"clean-{len(list(tmp_path.glob('clean-*')))}")
    return feeds(run(other, use_cache=False))


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


def edit(site: Path, old: str, new: str) -> None:
    path = site / APRIL
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_a_changed_meeting_reaches_every_feed_that_lists_it_and_the_others_keep_their_files(
    site: Path, tmp_path: Path
) -> None:
    out = run(site)
    listing = {rel for rel, data in feeds(out).items() if shown(rel, data)}
    assert {"feeds/all.atom", "feeds/klynger/nord.atom", "kalender/nord.ics"} <= listing
    assert any(rel.startswith("feeds/sager/") for rel in listing)  # its case, 24/1001
    assert any(rel.startswith("feeds/emner/") for rel in listing)
    others = set(feeds(out)) - listing
    assert {"feeds/klynger/syd.atom", "kalender/syd.ics"} <= others
    before = stamps(out)

    # Item 3's title (shown by every kind of piece; it keeps its topic) and item 1's decision.
    edit(site, "## Punkt 3: Forebyggelse og sundhedsfremme", "## Punkt 3: Forebyggelse og trivsel")
    edit(site, "Arbejdsgruppens kommissorium blev godkendt.", "Kommissoriet blev sendt tilbage.")
    out = run(site)
    after = feeds(out)
    for rel in listing:
        pieces = shown(rel, after[rel])
        assert pieces, rel
        assert all("sundhedsfremme" not in p and "kommissorium blev godkendt" not in p for p in pieces), rel
        assert any("trivsel" in p or "sendt tilbage" in p for p in pieces), rel
        assert stamps(out)[rel][0] != before[rel][0], rel  # a new file
    kept = stamps(out)
    assert all(kept[rel] == before[rel] for rel in others)  # untouched: same inode, same mtime
    assert after == clean(site, tmp_path)

    # Deleted: it leaves every feed and calendar; the others still keep their files.
    (site / APRIL).unlink()
    out = run(site)
    after = feeds(out)
    assert not any(SLUG.encode() in data for data in after.values())
    assert all(stamps(out)[rel] == before[rel] for rel in others if rel in after)
    assert after == clean(site, tmp_path)


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
    assert feeds(out) == clean(site, tmp_path)


def test_without_the_cache_every_feed_is_written_and_no_file_is_left(site: Path, tmp_path: Path) -> None:
    out = run(site, use_cache=False)
    assert feeds(out) == clean(site, tmp_path)
    assert not (site / ".cache/fragments.sqlite").exists()


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
    assert feeds(out) == clean(site, tmp_path)
