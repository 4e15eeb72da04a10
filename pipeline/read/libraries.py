"""The one rule telling damaged input from a bug: who raised the exception.

Parser libraries (pdfminer, pdfplumber, lxml, bs4 …) raise whatever their code happens to hit
on a malformed file — KeyError, TypeError, struct.error, RecursionError — so the exception's
type says nothing. Its origin does: when the innermost frame outside the standard library
belongs to a parser library, the library choked on the input; when it is this package's own
code (a reader's logic, or a callback of ours that a library called), it is a bug and must
surface as one (exit 1), never as "download the file again".

Readers call the libraries inside narrow ``library_call`` blocks, which apply this rule.
"""
from __future__ import annotations

import sysconfig
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType

from pipeline.errors import PipelineError

#: Libraries whose exceptions mean "this file cannot be parsed".
PARSER_LIBRARIES = ("pdfminer", "pdfplumber", "pypdfium2", "lxml", "bs4", "html5lib",
                    "soupsieve")

_OURS = Path(__file__).resolve().parent.parent  # the pipeline package
_STDLIB = tuple({Path(sysconfig.get_paths()[k]).resolve() for k in ("stdlib", "platstdlib")})


def _origin(filename: str) -> str | None:
    """'ours', a parser library's name, 'other' (a third-party package) or None (stdlib)."""
    path = Path(filename)
    if not path.is_absolute():  # <frozen …>, <string>: the interpreter itself
        return None
    resolved = path.resolve()
    if resolved == _OURS or _OURS in resolved.parents:
        return "ours"
    parts = resolved.parts
    if "site-packages" in parts or "dist-packages" in parts:
        return next((lib for lib in PARSER_LIBRARIES if lib in parts), "other")
    if any(s in resolved.parents for s in _STDLIB):
        return None
    return "other"


def failing_library(exc: BaseException) -> str | None:
    """The parser library that raised ``exc``, or None when it came from our own code.

    The innermost frame that is not the standard library's decides (zlib.error or
    struct.error raised by the stdlib on pdfminer's behalf is pdfminer's).
    """
    innermost: str | None = None
    tb: TracebackType | None = exc.__traceback__
    while tb is not None:
        origin = _origin(tb.tb_frame.f_code.co_filename)
        if origin is not None:
            innermost = origin
        tb = tb.tb_next
    if innermost in PARSER_LIBRARIES:
        return innermost
    return None


@contextmanager
def library_call(damaged: Callable[[str, BaseException], PipelineError],
                 unwrap: Callable[[BaseException], BaseException] = lambda e: e,
                 ) -> Iterator[None]:
    """Run one library call: an exception the library raised becomes ``damaged(library,
    exc)``; our own exceptions (pipeline errors, bugs) pass through untouched.

    ``unwrap`` gives the exception a library wrapped in its own (pdfplumber wraps every
    pdfminer error in PdfminerException), so the original's origin is judged.
    """
    try:
        yield
    except PipelineError:
        raise
    except Exception as exc:
        cause = unwrap(exc)
        if isinstance(cause, PipelineError):
            raise cause from None  # ours, raised from a callback the library ran
        library = failing_library(cause)
        if library is None:
            if cause is exc:
                raise
            raise cause from None  # a bug of ours the library wrapped: show the original
        raise damaged(library, cause) from exc


def one_line(exc: object, limit: int = 120) -> str:
    """A library exception as a short single line for an error message."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= limit else text[:limit - 3] + "…"


__all__ = ["PARSER_LIBRARIES", "failing_library", "library_call", "one_line"]
