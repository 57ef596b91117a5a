"""Stage 1: read content/**/*.md, split frontmatter from body, validate, parse agenda items into Meetings.

Every problem becomes a Finding with the file and line; nothing here raises on bad input.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

from . import privacy
from .agenda import parse_items
from .config import SiteConfig
from .dates import as_date
from .errors import Finding
from .model import AgendaItem, Meeting, Participant
from .suggest import did_you_mean
from .yamlio import LineDict, YamlError, load_yaml

FRONTMATTER_KEYS = {
    "cluster",
    "forum",
    "date",
    "time",
    "end_time",
    "location",
    "title",
    "participants",
    "secretariat",
    "topics",
    "cases",
    "source",
    "draft",
    "joint_with",
}
_PARTICIPANT_KEYS = {"name", "org", "role", "absent"}
# Control characters make feeds ill-formed XML and hide text from readers; tab and newline are fine.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
_CONTROL_NAMES = {"\x00": "NUL", "\x0b": "lodret tabulator (Words linjeskift)", "\x0c": "sideskift"}


def parse_meeting(
    raw: bytes, shown: str, config: SiteConfig, scan_privacy: bool = True, keep_source: bool = True
) -> tuple[Meeting | None, list[Finding]]:
    """Parse one file's bytes. Returns the meeting (None when it cannot be used) and every finding.
    keep_source=False leaves each Section.source empty: only `check` reads the file's own lines, and the
    build stores the full meetings it renders from (a quarter of their bytes were these lines)."""
    findings: list[Finding] = []

    def error(line: int, message: str, level: str = "error", code: str = "") -> None:
        findings.append(Finding(shown, line, message, level, code))

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        error(line, "filen er ikke UTF-8-tekst; gem den som UTF-8")
        return None, findings
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        error(
            1, "filen er tom; et møde skal have en metadatablok (mellem to '---'-linjer) og dagsordenspunkter"
        )
        return None, findings
    control = _CONTROL.search(text)
    if control:
        char = control.group()
        name = _CONTROL_NAMES.get(char, f"U+{ord(char):04X}")
        line = text.count("\n", 0, control.start()) + 1
        error(line, f"linjen indeholder et usynligt kontroltegn ({name}); slet det eller skriv linjen igen")
        return None, findings
    lines = text.split("\n")
    if lines[0].strip() != "---":
        error(1, "filen skal begynde med en metadatablok mellem to linjer med '---'")
        return None, findings
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        error(1, "metadatablokken, der begynder her, lukkes aldrig med en linje med '---'")
        return None, findings
    try:
        data = load_yaml("\n".join(lines[1:end]), first_line=2)
    except YamlError as exc:
        error(exc.line, exc.message)
        return None, findings
    if not isinstance(data, LineDict):
        error(2, "metadatablokken skal bestå af nøgler med værdier (cluster:, forum:, date: …)")
        return None, findings
    if scan_privacy:
        hits = privacy.scan_personal_data(text)
        hits += _scan_values(data)
        seen = set()
        for hit in hits:
            # A CPR number stops the build; e-mail addresses and phone numbers are for `check` to point out.
            if (hit.line, hit.kind, hit.message) not in seen:
                seen.add((hit.line, hit.kind, hit.message))
                error(hit.line, hit.message, hit.level, f"privacy-{hit.kind}")
    meta = _frontmatter(data, config, error)
    body = "\n".join(lines[end + 1 :])
    items = parse_items(body, end + 2, error, config.topics, keep_source)
    if scan_privacy and items is not None:
        for hit in _scan_published(items, hits):
            error(hit.line, hit.message, hit.level, f"privacy-{hit.kind}")
    if meta is None or items is None:
        return None, findings
    _check_file_name(shown, meta, data, error)
    meeting = Meeting(
        items=items,
        path=shown,
        digest=hashlib.blake2b(raw, digest_size=16).hexdigest(),
        line_of=dict(data.key_lines),
        **meta,
    )
    return meeting, findings


def _scan_values(data: Any) -> list[privacy.PersonalDataHit]:
    """CPR numbers in the frontmatter as YAML decodes it: escapes like "\\x30" hide them from the file's text."""
    pairs: list[tuple[str, int]] = []

    def walk(value: Any, line: int) -> None:
        if isinstance(value, LineDict):
            for key, inner in value.items():
                walk(key, value.line_of(key))
                walk(inner, value.line_of(key))
        elif isinstance(value, list):
            for inner in value:
                walk(inner, getattr(inner, "line", line))
        elif isinstance(value, str | int) and not isinstance(value, bool):
            pairs.append((str(value), line))

    walk(data, data.line)
    return list(privacy.scan_values(pairs))


