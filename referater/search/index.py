"""The incremental search index: which bundles to keep, which to build, and the browser's manifest."""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from ..cache import engine_digest, read_json, write_json
from ..errors import Finding, SiteError
from ..loader import Texts
from ..memory import within_budget
from ..model import Meeting
from ..privacy import cpr_in_output
from ..site import Site
from ..write import Staging
from .levels import LEVELS, Members, merge_threshold, plan_levels, scrub, superseded, withdrawn
from .records import meeting_id, meeting_page
from .service import PagefindError, PagefindService

BUNDLE_DIR = "pagefind"
MANIFEST = "manifest.json"
STATE_FILE = "search.json"
ENTRY = "pagefind-entry.json"  # in every bundle: its hashes change with any record
# Pagefind writes its own UIs into every bundle; the site has its own (static/search.js).
_UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-component-ui.js", "pagefind-component-ui.css")
_UNUSED += ("pagefind-modular-ui.js", "pagefind-modular-ui.css", "pagefind-highlight.js")


# Pagefind needs about 1.2 MB for each meeting while it writes a bundle (docs/performance.md): a bundle
# of 200 meetings stays near 250 MB, so memory follows the bundle, not the site.
SHARD_MEETINGS = 200
# As many Pagefind processes at once as fit in the build's budget (memory.within_budget) beside the
# parent, which at 30,000 meetings holds some 750 MB of model itself.
PAGEFIND_MB = 250


@dataclass
class IndexReport:
    built: list[str] = field(default_factory=list)  # bundles (re)built this time
    kept: list[str] = field(default_factory=list)
    records: int = 0
    masked: int = 0  # superseded or deleted records, over every bundle


def _index_key(site: Site) -> str:
    """What every record depends on beside its meeting: the engine, the config, Pagefind itself."""
    try:
        pagefind = importlib.metadata.version("pagefind")
    except importlib.metadata.PackageNotFoundError:
        pagefind = "?"
    text = f"{engine_digest()}\0{site.config.digest}\0{site.config.base_path}\0{pagefind}"
    return hashlib.blake2b(text.encode(), digest_size=12).hexdigest()


def _shards(site: Site) -> tuple[dict[str, Members], dict[str, Meeting], dict[str, list[int]]]:
    """Base bundles: the meetings of a year in date order, SHARD_MEETINGS at a time ("2024-0", …). A new
    meeting usually comes last in its year, so it changes only the year's last bundle. With the meetings
    by id and the numbers of their closed items."""
    years: dict[int, list[tuple[str, str, Meeting]]] = defaultdict(list)
    by_id: dict[str, Meeting] = {}
    closed: dict[str, list[int]] = {}
    for m in site.meetings:
        ident = meeting_id(site, m)
        years[m.date.year].append((m.date.isoformat(), ident, m))
        by_id[ident] = m
        if numbers := [item.number for item in m.items if item.closed]:
            closed[ident] = numbers
    shards: dict[str, Members] = {}
    for year, meetings in sorted(years.items()):
        meetings.sort(key=lambda entry: entry[:2])
        for start in range(0, len(meetings), SHARD_MEETINGS):
            chunk = meetings[start : start + SHARD_MEETINGS]
            shards[f"{year}-{start // SHARD_MEETINGS}"] = {ident: m.digest for _, ident, m in chunk}
    return shards, by_id, closed


def _members(bundles: dict[str, Members]) -> Members:
    """Every meeting the bundles hold, with the digest of its version there."""
    return {ident: digest for members in bundles.values() for ident, digest in members.items()}


