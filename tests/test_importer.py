"""Importer: seed referater → content files, PDFs, closed items, unreadable input, overwrite rules."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "import"
SEEDS = FIXTURES / "seeds"  # copies of /work/shared/seeds, so that the tests run anywhere
SEED_FILES = {
    "000": "fyn/2023-12-05-fagligt-strategisk-niveau.md",
    "001": "sydvestjylland/2023-12-05-politisk-niveau.md",
    "002": "midt/2025-02-04-chefforum.md",
    "003": "soenderjylland/2024-04-22-fagligt-strategisk-niveau.md",
    "004": "nykoebing-falster/2024-04-22-politisk-niveau.md",
}


def seed(prefix: str) -> Path:
    found = sorted(SEEDS.glob(f"{prefix}_*.txt"))
    if not found:
        pytest.skip(f"seed {prefix} not available in {SEEDS}")
    return found[0]


@pytest.fixture()
def site(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "site_config.yaml", tmp_path / "site_config.yaml")
    return tmp_path


def run_import(site: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, str(ROOT / "build.py"), "import", "--site", str(site), *args],
        input=stdin,
        capture_output=True,
        env=env,
        cwd=site,
        timeout=120,
    )


def import_text(site: Path, path: Path, *extra: str) -> str:
    result = run_import(site, str(path), "--stdout", *extra)
    assert result.returncode == 0, result.stderr.decode()
    return result.stdout.decode("utf-8")


def split(markdown: str) -> tuple[dict, str]:
    assert markdown.startswith("---\n")
    head, body = markdown[4:].split("\n---\n", 1)
    return yaml.safe_load(head), body


def items(markdown: str) -> list[dict]:
    """Items of a content file: number, title, meta lines and sections (heading → text)."""
    _, body = split(markdown)
    result = []
    for chunk in re.split(r"^## ", body, flags=re.M)[1:]:
        head, _, rest = chunk.partition("\n")
        m = re.match(r"Punkt (\d+): (.*)$", head)
        assert m, head
        parts = re.split(r"^### (.*)$", rest, flags=re.M)
        sections = [(parts[i].strip(), parts[i + 1].strip()) for i in range(1, len(parts), 2)]
        result.append({"number": int(m.group(1)), "title": m.group(2), "pre": parts[0], "sections": sections})
    return result


def decisions(item: dict) -> list[str]:
    return [_flat(text) for heading, text in item["sections"] if re.match(r"Beslutning(?: |$)", heading)]


def _flat(text: str) -> str:
    text = re.sub(r"(?m)^\s*(#{1,6}|-|\d+\.)\s+", "", text)
    return re.sub(r"\s+", " ", text).strip()


# --- the seeds ------------------------------------------------------------------------------------

EXPECTED_COUNTS = {"000": 9, "001": 11, "002": 10, "003": 3, "004": 10}


@pytest.mark.parametrize("prefix", sorted(SEED_FILES))
def test_seed_reproduces_committed_content(site: Path, prefix: str) -> None:
    result = run_import(site, str(seed(prefix)))
    assert result.returncode == 0, result.stderr.decode()
    written = site / "content" / SEED_FILES[prefix]
    assert f"skrev {written}" in result.stdout.decode()
    assert written.read_bytes() == (ROOT / "content" / SEED_FILES[prefix]).read_bytes()
    assert "Traceback" not in result.stderr.decode()


@pytest.mark.parametrize("prefix", sorted(SEED_FILES))
def test_seed_item_count_and_frontmatter(site: Path, prefix: str) -> None:
    markdown = import_text(site, seed(prefix))
    meta, body = split(markdown)
    cluster, name = SEED_FILES[prefix].split("/")
    assert meta["cluster"] == cluster
    assert f"{meta['date']}-{meta['forum']}.md" == name
    assert meta["source"] == seed(prefix).name
    found = items(markdown)
    assert len(found) == EXPECTED_COUNTS[prefix]
    assert [i["number"] for i in found] == list(range(1, EXPECTED_COUNTS[prefix] + 1))
    assert "Indholdsfortegnelse" not in body and "....." not in body
    assert re.search(r'^time: "\d\d:\d\d"$', markdown, re.M)


def test_fyn_titles_and_decisions(site: Path) -> None:
    found = items(import_text(site, seed("000")))
    assert [i["title"] for i in found] == [
        "Velkommen og godkendelse af dagsorden",
        "Opsamling på heldagsseminar",
        "Drøftelse af dagsorden til det politiske klyngemøde den 30. april 2024",
        "Drøftelse af input til temadag om implementeringsplan for Sundhedsaftalen 2024-2027",
        "Udvalgelse af initiativer til det Nationale Ledelsesprogram på Sundhedsområdet (hold 3)",
        "Skriftlig orientering - Nyt fra Koordineringsforum",
        "Skriftlig orientering – PRO Hjerterehabilitering",
        "Gensidig orientering",
        "Eventuelt",
    ]
    # The agenda's time plan is a field of the item, written under its heading, not part of its title.
    assert [re.search(r"^Tidspunkt: (.*)$", i["pre"], re.M).group(1) for i in found] == [
        "9.00–9.05", "9.05–9.55", "9.55–10.15", "10.15–10.30", "10.30–10.45", "10.45–10.50",
        "10.45–10.50", "10.50–10.55", "10.55–11.00",
    ]  # fmt: skip
    first = decisions(found[0])
    assert first == [
        "Dagsordenen blev godkendt. Det blev besluttet, at møderne som udgangspunkt udvides til 3 timer fra "
        "2024. Inden hvert møde vurderes det ud fra den prioriterede dagsorden, om mødet kan afholdes på "
        "kortere tid."
    ]
    assert decisions(found[5]) == ["Ingen bemærkninger."]
    assert decisions(found[6]) == ["Ingen bemærkninger."]
    assert decisions(found[8]) == ["Intet."]
    assert decisions(found[7])[0].endswith(
        "Tvang skal sættes på dagsorden til FSN på et kommende møde i 2024."
    )
    assert "Oplæg v/Mogens Bak Hansen om forebyggelse" in decisions(found[1])[0]
    # Bilag sections are lists, one attachment per item.
    bilag = [text for heading, text in found[4]["sections"] if heading == "Bilag"]
    assert bilag[-1].splitlines() == [
        "- Vejledning til klyngerne 2024 - 2025.pptx",
        "- Initiativer til det nationale ledelsesprogram fra klyngen.pdf",
    ]


def test_fyn_numbered_list_in_indstilling_stays_in_item(site: Path) -> None:
    found = items(import_text(site, seed("000")))
    indstilling = dict(found[0]["sections"])["Indstilling"]
    assert "1. Godkender dagsordenen til herværende møde" in indstilling
    assert "2. Drøfter og beslutter mødernes længde" in indstilling
    # "Punkt 1. Besøg …" inside item 3 is text, not a new agenda item.
    assert "Punkt 1. Besøg på matriklen" in found[2]["pre"]


def test_sydvestjylland_participants_cases_and_decisions(site: Path) -> None:
    markdown = import_text(site, seed("001"))
    meta, _ = split(markdown)
    assert meta["forum"] == "politisk-niveau"  # inferred: the title names no forum
    people = {p["name"]: p for p in meta["participants"]}
    assert len(people) == 11
    assert people["Bo Libergren"] == {"name": "Bo Libergren", "org": "V"}
    assert people["Stephanie Storbank"]["org"] == "Billund Kommune"
    absent = sorted(name for name, p in people.items() if p.get("absent"))
    assert absent == ["Mette Bossen Linnet", "Mette With Hagensen", "Pernelle Jensen"]
    found = items(markdown)
    assert all(i["pre"].strip().startswith("Sagsnr.: 22/43402") for i in found)
    assert found[1]["title"] == "Temadrøftelse - frivillighed"
    assert found[8]["title"].endswith("udarbejdelse af implementeringsplan for Sundhedsaftalen 2024-2027")
    headings = [h for h, _ in found[0]["sections"]]
    assert headings == ["Beslutning i Sundhedsklynge Sydvestjylland den 05-12-2023", "Fraværende"]
    assert decisions(found[4]) == ["Budgettet blev godkendt."]
    assert decisions(found[10]) == ["Intet at bemærke."]


def test_midt_participants_from_item_one(site: Path) -> None:
    markdown = import_text(site, seed("002"))
    meta, _ = split(markdown)
    people = {p["name"]: p for p in meta["participants"]}
    assert len(people) == 13
    assert people["Daniel Kjærgaard Simonsen"]["role"] == "medformand, ordstyrer"
    assert people["Bodil Bech Winther"].get("absent") is True
    assert people["Marianne Siersbæk"].get("absent") is True  # "deltog ikke" in the decision
    assert "absent" not in people["Tina Maria Larsen"]  # "afbud", but the decision says she took part
    assert [p["name"] for p in meta["secretariat"]] == [
        "Dorte Rosendal-Meier",
        "Bibi Bording Pedersen",
        "Maja Lynderup Behrmann",
    ]
    found = items(markdown)
    assert found[0]["title"] == "Deltagere"  # item 1 stays content
    assert decisions(found[1]) == ["Indstillingen blev godkendt."]
    assert decisions(found[9]) == ["Ingen bemærkninger."]
    assert [h for h, _ in found[9]["sections"]] == ["Beslutning"]  # empty Sagsfremstilling dropped


def test_soenderjylland_markdown_decorated(site: Path) -> None:
    found = items(import_text(site, seed("003")))
    assert [i["title"] for i in found] == [
        "Indsatser for sikring af lægedækning i Sønderjylland",
        "LEAD-projekt - Afprøve redskaber til kommunikation og information på tværs af sektorer med fokus på "
        "børn- og ungeområdet",
        "Anvendelse af den resterende del af klyngemidler",
    ]
    assert [re.search(r"^Tidspunkt: (.*)$", i["pre"], re.M).group(1) for i in found] == [
        "15 min",
        "25 min",
        "20 min",
    ]
    assert [h for h, _ in found[0]["sections"]] == [
        "Resumé",
        "Sagsfremstilling",
        "Indstilling",
        "Beslutning",
        "Bilag",
    ]
    assert "#### Den videre proces" in dict(found[0]["sections"])["Sagsfremstilling"]
    assert decisions(found[2])[0].startswith("Fagligt Strategisk Niveau drøftede hvordan klyngemidlerne")


def test_nykoebing_falster_debris_and_metadata(site: Path) -> None:
    markdown = import_text(site, seed("004"))
    found = items(markdown)
    assert found[0]["pre"].strip().splitlines() == ["Sagsnr.: EMN-2022-08415", "Dok ID: 11406564"]  # noqa
    assert all("Sagsnr.: EMN-2022-08415" in i["pre"] for i in found)
    assert "(Åben)" not in markdown and "NFS Sundhedsklynge Politisk" not in markdown
    for item in found:
        headings = [h for h, _ in item["sections"]]
        assert "Koordinering med andre afdelinger" not in headings  # only "." in the source
        assert "Fraværende" not in headings and "Tidligere beslutninger" not in headings
    assert decisions(found[0]) == ["Godkendt."]
    assert decisions(found[8]) == [
        "Godkendt. Politisk Forum ønsker oplæsning af protokol og godkendelse på mødet fremadrettet."
    ]
    assert (
        found[2]["title"]
        == "Godkendelse af 'Strategiske og langsigtede målsætninger for Sundhedsklynge Nykøbing Falster'"
    )
    bilag = [text for heading, text in found[6]["sections"] if heading == "Bilag"]
    assert bilag[-1] == (
        "1. STATUS_Overblik sundhedsklyngens tiltag, udviklingsprojekter og indsatser 2024.docx "
        "(DokID: 11412452 - EMN-2022-08415)"
    )


def test_running_twice_is_byte_identical(site: Path) -> None:
    for prefix in SEED_FILES:
        assert import_text(site, seed(prefix)) == import_text(site, seed(prefix))


# --- PDF ------------------------------------------------------------------------------------------


def make_pdf(text: str, path: Path) -> None:
    """The seed text typeset on A4, long lines wrapped as a real PDF export wraps them."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import simpleSplit
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    font = "Helvetica"
    ttf = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    if ttf.exists():
        pdfmetrics.registerFont(TTFont("DejaVuSans", str(ttf)))
        font = "DejaVuSans"
    pdf = canvas.Canvas(str(path), pagesize=A4)
    width, height = A4
    y = height - 50
    for raw in text.splitlines():
        for part in simpleSplit(raw.replace("\t", "    "), font, 10, width - 100) or [""]:
            if y < 50:
                pdf.showPage()
                y = height - 50
            pdf.setFont(font, 10)
            pdf.drawString(50, y, part)
            y -= 13
    pdf.save()


