"""What a build tells: a progress line while it runs, the seconds of each stage (`build --timings`), and
the result it sums up at the end."""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field

from .buildlock import fault_point
from .errors import Finding


class Stopwatch:
    """Seconds per build stage, for `build --timings` and docs/performance.md. Each stage's end is also a
    fault point for the kill tests (buildlock.fault_point)."""

    def __init__(self, into: list[tuple[str, float]]):
        self.into, self.last = into, time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.into.append((stage, now - self.last))
        self.last = now
        fault_point(stage)


class Progress:
    """A progress line for long builds on a terminal; silent elsewhere (CI logs, tests)."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.count = total, 0
        self.enabled = enabled and total >= 500 and sys.stderr.isatty()
        self.every = max(1, total // 100)

    def step(self) -> None:
        self.count += 1
        if self.enabled and (self.count % self.every == 0 or self.count == self.total):
            filled = 30 * self.count // self.total
            print(
                f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.count}/{self.total} sider",
                end="",
                file=sys.stderr,
            )

    def done(self) -> None:
        if self.enabled:
            print(file=sys.stderr)


@dataclass
class BuildResult:
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    rendered: int = 0
    seconds: float = 0.0
    warnings: list[Finding] = field(default_factory=list)
    noop: bool = False
    timings: list[tuple[str, float]] = field(default_factory=list)  # stage, seconds (for --timings)

    def summary(self) -> str:
        seconds = f"{self.seconds:.2f}".replace(".", ",")
        if self.noop:
            return (
                f"byggede {self.pages} sider: intet er ændret, {self.unchanged} filer beholdt på {seconds} s"
            )
        return (
            f"byggede {self.pages} sider: {self.written} filer skrevet, {self.unchanged} uændrede, "
            f"{self.removed} fjernet ({self.rendered} sider lavet igen) på {seconds} s"
        )
