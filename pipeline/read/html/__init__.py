"""Reader for the HTML page (beautifulsoup4 + lxml): Word-, WPS- or converter-made tables.

The steps, one module each, in the order :func:`read_html` runs them:

- :mod:`~pipeline.read.decode` (shared with the dump reader): bytes to text, strictly — BOM,
  the declared charset (gb2312/gbk labels read as GB18030), UTF-8, GB18030, with a note.
- :mod:`.checks`: the page's size against :mod:`.settings` before parsing, and after it the
  signs of damaged markup (an unclosed comment, an attribute that swallowed rows, a damaged
  task number, numbered task cells the parsed table lacks).
- :mod:`.grid`: each table laid out on its grid (rowspan, colspan); the task table is the
  first holding the header row 重点任务 / 工作举措 / 任务分工 among its own rows (so the innermost
  one when layout tables nest it); notice, layout and download tables are not data.
  :func:`.grid.grid_text` prints a table's grid for people (``python -m pipeline debug``).
- :mod:`.continuation`: later tables that carry the list on (one a page or one a section,
  a section heading set as text above a table read as a section row).
- :mod:`.pages`: the rows, three cells each, page by page (page breaks in the markup, page
  numbers and running heads a converter kept as rows).
- :mod:`.text`: a cell's paragraphs as a browser renders them.
- :mod:`.title`: the list's title and the document's head above the table.

Joining rows cut by page breaks is left to stitch, exactly as for the dump.
"""
from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from pipeline.errors import MalformedTableError, NoTaskTableError
from pipeline.grammar import HEADER, normalize_ws
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
from pipeline.read.html.grid import grid, grid_text, header_row
from pipeline.read.html.pages import raw_rows
from pipeline.read.html.settings import SETTINGS, HtmlSettings
from pipeline.read.html.text import collapse_ws, paragraphs
from pipeline.read.html.title import find_title, lines_before
from pipeline.read.libraries import library_call, one_line


def read_html(data: bytes, source: str) -> RawTable:
    """Parse an HTML page's bytes into the raw table (see the module docstring)."""
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
    found = [(t, g, h) for t in soup.find_all("table")
             for g in [grid(t)] for h in [header_row(g)] if h is not None]
    if not found:
        count = len(soup.find_all("table"))
        words = normalize_ws("".join(paragraphs(soup.body or soup))).replace(" ", "")
        if all(word in words for word in HEADER):
            # pdftohtml, pdf2htmlEX or an office suite's PDF import: positioned text lines.
            raise NoTaskTableError(
                source, f"the header words {' / '.join(HEADER)} are in the page's text but "
                + (f"in none of its {count} tables" if count else "the page has no table")
                + " (a PDF converted to positioned text keeps none)",
                "give the PDF itself, or an HTML page of the list that holds it as a table")
        raise NoTaskTableError(source, f"none of the page's {count} tables has the header row"
                               if count else "the page has no table (is the list only a linked "
                               "attachment?)")
    table, g, header_at = found[0]
    before = lines_before(soup, table)[:1]
    parts = [Part(g, header_at, tuple(line for line in before if is_section_line(line)), False)]
    parts += continuing_tables(soup, table, g, parts[0].sections)
    check_rows_hold_their_text((tr for part in parts for tr in part.g.rows), source)
    rows = tuple(raw_rows(parts))
    check_task_numbers(rows, source)
    check_accounted(text, rows, source)
    if len(parts) > 1:
        notes += (f"{source}: the task table is split over {len(parts)} HTML tables; "
                  "read them as one",)
    title = find_title(soup, table, g, header_at)
    head = tuple(lines_before(soup, table, limit=SETTINGS.head_blocks)[::-1])
    return RawTable(source=source, fmt="html", title=title, rows=rows, notes=notes, head=head)


def table_grids(data: bytes, source: str) -> str:
    """Every table of the page laid out on its grid, as text (see :func:`.grid.grid_text`)."""
    text, _ = decode_html(data, source)
    text, _ = drop_controls(text, source)
    check_budget(text, source)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "lxml")
    tables: list[Tag] = soup.find_all("table")
    return "".join(f"{source}: table {i + 1} of {len(tables)}, " + grid_text(t)
                   for i, t in enumerate(tables))


__all__ = ["SETTINGS", "HtmlSettings", "collapse_ws", "decode_html", "grid_text", "paragraphs",
           "read_html", "table_grids"]
