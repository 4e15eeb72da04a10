"""Command line: ``python -m pipeline extract [INPUT ...] --out DIR [--format LIST]``,
``python -m pipeline export OUTPUT_DIR --format LIST`` (also ``diff``, ``debug``); installed as
``cnipa-tasks`` too.

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
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from pipeline.errors import (
    DuplicateDocIdError,
    ExportError,
    InternalError,
    NoInputsError,
    OutputError,
    PipelineError,
    printable,
)
from pipeline.models import Document
from pipeline.names import valid_text
from pipeline.report import build_report

if TYPE_CHECKING:
    from pipeline.corpus import Extracted

EXIT_OK, EXIT_BUG, EXIT_INPUT = 0, 1, 2
EXIT_INTERRUPTED = 130  # the shell's code for a run stopped by Ctrl-C (128 + SIGINT)
EXIT_TERMINATED = 143  # 128 + SIGTERM
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE: the reader of stdout went away (`debug FILE | head`)
DEFAULT_RAW, DEFAULT_OUT = Path("raw"), Path("output")


#: The library's errors name no options; the CLI names the one an error concerns.
_OPTION_OF: dict[type[PipelineError], str] = {OutputError: "--out", ExportError: "--format"}
_BUG_HINT = "this is a bug in the pipeline; rerun with --debug and report the traceback"


class _Parser(argparse.ArgumentParser):
    """argparse, but a file name that starts with ``-`` gets one ``FILE:`` line about ``--``."""

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        parsed, extra = self.parse_known_args(args, namespace)
        if extra and extra[0].startswith("-") and os.path.lexists(extra[0]):
            _err(f"{extra[0]}: not an option of {self.prog} {parsed.command} — if it is a file "
                 f"name, put -- before the file names ({self.prog} {parsed.command} [OPTIONS] "
                 f"-- {extra[0]})")
            sys.exit(EXIT_INPUT)
        if extra:  # the usage of the subcommand the arguments were given to
            self._subcommand(parsed.command).error(f"unrecognized arguments: {' '.join(extra)}")
        return parsed

    def _subcommand(self, name: str | None) -> argparse.ArgumentParser:
        for action in self._actions:
            if isinstance(action, argparse._SubParsersAction) and name in action.choices:
                chosen: argparse.ArgumentParser = action.choices[name]
                return chosen
        return self

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_INPUT, printable(f"{self.prog}: error: {message}") + "\n")


def parser(prog: str | None = None) -> argparse.ArgumentParser:
    from pipeline import __version__

    p = _Parser(prog=prog or _prog_name(), description="Turn CNIPA task lists into tidy tables.")
    p.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = p.add_subparsers(dest="command", required=True)
    ex = sub.add_parser("extract", help="extract task lists (text dump, HTML, PDF) into --out")
    ex.add_argument("inputs", nargs="*", type=Path,
                    help=f"files to extract (default: every file in {DEFAULT_RAW}/)")
    ex.add_argument("-o", "--out", type=Path, default=DEFAULT_OUT,
                    help="output folder (default: output)")
    ex.add_argument("--keep-going", action="store_true",
                    help="write the inputs that succeeded even if others failed (exit stays 2)")
    ex.add_argument("--debug", action="store_true", help="show tracebacks")
    ex.add_argument("--quiet", action="store_true", help="print errors only")
    ex.add_argument("--dedupe", action="store_true",
                    help="of inputs holding the same list, keep only the most faithful form")
    ex.add_argument("--jobs", type=_positive, metavar="N",
                    help="inputs extracted at once, each in a worker process (default: the "
                         "number of cores)")
    ex.add_argument("--executor", choices=("local", "dask"), default="local",
                    help="local: worker processes on this machine; dask: the Dask cluster at "
                         "--scheduler (pip install '.[dask]')")
    ex.add_argument("--scheduler", metavar="ADDRESS",
                    help="the Dask scheduler's address, e.g. tcp://10.0.0.5:8786 (with "
                         "--executor dask)")
    _add_format_options(ex, sub)
    from pipeline.diff.args import add_parser as add_diff_parser

    add_diff_parser(sub)
    from pipeline.debug import add_parser as add_debug_parser

    add_debug_parser(sub)
    return p


def _add_format_options(ex: argparse.ArgumentParser, sub: Any) -> None:
    """extract's --format, and the export subcommand (which adds formats to a written set)."""
    from pipeline.export import DEFAULT_FORMATS, FORMATS, parse_formats

    listing = "; ".join(f"{name}: {f.help}" for name, f in FORMATS.items())
    ex.add_argument("--format", type=_formats_type(parse_formats), default=DEFAULT_FORMATS,
                    metavar="LIST",
                    help=f"comma-separated formats to write, or all (default: {','.join(DEFAULT_FORMATS)}; "
                         f"report.json is always written) — {listing}")
    exp = sub.add_parser("export", help="add export formats (xlsx, csv, …) to a written output set",
                         description="Write more formats into an output set made by extract, "
                                     "from its Parquet tables; the set is replaced whole, like "
                                     "extract does.")
    exp.add_argument("out", type=Path, metavar="OUTPUT_DIR", help="an output folder of extract")
    exp.add_argument("--format", required=True, metavar="LIST",
                     type=_formats_type(lambda text: parse_formats(text, for_export=True)),
                     help="comma-separated formats to add: "
                          + ", ".join(n for n, f in FORMATS.items() if f.from_output_set))
    exp.add_argument("--debug", action="store_true", help="show tracebacks")
    exp.add_argument("--quiet", action="store_true", help="print errors only")


