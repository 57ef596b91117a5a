"""Participant lists: "Bo Libergren, V, Mette Bossen Linnet, V (Fravær), …" or one person a line."""

from __future__ import annotations

import re

from .model import Line, Meeting, Person, Report, Section

_ABSENT = re.compile(
    r"\(\s*(?:fravær(?:ende)?|afbud|afbud\s+givet|deltog\s+ikke)\s*\)"
    r"|\s*[-–]\s*(?:afbud|fraværende|fravær|meldt afbud)\s*$"
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
_PARTIAL = re.compile(
    r"\s*[-–]?\s*(?:deltog|var)\s+ikke\s+(?:til\s+stede\s+)?(?:i|under|ved)\s+(?:behandlingen|punkt|pkt|sag).*$"
    r"|\s*[-–,]\s*(?:deltog|til\s+stede|mødte|gik)\s+(?:fra|til|under|i|efter)\s+(?:punkt|pkt|sag|kl)\b.*$"
    r"|\s*[-–,]?\s*(?:[A-ZÆØÅ][\w-]+\s+)+(?:indkaldt|deltog|mødte)(?:\s+i\s+stedet|\s+som\s+stedfortræder)?\.?$",
    re.IGNORECASE,
)
_PARTICLES = {"von", "van", "de", "la", "af", "du", "da", "le"}
_DECISION_LINE = re.compile(
    r"^(?:[-•]\s*)?(?P<name>[A-ZÆØÅ][\w-]+(?:\s+[A-ZÆØÅ][\w-]+){0,4})\s+"
    r"(?P<verb>deltog\s+ikke|deltog|var\s+fraværende|havde\s+meldt\s+afbud|meldte\s+afbud)\.?$"
)


# "Karin Berg (B): Deltog", "Ole Stark (V): Afbud (stedfortræder …)": a members list with attendance.
_STATUS = re.compile(
    r"^(?P<who>[^:]{3,80}?)\s*:\s*(?P<status>deltog|deltager|til stede|mødt|afbud|fraværende|forfald|"
    r"ikke til stede|ikke mødt)\b(?P<rest>.*)$",
    re.IGNORECASE,
)
# "X (A) stedfortræder Y (A) ved sag 1-17" (Region Hovedstaden): X is absent, Y came in X's place.
_TABLE_HEADER = re.compile(
    r"^navn\s*[:|]?\s*(?:organisation|funktion|titel|stilling|repræsenterer|institution|rolle|enhed)\b.{0,30}$",
    re.IGNORECASE,
)
_TRAILING_ABSENT = re.compile(
    r"\s*,\s*(?:afbud|fraværende|fravær|forfald|meldt\s+afbud|deltog\s+ikke|ikke\s+til\s+stede)\.?\s*$", re.I
)
_ROLE_FIRST = re.compile(
    r"^(formand|medformand|næstformand|\d\.\s*næstformand|ordstyrer|mødeleder|referent|sekretær)\s*:\s*(\S.*)$",
    re.IGNORECASE,
)
_NAME_ORG = re.compile(r"^([^:,()]{3,60}?)\s*:\s*([^:]{2,80})$")
_SUBSTITUTE = re.compile(
    r"[\s,;(]+(?:og\s+)?(?:1\.\s*|2\.\s*)?stedfortræder(?:en)?\s*:?\s+(?P<sub>[A-ZÆØÅ][^,;()]*?(?:\s*\([^()]{1,12}\))?)"
    r"(?=\s*(?:[,;).]|$|\bfraværende\b|\bved\b))",
    re.IGNORECASE,
)
_AT_ITEMS = re.compile(
    r"[\s,]+(?:fraværende\s+)?(?:ved|under)\s+(?:sag|sagerne|punkt|punkterne|pkt\.?)(?:\s+nr\.?)?\s*[\d\s,.\-–og]*$",
    re.IGNORECASE,
)
_ROLE_SUFFIX = re.compile(r"\s+[-–]\s*(formand|næstformand|medformand|2\. næstformand)\s*$", re.IGNORECASE)


def parse_people(lines: list[Line], report: Report, absent: bool = False) -> list[Person]:
    """People in the given lines; each line may hold one person, a comma list of name, org pairs, or
    names in columns (a table copied as text)."""
    people: list[Person] = []
    for line in lines:
        text = re.sub(r"^\s*(?:[-•*▪]\s+|\d+[.)]\s+)", "", line.text).strip()
        text = _PARTIAL.sub("", text).strip()  # absent from some items only: present at the meeting
        if not text or text == "." or text.lower().rstrip(".") in ("ingen", "-", "–"):
            continue
        text = re.sub(r"(?<=[a-zæøå)])\.$", "", text)  # "Afbud modtaget fra Dorte Fisk."
        if _TABLE_HEADER.match(text):
            continue  # "Navn | Organisation": the header of a table of people
        gone = absent or bool(_TRAILING_ABSENT.search(text))  # "Finn Lyk (Ø), fraværende"
        text = _TRAILING_ABSENT.sub("", text).strip()
        role_first = _ROLE_FIRST.match(text)  # "Formand: Anne Holm (A)"
        if role_first:
            text = f"{role_first.group(2)} ({role_first.group(1).lower()})"
        status = _STATUS.match(text)
        named = _NAME_ORG.match(text) if not status else None
        if named and _is_name(named.group(1)):  # a row "Mette Bruun | Odense Kommune" of a people table
            text = f"{named.group(1)}, {named.group(2)}"
        substitutes = [m.group("sub") for m in _SUBSTITUTE.finditer(status.group("rest") if status else text)]
        if status:
            text = status.group("who").strip()
            gone = absent or status.group("status").lower() not in ("deltog", "deltager", "til stede", "mødt")
        else:
            text = _AT_ITEMS.sub("", _SUBSTITUTE.sub("", text)).strip(" ,;")
        role = _ROLE_SUFFIX.search(text)
        text = _ROLE_SUFFIX.sub("", text)
        columns = [c for c in re.split(r"\t+|\s{3,}", text) if c.strip()]
        if len(columns) > 1 and all(_is_name(_markers(c)[0]) for c in columns):
            found = [p for c in columns for p in _parse_line(c.strip(), gone)]
        else:
            found = _parse_line(text, gone)
        if not found:
            report.warn(
                line.no,
                f"kunne ikke læse en deltager ud af {text[:60]!r}; ret deltagerlisten i filen bagefter",
            )
        if found and role:
            _add_roles(found[-1], [role.group(1).lower()])
        people.extend(found)
        for sub in substitutes:  # present in the absent member's place
            people.extend(p for p in _parse_line(_AT_ITEMS.sub("", sub).strip(" ,;."), False) if p.name)
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
        if token.lower() in _ROLES and people:
            _add_roles(people[-1], [token.lower(), *roles])
            people[-1].absent = people[-1].absent or absent
            continue
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
    out: list[str] = []
    for part in parts:
        pieces = re.split(r"\s+og\s+", part)
        if len(pieces) > 1 and all(_is_name(_markers(p)[0]) for p in pieces):
            out += pieces
        else:
            out.append(part)
    return [p.strip() for p in out if p.strip()]


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


# --- absentees named in sentences ----------------------------------------------------------------

_NAME = r"[A-ZÆØÅ][\w'-]+(?:\s+(?:[A-ZÆØÅ][\w'.-]+|von|van|de|la|af|du|da|le))*(?:\s*\([^()]{1,40}\))?"
_NAMES = rf"{_NAME}(?:\s*(?:,|og|samt)\s*{_NAME})*"
_LEAD = r"(?:^|\bat\s+|,\s*|\.\s+|:\s+)"
# Names are matched case-sensitively (a name starts with a capital), the words around them are not.
_SENTENCES = (
    re.compile(
        rf"(?i:\balle\s+(?:medlemmer\s+)?(?:var\s+)?(?:mødt|til stede|deltog)\s*,?\s*undtagen)\s+({_NAMES})"
    ),
    re.compile(rf"(?i:\b(?:der\s+var\s+|der\s+er\s+)?afbud\s+(?:modtaget\s+)?fra)\s*:?\s*({_NAMES})"),
    re.compile(
        rf"(?i:\b(?:følgende\s+)?(?:havde\s+|har\s+)?(?:meldt|givet|sendt)\s+(?:afbud|forfald))\s*:\s*({_NAMES})"
    ),
    re.compile(
        rf"^(?i:(?:fraværende|afbud)(?:\s+med\s+afbud|\s+uden\s+afbud)?)\s*:\s*({_NAMES})\s*\.?\s*(?:$|[-–]|\()"
    ),
    re.compile(
        rf"{_LEAD}({_NAMES})\s+(?i:(?:havde\s+)?(?:meldt\s+(?:afbud|forfald)|meldte\s+(?:afbud|forfald)|var\s+fraværende|udeblev))\b"
    ),
    re.compile(rf"{_LEAD}({_NAMES})\s+(?i:deltog\s+ikke(?:\s+i\s+(?:mødet|dagens\s+møde))?)\s*\.?\s*$"),
)
_NOT_NAMES = {
    "der",
    "det",
    "den",
    "de",
    "alle",
    "ingen",
    "udvalget",
    "formanden",
    "mødet",
    "punktet",
    "sagen",
}


def absentees_in(lines: list[Line]) -> list[Person]:
    """People the text says were absent from the whole meeting: "Alle var mødt undtagen X", "Afbud fra X og
    Y", "Fraværende: X (O)", "X havde meldt afbud", "X deltog ikke". "X deltog ikke i behandlingen af punkt
    3" is absence from one item, not from the meeting."""
    found: list[Person] = []
    for line in lines:
        text = re.sub(r"^\s*(?:[-•*▪]\s+)", "", line.text).strip()
        for sentence in re.split(r"(?<=[a-zæøå)])\.\s+(?=[A-ZÆØÅ])", text):
            for pattern in _SENTENCES:
                m = pattern.search(sentence.strip())
                if m:
                    found += _names(m.group(1))
                    break
    return found


def _names(text: str) -> list[Person]:
    people: list[Person] = []
    for part in re.split(r"\s*,\s*|\s+og\s+|\s+samt\s+", text):
        part = part.strip(" .")
        org = ""
        m = re.search(r"\(([^()]{1,40})\)\s*$", part)
        if m:
            org, part = m.group(1).strip(), part[: m.start()].strip()
        if part and people and _ORG_WORDS.search(part):  # "Afbud: Hans Vig, Faaborg-Midtfyn Kommune"
            people[-1].org = people[-1].org or part
            continue
        if part and part.split()[0].lower() not in _NOT_NAMES and len(part.split()) >= 2:
            people.append(Person(name=part, org=org, absent=True))
    return people


def mark_absent(participants: list[Person], absent: list[Person]) -> None:
    for person in absent:
        known = next((p for p in participants if _same(p.name, person.name)), None)
        if not person.absent:  # a substitute named beside the absent member: present
            if not known and person.name:
                participants.append(person)
            continue
        if known:
            known.absent = True
            known.org = known.org or person.org
        elif person.name:
            participants.append(Person(person.name, person.org, person.role, True))


def _same(a: str, b: str) -> bool:
    wa, wb = a.lower().split(), b.lower().split()
    return wa == wb or (len(wb) >= 2 and wa[: len(wb)] == wb) or (len(wa) >= 2 and wb[: len(wa)] == wa)


_PARTICIPANT_ITEM = re.compile(r"^(deltagere|mødedeltagere|fremmødte|tilstedeværende)\b", re.IGNORECASE)


def participants_from_items(meeting: Meeting, report: Report) -> None:
    """Midt-style: the participants are the content of an item called "Deltagere"."""
    if meeting.participants:
        decisions = [
            ln
            for it in meeting.items
            if not it.closed
            for s in it.sections
            if s.heading.lower().startswith("beslutning")
            for ln in s.lines
        ]
        apply_decision_lines(meeting.participants, decisions)
        return
    for item in meeting.items:
        if item.closed or not _PARTICIPANT_ITEM.match(item.title):
            continue
        groups: dict[str, list[Line]] = {"participants": [], "secretariat": [], "absent": []}
        mode = "participants"
        decisions: list[Line] = []
        for sec in [Section("", 0, item.intro), *item.sections]:
            low = sec.heading.lower()
            if low.startswith("beslutning"):
                decisions += sec.lines
                continue
            mode = "absent" if low in ("fraværende", "afbud") else mode
            for ln in sec.lines:
                key = re.sub(r"\*\*|__", "", ln.text).strip().rstrip(":").lower()
                if key in ("deltagere", "mødedeltagere", "til stede"):
                    mode = "participants"
                elif key in ("sekretariat", "sekretær", "referent"):
                    mode = "secretariat"
                elif key in ("afbud", "fraværende"):
                    mode = "absent"
                elif key:
                    groups[mode].append(ln)
        meeting.participants = parse_people(groups["participants"], report)
        meeting.secretariat = parse_people(groups["secretariat"], report)
        mark_absent(meeting.participants, parse_people(groups["absent"], report, absent=True))
        apply_decision_lines(meeting.participants, decisions)
        return
