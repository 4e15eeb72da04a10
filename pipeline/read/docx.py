"""Reader for Word documents (.docx): the task table read straight from the OOXML.

A .docx is a ZIP of XML parts; the text is in ``word/document.xml``. The reader finds the
first table (at any depth: a layout table may hold it) with a header row the grammar's
matcher reads as a task table's (重点任务 / 工作举措 / 任务分工, 序号 / 重点任务 / 具体措施 / 牵头单位 /
完成时限, …: 3 to 8 columns, which give the table's layout) and lays each row out on the
table's grid, one cell per column of the layout: ``w:gridSpan`` widens a cell over several
grid columns (a section row is one cell spanning them all), ``w:vMerge`` continues a cell
down from the row above (the continuing cell is empty, as a cut row's first cell or a group
cell under its first row in the text dump — unless the row opens a new task left of it, which
then gets the shared cell's text too), ``w:gridBefore`` skips leading columns. Each ``w:p`` of a cell is one paragraph, a line
break (``w:br``) starts another; a table nested in a cell gives its paragraphs in reading
order. Deleted text of tracked changes (``w:delText``, ``w:moveFrom``), field codes and text
boxes are not the cell's text.

Pages: Word records where it laid out each page (``w:lastRenderedPageBreak``); when a document
holds none of those, its hard breaks (``w:br w:type="page"``, ``w:pageBreakBefore``) are counted
instead; with neither, every row is on page 1 (and a note says so).
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from lxml import etree

from pipeline.errors import (
    NoTaskTableError,
    TableRolesError,
    WordDamagedError,
)
from pipeline.grammar import (
    HEADER,
    PAGE_NUMBER,
    TASK_RE,
    Layout,
    clean_title,
    has_year,
    header_role,
    match_header,
    normalize_ws,
    read_header,
)
from pipeline.models import RawCell, RawRow, RawTable
from pipeline.read.common import GROUPING_ROLES
from pipeline.read.docx_xml import (  # noqa: F401 (MAX_DOCX_XML_BYTES: named here before the split)
    _BR,
    _CR,
    _DOCUMENT,
    _P,
    _R,
    _RPR,
    _SKIPPED,
    _T,
    _TAB,
    _TBL,
    _TC,
    _TCPR,
    _TR,
    _TRANSPARENT,
    _TRPR,
    _TYPE,
    _VAL,
    MAX_DOCX_XML_BYTES,
    _document_xml,
    _Pages,
    _w,
)

#: Lines above the table searched for the list's title, nearest first.
_TITLE_LINES = 8
_TITLE_LENGTH = 60


def read_docx(data: bytes, source: str) -> RawTable:
    """Parse a .docx file's bytes into the raw table."""
    root = _document_xml(data, source)
    body = root.find(_w("body"))
    if body is None:
        raise WordDamagedError(source, f"{_DOCUMENT} has no document body (w:body)")
    pages = _Pages(body)
    tables = list(body.iter(_TBL))
    for table in tables:
        found = _header_row(table)
        if found is None:
            continue
        header_at, header = found
        layout = header.layout
        rows = list(_rows(table, header_at, header, pages))
        parts = _continuations(table, header.slots)
        notes: tuple[str, ...] = layout.notes()
        for n, part in enumerate(parts, start=1):
            # Without a recorded break, the split itself is where a page ended.
            shift = 0 if pages.counted else n
            rows.extend(replace(row, page=row.page + shift)
                        for row in _rows(part, -1, header, pages))
        if parts:
            notes += (f"{source}: the task table is split over {len(parts) + 1} Word tables "
                      "(at page breaks); read as one",)
        if not pages.counted and not parts:
            notes += (f"{source}: the Word document records no page breaks; page_start and "
                      "page_end are 1 for every task",)
        # A title row inside the table, above its header, is text above the table too.
        lines = _lines_above(body, table) + [t for tr in list(_table_rows(table))[:header_at]
                                             for t in _texts(_layout(tr)) if t]
        return RawTable(source=source, fmt="docx", title=_title(lines), rows=tuple(rows),
                        notes=notes, head=tuple(lines), layout=layout)
    for n, table in enumerate(tables, start=1):
        # A row naming columns of a task list, but not the ones a task table needs.
        for i, tr in enumerate(_table_rows(table)):
            cells = _texts(_layout(tr))
            reading = read_header(cells)
            if reading is not None and reading.missing:
                while cells and not cells[-1]:
                    cells.pop()
                raise TableRolesError.of(source, f"row {i + 1} of table {n}", cells,
                                         reading.missing)
    count = f"{len(tables)} table{'s' * (len(tables) != 1)}" if tables else "no table"
    raise NoTaskTableError(source, f"no table header row ({' / '.join(HEADER)}) found in the "
                                   f"Word document ({count})")




# ---- the table ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Slot:
    """A cell laid on the grid: its first grid column, how many it spans, its content."""

    column: int
    span: int
    cell: RawCell
    #: The cell continues a vertical merge from the row above (``cell`` is then empty); the
    #: merge's text is kept for a row that opens a new task beside it.
    continued: bool = False


