"""`build.py check`: validate all content without building, and say exactly what is wrong and where.

It runs the same loader and site model as the build (so check and build never disagree), and adds the
checks that only a person can act on: closed items that still hold text, references to meetings and
pages that do not exist, and personal data.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from . import urls
from .config import load_config
from .dates import DateScanner
from .errors import Finding, SiteError, display_path
from .loader import load_content
from .pages import build_pages
from .site import Site, build_site

# "mødet den 8. februar 2024", "møde d. 30/4 2024", "referatet fra 05-12-2023": a claim that a meeting exists.
_MEETING_CLAIM = re.compile(
    r"\b(?:mødet?|referat(?:et)?\s+fra|klyngemødet?)\s+(?:den\s+|d\.\s*|fra\s+)?$", re.I
)
_INTERNAL_LINK = re.compile(r"\]\((/[^)\s#]*)")
_ESCALATED = {"closed-body"}  # warnings in a build (the text is dropped), errors for the person fixing it


def check_site(site_dir: Path) -> list[Finding]:
    try:
        config = load_config(site_dir)
    except SiteError as exc:
        return exc.findings
    loaded = load_content(site_dir, config)
    findings = [
        Finding(f.path, f.line, f.message, "error", f.code) if f.code in _ESCALATED else f
        for f in loaded.findings
    ]
    if loaded.errors:
        return sorted(findings)  # the model needs valid meetings; fix these first
    site = build_site(loaded.meetings, config)
    findings.extend(_outside_lifetime(site, loaded.meetings))
    findings.extend(_missing_meetings(site))
    findings.extend(_dead_internal_links(site))
    return sorted(findings)


def _outside_lifetime(site: Site, meetings: list) -> list[Finding]:
    """A meeting dated before its body began or after it ended (drafts too: they are about to be
    published), and a joint meeting naming a body that did not exist that day."""
    found = []
    for m in meetings:
        for slug in m.bodies:
            body = site.config.clusters[slug]
            if body.alive_on(m.date):
                continue
            span = " – ".join(d.isoformat() if d else "" for d in (body.start, body.until))
            key = "cluster" if slug == m.cluster else "joint_with"
            found.append(
                Finding(
                    m.path,
                    m.line_of.get(key, m.line_of.get("date", 1)),
                    f"mødet er dateret {m.date.isoformat()}, uden for {body.full_name}s levetid ({span}); "
                    "ret datoen, eller skriv mødet under det organ, der fandtes den dag"
                    + (
                        f" (fx {', '.join(body.successors)})"
                        if body.successors and body.until and m.date > body.until
                        else ""
                    ),
                )
            )
    return found


def _missing_meetings(site: Site) -> list[Finding]:
    found: dict[tuple[str, int, str], Finding] = {}
    published = {(b, m.date) for m in site.meetings for b in m.bodies}
    # The archive starts somewhere: a meeting before a cluster's first published referat is not missing.
    first = {cluster: meetings[-1].date for cluster, meetings in site.by_cluster.items()}
    for m in site.meetings:
        for item in m.items:
            for section in item.sections:
                for ref in DateScanner(m.date.year).scan(section.source):
                    before = section.source[max(0, ref.start - 40) : ref.start]
                    if not _MEETING_CLAIM.search(before) or not first[m.cluster] <= ref.date < m.date:
                        continue
                    if (m.cluster, ref.date) not in published:
                        line = section.line + section.source[: ref.start].count("\n")
                        found[(m.path, line, ref.date.isoformat())] = Finding(
                            m.path,
                            line,
                            f"refers to a meeting on {ref.date.isoformat()}, but "
                            f"{site.config.clusters[m.cluster].full_name} has no published referat that day",
                            "warning",
                        )
    return list(found.values())


def _dead_internal_links(site: Site) -> list[Finding]:
    paths = {urls.path_of(p.path) for p in build_pages(site)}
    base = site.base
    found = []
    for m in site.meetings:
        for item in m.items:
            for section in item.sections:
                for match in _INTERNAL_LINK.finditer(section.source):
                    target = match.group(1)
                    local = base.local(target)
                    if local is None:
                        local = target.removeprefix("/")
                    if local and not local.endswith("/") and "." not in local.rsplit("/", 1)[-1]:
                        local += "/"
                    if local not in paths and not local.startswith(urls.FILE_ROOTS):
                        line = section.line + section.source[: match.start()].count("\n")
                        found.append(
                            Finding(m.path, line, f"link to {target}, a page the site does not have")
                        )
    return found


def run_check(args: Any) -> int:
    site_dir: Path = args.site
    findings = check_site(site_dir)
    if args.files:
        wanted = {display_path(Path(f), site_dir) for f in args.files} | {str(f) for f in args.files}
        findings = [f for f in findings if f.path in wanted]
    if args.strict:
        findings = [Finding(f.path, f.line, f.message, "error", f.code) for f in findings]
    for finding in findings:
        print(finding, file=sys.stderr)
    errors = sum(1 for f in findings if f.level == "error")
    warnings = len(findings) - errors
    print(f"check: {errors} errors, {warnings} warnings", file=sys.stderr if errors else sys.stdout)
    return 1 if errors else 0
