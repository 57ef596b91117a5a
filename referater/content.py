"""Stage 1: read content/**/*.md, split frontmatter from body, validate, parse agenda items into Meetings.

Every problem becomes a Finding with the file and line; nothing here raises on bad input.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from pathlib import Path
from typing import Any

from .config import SiteConfig
from .errors import Finding
from .model import AgendaItem, Meeting, Participant, Section
from .privacy import scan_personal_data
from .text import snippet
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
_ITEM_HEADING = re.compile(r"^##\s+\**\s*Punkt\s+(\d{1,4})\s*[:.\-–]\s*(.*?)\s*\**\s*$", re.IGNORECASE)
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_META = re.compile(
    r"^(Sagsnr\.?|Sags\s*nr\.?|Sags\s*ID|Sagsnummer|Dok\s*ID|Emner|Lukket)\s*:\s*(.*?)\s*$", re.I
)
_CLOSED_TITLE = re.compile(r"lukket\s+punkt", re.IGNORECASE)
_PRIVACY_HINT = {
    "cpr": ": personal data must never be published; remove it (see docs/takedown.md if it was)",
    "email": ": check that the person agreed to have it published",
    "phone": ": check that the number may be published",
}
_TIME = re.compile(r"^([01]?\d|2[0-3])[:.]([0-5]\d)$")


def parse_meeting(
    raw: bytes, shown: str, config: SiteConfig, scan_privacy: bool = True
) -> tuple[Meeting | None, list[Finding]]:
    """Parse one file's bytes. Returns the meeting (None when it cannot be used) and every finding."""
    findings: list[Finding] = []

    def error(line: int, message: str, level: str = "error", code: str = "") -> None:
        findings.append(Finding(shown, line, message, level, code))

    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        error(line, "the file is not UTF-8 text; save it as UTF-8")
        return None, findings
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        error(1, "the file is empty; a meeting needs frontmatter and agenda items")
        return None, findings
    lines = text.split("\n")
    if lines[0].strip() != "---":
        error(1, "the file must start with a frontmatter block between two '---' lines")
        return None, findings
    end = next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)
    if end is None:
        error(1, "the frontmatter block that starts here is never closed with '---'")
        return None, findings
    try:
        data = load_yaml("\n".join(lines[1:end]), first_line=2)
    except YamlError as exc:
        error(exc.line, exc.message)
        return None, findings
    if not isinstance(data, LineDict):
        error(2, "the frontmatter must be keys with values (cluster:, forum:, date: …)")
        return None, findings
    for hit in scan_personal_data(text) if scan_privacy else ():
        # A CPR number stops the build; e-mail addresses and phone numbers are for `check` to point out.
        error(hit.line, hit.message + _PRIVACY_HINT[hit.kind], hit.level, f"privacy-{hit.kind}")
    meta = _frontmatter(data, config, error)
    items = _items(lines, end + 1, error, config.topics)
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


def _frontmatter(data: LineDict, config: SiteConfig, error: Any) -> dict[str, Any] | None:
    ok = True
    for key in data:
        if key not in FRONTMATTER_KEYS:
            error(data.line_of(key), f"unknown key {key!r} (known: {', '.join(sorted(FRONTMATTER_KEYS))})")
            ok = False

    def text(key: str) -> str:
        nonlocal ok
        value = data.get(key)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            error(data.line_of(key), f"{key!r} must be text")
            ok = False
            return ""
        return str(value).strip()

    def slug_of(key: str, known: dict[str, Any], what: str) -> str:
        nonlocal ok
        value = text(key)
        if not value:
            error(data.line_of(key) if key in data else data.line, f"missing required key {key!r}")
            ok = False
        elif value not in known:
            error(data.line_of(key), f"unknown {what} {value!r} (known: {', '.join(known)})")
            ok = False
        return value

    cluster = slug_of("cluster", config.clusters, "cluster")
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
            error(data.line_of("topics"), f"unknown topic {topic!r} (known: {', '.join(config.topics)})")
            ok = False
    joint = _joint_with(data, cluster, config, error)
    ok = ok and joint is not None
    draft = data.get("draft", False)
    if not isinstance(draft, bool):
        error(data.line_of("draft"), "'draft' must be true or false")
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
        error(data.line, "missing required key 'date'")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        error(line, f"impossible date {value!r}; write it as YYYY-MM-DD, e.g. 2024-04-22")
        return None


