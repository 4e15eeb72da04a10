"""The ``extract`` and ``export`` commands: run the library on the parsed arguments, print the
summary; errors are raised, :func:`pipeline.cli.main` turns them into exit codes."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.cli.args import DEFAULT_RAW
from pipeline.cli.exits import EXIT_BUG, EXIT_INPUT, EXIT_OK, _line
from pipeline.cli.terminal import _err, _progress_bar
from pipeline.errors import (
    DuplicateDocIdError,
    InternalError,
    NoInputsError,
    PipelineError,
)
from pipeline.models import Document
from pipeline.names import valid_text
from pipeline.report import build_report

if TYPE_CHECKING:
    from pipeline.corpus import ContentSpool, Extracted


class _NothingWritten(Exception):
    """Leaves write_set's folder unswapped (it removes it): some inputs failed."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def extract(args: argparse.Namespace) -> int:
    from pipeline.corpus import ContentSpool, default_jobs, results
    from pipeline.documents import marked_row
    from pipeline.output_folder import Record, write_set
    from pipeline.write import FILE_SET, OutputSetWriter, check_output_folder

    inputs = _unique(args.inputs or default_inputs())
    check_output_folder(args.out, inputs)  # fail before the slow part, not after it
    duplicates = _duplicate_stems(inputs)
    jobs = [(path, duplicates.get(path)) for path in inputs]
    kept: list[Extracted] = []
    by_id: dict[str, Extracted] = {}
    failures: list[tuple[Path, PipelineError]] = []
    docs: list[Document] = []
    report: dict[str, Any] = {}
    totals: dict[str, int] = {}
    failed = EXIT_INPUT
    spool = ContentSpool()  # for duplicate detection at the end, off the heap

    def write(folder: Path, record: Record) -> None:
        nonlocal docs, report, totals, failed
        writer = OutputSetWriter(folder, record, args.format)
        try:
            with _progress_bar(inputs, args.quiet) as bar:
                # Each document is written as it comes, unless --dedupe may still drop it:
                # then they wait until all inputs are in (memory grows with the corpus then).
                for result in results(jobs, args.jobs or default_jobs(),
                                      args.scheduler if args.executor == "dask" else None):
                    bar.start(result.path)
                    if result.error is not None:
                        failures.append((result.path,
                                         _fail(result.error, result.trace, args.debug)))
                    elif result.doc is not None:
                        if result.content is not None:
                            spool.add(result.doc.doc_id, result.content)
                        kept.append(replace(result, content=None) if args.dedupe
                                    else replace(result, encoded=None, content=None))
                        by_id[result.doc.doc_id] = kept[-1]
                        if not args.dedupe:
                            writer.add(result.encoded)
                    bar.done()
            docs = [r.doc for r in kept if r.doc is not None]
            docs, dropped = _duplicates(docs, args.dedupe, spool)
            totals = _totals([by_id[d.doc_id].counts or {} for d in docs])
            report = build_report(inputs, docs, failures, dropped, totals)
            bug = any(isinstance(e, InternalError) for _, e in failures)
            failed = EXIT_BUG if bug else EXIT_INPUT
            if failures and not args.keep_going:
                _err(f"nothing written: {len(failures)} of {len(inputs)} input(s) failed; "
                     f"{args.out}/ is unchanged (use --keep-going to write the others)")
                raise _NothingWritten(failed)
            if failures and not docs:
                _err(f"nothing written: all {len(inputs)} input(s) failed; "
                     f"{args.out}/ is unchanged")
                raise _NothingWritten(failed)
            if args.dedupe:
                for d in docs:
                    writer.add(by_id[d.doc_id].encoded)
            writer.finish([marked_row(by_id[d.doc_id].row or {}, d) for d in docs], report)
        finally:
            writer.close()

    try:
        write_set(args.out, FILE_SET, write)
    except _NothingWritten as stop:
        return stop.code
    finally:
        spool.close()
    args.written = True
    if not args.quiet:
        _summary(docs, report, totals, args.out, {d.doc_id: by_id[d.doc_id].counts or {}
                                                  for d in docs})
    if failures:
        _err(f"{len(failures)} of {len(inputs)} input(s) failed and are not in {args.out}/ "
             f"(listed in {args.out}/report.json); wrote the other {len(docs)}")
        return failed
    return EXIT_OK


def _totals(per_doc: Sequence[dict[str, int]]) -> dict[str, int]:
    """Rows per output table over the documents (each document's own counts summed)."""
    out: dict[str, int] = {}
    for counted in per_doc:
        for k, v in counted.items():
            out[k] = out.get(k, 0) + v
    return out


def export(args: argparse.Namespace) -> int:
    """``export OUTPUT_DIR --format LIST``: write more formats into a written output set."""
    from pipeline.export import FORMATS
    from pipeline.write import export_formats

    export_formats(args.out, args.format)
    args.written = True
    if not args.quiet:
        files = [f.split("/", 1)[0] + ("/" if "/" in f else "")
                 for name in args.format for f in FORMATS[name].files]
        _err(f"exported {', '.join(dict.fromkeys(files))} into {args.out}/")
    return EXIT_OK


def _fail(exc: PipelineError, trace: str | None, debug: bool) -> PipelineError:
    """Report one failed input: its one line, and the traceback if asked for."""
    _err(_line(exc))
    if debug and trace:
        print(trace, file=sys.stderr, end="")
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
        stem = valid_text(p.stem)  # as doc_id holds it
        if stem in seen:
            out[p] = DuplicateDocIdError(str(p), f"has the same doc_id {stem!r} as {seen[stem]}")
        else:
            seen[stem] = p
    return out


def _duplicates(docs: list[Document], dedupe: bool,
                spool: ContentSpool) -> tuple[list[Document], dict[str, Any]]:
    """Warn about inputs that hold the same list; with ``dedupe`` drop all but the most
    faithful form, each dropped one's report entry saying which input was kept and why.
    The documents have no tasks (see corpus.hollow): ``spool`` holds what is compared."""
    from pipeline.documents import find_duplicates, mark_duplicates

    found = find_duplicates(docs, lambda i: spool.get(docs[i].doc_id))
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


def _summary(docs: Sequence[Document], report: dict[str, Any], n: dict[str, int],
             out: Path, per_doc: dict[str, dict[str, int]]) -> None:
    from pipeline.documents import DUPLICATE_CODES

    names = ", ".join(f"{d.doc_id} ({d.fmt})" for d in docs)
    _err(f"extracted {n['documents']} document(s) into {out}/: {names}")
    _err("  " + " · ".join(f"{k} {v}" for k, v in n.items() if k != "documents"))
    if len(docs) > 1:  # per document too, so one that came out short stands out
        for d in docs:
            _err(f"    {d.doc_id}: " + " · ".join(
                f"{k} {v}" for k, v in per_doc[d.doc_id].items() if k != "documents"))
    for entry in report["inputs"]:
        for note in entry.get("notes", []):
            _err(f"  note: {note}")
        for w in entry.get("warnings", []):
            # The library's warning says which input deduplicating keeps; the option is ours.
            dedupe = (" (--dedupe drops it)" if w["code"] in DUPLICATE_CODES
                      and entry["status"] != "dropped" else "")
            _err(f"  warning: {entry['doc_id']}: {w['message']}{dedupe}")
        if entry["status"] == "dropped":
            _err(f"  dropped: {entry['doc_id']}: {entry['message']}")
