"""Find personal data (CPR numbers, e-mail addresses, phone numbers) in text before it is published.

Minutes go to the public web the same night they are committed, so `check` and `build` run this scanner
over every file. It has to catch a CPR number however it is written while staying quiet on the many digit
strings that minutes are full of: case numbers (``EMN-2022-08415``, ``22/43402``, ``24/12345-3``),
document ids, dates and times (``05-12-2023 kl. 10.30``, ``2023-12-05 09:00``), sums (``1.200.000``) and
years (``2023-2024``). Messages never repeat a full number: the serial part is masked (``010190-xxxx``).

What is scanned
---------------
The text as a reader sees it: HTML entities decoded (``&#48;``, ``&ndash;``), percent escapes decoded
(``%2D`` in a link target), NFKC-normalised (full-width digits, non-breaking hyphens, thin spaces), other
scripts' digits read as 0-9, invisible characters (soft hyphen, zero-width space, bidi marks, combining
marks) removed, and Markdown escapes and emphasis between digits removed (``010190\\-1235``,
``0101**90**-1235``). Line numbers stay those of the original text. When this changes the text, the text as
written is scanned for CPR numbers too, so normalising can never hide one. A number split over two lines (a soft
line break, which the page shows as a space) is found as if written with a space.

CPR numbers, level **error**
----------------------------
The date ``ddmmyy`` must be a real calendar date (substitute numbers, day + 60, are not reported). The
7th digit and the year give the century as the CPR office's table does (0-3 → 1900s; 4 and 9 → 2000-2036
or 1937-1999; 5-8 → 2000-2057 or 1858-1899), and the birth date must not lie in the future. The number
must not be glued to other digits; letters, ``/``, ``_``, ``-`` and other punctuation around it do not
matter (``bilag_010190-1235.pdf``, ``/doc/0101901235.pdf``, ``CPR:010190-1235``). Modulus 11 is not
required where the form says "CPR number", since numbers issued since 2007 need not satisfy it:

* ``ddmmyy-ssss`` with any dash character (hyphen, non-breaking hyphen, figure dash, en/em dash, minus
  sign, small and full-width hyphen-minus …), with at most two spaces either side: reported.
* ``ddmmyy ssss`` with one or two spaces of any kind (space, no-break space, thin space …): reported.
* ``dd.mm.yy-ssss``, where the date is written with ``.``, ``/``, a dash or a space (the same character
  twice): reported with a dash before the serial, and ``dd mm yy ssss`` with spaces only. With a space
  before the serial after ``.``, ``/`` or a dash (``05.12.23 1030``) it is reported unless the serial
  reads as a clock time hhmm: that is a date and a time; a CPR word (below) makes it reported anyway.
* ``ddmmyyssss``, ten digits without separator: also a document id or an account number, so reported only
  when modulus 11 holds (weights 4 3 2 7 6 5 4 3 2 1) or a CPR word stands within 40 characters before it.
  A random ten-digit id passes date, century and modulus 11 about once in 350. Not reported as the tail of
  a decimal number (``1.0101901235``, ``0101901235,50``).

CPR words: "CPR" (also "CPR-nr.", "cpr nr"), "personnummer", "personnumre", "personnr.", "pers. nr.".

E-mail addresses, level **warning**: staff addresses may be fine to publish, private ones are not; a
human decides.

Danish phone numbers, level **warning**: eight digits whose first digit is 2-9, written ``12345678``,
``1234 5678`` or ``12 34 56 78``, optionally after ``+45`` or ``0045``. Not reported when they are part of
a longer run of digits (also across a single space or a decimal/thousands separator), when preceded by a
label for an id or amount (``Dok ID``, ``Sagsnr.``, ``CVR``, ``kr.``), when followed by ``kr``/``DKK``/
``,-``, when the ungrouped form reads as a date (``25122023``, ``20231205``) or the ``1234 5678`` form as
two years (``2023 2024``). A phone word (``tlf``, ``telefon``, ``mobil``) or a ``+45``/``0045`` prefix
overrides the date and year exceptions.

Every pattern is linear: fixed-width pieces and bounded repeats, no nested quantifiers.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .readable import DASHES, MARKUP_CHARS, SPACES, readable, readable_joined, without_markup

__all__ = ["PersonalDataHit", "cpr_in_output", "scan_many", "scan_personal_data", "scan_values"]


@dataclass(frozen=True)
class PersonalDataHit:
    line: int  # 1-based line in the file
    kind: str  # "cpr" | "email" | "phone"
    level: str  # "error" | "warning"
    message: str  # Danish, complete; names the masked value, never the full number


_CPR_WEIGHTS = (4, 3, 2, 7, 6, 5, 4, 3, 2, 1)
_D, _S = re.escape(DASHES), re.escape(SPACES)  # for character classes
_DASH, _SPACE = f"[{_D}]", f"[{_S}]"

# The first digit is matched before the look-behind so that re can skip to the next digit quickly.
_CPR = re.compile(
    r"[0-9](?<![0-9]{2})"
    r"(?:[0-9]{5}"  # ddmmyy
    rf"|[0-9](?P<ds>[./{_D}{_S}])[0-9]{{2}}(?P=ds)[0-9]{{2}})"  # dd.mm.yy, dd-mm-yy, dd mm yy
    rf"(?P<sep>{_SPACE}{{0,2}}{_DASH}{_SPACE}{{0,2}}|{_SPACE}{{1,2}}|)"
    r"(?P<serial>[0-9]{4})(?![0-9])"
)
_CPR_WORD = re.compile(r"cpr|person\W{0,2}(?:nummer|numre|nr)|(?<![^\W\d_])pers\W{0,2}nr", re.IGNORECASE)
_CPR_WORD_REACH = 40
_DECIMAL_BEFORE = re.compile(r"[0-9][.,]$")
_DECIMAL_AFTER = re.compile(r"[.,][0-9]")
# A date at the end of a line and a serial at the start of the next: the page joins them with a space.
_DATE_AT_END = re.compile(
    rf"[0-9](?<![0-9]{{2}})(?:[0-9]{{5}}|[0-9]([./{_D}])[0-9]{{2}}\1[0-9]{{2}})"
    rf"(?:{_SPACE}{{0,2}}{_DASH})?{_SPACE}{{0,8}}$"
)
_SERIAL_AT_START = re.compile(rf"{_SPACE}{{0,8}}(?:{_DASH}{_SPACE}{{0,2}})?[0-9]{{4}}(?![0-9])")

_EMAIL = re.compile(
    r"(?<![\w.%+\-])([\w.%+\-]{1,64})@((?:[\w\-]{1,63}\.)+[^\W\d_]{2,24})(?![\w\-]|\.[^\W_])",
)

_PHONE_SPACE = "[ \u00a0]"
_PHONE = re.compile(
    r"(?<![\w/\-+])(?<!\d[.,])(?<!\d[ \u00a0])"
    rf"(?P<prefix>(?:\+|00)45{_PHONE_SPACE}?)?"
    r"(?P<number>"
    rf"[2-9]\d{_PHONE_SPACE}\d\d{_PHONE_SPACE}\d\d{_PHONE_SPACE}\d\d"  # 12 34 56 78
    rf"|[2-9]\d{{3}}{_PHONE_SPACE}\d{{4}}"  # 1234 5678
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
_NOT_PHONE_AFTER = re.compile(r"\s{0,8}(?:kr\b|kr\.|dkk\b|mio\b|mia\b|€|%)", re.IGNORECASE)
_LABEL_REACH = 48


# Every kind below needs six digits in a row (a CPR number, an 8-digit phone), a date written with
# separators (``01.01.90``, which also covers a phone written ``12 34 56 78``), a phone written
# ``1234 5678``, Markdown glued to a digit (``0101**90**-1235``) or an "@": lines with only years, times
# and amounts are skipped. The pattern begins with a character class (a digit or "@", told apart by the
# look-behind), so re tries it only where one of those stands instead of at every position.
_WORTH_SCANNING = re.compile(
    rf"[0-9@](?:(?<=@)|[0-9]{{5}}|[0-9](?P<s>[./{_D}{_S}])[0-9]{{2}}(?P=s)[0-9]{{2}}"
    rf"|[0-9]{{3}}{_SPACE}[0-9]{{4}}|[{re.escape(MARKUP_CHARS)}])"
)
# The same for CPR numbers alone: six digits in a row, a date with separators or Markdown glued to a digit.
_WORTH_SCANNING_CPR = re.compile(
    rf"[0-9](?:[0-9]{{5}}|[0-9](?P<s>[./{_D}{_S}])[0-9]{{2}}(?P=s)[0-9]{{2}}|[{re.escape(MARKUP_CHARS)}])"
)


def scan_personal_data(text: str, first_line: int = 1) -> list[PersonalDataHit]:
    """Every CPR number, e-mail address and phone number in text, in reading order.

    first_line is the file line of text's first line (e.g. the line after the frontmatter).
    """
    seen = readable(text)
    hits = _scan(seen, first_line)
    if seen is not text:
        found = set(hits)
        extra = [hit for hit in _scan(text, first_line) if hit.kind == "cpr" and hit not in found]
        if extra:
            hits = sorted(hits + extra, key=lambda hit: hit.line)
    return hits


def scan_many(texts: Sequence[str], cpr_only: bool = False) -> list[list[PersonalDataHit]]:
    """scan_personal_data(text) of each text, lines counted from 1 in each, found in one scan of them all:
    a file's published texts are a hundred short ones, and a scan each cost more than the scanning.
    cpr_only: its CPR hits alone (e-mail addresses and phone numbers are not looked for).

    The texts are joined with a blank line between them, so no number can be read across two of them
    (a line's following line, for a number split over both, is then empty), and `readable` never moves a
    line break, so each hit's line tells which text it is in."""
    joined, seen, changed = readable_joined(list(texts))
    starts: list[int] = []  # the line of the joined text where each text begins
    line = 1
    for text in texts:
        starts.append(line)
        line += text.count("\n") + 2
    hits = _scan(seen, 1, cpr_only)
    if changed:
        found = set(hits)
        extra = [hit for hit in _scan(joined, 1, cpr_only) if hit.kind == "cpr" and hit not in found]
        if extra:
            hits = sorted(hits + extra, key=lambda hit: hit.line)
    out: list[list[PersonalDataHit]] = [[] for _ in texts]
    for hit in hits:
        index = bisect_right(starts, hit.line) - 1
        out[index].append(dataclasses.replace(hit, line=hit.line - starts[index] + 1))
    return out


def scan_values(values: Iterable[tuple[str, int]]) -> list[PersonalDataHit]:
    """The hits in decoded frontmatter values: (value, line of the value) pairs, every hit on that line.

    A value spanning lines (a YAML block) is read with spaces for its line breaks, as a page shows it.
    Values written plainly are found by scan_personal_data on the file's text as well, with equal hits:
    a caller that runs both drops the repeats (``dict.fromkeys``; hits are frozen).
    """
    pairs = list(values)
    flat = [value.replace("\r\n", " ").replace("\n", " ").replace("\r", " ") for value, _ in pairs]
    hits: list[PersonalDataHit] = []
    for (_, line), found in zip(pairs, scan_many(flat), strict=True):
        hits.extend(dataclasses.replace(hit, line=line + hit.line - 1) for hit in found)
    return hits


def _scan(text: str, first_line: int, cpr_only: bool = False) -> list[PersonalDataHit]:
    hits: list[PersonalDataHit] = []
    worth_scanning = _WORTH_SCANNING_CPR if cpr_only else _WORTH_SCANNING
    # One search over the whole text finds the next line worth scanning (no pattern spans a newline):
    # searching line by line was a call per line, a millisecond a file.
    position, line_no, line_start = 0, first_line, 0
    while (worth := worth_scanning.search(text, position)) is not None:
        start = text.rfind("\n", 0, worth.start()) + 1
        end = text.find("\n", worth.end())
        end = len(text) if end < 0 else end
        line_no += text.count("\n", line_start, start)
        line_start, position = start, end + 1
        following = ""
        if end < len(text):
            after = text.find("\n", end + 1)
            following = text[end + 1 : len(text) if after < 0 else after]
        hits.extend(line_hits(text[start:end], following, line_no, cpr_only))
    return hits


def line_hits(line: str, following: str, line_no: int, cpr_only: bool = False) -> list[PersonalDataHit]:
    """The hits of one line in reading order; following is the next line, for a number split over both."""
    line, following = _plain(line), _plain(following)
    found = _cpr_hits(line, line_no) + _split_cpr_hits(line, following, line_no)
    if not cpr_only:
        found += _email_hits(line, line_no) + _phone_hits(line, line_no)
    found.sort(key=lambda pair: pair[0])
    return [hit for _, hit in found]


def _plain(line: str) -> str:
    line = line.rstrip("\r")
    return without_markup(line) if any(char in line for char in MARKUP_CHARS) else line


# --- CPR ---------------------------------------------------------------------------------------------------


def birth_date(date_digits: str, serial: str, today: dt.date | None = None) -> dt.date | None:
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


def mod11_ok(digits: str) -> bool:
    return sum(int(d) * w for d, w in zip(digits, _CPR_WEIGHTS, strict=True)) % 11 == 0


def _is_clock_time(serial: str) -> bool:
    return int(serial[:2]) <= 23 and int(serial[2:]) <= 59


def _cpr_hits(line: str, line_no: int, first: int = 0) -> list[tuple[int, PersonalDataHit]]:
    """The CPR numbers in line that start at or after position first."""
    out: list[tuple[int, PersonalDataHit]] = []
    position = first
    while (match := _CPR.search(line, position)) is not None:
        start = match.start()
        date_digits = re.sub(r"[^0-9]", "", line[start : match.start("sep")])
        serial, sep = match.group("serial"), match.group("sep")
        if birth_date(date_digits, serial) and _cpr_form_holds(line, match, date_digits, serial, sep):
            out.append((start, _cpr_hit(line_no, date_digits)))
            position = match.end()
        else:  # a rejected reading may hide a real number starting inside it
            position = start + 1
    return out


def _cpr_form_holds(line: str, match: re.Match[str], date_digits: str, serial: str, sep: str) -> bool:
    start = match.start()
    if match.group("ds") is None:  # ddmmyy
        if sep:
            return True
        if _DECIMAL_BEFORE.search(line, max(0, start - 2), start) or _DECIMAL_AFTER.match(line, match.end()):
            return False
        return mod11_ok(date_digits + serial) or _cpr_word_before(line, start)
    if not sep:  # 01.01.901235 reads as a decimal number
        return False
    if sep.strip(SPACES) or match.group("ds") in SPACES:  # a dash, or 01 01 90 1235
        return True
    return not _is_clock_time(serial) or _cpr_word_before(line, start)


def _cpr_word_before(line: str, start: int) -> bool:
    return _CPR_WORD.search(line, max(0, start - _CPR_WORD_REACH), start) is not None


def _split_cpr_hits(line: str, following: str, line_no: int) -> list[tuple[int, PersonalDataHit]]:
    """A CPR number whose date ends this line and whose serial starts the next one."""
    if not following or not line or not (line[-1].isdigit() or line[-1] in DASHES or line[-1] in SPACES):
        return []
    tail = _DATE_AT_END.search(line, max(0, len(line) - 24))
    head = _SERIAL_AT_START.match(following)
    if tail is None or head is None:
        return []
    joined = line.rstrip(SPACES) + " " + head.group().lstrip(SPACES)
    return _cpr_hits(joined, line_no, tail.start())


def _cpr_hit(line_no: int, date_digits: str) -> PersonalDataHit:
    message = (
        f"CPR-nummer ({date_digits}-xxxx) må aldrig offentliggøres: fjern det "
        "(se docs/takedown.md, hvis det allerede er offentliggjort)"
    )
    return PersonalDataHit(line_no, "cpr", "error", message)


# The last guard, over the bytes of every file a build writes: ddmmyy-ssss or ddmmyy ssss standing alone
# (a hyphen, an en or em dash, a minus, a space or a no-break space between). Every input is scanned
# before (above), so this finds only a number that an output put together from several inputs; the
# forms without a separator are left out, since digests and ids in the output are full of digit runs.
_OUTPUT_CPR = re.compile(  # led by a digit, not a look-behind: re then skips to the next digit (5x faster)
    rb"([0-9](?<![0-9A-Za-z][0-9])[0-9]{5})(?:-|\xe2\x80[\x90-\x94]|\xe2\x88\x92| |\xc2\xa0)([0-9]{4})(?![0-9A-Za-z])"
)


_ONE_DIGIT = bytes.maketrans(b"123456789", b"000000000")
_SIX = b"000000"


def cpr_in_output(data: bytes) -> str | None:
    """The date part of the first CPR number in a file's bytes (for a message that masks the rest).

    A match begins a run of six or more ASCII digits. With every digit made "0" (bytes.translate), such
    runs are found by bytes.find, and the pattern is tried at each run's start alone: a page has
    thousands of digits (dates, times, item numbers) and seldom a run of six, which made the pattern's own
    scan, trying every digit, the larger part of the guard's cost."""
    digits = data.translate(_ONE_DIGIT)
    at = digits.find(_SIX)
    while at != -1:
        match = _OUTPUT_CPR.match(data, at)
        if match is not None:
            date_digits, serial = match.group(1).decode(), match.group(2).decode()
            if birth_date(date_digits, serial):
                return date_digits
        end = at + len(_SIX)
        while digits[end : end + 1] == b"0":  # the rest of this run: no match starts inside it
            end += 1
        at = digits.find(_SIX, end)
    return None


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
        message = (
            f"e-mailadresse ({masked}): fjern den, medmindre det er en arbejdsadresse, "
            "som personen har sagt ja til at offentliggøre"
        )
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
        # Labels and units are looked for next to the number only: searching the whole line for each
        # number would be quadratic in the line's length.
        before = line[max(0, match.start() - _LABEL_REACH) : match.start()]
        if _NOT_PHONE_AFTER.match(line, match.end(), match.end() + _LABEL_REACH):
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
        message = (
            f"telefonnummer ({masked}): fjern det, medmindre det er et arbejdsnummer, der må offentliggøres"
        )
        out.append((match.start(), PersonalDataHit(line_no, "phone", "warning", message)))
    return out
