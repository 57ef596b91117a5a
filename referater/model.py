"""The content model: what a meeting file says, validated and typed. Nothing here knows about other meetings."""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import operator
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any

from . import urls


@functools.cache
def _init_names(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls) if f.init)


@functools.cache
def _init_values(cls: type) -> Callable[[Any], tuple]:
    names = _init_names(cls)
    if len(names) < 2:
        return lambda record: tuple(getattr(record, name) for name in names)
    return operator.attrgetter(*names)  # returns the values as a tuple, in C


class Record:
    """Fast pickling for the slotted model classes: the dataclass default looks up the fields of every
    object, which made reading the cache of ten thousand meetings take seconds."""

    __slots__ = ()

    def __reduce__(self) -> tuple:
        return (self.__class__, _init_values(self.__class__)(self))


_DECISION = re.compile(r"beslutning(?!\w)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Participant(Record):
    name: str
    org: str = ""
    role: str = ""
    absent: bool = False


@dataclass(frozen=True, slots=True)
class Section(Record):
    """A level-3 part of an agenda item. `heading` is "" for the text before the first heading."""

    heading: str
    markdown: str  # regenerated from the sanitised tree: what open data publishes
    line: int  # where the section starts in the file, for messages
    html: str = ""  # cmark's HTML of the same tree, before site links and the allow-list
    text: str = ""  # plain text of the same tree: feeds, summaries, search, open data
    source: str = ""  # the file's own lines, for `check` to point into; never published

    @staticmethod
    def is_decision_heading(heading: str) -> bool:
        # "Beslutning", "Beslutning i … den …", but not "Beslutningsgrundlag": in a closed item only a
        # public decision is published, so this test decides what may leave a closed item.
        return bool(_DECISION.match(heading))

    @property
    def is_decision(self) -> bool:
        return self.is_decision_heading(self.heading)

    @property
    def is_attachments(self) -> bool:
        return self.heading.lower().startswith("bilag")


@dataclass(frozen=True, slots=True)
class AgendaItem(Record):
    number: int
    title: str
    sections: tuple[Section, ...]
    line: int
    closed: bool = False
    cases: tuple[str, ...] = ()
    documents: tuple[str, ...] = ()
    hand_topics: tuple[str, ...] = ()
    summary: str = ""  # the start of the decision as plain text, kept when the sections are not
    slot: str = ""  # the time slot of the agenda ("9.00–9.05"), shown discreetly beside the title

    @property
    def anchor(self) -> str:
        return urls.item_anchor(self.number)

    @property
    def decision(self) -> Section | None:
        return next((s for s in self.sections if s.is_decision), None)

    @property
    def text(self) -> str:
        """All published Markdown of the item, for topic matching and reference finding."""
        return "\n\n".join(s.text for s in self.sections)

    @property
    def searched_sections(self) -> tuple[Section, ...]:
        """What the item's search record reads, as one text joined by spaces (search/records.py): the
        sections with text, but not the list of attachments."""
        return tuple(s for s in self.sections if s.text and not s.is_attachments)


@dataclass(frozen=True, slots=True)
class Meeting(Record):
    """One referat. `key` (cluster, date, forum) is unique across the site."""

    cluster: str
    forum: str
    date: dt.date
    path: str  # as shown to users, relative to the site directory
    digest: str  # hash of the file's bytes: the meeting's identity for caches
    items: tuple[AgendaItem, ...]
    time: str = ""
    end_time: str = ""
    location: str = ""
    title: str = ""
    participants: tuple[Participant, ...] = ()
    secretariat: tuple[Participant, ...] = ()
    hand_topics: tuple[str, ...] = ()
    cases: tuple[str, ...] = ()
    source: str = ""
    draft: bool = False
    joint_with: tuple[str, ...] = ()  # the other bodies of a joint meeting (fællesmøde), by slug
    light: bool = False  # items without their sections (loader.light); loader.ContentStore has the rest
    line_of: dict[str, int] = field(default_factory=dict, compare=False, hash=False)

    key: tuple[str, str, str] = field(init=False, compare=False, repr=False)
    outline: str = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Computed once: the key is in every relation of the site model, ten thousand meetings over.
        key = self._intern_key()
        # What other pages show of this meeting when they link to it (title, date, its items' titles):
        # a decision edited here re-renders this meeting's page, not every page that links to it.
        facts = repr(
            (key, self.title, self.time, self.location, tuple((i.number, i.title) for i in self.items))
        )
        object.__setattr__(self, "outline", hashlib.blake2b(facts.encode(), digest_size=16).hexdigest())

    def _intern_key(self) -> tuple[str, str, str]:
        # The fields hold the interned strings too: ten thousand meetings share one string per cluster and
        # forum, whether they were parsed now or read from the cache.
        cluster, forum = sys.intern(self.cluster), sys.intern(self.forum)
        object.__setattr__(self, "cluster", cluster)
        object.__setattr__(self, "forum", forum)
        key = (cluster, self.date.isoformat(), forum)
        object.__setattr__(self, "key", key)
        return key

    def __reduce__(self) -> tuple:
        # The outline travels along: hashing it again was a third of the time to read the cache.
        return (_restore_meeting, (_init_values(Meeting)(self), self.outline))

    @property
    def slug(self) -> str:
        return f"{self.date.isoformat()}-{self.forum}"

    @property
    def bodies(self) -> tuple[str, ...]:
        """Every body the meeting counts for: its own first, then those of a joint meeting."""
        return (self.cluster, *self.joint_with)

    @property
    def present(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if not p.absent)

    @property
    def absent(self) -> tuple[Participant, ...]:
        return tuple(p for p in self.participants if p.absent)


def _restore_meeting(values: tuple, outline: str) -> Meeting:
    meeting = object.__new__(Meeting)
    for name, value in zip(_init_names(Meeting), values, strict=True):
        object.__setattr__(meeting, name, value)
    meeting._intern_key()
    object.__setattr__(meeting, "outline", outline)
    return meeting
