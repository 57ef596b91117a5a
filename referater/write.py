"""Stage 5: write into a staging directory beside output/, then swap it into place in one step.

A failed or killed build leaves the previous output/ whole. A file whose bytes did not change is a hard
link to the published one, so it keeps its modification time and `rsync` or an upload skips it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import filecmp
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import Finding, SiteError

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
    """The tree the next output/ is assembled in. It is the previous output, recycled: after a swap the
    tree that was live is kept as `output.previous` and the next build updates it in place, so an
    incremental build links and deletes only what changed instead of building ten thousand folders anew
    and deleting the old ones (seconds at national scale). Nothing in it is trusted: a kept file must be
    the very inode published in output/, and a new file is always a new inode, because a recycled file
    may be a hard link shared with the live site."""

    def __init__(self, out: Path):
        self.out = out
        self.stage = out.with_name(out.name + ".staging")
        self.old = out.with_name(out.name + ".old")
        self.previous = out.with_name(out.name + ".previous")
        self.written = 0
        self.unchanged = 0
        self.staged: set[str] = set()
        self._dirs: set[str] = set()
        self._published: list[str] | None = None
        if out.is_symlink() or (out.exists() and not out.is_dir()):
            raise SiteError([Finding(out.name, 0, _NOT_A_FOLDER.format(name=out.name))])
        recover(out)
        for trash in out.parent.glob(f"{out.name}.trash-*"):  # left by builds before staging was recycled
            _rmtree(trash)
        for stale in (self.stage, self.previous):  # a file or a link here is no tree of ours
            if stale.is_symlink() or (stale.exists() and not stale.is_dir()):
                stale.unlink()
        if self.stage.is_dir():  # left by a build that was killed or failed: as good a start as any
            _rmtree(self.previous)
        elif self.previous.is_dir():
            os.replace(self.previous, self.stage)
        elif not (out.is_dir() and _link_copy(out, self.stage)):
            self.stage.mkdir(parents=True)
        fault_point("staging")

    def _target(self, rel: str) -> Path:
        """The staged path of rel, its folder made. A string check, not resolve(): that costs a system call
        per path component, and nothing in the staging directory is a link we made."""
        clean = os.path.normpath(rel)
        if os.path.isabs(clean) or clean == ".." or clean.startswith("../") or clean == ".":
            raise ValueError(f"refusing to write outside the output directory: {rel!r}")
        self.staged.add(clean)
        folder = os.path.dirname(clean)
        if folder not in self._dirs:
            _make_dir(self.stage, folder)
            self._dirs.add(folder)
        return self.stage / clean

    def _link(self, source: Path, target: Path) -> None:
        """Stage the published file itself; a recycled target that already is that file stays."""
        try:
            if os.path.samestat(os.lstat(target), os.lstat(source)):
                return
            _remove(target)
        except FileNotFoundError:
            pass
        os.link(source, target)

    def put(self, rel: str, data: bytes) -> bool:
        """Stage a file; True if its bytes differ from the published one."""
        target = self._target(rel)
        old = self.out / rel
        try:
            if old.stat().st_size == len(data) and old.read_bytes() == data:
                self._link(old, target)
                self.unchanged += 1
                return False
        except OSError:
            pass
        _remove(target)  # never write into a recycled file: it may be the live site's
        target.write_bytes(data)
        self.written += 1
        fault_point("put")
        return True

    @contextlib.contextmanager
    def open(self, rel: str) -> Iterator[BinaryIO]:
        """Stage a large file by streaming it; afterwards it is linked to the published one if equal."""
        target = self._target(rel)
        _remove(target)
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
            self._link(old, staged)
            self.unchanged += 1
        else:
            self.written += 1

    def keep(self, rel: str) -> bool:
        """Stage the published file as it is (its inputs did not change); False if there is none."""
        target = self._target(rel)
        try:
            self._link(self.out / rel, target)
        except FileNotFoundError:
            self.staged.discard(os.path.normpath(rel))
            return False
        self.unchanged += 1
        return True

    def keep_tree(self, rel: str) -> bool:
        """Stage a whole published directory as it is (the search bundles that did not change). Folder
        by folder: a staged file that already is the published one (same inode, from the recycled tree)
        costs no system call, so keeping the index's thousands of files is a directory read each."""
        source = os.path.join(self.out, rel)
        if not os.path.isdir(source):
            return False
        for folder, _subdirs, _names in os.walk(source):
            sub = os.path.relpath(folder, self.out)
            staged = os.path.join(self.stage, sub)
            try:
                same_dev = os.stat(staged).st_dev == os.stat(folder).st_dev
                inodes = {e.name: e.inode() for e in os.scandir(staged)} if same_dev else {}
            except FileNotFoundError:
                inodes = {}
            with os.scandir(folder) as entries:
                files = {e.name: e.inode() for e in entries if e.is_file()}
            for name, inode in files.items():
                if inodes.get(name) == inode:
                    self.staged.add(os.path.normpath(f"{sub}/{name}"))
                    self.unchanged += 1
                else:
                    self.keep(f"{sub}/{name}")
        return True

    def drop_tree(self, rel: str) -> None:
        """Empty a staged directory for another program to write into (new files, new inodes)."""
        _rmtree(self.stage / rel)
        prefix = os.path.normpath(rel) + "/"
        self.staged = {path for path in self.staged if not path.startswith(prefix)}
        self._dirs = {d for d in self._dirs if not (d + "/").startswith(prefix)}

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
        if self._published is None:  # output/ does not change while we build
            self._published = list(_files(self.out))
        return sum(1 for rel in self._published if rel not in self.staged)

    def _prune(self) -> None:
        """Delete what the recycled tree still holds of older builds: files and folders not staged now."""
        needed = {""}
        for folder in {os.path.dirname(rel) for rel in self.staged}:
            while folder not in needed:
                needed.add(folder)
                folder = os.path.dirname(folder)
        top = len(str(self.stage)) + 1
        for root, dirs, files in os.walk(self.stage, topdown=False):
            prefix = root[top:] + "/" if len(root) >= top else ""
            for name in files:
                if prefix + name not in self.staged:
                    os.unlink(os.path.join(root, name))
            for name in dirs:
                path = os.path.join(root, name)
                if os.path.islink(path):
                    os.unlink(path)
                elif prefix + name not in needed:
                    shutil.rmtree(path, ignore_errors=True)

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


