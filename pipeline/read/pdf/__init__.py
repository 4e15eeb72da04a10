"""Reader for the published PDF (pdfplumber): the task table's rows, page by page.

A recipe of small steps, each a module of this package:

1. ``load``: open the file (the only module calling pdfplumber/pdfminer), within ``Limits``;
   pages are read one at a time as the steps below ask for them, each let go once its rows
   are taken, and none after the table's end.
2. ``glyphs``: each page's characters and its ruling lines (lines, outlined rectangles, or thin
   filled paths as browsers draw borders).
3. ``columns``: the header row (any the grammar's matcher reads as a task table's: 重点任务 ·
   工作举措 · 任务分工, 序号 · 重点任务 · 具体措施 · 牵头单位 · 完成时限 …), its layout, and the column
   boundaries — the vertical rules at the header, else the gutters between the header words.
4. ``bands``: each row's top and bottom — ``ruled`` from horizontal rules that span the table
   and cross its first column, ``unruled`` from the first column's text blocks, their edges in
   the widest gaps between lines (cells may be top-aligned or centred).
5. ``cells``: a band's characters split at the column boundaries present in it (a merged
   section cell has none), grouped into lines.
6. ``paragraphs``: a cell's lines joined; a new paragraph starts after a larger line gap, at a
   first-line indent, or after a line that ended although the next one's first word would have
   fitted on it.
7. ``title``: the block nearest above the table naming the 任务清单, else the nearest
   prominent one.

Text outside the table — the 附件 line, a letterhead, a notice around it, page numbers, a web
page's footer — is ignored. Rows are yielded per page, header rows dropped; joining rows cut
by page breaks is stitch's job, except for a section row cut in two, which stitch cannot tell
from a task title's tail. Every tolerance is a named field of ``settings.Settings``.

``inspect_pdf`` returns every step's result per page (``PdfReading``), which
``python -m pipeline debug`` draws over the pages.
"""
from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline import progress
from pipeline.errors import NoTaskTableError, PdfDamagedError, PdfNoTextError
from pipeline.grammar import HEADER, STANDARD_LAYOUT, match_header
from pipeline.models import BBox, RawTable
from pipeline.read.pdf.bands import Band, is_ruled
from pipeline.read.pdf.cells import (
    RowLines,
    join_cut_section_rows,
    page_rows,
    raw_row,
    row_is_empty,
)
from pipeline.read.pdf.columns import Columns, find_header, page_columns, page_header
from pipeline.read.pdf.glyphs import PageGlyphs, Seg, check_unicode, page_glyphs
from pipeline.read.pdf.limits import LIMITS, Limits
from pipeline.read.pdf.lines import visual_lines
from pipeline.read.pdf.load import OpenedPdf, open_pdf
from pipeline.read.pdf.paragraphs import build_paragraphs
from pipeline.read.pdf.settings import SETTINGS, Settings
from pipeline.read.pdf.title import find_title, head_lines


@dataclass(frozen=True)
class PageReading:
    """What each step found on one page of the table (for inspection and the debug view)."""

    number: int
    width: float
    height: float
    hsegs: tuple[Seg, ...]  # the ruling lines the page has
    vsegs: tuple[Seg, ...]
    columns: tuple[float, ...]  # the column boundaries (x), one more than the columns
    ruled: bool  # which row-band strategy the page took
    bands: tuple[Band, ...]  # (top, bottom) of each row band
    rows: tuple[RowLines, ...]  # the rows read from the bands: cells with their lines
    header: tuple[BBox, ...] = ()  # the header words' boxes, where the page shows the header

    @property
    def cells(self) -> tuple[BBox, ...]:
        return tuple(c.bbox for r in self.rows for c in r.cells if c.bbox is not None)


@dataclass(frozen=True)
class PdfReading:
    """The raw table and the intermediate results it was read from."""

    table: RawTable
    pages: tuple[PageReading, ...]
    settings: Settings


