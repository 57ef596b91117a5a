"""`build.py serve`: live preview on 127.0.0.1. Saving a content file, template or the config rebuilds
(incrementally) and reloads the open browser; an error is shown in the browser and the terminal, and the
server keeps running.

The preview is the whole site: search, feeds, calendars, open data and sitemap are there after every
save, and drafts are shown with a banner. It is built into .cache/preview with the base URL of the local
server, never into output/ (a draft must never reach what is published). A save rebuilds the pages at
once and keeps the previous search index; once the saving pauses, the index takes the change
(SearchRefresh), so the search page never loses its bundle.
"""

from __future__ import annotations

import errno
import html
import mimetypes
import signal
import socket
import sys
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import urls
from .errors import LEVEL_NAMES, Finding, SiteError
from .livereload_patch import fast_watcher, quiet_server
from .pipeline import CACHE_DIR, build
from .render import BUILTIN_STATIC, BUILTIN_TEMPLATES, template_dirs
from .search import BUNDLE_DIR
from .search.index import MANIFEST
from .serve_search import SearchRefresh

_SEARCH_POLL_MS = 250
PREVIEW_DIR = "preview"


class PreviewState:
    def __init__(self, site_dir: Path, out: Path, base_url: str):
        self.site_dir, self.out, self.base_url = site_dir, out, base_url
        self.findings: list[Finding] = []
        self.builds = 0
        self.search = SearchRefresh(self.refresh_search)

    def refresh_search(self) -> bool:
        """The preview built again with search on: nothing renders again, the index takes the change."""
        return self.rebuild(search=True)

    def rebuild(self, *_changed: Any, search: bool = False) -> bool:
        # The index is made in the build when there is none; after a save it follows once saving pauses.
        first = not (self.out / BUNDLE_DIR / MANIFEST).is_file()
        try:
            result = build(
                self.site_dir,
                self.out,
                jobs=1,
                search=first or search,
                base_url=self.base_url,
                preview=True,
                drafts=True,
            )
        except SiteError as exc:
            self._failed(exc.findings)
        except OSError as exc:  # a folder that cannot be written, a disk that is full
            where = exc.filename or self.out
            self._failed(
                [
                    Finding(
                        str(where),
                        0,
                        f"forhåndsvisningen kunne ikke skrives ({exc.strerror or exc}). Har du lov at skrive i "
                        f"projektmappen {self.site_dir}? Er disken fuld?",
                    )
                ]
            )
        except Exception as exc:  # noqa: BLE001 - a preview server must survive whatever the build does
            traceback.print_exc()
            self._failed(
                [
                    Finding(
                        "build.py",
                        0,
                        f"intern fejl i programmet, ikke i dit indhold ({type(exc).__name__}: {exc})",
                    )
                ]
            )
        else:
            self.findings = []
            for finding in result.warnings:
                print(finding, file=sys.stderr, flush=True)
            print(result.summary(), flush=True)
            if not (first or search or result.noop):
                self.search.wanted()
        self.builds += 1
        return not self.findings

    def _failed(self, findings: list[Finding]) -> None:
        self.findings = findings
        for finding in findings:
            print(finding, file=sys.stderr, flush=True)
        print(
            "Forhåndsvisningen viser fejlene i browseren, til de er rettet. Intet er udgivet.",
            file=sys.stderr,
            flush=True,
        )


def error_page(findings: list[Finding], site_dir: Path | None = None) -> bytes:
    """The browser's page while the site cannot be built: templates/preview-error.html, in the site's style."""
    rows = [
        {
            "where": f"{f.path}:{f.line}" if f.line else f.path,
            "level": LEVEL_NAMES.get(f.level, f.level),
            "message": f.message,
        }
        for f in findings
    ]
    try:
        import jinja2

        dirs = template_dirs(site_dir) if site_dir else [BUILTIN_TEMPLATES]
        env = jinja2.Environment(loader=jinja2.FileSystemLoader([str(d) for d in dirs]), autoescape=True)
        return env.get_template("preview-error.html").render(findings=rows, title=_title(site_dir)).encode()
    except Exception:  # noqa: BLE001 - a broken template of the site's own must not hide the findings
        items = "".join(
            f"<li><code>{html.escape(r['where'])}</code>: {html.escape(r['level'])}: {html.escape(r['message'])}</li>"
            for r in rows
        )
        return (
            '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Fejl i indholdet</title></head>'
            "<body><main><h1>Fejl i indholdet</h1><p>Sitet kunne ikke bygges. Ret fejlene nedenfor, og gem "
            f"filen; siden opdateres af sig selv.</p><ul>{items}</ul></main></body></html>"
        ).encode()