@pytest.mark.parametrize("prefix", sorted(SEED_FILES))
def test_pdf_imports_to_the_same_meeting(site: Path, tmp_path: Path, prefix: str) -> None:
    pdf = tmp_path / f"{prefix}.pdf"
    make_pdf(seed(prefix).read_text(encoding="utf-8"), pdf)
    from_text = import_text(site, seed(prefix))
    from_pdf = import_text(site, pdf)
    meta_t, _ = split(from_text)
    meta_p, _ = split(from_pdf)
    assert {k: v for k, v in meta_p.items() if k != "source"} == {
        k: v for k, v in meta_t.items() if k != "source"
    }
    assert meta_p["source"] == pdf.name
    text_items, pdf_items = items(from_text), items(from_pdf)
    assert [(i["number"], i["title"]) for i in pdf_items] == [(i["number"], i["title"]) for i in text_items]
    assert [decisions(i) for i in pdf_items] == [decisions(i) for i in text_items]


def test_pdf_without_text_is_refused(site: Path, tmp_path: Path) -> None:
    from reportlab.pdfgen import canvas

    pdf = tmp_path / "scan.pdf"
    page = canvas.Canvas(str(pdf))
    page.rect(100, 100, 300, 400, fill=1)  # an image-like page, no text
    page.save()
    result = run_import(site, str(pdf))
    assert result.returncode != 0
    err = result.stderr.decode()
    assert "ingen tekst" in err and "scannet" in err and "Traceback" not in err


