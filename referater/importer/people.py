"""Participant lists: "Bo Libergren, V, Mette Bossen Linnet, V (Fravær), …" or one person a line."""

from __future__ import annotations

import re

from .model import Line, Person, Report

_ABSENT = re.compile(
    r"\(\s*(?:fravær(?:ende)?|afbud|afbud\s+givet|deltog\s+ikke)\s*\)"
    r"|\s[-–]\s*(?:afbud|fraværende|fravær)\s*$"
    r"|\s+(?:deltog\s+ikke|meldt\s+afbud)\s*$",
    re.IGNORECASE,
)
_ROLES = {
    "formand",
    "medformand",
    "næstformand",
    "ordstyrer",
    "mødeleder",
    "referent",
    "sekretær",
    "observatør",
    "gæst",
    "suppleant",
    "tilforordnet",
}
_ORG_WORDS = re.compile(
    r"kommune|region|plo|sygehus|hospital|psykiatri|udvalg|sekretariat|praksis|lægeforening|"
    r"styrelse|afdeling|center|centret|forvaltning|klynge|danske|forum|apotek|universitet|kap\b",
    re.IGNORECASE,
)
_PARTICLES = {"von", "van", "de", "la", "af", "du", "da", "le"}
_DECISION_LINE = re.compile(
    r"^(?:[-•]\s*)?(?P<name>[A-ZÆØÅ][\w-]+(?:\s+[A-ZÆØÅ][\w-]+){0,4})\s+"
    r"(?P<verb>deltog\s+ikke|deltog|var\s+fraværende|havde\s+meldt\s+afbud|meldte\s+afbud)\.?$"
)


def parse_people(lines: list[Line], report: Report, absent: bool = False) -> list[Person]:
    """People in the given lines; each line may hold one person or a comma list of name, org pairs."""
    people: list[Person] = []
    for line in lines:
        text = re.sub(r"^\s*(?:[-•*▪]\s+|\d+[.)]\s+)", "", line.text).strip()
        if not text or text == ".":
            continue
        found = _parse_line(text, absent)
        if not found:
            report.warn(line.no, f"could not read a participant from {text[:60]!r}")
        people.extend(found)
    return people


def _parse_line(text: str, absent_all: bool) -> list[Person]:
    people: list[Person] = []
    for raw in _split_commas(text):
        token, roles, absent, paren_org = _markers(raw)
        if paren_org and _is_name(token):
            person = Person(name=token, org=paren_org, absent=absent or absent_all)
            _add_roles(person, roles)
            people.append(person)
            continue
        if paren_org:
            roles.append(paren_org.lower())
        if not token:
            if people:
                _add_roles(people[-1], roles)
                people[-1].absent = people[-1].absent or absent
            continue
        if _is_name(token) and not (people and not people[-1].org and _org_like(token)):
            person = Person(name=token, absent=absent or absent_all)
            _add_roles(person, roles)
            people.append(person)
        elif people and not people[-1].org:
            people[-1].org = token
            _add_roles(people[-1], roles)
            people[-1].absent = people[-1].absent or absent
        else:
            return []  # something that is neither a name nor an org of the previous name
    return people


def _split_commas(text: str) -> list[str]:
    """Split at commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for ch in text:
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth <= 0:
            parts.append(current)
            current = ""
        else:
            current += ch
    parts.append(current)
    return [p.strip() for p in parts if p.strip()]


def _markers(token: str) -> tuple[str, list[str], bool, str]:
    """Strip absence marks, (role) and **Role** from a token."""
    absent = bool(_ABSENT.search(token))
    token = _ABSENT.sub("", token)
    roles: list[str] = []
    org_in_parens = ""
    for m in re.finditer(r"\*\*(.+?)\*\*|\(([^()]*)\)", token):  # in source order
        if m.group(1):
            roles.append(m.group(1).strip().lower())
            continue
        inner = m.group(2).strip()
        if inner.lower() in _ROLES:
            roles.append(inner.lower())
        elif inner:
            org_in_parens = inner
    token = re.sub(r"\*\*(.+?)\*\*|\([^()]*\)", "", token).strip(" -–")
    token = re.sub(r"\s+", " ", token)
    return token, roles, absent, org_in_parens


def _add_roles(person: Person, roles: list[str]) -> None:
    for role in roles:
        if role and role not in person.role.split(", "):
            person.role = f"{person.role}, {role}" if person.role else role


def _org_like(token: str) -> bool:
    return len(token.split()) == 1 or bool(_ORG_WORDS.search(token))


def _is_name(token: str) -> bool:
    words = token.split()
    if len(words) < 2 or _ORG_WORDS.search(token) or re.search(r"\d", token):
        return False
    return all(w[0].isupper() or w in _PARTICLES for w in words)


def apply_decision_lines(people: list[Person], lines: list[Line]) -> None:
    """ "Marianne Siersbæk deltog ikke" / "Tina Maria deltog" in a decision overrides the invitation list."""
    for line in lines:
        match = _DECISION_LINE.match(line.text.strip())
        if not match:
            continue
        words = match.group("name").split()
        for person in people:
            if person.name.split()[: len(words)] == words:
                person.absent = match.group("verb") != "deltog"
