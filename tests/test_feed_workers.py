"""The feeds' pieces of many meetings are rendered in forked workers (a cold build, a large change): the
feeds and calendars are byte for byte those a build of one process without the cache makes, and a warm
build whose changed meetings go to the workers publishes their new text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sitegen import big_site, copy_inputs, differing

from referater import feeds
from referater.fragments import TOKEN_SIZE
from referater.pipeline import build
from referater.workers import MIN_ITEMS

DECISION = "klyngen godkendte indstillingen."
EDITED = "klyngen godkendte indstillingen med en ændring fra arbejderne."


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The meetings whose pieces came back from forked workers: the render workers (with the meeting's
    page) and the feeds' own (for pieces whose page was not rendered)."""
    handed: list[int] = []
    original_parts, original_taken = feeds.forked_parts, feeds.FeedPlan.taken

    def counted(task, items, jobs) -> Iterator:  # noqa: ANN001 - the wrapped signature
        for rows in original_parts(task, items, jobs):
            handed.extend({key[:TOKEN_SIZE] for key, _ in rows})
            yield rows

    def taken(self, cache, rows, key) -> None:  # noqa: ANN001 - the wrapped signature
        handed.extend({piece[:TOKEN_SIZE] for piece, _ in rows})
        original_taken(self, cache, rows, key)

    monkeypatch.setattr(feeds, "forked_parts", counted)
    monkeypatch.setattr(feeds.FeedPlan, "taken", taken)
    return handed


def feeds_of(out: Path, alone: Path) -> list[str]:
    """The feeds and calendars that differ from a build of one process without cache, of the same inputs."""
    copy_inputs(out.parent, alone)
    build(alone, jobs=1, use_cache=False, search=False)
    different = differing(out, alone / "output")
    assert (out / "feeds/all.atom").is_file() and (out / "kalender/nord.ics").is_file()
    return [rel for rel in different if rel.startswith(("feeds/", "kalender/"))]


def test_feeds_rendered_in_workers_equal_those_of_one_process(tmp_path: Path, forks: list[int]) -> None:
    site = big_site(tmp_path / "site", per_cluster=40, with_seed=False)
    build(site, jobs=2, search=False)
    assert len(forks) >= MIN_ITEMS  # the cold build's pieces were made in workers
    assert feeds_of(site / "output", tmp_path / "cold") == []

    edited = [
        path for path in sorted((site / "content").rglob("*.md")) if DECISION in path.read_text("utf-8")
    ]
    assert len(edited) >= MIN_ITEMS
    for path in edited:
        path.write_text(path.read_text("utf-8").replace(DECISION, EDITED), "utf-8")
    forks.clear()
    build(site, jobs=2, search=False)
    assert len(forks) == len(edited)  # the changed meetings only, in workers
    assert feeds_of(site / "output", tmp_path / "warm") == []
    nord = (site / "output/feeds/klynger/nord.atom").read_text("utf-8")
    assert nord.count("med en ændring fra arbejderne") >= 40  # every nord meeting shown was edited
