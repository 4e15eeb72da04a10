"""Row bands: the (top, bottom) of each table row on a page, by one of two strategies.

- ruled: horizontal rules spanning the table (and crossing its first column) part the rows;
  a band opening two numbered rows, or on a sparsely ruled page (三线表), is cut at them.
- unruled: rows open at first-column lines standing well below the one before or opening with
  a number; their top edge is the widest text-free gap above (cells top-aligned or centred).
"""
from __future__ import annotations

import statistics
from collections import defaultdict
from itertools import pairwise

from pipeline.grammar import (
    PAGE_NUMBER as _PAGE_NUMBER,
    ROW_OPENER as _ROW_OPENER,
    TASK_OPENER as _TASK_OPENER,
)
from pipeline.read.pdf.columns import Columns, header_bottom_of
from pipeline.read.pdf.glyphs import PageGlyphs, Seg
from pipeline.read.pdf.lines import Line, body_size, typical_pitch, visual_lines
from pipeline.read.pdf.settings import Settings

#: A row band: (top, bottom) on the page.
Band = tuple[float, float]


def is_ruled(page: PageGlyphs, columns: Columns, st: Settings) -> bool:
    """True when a rule on the page spans the whole table (a link's underline does not) or
    runs down one of its column boundaries."""
    size = body_size(page, st)
    left, right = columns.bounds[0], columns.bounds[-1]
    margin = st.ruled_margin * size
    return any(s.start < left + margin and s.end > right - margin for s in page.hsegs) or any(
        abs(s.pos - x) < st.rule_snap * size for s in page.vsegs for x in columns.bounds)


def row_bands(page: PageGlyphs, columns: Columns, size: float, st: Settings) -> list[Band]:
    """(top, bottom) of each table row on the page: the ruled strategy where rules span the
    table, else the unruled one."""
    left, right = columns.bounds[0], columns.bounds[-1]
    ys = spanning_rules(page.hsegs, left, right, size, st, columns.bounds[1])
    if len(ys) >= 2:
        ys = sorted(ys + beside_group_cells(page, columns, ys, size, st))
        # Where a renderer leaves out the border at a page break, the table's outer vertical
        # rules still reach past the last (or first) horizontal one.
        sides = [s for s in page.vsegs if min(abs(s.pos - left), abs(s.pos - right)) < st.side_snap * size]
        if sides:
            lowest, highest = max(s.end for s in sides), min(s.start for s in sides)
            over = st.side_overhang * size
            ys = ([highest] if highest < ys[0] - over else []) + ys + \
                ([lowest] if lowest > ys[-1] + over else [])
        # Top, under the header, bottom and no column rules: rows have no rules of their own.
        sparse = len(ys) <= st.sparse_rules and not page.vsegs
        return [band for top, bottom in pairwise(ys)
                for band in split_at_openers(page, columns, top, bottom, size, sparse, st)]
    return bands_from_text(page, columns, size, st)


def split_at_openers(page: PageGlyphs, columns: Columns, top: float, bottom: float,
                     size: float, sparse: bool, st: Settings) -> list[Band]:
    """A ruled band cut before the task and section numbers that open rows inside it.

    Tables ruled only at the top, under the header and at the bottom (三线表) have no rule
    between rows; a band whose first column opens two rows is more than one row. A single
    number below other text opens a row only on such a sparsely ruled page: elsewhere it is
    a first cell centred vertically.
    """
    left, inner, right = columns.bounds[0], columns.bounds[1], columns.bounds[-1]
    chars = [c for c in page.chars if left < c.xmid < right and c.text.strip()
             and top < c.ymid < bottom]
    if not chars:
        return [(top, bottom)]
    first = min(c.top for c in chars)
    openers = [line for line in visual_lines((c for c in chars if c.xmid < inner), st)
               if _ROW_OPENER.match(line.text)]
    cuts = [line.top - st.edge_above * size for line in openers
            if line.top > first + st.opener_below * size] if len(openers) > 1 or sparse else []
    header_bottom = header_bottom_of(page, st)
    # No rule under a repeated header either.
    if top < header_bottom < bottom - st.header_clearance * size:
        cuts = sorted([header_bottom + st.edge_above * size,
                       *(c for c in cuts if c > header_bottom)])
    if not cuts:
        return [(top, bottom)]
    edges = [top, *cuts, bottom]
    return list(pairwise(edges))


