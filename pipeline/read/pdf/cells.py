"""Cells: a row band's glyphs split at the inner column boundaries, into lines; the raw rows,
one cell per column of the header's layout."""
from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from itertools import pairwise

from pipeline.grammar import (
    PAGE_NUMBER as _PAGE_NUMBER,
    ROW_OPENER as _ROW_OPENER,
    SECTION_OPENER as _SECTION_OPENER,
    normalize_ws,
)
from pipeline.models import BBox, RawCell, RawRow
from pipeline.read.pdf.bands import Band, row_bands
from pipeline.read.pdf.columns import Columns, header_top_of
from pipeline.read.pdf.glyphs import Char, PageGlyphs
from pipeline.read.pdf.lines import Line, body_size, visual_lines
from pipeline.read.pdf.settings import Settings


@dataclass
class CellLines:
    """A cell's text lines before paragraphs are built, with the text area's edges."""

    lines: list[Line]
    left: float  # the column's boundary lines
    right: float
    column: int
    bbox: BBox | None = None
    paragraphs: tuple[str, ...] = ()


@dataclass
class RowLines:
    page: int
    row: int
    cells: list[CellLines]
    bbox: BBox


def page_rows(page: PageGlyphs, columns: Columns, st: Settings,
              first: bool = False) -> tuple[list[Band], list[RowLines], bool]:
    """The row bands on one page, the table rows read from them (each cell's characters
    grouped into lines), and whether the table ends on this page (text under it, or another
    table, stands below its last row)."""
    size = body_size(page, st)
    left, right = columns.bounds[0], columns.bounds[-1]
    bands = row_bands(page, columns, size, st)
    header_top = header_top_of(page, st) if first else None
    # On the table's first page, a rule above it (under a letterhead) bounds no row; on later
    # pages a header row may stand below rows (LibreOffice's HTML import puts it mid-page).
    if header_top is not None:
        bands = [(t, b) for t, b in bands if b > header_top + st.below_header * size]
    margin = st.table_margin * size
    table_chars = [c for c in page.chars if left - margin < c.xmid < right + margin]
    # A page number under (or over) the text would join the nearest row of a table whose
    # rows have no rules to stop them.
    edge_lines = visual_lines((c for c in table_chars if c.text.strip()), st)
    for line in (edge_lines[:1] + edge_lines[-1:]) if len(edge_lines) > 1 else []:
        if _PAGE_NUMBER.match(line.text):
            drop = set(map(id, line.chars))
            table_chars = [c for c in table_chars if id(c) not in drop]
    rows: list[RowLines] = []
    for top, bottom in bands:
        in_band = [c for c in table_chars if top < c.ymid < bottom]
        text = "".join(c.text for c in in_band).strip()
        if not text or _PAGE_NUMBER.match(text):
            continue
        if other_table(page, columns, top, bottom, size, st):
            return bands, rows, True
        row = row_cells(page, columns, len(rows) + 1, (top, bottom), in_band, size, st)
        if rows and after_table(row, columns, st):
            return bands, rows, True
        rows.append(row)
    return bands, rows, False


def other_table(page: PageGlyphs, columns: Columns, top: float, bottom: float,
                size: float, st: Settings) -> bool:
    """True for a band on a page with column rules that is not a row of this table: no rule
    runs down the table's edges through it (text between two tables), or a rule runs down it
    where this table has no column boundary (a second table, such as a 附件下载 list)."""
    snap = st.rule_snap * size
    if not any(abs(s.pos - x) < snap for s in page.vsegs for x in columns.bounds):
        return False
    mid = (top + bottom) / 2
    crossing = [s.pos for s in page.vsegs if s.start < mid < s.end]
    edges = [x for x in (columns.bounds[0], columns.bounds[-1])
             if any(abs(pos - x) < snap for pos in crossing)]
    stray = [pos for pos in crossing if min(abs(pos - x) for x in columns.bounds) > snap]
    return not edges or bool(stray)


def after_table(row: RowLines, columns: Columns, st: Settings) -> bool:
    """True for text under the table that a table without rules seems to hold: a line across
    the columns (发布日期：…, a signature) that is no section title.

    Only section titles run across the columns of this table; the first row of a page is
    exempt, as it may be the tail of a section title cut by the page break.
    """
    lines = [line for cell in row.cells for line in cell.lines]
    first = next((line.text for line in lines if line.text.strip()), "")
    if not first or _SECTION_OPENER.match(first):
        return False
    x = columns.bounds[1]
    joined = visual_lines((c for line in lines for c in line.chars), st)
    across = [runs_across(line, x, st) for line in joined
              if line.chars[0].xmid < x < line.chars[-1].xmid]
    return bool(across) and 2 * sum(across) > len(across)


