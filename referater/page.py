"""One output page: its URL, its template, what it depends on, and how its context is made (lazily).

Shared by the pages stage (pages.py, the index pages) and the meeting pages (meeting_page.py).
"""

from __future__ import annotations

import hashlib
import io
import pickle
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from . import urls
from .site import Key, Site
from .views import Link


@dataclass(frozen=True)
class Page:
    path: str  # output path relative to the output root, e.g. "klynger/fyn/index.html"
    template: str
    kind: str
    make: Callable[[], dict[str, Any]] = field(compare=False, repr=False)
    shape: bytes = b""  # digest of the model's facts the page shows (kept small: 11,000 pages)
    deps: tuple[Key, ...] = ()
    companion_paths: tuple[str, ...] = ()  # files the build makes with the page (a meeting's meeting.json)
    own: Key | None = None  # a meeting page's meeting: the only one whose full content it shows

    def context(self) -> dict[str, Any]:
        return self.make()


def make_page(
    path: str,
    template: str,
    kind: str,
    title: str,
    crumbs: list[Link],
    shape: Any = (),
    deps: tuple[Key, ...] = (),
    *,
    extra: dict[str, Any] | None = None,
    **fixed: Any,
) -> Callable[[Callable[[], dict[str, Any]]], Page]:
    """Decorator-style helper: the wrapped function computes the rest of the context, lazily."""

    def wrap(build: Callable[[], dict[str, Any]] = dict) -> Page:
        def make() -> dict[str, Any]:
            context = build()
            context.update(fixed, title=title, crumbs=tuple(crumbs), canonical=urls.path_of(path))
            return context

        digest = hashlib.blake2b(canonical_bytes((path, kind, shape)), digest_size=16).digest()
        return Page(path, template, kind, make, digest, deps, **(extra or {}))

    return wrap


def canonical_bytes(value: Any) -> bytes:
    """The value pickled without the memo: equal values give equal bytes however their objects are
    shared (with the memo, a second occurrence of one object is written as a back-reference, so a shape
    read from the cache and a freshly parsed one would differ, and pages would render again for nothing)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    pickler.fast = True
    pickler.dump(value)
    return buffer.getvalue()


def root_link(site: Site) -> Link:
    return Link(site.url(urls.HOME), "Forside")


def crumb_link(site: Site, path: str, label: str) -> Link:
    return Link(site.url(path), label)