def _time(data: LineDict, key: str, error: Any) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return ""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 24 * 60:
        return f"{value // 60:02d}:{value % 60:02d}"  # YAML 1.1 reads an unquoted 9:00 as 540 minutes
    match = _TIME.match(str(value).strip())
    if not match:
        error(data.line_of(key), f'{key!r} must be a time of day like "09:00", not {value!r}')
        return None
    return f"{int(match.group(1)):02d}:{match.group(2)}"


def _participants(data: LineDict, key: str, error: Any) -> tuple[Participant, ...] | None:
    value = data.get(key)
    if value is None:
        return ()
    if not isinstance(value, list):
        error(data.line_of(key), f"{key!r} must be a list of people ('- {{name: …, org: …}}')")
        return None
    people: list[Participant] = []
    ok = True
    for entry in value:
        if isinstance(entry, str) and entry.strip():
            people.append(Participant(name=entry.strip()))
            continue
        if not isinstance(entry, LineDict) or not isinstance(entry.get("name"), str):
            error(getattr(entry, "line", data.line_of(key)), f"each entry in {key!r} needs a 'name'")
            ok = False
            continue
        for k in entry:
            if k not in _PARTICIPANT_KEYS:
                error(entry.line_of(k), f"unknown key {k!r} in {key} (known: absent, name, org, role)")
                ok = False
        absent = entry.get("absent", False)
        if not isinstance(absent, bool):
            error(entry.line_of("absent"), "'absent' must be true or false")
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
        error(data.line_of(key), f"{key!r} must be a list of texts")
        return None
    return tuple(str(v).strip() for v in value if str(v).strip())


def _check_file_name(shown: str, meta: dict[str, Any], data: LineDict, error: Any) -> None:
    """content/<cluster>/<date>-<forum>.md: the name is the URL, so it must agree with the frontmatter."""
    parts = Path(shown).parts
    if len(parts) < 2 or parts[-2] != meta["cluster"]:
        error(
            data.line_of("cluster"),
            f"the file is not in the folder of its cluster: move it to content/{meta['cluster']}/",
        )
    expected = f"{meta['date'].isoformat()}-{meta['forum']}.md"
    if parts[-1] != expected:
        error(data.line_of("date"), f"the file name does not match date and forum: rename it to {expected}")


