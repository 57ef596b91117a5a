"""Sites for the citizen-facing tests: the fixture under a base path, and the fixture plus the real content.

Built once per test session (a module-level cache keyed by kind), into pytest's temporary directories.
"""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import FIXTURES, ROOT, copy_site, run_cli

BASE_URL = "https://example.github.io/referater/"
BASE_PATH = "/referater/"
CANARIES = (b"CANARY-CLOSED-7f3a9", b"CANARY-CLOSED-2b8e1", b"CANARY-DRAFT-1c2d3")
SEED_FILES = (
    "content/soenderjylland/2024-04-22-fagligt-strategisk-niveau.md",
    "content/nykoebing-falster/2024-04-22-politisk-niveau.md",
)

_built: dict[str, Path] = {}


def _build(site: Path, search: bool) -> Path:
    result = run_cli("build", "--site", site, "--no-cache", *([] if search else ["--no-search"]))
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return site


def _write_config(site: Path, config: dict) -> None:
    text = yaml.safe_dump(config, allow_unicode=True, sort_keys=False)
    (site / "site_config.yaml").write_text(text, "utf-8")


def based_site(factory: pytest.TempPathFactory, search: bool = False) -> Path:
    """The links fixture with base_url under a sub-path, as on GitHub Pages."""
    key = f"based-{search}"
    if key not in _built:
        site = copy_site(FIXTURES / "links", factory.mktemp(key))
        config = yaml.safe_load((site / "site_config.yaml").read_text("utf-8"))
        _write_config(site, {**config, "base_url": BASE_URL})
        _built[key] = _build(site, search)
    return _built[key]


def combined_site(factory: pytest.TempPathFactory) -> Path:
    """The project's config and content (when present) plus the fixture's clusters and meetings, with
    search, under the base path."""
    if "combined" not in _built:
        site = factory.mktemp("combined")
        real = yaml.safe_load((ROOT / "site_config.yaml").read_text("utf-8"))
        fixture = yaml.safe_load((FIXTURES / "links/site_config.yaml").read_text("utf-8"))
        merged = {**real, "base_url": BASE_URL}
        for section in ("clusters", "forums", "topics"):
            merged[section] = {**fixture[section], **real[section]}
        _write_config(site, merged)
        if (ROOT / "content").is_dir():
            shutil.copytree(ROOT / "content", site / "content")
        shutil.copytree(FIXTURES / "links/content", site / "content", dirs_exist_ok=True)
        _built["combined"] = _build(site, search=True)
    return _built["combined"]


def seed_present() -> bool:
    return all((ROOT / f).is_file() for f in SEED_FILES)


def decoded(path: Path) -> bytes:
    """A file's bytes; Pagefind's fragments and index chunks gzip-decompressed."""
    data = path.read_bytes()
    if path.suffix in (".pf_fragment", ".pf_index", ".pf_meta", ".pf_filter") and data[:2] == b"\x1f\x8b":
        return gzip.decompress(data)
    return data


def leaks(output: Path) -> list[str]:
    """Canaries anywhere in the output. Pagefind's index stores words split at '-' and lower-cased, so
    the distinctive last part of each canary is looked for too."""
    tokens = [c.rsplit(b"-", 1)[1].lower() for c in CANARIES]
    found = []
    for path in sorted(output.rglob("*")):
        if path.is_file():
            data = decoded(path)
            lower = data.lower()
            found += [f"{c.decode()} in {path.relative_to(output)}" for c in CANARIES if c in data]
            found += [f"{t.decode()} in {path.relative_to(output)}" for t in tokens if t in lower]
    return found
