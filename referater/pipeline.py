"""The build: config → content → site model → pages → render → write, one method of `Build` per kind of
output (pages, open data, feeds and calendars with the sitemap, the search index), run in that order into
a staging tree that is swapped in whole at the end."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from . import buildstate, urls
from .buildlock import LOCK_WAIT_S, build_lock
from .cache import CACHE_DIR, ContentCache, engine_folder, read_json
from .config import load_config
from .crawl import robots_txt, sitemap_xml
from .errors import Finding, SiteError, os_failure
from .feeds import FeedPlan, made_feeds, plan_feeds, render_wanted
from .fragments import FRAGMENTS_FILE, Fragments
from .loader import ContentStore, load_content
from .memory import frozen_heap, release_free_memory, resident_mb, within_budget
from .modelcache import MODEL_CACHE_FILE
from .opendata import meeting_json, site_json_frame
from .page import Page
from .pages import build_pages
from .progress import BuildResult, Progress, Stopwatch
from .relations import build_site
from .render import Renderer, static_files, template_globals
from .search import BUNDLE_DIR, IndexUpdate, begin_index
from .site import Key, Site
from .sitejson import RECORD_FILE, Piece, write_meetings_json
from .workers import MIN_ITEMS, forked_parts
from .write import Staging


@dataclass(frozen=True)
class BuildOptions:
    jobs: int = 0  # worker processes; 0: all cores
    use_cache: bool = True
    strict: bool = False  # warnings are errors
    search: bool = True
    base_url: str | None = None  # instead of the config's (serve)
    preview: bool = False  # serve's build: its own output folder and state
    progress: bool = False
    drafts: bool = False  # show drafts (with their banner): the preview only, never output/
    lock_wait: float = LOCK_WAIT_S  # seconds to wait for another build into the same output


def load_site(
    site_dir: Path, options: BuildOptions, lap: Callable[[str], None] = lambda stage: None
) -> tuple[Site, ContentStore, list[Finding]]:
    """Stages 1–2: the site model of light meetings, and the content store that has their full texts.
    Raises SiteError with every error (and, with `strict`, every warning)."""
    config = load_config(site_dir)
    if options.base_url:
        config = dataclasses.replace(config, base_url=options.base_url)
    cache = ContentCache(site_dir, config.digest, enabled=options.use_cache)
    loaded = load_content(site_dir, config, cache, options.jobs or os.cpu_count() or 1, keep_text=False)
    lap("content")
    if any(f.level == "error" or options.strict for f in loaded.findings):
        raise SiteError(loaded.findings)
    name = ("preview-" if options.preview else "") + MODEL_CACHE_FILE
    cache_file = site_dir / CACHE_DIR / name if options.use_cache else None
    site = build_site(loaded.meetings, config, loaded.analyses, options.drafts, cache_file)
    lap("site model")
    return site, ContentStore(site_dir, config, options.use_cache), loaded.findings


def build(
    site_dir: Path, out: Path | None = None, options: BuildOptions | None = None, **settings
) -> BuildResult:
    """Build the site into `out` (default: SITE/output) with `options` (or its fields as keywords). One
    build at a time into an output folder; a folder or a disk that cannot be written is a message (the
    published output/ stays as it was), not a traceback."""
    options = options or BuildOptions(**settings)
    if options.drafts and not options.preview:
        raise ValueError("drafts are shown in the preview only, never in a published build")
    started = time.perf_counter()
    site_dir = site_dir.resolve()
    out = (out or site_dir / "output").resolve()
    try:
        # in the site's .cache/: a file beside output/ would be one more thing in the site folder
        lock = site_dir / CACHE_DIR / "build.lock"
        with build_lock(
            lock, out, options.lock_wait, lambda notice: print(notice, file=sys.stderr, flush=True)
        ):
            return Build(site_dir, out, options, started).run()
    except OSError as exc:
        raise SiteError([os_failure(exc, site_dir)]) from None


# A render worker copies the pages of this process it touches (refcounts, allocations into its free
# slots): a fifth of its resident memory at 30,000 meetings, more of a small site's (docs/performance.md).
# Two workers fit beside the parent up to about 25,000 meetings, one beyond.
RENDER_WORKER_SHARE = 30  # per cent


class RestOfPages(NamedTuple):
    """What render_pages leaves for render_rest: the pages not rendered in workers, and with what."""

    renderer: Renderer
    indices: list[int]
    bar: Progress


class Build:
    """One build of a site into an output folder."""

    site: Site
    pages: list[Page]

    def __init__(self, site_dir: Path, out: Path, options: BuildOptions, started: float):
        self.site_dir, self.out, self.options, self.started = site_dir, out, options, started
        self.jobs = options.jobs or os.cpu_count() or 1
        self.state_path = buildstate.state_file(site_dir, options.preview)
        self.state = read_json(self.state_path) if options.use_cache else {}
        self.result = BuildResult()
        self.lap = Stopwatch(self.result.timings)
        self.current: dict[str, str] = {}  # page fingerprints, for the next build

    def run(self) -> BuildResult:
        o = self.options
        signature, recent = buildstate.input_signature(
            self.site_dir, (o.base_url, o.preview, o.search, o.strict, o.drafts)
        )
        if buildstate.unchanged(self.state, signature, self.out):
            self.result = buildstate.noop_result(self.state)
            self.result.seconds = time.perf_counter() - self.started
            return self.result
        with frozen_heap() as freeze:
            self.site, self.store, findings = load_site(self.site_dir, o, self.lap)
            self.result.warnings = [f for f in findings if f.level != "error"]
            self.pages = build_pages(self.site, self.store)
            freeze()
            self.lap("pages")
            staging = Staging(self.out)
            self.lap("read output")  # Staging lists output/ and the recycled tree
            try:
                with Fragments(self._fragments_path(), self.site.config) as fragments:
                    feeds = self.plan_feeds(staging, fragments)
                    rest = self.render_pages(staging, fragments, feeds)
                    # Pagefind indexes on both cores while this process renders the index pages and
                    # stages open data and feeds: no fork from here until the index is finished.
                    with self.begin_search(staging) as search:
                        self.render_rest(staging, rest)
                        self.open_data(staging)
                        self.write_feeds(staging, fragments, feeds)
                        self.finish_search(search)
                self.publish(staging)
                self.site.cache.save()  # what the pages and feeds computed from the model
            except BaseException:
                staging.abandon()
                raise
            self.save_state(signature, recent)
        self.result.seconds = time.perf_counter() - self.started
        return self.result

    def render_pages(self, staging: Staging, fragments: Fragments, feeds: FeedPlan) -> RestOfPages:
        """The pages whose fingerprint changed (or whose file is gone), and the static assets; the workers
        that render meeting pages make those meetings' feed pieces too, and the pieces still wanted after
        them are made here."""
        site, o = self.site, self.options
        assets = {rel: path.read_bytes() for rel, path in static_files(self.site_dir).items()}
        compiled = engine_folder(self.site_dir, "templates") if o.use_cache else None
        renderer = Renderer(
            self.site_dir, template_globals(site, assets, o.preview), site.base.host, compiled
        )
        env_key = buildstate.environment_key(site.config, assets, o.preview, o.drafts)
        # The fingerprints say which published files are current: only for the output they were made for.
        previous = self.state.get("fingerprints", {}) if self.state.get("out") == str(self.out) else {}
        self.current = buildstate.fingerprints(self.pages, site, renderer, env_key)
        self.lap("fingerprints")
        todo = [
            i
            for i, page in enumerate(self.pages)
            if previous.get(page.path) != self.current[page.path]
            or not all(staging.keep(rel) for rel in (page.path, *page.companion_paths))
        ]
        self.lap("compare")
        self.result.rendered = len(todo)
        bar = Progress(len(todo), enabled=o.progress)
        rest = RestOfPages(renderer, self._render_spread(renderer, todo, staging, fragments, feeds, bar), bar)
        self.lap("render")
        render_wanted(site, self.store, fragments, feeds, self.jobs)
        self.lap("feed pieces")
        for rel, data in assets.items():
            staging.put(rel, data)
        return rest

    def _render_spread(
        self,
        renderer: Renderer,
        todo: list[int],
        staging: Staging,
        fragments: Fragments,
        feeds: FeedPlan,
        bar: Progress,
    ) -> list[int]:
        """Meeting pages in forked workers, each with its meeting's feed pieces (the full meeting is loaded
        once for both); the pages left (index pages, and all of a small change) are rendered by
        render_rest. An index page lists meetings from all over the site, so a worker rendering them would
        touch (and so copy) most of the parent's memory, for a few seconds of work."""
        pages, site = self.pages, self.site
        spread = [i for i in todo if pages[i].kind == "meeting"]
        if self.jobs <= 1 or len(spread) < MIN_ITEMS:
            return todo

        def part(
            indices: Sequence[int],
        ) -> list[tuple[list[tuple[str, bytes]], Key | None, list[tuple[bytes, bytes]]]]:
            done = []
            for i in indices:
                page = pages[i]
                rows = feeds.pieces_of(site, self.store, site.by_key[page.own]) if page.own else []
                done.append((self._files_of(renderer, page), page.own, rows))
            return done

        renderer.compile({pages[i].template for i in spread})  # once, not in every fork
        workers = within_budget(self.jobs, resident_mb() * RENDER_WORKER_SHARE // 100)
        for done in forked_parts(part, spread, workers):
            for files, own, rows in done:
                self._stage_files(staging, files, bar)
                if own is not None:
                    feeds.taken(fragments, rows, own)
        done_here = set(spread)
        return [i for i in todo if i not in done_here]

    def render_rest(self, staging: Staging, rest: RestOfPages) -> None:
        """The pages render_pages left, here: while Pagefind indexes, the build's one serial stretch of
        rendering has a core to itself (no fork happens from here on)."""
        for i in rest.indices:
            self._stage_files(staging, self._files_of(rest.renderer, self.pages[i]), rest.bar)
        rest.bar.done()
        self.site.view_links.clear()  # the links of the pages made here: no later stage lists them
        self.lap("index pages")

    @staticmethod
    def _stage_files(staging: Staging, files: list[tuple[str, bytes]], bar: Progress) -> None:
        for rel, data in files:
            staging.put(rel, data)
        bar.step()

    def _files_of(self, renderer: Renderer, page: Page) -> list[tuple[str, bytes]]:
        """A page and the files made with it: a meeting's meeting.json, from the same full meeting."""
        files = [(page.path, renderer.render(page))]
        if page.own is not None and page.companion_paths:
            meeting = self.store(self.site.by_key[page.own])
            files.append((page.companion_paths[0], meeting_json(self.site, meeting)))
        return files

    def open_data(self, staging: Staging) -> None:
        """/data/meetings.json from the staged meeting.json files (made beside the meeting pages), the
        unchanged ones copied from the published file. The preview is the whole site (feeds, calendars,
        open data, sitemap), so no link in it is dead."""
        site, prints = self.site, self.current
        paths = [site.meeting_path(m.key) for m in site.meetings]
        pieces = [Piece(urls.meeting_data(p), prints.get(urls.file_of(p), "")) for p in paths]
        name = ("preview-" if self.options.preview else "") + RECORD_FILE
        record = self.site_dir / CACHE_DIR / name if self.options.use_cache else None
        write_meetings_json(staging, site_json_frame(site), pieces, record)
        self.lap("open data")

    def _fragments_path(self) -> Path | None:
        name = ("preview-" if self.options.preview else "") + FRAGMENTS_FILE
        return self.site_dir / CACHE_DIR / name if self.options.use_cache else None

    def plan_feeds(self, staging: Staging, fragments: Fragments) -> FeedPlan:
        """Files made from the model rather than templates: feeds, calendars, sitemap. A feed whose inputs
        did not change keeps its published file; the others are made from pieces kept in .cache/
        (fragments.py), and the pieces not there are rendered with the pages. The preview keeps its own:
        they may hold drafts."""
        site = self.site
        staging.put(urls.SITEMAP, sitemap_xml(site, self.pages))
        staging.put(urls.ROBOTS, robots_txt(site))

        def fresh(rel: str, fingerprint: bytes) -> bool:
            published = os.path.join(self.out, rel)  # a string: a thousand feeds are checked
            return fragments.fresh(rel, fingerprint, published) and staging.keep(rel)

        plan = plan_feeds(site, fragments, fresh)
        self.lap("feed plan")
        return plan

    def write_feeds(self, staging: Staging, fragments: Fragments, feeds: FeedPlan) -> None:
        for rel, data in made_feeds(self.site, fragments, feeds.todo):  # staged one by one
            staging.put(rel, data)
            fragments.record(rel, os.path.join(staging.stage, rel))
        fragments.save()
        self.lap("feeds")

    def begin_search(self, staging: Staging) -> contextlib.AbstractContextManager[IndexUpdate | None]:
        o = self.options
        if not o.search:
            if o.preview:
                staging.keep_tree(BUNDLE_DIR)  # the last index until serve has brought it up to date
            return contextlib.nullcontext()
        state = "preview-search.json" if o.preview else "search.json"
        release_free_memory()  # what staging the rendered pages freed, before Pagefind comes on top
        path = self.site_dir / CACHE_DIR / state if o.use_cache else None
        return begin_index(staging, self.site, self.store, path, self.jobs)

    def finish_search(self, search: IndexUpdate | None) -> None:
        if search is not None:
            search.finish()
            self.lap("search")

    def publish(self, staging: Staging) -> None:
        self.result.pages = len(self.pages)
        self.result.removed = staging.removed()
        self.result.written, self.result.unchanged = staging.written, staging.unchanged
        # The fingerprints describe the output/ being replaced: gone before it goes, in case the new state
        # cannot be saved after it.
        self.state_path.unlink(missing_ok=True)
        staging.publish()
        self.lap("publish")

    def save_state(self, signature: str, recent: dict[str, str]) -> None:
        if self.options.use_cache:
            state = buildstate.state_of(signature, recent, self.out, self.current, self.result)
            buildstate.save_state(self.state_path, state, self.result.warnings)
        self.lap("state")
