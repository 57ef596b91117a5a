"""The same corpus as a Hugo site: one page per meeting, taxonomies for cluster, forum, topic and year, RSS.

The layouts are deliberately minimal but do the work our site does for the same pages: every meeting page
with its table of contents, a page per cluster/forum/topic/year listing all its meetings, the list of
terms per taxonomy, and an RSS feed (50 newest items) for home, section, every taxonomy and every term.
The optional "related" variant adds five related meetings to each meeting page (`.Site.RegularPages.Related`
on topics and cluster), roughly what our "Sagens forløb"/"Omtalt i" cross-links cost.
"""

from __future__ import annotations

import shlex
import shutil
import sys
from pathlib import Path

from corpus import Meeting, SiteNames
from measure import Measurement, run

CONFIG = """\
baseURL = "http://127.0.0.1:8000/"
locale = "da"
title = "Sundhedsklyngernes referater (benchmark)"

[taxonomies]
cluster = "clusters"
forum = "forums"
topic = "topics"
year = "years"

[services.rss]
limit = 50

[params]
related = false
"""

RELATED = """\
[params]
related = true

[related]
threshold = 60
includeNewer = true
toLower = false

[[related.indices]]
name = "topics"
weight = 100

[[related.indices]]
name = "clusters"
weight = 60

[[related.indices]]
name = "date"
weight = 10
"""

LAYOUTS = Path(__file__).resolve().parent / "hugo_layouts"  # baseof, single, list, taxonomy, term, home


def _yaml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def write_site(site: Path, meetings: list[Meeting], names: SiteNames) -> None:
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(LAYOUTS, site / "layouts")
    (site / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    (site / "related.toml").write_text(RELATED, encoding="utf-8")
    made: set[Path] = set()
    for m in meetings:
        path = site / "content" / "referater" / m.cluster / f"{m.date.isoformat()}-{m.forum}.md"
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        cluster, forum = names.clusters[m.cluster], names.forums[m.forum]
        front = (
            f'title: "{forum}, Sundhedsklynge {cluster}, {m.date.isoformat()}"\n'
            f"date: {m.date.isoformat()}T{m.time}:00+01:00\n"
            f"clusters: {_yaml_list([cluster])}\n"
            f"forums: {_yaml_list([forum])}\n"
            f"topics: {_yaml_list([names.topics[t] for t in m.topics])}\n"
            f'years: ["{m.date.year}"]\n'
        )
        path.write_text(f"---\n{front}---\n\n{m.body}", encoding="utf-8")


def find_binary(venv: Path) -> Path:
    """The real Hugo binary: the venv's `hugo` script is a Python launcher whose start-up we must not time."""
    found = sorted(venv.glob("lib/python*/site-packages/hugo/binaries/hugo*"))
    return found[0] if found else venv / "bin" / "hugo"


def build_with_pagefind(site: Path, venv: Path) -> Measurement:
    """What a Hugo user with search runs: a cold Hugo build, then Pagefind over all of public/, measured
    as one process tree (time and peak memory of the pair)."""
    site, venv = site.resolve(), venv.resolve()
    for name in ("public", "resources", ".hugo-cache"):
        shutil.rmtree(site / name, ignore_errors=True)
    hugo = [str(find_binary(venv)), "--source", str(site), "--config", "hugo.toml", "--quiet"]
    hugo += ["--cacheDir", str(site / ".hugo-cache"), "--destination", str(site / "public")]
    pagefind = [sys.executable, "-m", "pagefind", "--site", str(site / "public"), "--silent"]
    return run(["sh", "-c", f"{shlex.join(hugo)} && {shlex.join(pagefind)}"])


def build(site: Path, venv: Path, related: bool = False) -> Measurement:
    """A cold build: output and Hugo's file cache removed first."""
    site, venv = site.resolve(), venv.resolve()  # Hugo wants an absolute --cacheDir
    for name in ("public", "resources", ".hugo-cache"):
        shutil.rmtree(site / name, ignore_errors=True)
    config = "hugo.toml,related.toml" if related else "hugo.toml"
    cmd = [str(find_binary(venv)), "--source", str(site), "--config", config, "--quiet"]
    return run([*cmd, "--cacheDir", str(site / ".hugo-cache"), "--destination", str(site / "public")])
