"""Stage 5: write into a staging directory beside output/, then swap it into place in one step.

A failed or killed build leaves the previous output/ whole. A file whose bytes did not change is a hard
link to the published one, so it keeps its modification time and `rsync` or an upload skips it.
"""

from __future__ import annotations

import bisect
import contextlib
import ctypes
import ctypes.util
import errno
import filecmp
import functools
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from .buildlock import fault_point
from .errors import Finding, SiteError
from .privacy import cpr_in_output
from .treescan import inodes_comparable, scan

_RENAME_EXCHANGE = 2  # linux/fs.h
_AT_FDCWD = -100


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    try:  # find_library runs ldconfig: once per process
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two directories (Linux renameat2); False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    if ctypes.get_errno() in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(a))


class Staging:
    """The tree the next output/ is assembled in. It is the previous output, recycled: after a swap the
    tree that was live is kept as `output.previous` and the next build updates it in place, so an
    incremental build links and deletes only what changed instead of building ten thousand folders anew
    and deleting the old ones (seconds at national scale). Nothing in it is trusted: a kept file must be
    the very inode published in output/, and a new file is always a new inode, because a recycled file
    may be a hard link shared with the live site.

    Both trees are read once, a folder at a time (treescan.scan), so keeping a file that already is the
    published one costs no system call, and what to delete or count as removed follows from what was
    read and what was staged. What another program writes into the staging tree must be adopted
    (adopt_tree), or publish deletes it."""

    def __init__(self, out: Path):
        self.out = out
        self.stage = out.with_name(out.name + ".staging")
        self.old = out.with_name(out.name + ".old")
        self.previous = out.with_name(out.name + ".previous")
        self.written = 0
        self.unchanged = 0
        self.staged: set[str] = set()
        self._sorted: list[str] | None = None
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise SiteError([Finding(out.name, 0, _NOT_A_FOLDER.format(name=out.name))])
        recover(out)
        for trash in out.parent.glob(f"{out.name}.trash-*"):  # left by builds before staging was recycled
            _rmtree(trash)
        for stale in (self.stage, self.previous):  # a file or a link here is no tree of ours
            if stale.is_symlink() or (stale.exists() and not stale.is_dir()):
                stale.unlink()
        self._out, self._stage = f"{out}/", f"{self.stage}/"
        # The published files (inode numbers) and folders; output/ does not change while we build.
        self._published, self._published_dirs = scan(self._out) if out.is_dir() else ({}, {""})
        copied = False
        if self.stage.is_dir():  # left by a build that was killed or failed: as good a start as any
            _rmtree(self.previous)
        elif self.previous.is_dir():
            os.replace(self.previous, self.stage)
        elif not (copied := out.is_dir() and _link_copy(out, self.stage)):
            self.stage.mkdir(parents=True)
        # What the staging tree holds: its files (their inode numbers; -1 for one written by this build)
        # and its folders. A tree `cp -al` just made is the published one, link for link.
        if copied:
            self._have, self._dirs = dict(self._published), set(self._published_dirs)
        else:
            self._have, self._dirs = scan(self._stage)
        self._trusted = inodes_comparable(self._out, self._published, self._stage, self._have)
        fault_point("staging")

    def _target(self, rel: str) -> str:
        """The clean form of rel, staged, its folder made. A string check, not resolve(): that costs a
        system call per path component, and nothing in the staging directory is a link we made."""
        clean = os.path.normpath(rel)
        if os.path.isabs(clean) or clean == ".." or clean.startswith("../") or clean == ".":
            raise ValueError(f"refusing to write outside the output directory: {rel!r}")
        self.staged.add(clean)
        folder = os.path.dirname(clean)
        if folder not in self._dirs:
            self._make_dir(folder)
        return clean

    def _make_dir(self, folder: str) -> None:
        """Make a staged folder and those above it; a file or a link an older tree has in the way goes."""
        missing = []
        while folder not in self._dirs:  # "" (the staging directory) always is
            missing.append(folder)
            folder = os.path.dirname(folder)
        for folder in reversed(missing):
            path = self._stage + folder
            if self._have.pop(folder, None) is not None:
                _remove(Path(path))
            try:
                os.mkdir(path)
            except FileExistsError:
                if os.path.islink(path) or not os.path.isdir(path):
                    _remove(Path(path))
                    os.mkdir(path)
            self._dirs.add(folder)

    def _forget(self, clean: str) -> None:
        """What the staging tree holds at clean and below is about to go."""
        if self._have.pop(clean, None) is not None or clean not in self._dirs:
            return
        files, folders = scan(self._stage, clean)
        for rel in files:
            self._have.pop(rel, None)
            self.staged.discard(rel)
        self._dirs -= folders

    def _clear(self, clean: str) -> None:
        """Clear a staged path of whatever an older tree or this build put there."""
        self._forget(clean)
        _remove(Path(self._stage + clean))

    def _link(self, clean: str, ino: int) -> None:
        """Stage the published file itself; a recycled target that already is that file stays."""
        if self._trusted and self._have.get(clean) == ino:
            return
        target, source = self._stage + clean, self._out + clean
        with contextlib.suppress(FileNotFoundError):
            if os.path.samestat(os.lstat(target), os.lstat(source)):
                self._have[clean] = ino
                return
        self._clear(clean)
        os.link(source, target)
        self._have[clean] = ino

    def refuse(self, clean: str, found: str) -> SiteError:
        """The error for a staged file that would hold a CPR number (found: its date digits)."""
        message = (
            f"filen ville indeholde et CPR-nummer ({found}-xxxx), og det må aldrig offentliggøres; "
            "find cifrene i det, filen er lavet af (content/, static/, templates/ eller "
            "site_config.yaml), og fjern dem"
        )
        return SiteError([Finding(f"{self.out.name}/{clean}", 0, message)])

    def put(self, rel: str, data: bytes) -> bool:
        """Stage a file; True if its bytes differ from the published one. Scanned even when they do not:
        a file published before the guard, or by a build that had it off, is not vouched for by being
        published."""
        clean = self._target(rel)
        if (found := cpr_in_output(data)) is not None:  # the last guard: privacy.cpr_in_output
            raise self.refuse(clean, found)
        ino = self._published.get(clean)
        if ino is not None:
            try:
                fd = os.open(self._out + clean, os.O_RDONLY)
                try:  # one read: a file of another size differs
                    same = os.read(fd, len(data) + 1) == data
                finally:
                    os.close(fd)
            except OSError:
                same = False
            if same:
                self._link(clean, ino)
                self.unchanged += 1
                return False
        self._clear(clean)  # never write into a recycled file: it may be the live site's
        self._have[clean] = -1
        Path(self._stage + clean).write_bytes(data)
        self.written += 1
        fault_point("put")
        return True

    @contextlib.contextmanager
    def open(self, rel: str) -> Iterator[BinaryIO]:
        """Stage a large file by streaming it; afterwards it is linked to the published one if equal."""
        clean = self._target(rel)
        self._clear(clean)
        self._have[clean] = -1
        with Path(self._stage + clean).open("wb") as handle:
            yield handle
        self._settle(clean)

    def _settle(self, clean: str) -> None:
        """A file written into the staging directory: if the published one has the same bytes, stage
        that one instead (a hard link), so that it keeps its modification time."""
        ino = self._published.get(clean)
        staged, old = self._stage + clean, self._out + clean
        try:
            same = ino is not None and filecmp.cmp(old, staged, shallow=False)
        except OSError:
            same = False
        if same:
            self._link(clean, ino)
            self.unchanged += 1
        else:
            self.written += 1

    def keep(self, rel: str) -> bool:
        """Stage the published file as it is (its inputs did not change); False if there is none."""
        ino = self._published.get(rel)  # a name read from output/ is clean; anything else is made so
        if ino is None:
            rel = os.path.normpath(rel)
            ino = self._published.get(rel)
            if ino is None:
                return False
        return self._keep(rel, ino)

    def _keep(self, clean: str, ino: int) -> bool:
        self.staged.add(clean)
        folder = clean.rpartition("/")[0]
        if folder not in self._dirs:
            self._make_dir(folder)
        try:
            self._link(clean, ino)
        except FileNotFoundError:  # gone from output/ since it was read: made anew instead
            self.staged.discard(clean)
            return False
        self.unchanged += 1
        return True

    def keep_tree(self, rel: str) -> bool:
        """Stage a whole published directory as it is (the search bundle when no meeting changed)."""
        clean = os.path.normpath(rel)
        if clean not in self._published_dirs:
            return False
        if self._sorted is None:
            self._sorted = sorted(self._published)
        names, prefix, published = self._sorted, clean + "/", self._published
        for i in range(bisect.bisect_left(names, prefix), len(names)):
            if not names[i].startswith(prefix):
                break
            self._keep(names[i], published[names[i]])
        return True

    def drop_tree(self, rel: str) -> None:
        """Empty a staged directory for another program to write into (new files, new inodes)."""
        clean = os.path.normpath(rel)
        self._forget(clean)
        _rmtree(Path(self._stage + clean))

    def adopt_tree(self, rel: str) -> None:
        """Files another program wrote into the staging directory: where the bytes equal the published
        file, stage the published one instead, so that it keeps its mtime."""
        clean = os.path.normpath(rel)
        if not os.path.isdir(self._stage + clean) or os.path.islink(self._stage + clean):
            return
        self._make_dir(clean)
        files, folders = scan(self._stage, clean)
        self._dirs |= folders
        for name in sorted(files):
            self._have[name] = files[name]
            self.staged.add(name)
            self._settle(name)

    def removed(self) -> int:
        """Published files that this build no longer produces."""
        return sum(1 for rel in self._published if rel not in self.staged)

    def _prune(self) -> None:
        """Delete what the recycled tree still holds of older builds: files and folders not staged now."""
        needed = {""}
        for folder in {rel.rpartition("/")[0] for rel in self.staged}:
            while folder not in needed:
                needed.add(folder)
                folder = folder.rpartition("/")[0]
        for rel in [rel for rel in self._have if rel not in self.staged]:
            _remove(Path(self._stage + rel))
            del self._have[rel]
        gone = self._dirs - needed
        for folder in gone:
            if os.path.dirname(folder) not in gone:  # else it goes with the folder it is in
                shutil.rmtree(self._stage + folder, ignore_errors=True)
        self._dirs -= gone

    def publish(self) -> None:
        """Swap the staged tree in; the tree that was live becomes `output.previous`, the start of the
        next build."""
        self._prune()
        fault_point("pruned")
        if self.out.is_dir() and _exchange(self.stage, self.out):
            fault_point("exchanged")
            os.replace(self.stage, self.previous)  # now holds the previous output
            return
        if self.out.exists():
            os.replace(self.out, self.old)
        os.replace(self.stage, self.out)
        if self.old.exists():
            _rmtree(self.previous)
            os.replace(self.old, self.previous)

    def abandon(self) -> None:
        """After a failure: the staged tree goes (on a full disk it is what frees the space). What cannot be
        removed is reused or removed by the next build."""
        _rmtree(self.stage)


