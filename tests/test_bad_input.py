"""Bad input never gets a traceback: one clear file:line message per problem, exit 1, output untouched."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import FIXTURES, build, copy_site, run_cli, tree_digest

GOOD = """---
cluster: nord
forum: chefforum
date: 2024-09-02
---

## Punkt 1: Godkendelse af dagsorden

### Beslutning

Godkendt.
"""

CASES = {
    "invalid-yaml": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.replace("forum: chefforum", "forum: [chefforum"),
        "content/nord/2024-09-02-chefforum.md:4: fejl: ugyldig YAML",
    ),
    "missing-cluster": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.replace("cluster: nord\n", ""),
        "content/nord/2024-09-02-chefforum.md:2: fejl: nøglen 'cluster' mangler",
    ),
    "unknown-cluster": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.replace("cluster: nord", "cluster: nordd"),
        "content/nord/2024-09-02-chefforum.md:2: fejl: ukendt klynge 'nordd' – mente du 'nord'? (kendte: nord, syd)",
    ),
    "unknown-forum": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.replace("forum: chefforum", "forum: chefforumm"),
        "content/nord/2024-09-02-chefforum.md:3: fejl: ukendt forum 'chefforumm' – mente du 'chefforum'? (kendte: politisk-niveau, chefforum)",
    ),
    "impossible-date": (
        "content/nord/2024-02-30-chefforum.md",
        GOOD.replace("2024-09-02", "2024-02-30"),
        "content/nord/2024-02-30-chefforum.md:4: fejl: umulig dato '2024-02-30'",
    ),
    "unknown-key": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.replace("date: 2024-09-02", "date: 2024-09-02\nlocaton: Rådhuset"),
        "content/nord/2024-09-02-chefforum.md:5: fejl: ukendt nøgle 'locaton'",
    ),
    "number-as-key": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.replace("date: 2024-09-02", "date: 2024-09-02\n0: null"),
        "content/nord/2024-09-02-chefforum.md:5: fejl: ukendt nøgle 0",
    ),
    "duplicate-meeting": (
        "content/nord/2024-02-08-politisk-niveau-kopi.md",
        GOOD.replace("forum: chefforum", "forum: politisk-niveau").replace("2024-09-02", "2024-02-08"),
        "content/nord/2024-02-08-politisk-niveau.md:4: fejl: samme møde som "
        "content/nord/2024-02-08-politisk-niveau-kopi.md",
    ),
    "heading-instead-of-item": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.replace("## Punkt 1: Godkendelse af dagsorden", "## Godkendelse af dagsorden"),
        "content/nord/2024-09-02-chefforum.md:7: fejl: uventet overskrift 'Godkendelse af dagsorden'",
    ),
    "text-before-items": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.replace("\n## Punkt 1", "Dagsorden\n\n## Punkt 1"),
        "content/nord/2024-09-02-chefforum.md:6: fejl: der er tekst før første dagsordenspunkt",
    ),
    "no-items": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.split("## Punkt")[0],
        "content/nord/2024-09-02-chefforum.md:6: fejl: der er ingen dagsordenspunkter",
    ),
    "item-number-twice": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD + "\n## Punkt 1: Eventuelt\n",
        "content/nord/2024-09-02-chefforum.md:13: fejl: punkt 1 findes to gange",
    ),
    "no-frontmatter": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.split("---\n", 2)[2],
        "content/nord/2024-09-02-chefforum.md:1: fejl: filen skal begynde med en metadatablok",
    ),
    "unclosed-frontmatter": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.replace("---\n\n##", "\n##"),
        "content/nord/2024-09-02-chefforum.md:1: fejl: metadatablokken, der begynder her, lukkes aldrig",
    ),
    "empty-file": (
        "content/nord/2024-09-02-chefforum.md",
        "",
        "content/nord/2024-09-02-chefforum.md:1: fejl: filen er tom",
    ),
    "wrong-file-name": (
        "content/nord/referat.md",
        GOOD,
        "content/nord/referat.md:4: fejl: filnavnet passer ikke til dato og forum: omdøb filen til 2024-09-02-chefforum.md",
    ),
    "cpr-number": (
        "content/nord/2024-09-02-chefforum.md",
        GOOD.replace("Godkendt.", "Borgeren med CPR 010203-1234 klagede."),
        "content/nord/2024-09-02-chefforum.md:11: fejl: CPR-nummer (010203-xxxx) må aldrig offentliggøres",
    ),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = copy_site(FIXTURES / "links", tmp_path_factory.mktemp("bad"))
    build(site)
    return site


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_reported_with_file_and_line(built: Path, case: str) -> None:
    rel, text, expected = CASES[case]
    before = tree_digest(built / "output")
    target = built / rel
    target.write_text(text, "utf-8")
    try:
        result = run_cli("build", "--site", built, "--no-search")
    finally:
        target.unlink()
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert expected in result.stderr, result.stderr
    assert "intet blev udgivet" in result.stderr
    assert tree_digest(built / "output") == before
    assert not (built / "output.staging").exists()


def test_non_utf8_file_names_the_line(built: Path) -> None:
    target = built / "content/nord/2024-09-02-chefforum.md"
    target.write_bytes(GOOD.replace("Godkendt.", "Godkendt af r\u00e5det.").encode("latin-1"))
    try:
        result = run_cli("build", "--site", built, "--no-search")
    finally:
        target.unlink()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "content/nord/2024-09-02-chefforum.md:11: fejl: filen er ikke UTF-8-tekst" in result.stderr


def test_all_errors_of_a_run_are_listed(built: Path) -> None:
    before = tree_digest(built / "output")
    first = built / "content/nord/2024-09-02-chefforum.md"
    second = built / "content/syd/2024-09-03-chefforum.md"
    first.write_text(GOOD.replace("cluster: nord", "cluster: fynn"), "utf-8")
    second.write_text(GOOD.replace("nord", "syd").replace("2024-09-02", "2024-02-31"), "utf-8")
    try:
        result = run_cli("build", "--site", built, "--no-search")
    finally:
        first.unlink()
        second.unlink()
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if ": fejl: " in line]
    assert len(errors) == 2, result.stderr
    assert "ukendt klynge 'fynn'" in errors[0] and "umulig dato '2024-02-31'" in errors[1]
    assert "2 fejl, 0 advarsler; intet blev udgivet, output/ er som før." in result.stderr
    assert tree_digest(built / "output") == before


def test_bad_config_is_reported_with_line(built: Path) -> None:
    config = built / "site_config.yaml"
    original = config.read_text("utf-8")
    config.write_text(original.replace("  nord:\n    name: Nord", "  Nord Klynge:\n    name: Nord"), "utf-8")
    try:
        result = run_cli("build", "--site", built, "--no-search")
    finally:
        config.write_text(original, "utf-8")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "site_config.yaml:7: fejl: det korte navn 'Nord Klynge' i clusters" in result.stderr


@pytest.mark.parametrize(
    "raw",
    [
        "\ufeff" + GOOD,  # byte order mark
        GOOD.replace("\n", "\r\n"),  # Windows line ends
        GOOD.replace("Godkendt.", "\tGodkendt." + " meget" * 20000),  # tabs, one very long line
        GOOD.replace("Godkendt.", "Godkendt.\n\n" + ("Et langt referat. " * 60 + "\n\n") * 4800),  # ~5 MB
    ],
    ids=["bom", "crlf", "long-line", "5mb"],
)
def test_awkward_but_valid_files_build(tmp_path: Path, raw: str) -> None:
    site = copy_site(FIXTURES / "links", tmp_path, with_content=False)
    target = site / "content/nord/2024-09-02-chefforum.md"
    target.parent.mkdir(parents=True)
    target.write_bytes(raw.encode("utf-8"))
    output = build(site)
    html = (output / "klynger/nord/2024-09-02-chefforum/index.html").read_text("utf-8")
    assert 'id="punkt-1"' in html and "Godkendt." in html
