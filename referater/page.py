"""One output page: its URL, its template, what it depends on, and how its context is made (lazily).

Shared by the pages stage (pages.py, the index pages) and the meeting pages (meeting_page.py).
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
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
    shape_digest: bytes | None = None,
    **fixed: Any,
) -> Callable[[Callable[[], dict[str, Any]]], Page]:
    """Decorator-style helper: the wrapped function computes the rest of the context, lazily.
    `shape_digest` is the shape's digest when it is known already (page_shape_digest, from the model cache)."""

    def wrap(build: Callable[[], dict[str, Any]] = dict) -> Page:
        def make() -> dict[str, Any]:
            context = build()
            context.update(fixed, title=title, crumbs=tuple(crumbs), canonical=urls.path_of(path))
            return context

        digest = shape_digest if shape_digest is not None else page_shape_digest(path, kind, shape)
        return Page(path, template, kind, make, digest, deps, **(extra or {}))

    return wrap


def page_shape_digest(path: str, kind: str, shape: Any) -> bytes:
    return hashlib.blake2b(canonical_bytes((path, kind, shape)), digest_size=16).digest()


def canonical_bytes(value: Any) -> bytes:
    """The value's bytes, by value alone: equal values give equal bytes however their objects are shared
    (a shape read from the cache and a freshly parsed one are equal but share differently; pickle's memo
    would write a back-reference for the second occurrence of an object, and pages would render again for
    nothing). Marshal's format 2 writes no references at all; a shape holds tuples, strings, numbers,
    booleans and None, and the few dataclasses in it (Links) are spelled out as tuples first."""
    try:
        return marshal.dumps(value, 2)
    except ValueError:  # a dataclass or a tuple subclass somewhere in it
        return marshal.dumps(_plain(value), 2)


def _plain(value: Any) -> Any:
    if isinstance(value, tuple | list):
        return tuple(_plain(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = (_plain(getattr(value, f.name)) for f in dataclasses.fields(value))
        return (f"\0{type(value).__qualname__}", *fields)
    if isinstance(value, dict):
        return tuple((_plain(k), _plain(v)) for k, v in value.items())
    return value


def root_link(site: Site) -> Link:
    return Link(site.url(urls.HOME), "Forside")


def crumb_link(site: Site, path: str, label: str) -> Link:
    return Link(site.url(path), label)
