"""URL slugs with Danish transliteration (Sønderjylland → soenderjylland, Lægedækning → laegedaekning)."""

from __future__ import annotations

import re

from slugify import slugify as _slugify

_DANISH = [["æ", "ae"], ["ø", "oe"], ["å", "aa"], ["Æ", "Ae"], ["Ø", "Oe"], ["Å", "Aa"]]
_SAFE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def slugify(text: str, max_length: int = 80) -> str:
    return _slugify(text, replacements=_DANISH, max_length=max_length, word_boundary=True)


def is_safe_slug(text: str) -> bool:
    """A slug that can never escape its directory or need escaping in a URL."""
    return bool(_SAFE.match(text))
