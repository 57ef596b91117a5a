"""site_config.yaml as typed, validated options (the MkDocs way): a wrong key is an error with its line."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import Finding, SiteError
from .slugs import is_safe_slug
from .urls import Base
from .yamlio import LineDict, YamlError, load_yaml

CONFIG_NAME = "site_config.yaml"


@dataclass(frozen=True)
class Cluster:
    slug: str
    name: str
    region: str = ""
    description: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def full_name(self) -> str:
        return f"Sundhedsklynge {self.name}"


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
    clusters: dict[str, Cluster]
    forums: dict[str, Forum]
    topics: dict[str, Topic]
    digest: str = field(default="", compare=False)  # hash of the file: part of every page's cache key

    @property
    def base_path(self) -> str:
        """The path part of base_url ("/" or "/referater/"): every internal link starts with it."""
        return Base.parse(self.base_url).path


_TOP_KEYS = {
    "title",
    "description",
    "base_url",
    "language",
    "accessibility_statement_url",
    "clusters",
    "forums",
    "topics",
}
_ENTRY_KEYS = {
    "clusters": {"name", "region", "description", "aliases"},
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
        raise SiteError([Finding(shown, 0, f"missing {CONFIG_NAME} in {site_dir}")]) from None
    try:
        text = raw_bytes.decode("utf-8-sig")
        data = load_yaml(text)
    except UnicodeDecodeError as exc:
        raise SiteError([Finding(shown, 0, f"not UTF-8 text ({exc.reason})")]) from None
    except YamlError as exc:
        raise SiteError([Finding(shown, exc.line, exc.message)]) from None
    findings: list[Finding] = []
    config = _build(data, shown, findings)
    if findings or config is None:
        raise SiteError(findings)
    return SiteConfig(**{**config.__dict__, "digest": hashlib.blake2b(raw_bytes).hexdigest()})


def _build(data: Any, shown: str, findings: list[Finding]) -> SiteConfig | None:
    if not isinstance(data, LineDict):
        findings.append(Finding(shown, 1, "the configuration must be a mapping of keys to values"))
        return None
    for key in data:
        if key not in _TOP_KEYS:
            findings.append(
                Finding(
                    shown, data.line_of(key), f"unknown key {key!r} (known: {', '.join(sorted(_TOP_KEYS))})"
                )
            )
    title = _text(data, "title", shown, findings, required=True)
    base_url = _text(data, "base_url", shown, findings, required=True)
    if base_url and not re.match(r"^https?://[^/\s]+(/\S*)?$", base_url):
        findings.append(
            Finding(shown, data.line_of("base_url"), f"base_url {base_url!r} is not an http(s) URL")
        )
    if not base_url.endswith("/"):
        base_url += "/"
    sections: dict[str, dict[str, Any]] = {}
    for section in ("clusters", "forums", "topics"):
        sections[section] = _entries(data, section, shown, findings)
    return SiteConfig(
        title=title,
        description=_text(data, "description", shown, findings),
        base_url=base_url,
        language=_text(data, "language", shown, findings) or "da",
        accessibility_statement_url=_text(data, "accessibility_statement_url", shown, findings),
        clusters={
            slug: Cluster(slug, e["name"], e.get("region", ""), e.get("description", ""), e["aliases"])
            for slug, e in sections["clusters"].items()
        },
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
            findings.append(Finding(shown, data.line, f"missing required key {key!r}"))
        return ""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        findings.append(Finding(shown, data.line_of(key), f"{key!r} must be text"))
        return ""
    return str(value).strip()


def _entries(data: LineDict, section: str, shown: str, findings: list[Finding]) -> dict[str, dict[str, Any]]:
    block = data.get(section)
    if block is None:
        findings.append(Finding(shown, data.line, f"missing required key {section!r}"))
        return {}
    if not isinstance(block, LineDict):
        findings.append(Finding(shown, data.line_of(section), f"{section!r} must map slugs to entries"))
        return {}
    result: dict[str, dict[str, Any]] = {}
    list_key = "patterns" if section == "topics" else "aliases"
    for slug, entry in block.items():
        line = block.line_of(slug)
        if not isinstance(slug, str) or not is_safe_slug(slug):
            findings.append(
                Finding(
                    shown, line, f"{section} slug {slug!r} must be lower-case letters, digits and '-' only"
                )
            )
            continue
        if not isinstance(entry, LineDict):
            findings.append(Finding(shown, line, f"{section}.{slug} must be a mapping with at least 'name'"))
            continue
        for key in entry:
            if key not in _ENTRY_KEYS[section]:
                known = ", ".join(sorted(_ENTRY_KEYS[section]))
                findings.append(
                    Finding(
                        shown, entry.line_of(key), f"unknown key {key!r} in {section}.{slug} (known: {known})"
                    )
                )
        values: dict[str, Any] = {
            key: _text(entry, key, shown, findings, required=(key == "name"))
            for key in _ENTRY_KEYS[section] - {list_key}
        }
        items = entry.get(list_key) or []
        if not isinstance(items, list) or not all(isinstance(i, str) and i.strip() for i in items):
            findings.append(
                Finding(
                    shown, entry.line_of(list_key), f"{section}.{slug}.{list_key} must be a list of texts"
                )
            )
            items = []
        values[list_key] = tuple(i.strip() for i in items)
        result[slug] = values
    return result
