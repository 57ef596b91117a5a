"""Topics found per agenda item from the configured patterns, plus those set by hand."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .config import Topic
from .model import AgendaItem, Record


@dataclass(frozen=True, slots=True)
class TopicMatch(Record):
    topic: str
    in_title: bool  # a main item of the topic, not a mention in passing
    mentions: int

    def __reduce__(self) -> tuple:
        return (_shared_match, (self.topic, self.in_title, self.mentions))


# The matches read from the content cache, one object for each that is alike: a topic, whether in the
# title, a count of mentions are few combinations, and the cache of ten thousand meetings holds some
# 170,000 matches, each a construction of a frozen dataclass when read.
_SHARED: dict[tuple[str, bool, int], TopicMatch] = {}


def _shared_match(topic: str, in_title: bool, mentions: int) -> TopicMatch:
    key = (topic, in_title, mentions)
    match = _SHARED.get(key)
    if match is None:
        if len(_SHARED) >= 50_000:  # bounded, whatever the counts of a site
            _SHARED.clear()
        match = _SHARED[key] = TopicMatch(topic, in_title, mentions)
    return match


@dataclass(frozen=True, slots=True)
class _Pattern:
    """One configured pattern, searched case-sensitively in lower-cased text: a regex that begins with a
    literal lets Python's re jump between candidates, where an alternation or a look-behind scans every
    position. Word boundaries are then checked by hand."""

    regex: re.Pattern[str]
    open_start: bool
    open_end: bool

    def count(self, text: str) -> int:
        n = 0
        for match in self.regex.finditer(text):
            start, end = match.span()
            if not self.open_start and start and _is_word(text[start - 1]):
                continue
            if not self.open_end and end < len(text) and _is_word(text[end]):
                continue
            n += 1
        return n


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def compile_pattern(pattern: str) -> _Pattern:
    """'lægedækning*' → stem; '*forebygge*' → inside words; spaces match any white space."""
    text = pattern.strip().lower()
    body = re.escape(text.strip("*")).replace(r"\*", r"\w*").replace(r"\ ", r"\s+")
    return _Pattern(re.compile(body), text.startswith("*"), text.endswith("*"))


def _cores(pattern: str) -> list[str]:
    """Literal pieces every match must contain, lower-cased: a cheap test before the regex runs."""
    return [piece for piece in re.split(r"[*\s]+", pattern.lower()) if piece]


class TopicMatcher:
    words_kept = 200_000  # bounded: the words of a build, not of every build `serve` runs

    def __init__(self, topics: dict[str, Topic]):
        self._topics = [
            (slug, [(compile_pattern(p), max(_cores(p), key=len)) for p in topic.patterns if _cores(p)])
            for slug, topic in topics.items()
        ]
        self._cores = tuple(dict.fromkeys(core for _, patterns in self._topics for _, core in patterns))
        self._topic_cores = [frozenset(core for _, core in patterns) for _, patterns in self._topics]
        self._word_cores: dict[str, tuple[str, ...]] = {}  # word → the cores inside it, for this build
        self._core_words: set[str] = set()  # the words of _word_cores that hold a core

    def _cores_in(self, text: str) -> set[str]:
        """The cores that occur in text. A core holds no white space, so it lies inside one word: looking
        up each distinct word (the answer remembered across meetings) replaced a pass over the whole text
        per core, which was most of the time to analyse a meeting. The words are sorted by set operations,
        in C: only a word not seen before, or one that holds a core, is looked at one by one."""
        known, core_words = self._word_cores, self._core_words
        words = set(text.split())
        new = words.difference(known)
        if new:
            if len(known) + len(new) > self.words_kept:
                known.clear()
                core_words.clear()
                new = words
            for word in new:
                cores = known[word] = tuple(core for core in self._cores if core in word)
                if cores:
                    core_words.add(word)
        found: set[str] = set()
        for word in words.intersection(core_words):
            found.update(known[word])
        return found

    def match(self, item: AgendaItem) -> list[TopicMatch]:
        text = item.text.lower()
        title = item.title.lower()
        present = self._cores_in(text)
        # A core is in the title exactly when it is inside one of the title's words, as in the text.
        near = present.union(self._cores_in(title))
        found: dict[str, TopicMatch] = {}
        for (slug, patterns), cores in zip(self._topics, self._topic_cores, strict=True):
            if near.isdisjoint(cores):  # none of its patterns can match: most topics of most items
                continue
            in_title = False
            mentions = 0
            for pattern, core in patterns:
                if core in title:
                    in_title = in_title or pattern.count(title) > 0
                if core in present:  # a cheap test skips most patterns before any regex runs
                    mentions += pattern.count(text)
            if in_title or mentions:
                found[slug] = TopicMatch(slug, in_title, mentions)
        for slug in item.hand_topics:
            # set by hand: the secretariat says this item is about the topic
            previous = found.get(slug)
            found[slug] = TopicMatch(slug, True, previous.mentions if previous else 0)
        return sorted(found.values(), key=lambda m: m.topic)
