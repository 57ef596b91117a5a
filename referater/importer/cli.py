"""`build.py import FILE…`: referater exported from agenda systems (text, PDF) → content/ Markdown files."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from ..config import SiteConfig, load_config
from ..slugs import slugify
from .extract import to_lines
from .layout import parse
from .markdown_out import render
from .meta import infer_cluster, infer_forum, resolve
from .model import ImportFailure, Report


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", help="referat as .txt or .pdf; '-' reads standard input")
    parser.add_argument("--cluster", help="cluster (slug, name or alias) when the referat does not say")
    parser.add_argument("--forum", help="forum (slug, name or alias) when the referat does not say")
    parser.add_argument("--date", help="meeting date YYYY-MM-DD, overrides the referat")
    parser.add_argument("--out", type=Path, default=None, help="content directory (default: SITE/content)")
    parser.add_argument("--force", action="store_true", help="overwrite an existing content file")
    parser.add_argument("--stdout", action="store_true", help="print the Markdown instead of writing it")


def run(args: argparse.Namespace) -> int:
    config = load_config(args.site)
    if args.date and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", args.date):
        print(f"error: --date {args.date!r} must be YYYY-MM-DD", file=sys.stderr)
        return 2
    out_dir = args.out if args.out is not None else args.site / "content"
    failed = 0
    for name in args.files:
        report = Report("<stdin>" if name == "-" else name)
        try:
            markdown, target = import_one(name, config, args, report)
        except ImportFailure as exc:
            _print_warnings(report)
            print(f"{report.name}: error: {exc}", file=sys.stderr)
            failed += 1
            continue
        _print_warnings(report)
        if args.stdout:
            sys.stdout.write(markdown)
            continue
        path = out_dir / target
        if path.exists() and not args.force:
            print(
                f"{report.name}: error: {path} exists already; use --force to overwrite it", file=sys.stderr
            )
            failed += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(markdown, encoding="utf-8", newline="\n")
        print(f"wrote {path}")
    return 1 if failed else 0


def _print_warnings(report: Report) -> None:
    for line in report.lines():
        print(line, file=sys.stderr)


def import_one(name: str, config: SiteConfig, args: argparse.Namespace, report: Report) -> tuple[str, str]:
    """Markdown text and its path under content/ for one input; ImportFailure if it is no referat."""
    data = _read(name)
    lines = to_lines(data, report)
    parsed = parse(lines, config, report)
    meeting = parsed.meeting
    meeting.source = "" if name == "-" else Path(name).name
    meeting.cluster = _choose("cluster", args.cluster, meeting.cluster, config.clusters, report)
    meeting.forum = _choose("forum", args.forum, meeting.forum, config.forums, report)
    if not meeting.cluster:
        meeting.cluster = infer_cluster(parsed.body_text, config)
        if meeting.cluster:
            report.warn(0, f"cluster {meeting.cluster!r} guessed from the text; check it or use --cluster")
    if not meeting.forum:
        meeting.forum = infer_forum(parsed.recommendation_phrases, parsed.body_text, config)
        if meeting.forum:
            report.warn(0, f"forum {meeting.forum!r} inferred from the text (the title names none)")
    if args.date:
        meeting.date = args.date
    missing = [
        what
        for what, value in (("cluster", meeting.cluster), ("forum", meeting.forum), ("date", meeting.date))
        if not value
    ]
    if missing:
        options = ", ".join(f"--{m}" for m in missing)
        raise ImportFailure(f"could not find the meeting's {' and '.join(missing)}; give {options}")
    nonblank = sum(1 for ln in lines if ln.strip())
    spaced = (len(lines) - nonblank) > nonblank * 0.2
    markdown = render(meeting, spaced)
    return markdown, f"{meeting.cluster}/{meeting.date}-{meeting.forum}.md"


def _read(name: str) -> bytes:
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ImportFailure("no such file") from None
    except IsADirectoryError:
        raise ImportFailure("is a directory, not a file") from None
    except OSError as exc:
        raise ImportFailure(f"cannot read the file ({exc.strerror})") from None


def _choose(kind: str, option: str | None, found: str, entries: dict, report: Report) -> str:
    if not option:
        return found
    slug = resolve(option, entries)
    if slug:
        return slug
    report.warn(0, f"{kind} {option!r} is not in site_config.yaml; `check` will reject it until it is added")
    return slugify(option)