def _scan_published(items: tuple, hits: list[privacy.PersonalDataHit]) -> list[privacy.PersonalDataHit]:
    """CPR numbers in the text as the page shows it: whatever Markdown did to the digits, what a reader
    sees is scanned too (a hit the file's text already gave is not repeated)."""
    seen = {hit.message for hit in hits if hit.kind == "cpr"}
    found = []
    texts = [(text, line) for item in items for text, line in _published_texts(item)]
    for (_, line), text_hits in zip(
        texts, privacy.scan_many([text for text, _ in texts], cpr_only=True), strict=True
    ):
        for hit in text_hits:
            if hit.kind == "cpr" and hit.message not in seen:
                seen.add(hit.message)
                found.append(dataclasses.replace(hit, line=line))
    return found


def _published_texts(item: AgendaItem) -> list[tuple[str, int]]:
    """The texts a reader sees, and the seams between sections: the search record reads an item's
    sections as one text (search/records.py), so digits ending one and beginning the next are one
    number there."""
    texts = [(item.title, item.line)] + [(s.text, s.line) for s in item.sections]
    shown = [s for s in item.sections if s.text]
    searched = item.searched_sections  # without the attachments: others meet there
    runs = (shown,) if len(searched) == len(shown) else (shown, searched)  # searched is part of shown
    for run in runs:
        for before, after in zip(run, run[1:], strict=False):
            if before.text[-1:].isdigit() and after.text[:1].isdigit():
                texts.append((f"{before.text[-_SEAM:]} {after.text[:_SEAM]}", after.line))
    return texts


_SEAM = 24  # characters each side: more than the longest form of a CPR number


def _known_keys(data: LineDict, known: set[str], error: Any, where: str = "") -> bool:
    """An error for each key of `data` outside `known`; False if there was one."""
    unknown = [key for key in data if key not in known]
    for key in unknown:
        listing = ", ".join(sorted(known))
        error(
            data.line_of(key),
            f"ukendt nøgle {key!r}{where}{did_you_mean(str(key), known)} (kendte nøgler: {listing})",
        )
    return not unknown


def _frontmatter(data: LineDict, config: SiteConfig, error: Any) -> dict[str, Any] | None:
    ok = _known_keys(data, FRONTMATTER_KEYS, error)

    def text(key: str) -> str:
        nonlocal ok
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            error(data.line_of(key), f"{key!r} skal være en tekst")
            ok = False
            return ""
        return str(value).strip()

    def slug_of(key: str, known: dict[str, Any], what: str) -> str:
        nonlocal ok
        value = text(key)
        if not value:
            error(
                data.line_of(key) if key in data else data.line,
                f"nøglen {key!r} mangler; den skal altid være der",
            )
            ok = False
        elif value not in known:
            error(
                data.line_of(key),
                f"ukendt {what} {value!r}{did_you_mean(value, known)} (kendte: {', '.join(known)})",
            )
            ok = False
        return value

    cluster = slug_of("cluster", config.clusters, "klynge")
    forum = slug_of("forum", config.forums, "forum")
    date = _date(data, error)
    times = {}
    for key in ("time", "end_time"):
        times[key] = _time(data, key, error)
        ok = ok and times[key] is not None
    participants = {key: _participants(data, key, error) for key in ("participants", "secretariat")}
    lists = {key: _text_list(data, key, error) for key in ("topics", "cases")}
    for topic in lists["topics"] or ():
        if topic not in config.topics:
            error(
                data.line_of("topics"),
                f"ukendt emne {topic!r}{did_you_mean(topic, config.topics)} (kendte emner: {', '.join(config.topics)})",
            )
            ok = False
    joint = _joint_with(data, cluster, config, error)
    ok = ok and joint is not None
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        error(data.line_of("draft"), "'draft' skal være true eller false")
        ok = False
    if date is None or any(v is None for v in (*participants.values(), *lists.values())):
        ok = False
    if not ok:
        return None
    return {
        "cluster": cluster,
        "forum": forum,
        "date": date,
        "time": times["time"],
        "end_time": times["end_time"],
        "location": text("location"),
        "title": text("title"),
        "participants": participants["participants"],
        "secretariat": participants["secretariat"],
        "hand_topics": lists["topics"],
        "cases": lists["cases"],
        "source": text("source"),
        "draft": draft,
        "joint_with": joint or (),
    }


