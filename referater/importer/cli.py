"""`build.py import FILE…`: referater from agenda systems (web page, Word, PDF, text) → content/ files."""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from pathlib import Path

from ..config import SiteConfig, load_config
from ..slugs import slugify
from .extract import to_lines
from .layout import Parsed, parse
from .markdown_out import render
from .meta import infer_cluster, infer_forum, resolve
from .model import ImportFailure, Report


def run(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    if args.date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.date):
        print(
            f"fejl: --date {args.date!r} skal skrives ÅÅÅÅ-MM-DD (YYYY-MM-DD), fx 2024-04-22", file=sys.stderr
        )
        return 2
    out_dir = args.out if args.out is not None else args.site / "content"
    failed = 0
    for name in args.files:
        report = Report("<stdin>" if name == "-" else name)
        try:
            markdown, target, parsed = import_one(name, config, args, report)
        except ImportFailure as exc:
            _print_warnings(report)
            print(f"{report.name}: fejl: {exc}", file=sys.stderr)
            failed += 1
            continue
        except Exception as exc:  # noqa: BLE001 - a file a user gives must never end in a traceback
            _print_warnings(report)
            print(
                f"{report.name}: fejl: filen kunne ikke importeres ({type(exc).__name__}: {exc}); gem "
                "referatet i et andet format (PDF, Word, HTML eller tekst) og prøv igen",
                file=sys.stderr,
            )
            failed += 1
            continue
        _print_warnings(report)
        _print_summary(report.name, parsed, config)
        if args.dry_run:
            sys.stdout.write(markdown)
            continue
        path = out_dir / target
        if path.exists() and not args.force:
            print(
                f"{report.name}: fejl: {path} findes allerede; brug --force for at overskrive den",
                file=sys.stderr,
            )
            failed += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_text(markdown, encoding="utf-8", newline="\n")
        tmp.replace(path)  # never a half-written content file
        print(f"skrev {path}")
    return 1 if failed else 0


def _print_warnings(report: Report) -> None:
    for line in report.lines():
        print(line, file=sys.stderr)


def _print_summary(name: str, parsed: Parsed, config: SiteConfig) -> None:
    """What the importer read, in Danish, so that the secretariat can check it against the referat."""
    m = parsed.meeting
    closed = [str(i.number) for i in m.items if i.closed]
    absent = [p.name for p in m.participants if p.absent]
    cluster = config.clusters[m.cluster].name if m.cluster in config.clusters else m.cluster
    forum = config.forums[m.forum].name if m.forum in config.forums else m.forum
    lines = [
        f"{name}: klynge: {cluster or '?'}, forum: {forum or '?'}, dato: {m.date or '?'}",
        f"{name}: punkter: {len(m.items)} ({', '.join(str(i.number) for i in m.items)}); "
        f"lukkede punkter: {', '.join(closed) or 'ingen'}",
        f"{name}: deltagere: {len(m.participants)}; fraværende: {', '.join(absent) or 'ingen'}",
    ]
    if parsed.unplaced:
        lines.append(f"{name}: {len(parsed.unplaced)} linje(r) kunne ikke placeres (se advarslerne ovenfor)")
    for line in lines:
        print(line, file=sys.stderr)


def import_one(
    name: str, config: SiteConfig, args: argparse.Namespace, report: Report
) -> tuple[str, str, Parsed]:
    """Markdown text, its path under content/ and what was read; ImportFailure if it is no referat."""
    data = _read(name)
    lines = to_lines(data, report, name)
    parsed = parse(lines, config, report)
    meeting = parsed.meeting
    meeting.source = "" if name == "-" else Path(name).name
    meeting.cluster = _choose("klynge", "cluster", args.cluster, meeting.cluster, config.clusters, report)
    meeting.forum = _choose("forum", "forum", args.forum, meeting.forum, config.forums, report)
    if not meeting.cluster:
        meeting.cluster = infer_cluster(parsed.body_text, config)
        if meeting.cluster:
            report.warn(
                0,
                f"klyngen {meeting.cluster!r} er gættet ud fra teksten; kontrollér den eller brug --cluster",
            )
    if not meeting.forum:
        meeting.forum = infer_forum(parsed.recommendation_phrases, parsed.body_text, config)
        if meeting.forum:
            report.warn(
                0, f"forummet {meeting.forum!r} er udledt af teksten (titlen nævner intet); kontrollér det"
            )
    if args.date:
        meeting.date = args.date
    missing = [
        (what, option)
        for what, option, value in (
            ("klyngen", "cluster", meeting.cluster),
            ("forummet", "forum", meeting.forum),
            ("datoen", "date", meeting.date),
        )
        if not value
    ]
    if missing:
        words = " og ".join(w for w, _ in missing)
        options = ", ".join(f"--{o}" for _, o in missing)
        hint = (
            "; kendte klynger: " + ", ".join(config.clusters)
            if any(o == "cluster" for _, o in missing)
            else ""
        )
        hint += "; kendte fora: " + ", ".join(config.forums) if any(o == "forum" for _, o in missing) else ""
        raise ImportFailure(f"fandt ikke mødets {words}; angiv {options}{hint}")
    nonblank = sum(1 for ln in lines if ln.strip())
    spaced = (len(lines) - nonblank) > nonblank * 0.2
    markdown = render(meeting, spaced)
    return markdown, f"{meeting.cluster}/{meeting.date}-{meeting.forum}.md", parsed


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFailure("filen findes ikke (no such file); kontrollér navn og mappe") from None
    except IsADirectoryError:
        raise ImportFailure("det er en mappe, ikke en fil") from None
    except OSError as exc:
        raise ImportFailure(f"filen kan ikke læses ({exc.strerror})") from None


def _choose(
    kind: str, option_name: str, option: str | None, found: str, entries: dict, report: Report
) -> str:
    if not option:
        return found
    slug = resolve(option, entries)
    if slug:
        return slug
    names = [n for s, e in entries.items() for n in (s, e.name, *e.aliases) if n]
    close = difflib.get_close_matches(option, names, n=3, cutoff=0.5)
    hint = f"; mente du {' eller '.join(repr(c) for c in close)}?" if close else ""
    report.warn(
        0,
        f"{kind} {option!r} (--{option_name}) findes ikke i site_config.yaml{hint} `check` afviser filen, "
        "indtil den er tilføjet",
    )
    return slugify(option)
