"""Helpers for the nightly-build tests: generated meetings, CLI builds with their one-line summary,
and snapshots of an output tree (bytes, inode, mtime) to tell rewritten files from kept ones.

Generated meetings follow the fixture's pattern; every meeting is a pure function of its arguments, so
two calls write byte-identical content.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import yaml
from conftest import FIXTURES, ROOT

SUMMARY = re.compile(
    r"byggede (?P<pages>\d+) sider: (?P<written>\d+) filer skrevet, (?P<unchanged>\d+) uændrede, "
    r"(?P<removed>\d+) fjernet \((?P<rendered>\d+) sider lavet igen\) på [\d,]+ s"
)
# When no input changed since the last build into the same output, the build stops early and says so.
NOOP_SUMMARY = re.compile(
    r"byggede (?P<pages>\d+) sider: intet er ændret, (?P<unchanged>\d+) filer beholdt på [\d,]+ s"
)

MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)


def danish_date(day: date) -> str:
    return f"{day.day}. {MONTHS[day.month - 1]} {day.year}"


def meeting_text(cluster: str, forum: str, day: date, n: int, previous: date | None) -> str:
    """One meeting: a topic item with a shared case number and a reference to the previous meeting, a
    closed item, and an 'Eventuelt'."""
    reference = f" På mødet den {danish_date(previous)} blev sagen drøftet første gang." if previous else ""
    return f"""---
cluster: {cluster}
forum: {forum}
date: {day.isoformat()}
time: "{9 + n % 5:02d}:00"
location: Mødelokale {n % 7 + 1}
participants:
  - {{name: Deltager {n} A, org: A}}
  - {{name: Deltager {n} B, org: V, absent: {str(n % 3 == 0).lower()}}}
---

## Punkt 1: Lægedækning og forebyggelse, møde {n}

Sagsnr.: 22/{1000 + n % 12}

### Sagsfremstilling

Klyngen følger op på lægedækning i område {n % 9}.{reference} Indsatsen skal forebygge indlæggelser.

### Beslutning

Beslutning nr. {n} i {cluster}: klyngen godkendte indstillingen.

## Punkt 2: Det Nationale Ledelsesprogram

### Beslutning

To deltagere blev udpeget til DNLP (møde {n}).

## Punkt 3: Lukket punkt – Personalesag {n}

Offentlig beslutning: ja

### Beslutning

Drøftet.

## Punkt 4: Eventuelt

### Beslutning

