"""A table laid out on its grid, and a grid row read as the three logical cells.

:func:`grid` expands rowspan and colspan the way a browser does, so each slot of the grid
holds the cell covering it (and whether the cell starts there). The header row maps grid
columns to the three logical columns (:func:`header_columns`); a headerless page table on
another grid maps its three text columns (:func:`text_columns`). :func:`logical_cells` reads
a grid row as the raw row's three cells. :func:`grid_text` prints a table's grid for people.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from bs4 import Tag

from pipeline.grammar import HEADER, is_header, normalize_ws
from pipeline.models import RawCell
from pipeline.read.html.settings import SETTINGS
from pipeline.read.html.text import is_bold, paragraphs


@dataclass
class Grid:
    """A table's own rows laid out on a grid: each slot holds the cell that covers it."""

    table: Tag
    rows: list[Tag]
    #: per row, per grid column: (cell, is_origin) — is_origin is False for slots a span reaches.
    slots: list[dict[int, tuple[Tag, bool]]] = field(default_factory=list)
    width: int = 0


def own_rows(table: Tag) -> list[Tag]:
    """The table's ``<tr>``s, not those of tables nested in its cells."""
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def row_cells(tr: Tag) -> list[Tag]:
    return [c for c in tr.find_all(["td", "th"]) if c.find_parent("tr") is tr]


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
    for i, slots in enumerate(g.slots[:SETTINGS.header_rows]):
        if is_header(row_texts(slots)):
            return i
    return None


def header_columns(header: dict[int, tuple[Tag, bool]]) -> dict[int, int]:
    """Grid column -> logical column 0..2, from the header cell that covers it.

    Word often splits a column into several grid columns (a header cell with colspan=2 over
    misaligned body cells), so every grid column maps to the header cell above it; grid
    columns left of the first header cell belong to the first column, those under an empty
    header cell to the column on their left.
    """
    mapping: dict[int, int] = {}
    logical = 0
    for c in sorted(header):
        text = normalize_ws("".join(paragraphs(header[c][0]))).replace(" ", "")
        if text in HEADER:
            logical = HEADER.index(text)
        mapping[c] = logical
    return mapping


def text_columns(g: Grid) -> dict[int, int] | None:
    """Grid column -> logical column for a headerless table laid out on another grid than the
    header's (a converter's empty spacer columns): the three columns that hold text, each
    empty column going with the one on its left. None unless exactly three hold text."""
    used = sorted({c for slots in g.slots for c, (cell, origin) in slots.items()
                   if origin and not empty_cell(cell)})
    if len(used) != 3:
        return None
    return {c: max(0, sum(1 for u in used if u <= c) - 1) for c in range(g.width)}


def logical_cells(slots: dict[int, tuple[Tag, bool]],
                   columns: dict[int, int]) -> tuple[RawCell, RawCell, RawCell] | None:
    """The row's three cells; None for a row that has no cells at all.

    A cell spanning several columns (a merged section row) gives its text to the first
    column it covers. A cell reaching down from a row above (rowspan) is empty in the rows it
    reaches, so a task title spanning two rows makes the second a continuation row, and a
    工作举措/任务分工 cell spanning rows of one task is read once. The exception is a
    rowspan in the later columns reaching a row that opens with a cell of its own (a new task
    sharing the 任务分工 of the one above): there the text is repeated, so each task has it.
    """
    if not slots:
        return None
    widest = max(columns, default=0)
    opens = any(origin and columns.get(c, 0) == 0 and not empty_cell(cell)
                for c, (cell, origin) in slots.items())
    parts: list[list[str]] = [[], [], []]
    bold = [False, False, False]
    done: set[int] = set()
    leftmost: dict[int, int] = {}  # id(cell) -> the leftmost slot it covers in this row
    for c in sorted(slots):
        leftmost.setdefault(id(slots[c][0]), c)
    for c in sorted(slots):
        cell, origin = slots[c]
        if id(cell) in done:
            continue
        logical = columns.get(c, 2 if c > widest else 0)
        if not origin and not (opens and logical > 0 and leftmost[id(cell)] == c):
            continue
        done.add(id(cell))
        parts[logical].extend(paragraphs(cell))
        bold[logical] = bold[logical] or is_bold(cell)
    return tuple(RawCell(paragraphs=tuple(p), bold=b)  # type: ignore[return-value]
                 for p, b in zip(parts, bold))


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
