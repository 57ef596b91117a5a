"""Word lists for the generated corpus: Danish-ish clusters, people, places."""

from __future__ import annotations

# (name, region). The first five are the repo's real clusters; the rest make the site as wide as the
# real national site will be (about 21 clusters).
CLUSTERS: tuple[tuple[str, str], ...] = (
    ("Fyn", "Region Syddanmark"),
    ("Sydvestjylland", "Region Syddanmark"),
    ("Midt", "Region Nordjylland"),
    ("Sønderjylland", "Region Syddanmark"),
    ("Nykøbing Falster", "Region Sjælland"),
    ("Lillebælt", "Region Syddanmark"),
    ("Vestjylland", "Region Midtjylland"),
    ("Østjylland", "Region Midtjylland"),
    ("Horsens", "Region Midtjylland"),
    ("Randers", "Region Midtjylland"),
    ("Viborg", "Region Midtjylland"),
    ("Nordjylland Nord", "Region Nordjylland"),
    ("Thy-Mors", "Region Nordjylland"),
    ("Himmerland", "Region Nordjylland"),
    ("Nordsjælland", "Region Hovedstaden"),
    ("Herlev og Gentofte", "Region Hovedstaden"),
    ("Bispebjerg og Frederiksberg", "Region Hovedstaden"),
    ("Amager og Hvidovre", "Region Hovedstaden"),
    ("Bornholm", "Region Hovedstaden"),
    ("Sjælland Øst", "Region Sjælland"),
    ("Holbæk", "Region Sjælland"),
    ("Slagelse", "Region Sjælland"),
    ("Næstved", "Region Sjælland"),
    ("Kolding og Vejle", "Region Syddanmark"),
)

# Three forums, slugs as in the repo's site_config.yaml.
FORUMS: tuple[tuple[str, str], ...] = (
    ("politisk-niveau", "Politisk niveau"),
    ("fagligt-strategisk-niveau", "Fagligt strategisk niveau"),
    ("chefforum", "Chefforum"),
)

MONTHS = (
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
)

FIRST_NAMES = (
    "Anne", "Bo", "Mette", "Lars", "Søren", "Karen", "Jesper", "Birgitte", "Henrik", "Tina", "Mads",
    "Rikke", "Frank", "Sys", "Stephanie", "Torben", "Mia", "Carsten", "Anni", "Daniel", "Solveig", "Jørgen",
)  # fmt: skip
LAST_NAMES = (
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen", "Rasmussen",
    "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olesen", "Thomsen", "Møller", "Kjeldgaard", "Winther",
)  # fmt: skip
ORGS = (
    "V", "A", "C", "F", "O", "Ø", "B", "PLO", "Esbjerg Kommune", "Aalborg Kommune", "Odense Kommune",
    "Region Syddanmark", "Region Sjælland", "Psykiatrien", "Patientinddragelsesudvalget",
)  # fmt: skip
LOCATIONS = (
    "Online - MS Teams",
    "Lokale 14, Klørvænget 8, 5000 Odense C",
    "Psykiatrisk Afdeling, Esbjerg",
    "Rådhuset, mødelokale 2",
    "Sygehuset, auditoriet",
    "Regionshuset, Alléen 15, 4180 Sorø",
)


def cluster_slug(name: str) -> str:
    """Slugs the way site_config.yaml spells them: ASCII, Danish letters transliterated."""
    table = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", " ": "-"})
    return name.lower().translate(table)
