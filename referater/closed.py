"""The one rule for closed agenda items (lukkede punkter), used by the engine, `check` and the importer.

A closed item publishes its title and nothing else, unless its decision is explicitly marked public.
Agenda systems and secretariats mark a closed item in many ways; every one of them is recognised here,
and nowhere else:

* in the title: "Lukket punkt – Salg", "Salg – Lukket punkt", "(Lukket)", "[lukket]", "Lukket: Salg",
  "Lukket møde – …", "Lukket dagsordenspunkt: …", "LUKKET 12. Salg", "Fortroligt: …", "… – Fortrolig",
  "Ikke offentligt punkt", "Closed item", "Confidential";
* in a line of the item's own: "Lukket: ja" (anywhere in the item, any case, "ja" with more after it,
  "Lukket punkt: Ja", "Fortroligt: ja"); "Lukket: nej" keeps the item open;
* a line that says nothing but the marker ("Lukket punkt", "(Lukket)", "LUKKET").

When in doubt the rule closes: withholding an item's text by mistake costs a citizen a paragraph,
publishing it by mistake can cost a person their privacy.

A closed item's decision is published only after a line "Offentlig beslutning: ja" in the item.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = [
    "closed_by_line",
    "is_closed_marker_line",
    "is_closed_title",
    "is_public_decision_line",
    "line_marks",
    "mark_closed_title",
]

_WORD = r"(?:lukket|lukkede|lukk?et|fortrolig[te]?|ikke[\s\-]*offentlig[te]?|closed|confidential)"
_NOUN = r"(?:punkt|pkt\.?|dagsordenspunkt|sag|sagen|møde|mødepunkt|item|session|del)"
# Phrases that close wherever they stand in a title.
_PHRASE = re.compile(rf"\b{_WORD}\s+{_NOUN}(?!\w)", re.IGNORECASE)
# The marker word alone at the start, followed by a separator or a number: "Lukket: Salg", "Lukket 12."
_START = re.compile(rf"^\W*{_WORD}(?:\s*[:;\-–—.,/|)\]]|\s+\d|\s*$)", re.IGNORECASE)
# … or at the end after a separator: "Salg af arealer – Lukket", "Salg (lukket)"
_END = re.compile(rf"(?:^|[\-–—:;,/|(\[])\s*{_WORD}\s*[)\]]?\W*$", re.IGNORECASE)
# … or in brackets anywhere: "Salg (Lukket) af arealer"
_BRACKETED = re.compile(rf"[(\[{{]\s*{_WORD}(?:\s+{_NOUN})?\s*[)\]}}]", re.IGNORECASE)
# A meta line: "Lukket: ja", "Lukket punkt = Ja, jf. § 30", "Fortroligt: ja".
_META_LINE = re.compile(rf"^[\W_]*{_WORD}(?:\s+{_NOUN})?[\W_]*?\s*[:=]\s*(.*?)\s*$", re.IGNORECASE)
_NEGATIVE = re.compile(r"^[\W_]*(?:nej|no|false|falsk|0|åben|åbent|aaben|aabent|open)(?!\w)", re.IGNORECASE)
_MARKER_ONLY = re.compile(rf"^[\W_]*{_WORD}(?:\s+{_NOUN})?[\W_]*$", re.IGNORECASE)
_PUBLIC_DECISION = re.compile(
    r"^[\W_]*(?:offentlig\s+beslutning|beslutning(?:en)?\s+(?:er\s+)?offentlig)\s*[:=]\s*(?:ja|yes|true)(?!\w)",
    re.IGNORECASE,
)


_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u2060\ufeff]")
# Every marker line starts, past punctuation, with one of these (or with a letter that folding may turn
# into one): one anchored match rules out nearly every line of a referat at once.
_LINE_START = re.compile(
    r"^[\W_]*(?:luk|fortrol|ikke|closed|confidential|offentlig|beslutning|[^\x00-\xff])", re.IGNORECASE
)


def _fold(text: str) -> str:
    # NFKC turns full-width letters and the like into plain ones; soft hyphens and zero-width characters
    # would otherwise split a marker word in two without showing.
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", text)).replace("\u00a0", " ")


def is_closed_title(title: str) -> bool:
    """True if the title marks its item as closed."""
    title = _fold(title).strip().strip("*_ ")
    return bool(
        _PHRASE.search(title) or _START.search(title) or _END.search(title) or _BRACKETED.search(title)
    )


def closed_by_line(line: str) -> bool | None:
    """True for a line that closes its item ("Lukket: ja", "Lukket punkt"), False for one that says the
    item is open ("Lukket: nej"), None for a line that says neither."""
    if not _LINE_START.match(line):
        return None
    text = _fold(line[:400]).strip()[:200]  # a marker stands at the start; the cap keeps matching linear
    meta = _META_LINE.match(text)
    if meta:
        return not _NEGATIVE.match(meta.group(1))
    if _MARKER_ONLY.match(text):
        return True
    return None


def is_closed_marker_line(line: str) -> bool:
    return closed_by_line(line) is True


def is_public_decision_line(line: str) -> bool:
    """The explicit mark that a closed item's decision may be published: "Offentlig beslutning: ja"."""
    return bool(_LINE_START.match(line)) and bool(_PUBLIC_DECISION.match(_fold(line).strip()))


def line_marks(lines: list[str], first: int = 1) -> dict[int, tuple[bool | None, bool]]:
    """closed_by_line and is_public_decision_line of each line, by line number (`first` for lines[0]), for
    the lines that say either: one pass over a file instead of one per question asked of a line."""
    marks: dict[int, tuple[bool | None, bool]] = {}
    for number, line in enumerate(lines, first):
        if _LINE_START.match(line):
            verdict, public = closed_by_line(line), is_public_decision_line(line)
            if verdict is not None or public:
                marks[number] = (verdict, public)
    return marks


def mark_closed_title(title: str) -> str:
    """A title that the engine recognises as closed, for the importer to write."""
    return title if is_closed_title(title) else f"{title} – Lukket punkt"
