"""The per-file scanners' fast paths give what the plain way gives: a line-by-line privacy scan, a year
search of each gap between dates, a substring test per topic core, a resolved display path."""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from referater.config import Topic
from referater.dates import DateScanner
from referater.errors import display_path
from referater.model import AgendaItem, Section
from referater.privacy import _cpr_hits, _email_hits, _phone_hits, scan_personal_data
from referater.topics import TopicMatcher


def privacy_line_by_line(text: str, first_line: int = 1) -> list:
    """The scan as the rules read: every line on its own."""
    hits = []
    for index, raw in enumerate(text.split("\n")):
        line = raw.rstrip("\r")
        found = _cpr_hits(line, first_line + index) + _email_hits(line, first_line + index)
        found += _phone_hits(line, first_line + index)
        hits.extend(hit for _, hit in sorted(found, key=lambda pair: pair[0]))
    return hits


def test_privacy_scan_finds_each_hit_on_its_own_line() -> None:
    text = "a\r\n\n23 45 67 89 og 010203-1008\r\nx\n\nmail a.b@c.dk\n2024 2025\nslut 0707611006"
    hits = scan_personal_data(text, first_line=5)
    assert [(h.line, h.kind) for h in hits] == [(7, "phone"), (7, "cpr"), (10, "email"), (12, "cpr")]
    assert hits == privacy_line_by_line(text, 5)


def test_privacy_scan_agrees_with_a_line_by_line_scan_on_random_text() -> None:
    pieces = ["1", "2", "0", "9", " ", "\u00a0", "\n", "\r\n", "@", "a", ".", "-", "/", "x.dk", "tlf "]
    pieces += ["CPR ", "010203-1008", "0707611006", "23456789", "12 34 56 78", "1234 5678"]
    rnd = random.Random(7)
    for _ in range(3000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(0, 30)))
        assert scan_personal_data(text, 3) == privacy_line_by_line(text, 3), repr(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mødet i 2019, og den 4. marts igen", "2019-03-04"),
        ("Sag 12019: den 4. marts", "2010-03-04"),  # a year glued to more digits is no year
        ("Sag 20191 og den 4. marts", "2010-03-04"),
        ("x2019 den 4. marts", "2019-03-04"),  # a letter before is fine: only digits count
        ("30. april 2024 … den 4. marts", "2024-03-04"),
        ("31/2 2019 og den 4. marts", "2010-03-04"),  # the year inside a date that is no date is not seen
        ("2019 og 2021 og 4. marts", "2021-03-04"),
    ],
)
def test_a_date_without_a_year_takes_the_last_year_before_it(text: str, expected: str) -> None:
    refs = list(DateScanner(2010).scan(text))
    assert refs[-1].date.isoformat() == expected


def test_the_year_seen_last_carries_to_the_next_text() -> None:
    scanner = DateScanner(2010)
    assert list(scanner.scan("ingen dato, men året 2031")) == []
    (ref,) = scanner.scan("den 4. marts")
    assert ref.date.isoformat() == "2031-03-04"


def item(text: str, title: str = "Punkt") -> AgendaItem:
    return AgendaItem(number=1, title=title, sections=(Section("", text, 1, text=text),), line=1)


def test_topic_cores_are_found_inside_words_and_across_any_white_space() -> None:
    matcher = TopicMatcher(
        {
            "hjem": Topic(slug="hjem", name="Hjem", patterns=("Kom trygt hjem",)),
            "forebyggelse": Topic(slug="forebyggelse", name="F", patterns=("*forebygge*",)),
        }
    )
    (match,) = matcher.match(item("Vi vil kom\u00a0trygt\nhjem, ja: (Kom trygt hjem)."))
    assert (match.topic, match.mentions) == ("hjem", 2)
    (match,) = matcher.match(item("Sygdomsforebyggelsen og FOREBYGGE."))
    assert (match.topic, match.mentions) == ("forebyggelse", 2)
    assert matcher.match(item("trygt, men ikke hjemme")) == []


def test_display_path_is_relative_inside_the_site_and_as_given_outside(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (tmp_path / "elsewhere").mkdir()
    assert display_path(site / "content/a.md", site) == os.path.join("content", "a.md")
    assert display_path(tmp_path / "elsewhere/a.md", site) == str(tmp_path / "elsewhere/a.md")
    assert display_path(tmp_path / "site2/a.md", site) == str(
        tmp_path / "site2/a.md"
    )  # a prefix, not a folder
    link = tmp_path / "link"
    link.symlink_to(site)
    assert display_path(site / "content/a.md", link) == os.path.join("content", "a.md")  # resolved
    assert display_path(link / "content/a.md", site) == os.path.join("content", "a.md")
