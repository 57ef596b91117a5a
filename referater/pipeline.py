"""The build, stage by stage: config → content → site model → pages → render → write → post-steps."""

from __future__ import annotations

import ctypes
import ctypes.util
import dataclasses
import gc
import hashlib
import multiprocessing
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import urls
from .buildstate import digest_of, input_signature, output_identity, save_state, state_file
from .cache import CACHE_DIR, ContentCache, engine_digest, read_json
from .config import SiteConfig, load_config
from .errors import Finding, SiteError, os_failure
from .loader import FullMeetings, load_content
from .page import Page
from .pages import build_pages
from .render import BUILTIN_STATIC, Renderer
from .site import Site, body_nav, build_site
from .write import LOCK_WAIT_S, Staging, build_lock, fault_point


@dataclass(frozen=True)
class BuildOptions:
    jobs: int
    use_cache: bool
    search: bool
    preview: bool
    progress: bool
    drafts: bool = False  # show drafts (with their banner): the preview only, never output/


@dataclass
class BuildResult:
    pages: int = 0
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    rendered: int = 0
    seconds: float = 0.0
    warnings: list[Finding] = field(default_factory=list)
    noop: bool = False
    timings: list[tuple[str, float]] = field(default_factory=list)  # stage, seconds (for --timings)

    def summary(self) -> str:
        seconds = f"{self.seconds:.2f}".replace(".", ",")
        if self.noop:
            return (
                f"byggede {self.pages} sider: intet er ændret, {self.unchanged} filer beholdt på {seconds} s"
            )
        return (
            f"byggede {self.pages} sider: {self.written} filer skrevet, {self.unchanged} uændrede, "
            f"{self.removed} fjernet ({self.rendered} sider lavet igen) på {seconds} s"
        )


def load_site(
    site_dir: Path,
    strict: bool = False,
    base_url: str | None = None,
    use_cache: bool = True,
    jobs: int = 1,
    lap: Callable[[str], None] = lambda stage: None,
    drafts: bool = False,
) -> tuple[Site, list[Finding]]:
    """Stages 1–2. Raises SiteError with every error (and, when strict, every warning)."""
    config = load_config(site_dir)
    if base_url:
        config = dataclasses.replace(config, base_url=base_url)
    cache = ContentCache(site_dir, config.digest, enabled=use_cache)
    loaded = load_content(site_dir, config, cache, jobs, keep_text=False)
    lap("content")
    bad = [f for f in loaded.findings if f.level == "error" or strict]
    if bad:
        raise SiteError(loaded.findings)
    site = build_site(loaded.meetings, config, loaded.analyses, include_drafts=drafts)
    site.full = FullMeetings(site_dir, config, use_cache)
    lap("site model")
    return site, loaded.findings


def static_files(site_dir: Path) -> dict[str, Path]:
    """Assets by output path; a site's own static/ overrides the engine's."""
    found: dict[str, Path] = {}
    for root in (BUILTIN_STATIC, site_dir / "static"):
        if root.is_dir():
            for path in sorted(root.rglob("*")):
                if path.is_file():
                    found[urls.static(path.relative_to(root).as_posix())] = path
    return found


def template_globals(site: Site, assets: dict[str, bytes], preview: bool = False) -> dict[str, Any]:
    config: SiteConfig = site.config

    def asset(name: str) -> str:
        data = assets.get(urls.static(name), b"")
        return f"{site.url(urls.static(name))}?v={hashlib.blake2b(data, digest_size=4).hexdigest()}"

    return {
        "site": {
            "title": config.title,
            "description": config.description,
            "base_url": config.base_url,
            "base_path": site.base.path,
            "language": config.language,
            "accessibility_url": config.accessibility_statement_url,
        },
        "nav": (
            *((site.url(path), label) for path, label in body_nav(site)),
            (site.url(urls.FORUMS), "Fora"),
            (site.url(urls.TOPICS), "Emner"),
            (site.url(urls.CASES), "Sager"),
            (site.url(urls.ARCHIVE), "Arkiv"),
        ),
        "search_url": site.url(urls.SEARCH),
        # the URL contract for templates: {{ link(urls.body_feed(slug)) }}
        "urls": urls,
        "link": site.url,
        "preview": preview,
        "home_url": site.url(urls.HOME),
        "css_url": asset("style.css"),
        # a link of this site as an absolute URL; anything else (an external URL) as it is
        "absolute": lambda link: site.base.absolute(link) if link.startswith("/") else link,
    }


