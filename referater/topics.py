"""Topics found per agenda item from the configured patterns, plus those set by hand."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .config import Topic
from .model import AgendaItem


@dataclass(frozen=True)
class TopicMatch:
    topic: str
    in_title: bool  # a main item of the topic, not a mention in passing
    mentions: int


def compile_pattern(pattern: str) -> str:
    """'lægedækning*' → stem; '*forebygge*' → inside words; spaces match any white space."""
    body = re.escape(pattern.strip().strip("*")).replace(r"\*", r"\w*").replace(r"\ ", r"\s+")
    before = r"\w*" if pattern.startswith("*") else r"(?<!\w)"
    after = r"\w*" if pattern.endswith("*") else r"(?!\w)"
    return before + body + after


class TopicMatcher:
    def __init__(self, topics: dict[str, Topic]):
        self._topics = [
            (slug, re.compile("|".join(compile_pattern(p) for p in topic.patterns), re.IGNORECASE))
            for slug, topic in topics.items()
            if topic.patterns
        ]

    def match(self, item: AgendaItem) -> list[TopicMatch]:
        text = item.text
        found: dict[str, TopicMatch] = {}
        for slug, regex in self._topics:
            in_title = bool(regex.search(item.title))
            mentions = sum(1 for _ in regex.finditer(text))
            if in_title or mentions:
                found[slug] = TopicMatch(slug, in_title, mentions)
        for slug in item.hand_topics:
            # set by hand: the secretariat says this item is about the topic
            previous = found.get(slug)
            found[slug] = TopicMatch(slug, True, previous.mentions if previous else 0)
        return sorted(found.values(), key=lambda m: m.topic)
