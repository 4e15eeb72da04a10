"""Opening the PDF: the only module that calls pdfplumber and pdfminer.

Every library call stands in a narrow ``library_call`` block (see pipeline/read/libraries.py):
what the libraries raise there is a damaged file; what our own code raises is a bug.

pdfminer is lenient where this pipeline must not be, and is bounded nowhere:

- a compressed stream that fails to inflate becomes empty (or whatever inflated before the
  error) with at most a log line, so a page with a damaged content stream reads as blank and
  its tasks vanish. Here every stream must inflate completely, or the file is damaged.
- a small stream may inflate to gigabytes, a page may draw a million glyphs or paths, a file
  may hold thousands of pages; pdfminer would try them all. Here the ``Limits`` (limits.py) are
  enforced before (or while) the expensive step, and a file over one is refused with a line
  giving the figure and the limit.

pdfminer has no hook for its stream filters, so while a PDF is read the names
``pdfminer.pdftypes`` decodes with (``zlib``, ``lzwdecode``, ``rldecode``) are bound to
strict, bounded equivalents, and restored afterwards.
"""
from __future__ import annotations

import io
import zlib
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pdfminer.pdftypes as pdftypes
import pdfplumber
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import literal_name
from pdfplumber.page import Page, PDFPageAggregatorWithMarkedContent
from pdfplumber.pdf import PDF
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.errors import (
    PdfDamagedError,
    PdfEncryptedError,
    PipelineError,
)
from pipeline.read.libraries import library_call, one_line
from pipeline.read.pdf.limits import LIMITS, Budget, Limits, MiB, mib


@dataclass(frozen=True)
class PageObjects:
    """What pdfplumber found on one page, as its plain dicts."""

    number: int
    width: float
    height: float
    chars: list[dict[str, Any]]
    lines: list[dict[str, Any]]
    rects: list[dict[str, Any]]
    curves: list[dict[str, Any]]
    images: int


class _CorruptStream(Exception):
    """Raised by the strict decoders; the call site names the page."""


# ---- strict, bounded stream decoding ---------------------------------------------------------

_CHUNK = 1 * MiB


class _Decoders:
    """Stand-ins for the decoders pdfminer.pdftypes calls: strict and within the budget."""

    error = zlib.error  # pdfminer's ``except zlib.error`` clauses need the name

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def _take(self, total: int, n: int) -> int:
        total += n
        if total > self.budget.limits.stream_bytes:
            raise self.budget.too_large(f"has a compressed stream inflating to more than "
                                        f"{mib(self.budget.limits.stream_bytes)}, the limit "
                                        "for a stream")
        self.budget.add_inflated(n)
        return total

    def decompress(self, data: bytes) -> bytes:
        """zlib.decompress, in bounded chunks, refusing a stream that does not inflate whole."""
        inflater = zlib.decompressobj()
        out: list[bytes] = []
        total = 0
        pending = data
        while True:
            try:
                chunk = inflater.decompress(pending, _CHUNK)
            except zlib.error as exc:
                raise _CorruptStream(str(exc)) from None
            total = self._take(total, len(chunk))
            out.append(chunk)
            pending = inflater.unconsumed_tail
            if inflater.eof or not pending:
                break
        if not inflater.eof:
            try:
                tail = inflater.flush()
            except zlib.error as exc:  # pragma: no cover - flush rarely raises
                raise _CorruptStream(str(exc)) from None
            if not inflater.eof:
                raise _CorruptStream("it ends before its compressed data does")
            self._take(total, len(tail))
            out.append(tail)
        return b"".join(out)

    def decompressobj(self, *args: Any, **kwargs: Any) -> Any:
        return zlib.decompressobj(*args, **kwargs)

    def lzwdecode(self, data: bytes) -> bytes:
        out: list[bytes] = []
        total = 0
        for chunk in LZWDecoder(io.BytesIO(data)).run():
            total = self._take(total, len(chunk))
            out.append(chunk)
        return b"".join(out)

    def rldecode(self, data: bytes) -> bytes:
        """RunLengthDecode (PDF 1.7, 7.4.5) into a bytearray, within the budget."""
        out = bytearray()
        i = total = 0
        while i < len(data):
            length = data[i]
            if length == 128:
                break
            if length < 128:
                run = data[i + 1:i + 2 + length]
                i += 2 + length
            else:
                run = data[i + 1:i + 2] * (257 - length)
                i += 2
            total = self._take(total, len(run))
            out += run
        return bytes(out)


