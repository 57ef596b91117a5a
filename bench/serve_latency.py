"""How long a saved change takes to show in `build.py serve`: the figure behind issue 5's "one changed
meeting visible within 1 s at 1,000 meetings".

Starts the real preview server on a generated site, waits for its first build, then saves one meeting
several times (a new sentence in its first decision) and polls the meeting's page over HTTP until the
sentence is there. The time is from the write to the first answer that shows it, so it includes the
server noticing the file (it polls every 150 ms), the incremental preview build and the HTTP round trip.
A browser with the page open is told to reload by livereload's websocket at the same moment.

    .venv/bin/python bench/serve_latency.py --meetings 1000 [--repeat 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import corpus

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(__file__).resolve().parent / "work"
_DECISION = re.compile(r"^(### Beslutning[^\n]*\n\n)", re.MULTILINE)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return ""


def _wait(url: str, token: str, timeout: float) -> float | None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if token in _fetch(url):
            return time.monotonic()
        time.sleep(0.01)
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--meetings", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    site = WORK / f"serve-{args.meetings}"
    config, meetings = corpus.generate(args.meetings)
    corpus.write_site(site, config, meetings)
    files = sorted((site / "content").rglob("*.md"))
    target = files[len(files) // 2]
    cluster, name = target.parent.name, target.stem
    port = _free_port()
    url = f"http://127.0.0.1:{port}/klynger/{cluster}/{name}/"
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--site", str(site), "--port", str(port)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    latencies: list[float] = []
    try:
        if _wait(url, "<html", timeout=600) is None:
            print("the preview server never answered", file=sys.stderr)
            return 1
        for run in range(args.repeat):
            time.sleep(0.5)  # let the server's watcher settle between saves
            token = f"Ændret i forhåndsvisningen {run}-{time.time_ns()}"
            text = target.read_text("utf-8")
            changed = _DECISION.sub(lambda m, token=token: f"{m.group(1)}{token}.\n\n", text, count=1)
            saved = time.monotonic()
            target.write_text(changed, "utf-8")
            shown = _wait(url, token, timeout=30)
            if shown is None:
                print(f"change {run} never showed", file=sys.stderr)
                return 1
            latencies.append(shown - saved)
    finally:
        server.terminate()
        server.wait(timeout=10)
    result = {
        "meetings": args.meetings,
        "median_s": round(statistics.median(latencies), 3),
        "max_s": round(max(latencies), 3),
        "all_s": [round(x, 3) for x in latencies],
    }
    print(
        f"{args.meetings} meetings: change visible in serve after {result['median_s']} s (median), "
        f"{result['max_s']} s (max) over {len(latencies)} saves"
    )
    if args.json:
        args.json.write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
