"""The same corpus as a Pelican site: an article per meeting, Category = cluster, Tags = topics, Forum as
extra metadata; category, tag and yearly archive pages; Atom feeds (50 newest) for all, each category and
each tag. Pelican's default theme (notmyidea) and default Markdown extensions.

"Warm" is Pelican's own incremental mode: a second build with CACHE_CONTENT and LOAD_CONTENT_CACHE, which
skips re-reading unchanged Markdown but still writes every page.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from corpus import Meeting, SiteNames
from measure import Measurement, run

SETTINGS = """\
import os

_HERE = os.path.dirname(os.path.abspath(__file__))

SITENAME = "Sundhedsklyngernes referater (benchmark)"
SITEURL = ""
AUTHOR = "Klyngesekretariatet"
PATH = os.path.join(_HERE, "content")
TIMEZONE = "Europe/Copenhagen"
DEFAULT_LANG = "da"
DEFAULT_PAGINATION = False

ARTICLE_URL = "referater/{category}/{slug}/"
ARTICLE_SAVE_AS = "referater/{category}/{slug}/index.html"
YEAR_ARCHIVE_URL = "{date:%Y}/"
YEAR_ARCHIVE_SAVE_AS = "{date:%Y}/index.html"

FEED_ALL_ATOM = "feeds/all.atom.xml"
CATEGORY_FEED_ATOM = "feeds/{slug}.atom.xml"
TAG_FEED_ATOM = "feeds/tag-{slug}.atom.xml"
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
FEED_MAX_ITEMS = 50

CACHE_CONTENT = True
LOAD_CONTENT_CACHE = True
CACHE_PATH = os.path.join(_HERE, "cache")
"""


def write_site(site: Path, meetings: list[Meeting], names: SiteNames) -> None:
    if site.exists():
        shutil.rmtree(site)
    site.mkdir(parents=True)
    (site / "pelicanconf.py").write_text(SETTINGS, encoding="utf-8")
    made: set[Path] = set()
    for m in meetings:
        path = site / "content" / m.cluster / f"{m.date.isoformat()}-{m.forum}.md"
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        cluster, forum = names.clusters[m.cluster], names.forums[m.forum]
        header = (
            f"Title: {forum}, Sundhedsklynge {cluster}, {m.date.isoformat()}\n"
            f"Date: {m.date.isoformat()} {m.time}\n"
            f"Category: {cluster}\n"
            f"Tags: {', '.join(names.topics[t] for t in m.topics)}\n"
            f"Forum: {forum}\n"
            f"Slug: {m.date.isoformat()}-{m.forum}\n"
        )
        path.write_text(f"{header}\n{m.body}", encoding="utf-8")


def _build(site: Path, venv: Path) -> Measurement:
    site, venv = site.resolve(), venv.resolve()
    cmd = [str(venv / "bin" / "pelican"), str(site / "content"), "-s", str(site / "pelicanconf.py")]
    return run([*cmd, "-o", str(site / "output"), "-q"], cwd=site)


def build_cold(site: Path, venv: Path) -> Measurement:
    for name in ("output", "cache"):
        shutil.rmtree(site / name, ignore_errors=True)
    return _build(site, venv)


def build_warm(site: Path, venv: Path) -> Measurement:
    """Call right after build_cold: the content cache it wrote is loaded."""
    return _build(site, venv)
