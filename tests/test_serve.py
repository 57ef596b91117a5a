"""The live preview: a real server on a free port; a saved change is served; an error is shown, not fatal."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import FIXTURES, ROOT, copy_site

MEETING = "content/nord/2024-03-04-chefforum.md"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8")


def wait_for(url: str, predicate, timeout: float = 15.0) -> tuple[int, str]:
    """Poll until the page satisfies predicate; bounded, so a broken server fails instead of hanging."""
    deadline = time.monotonic() + timeout
    last: tuple[int, str] = (0, "")
    while time.monotonic() < deadline:
        try:
            last = fetch(url)
            if predicate(*last):
                return last
        except OSError:
            pass
        time.sleep(0.05)
    raise AssertionError(f"{url} never became ready; last answer {last[0]}: {last[1][:300]}")


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    site = copy_site(FIXTURES / "links", tmp_path)
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--site", str(site), "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield site, f"http://127.0.0.1:{port}", process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def test_saved_change_is_served_and_errors_do_not_kill_the_server(server) -> None:
    site, base, process = server
    url = f"{base}/klynger/nord/2024-03-04-chefforum/"
    status, body = wait_for(url, lambda status, body: status == 200)
    assert "Det Nationale Ledelsesprogram hold 4" in body
    assert "livereload.js" in body  # the browser is told to reload on changes
    assert 'href="/klynger/nord/"' in body  # links point at the preview server, not the configured host

    target = site / MEETING
    original = target.read_text("utf-8")
    target.write_text(original.replace("hold 4", "hold 5 (rettet)"), "utf-8")
    changed_at = time.monotonic()
    wait_for(url, lambda status, body: "hold 5 (rettet)" in body)
    print(f"change visible after {time.monotonic() - changed_at:.2f} s")

    target.write_text(original.replace("cluster: nord", "cluster: [nord"), "utf-8")
    status, body = wait_for(url, lambda status, body: status == 500)
    assert (
        "Fejl i indholdet" in body
        and f"{MEETING}:3: fejl: invalid YAML" in body
        and "starts on line 2" in body
    )
    assert process.poll() is None

    target.write_text(original, "utf-8")
    status, body = wait_for(url, lambda status, body: status == 200 and "hold 4" in body)
    assert process.poll() is None
    assert not (site / "output").exists()  # the preview never touches the publishable output
