"""Danish (and, for CMS templates, English) month and weekday names: the one list the engine's date
scanner and the importer share."""

from __future__ import annotations

MONTHS = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip
MONTHS_EN = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
WEEKDAYS = ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag")
WEEKDAYS_EN = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def month_number(name: str) -> int:
    """1-12 for a Danish or English month name or its abbreviation ("dec", "dec.", "okt", "Oct"), else 0."""
    word = name.strip().rstrip(".").lower()
    if len(word) < 3:
        return 0
    for names in (MONTHS, MONTHS_EN):
        for number, full in enumerate(names, 1):
            if full == word or (full.startswith(word) and len(word) <= len(full)):
                return number
    return {"okt": 10, "mar": 3, "mai": 5}.get(word[:3], 0)
