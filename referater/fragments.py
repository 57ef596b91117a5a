"""What the feeds and calendars keep in .cache/ between builds (fragments.sqlite): the rendered pieces (one
Atom entry, one VEVENT) and, per feed, the fingerprint of its inputs with the stamp of the file it made.

A feed whose fingerprint is unchanged and whose published file is the very one it made is kept as it is;
another is assembled from its pieces, and only the pieces of changed meetings are rendered. SQLite lets a
build read just the pieces it needs and write just what changed, where a single pickle was loaded and
saved whole (147 MB at 10,000 meetings).

Everything is keyed by the engine (its source and libraries) and the full config as loaded (`scope_key`),
so a base_url given on the command line counts as much as a changed site_config.yaml: another scope
empties the file. A piece's key names everything else it shows (feeds.py: its meeting's token, kind and
item). The file keeps only the pieces of meetings in use and the feeds the last build made, so it cleans
itself. A missing, foreign or damaged file costs a slower build, never a wrong one.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from .cache import engine_digest
from .config import SiteConfig

FRAGMENTS_FILE = "fragments.sqlite"
OLD_FILES = ("fragments.pickle", "preview-fragments.pickle")  # the whole-file cache this one replaced
TOKEN_SIZE = 16  # a piece's key starts with its meeting's token
_BATCH = 500  # keys per query: well under SQLite's limit of bound parameters

_SCHEMA = """
CREATE TABLE IF NOT EXISTS scope (value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS meetings (token BLOB PRIMARY KEY, path TEXT NOT NULL, digest TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS pieces (key BLOB PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS feeds (path TEXT PRIMARY KEY, fingerprint BLOB NOT NULL, stamp TEXT NOT NULL);
"""


def scope_key(config: SiteConfig) -> str:
    """What every piece depends on: the engine and every field of the config (its repr is deterministic)."""
    return hashlib.blake2b(f"{engine_digest()}\0{config!r}".encode(), digest_size=16).hexdigest()


def file_stamp(path: str | Path) -> str | None:
    """Which file this is: a new file is a new inode, and a hard link (how a kept file is staged) leaves
    inode, size and mtime as they were. None if there is none."""
    try:
        stat = os.lstat(path)
    except OSError:
        return None
    return f"{stat.st_dev}:{stat.st_ino}:{stat.st_size}:{stat.st_mtime_ns}"


class Fragments:
    """The store of one build; `path` None keeps it in a temporary file for this build only (--no-cache)."""

    def __init__(self, path: Path | None, config: SiteConfig):
        self.path = path
        self.scope = scope_key(config)
        self.expected: dict[str, bytes] = {}  # fingerprint of every feed this build makes, by path
        self.made = 0  # pieces rendered by this build
        self._known: dict[str, tuple[bytes, str]] = {}
        self._meetings: dict[bytes, tuple[str, str]] = {}  # (path, digest) of the tokens in use
        self.db = self._open()

    def _open(self) -> sqlite3.Connection:
        if self.path is not None:
            for name in OLD_FILES:
                with contextlib.suppress(OSError):
                    (self.path.parent / name).unlink()
            for _attempt in range(2):  # a damaged or foreign file is replaced by a new one
                try:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    return self._load(self._connect(str(self.path)))
                except (sqlite3.Error, OSError):
                    for suffix in ("", "-wal", "-shm"):
                        with contextlib.suppress(OSError):
                            self.path.with_name(self.path.name + suffix).unlink()
            self.path = None  # cannot be written: a store for this build only
        db = self._connect("")  # SQLite's private temporary file, gone when closed
        self._reset(db)
        return db

    def _load(self, db: sqlite3.Connection) -> sqlite3.Connection:
        try:
            row = db.execute("SELECT value FROM scope").fetchone()
            if row is None or row[0] != self.scope:
                self._reset(db)
            rows = db.execute("SELECT path, fingerprint, stamp FROM feeds")
            self._known = {path: (fingerprint, stamp) for path, fingerprint, stamp in rows}
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def _connect(name: str) -> sqlite3.Connection:
        db = sqlite3.connect(name, isolation_level=None)
        try:
            # One build at a time holds the site's lock; a kill mid-build rolls back to the last build's.
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(_SCHEMA)
            db.execute("BEGIN")
        except BaseException:
            db.close()
            raise
        return db

    def _reset(self, db: sqlite3.Connection) -> None:
        for table in ("scope", "meetings", "pieces", "feeds"):
            db.execute(f"DELETE FROM {table}")  # noqa: S608 - our own table names
        db.execute("INSERT INTO scope VALUES (?)", (self.scope,))

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Fragments:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()  # without save(): what this build wrote is rolled back

    # --- feeds ---

    def fresh(self, rel: str, fingerprint: bytes, published: str | Path) -> bool:
        """The feed's inputs are those of the file the last build made for it, and `published` is that file."""
        self.expected[rel] = fingerprint
        known = self._known.get(rel)
        return known is not None and known[0] == fingerprint and known[1] == file_stamp(published)

    def record(self, rel: str, staged: str | Path) -> None:
        """The file now staged for the feed: the one to be published with its fingerprint."""
        stamp = file_stamp(staged)
        if stamp is not None and self._known.get(rel) != (self.expected[rel], stamp):
            with self._writing():
                self.db.execute(
                    "INSERT OR REPLACE INTO feeds VALUES (?, ?, ?)", (rel, self.expected[rel], stamp)
                )

    # --- pieces ---

    def missing(self, keys: Iterable[bytes]) -> set[bytes]:
        wanted = set(keys)
        for chunk in _chunks(sorted(wanted)):
            marks = ",".join("?" * len(chunk))
            wanted.difference_update(
                row[0]
                for row in self.db.execute(f"SELECT key FROM pieces WHERE key IN ({marks})", chunk)  # noqa: S608
            )
        return wanted

    def in_use(self, meetings: dict[bytes, tuple[str, str]]) -> None:
        """The tokens of the site's meetings, with their (path, digest): save() drops the pieces of others."""
        self._meetings = meetings

    def add(self, pieces: Iterable[tuple[bytes, bytes]]) -> None:
        rows = list(pieces)
        self.made += len(rows)
        tokens = {key[:TOKEN_SIZE] for key, _ in rows}
        with self._writing():
            self.db.executemany("INSERT OR REPLACE INTO pieces VALUES (?, ?)", rows)
            self.db.executemany(
                "INSERT OR IGNORE INTO meetings VALUES (?, ?, ?)", ((t, *self._meetings[t]) for t in tokens)
            )

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """A write that fails (a full disk) is the build's message about that file, as any other."""
        try:
            yield
        except sqlite3.Error as exc:
            raise OSError(errno.EIO, str(exc), str(self.path or "fragments")) from None

    def pieces(self, keys: list[bytes]) -> Iterator[bytes]:
        """The pieces of `keys`, in their order (each key must have been added)."""
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            found = dict(self.db.execute(f"SELECT key, data FROM pieces WHERE key IN ({marks})", chunk))  # noqa: S608
            yield from (found[key] for key in chunk)

    def save(self) -> None:
        """Keep the pieces of the meetings in use and the feeds made by this build; commit."""
        tokens = self._meetings
        stale = [row[0] for row in self.db.execute("SELECT token FROM meetings") if row[0] not in tokens]
        for token in stale:
            self.db.execute("DELETE FROM pieces WHERE key > ? AND key < ?", (token, token + b"\xff" * 8))
        self.db.executemany("DELETE FROM meetings WHERE token = ?", ((t,) for t in stale))
        gone = [(rel,) for rel in self._known if rel not in self.expected]
        self.db.executemany("DELETE FROM feeds WHERE path = ?", gone)
        try:
            self.db.execute("COMMIT")
        except sqlite3.Error:  # a full disk: the next build renders what this one could not keep
            with contextlib.suppress(sqlite3.Error):
                self.db.execute("ROLLBACK")


def _chunks(keys: list[bytes]) -> Iterator[list[bytes]]:
    for i in range(0, len(keys), _BATCH):
        yield keys[i : i + _BATCH]
