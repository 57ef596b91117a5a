"""Meeting → content Markdown (docs/content-format.md): YAML frontmatter, `## Punkt`, `###` sections."""

from __future__ import annotations

import json
import re

import yaml

from ..closed import mark_closed_title
from . import headings as h
from .model import Item, Line, Meeting, Person

_SENTENCE_OPENERS = {"Der", "Det", "Vi", "Man", "Hvis", "Som", "Når", "Da", "Jeg", "De"}
_TERMINAL = (".", ":", ";", ",", "!", "?", ")")


def render(meeting: Meeting, spaced: bool = True) -> str:
    out = ["---", *_frontmatter(meeting), "---", ""]
    for item in meeting.items:
        out += _item(item, spaced)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def _scalar(value: str) -> str:
    """A YAML scalar that reads back as exactly this string (quoted when plain would not)."""
    plain_ok = (
        value
        and value == value.strip()
        and not re.search(r"[,\[\]{}#&*!|>'\"%@`]|: |:$|^[-?:]", value)
        and yaml.safe_load(f"k: {value}") == {"k": value}
    )
    return value if plain_ok else json.dumps(value, ensure_ascii=False)


def _person(p: Person) -> str:
    parts = [f"name: {_scalar(p.name)}"]
    if p.org:
        parts.append(f"org: {_scalar(p.org)}")
    if p.role:
        parts.append(f"role: {_scalar(p.role)}")
    if p.absent:
        parts.append("absent: true")
    return "  - {" + ", ".join(parts) + "}"


def _frontmatter(m: Meeting) -> list[str]:
    out = [f"cluster: {m.cluster}", f"forum: {m.forum}", f"date: {m.date}"]
    if m.time:
        out.append(f'time: "{m.time}"')
    if m.end_time:
        out.append(f'end_time: "{m.end_time}"')
    if m.location:
        out.append(f"location: {_scalar(m.location)}")
    if m.participants:
        out += ["participants:", *(_person(p) for p in m.participants)]
    if m.secretariat:
        out += ["secretariat:", *(_person(p) for p in m.secretariat)]
    if m.source:
        out.append(f"source: {_scalar(m.source)}")
    return out


def _item(item: Item, spaced: bool) -> list[str]:
    title = mark_closed_title(item.title) if item.closed else item.title
    out = [f"## Punkt {item.number}: {title}", ""]
    if item.closed:
        # Privacy: a closed item publishes its title and, only if the source marks it public, its decision.
        public = [s for s in item.sections if s.public_decision]
        out += ["Lukket: ja", *(["Offentlig beslutning: ja"] if public else []), ""]
        for section in public[:1]:
            out += ["### Beslutning", "", *_blocks(section.lines, spaced, True), ""]
        return out
    meta = []
    if item.cases:
        meta.append(f"Sagsnr.: {', '.join(item.cases)}")
    if item.doc_ids:
        meta.append(f"Dok ID: {', '.join(item.doc_ids)}")
    if item.slot:  # last: the engine reads `Sagsnr.`/`Dok ID` only in the block right under the heading
        meta.append(f"Tidspunkt: {item.slot}")
    if meta:
        out += [*meta, ""]
    if item.intro:
        out += [*_blocks(item.intro, spaced, False), ""]
    for section in item.sections:
        out += [f"### {section.heading}", ""]
        body = _attachments(section.lines) if section.heading.lower() == "bilag" else None
        out += [*(body if body is not None else _blocks(section.lines, spaced, True)), ""]
    return out


def _attachments(lines: list[Line]) -> list[str]:
    """One attachment a list item; "(DokID: …)" or lower-case lines continue the previous one."""
    entries: list[tuple[str, str]] = []
    for ln in lines:
        text = h.plain(ln.text).strip()
        if not text or text == ".":
            continue
        m = h.LIST_ITEM.match(text)
        if m:
            mark = m.group("mark") if m.group("mark")[0].isdigit() else "-"
            entries.append((mark.replace(")", "."), m.group("text")))
        elif entries and (text[0] in "(" or text[0].islower()):
            entries[-1] = (entries[-1][0], f"{entries[-1][1]} {text}")
        else:
            entries.append(("-", text))
    return [f"{mark} {text}" for mark, text in entries]


