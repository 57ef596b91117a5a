"""`make golden`: rebuild the golden trees (tests/golden/seed, tests/golden/fixture) from the current
engine. Commit the result on its own, with a message that says which output changed and why."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from golden import GOLDEN, SITES, build_tree, differences, read_tree, write_tree  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as work:
        for name in SITES:
            output = build_tree(name, Path(work))
            before = read_tree(GOLDEN / name) if (GOLDEN / name).is_dir() else {}
            after = read_tree(output)
            write_tree(name, after)
            change = differences(before, after).split("\n", 1)[0] or "unchanged"
            size = sum(len(data) for data in after.values()) // 1024
            print(f"tests/golden/{name}: {len(after)} files, {size} KB: {change}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