def begin_index(
    staging: Staging, site: Site, store: Texts, state_path: Path | None, jobs: int = 1
) -> IndexUpdate:
    """Begin staging `pagefind/` for this build: the bundles to build are under way in `jobs` Pagefind
    processes (fed by threads) when this returns, and IndexUpdate.finish waits for them. `state_path`
    None (--no-cache) builds every bundle. Between the two the caller may stage other files, but must not
    fork nor read the content store: the threads use it."""
    key = _index_key(site)
    state = read_json(state_path) if state_path else {}
    published = staging.out / BUNDLE_DIR
    shards: dict[str, Members] = state.get("shards", {}) if state.get("key") == key else {}
    # What each level's bundle holds; one that is not published (deleted by hand) holds nothing.
    held = {
        level: state.get(level, {}) if shards and (published / level / ENTRY).is_file() else {}
        for level in LEVELS
    }
    if not _vouched(state.get("entries", {}), published, [*shards, *(n for n in LEVELS if held[n])]):
        shards, held = {}, {level: {} for level in LEVELS}

    current, by_id, closed = _shards(site)  # shard → meeting id → digest
    base = _members(shards)
    indexed = set(base).union(*held.values())
    closing = withdrawn(closed, state.get("closed", {}), indexed)
    now = _members(current)
    stale = sum(1 for ident, digest in now.items() if base.get(ident) != digest)
    stale += sum(1 for ident in base if ident not in now)

    build: dict[str, list[Meeting]] = {}
    if not shards or stale > merge_threshold(len(now)):
        # Merge: the years whose meetings differ from what their bundle holds are built again.
        for name, members in sorted(current.items()):
            if shards.get(name) != members:
                build[name] = [by_id[ident] for ident in members]
        shards = {name: dict(members) for name, members in current.items()}
        base, held = now, {}
    else:  # old versions of meetings that left the site, or closed an item, leave every bundle
        for name in scrub(shards, held, now, closing):  # changes shards and held
            build[name] = [by_id[ident] for ident in shards[name]]
        base = _members(shards)
    levels = plan_levels(base, now, held)
    keep = [name for name in sorted(shards) if name not in build]
    for level in LEVELS:
        if levels[level] and levels[level] == held.get(level):
            keep.append(level)
        elif levels[level]:
            build[level] = [by_id[ident] for ident in levels[level]]
    builder = _BundleBuilder(staging, site, store, build, within_budget(jobs, PAGEFIND_MB))
    try:
        for name in keep:  # while Pagefind indexes: linking thousands of files is the parent's work
            staging.keep_tree(f"{BUNDLE_DIR}/{name}")
    except BaseException:
        builder.close()
        raise
    mask = superseded(base, levels, now)
    manifest = {
        "bundles": sorted(name for name in shards if shards[name]),
        "levels": [level for level in LEVELS if levels[level]],  # merged after the base, oldest first
        "mask": mask,
    }
    report = IndexReport(built=sorted(build), kept=keep, masked=sum(len(ids) for ids in mask.values()))
    saved = {"key": key, "shards": shards, **levels, "closed": closed} if state_path else None
    # the bundles whose entry files the state vouches for
    named = [*shards, *(n for n in LEVELS if levels[n])]
    return IndexUpdate(builder, report, manifest, state_path, saved, named)


class IndexUpdate:
    """A search index under way (begin_index); `finish` stages the rest, `close` ends what is under way.
    As a context manager it closes on leaving, so an error elsewhere does not leave Pagefind running."""

    def __init__(
        self,
        builder: _BundleBuilder,
        report: IndexReport,
        manifest: dict,
        state_path: Path | None,
        state: dict | None,
        named: list[str],
    ) -> None:
        self._builder, self.report, self._manifest = builder, report, manifest
        self._state_path, self._state, self._named = state_path, state, named

    def finish(self) -> IndexReport:
        self.report.records = self._builder.finish()
        self._builder.close()
        staging = self._builder.staging
        manifest = json.dumps(self._manifest, ensure_ascii=False).encode("utf-8")
        staging.put(f"{BUNDLE_DIR}/{MANIFEST}", manifest)
        if self._state_path and self._state is not None:
            entries = _entries(staging.stage / BUNDLE_DIR, self._named)
            write_json(self._state_path, {**self._state, "entries": entries})
        return self.report

    def close(self) -> None:
        self._builder.close()

    def __enter__(self) -> IndexUpdate:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _entry_digest(path: Path) -> str | None:
    try:
        return hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return None


