"""The levels of the index above the base, and the mask that shows each meeting's newest record only.

A level is a bundle of meetings changed since the one below it was built: `delta` holds the meetings
changed since the base was last merged and is built again only when `recent` is folded into it; `recent`
holds those changed since the delta was built and is built again whenever they change, so its cost
follows the change. A record of a level (or of the base) is superseded when its meeting changed since or
was deleted; the manifest lists those per level and static/search.js drops them.
"""

from __future__ import annotations

DELTA = "delta"
RECENT = "recent"
LEVELS = (DELTA, RECENT)  # oldest first
BASE = "base"  # the name the mask gives the base bundles

Members = dict[str, str]  # meeting id → the digest of the version a bundle holds


def merge_threshold(meetings: int) -> int:
    """Meetings changed since the base was built before they are merged into it: a fiftieth of the site,
    at least 50. The delta holds them all, so it must stay small enough to fold into quickly."""
    return max(50, meetings // 50)


def recent_threshold(meetings: int) -> int:
    """Meetings `recent` may hold before it is folded into the delta: it is built again on every change."""
    return max(10, merge_threshold(meetings) // 10)


def plan_levels(base: Members, now: Members, held: dict[str, Members]) -> dict[str, Members]:
    """What each level holds after this build: `held` is what each level's published bundle holds (empty
    when it is not published), `base` what the base holds, `now` every published meeting."""
    changed = {ident: digest for ident, digest in now.items() if base.get(ident) != digest}
    delta = held.get(DELTA, {})
    pending = {ident: digest for ident, digest in changed.items() if delta.get(ident) != digest}
    if len(pending) > recent_threshold(len(now)):
        return {DELTA: dict(sorted(changed.items())), RECENT: {}}  # folded: the delta holds every change
    if not any(changed.get(ident) == digest for ident, digest in delta.items()):
        delta = {}  # nothing in it is current (or the base was merged): the bundle goes
    return {DELTA: delta, RECENT: dict(sorted(pending.items()))}


def withdrawn(closed: dict[str, list[int]], was: dict[str, list[int]], indexed: set[str]) -> set[str]:
    """Indexed meetings with an agenda item closed since (`closed` and `was`: meeting id → the numbers of
    its closed items, now and in the bundles): the text the item had must leave the bundles too."""
    return {
        ident
        for ident, numbers in closed.items()
        if ident in indexed and set(numbers) - set(was.get(ident, ()))
    }


def scrub(
    shards: dict[str, Members], held: dict[str, Members], now: Members, withdrawn: set[str] | None = None
) -> list[str]:
    """Take the meetings that left the site (deleted, or made a draft again) and the `withdrawn` ones out of
    every bundle that holds an old version of them: a masked record is hidden from the search page, not
    from whoever downloads the bundle. A base bundle that held one is built again with its meetings as
    they are now; a level that held one holds nothing (its meetings go to a level built now). Changes
    `shards` and `held`; the base bundles to build."""
    leaving = withdrawn or set()

    def stale(members: Members) -> bool:
        return any(ident not in now or ident in leaving for ident in members)

    rebuilt = []
    for name, members in list(shards.items()):
        if stale(members):
            remaining = {ident: now[ident] for ident in members if ident in now}
            if remaining:
                shards[name] = remaining
                rebuilt.append(name)
            else:
                del shards[name]
    for level, members in held.items():
        if stale(members):
            held[level] = {}
    return rebuilt


def superseded(base: Members, levels: dict[str, Members], now: Members) -> dict[str, list[str]]:
    """Per level that has a bundle (the base first), the meetings whose records there are not their
    newest: changed since, deleted, or the same version already kept from a lower level (a base bundle
    built again by scrub holds its meetings as they are now)."""
    current = {ident for ident, digest in base.items() if now.get(ident) == digest}
    masks = {BASE: sorted(ident for ident in base if ident not in current)}
    for name in LEVELS:
        if levels.get(name):
            mine = {ident for ident, digest in levels[name].items() if now.get(ident) == digest}
            masks[name] = sorted(ident for ident in levels[name] if ident not in mine or ident in current)
            current |= mine
    return masks