Intet.
"""


def add_meetings(
    site: Path, clusters: list[str], forums: list[str], per_cluster: int, start: date = date(2020, 1, 6)
) -> list[Path]:
    """Write `per_cluster` meetings into each cluster, one every two weeks from `start` (before any
    fixture or seed meeting), alternating forums. Returns the files written."""
    written = []
    for c, cluster in enumerate(clusters):
        previous: date | None = None
        for i in range(per_cluster):
            day = start + timedelta(days=14 * i + c)
            forum = forums[i % len(forums)]
            n = c * per_cluster + i
            path = site / "content" / cluster / f"{day.isoformat()}-{forum}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(meeting_text(cluster, forum, day, n, previous), "utf-8")
            written.append(path)
            previous = day
    return written


def write_config(site: Path, config: dict) -> None:
    (site / "site_config.yaml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), "utf-8"
    )


def read_config(site: Path) -> dict:
    return yaml.safe_load((site / "site_config.yaml").read_text("utf-8"))


def big_site(target: Path, per_cluster: int, with_seed: bool = True) -> Path:
    """The fixture's clusters and meetings (and the project's own config and seed content, when asked)
    plus `per_cluster` generated meetings in each fixture cluster."""
    target.mkdir(parents=True, exist_ok=True)
    fixture = yaml.safe_load((FIXTURES / "links/site_config.yaml").read_text("utf-8"))
    config = fixture
    if with_seed:
        real = yaml.safe_load((ROOT / "site_config.yaml").read_text("utf-8"))
        config = {**real, "base_url": fixture["base_url"]}
        for section in ("clusters", "forums", "topics"):
            config[section] = {**fixture[section], **real[section]}
        if (ROOT / "content").is_dir():
            shutil.copytree(ROOT / "content", target / "content")
    write_config(target, config)
    shutil.copytree(FIXTURES / "links/content", target / "content", dirs_exist_ok=True)
    add_meetings(target, ["nord", "syd"], ["politisk-niveau", "chefforum"], per_cluster)
    return target


# --- building through the CLI ---------------------------------------------------------------------


def cli_command(site: Path, *extra: str) -> list[str]:
    return [sys.executable, str(ROOT / "build.py"), "build", "--site", str(site), *extra]


def cli_env(**extra: str) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), **extra}


def build_site(site: Path, *extra: str, search: bool = False, **env: str) -> dict[str, int]:
    """Build through the CLI; the numbers of its one-line summary."""
    args = [*extra] if search else ["--no-search", *extra]
    done = subprocess.run(
        cli_command(site, *args), env=cli_env(**env), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    line = done.stdout.strip()
    if found := NOOP_SUMMARY.fullmatch(line):
        return {
            "written": 0,
            "removed": 0,
            "rendered": 0,
            **{k: int(v) for k, v in found.groupdict().items()},
        }
    found = SUMMARY.fullmatch(line)
    assert found, f"no summary line in {done.stdout!r}"
    return {k: int(v) for k, v in found.groupdict().items()}


def copy_inputs(site: Path, target: Path) -> Path:
    """Everything a build reads (config, content, own templates and static), nothing it wrote."""
    target.mkdir(parents=True, exist_ok=True)
    shutil.copy(site / "site_config.yaml", target / "site_config.yaml")
    for name in ("content", "templates", "static"):
        if (site / name).is_dir():
            shutil.copytree(site / name, target / name)
    return target


# --- output snapshots ----------------------------------------------------------------------------


@dataclass(frozen=True)
class FileState:
    inode: int
    mtime_ns: int
    data: bytes


def snapshot(out: Path) -> dict[str, FileState]:
    states = {}
    for path in sorted(out.rglob("*")):
        if path.is_file():
            st = path.stat()
            states[path.relative_to(out).as_posix()] = FileState(st.st_ino, st.st_mtime_ns, path.read_bytes())
    return states


OLD_NS = 1_000_000_000 * 1_500_000_000  # 2017: far older than any file a build writes


def age(out: Path) -> None:
    """Date every published file back, so a file the next build writes is told apart by its mtime too."""
    for path in out.rglob("*"):
        if path.is_file():
            os.utime(path, ns=(OLD_NS, OLD_NS))


def rewritten(before: dict[str, FileState], after: dict[str, FileState]) -> set[str]:
    """Files present after the build that are not the very file published before (new inode or mtime)."""
    return {
        rel
        for rel, state in after.items()
        if rel not in before or (state.inode, state.mtime_ns) != (before[rel].inode, before[rel].mtime_ns)
    }


def changed(before: dict[str, FileState], after: dict[str, FileState]) -> set[str]:
    """Files whose bytes differ, appeared or disappeared."""
    return {rel for rel in before.keys() | after.keys() if (rel in before) != (rel in after)} | {
        rel for rel in before.keys() & after.keys() if before[rel].data != after[rel].data
    }


def differing(a: Path, b: Path) -> list[str]:
    """Files that are not byte-identical between two output trees (or exist in one only)."""
    return sorted(changed(snapshot(a), snapshot(b)))


def into_each_search_level(
    site: Path, edit: Callable[[str], None], build_again: Callable[[], None]
) -> Iterator[str]:
    """Edit the site (edit(level)) and build it so that the change lands in the search index's delta,
    then again into its recent level; yields each level once its build is done."""
    import json

    import pytest

    from referater.search import levels

    for level in ("delta", "recent"):
        edit(level)
        with pytest.MonkeyPatch.context() as patch:
            if level == "delta":  # recent folded into the delta at once
                patch.setattr(levels, "recent_threshold", lambda meetings: 0)
            build_again()
        assert json.loads((site / "output/pagefind/manifest.json").read_text())["levels"][-1] == level
        yield level
