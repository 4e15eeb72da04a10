"""A table laid out on its grid, and a grid row read as the table's logical cells.

:func:`grid` expands rowspan and colspan the way a browser does, so each slot of the grid
holds the cell covering it (and whether the cell starts there). The header row — the first
row the grammar's matcher reads as one (:func:`header_layout`) — gives the table's layout (3 to
8 columns with their roles) and maps grid columns to its logical columns
(:func:`header_columns`); a headerless page table on another grid maps the columns that hold
text (:func:`text_columns`). :func:`logical_cells` reads a grid row as the raw row's cells, one
per column of the layout. :func:`grid_text` prints a table's grid for people.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import Tag

from pipeline.grammar import (
    TASK_RE,
    Layout,
    header_role,
    match_header,
    normalize_ws,
)
from pipeline.models import RawCell
from pipeline.read.common import GROUPING_ROLES
from pipeline.read.html.settings import SETTINGS
from pipeline.read.html.text import is_bold, own_tags, paragraphs

_ROW = frozenset({"tr"})
_CELL_NAMES = frozenset({"td", "th"})


@dataclass
class Grid:
    """A table's own rows laid out on a grid: each slot holds the cell that covers it."""

    table: Tag
    rows: list[Tag]
    #: per row, per grid column: (cell, is_origin) — is_origin is False for slots a span reaches.
    slots: list[dict[int, tuple[Tag, bool]]] = field(default_factory=list)
    width: int = 0
    #: A header set over two rows (责任单位 spanning 牵头单位 / 配合单位 below it): the lower row's
    #: index -> the header read whole, each grid column under its lowest header cell.
    two_row_headers: dict[int, dict[int, tuple[Tag, bool]]] = field(default_factory=dict)


def own_rows(table: Tag) -> list[Tag]:
    """The table's ``<tr>``s, not those of tables nested in its cells."""
    return own_tags(table, _ROW, "table")


def row_cells(tr: Tag) -> list[Tag]:
    return own_tags(tr, _CELL_NAMES, "tr")


def span(cell: Tag, attr: str) -> int:
    m = re.match(r"\s*(\d+)", str(cell.get(attr, "1")))
    return max(1, min(int(m.group(1)), SETTINGS.max_span)) if m else 1


def grid(table: Tag) -> Grid:
    """Lay the rows out column by column, expanding rowspan and colspan."""
    g = Grid(table, own_rows(table))
    pending: dict[int, tuple[Tag, int]] = {}  # column -> (cell, rows it still covers)
    for tr in g.rows:
        slots: dict[int, tuple[Tag, bool]] = {c: (cell, False) for c, (cell, _) in pending.items()}
        reached = {c: (cell, left - 1) for c, (cell, left) in pending.items() if left > 1}
        col = 0
        for cell in row_cells(tr):
            while col in slots:
                col += 1
            colspan, rowspan = span(cell, "colspan"), span(cell, "rowspan")
            for c in range(col, col + colspan):
                slots[c] = (cell, c == col)
                if rowspan > 1:
                    reached[c] = (cell, rowspan - 1)
            col += colspan
        pending = reached
        g.slots.append(slots)
        g.width = max(g.width, max(slots, default=-1) + 1)
    return g


def row_texts(slots: dict[int, tuple[Tag, bool]]) -> list[str]:
    """One normalised text per distinct originating cell of a row, in column order."""
    seen: list[Tag] = []
    for c in sorted(slots):
        cell, origin = slots[c]
        if origin and all(cell is not s for s in seen):
            seen.append(cell)
    return [normalize_ws("".join(paragraphs(cell))) for cell in seen]


def header_row(g: Grid) -> int | None:
    """Index of the table's header row among its first rows, or None."""
    found = header_layout(g)
    return found[0] if found is not None else None


def header_layout(g: Grid) -> tuple[int, Layout] | None:
    """The table's header row among its first rows and the layout it names, or None.

    A header set over two rows — a cell spanning several columns (责任单位) over a row naming
    them (牵头单位 / 配合单位) — is read whole: the index is the lower row's, and
    :func:`header_slots` gives each grid column its lowest header cell.
    """
    for i, slots in enumerate(g.slots[:SETTINGS.header_rows]):
        layout = match_header(row_texts(slots))
        if layout is None:
            continue
        if i + 1 < len(g.slots):
            whole = _two_row_header(slots, g.slots[i + 1])
            wide = match_header(row_texts(whole)) if whole is not None else None
            if whole is not None and wide is not None and len(wide) > len(layout):
                g.two_row_headers[i + 1] = whole
                return i + 1, wide
        return i, layout
    return None


def header_slots(g: Grid, at: int) -> dict[int, tuple[Tag, bool]]:
    """The header row's slots (a two-row header's read whole)."""
    return g.two_row_headers.get(at, g.slots[at])


def sub_header_texts(g: Grid, at: int) -> list[str] | None:
    """The lower row's words of a two-row header (牵头单位, 配合单位): a row of just these is
    that header repeated on a new page. None for a one-row header."""
    if at not in g.two_row_headers:
        return None
    return [t for t in (normalize_ws("".join(paragraphs(cell)))
                        for cell, origin in g.slots[at].values() if origin) if t]


