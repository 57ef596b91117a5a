"""Stage 5: write into a staging directory beside output/, then swap it into place in one step.

A failed or killed build leaves the previous output/ whole. A file whose bytes did not change is a hard
link to the published one, so it keeps its modification time and `rsync` or an upload skips it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import filecmp
import os
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2); False where the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


class Staging:
    def __init__(self, out: Path):
        self.out = out
        self.stage = out.with_name(out.name + ".staging")
        self.old = out.with_name(out.name + ".old")
        self.written = 0
        self.unchanged = 0
        self.staged: set[str] = set()
        self._dirs: set[str] = set()
        recover(out)
        for trash in out.parent.glob(f"{out.name}.trash-*"):
            if not trash.name.endswith(f"-{os.getpid()}") and f".trash-{os.getpid()}-" not in trash.name:
                shutil.rmtree(trash, ignore_errors=True)  # left by a process that was killed while deleting
        if self.stage.exists():
            shutil.rmtree(self.stage)  # left by a build that was killed
        self.stage.mkdir(parents=True)

    def _target(self, rel: str) -> Path:
        """The staged path of rel, its folder made. A string check, not resolve(): that costs a system call
        per path component, and nothing in the staging directory is a link."""
        clean = os.path.normpath(rel)
        if os.path.isabs(clean) or clean == ".." or clean.startswith("../") or clean == ".":
            raise ValueError(f"refusing to write outside the output directory: {rel!r}")
        self.staged.add(clean)
        folder = os.path.dirname(clean)
        if folder not in self._dirs:
            (self.stage / folder).mkdir(parents=True, exist_ok=True)
            self._dirs.add(folder)
        return self.stage / clean

    def put(self, rel: str, data: bytes) -> bool:
        """Stage a file; True if its bytes differ from the published one."""
        target = self._target(rel)
        old = self.out / rel
        try:
            if old.stat().st_size == len(data) and old.read_bytes() == data:
                os.link(old, target)
                self.unchanged += 1
                return False
        except OSError:
            pass
        target.write_bytes(data)
        self.written += 1
        return True

    @contextlib.contextmanager
    def open(self, rel: str) -> Iterator[BinaryIO]:
        """Stage a large file by streaming it; afterwards it is linked to the published one if equal."""
        target = self._target(rel)
        with target.open("wb") as handle:
            yield handle
        self._settle(target, self.out / rel)

    def _settle(self, staged: Path, old: Path) -> None:
        """A file written into the staging directory: if the published one has the same bytes, stage
        that one instead (a hard link), so that it keeps its modification time."""
        try:
            same = old.stat().st_size == staged.stat().st_size and filecmp.cmp(old, staged, shallow=False)
        except OSError:
            same = False
        if same:
            staged.unlink()
            os.link(old, staged)
            self.unchanged += 1
        else:
            self.written += 1

    def keep(self, rel: str) -> bool:
        """Stage the published file as it is (its inputs did not change); False if there is none."""
        target = self._target(rel)
        try:
            os.link(self.out / rel, target)
        except FileNotFoundError:
            self.staged.discard(os.path.normpath(rel))
            return False
        self.unchanged += 1
        return True

    def keep_tree(self, rel: str) -> bool:
        """Stage a whole published directory as it is (the search bundle when no meeting changed)."""
        source = self.out / rel
        if not source.is_dir():
            return False
        for path in source.rglob("*"):
            if path.is_file():
                self.keep(path.relative_to(self.out).as_posix())
        return True

    def drop_tree(self, rel: str) -> None:
        shutil.rmtree(self.stage / rel, ignore_errors=True)
        prefix = os.path.normpath(rel) + "/"
        self.staged = {path for path in self.staged if not path.startswith(prefix)}

    def adopt_tree(self, rel: str) -> None:
        """Files another program wrote into the staging directory: where the bytes equal the published
        file, stage the published one instead, so that it keeps its mtime."""
        root = self.stage / rel
        for path in sorted(root.rglob("*")) if root.is_dir() else []:
            if not path.is_file():
                continue
            self.staged.add(path.relative_to(self.stage).as_posix())
            self._settle(path, self.out / path.relative_to(self.stage))

    def removed(self) -> int:
        """Published files that this build no longer produces."""
        if not self.out.is_dir():
            return 0
        count = 0
        for root, _dirs, files in os.walk(self.out):
            rel_root = os.path.relpath(root, self.out)
            prefix = "" if rel_root == "." else rel_root + "/"
            count += sum(1 for f in files if prefix + f not in self.staged)
        return count

    def publish(self, background: bool = False) -> None:
        """Swap the staged tree in. The previous tree is moved aside at once and deleted, in a thread
        when `background` (the live preview answers sooner; a next build never races with it)."""
        if self.out.is_dir() and _exchange(self.stage, self.out):
            trash = self.out.with_name(f"{self.out.name}.trash-{os.getpid()}-{time.monotonic_ns()}")
            os.replace(self.stage, trash)  # now holds the previous output
            if background:
                threading.Thread(target=shutil.rmtree, args=(trash, True), daemon=False).start()
            else:
                shutil.rmtree(trash)
            return
        if self.out.exists():
            os.replace(self.out, self.old)
        os.replace(self.stage, self.out)
        shutil.rmtree(self.old, ignore_errors=True)

    def abandon(self) -> None:
        shutil.rmtree(self.stage, ignore_errors=True)


def recover(out: Path) -> None:
    """A build killed between the two renames of the fallback swap leaves output.old: put it back."""
    old = out.with_name(out.name + ".old")
    if old.is_dir() and not out.exists():
        os.replace(old, out)
    elif old.is_dir():
        shutil.rmtree(old, ignore_errors=True)
