"""The `import` command's arguments, apart from the importer itself: every command line parses them, and
the importer's modules take a fifth of a second to load."""

from __future__ import annotations

import argparse
from pathlib import Path


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "files", nargs="+", help="referat som .html, .docx, .pdf eller .txt; '-' læser fra standardinput"
    )
    parser.add_argument(
        "--cluster", help="klynge eller sundhedsråd (kort navn eller navn), når referatet ikke siger det"
    )
    parser.add_argument("--forum", help="forum (kort navn eller navn), når referatet ikke siger det")
    parser.add_argument("--date", help="mødedato åååå-mm-dd; går forud for referatets")
    parser.add_argument(
        "--out", type=Path, default=None, help="mappen med referater (standard: SITE/content)"
    )
    parser.add_argument("--force", action="store_true", help="overskriv en eksisterende fil")
    parser.add_argument(
        "--dry-run", "--stdout", dest="dry_run", action="store_true", help="vis Markdown, skriv intet"
    )
