"""The same input gives the same bytes: in another directory, under another hash seed, with one worker
or several.

Pagefind is deterministic only in part (upstream Pagefind/pagefind#638: fragments and word indexes are
stable since 1.3, the filter and metadata indexes are written in hash-map order); those files are named in
PAGEFIND_UNSTABLE and left out of the comparison, everything else of the bundle is compared.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sitegen import big_site, build_site, snapshot

PAGEFIND_UNSTABLE = re.compile(r"pagefind/[^/]+/(filter/.*|pagefind\..*\.pf_meta|pagefind-entry\.json)")


@pytest.fixture(scope="module")
def searched_pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The seed content, the fixture and a few generated meetings, built with search twice: in two
    directories of different names, under two hash seeds."""
    sites = []
    for name, seed in (("first", "1"), ("second-site", "2")):
        site = big_site(tmp_path_factory.mktemp(name), per_cluster=6)
        build_site(site, "--no-cache", search=True, PYTHONHASHSEED=seed)
        sites.append(site / "output")
    return sites[0], sites[1]


def test_two_builds_of_the_same_input_are_byte_identical(searched_pair: tuple[Path, Path]) -> None:
    a, b = (snapshot(out) for out in searched_pair)
    a = {rel: s.data for rel, s in a.items() if not PAGEFIND_UNSTABLE.fullmatch(rel)}
    b = {rel: s.data for rel, s in b.items() if not PAGEFIND_UNSTABLE.fullmatch(rel)}
    for name in ("sitemap.xml", "feeds/all.atom", "data/meetings.json", "kalender/nord.ics", "index.html"):
        assert name in a
    assert any(re.match(r"pagefind/[^/]+/fragment/", rel) for rel in a)
    assert any(re.match(r"pagefind/[^/]+/index/", rel) for rel in a)
    assert sorted(a) == sorted(b)
    assert [rel for rel in a if a[rel] != b[rel]] == []


def test_serial_and_parallel_builds_are_byte_identical(tmp_path: Path) -> None:
    """150 generated meetings on top of the seed content: enough pages for the worker pool to run."""
    outputs = []
    for jobs, seed in (("1", "3"), ("2", "4")):
        site = big_site(tmp_path / f"jobs{jobs}", per_cluster=75)
        summary = build_site(site, "--no-cache", "--jobs", jobs, PYTHONHASHSEED=seed)
        assert summary["rendered"] >= 64
        outputs.append(snapshot(site / "output"))
    serial, parallel = outputs
    assert len(serial) > 300
    assert sorted(serial) == sorted(parallel)
    assert [rel for rel in serial if serial[rel].data != parallel[rel].data] == []
