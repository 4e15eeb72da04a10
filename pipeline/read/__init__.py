"""Read stage: bytes from disk to the raw table, one reader per format.

This module does the only file I/O of the read stage; readers are pure functions of bytes.
"""
from __future__ import annotations

import logging
import os
import re
import stat
import warnings
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import (
    EmptyInputError,
    InputIsFolderError,
    InputNotFoundError,
    InputTooLargeError,
    InputUnreadableError,
    OfficeDocumentError,
    PdfDamagedError,
    PipelineError,
    TruncatedInputError,
    UnknownFormatError,
)
from pipeline.models import RawTable
from pipeline.read.common import foreign_format, sniff_format
from pipeline.read.decode import bom_encoding
from pipeline.read.libraries import PARSER_LIBRARIES, failing_library, one_line

if TYPE_CHECKING:
    from pipeline.read.pdf import PdfReading

#: A published task list is well under a few MB in any format; anything far larger is not one.
MAX_INPUT_BYTES = 64 * 1024 * 1024

_EXTENSIONS = {".txt": "text", ".md": "text", ".tsv": "text", ".html": "html", ".htm": "html",
               ".xhtml": "html", ".shtml": "html", ".pdf": "pdf", ".docx": "docx",
               ".doc": "doc", ".wps": "doc"}
_NAMES = {"pdf": "PDF", "html": "HTML", "text": "text", "docx": "Word",
          "doc": "Word 97–2003 or WPS"}

_IMAGE_HINT = ("if it is a scan of the list, run OCR on it and save the result as PDF "
               "(for example img2pdf + ocrmypdf -l chi_sim); otherwise give the list's PDF, HTML or text dump")
_ARCHIVE_HINT = "unpack it and extract the task-list files inside"



@dataclass(frozen=True)
class LoadedInput:
    path: Path
    data: bytes
    fmt: str
    notes: tuple[str, ...]


def load(path: Path) -> LoadedInput:
    """Read a file's bytes and decide its format from them, noting a disagreeing extension."""
    source = str(path)
    data = _read_bytes(path, source)
    _, skip = bom_encoding(data)
    if not data[skip:].strip():
        raise EmptyInputError(source, "the file is empty" if not data
                              else f"the file holds only whitespace ({len(data)} bytes)")
    fmt = sniff_format(data)
    if fmt is None:
        raise _not_a_task_list(data, source)
    notes: tuple[str, ...] = ()
    by_name = _EXTENSIONS.get(path.suffix.lower())
    if by_name and by_name != fmt:
        notes = (f"{source}: the extension {path.suffix} says {_NAMES[by_name]} but the content "
                 f"is {_NAMES[fmt]}; read as {_NAMES[fmt]}",)
    return LoadedInput(path=path, data=data, fmt=fmt, notes=notes)


def _read_bytes(path: Path, source: str) -> bytes:
    """The file's bytes, refusing folders, devices and files over the size limit."""
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        if os.path.islink(path):
            raise InputNotFoundError(source, f"is a symbolic link to {os.readlink(path)}, which does "
                                             "not exist") from exc
        raise InputNotFoundError(source, "no such file") from exc
    except NotADirectoryError as exc:
        raise InputNotFoundError(source, "no such file (a part of the path is a file, not a folder)") from exc
    except OSError as exc:
        raise InputUnreadableError(source, f"cannot read it ({exc.strerror or exc})") from exc
    if stat.S_ISDIR(st.st_mode):
        raise InputIsFolderError(source, "is a folder, not a file",
                                 f"name the files inside it instead (for example {source.rstrip('/')}/*.pdf)")
    if not stat.S_ISREG(st.st_mode):
        raise InputUnreadableError(source, "is not a regular file (a device, pipe or socket)")
    if st.st_size > MAX_INPUT_BYTES:
        raise _too_large(source, st.st_size)
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_INPUT_BYTES + 1)  # the file may have grown since stat
    except OSError as exc:
        raise InputUnreadableError(source, f"cannot read it ({exc.strerror or exc})") from exc
    if len(data) > MAX_INPUT_BYTES:
        raise _too_large(source, len(data))
    return data


def _too_large(source: str, size: int) -> InputTooLargeError:
    return InputTooLargeError(source, f"{_size(size)} is over the {_size(MAX_INPUT_BYTES)} limit")