def read_pdf(data: bytes, source: str, limits: Limits = LIMITS,
             settings: Settings = SETTINGS) -> RawTable:
    """Parse a PDF's bytes into the raw table, refusing a file over one of the ``limits``."""
    return inspect_pdf(data, source, limits, settings).table


def inspect_pdf(data: bytes, source: str, limits: Limits = LIMITS,
                settings: Settings = SETTINGS) -> PdfReading:
    """Read the PDF step by step, keeping each page's columns, bands and cells.

    Pages are read one at a time and let go once their rows are taken (only the rows stay),
    and reading stops where the table ends: at a page without rules after a ruled table, or
    at text (or another table) under the table's last row on a page (``page_rows``). Text
    after the table is no part of the list, so the pages after it are never parsed: damage
    there, or a page over one of the limits, is not looked for, as it cannot change the list.
    """
    st = settings
    _check_complete(data, source)
    notes: list[str] = []
    with open_pdf(data, source, limits) as pdf:
        if pdf.encrypted:
            notes.append(f"{source}: the PDF is encrypted with an owner password only "
                         "(copy/print restrictions); its text was read without one")
        pages = _Pages(pdf, source, st)
        first, prev, head_before = _header_page(pages, source, st)
        # The columns come from the header page and the text of the two pages after it.
        _, columns = find_header([first, *pages.ahead(2)], source, st)
        header_top = min(w[1] for w in columns.header_words)
        head = head_before + head_lines([*([prev] if prev is not None else []), first],
                                        header_top, st)
        title = find_title(first, header_top, st)
        if title is None and prev is not None:  # the title page ends just before the table
            title = find_title(prev, prev.height, st)
        pages.put_back(first)
        start = first.number
        del first, prev  # let the pages go as the table is read
        rows, readings, scanned = _table_rows(pages, start, columns, st)
        radicals = pages.radicals
    if radicals:
        notes.append(f"{source}: {radicals} radical or variant characters sharing an ideograph's "
                     "glyph (e.g. ⽤, ⺠) read as the ideographs they stand for (用, 民)")
    if rows and scanned and scanned[0] < rows[-1].page:
        # A scanned page inside the table would silently drop its rows.
        raise PdfNoTextError(source, f"page {scanned[0]} is an image without a text layer, "
                                     "inside the table")
    build_paragraphs(rows, st)
    # The header repeated on later pages is any row the matcher reads as a header.
    raw_rows = join_cut_section_rows([r for r in map(raw_row, rows) if match_header(
        [c.text for c in r.cells]) is None and not row_is_empty(r)])
    if not raw_rows:
        raise NoTaskTableError(source, "the table under the header has no rows")
    layout = columns.layout or STANDARD_LAYOUT
    table = RawTable(source=source, fmt="pdf", title=title, rows=raw_rows,
                     notes=(*notes, *layout.notes()), head=head, layout=layout)
    return PdfReading(table, tuple(readings), st)


class _Pages:
    """The PDF's pages as the reader's ``PageGlyphs``, read one at a time as they are asked
    for, each checked for text without a Unicode mapping as it is read. Pages read ahead or
    put back come first. Nothing here keeps a page once it has been handed out."""

    def __init__(self, pdf: OpenedPdf, source: str, st: Settings) -> None:
        self._objects = progress.steps(pdf.pages(), pdf.declared_pages())
        self._source, self._st = source, st
        self._pending: deque[PageGlyphs] = deque()
        self.read = 0  # pages read so far
        self.radicals = 0  # Kangxi radicals on them read as the ideographs
        self.any_text = False

    def __iter__(self) -> Iterator[PageGlyphs]:
        return iter(self.next, None)

    def next(self) -> PageGlyphs | None:
        return self._pending.popleft() if self._pending else self._read()

    def ahead(self, n: int) -> list[PageGlyphs]:
        """The next ``n`` pages (fewer at the end of the file), read but still to come."""
        while len(self._pending) < n and (page := self._read()) is not None:
            self._pending.append(page)
        return list(self._pending)[:n]

    def put_back(self, page: PageGlyphs) -> None:
        self._pending.appendleft(page)

    def _read(self) -> PageGlyphs | None:
        objects = next(self._objects, None)
        if objects is None:
            return None
        page = page_glyphs(objects, self._st)
        self.read += 1
        self.radicals += page.radicals
        self.any_text = self.any_text or any(c.text.strip() for c in page.chars)
        check_unicode(page, self._source)
        return page


