"""XSS through the whole build: every payload of fixtures/xss_payloads.txt in every field a secretariat
writes (frontmatter title, location, participants, item titles, section headings, item text), then every
output HTML file is parsed for executable markup, and a few pages are opened in headless chromium."""

from __future__ import annotations

import datetime as dt
import html
import json
import re
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml
from browser_server import launch_chromium, serve
from bs4 import BeautifulSoup
from conftest import FIXTURES, copy_site, run_cli
from test_sanitize import load_payloads

PROBES = (  # payloads that would set a flag instead of opening a dialog
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=1</script>",
    "[x](javascript:window.__xss=1)",
)
CLUSTER, FORUM = "nord", "politisk-niveau"
FIRST_DAY = dt.date(2023, 1, 2)
BASE_HOST = "example.org"  # the fixture's base_url
URL_ATTRIBUTES = (
    "href",
    "src",
    "action",
    "formaction",
    "xlink:href",
    "data",
    "background",
    "poster",
    "srcdoc",
)
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
FORBIDDEN = ("iframe", "frame", "frameset", "object", "embed", "applet", "base", "isindex")


# Control characters stop the build with file:line (tests/test_leak_classes.py): no page to inspect.
PAYLOADS = [p for p in load_payloads() + list(PROBES) if not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", p)]


def one_line(payload: str) -> str:
    return payload.replace("\n", " ")


def meeting_file(index: int, payload: str) -> tuple[str, str]:
    """One meeting carrying the payload in every field; returns (relative path, text)."""
    day = FIRST_DAY + dt.timedelta(days=index)
    front = {
        "cluster": CLUSTER,
        "forum": FORUM,
        "date": day.isoformat(),
        "time": "10:00",
        "title": f"Møde {payload}",
        "location": f"Lokale {payload}",
        "participants": [{"name": f"Navn {payload}", "org": f"Org {payload}", "role": f"Rolle {payload}"}],
        "secretariat": [{"name": f"Sekretær {payload}", "org": payload}],
    }
    head = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10_000)
    body = (
        f"## Punkt 1: Titel {one_line(payload)}\n\n"
        f"Indledning\n\n{payload}\n\n"
        f"### Afsnit {one_line(payload)}\n\n{payload}\n\n"
        f"Se [ekstern side](https://evil.example/side-{index}) og <https://other.example/{index}>.\n\n"
        f"### Beslutning\n\n{payload}\n\n"
        f"## Punkt 2: Lukket punkt – {one_line(payload)}\n\n"
        f"Offentlig beslutning: ja\n\n"
        f"### Beslutning\n\n{payload}\n"
    )
    return f"content/{CLUSTER}/{day.isoformat()}-{FORUM}.md", f"---\n{head}---\n\n{body}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site(FIXTURES / "links", tmp_path_factory.mktemp("xss"), with_content=False)
    for index, payload in enumerate(PAYLOADS):
        rel, text = meeting_file(index, payload)
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(text, "utf-8")
    result = run_cli("build", "--site", site, "--no-search", "--no-cache")
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 0, result.stderr
    return site


@pytest.fixture(scope="module")
def pages(site: Path) -> dict[str, BeautifulSoup]:
    out = site / "output"
    found = {
        str(p.relative_to(out)): BeautifulSoup(p.read_text("utf-8"), "html.parser")
        for p in sorted(out.rglob("*.html"))
    }
    meetings = [name for name in found if name.startswith(f"klynger/{CLUSTER}/{FIRST_DAY.year}")]
    assert len(meetings) == len(PAYLOADS), "every payload's meeting must be built"
    return found


