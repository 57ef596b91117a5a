"""Served from a sub-path, as on GitHub Pages (https://example.github.io/referater/): every link, asset,
feed and data file of every page resolves under the prefix, and nothing points outside it.

The output is served by a small HTTP server that only answers under /referater/, so a link that escapes
the prefix is a 404 as well as an error in its own right. (Search under a sub-path: test_browser.py.)
"""

from __future__ import annotations

import functools
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import FIXTURES, broken_links, copy_site
from sitegen import build_site, read_config, write_config

BASE_URL = "https://example.github.io/referater/"
PREFIX = "/referater/"
SITE_URL = re.compile(r"https?://example\.github\.io[^\s\"'<>&\\]*")
REF_ATTRS = {"a": "href", "link": "href", "script": "src", "img": "src", "form": "action", "iframe": "src"}


class PrefixHandler(SimpleHTTPRequestHandler):
    """Serves the output directory under PREFIX only; anything else is 404."""

    def translate_path(self, path: str) -> str:
        if not path.startswith(PREFIX):
            return str(Path(self.directory) / "\0outside-the-prefix")
        return super().translate_path("/" + path[len(PREFIX) :])

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The links fixture with base_url under /referater/, built with search (its bundle is an asset of
    the search page), served on a free port; yields the output dir and the server's origin."""
    site = copy_site(FIXTURES / "links", tmp_path_factory.mktemp("subpath"))
    write_config(site, {**read_config(site), "base_url": BASE_URL})
    build_site(site, "--no-cache", search=True)
    out = site / "output"
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PrefixHandler, directory=str(out)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield out, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def url_of(out: Path, html: Path) -> str:
    rel = html.relative_to(out).as_posix()
    return PREFIX + (rel[: -len("index.html")] if rel.endswith("index.html") else rel)


def status(origin: str, path: str) -> int:
    try:
        with urllib.request.urlopen(origin + path, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def page_refs(out: Path) -> dict[str, set[str]]:
    """Every href/src/action of every HTML page, resolved against the page's URL path; by page."""
    refs: dict[str, set[str]] = {}
    for html in sorted(out.rglob("*.html")):
        here = url_of(out, html)
        doc = BeautifulSoup(html.read_text("utf-8"), "html.parser")
        found = refs.setdefault(here, set())
        for tag in doc.find_all(list(REF_ATTRS)):
            ref = tag.get(REF_ATTRS[tag.name])
            if ref:
                found.add(ref if urlsplit(ref).scheme else urljoin(here, ref))
    return refs


def local_path(ref: str) -> str | None:
    """The path to ask the test server for, or None for another site."""
    parts = urlsplit(ref)
    if parts.scheme in ("mailto", "tel"):
        return None
    if parts.netloc and parts.netloc != "example.github.io":
        return None
    return parts.path or "/"


def test_no_link_escapes_the_prefix(served: tuple[Path, str]) -> None:
    out, _origin = served
    escaping = [
        f"{page}: {ref}"
        for page, refs in page_refs(out).items()
        for ref in refs
        if (path := local_path(ref)) is not None and not path.startswith(PREFIX)
    ]
    assert escaping == []
    assert broken_links(out, PREFIX) == []  # fragments included


def test_every_page_link_and_asset_resolves_under_the_prefix(served: tuple[Path, str]) -> None:
    out, origin = served
    refs = page_refs(out)
    assert len(refs) >= 20
    targets = {path for found in refs.values() for ref in found if (path := local_path(ref))}
    targets |= set(refs)  # every page itself
    kinds = {
        "stylesheet": any(t.startswith(PREFIX + "static/style.css") for t in targets),
        "script": PREFIX + "static/search.js" in targets,
        "search page": PREFIX + "static/search.css" in targets,
        "feed": PREFIX + "feeds/all.atom" in targets,
        "meeting data": PREFIX + "klynger/nord/2024-03-04-chefforum/meeting.json" in targets,
        "open data": PREFIX + "data/meetings.json" in targets,
    }
    assert [k for k, seen in kinds.items() if not seen] == []
    failing = sorted(f"{t} → {code}" for t in targets if (code := status(origin, t)) != 200)
    assert failing == []


def test_alternate_links_resolve_under_the_prefix(served: tuple[Path, str]) -> None:
    out, origin = served
    alternates = set()
    for html in out.rglob("*.html"):
        doc = BeautifulSoup(html.read_text("utf-8"), "html.parser")
        alternates |= {tag["href"] for tag in doc.find_all("link", rel="alternate")}
    assert any(a.endswith(".atom") for a in alternates)
    assert any(a.endswith("meeting.json") for a in alternates)
    for href in alternates:
        path = local_path(urljoin(PREFIX, href))
        assert path is not None and path.startswith(PREFIX), href
        assert status(origin, path) == 200, href


def test_feeds_data_and_sitemap_link_only_under_the_base_url(served: tuple[Path, str]) -> None:
    """Absolute URLs in Atom, iCalendar, JSON, the sitemap and robots.txt: all under base_url, all served."""
    out, origin = served
    urls: set[str] = set()
    for path in out.rglob("*"):
        if path.suffix in (".atom", ".ics", ".json", ".xml", ".txt") and "pagefind" not in path.parts:
            # unfold iCalendar's folded lines (read_text turns CRLF into a newline)
            text = path.read_text("utf-8").replace("\n ", "")
            urls |= set(SITE_URL.findall(text))
    assert BASE_URL + "sitemap.xml" in urls
    assert BASE_URL + "klynger/nord/2024-03-04-chefforum/meeting.json" in urls
    assert [u for u in urls if not u.startswith(BASE_URL)] == []
    failing = sorted(u for u in urls if status(origin, urlsplit(u).path) != 200)
    assert failing == []
