"""Split the seed referater (plain text exported from the agenda system) into reusable agenda items.

The seeds are real minutes; the corpus recombines their items so the benchmark text has the real mix of
lengths, lists, dates and topic words. Parsing is deliberately forgiving: the seeds are fixed input.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent

_ITEM = re.compile(r"^[#\s]*\**\s*Punkt\s+(\d+)\s*:\s*(.+?)\s*\**\s*$")
_CASE_LINE = re.compile(r"^(\d{2}/\d{3,6}|EMN-\d{4}-\d{4,6})$")
_DROPPED_META = re.compile(r"^(Sags\s*ID|Sagsnr\.?|Dok\s*ID)\s*:", re.IGNORECASE)
# A line the content parser could take for an item metadata line ("Nøgle: værdi") if it came first.
_LOOKS_LIKE_META = re.compile(r"^[^\s:][^:]{0,30}:(\s|$)")

# Canonical section names, keyed by their lower-case form in the seeds (some seeds shout: "RESUMÉ").
SECTIONS = {
    name.lower(): name
    for name in (
        "Resumé",
        "Sagsfremstilling",
        "Indstilling",
        "Beslutning",
        "Bilag",
        "Økonomi",
        "Fraværende",
        "Koordinering med andre afdelinger",
        "Tidligere beslutninger",
        "Godkendt af",
        "Borger-/Patientperspektiv",
        "Program",
    )
}


@dataclass(frozen=True)
class SeedItem:
    title: str
    intro: str  # Markdown before the first section; may be ""
    sections: tuple[tuple[str, str], ...]  # (heading, Markdown body); always has a decision
    source: str  # seed file name, for debugging

    @property
    def text(self) -> str:
        return "\n".join([self.title, self.intro, *(body for _, body in self.sections)])


def find_seed_dir(explicit: Path | None = None) -> Path:
    """The seeds live in shared/ next to the repository (CI gets a copy there too)."""
    candidates = [explicit] if explicit else []
    if os.environ.get("BENCH_SEEDS"):
        candidates.append(Path(os.environ["BENCH_SEEDS"]))
    candidates += [
        REPO_ROOT / "bench" / "seeds",
        REPO_ROOT.parent / "shared" / "seeds",
        Path("/work/shared/seeds"),
    ]
    for path in candidates:
        if path and path.is_dir() and any(path.glob("*.txt")):
            return path
    raise SystemExit(f"no seed referater (*.txt) found; looked in {', '.join(map(str, candidates))}")


def _clean(line: str) -> str:
    return line.strip().strip("#").strip().strip("*").strip()


def _section_of(line: str) -> tuple[str, str] | None:
    """(heading, rest of line) when the line starts a section, else None."""
    clean = _clean(line)
    low = clean.lower()
    if low in SECTIONS:
        return SECTIONS[low], ""
    if low.startswith("beslutning i ") and len(clean) < 120:
        return "Beslutning", ""
    if low.startswith("fraværende ") and len(clean) < 300:
        return "Fraværende", clean[len("fraværende ") :]
    return None


def _body_line(line: str) -> str:
    # Headings inside an item other than sections become level-4 subheadings: the content format only
    # allows levels 3 (sections) and 4 inside an item.
    if line.lstrip().startswith("#"):
        text = _clean(line)
        return f"#### {text}" if text else ""
    return line.rstrip()


def _tidy(lines: list[str]) -> str:
    text = "\n".join(lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def parse_seed(path: Path) -> list[SeedItem]:
    items: list[SeedItem] = []
    title: str | None = None
    intro: list[str] = []
    sections: list[tuple[str, list[str]]] = []

    def flush() -> None:
        if title is None:
            return
        intro_text = _tidy(intro)
        if intro_text and _LOOKS_LIKE_META.match(intro_text):
            intro_text = (
                "Punktet blev behandlet.\n\n" + intro_text
            )  # keep the first line from reading as metadata
        secs = [(h, _tidy(body) or "Ingen bemærkninger.") for h, body in sections]
        if not any(h == "Beslutning" for h, _ in secs):
            secs.append(("Beslutning", "Orienteringen blev taget til efterretning."))
        if "lukket" not in title.lower():  # closed items have their own rules; the corpus makes its own
            items.append(SeedItem(title, intro_text, tuple(secs), path.name))

    for raw in path.read_text(encoding="utf-8").splitlines():
        match = _ITEM.match(raw)
        if match:
            flush()
            title = re.sub(r"\s+", " ", match.group(2).replace("*", "")).strip()
            intro, sections = [], []
            continue
        if title is None:
            continue  # header and table of contents
        stripped = raw.strip()
        if not sections and not any(intro) and (_CASE_LINE.match(stripped) or _DROPPED_META.match(stripped)):
            continue  # the corpus writes its own case and document numbers
        section = _section_of(raw)
        if section:
            sections.append((section[0], [section[1]] if section[1] else []))
        elif sections:
            sections[-1][1].append(_body_line(raw))
        else:
            intro.append(_body_line(raw))
    flush()
    return items


def load_seed_items(seed_dir: Path) -> list[SeedItem]:
    items = [item for path in sorted(seed_dir.glob("*.txt")) for item in parse_seed(path)]
    if not items:
        raise SystemExit(f"no agenda items found in the seeds in {seed_dir}")
    return items
