"""Stage 4: Jinja2 templates → page bytes. Pure per page, run in parallel over the cores."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta as jinja_meta
from markupsafe import Markup

from .mdrender import LinkContext, MarkdownRenderer
from .page import Page

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


class Renderer:
    def __init__(
        self,
        site_dir: Path,
        globals_: dict[str, Any],
        base_host: str | None = None,
    ):
        self.dirs = template_dirs(site_dir)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(d) for d in self.dirs]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
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
        html = self.env.get_template(page.template).render(page.context())
        return html.encode("utf-8")

    def template_digest(self, name: str) -> str:
        """Hash of a template and every template it extends, includes or imports."""
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
            yield from self._closure(ref, seen)
