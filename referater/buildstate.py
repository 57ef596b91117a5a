"""The state a build leaves in .cache/ (build.json, preview.json) for the next one: what its inputs were (to stop early
when nothing changed) and which output/ it made."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import time
from pathlib import Path
from stat import S_ISREG
from typing import Any

from .cache import CACHE_DIR, engine_digest, racy, stamp, write_json
from .config import CONFIG_NAME, SiteConfig
from .errors import Finding, os_failure
from .loader import walk_files
from .page import Page
from .progress import BuildResult
from .render import BUILTIN_STATIC, BUILTIN_TEMPLATES, Renderer
from .site import Site


def state_file(site_dir: Path, preview: bool) -> Path:
    """The preview keeps its own state: sharing one made every build after a preview render all pages."""
    return site_dir / CACHE_DIR / ("preview.json" if preview else "build.json")


def input_signature(site_dir: Path, options: tuple) -> tuple[str, dict[str, str]]:
    """The stamps of every input (content, config, templates, assets) plus the options; and the digests
    of the files changed too recently for their stamps to vouch for them, to be compared next time."""
    h = hashlib.blake2b(f"{engine_digest()}\0{options!r}".encode(), digest_size=20)
    now = time.time_ns()
    recent: dict[str, str] = {}
    roots = [
        site_dir / "content",
        site_dir / "templates",
        site_dir / "static",
        BUILTIN_TEMPLATES,
        BUILTIN_STATIC,
    ]
    for root in roots:
        h.update(f"\0{root}".encode())
        for path in walk_files(root):
            try:
                stat = os.stat(path)
            except OSError:  # a dangling link: its name counts
                h.update(f"{path}\0-\n".encode(errors="surrogateescape"))
                continue
            # A name that is not UTF-8 (os.fsdecode's surrogates) counts as its bytes.
            h.update(f"{path}\0{stamp(stat)}\n".encode(errors="surrogateescape"))
            if racy(stat, now) and S_ISREG(stat.st_mode):  # reading a named pipe would wait for ever
                recent[path] = digest_of(path)
    config = site_dir / CONFIG_NAME
    if config.exists():
        h.update(config.read_bytes())
    return h.hexdigest(), recent


def digest_of(path: str) -> str:
    try:
        return hashlib.blake2b(Path(path).read_bytes(), digest_size=16).hexdigest()
    except OSError:
        return ""


def output_identity(out: Path) -> list[int] | None:
    """The published directory is swapped in whole, so a new inode means another build made it."""
    try:
        stat = out.stat()
    except FileNotFoundError:
        return None
    return [stat.st_dev, stat.st_ino]


def unchanged(state: dict[str, Any], signature: str, out: Path) -> bool:
    """Nothing that goes into the site changed since the last build, and `out` is the one it made."""
    return (
        state.get("signature") == signature
        and output_identity(out) == state.get("output")
        and all(digest_of(path) == digest for path, digest in state.get("recent", {}).items())
    )


def noop_result(state: dict[str, Any]) -> BuildResult:
    """What a build that changes nothing reports: the last build's figures and warnings."""
    result = BuildResult(pages=state["pages"], unchanged=state["files"], noop=True)
    result.warnings = [Finding(**f) for f in state.get("warnings", [])]
    return result


def state_of(
    signature: str, recent: dict[str, str], out: Path, prints: dict[str, str], result: BuildResult
) -> dict[str, Any]:
    """What the next build reads (the signature, the fingerprints and which output/ they describe)."""
    return {
        "signature": signature,
        "recent": recent,
        "out": str(out),
        "output": output_identity(out),
        "fingerprints": prints,
        "pages": result.pages,
        "files": result.written + result.unchanged,
        "warnings": [dataclasses.asdict(f) for f in result.warnings],
    }


def save_state(path: Path, state: dict[str, Any], warnings: list[Finding]) -> None:
    """The site is published by now: a state that cannot be saved costs the next build its shortcuts."""
    try:
        write_json(path, state)
    except OSError as exc:
        finding = os_failure(exc, path.parent.parent)
        warnings.append(
            Finding(
                finding.path, 0, finding.message + " (siden er udgivet; næste byg bygger alt igen)", "warning"
            )
        )


def environment_key(config: SiteConfig, assets: dict[str, bytes], preview: bool, drafts: bool) -> bytes:
    """What every page's fingerprint shares: the engine, the config, the build's kind and the assets."""
    return hashlib.blake2b(
        f"{engine_digest()}\0{config.digest}\0{config.base_url}\0{preview}\0{drafts}\0".encode()
        + b"".join(k.encode() + hashlib.blake2b(v).digest() for k, v in sorted(assets.items()))
    ).digest()


_DEPS = "page-deps"  # in the model cache: each page's digest of the outlines of the meetings it draws on


def fingerprints(pages: list[Page], site: Site, renderer: Renderer, env_key: bytes) -> dict[str, str]:
    """Everything a page shows: its shape from the site model, the meetings it draws on, its templates.
    A page's own meeting counts in full; others only as far as links show them (snippets are in the shape).
    The outlines of a page's meetings are model facts: their digest per page (650,000 outlines at 10,000
    meetings) is kept in the model cache."""
    full = {m.key: m.digest.encode() for m in site.meetings}
    kept: dict[str, bytes] = site.cache.get(_DEPS) or {}
    deps: dict[str, bytes] = {}
    outline: dict | None = None
    templates: dict[str, bytes] = {}
    result = {}
    for page in pages:
        template = templates.get(page.template)
        if template is None:
            template = templates[page.template] = renderer.template_digest(page.template).encode()
        drawn_on = kept.get(page.path)
        if drawn_on is None:
            if outline is None:
                outline = {m.key: m.outline.encode() for m in site.meetings}
            drawn_on = hashlib.blake2b(b"".join(map(outline.__getitem__, page.deps)), digest_size=16).digest()
        deps[page.path] = drawn_on
        h = hashlib.blake2b(env_key + template + page.shape + drawn_on, digest_size=20)
        if page.own is not None:
            h.update(full[page.own])
        result[page.path] = h.hexdigest()
    if deps != kept:
        site.cache.put(_DEPS, deps)
    return result
