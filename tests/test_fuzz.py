"""Property tests: whatever a file holds, the loader and the build end in a page or in file:line findings,
never in another exception."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path
from typing import Any

import yaml
from conftest import FIXTURES
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from referater.config import load_config
from referater.content import FRONTMATTER_KEYS, parse_meeting
from referater.errors import SiteError
from referater.pipeline import build

SHOWN = "content/nord/2024-09-02-chefforum.md"
CONFIG = load_config(FIXTURES / "links")
KNOWN_KEYS = sorted(FRONTMATTER_KEYS)
VALID = {"cluster": "nord", "forum": "chefforum", "date": dt.date(2024, 9, 2)}

# Text with the characters that trouble parsers: NUL, BOM, CR, tabs, controls, astral and combining marks.
awkward = st.sampled_from(["\x00", "\ufeff", "\r", "\t", "\x0b", "\x1b", "\u2028", "\U0001f600", "\u0301"])
text = st.text(st.characters(codec="utf-8") | awkward, max_size=40)
line_text = st.text(
    st.characters(codec="utf-8", exclude_characters="\r\n\x85\u2028\u2029"), min_size=1, max_size=40
)
long_text = st.builds(lambda t, n: t * n, st.text(min_size=1, max_size=5), st.integers(0, 4000))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    text,
    st.dates(),
    st.datetimes(),
)
junk = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text | st.integers(), inner, max_size=4),
    max_leaves=12,
)
person = st.fixed_dictionaries(
    {"name": text | junk}, optional={"org": junk, "role": junk, "absent": junk, "x": junk}
)
good_value = {
    "time": st.sampled_from(["09:00", "9.30", 540, "23:59"]),
    "end_time": st.sampled_from(["12:00", ""]),
    "participants": st.lists(
        st.fixed_dictionaries({"name": text}, optional={"org": text, "absent": st.booleans()})
    ),
    "secretariat": st.lists(st.fixed_dictionaries({"name": text, "org": text}), max_size=2),
    "topics": st.lists(st.sampled_from(["laegedaekning", "dnlp", "forebyggelse"]), max_size=2),
    "cases": st.lists(text, max_size=2),
    "draft": st.booleans(),
}
value_for = {
    "cluster": st.sampled_from(["nord", "syd", "fyn", "../../etc", ""]) | junk,
    "forum": st.sampled_from(["chefforum", "politisk-niveau", "x"]) | junk,
    "date": st.dates() | st.sampled_from(["2024-02-30", "2024-13-01", "0000-00-00", "i går"]) | junk,
    "time": st.sampled_from(["09:00", "9.00", "24:00", 540, -1, 10**9]) | junk,
    "participants": st.lists(person | text | junk, max_size=4) | junk,
    "secretariat": st.lists(person | junk, max_size=3) | junk,
    "topics": st.lists(st.sampled_from(["laegedaekning", "dnlp", "tandpleje"]) | text, max_size=3) | junk,
    "cases": st.lists(text | st.integers(), max_size=3) | junk,
    "draft": st.booleans() | junk,
}


@st.composite
def frontmatter(draw: st.DrawFn) -> str:
    """Mostly usable frontmatter with random extras; sometimes junk throughout; sometimes not YAML."""
    mode = draw(st.sampled_from(["usable", "usable", "junk", "not-yaml"]))
    if mode == "not-yaml":
        return draw(text)
    data: dict[Any, Any] = {}
    for key in draw(st.permutations(KNOWN_KEYS)):
        choice = draw(st.sampled_from(["valid"] * 4 + ["missing"] * 4 + ["random"]))
        if key in VALID and (mode == "usable" or choice == "valid"):
            data[key] = VALID[key]
        elif choice == "valid":
            data[key] = draw(good_value.get(key, text))
        elif choice == "random":
            data[key] = draw(value_for.get(key, junk) if mode == "usable" else junk)
    if mode == "junk":
        for key in draw(st.lists(text | st.integers() | st.booleans(), max_size=2)):
            data[key] = draw(junk)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


raw_line = st.one_of(
    st.builds(lambda n, t: f"## Punkt {n}: {t}", st.integers(-5, 10**6), text),
    st.builds(lambda h, t: f"{h} {t}", st.sampled_from(["#", "##", "###", "####", "#######"]), text),
    st.sampled_from(["### Beslutning", "### Bilag", "- Bilag 1.pdf", "```", "~~~", "", "---", "[x](/y/)"]),
    st.sampled_from(["mødet den 8. februar 2024", "a@b.dk", "23 45 67 89", "<script>", "[a](javascript:x)"]),
    text,
    text,
    long_text,
)
meta_line = st.builds(
    lambda k, t: f"{k}: {t}",
    st.sampled_from(["Sagsnr.", "Sags ID", "Dok ID", "Emner", "Lukket"]),
    text | st.sampled_from(["ja", "nej", "laegedaekning", "laegedaekning, dnlp", "24/1001, EMN-2022-08415"]),
)


@st.composite
def item(draw: st.DrawFn, number: int, clean: bool) -> list[str]:
    titles = st.sampled_from(["Lukket punkt – Salg", "Lægedækning - Lukket punkt", "Godkendelse"]) | line_text
    title = draw(titles if clean else titles | text | st.just(""))
    lines = [f"## Punkt {number}: {title}", "", *draw(st.lists(meta_line, max_size=3)), ""]
    for _ in range(draw(st.integers(0, 3))):
        heading = draw(
            st.sampled_from(["Beslutning", "Sagsfremstilling", "Bilag", "Beslutning i Nord"]) | text
        )
        lines += [f"### {heading}", "", *draw(st.lists(raw_line, max_size=4)), ""]
    return lines


@st.composite
def body(draw: st.DrawFn) -> list[str]:
    lines: list[str] = []
    clean = draw(st.sampled_from([True, True, False]))
    number = draw(st.integers(0, 3))
    for _ in range(draw(st.integers(1 if clean else 0, 5))):
        number += draw(st.sampled_from([1, 1, 1, 7] if clean else [1, 0, -1, 7]))
        lines += draw(item(number, clean))
    if not clean and draw(st.booleans()):
        lines = draw(st.lists(raw_line, max_size=5)) + lines + draw(st.lists(raw_line, max_size=5))
    if draw(st.sampled_from([False] * 9 + [True])):
        lines.append("Borgeren 010203-1008")  # a CPR number: always an error
    return lines


@st.composite
def meeting_file(draw: st.DrawFn) -> bytes:
    lines = ["---", *draw(frontmatter()).split("\n"), "---", "", *draw(body())]
    newline = draw(st.sampled_from(["\n", "\n", "\r\n", "\r"]))
    raw = (draw(st.sampled_from(["", "\ufeff"])) + newline.join(lines)).encode("utf-8", "surrogatepass")
    if draw(st.sampled_from([False] * 19 + [True])):
        raw = raw[: draw(st.integers(0, len(raw)))]  # cut anywhere, even inside a character
    return raw


def assert_findings_point_into_the_file(findings: list, raw: bytes) -> None:
    lines = raw.count(b"\n") + raw.count(b"\r") + 2
    for finding in findings:
        assert finding.path == SHOWN
        assert 1 <= finding.line <= lines, finding
        assert finding.level in ("error", "warning")
        assert finding.message.strip()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(meeting_file())
@example(b"---\ncluster: nord\n---\n\x00")
@example(b"\xef\xbb\xbf---\r\ncluster: [\r\n---\r\n## Punkt 1: x")
def test_loader_returns_a_meeting_or_findings(raw: bytes) -> None:
    meeting, findings = parse_meeting(raw, SHOWN, CONFIG)
    assert_findings_point_into_the_file(findings, raw)
    errors = [f for f in findings if f.level == "error"]
    event(
        "meeting" if meeting else "error: " + " ".join(errors[0].message.split(" ")[:4]) if errors else "none"
    )
    if meeting is None:
        assert errors, "a file that is not used must say why"


def _valid_head(draft: bool) -> str:
    return f"---\ncluster: nord\nforum: chefforum\ndate: 2024-09-02\ndraft: {str(draft).lower()}\n"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(extra={}, lines=["## Punkt 1: 0", "", "Emner: 0", ""], draft=False)  # found by this test
@given(
    extra=st.fixed_dictionaries(
        {},
        optional={
            "title": text | junk,
            "location": text,
            "participants": good_value["participants"] | junk,
            "topics": good_value["topics"],
            "cases": good_value["cases"],
            "time": good_value["time"],
        },
    ),
    lines=body(),
    draft=st.booleans(),
)
def test_whole_build_ends_in_a_page_or_findings(extra: dict[str, Any], lines: list[str], draft: bool) -> None:
    head = _valid_head(draft) + (yaml.safe_dump(extra, allow_unicode=True) if extra else "")
    raw = (head + "---\n\n" + "\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        shutil.copy(FIXTURES / "links/site_config.yaml", site / "site_config.yaml")
        (site / "content/nord").mkdir(parents=True)
        (site / SHOWN).write_bytes(raw)
        try:
            build(site, jobs=1, use_cache=False, search=False)
        except SiteError as exc:
            assert_findings_point_into_the_file(exc.findings, raw)
            assert any(f.level == "error" for f in exc.findings)
            assert not (site / "output").exists()
            event("SiteError")
            return
        event("built")
        page = site / "output/klynger/nord/2024-09-02-chefforum/index.html"
        assert page.is_file() != draft
