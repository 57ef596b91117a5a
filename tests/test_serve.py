"""The live preview: a real server on a free port; a saved change is served; an error is shown, not fatal."""

from __future__ import annotations

import json
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
from bs4 import BeautifulSoup
from conftest import FIXTURES, ROOT, copy_site, run_cli

MEETING = "content/nord/2024-03-04-chefforum.md"
DRAFT = "/klynger/nord/2024-06-01-politisk-niveau/"  # the fixture's draft
BANNER = "KLADDE – ikke offentliggjort"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


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


def start_serve(site: Path, port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "build.py"), "serve", "--site", str(site), "--port", str(port)],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Path, str, subprocess.Popen[str]]]:
    site = copy_site(FIXTURES / "links", tmp_path)
    port = free_port()
    process = start_serve(site, port)
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
    page = BeautifulSoup(body, "html.parser")
    assert page.h1.get_text() == "Fejl i indholdet"
    assert page.body["class"] == ["preview-error"]  # the template, in the site's style
    assert page.find("link", rel="stylesheet")["href"] == "/static/style.css"
    assert fetch(base + "/static/style.css")[0] == 200
    [finding] = [li.get_text() for li in page.select("ul.findings li") if MEETING in li.get_text()]
    assert finding.startswith(f"{MEETING}:3: fejl: ") and "der begynder på linje 2" in finding
    assert "Intet er udgivet" in body
    assert process.poll() is None

    target.write_text(original, "utf-8")
    status, body = wait_for(url, lambda status, body: status == 200 and "hold 4" in body)
    assert process.poll() is None
    assert not (site / "output").exists()  # the preview never touches the publishable output


def test_the_preview_is_the_whole_site_after_a_save_and_shows_drafts(server) -> None:
    site, base, process = server
    url = f"{base}/klynger/nord/2024-03-04-chefforum/"
    wait_for(url, lambda status, body: status == 200)
    target = site / MEETING
    target.write_text(target.read_text("utf-8").replace("hold 4", "hold 4 (gemt)"), "utf-8")
    wait_for(url, lambda status, body: "hold 4 (gemt)" in body)
    # Everything the pages link to answers after the save: search, open data, feeds, calendars, sitemap.
    for path in (
        "/pagefind/manifest.json",
        "/static/search.js",
        "/data/meetings.json",
        "/klynger/nord/2024-03-04-chefforum/meeting.json",
        "/feeds/all.atom",
        "/sitemap.xml",
        "/soeg/",
    ):
        assert fetch(base + path)[0] == 200, path
    page = BeautifulSoup(fetch(url)[1], "html.parser")
    for link in page.select("footer a[href^='/']"):
        assert fetch(base + link["href"])[0] == 200, link["href"]

    status, body = fetch(base + DRAFT)
    assert status == 200 and BANNER in body
    assert BANNER not in fetch(url)[1]  # only drafts carry the banner
    assert DRAFT in fetch(base + "/data/meetings.json")[1]  # the preview's data shows the draft too
    assert process.poll() is None

    built = run_cli("build", "--site", site, "--no-search")
    assert built.returncode == 0, built.stderr
    out = site / "output"
    assert not (out / DRAFT.strip("/")).exists()
    for path in out.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".json", ".xml", ".atom", ".ics"):
            text = path.read_text("utf-8")
            assert BANNER not in text and "2024-06-01-politisk-niveau" not in text, path


def test_the_search_index_follows_a_save(server) -> None:
    site, base, _process = server
    url = f"{base}/klynger/nord/2024-03-04-chefforum/"
    wait_for(url, lambda status, body: status == 200)
    _, manifest = wait_for(base + "/pagefind/manifest.json", lambda status, body: status == 200)
    target = site / MEETING
    target.write_text(target.read_text("utf-8").replace("hold 4", "hold 4 qzsoegeord"), "utf-8")
    wait_for(url, lambda status, body: "qzsoegeord" in body)
    # Once the saving pauses the index takes the change: the meeting moves into the recent bundle, masked
    # in the base; the manifest answers all the while, so the search page never loses its bundle.
    _, changed = wait_for(
        base + "/pagefind/manifest.json",
        lambda status, body: status == 200 and body != manifest,
        timeout=60,
    )
    assert json.loads(changed)["levels"] == ["recent"]
    _, entry = wait_for(base + "/pagefind/recent/pagefind-entry.json", lambda status, body: status == 200)
    assert json.loads(entry)["languages"]


def test_a_busy_port_is_a_danish_message_not_a_traceback(tmp_path: Path) -> None:
    site = copy_site(FIXTURES / "links", tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = start_serve(site, port)
        output, _ = process.communicate(timeout=60)
    assert process.returncode == 1
    assert "Traceback" not in output
    assert f"fejl: porten {port} er optaget" in output
    assert f"make serve PORT={port + 1}" in output and f"--port {port + 1}" in output
    assert not (site / ".cache").exists()  # refused before building anything


def test_a_missing_site_is_a_danish_message(tmp_path: Path) -> None:
    process = start_serve(tmp_path / "findes-ikke", free_port())
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 1 and "Traceback" not in output
    assert "har ingen site_config.yaml" in output
