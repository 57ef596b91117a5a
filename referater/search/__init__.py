"""Search: Pagefind indexes fed from the site model, updated with the change instead of rebuilt.

The published bundle, below `pagefind/`:

- `<year>-<n>/`: the base, a Pagefind bundle per 200 meetings of a year in date order, built from the model
  (records.py: one small HTML page per meeting, a heading per agenda item) by the Pagefind service
  (service.py), two bundles at a time. A base bundle is rebuilt only when the delta is merged (below).
- `delta/`: one small index of every meeting changed or added since its year was built.
- `manifest.json`: the bundles to merge in the browser (Pagefind's `mergeIndex`) and the mask, the
  meetings whose base records are superseded by the delta or deleted; static/search.js drops those.

When the delta holds more than `merge_threshold` meetings, the base bundles it touches are rebuilt and the
delta empties. Bundles that did not change are staged as they were, so they keep bytes and mtime. What
each bundle holds is kept in `.cache/search.json`; without it (or when the engine, the config or
Pagefind changed) every year is built again.
"""

from __future__ import annotations

from .index import BUNDLE_DIR, IndexReport, update_index

__all__ = ["BUNDLE_DIR", "IndexReport", "update_index"]