def _title(site_dir: Path | None) -> str:
    if site_dir is not None:
        from .config import load_config

        try:
            return load_config(site_dir).title
        except SiteError:
            pass
    return "Sundhedsklyngernes referater"


def preview_app(state: PreviewState) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A small WSGI app over the preview directory; livereload wraps it and injects its script."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        is_page = path.endswith(("/", ".html"))
        if state.findings and is_page:
            start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8")])
            return [error_page(state.findings, state.site_dir)]
        target = _target(state, path)
        status = "200 OK"
        if not target.is_file():
            status, target = "404 Not Found", state.out / urls.NOT_FOUND
        try:
            body = target.read_bytes()
        except OSError:  # gone between the test and the read (a build swapped the tree): say so plainly
            status, body = "404 Not Found", "Siden findes ikke (endnu). Prøv at genindlæse.".encode()
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        start_response(status, [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [body]

    return app


def _target(state: PreviewState, path: str) -> Path:
    root = state.out.resolve()
    target = (state.out / path.lstrip("/")).resolve()
    if not target.is_relative_to(root):
        return state.out / urls.NOT_FOUND
    if target.is_dir():
        target = target / urls.INDEX
    if not target.is_file() and path.startswith("/" + urls.STATIC):
        # Before the first preview was built (a broken config), the error page still gets its stylesheet.
        for fallback in (state.site_dir / "static", BUILTIN_STATIC):
            candidate = (fallback / path.removeprefix("/" + urls.STATIC)).resolve()
            if candidate.is_relative_to(fallback.resolve()) and candidate.is_file():
                return candidate
    return target


def _interrupt(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt


def port_problem(host: str, port: int) -> str | None:
    """Why the server cannot listen on host:port, in words a secretariat can act on; None if it can."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as tornado does
        try:
            probe.bind((host, port))
        except OSError as exc:
            return _port_message(host, port, exc)
    return None


def _port_message(host: str, port: int, exc: OSError) -> str:
    if exc.errno == errno.EADDRINUSE:
        return (
            f"porten {port} er optaget – kører forhåndsvisningen allerede i et andet vindue? Stop den med "
            f"Ctrl+C, eller brug en anden port: make serve PORT={port + 1}  eller  "
            f"python build.py serve --port {port + 1}"
        )
    if exc.errno == errno.EACCES:
        return f"porten {port} må ikke bruges af almindelige brugere; vælg en port over 1024, fx --port 8000"
    return f"kan ikke lytte på {host}:{port} ({exc.strerror or exc}); prøv --host 127.0.0.1 --port 8000"


def run_serve(args: Any) -> int:
    site_dir: Path = args.site.resolve()
    if not (site_dir / "site_config.yaml").is_file():
        print(
            f"fejl: {site_dir} har ingen site_config.yaml; kør kommandoen i projektmappen, eller giv --site",
            file=sys.stderr,
        )
        return 1
    problem = port_problem(args.host, args.port)
    if problem:
        print(f"fejl: {problem}", file=sys.stderr)
        return 1
    state = PreviewState(site_dir, site_dir / CACHE_DIR / PREVIEW_DIR, f"http://{args.host}:{args.port}/")
    print("Bygger forhåndsvisningen …", flush=True)
    state.rebuild()
    server = quiet_server(preview_app(state), fast_watcher())
    for path in (
        site_dir / "content",
        site_dir / "templates",
        site_dir / "static",
        BUILTIN_TEMPLATES,
        BUILTIN_STATIC,
    ):
        if path.is_dir():
            server.watch(str(path), state.rebuild)
    server.watch(str(site_dir / "site_config.yaml"), state.rebuild)
    from tornado import ioloop

    ioloop.PeriodicCallback(state.search.tick, _SEARCH_POLL_MS).start()
    signal.signal(signal.SIGTERM, _interrupt)  # stopped by a test or a service manager: end as with Ctrl+C
    print(
        f"Forhåndsvisning: http://{args.host}:{args.port}/  – kladder vises med et banner; stop med Ctrl+C",
        flush=True,
    )
    try:
        server.serve(port=args.port, host=args.host, debug=False, restart_delay=0)
    except OSError as exc:  # the port was taken between the check and now
        print(f"fejl: {_port_message(args.host, args.port, exc)}", file=sys.stderr)
        return 1
    print("Forhåndsvisningen er stoppet.", flush=True)
    return 0
