"""Rows page by page: page breaks in the markup, and page heads and feet kept as rows.

HTML has no pages of its own: ``page`` starts at 1 where the table starts and counts the
breaks the markup shows (Word's ``page-break-before:always`` on a row, a paragraph or a
``<br>``), the page-number rows a converter kept inside a table, and the step from one page
table to the next. ``row`` is the 1-based ``<tr>`` index in the task table.
"""
from __future__ import annotations

from collections.abc import Iterator

from bs4 import Tag
from bs4.element import NavigableString

from pipeline.grammar import (
    PAGE_NUMBER_CHARS as _PAGE_NUMBER,
    TITLE_WORD,
    Layout,
    normalize_ws,
)
from pipeline.models import RawCell, RawRow
from pipeline.read.html.continuation import Part
from pipeline.read.html.grid import (
    header_columns,
    header_row,
    header_slots,
    logical_cells,
    own_rows,
    sub_header_texts,
    text_columns,
)
from pipeline.read.html.settings import SETTINGS
from pipeline.read.html.text import DIGITS, PAGE_BREAK, SENTENCE_END, following, style_of


def break_marks(table: Tag) -> tuple[set[int], set[int]]:
    """ids of the rows that open with a page break, and of those that close with one.

    Word marks a break on the row (``<tr style='page-break-before:always'>``) or on the
    first paragraph or ``<br>`` of its cells.
    """
    before: set[int] = set()
    after: set[int] = set()
    for tr in own_rows(table):
        for m in PAGE_BREAK.finditer(style_of(tr)):
            (before if m.group(1).lower() == "before" else after).add(id(tr))
        seen_text = False
        for node in tr.descendants:
            if isinstance(node, NavigableString):
                seen_text = seen_text or (type(node) is NavigableString and bool(node.strip()))
            elif (isinstance(node, Tag) and not seen_text
                  and (mark := PAGE_BREAK.search(style_of(node)))
                  and "before" in mark.group(1).lower()):
                before.add(id(tr))
    return before, after


def breaks_between(first: Tag, second: Tag) -> int:
    """Page-break marks in the markup after table ``first`` and before table ``second``."""
    count = 0
    for el in following(first, second):
        if isinstance(el, Tag):
            count += len(PAGE_BREAK.findall(style_of(el)))
    return count


def raw_rows(parts: list[Part], layout: Layout) -> Iterator[RawRow]:
    """Raw rows of the task table after its header row, page by page, one cell per column of
    ``layout`` (the first table's header)."""
    page, number = 1, 0
    previous: Tag | None = None
    paged = False  # the last row read was a page-number row (it counted the page already)
    columns_n = len(layout)
    by_header = header_columns(header_slots(parts[0].g, parts[0].header_at), columns_n)
    sub_header = sub_header_texts(parts[0].g, parts[0].header_at)
    width = parts[0].g.width
    # A converter lays every page out on the same grid: a page table with too few filled
    # columns to tell (a single cut row) borrows the mapping of another table of its width.
    by_width: dict[int, dict[int, int]] = {}
    for part in parts[1:]:
        mapping = text_columns(part.g, columns_n)
        if mapping is not None:
            by_width.setdefault(part.g.width, mapping)
    for part in parts:
        g, header_at = part.g, part.header_at
        if previous is not None:
            page += max(0 if part.same_page or paged else 1, breaks_between(previous, g.table))
        for heading in part.sections:
            # A heading above the table stands where a merged section row would.
            yield RawRow(cells=(RawCell((heading,), bold=True),
                                *(RawCell() for _ in range(columns_n - 1))),
                         page=page, row=number + header_at + 2)
        head = header_row(g) if header_at < 0 else header_at
        if head is not None:
            by_header, width = header_columns(header_slots(g, head), columns_n), g.width
        columns = by_header
        if head is None and g.width != width:
            columns = text_columns(g, columns_n) or by_width.get(g.width) or by_header
        before, after = break_marks(g.table)
        number += header_at + 1  # rows above the header are counted, not read
        for tr, slots in zip(g.rows[header_at + 1:], g.slots[header_at + 1:]):
            number += 1
            if id(tr) in before:
                page += 1
            cells = logical_cells(slots, columns, layout)
            if sub_header and cells is not None and \
                    [t for t in (normalize_ws(c.text) for c in cells) if t] == sub_header:
                cells = None  # the lower row of a two-row header, repeated on a new page
            running = running_row(cells) if cells is not None else None
            if running == "page number":
                page += 1  # a page's foot kept as a row: the next row is on a new page
                paged = True
            elif cells is not None and running is None:
                yield RawRow(cells=cells, page=page, row=number)
                paged = False
            if id(tr) in after:
                page += 1
        previous = g.table


def running_row(cells: tuple[RawCell, ...]) -> str | None:
    """``page number`` or ``running head`` for a row that is a PDF page's foot or head carried
    into the table by a converter (- 3 -, 第3页, the list's title alone); None for data."""
    texts = [normalize_ws("".join(c.paragraphs)) for c in cells]
    filled = [t for t in texts if t]
    if len(filled) != 1:
        return None
    text = filled[0]
    if _PAGE_NUMBER.match(text) and DIGITS.search(text):
        return "page number"
    if TITLE_WORD in text and len(text) <= SETTINGS.running_line and not SENTENCE_END.search(text):
        return "running head"
    return None
