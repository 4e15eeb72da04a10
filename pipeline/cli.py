"""Command line: ``python -m pipeline extract [INPUT ...] --out DIR``.

The only place where errors become exit codes: 0 done, 2 an input (or the output folder)
failed, 1 a bug in the pipeline itself.
"""
from __future__ import annotations

import argparse
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.errors import DuplicateDocIdError, PipelineError
from pipeline.models import Document

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2
DEFAULT_RAW, DEFAULT_OUT = Path("raw"), Path("output")


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m pipeline",
                                description="Turn CNIPA task lists into tidy tables.")
    sub = p.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="extract task lists (text dump, HTML, PDF) into --out")
    ex.add_argument("inputs", nargs="*", type=Path,
                    help=f"files to extract (default: every file in {DEFAULT_RAW}/)")
    ex.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: output)")
    ex.add_argument("--keep-going", action="store_true",
                    help="write the inputs that succeeded even if others failed (exit stays 2)")
    ex.add_argument("--debug", action="store_true", help="show tracebacks")
    ex.add_argument("--quiet", action="store_true", help="print errors only")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return extract(args)
    except PipelineError as exc:
        _err(exc.line())
        if args.debug:
            traceback.print_exc()
        return EXIT_INPUT
    except Exception as exc:  # a bug: say so in one line, unless asked for the traceback
        if args.debug:
            traceback.print_exc()
        _err(f"internal error: {type(exc).__name__}: {exc} — this is a bug in the pipeline; "
             "rerun with --debug and report the traceback")
        return EXIT_BUG


def extract(args: argparse.Namespace) -> int:
    from pipeline.extract import extract_file
    from pipeline.write import counts, write_outputs

    inputs = args.inputs or default_inputs()
    _check_unique_stems(inputs)
    docs: list[Document] = []
    failures: list[tuple[Path, PipelineError]] = []
    for path in inputs:
        try:
            docs.append(extract_file(path))
        except PipelineError as exc:
            if args.debug:
                traceback.print_exc()
            failures.append((path, exc))
            _err(exc.line())
    report = build_report(inputs, docs, failures)
    if failures and not args.keep_going:
        _err(f"nothing written: {len(failures)} of {len(inputs)} input(s) failed; "
             f"{args.out}/ is unchanged (use --keep-going to write the others)")
        return EXIT_INPUT
    if docs or not failures:
        write_outputs(docs, report, args.out)
    if not args.quiet:
        _summary(docs, report, counts(docs), args.out)
    return EXIT_INPUT if failures else EXIT_OK


def default_inputs() -> list[Path]:
    """Every visible file in raw/ except READMEs, in name order."""
    if not DEFAULT_RAW.is_dir():
        raise PipelineError(str(DEFAULT_RAW), "no input files given and no raw/ folder here",
                            "run from the project folder or name the input files")
    files = sorted(p for p in DEFAULT_RAW.iterdir()
                   if p.is_file() and not p.name.startswith(".")
                   and not p.name.lower().startswith("readme"))
    if not files:
        raise PipelineError(str(DEFAULT_RAW), "the folder holds no input files",
                            "copy a task list into raw/ or name the input files")
    return files


def _check_unique_stems(paths: Sequence[Path]) -> None:
    seen: dict[str, Path] = {}
    for p in paths:
        if p.stem in seen and seen[p.stem] != p:
            raise DuplicateDocIdError(str(p), f"has the same doc_id {p.stem!r} as {seen[p.stem]}")
        seen[p.stem] = p


def build_report(inputs: Sequence[Path], docs: Sequence[Document],
                 failures: Sequence[tuple[Path, PipelineError]]) -> dict[str, Any]:
    """report.json: per input its status, format, notes and warnings, plus table counts."""
    from pipeline.write import counts

    by_stem = {d.doc_id: d for d in docs}
    failed = {str(p): e for p, e in failures}
    entries = []
    for path in inputs:
        if str(path) in failed:
            e = failed[str(path)]
            entries.append({"file": path.name, "doc_id": path.stem, "status": "failed",
                            "error": type(e).__name__, "cause": e.cause, "hint": e.hint})
            continue
        d = by_stem[path.stem]
        entries.append({
            "file": d.source, "doc_id": d.doc_id, "status": "ok", "format": d.fmt,
            "sha256": d.sha256, "notes": list(d.notes),
            "warnings": [{"code": i.code, "task_no": i.task_no, "message": i.message}
                         for i in d.issues],
        })
    return {"inputs": entries, "counts": counts(docs)}




def _summary(docs: Sequence[Document], report: dict[str, Any], n: dict[str, int],
             out: Path) -> None:
    names = ", ".join(f"{d.doc_id} ({d.fmt})" for d in docs)
    _err(f"extracted {n['documents']} document(s) into {out}/: {names}")
    _err("  " + " · ".join(f"{k} {v}" for k, v in n.items() if k != "documents"))
    for entry in report["inputs"]:
        for note in entry.get("notes", []):
            _err(f"  note: {note}")
        for w in entry.get("warnings", []):
            _err(f"  warning: {entry['doc_id']}: {w['message']}")


def _err(line: str) -> None:
    print(line, file=sys.stderr)
