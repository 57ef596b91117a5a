"""Data the importer builds from a referat: meeting, items, sections, people, and its warnings."""

from __future__ import annotations

from dataclasses import dataclass, field


class ImportFailure(Exception):
    """Input that cannot be read as a referat at all: one clear message, no traceback."""


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line in the extracted text
    text: str
    link: bool = False  # the line was a link (its target lost in the export): text, never a heading


@dataclass
class Person:
    name: str
    org: str = ""
    role: str = ""
    absent: bool = False


@dataclass
class Section:
    heading: str  # output text of the `###` heading
    line: int
    lines: list[Line] = field(default_factory=list)
    public_decision: bool = False  # explicitly public decision of a closed item


@dataclass
class Item:
    number: int
    title: str
    line: int
    closed: bool = False
    slot: str = ""  # the agenda's time slot ("9.00–9.05", "15 min"), taken out of the title
    cases: list[str] = field(default_factory=list)
    doc_ids: list[str] = field(default_factory=list)
    intro: list[Line] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


@dataclass
class Meeting:
    cluster: str = ""
    forum: str = ""
    date: str = ""
    time: str = ""
    end_time: str = ""
    location: str = ""
    participants: list[Person] = field(default_factory=list)
    secretariat: list[Person] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    source: str = ""


@dataclass
class Report:
    """Warnings about one input file, printed as `file:line: warning: message`."""

    name: str
    warnings: list[tuple[int, str]] = field(default_factory=list)

    def warn(self, line: int, message: str) -> None:
        self.warnings.append((line, message))

    def lines(self) -> list[str]:
        return [
            f"{self.name}:{line}: advarsel: {msg}" if line else f"{self.name}: advarsel: {msg}"
            for line, msg in self.warnings
        ]
