"""The content stage's faster ways of parsing one file find exactly what the ways they replaced found.

Each old way is kept here as the oracle, written as it stood in the engine (as test_privacy_fast.py
does for the scans): the topic matcher that looked up each word in Python and tried every pattern, the
privacy pre-scan pattern that re tried at every position, the marker-paragraph test, and the walk over
every top-level block for headings inside lists and quotes; and the cheap tests now put in front of
the date scan and the heading look-alike pattern never skip what those would find. Generated input mixes the pieces that make
each go wrong: odd white space, Unicode letters and digits, markers, headings inside containers.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sitegen import big_site
from test_privacy_fast import text as privacy_text

from referater import agenda, cmark, privacy
from referater.analysis import scan_item_dates
from referater.cache import CACHE_DIR, ContentCache
from referater.cmark import Block, Document
from referater.config import Topic, load_config
from referater.content import parse_meeting
from referater.dates import DateScanner, may_hold_date
from referater.loader import FULL_DIR, ContentStore, load_content
from referater.model import AgendaItem, Meeting, Section
from referater.readable import MARKUP_CHARS, readable_joined
from referater.topics import TopicMatch, TopicMatcher, _cores, compile_pattern

# --- topics ------------------------------------------------------------------------------------------------


class OldTopicMatcher:
    """topics.TopicMatcher as it stood before its words were sorted by set operations."""

    def __init__(self, topics: dict[str, Topic]):
        self._topics = [
            (slug, [(compile_pattern(p), max(_cores(p), key=len)) for p in topic.patterns if _cores(p)])
            for slug, topic in topics.items()
        ]
        self._cores = tuple(dict.fromkeys(core for _, patterns in self._topics for _, core in patterns))

    def match(self, item: AgendaItem) -> list[TopicMatch]:
        text = item.text.lower()
        title = item.title.lower()
        present = {core for word in set(text.split()) for core in self._cores if core in word}
        found: dict[str, TopicMatch] = {}
        for slug, patterns in self._topics:
            in_title = False
            mentions = 0
            for pattern, core in patterns:
                if core in title:
                    in_title = in_title or pattern.count(title) > 0
                if core in present:
                    mentions += pattern.count(text)
            if in_title or mentions:
                found[slug] = TopicMatch(slug, in_title, mentions)
        for slug in item.hand_topics:
            previous = found.get(slug)
            found[slug] = TopicMatch(slug, True, previous.mentions if previous else 0)
        return sorted(found.values(), key=lambda m: m.topic)


TOPICS = {
    "laeger": Topic("laeger", "Læger", patterns=("lægedækning*", "*lægemangel*", "Praktiserende læge")),
    "hjem": Topic("hjem", "Hjem", patterns=("Kom trygt hjem", "udskriv*")),
    "fore": Topic("fore", "Forebyggelse", patterns=("*forebygge*", "sundhedsfremme")),
    "tom": Topic("tom", "Tom", patterns=()),
    "stjerne": Topic("stjerne", "Stjerne", patterns=("*", "ÆLDRE*")),
}
WORDS = ["lægedækning", "Lægedækningen", "lægemangel", "praktiserende", "læge", "læger", "kom", "trygt"]
WORDS += ["hjem", "hjemme", "udskrivning", "FOREBYGGE", "sygdomsforebyggelse", "sundhedsfremme", "ældre"]
WORDS += ["Ældreplejen", "\u00c6LDRE", "x", "_", "1", "praktiserende_læge", "lægedækning_x", "ǅ", "İ"]
GAPS = [" ", "  ", "\n", "\u00a0", "\u2003", "\x1c", "\t", "-", ".", ", ", "(", ")", "*", ""]


@st.composite
def topic_text(draw: st.DrawFn) -> str:
    parts = draw(st.lists(st.tuples(st.sampled_from(WORDS), st.sampled_from(GAPS)), max_size=14))
    return "".join(word + gap for word, gap in parts)


@st.composite
def topic_items(draw: st.DrawFn) -> AgendaItem:
    sections = tuple(Section("", "", 1, text=draw(topic_text())) for _ in range(draw(st.integers(0, 3))))
    hand = tuple(draw(st.lists(st.sampled_from(["laeger", "hjem", "tom"]), max_size=2, unique=True)))
    return AgendaItem(1, draw(topic_text()), sections, 1, hand_topics=hand)


@settings(max_examples=500, deadline=None)
@given(st.lists(topic_items(), min_size=1, max_size=8), st.integers(1, 40))
def test_the_topic_matcher_finds_what_the_old_one_found(items: list[AgendaItem], kept: int) -> None:
    old, new, small = OldTopicMatcher(TOPICS), TopicMatcher(TOPICS), TopicMatcher(TOPICS)
    small.words_kept = kept  # the remembered words are dropped again and again
    for item in items:  # one matcher for them all: what it remembers of one item must not change the next
        assert new.match(item) == old.match(item) == small.match(item)


# --- the privacy pre-scan ------------------------------------------------------------------------------------

_D, _S, _SPACE = privacy._D, privacy._S, privacy._SPACE
OLD_WORTH_SCANNING = re.compile(
    rf"[0-9](?:[0-9]{{5}}|[0-9](?P<s>[./{_D}{_S}])[0-9]{{2}}(?P=s)[0-9]{{2}}"
    rf"|[0-9]{{3}}{_SPACE}[0-9]{{4}}|[{re.escape(MARKUP_CHARS)}])|@"
)
SCAN_PIECES = ["0", "1", "9", "12", "123", "1234", "010190", "@", "@@", "a@b.dk", " ", "\u00a0", "\u2009"]
SCAN_PIECES += [".", "/", "-", "\u2011", "\u2013", "*", "_", "~", "`", "\\", "<", "\n", "x", "٣", "\uff11"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(SCAN_PIECES), max_size=30).map("".join))
def test_the_pre_scan_finds_the_lines_the_old_pattern_found(text: str) -> None:
    for position in range(len(text) + 1):
        old, new = OLD_WORTH_SCANNING.search(text, position), privacy._WORTH_SCANNING.search(text, position)
        assert (old and old.span()) == (new and new.span()), (text, position)


# --- marker paragraphs -----------------------------------------------------------------------------------------


def old_marker_only(block: Block, lines: list[str], marks: agenda.Marks) -> bool:
    if block.kind != "paragraph":
        return False
    return all(
        number in marks or not lines[number - 1].strip() for number in range(block.start, block.end + 1)
    )


LINES = ["", " ", "\u00a0", "\u2003", "Lukket punkt", "tekst", "Offentlig beslutning: ja", "\t"]


@settings(max_examples=400, deadline=None)
@given(
    st.lists(st.sampled_from(LINES), min_size=1, max_size=8),
    st.sets(st.integers(1, 8)),
    st.sampled_from(["paragraph", "list", "heading"]),
    st.data(),
)
def test_a_marker_paragraph_is_told_as_before(lines: list[str], marked: set, kind: str, data) -> None:
    start = data.draw(st.integers(1, len(lines)))
    block = Block(kind, start, data.draw(st.integers(start, len(lines))))
    marks: agenda.Marks = {number: (True, False) for number in marked}
    assert agenda._marker_only(block, lines, marks) == old_marker_only(block, lines, marks)


# --- headings inside lists and quotes --------------------------------------------------------------------------


def old_nested_headings(document: Document) -> list[int]:
    lib, null = cmark._lib, cmark._ffi.NULL
    found = []
    node = lib.cmark_node_first_child(document._root)
    while node != null:
        if lib.cmark_node_get_type(node) in cmark._CONTAINERS:
            found.extend(cmark._headings_in(node))
        node = lib.cmark_node_next(node)
    return found


MARKDOWN = ["## Punkt 1: A", "### Beslutning", "# H", "tekst", "- ", "* ", "1. ", "> ", ">> ", "  ", "    "]
MARKDOWN += ["```", "<div>", "---", "===", "| a |", "|---|", "Lukket punkt", "## ", "\t"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.lists(st.sampled_from(MARKDOWN), max_size=3).map("".join), max_size=25))
def test_headings_inside_containers_are_found_as_before(lines: list[str]) -> None:
    text = "\n".join(lines)
    with Document(text) as document:
        expected = old_nested_headings(document)
        blocks = document.blocks()
        assert list(document.nested_headings()) == expected
        assert len(blocks) == len(document._nodes)
    with Document(text) as document:  # without blocks() first
        assert list(document.nested_headings()) == expected


# --- dates and heading look-alikes: the cheap tests in front of the scans -----------------------------------------

DATE_PIECES = ["8", "30", "2024", "1999", ".", "/", "-", " ", "\u00a0", "maj", "februar", "den ", "d. "]
DATE_PIECES += ["\u0663", "\uff18", "x", "\n", "12", "5.", "-1"]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(DATE_PIECES), max_size=20).map("".join), st.integers(1990, 2030))
def test_a_text_without_the_date_hint_holds_no_date(text: str, year: int) -> None:
    found = list(DateScanner(year).scan(text))
    assert may_hold_date(text) or not found
    item = AgendaItem(1, "t", (Section("", "", 1, text=text), Section("", "", 2, text=text)), 1)
    assert list(scan_item_dates(item, year)) == found * 2


HEADING_PIECES = ["#", "##", " ", "\t", "> ", "- ", "1. ", "12) ", "x", "Punkt", "\u00a0", "＃"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(HEADING_PIECES), max_size=8).map("".join))
def test_a_heading_look_alike_has_a_hash(line: str) -> None:
    assert "#" in line or not agenda._HEADING_LIKE.match(line)


def test_texts_are_made_readable_together_only_where_that_changes_nothing() -> None:
    # NFKC turns "…" into "..." (and the address into x...a@b.dk); `readable` keeps it in a text with
    # nothing unusual, so the decoded "&nbsp;" of another text must not normalise this one
    texts = ["x…a@b.dk", "&nbsp;"]
    assert privacy.scan_many(texts) == [privacy.scan_personal_data(t) for t in texts]
    (hit,) = privacy.scan_many(texts)[0]
    assert "a***@b.dk" in hit.message
    joined, seen, changed = readable_joined(["a &amp; b", "100%25"])
    assert (joined, seen, changed) == ("a &amp; b\n\n100%25", "a & b\n\n100%", True)
    assert readable_joined(["ingen", "ændring"])[1:] == ("ingen\n\nændring", False)


# --- the full meetings the build stores ------------------------------------------------------------------------


def without_sources(meeting: Meeting) -> Meeting:
    items = tuple(
        dataclasses.replace(i, sections=tuple(dataclasses.replace(s, source="") for s in i.sections))
        for i in meeting.items
    )
    return dataclasses.replace(meeting, items=items)


def test_the_build_stores_its_meetings_without_the_files_lines_and_check_keeps_them(tmp_path: Path) -> None:
    site = big_site(tmp_path / "site", per_cluster=2, with_seed=True)
    config = load_config(site)
    built = load_content(site, config, ContentCache(site, config.digest), 1, keep_text=False)
    store = ContentStore(site, config, use_cache=True)
    stored = list((site / CACHE_DIR / FULL_DIR).iterdir())
    assert len(stored) == len([m for m in built.meetings if not m.draft]) > 5
    checked = {m.path: m for m in load_content(site, config).meetings}  # as `check` loads them
    for light in built.meetings:
        if light.draft:
            continue
        full = store(light)  # read from .cache/meetings/
        fresh, _findings = parse_meeting((site / light.path).read_bytes(), light.path, config)
        assert fresh is not None and checked[light.path] == fresh
        assert full == without_sources(fresh)
    assert any(s.source for m in checked.values() for i in m.items for s in i.sections)


@settings(max_examples=600, deadline=None)
@given(st.lists(privacy_text(), max_size=12))
def test_scanning_for_cpr_numbers_alone_finds_every_cpr_number(texts: list[str]) -> None:
    expected = [[hit for hit in privacy.scan_personal_data(t) if hit.kind == "cpr"] for t in texts]
    assert privacy.scan_many(texts, cpr_only=True) == expected
