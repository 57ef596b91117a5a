"""Search: Pagefind indexes fed from the site model, updated with the change instead of rebuilt.

The published bundle, below `pagefind/`:

- `<year>-<n>/`: the base, a Pagefind bundle per 200 meetings of a year in date order, built from the
  model (records.py: one small HTML page per meeting, a heading per agenda item) by the Pagefind service
  (service.py), two bundles at a time where both fit in the build's memory budget (index.py). A base
  bundle is rebuilt only when merged or scrubbed (below).
- `delta/`: the meetings changed or added since the base was merged; built again only when `recent` is
  folded into it.
- `recent/`: the meetings changed since the delta was built; built again on every change, and small.
- `manifest.json`: the bundles to merge in the browser (Pagefind's `mergeIndex`), the base first, and
  per bundle level the meetings whose records there are superseded by a newer level or deleted; records
  of a level carry its name, and static/search.js drops the superseded ones (levels.py).

When `recent` holds more than `recent_threshold` meetings it is folded into the delta; when more than
`merge_threshold` meetings differ from the base, the base bundles they touch are rebuilt and both levels
empty. A meeting deleted, made a draft or with an item closed since is scrubbed: taken out of every
bundle that holds an old version of it, since a masked record can still be downloaded. Bundles that did
not change are staged as they were, so they keep bytes and mtime. What each bundle holds is kept in
`.cache/search.json`, with the digest of each bundle's entry file; without it (or when the engine, the
config or Pagefind changed, or a published bundle is not the version it describes, as after a build
stopped before publishing) every year is built again.
"""

from __future__ import annotations

from .index import BUNDLE_DIR, IndexReport, IndexUpdate, begin_index

__all__ = ["BUNDLE_DIR", "IndexReport", "IndexUpdate", "begin_index"]
