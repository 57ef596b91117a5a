"""Writing /data/meetings.json: a frame (the site's facts) around every meeting.json of the site.

At national scale the file is hundreds of megabytes and a rebuild changes a few meetings of it, so the
bytes of an unchanged meeting are copied from the published file, by the kernel (os.copy_file_range),
and the changed ones from their staged meeting.json. What the published file holds where is recorded in
.cache/ beside the meeting pages' fingerprints it was made from: a meeting.json is made and kept with its
page, so a page whose fingerprint did not change has the same meeting.json. The published file is used
only while it is the very file that record describes (device, inode, size, mtime, the bytes of its frame
and at the edges of every range); on any doubt every meeting is copied from its staged meeting.json.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import urls
from .cache import read_json, write_json
from .privacy import cpr_in_output
from .write import Staging

RECORD_FILE = "opendata.json"  # in .cache/ (preview-opendata.json for serve's build)
_TAIL_PROBE = 64  # bytes read from a meeting.json's end to find its trailing newlines
# copy_file_range's "not here" answers (another file system, an old kernel): then read and write instead
_NO_COPY = {errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP, errno.EBADF, errno.ETXTBSY}


@dataclass(frozen=True)
class Piece:
    """One meeting's part of /data/meetings.json."""

    rel: str  # its staged meeting.json, relative to the output folder
    print: str  # the fingerprint of its meeting page: the same fingerprint, the same meeting.json


@dataclass
class _Old:
    """A run of meetings that lie side by side, commas included, in the published file."""

    start: int
    end: int
    pieces: list[tuple[str, str, int, int]]  # (rel, print, offset, length) each


class _Doubt(Exception):
    """The published file is not what the record says after all: the meetings come from their pieces."""


def write_meetings_json(
    staging: Staging, frame: tuple[bytes, bytes], pieces: list[Piece], record: Path | None
) -> None:
    """Stage /data/meetings.json: frame[0], the pieces (each without its trailing newlines) joined by
    commas, frame[1]; from the published file where `record` (None: no cache) vouches for it."""
    head, tail = frame
    published = staging.out / urls.OPEN_DATA
    before = _Published.read(record, published, staging.out)
    plan = _plan(before.pieces, pieces)
    whole = len(plan) == 1 and isinstance(plan[0], _Old) and before.body == (plan[0].start, plan[0].end)
    # Every byte of the file is a frame or a piece that went through Staging.put's guard (the published
    # file is reused only on a record made by this engine): scanning the whole of it again would cost a
    # second a build at 10,000 meetings (docs/performance.md). The frames are scanned here.
    for part in (head, tail):
        if (found := cpr_in_output(part)) is not None:
            raise staging.refuse(urls.OPEN_DATA, found)
    if whole and before.frame == _digests(head, tail) and staging.keep(urls.OPEN_DATA):
        # Not a meeting changed, nor the frame: the published file is the new one.
        layout, reused = [list(p) for p in plan[0].pieces], before.size
    else:
        with staging.open(urls.OPEN_DATA) as handle:
            handle.flush()
            target = handle.fileno()
            try:
                layout, reused = _write(target, staging.stage, published, head, tail, plan)
            except _Doubt:
                os.ftruncate(target, 0)
                os.lseek(target, 0, os.SEEK_SET)
                layout, reused = _write(target, staging.stage, published, head, tail, pieces)
    if record is not None:
        stat = os.stat(staging.stage / urls.OPEN_DATA)  # the written file, or the published one kept
        # A record that cannot be written leaves the last one, which names another file (or this same
        # one, kept): the next build copies less, never wrongly.
        with contextlib.suppress(OSError):
            write_json(
                record,
                {
                    "out": str(staging.out),
                    "file": _identity(stat),
                    "frame": _digests(head, tail),
                    "head": len(head),
                    "tail": len(tail),
                    "pieces": layout,
                    "reused": reused,  # bytes copied from the published file: the tests look
                },
            )


@dataclass(frozen=True)
class _Published:
    """What the record says of the published file, once the file is seen to be the one it describes."""

    pieces: dict[str, tuple[str, int, int]]  # rel → (print, offset, length)
    frame: list[str] | None = None
    body: tuple[int, int] = (0, 0)  # where the meetings are: after "[", before "]"
    size: int = 0

    @classmethod
    def read(cls, record: Path | None, published: Path, out: Path) -> _Published:
        """Nothing (every meeting comes from its piece) unless the record describes the published file."""
        state = read_json(record) if record is not None else {}
        try:
            stat = os.stat(published)
            if not state or state.get("out") != str(out) or state.get("file") != _identity(stat):
                return cls({})
            head_len, tail_len = int(state["head"]), int(state["tail"])
            with open(published, "rb") as handle:
                front = os.pread(handle.fileno(), head_len, 0)
                back = os.pread(handle.fileno(), tail_len, stat.st_size - tail_len)
            if _digests(front, back) != state["frame"]:
                return cls({})
            pieces = {rel: (p, int(offset), int(length)) for rel, p, offset, length in state["pieces"]}
            body = (head_len, stat.st_size - tail_len)
            if not all(body[0] <= offset <= offset + n <= body[1] for _p, offset, n in pieces.values()):
                return cls({})
            return cls(pieces, list(state["frame"]), body, stat.st_size)
        except (OSError, KeyError, TypeError, ValueError):
            return cls({})