def _joint_with(data: LineDict, own: str, config: SiteConfig, error: Any) -> tuple[str, ...] | None:
    """`joint_with: [slug, …]`: the other bodies of a fællesmøde; never the meeting's own, never unknown."""
    value = data.get("joint_with")
    if value is None:
        return ()
    line = data.line_of("joint_with")
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        error(line, "joint_with skal være en liste af slugs på de andre organer, fx joint_with: [syd, vest]")
        return None
    slugs = [v.strip() for v in value]
    ok = True
    for slug in slugs:
        if slug == own:
            error(
                line, f"joint_with nævner mødets eget organ {own!r}; skriv kun de andre organer, der deltog"
            )
            ok = False
        elif slug not in config.clusters:
            error(
                line,
                f"ukendt organ {slug!r} i joint_with (se slugs i site_config.yaml, fx {', '.join(list(config.clusters)[:4])})",
            )
            ok = False
    if len(set(slugs)) != len(slugs):
        error(line, "joint_with nævner det samme organ to gange")
        ok = False
    return tuple(slugs) if ok else None


def _date(data: LineDict, error: Any) -> dt.date | None:
    value = data.get("date")
    line = data.line_of("date")
    if value is None:
        error(data.line, "nøglen 'date' mangler; den skal altid være der (mødedatoen, fx date: 2024-04-22)")
        return None
    try:
        return as_date(value)
    except ValueError:
        if isinstance(value, str | int):
            error(line, f"umulig dato {value!r}; skriv den som ÅÅÅÅ-MM-DD, fx 2024-04-22")
        else:  # a list or a mapping: its Python repr would mean nothing to the reader
            error(line, "'date' skal være én dato, skrevet ÅÅÅÅ-MM-DD, fx 2024-04-22")
        return None


def _time(data: LineDict, key: str, error: Any) -> str | None:
    """A clock time as written: 13:30, 9.00, 1330, 0930, kl. 13.30. The YAML loader keeps unquoted
    numbers as their text (yamlio.CLOCK_KEYS), so 1330 is not 1330 minutes nor 13.30 the float 13.3."""
    value = data.get(key)
    if value is None or value == "":
        return ""
    written = "" if isinstance(value, bool) or not isinstance(value, str | int) else str(value).strip()
    match = re.fullmatch(r"(?:kl\.?\s*)?([01]?\d|2[0-3])[:.]?([0-5]\d)", written, re.IGNORECASE)
    if not match:
        error(data.line_of(key), f"'{key}' skal være et klokkeslæt som \"09:00\" eller 13.30, ikke {value!r}")
        return None
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _participants(data: LineDict, key: str, error: Any) -> tuple[Participant, ...] | None:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        error(data.line_of(key), f"{key!r} skal være en liste af personer ('- {{name: …, org: …}}')")
        return None
    people: list[Participant] = []
    ok = True
    for entry in value:
        if isinstance(entry, str) and entry.strip():
            people.append(Participant(name=entry.strip()))
            continue
        if not isinstance(entry, LineDict) or not isinstance(entry.get("name"), str):
            error(getattr(entry, "line", data.line_of(key)), f"hver person i {key!r} skal have et 'name'")
            ok = False
            continue
        ok = _known_keys(entry, _PARTICIPANT_KEYS, error, f" i {key}") and ok
        absent = entry.get("absent", False)
        if not isinstance(absent, bool):
            error(entry.line_of("absent"), "'absent' skal være true eller false")
            ok = False
        for field_name in ("org", "role"):  # a list or a mapping would be published as Python's repr
            value = entry.get(field_name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, str | int | float)):
                error(entry.line_of(field_name), f"'{field_name}' i {key} skal være en tekst")
                ok = False
        people.append(
            Participant(
                name=entry["name"].strip(),
                org=str(entry.get("org") or "").strip(),
                role=str(entry.get("role") or "").strip(),
                absent=bool(absent),
            )
        )
    return tuple(people) if ok else None


def _text_list(data: LineDict, key: str, error: Any) -> tuple[str, ...] | None:
    value = data.get(key)
    if value is None:
        return ()
    if isinstance(value, str | int):
        value = [value]
    if not isinstance(value, list) or not all(
        isinstance(v, str | int) and not isinstance(v, bool) for v in value
    ):
        error(data.line_of(key), f"{key!r} skal være en liste af tekster")
        return None
    return tuple(str(v).strip() for v in value if str(v).strip())


def _check_file_name(shown: str, meta: dict[str, Any], data: LineDict, error: Any) -> None:
    """content/<cluster>/<date>-<forum>.md: the name is the URL, so it must agree with the frontmatter."""
    parts = Path(shown).parts
    if len(parts) < 2 or parts[-2] != meta["cluster"]:
        error(
            data.line_of("cluster"),
            f"filen ligger ikke i sin klynges mappe: flyt den til content/{meta['cluster']}/",
        )
    expected = f"{meta['date'].isoformat()}-{meta['forum']}.md"
    if parts[-1] != expected:
        error(data.line_of("date"), f"filnavnet passer ikke til dato og forum: omdøb filen til {expected}")
