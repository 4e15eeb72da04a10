"""The command line's arguments: the parser of every subcommand (extract, export, diff, debug)."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from pipeline.cli.exits import EXIT_INPUT
from pipeline.cli.terminal import _err
from pipeline.errors import (
    printable,
)

DEFAULT_RAW, DEFAULT_OUT = Path("raw"), Path("output")


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
