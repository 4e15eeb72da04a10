"""Reader for the HTML page (beautifulsoup4 + lxml): Word-, WPS- or converter-made tables.

The steps, one module each, in the order :func:`read_html` runs them:

- :mod:`~pipeline.read.decode` (shared with the dump reader): bytes to text, strictly — BOM,
  the declared charset (gb2312/gbk labels read as GB18030), UTF-8, GB18030, with a note.
- :mod:`.checks`: the page's size against :mod:`.settings` before parsing, and after it the
  signs of damaged markup (an unclosed comment, an attribute that swallowed rows, a damaged
  task number, numbered task cells the parsed table lacks).
- :mod:`.grid`: each table laid out on its grid (rowspan, colspan); the task table is the
  first holding a header row among its own rows — one the grammar's matcher reads as a task
  table's columns (重点任务 / 工作举措 / 任务分工, 序号 / 重点任务 / 具体措施 / 牵头单位 / 完成时限, …),
  which gives the table's layout — so the innermost one when layout tables nest it; notice,
  layout and download tables are not data.
  :func:`.grid.grid_text` prints a table's grid for people (``python -m pipeline debug``).
- :mod:`.continuation`: later tables that carry the list on (one a page or one a section,
  a section heading set as text above a table read as a section row).
- :mod:`.pages`: the rows, one cell per column of the layout, page by page (page breaks in the markup, page
  numbers and running heads a converter kept as rows).
- :mod:`.text`: a cell's paragraphs as a browser renders them.
- :mod:`.title`: the list's title and the document's head above the table.

Joining rows cut by page breaks is left to stitch, exactly as for the dump.
"""
from __future__ import annotations

import warnings
from typing import NoReturn

from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from pipeline.errors import MalformedTableError, NoTaskTableError, TableRolesError
from pipeline.grammar import (
    HEADER,
    MAX_COLUMNS,
    MIN_COLUMNS,
    header_role,
    normalize_ws,
    read_header,
)
from pipeline.models import RawTable
from pipeline.read.decode import decode_html, drop_controls
from pipeline.read.html.checks import (
    check_accounted,
    check_budget,
    check_markup,
    check_rows_hold_their_text,
    check_task_numbers,
)
from pipeline.read.html.continuation import Part, continuing_tables, is_section_line
from pipeline.read.html.grid import Grid, grid, grid_text, header_layout, row_texts
from pipeline.read.html.pages import raw_rows
from pipeline.read.html.settings import SETTINGS, HtmlSettings
from pipeline.read.html.text import collapse_ws, paragraphs, reading_page, tags_in
from pipeline.read.html.title import find_title, lines_before
from pipeline.read.libraries import library_call, one_line


def read_html(data: bytes, source: str) -> RawTable:
    """Parse an HTML page's bytes into the raw table (see the module docstring)."""
    with reading_page():
        return _read_html(data, source)


def _read_html(data: bytes, source: str) -> RawTable:
    text, notes = decode_html(data, source)
    text, dropped = drop_controls(text, source)
    notes += dropped
    check_budget(text, source)

    def rejected(library: str, exc: BaseException) -> MalformedTableError:
        return MalformedTableError(source, f"the HTML parser rejected the page ({one_line(exc)})")

    with library_call(rejected), warnings.catch_warnings():
        # XHTML exports (LibreOffice, WPS) are read as HTML on purpose: lxml's HTML parser
        # forgives what their XML would not.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "lxml")
    check_markup(soup, text, source)
    found = [(t, g, h) for t in tags_in(soup, "table")
             for g in [grid(t)] for h in [header_layout(g)] if h is not None]
    if not found:
        _no_task_table(soup, source)
    # A navigation bar's cells may name columns too (首页 / 重点任务 / 工作举措): the task table
    # is the first with rows of text under its header.
    table, g, (header_at, layout) = next(
        (f for f in found if any(any(row_texts(slots)) for slots in f[1].slots[f[2][0] + 1:])),
        found[0])
    before = lines_before(soup, table)[:1]
    parts = [Part(g, header_at, tuple(line for line in before if is_section_line(line)), False)]
    parts += continuing_tables(soup, table, g, parts[0].sections)
    check_rows_hold_their_text((tr for part in parts for tr in part.g.rows), source)
    rows = tuple(raw_rows(parts, layout))
    check_task_numbers(rows, layout, source)
    check_accounted(text, rows, layout, source)
    if len(parts) > 1:
        notes += (f"{source}: the task table is split over {len(parts)} HTML tables; "
                  "read them as one",)
    title = find_title(soup, table, g, header_at)
    head = tuple(lines_before(soup, table, limit=SETTINGS.head_blocks)[::-1])
    return RawTable(source=source, fmt="html", title=title, rows=rows,
                    notes=(*notes, *layout.notes()), head=head, layout=layout)


def _no_task_table(soup: BeautifulSoup, source: str) -> NoReturn:
    """Say why no table of the page is a task table.

    A table row that reads as a header lacking the roles a task table needs is named with its
    cells and the roles missing. Only when the header words stand in the page's text but in
    no table at all is the page a PDF converted to positioned text.
    """
    tables = tags_in(soup, "table")
    for t in tables:
        g: Grid = grid(t)
        for i, slots in enumerate(g.slots[:SETTINGS.header_rows]):
            cells = row_texts(slots)
            while cells and not cells[-1]:
                cells.pop()
            where = f"row {i + 1} of table {tables.index(t) + 1}"
            reading = read_header(cells)
            if reading is not None and reading.missing:
                raise TableRolesError.of(source, where, cells, reading.missing)
            if len(cells) > MAX_COLUMNS and sum(header_role(c) is not None for c in cells) >= 3:
                raise NoTaskTableError(
                    source, f"{where} looks like the table header ({' / '.join(cells)}) but has "
                    f"{len(cells)} columns; a task table has {MIN_COLUMNS} to {MAX_COLUMNS}",
                    "merge or drop the extra columns, or give another rendering of the list")
    count = len(tables)
    words = normalize_ws("".join(paragraphs(soup.body or soup))).replace(" ", "")
    in_tables = normalize_ws("".join(t.get_text() for t in tables)).replace(" ", "")
    if all(word in words for word in HEADER) and not all(word in in_tables for word in HEADER):
        # pdftohtml, pdf2htmlEX or an office suite's PDF import: positioned text lines.
        raise NoTaskTableError(
            source, f"the header words {' / '.join(HEADER)} are in the page's text but "
            + (f"in none of its {count} tables" if count else "the page has no table")
            + " (a PDF converted to positioned text keeps none)",
            "give the PDF itself, or an HTML page of the list that holds it as a table")
    raise NoTaskTableError(source, f"none of the page's {count} tables has the header row"
                           if count else "the page has no table (is the list only a linked "
                           "attachment?)")


def table_grids(data: bytes, source: str) -> str:
    """Every table of the page laid out on its grid, as text (see :func:`.grid.grid_text`)."""
    text, _ = decode_html(data, source)
    text, _ = drop_controls(text, source)
    check_budget(text, source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "lxml")
    tables: list[Tag] = tags_in(soup, "table")
    return "".join(f"{source}: table {i + 1} of {len(tables)}, " + grid_text(t)
                   for i, t in enumerate(tables))


__all__ = ["SETTINGS", "HtmlSettings", "collapse_ws", "decode_html", "grid_text", "paragraphs",
           "read_html", "table_grids"]