def _two_row_header(upper: dict[int, tuple[Tag, bool]],
                    lower: dict[int, tuple[Tag, bool]]) -> dict[int, tuple[Tag, bool]] | None:
    """``upper`` with its cells that span several columns replaced by the cells of ``lower``
    under them, when ``lower`` holds nothing but header words under such cells."""
    chosen: dict[int, Tag] = {}
    for c in sorted(upper):
        cell = upper[c][0]
        below = lower.get(c)
        if span(cell, "colspan") > 1 and below is not None and below[1] \
                and not empty_cell(below[0]):
            chosen[c] = below[0]
        else:
            chosen[c] = cell
    own = [(c, cell) for c, (cell, origin) in lower.items() if origin and not empty_cell(cell)]
    if not own or any(chosen.get(c) is not cell for c, cell in own) or any(
            header_role(normalize_ws("".join(paragraphs(cell)))) is None for _, cell in own):
        return None
    whole: dict[int, tuple[Tag, bool]] = {}
    seen: set[int] = set()
    for c in sorted(chosen):
        whole[c] = (chosen[c], id(chosen[c]) not in seen)
        seen.add(id(chosen[c]))
    return whole


def header_columns(header: dict[int, tuple[Tag, bool]], width: int) -> dict[int, int]:
    """Grid column -> logical column (0 … ``width`` - 1), from the header cell that covers it.

    Each header cell is one logical column, in order (an empty one too: a 序号 column whose
    header was left blank). Word often splits a column into several grid columns (a header
    cell with colspan=2 over misaligned body cells), so every grid column maps to the header
    cell above it; grid columns left of the first header cell belong to the first column,
    those right of the last (or under trailing empty header cells, which the layout does not
    count) to the last.
    """
    mapping: dict[int, int] = {}
    logical, seen = -1, None
    for c in sorted(header):
        cell = header[c][0]
        if cell is not seen:
            logical, seen = logical + 1, cell
        mapping[c] = min(max(logical, 0), width - 1)
    return mapping


def text_columns(g: Grid, width: int) -> dict[int, int] | None:
    """Grid column -> logical column for a headerless table laid out on another grid than the
    header's (a converter's empty spacer columns): the ``width`` columns that hold text, each
    empty column going with the one on its left. None unless exactly ``width`` hold text."""
    used = sorted({c for slots in g.slots for c, (cell, origin) in slots.items()
                   if origin and not empty_cell(cell)})
    if len(used) != width:
        return None
    return {c: max(0, sum(1 for u in used if u <= c) - 1) for c in range(g.width)}


def logical_cells(slots: dict[int, tuple[Tag, bool]], columns: dict[int, int],
                  layout: Layout) -> tuple[RawCell, ...] | None:
    """The row's ``width`` cells; None for a row that has no cells at all.

    A cell spanning several columns (a merged section row) gives its text to the first
    column it covers. A cell reaching down from a row above (rowspan) is empty in the rows it
    reaches, as the text dump leaves a group cell (（一）…) empty under its first row: a task
    title spanning two rows makes the second a continuation row, and a 工作举措/任务分工 cell
    spanning rows of one task is read once. The exception is a rowspan reaching a row that
    opens a new task left of it — with a cell of its own in the first column, or a cell of its
    own that opens with a task number (``2.推动…`` in a 落实举措 column beside a spanning group
    cell): there the text of a column saying who or when (任务分工, 牵头单位, 完成时间 …, not one
    of :data:`GROUPING_ROLES`) is repeated, so each task has the units or deadline it shares.
    """
    if not slots:
        return None
    width = len(layout)
    roles = layout.roles
    widest = max(columns, default=0)
    parts: list[list[str]] = [[] for _ in range(width)]
    bold = [False] * width
    done: set[int] = set()
    leftmost: dict[int, int] = {}  # id(cell) -> the leftmost slot it covers in this row
    for c in sorted(slots):
        leftmost.setdefault(id(slots[c][0]), c)
    # The leftmost logical column at which a cell of this row's own opens a task (None: none).
    opens_at: int | None = None
    for c in sorted(slots):
        cell, origin = slots[c]
        logical = columns.get(c, width - 1 if c > widest else 0)
        if origin and not empty_cell(cell) and (
                logical == 0 or TASK_RE.match(normalize_ws("".join(paragraphs(cell))))):
            opens_at = logical
            break
    for c in sorted(slots):
        cell, origin = slots[c]
        if id(cell) in done:
            continue
        logical = columns.get(c, width - 1 if c > widest else 0)
        if not origin and not (opens_at is not None and logical > opens_at
                               and leftmost[id(cell)] == c and roles[logical] not in GROUPING_ROLES):
            continue
        done.add(id(cell))
        parts[logical].extend(paragraphs(cell))
        bold[logical] = bold[logical] or is_bold(cell)
    return tuple(RawCell(paragraphs=tuple(p), bold=b) for p, b in zip(parts, bold))


def empty_cell(cell: Tag) -> bool:
    return not normalize_ws("".join(paragraphs(cell)))


def grid_text(table: Tag, width: int = 24) -> str:
    """The table's grid as text, one line per ``<tr>``: each slot shows the start of its
    cell's text, ``<`` where a colspan reaches from the left and ``^`` where a rowspan reaches
    from above; the header row, when there is one, is marked ``H``. What a user reads when a
    page is misread (``python -m pipeline debug``)."""
    g = grid(table)
    head = header_row(g)
    lines = [f"table: {len(g.rows)} rows, {g.width} grid columns"
             + (f", header at row {head + 1}" if head is not None else ", no header row")]
    above: dict[int, Tag] = {}
    for i, slots in enumerate(g.slots):
        shown = []
        for c in range(g.width):
            if c not in slots:
                shown.append("")
                continue
            cell, origin = slots[c]
            if origin:
                text = normalize_ws("".join(paragraphs(cell))).replace("\n", " ")
                shown.append(text if len(text) <= width else text[: width - 1] + "…")
            else:
                shown.append("^" if above.get(c) is cell else "<")
            above[c] = cell
        mark = "H" if i == head else " "
        lines.append(f"{i + 1:>4}{mark}| " + " | ".join(s.ljust(width) for s in shown).rstrip())
    return "\n".join(lines) + "\n"