@contextmanager
def _bounded_decoding(budget: Budget) -> Iterator[None]:
    decoders = _Decoders(budget)
    stand_ins = {"zlib": decoders, "lzwdecode": decoders.lzwdecode,
                 "rldecode": decoders.rldecode}
    saved = {name: getattr(pdftypes, name) for name in stand_ins}
    for name, stand_in in stand_ins.items():
        setattr(pdftypes, name, stand_in)
    try:
        yield
    finally:
        for name, original in saved.items():
            setattr(pdftypes, name, original)


# ---- counting what a page draws, while pdfminer interprets it -------------------------------

class _CountingDevice(PDFPageAggregatorWithMarkedContent):
    """pdfplumber's layout device, stopping at the glyph and path budgets."""

    budget: Budget

    def render_char(self, *args: Any, **kwargs: Any) -> float:
        self.budget.add_glyph()
        return super().render_char(*args, **kwargs)

    def paint_path(self, *args: Any, **kwargs: Any) -> None:
        self.budget.add_path()
        super().paint_path(*args, **kwargs)


class _CountingInterpreter(PDFPageInterpreter):
    """Counts the content of each form drawn against the page's content budget (a form drawn
    a thousand times is interpreted a thousand times)."""

    device: _CountingDevice

    def do_Do(self, xobjid_arg: Any) -> None:
        xobj = resolve1(self.xobjmap.get(literal_name(xobjid_arg)))
        if isinstance(xobj, PDFStream) and getattr(xobj.get("Subtype"), "name", "") == "Form":
            self.device.budget.add_form(len(xobj.get_data()))
        super().do_Do(xobjid_arg)


class _BoundedPage(Page):
    """A pdfplumber page whose layout is computed within the budget."""

    budget: Budget

    @property
    def layout(self) -> Any:
        if hasattr(self, "_layout"):
            return self._layout
        device = _CountingDevice(self.pdf.rsrcmgr, pageno=self.page_number,
                                 laparams=self.pdf.laparams)
        device.budget = self.budget
        _CountingInterpreter(self.pdf.rsrcmgr, device).process_page(self.page_obj)
        self._layout = device.get_result()
        return self._layout


# ---- opening and reading pages -----------------------------------------------------------------

def _unwrap(exc: BaseException) -> BaseException:
    """The pdfminer exception pdfplumber wrapped in PdfminerException."""
    if isinstance(exc, PdfminerException) and exc.args and isinstance(exc.args[0], BaseException):
        return exc.args[0]
    return exc


@contextmanager
def _calling(budget: Budget) -> Iterator[None]:
    """A library call: its exceptions are the file's damage (naming the page being read)."""
    def damaged(library: str, exc: BaseException) -> PipelineError:
        if isinstance(exc, PDFPasswordIncorrect):
            return PdfEncryptedError(budget.source, "the PDF is encrypted and needs a "
                                                    "password to open")
        if isinstance(exc, PDFEncryptionError):
            return PdfEncryptedError(budget.source, "the PDF's encryption is not supported "
                                                    f"({one_line(exc)})")
        where = f"{budget.where()} " if budget.page is not None else "the PDF "
        return PdfDamagedError(budget.source, f"{where}cannot be parsed ({one_line(exc)})")

    try:
        with library_call(damaged, _unwrap):
            yield
    except (_CorruptStream, PdfminerException) as exc:
        cause = _unwrap(exc)
        if not isinstance(cause, _CorruptStream):
            raise
        where = f"that page {budget.page} uses" if budget.page is not None else "in the PDF"
        raise PdfDamagedError(budget.source, f"a compressed stream {where} is corrupt "
                                             f"({cause})") from None


