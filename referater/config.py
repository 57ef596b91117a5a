"""site_config.yaml as typed, validated options (the MkDocs way): a wrong key is an error with its line."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import privacy
from .bodies import (
    BODY_KEYS,
    DEFAULT_KIND,
    KINDS,
    Body,
    Cluster,
    Region,
    check_bodies,
    link_bodies,
    parse_date,
    parse_regions,
    text_list,
)
from .errors import Finding, SiteError
from .slugs import is_safe_slug
from .urls import Base
from .yamlio import LineDict, YamlError, load_yaml

CONFIG_NAME = "site_config.yaml"


@dataclass(frozen=True)
class Forum:
    slug: str
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Topic:
    slug: str
    name: str
    description: str = ""
    patterns: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteConfig:
    title: str
    description: str
    base_url: str  # always ends with "/"
    language: str
    accessibility_statement_url: str
    clusters: dict[str, Cluster]  # every body of every kind, by slug (the name `cluster:` in content)
    forums: dict[str, Forum]
    topics: dict[str, Topic]
    regions: dict[str, Region] = field(default_factory=dict)
    meeting_minutes: int = 120  # a calendar event without an end time lasts this long
    digest: str = field(default="", compare=False)  # hash of the file: part of every page's cache key

    @property
    def base_path(self) -> str:
        """The path part of base_url ("/" or "/referater/"): every internal link starts with it."""
        return Base.parse(self.base_url).path

    @property
    def bodies(self) -> dict[str, Body]:
        return self.clusters

    def of_kind(self, kind: str) -> dict[str, Body]:
        return {slug: b for slug, b in self.clusters.items() if b.kind == kind}

    @property
    def kinds(self) -> list[str]:
        """The kinds with at least one body, in the order of KINDS."""
        present = {b.kind for b in self.clusters.values()}
        return [k for k in KINDS if k in present]


_TOP_KEYS = {
    "title",
    "description",
    "base_url",
    "language",
    "accessibility_statement_url",
    "clusters",
    "bodies",
    "regions",
    "meeting_minutes",
    "forums",
    "topics",
}
_ENTRY_KEYS = {
    "clusters": BODY_KEYS,
    "bodies": BODY_KEYS,
    "forums": {"name", "aliases"},
    "topics": {"name", "description", "patterns"},
}


def load_config(site_dir: Path) -> SiteConfig:
    """Read and validate site_config.yaml in site_dir; raise SiteError listing every problem."""
    path = site_dir / CONFIG_NAME
    shown = CONFIG_NAME
    try:
        raw_bytes = path.read_bytes()
    except FileNotFoundError:
        raise SiteError(
            [
                Finding(
                    shown,
                    0,
                    f"der er ingen {CONFIG_NAME} i {site_dir}; kør kommandoen i projektmappen, eller giv --site",
                )
            ]
        ) from None
    try:
        text = raw_bytes.decode("utf-8-sig")
        data = load_yaml(text)
    except UnicodeDecodeError as exc:
        raise SiteError(
            [Finding(shown, 0, f"filen er ikke UTF-8-tekst ({exc.reason}); gem den som UTF-8")]
        ) from None
    except YamlError as exc:
        raise SiteError([Finding(shown, exc.line, exc.message)]) from None
    # Everything in the config is published (names, descriptions): a CPR number stops the build here too.
    findings: list[Finding] = [
        Finding(shown, hit.line, hit.message, "error", "privacy-cpr")
        for hit in privacy.scan_personal_data(text)
        if hit.kind == "cpr"
    ]
    config = _build(data, shown, findings)
    if findings or config is None:
        raise SiteError(findings)
    return SiteConfig(**{**config.__dict__, "digest": hashlib.blake2b(raw_bytes).hexdigest()})


def _build(data: Any, shown: str, findings: list[Finding]) -> SiteConfig | None:
    if not isinstance(data, LineDict):
        findings.append(
            Finding(
                shown, 1, "konfigurationen skal bestå af nøgler med værdier (title:, base_url:, clusters: …)"
            )
        )
        return None
    for key in data:
        if key not in _TOP_KEYS:
            findings.append(
                Finding(
                    shown, data.line_of(key), f"ukendt nøgle {key!r} (kendte: {', '.join(sorted(_TOP_KEYS))})"
                )
            )
    title = _text(data, "title", shown, findings, required=True)
    base_url = _text(data, "base_url", shown, findings, required=True)
    if base_url and not re.match(r"^https?://[^/\s]+(/\S*)?$", base_url):
        findings.append(
            Finding(
                shown,
                data.line_of("base_url"),
                f"base_url {base_url!r} er ikke en http(s)-adresse; skriv fx https://referater.example.dk/",
            )
        )
    if not base_url.endswith("/"):
        base_url += "/"
    sections: dict[str, dict[str, Any]] = {}
    for section in ("clusters", "bodies", "forums", "topics"):
        if section == "bodies" and "bodies" not in data:
            sections[section] = {}
            continue
        if section == "clusters" and "clusters" not in data and "bodies" in data:
            sections[section] = {}
            continue
        sections[section] = _entries(data, section, shown, findings)
    bodies = _bodies(data, sections, shown, findings)
    minutes = data.get("meeting_minutes", 120)
    if isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 < minutes <= 24 * 60:
        findings.append(
            Finding(
                shown, data.line_of("meeting_minutes"), "meeting_minutes skal være et antal minutter, fx 120"
            )
        )
        minutes = 120
    return SiteConfig(
        title=title,
        description=_text(data, "description", shown, findings),
        base_url=base_url,
        language=_text(data, "language", shown, findings) or "da",
        accessibility_statement_url=_text(data, "accessibility_statement_url", shown, findings),
        clusters=bodies[0],
        regions=bodies[1],
        meeting_minutes=minutes,
        forums={slug: Forum(slug, e["name"], e["aliases"]) for slug, e in sections["forums"].items()},
        topics={
            slug: Topic(slug, e["name"], e.get("description", ""), e["patterns"])
            for slug, e in sections["topics"].items()
        },
    )


def _text(data: LineDict, key: str, shown: str, findings: list[Finding], required: bool = False) -> str:
    value = data.get(key)
    if value is None:
        if required:
            findings.append(Finding(shown, data.line, f"nøglen {key!r} mangler; den skal altid være der"))
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        findings.append(Finding(shown, data.line_of(key), f"{key!r} skal være en tekst"))
        return ""
    return str(value).strip()


def _entries(data: LineDict, section: str, shown: str, findings: list[Finding]) -> dict[str, dict[str, Any]]:
    block = data.get(section)
    if block is None:
        findings.append(Finding(shown, data.line, f"afsnittet {section!r} mangler; det skal altid være der"))
        return {}
    if not isinstance(block, LineDict):
        findings.append(
            Finding(
                shown,
                data.line_of(section),
                f"{section!r} skal bestå af korte navne (slugs) med hver sin beskrivelse",
            )
        )
        return {}
    result: dict[str, dict[str, Any]] = {}
    list_key = "patterns" if section == "topics" else "aliases"
    body_section = section in ("clusters", "bodies")
    for slug, entry in block.items():
        line = block.line_of(slug)
        if not isinstance(slug, str) or not is_safe_slug(slug):
            findings.append(
                Finding(
                    shown,
                    line,
                    f"det korte navn {slug!r} i {section} må kun have små bogstaver a-z, tal og '-' (fx soenderjylland)",
                )
            )
            continue
        if not isinstance(entry, LineDict):
            findings.append(
                Finding(shown, line, f"{section}.{slug} skal have nøgler med værdier, mindst 'name'")
            )
            continue
        for key in entry:
            if key not in _ENTRY_KEYS[section]:
                known = ", ".join(sorted(_ENTRY_KEYS[section]))
                findings.append(
                    Finding(
                        shown,
                        entry.line_of(key),
                        f"ukendt nøgle {key!r} i {section}.{slug} (kendte: {known})",
                    )
                )
        if body_section:
            result[slug] = {"entry": entry, "line": line}
            continue
        values: dict[str, Any] = {
            key: _text(entry, key, shown, findings, required=(key == "name"))
            for key in _ENTRY_KEYS[section] - {list_key}
        }
        items = entry.get(list_key) or []
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            findings.append(
                Finding(
                    shown,
                    entry.line_of(list_key),
                    f"{section}.{slug}.{list_key} skal være en liste af tekster",
                )
            )
            items = []
        values[list_key] = tuple(i.strip() for i in items)
        result[slug] = values
    return result


_BODY_LISTS = ("aliases", "municipalities", "successors")


def _bodies(
    data: LineDict, sections: dict[str, dict[str, Any]], shown: str, findings: list[Finding]
) -> tuple[dict[str, Body], dict[str, Region]]:
    """`clusters:` (sundhedsklynger unless a kind is given) and `bodies:` as one mapping: slugs are unique
    across kinds, because a meeting names its body by slug alone."""

    def report(line: int, message: str) -> None:
        findings.append(Finding(shown, line, message))

    regions = parse_regions(data.get("regions"), data.line_of("regions"), report)
    bodies: dict[str, Body] = {}
    entries: dict[str, LineDict] = {}
    for section in ("clusters", "bodies"):
        for slug, found in sections[section].items():
            entry: LineDict = found["entry"]
            if slug in bodies:
                report(
                    found["line"],
                    f"slug'en {slug!r} bruges allerede af et andet organ; slugs skal være unikke på tværs af clusters og bodies",
                )
                continue
            texts = {
                key: _text(entry, key, shown, findings, required=(key == "name"))
                for key in ("name", "kind", "region", "description", "hospital")
            }
            kind = texts["kind"] or DEFAULT_KIND
            if kind not in KINDS:
                report(entry.line_of("kind"), f"ukendt slags organ {kind!r} (kendte: {', '.join(KINDS)})")
                kind = DEFAULT_KIND
            if regions and texts["region"] and texts["region"] not in regions:
                report(
                    entry.line_of("region"),
                    f"regionen {texts['region']!r} står ikke i regions (kendte: {', '.join(regions)})",
                )
            lists = {key: text_list(entry, key, f"{section}.{slug}", report) for key in _BODY_LISTS}
            bodies[slug] = Body(
                slug,
                texts["name"],
                texts["region"],
                texts["description"],
                lists["aliases"],
                kind,
                lists["municipalities"],
                texts["hospital"],
                parse_date(entry, "from", report),
                parse_date(entry, "until", report),
                lists["successors"],
            )
            entries[slug] = entry
    check_bodies(bodies, entries, report)
    return link_bodies(bodies, regions), regions