def _items(lines: list[str], start: int, error: Any, topics: dict[str, Any]) -> tuple[AgendaItem, ...] | None:
    """Split the body into agenda items (## Punkt N: Titel) and their sections (### Heading)."""
    items: list[AgendaItem] = []
    current: dict[str, Any] | None = None
    ok = True
    in_fence = False

    def finish() -> None:
        if current is not None:
            items.append(_make_item(current, error, topics))

    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        # Cheap substring tests first: most lines are text, and a regex call per line was most of the split.
        if ("```" in line or "~~~" in line) and _FENCE.match(line):
            in_fence = not in_fence
        heading = _HEADING.match(line) if not in_fence and line.startswith("#") else None
        if heading and len(heading.group(1)) <= 2:
            item = _ITEM_HEADING.match(line)
            if not item or len(heading.group(1)) != 2:
                error(
                    number,
                    f"unexpected heading {line.strip()!r}: agenda items are '## Punkt N: Titel', "
                    "sections inside them '### Overskrift'",
                )
                ok = False
                continue
            finish()
            title = item.group(2).strip().strip("*").strip()
            if not title:
                error(number, f"agenda item {item.group(1)} has no title")
                ok = False
            current = {
                "number": int(item.group(1)),
                "title": title,
                "line": number,
                "meta": {},
                "sections": [["", [], number + 1]],
                "in_meta": True,
            }
            continue
        if current is None:
            if line.strip():
                error(number, "text before the first agenda item; start each item with '## Punkt N: Titel'")
                ok = False
            continue
        if current["in_meta"] and not in_fence:
            meta = _META.match(line.strip())
            if meta:
                current["meta"].setdefault(_meta_key(meta.group(1)), []).append((meta.group(2), number))
                continue
            if line.strip():
                current["in_meta"] = False
        if heading and len(heading.group(1)) == 3:
            current["in_meta"] = False
            current["sections"].append([heading.group(2).strip().strip("*").strip(), [], number + 1])
            continue
        current["sections"][-1][1].append(line)
    finish()
    if not items and ok:
        error(
            start + 1 if start < len(lines) else 1,
            "no agenda items found; start each item with '## Punkt N: Titel'",
        )
        return None
    numbers: set[int] = set()
    previous = 0
    for item in items:
        if item.number in numbers:
            error(item.line, f"agenda item number {item.number} is used twice")
            ok = False
        elif item.number < previous:
            error(
                item.line, f"agenda items out of order: Punkt {item.number} after Punkt {previous}", "warning"
            )
        numbers.add(item.number)
        previous = max(previous, item.number)
    return tuple(items) if ok else None


def _meta_key(label: str) -> str:
    label = label.lower().replace(" ", "")
    if label.startswith("dok"):
        return "documents"
    if label.startswith("emner"):
        return "topics"
    if label.startswith("lukket"):
        return "closed"
    return "cases"


def _make_item(raw: dict[str, Any], error: Any, topics: dict[str, Any]) -> AgendaItem:
    meta: dict[str, list[tuple[str, int]]] = raw["meta"]

    def values(key: str) -> tuple[str, ...]:
        found: list[str] = []
        for value, _line in meta.get(key, []):
            found.extend(v.strip() for v in value.split(",") if v.strip() and v.strip() != ".")
        return tuple(dict.fromkeys(found))

    for value, line in meta.get("topics", []):
        for topic in (v.strip() for v in value.split(",")):
            if topic and topic not in topics:
                error(line, f"unknown topic {topic!r} in 'Emner:' (known: {', '.join(topics)})")
    closed_flag = any(v.strip().lower() in ("ja", "yes", "true") for v, _ in meta.get("closed", []))
    closed = closed_flag or bool(_CLOSED_TITLE.search(raw["title"]))
    sections = []
    for heading, body, line in raw["sections"]:
        joined = "\n".join(body)
        markdown = joined.strip("\n")
        if not heading and not markdown.strip():
            continue
        # `line` is where the text starts, so that a finding at offset N in it is at line + N newlines
        first = line + len(joined) - len(joined.lstrip("\n")) if markdown else line
        sections.append(Section(heading=heading, markdown=markdown, line=first))
    if closed:
        # A closed item publishes its title and a public decision, nothing else: drop the rest here, at the
        # first stage, so that no later stage (pages, search, feeds, data) can ever see it.
        withheld = [s for s in sections if not s.is_decision]
        if withheld or values("documents"):
            error(
                withheld[0].line if withheld else raw["line"],
                f"closed item Punkt {raw['number']} has text "
                "that will not be published (only its title and a '### Beslutning' are)",
                "warning",
                "closed-body",
            )
        sections = [s for s in sections if s.is_decision]
    decision = next((s for s in sections if s.is_decision), None)
    return AgendaItem(
        number=raw["number"],
        title=raw["title"],
        sections=tuple(sections),
        summary=snippet(decision.markdown) if decision else "",
        line=raw["line"],
        closed=closed,
        cases=values("cases"),
        documents=() if closed else values("documents"),
        hand_topics=values("topics"),
    )
