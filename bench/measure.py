"""Time one command and record its peak memory.

Two memory figures, because a build may fan out into worker processes:

- `peak_rss_mb`: psutil polls the whole process tree every 0.2 s (POLL_S) and keeps the largest *sum* of
  RSS. This is what the machine had to hold at once. It over-counts pages that forked workers share with
  their parent (copy-on-write), so it is an upper bound; it can miss a spike shorter than the polling
  interval. Each poll reads /proc/PID/smaps_rollup of every process, which makes the kernel walk its page
  tables: polled every 20 ms, the poller took 70 % of one of the two cores while a 10,000-meeting build
  ran (and more beside Hugo's 4 GB), so it slowed the builds it timed.
- `max_process_rss_mb`: `resource.getrusage(RUSAGE_CHILDREN).ru_maxrss` read in a fresh wrapper process
  that runs only this one command, so the kernel's figure covers exactly this command's tree: the largest
  RSS of any *single* process in it (not a sum), exact and without polling gaps.

For single-process builds (Hugo, Pelican) both agree closely. Without psutil the first falls back to the
second. `cpu_seconds` (user + system of all processes, from the same getrusage call) is kept too: on a
shared machine it moves less than wall time. The time is measured inside the wrapper around the command only, so Python start-up of the wrapper
itself is not counted.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

try:
    import psutil
except ImportError:  # pragma: no cover - psutil is a dev dependency; the rusage figure still works
    psutil = None

# Runs in its own interpreter: RUSAGE_CHILDREN then covers this one command and nothing we ran before.
_WRAPPER = r"""
import json, resource, subprocess, sys, time
cmd = json.loads(sys.argv[1])
start = time.perf_counter()
proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
kib, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime  # KiB on Linux; CPU of the whole tree
sys.stdout.buffer.write(proc.stdout)
sys.stdout.flush()
sys.stderr.write("\n@@BENCH@@" + json.dumps({"seconds": seconds, "maxrss_kib": kib, "cpu": cpu, "rc": proc.returncode}))
"""


POLL_S = 0.2  # see the module's docstring: a faster poll takes a core from the build it measures


@dataclass
class Measurement:
    seconds: float
    peak_rss_mb: float
    max_process_rss_mb: float
    returncode: int
    output: str
    cpu_seconds: float = 0.0  # user + system time of the tree: steadier than wall time on a busy machine
    peak_pss_mb: float = 0.0  # the tree's proportional set size: shared pages counted once
    loadavg: float = 0.0  # the machine's 1-minute load average as the command started: how far to trust it

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    def last_line(self) -> str:
        lines = [line for line in self.output.splitlines() if line.strip()]
        return lines[-1] if lines else ""


def _tree_rss(proc: psutil.Process) -> tuple[int, int]:
    """Sum of RSS and sum of PSS over the tree. PSS shares each page among the processes that map it, so
    forked workers that share their parent's pages are not counted twice: what the machine really holds."""
    rss = pss = 0
    try:
        family = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0, 0
    for member in family:
        with contextlib.suppress(psutil.Error):  # exited between listing and reading
            info = member.memory_full_info()
            rss += info.rss
            pss += getattr(info, "pss", info.rss)
    return rss, pss


def run(cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> Measurement:
    """Run cmd once; never raises on a failing command (check `.ok`); relative paths in cmd are from cwd."""
    load = round(os.getloadavg()[0], 2)
    wrapper = subprocess.Popen(
        [sys.executable, "-c", _WRAPPER, json.dumps([str(c) for c in cmd])],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    peak = peak_pss = 0
    if psutil is not None:
        me = psutil.Process(wrapper.pid)
        while wrapper.poll() is None:
            # The wrapper's own interpreter is not part of the build: subtract it from the tree's sum.
            try:
                own = me.memory_full_info()
            except psutil.Error:
                break
            rss, pss = _tree_rss(me)
            peak = max(peak, rss - own.rss)
            peak_pss = max(peak_pss, pss - getattr(own, "pss", own.rss))
            time.sleep(POLL_S)
    out, err = wrapper.communicate()
    text_err = err.decode("utf-8", "replace")
    head, _, report = text_err.rpartition("\n@@BENCH@@")
    try:
        data = json.loads(report)
    except ValueError:
        data = None
    if not isinstance(data, dict):  # the wrapper itself failed (e.g. command not found): show its traceback
        return Measurement(
            0.0, 0.0, 0.0, wrapper.returncode or 1, out.decode("utf-8", "replace") + text_err, loadavg=load
        )
    max_process = data["maxrss_kib"] / 1024
    return Measurement(
        seconds=data["seconds"],
        peak_rss_mb=max(peak / 2**20, max_process),
        max_process_rss_mb=max_process,
        peak_pss_mb=peak_pss / 2**20,
        returncode=data["rc"],
        cpu_seconds=data["cpu"],
        output=out.decode("utf-8", "replace") + head,
        loadavg=load,
    )
