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

- a stream whose /Length disagrees with where its ``endstream`` is gets cut at /Length or
  runs on into the next objects, silently. Here the bytes between /Length's end and
  ``endstream`` must be whitespace, or the file is damaged.
- content-stream syntax it cannot make sense of is skipped without a word: an operator it
  has no ``do_`` method for, an operator short of operands, a ``]`` or ``>>`` closing nothing,
  an array or dictionary still open at the end of the page's content (which swallowed every
  operator after its ``[``). Here each is damage on that page — except unknown operators
  inside a ``BX`` … ``EX`` compatibility section, where the PDF format allows them.

pdfminer has no hook for its stream filters or its parsers, so while a PDF is read the names
``pdfminer.pdftypes`` decodes with (``zlib``, ``lzwdecode``, ``rldecode``), the content parser
``pdfminer.pdfinterp`` builds and the file parser ``pdfplumber.pdf`` builds are bound to
strict, bounded equivalents (pipeline/read/pdf/strict.py), and restored afterwards.
"""
from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pdfminer.pdfinterp as pdfinterp
import pdfplumber
import pdfplumber.pdf
from pdfminer import settings
from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTContainer, LTCurve, LTImage, LTItem
from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdffont import PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFInterpreterError, PDFPageInterpreter
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream, resolve1, stream_value
from pdfminer.psparser import PSEOF, PSKeyword, keyword_name, literal_name
from pdfplumber.page import Page, fix_fontname_bytes
from pdfplumber.pdf import PDF
from pdfplumber.utils.exceptions import PdfminerException

from pipeline.errors import (
    PdfDamagedError,
    PdfEncryptedError,
    PipelineError,
)
from pipeline.read.libraries import library_call, one_line
from pipeline.read.pdf.limits import LIMITS, Budget, Limits
from pipeline.read.pdf.strict import _BadContent, _bounded_decoding, _Damage, _shown


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


# ---- counting what a page draws, while pdfminer interprets it -------------------------------

#: A glyph as the device records it: text, font name, size, upright, x0, y0, x1, y1 (PDF
#: coordinates, y upwards), what pdfminer's LTChar would hold.
Glyph = tuple[str, Any, float, bool, float, float, float, float]


def box_of(matrix: Any, x0: float, y0: float, x1: float, y1: float,
           ) -> tuple[float, float, float, float]:
    """pdfminer's ``apply_matrix_rect(matrix, (x0, y0, x1, y1))`` inlined: the box around the
    four corners, each through ``apply_matrix_pt``, with the same products and sums in the
    same order (so the same floats; tested against pdfminer's). Its five calls a glyph were a
    tenth of the time spent reading a page."""
    a, b, c, d, e, f = matrix
    left1, bottom1 = a * x0 + c * y0 + e, b * x0 + d * y0 + f
    right1, bottom2 = a * x1 + c * y0 + e, b * x1 + d * y0 + f
    right2, top1 = a * x1 + c * y1 + e, b * x1 + d * y1 + f
    left2, top2 = a * x0 + c * y1 + e, b * x0 + d * y1 + f
    return (min(left1, left2, right1, right2), min(bottom1, bottom2, top1, top2),
            max(left1, left2, right1, right2), max(bottom1, bottom2, top1, top2))


class _CountingDevice(PDFPageAggregator):
    """pdfminer's layout device (without pdfplumber's marked-content tags, which the reader
    does not use), stopping at the glyph and path budgets.

    Glyphs are recorded as tuples (``glyphs``), in drawing order, instead of LTChar objects
    in the layout tree: an LTChar keeps the matrix, font, colour space and graphic state and
    sets a dozen attributes, a third of the time spent drawing the text. The box is computed
    as LTChar computes it, with the same operations in the same order (same floats).
    """

    budget: Budget
    glyphs: list[Glyph]
    #: What the font says of each character code drawn on the page — its text, width,
    #: writing mode, displacement, descent, the font's name — asked once per font and code
    #: (a glyph asked it through five to ten calls each time). Each is a
    #: plain attribute or a lookup in the font's own tables, which nothing changes once the
    #: font is built.
    known: dict[tuple[Any, int], tuple[str, float, bool, Any, float, Any]]

    def render_char(self, matrix: Any, font: Any, fontsize: float, scaling: float,
                    rise: float, cid: int, ncs: Any, graphicstate: Any) -> float:
        self.budget.add_glyph()
        known = self.known.get((font, cid))
        if known is None:
            try:
                text = font.to_unichr(cid)
            except PDFUnicodeNotDefined:
                text = self.handle_undefined_char(font, cid)
            vertical = font.is_vertical()
            known = self.known[(font, cid)] = (
                text, font.char_width(cid), vertical, font.char_disp(cid) if vertical else 0,
                font.get_descent(), font.fontname)
        text, width, vertical, disp, descent, fontname = known
        adv: float = width * fontsize * scaling
        if vertical:
            vx, vy = disp
            vx = fontsize * 0.5 if vx is None else vx * fontsize * 0.001
            vy = (1000 - vy) * fontsize * 0.001
            bx0, by0, bx1, by1 = -vx, vy + rise + adv, -vx + fontsize, vy + rise
        else:
            descent = descent * fontsize
            bx0, by0, bx1, by1 = 0, descent + rise, adv, descent + rise + fontsize
        x0, y0, x1, y1 = box_of(matrix, bx0, by0, bx1, by1)
        a, b, c, d, _e, _f = matrix
        if x1 < x0:
            x0, x1 = x1, x0
        if y1 < y0:
            y0, y1 = y1, y0
        self.glyphs.append((text, fontname, x1 - x0 if vertical else y1 - y0,
                            a * d * scaling > 0 and b * c <= 0, x0, y0, x1, y1))
        return adv

    def paint_path(self, *args: Any, **kwargs: Any) -> None:
        self.budget.add_path()
        super().paint_path(*args, **kwargs)


#: Every operator of the PDF format (PDF 1.7, Annex A), as pdfminer names their methods. Those
#: pdfminer has no method for (d0 and d1, which only Type 3 glyph procedures use) it skips,
#: and so may we; any other name is no operator at all.
_SPEC_OPERATORS = frozenset("do_" + op.replace("*", "_a").replace('"', "_w").replace("'", "_q")
                            for op in """b B b* B* BDC BI BMC BT BX c cm CS cs d d0 d1 Do DP EI
    EMC ET EX f F f* G g gs h i ID j J K k l m M MP n q Q re RG rg ri s S SC sc SCN scn sh T*
    Tc Td TD Tf Tj TJ TL Tm Tr Ts Tw Tz v w W W* y ' \"""".split())


