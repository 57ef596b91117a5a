"""The shapes of listing pages (topic and case pages): what they show of the model, kept in the model
cache, and the decision snippets of the items they list, followed item by item (pages.py)."""

from __future__ import annotations

from collections.abc import Callable

from .page import page_shape_digest
from .site import Key, Site


class Snippets:
    """The decision snippet that topic and case pages show beside an item, by (meeting, item number),
    looked up meeting by meeting as a page asks: most rebuilds need the snippets of a few pages only."""

    def __init__(self, site: Site):
        self.site = site
        self.by_meeting: dict[Key, dict[int, str]] = {}

    def __call__(self, item: tuple[Key, int]) -> str | None:
        key, number = item
        summaries = self.by_meeting.get(key)
        if summaries is None:
            meeting = self.site.by_key.get(key)
            summaries = {i.number: i.summary for i in meeting.items} if meeting else {}
            self.by_meeting[key] = summaries
        return summaries.get(number)


# model digest, deps, items listed, the deps' file digests, and the page's shape digest (model and snippets)
_Listing = tuple[bytes, tuple[Key, ...], tuple[tuple[Key, int], ...], tuple[str, ...], bytes]


class ListingShapes:
    """Listing pages' shapes by path. A page's shape is its model facts (kept in the model cache) plus the
    snippets of the items it lists: a snippet changes with a decision's text, which the model cache does
    not follow. The snippets are looked at again only for a page one of whose meetings' files changed
    since its entry was made: a snippet is made from its meeting's file alone."""

    def __init__(self, site: Site, name: str, snippets: Snippets):
        self.site, self.name, self.snippets = site, name, snippets
        self.known: dict[str, _Listing] = site.cache.get(name) or {}
        self.file_digest = {m.key: m.digest for m in site.meetings}.__getitem__
        self.fresh: dict[str, _Listing] = {}
        self._model_changed = False

    def __call__(self, path: str, kind: str, make: Callable[[], tuple]) -> tuple[bytes, tuple[Key, ...]]:
        """(shape digest, deps) of a listing page; `make` gives (model shape, deps, items listed) when the
        model part is not kept."""
        entry = self.known.get(path)
        if entry is None:
            self._model_changed = True
            shape, deps, items = make()
            model = page_shape_digest(path, kind, shape)
        else:
            model, deps, items, kept_witness, kept_digest = entry
        witness = tuple(map(self.file_digest, deps))
        if entry is not None and kept_witness == witness:
            self.fresh[path] = entry
            return kept_digest, deps
        digest = page_shape_digest(path, kind, (model, tuple(map(self.snippets, items))))
        self.fresh[path] = (model, deps, items, witness, digest)
        return digest, deps

    def done(self) -> None:
        # An entry whose witness is out of date is still right (its page's snippets are looked at again):
        # the cache file is written again for a change to the model part only.
        if self._model_changed or self.fresh.keys() != self.known.keys():
            self.site.cache.put(self.name, self.fresh)
