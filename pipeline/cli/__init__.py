"""Command line: ``python -m pipeline extract [INPUT ...] --out DIR [--format LIST]``,
``python -m pipeline export OUTPUT_DIR --format LIST`` (also ``diff``, ``debug``); installed as
``cnipa-tasks`` too.

The only place where errors become exit codes: 0 done, 2 an input (or the output folder)
failed, 1 a bug in the pipeline itself, 130 stopped by Ctrl-C (143 by SIGTERM). Each failure is one line on
stderr; tracebacks only with --debug.
"""
from __future__ import annotations

# First, before the imports below bring in the grammar: its patterns (and those of the
# libraries a run imports) then come compiled from our cache instead of being compiled anew
# at every start of a command (see pipeline/regex_cache.py). Hence imports below code:
# ruff: noqa: E402
from pipeline import regex_cache

regex_cache.install()

import logging
import os
import signal
import sys
import threading
import traceback
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any, NoReturn

from pipeline.cli.args import DEFAULT_OUT, DEFAULT_RAW, parser
from pipeline.cli.commands import default_inputs, export, extract
from pipeline.cli.exits import (
    _BUG_HINT,
    EXIT_BROKEN_PIPE,
    EXIT_BUG,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    _line,
)
from pipeline.cli.terminal import LONG_PDF_PAGES, _Bar, _err
from pipeline.errors import InternalError, PipelineError


class Terminated(KeyboardInterrupt):
    """SIGTERM (a kill, a CI timeout), handled like Ctrl-C so the output is left as it was."""


def main(argv: Sequence[str] | None = None, prog: str | None = None) -> int:
    try:
        return _main(argv, prog)
    finally:
        # After the command, so its patterns are all compiled; nothing unless this process's
        # start installed the cache and the run compiled patterns the file lacks.
        regex_cache.store()


def _main(argv: Sequence[str] | None, prog: str | None) -> int:
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


def exit_now(code: int) -> NoReturn:
    """End the process with ``code`` once the command is done, without the interpreter's
    teardown where that is safe (``python -m pipeline``).

    The teardown frees every object one at a time — jieba's tables, pdfminer's fonts, the
    modules of numpy and pyarrow — which took some 40 ms of CPU (more of the wall time) of a
    PDF extract that is done and written; the system takes the memory back at once. What of
    the teardown matters is done first: the standard streams are flushed and the atexit
    functions run (logging's, multiprocessing's, the finalizers of temporary folders). Where
    that cannot be done cleanly — another Python thread still running (the interpreter would
    wait for it), a stream that fails to flush (a closed pipe), no atexit runner, a profiler
    or tracer that reports after the module has run (``python -m cProfile -m pipeline``) —
    the exit is the ordinary one, which handles each as it always does.
    """
    import atexit

    run_exitfuncs = getattr(atexit, "_run_exitfuncs", None)
    if (run_exitfuncs is None or threading.active_count() > 1 or sys.getprofile() is not None
            or sys.gettrace() is not None or not _flushed()):
        sys.exit(code)
    run_exitfuncs()
    if not _flushed():  # an atexit function wrote to a stream that fails now
        sys.exit(code)
    os._exit(code)


def _flushed() -> bool:
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None:
                stream.flush()
    except (OSError, ValueError):
        return False
    return True


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


__all__ = ["DEFAULT_OUT", "DEFAULT_RAW", "EXIT_BROKEN_PIPE", "EXIT_BUG", "EXIT_INPUT",
           "EXIT_INTERRUPTED", "EXIT_OK", "EXIT_TERMINATED", "LONG_PDF_PAGES", "Terminated", "_Bar",
           "default_inputs", "exit_now", "export", "extract", "main", "parser"]