def _header_page(pages: _Pages, source: str,
                 st: Settings) -> tuple[PageGlyphs, PageGlyphs | None, tuple[str, ...]]:
    """The first page showing the header row, the page before it (where the title may
    stand), and the text lines of the pages before that (the document's head)."""
    head: list[str] = []
    prev: PageGlyphs | None = None
    for page in pages:
        if page_header(page, st):
            return page, prev, tuple(head)
        if prev is not None:
            head.extend(line.text for line in visual_lines(prev.chars, st))
        prev = page
    if not pages.read:
        raise PdfDamagedError(source, "the PDF has no pages")
    if not pages.any_text:
        raise PdfNoTextError(source, f"none of its {pages.read} pages has any text")
    raise NoTaskTableError(source, f"no table header row ({' / '.join(HEADER)}) found on any page")


def _table_rows(pages: _Pages, start: int, columns: Columns,
                st: Settings) -> tuple[list[RowLines], list[PageReading], list[int]]:
    """The table's rows page by page from its first page (``start``) to its end; the steps'
    results per page; the pages without text (scans) on the way."""
    rows: list[RowLines] = []
    readings: list[PageReading] = []
    scanned: list[int] = []
    table_ruled: bool | None = None
    for page in pages:
        if not any(c.text.strip() for c in page.chars):
            if page.has_images:
                scanned.append(page.number)
            continue
        columns = page_columns(page, columns, st)
        ruled = is_ruled(page, columns, st)
        if table_ruled is None:
            table_ruled = ruled
        elif table_ruled and not ruled:
            break  # a ruled table has ended: text after it (附件下载：, a web page's footer)
        bands, found, ended = page_rows(page, columns, st, first=page.number == start)
        rows.extend(found)
        header = page.header if isinstance(page.header, list) else []
        readings.append(PageReading(page.number, page.width, page.height, tuple(page.hsegs),
                                    tuple(page.vsegs), tuple(columns.bounds), ruled,
                                    tuple(bands), tuple(found), tuple(header)))
        if ended:
            break  # text under the table: the list is over
    return rows, readings, scanned


def _check_complete(data: bytes, source: str) -> None:
    """Refuse a truncated file: pdfminer would silently recover part of it."""
    # Padding after %%EOF (NULs from a download tool, blank lines) is harmless: readers skip it.
    tail = data.rstrip(b"\x00 \t\r\n\f")[-2048:]
    if b"%%EOF" not in tail:
        raise PdfDamagedError(source, "the PDF is truncated (no %%EOF marker at its end)")
    found = re.findall(rb"startxref\s+(\d+)", tail)
    if not found:
        raise PdfDamagedError(source, "the PDF has no startxref pointer to its "
                                      "cross-reference table")
    offset = int(found[-1])
    # A few bytes of slack: some producers miscount line ends, and pdfminer copes with that.
    near = data[max(offset - 8, 0):offset + 40]
    if offset >= len(data) or not re.search(rb"(^|\s)(xref|\d+\s+\d+\s+obj)\b", near):
        raise PdfDamagedError(source, f"the PDF's cross-reference offset {offset} does not point "
                                      "at a cross-reference table")


__all__ = ["Limits", "PageReading", "PdfReading", "Settings", "inspect_pdf", "read_pdf"]
