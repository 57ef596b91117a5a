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
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

from . import __version__
from .analysis import Analysis
from .errors import Finding
from .memory import paused_gc
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


class ContentCache:
    """Parsed files by display path. Each entry is stored as its own pickle inside the cache file, so a
    save re-pickles only the entries that changed and copies the bytes of the rest; an entry that cannot
    be read costs the parse of that one file."""

    def __init__(self, site_dir: Path, config_digest: str, enabled: bool = True, keep_text: bool = False):
        self.keep_text = keep_text  # the build keeps light meetings; a cache for one is no use to the other
        self.path = site_dir / CACHE_DIR / "content.pickle"
        self.key = f"{engine_digest()}\0{config_digest}"
        self.enabled = enabled
        self.files: dict[str, ParsedFile] = {}
        self._pickled: dict[str, tuple[ParsedFile, bytes]] = {}  # entries whose pickled bytes are at hand
        if enabled:
            self._load()

    def _load(self) -> None:
        try:
            with self.path.open("rb") as handle:
                key, entries = pickle.load(handle)  # noqa: S301 - our own file in the site's .cache/
            if key != self.key or not isinstance(entries, dict):
                return
        except Exception:  # noqa: BLE001 - damaged or foreign cache: start afresh
            return
        with paused_gc():
            for shown, data in entries.items():
                try:
                    parsed = pickle.loads(data)  # noqa: S301 - as above
                except Exception:  # noqa: BLE001 - a damaged entry: that file is parsed again
                    continue
                if isinstance(parsed, ParsedFile):
                    self.files[shown] = parsed
                    self._pickled[shown] = (parsed, data)

    def note(self, shown: str, parsed: ParsedFile, data: bytes) -> None:
        """`data` is `parsed` pickled (a worker's answer): save() stores it instead of pickling again."""
        self._pickled[shown] = (parsed, data)

    def save(self, files: dict[str, ParsedFile]) -> None:
        if not self.enabled:
            return
        entries: dict[str, bytes] = {}
        for shown, parsed in files.items():
            # An entry the loader took over unchanged is the very object that was loaded (or noted).
            known, data = self._pickled.get(shown, (None, b""))
            entries[shown] = (
                data if known is parsed else pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
            )
        atomic_write(self.path, pickle.dumps((self.key, entries), protocol=pickle.HIGHEST_PROTOCOL))


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
