"""The persistent cache in .cache/: parsed meetings by file, and page fingerprints by output path.

A cache is only ever an optimisation: a missing, old or damaged one costs a full build, never a wrong one.
Everything in it is keyed by the engine version and the config's digest.
"""

from __future__ import annotations

import contextlib
import copyreg
import datetime as dt
import functools
import hashlib
import json
import os
import pickle
import shutil
import zlib
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from .analysis import Analysis
from .errors import Finding
from .memory import paused_gc, pickled_apart
from .model import AgendaItem, Meeting, Participant, Section, _restore_meeting
from .topics import _shared_match

CACHE_DIR = ".cache"


def _register_extensions() -> None:
    """Pickle names each class of a cache entry by a code from copyreg's extension registry (its range for
    private use, 240-255) instead of by module and name: an unpickler looks a code up in a dict, where a
    name costs an import call, a few times per entry of ten thousand. Registering again is a no-op."""
    kinds = (ParsedFile, Analysis, Finding, AgendaItem, Section, Participant, dt.date)
    callables = (_restore_meeting, _shared_match)
    for code, kind in enumerate((*kinds, *callables), 240):
        try:
            copyreg.add_extension(kind.__module__, kind.__qualname__, code)
        except ValueError:  # a code another library took: that class is pickled by name, as before
            continue


_LIBRARIES = ("jinja2", "cmarkgfm", "nh3", "pyyaml", "python-slugify", "pagefind", "icalendar")


@functools.cache
def engine_digest() -> str:
    """The engine's own source and the versions of the libraries that shape the output: a change to either
    invalidates every cache, so an upgrade can never leave stale pages behind."""
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    package = Path(__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    for name in _LIBRARIES:
        try:
            h.update(f"{name}={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            h.update(f"{name}=?".encode())
    return h.hexdigest()


# A file whose mtime or ctime is this close to the moment it was looked at may still be edited within the
# same clock tick and keep every stamp (file systems keep time in ticks, some of two seconds).
RACY_NS = 3_000_000_000


def stamp(stat: os.stat_result) -> tuple[int, int, int, int]:
    """What tells that a file is unchanged without reading it. The ctime is in it because no one can set
    it back: an edit that keeps the size and restores the mtime (os.utime, touch -r) still moves it."""
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def racy(stat: os.stat_result, now_ns: int) -> bool:
    """Changed so recently that its stamp cannot vouch for its bytes yet: they are compared (as git does
    with the entries of its index that are as new as the index)."""
    return max(stat.st_mtime_ns, stat.st_ctime_ns) >= now_ns - RACY_NS


@dataclass
class ParsedFile:
    stamp: tuple[int, int, int, int] | None  # None: racy when read, so the bytes are compared next time
    digest: str
    meeting: Meeting | None
    findings: list[Finding]
    analysis: Analysis | None


_register_extensions()


def atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + f".{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


FORMAT = "segments-1"  # what the cache file holds; a file of another layout is not read
ENTRIES_PER_SEGMENT = 8  # the target: a damaged segment costs that many parses, a changed file one re-pickle


def segment_count(files: int, previous: int = 0) -> int:
    """How many segments `files` entries are spread over: a power of two near a segment per
    ENTRIES_PER_SEGMENT files, kept while it stays within a factor of two of that (a change of the
    count re-pickles every segment once, so a site that grows and shrinks by a file does not)."""
    if previous and ENTRIES_PER_SEGMENT // 2 <= files / previous <= ENTRIES_PER_SEGMENT * 2:
        return previous
    count = 1
    while count * ENTRIES_PER_SEGMENT * 2 <= files:
        count *= 2
    return count


def segment_of(shown: str, count: int) -> int:
    return zlib.crc32(shown.encode("utf-8")) % count


class ContentCache:
    """Parsed files by display path, kept in segments: each segment, the entries of the files whose path
    hashes to it, is one pickle inside the cache file. Entries pickled together share one memo (a topic
    match, a repeated string is read once per segment, not once per file), a save re-pickles only the
    segments whose entries changed and copies the bytes of the others, and a segment that cannot be read
    costs the parse of its files only."""

    def __init__(self, site_dir: Path, config_digest: str, enabled: bool = True, keep_text: bool = False):
        self.keep_text = keep_text  # the build keeps light meetings; a cache for one is no use to the other
        self.path = site_dir / CACHE_DIR / "content.pickle"
        self.key = f"{engine_digest()}\0{config_digest}"
        self.enabled = enabled
        self.files: dict[str, ParsedFile] = {}
        self._count = 0  # the segments of the file read
        self._segments: list[tuple[dict[str, ParsedFile], bytes]] = []  # each as read, with its bytes
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            with self.path.open("rb") as handle:
                form, key, segments = pickle.load(handle)  # noqa: S301 - our own file in the site's .cache/
            if form != FORMAT or key != self.key or not isinstance(segments, list):
                return
        except Exception:  # noqa: BLE001 - damaged, foreign or older cache: start afresh
            return
        self._count = len(segments)
        with paused_gc():
            for data in segments:
                try:
                    entries = pickle.loads(data) if data else {}  # noqa: S301 - as above
                except Exception:  # noqa: BLE001 - a damaged segment: its files are parsed again
                    entries = None
                if not isinstance(entries, dict):
                    self._segments.append(({}, b""))
                    continue
                kept = {k: v for k, v in entries.items() if isinstance(v, ParsedFile)}
                self.files.update(kept)
                self._segments.append((kept, data if len(kept) == len(entries) else b""))

    def save(self, files: dict[str, ParsedFile]) -> None:
        if self.enabled:
            pickled_apart(lambda: self._write(files))

    def _write(self, files: dict[str, ParsedFile]) -> None:
        count = segment_count(len(files), self._count)
        buckets: list[dict[str, ParsedFile]] = [{} for _ in range(count)]
        for shown in sorted(files):
            buckets[segment_of(shown, count)][shown] = files[shown]
        segments = []
        for i, bucket in enumerate(buckets):
            # A segment whose entries are the very objects read (none changed, none came or went) is
            # stored as the bytes it was read from.
            read, data = self._segments[i] if count == self._count else ({}, b"")
            same = (
                bool(data) and read.keys() == bucket.keys() and all(read[k] is v for k, v in bucket.items())
            )
            if not same:
                data = pickle.dumps(bucket, protocol=pickle.HIGHEST_PROTOCOL) if bucket else b""
            segments.append(data)
        atomic_write(self.path, pickle.dumps((FORMAT, self.key, segments), protocol=pickle.HIGHEST_PROTOCOL))


def engine_folder(site_dir: Path, name: str) -> Path:
    """.cache/NAME/<engine>/, for what only this engine may read again; the folders of other engines
    are removed, so an upgrade leaves no stale files behind."""
    parent = site_dir / CACHE_DIR / name
    own = engine_digest()[:16]
    with contextlib.suppress(OSError):
        for entry in os.scandir(parent):
            if entry.name != own:
                shutil.rmtree(entry.path, ignore_errors=True)
    return parent / own


def read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text("utf-8"))
        return data if isinstance(data, dict) and data.get("engine") == engine_digest() else {}
    except (OSError, ValueError):
        return {}


def write_json(path: Path, data: dict[str, Any]) -> None:
    atomic_write(path, json.dumps({"engine": engine_digest(), **data}, sort_keys=True).encode("utf-8"))
