"""Errors that point at a place in the user's files: what `check` and `build` print as file:line."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True, order=True)
class Finding:
    """One problem in a file. `line` is 1-based; 0 means the file as a whole."""

    path: str
    line: int
    message: str
    level: str = "error"  # "error" or "warning"
    code: str = field(default="", compare=False)  # a kind of finding that `check` may judge harder

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.level}: {self.message}"


class SiteError(Exception):
    """A build cannot go on; carries every finding of the run so that all are reported at once."""

    def __init__(self, findings: list[Finding]):
        self.findings = sorted(findings)
        super().__init__("\n".join(str(f) for f in self.findings))


def display_path(path: Path, root: Path) -> str:
    """The path as the user knows it: relative to the site directory when inside it."""
    for inside, base in ((path.absolute(), root.absolute()), (path.resolve(), root.resolve())):
        try:
            return str(inside.relative_to(base))
        except ValueError:
            continue
    return str(path)
