"""The one rule for closed agenda items (lukkede punkter), used by the engine, `check` and the importer.

A closed item publishes its title and nothing else, unless its decision is explicitly marked public.
Agenda systems and secretariats mark a closed item in many ways; every one of them is recognised here,
and nowhere else:

* in the title: "Lukket punkt – Salg", "Salg – Lukket punkt", "(Lukket)", "[lukket]", "Lukket: Salg",
  "Lukket møde – …", "Lukket dagsordenspunkt: …", "LUKKET 12. Salg", "Fortroligt: …", "… – Fortrolig",
  "Ikke offentligt punkt", "Closed item", "Confidential", and with a reason: "… – lukket jf. § 30",
  "(lukket, jf. § 30)", "Lukket (§ 15): …", "(lukket for offentligheden)", "Lukket pga. persondata: …";
* in a line of the item's own: "Lukket: ja" (anywhere in the item, any case, "ja" with more after it,
  "Lukket punkt: Ja", "Fortroligt: ja", "Lukket ja", "| Lukket | ja |"), "Lukket jf. § 30", "Status:
  Lukket", "Offentligt: nej", "Punktet er lukket."; "Lukket: nej" keeps the item open;
* a line (or a table cell) that says nothing but the marker ("Lukket punkt", "(Lukket)", "LUKKET").

Titles and lines are read as the page shows them (`_fold`): entities decoded, invisible characters and
inline tags removed, diacritics and Cyrillic or Greek look-alike letters read as plain Latin ones, so
"L&#117;kket", "Lu\u00adkket" and "Lukkеt" (a Cyrillic е) close like "Lukket".

When in doubt the rule closes: withholding an item's text by mistake costs a citizen a paragraph,
publishing it by mistake can cost a person their privacy.

A closed item's decision is published only after a line "Offentlig beslutning: ja" in the item.
"""

from __future__ import annotations

import re
import unicodedata

from .readable import readable

__all__ = [
    "closed_by_line",
    "is_closed_marker_line",
    "is_closed_title",
    "is_public_decision_line",
    "line_marks",
    "mark_closed_title",
]