def _blocks(lines: list[Line], spaced: bool, subheadings: bool) -> list[str]:
    """Section text → Markdown lines: lists normalised, sub-headings `####`, paragraphs kept."""
    kept = list(lines)
    while kept and not kept[0].text.strip():
        kept.pop(0)
    while kept and not kept[-1].text.strip():
        kept.pop()
    texts = [ln.text.rstrip() for ln in kept]
    links = {i for i, ln in enumerate(kept) if ln.link}
    out: list[str] = []
    base_level = 0
    for i, raw in enumerate(texts):
        text = raw.strip()
        if not text:
            if out and out[-1] != "":
                out.append("")
            continue
        level = h.md_level(text)
        list_match = h.LIST_ITEM.match(raw)
        if level or (subheadings and i not in links and _looks_like_subheading(texts, i, spaced)):
            base_level = base_level or level
            depth = 4 + max(0, level - base_level) if level else 4
            heading = h.sentence_case(h.plain(text))
            out += _gap(out) + [f"{'#' * min(depth, 6)} {heading}", ""]
        elif list_match:
            indent = len(list_match.group("indent").replace("\t", "    "))
            mark = list_match.group("mark")
            mark = mark.replace(")", ".") if mark[0].isdigit() else "-"
            prefix = "    " * min(2, (indent + 1) // 2)
            after_text = out and out[-1] and not h.LIST_ITEM.match(out[-1]) and not out[-1].startswith(" ")
            if after_text and not _continues_list(out):
                out.append("")
            out.append(f"{prefix}{mark} {list_match.group('text')}")
        else:
            if re.fullmatch(r"[-=_*\s]{3,}", text):
                text = "\\" + text  # would be a rule or a setext heading
            elif h.MD_HEADING.match(text) is None and text.startswith("#"):
                text = "\\" + text
            out.append(text)
    while out and out[-1] == "":
        out.pop()
    return out


def _gap(out: list[str]) -> list[str]:
    return [""] if out and out[-1] != "" else []


def _continues_list(out: list[str]) -> bool:
    """Is the previous output line a lazy continuation of a list item (wrapped PDF line)?"""
    for line in reversed(out):
        if not line:
            return False
        if h.LIST_ITEM.match(line):
            return True
    return False


def _looks_like_subheading(texts: list[str], i: int, spaced: bool) -> bool:
    """A short stand-alone line without end punctuation, leading into a paragraph or list."""
    text = texts[i].strip()
    core = text.rstrip("*_ ")
    if (
        len(core) > 80
        or len(core.split()) > 10
        or core.endswith(_TERMINAL)
        or not core[:1].isupper()
        or h.LIST_ITEM.match(texts[i])
        or re.search(r"\*|_|\]\(|<http|,|\bkr\.|\d\.\d{3}", core)
        or core.split()[0] in _SENTENCE_OPENERS
    ):
        return False
    if h.plain(text).lower() in h.KNOWN_SUBHEADINGS:
        return True
    before = [t.strip() for t in texts[:i]]
    after = [t.strip() for t in texts[i + 1 :]]
    if spaced and ((before and before[-1]) or (after and after[0])):
        return False  # in spaced text a heading stands alone between blank lines
    prev = next((t for t in reversed(before) if t), "")
    nxt = next((t for t in after if t), "")
    if not nxt or prev.rstrip("*_ ").endswith(":"):
        return False
    if prev and not prev.rstrip("*_ ").endswith((".", "!", "?")):
        return False
    return bool(h.LIST_ITEM.match(nxt)) or len(nxt) >= 60