def scheme_of(value: str) -> str:
    """The URL as a browser reads its scheme: entities decoded, whitespace and control characters dropped."""
    decoded = html.unescape(html.unescape(value))
    kept = "".join(ch for ch in decoded if not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf")))
    return kept.lower()


def problems_in(name: str, doc: BeautifulSoup) -> list[str]:
    found = []
    for script in doc.find_all("script"):
        src = script.get("src")
        if src:
            if not src.startswith(("/static/", "/pagefind/")):
                found.append(f"{name}: script src {src!r}")
        elif script.get("type") == "application/ld+json":
            raw = script.string or ""
            if "</script" in raw.lower():
                found.append(f"{name}: '</script' in JSON-LD")
            try:
                json.loads(raw)
            except ValueError as exc:
                found.append(f"{name}: JSON-LD is not JSON ({exc})")
        else:
            found.append(f"{name}: inline script {str(script)[:80]!r}")
    for tag in doc.find_all(True):
        if tag.name in FORBIDDEN:
            found.append(f"{name}: <{tag.name}>")
        if tag.name == "form" and (tag.get("action") != "/soeg/" or tag.get("method") != "get"):
            found.append(f"{name}: form {str(tag)[:80]!r}")
        if tag.name == "meta" and (tag.get("http-equiv") or "").lower() not in (
            "",
            "content-security-policy",
        ):
            found.append(f"{name}: meta http-equiv={tag.get('http-equiv')!r}")
        for attr, value in tag.attrs.items():
            if attr.lower().startswith("on"):
                found.append(f"{name}: <{tag.name} {attr}=…>")
            url = value if attr.lower() in URL_ATTRIBUTES and isinstance(value, str) else ""
            if scheme_of(url).startswith(BAD_SCHEMES):
                found.append(f"{name}: <{tag.name} {attr}={value!r}>")
    return found


def test_every_payload_reached_the_pages(pages: dict[str, BeautifulSoup]) -> None:
    """The payloads are shown as text, so a sanitizer that drops whole pages cannot pass this test."""
    day = FIRST_DAY.isoformat()
    doc = pages[f"klynger/{CLUSTER}/{day}-{FORUM}/index.html"]
    assert "<script>alert(1)</script>" in doc.get_text()  # escaped in the title, not executed


def test_no_executable_markup_in_any_page(pages: dict[str, BeautifulSoup]) -> None:
    found = [problem for name, doc in pages.items() for problem in problems_in(name, doc)]
    assert found == [], "\n".join(found[:40])


def test_json_ld_is_valid_json_on_meeting_pages(pages: dict[str, BeautifulSoup]) -> None:
    blocks = 0
    for name, doc in pages.items():
        for script in doc.find_all("script", type="application/ld+json"):
            data = json.loads(script.string or "")
            assert isinstance(data, dict), name
            blocks += 1
    assert blocks >= len(PAYLOADS)


def test_links_to_other_sites_get_noopener(pages: dict[str, BeautifulSoup]) -> None:
    external = 0
    for name, doc in pages.items():
        for a in doc.find_all("a", href=True):
            parts = urlsplit(a["href"])
            if parts.scheme in ("http", "https") and parts.hostname != BASE_HOST:
                external += 1
                assert "noopener" in (a.get("rel") or []), f"{name}: {a}"
    assert external >= 2 * len(PAYLOADS)


def test_the_checker_catches_what_it_must() -> None:
    bad = BeautifulSoup(
        '<script>x</script><script src="https://cdn.example/x.js"></script><a href=" jav&#x09;ascript:x">'
        '<img src="x" onerror="x"><iframe></iframe><meta http-equiv="refresh" content="0">'
        '<form action="/x"></form><script type="application/ld+json">{"a": "</script>"}</script>',
        "html.parser",
    )
    assert len(problems_in("t", bad)) >= 8


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    yield from launch_chromium()


def test_no_payload_runs_in_chromium(site: Path, browser) -> None:
    urls = ["", f"klynger/{CLUSTER}/", "arkiv/", "sager/"]
    payload_days = [PAYLOADS.index(p) for p in PROBES] + [0, 6, 11, 24, 47]
    urls += [f"klynger/{CLUSTER}/{FIRST_DAY + dt.timedelta(days=i)}-{FORUM}/" for i in payload_days]
    context = browser.new_context()
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    dialogs: list[str] = []
    console: list[str] = []
    tab.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.on("console", lambda m: console.append(m.text))
    try:
        with serve(site / "output") as root:
            for url in urls:
                response = tab.goto(root + url, wait_until="load")
                assert response is not None and response.status == 200, url
                for link in tab.query_selector_all("main a"):  # a payload's link must not run when hovered
                    link.hover(timeout=2_000, force=True)
                assert tab.evaluate("() => window.__xss === undefined"), url
                assert (
                    tab.evaluate("() => document.querySelectorAll('script:not([src]):not([type])').length")
                    == 0
                )
    finally:
        context.close()
    assert dialogs == []
    assert [m for m in console if "Content Security Policy" in m] == []
