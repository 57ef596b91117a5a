"""Bodies over time: sundhedsklynger, sundhedsråd (and kinds to come), with lifetimes, regions that are
renamed or merged, members, successors and predecessors. Parsed from site_config.yaml by config.py.

Messages are for secretariat staff, so they are in Danish.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from . import urls
from .dates import as_date
from .yamlio import LineDict


@dataclass(frozen=True)
class Kind:
    """What a body is: the name before its own name, the URL root of its pages, its words in the UI."""

    slug: str
    title: str  # "Sundhedsklynge": "Sundhedsklynge Fyn"
    plural: str  # "Sundhedsklynger": the index page
    root: urls.BodyRoot  # where its pages and feeds live (permalinks: never change a root)
    genitive: str  # "Sundhedsklyngens arbejde videreføres …"
    definite: str  # "sundhedsklyngen": running text
    stem: str  # a name with this in it is shown as it is ("Horsensklyngen"), others after `title`


KINDS: dict[str, Kind] = {
    "sundhedsklynge": Kind(
        "sundhedsklynge",
        "Sundhedsklynge",
        "Sundhedsklynger",
        urls.CLUSTERS,
        "Sundhedsklyngens",
        "sundhedsklyngen",
        "klynge",
    ),
    "sundhedsraad": Kind(
        "sundhedsraad",
        "Sundhedsråd",
        "Sundhedsråd",
        urls.COUNCILS,
        "Sundhedsrådets",
        "sundhedsrådet",
        "sundhedsråd",
    ),
    "sundhedssamarbejdsudvalg": Kind(
        "sundhedssamarbejdsudvalg",
        "Sundhedssamarbejdsudvalg",
        "Sundhedssamarbejdsudvalg",
        urls.COMMITTEES,
        "Sundhedssamarbejdsudvalgets",
        "sundhedssamarbejdsudvalget",
        "udvalg",
    ),
}
DEFAULT_KIND = "sundhedsklynge"


@dataclass(frozen=True)
class Region:
    """A region with its lifetime; `successor` takes over the day after `until` (a merger or a rename)."""

    name: str
    start: dt.date | None = None
    until: dt.date | None = None
    successor: str = ""


@dataclass(frozen=True)
class RegionSpan:
    name: str
    start: dt.date | None
    until: dt.date | None


@dataclass(frozen=True)
class Body:
    """A body whose meetings the site publishes. The slug is unique across kinds (content says
    `cluster: <slug>` for any body)."""

    slug: str
    name: str
    region: str = ""  # the region the body belongs to when it starts
    description: str = ""
    aliases: tuple[str, ...] = ()
    kind: str = DEFAULT_KIND
    municipalities: tuple[str, ...] = ()
    hospital: str = ""
    start: dt.date | None = None
    until: dt.date | None = None
    successors: tuple[str, ...] = ()
    predecessors: tuple[str, ...] = ()  # computed from the others' successors
    regions: tuple[RegionSpan, ...] = ()  # the region history over the body's lifetime (computed)

    @property
    def kind_info(self) -> Kind:
        return KINDS[self.kind]

    @property
    def full_name(self) -> str:
        kind = KINDS[self.kind]
        return self.name if kind.stem in self.name.lower() else f"{kind.title} {self.name}"

    def region_on(self, day: dt.date) -> str:
        """The region in force on that day (Region Sjælland in 2026, Region Østdanmark in 2027)."""
        for span in self.regions:
            if (span.start is None or span.start <= day) and (span.until is None or day <= span.until):
                return span.name
        return self.regions[-1].name if self.regions else self.region

    def alive_on(self, day: dt.date) -> bool:
        return (self.start is None or self.start <= day) and (self.until is None or day <= self.until)


Cluster = Body  # the name the engine used before bodies had kinds

BODY_KEYS = {
    "name",
    "kind",
    "region",
    "description",
    "aliases",
    "municipalities",
    "hospital",
    "from",
    "until",
    "successors",
}
REGION_KEYS = {"name", "from", "until", "successor"}

Report = Callable[[int, str], None]


def parse_date(entry: LineDict, key: str, report: Report) -> dt.date | None:
    value = entry.get(key)
    if value is None:
        return None
    try:
        return as_date(value)
    except ValueError:
        report(
            entry.line_of(key), f"{key}: {value!r} er ikke en dato; skriv den som åååå-mm-dd, fx 2027-01-01"
        )
        return None


def text_list(entry: LineDict, key: str, where: str, report: Report) -> tuple[str, ...]:
    items = entry.get(key) or []
    if isinstance(items, str):
        items = [items]
    if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
        report(
            entry.line_of(key),
            f"{where}.{key} skal være en liste af tekster, fx [{key[:-1]}-a, {key[:-1]}-b]",
        )
        return ()
    return tuple(i.strip() for i in items)


def parse_regions(block: Any, line: int, report: Report) -> dict[str, Region]:
    """The `regions:` section: region name → Region. Optional; without it regions never change."""
    if block is None:
        return {}
    if not isinstance(block, list):
        report(
            line, "regions skal være en liste af regioner, fx - {name: Region Sjælland, until: 2026-12-31}"
        )
        return {}
    regions: dict[str, Region] = {}
    for entry in block:
        if not isinstance(entry, LineDict) or not isinstance(entry.get("name"), str):
            report(getattr(entry, "line", line), "hver region skal have mindst et navn (name: Region …)")
            continue
        for key in entry:
            if key not in REGION_KEYS:
                report(
                    entry.line_of(key),
                    f"ukendt nøgle {key!r} i en region (kendte: {', '.join(sorted(REGION_KEYS))})",
                )
        name = entry["name"].strip()
        if name in regions:
            report(entry.line_of("name"), f"regionen {name!r} står to gange i regions")
        successor = entry.get("successor") or ""
        regions[name] = Region(
            name,
            parse_date(entry, "from", report),
            parse_date(entry, "until", report),
            str(successor).strip(),
        )
    for entry in block:
        if isinstance(entry, LineDict) and isinstance(entry.get("name"), str):
            region = regions.get(entry["name"].strip())
            if region and region.successor and region.successor not in regions:
                report(
                    entry.line_of("successor"),
                    f"regionen {region.name!r} har en efterfølger, der ikke findes i regions: {region.successor!r}",
                )
            if region and region.successor and region.until is None:
                report(
                    entry.line_of("successor"),
                    f"regionen {region.name!r} har en efterfølger, men ingen slutdato (until:)",
                )
    return regions


def region_history(
    first: str, start: dt.date | None, until: dt.date | None, regions: dict[str, Region]
) -> tuple[RegionSpan, ...]:
    """The regions a body belongs to over its lifetime, following renames and mergers."""
    if not first:
        return ()
    spans: list[RegionSpan] = []
    name, begin, seen = first, start, set()
    while name and name not in seen:
        seen.add(name)
        region = regions.get(name)
        end = region.until if region else None
        if until is not None and (end is None or end > until):
            end = until
        if begin is None or end is None or begin <= end:
            spans.append(RegionSpan(name, begin, end))
        if region is None or not region.successor or region.until is None:
            break
        if until is not None and region.until >= until:
            break
        name, begin = region.successor, region.until + dt.timedelta(days=1)
    return tuple(spans)


def link_bodies(bodies: dict[str, Body], regions: dict[str, Region]) -> dict[str, Body]:
    """Each body with its predecessors (from the others' successors) and its region history."""
    predecessors: dict[str, list[str]] = {slug: [] for slug in bodies}
    for slug, body in bodies.items():
        for successor in body.successors:
            if successor in predecessors:
                predecessors[successor].append(slug)
    linked = {}
    for slug, body in bodies.items():
        linked[slug] = Body(
            **{
                **body.__dict__,
                "predecessors": tuple(predecessors[slug]),
                "regions": region_history(body.region, body.start, body.until, regions),
            }
        )
    return linked


def check_bodies(bodies: dict[str, Body], lines: dict[str, LineDict], report: Report) -> None:
    """Successors that do not exist, a body succeeding itself, lifetimes that end before they start. A
    successor may begin before its predecessor ends: the sundhedsråd met as preparatory councils in 2026."""
    for slug, body in bodies.items():
        entry = lines[slug]
        for successor in body.successors:
            if successor == slug:
                report(entry.line_of("successors"), f"{slug} kan ikke være sin egen efterfølger")
            elif successor not in bodies:
                report(
                    entry.line_of("successors"),
                    f"efterfølgeren {successor!r} af {slug} findes ikke; skriv slug'en på et organ i site_config.yaml",
                )
        if body.start and body.until and body.until < body.start:
            report(
                entry.line_of("until"),
                f"{slug} slutter ({body.until.isoformat()}) før den begynder ({body.start.isoformat()})",
            )


def lineage(bodies: dict[str, Body], slug: str) -> tuple[str, ...]:
    """The body and all bodies before it (predecessors of predecessors), the body first: a council's
    history includes the archives of the clusters it took over from."""
    found: list[str] = []
    todo = [slug]
    while todo:
        current = todo.pop(0)
        if current in found or current not in bodies:
            continue
        found.append(current)
        todo.extend(bodies[current].predecessors)
    return tuple(found)


def status_on(body: Body, day: dt.date | None) -> str:
    """'current', 'upcoming' or 'archive' as of the newest meeting in the content (never the clock: two
    builds of the same content must be byte-identical)."""
    if day is None:
        return "current"
    if body.until is not None and body.until < day:
        return "archive"
    if body.start is not None and day < body.start:
        return "upcoming"
    return "current"


def heirs(bodies: dict[str, Body], slug: str) -> tuple[str, ...]:
    """The bodies that carry a body's work today: its last successors, or the body itself."""
    found: list[str] = []
    todo, seen = [slug], set()
    while todo:
        current = todo.pop(0)
        if current in seen or current not in bodies:
            continue
        seen.add(current)
        following = [s for s in bodies[current].successors if s in bodies]
        if following:
            todo.extend(following)
        else:
            found.append(current)
    return tuple(found)
