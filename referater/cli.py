"""Command line: build, check, new, import, serve. Every user error ends as file:line messages, never a traceback."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .buildlock import LOCK_WAIT_S
from .errors import SiteError


def _site_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--site", type=Path, default=Path("."), help="projektmappen (standard: her)")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="build.py", description="Sundhedsklyngernes referater: byg og udgiv."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    build = sub.add_parser("build", help="byg sitet til output/")
    _site_arg(build)
    build.add_argument(
        "--out", type=Path, default=None, help="mappen, sitet bygges til (standard: SITE/output)"
    )
    build.add_argument("--jobs", type=int, default=0, help="antal processer (standard: alle kerner)")
    build.add_argument("--no-cache", action="store_true", help="brug ikke og skriv ikke .cache/")
    build.add_argument("--no-search", action="store_true", help="lav ikke søgeindekset")
    build.add_argument("--strict", action="store_true", help="advarsler tæller som fejl")
    build.add_argument("--quiet", action="store_true", help="skriv kun fejl")
    build.add_argument(
        "--timings", action="store_true", help="print the seconds of each build stage (for developers)"
    )
    build.add_argument(
        "--wait",
        type=float,
        default=LOCK_WAIT_S,
        help="sekunder at vente på et andet byg til samme mappe",
    )

    check = sub.add_parser("check", help="tjek alt indhold uden at bygge")
    _site_arg(check)
    check.add_argument("--strict", action="store_true", help="advarsler tæller som fejl")
    check.add_argument("files", nargs="*", type=Path, help="meld kun om disse filer")

    new = sub.add_parser("new", help="skriv en skabelon til et nyt referat (en kladde)")
    _site_arg(new)
    new.add_argument("--cluster", required=True)
    new.add_argument("--forum", required=True)
    new.add_argument("--date", required=True, help="mødedato, åååå-mm-dd")

    imp = sub.add_parser("import", help="importér referater fra et dagsordenssystem (html, docx, pdf, txt)")
    _site_arg(imp)
    from .importer.arguments import add_arguments

    add_arguments(imp)

    serve = sub.add_parser("serve", help="forhåndsvisning på 127.0.0.1 (med kladder)")
    _site_arg(serve)
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--host", default="127.0.0.1")
    return parser


def run_build(args: argparse.Namespace) -> int:
    """`build`: the command line's options as the engine's typed BuildOptions."""
    from .pipeline import BuildOptions, build

    options = BuildOptions(
        jobs=args.jobs,
        use_cache=not args.no_cache,
        strict=args.strict,
        search=not args.no_search,
        progress=not args.quiet,
        lock_wait=args.wait,
    )
    result = build(args.site, args.out, options)
    for finding in result.warnings:
        print(finding, file=sys.stderr)
    if not args.quiet:
        print(result.summary())
    if args.timings:
        print("  ".join(f"{stage} {seconds:.2f}" for stage, seconds in result.timings), file=sys.stderr)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    try:
        if args.command == "build":
            return run_build(args)
        if args.command == "check":
            from .check import run_check

            return run_check(args)
        if args.command == "new":
            from .newmeeting import run_new

            return run_new(args)
        if args.command == "import":
            from .importer.cli import run

            return run(args)
        if args.command == "serve":
            from .serve import run_serve

            return run_serve(args)
    except SiteError as exc:
        for finding in exc.findings:
            print(finding, file=sys.stderr)
        from .check import summary

        done = (
            "intet blev udgivet, output/ er som før" if args.command == "build" else "ret dem, og prøv igen"
        )
        print(f"{summary(exc.findings)}; {done}.", file=sys.stderr)
        return 1
    except OSError as exc:  # a folder that cannot be written, a full disk, a file that vanished
        where = f" {exc.filename}" if exc.filename else ""
        print(
            f"fejl: kunne ikke læse eller skrive{where}: {exc.strerror or exc}. Har du lov at skrive i "
            "projektmappen, og er disken ikke fuld?",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        stopped = {
            "build": "Bygningen blev afbrudt; output/ er som før.",
            "serve": "Forhåndsvisningen er stoppet.",
        }
        print(f"\n{stopped.get(args.command, 'Afbrudt.')}", file=sys.stderr)
        return 130
    return 2
