"""Measure our own build (`python build.py build --site DIR`) in the scenarios an editor meets.

cold -> no-op -> 1 % of meetings changed -> one meeting changed -> a template changed, in that order, on
the same site directory, so each step starts from the cache the step before left.
"""

from __future__ import annotations

import re
import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from measure import Measurement, run

_DECISION = re.compile(r"^(### Beslutning[^\n]*\n\n)", re.MULTILINE)
_TEMPLATE_SUFFIXES = (".html", ".j2", ".jinja", ".jinja2", ".xml")


@dataclass
class OursResult:
    steps: dict[str, Measurement] = field(default_factory=dict)
    template_mode: str = ""  # "site", "repo" or "" (not measured); see touch_template
    template_seen: bool = False
    error: str = ""


def build_available(repo: Path) -> bool:
    """Only the entry point is checked: whether the build works yet is what the cold step finds out."""
    return (repo / "build.py").is_file()


def _build(repo: Path, site: Path, extra: list[str]) -> Measurement:
    # build.py as a script puts the repo first on sys.path, so this checkout's `referater` package is used.
    return run(
        [sys.executable, str(repo / "build.py"), "build", "--site", str(site.resolve()), *extra], cwd=repo
    )


def edit_decisions(site: Path, count: int, tag: str) -> list[Path]:
    """Add a sentence to the first decision of `count` meetings spread evenly over the site."""
    files = sorted((site / "content").rglob("*.md"))
    count = max(1, min(count, len(files)))
    chosen = [files[i * len(files) // count] for i in range(count)]
    for path in chosen:
        text = path.read_text(encoding="utf-8")
        new = _DECISION.sub(lambda m: f"{m.group(1)}Ændret ved benchmarkkørsel {tag}.\n\n", text, count=1)
        if new == text:
            raise RuntimeError(f"{path}: no '### Beslutning' to edit")
        path.write_text(new, encoding="utf-8")
    return chosen


def _base_template(folder: Path) -> Path | None:
    """The template every page is rendered through: a file with <html that extends nothing.

    Appending to a child template would be invisible (Jinja drops text outside blocks there), so the
    change must go into the base for the step to mean "every page depends on this"."""
    candidates = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in _TEMPLATE_SUFFIXES)
    bases = []
    for path in candidates:
        text = path.read_text(encoding="utf-8", errors="replace")
        if "<html" in text.lower() and "{% extends" not in text:
            bases.append(path)
    bases.sort(key=lambda p: (not p.stem.startswith("base"), len(p.parts), p.name))
    return bases[0] if bases else (candidates[0] if candidates else None)


def prepare_templates(repo: Path, site: Path) -> None:
    """Give the site its own copy of the repo's templates, for a build that looks in SITE/templates first.

    Harmless for a build that does not: the template step checks whether its change reached the output."""
    source = repo / "templates"
    if source.is_dir():
        shutil.rmtree(site / "templates", ignore_errors=True)  # a fresh copy: the repo's may have changed
        shutil.copytree(source, site / "templates")


def _output_contains(site: Path, token: str) -> bool:
    index = site / "output" / "index.html"
    pages = [index] if index.is_file() else sorted((site / "output").rglob("*.html"))[:5]
    return any(token in p.read_text(encoding="utf-8", errors="replace") for p in pages)


def touch_template(repo: Path, site: Path, extra: list[str]) -> tuple[Measurement | None, str, bool]:
    """Append an HTML comment to the base template and rebuild: (measurement, mode, change seen in output).

    Isolated because where templates live is our build's decision: first SITE/templates (copied from the
    repo by prepare_templates); if the output does not show the change, the repo's templates/ is edited
    for the one build and restored afterwards."""
    for mode, folder in (("site", site / "templates"), ("repo", repo / "templates")):
        target = _base_template(folder) if folder.is_dir() else None
        if target is None:
            continue
        token = f"bench-template-{time.time_ns()}"
        original = target.read_bytes()
        try:
            target.write_bytes(original + f"\n<!-- {token} -->\n".encode())
            result = _build(repo, site, extra)
        finally:
            if mode == "repo":
                target.write_bytes(original)
        if not result.ok or _output_contains(site, token):
            return result, mode, result.ok
    return None, "", False


def measure(
    repo: Path, site: Path, extra: list[str], log: object = print, cold_only: bool = False
) -> OursResult:
    result = OursResult()
    if not build_available(repo):
        result.error = f"our build is not there ({repo / 'build.py'} missing)"
        return result
    prepare_templates(repo, site)
    for name in ("output", "output.previous", "output.staging", ".cache"):  # cold: nothing to reuse
        shutil.rmtree(site / name, ignore_errors=True)
    n_files = sum(1 for _ in (site / "content").rglob("*.md"))

    def step(name: str, prepare: object = None) -> bool:
        if callable(prepare):
            prepare()
        m = _build(repo, site, extra)
        result.steps[name] = m
        log(
            f"  ours {name:<15} {m.seconds:8.2f} s {m.cpu_seconds:8.2f} s CPU {m.peak_rss_mb:6.0f} MB RSS "
            f"{m.peak_pss_mb:6.0f} MB PSS (load {m.loadavg})"
        )
        if not m.ok:
            result.error = f"our build failed in step {name} (exit {m.returncode}):\n{m.output[-3000:]}"
        return m.ok

    tag = str(time.time_ns())
    ok = step("cold") and not cold_only and step("noop")
    ok = ok and step("changed_1pct", lambda: edit_decisions(site, round(n_files / 100), f"{tag}-a"))
    ok = ok and step("changed_one", lambda: edit_decisions(site, 1, f"{tag}-b"))
    if ok:
        m, result.template_mode, result.template_seen = touch_template(repo, site, extra)
        if m is not None:
            result.steps["template"] = m
            where = result.template_mode + ("" if result.template_seen else ", change NOT seen in output")
            log(
                f"  ours template        {m.seconds:8.2f} s {m.cpu_seconds:8.2f} s CPU {m.peak_rss_mb:6.0f} MB [{where}]"
            )
    return result
