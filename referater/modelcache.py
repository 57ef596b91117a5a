"""What the site model and the page list derive from the meetings' model facts alone, kept between builds.

Editing a decision or a paragraph changes a meeting's text but none of the facts the model is computed
from (keys, dates, item numbers and titles, cases, topics found, dates cited, bodies, drafts). A rebuild
after such an edit reuses the relations of the last build and the meeting pages' shapes instead of
computing them again for ten thousand meetings. Any change to those facts, the config or the engine gives
another digest: the cache is then ignored and written afresh, so it costs a full computation, never a
stale relation.
"""

from __future__ import annotations

import hashlib
import marshal
import pickle
from collections.abc import Iterable
from operator import attrgetter
from pathlib import Path
from typing import Any

from .analysis import Analysis
from .cache import atomic_write, engine_digest
from .config import SiteConfig
from .model import Meeting

MODEL_CACHE_FILE = "model.pickle"  # in .cache/ (the preview has its own)

# The fields the model may read, and those that change with the text alone (a test keeps this split
# complete: a new field must be put on one side or the other).
MEETING_FACTS = (
    "cluster",
    "forum",
    "path",
    "time",
    "end_time",
    "location",
    "title",
    "hand_topics",
    "cases",
    "source",
    "draft",
    "joint_with",
    "light",
)
MEETING_FACTS_SPELLED_OUT = ("date", "items", "participants", "secretariat")  # see _facts
MEETING_TEXT_ONLY = ("digest", "line_of")
ITEM_FACTS = ("number", "title", "closed", "cases", "documents", "hand_topics", "slot")
ITEM_TEXT_ONLY = ("sections", "line", "summary")

_meeting_facts = attrgetter(*MEETING_FACTS)
_item_facts = attrgetter(*ITEM_FACTS)
_person = attrgetter("name", "org", "role", "absent")
_match = attrgetter("topic", "in_title", "mentions")


def _facts(m: Meeting, analysis: Analysis) -> tuple:
    # date as an ordinal and people as tuples: marshal takes only plain values
    return (
        _meeting_facts(m),
        m.date.toordinal(),
        tuple(map(_item_facts, m.items)),
        tuple(map(_person, m.participants)),
        tuple(map(_person, m.secretariat)),
        tuple((n, tuple(map(_match, found))) for n, found in analysis.item_topics.items()),
        tuple(analysis.item_dates.items()),
    )


_FactKey = tuple[str, str]  # a meeting's file, as shown, and the digest of its bytes


class ModelCache:
    """Named values computed from the model, valid for one model digest. Stages ask with `get` and hand
    what they computed to `put`; `save` writes the file only when something was computed afresh. Without
    a path it keeps nothing.

    The digest is made from each meeting's model facts, hashed once per file version: a meeting's facts
    follow from its file's bytes and path alone (given the engine, the config and whether drafts are
    shown, which are in `prefix`), so the hash of an unchanged file is taken from the last build."""

    def __init__(
        self,
        path: Path | None = None,
        meetings: Iterable[Meeting] = (),
        found: dict[Any, Analysis] | None = None,
        prefix: bytes = b"",
    ):
        self.path = path
        # Each value pickled, made into objects only when asked for: the objects are the stage's own and go
        # when it is done with them, and a value kept for the next build is not held twice all build long.
        self.values: dict[str, bytes] = {}
        self._dirty = False
        kept_prefix, hashes, digest, values = self._load(path) if path is not None else (b"", {}, b"", {})
        self._fact_hashes = self._hash_facts(meetings, found or {}, hashes if kept_prefix == prefix else {})
        self.digest = _combine(prefix, self._fact_hashes.values())
        self._prefix = prefix
        if digest == self.digest:
            self.values = values

    @staticmethod
    def _load(path: Path) -> tuple[bytes, dict[_FactKey, bytes], bytes, dict[str, bytes]]:
        try:
            with path.open("rb") as handle:
                kept = pickle.load(handle)  # noqa: S301 - our own file in the site's .cache/
            prefix, hashes, digest, values = kept
            if (
                isinstance(hashes, dict)
                and isinstance(values, dict)
                and all(isinstance(value, bytes) for value in values.values())
            ):
                return prefix, hashes, digest, values
        except Exception:  # noqa: BLE001 - missing, damaged or foreign: computed afresh
            pass
        return b"", {}, b"", {}

    @staticmethod
    def _hash_facts(
        meetings: Iterable[Meeting], found: dict[Any, Analysis], known: dict[_FactKey, bytes]
    ) -> dict[_FactKey, bytes]:
        hashes: dict[_FactKey, bytes] = {}
        for m in meetings:
            key = (m.path, m.digest)
            fact_hash = known.get(key)
            if fact_hash is None:
                facts = marshal.dumps(_facts(m, found[m.key]), 2)
                fact_hash = hashlib.blake2b(facts, digest_size=16).digest()
            hashes[key] = fact_hash
        return hashes

    def get(self, name: str) -> Any:
        """A fresh copy of the value put under `name` (by this build or the last), or None."""
        data = self.values.get(name) if self.path is not None else None
        if data is None:
            return None
        try:
            return pickle.loads(data)  # noqa: S301 - our own file in the site's .cache/
        except Exception:  # noqa: BLE001 - a damaged value: computed afresh
            return None

    def put(self, name: str, value: Any) -> None:
        """Keep `value` as it is now (later changes to it are not kept)."""
        if self.path is not None:
            self.values[name] = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
            self._dirty = True

    def save(self) -> None:
        # A text edit alone changes no value: the file is not written, and the next build hashes the
        # facts of the edited files again (a few microseconds each).
        if self.path is None or not self._dirty:
            return
        kept = (self._prefix, self._fact_hashes, self.digest, self.values)
        try:
            atomic_write(self.path, pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))
        except OSError:
            return  # only a shortcut lost: the next build computes the model again
        self._dirty = False


def model_prefix(config: SiteConfig, include_drafts: bool) -> bytes:
    """What every meeting's model facts depend on beside its file."""
    return f"{engine_digest()}\0{config.digest}\0{include_drafts}\0".encode()


def _combine(prefix: bytes, fact_hashes: Iterable[bytes]) -> bytes:
    """The model digest: the meetings' fact hashes in the model's order (the order is a fact too)."""
    h = hashlib.blake2b(prefix, digest_size=20)
    h.update(b"".join(fact_hashes))
    return h.digest()
