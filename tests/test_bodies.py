"""Bodies over time: clusters until the reform, sundhedsråd after it, joint meetings, region renames, a case
that spans the reform, and the secretariat's path through `new` on a copy of the real site."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, broken_links, build, page, run_cli

CONFIG = """\
title: Test
base_url: https://example.org/
regions:
  - {name: Region Gammel, until: 2025-06-30, successor: Region Ny}
  - {name: Region Ny, from: 2025-07-01}
  - {name: Region Øst, from: 2027-01-01}
clusters:
  a:
    name: Alfa
    region: Region Ny
    municipalities: [Aby, Abro]
    hospital: Alfa Sygehus
    from: 2022-07-01
    until: 2026-12-31
    successors: [raad]
  b:
    name: Beta
    region: Region Ny
    from: 2022-07-01
    until: 2026-12-31
    successors: [raad]
  c:
    name: Gammaklyngen
    region: Region Ny
    from: 2022-07-01
    until: 2026-12-31
    successors: [raad]
  x:
    name: Xi
    region: Region Gammel
    from: 2022-07-01
    until: 2026-12-31
bodies:
  raad:
    kind: sundhedsraad
    name: Fjorden
    region: Region Øst
    municipalities: [Aby, Abro, Bby]
    from: 2027-01-01
forums:
  politisk-niveau: {name: Politisk niveau}
  chefforum: {name: Chefforum}
topics:
  laegedaekning: {name: Lægedækning, patterns: [lægedækning*]}
"""


def meeting(body: str, day: str, forum: str = "politisk-niveau", extra: str = "", case: str = "") -> str:
    case_line = f"Sagsnr.: {case}\n\n" if case else ""
    return f"""---
cluster: {body}
forum: {forum}
date: {day}
time: "10:00"
{extra}---

## Punkt 1: Lægedækning i området

{case_line}### Beslutning

