"""Text as a reader of the published page sees it, for scanners that must not be fooled by how it is typed.

A CPR number written ``&#48;10190&ndash;1235``, ``０１０１９０-１２３５``, ``010190\\-1235`` or with a soft
hyphen inside looks like ``010190-1235`` on the page. `readable` turns such text into what is shown while
keeping every line break where it was, so a scanner's line numbers stay those of the file.
"""

from __future__ import annotations

import html
import re
import unicodedata
from urllib.parse import unquote

__all__ = ["DASHES", "MARKUP_CHARS", "SPACES", "readable", "readable_joined", "without_markup"]

# Every dash-like character (Unicode Pd, minus signs, hyphen bullet), as plain characters: usable both
# with `in` and, through re.escape, in a character class.
DASHES = (
    "-\u058a\u05be\u1400\u1806\u2010\u2011\u2012\u2013\u2014\u2015\u2043\u2212\u2796\u2e17\u2e1a"
    "\u2e3a\u2e3b\u2e40\u2e5d\u301c\u3030\u30a0\ufe31\ufe32\ufe58\ufe63\uff0d\u02d7\u207b\u208b"
    "\U00010ead"
)
# Every space character (Unicode Zs) and the tab; never a line break.
SPACES = " \t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"

_ENTITY = re.compile(r"&(?:#[0-9]{1,8};?|#[xX][0-9a-fA-F]{1,8};?|[A-Za-z][A-Za-z0-9]{1,31};?)")
_PERCENT = re.compile(r"%[0-9A-Fa-f]{2}(?:%[0-9A-Fa-f]{2})*")
# Shown as nothing: soft hyphen, zero-width and bidi controls, fillers, variation selectors, tags and
# combining marks left over after NFKC (a digit does not combine with anything).
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
    "\ufe20-\ufe2f\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)
# Characters of plain Danish text, which none of the steps below changes: most files have nothing else.
_UNUSUAL = re.compile(
    "[^\t\n\r\x20-\x7e\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u00a7\u00ab\u00b0\u00bb"
    "\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2022\u2026\u20ac]"
)
_OTHER_DIGIT = re.compile(r"[^\x00-\x7f\D]")  # a decimal digit of another script
_DIGITS_AND_DASHES = "0123456789" + DASHES
# Markdown that vanishes between digits, or between a digit and a dash, a space, "." or "/": a backslash escape,
# emphasis and code marks, an inline tag or comment. The character before it is matched first, so re
# skips quickly to the next candidate and a long run of marks is walked once.
_NEAR = re.escape(_DIGITS_AND_DASHES + SPACES + "./")
_MARKUP = re.compile(rf"([{_NEAR}])(?:[*_~`\\]|<[^<>\n]{{0,80}}>)+(?=[{_NEAR}])")
MARKUP_CHARS = "*_~`\\<"


def _decoded_escapes(text: str) -> str:
    """text with its HTML entities and percent escapes decoded (neither ever spans a line break)."""
    if "&" in text:
        text = _ENTITY.sub(_decoded_entity, text)
    if "%" in text:
        text = _PERCENT.sub(_decoded_percent, text)
    return text


def readable(text: str) -> str:
    """text with entities and percent escapes decoded, NFKC-normalised, other scripts' digits as 0-9 and
    invisible characters removed; the same object when nothing changed. See also `without_markup`.

    Never adds or removes a line break: a decoded ``&#10;`` becomes a space.
    """
    out = _decoded_escapes(text)
    if _UNUSUAL.search(out):
        out = unicodedata.normalize("NFKC", out)
        out = _INVISIBLE.sub("", out)
        out = _OTHER_DIGIT.sub(lambda match: str(unicodedata.decimal(match.group())), out)
    return text if out == text else out


def readable_joined(texts: list[str], separator: str = "\n\n") -> tuple[str, str, bool]:
    """The texts joined by separator (a line break or more), the same with each text readable, and
    whether any text changed. In one pass over the joined text where that gives what the texts one by one
    give: entities and percent escapes never span a line break; NFKC is left to the texts one by one, since
    it changes characters ("…") that `readable` keeps in a text with nothing unusual."""
    joined = separator.join(texts)
    out = _decoded_escapes(joined)
    if _UNUSUAL.search(out):
        seen = [readable(text) for text in texts]
        return joined, separator.join(seen), any(s is not t for s, t in zip(seen, texts, strict=True))
    return joined, out, out != joined  # a decoded escape is shorter than the escape


def without_markup(line: str) -> str:
    """line without the Markdown that vanishes between two digits (or a digit and a dash or space) on the
    page: ``010190\\-1235``, ``0101**90**-1235``, ``**010190** 1235``, ``010190<!-- -->-1235``."""

    def vanish(match: re.Match[str]) -> str:
        if match.group(1) in _DIGITS_AND_DASHES or line[match.end()] in _DIGITS_AND_DASHES:
            return match.group(1)
        return match.group()

    return _MARKUP.sub(vanish, line)


def _one_line(decoded: str) -> str:
    return decoded.replace("\r", " ").replace("\n", " ")


def _decoded_entity(match: re.Match[str]) -> str:
    return _one_line(html.unescape(match.group()))


def _decoded_percent(match: re.Match[str]) -> str:
    return _one_line(unquote(match.group(), errors="replace"))
