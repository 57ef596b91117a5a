"""`build.py serve`: live preview on 127.0.0.1. Saving a content file, template or the config rebuilds
(incrementally) and reloads the open browser; an error is shown in the browser and the terminal, and the
server keeps running.

The preview is built into .cache/preview with the base URL of the local server, never into output/.
"""

from __future__ import annotations

import html
import mimetypes
import sys
import time
import traceback
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from . import urls
from .errors import Finding, SiteError
from .pipeline import CACHE_DIR, build
from .render import BUILTIN_STATIC, BUILTIN_TEMPLATES

_POLL_MS = 150  # livereload polls every 800 ms by default: too slow for "visible within a second"


class PreviewState:
    def __init__(self, site_dir: Path, out: Path, base_url: str):
        self.site_dir, self.out, self.base_url = site_dir, out, base_url
        self.findings: list[Finding] = []
        self.builds = 0

    def rebuild(self, *_changed: Any) -> None:
        started = time.perf_counter()
        try:
            result = build(
                self.site_dir, self.out, jobs=1, search=self.builds == 0, base_url=self.base_url, preview=True
            )
        except SiteError as exc:
            self.findings = exc.findings
            for finding in exc.findings:
                print(finding, file=sys.stderr, flush=True)
            print("Fejl: forhåndsvisningen viser fejlene, til de er rettet.", file=sys.stderr, flush=True)
        except Exception as exc:  # noqa: BLE001 - a preview server must survive whatever the build does
            traceback.print_exc()
            self.findings = [Finding("build", 0, f"{type(exc).__name__}: {exc}")]
        else:
            self.findings = []
            for finding in result.warnings:
                print(finding, file=sys.stderr, flush=True)
            print(f"{result.summary()} ({time.perf_counter() - started:.2f} s)", flush=True)
        self.builds += 1


def error_page(findings: list[Finding]) -> bytes:
    rows = "\n".join(f"<li><code>{html.escape(str(f))}</code></li>" for f in findings)
    return (
        '<!DOCTYPE html><html lang="da"><head><meta charset="utf-8"><title>Fejl i indholdet</title></head>'
        f"<body><main><h1>Fejl i indholdet</h1><p>Sitet kunne ikke bygges. Ret fejlene nedenfor og gem filen; "
        f"siden opdateres af sig selv.</p><ul>{rows}</ul></main></body></html>"
    ).encode()


def preview_app(state: PreviewState) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """A small WSGI app over the preview directory; livereload wraps it and injects its script."""

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "/")
        is_page = path.endswith(("/", ".html"))
        if state.findings and is_page:
            start_response("500 Internal Server Error", [("Content-Type", "text/html; charset=utf-8")])
            return [error_page(state.findings)]
        target = (state.out / path.lstrip("/")).resolve()
        if not target.is_relative_to(state.out.resolve()):
            target = state.out / urls.NOT_FOUND
        if target.is_dir():
            target = target / urls.INDEX
        status = "200 OK"
        if not target.is_file():
            status, target = "404 Not Found", state.out / urls.NOT_FOUND
        body = target.read_bytes() if target.is_file() else b"Not found"
        kind = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind in ("application/javascript", "application/json"):
            kind += "; charset=utf-8"
        start_response(status, [("Content-Type", kind), ("Cache-Control", "no-store")])
        return [body]

    return app


def run_serve(args: Any) -> int:
    from livereload import Server
    from livereload.handlers import LiveReloadHandler
    from livereload.watcher import Watcher
    from tornado import ioloop

    class FastWatcher(Watcher):
        def start(self, callback: Callable[[], None]) -> bool:
            ioloop.PeriodicCallback(callback, _POLL_MS).start()
            return True

    site_dir: Path = args.site.resolve()
    state = PreviewState(site_dir, site_dir / CACHE_DIR / "preview", f"http://{args.host}:{args.port}/")
    state.rebuild()
    LiveReloadHandler.DEFAULT_RELOAD_TIME = 0  # livereload ignores saves within 3 s of the last reload
    server = Server(app=preview_app(state), watcher=FastWatcher())
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
    print(f"Forhåndsvisning: http://{args.host}:{args.port}/  (stop med Ctrl+C)", flush=True)
    server.serve(port=args.port, host=args.host, debug=False, restart_delay=0)
    return 0
