"""Find personal data (CPR numbers, e-mail addresses, phone numbers) in text before it is published.

Minutes go to the public web the same night they are committed, so `check` runs this scanner over every
file. It has to catch real CPR numbers while staying quiet on the many digit strings that minutes are full
of: case numbers (``EMN-2022-08415``, ``22/43402``), document ids, dates (``05-12-2023``), amounts
(``1.200.000``) and years. Messages never repeat a full number: the serial part is masked.

Rules
-----
CPR numbers (``ddmmyy-ssss``), level **error**:

* The six-digit birth date must be a real calendar date. Substitute numbers (day + 60) are not reported.
* The first serial digit and the two-digit year give the century (the CPR office's table: serial 0-3 →
  1900s; 4 and 9 → 2000-2036 or 1937-1999; 5-8 → 2000-2057 or 1858-1899). The resulting birth date must
  not lie in the future; this rejects e.g. ``010150-5000`` (would be born 2050).
* Dashed form ``ddmmyy-ssss`` (hyphen or en dash): reported when the date and century checks pass. The
  modulus-11 check is *not* required, because CPR numbers issued since 2007 need not satisfy it, and the
  dash makes the intent unambiguous.
* Undashed form ``ddmmyyssss``: ten digits standing alone (no adjacent digits, letters, ``/``, ``-`` or
  decimal separators). Reported only when the date and century checks pass *and* the modulus-11 check
  passes (weights 4 3 2 7 6 5 4 3 2 1), or when the word "CPR" stands just before it. A random ten-digit
  id passes all three checks well under 1 % of the time.

E-mail addresses, level **warning**: staff addresses may be fine to publish, private ones are not; a
human decides.

Danish phone numbers, level **warning**: eight digits whose first digit is 2-9, written ``12345678``,
``1234 5678`` or ``12 34 56 78``, optionally after ``+45`` or ``0045``. Not reported when they are part of
a longer run of digits (also across a single space or a decimal/thousands separator), when preceded by a
label for an id or amount (``Dok ID``, ``Sagsnr.``, ``CVR``, ``kr.``), when followed by ``kr``/``DKK``/
``,-``, when the ungrouped form reads as a date (``25122023``, ``20231205``) or the ``1234 5678`` form as
two years (``2023 2024``). A phone word (``tlf``, ``telefon``, ``mobil``) or a ``+45``/``0045`` prefix
overrides the date and year exceptions.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

__all__ = ["PersonalDataHit", "scan_personal_data"]


@dataclass(frozen=True)
class PersonalDataHit:
    line: int  # 1-based line in the file
    kind: str  # "cpr" | "email" | "phone"
    level: str  # "error" | "warning"
    message: str  # English; names the masked value, never the full number


_CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)

# Digits must stand alone: no word character or "/" or "-" glued on, no "1.2" style continuation.
_ALONE_BEFORE = r"(?<![\w/\-])(?<!\d[.,])"
_ALONE_AFTER = r"(?![\w/\-])(?![.,]\d)"

_CPR_DASHED = re.compile(_ALONE_BEFORE + r"(\d{6})[-\u2010\u2011\u2013](\d{4})" + _ALONE_AFTER)
_CPR_PLAIN = re.compile(_ALONE_BEFORE + r"(\d{10})" + _ALONE_AFTER)
_CPR_WORD = re.compile(r"cpr[\s.:\-]*(?:nr\.?|nummer)?[\s.:\-]*$", re.IGNORECASE)

_EMAIL = re.compile(
    r"(?<![\w.%+\-])([\w.%+\-]{1,64})@((?:[\w\-]{1,63}\.)+[^\W\d_]{2,24})(?![\w\-]|\.[^\W_])",
)

_SPACE = "[ \u00a0]"
_PHONE = re.compile(
    r"(?<![\w/\-+])(?<!\d[.,])(?<!\d[ \u00a0])"
    rf"(?P<prefix>(?:\+|00)45{_SPACE}?)?"
    r"(?P<number>"
    rf"[2-9]\d{_SPACE}\d\d{_SPACE}\d\d{_SPACE}\d\d"  # 12 34 56 78
    rf"|[2-9]\d{{3}}{_SPACE}\d{{4}}"  # 1234 5678
    r"|[2-9]\d{7}"  # 12345678
    r")"
    r"(?![\w/\-])(?![.,]\d)(?![ \u00a0]\d)(?!,-)"
)
_PHONE_WORD = re.compile(
    r"\b(?:tlf|telefon\w*|mobil\w*|mob|phone|ring\w*)\b\W{0,4}(?:nr\b|nummer\b)?\W{0,4}$", re.IGNORECASE
)
_NOT_PHONE_BEFORE = re.compile(
    r"\b(?:id|nr|nummer|cvr|ean|kr|dkk|eur|sags?\w*|journal\w*|dok\w*|bilag|konto\w*)"
    r"[\s.:\-#]{0,6}$",
    re.IGNORECASE,
)
_NOT_PHONE_AFTER = re.compile(r"^\s*(?:kr\b|kr\.|dkk\b|mio\b|mia\b|€|%)", re.IGNORECASE)


# Every kind below needs six digits in a row (a CPR number, 8-digit phone), an "@", or a phone number
# written in groups ("12 34 56 78", "1234 5678"): lines with only years and amounts are skipped.
# The leading digit is factored out: re then tries the alternatives only where a digit is, three times as
# fast as trying each of them at every position.
_WORTH_SCANNING = re.compile(
    rf"\d(?:\d{{5}}|\d{_SPACE}\d\d{_SPACE}\d\d{_SPACE}\d\d|\d{{3}}{_SPACE}\d{{4}})|@"
)


def scan_personal_data(text: str, first_line: int = 1) -> list[PersonalDataHit]:
    """Every CPR number, e-mail address and phone number in text, in reading order.

    first_line is the file line of text's first line (e.g. the line after the frontmatter).
    """
    hits: list[PersonalDataHit] = []
    # One search over the whole text finds the next line worth scanning (no pattern spans a newline):
    # searching line by line was a call per line, a millisecond a file.
    position, line_no, line_start = 0, first_line, 0
    while (worth := _WORTH_SCANNING.search(text, position)) is not None:
        start = text.rfind("\n", 0, worth.start()) + 1
        end = text.find("\n", worth.end())
        end = len(text) if end < 0 else end
        line_no += text.count("\n", line_start, start)
        line_start, position = start, end + 1
        line = text[start:end].rstrip("\r")
        found: list[tuple[int, PersonalDataHit]] = []
        found.extend(_cpr_hits(line, line_no))
        found.extend(_email_hits(line, line_no))
        found.extend(_phone_hits(line, line_no))
        found.sort(key=lambda pair: pair[0])
        hits.extend(hit for _, hit in found)
    return hits


# --- CPR ---------------------------------------------------------------------------------------------------


def _birth_date(date_digits: str, serial: str, today: dt.date | None = None) -> dt.date | None:
    """The birth date encoded by ddmmyy + serial per the CPR century table, or None if impossible."""
    day, month, yy = int(date_digits[0:2]), int(date_digits[2:4]), int(date_digits[4:6])
    seventh = int(serial[0])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:  # 5-8
        century = 2000 if yy <= 57 else 1800
    try:
        born = dt.date(century + yy, month, day)
    except ValueError:
        return None
    if born > (today or dt.date.today()):
        return None
    return born


def _mod11_ok(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, _CPR_WEIGHTS, strict=True)) % 11 == 0


def _cpr_hits(line: str, line_no: int) -> list[tuple[int, PersonalDataHit]]:
    out: list[tuple[int, PersonalDataHit]] = []
    for match in _CPR_DASHED.finditer(line):
        date_digits, serial = match.group(1), match.group(2)
        if _birth_date(date_digits, serial):
            out.append((match.start(), _cpr_hit(line_no, date_digits)))
    for match in _CPR_PLAIN.finditer(line):
        digits = match.group(1)
        if not _birth_date(digits[:6], digits[6:]):
            continue
        if _mod11_ok(digits) or _CPR_WORD.search(line[: match.start()]):
            out.append((match.start(), _cpr_hit(line_no, digits[:6])))
    return out


def _cpr_hit(line_no: int, date_digits: str) -> PersonalDataHit:
    message = f"CPR number {date_digits}-xxxx: personal identity numbers must never be published"
    return PersonalDataHit(line_no, "cpr", "error", message)


# --- e-mail ------------------------------------------------------------------------------------------------


def _email_hits(line: str, line_no: int) -> list[tuple[int, PersonalDataHit]]:
    if "@" not in line:
        return []
    out: list[tuple[int, PersonalDataHit]] = []
    seen: set[str] = set()
    for match in _EMAIL.finditer(line):
        local, domain = match.group(1).strip("."), match.group(2)
        if not local:
            continue
        address = f"{local}@{domain}".lower()
        if address in seen:  # [a@b.dk](mailto:a@b.dk) is one address
            continue
        seen.add(address)
        masked = f"{local[0]}***@{domain}"
        message = f"e-mail address {masked}: publish only if it is a public work address"
        out.append((match.start(), PersonalDataHit(line_no, "email", "warning", message)))
    return out


# --- phone -------------------------------------------------------------------------------------------------


def _looks_like_date(digits: str) -> bool:
    """ddmmyyyy or yyyymmdd with a year in 1900-2099."""
    readings = ((digits[0:2], digits[2:4], digits[4:8]), (digits[6:8], digits[4:6], digits[0:4]))
    for day, month, year in readings:
        if 1900 <= int(year) <= 2099:
            try:
                dt.date(int(year), int(month), int(day))
            except ValueError:
                continue
            return True
    return False


def _phone_hits(line: str, line_no: int) -> list[tuple[int, PersonalDataHit]]:
    out: list[tuple[int, PersonalDataHit]] = []
    for match in _PHONE.finditer(line):
        number = match.group("number")
        digits = re.sub(r"\D", "", number)
        before = line[: match.start()]
        if _NOT_PHONE_AFTER.match(line[match.end() :]):
            continue
        sure = bool(match.group("prefix")) or bool(_PHONE_WORD.search(before))
        if not sure:
            if _NOT_PHONE_BEFORE.search(before):
                continue
            if number.isdigit() and _looks_like_date(digits):
                continue
            halves = re.fullmatch(r"(\d{4})\D(\d{4})", number)
            if halves and all(1900 <= int(h) <= 2099 for h in halves.groups()):
                continue
        masked = f"{digits[:2]} {digits[2:4]} xx xx"
        message = f"phone number {masked}: publish only if it is a public work number"
        out.append((match.start(), PersonalDataHit(line_no, "phone", "warning", message)))
    return out
