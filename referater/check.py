"""`build.py check`: validate all content without building, and say exactly what is wrong and where.

It runs the same loader and site model as the build (so check and build never disagree), and adds the
checks that only a person can act on: closed items that still hold text, references to meetings and
pages that do not exist, personal data, and the everyday mistakes of `check_items.py` (skeleton text
left in, misspelt headings, items without a decision, empty sections, links that lead nowhere).
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from pathlib import Path
from typing import Any

from . import urls
from .check_items import item_findings, link_targets
from .config import load_config
from .dates import DateScanner
from .errors import Finding, SiteError, display_path
from .loader import as_is, load_content
from .pages import build_pages
from .relations import build_site
from .search import BUNDLE_DIR
from .site import Site

# "mødet den 8. februar 2024", "møde d. 30/4 2024", "referatet fra 05-12-2023": a claim that a meeting exists.
_MEETING_CLAIM = re.compile(
    r"\b(?:mødet?|referat(?:et)?\s+fra|klyngemødet?)\s+(?:den\s+|d\.\s*|fra\s+)?$", re.I
)
_ESCALATED = {"closed-body"}  # warnings in a build (the text is dropped), errors for the person fixing it
# Published files that are no page of build_pages: a link to them is not dead.
_FILES = (*urls.FILE_ROOTS, urls.STATIC, BUNDLE_DIR + "/")


def check_site(site_dir: Path, today: dt.date | None = None) -> list[Finding]:
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
    for meeting in loaded.meetings:
        findings.extend(item_findings(site_dir, meeting, today or dt.date.today()))
    findings.extend(_missing_meetings(site))
    findings.extend(_dead_internal_links(site, [m for m in loaded.meetings if m.draft]))
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
                            f"henviser til et møde den {ref.date.isoformat()}, men "
                            f"{site.config.clusters[m.cluster].full_name} har intet udgivet referat den dag; "
                            "ret datoen, eller læg referatet fra det møde ind",
                            "warning",
                        )
    return list(found.values())


def _dead_internal_links(site: Site, drafts: list) -> list[Finding]:
    """Links to pages of the site that the build does not make, and to agenda items a meeting does not
    have (`/klynger/…/#punkt-9`, or `#punkt-9` within the meeting)."""
    paths = {urls.path_of(p.path) for p in build_pages(site, as_is)}
    base = site.base
    items = {urls.meeting(*m.key): {i.number for i in m.items} for m in site.meetings}
    draft_paths = {urls.meeting(*m.key) for m in drafts}
    found = []
    for m in site.meetings:
        own = urls.meeting(*m.key)
        for line, _text, target in link_targets(m):
            if not target or target == "#":
                continue  # a link without a target: check_items says so
            page, _, fragment = target.partition("#")
            if page and not page.startswith("/"):
                continue  # another site, mailto:, or a relative link (not ours to judge)
            local = own if not page else base.local(page)
            if local is None:
                local = page.removeprefix("/")
            if local and not local.endswith("/") and "." not in local.rsplit("/", 1)[-1]:
                local += "/"
            if local.startswith(_FILES):
                continue
            if local not in paths:
                if local in draft_paths:
                    message = f"link til {target}: det møde er en kladde (draft: true) og bliver ikke udgivet"
                else:
                    message = (
                        f"link til {target}, en side som sitet ikke har; ret adressen, eller fjern linket"
                    )
                found.append(Finding(m.path, line, message))
                continue
            number = re.fullmatch(re.escape(urls.ITEM_ANCHOR) + r"(\d+)", fragment)
            known = items.get(local)
            if number and known is not None and int(number.group(1)) not in known:
                where = "dette møde" if local == own else "det møde"
                listed = ", ".join(str(n) for n in sorted(known))
                found.append(
                    Finding(
                        m.path,
                        line,
                        f"link til {target}: {where} har intet punkt {number.group(1)} (punkterne er {listed})",
                    )
                )
    return found


def summary(findings: list[Finding]) -> str:
    """ "0 fejl, 2 advarsler": the last line of check and build."""
    errors = sum(1 for f in findings if f.level == "error")
    warnings = len(findings) - errors
    return f"{errors} fejl, {warnings} {'advarsel' if warnings == 1 else 'advarsler'}"


def run_check(args: Any) -> int:
    site_dir: Path = args.site
    missing = [f for f in args.files if not Path(f).is_file() and not (site_dir / f).is_file()]
    for name in missing:
        print(
            f"fejl: filen {name} findes ikke; skriv stien fra projektmappen, fx content/fyn/…",
            file=sys.stderr,
        )
    if missing:
        return 1
    findings = check_site(site_dir)
    if args.files:
        wanted = {display_path(Path(f), site_dir) for f in args.files} | {str(f) for f in args.files}
        findings = [f for f in findings if f.path in wanted]
    if args.strict:
        findings = [Finding(f.path, f.line, f.message, "error", f.code) for f in findings]
    for finding in findings:
        print(finding, file=sys.stderr)
    errors = sum(1 for f in findings if f.level == "error")
    print(f"check: {summary(findings)}", file=sys.stderr if errors else sys.stdout)
    return 1 if errors else 0
