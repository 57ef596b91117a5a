"""Near misses in what a secretariat typed: the slug meant by a name, and "mente du …?" for a typo.

Shared by every command that takes or checks a cluster, forum, topic or section heading, so that `new`,
`import`, `check` and `build` accept the same spellings and suggest the same way:

    >>> names = {"nykoebing-falster": ("Nykøbing Falster", "NFS"), "fyn": ("Fyn", "Sundhedsklynge Fyn")}
    >>> find_slug("Nykøbing Falster", names), find_slug("nykobing falster", names), find_slug("FYN", names)
    ('nykoebing-falster', None, 'fyn')
    >>> nearest("sydvestjyland", ["sydvestjylland", "fyn"])
    'sydvestjylland'
    >>> did_you_mean("Beslutnig", ["Beslutning", "Indstilling"])
    " – mente du 'Beslutning'?"
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from .slugs import slugify

# How alike (difflib's ratio, 0–1) a typo must be to its candidate to be suggested: "Beslutnig" and
# "Beslutning" are 0.95, "sydvestjyland" and "sydvestjylland" 0.96, "fyn" and "midt" 0.0.
CUTOFF = 0.75
_PREFIXES = ("sundhedsklyngen-", "sundhedsklynge-")


def fold(text: str) -> str:
    """The form two spellings of one name share: lower case, æ/ø/å as ae/oe/aa, words joined by '-'
    ("Nykøbing  Falster" and "nykoebing-falster" fold alike)."""
    return slugify(text.strip())


def find_slug(text: str, names: Mapping[str, Iterable[str]]) -> str | None:
    """The slug that `text` names: the slug itself, or one of its display names or aliases, in any case,
    with æ/ø/å or ae/oe/aa, spaces or hyphens, with or without a leading "Sundhedsklynge(n)".
    `names` maps each slug to its names and aliases (see `names_of`). None when nothing matches exactly:
    a typo is for `nearest` to suggest, never to be taken silently."""
    wanted = fold(text)
    if not wanted:
        return None
    bare = _strip_prefix(wanted)
    for slug, others in names.items():
        for candidate in (slug, *others):
            folded = fold(candidate)
            if folded and (folded == wanted or _strip_prefix(folded) == bare):
                return slug
    return None


def nearest(value: str, candidates: Iterable[str], cutoff: float = CUTOFF) -> str | None:
    """The candidate closest to a misspelt value ("sydvestjyland" → "sydvestjylland"), compared case- and
    æøå-insensitively; None when nothing is close enough to be a likely typo."""
    pool = list(dict.fromkeys(c for c in candidates if c))
    if not value.strip() or not pool:
        return None
    folded = {c: fold(c) or c.lower() for c in pool}
    wanted = fold(value) or value.lower()
    best, score = None, cutoff
    for candidate in pool:
        ratio = difflib.SequenceMatcher(None, wanted, folded[candidate]).ratio()
        if ratio > score or (ratio == score and best is None):
            best, score = candidate, ratio
    return best


def nearest_slug(text: str, names: Mapping[str, Iterable[str]], cutoff: float = CUTOFF) -> str | None:
    """The slug whose slug, name or alias is closest to a misspelt `text` (after `find_slug` failed)."""
    owner: dict[str, str] = {}
    for slug, others in names.items():
        for candidate in (slug, *others):
            owner.setdefault(candidate, slug)
    hit = nearest(text, owner, cutoff)
    return owner[hit] if hit else None


def did_you_mean(value: str, candidates: Iterable[str], cutoff: float = CUTOFF) -> str:
    """ " – mente du 'X'?" to append to a message, or "" when there is no likely candidate."""
    hit = nearest(value, candidates, cutoff)
    return f" – mente du {hit!r}?" if hit and hit != value else ""


def names_of(entries: Mapping[str, Any]) -> dict[str, tuple[str, ...]]:
    """Slug → (name, *aliases) for config entries (clusters, forums, topics): what `find_slug` takes."""
    return {
        slug: tuple(n for n in (getattr(e, "name", ""), *getattr(e, "aliases", ())) if n)
        for slug, e in entries.items()
    }


def _strip_prefix(folded: str) -> str:
    for prefix in _PREFIXES:
        if folded.startswith(prefix) and len(folded) > len(prefix):
            return folded[len(prefix) :]
    return folded