# --- closed items ---------------------------------------------------------------------------------


def test_closed_items_never_leak(site: Path) -> None:
    markdown = import_text(site, FIXTURES / "closed.txt")
    assert "CANARY" not in markdown
    found = items(markdown)
    titles = [i["title"] for i in found]
    assert titles == [
        "Godkendelse af dagsorden",
        "LUKKET PUNKT - Salg af arealer",  # the source's own spelling of the marker is kept
        "Personalesag - Lukket punkt",
        "Lukket punkt",
        "Lukket punkt - Køb af bygning",
        "Eventuelt",
    ]
    for item in found[1:4]:
        assert item["sections"] == [] and item["pre"].strip() == "Lukket: ja"
    # Only an explicitly public decision of a closed item is published.
    assert found[4]["sections"] == [("Beslutning", "Klyngen godkendte købet.")]


def test_items_closed_by_repeated_header_or_toc_never_leak(site: Path) -> None:
    result = run_import(site, str(FIXTURES / "closed_marks.txt"), "--stdout")
    assert result.returncode == 0
    markdown = result.stdout.decode()
    assert "CANARY" not in markdown and "CANARY" not in result.stderr.decode()
    found = items(markdown)
    assert [i["title"] for i in found] == [
        "Godkendelse af dagsorden",
        "Ejendomshandel – Lukket punkt",
        "Personalesag – Lukket punkt",
    ]
    assert decisions(found[0]) == ["Godkendt."]
    assert found[1]["sections"] == [] and found[2]["sections"] == []