def _entries(folder: Path, names: list[str]) -> dict[str, str | None]:
    """The digest of each bundle's entry file, as staged: which version of the bundle the state describes."""
    return {name: _entry_digest(folder / name / ENTRY) for name in names}


def _vouched(entries: dict[str, str | None], published: Path, names: list[str]) -> bool:
    """Whether every bundle the state names is the very version it describes. The state is written before
    the output is published: a build stopped between the two (killed, or failed in a later stage), or an
    output/ restored from a backup, leaves a state ahead of the published bundles. Trusted then, the next
    build would keep a published bundle that still holds a meeting since made a draft or an item since
    closed, because the state says it was scrubbed."""
    return all(
        entries.get(name) is not None and entries.get(name) == _entry_digest(published / name / ENTRY)
        for name in names
    )


def _line_of(full: Meeting, digits: str) -> int:
    """The line of the item whose text holds the digits (the item's title line), for the message."""
    return next(
        (item.line for item in full.items if any(digits in s.text for s in item.sections)),
        full.items[0].line if full.items else 1,
    )


class _BundleBuilder:
    """Each bundle by its own Pagefind process, `jobs` of them at a time, begun on entry: Pagefind's
    service indexes on one core, and the memory a bundle took is returned before the next begins. The
    records are made as Pagefind asks for them, on the thread that feeds it."""

    def __init__(
        self, staging: Staging, site: Site, store: Texts, build: dict[str, list[Meeting]], jobs: int
    ) -> None:
        self.staging, self.site, self.store, self.build = staging, site, store, build
        self.names = sorted(
            build, key=lambda name: -len(build[name])
        )  # the largest first: the last fill gaps
        for name in self.names:
            staging.drop_tree(f"{BUNDLE_DIR}/{name}")
        self._pool = ThreadPoolExecutor(max(1, min(jobs, len(self.names))))
        self._futures = [self._pool.submit(self._one, name) for name in self.names]

    def _pages(self, name: str) -> Iterator[tuple[str, str]]:
        """The records, each through the last guard: a bundle's files are compressed, so the guard in
        Staging cannot read them."""
        for m in self.build[name]:
            url, html = meeting_page(self.site, m, self.store, level=name if name in LEVELS else None)
            if (found := cpr_in_output(html.encode())) is not None:
                message = (
                    f"søgeindekset ville indeholde et CPR-nummer ({found}-xxxx): søgningen læser et punkts "
                    "afsnit som én tekst, så tal i to afsnit kan blive ét nummer. Det må aldrig "
                    "offentliggøres; find cifrene og fjern dem"
                )
                raise SiteError([Finding(m.path, _line_of(self.store(m), found), message)])
            yield url, html

    def _one(self, name: str) -> int:
        target = self.staging.stage / BUNDLE_DIR / name
        with PagefindService(self.site.config.language or "da") as service:
            count = service.add_pages(self._pages(name))
            files = service.files()
        for rel, data in files:
            if rel in _UNUSED or rel.startswith(("/", "..")) or "/../" in rel:
                continue
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            (target / rel).write_bytes(data)
        return count

    def finish(self) -> int:
        """Wait for every bundle and stage it; the number of records indexed."""
        try:
            counts = [future.result() for future in self._futures]
        except PagefindError as exc:
            message = (
                f"søgeindekset kunne ikke bygges: {exc}. Byg igen; hjælper det ikke, byg med --no-search"
            )
            raise SiteError([Finding(BUNDLE_DIR, 0, message)]) from None
        for name in sorted(self.names):
            self.staging.adopt_tree(f"{BUNDLE_DIR}/{name}")  # files equal to the published keep their mtime
        return sum(counts)

    def close(self) -> None:
        # On an error the bundles not begun are not begun; those under way end before the staging goes.
        for future in self._futures:
            future.cancel()
        self._pool.shutdown(wait=True)