def _link_copy(source: Path, target: Path) -> bool:
    """A tree of hard links to the published files, made by `cp -al` (0.4 s for 24,000 files and 14,500
    folders, where doing it file by file from Python takes seconds): the first incremental build after a
    cold one starts as if it had a recycled tree. False where there is no such cp; then file by file."""
    cp = shutil.which("cp")
    if cp is None:
        return False
    try:
        # Folders get fresh modes: a read-only output/ must not make a read-only staging tree.
        command = [cp, "-al", "--no-preserve=mode", "--", str(source), str(target)]
        done = subprocess.run(command, capture_output=True, check=False)
    except OSError:
        done = None
    if done is None or done.returncode != 0:
        _rmtree(target)
        return False
    return True


def _remove(path: Path) -> None:
    """Clear a staged path of whatever an older tree left there: a file, a link or a folder."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path)
    except PermissionError:  # unlink of a directory on some systems
        if not path.is_dir():
            raise
        shutil.rmtree(path)


def recover(out: Path) -> None:
    """A build killed between the two renames of the fallback swap leaves output.old: put it back."""
    old = out.with_name(out.name + ".old")
    if old.is_dir() and not out.exists():
        os.replace(old, out)
    elif old.is_dir():
        _rmtree(old)


def _rmtree(path: Path) -> None:
    """Remove a tree of ours, whatever it holds; a folder made read-only (say, copied from a read-only
    output/) is made writable first. What still cannot go stays for the next build to try again."""

    def writable_and_again(func, name, _exc) -> None:  # noqa: ANN001 - shutil's callback
        with contextlib.suppress(OSError):
            os.chmod(os.path.dirname(name), 0o755)
            func(name)

    if path.is_symlink():
        path.unlink()
    elif path.exists():
        shutil.rmtree(path, onerror=writable_and_again)


_NOT_A_FOLDER = "{name} er ikke en mappe; flyt eller slet den, eller byg et andet sted med --out"
