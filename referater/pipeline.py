"""The build, stage by stage: config → content → site model → pages → render → write → post-steps."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
import pickle
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import __version__
from .config import SiteConfig, load_config
from .content import load_content
from .errors import Finding, SiteError
from .pages import Page, build_pages
from .render import BUILTIN_STATIC, Renderer
from .site import Site, build_site, cluster_mention_pattern
from .write import Staging

CACHE_DIR = ".cache"
_CACHE_FILE = "pages.json"


@dataclass
class BuildResult:
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    rendered: int = 0
    seconds: float = 0.0
    warnings: list[Finding] = field(default_factory=list)

    def summary(self) -> str:
        return (
            f"built {self.pages} pages: {self.written} files written, {self.unchanged} unchanged, "
            f"{self.removed} removed ({self.rendered} rendered) in {self.seconds:.2f} s"
        )


def load_site(site_dir: Path, strict: bool = False) -> tuple[Site, list[Finding]]:
    """Stages 1–2. Raises SiteError with every error (and, when strict, every warning)."""
    config = load_config(site_dir)
    loaded = load_content(site_dir, config)
    bad = [f for f in loaded.findings if f.level == "error" or strict]
    if bad:
        raise SiteError(loaded.findings)
    return build_site(loaded.meetings, config), loaded.findings


def static_files(site_dir: Path) -> dict[str, Path]:
    """Assets by output path; a site's own static/ overrides the engine's."""
    found: dict[str, Path] = {}
    for root in (BUILTIN_STATIC, site_dir / "static"):
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    found["static/" + path.relative_to(root).as_posix()] = path
    return found


def template_globals(site: Site, assets: dict[str, bytes]) -> dict[str, Any]:
    config: SiteConfig = site.config

    def asset(name: str) -> str:
        data = assets.get("static/" + name, b"")
        return f"{site.url('static/' + name)}?v={hashlib.blake2b(data, digest_size=4).hexdigest()}"

    return {
        "site": {
            "title": config.title,
            "description": config.description,
            "base_url": config.base_url,
            "base_path": config.base_path,
            "language": config.language,
            "accessibility_url": config.accessibility_statement_url,
        },
        "nav": (
            (site.url("klynger/"), "Klynger"),
            (site.url("fora/"), "Fora"),
            (site.url("emner/"), "Emner"),
            (site.url("sager/"), "Sager"),
            (site.url("arkiv/"), "Arkiv"),
        ),
        "search_url": site.url("soeg/"),
        "home_url": site.url(""),
        "css_url": asset("style.css"),
        "absolute": lambda path: config.base_url.rstrip("/") + path if path.startswith("/") else path,
    }


# --- parallel rendering: state is set before the workers fork, so pages are not pickled to them ---
_WORK: dict[str, Any] = {}


def _render_chunk(indices: list[int]) -> list[tuple[int, bytes]]:
    renderer: Renderer = _WORK["renderer"]
    pages: list[Page] = _WORK["pages"]
    return [(i, renderer.render(pages[i])) for i in indices]


def _render_all(renderer: Renderer, pages: list[Page], todo: list[int], jobs: int):
    if jobs <= 1 or len(todo) < 64:
        for i in todo:
            yield i, renderer.render(pages[i])
        return
    _WORK.update(renderer=renderer, pages=pages)
    size = max(8, min(64, len(todo) // (jobs * 8)))
    chunks = [todo[i : i + size] for i in range(0, len(todo), size)]
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            for done in pool.imap_unordered(_render_chunk, chunks):
                yield from done
    finally:
        _WORK.clear()


def build(
    site_dir: Path, out: Path | None = None, jobs: int = 0, use_cache: bool = True, strict: bool = False
) -> BuildResult:
    started = time.perf_counter()
    site_dir = site_dir.resolve()
    out = (out or site_dir / "output").resolve()
    site, findings = load_site(site_dir, strict)
    result = BuildResult(warnings=[f for f in findings if f.level != "error"])
    pages = build_pages(site)
    assets = {rel: path.read_bytes() for rel, path in static_files(site_dir).items()}
    renderer = Renderer(site_dir, template_globals(site, assets), cluster_mention_pattern(site))
    env_key = (
        f"{__version__}\0{site.config.digest}\0"
        + hashlib.blake2b(
            b"".join(k.encode() + hashlib.blake2b(v).digest() for k, v in sorted(assets.items()))
        ).hexdigest()
    )
    cache_path = site_dir / CACHE_DIR / _CACHE_FILE
    previous = _read_cache(cache_path) if use_cache else {}
    staging = Staging(out)
    try:
        fingerprints: dict[str, str] = {}
        todo: list[int] = []
        for i, page in enumerate(pages):
            h = hashlib.blake2b(digest_size=20)
            h.update(env_key.encode())
            h.update(renderer.template_digest(page.template).encode())
            h.update(pickle.dumps(page.context, protocol=5))
            fingerprints[page.path] = h.hexdigest()
            if previous.get(page.path) == fingerprints[page.path] and staging.keep(page.path):
                continue
            todo.append(i)
        for i, data in _render_all(renderer, pages, todo, jobs or os.cpu_count() or 1):
            staging.put(pages[i].path, data)
        result.rendered = len(todo)
        for rel, data in assets.items():
            staging.put(rel, data)
        for rel, data in post_outputs(site, pages):
            staging.put(rel, data)
        result.pages = len(pages)
        result.removed = staging.removed()
        result.written, result.unchanged = staging.written, staging.unchanged
        staging.publish()
    except BaseException:
        staging.abandon()
        raise
    if use_cache:
        _write_cache(cache_path, fingerprints)
    result.seconds = time.perf_counter() - started
    return result


def post_outputs(site: Site, pages: list[Page]) -> list[tuple[str, bytes]]:
    """Files made from the model rather than templates: feeds, open data, sitemap (leaf modules)."""
    from .crawl import robots_txt, sitemap_xml

    return [("sitemap.xml", sitemap_xml(site, pages)), ("robots.txt", robots_txt(site))]


def _read_cache(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text("utf-8"))
        return data["pages"] if data.get("engine") == __version__ else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}  # a missing or damaged cache only costs a full render


def _write_cache(path: Path, fingerprints: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"engine": __version__, "pages": fingerprints}, sort_keys=True), "utf-8")
    os.replace(tmp, path)


def run_build(args: Any) -> int:
    result = build(args.site, args.out, args.jobs, not args.no_cache, args.strict)
    for finding in result.warnings:
        print(finding, file=sys.stderr)
    if not args.quiet:
        print(result.summary())
    return 0