def _size(n: int) -> str:
    """Bytes for people: 512 bytes, 150.3 KiB, 64 MiB."""
    for unit, scale in (("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f}".removesuffix(".0") + f" {unit}"
    return f"{n} bytes"


def _not_a_task_list(data: bytes, source: str) -> PipelineError:
    """The error for bytes that are no PDF, HTML or text: named where the format is known."""
    foreign = foreign_format(data)
    if foreign is None:
        return UnknownFormatError(source, "not a PDF, HTML page or text dump (binary content)")
    kind, what = foreign
    cause = f"is {what}, not a PDF, HTML page or text dump"
    if kind == "office":
        return OfficeDocumentError(source, cause)
    return UnknownFormatError(source, cause, _IMAGE_HINT if kind == "image" else _ARCHIVE_HINT)


def read_table(loaded: LoadedInput) -> RawTable:
    """Dispatch to the reader for the input's format."""
    return inspect_input(loaded, inspect=False)[0]


def inspect_input(loaded: LoadedInput,
                  inspect: bool = True) -> tuple[RawTable, PdfReading | None]:
    """The raw table as ``read_table`` gives it and, for a PDF, the reader's intermediate
    results (``PdfReading``: each page's columns, row bands and cells)."""
    source = str(loaded.path)
    messages: Counter[tuple[str, str]] = Counter()
    try:
        with _library_messages() as messages:
            table, reading = _dispatch(loaded, source, inspect)
    except PipelineError as exc:
        if loaded.notes:  # the user may be surprised which reader ran: say so in the one line
            by_name = _EXTENSIONS[loaded.path.suffix.lower()]
            exc.add_detail(f"read as {_NAMES[loaded.fmt]} from its content, although the "
                           f"extension {loaded.path.suffix} says {_NAMES[by_name]}")
        raise
    except Exception as exc:
        # Readers call their libraries in narrow library_call blocks; this is the same rule
        # for a library call a reader left outside one.
        library = failing_library(exc)
        if library is None:
            raise  # our own bug: the CLI reports it as one (exit 1)
        what = f"{library} cannot parse it ({type(exc).__name__}: {one_line(exc)})"
        if loaded.fmt == "pdf":
            raise PdfDamagedError(source, what) from exc
        raise UnknownFormatError(source, what, "the file is damaged or not a task list; "
                                 "download it again or give another format") from exc
    return replace(table, notes=loaded.notes + table.notes + _warning_notes(messages, source)), \
        reading


def _warning_notes(messages: Counter[tuple[str, str]], source: str, limit: int = 5) -> tuple[str, ...]:
    """The libraries' warnings as notes, the most frequent first, at most ``limit`` of them."""
    ranked = messages.most_common()
    notes = [f"{source}: {lib} warned while reading it: {text}" + (f" (×{n})" if n > 1 else "")
             for (lib, text), n in ranked[:limit]]
    if len(ranked) > limit:
        notes.append(f"{source}: … and {len(ranked) - limit} other library warning(s)")
    return tuple(notes)


#: Loggers of the parser libraries; their warnings (malformed content streams, broken
#: ToUnicode maps …) become notes of the input instead of stray lines on stderr.
_LIBRARY_LOGGERS = ("pdfminer", "pdfplumber", "pypdfium2", "bs4", "lxml")


class _Collect(logging.Handler):
    def __init__(self, sink: Counter[tuple[str, str]]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink[(record.name.split(".")[0], record.getMessage()[:200])] += 1


@contextmanager
def _library_messages() -> Iterator[Counter[tuple[str, str]]]:
    """Collect the parser libraries' log warnings and Python warnings while a reader runs."""
    sink: Counter[tuple[str, str]] = Counter()
    handler = _Collect(sink)
    saved = []
    for name in _LIBRARY_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate))
        logger.addHandler(handler)
        logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield sink
    finally:
        for logger, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate
    for w in caught:
        module = (w.filename and Path(w.filename).parts) or ()
        lib = next((lib for lib in PARSER_LIBRARIES if lib in module), "python")
        sink[(lib, f"{w.category.__name__}: {str(w.message)[:200]}")] += 1


def _dispatch(loaded: LoadedInput, source: str,
              inspect: bool) -> tuple[RawTable, PdfReading | None]:
    if loaded.fmt == "html":
        _check_html_complete(loaded.data, source)
    if loaded.fmt == "pdf":
        from pipeline.read import pdf

        if inspect:
            reading = pdf.inspect_pdf(loaded.data, source)
            return reading.table, reading
        return pdf.read_pdf(loaded.data, source), None
    if loaded.fmt == "html":
        from pipeline.read.html import read_html

        return read_html(loaded.data, source), None
    if loaded.fmt == "docx":
        from pipeline.read.docx import read_docx

        return read_docx(loaded.data, source), None
    if loaded.fmt == "doc":
        from pipeline.read.docx import read_docx
        from pipeline.read.office import convert_to_docx

        what = "a Word 97–2003 or WPS document (.doc/.wps)"
        table = read_docx(convert_to_docx(loaded.data, source, what), source)
        converted = f"{source}: {what}, converted to .docx with LibreOffice to be read"
        return replace(table, fmt="doc", notes=(converted, *table.notes)), None
    from pipeline.read.dump import read_dump

    return read_dump(loaded.data, source), None


_TABLE_OPEN = re.compile(rb"<table\b", re.I)
_TABLE_CLOSE = re.compile(rb"</table\s*>", re.I)
_HTML_END = re.compile(rb"</(html|body)\s*>", re.I)


def _check_html_complete(data: bytes, source: str) -> None:
    """Refuse a page cut short: lxml would quietly close its tags and keep the rows it has.

    Cut short means: no closing ``</body>``/``</html>`` and a ``<table>`` never closed. Only
    for ASCII-compatible bytes (UTF-16 pages are not searched byte-wise).
    """
    enc, _ = bom_encoding(data)
    if (enc and enc.startswith("utf-16")) or (enc and enc.startswith("utf-32")) or b"\x00" in data[:512]:
        return
    if _HTML_END.search(data[-4096:]):
        return
    opened, closed = len(_TABLE_OPEN.findall(data)), len(_TABLE_CLOSE.findall(data))
    if opened > closed:
        raise TruncatedInputError(
            source, f"the page ends inside a table ({opened} <table> tags, {closed} closed, "
                    "no </html> at the end)")