def spanning_rules(hsegs: list[Seg], left: float, right: float, size: float, st: Settings,
                   first: float | None = None) -> list[float]:
    """y of horizontal rules covering most of [left, right], close ones merged.

    With ``first`` (the first column's right edge), a rule must also cross the first column:
    a rule under one 工作举措 paragraph only, beside a task cell spanning several rows
    (``rowspan``), parts two cells of one row, not two rows.
    """
    by_y: dict[float, list[tuple[float, float]]] = {}
    for seg in sorted(hsegs, key=lambda s: s.pos):
        lo, hi = max(seg.start, left), min(seg.end, right)
        if hi <= lo:
            continue
        key = next((y for y in by_y if abs(y - seg.pos) < st.rule_merge * size), seg.pos)
        by_y.setdefault(key, []).append((lo, hi))
    width = right - left
    return sorted(y for y, spans in by_y.items() if covered(spans) >= st.span_share * width
                  and (first is None or covered([(lo, min(hi, first)) for lo, hi in spans
                                                 if lo < first])
                       >= st.first_column_share * (first - left)))


def beside_group_cells(page: PageGlyphs, columns: Columns, ys: list[float], size: float,
                       st: Settings) -> list[float]:
    """Rules under all columns but the first few, where a numbered task opens right below:
    rows beside a group cell spanning them (the 2017 table's （一）… in 工作任务, the tasks
    numbered 1. 2. in 落实举措). A rule under one paragraph beside a task cell spanning rows
    (各地区：… below it) parts no rows."""
    b = columns.bounds
    found = []
    for y in spanning_rules(page.hsegs, b[0], b[-1], size, st):
        if any(abs(y - known) < st.rule_merge * size for known in ys):
            continue
        below = [c for c in page.chars if y < c.top < y + st.opener_reach * size
                 and c.text.strip() and b[0] < c.xmid < b[-1]]
        for lo, hi in pairwise(b[1:]):
            first = visual_lines((c for c in below if lo < c.xmid < hi), st)
            if first and _TASK_OPENER.match(first[0].text):
                found.append(y)
                break
    return found


def covered(spans: list[tuple[float, float]]) -> float:
    """Length of the union of intervals."""
    total, end = 0.0, float("-inf")
    for lo, hi in sorted(spans):
        if hi > end:
            total += hi - max(lo, end)
            end = hi
    return total


