"""Read stage: bytes from disk to the raw table, one reader per format.

This module does the only file I/O of the read stage; readers are pure functions of bytes.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from pipeline.errors import (
    EmptyInputError,
    InputNotFoundError,
    InputTooLargeError,
    InputUnreadableError,
    UnknownFormatError,
)
from pipeline.models import RawTable
from pipeline.read.common import sniff_format

#: A published task list is well under a few MB in any format; anything far larger is not one.
MAX_INPUT_BYTES = 64 * 1024 * 1024

_EXTENSIONS = {".txt": "text", ".md": "text", ".tsv": "text", ".html": "html", ".htm": "html",
               ".pdf": "pdf"}


@dataclass(frozen=True)
class LoadedInput:
    path: Path
    data: bytes
    fmt: str
    notes: tuple[str, ...]


def load(path: Path) -> LoadedInput:
    """Read a file's bytes and decide its format from them, noting a disagreeing extension."""
    source = str(path)
    try:
        size = os.stat(path).st_size
    except FileNotFoundError as exc:
        raise InputNotFoundError(source, "no such file") from exc
    except OSError as exc:
        raise InputUnreadableError(source, f"cannot read it ({exc.strerror})") from exc
    if path.is_dir():
        raise InputUnreadableError(source, "is a folder, not a file")
    if size > MAX_INPUT_BYTES:
        raise InputTooLargeError(
            source, f"{size / 2**20:.0f} MiB is over the {MAX_INPUT_BYTES // 2**20} MiB limit"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputUnreadableError(source, f"cannot read it ({exc.strerror})") from exc
    if not data.strip():
        raise EmptyInputError(source, "the file is empty")
    fmt = sniff_format(data)
    if fmt is None:
        raise UnknownFormatError(source, "not a PDF, HTML page or text dump (binary content)")
    notes: tuple[str, ...] = ()
    by_name = _EXTENSIONS.get(path.suffix.lower())
    if by_name and by_name != fmt:
        notes = (f"{source}: extension says {by_name} but the content is {fmt}; read as {fmt}",)
    return LoadedInput(path=path, data=data, fmt=fmt, notes=notes)


def read_table(loaded: LoadedInput) -> RawTable:
    """Dispatch to the reader for the input's format."""
    source = str(loaded.path)
    if loaded.fmt == "pdf":
        from pipeline.read.pdf import read_pdf

        table = read_pdf(loaded.data, source)
    elif loaded.fmt == "html":
        from pipeline.read.html import read_html

        table = read_html(loaded.data, source)
    else:
        from pipeline.read.dump import read_dump

        table = read_dump(loaded.data, source)
    return replace(table, notes=loaded.notes + table.notes)
