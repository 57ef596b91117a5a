"""Errors that point at a place in the user's files: what `check` and `build` print as file:line."""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path

LEVEL_NAMES = {"error": "fejl", "warning": "advarsel"}  # what a secretariat reads


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
        return f"{where}: {LEVEL_NAMES.get(self.level, self.level)}: {self.message}"


class SiteError(Exception):
    """A build cannot go on; carries every finding of the run so that all are reported at once."""

    def __init__(self, findings: list[Finding]):
        self.findings = sorted(findings)
        super().__init__("\n".join(str(f) for f in self.findings))

    def __reduce__(self) -> tuple[type, tuple[list[Finding]]]:  # raised in a render worker, re-raised here
        return SiteError, (self.findings,)


def display_path(path: Path, root: Path) -> str:
    """The path as the user knows it: relative to the site directory when inside it."""
    # Fast path, as a string: the loader asks this for every file, and resolving each cost seconds at ten
    # thousand files. A lexical match is what the first attempt below would have found anyway.
    inside, base = str(path.absolute()), str(root.absolute())
    prefix = base if base.endswith(os.sep) else base + os.sep
    if inside.startswith(prefix) and len(inside) > len(prefix):
        return inside[len(prefix) :]
    try:
        return str(Path(inside).relative_to(base))
    except ValueError:
        pass
    try:  # resolved only now: a link or ".." may still lead inside
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


_OS_HINTS = {
    errno.ENOSPC: "disken er fuld; frigør plads, og byg igen",
    errno.EDQUOT: "din diskkvote er brugt op; frigør plads, og byg igen",
    errno.EROFS: "filsystemet er skrivebeskyttet; byg et andet sted med --out",
    errno.EACCES: "ingen adgang; giv skriveadgang (fx chmod u+w), eller byg et andet sted med --out",
    errno.EPERM: "ingen adgang; giv skriveadgang (fx chmod u+w), eller byg et andet sted med --out",
    errno.ENOTDIR: "en fil står, hvor der skal være en mappe; flyt eller slet filen",
    errno.EISDIR: "en mappe står, hvor der skal være en fil; flyt eller slet mappen",
    errno.EEXIST: "noget står allerede her; flyt eller slet det",
}


def os_failure(exc: OSError, root: Path) -> Finding:
    """A file the build could not write (or read) as one message that says what to do, no traceback."""
    name = exc.filename if isinstance(exc.filename, str | os.PathLike) else None
    shown = display_path(Path(name), root) if name else str(root)
    hint = _OS_HINTS.get(exc.errno or 0, "ret det, og byg igen")
    return Finding(shown, 0, f"kunne ikke læse eller skrive her ({exc.strerror or exc}): {hint}")