def _formats_type(parse: Any) -> Any:
    """An argparse type: the parsed format list, or a usage error naming the bad format."""
    def formats(text: str) -> tuple[str, ...]:
        try:
            result: tuple[str, ...] = parse(text)
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc
        return result
    return formats


def _prog_name() -> str:
    """``python -m pipeline`` when run so, else the command's name (``cnipa-tasks``)."""
    name = os.path.basename(sys.argv[0]) if sys.argv and sys.argv[0] else ""
    return "python -m pipeline" if name in ("", "__main__.py", "-c") else name


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return n


class Terminated(KeyboardInterrupt):
    """SIGTERM (a kill, a CI timeout), handled like Ctrl-C so the output is left as it was."""


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    p = parser(prog)
    args = p.parse_args(argv)
    if args.command == "extract" and (args.executor == "dask") != bool(args.scheduler):
        p.error("--executor dask needs --scheduler ADDRESS" if args.executor == "dask"
                else "--scheduler is for --executor dask")
    args.written = False
    if not args.debug and not logging.getLogger().handlers:
        # Without a handler, Python prints any library's log warning to stderr as a stray line;
        # readers turn the parser libraries' warnings into notes instead.
        logging.getLogger().addHandler(logging.NullHandler())
    with _sigterm_as_interrupt():
        try:
            if args.command == "debug":
                from pipeline.debug import run as run_debug

                return run_debug(args)
            if args.command == "diff":
                from pipeline.diff.cli import run as run_diff

                return run_diff(args)
            return export(args) if args.command == "export" else extract(args)
        except PipelineError as exc:
            _err(_line(exc, args.command))
            if args.debug:
                traceback.print_exc()
            return EXIT_INPUT
        except KeyboardInterrupt as exc:
            state = ("the new output was already in place" if args.written
                     else f"{args.out}/ is unchanged")
            terminated = isinstance(exc, Terminated)
            _err(f"{'terminated' if terminated else 'interrupted'} — {state}")
            return EXIT_TERMINATED if terminated else EXIT_INTERRUPTED
        except BrokenPipeError:
            # Not a bug: whoever read stdout stopped reading. Point stdout at /dev/null so the
            # interpreter's final flush cannot raise again, and exit as a shell pipeline expects.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            return EXIT_BROKEN_PIPE
        except Exception as exc:  # a bug: say so in one line, unless asked for the traceback
            if args.debug:
                traceback.print_exc()
            _err(InternalError("pipeline", f"internal error: {type(exc).__name__}: {exc}",
                               _BUG_HINT).line())
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


