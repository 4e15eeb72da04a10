"""``python -m pipeline diff OLD NEW [--out DIR]``: read both sides, diff, write the change set.

Writes ``changes.parquet``, ``changes.md`` and ``changes.html`` into DIR (default ``changes``);
each file goes to a temporary name first and is renamed into place, and nothing is written
unless both sides were read. Errors are raised as PipelineErrors; pipeline.cli makes exit codes.
"""
from __future__ import annotations

import argparse
import os
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pipeline.diff import Change, change_schema, diff_documents
from pipeline.diff.load import load_side
from pipeline.diff.report import html_page, markdown
from pipeline.errors import OutputError
from pipeline.models import Document

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


def run(args: argparse.Namespace) -> int:
    _check_out(args.out)
    old, new = load_side(args.old), load_side(args.new)
    changes = diff_documents(old, new)
    write_changes(changes, old, new, args.out)
    args.written = True
    if not args.quiet:
        kinds = Counter(c.kind for c in changes)
        minor = sum(c.minor for c in changes)
        print(f"diff {old.doc_id} → {new.doc_id}: {len(changes)} change(s), {minor} minor; "
              f"wrote {', '.join(str(args.out / f) for f in FILES)}", file=sys.stderr)
        if kinds:
            print("  " + " · ".join(f"{k} {n}" for k, n in sorted(kinds.items())), file=sys.stderr)
    return 0


def _check_out(out: Path) -> None:
    """Refuse an --out that is a file, or a folder holding anything but a change set."""
    shown = str(out)
    if out.exists() and not out.is_dir():
        raise OutputError(shown, "exists and is not a folder", "name a folder for --out")
    if out.is_dir():
        foreign = sorted(p.name for p in out.iterdir()
                         if p.name not in FILES and not p.name.startswith("."))
        if foreign:
            raise OutputError(shown, f"holds files that are not a diff's output "
                                     f"({', '.join(foreign[:3])}{', …' if len(foreign) > 3 else ''})",
                              "name a new or empty folder for --out")


def write_changes(changes: Sequence[Change], old: Document, new: Document, out: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    _check_out(out)
    table = pa.Table.from_pylist([c.row() for c in changes], schema=change_schema())
    tmp = {name: out / f".{name}.tmp-{os.getpid()}" for name in FILES}
    try:
        out.mkdir(parents=True, exist_ok=True)
        pq.write_table(table, tmp["changes.parquet"])
        tmp["changes.md"].write_text(markdown(changes, old, new), encoding="utf-8")
        tmp["changes.html"].write_text(html_page(changes, old, new), encoding="utf-8")
        for name, path in tmp.items():
            os.replace(path, out / name)
    except OSError as exc:
        raise OutputError(str(out), f"cannot write the change set ({exc.strerror or exc})") from exc
    finally:
        for path in tmp.values():
            path.unlink(missing_ok=True)