class _CountingInterpreter(PDFPageInterpreter):
    """Counts the content of each form drawn against the page's content budget (a form drawn
    a thousand times is interpreted a thousand times), and refuses the operators pdfminer
    would skip: one it does not know outside ``BX`` … ``EX``, one short of operands."""

    device: _CountingDevice
    _compatibility = 0  # depth of BX … EX sections in the content being executed

    def execute(self, streams: Any) -> None:
        """pdfminer's ``PDFPageInterpreter.execute`` (pdfminer.six 20260107), the same steps
        in the same order, with each operator's method looked up once per content instead of
        at each use (a name built with four string calls, hasattr, getattr, its code's
        argument count) and without its debug line per operator: a tenth of the time spent
        reading a page. (test_pdf_fast_paths holds the pages read to pdfplumber's own.)"""
        self._compatibility = 0
        # Circular references among content streams and forms are skipped, as pdfminer does.
        valid_streams: list[PDFStream] = []
        self.stream_ids.clear()
        for obj in streams:
            stream = stream_value(obj)
            if stream.objid is None:
                pdfinterp.log.warning(
                    "Execute called on non-indirect object (inline image?) %r", stream)
                continue
            if stream.objid in self.parent_stream_ids:
                pdfinterp.log.warning(
                    "Refusing to execute circular reference to content stream %d", stream.objid)
            else:
                valid_streams.append(stream)
                self.stream_ids.add(stream.objid)
        try:
            parser = pdfinterp.PDFContentParser(valid_streams)  # the strict one, bound
        except PSEOF:
            return  # an empty page
        methods: dict[PSKeyword, tuple[Any, int]] = {}
        nextobject = parser.nextobject
        while True:
            try:
                _, obj = nextobject()
            except PSEOF:
                break
            if not isinstance(obj, PSKeyword):
                self.argstack.append(obj)  # pdfminer's push
                continue
            found = methods.get(obj)
            if found is None:
                name = keyword_name(obj)
                method = "do_" + name.replace("*", "_a").replace('"', "_w").replace("'", "_q")
                # Only a method found is remembered: a missing one is looked up at each use,
                # as whether it is damage depends on the BX … EX depth there (__getattr__).
                if not hasattr(self, method):
                    if settings.STRICT:
                        raise PDFInterpreterError(f"Unknown operator: {name!r}")
                    continue
                func = getattr(self, method)
                found = methods[obj] = (func, func.__code__.co_argcount - 1)
            func, nargs = found
            if nargs:
                args = self.pop(nargs)
                if len(args) == nargs:
                    func(*args)
            else:
                func()

    def do_BX(self) -> None:
        self._compatibility += 1

    def do_EX(self) -> None:
        self._compatibility = max(0, self._compatibility - 1)

    def __getattr__(self, name: str) -> Any:
        # pdfminer's execute loop looks each operator up as ``do_<op>`` with hasattr() and
        # skips what is missing; only a missing attribute reaches __getattr__.
        if name.startswith("do_") and not self._compatibility and name not in _SPEC_OPERATORS:
            op = name[3:].replace("_a", "*").replace("_w", '"').replace("_q", "'")
            raise _BadContent(f"an unknown operator {_shown(op)}")
        raise AttributeError(name)

    def pop(self, n: int) -> list[Any]:
        # pdfminer pops an operator's operands, and skips the operator when there are fewer.
        if len(self.argstack) < n and not self._compatibility:
            raise _BadContent(f"an operator with {len(self.argstack)} of its {n} operands")
        return super().pop(n)

    def do_Do(self, xobjid_arg: Any) -> None:
        xobj = resolve1(self.xobjmap.get(literal_name(xobjid_arg)))
        if isinstance(xobj, PDFStream) and getattr(xobj.get("Subtype"), "name", "") == "Form":
            self.device.budget.add_form(len(xobj.get_data()))
        super().do_Do(xobjid_arg)