def test_first_agenda_layout_and_closed_item(site: Path) -> None:
    markdown = import_text(site, FIXTURES / "first_agenda.txt")
    meta, _ = split(markdown)
    assert (meta["cluster"], meta["forum"], str(meta["date"])) == (
        "soenderjylland",
        "politisk-niveau",
        "2024-06-12",
    )
    assert (meta["time"], meta["end_time"]) == ("14:00", "16:00")
    assert meta["participants"] == [{"name": "Hans Hansen", "org": "Aabenraa Kommune", "absent": True}]
    found = items(markdown)
    assert [(i["number"], i["title"]) for i in found] == [
        (4, "Godkendelse af dagsorden"),
        (5, "Lægedækning"),
        (6, "Forhandling om lejemål – Lukket punkt"),
    ]
    assert "1. Tager status til efterretning" in dict(found[1]["sections"])["Indstilling"]
    assert "CANARY" not in markdown


def test_numbered_items_with_numbered_lists(site: Path) -> None:
    found = items(import_text(site, FIXTURES / "numbered.txt"))
    assert [i["title"] for i in found] == [
        "Godkendelse af dagsorden",
        "Status på Kom trygt hjem",
        "Eventuelt",
    ]
    assert "2. Tager referatet til efterretning" in dict(found[0]["sections"])["Sagsfremstilling"]