def _files(root: Path) -> Iterator[str]:
    top = len(str(root)) + 1
    for folder, _dirs, files in os.walk(root):
        prefix = folder[top:] + "/" if len(folder) >= top else ""
        for name in files:
            yield prefix + name


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


def _make_dir(root: Path, folder: str) -> None:
    """Make root/folder; where a recycled tree has a file in the way, the file goes."""
    try:
        (root / folder).mkdir(parents=True, exist_ok=True)
        return
    except (FileExistsError, NotADirectoryError):
        pass
    path = root
    for part in Path(folder).parts:
        path = path / part
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            path.unlink()
    (root / folder).mkdir(parents=True, exist_ok=True)


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


# For the fault tests only: REFERATER_FAULT=name[:n] kills the build (SIGKILL) the n-th time it passes
# fault_point(name); REFERATER_PAUSE=name:folder makes it write folder/reached there and wait for folder/go.
_FAULT = os.environ.get("REFERATER_FAULT", "").partition(":")
_PAUSE = os.environ.get("REFERATER_PAUSE", "").partition(":")
_PASSED: dict[str, int] = {}
_PAUSE_BOUND_S = 120.0


def fault_point(name: str) -> None:
    if _FAULT[0] == name:
        _PASSED[name] = _PASSED.get(name, 0) + 1
        if _PASSED[name] == int(_FAULT[2] or 1):
            os.kill(os.getpid(), signal.SIGKILL)
    if _PAUSE[0] == name:
        folder = Path(_PAUSE[2])
        (folder / "reached").touch()
        deadline = time.monotonic() + _PAUSE_BOUND_S
        while not (folder / "go").exists() and time.monotonic() < deadline:
            time.sleep(0.01)


LOCK_WAIT_S = 15 * 60.0  # longer than a cold national build


@contextlib.contextmanager
def build_lock(path: Path, out: Path, wait_s: float, waiting: Callable[[str], None]) -> Iterator[None]:
    """One build of a site at a time (its .cache/, its output folder and staging tree): a second one
    waits for the first, up to wait_s, then stops with a message. The lock is the kernel's, so a build
    that is killed holds it no longer; a POSIX record lock (lockf), not flock, because forked workers do
    not inherit it and cannot keep it after their parent was killed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a+") as handle:
        deadline = time.monotonic() + wait_s
        told = False
        while True:
            try:
                fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EAGAIN):
                    raise
                handle.seek(0)
                holder = handle.read().strip() or "?"
                if time.monotonic() >= deadline:
                    message = (
                        f"et andet byg til {out.name}/ (proces {holder}) er stadig i gang efter "
                        f"{wait_s / 60:.0f} minutter; vent på det, eller stop det, og byg så igen"
                    )
                    raise SiteError([Finding(f"{path.parent.name}/{path.name}", 0, message)]) from None
                if not told:
                    waiting(f"venter på et andet byg til {out.name}/ (proces {holder}) …")
                    told = True
                time.sleep(0.05)
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        fault_point("locked")
        yield
