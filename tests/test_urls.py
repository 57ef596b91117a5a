"""The URL contract (DESIGN.md, "The public contract: URLs") lives in referater/urls.py alone: every row
of the table comes from it, a second kind of body is one more BodyRoot, and no other module of the engine
writes a path of the contract by hand."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from conftest import ROOT

from referater import urls
from referater.urls import Base, BodyRoot

# The prefixes and file names of the contract, as a string literal would hold them ("404.html" is left
# out: the 404 template has that name too).
CONTRACT = re.compile(
    r"(?:^|[/\s\"'}])(?:klynger|fora|emner|sager|soeg|arkiv|feeds|kalender|data|side)/"
    r"|punkt-|meeting\.json|meetings\.json|sitemap\.xml|robots\.txt|index\.html|\.atom|\.ics"
)
PACKAGE = ROOT / "referater"


def literals(path: Path) -> list[tuple[int, str]]:
    """The string constants of a module (f-strings' literal parts too), docstrings left out."""
    tree = ast.parse(path.read_text("utf-8"))
    docstrings = {
        id(node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def contract_literals(path: Path) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{line}: {text!r}" for line, text in literals(path) if CONTRACT.search(text)
    ]


def test_the_contract_paths_are_written_in_urls_py_only() -> None:
    found = [
        hit
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.name != "urls.py"
        for hit in contract_literals(path)
    ]
    assert found == []


def test_the_scan_sees_the_contract_in_urls_py() -> None:
    """The scan above can fail: it finds the literals where they are (also inside f-strings)."""
    found = "\n".join(contract_literals(PACKAGE / "urls.py"))
    for literal in ("'feeds/all.atom'", "'side/'", "'data/meetings.json'", "'index.html'"):
        assert literal in found


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (urls.HOME, ""),
        (urls.bodies(), "klynger/"),
        (urls.body("fyn"), "klynger/fyn/"),
        (urls.meeting("fyn", "2023-12-05", "politisk-niveau"), "klynger/fyn/2023-12-05-politisk-niveau/"),
        (
            urls.item(urls.meeting("fyn", "2023-12-05", "chefforum"), 3),
            "klynger/fyn/2023-12-05-chefforum/#punkt-3",
        ),
        (urls.forum("chefforum"), "fora/chefforum/"),
        (urls.topic("laegedaekning"), "emner/laegedaekning/"),
        (urls.case("24-1001"), "sager/24-1001/"),
        (urls.year(2024), "2024/"),
        (urls.month(2024, 4), "2024/04/"),
        (urls.SEARCH, "soeg/"),
        (urls.OPEN_DATA, "data/meetings.json"),
        (
            urls.meeting_data(urls.meeting("fyn", "2023-12-05", "chefforum")),
            "klynger/fyn/2023-12-05-chefforum/meeting.json",
        ),
        (urls.ALL_FEED, "feeds/all.atom"),
        (urls.body_feed("fyn"), "feeds/klynger/fyn.atom"),
        (urls.topic_feed("dnlp"), "feeds/emner/dnlp.atom"),
        (urls.forum_feed("chefforum"), "feeds/fora/chefforum.atom"),
        (urls.case_feed("24-1001"), "feeds/sager/24-1001.atom"),
        (urls.body("limfjorden", urls.COUNCILS), "sundhedsraad/limfjorden/"),
        (urls.body_feed("limfjorden", urls.COUNCILS), "feeds/sundhedsraad/limfjorden.atom"),
        (urls.calendar("limfjorden", urls.COUNCILS), "kalender/limfjorden.ics"),
        (urls.calendar("fyn"), "kalender/fyn.ics"),
        (urls.SITEMAP, "sitemap.xml"),
        (urls.page(urls.topic("dnlp"), 1), "emner/dnlp/"),
        (urls.page(urls.topic("dnlp"), 3), "emner/dnlp/side/3/"),
        (urls.file_of(urls.forum("chefforum")), "fora/chefforum/index.html"),
        (urls.file_of(urls.HOME), "index.html"),
        (urls.file_of(urls.NOT_FOUND), "404.html"),
        (urls.path_of("emner/dnlp/side/2/index.html"), "emner/dnlp/side/2/"),
    ],
)
def test_every_row_of_the_contract(path: str, expected: str) -> None:
    assert path == expected


def test_a_second_kind_of_body_is_one_more_root() -> None:
    councils = BodyRoot(pages="sundhedsraad", feeds="feeds/sundhedsraad", calendars="kalender/sundhedsraad")
    assert urls.body("syddanmark", councils) == "sundhedsraad/syddanmark/"
    assert urls.meeting("syddanmark", "2027-02-01", "raadsmoede", councils) == (
        "sundhedsraad/syddanmark/2027-02-01-raadsmoede/"
    )
    assert urls.body_feed("syddanmark", councils) == "feeds/sundhedsraad/syddanmark.atom"
    assert urls.calendar("syddanmark", councils) == "kalender/sundhedsraad/syddanmark.ics"


@pytest.mark.parametrize(
    ("base_url", "path", "host"),
    [
        ("https://example.org/", "/", "example.org"),
        ("https://example.org/referater/", "/referater/", "example.org"),
        ("http://127.0.0.1:8000/", "/", "127.0.0.1"),
        ("https://user.github.io/repo/sub/", "/repo/sub/", "user.github.io"),
    ],
)
def test_base_url_is_parsed_into_path_and_host(base_url: str, path: str, host: str) -> None:
    base = Base.parse(base_url)
    assert (base.url, base.path, base.host) == (base_url, path, host)


def test_links_and_paths_become_absolute_urls_under_base_url() -> None:
    base = Base.parse("https://example.org/referater/")
    link = base.link(urls.topic("dnlp"))
    assert link == "/referater/emner/dnlp/"
    assert base.absolute(link) == "https://example.org/referater/emner/dnlp/"
    assert base.absolute(urls.ALL_FEED) == "https://example.org/referater/feeds/all.atom"
    assert base.absolute(urls.HOME) == "https://example.org/referater/"
    assert base.local(link) == "emner/dnlp/"
    assert base.local("/andet/") is None


def test_the_templates_take_their_links_from_the_contract_too() -> None:
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted((ROOT / "templates").glob("*.html"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if CONTRACT.search(line)
    ]
    assert found == []