# The patterns below read folded text (`_fold`): no diacritics ("på" is "pa"), no entities, no invisible
# characters, no inline HTML tags, Latin letters for their Cyrillic and Greek look-alikes.
_WORD = (
    r"(?:lukket|lukkede|lukk?et|fortrolig[te]?|(?:ikke|ej)[\s\-]*offentlig[te]?"
    r"|ikke\s+til\s+offentligg\w*|unntatt\s+offentlighet|closed|confidential|non[\s\-]*public|not\s+public)"
)
_NOUN = (
    r"(?:punkt(?:er|et)?|pkt\.?|dagsordenspunkt(?:er|et)?|sag|sagen|m[oø]de|m[oø]depunkt|item|session|del)"
)
_JOIN = r"[\s\-\u2010]*"  # "Lukket punkt", "Lukket-punkt", "Lukketpunkt"
# What follows a marker word to say why it is closed: "Lukket jf. § 30", "lukket (§ 15)", "lukket iht.
# forvaltningsloven", "lukket pga. persondata", "lukket for offentligheden".
_WHY = (
    r"(?:(?:jf|jvf|iht|pga|cf)(?!\w)\.?|§|\(\s*§|i\s+henhold|i\s+medf[oø]r|if[oø]lge|pa\s+grund|grundet"
    r"|efter\s+(?:§|\w*lov)|for\s+offentligheden|for\s+pressen)"
)
# Phrases that close wherever they stand in a title.
_PHRASE = re.compile(rf"\b{_WORD}{_JOIN}{_NOUN}(?!\w)|\b{_WORD}\s*[,:;\-–—(]?\s*{_WHY}", re.IGNORECASE)
# The marker word alone at the start, followed by a separator or a number: "Lukket: Salg", "Lukket 12."
_START = re.compile(rf"^\W*{_WORD}(?:\s*[:;\-–—.,/|)\](§]|\s+\d|\s*$)", re.IGNORECASE)
# … or at the end after a separator: "Salg af arealer – Lukket", "Salg (lukket)"
_END = re.compile(rf"(?:^|[\-–—:;,/|(\[])\s*{_WORD}\s*[)\]]?\W*$", re.IGNORECASE)
# … or first in brackets anywhere: "Salg (Lukket) af arealer", "Salg (lukket, persondata)"
_BRACKETED = re.compile(rf"[(\[{{]\s*{_WORD}(?:{_JOIN}{_NOUN})?\s*(?:[)\]}},;:\-–—/]|$)", re.IGNORECASE)
# A meta line: "Lukket: ja", "Lukket punkt = Ja, jf. § 30", "Fortroligt: ja", "| Lukket | ja |".
# A dash separates only after the noun: "Lukket punkt – Salg" closes, "Lukket – genåbner i maj" is a sentence.
_META_LINE = re.compile(
    rf"^[\W_]*{_WORD}(?:{_JOIN}{_NOUN}[\W_]*?\s*[:=|–—\-]|[\W_]*?\s*[:=|])\s*(.*?)\s*$", re.IGNORECASE
)
_NEGATIVE = re.compile(r"^[\W_]*(?:nej|no|false|falsk|0|aben|abent|aaben|aabent|open)(?!\w)", re.IGNORECASE)
_MARKER_ONLY = re.compile(rf"^[\W_]*{_WORD}(?:{_JOIN}{_NOUN})?[\W_]*$", re.IGNORECASE)
# The marker and yes without a separator, or the marker and why: "Lukket ja", "Lukket jf. § 30".
_MARKER_YES = re.compile(
    rf"^[\W_]*{_WORD}(?:{_JOIN}{_NOUN})?(?:\s+|\s*[–—\-]\s*)(?:ja|yes)(?!\w)", re.IGNORECASE
)
_MARKER_WHY = re.compile(rf"^[\W_]*{_WORD}(?:{_JOIN}{_NOUN})?[\W_]*{_WHY}", re.IGNORECASE)
# A label of the item's status whose value is the marker: "Status: Lukket", "Offentlighed: lukket punkt".
_LABELLED = re.compile(
    r"^[\W_]*(?:status|offentlighed|adgang|type|punkttype|behandling|kategori|klassifikation"
    r"|(?:aa?ben[t]?|offentlig[t]?)\s*/\s*lukket)\s*[:=|]\s*[\W_]*"
    rf"{_WORD}(?:{_JOIN}{_NOUN})?(?:[\W_]*{_WHY}.*|[\W_]*)$",
    re.IGNORECASE,
)
# Open said to be no: "Offentligt: nej", "Åbent punkt: nej" (not "Offentlig beslutning: nej").
_NOT_OPEN = re.compile(
    rf"^[\W_]*(?:offentlig[t]?|aaben[t]?|aben[t]?|open)(?:{_JOIN}{_NOUN})?[\W_]*?\s*[:=|]\s*[\W_]*"
    r"(?:nej|no|false|falsk|0)(?!\w)",
    re.IGNORECASE,
)
# A sentence that says the item is closed: "Punktet er lukket.", "Dette punkt behandles for lukkede døre."
_SAYS_CLOSED = re.compile(
    r"^[\W_]*(?:dette\s+punkt|punktet|dagsordenspunktet)\s+(?:er|behandles|behandledes|er\s+behandlet)\s+"
    rf"(?:som\s+)?(?:et\s+)?(?:{_WORD}|for\s+lukkede\s+d[oø]re)(?!\w)",
    re.IGNORECASE,
)
_PUBLIC_DECISION = re.compile(
    r"^[\W_]*(?:offentlig\s+beslutning|beslutning(?:en)?\s+(?:er\s+)?offentlig)\s*[:=]\s*(?:ja|yes|true)(?!\w)",
    re.IGNORECASE,
)
# Every line that closes an item or marks a public decision holds one of these stems, once folded.
_STEMS = re.compile(r"luk|fortrol|offentl|closed|confiden|public|unntatt|aben|open", re.IGNORECASE)
# A line that may do so: a stem as written (lower-cased), or anything folding may change (an entity, a
# tag, a character outside plain Danish text). Found with str.find and one character class, which is
# several times faster than a search for an alternation at every position of a file.
_CANDIDATE_STEMS = [
    re.compile("[*_~`\\\\]*".join(stem))
    for stem in (
        "luk",
        "fortrol",
        "offentl",
        "closed",
        "confiden",
        "public",
        "unntatt",
        "aben",
        "åben",
        "open",
    )
]
_UNUSUAL = re.compile(
    "[^\\t\\n\\r\\x20-\\x25\\x27-\\x3b\\x3d-\\x7eæøå§«»°\\u2013\\u2014\\u2018\\u2019\\u201a\\u201c\\u201d\\u201e\\u2022\\u2026\\u20ac]"
)