def bands_from_text(page: PageGlyphs, columns: Columns, size: float, st: Settings) -> list[Band]:
    """Without horizontal rules: rows from the first column's text blocks.

    A row opens at a first-column line that stands well below the previous one (the cell above
    ended before its neighbours) or that opens with a task or section number. Its top edge is
    the widest gap in all three columns between the first column's previous line and that
    line: right above it when cells are top-aligned, higher up when they are centred
    vertically. Text before the first such row continues a row from the page before.
    """
    left, inner, right = columns.bounds[0], columns.bounds[1], columns.bounds[-1]
    header_bottom = header_bottom_of(page, st)
    body = [line for line in visual_lines(
        (c for c in page.chars if left < c.xmid < right and c.top > header_bottom), st)
        if line.text.strip() and not _PAGE_NUMBER.match(line.text)]
    if not body:
        return []
    lines = visual_lines((c for line in body for c in line.chars
                          if c.xmid < inner and c.text.strip()), st)
    pitch = typical_pitch([line.top for line in lines], st) or st.default_pitch * size
    gaps = text_gaps(body)
    top = body[0].top - st.edge_above * size
    openers: list[tuple[Line, float, float]] = []  # (line, floor, bottom of its block)
    prev: Line | None = None
    for line in lines:
        if line.top > body[0].top + st.opener_below * size and (
                prev is None or line.top - prev.top > st.row_gap_pitches * pitch
                or _ROW_OPENER.match(line.text)):
            floor = max(prev.bottom if prev is not None else top,
                        openers[-1][0].bottom if openers else top)
            openers.append((line, floor, line.bottom))
        elif openers:
            openers[-1] = (openers[-1][0], openers[-1][1], line.bottom)
        prev = line
    bottom = max(line.bottom for line in body) + st.bottom_margin * size
    found: list[tuple[float, float]] = []  # (edge, excess of the gap it lies in), bottom up
    below = bottom
    # Between rows there is more space than between lines (cell padding); a gap no wider than
    # the usual one between lines is no row boundary.
    for line, floor, block_bottom in reversed(openers):
        choices = [g for g in widest_gaps(gaps, floor, line.top, size, st)
                   if g[2] > st.min_gap_excess * size]
        if not choices:
            edge = (line.top - st.edge_above * size, 0.0)
        elif choices[-1][1] > line.top - st.top_aligned * size:  # right above it: top-aligned
            edge = ((choices[-1][0] + choices[-1][1]) / 2, choices[-1][2])
        else:
            # Centred cells: of equally wide gaps (rows of a cell spanning several), the one
            # that centres the first cell's text between it and the next row's top.
            a, b, excess = min(choices, key=lambda g: abs((g[0] + g[1]) / 2 + below
                                                           - line.top - block_bottom))
            edge = ((a + b) / 2, excess)
        found.append(edge)
        below = edge[0]
    found.reverse()
    if len(found) > 1 and lines[0].top > body[0].top + st.opener_below * size:
        # Text above the first row on the page continues a row from the page before only
        # if a gap as wide as those between this page's other rows parts it from that row;
        # else it is the top of a row whose first cell is centred below it.
        row_gap = min(width for _, width in found[1:])
        if found[0][1] < row_gap - st.gap_tie * size:
            found.pop(0)
    edges = [*sorted({top, *(edge for edge, _ in found)}), bottom]
    return list(pairwise(edges))


def text_gaps(lines: list[Line]) -> list[tuple[float, float, float]]:
    """Vertical ranges between lines that no text of any column covers, as (top, bottom,
    excess): how much wider each is than the usual gap above a line of its font size (a line
    set larger has more leading; what is left is cell padding, i.e. a row boundary)."""
    spans = sorted((line.top, line.bottom, round(line.height_size, 1)) for line in lines)
    raw: list[tuple[float, float, float]] = []
    end = spans[0][1]
    for top, bottom, size in spans[1:]:
        if top > end:
            raw.append((end, top, size))
        end = max(end, bottom)
    by_size: dict[float, list[float]] = defaultdict(list)
    for top, bottom, size in raw:
        by_size[size].append(bottom - top)
    usual = {size: statistics.median_low(widths) for size, widths in by_size.items()}
    return [(top, bottom, bottom - top - usual[size]) for top, bottom, size in raw]


def widest_gaps(gaps: list[tuple[float, float, float]], floor: float, ceiling: float,
                size: float, st: Settings) -> list[tuple[float, float, float]]:
    """The widest text-free gaps between ``floor`` and ``ceiling`` (all as wide as the widest
    within a tenth of the font size, by their excess), top to bottom."""
    slack = st.gap_slack * size
    inside = [g for g in gaps if g[0] >= floor - slack and g[1] <= ceiling + slack]
    if not inside:
        return []
    widest = max(g[2] for g in inside)
    return [g for g in inside if g[2] > widest - st.gap_tie * size]