Godkendt på mødet i {body}.
"""


MEETINGS = {
    "a/2025-03-01-politisk-niveau.md": meeting("a", "2025-03-01"),
    "a/2026-05-01-politisk-niveau.md": meeting("a", "2026-05-01", case="26/100"),
    # the joint meeting of three clusters, written by a
    "a/2026-09-01-politisk-niveau.md": meeting("a", "2026-09-01", extra="joint_with: [b, c]\n"),
    "b/2026-02-01-politisk-niveau.md": meeting("b", "2026-02-01"),
    "b/2026-11-01-politisk-niveau.md": meeting("b", "2026-11-01"),
    "c/2025-10-01-politisk-niveau.md": meeting("c", "2025-10-01"),
    "x/2025-03-15-chefforum.md": meeting("x", "2025-03-15", "chefforum"),
    "x/2025-09-15-chefforum.md": meeting("x", "2025-09-15", "chefforum"),
    "raad/2027-02-01-politisk-niveau.md": meeting("raad", "2027-02-01", case="26/100"),
    "raad/2027-04-01-politisk-niveau.md": meeting("raad", "2027-04-01"),
}


def write_site(root: Path, meetings: dict[str, str] = MEETINGS, config: str = CONFIG) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "site_config.yaml").write_text(config, "utf-8")
    for rel, text in meetings.items():
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
    return root


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build(write_site(tmp_path_factory.mktemp("bodies")))


def hrefs(soup, selector: str = "main a") -> list[str]:
    return [a["href"] for a in soup.select(selector)]


def text(soup) -> str:
    return " ".join(soup.find("main").get_text(" ", strip=True).split())


def test_council_pages_live_under_their_own_root_and_clusters_keep_theirs(out: Path) -> None:
    assert (out / "sundhedsraad/raad/index.html").is_file()
    assert (out / "sundhedsraad/raad/2027-02-01-politisk-niveau/index.html").is_file()
    assert (out / "klynger/a/2026-05-01-politisk-niveau/index.html").is_file()
    assert not (out / "klynger/raad").exists()
    council = page(out, "/sundhedsraad/raad/")
    assert council.find("h1").get_text(strip=True).startswith("Sundhedsråd Fjorden")
    assert "Sundhedsklynge Alfa" in page(out, "/klynger/a/").find("h1").get_text()
    assert page(out, "/klynger/c/").find("h1").contents[0].strip() == "Gammaklyngen"
    assert broken_links(out) == []


def test_links_run_both_ways_between_clusters_and_their_council(out: Path) -> None:
    alfa = page(out, "/klynger/a/")
    sentence = " ".join(alfa.select_one("p.continuation").get_text().split())
    assert sentence == "Sundhedsklyngens arbejde videreføres fra 1. januar 2027 i Sundhedsråd Fjorden."
    assert "/sundhedsraad/raad/" in hrefs(alfa, "p.continuation a")
    council = page(out, "/sundhedsraad/raad/")
    archives = hrefs(council, "section.archives a")
    assert archives == ["/klynger/a/", "/klynger/b/", "/klynger/c/"]
    assert {"/klynger/a/", "/klynger/b/", "/klynger/c/"} <= set(hrefs(council, "dl.facts a"))
    assert "Aby, Abro, Bby" in text(council)
    assert "Periode fra 1. februar 2027" not in text(council) and "fra 1. januar 2027" in text(council)


def test_a_joint_meeting_counts_for_every_body_taking_part(out: Path) -> None:
    joint = "/klynger/a/2026-09-01-politisk-niveau/"
    for body in ("a", "b", "c"):
        assert joint in hrefs(page(out, f"/klynger/{body}/")), body
        feed = (out / f"feeds/klynger/{body}.atom").read_text("utf-8")
        assert f"https://example.org{joint}" in feed, body
        assert "2026-09-01" in (out / f"kalender/{body}.ics").read_text("utf-8"), body
    assert "(3 møder)" in text(page(out, "/klynger/b/")) or "3 møder" in text(page(out, "/klynger/b/"))
    meeting = page(out, joint)
    facts = meeting.select_one("dl.facts")
    assert facts.find("dt").get_text() == "Fællesmøde"
    assert hrefs(facts, "dd a")[:3] == ["/klynger/a/", "/klynger/b/", "/klynger/c/"]
    # prev/next: b's series runs 2026-02-01 → joint → 2026-11-01, and b's own meetings link to the joint one
    assert "/klynger/b/2026-02-01-politisk-niveau/" in hrefs(meeting)
    assert "/klynger/b/2026-11-01-politisk-niveau/" in hrefs(meeting)
    assert joint in hrefs(page(out, "/klynger/b/2026-11-01-politisk-niveau/"), "nav.prevnext a")
    data = json.loads((out / "data/meetings.json").read_text("utf-8"))
    [found] = [m for m in data["meetings"] if m["id"] == "a/2026-09-01-politisk-niveau"]
    assert [b["slug"] for b in found["bodies"]] == ["a", "b", "c"]
    counts = {b["slug"]: b["meetings"] for b in data["bodies"]}
    assert counts == {"a": 3, "b": 3, "c": 2, "x": 2, "raad": 2}


def test_region_is_the_one_in_force_on_the_meeting_date(out: Path) -> None:
    before = page(out, "/klynger/x/2025-03-15-chefforum/").select_one("dl.facts dd")
    after = page(out, "/klynger/x/2025-09-15-chefforum/").select_one("dl.facts dd")
    assert "(Region Gammel)" in before.get_text() and "(Region Ny)" in after.get_text()
    data = json.loads((out / "data/meetings.json").read_text("utf-8"))
    regions = {m["id"]: m["region"] for m in data["meetings"]}
    assert regions["x/2025-03-15-chefforum"] == "Region Gammel"
    assert regions["x/2025-09-15-chefforum"] == "Region Ny"
    assert regions["raad/2027-02-01-politisk-niveau"] == "Region Øst"
    [xi] = [b for b in data["bodies"] if b["slug"] == "x"]
    assert xi["regions"] == [
        {"name": "Region Gammel", "from": "2022-07-01", "until": "2025-06-30"},
        {"name": "Region Ny", "from": "2025-07-01", "until": "2026-12-31"},
    ]


def test_a_case_spanning_the_reform_is_one_history_with_a_feed(out: Path) -> None:
    case = page(out, "/sager/26-100/")
    links = hrefs(case)
    assert "/sundhedsraad/raad/2027-02-01-politisk-niveau/#punkt-1" in links
    assert "/klynger/a/2026-05-01-politisk-niveau/#punkt-1" in links
    feed = (out / "feeds/sager/26-100.atom").read_text("utf-8")
    assert feed.index("2027-02-01") < feed.index("2026-05-01")  # newest first
    assert (out / "feeds/fora/chefforum.atom").read_text("utf-8").count("<entry>") == 2


def test_after_the_reform_in_the_content_councils_come_first_and_clusters_are_the_archive(out: Path) -> None:
    home = page(out, "/")
    headings = [h.get_text(strip=True) for h in home.select("main h2 a")]
    assert headings == ["Sundhedsråd", "Sundhedsklynger (arkiv)"]
    nav = [a.get_text(strip=True) for a in home.select("nav.main-nav a")]
    assert nav[:2] == ["Sundhedsråd", "Klynger (arkiv)"]
    calendar = (out / "kalender/raad.ics").read_text("utf-8")
    assert "DTEND;TZID=Europe/Copenhagen:20270201T120000" in calendar.replace("\r\n ", "")


def test_before_the_reform_clusters_are_current(tmp_path: Path) -> None:
    early = {k: v for k, v in MEETINGS.items() if "2027" not in k}
    out = build(write_site(tmp_path, early))
    home = page(out, "/")
    assert [h.get_text(strip=True) for h in home.select("main h2 a")] == ["Sundhedsklynger", "Sundhedsråd"]
    assert "Kommende" in text(page(out, "/sundhedsraad/raad/"))


# --- bad input, each with file:line ----------------------------------------------------------------------


def check(site: Path) -> str:
    result = run_cli("check", "--site", site)
    assert "Traceback" not in result.stderr
    return result.stderr


def test_meeting_outside_its_bodys_lifetime(tmp_path: Path) -> None:
    site = write_site(tmp_path, {"a/2027-03-01-politisk-niveau.md": meeting("a", "2027-03-01")})
    err = check(site)
    assert re.search(
        r"content/a/2027-03-01-politisk-niveau\.md:2: fejl: .*uden for Sundhedsklynge Alfas levetid", err
    )
    assert "(fx raad)" in err


def test_joint_with_itself_or_an_unknown_body(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {
            "a/2026-03-01-politisk-niveau.md": meeting("a", "2026-03-01", extra="joint_with: [a]\n"),
            "b/2026-03-01-politisk-niveau.md": meeting("b", "2026-03-01", extra="joint_with: [gotland]\n"),
        },
    )
    err = check(site)
    assert re.search(
        r"content/a/2026-03-01-politisk-niveau\.md:6: fejl: joint_with nævner mødets eget organ 'a'", err
    )
    assert re.search(
        r"content/b/2026-03-01-politisk-niveau\.md:6: fejl: ukendt organ 'gotland' i joint_with", err
    )


def test_joint_with_a_body_that_did_not_exist_that_day(tmp_path: Path) -> None:
    site = write_site(
        tmp_path,
        {"a/2026-03-01-politisk-niveau.md": meeting("a", "2026-03-01", extra="joint_with: [raad]\n")},
    )
    assert re.search(r"\.md:6: fejl: .*uden for Sundhedsråd Fjordens levetid", check(site))


@pytest.mark.parametrize(
    ("change", "line", "message"),
    [
        ("successors: [raad]\n  b:", 15, "efterfølgeren 'nowhere' af a findes ikke"),
        ("kind: sundhedsraad", 35, "ukendt slags organ 'udvalget'"),
        ("  raad:\n", 34, "slug'en 'a' bruges allerede"),
        ("region: Region Ny\n    municipalities", 10, "regionen 'Region Atlantis' står ikke i regions"),
        ("until: 2026-12-31\n    successors: [raad]\n  b:", 14, "slutter (2020-01-01) før den begynder"),
    ],
)
def test_bad_bodies_in_the_config(tmp_path: Path, change: str, line: int, message: str) -> None:
    replacement = {
        "successors: [raad]\n  b:": "successors: [nowhere]\n  b:",
        "kind: sundhedsraad": "kind: udvalget",
        "  raad:\n": "  a:\n",
        "region: Region Ny\n    municipalities": "region: Region Atlantis\n    municipalities",
        "until: 2026-12-31\n    successors: [raad]\n  b:": "until: 2020-01-01\n    successors: [raad]\n  b:",
    }[change]
    config = CONFIG.replace(change, replacement, 1)
    site = write_site(tmp_path, {}, config)
    err = check(site)
    assert f"site_config.yaml:{line}: fejl: " in err, err
    assert message in err, err


# --- the secretariat's path on a copy of the real site -------------------------------------------------


def test_new_council_meeting_and_a_joint_meeting_on_the_real_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    shutil.copy(ROOT / "site_config.yaml", site / "site_config.yaml")
    shutil.copytree(ROOT / "content", site / "content")
    config = (site / "site_config.yaml").read_text("utf-8")
    # the slug looked up by the council's name
    slug = re.search(r"\n  ([a-z0-9-]+):\n    kind: sundhedsraad\n    name: Limfjorden\n", config).group(1)
    result = run_cli(
        "new", "--site", site, "--cluster", slug, "--forum", "politisk-niveau", "--date", "2027-01-20"
    )
    assert result.returncode == 0, result.stderr
    new = site / f"content/{slug}/2027-01-20-politisk-niveau.md"
    # the secretariat writes the referat into the skeleton (left unchanged it is an error in check)
    written = "\n".join(
        [new.read_text("utf-8").replace("draft: true", "draft: false").split("\n---\n")[0], "---", ""]
    ) + (
        "\n## Punkt 1: Velkommen og godkendelse af dagsorden\n\n### Beslutning\n\nDagsordenen blev godkendt.\n"
        "\n## Punkt 2: Lægedækning i Limfjorden\n\n### Beslutning\n\nRådet drøftede lægedækningen.\n"
    )
    new.write_text(written, "utf-8")
    seed = (site / "content/midt/2025-02-04-chefforum.md").read_text("utf-8")
    joint = seed.replace("date: 2025-02-04", "date: 2026-09-10\njoint_with: [syd, vest]", 1)
    (site / "content/midt/2026-09-10-chefforum.md").write_text(joint, "utf-8")
    assert run_cli("check", "--site", site).returncode == 0
    out = build(site)
    data = json.loads((out / "data/meetings.json").read_text("utf-8"))
    kinds = [b["kind"] for b in data["bodies"]]
    assert kinds.count("sundhedsklynge") >= 21 and kinds.count("sundhedsraad") == 17
    council = page(out, f"/sundhedsraad/{slug}/")
    assert "/klynger/midt/" in hrefs(council, "section.archives a")
    assert "/sundhedsraad/limfjorden/2027-01-20-politisk-niveau/" in hrefs(council)
    midt = page(out, "/klynger/midt/")
    assert f"/sundhedsraad/{slug}/" in hrefs(midt, "p.continuation a")
    for body in ("midt", "syd", "vest"):
        assert "/klynger/midt/2026-09-10-chefforum/" in hrefs(page(out, f"/klynger/{body}/")), body
    assert broken_links(out) == []