def _table_rows(table: etree._Element) -> Iterator[etree._Element]:
    """The table's own rows (not a nested table's), content controls unwrapped."""
    yield from _children(table, _TR)


def _children(parent: etree._Element, tag: str) -> Iterator[etree._Element]:
    for child in parent:
        if child.tag == tag:
            yield child
        elif child.tag in _TRANSPARENT:
            yield from _children(child, tag)


def _int(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return max(0, int(el.get(_VAL, str(default))))
    except ValueError:
        return default


def _layout(tr: etree._Element) -> list[_Slot]:
    """The row's cells on the grid; a cell continuing a vertical merge is empty."""
    trpr = tr.find(_TRPR)
    column = _int(trpr.find(_w("gridBefore")) if trpr is not None else None, 0)
    slots = []
    for tc in _children(tr, _TC):
        tcpr = tc.find(_TCPR)
        span = max(1, _int(tcpr.find(_w("gridSpan")) if tcpr is not None else None, 1))
        vmerge = tcpr.find(_w("vMerge")) if tcpr is not None else None
        continued = vmerge is not None and vmerge.get(_VAL, "continue") == "continue"
        slots.append(_Slot(column, span, RawCell() if continued else _cell(tc), continued))
        column += span
    return slots


def _cell(tc: etree._Element) -> RawCell:
    paragraphs: list[str] = []
    bold = [False]
    _block_paragraphs(tc, paragraphs, bold)
    return RawCell(paragraphs=tuple(p for p in paragraphs if p.strip()), bold=bold[0])


def _block_paragraphs(parent: etree._Element, out: list[str], bold: list[bool]) -> None:
    """Paragraphs of block content (a cell, a nested table's cells) in reading order."""
    for child in parent:
        tag = child.tag
        if tag == _P:
            out.extend(_paragraph(child, bold))
        elif tag == _TBL:
            for tr in _table_rows(child):
                for tc in _children(tr, _TC):
                    _block_paragraphs(tc, out, bold)
        elif tag in _TRANSPARENT:
            _block_paragraphs(child, out, bold)


def _paragraph(p: etree._Element, bold: list[bool]) -> list[str]:
    """A paragraph's text; a line break (w:br, w:cr) starts a new one, as <br> in the dump."""
    pieces: list[str] = [""]

    def walk(el: etree._Element, run_bold: bool) -> None:
        for child in el:
            tag = child.tag
            if tag in _SKIPPED:
                continue
            if tag == _R:
                walk(child, _is_bold(child))
            elif tag == _T:
                if child.text:
                    pieces[-1] += child.text
                    if run_bold and child.text.strip():
                        bold[0] = True
            elif tag == _TAB:
                pieces[-1] += "\t"
            elif tag == _w("noBreakHyphen"):
                pieces[-1] += "-"
            elif (tag == _BR and child.get(_TYPE) in (None, "textWrapping")) or tag == _CR:
                pieces.append("")
            else:
                walk(child, run_bold)

    walk(p, False)
    return pieces


def _is_bold(run: etree._Element) -> bool:
    rpr = run.find(_RPR)
    b = rpr.find(_w("b")) if rpr is not None else None
    return b is not None and b.get(_VAL, "true") not in ("0", "false", "off")


def _texts(slots: list[_Slot]) -> list[str]:
    return [normalize_ws("".join(s.cell.paragraphs)) for s in slots]


@dataclass(frozen=True)
class _Header:
    """The header row's cells on the grid, its layout, and the lower row's words of a header set
    over two rows (None for one row)."""

    slots: list[_Slot]
    layout: Layout
    sub: list[str] | None = None


def _header_row(table: etree._Element) -> tuple[int, _Header] | None:
    """Index of the table's header row among its own rows, its layout and its cells, if it has
    one. A header set over two rows — a cell spanning several columns (责任单位) over a row
    naming them (牵头单位 / 配合单位) — is read whole, at the lower row's index."""
    trs = list(_table_rows(table))
    for i, tr in enumerate(trs):
        slots = _layout(tr)
        layout = match_header(_texts(slots))
        if layout is None:
            continue
        whole = _two_row_header(slots, _layout(trs[i + 1])) if i + 1 < len(trs) else None
        wide = match_header(_texts(whole)) if whole is not None else None
        if whole is not None and wide is not None and len(wide) > len(layout):
            sub = [t for s, t in zip(whole, _texts(whole)) if s not in slots and t]
            return i + 1, _Header(whole, wide, sub)
        return i, _Header(slots, layout)
    return None


def _two_row_header(upper: list[_Slot], lower: list[_Slot]) -> list[_Slot] | None:
    """``upper`` with each cell spanning several columns replaced by the cells of ``lower``
    under it, when ``lower`` holds nothing but header words under such cells."""
    own = [s for s in lower if not s.continued and not s.cell.is_empty]
    whole: list[_Slot] = []
    used = 0
    for slot in upper:
        under = [s for s in own if slot.column <= s.column < slot.column + slot.span]
        if slot.span > 1 and under:
            whole.extend(under)
            used += len(under)
        else:
            whole.append(slot)
    if not own or used != len(own) or any(header_role(t) is None for t in _texts(own)):
        return None
    return whole


def _continuations(table: etree._Element, header: list[_Slot]) -> list[etree._Element]:
    """Tables right after the task table that continue it: with the same number of grid
    columns, nothing but blank or page-number paragraphs between them."""
    width = sum(s.span for s in header) + header[0].column
    found: list[etree._Element] = []
    el = table.getnext()
    while el is not None:
        if el.tag == _P:
            text = normalize_ws("".join(_paragraph(el, [False])))
            if text and not PAGE_NUMBER.match(text):
                break
        elif el.tag == _TBL:
            if _grid_width(el) != width:
                break
            found.append(el)
        elif el.tag != _w("bookmarkStart") and el.tag != _w("bookmarkEnd"):
            break
        el = el.getnext()
    return found


def _grid_width(table: etree._Element) -> int:
    grid = table.find(_w("tblGrid"))
    if grid is not None and len(grid.findall(_w("gridCol"))):
        return len(grid.findall(_w("gridCol")))
    first = next(_table_rows(table), None)
    return sum(s.span for s in _layout(first)) if first is not None else 0


def _rows(table: etree._Element, header_at: int, header: _Header,
          pages: _Pages) -> Iterator[RawRow]:
    """The rows after the header (all rows when ``header_at`` is -1), one cell per column of
    ``layout``, by the header's cells: a cell goes to the header cell it starts under (a section
    cell spanning the row: the first)."""
    trs = list(_table_rows(table))
    width = len(header.layout)
    starts = [s.column for s in header.slots][:width]
    sub = header.sub

    merged: dict[int, RawCell] = {}  # grid column -> the text of the vertical merge open there
    for i in range(header_at + 1, len(trs)):
        slots = _layout(trs[i])
        if match_header(_texts(slots)) is not None:
            continue  # the header repeated (w:tblHeader rows, or typed again after a break)
        if sub and [t for t in _texts(slots) if t] == sub:
            continue  # the lower row of a two-row header, repeated on a new page
        columns = [max((j for j, start in enumerate(starts) if start <= slot.column), default=0)
                   for slot in slots]
        # The leftmost column at which a cell of the row's own opens a task (a first cell, or
        # 2.推动… in a 落实举措 column beside a merged group cell): merged cells right of it are
        # shared by this task, so they give it their text.
        opens_at = next((k for slot, k in zip(slots, columns) if not slot.cell.is_empty and (
            k == 0 or TASK_RE.match(normalize_ws(slot.cell.paragraphs[0])))), None)
        cells: list[list[str]] = [[] for _ in range(width)]
        bold = [False] * width
        for slot, k in zip(slots, columns):
            cell = slot.cell
            if slot.continued:
                # Who or when is shared by the tasks beside it; a grouping cell (a task title,
                # a （一） group, its 任务目标) is written on its first row only, as in the dump.
                shared = merged.get(slot.column)
                if shared is None or opens_at is None or k <= opens_at \
                        or header.layout.roles[k] in GROUPING_ROLES:
                    continue
                cell = shared
            else:
                merged[slot.column] = cell
            if cell.is_empty:
                continue
            cells[k].extend(cell.paragraphs)
            bold[k] = bold[k] or cell.bold
        raw = tuple(RawCell(paragraphs=tuple(c), bold=b) for c, b in zip(cells, bold))
        yield RawRow(cells=raw, page=pages.row_page(trs[i]), row=i + 1)


# ---- text above the table -----------------------------------------------------------------------

def _lines_above(body: etree._Element, table: etree._Element) -> list[str]:
    """Paragraphs of the body before the table (the table's outer tables' text before it too),
    top first, blank ones dropped."""
    lines: list[str] = []
    bold = [False]
    for el in body.iter(_P, _TBL):
        if el is table:
            break
        if el.tag != _P or _inside_table(el, body):
            continue
        lines.extend(normalize_ws(t) for t in _paragraph(el, bold))
    return [line for line in lines if line]


def _inside_table(p: etree._Element, body: etree._Element) -> bool:
    parent = p.getparent()
    while parent is not None and parent is not body:
        if parent.tag == _TC:
            return True
        parent = parent.getparent()
    return False


def _title(lines: list[str]) -> str | None:
    """The nearest line above the table naming a 任务清单, else one with a year."""
    near = lines[::-1][:_TITLE_LINES]
    for line in near:
        if "任务清单" in line and len(line) <= _TITLE_LENGTH:
            return clean_title(line)
    for line in near:
        if has_year(line) and len(line) <= _TITLE_LENGTH:
            return clean_title(line)
    return None
