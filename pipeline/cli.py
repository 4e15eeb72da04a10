"""Command line: ``python -m pipeline extract [INPUT ...] --out DIR``.

The only place where errors become exit codes: 0 done, 2 an input (or the output folder)
failed, 1 a bug in the pipeline itself, 130 stopped by Ctrl-C (143 by SIGTERM). Each failure is one line on
stderr; tracebacks only with --debug.
"""
from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.errors import DuplicateDocIdError, InternalError, NoInputsError, PipelineError
from pipeline.models import Document

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's code for a run stopped by Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # 128 + SIGTERM
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
    ex.add_argument("--dedupe", action="store_true",
                    help="of inputs holding the same list, keep only the most faithful form")
    from pipeline.diff.cli import add_parser as add_diff_parser

    add_diff_parser(sub)
    return p


class Terminated(KeyboardInterrupt):
    """SIGTERM (a kill, a CI timeout), handled like Ctrl-C so the output is left as it was."""


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    args.written = False
    if not args.debug and not logging.getLogger().handlers:
        # Without a handler, Python prints any library's log warning to stderr as a stray line;
        # readers turn the parser libraries' warnings into notes instead.
        logging.getLogger().addHandler(logging.NullHandler())
    with _sigterm_as_interrupt():
        try:
            if args.command == "diff":
                from pipeline.diff.cli import run as run_diff

                return run_diff(args)
            return extract(args)
        except PipelineError as exc:
            _err(exc.line())
            if args.debug:
                traceback.print_exc()
            return EXIT_INPUT
        except KeyboardInterrupt as exc:
            state = ("the new output was already in place" if args.written
                     else f"{args.out}/ is unchanged")
            terminated = isinstance(exc, Terminated)
            _err(f"{'terminated' if terminated else 'interrupted'} — {state}")
            return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
        except Exception as exc:  # a bug: say so in one line, unless asked for the traceback
            if args.debug:
                traceback.print_exc()
            _err(InternalError("pipeline", f"internal error: {type(exc).__name__}: {exc}").line())
            return EXIT_BUG


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """Raise :class:`Terminated` on SIGTERM while the run lasts (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def terminate(signum: int, frame: Any) -> None:
        raise Terminated

    previous = signal.signal(signal.SIGTERM, terminate)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def extract(args: argparse.Namespace) -> int:
    from pipeline.extract import extract_file
    from pipeline.write import check_output_folder, counts, write_outputs

    inputs = _unique(args.inputs or default_inputs())
    check_output_folder(args.out)  # fail before the slow part, not after it
    duplicates = _duplicate_stems(inputs)
    docs: list[Document] = []
    failures: list[tuple[Path, PipelineError]] = []
    for path in inputs:
        try:
            if path in duplicates:
                raise duplicates[path]
            docs.append(extract_file(path))
        except PipelineError as exc:
            failures.append((path, _fail(exc, args.debug)))
        except Exception as exc:  # a bug on this input; the other inputs still get their turn
            error = InternalError(str(path), f"internal error: {type(exc).__name__}: {exc}")
            failures.append((path, _fail(error, args.debug)))
    docs, dropped = _duplicates(docs, args.dedupe)
    report = build_report(inputs, docs, failures, dropped)
    bug = any(isinstance(e, InternalError) for _, e in failures)
    failed = EXIT_BUG if bug else EXIT_INPUT
    if failures and not args.keep_going:
        _err(f"nothing written: {len(failures)} of {len(inputs)} input(s) failed; "
             f"{args.out}/ is unchanged (use --keep-going to write the others)")
        return failed
    if failures and not docs:
        _err(f"nothing written: all {len(inputs)} input(s) failed; {args.out}/ is unchanged")
        return failed
    write_outputs(docs, report, args.out)
    args.written = True
    if not args.quiet:
        _summary(docs, report, counts(docs), args.out)
    if failures:
        _err(f"{len(failures)} of {len(inputs)} input(s) failed and are not in {args.out}/ "
             f"(listed in {args.out}/report.json); wrote the other {len(docs)}")
        return failed
    return EXIT_OK


def _fail(exc: PipelineError, debug: bool) -> PipelineError:
    """Report one failed input: its one line, and the traceback if asked for."""
    _err(exc.line())
    if debug:
        traceback.print_exc()
    return exc


def _unique(paths: Sequence[Path]) -> list[Path]:
    """The inputs in order, each file once however it was spelled."""
    seen: set[str] = set()
    out = []
    for p in paths:
        key = os.path.realpath(p)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


def default_inputs() -> list[Path]:
    """Every visible file in raw/ except READMEs, in name order."""
    if not DEFAULT_RAW.is_dir():
        raise NoInputsError(str(DEFAULT_RAW), "no input files given and no raw/ folder here")
    files = sorted(p for p in DEFAULT_RAW.iterdir()
                   if p.is_file() and not p.name.startswith(".")
                   and not p.name.lower().startswith("readme"))
    if not files:
        raise NoInputsError(str(DEFAULT_RAW), "the folder holds no input files")
    return files


def _duplicate_stems(paths: Sequence[Path]) -> dict[Path, DuplicateDocIdError]:
    """The error for each input whose stem (its doc_id) an earlier input already has."""
    seen: dict[str, Path] = {}
    out: dict[Path, DuplicateDocIdError] = {}
    for p in paths:
        if p.stem in seen:
            out[p] = DuplicateDocIdError(str(p), f"has the same doc_id {p.stem!r} as {seen[p.stem]}")
        else:
            seen[p.stem] = p
    return out


def _duplicates(docs: list[Document], dedupe: bool) -> tuple[list[Document], dict[str, Any]]:
    """Warn about inputs that hold the same list; with ``dedupe`` drop all but the most
    faithful form, each dropped one's report entry saying which input was kept and why."""
    from pipeline.documents import find_duplicates, mark_duplicates

    found = find_duplicates(docs)
    docs = mark_duplicates(docs, found)
    if not dedupe:
        return docs, {}
    by_id = {d.doc_id: d for d in docs}
    dropped = {x.doc_id: {"file": by_id[x.doc_id].source, "doc_id": x.doc_id,
                          "status": "dropped", "format": by_id[x.doc_id].fmt,
                          "sha256": by_id[x.doc_id].sha256, "duplicate_of": x.kept,
                          "reason": x.reason,
                          "message": by_id[x.doc_id].issues[-1].message} for x in found}
    return [d for d in docs if d.doc_id not in dropped], dropped


