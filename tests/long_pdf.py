"""Long PDFs made of the committed renderings at test (and bench) time, with pypdf.

- ``repeated(path, times)``: the rendering's pages ``times`` over: one table running on for
  ``times`` as many pages (each copy's header row reads as a repeated header).
- ``with_tail(path, pages, tail)``: the rendering followed by pages of ``tail`` (without its
  first page, which holds a header row) up to ``pages`` pages in all: a list with a long text
  after its table, such as an annex.
"""
from __future__ import annotations

import io
from pathlib import Path

from pypdf import PdfReader, PdfWriter

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "pdf"
TABLE = FIXTURES / "a4-portrait-serif-10.5pt-repeat-header.pdf"  # 8 pages, ruled
TAIL = FIXTURES / "letter-portrait-serif-11pt-no-rules-no-repeat.pdf"  # 9 pages, no rules


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _append(writer: PdfWriter, data: bytes, pages: list[int] | None = None) -> None:
    # A reader of its own for each copy: pypdf would otherwise add the same page objects
    # again, and pdfminer reads a page object once however often the page tree names it.
    reader = PdfReader(io.BytesIO(data))
    writer.append(reader, pages=pages if pages is not None else list(range(len(reader.pages))))


def repeated(path: Path = TABLE, times: int = 8) -> bytes:
    writer = PdfWriter()
    data = path.read_bytes()
    for _ in range(times):
        _append(writer, data)
    return _written(writer)


def with_tail(path: Path = TABLE, pages: int = 300, tail: Path = TAIL) -> bytes:
    writer = PdfWriter()
    _append(writer, path.read_bytes())
    data = tail.read_bytes()
    tail_pages = len(PdfReader(io.BytesIO(data)).pages) - 1
    while len(writer.pages) < pages:
        wanted = min(tail_pages, pages - len(writer.pages))
        _append(writer, data, list(range(1, 1 + wanted)))
    return _written(writer)


def extra_pages(path: Path, *pdfs: bytes) -> bytes:
    """The rendering followed by the pages of each of ``pdfs``, in order."""
    writer = PdfWriter()
    _append(writer, path.read_bytes())
    for data in pdfs:
        _append(writer, data)
    return _written(writer)


def pdf_pages(data: bytes, pages: list[int]) -> bytes:
    """The pages of ``data`` numbered ``pages`` (from 0) as a PDF of their own."""
    writer = PdfWriter()
    _append(writer, data, pages)
    return _written(writer)
