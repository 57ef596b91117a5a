"""The content cache's entries name their classes by copyreg extension codes and share equal topic
matches, and a site read back from them is the site a fresh parse gives, also after an edit."""

from __future__ import annotations

import pickle
import pickletools
from pathlib import Path

from sitegen import big_site
from test_content_cache import facts, load, stored_segments

from referater.analysis import Analysis
from referater.cache import ParsedFile
from referater.topics import TopicMatch


def test_entries_name_no_class_of_the_engine_and_read_back_as_parsed(tmp_path: Path) -> None:
    site = big_site(tmp_path / "site", per_cluster=6, with_seed=False)
    fresh = load(site, use_cache=False)
    load(site)
    segments = [data for data in stored_segments(site) if data]
    assert segments
    for data in segments:
        names = [arg for op, arg, _ in pickletools.genops(data) if op.name in ("GLOBAL", "STACK_GLOBAL")]
        names += [arg for op, arg, _ in pickletools.genops(data) if op.name.startswith("SHORT_BINUNICODE")]
        assert not any(str(name).startswith("referater.") for name in names), names
    assert facts(load(site)) == facts(fresh)


def test_equal_topic_matches_read_from_the_cache_are_one_object() -> None:
    topics = (TopicMatch("psykiatri", True, 3), TopicMatch("aeldre", False, 1))
    entries = [ParsedFile(None, str(n), None, [], Analysis({n: topics}, {})) for n in range(3)]
    read = [pickle.loads(pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL)) for entry in entries]  # noqa: S301
    assert read == entries
    first, second = (entry.analysis.item_topics for entry in read[:2])
    assert first[0][0] is second[1][0]


def test_an_edit_that_changes_the_topics_is_read_as_parsed(tmp_path: Path) -> None:
    site = big_site(tmp_path / "site", per_cluster=6, with_seed=False)
    load(site)
    path = sorted((site / "content").rglob("*.md"))[2]
    text = path.read_text("utf-8")
    marker = "### Beslutning\n"
    assert marker in text
    path.write_text(text.replace(marker, marker + "\nPsykiatri og ældre, psykiatri igen.\n", 1), "utf-8")
    edited = load(site)
    assert facts(edited) == facts(load(site, use_cache=False))
    assert facts(load(site)) == facts(edited)
