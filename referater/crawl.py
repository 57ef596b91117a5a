"""For crawlers: sitemap.xml and robots.txt."""

from __future__ import annotations

from xml.sax.saxutils import escape

from . import urls
from .page import Page
from .site import Site


def sitemap_xml(site: Site, pages: list[Page]) -> bytes:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for page in sorted(pages, key=lambda p: p.path):
        if page.kind in ("404", "search"):
            continue
        loc = site.base.absolute(urls.path_of(page.path))
        lines.append(f"  <url><loc>{escape(loc)}</loc></url>")
    lines.append("</urlset>")
    return ("\n".join(lines) + "\n").encode("utf-8")


def robots_txt(site: Site) -> bytes:
    return f"User-agent: *\nAllow: /\nSitemap: {site.base.absolute(urls.SITEMAP)}\n".encode()