def build_report(inputs: Sequence[Path], docs: Sequence[Document],
                 failures: Sequence[tuple[Path, PipelineError]],
                 dropped: dict[str, Any] | None = None) -> dict[str, Any]:
    """report.json: per input its status, format, notes and warnings, plus table counts."""
    from pipeline.write import counts

    by_stem = {d.doc_id: d for d in docs}
    failed = {str(p): e for p, e in failures}
    entries: list[dict[str, Any]] = []
    for path in inputs:
        if str(path) in failed:
            e = failed[str(path)]
            entries.append({"file": path.name, "doc_id": path.stem, "status": "failed",
                            "error": type(e).__name__, "cause": e.cause, "hint": e.hint,
                            "message": e.line()})
            continue
        if dropped and path.stem in dropped:  # --dedupe: the same list as a kept input
            entries.append(dropped[path.stem])
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
    from pipeline.write import counts

    names = ", ".join(f"{d.doc_id} ({d.fmt})" for d in docs)
    _err(f"extracted {n['documents']} document(s) into {out}/: {names}")
    _err("  " + " · ".join(f"{k} {v}" for k, v in n.items() if k != "documents"))
    if len(docs) > 1:  # per document too, so one that came out short stands out
        for d in docs:
            _err(f"    {d.doc_id}: " + " · ".join(
                f"{k} {v}" for k, v in counts([d]).items() if k != "documents"))
    for entry in report["inputs"]:
        for note in entry.get("notes", []):
            _err(f"  note: {note}")
        for w in entry.get("warnings", []):
            _err(f"  warning: {entry['doc_id']}: {w['message']}")
        if entry["status"] == "dropped":
            _err(f"  dropped: {entry['doc_id']}: {entry['message']}")


def _err(line: str) -> None:
    print(line, file=sys.stderr)
