"""`build.py import`: placeholder until the importer lands."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+")


def run(args: argparse.Namespace) -> int:
    print("the importer is not written yet")
    return 2
