"""The public URL contract (DESIGN.md, "The public contract: URLs"): every path the site publishes, and
the one parse of base_url. Permalinks are promises: change a path here only with redirects.

Three kinds of values:
- a *path* is relative to the site root, as the output tree holds it: "klynger/fyn/", "feeds/all.atom";
  the functions and constants below make them;
- a *link* is a path under the base path, as pages link to each other: "/referater/klynger/fyn/";
- an *absolute* URL is a path under base_url, as feeds, calendars, open data and the sitemap give it.
`Base` turns paths into links and absolute URLs.

A kind of body (the sundhedsklynger, the sundhedsråd, …) lives under a URL root of its own: its pages and
feeds. The body functions take that root, so a kind is one more BodyRoot. Calendars of all kinds share one
folder: slugs are unique across kinds, and the clusters' calendar URLs are promises already made.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class BodyRoot:
    """Where one kind of body publishes: the folders of its pages, its Atom feeds and its calendars."""

    pages: str
    feeds: str
    calendars: str


CLUSTERS = BodyRoot(pages="klynger", feeds="feeds/klynger", calendars="kalender")
COUNCILS = BodyRoot(pages="sundhedsraad", feeds="feeds/sundhedsraad", calendars=CLUSTERS.calendars)
COMMITTEES = BodyRoot(  # sundhedssamarbejdsudvalg: the model is open for this kind, no body uses it yet
    pages="sundhedssamarbejdsudvalg", feeds="feeds/sundhedssamarbejdsudvalg", calendars=CLUSTERS.calendars
)

# --- pages and files of the whole site ---------------------------------------------------------------
HOME = ""
FORUMS = "fora/"
TOPICS = "emner/"
CASES = "sager/"
ARCHIVE = "arkiv/"
SEARCH = "soeg/"
NOT_FOUND = "404.html"
OPEN_DATA = "data/meetings.json"
ALL_FEED = "feeds/all.atom"
SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
STATIC = "static/"
INDEX = "index.html"  # the file a page path ending in "/" is written to
MEETING_DATA = "meeting.json"  # beside each meeting's page
# Paths of files that are not pages (feeds, calendars, open data): links to them are not checked as pages.
FILE_ROOTS = ("feeds/", f"{CLUSTERS.calendars}/", "data/")


# --- bodies and their meetings -------------------------------------------------------------------------
def bodies(root: BodyRoot = CLUSTERS) -> str:
    return f"{root.pages}/"


def body(slug: str, root: BodyRoot = CLUSTERS) -> str:
    return f"{root.pages}/{slug}/"


def meeting(body_slug: str, iso_date: str, forum: str, root: BodyRoot = CLUSTERS) -> str:
    return f"{root.pages}/{body_slug}/{iso_date}-{forum}/"


def meeting_data(meeting_path: str) -> str:
    """The meeting.json of a meeting, from the meeting's path (or link, or absolute URL)."""
    return meeting_path + MEETING_DATA


ITEM_ANCHOR = "punkt-"  # + the item's number: the id of an agenda item on its meeting's page


def item_anchor(number: int) -> str:
    return f"{ITEM_ANCHOR}{number}"


def item(meeting_url: str, number: int) -> str:
    """An agenda item on its meeting's page: the meeting's path, link or absolute URL with the anchor."""
    return f"{meeting_url}#{ITEM_ANCHOR}{number}"  # item_anchor() written out: a call less per link


def body_feed(slug: str, root: BodyRoot = CLUSTERS) -> str:
    return f"{root.feeds}/{slug}.atom"


def calendar(slug: str, root: BodyRoot = CLUSTERS) -> str:
    return f"{root.calendars}/{slug}.ics"


# --- the other indexes: a page and a feed per forum (its meetings in every body), per topic and per case
# (its items across bodies and the reform) -----------------------------------------------------------------
def _index_page(folder: str, slug: str) -> str:
    return f"{folder}{slug}/"


def _index_feed(folder: str, slug: str) -> str:
    return f"feeds/{folder}{slug}.atom"


forum, forum_feed = functools.partial(_index_page, FORUMS), functools.partial(_index_feed, FORUMS)
topic, topic_feed = functools.partial(_index_page, TOPICS), functools.partial(_index_feed, TOPICS)
case, case_feed = functools.partial(_index_page, CASES), functools.partial(_index_feed, CASES)


def year(number: int) -> str:
    return f"{number}/"


def month(year_number: int, month_number: int) -> str:
    return f"{year_number}/{month_number:02d}/"


def page(first: str, number: int) -> str:
    """Page `number` of a long list whose first page is `first` (a path or a link): side/N/ below it."""
    return first + (f"side/{number}/" if number > 1 else "")


def static(name: str) -> str:
    return STATIC + name


# --- paths and the files they are written to ----------------------------------------------------------------
def file_of(path: str) -> str:
    """The output file of a page path: "emner/" → "emner/index.html"; a file path is its own file."""
    return path + INDEX if path == "" or path.endswith("/") else path


def path_of(file: str) -> str:
    """The page path a file is served at: "emner/index.html" → "emner/" (the canonical path)."""
    return file.removesuffix(INDEX)


# --- base_url ----------------------------------------------------------------------------------------------
_BASE = re.compile(r"^[a-z]+://([^/:]+)[^/]*(/.*)?$")


@dataclass(frozen=True)
class Base:
    """base_url parsed once: its path (which every link starts with) and its host."""

    url: str  # ends with "/"
    path: str  # "/" or "/referater/"
    host: str  # "example.org" ("referater" when base_url has none: only in a config that failed to load)

    @staticmethod
    @functools.lru_cache(maxsize=16)  # one base_url per build; every Site and check asks for it
    def parse(base_url: str) -> Base:
        match = _BASE.match(base_url)
        if not match:
            return Base(base_url, "/", "referater")
        return Base(base_url, match.group(2) or "/", match.group(1))

    def link(self, path: str = "") -> str:
        return self.path + path

    def absolute(self, link_or_path: str) -> str:
        """A link (under the base path) or a path (relative to the site root) as an absolute URL."""
        if link_or_path.startswith(self.path):
            return self.url + link_or_path[len(self.path) :]
        return self.url + link_or_path.lstrip("/")

    def local(self, link: str) -> str | None:
        """The path of a link under the base path ("/referater/emner/" → "emner/"); None outside it."""
        return link[len(self.path) :] if link.startswith(self.path) else None