def _identity(stat: os.stat_result) -> list[int]:
    # No ctime: linking the file into the next staging tree moves it.
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns]


def _digests(head: bytes, tail: bytes) -> list[str]:
    return [hashlib.blake2b(part, digest_size=16).hexdigest() for part in (head, tail)]


def _plan(previous: dict[str, tuple[str, int, int]], pieces: list[Piece]) -> list[_Old | Piece]:
    """The pieces in order, runs of unchanged ones that lie side by side in the published file merged."""
    plan: list[_Old | Piece] = []
    for piece in pieces:
        known = previous.get(piece.rel)
        if known is None or not piece.print or known[0] != piece.print:
            plan.append(piece)
            continue
        _print, offset, length = known
        entry = (piece.rel, piece.print, offset, length)
        last = plan[-1] if plan else None
        if isinstance(last, _Old) and offset == last.end + 1:  # the comma between them comes along
            last.end = offset + length
            last.pieces.append(entry)
        else:
            plan.append(_Old(offset, offset + length, [entry]))
    return plan


def _write(
    target: int, stage: Path, published: Path, head: bytes, tail: bytes, plan: list[_Old | Piece]
) -> tuple[list[list[Any]], int]:
    """Write the file into `target`; the layout of its meetings (for the record) and the bytes reused."""
    layout: list[list[Any]] = []
    position, reused = _put(target, head), 0
    with _Source(published if any(isinstance(s, _Old) for s in plan) else None) as source:
        for i, span in enumerate(plan):
            if i:
                position += _put(target, b",")
            if isinstance(span, _Old):
                source.check(span)
                _copy(source.fd, target, span.start, span.end - span.start)
                shift = position - span.start
                layout.extend([rel, p, offset + shift, length] for rel, p, offset, length in span.pieces)
                position += span.end - span.start
                reused += span.end - span.start
            else:
                length = _copy_piece(os.path.join(stage, span.rel), target)
                layout.append([span.rel, span.print, position, length])
                position += length
    _put(target, tail)
    return layout, reused


class _Source:
    """The published file, open for the copies, its ranges checked at their edges."""

    def __init__(self, path: Path | None):
        self.path, self.fd = path, -1

    def __enter__(self) -> _Source:
        if self.path is not None:
            try:
                self.fd = os.open(self.path, os.O_RDONLY)
            except OSError:
                raise _Doubt from None
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd >= 0:
            os.close(self.fd)

    def check(self, span: _Old) -> None:
        # A meeting is a JSON object, after "[" or a comma and before a comma or "]".
        before, after = os.pread(self.fd, 2, span.start - 1), os.pread(self.fd, 2, span.end - 1)
        if before not in (b"[{", b",{") or after not in (b"},", b"}]"):
            raise _Doubt


def _put(target: int, data: bytes) -> int:
    view = memoryview(data)
    while view:
        view = view[os.write(target, view) :]
    return len(data)


def _copy(source: int, target: int, offset: int, count: int) -> None:
    """count bytes of source from offset onto the end of target: in the kernel where it can."""
    end = offset + count
    while offset < end:
        try:
            done = os.copy_file_range(source, target, end - offset, offset)
        except OSError as exc:
            if exc.errno not in _NO_COPY:
                raise
            done = _put(target, os.pread(source, min(end - offset, 1 << 20), offset))
        if done == 0:  # the file ended early: changed under us
            raise _Doubt
        offset += done


def _copy_piece(path: str, target: int) -> int:
    """A meeting.json without its trailing newlines onto the end of target; its length so."""
    fd = os.open(path, os.O_RDONLY)
    try:
        size = os.fstat(fd).st_size
        probe = os.pread(fd, min(size, _TAIL_PROBE), max(0, size - _TAIL_PROBE))
        length = size - (len(probe) - len(probe.rstrip(b"\n")))
        if length == size - len(probe) and size > len(probe):  # all newlines: look further back
            length = len(os.pread(fd, size, 0).rstrip(b"\n"))
        try:
            _copy(fd, target, 0, length)
        except _Doubt:
            raise OSError(errno.EIO, "the file changed while it was copied", path) from None
        return length
    finally:
        os.close(fd)
