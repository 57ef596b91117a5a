"""Stage 4: Jinja2 templates → page bytes, pure per page (the build runs it in forked workers), and the
globals every template sees."""

from __future__ import annotations

import hashlib
import os
import traceback
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta as jinja_meta
from jinja2.bccache import Bucket
from markupsafe import Markup

from . import urls
from .errors import Finding, SiteError, display_path
from .mdrender import MarkdownRenderer
from .page import Page
from .site import Site, body_nav
from .views import LinkContext

BUILTIN_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
_REFERENCES: dict[bytes, tuple[str, ...]] = {}  # template source digest → templates it refers to
BUILTIN_STATIC = Path(__file__).resolve().parent.parent / "static"


def template_dirs(site_dir: Path) -> list[Path]:
    """A site may override any template; the rest come with the engine."""
    own = site_dir / "templates"
    dirs = [own] if own.is_dir() else []
    if BUILTIN_TEMPLATES.is_dir() and (not dirs or own.resolve() != BUILTIN_TEMPLATES):
        dirs.append(BUILTIN_TEMPLATES)
    return dirs


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """The templates as Jinja compiled them in the last build (kept by source checksum): compiling them
    again is most of a rebuild's template work. Only a shortcut: a file that cannot be read or written
    costs a compile, never a build."""

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except Exception:  # noqa: BLE001 - damaged: compiled again
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            os.makedirs(self.directory, exist_ok=True)
            super().dump_bytecode(bucket)
        except OSError:
            return


class Renderer:
    def __init__(
        self,
        site_dir: Path,
        globals_: dict[str, Any],
        base_host: str | None = None,
        compiled_dir: Path | None = None,
    ):
        """`compiled_dir`: where compiled templates are kept between builds (one folder per engine: the
        environment's options below are not in Jinja's checksum)."""
        self.site_dir = site_dir
        self.dirs = template_dirs(site_dir)
        self.env = jinja2.Environment(
            bytecode_cache=_CompiledTemplates(str(compiled_dir)) if compiled_dir else None,
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            auto_reload=False,  # one renderer per build: no stat of three templates for every page
        )
        self.env.globals.update(globals_)
        self.env.filters["markdown"] = self._markdown
        self.env.filters["linked"] = self._linked
        self.markdown = MarkdownRenderer(base_host)
        self._digests: dict[str, str] = {}

    def _markdown(self, text: str, links: LinkContext | None = None) -> Markup:
        self.markdown.start(links)
        return Markup(self.markdown.render(text))

    def _linked(self, rendered: str, links: LinkContext | None = None) -> Markup:
        self.markdown.start(links)
        return Markup(self.markdown.finish(rendered))

    def render(self, page: Page) -> bytes:
        try:
            html = self.env.get_template(page.template).render(page.context())
        except Exception as exc:
            raise self._template_error(exc, page.template) from None
        return html.encode("utf-8")

    def compile(self, names: Iterable[str]) -> None:
        """Compile these templates and every one they refer to now, so forked workers inherit them."""
        seen: set[str] = set()
        for name in names:
            self.template_digest(name)  # a broken template is reported as a page's would be
            for _ in self._closure(name, seen):
                pass
        for name in sorted(seen):
            try:
                self.env.get_template(name)
            except jinja2.TemplateError as exc:
                raise self._template_error(exc, name) from None

    def template_digest(self, name: str) -> str:
        """Hash of a template and every template it extends, includes or imports."""
        try:
            return self._template_digest(name)
        except jinja2.TemplateError as exc:
            raise self._template_error(exc, name) from None

    def _template_error(self, exc: Exception, name: str, where: tuple[str, int] | None = None) -> Exception:
        """A broken site template as `templates/x.html:3: error: …`. Any other exception is the engine's
        own and goes on as it is: one that does not arise in a template line itself is no template's."""
        roots = tuple(os.path.join(d, "") for d in self.dirs)
        frames = traceback.extract_tb(exc.__traceback__)  # Jinja rewrites its frames to template lines
        lines = [(f.filename, f.lineno or 0) for f in frames if f.filename.startswith(roots)]
        in_template = bool(frames) and frames[-1].filename.startswith(roots)
        where = where or (lines[-1] if lines else None)
        if isinstance(exc, jinja2.TemplateNotFound):
            message = f"skabelonen {exc.name!r} findes ikke; opret den, eller ret navnet der, hvor den bruges"
        elif isinstance(exc, jinja2.TemplateSyntaxError):  # an unknown filter or test is one, too
            message = f"skabelonen kan ikke læses: {(exc.message or '').rstrip('.')}; ret linjen"
            where = (exc.filename or exc.name or name, exc.lineno or 0)
        elif isinstance(exc, jinja2.UndefinedError):
            message = f"skabelonen bruger en værdi, der ikke findes: {exc.message}; ret eller fjern den"
        elif isinstance(exc, jinja2.TemplateError) or in_template:
            message = f"skabelonen fejlede: {type(exc).__name__}: {exc}; ret linjen"
        else:
            return exc
        path, line = where or (name, 0)
        shown = display_path(Path(path), self.site_dir) if Path(path).is_absolute() else f"templates/{path}"
        return SiteError([Finding(shown, line, message)])

    def _template_digest(self, name: str) -> str:
        if name not in self._digests:
            seen: set[str] = set()
            h = hashlib.blake2b(digest_size=16)
            for source in self._closure(name, seen):
                h.update(source.encode("utf-8"))
            self._digests[name] = h.hexdigest()
        return self._digests[name]

    def _closure(self, name: str, seen: set[str]) -> Iterable[str]:
        if name in seen:
            return
        seen.add(name)
        source, _, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
        yield f"\0{name}\0{source}"
        key = hashlib.blake2b(source.encode("utf-8"), digest_size=16).digest()
        if key not in _REFERENCES:  # parsing every template again costs the live preview 0.2 s a save
            found = jinja_meta.find_referenced_templates(self.env.parse(source))
            _REFERENCES[key] = tuple(sorted(r for r in found if r))
        for ref in _REFERENCES[key]:
            try:
                yield from self._closure(ref, seen)
            except jinja2.TemplateNotFound as exc:
                if exc.name != ref:
                    raise
                line = next((i for i, text in enumerate(source.splitlines(), 1) if ref in text), 0)
                path = self.env.loader.get_source(self.env, name)[1]  # type: ignore[union-attr]
                raise self._template_error(exc, name, (path or name, line)) from None


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
    config = site.config

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