# Cyrillic and Greek letters drawn like Latin ones: "Lukkеt" with a Cyrillic е is read as "Lukket".
_LOOKALIKES = str.maketrans(
    "АВЕКМНОРСТХаеорсухкіјѕԁԛԝΑΒΕΖΗΙΚΜΝΟΡΤΥΧοκιν",
    "ABEKMHOPCTXaeopcyxkijsdqwABEZHIKMNOPTYXokiv",
)
_NON_LATIN = re.compile(r"[\u0370-\u052f]")
_INVISIBLE = re.compile(
    r"[\u00ad\u034f\u061c\u115f\u1160\u180e\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]"
)
_MARKS = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_MARKUP = re.compile(r"[*_~`]+|\\(?=[^\w\s])")  # emphasis, code and backslash escapes
_TAG = re.compile(r"</?[A-Za-z][^<>\n]{0,200}>")  # an HTML tag, not a comment: the page shows its text


def _fold(text: str) -> str:
    """text as its words read: entities decoded, NFKC (full-width letters), invisible characters (soft
    hyphen, zero-width space), inline tags, emphasis marks and escapes removed, look-alike letters made Latin, diacritics dropped
    ("Lukkét", "Åben" → "Aben"), no-break spaces made spaces. Never moves a line break."""
    text = readable(text)
    if "<" in text:
        text = _TAG.sub("", text)
    if "*" in text or "_" in text or "~" in text or "`" in text or "\\" in text:
        text = _MARKUP.sub("", text)  # "**Lukket** punkt", "Luk*ket*", "L`ukket`": the page shows the words
    if not text.isascii():
        text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
        if _NON_LATIN.search(text):
            text = text.translate(_LOOKALIKES)
        text = _MARKS.sub("", unicodedata.normalize("NFKD", text))
        text = unicodedata.normalize("NFC", text).replace("\u00a0", " ")
    return text


def is_closed_title(title: str) -> bool:
    """True if the title marks its item as closed."""
    title = _fold(title).strip().strip("*_ ")
    if not _STEMS.search(title):
        return False
    return bool(
        _PHRASE.search(title) or _START.search(title) or _END.search(title) or _BRACKETED.search(title)
    )


def closed_by_line(line: str) -> bool | None:
    """True for a line that closes its item ("Lukket: ja", "Lukket punkt"), False for one that says the
    item is open ("Lukket: nej"), None for a line that says neither."""
    return _verdict(_fold(line[:400]))


def _verdict(folded: str) -> bool | None:
    text = folded.strip()[:200]  # a marker stands at the start; the cap keeps matching linear
    if not _STEMS.search(text):
        return None
    meta = _META_LINE.match(text)
    if meta:
        return not _NEGATIVE.match(meta.group(1))
    if _MARKER_ONLY.match(text) or _MARKER_YES.match(text) or _MARKER_WHY.match(text):
        return True
    if _NOT_OPEN.match(text) or _SAYS_CLOSED.match(text) or _LABELLED.match(text):
        return True
    if "|" in text and any(_MARKER_ONLY.match(cell) for cell in text.split("|") if cell.strip()):
        return True  # a table cell that says "Lukket punkt"
    return None


def is_closed_marker_line(line: str) -> bool:
    return closed_by_line(line) is True


def is_public_decision_line(line: str) -> bool:
    """The explicit mark that a closed item's decision may be published: "Offentlig beslutning: ja"."""
    return bool(_PUBLIC_DECISION.match(_fold(line[:400]).strip()))


def line_marks(lines: list[str], first: int = 1) -> dict[int, tuple[bool | None, bool]]:
    """closed_by_line and is_public_decision_line of each line, by line number (`first` for lines[0]), for
    the lines that say either: a few searches over the file find the few lines worth asking."""
    low = "\n".join(lines).lower()  # lower() keeps every line break; lines are taken by their number
    hits = [m.start() for m in _UNUSUAL.finditer(low)]
    for stem in _CANDIDATE_STEMS:  # with markup between its letters too: "L*ukket*"
        hits += [m.start() for m in stem.finditer(low)]
    marks: dict[int, tuple[bool | None, bool]] = {}
    number, counted = first, 0
    for at in sorted(hits):
        if at < counted:
            continue  # a line already asked
        start = low.rfind("\n", 0, at) + 1
        number += low.count("\n", counted, start)
        end = low.find("\n", at)
        counted = len(low) + 1 if end < 0 else end + 1
        line = _fold(lines[number - first][:400])
        verdict, public = _verdict(line), bool(_PUBLIC_DECISION.match(line.strip()))
        if verdict is not None or public:
            marks[number] = (verdict, public)
        number += 1 if end >= 0 else 0
    return marks


def mark_closed_title(title: str) -> str:
    """A title that the engine recognises as closed, for the importer to write."""
    return title if is_closed_title(title) else f"{title} – Lukket punkt"
