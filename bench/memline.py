"""Where a build's memory is at its peak: run a command, sample the PSS of its process tree every 0.5 s by
kind of process (the build itself, its forked workers, Pagefind), and print, for each phase (the build
alone, with workers, with Pagefind), the largest total and what it was made of, then the overall peak.

    python bench/memline.py .venv/bin/python build.py build --site bench/work/site --timings

For each process kind it also gives RSS and USS (its own pages: what a forked worker copied from the
parent). Linux only (/proc/PID/smaps_rollup). The figures in docs/performance.md for 30,000 meetings
come from this tool.
"""

from __future__ import annotations

import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

INTERVAL_S = 0.5


@dataclass
class Sample:
    pss: dict[str, int] = field(default_factory=dict)  # MB by kind
    count: dict[str, int] = field(default_factory=dict)
    rss_uss: dict[str, tuple[int, int]] = field(default_factory=dict)  # MB, the largest process of a kind

    @property
    def total(self) -> int:
        return sum(self.pss.values())

    @property
    def phase(self) -> str:
        return "pagefind" if "pagefind" in self.pss else "workers" if "worker" in self.pss else "build"


def _rollup(pid: int) -> dict[str, int]:
    found: dict[str, int] = {}
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            name, _, rest = line.partition(":")
            if name in ("Rss", "Pss", "Private_Clean", "Private_Dirty"):
                found[name] = int(rest.split()[0]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return found


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(p) for p in (task / "children").read_text().split()]
    except OSError:
        pass
    return found


def _kind(pid: int, root: int) -> str:
    if pid == root:
        return "build"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "worker"
    return "pagefind" if b"pagefind" in command else "worker"


def sample(root: int) -> Sample:
    taken, todo = Sample(), [root]
    while todo:
        pid = todo.pop()
        todo += _children(pid)
        kind, rollup = _kind(pid, root), _rollup(pid)
        if not rollup:
            continue
        taken.pss[kind] = taken.pss.get(kind, 0) + rollup.get("Pss", 0)
        taken.count[kind] = taken.count.get(kind, 0) + 1
        own = rollup.get("Private_Clean", 0) + rollup.get("Private_Dirty", 0)
        if rollup.get("Rss", 0) > taken.rss_uss.get(kind, (0, 0))[0]:
            taken.rss_uss[kind] = (rollup.get("Rss", 0), own)
    return taken


def main(command: list[str]) -> int:
    start = time.perf_counter()
    proc = subprocess.Popen(command)
    peaks: dict[str, tuple[Sample, float]] = {}
    while proc.poll() is None:
        now = sample(proc.pid)
        best = peaks.get(now.phase)
        if best is None or now.total > best[0].total:
            peaks[now.phase] = (now, time.perf_counter() - start)
        time.sleep(INTERVAL_S)
    for phase, (taken, at) in sorted(peaks.items(), key=lambda kv: kv[1][1]):
        parts = ", ".join(
            f"{kind} {taken.pss[kind]} MB ×{taken.count[kind]} (largest RSS/USS {rss}/{uss})"
            for kind, (rss, uss) in sorted(taken.rss_uss.items())
        )
        print(f"phase {phase}: {taken.total} MB PSS at {at:.0f} s: {parts}", file=sys.stderr)
    if peaks:
        top, at = max(peaks.values(), key=lambda kv: kv[0].total)
        print(f"peak: {top.total} MB PSS at {at:.0f} s ({top.phase})", file=sys.stderr)
    print(f"wall {time.perf_counter() - start:.1f} s, exit {proc.returncode}", file=sys.stderr)
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
