"""Fault tests: builds killed (SIGKILL) at every stage and at random files, and builds run at the same
time. Whatever happens, output/ is at every moment a complete tree, the old one or the new one, and the
next build makes it byte for byte what a clean build makes.

Kills are injected at named points of the build (REFERATER_FAULT, see buildlock.fault_point): the state
output/ is in at a kill is the state it was in when the build passed that point, so checking it after
each kill checks it at each point. Synchronisation is by process exit and by files, never by sleeping."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from conftest import FIXTURES, copy_site
from sitegen import add_meetings, cli_command, cli_env

BOUND_S = 120.0
STAGES = ["locked", "staging", "content", "site model", "pages", "fingerprints", "compare", "render"]
STAGES += ["open data", "feeds", "pruned", "exchanged", "publish", "state"]
EDITED = "content/nord/2024-02-08-politisk-niveau.md"
ADDED = "content/syd/2024-11-05-chefforum.md"


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def start(site: Path, *extra: str, **env: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        cli_command(site, "--no-search", "--quiet", *extra),
        env=cli_env(**env),
        stdout=subprocess.DEVNULL,
        stderr=(site.parent / f"stderr-{len(list(site.parent.glob('stderr-*')))}.txt").open("wb"),
        start_new_session=True,  # its own process group: its workers go with it
    )


def finish(proc: subprocess.Popen[bytes]) -> int:
    try:
        code = proc.wait(timeout=BOUND_S)
    finally:
        with_group_gone(proc)
    return code


def with_group_gone(proc: subprocess.Popen[bytes]) -> None:
    """A build killed by its own fault point may leave forked workers: they go too."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    if proc.poll() is None:
        proc.wait(timeout=BOUND_S)


def version(site: Path, which: str) -> None:
    """Two versions of the content: B edits a meeting, adds one and removes one of A's."""
    edited = (FIXTURES / "links" / EDITED).read_text("utf-8")
    removed = site / "content/nord/2020-01-06-politisk-niveau.md"
    if which == "A":
        (site / EDITED).write_text(edited, "utf-8")
        (site / ADDED).unlink(missing_ok=True)
        add_meetings(site, ["nord", "syd"], ["politisk-niveau", "chefforum"], per_cluster=30)
    else:
        (site / EDITED).write_text(edited.replace("Intet.", "Intet at bemærke."), "utf-8")
        shutil.copy(site / "content/syd/2020-01-07-politisk-niveau.md", site / ADDED)
        text = (
            (site / ADDED)
            .read_text("utf-8")
            .replace("2020-01-07", "2024-11-05")
            .replace("politisk-niveau", "chefforum")
        )
        (site / ADDED).write_text(text, "utf-8")
        removed.unlink()


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, bytes]]:
    """What a build from nothing makes of each version."""
    result = {}
    for which in ("A", "B"):
        site = copy_site(FIXTURES / "links", tmp_path_factory.mktemp(f"clean{which}") / "site")
        version(site, "A")
        if which == "B":
            version(site, "B")
        assert finish(start(site, "--no-cache")) == 0
        result[which] = files(site / "output")
    assert result["A"] != result["B"]
    return result


def faults(seed: int) -> list[str]:
    """Every stage, and random files of the staging."""
    rng = random.Random(seed)
    return [*STAGES, *(f"put:{rng.randint(1, 40)}" for _ in range(4))]


def test_a_build_killed_anywhere_leaves_a_complete_output_and_the_next_build_repairs_it(
    tmp_path: Path, clean: dict[str, dict[str, bytes]]
) -> None:
    seed = int(os.environ.get("FAULT_SEED", time.time_ns() % 10_000))
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    version(site, "A")
    assert finish(start(site)) == 0
    current = "A"
    for n, fault in enumerate(faults(seed)):
        target = "B" if current == "A" else "A"
        version(site, target)
        code = finish(start(site, "--jobs", "2" if n % 2 else "1", REFERATER_FAULT=fault))
        where = f"seed {seed}, fault {fault}, {current} → {target}"
        assert code == -signal.SIGKILL or (fault.startswith("put:") and code == 0), where
        now = files(site / "output")
        assert "index.html" in now, where
        assert now in (clean[current], clean[target]), where
        assert finish(start(site)) == 0, where
        assert files(site / "output") == clean[target], where
        current = target


def wait_for(path: Path, proc: subprocess.Popen[bytes], text: str = "") -> None:
    """Until a file exists (and holds `text`) while the process runs; bounded."""
    deadline = time.monotonic() + BOUND_S
    while not (path.exists() and text in path.read_text("utf-8", "replace")):
        assert proc.poll() is None, f"the build ended before {path.name} said {text!r}"
        assert time.monotonic() < deadline, f"no {path.name} in {BOUND_S} s"
        time.sleep(0.01)


def test_a_second_build_waits_for_the_first(tmp_path: Path, clean: dict[str, dict[str, bytes]]) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    version(site, "A")
    assert finish(start(site)) == 0
    version(site, "B")
    pause = tmp_path / "pause"
    pause.mkdir()
    first = start(site, REFERATER_PAUSE=f"render:{pause}")  # holds the lock, half-way through
    second = None
    try:
        wait_for(pause / "reached", first)
        second = start(site)
        wait_for(tmp_path / "stderr-2.txt", second, "venter på et andet byg til output/")
        assert files(site / "output") == clean["A"]
        (pause / "go").touch()
        assert finish(first) == 0
        assert finish(second) == 0
    finally:
        (pause / "go").touch()
        for proc in (first, second):
            if proc is not None:
                with_group_gone(proc)
    assert files(site / "output") == clean["B"]


def test_a_second_build_that_waited_too_long_stops_with_a_message(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    pause = tmp_path / "pause"
    pause.mkdir()
    first = start(site, REFERATER_PAUSE=f"locked:{pause}")
    try:
        wait_for(pause / "reached", first)
        second = start(site, "--wait", "0.2")
        assert finish(second) == 1
        stderr = (tmp_path / "stderr-1.txt").read_text("utf-8")
        assert "Traceback" not in stderr
        assert (
            f".cache/build.lock: fejl: et andet byg til output/ (proces {first.pid}) er stadig i gang"
            in stderr
        )
        assert not (site / "output").exists()
    finally:
        (pause / "go").touch()
    assert finish(first) == 0


def test_builds_started_at_once_leave_what_one_clean_build_makes(
    tmp_path: Path, clean: dict[str, dict[str, bytes]]
) -> None:
    site = copy_site(FIXTURES / "links", tmp_path / "site")
    version(site, "A")
    assert finish(start(site)) == 0
    version(site, "B")
    procs = [start(site, "--jobs", str(1 + n % 2)) for n in range(3)]
    assert [finish(proc) for proc in procs] == [0, 0, 0]
    assert files(site / "output") == clean["B"]