class _NothingWritten(Exception):
    """Leaves write_set's folder unswapped (it removes it): some inputs failed."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def extract(args: argparse.Namespace) -> int:
    from pipeline.corpus import default_jobs, results
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
                        kept.append(result if args.dedupe else replace(result, encoded=None))
                        by_id[result.doc.doc_id] = kept[-1]
                        if not args.dedupe:
                            writer.add(result.encoded)
                    bar.done()
            docs = [r.doc for r in kept if r.doc is not None]
            docs, dropped = _duplicates(docs, args.dedupe)
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


#: A PDF with at least this many pages gets a bar of its own pages.
LONG_PDF_PAGES = 20


class _Bar:
    """The progress bar on stderr: one step per input, and per page within a long PDF.

    Shown only when stderr is a terminal (and not --quiet), and only when there is something to
    wait for: several inputs, or a long PDF. tqdm is imported only then.
    """

    def __init__(self, inputs: Sequence[Path], enabled: bool) -> None:
        self.enabled = enabled
        self.total = len(inputs)
        self.outer: Any = None
        self.inner: Any = None

    def start(self, path: Path) -> None:
        if self.enabled and self.total > 1:
            if self.outer is None:
                from tqdm import tqdm

                self.outer = tqdm(total=self.total, unit="file", file=sys.stderr, leave=False)
            self.outer.set_description(path.name)

    def page(self, done: int, total: int) -> None:
        if not self.enabled or total < LONG_PDF_PAGES:
            return
        if self.inner is None:
            from tqdm import tqdm

            self.inner = tqdm(total=total, unit="page", file=sys.stderr, leave=False,
                              position=1 if self.outer is not None else 0)
        self.inner.update(done - self.inner.n)

    def done(self) -> None:
        if self.inner is not None:
            self.inner.close()
            self.inner = None
        if self.outer is not None:
            self.outer.update(1)

    def close(self) -> None:
        self.done()
        if self.outer is not None:
            self.outer.close()
            self.outer = None

    def write(self, line: str) -> bool:
        """Print a line above the bar; False when no bar is shown."""
        bar = self.inner or self.outer
        if bar is None:
            return False
        bar.write(line, file=sys.stderr)
        return True


_ACTIVE_BAR: _Bar | None = None


@contextmanager
def _progress_bar(inputs: Sequence[Path], quiet: bool) -> Iterator[_Bar]:
    from pipeline import progress

    global _ACTIVE_BAR
    bar = _Bar(inputs, enabled=not quiet and sys.stderr.isatty())
    _ACTIVE_BAR = bar
    try:
        with progress.listening(bar.page if bar.enabled else None):
            yield bar
    finally:
        bar.close()
        _ACTIVE_BAR = None


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


def _summary(docs: Sequence[Document], report: dict[str, Any], n: dict[str, int],
             out: Path, per_doc: dict[str, dict[str, int]]) -> None:
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
            _err(f"  warning: {entry['doc_id']}: {w['message']}")
        if entry["status"] == "dropped":
            _err(f"  dropped: {entry['doc_id']}: {entry['message']}")


def _line(exc: PipelineError, command: str = "extract") -> str:
    """The error's one line, naming the option it concerns (the library's lines name none)."""
    line = exc.line()
    option = next((o for cls, o in _OPTION_OF.items() if isinstance(exc, cls)), None)
    if command == "export" and option == "--out":  # export names its folder as OUTPUT_DIR
        option = None
    return f"{line} ({option})" if option and option not in line else line


def _err(line: str) -> None:
    """Print one line to stderr, file names in it escaped (see :func:`pipeline.errors.printable`).

    Above the progress bar while one is shown.
    """
    line = printable(line)
    if _ACTIVE_BAR is None or not _ACTIVE_BAR.write(line):
        print(line, file=sys.stderr)
