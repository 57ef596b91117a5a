"""Stage 1, for the whole site: find every meeting file and parse it, from the cache where the file did
not change. The model keeps meetings *light* (agenda items without their text); the full meeting is
loaded again only for the pages and data that show it, so memory stays flat at ten thousand meetings.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import pickle
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG

from .analysis import Analysis, analyse
from .cache import CACHE_DIR, ContentCache, ParsedFile, atomic_write, racy, stamp
from .config import SiteConfig
from .content import parse_meeting
from .errors import Finding, SiteError, display_path
from .memory import paused_gc
from .model import Meeting
from .topics import TopicMatcher
from .workers import MIN_ITEMS, forked_map

CONTENT_DIR = "content"
FULL_DIR = "meetings"  # .cache/meetings/<digest>.pickle: full meetings, for the pages that show them


@dataclass
class LoadResult:
    meetings: list[Meeting] = field(default_factory=list)  # published and drafts alike
    findings: list[Finding] = field(default_factory=list)
    analyses: dict[tuple[str, str, str], Analysis] = field(default_factory=dict)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]


def walk_files(root: Path) -> list[str]:
    """Every file under root as a path string, sorted; links to folders are not followed (as rglob).
    Strings, not Paths: building and sorting ten thousand Path objects cost half a second a build."""
    found: list[str] = []
    for folder, _dirs, files in os.walk(root):
        found.extend(os.path.join(folder, name) for name in files)
    found.sort()
    return found


def content_files(site_dir: Path) -> Iterator[tuple[str, os.stat_result]]:
    """Every meeting file (a regular `.md` file, or a link to one) under content/, with its stat."""
    for name, stat, _link in _content_entries(site_dir)[0]:
        yield name, stat


def _content_entries(
    site_dir: Path,
) -> tuple[list[tuple[str, os.stat_result, bool]], list[tuple[str, str]]]:
    """content_files, each with whether a link is on its way from content/: walked with scandir, whose
    entries know they are links without a syscall each, and which (as os.walk) never walks into a link to a
    folder, so the only links on the way are the file itself and content/. And the names ending in `.md`
    that are no file to read (a folder, a link to nothing, a named pipe), each with why."""
    root = os.path.join(site_dir, CONTENT_DIR)
    root_link = os.path.islink(root)
    found: list[tuple[str, os.DirEntry[str]]] = []
    odd: list[tuple[str, str]] = []
    folders = [root]
    while folders:
        try:
            with os.scandir(folders.pop()) as entries:
                for entry in entries:
                    try:
                        folder = entry.is_dir()
                    except OSError:
                        folder = False
                    if not folder:
                        found.append((entry.path, entry))
                        continue
                    if entry.name.endswith(".md"):
                        odd.append(
                            (
                                entry.path,
                                "dette er en mappe, ikke en fil; omdøb mappen (et referat er én .md-fil)",
                            )
                        )
                    if not entry.is_symlink():
                        folders.append(entry.path)
        except OSError:
            continue  # as os.walk: a folder that cannot be read has no files
    found.sort(key=lambda pair: pair[0])
    files = []
    for name, entry in found:
        if not name.endswith(".md"):
            continue
        if not name.isascii() and not _utf8(name):  # os.fsdecode's surrogates for undecodable bytes
            odd.append((name, "filnavnet er ikke UTF-8; omdøb filen til <åååå-mm-dd>-<forum>.md"))
            continue
        try:
            stat = entry.stat()
        except OSError:
            odd.append((name, "filen er et link, der ikke fører til nogen fil; slet linket, eller ret det"))
            continue
        if S_ISREG(stat.st_mode):
            files.append((name, stat, root_link or entry.is_symlink()))
        else:
            odd.append((name, "dette er ikke en almindelig fil (fx en navngiven pipe); slet den"))
    return files, sorted(odd)


def _utf8(name: str) -> bool:
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def load_content(
    site_dir: Path,
    config: SiteConfig,
    cache: ContentCache | None = None,
    jobs: int = 1,
    keep_text: bool = True,
) -> LoadResult:
    """Every meeting file, parsed and analysed; unchanged files come from the cache without being read.
    With keep_text=False the meetings are light (see ContentStore) and, with a cache, the full ones are
    kept in .cache/meetings/ for the renderer."""
    result = LoadResult()
    previous = cache.files if cache and cache.keep_text == keep_text else {}
    full_dir = (
        site_dir / CACHE_DIR / FULL_DIR if cache is not None and cache.enabled and not keep_text else None
    )
    current: dict[str, ParsedFile] = {}
    todo: list[tuple[str, Path, os.stat_result, int]] = []
    now = time.time_ns()
    inside = f"{site_dir}{os.sep}"
    root = Path(site_dir, CONTENT_DIR).resolve()
    if not os.path.isdir(Path(site_dir, CONTENT_DIR)):
        # Without it every published meeting would be deleted: a wrong --site or a broken checkout.
        message = (
            f"der er ingen mappe {CONTENT_DIR}/ i {site_dir}; giv den rigtige --site, eller lav mappen "
            "(referaterne ligger i content/<klynge>/)"
        )
        result.findings.append(Finding(CONTENT_DIR, 0, message))
        return result
    files, odd = _content_entries(site_dir)
    for name, why in odd:
        shown = name[len(inside) :] if name.startswith(inside) else display_path(Path(name), site_dir)
        result.findings.append(Finding(shown, 1, why))
    for name, stat, link in files:  # strings: 10,000 Paths cost a fifth of a second
        shown = name[len(inside) :] if name.startswith(inside) else display_path(Path(name), site_dir)
        if link and not Path(name).resolve().is_relative_to(root):  # as outside_content
            result.findings.append(
                Finding(
                    shown, 0, "et link til en fil uden for content/; kopiér filen ind i content/ i stedet"
                )
            )
            continue
        cached = previous.get(shown)
        if cached and cached.stamp == stamp(stat):
            current[shown] = cached
        else:
            todo.append((shown, Path(name), stat, now))
    with paused_gc():  # the parsed meetings hold no cycles (and forked workers need no collector)
        for shown, parsed in _parse_all(todo, Parser(config, previous, keep_text, full_dir), jobs):
            current[shown] = parsed
    seen: dict[tuple[str, str, str], Meeting] = {}
    for shown in sorted(current):
        parsed = current[shown]
        result.findings.extend(parsed.findings)
        meeting = parsed.meeting
        if meeting is None:
            continue
        if meeting.key in seen:
            other = seen[meeting.key]
            result.findings.append(
                Finding(
                    shown,
                    meeting.line_of.get("date", 1),
                    f"samme møde som {other.path} "
                    f"({meeting.cluster}, {meeting.forum}, {meeting.date.isoformat()}); slet den ene fil",
                )
            )
            continue
        seen[meeting.key] = meeting
        result.meetings.append(meeting)
        if parsed.analysis is not None:
            result.analyses[meeting.key] = parsed.analysis
    if cache is not None and cache.keep_text == keep_text and (todo or len(current) != len(previous)):
        cache.save(current)
    if full_dir is not None and full_dir.is_dir():
        wanted = {f"{p.digest}.pickle" for p in current.values()}
        for stale in full_dir.iterdir():  # a changed or deleted file leaves its old pickle behind
            if stale.name not in wanted:
                stale.unlink(missing_ok=True)
    return result


@dataclass
class Parser:
    """The parse of one file, as a task for the forked workers (workers.forked_map hands it to them when
    they fork: the config and the previous entries are inherited, not pickled)."""

    config: SiteConfig
    previous: dict[str, ParsedFile]
    keep_text: bool
    full_dir: Path | None
    matcher: TopicMatcher = field(init=False)

    def __post_init__(self) -> None:
        self.matcher = TopicMatcher(self.config.topics)

    def __call__(self, job: tuple[str, Path, os.stat_result, int]) -> tuple[str, bytes]:
        """A parsed file pickled: these bytes are the worker's answer, and the parent's copy is read back
        from them, so a fresh parse is the same object graph as a cached one."""
        shown, parsed = self.parse(job)
        return shown, pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)

    def parse(self, job: tuple[str, Path, os.stat_result, int]) -> tuple[str, ParsedFile]:
        shown, path, stat, now = job
        known = None if racy(stat, now) else stamp(stat)
        try:
            raw = path.read_bytes()
        except OSError as exc:
            unreadable = f"filen kan ikke læses ({exc.strerror or exc}); har du lov at læse den?"
            return shown, ParsedFile(None, "", None, [Finding(shown, 1, unreadable)], None)
        digest = hashlib.blake2b(raw, digest_size=16).hexdigest()
        cached = self.previous.get(shown)
        if cached and cached.digest == digest:  # touched but not changed
            return shown, ParsedFile(known, digest, cached.meeting, cached.findings, cached.analysis)
        try:
            meeting, findings = parse_meeting(raw, shown, self.config, keep_source=self.keep_text)
        except Exception as exc:  # noqa: BLE001 - last resort: a file we cannot read must not crash the run
            meeting = None
            findings = [Finding(shown, 1, f"filen kan ikke læses ({type(exc).__name__}: {exc})")]
        analysis = analyse(meeting, self.matcher) if meeting is not None and not meeting.draft else None
        if meeting is not None and not self.keep_text:
            if self.full_dir is not None and not meeting.draft:
                atomic_write(
                    self.full_dir / f"{digest}.pickle",
                    pickle.dumps(meeting, protocol=pickle.HIGHEST_PROTOCOL),
                )
            meeting = light(meeting)
        return shown, ParsedFile(known, digest, meeting, findings, analysis)


def _parse_all(todo: list, parser: Parser, jobs: int) -> Iterator[tuple[str, ParsedFile]]:
    """Forked workers from MIN_ITEMS files; only the parsed results travel back, pickled."""
    if jobs <= 1 or len(todo) < MIN_ITEMS:
        answers: Iterator[tuple[str, bytes]] = map(parser, todo)
    else:
        answers = forked_map(parser, todo, jobs, chunksize=16)
    for shown, data in answers:
        yield shown, pickle.loads(data)  # noqa: S301 - our own bytes


def light(meeting: Meeting) -> Meeting:
    """The meeting without what only its own page and data show (the text of its items, participants,
    document numbers): all the site model needs. The model holds ten thousand of these for the whole
    build, and every render worker shares them, so each object here costs (participants alone were
    800,000 objects at national scale)."""
    items = tuple(dataclasses.replace(item, sections=(), documents=()) for item in meeting.items)
    return dataclasses.replace(
        meeting,
        items=items,
        participants=(),
        secretariat=(),
        line_of={"date": meeting.line_of.get("date", 1)},  # for the duplicate-meeting message
        light=True,
    )


# A light meeting → the same meeting with its text; called from the search index's threads too.
Texts = Callable[[Meeting], Meeting]


def as_is(meeting: Meeting) -> Meeting:
    """The content store of meetings loaded in full (check, tests): each meeting already has its text."""
    if meeting.light:
        raise ValueError(f"{meeting.path}: a light meeting's text is in the build's ContentStore")
    return meeting


class ContentStore:
    """The full texts of the model's light meetings, handed by the build to whoever shows them (meeting
    pages, feeds, open data, search records): from the pickle the parse left in .cache/, else from the
    file. The site model never holds one: it knows meetings only as far as lists and links show them."""

    def __init__(self, site_dir: Path, config: SiteConfig, use_cache: bool):
        self.site_dir, self.config, self.use_cache = site_dir, config, use_cache
        self._recent: dict[str, Meeting] = {}  # a page and its meeting.json ask for the same meeting
        self._lock = threading.Lock()  # the search index's threads ask too, while the build renders

    def __call__(self, meeting: Meeting) -> Meeting:
        if not meeting.light:
            return meeting
        with self._lock:
            full = self._recent.get(meeting.digest)
        if full is None:
            full = self._load(meeting)
            with self._lock:
                if len(self._recent) >= 4:
                    self._recent.pop(next(iter(self._recent)))
                self._recent[meeting.digest] = full
        return full

    def _load(self, meeting: Meeting) -> Meeting:
        cached = self.site_dir / CACHE_DIR / FULL_DIR / f"{meeting.digest}.pickle"
        if self.use_cache:
            try:
                with cached.open("rb") as handle:
                    full = pickle.load(handle)  # noqa: S301 - our own file in the site's .cache/
                if isinstance(full, Meeting) and full.path == meeting.path:
                    return full
            except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
                pass
        raw = (self.site_dir / meeting.path).read_bytes()
        full, findings = parse_meeting(raw, meeting.path, self.config, scan_privacy=False)
        if full is None or full.digest != meeting.digest:
            raise SiteError(
                findings or [Finding(meeting.path, 0, "filen blev ændret under bygningen; byg igen")]
            )
        return full