# --- parallel rendering: state is set before the workers fork, so pages are not pickled to them ---
_WORK: dict[str, Any] = {}
_CHUNKS_PER_WORKER = 2


def _render_one(renderer: Renderer, page: Page) -> list[tuple[str, bytes]]:
    """A page and the files that go with it (a meeting's meeting.json), made from the same data."""
    return [(page.path, renderer.render(page)), *(page.companions() if page.companions else ())]


def _render_chunk(indices: list[int]) -> list[tuple[int, list[tuple[str, bytes]]]]:
    renderer: Renderer = _WORK["renderer"]
    pages: list[Page] = _WORK["pages"]
    return [(i, _render_one(renderer, pages[i])) for i in indices]


def _render_all(renderer: Renderer, pages: list[Page], todo: list[int], jobs: int):
    """Meeting pages in forked workers; index pages here, once the workers are gone. An index page lists
    meetings from all over the site, so a worker rendering them would touch (and so copy) most of the
    parent's memory: some 100 MB a worker at 10,000 meetings, for a few seconds of work."""
    spread = [i for i in todo if pages[i].kind == "meeting"]
    if jobs <= 1 or len(spread) < 64:
        spread = []
    if spread:
        _WORK.update(renderer=renderer, pages=pages)
        size = max(8, min(64, len(spread) // (jobs * 8)))
        chunks = [spread[i : i + size] for i in range(0, len(spread), size)]
        try:
            # A worker also copies what it touches itself: a fresh fork every few chunks keeps that small
            # (a worker that lived through the whole build grew to ~240 MB).
            with multiprocessing.get_context("fork").Pool(jobs, maxtasksperchild=_CHUNKS_PER_WORKER) as pool:
                for done in pool.imap_unordered(_render_chunk, chunks):
                    yield from done
        finally:
            _WORK.clear()
    done_here = set(spread)
    for i in todo:
        if i not in done_here:
            yield i, _render_one(renderer, pages[i])


def build(
    site_dir: Path,
    out: Path | None = None,
    jobs: int = 0,
    use_cache: bool = True,
    strict: bool = False,
    search: bool = True,
    base_url: str | None = None,
    preview: bool = False,
    progress: bool = False,
    drafts: bool = False,
    lock_wait: float = LOCK_WAIT_S,
) -> BuildResult:
    """Build the site into `out`. `preview` (serve) builds for the local server, into its own directory
    and with its own state; only a preview may show `drafts`. One build at a time into an output folder;
    a folder or a disk that cannot be written is a message (the published output/ stays as it was), not a
    traceback."""
    if drafts and not preview:
        raise ValueError("drafts are shown in the preview only, never in a published build")
    started = time.perf_counter()
    site_dir = site_dir.resolve()
    out = (out or site_dir / "output").resolve()
    try:
        # in the site's .cache/: a file beside output/ would be one more thing in the site folder
        lock = site_dir / CACHE_DIR / "build.lock"
        with build_lock(lock, out, lock_wait, lambda notice: print(notice, file=sys.stderr, flush=True)):
            return _build(
                site_dir, out, jobs, use_cache, strict, search, base_url, preview, progress, drafts, started
            )
    except OSError as exc:
        raise SiteError([os_failure(exc, site_dir)]) from None


def _build(
    site_dir: Path,
    out: Path,
    jobs: int,
    use_cache: bool,
    strict: bool,
    search: bool,
    base_url: str | None,
    preview: bool,
    progress: bool,
    drafts: bool,
    started: float,
) -> BuildResult:
    jobs = jobs or os.cpu_count() or 1
    state_path = state_file(site_dir, preview)
    state = read_json(state_path) if use_cache else {}
    signature, recent = input_signature(site_dir, (base_url, preview, search, strict, drafts))
    if (
        state.get("signature") == signature
        and output_identity(out) == state.get("output")
        and all(digest_of(path) == digest for path, digest in state.get("recent", {}).items())
    ):
        # Nothing that goes into the site changed since the last build, and output/ is the one it made.
        result = BuildResult(pages=state["pages"], unchanged=state["files"], noop=True)
        result.warnings = [Finding(**f) for f in state.get("warnings", [])]
        result.seconds = time.perf_counter() - started
        return result

    result = BuildResult()
    lap = Stopwatch(result.timings)
    site, findings = load_site(site_dir, strict, base_url, use_cache, jobs, lap, drafts)
    result.warnings = [f for f in findings if f.level != "error"]
    pages = build_pages(site)
    lap("pages")
    # The model and pages live until the end: the collector need not walk them again and again, and the
    # forked render workers must not touch (and so copy) them for it. Thawed at the end (serve goes on).
    options = BuildOptions(jobs, use_cache, search, preview, progress, drafts)
    _release_free_memory()
    gc.freeze()
    try:
        current = _render_and_write(site, pages, site_dir, out, state, result, lap, options)
        if use_cache:
            save_state(
                state_path,
                {
                    "signature": signature,
                    "recent": recent,
                    "out": str(out),
                    "output": output_identity(out),
                    "fingerprints": current,
                    "pages": result.pages,
                    "files": result.written + result.unchanged,
                    "warnings": [dataclasses.asdict(f) for f in result.warnings],
                },
                result.warnings,
            )
        lap("state")
        result.seconds = time.perf_counter() - started
        return result
    finally:
        gc.unfreeze()


def _release_free_memory() -> None:
    """Give the memory freed while loading (the content cache's bytes, parse results) back to the system
    before the render workers fork: otherwise it stays resident in the parent and the workers' first
    allocations land in it, copying the pages (about 30 MB at 10,000 meetings). glibc only."""
    try:
        trim = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim
    except (OSError, AttributeError):
        return
    trim(0)


def _render_and_write(
    site: Site,
    pages: list[Page],
    site_dir: Path,
    out: Path,
    state: dict[str, Any],
    result: BuildResult,
    lap: Stopwatch,
    options: BuildOptions,
) -> dict[str, str]:
    """Stages 4–5: render the pages whose fingerprint changed, stage every file, swap it in; returns the
    fingerprints for the next build."""
    jobs, preview, search = options.jobs, options.preview, options.search
    assets = {rel: path.read_bytes() for rel, path in static_files(site_dir).items()}
    renderer = Renderer(site_dir, template_globals(site, assets, preview), site.base.host)
    env_key = hashlib.blake2b(
        f"{engine_digest()}\0{site.config.digest}\0{site.config.base_url}\0{preview}\0{options.drafts}\0".encode()
        + b"".join(k.encode() + hashlib.blake2b(v).digest() for k, v in sorted(assets.items()))
    ).digest()
    # The fingerprints say which published files are current: only for the output directory they were made for.
    previous = state.get("fingerprints", {}) if state.get("out") == str(out) else {}
    staging = Staging(out)
    try:
        current = fingerprints(pages, site, renderer, env_key)
        lap("fingerprints")
        todo = [
            i
            for i, page in enumerate(pages)
            if previous.get(page.path) != current[page.path]
            or not all(staging.keep(rel) for rel in (page.path, *page.companion_paths))
        ]
        lap("compare")
        bar = Progress(len(todo), enabled=options.progress)
        for _, files in _render_all(renderer, pages, todo, jobs):
            for rel, data in files:
                staging.put(rel, data)
            bar.step()
        bar.done()
        lap("render")
        result.rendered = len(todo)
        for rel, data in assets.items():
            staging.put(rel, data)
        # The preview is the whole site (feeds, calendars, open data, sitemap), so no link in it is dead.
        _open_data(site, staging)
        lap("open data")
        cache = site_dir if options.use_cache else None
        for rel, data in post_outputs(site, pages, cache, "preview-" if preview else ""):
            staging.put(rel, data)
        lap("feeds")
        from .search import BUNDLE_DIR, update_index

        if search:
            state = "preview-search.json" if preview else "search.json"
            update_index(staging, site, site_dir / CACHE_DIR / state if options.use_cache else None)
            lap("search")
        elif preview:
            staging.keep_tree(BUNDLE_DIR)  # the last index until serve has brought it up to date
        result.pages = len(pages)
        result.removed = staging.removed()
        result.written, result.unchanged = staging.written, staging.unchanged
        # The fingerprints describe the output/ being replaced: gone before it goes, in case the new
        # state cannot be saved after it.
        state_file(site_dir, options.preview).unlink(missing_ok=True)
        staging.publish()
        lap("publish")
    except BaseException:
        staging.abandon()
        raise
    return current


def fingerprints(pages: list[Page], site: Site, renderer: Renderer, env_key: bytes) -> dict[str, str]:
    """Everything a page shows: its shape from the site model, the meetings it draws on, its templates.
    A page's own meeting counts in full; others only as far as links show them (snippets are in the shape)."""
    full = {m.key: m.digest.encode() for m in site.meetings}
    outline = {m.key: m.outline.encode() for m in site.meetings}
    templates: dict[str, bytes] = {}
    result = {}
    for page in pages:
        template = templates.get(page.template)
        if template is None:
            template = templates[page.template] = renderer.template_digest(page.template).encode()
        h = hashlib.blake2b(env_key, digest_size=20)
        h.update(template)
        h.update(page.shape)
        for key in page.deps:
            h.update(full[key] if key == page.own else outline[key])
        result[page.path] = h.hexdigest()
    return result


def _open_data(site: Site, staging: Staging) -> None:
    """/data/meetings.json from the staged meeting.json files (made beside the meeting pages)."""
    from .opendata import write_site_json

    pieces = [staging.stage / urls.meeting_data(site.meeting_path(m.key)) for m in site.meetings]
    with staging.open(urls.OPEN_DATA) as handle:
        write_site_json(site, handle, pieces)


class Stopwatch:
    """Seconds per build stage, for `build --timings` and docs/performance.md."""

    def __init__(self, into: list[tuple[str, float]]):
        self.into, self.last = into, time.perf_counter()

    def __call__(self, stage: str) -> None:
        now = time.perf_counter()
        self.into.append((stage, now - self.last))
        self.last = now
        fault_point(stage)


class Progress:
    """A progress line for long builds on a terminal; silent elsewhere (CI logs, tests)."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.count = total, 0
        self.enabled = enabled and total >= 500 and sys.stderr.isatty()
        self.every = max(1, total // 100)

    def step(self) -> None:
        self.count += 1
        if self.enabled and (self.count % self.every == 0 or self.count == self.total):
            filled = 30 * self.count // self.total
            print(
                f"\r[{'#' * filled}{'.' * (30 - filled)}] {self.count}/{self.total} sider",
                end="",
                file=sys.stderr,
            )

    def done(self) -> None:
        if self.enabled:
            print(file=sys.stderr)


def post_outputs(
    site: Site, pages: list[Page], site_dir: Path | None = None, prefix: str = ""
) -> list[tuple[str, bytes]]:
    """Files made from the model rather than templates: feeds, calendars, sitemap (leaf modules). With
    `site_dir`, the feeds' per-meeting pieces are kept in its .cache/ (fragments.py); None is --no-cache.
    The preview keeps its pieces apart (`prefix`): they may hold drafts."""
    from .crawl import robots_txt, sitemap_xml
    from .feeds import feed_files
    from .fragments import FRAGMENTS_FILE, Fragments

    fragments = Fragments(site_dir / CACHE_DIR / (prefix + FRAGMENTS_FILE) if site_dir else None, site.config)
    feeds = feed_files(site, fragments)
    fragments.save()
    return [(urls.SITEMAP, sitemap_xml(site, pages)), (urls.ROBOTS, robots_txt(site)), *feeds]


def run_build(args: Any) -> int:
    result = build(
        args.site,
        args.out,
        args.jobs,
        not args.no_cache,
        args.strict,
        not args.no_search,
        progress=not args.quiet,
        lock_wait=args.wait,
    )
    for finding in result.warnings:
        print(finding, file=sys.stderr)
    if not args.quiet:
        print(result.summary())
    if args.timings:
        print("  ".join(f"{stage} {seconds:.2f}" for stage, seconds in result.timings), file=sys.stderr)
    return 0
