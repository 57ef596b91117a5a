#!/usr/bin/env python3
"""Thin entry point: `python build.py build|check|new|import|serve` (see `python build.py --help`)."""

import sys

from referater.cli import main

if __name__ == "__main__":
    sys.exit(main())