def row_cells(page: PageGlyphs, columns: Columns, number: int, band: Band,
              chars: list[Char], size: float, st: Settings) -> RowLines:
    """One row: characters split into cells at the inner column rules present in this row."""
    top, bottom = band
    b = columns.bounds
    cuts = [b[0]]
    lines = visual_lines(chars, st) if not page.vsegs else []
    section = bool(lines) and bool(_SECTION_OPENER.match(
        next((line.text for line in lines if line.text.strip()), "")))
    for x in b[1:-1]:
        # A merged (section) cell has no rule at the inner boundary inside its row; on a page
        # without vertical rules, its text runs across the boundary without a gap.
        if page.vsegs:
            inner = (top + st.inner_rule_share * (bottom - top),
                     bottom - st.inner_rule_share * (bottom - top))
            if any(abs(s.pos - x) < st.rule_snap * size and s.start < inner[1]
                   and s.end > inner[0]
                   for s in page.vsegs):
                cuts.append(x)
        else:
            # Only a section title runs across the columns (a merged cell), and then most of
            # its lines do; in a row of separate cells, a hanging closing quote may touch the
            # next column on one line, and a browser may leave no gap between columns at all.
            across = [runs_across(line, x, st) for line in lines
                      if line.chars[0].xmid < x < line.chars[-1].xmid]
            if not (section and across and 2 * sum(across) > len(across) - 1):
                cuts.append(x)
    cuts.append(b[-1])
    cells = [CellLines([], b[k], b[k + 1], k) for k in range(len(b) - 1)]
    spans = list(pairwise(cuts))
    by_span: dict[int, list[Char]] = defaultdict(list)
    for c in chars:
        k = next((i for i, (lo, hi) in enumerate(spans) if c.xmid < hi), len(spans) - 1)
        by_span[k].append(c)
    for k, (lo, hi) in enumerate(spans):
        col = b.index(lo) if lo in b else 0
        cell = cells[col]
        cell.left, cell.right = lo, hi
        cell.lines = [line for line in visual_lines(by_span[k], st) if line.text.strip()]
        cell.bbox = (lo, top, hi, bottom)
    return RowLines(page.number, number, cells, (b[0], top, b[-1], bottom))


def runs_across(line: Line, x: float, st: Settings) -> bool:
    """True when the line's text continues over ``x`` with no column gap.

    Browsers leave as little as a pixel or two of padding between columns, so the gap at
    ``x`` counts when it is wider than the line's usual spacing between characters.
    """
    pairs = list(zip(line.chars, line.chars[1:]))
    for a, b in pairs:
        if a.xmid < x <= b.xmid:
            size = max(a.size, b.size)
            usual = statistics.median(max(d.x0 - c.x1, 0.0) for c, d in pairs)
            return b.x0 - a.x1 < min(st.across_gap * size, usual + st.across_slack * size)
    return False


def raw_row(row: RowLines) -> RawRow:
    cells = tuple(
        RawCell(paragraphs=tuple(normalize_ws(p) for p in cell.paragraphs if p.strip()),
                bold=is_bold(cell), bbox=cell.bbox)
        for cell in row.cells
    )
    return RawRow(cells=cells, page=row.page, row=row.row, bbox=row.bbox)


def join_cut_section_rows(rows: list[RawRow]) -> tuple[RawRow, ...]:
    """A section row cut by a page break as one row.

    Stitch joins rows cut by page breaks onto the last *task*; a section title wrapped over a
    page break (its tail alone at the top of the next page) would end up in a task title. The
    tail is the next page's first row, with text in its first cell only and no number.
    """
    out: list[RawRow] = []
    for row in rows:
        prev = out[-1] if out else None
        if (prev is not None and row.page == prev.page + 1 and first_cell_only(prev)
                and _SECTION_OPENER.match(prev.cells[0].text) and first_cell_only(row)
                and not _ROW_OPENER.match(row.cells[0].text)):
            head = prev.cells[0]
            cell = RawCell(head.paragraphs + row.cells[0].paragraphs, head.bold, head.bbox)
            out[-1] = RawRow((cell, *prev.cells[1:]), prev.page, prev.row, prev.bbox)
            continue
        out.append(row)
    return tuple(out)


def first_cell_only(row: RawRow) -> bool:
    return not row.cells[0].is_empty and all(c.is_empty for c in row.cells[1:])


def is_bold(cell: CellLines) -> bool:
    chars = [c for line in cell.lines for c in line.chars if c.text.strip()]
    return bool(chars) and sum(c.bold for c in chars) > len(chars) / 2


def row_is_empty(row: RawRow) -> bool:
    return all(c.is_empty for c in row.cells)