class _BoundedPage(Page):
    """A pdfplumber page whose layout is computed within the budget."""

    budget: Budget
    glyphs: list[Glyph]  # the device's, once the layout is computed

    @property
    def layout(self) -> Any:
        if hasattr(self, "_layout"):
            return self._layout
        device = _CountingDevice(self.pdf.rsrcmgr, pageno=self.page_number,
                                 laparams=self.pdf.laparams)
        device.budget = self.budget
        device.glyphs = self.glyphs = []
        device.known = {}
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
    except (_Damage, PdfminerException) as exc:
        cause = _unwrap(exc)
        if not isinstance(cause, _Damage):
            raise
        where = budget.where() if budget.page is not None else "the PDF"
        raise PdfDamagedError(budget.source, cause.describe(where)) from None


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
        """The pages one by one, as they are asked for: the reader stops asking at the end
        of the table, so a file may have more pages than the limit, which counts the pages
        read (the page count the file declares is not to be trusted either way)."""
        budget = self.budget
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
                                       f"{budget.limits.pages:,} pages read from a file")
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
            objects = _page_objects(page, number)
            page.close()  # drop the layout: one page's objects in memory at a time
        return objects


def _page_objects(page: _BoundedPage, number: int) -> PageObjects:
    """The page's characters and paths as the dicts pdfplumber's ``page.chars`` (``lines``,
    ``rects``, ``curves``) give, with only the keys the reader uses, in the same coordinates.

    pdfplumber's own ``Page.process_object`` copies every attribute of every layout object
    (colours, matrices, the path's points) through ``resolve_all``: two fifths of the time
    spent reading a page, for values the reader never looks at.
    """
    mb_x0, mb_top = page.mediabox[:2]
    height = page.height
    found: dict[str, list[dict[str, Any]]] = {"char": [], "line": [], "rect": [], "curve": []}
    images = 0
    todo: list[Iterator[LTItem]] = [iter(page.layout)]
    for text, fontname, size, upright, x0, y0, x1, y1 in page.glyphs:
        if isinstance(fontname, bytes):  # a GBK name (宋体) pdfplumber maps as it does
            fontname = fix_fontname_bytes(fontname)
        found["char"].append({
            "text": text, "fontname": fontname, "size": size, "upright": upright,
            "x0": x0 + mb_x0, "x1": x1 + mb_x0,
            "top": (height - y1) + mb_top, "bottom": (height - y0) + mb_top})
    while todo:  # figures (forms) hold their objects; without laparams they are not objects
        obj = next(todo[-1], None)
        if obj is None:
            todo.pop()
        elif isinstance(obj, LTContainer):
            todo.append(iter(obj))
        elif isinstance(obj, LTCurve):  # LTLine and LTRect are curves too
            kind = type(obj).__name__[2:].lower()
            found.setdefault(kind, []).append({
                "object_type": kind, "stroke": obj.stroke,
                "x0": obj.x0 + mb_x0, "x1": obj.x1 + mb_x0,
                "top": (height - obj.y1) + mb_top, "bottom": (height - obj.y0) + mb_top})
        elif isinstance(obj, LTImage):
            images += 1
    return PageObjects(number, float(page.width), float(height), found["char"], found["line"],
                       found["rect"], found["curve"], images)


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
