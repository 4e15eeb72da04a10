"""The ``diff`` subcommand's arguments and output names, apart from its work (:mod:`pipeline.diff.cli`).

Defining a subcommand must not import what running it needs: the CLI's parser defines every
subcommand on every run, and ``extract`` would otherwise import the diff's matching and
rendering code it never uses.
"""
from __future__ import annotations

import argparse
from pathlib import Path

DEFAULT_OUT = Path("changes")
FILES = ("changes.parquet", "changes.md", "changes.html")


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("diff", help="what changed between two lists (input files or output folders)")
    p.add_argument("old", type=Path, help="the earlier list: an input file or an output folder")
    p.add_argument("new", type=Path, help="the later list: an input file or an output folder")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help=f"folder for changes.parquet/.md/.html (default: {DEFAULT_OUT})")
    p.add_argument("--debug", action="store_true", help="show tracebacks")
    p.add_argument("--quiet", action="store_true", help="print errors only")
