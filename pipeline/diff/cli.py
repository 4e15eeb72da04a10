"""``python -m pipeline diff OLD NEW [--out DIR]``: read both sides, diff, write the change set.

Writes ``changes.parquet``, ``changes.md`` and ``changes.html`` into DIR (default ``changes``)
as one output set under the rules of :mod:`pipeline.output_folder`, as extract does: DIR is
replaced only when its manifest proves every entry is diff's own (an extract output folder is
not), OLD/NEW inside it are refused before any work, and the set is written beside DIR and
swapped in whole, so nothing is written unless both sides were read and every file was
written. Errors are raised as PipelineErrors; pipeline.cli makes exit codes.
"""
from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from pipeline.diff.args import DEFAULT_OUT, FILES, add_parser  # noqa: F401  (their first home)
from pipeline.diff.engine import Change, change_schema, diff_documents
from pipeline.diff.load import load_side
from pipeline.diff.report import html_page, markdown
from pipeline.models import Document
from pipeline.output_folder import FileSet, Record, check_output_folder, write_set

#: What diff writes into --out; diff has written a manifest from its first version on this rule,
#: so a change set without one is not provably diff's (no legacy sets).
FILE_SET = FileSet("diff", frozenset(FILES))


def run(args: argparse.Namespace) -> int:
    check_output_folder(args.out, FILE_SET, (args.old, args.new))  # before the slow part
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


def write_changes(changes: Sequence[Change], old: Document, new: Document, out: Path) -> None:
    """Write the change set into ``out``, replacing an earlier one whole; untouched on failure."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def write(tmp: Path, record: Record) -> None:
        table = pa.Table.from_pylist([c.row() for c in changes], schema=change_schema())
        pq.write_table(table, tmp / "changes.parquet")
        record("changes.parquet")
        (tmp / "changes.md").write_text(markdown(changes, old, new), encoding="utf-8")
        record("changes.md")
        (tmp / "changes.html").write_text(html_page(changes, old, new), encoding="utf-8")
        record("changes.html")

    write_set(out, FILE_SET, write)
