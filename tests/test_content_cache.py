"""The content cache: the entries of .cache/content.pickle pickled in segments (by a hash of the file's
path). A changed file is parsed alone and only its segment re-pickled, a damaged segment costs the parse
of its files, an older layout a full parse, and whatever the cache holds, the meetings loaded are those
a fresh parse gives."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path

import pytest
from sitegen import big_site

from referater import loader
from referater.cache import CACHE_DIR, FORMAT, ContentCache, segment_count, segment_of
from referater.config import load_config
from referater.loader import LoadResult, load_content
from referater.model import Meeting

CACHE_FILE = f"{CACHE_DIR}/content.pickle"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    # 85 files: enough for the loader to fork its workers (from 64 files) on the first, cold load.
    return big_site(tmp_path / "site", per_cluster=40, with_seed=False)


def load(site: Path, jobs: int = 1, use_cache: bool = True) -> LoadResult:
    config = load_config(site)
    return load_content(site, config, ContentCache(site, config.digest, enabled=use_cache), jobs, False)


def facts(result: LoadResult) -> tuple:
    """Everything the site model gets, in comparable form (light meetings: no sections)."""
    meetings = [(m, m.key, m.outline, m.line_of) for m in result.meetings]
    return meetings, sorted(result.findings), result.analyses


def stored_segments(site: Path) -> list[bytes]:
    with (site / CACHE_FILE).open("rb") as handle:
        form, _key, segments = pickle.load(handle)  # noqa: S301 - the test's own cache
    assert form == FORMAT
    return segments


def stored_entries(site: Path) -> dict[str, object]:
    """Every entry of the cache file, by display path."""
    entries: dict[str, object] = {}
    for data in stored_segments(site):
        entries.update(pickle.loads(data) if data else {})  # noqa: S301 - the test's own cache
    return entries


def write_segments(site: Path, segments: list[bytes]) -> None:
    with (site / CACHE_FILE).open("rb") as handle:
        form, key, _segments = pickle.load(handle)  # noqa: S301 - the test's own cache
    (site / CACHE_FILE).write_bytes(pickle.dumps((form, key, segments)))


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The display paths the loader parses from now on (in this process: load with jobs=1)."""
    seen: list[str] = []
    real = loader.parse_meeting

    def counting(raw: bytes, shown: str, *args, **kwargs):
        seen.append(shown)
        return real(raw, shown, *args, **kwargs)

    monkeypatch.setattr(loader, "parse_meeting", counting)
    return seen


def edit_one(site: Path, index: int = 3) -> str:
    path = sorted((site / "content/nord").glob("*.md"))[index]
    text = path.read_text("utf-8")
    path.write_text(text.replace("### Beslutning\n", "### Beslutning\n\nÆndret i testen.\n", 1), "utf-8")
    assert path.read_text("utf-8") != text
    return path.relative_to(site).as_posix()


def test_workers_cache_and_fresh_parse_give_the_same_meetings(site: Path) -> None:
    cold = load(site, jobs=2)  # forked workers; their pickled answers become the cache entries
    assert len(cold.meetings) == 85
    warm = load(site, jobs=1)
    fresh = load(site, use_cache=False)
    assert facts(cold) == facts(warm) == facts(fresh)


def test_a_changed_file_is_parsed_again_and_only_its_segment_rewritten(site: Path, parsed: list[str]) -> None:
    load(site, jobs=2)
    before = stored_segments(site)
    assert len(before) == segment_count(85) > 1
    parsed.clear()
    shown = edit_one(site)

    result = load(site)

    assert parsed == [shown]
    after = stored_segments(site)
    assert len(after) == len(before)
    assert {i for i, data in enumerate(after) if data != before[i]} == {segment_of(shown, len(before))}
    assert facts(result) == facts(load(site, use_cache=False))
    edited = next(m for m in result.meetings if m.path == shown)
    assert any(item.summary.startswith("Ændret i testen.") for item in edited.items)


