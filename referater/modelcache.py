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


def model_digest(
    meetings: Iterable[Meeting], found: dict[Any, Analysis], config: SiteConfig, include_drafts: bool
) -> bytes:
    """The digest of everything the site model and the pages' shapes are computed from."""
    h = hashlib.blake2b(f"{engine_digest()}\0{config.digest}\0{include_drafts}\0".encode(), digest_size=20)
    for m in meetings:
        h.update(marshal.dumps(_facts(m, found[m.key]), 2))
    return h.digest()


class ModelCache:
    """Named values computed from the model, valid for one model digest. Stages ask with `get` and hand
    what they computed to `put`; `save` writes the file only when something was computed afresh. Without
    a path it keeps nothing."""

    def __init__(self, path: Path | None = None, digest: bytes = b""):
        self.path = path
        self.digest = digest
        self.values: dict[str, Any] = {}
        self._dirty = False
        if path is not None:
            self._load(path)

    def _load(self, path: Path) -> None:
        try:
            with path.open("rb") as handle:
                digest, values = pickle.load(handle)  # noqa: S301 - our own file in the site's .cache/
        except Exception:  # noqa: BLE001 - missing, damaged or foreign: computed afresh
            return
        if digest == self.digest and isinstance(values, dict):
            self.values = values

    def get(self, name: str) -> Any:
        return self.values.get(name) if self.path is not None else None

    def put(self, name: str, value: Any) -> None:
        if self.path is not None:
            self.values[name] = value
            self._dirty = True

    def save(self) -> None:
        if self.path is None or not self._dirty:
            return
        try:
            atomic_write(
                self.path, pickle.dumps((self.digest, self.values), protocol=pickle.HIGHEST_PROTOCOL)
            )
        except OSError:
            return  # only a shortcut lost: the next build computes the model again
        self._dirty = False
