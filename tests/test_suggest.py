"""The shared near-miss helper: names accepted wherever slugs are, and "mente du …?" for typos."""

from __future__ import annotations

import doctest

import pytest
from conftest import FIXTURES

from referater import suggest
from referater.config import load_config
from referater.suggest import did_you_mean, find_slug, names_of, nearest, nearest_slug

NAMES = {
    "fyn": ("Fyn", "Sundhedsklynge Fyn"),
    "soenderjylland": ("Sønderjylland",),
    "nykoebing-falster": ("Nykøbing Falster", "NFS"),
    "sydvestjylland": ("Sydvestjylland",),
}


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("fyn", "fyn"),
        ("Fyn", "fyn"),
        ("FYN", "fyn"),
        ("Sundhedsklynge Fyn", "fyn"),
        ("sundhedsklyngen fyn", "fyn"),
        ("Nykøbing Falster", "nykoebing-falster"),
        ("nykoebing falster", "nykoebing-falster"),
        ("NYKØBING-FALSTER", "nykoebing-falster"),
        ("  Nykøbing   Falster ", "nykoebing-falster"),
        ("nfs", "nykoebing-falster"),
        ("Sønderjylland", "soenderjylland"),
        ("Soenderjylland", "soenderjylland"),
        ("Sundhedsklynge Sønderjylland", "soenderjylland"),
    ],
)
def test_find_slug_accepts_slugs_names_and_spellings(text: str, slug: str) -> None:
    assert find_slug(text, NAMES) == slug


@pytest.mark.parametrize("text", ["sydvestjyland", "", "  ", "Sundhedsklynge", "Midt", "fy"])
def test_find_slug_never_guesses(text: str) -> None:
    assert find_slug(text, NAMES) is None


def test_nearest_suggests_typos_only() -> None:
    assert nearest("sydvestjyland", NAMES) == "sydvestjylland"
    assert nearest("Beslutnig", ["Resumé", "Beslutning", "Bilag"]) == "Beslutning"
    assert nearest("sagsfremstiling", ["Sagsfremstilling", "Indstilling"]) == "Sagsfremstilling"
    assert nearest("Sonderjylland", NAMES) == "soenderjylland"
    assert nearest("Referatets noter", ["Beslutning", "Bilag"]) is None
    assert nearest("x", []) is None
    assert nearest("", ["Beslutning"]) is None


def test_nearest_slug_goes_through_names() -> None:
    assert nearest_slug("Nykøbing Falstr", NAMES) == "nykoebing-falster"
    assert nearest_slug("Sundhedsklynge Fynn", NAMES) == "fyn"
    assert nearest_slug("Hovedstaden", NAMES) is None


def test_did_you_mean_is_danish_and_empty_without_a_candidate() -> None:
    assert did_you_mean("Beslutnig", ["Beslutning"]) == " – mente du 'Beslutning'?"
    assert did_you_mean("Noget helt andet", ["Beslutning"]) == ""


def test_names_of_the_real_config() -> None:
    config = load_config(FIXTURES / "links")
    names = names_of(config.clusters)
    some = next(iter(config.clusters.values()))
    assert find_slug(some.name.upper(), names) == some.slug


def test_docstring_examples_hold() -> None:
    result = doctest.testmod(suggest)
    assert result.attempted >= 3 and result.failed == 0
