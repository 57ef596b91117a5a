"""Golden-output trees: the seed site and a fixture site built and compared byte for byte with a
committed expectation (tests/golden/<name>/), as Pelican's functional tests do.

Builds run through the CLI with --no-search (Pagefind's bundle is not deterministic, see
test_determinism.py) and --no-cache, from a copy of the inputs in a temporary directory.
`make golden` rewrites the expectation; an intended output change does so in a commit of its own.
"""

from __future__ import annotations

import difflib
import shutil
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
GOLDEN = TESTS / "golden"

# name → the site directory whose config, content, templates and static are built
SITES: dict[str, Path] = {
    "seed": ROOT,
    "fixture": TESTS / "fixtures" / "golden-site",
}

_INPUTS = ("content", "templates", "static")
_DIFF_FILES = 3  # differing files shown in full diffs
_DIFF_LINES = 40  # lines of each diff


def build_tree(name: str, work: Path) -> Path:
    """Build site `name` from a copy of its inputs under `work`; the output directory."""
    source, site = SITES[name], work / name
    site.mkdir(parents=True)
    shutil.copy(source / "site_config.yaml", site / "site_config.yaml")
    for input_dir in _INPUTS:
        if (source / input_dir).is_dir():
            shutil.copytree(source / input_dir, site / input_dir)
    command = [
        sys.executable,
        str(ROOT / "build.py"),
        "build",
        "--site",
        str(site),
        "--no-search",
        "--no-cache",
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=work)
    if done.returncode != 0 or "Traceback" in done.stderr:
        raise AssertionError(f"building {name} failed:\n{done.stdout}{done.stderr}")
    return site / "output"


# Copies of the engine's inputs, not its output: the pages pin their bytes (`style.css?v=<hash>`).
_NOT_OUTPUT = ("static/",)


def read_tree(root: Path) -> dict[str, bytes]:
    found = {}
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and not rel.startswith(_NOT_OUTPUT):
            found[rel] = path.read_bytes()
    return found


def differences(expected: dict[str, bytes], actual: dict[str, bytes]) -> str:
    """'' when the trees are equal; else the added and removed files and short diffs of the first
    differing ones."""
    added = sorted(actual.keys() - expected.keys())
    removed = sorted(expected.keys() - actual.keys())
    changed = sorted(rel for rel in expected.keys() & actual.keys() if expected[rel] != actual[rel])
    if not (added or removed or changed):
        return ""
    report = [f"{len(changed)} changed, {len(added)} added, {len(removed)} removed"]
    report += [f"added: {rel}" for rel in added]
    report += [f"removed: {rel}" for rel in removed]
    for rel in changed[:_DIFF_FILES]:
        report.extend(_diff(rel, expected[rel], actual[rel]))
    if len(changed) > _DIFF_FILES:
        report.append("also changed: " + ", ".join(changed[_DIFF_FILES:]))
    return "\n".join(report)


def _diff(rel: str, old: bytes, new: bytes) -> list[str]:
    old_lines = old.decode("utf-8", "replace").splitlines()
    new_lines = new.decode("utf-8", "replace").splitlines()
    lines = list(
        difflib.unified_diff(old_lines, new_lines, f"golden/{rel}", f"built/{rel}", n=1, lineterm="")
    )
    if not lines:  # same lines: the bytes differ in line endings or a final newline
        lines = [f"--- golden/{rel}", f"+++ built/{rel}", "(line endings or final newline differ)"]
    if len(lines) > _DIFF_LINES:
        lines = [*lines[:_DIFF_LINES], f"… {len(lines) - _DIFF_LINES} more diff lines"]
    return _clipped(lines)


def _clipped(lines: list[str], width: int = 240) -> list[str]:
    """Minified JSON and long HTML lines: a long changed line is shown around where it first differs
    from its removed or added counterpart, not from its (equal) start."""
    removed = [line[1:] for line in lines if line.startswith("-") and not line.startswith("---")]
    added = [line[1:] for line in lines if line.startswith("+") and not line.startswith("+++")]
    at = 0
    if removed and added:
        old, new = removed[0], added[0]
        at = next(
            (i for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b), min(len(old), len(new))
        )
    shown = []
    for line in lines:
        if len(line) <= width:
            shown.append(line)
            continue
        start = max(1, at + 1 - width // 3)  # +1: the diff sign
        shown.append(line[0] + ("…" if start > 1 else "") + line[start : start + width] + " …")
    return shown


def write_tree(name: str, files: dict[str, bytes]) -> None:
    target = GOLDEN / name
    if target.exists():
        shutil.rmtree(target)
    for rel, data in files.items():
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        (target / rel).write_bytes(data)