def test_yaml_round_trips_awkward_names(site: Path) -> None:
    meta, _ = split(import_text(site, FIXTURES / "closed.txt"))
    assert {"name": "Carl: Test Nielsen", "org": "PLO"} in meta["participants"]


# --- options, stdin, overwrite --------------------------------------------------------------------


def test_options_override_and_unknown_forum_warns(site: Path) -> None:
    result = run_import(
        site, str(seed("001")), "--forum", "Tænketank", "--date", "2023-12-06", "--cluster", "FYN"
    )
    assert result.returncode == 0, result.stderr.decode()
    assert "advarsel" in result.stderr.decode() and "Tænketank" in result.stderr.decode()
    written = site / "content" / "fyn" / "2023-12-06-taenketank.md"
    assert written.exists()
    meta, _ = split(written.read_text(encoding="utf-8"))
    assert (meta["cluster"], meta["forum"]) == ("fyn", "taenketank")


def test_stdin(site: Path) -> None:
    result = run_import(site, "-", "--stdout", stdin=seed("004").read_bytes())
    assert result.returncode == 0, result.stderr.decode()
    meta, _ = split(result.stdout.decode())
    assert meta["cluster"] == "nykoebing-falster" and "source" not in meta


def test_no_overwrite_without_force(site: Path) -> None:
    target = site / "content" / SEED_FILES["000"]
    target.parent.mkdir(parents=True)
    target.write_text("hand edited\n", encoding="utf-8")
    result = run_import(site, str(seed("000")))
    assert result.returncode != 0
    assert "--force" in result.stderr.decode()
    assert target.read_text(encoding="utf-8") == "hand edited\n"
    result = run_import(site, str(seed("000")), "--force")
    assert result.returncode == 0
    assert target.read_bytes() == (ROOT / "content" / SEED_FILES["000"]).read_bytes()


def test_out_directory(site: Path, tmp_path: Path) -> None:
    out = tmp_path / "elsewhere"
    result = run_import(site, str(seed("003")), "--out", str(out))
    assert result.returncode == 0
    assert (out / SEED_FILES["003"]).exists()