def test_a_damaged_segment_costs_only_the_parses_of_its_files(site: Path, parsed: list[str]) -> None:
    clean = facts(load(site))
    segments = stored_segments(site)
    lost = sorted(
        name
        for i in (0, 1)
        for name in pickle.loads(segments[i])  # noqa: S301 - the test's own cache
    )
    segments[0] = b"not a pickle"
    segments[1] = segments[1][:-20]  # cut short
    write_segments(site, segments)
    parsed.clear()

    assert facts(load(site)) == clean
    assert sorted(parsed) == lost
    assert 0 < len(lost) < 85
    parsed.clear()
    assert facts(load(site)) == clean  # and the cache is whole again
    assert parsed == []


def test_a_cache_file_of_the_older_layout_means_a_full_parse(site: Path, parsed: list[str]) -> None:
    """The layout before segments: (key, {path: one pickle per entry}), with the right key even."""
    clean = facts(load(site))
    entries = stored_entries(site)
    config = load_config(site)
    key = ContentCache(site, config.digest).key
    old = {name: pickle.dumps(entry, protocol=pickle.HIGHEST_PROTOCOL) for name, entry in entries.items()}
    (site / CACHE_FILE).write_bytes(pickle.dumps((key, old)))
    parsed.clear()
    assert facts(load(site)) == clean
    assert len(parsed) == 85
    assert set(stored_entries(site)) == set(entries)  # saved in segments again
    parsed.clear()
    assert facts(load(site)) == clean
    assert parsed == []


def test_the_segment_count_follows_the_site_by_powers_of_two_and_holds_near_them() -> None:
    assert [segment_count(n) for n in (0, 1, 15, 16, 31, 32, 85, 10_000)] == [1, 1, 1, 2, 2, 4, 8, 1024]
    assert segment_count(10_001, 1024) == 1024  # one file more is no re-pickling of every segment
    assert segment_count(4_000, 1024) == 256
    assert segment_count(40_000, 1024) == 4096


def test_a_damaged_cache_file_means_a_full_parse(site: Path, parsed: list[str]) -> None:
    clean = facts(load(site))
    data = (site / CACHE_FILE).read_bytes()
    (site / CACHE_FILE).write_bytes(data[: len(data) // 2])
    parsed.clear()
    assert facts(load(site)) == clean
    assert len(parsed) == 85


def test_a_cache_for_another_config_is_not_used(site: Path) -> None:
    load(site)
    config = load_config(site)
    assert len(ContentCache(site, config.digest).files) == 85
    assert ContentCache(site, "another config").files == {}


def test_deleted_and_renamed_files_leave_the_cache(site: Path, parsed: list[str]) -> None:
    load(site)
    files = sorted((site / "content/syd").glob("*.md"))
    files[0].unlink()
    renamed = files[1].with_name("2019-01-01-politisk-niveau.md")
    files[1].rename(renamed)
    parsed.clear()
    result = load(site)
    assert parsed == [renamed.relative_to(site).as_posix()]
    assert facts(result) == facts(load(site, use_cache=False))
    assert set(stored_entries(site)) == {
        Path(name).relative_to(site).as_posix() for name, _stat in loader.content_files(site)
    }


def test_a_pickled_meeting_keeps_its_key_and_outline(site: Path) -> None:
    for meeting in load(site, use_cache=False).meetings[:5]:
        again = pickle.loads(pickle.dumps(meeting, protocol=pickle.HIGHEST_PROTOCOL))  # noqa: S301
        assert isinstance(again, Meeting)
        assert again == meeting
        assert (again.key, again.outline, again.line_of) == (meeting.key, meeting.outline, meeting.line_of)
        recomputed = dataclasses.replace(again)  # through __init__: the outline computed afresh
        assert recomputed.outline == meeting.outline
        assert again.participants == meeting.participants


def test_a_fresh_parse_shares_objects_exactly_as_the_cache_will(site: Path) -> None:
    """Page fingerprints pickle the model's facts, and pickle's bytes depend on which objects are shared:
    a meeting parsed in this build must pickle as it will when read from the cache in the next, or every
    page that lists it is rendered once more for nothing."""
    load(site, jobs=2)
    edit_one(site, 3)
    edit_one(site, 4)
    fresh = load(site)  # the edited files parsed in this process, the rest from the cache
    cached = load(site)  # all from the cache
    for result in (fresh, cached):
        assert len(result.meetings) == 85

    def pickled(result: LoadResult) -> bytes:
        return pickle.dumps((result.meetings, result.analyses), protocol=pickle.HIGHEST_PROTOCOL)

    assert pickled(fresh) == pickled(cached)
