"""What one meeting says about the world, found from its own text and the config alone: the topics of
each agenda item and the dates each item mentions. Being per meeting, it is cached with the parse."""

from __future__ import annotations

from dataclasses import dataclass

from .dates import DateScanner, may_hold_date
from .model import AgendaItem, Meeting, Record
from .topics import TopicMatch, TopicMatcher


@dataclass(frozen=True, slots=True)
class Analysis(Record):
    item_topics: dict[int, tuple[TopicMatch, ...]]  # item number → topics
    item_dates: dict[int, tuple[str, ...]]  # item number → iso dates mentioned, in order


def scan_item_dates(item: AgendaItem, default_year: int):
    # A fresh scanner per section, exactly as the renderer sees the text, so links and backlinks agree.
    # Every date it knows has a digit before ".", "/" or "-": two sections in three have none.
    for section in item.sections:
        if may_hold_date(section.text):
            yield from DateScanner(default_year).scan(section.text)


def analyse(meeting: Meeting, matcher: TopicMatcher) -> Analysis:
    return Analysis(
        item_topics={item.number: tuple(matcher.match(item)) for item in meeting.items},
        item_dates={
            item.number: tuple(
                dict.fromkeys(r.date.isoformat() for r in scan_item_dates(item, meeting.date.year))
            )
            for item in meeting.items
        },
    )
