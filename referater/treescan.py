"""A tree of files read a folder at a time: one directory read per folder instead of a stat per file."""

from __future__ import annotations

import itertools
import os


def scan(root: str, under: str = "") -> tuple[dict[str, int], set[str]]:
    """What root/under holds, as paths relative to root (which ends in /): its files and links with
    their inode numbers, and its folders (under included). One directory read per folder, no stat."""
    files: dict[str, int] = {}
    folders = {under}
    pending = [under]
    while pending:
        folder = pending.pop()
        prefix = folder + "/" if folder else ""
        with os.scandir(root + folder) as entries:
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.add(rel)
                    pending.append(rel)
                else:
                    files[rel] = entry.inode()
    return files, folders


def inodes_comparable(out: str, published: dict[str, int], stage: str, have: dict[str, int]) -> bool:
    """Whether the inode numbers a folder lists identify files: both trees on one filesystem whose files
    report its device and the numbers their folders list (not so on every overlay mount)."""
    try:
        device = os.stat(stage).st_dev
        if published and os.stat(out).st_dev != device:
            return False
        for root, files in ((out, published), (stage, have)):
            for rel, ino in {
                *itertools.islice(files.items(), 1),
                *itertools.islice(reversed(files.items()), 1),
            }:
                stat = os.lstat(root + rel)
                if stat.st_dev != device or stat.st_ino != ino:
                    return False
    except OSError:
        return False
    return True