# --- unreadable input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "phrase"),
    [
        ("empty.txt", b"", "tom"),
        ("blank.txt", b"  \n\n", "tom"),
        ("garbage.txt", bytes(range(256)) * 20, "binær"),
        ("broken.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 4, "PDF"),
        ("letter.txt", "Kære alle\n\nTak for i dag.\n".encode(), "ingen dagsordenspunkter"),
        (
            "page.html",
            b"<html><title>Forside</title><body><nav>Menu</nav><p>Velkommen</p></body></html>",
            "ingen dagsordenspunkter",
        ),
        ("fake.docx", b"PK\x03\x04" + bytes(range(256)) * 4, "Word"),
        ("old.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512), "Word 97-2003"),
        (
            "referat.odt",
            b"PK\x03\x04" + bytes(26) + b"mimetypeapplication/vnd.oasis.opendocument.text",
            "odt",
        ),
        ("referat.rtf", b"{\\rtf1\\ansi Referat \\par Punkt 1: Godkendelse}", "RTF"),
    ],
)
def test_unreadable_input_gives_one_clear_message(
    site: Path, tmp_path: Path, name: str, data: bytes, phrase: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = run_import(site, str(path))
    err = result.stderr.decode()
    assert result.returncode != 0
    assert phrase in err and f"{path}: fejl:" in err
    assert err.count("fejl:") == 1 and "Traceback" not in err
    assert not (site / "content").exists()


def test_missing_file_and_bad_date(site: Path, tmp_path: Path) -> None:
    result = run_import(site, str(tmp_path / "nope.txt"))
    assert result.returncode != 0 and "findes ikke" in result.stderr.decode()
    result = run_import(site, str(seed("000")), "--date", "5/12/2023")
    assert result.returncode != 0 and "YYYY-MM-DD" in result.stderr.decode()


def test_warnings_carry_file_and_line(site: Path, tmp_path: Path) -> None:
    path = tmp_path / "odd.txt"
    text = (
        seed("000").read_text(encoding="utf-8").replace("Mødested", "Mødested Lokale 1\n\nKaffe og kage", 1)
    )
    path.write_text(text, encoding="utf-8")
    result = run_import(site, str(path), "--stdout")
    assert result.returncode == 0
    assert re.search(
        rf"^{re.escape(str(path))}:\d+: advarsel: kunne ikke placere", result.stderr.decode(), re.M
    )


# --- the same seeds as Word and as a saved web page -----------------------------------------------


def make_docx(text: str, path: Path) -> None:
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    document.save(str(path))


def make_html(text: str, path: Path) -> None:
    """The seed as a portal page: navigation and a cookie banner around it, paragraphs as <p> with <br>."""
    import html

    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    body = "\n".join(
        "<p>" + "<br>".join(html.escape(ln) for ln in p.splitlines()) + "</p>" for p in paragraphs
    )
    path.write_text(
        "<!DOCTYPE html><html><head><title>Referat</title><style>p{}</style></head><body>"
        '<nav><a href="/">Forside</a></nav><div class="cookie-consent"><button>OK</button></div>'
        f"<main>{body}</main><footer>Kontakt</footer></body></html>",
        encoding="utf-8",
    )


@pytest.mark.parametrize("kind", ["docx", "html"])
@pytest.mark.parametrize("prefix", sorted(SEED_FILES))
def test_docx_and_html_import_to_the_same_meeting(site: Path, tmp_path: Path, prefix: str, kind: str) -> None:
    path = tmp_path / f"{prefix}.{kind}"
    (make_docx if kind == "docx" else make_html)(seed(prefix).read_text(encoding="utf-8"), path)
    from_text, from_other = import_text(site, seed(prefix)), import_text(site, path)
    meta_t, _ = split(from_text)
    meta_o, _ = split(from_other)
    assert {k: v for k, v in meta_o.items() if k != "source"} == {
        k: v for k, v in meta_t.items() if k != "source"
    }
    text_items, other_items = items(from_text), items(from_other)
    assert [(i["number"], i["title"]) for i in other_items] == [(i["number"], i["title"]) for i in text_items]
    assert [decisions(i) for i in other_items] == [decisions(i) for i in text_items]