@dataclass
class OpenedPdf:
    """An open PDF whose pages are read one at a time, within the limits."""

    pdf: PDF
    budget: Budget
    encrypted: bool
    _doctop: float = field(default=0.0, repr=False)

    def declared_pages(self) -> int | None:
        """The page count the page tree declares (/Count), if it gives a number."""
        with _calling(self.budget):
            declared = resolve1(resolve1(self.pdf.doc.catalog.get("Pages")) or {}).get("Count")
        return declared if isinstance(declared, int) else None

    def pages(self) -> Iterator[PageObjects]:
        budget = self.budget
        declared = self.declared_pages()
        if isinstance(declared, int) and declared > budget.limits.pages:
            raise budget.too_large(f"has {declared:,} pages, over the limit of "
                                   f"{budget.limits.pages:,}")
        with _calling(budget):
            found = PDFPage.create_pages(self.pdf.doc)
        number = 0
        while True:
            budget.start_page(number + 1)
            with _calling(budget):
                page_obj = next(found, None)
            if page_obj is None:
                break
            number += 1
            if number > budget.limits.pages:
                raise budget.too_large(f"is one page more than the limit of "
                                       f"{budget.limits.pages:,} pages for a file")
            yield self._read(page_obj, number)

    def _read(self, page_obj: PDFPage, number: int) -> PageObjects:
        budget = self.budget
        with _calling(budget):
            page = _BoundedPage(self.pdf, page_obj, page_number=number,
                                initial_doctop=self._doctop)
            page.budget = budget
            self._doctop += float(page.height)
            content = _check_contents(page_obj, budget)
            budget.add_content(content)
            objects = PageObjects(number, float(page.width), float(page.height),
                                  page.chars, page.lines, page.rects, page.curves,
                                  len(page.images))
            page.close()  # drop pdfplumber's caches: one page's objects in memory at a time
        return objects


def _check_contents(page_obj: PDFPage, budget: Budget) -> int:
    """Bytes of the page's content streams; a stream missing or empty on a page that has
    fonts is damage (pdfminer would read the page as blank)."""
    total = 0
    for ref in page_obj.contents:
        stream = resolve1(ref)
        if not isinstance(stream, PDFStream):
            raise PdfDamagedError(budget.source, f"{budget.where()} has a content stream that "
                                                 "is missing or is not a stream")
        total += len(stream.get_data().strip())
    resources = resolve1(page_obj.resources) if page_obj.resources else None
    fonts = resolve1(resources.get("Font")) if isinstance(resources, dict) else None
    if total == 0 and fonts:
        raise PdfDamagedError(budget.source, f"{budget.where()} has fonts but its content "
                                             "stream is empty")
    return total


@contextmanager
def open_pdf(data: bytes, source: str, limits: Limits = LIMITS) -> Iterator[OpenedPdf]:
    """The PDF opened for reading its pages; library errors become pipeline errors."""
    budget = Budget(limits, source)
    with _bounded_decoding(budget):
        with _calling(budget):
            pdf = pdfplumber.open(io.BytesIO(data))
        # No pdf.close(): it would build every page of the file (our budget stops earlier),
        # and the bytes are in memory anyway.
        with _calling(budget):
            encrypted = pdf.doc.encryption is not None
        yield OpenedPdf(pdf, budget, encrypted)



def page_images(data: bytes, source: str, numbers: Iterable[int],
                resolution: float = 100) -> Iterator[tuple[int, Any]]:
    """The pages as pdfplumber PageImages (pypdfium2 renders them) for the debug view: draw
    on them with draw_rect/draw_line in the reader's coordinates, then save()."""
    budget = Budget(LIMITS, source)
    with _bounded_decoding(budget):
        with _calling(budget):
            pdf = pdfplumber.open(io.BytesIO(data))
            pages = pdf.pages
        for number in numbers:
            budget.start_page(number)
            with _calling(budget):
                image = pages[number - 1].to_image(resolution=resolution)
            yield number, image


__all__ = ["OpenedPdf", "PageObjects", "open_pdf", "page_images"]
