"""The header row and the table's column boundaries.

The header row is the first run of one to three lines whose words, grouped by the gaps between
them, the grammar's matcher reads as a task table's columns (重点任务 · 工作举措 · 任务分工,
序号 · 重点任务 · 具体措施 · 牵头单位 · 完成时限, …: 3 to 8 columns); it gives the table's layout.
Columns come from the vertical rules crossing the header row, else from the gutters between
the header words in the text below them. Between two rules where no header word stands, a
column with an empty header cell (a 序号 column whose header was left blank) is a column too.
"""
from __future__ import annotations

import re
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.errors import NoTaskTableError
from pipeline.grammar import (
    HEADER,
    MAX_COLUMNS,
    Layout,
    header_role,
    match_header,
)
from pipeline.models import BBox
from pipeline.read.pdf.glyphs import Char, PageGlyphs
from pipeline.read.pdf.lines import Line, body_size, visual_lines
from pipeline.read.pdf.settings import Settings


@dataclass
class Columns:
    """The table's column boundaries (x, one more than the columns), the header words' boxes
    and the layout the header names."""

    bounds: list[float]
    header_words: list[BBox] = field(default_factory=list)
    layout: Layout | None = None


def find_header(pages: list[PageGlyphs], source: str, st: Settings) -> tuple[int, Columns]:
    """The first page holding the header row, and the columns it defines."""
    for i, page in enumerate(pages):
        found = find_header_lines(visual_lines(page.chars, st), st) if page_header(page, st) \
            else None
        if found:
            words, texts = found
            header_bottom = max(w[3] for w in words)
            body = [c for c in page.chars if c.top > header_bottom and c.text.strip()]
            body += [c for p in pages[i + 1:i + 3] for c in p.chars if c.text.strip()]
            bounds, cells = bounds_at(page, words, texts, body, st)
            layout = match_header(cells)
            if layout is None:  # an empty column where the matcher allows none
                layout = match_header(texts)
                bounds, cells = _without_empty(bounds, cells)
            assert layout is not None  # header_words read ``texts`` as a header
            return i, Columns(bounds, words, layout)
    raise NoTaskTableError(source, f"no table header row ({' / '.join(HEADER)}) found on any page")


def _without_empty(bounds: list[float], cells: list[str]) -> tuple[list[float], list[str]]:
    """The boundaries with each empty-header column joined to the one on its right."""
    keep = [k for k, c in enumerate(cells) if c]
    return [bounds[0], *(bounds[k + 1] for k in keep)], [cells[k] for k in keep]


def header_words(lines: Sequence[Line], st: Settings) -> tuple[list[BBox], list[str]] | None:
    """The header words' boxes and texts when these lines hold the header row, and only it.

    The lines' characters are grouped into columns by their horizontal extent, so a header
    word wrapped in a narrow column (任务分 / 工, 执行部门 / （单位）), or set a little lower,
    still counts; a word set with wide letter spacing (序　号, 完 成 时 限) is joined again where
    its pieces alone name no column but together do.
    """
    chars = sorted((c for line in lines for c in line.chars if c.text.strip()),
                   key=lambda c: c.x0)
    if not chars or len(chars) > st.header_max_glyphs * _MAX_HEADER_GLYPHS:
        return None
    groups: list[list[Char]] = [[chars[0]]]
    right = chars[0].x1
    for c in chars[1:]:
        if c.x0 - right > st.header_word_gap * c.size:
            groups.append([])
        groups[-1].append(c)
        right = max(right, c.x1)
    if len(groups) > 2 * MAX_COLUMNS:
        return None

    def text(group: list[Char]) -> str:
        ordered = sorted(group, key=lambda c: (round(c.top / (st.header_line_step * c.size)), c.x0))
        return "".join(c.text for c in ordered)

    k = 0
    while k + 1 < len(groups):
        a, b = text(groups[k]), text(groups[k + 1])
        gap = min(c.x0 for c in groups[k + 1]) - max(c.x1 for c in groups[k])
        if gap < st.header_letter_gap * groups[k][0].size and header_role(a + b) is not None \
                and (header_role(a) is None or header_role(b) is None):
            groups[k:k + 2] = [groups[k] + groups[k + 1]]
        else:
            k += 1
    texts = [text(g) for g in groups]
    # Every word a header cell: one the vocabulary knows, or a short word of its own (备注) —
    # never a title or a body line caught with the header (附件 / 2024年…清单 above it).
    if not all(header_role(t) is not None or _HEADER_WORD.match(t) for t in texts) \
            or match_header(texts) is None:
        return None
    boxes = [(min(c.x0 for c in g), min(c.top for c in g), max(c.x1 for c in g),
              max(c.bottom for c in g)) for g in groups]
    return boxes, texts


#: Glyphs of the longest header row read (eight columns of up to six characters each).
_MAX_HEADER_GLYPHS = 48
#: A header cell's own word that the vocabulary does not know: a few characters, no digits
#: or sentence punctuation (备注, 说明, 进展情况).
_HEADER_WORD = re.compile(r"^[^\d\s。，；：、,.;:！？!?“”\"]{1,6}$")


def find_header_lines(lines: list[Line], st: Settings) -> tuple[list[BBox], list[str]] | None:
    """The header words' boxes and texts from the first one to three consecutive lines that
    hold it (a header wrapped over more lines is read whole: the most lines that still read)."""
    for i in range(len(lines)):
        for k in (3, 2, 1):
            if i + k <= len(lines):
                found = header_words(lines[i:i + k], st)
                if found:
                    return found
    return None


def bounds_at(page: PageGlyphs, words: list[BBox], texts: list[str], body: list[Char],
              st: Settings) -> tuple[list[float], list[str]]:
    """Column boundaries, and the header cell of each column: vertical rules crossing the
    header row, else the text's gutters. Two rules in one gap between header words (or beyond
    the first or last) are the sides of a column whose header cell is empty."""
    top = min(w[1] for w in words)
    bottom = max(w[3] for w in words)
    xs = sorted(s.pos for s in page.vsegs if s.start <= bottom and s.end >= top)
    edges = [-1e9, *(x for w in words for x in (w[0], w[2])), 1e9]
    gaps = list(zip(edges[0::2], edges[1::2]))
    size = body_size(page, st)
    bounds: list[float] = []
    cells: list[str] = []
    last = len(gaps) - 1
    for k, (lo, hi) in enumerate(gaps):
        rules = _clusters([x for x in xs if lo < x < hi], st.empty_column * size)
        if rules:
            # Walk away from the words: the rule nearest them first (the outer edge of the
            # table is the nearest rule, not a page frame beyond it).
            order = rules[::-1] if k == 0 else rules
            groups: list[list[float]] = [[order[0]]]
            for x in order[1:]:
                a, b = sorted((groups[-1][-1], x))
                if k != last and any(a < c.xmid < b for c in body):
                    groups.append([x])  # text between two rules: a column with no header word
                else:
                    groups[-1].append(x)
            if k == 0:
                groups = groups[::-1]
            for n, group in enumerate(groups):
                if n:
                    cells.append("")
                # Outer rules: the one nearest the words (the table's frame, not the page's);
                # inner ones: any (they cluster).
                bounds.append(group[0] if k in (0, last) else statistics.median(group))
        elif 0 < k < last:
            bounds.append(gutter(body, lo, hi, st))
        else:
            # No outer rule: the table reaches as far as the text below the header does.
            edge = min((c.x0 for c in body), default=lo) if k == 0 else \
                max((c.x1 for c in body), default=hi)
            bounds.append(min(edge, hi) - st.outer_margin * size if k == 0
                          else max(edge, lo) + st.outer_margin * size)
        if k < len(texts):
            cells.append(texts[k])
    return bounds, cells


def _clusters(xs: list[float], apart: float) -> list[float]:
    """The median of each run of ``xs`` (sorted) no further than ``apart`` from the one before:
    the rules a renderer draws twice, or as a cell's two borders, are one boundary."""
    runs: list[list[float]] = []
    for x in xs:
        if runs and x - runs[-1][-1] <= apart:
            runs[-1].append(x)
        else:
            runs.append([x])
    return [statistics.median(r) for r in runs]


def gutter(chars: list[Char], lo: float, hi: float, st: Settings) -> float:
    """Middle of the widest x-range in (lo, hi) that the fewest characters cover.

    Between two columns no text stands, except section titles in merged cells; counting
    coverage (rather than requiring none) keeps those few from hiding the gutter.
    """
    step = st.gutter_step
    n = max(int((hi - lo) / step), 1)
    counts = [0] * n
    for c in chars:
        a, b = int((c.x0 - lo) / step), int((c.x1 - lo) / step)
        for k in range(max(a, 0), min(b, n - 1) + 1):
            counts[k] += 1
    least = min(counts)
    best, run_start, best_len = (lo + hi) / 2, None, 0
    for k, count in enumerate([*counts, least + 1]):
        if count == least and run_start is None:
            run_start = k
        elif count != least and run_start is not None:
            if k - run_start > best_len:
                best_len, best = k - run_start, lo + (run_start + k) / 2 * step
            run_start = None
    return best


def page_columns(page: PageGlyphs, learned: Columns, st: Settings) -> Columns:
    """This page's column boundaries: its own vertical rules near the learned ones."""
    size = body_size(page, st)
    bounds = []
    for x in learned.bounds:
        near = [s.pos for s in page.vsegs if abs(s.pos - x) < st.rule_snap * size]
        bounds.append(statistics.median(near) if near else x)
    return Columns(bounds, learned.header_words, learned.layout)


def page_header(page: PageGlyphs, st: Settings) -> list[BBox] | None:
    """The header words' boxes when the page shows the header row (computed once per page)."""
    if page.header is False:
        found = find_header_lines(visual_lines(page.chars, st), st)
        page.header = found[0] if found else None
    return page.header  # type: ignore[return-value]


def header_top_of(page: PageGlyphs, st: Settings) -> float | None:
    """Top of the header row's text on the page, or None when the page has none."""
    words = page_header(page, st)
    return min(w[1] for w in words) if words else None


def header_bottom_of(page: PageGlyphs, st: Settings) -> float:
    """Bottom of the header row's text on the page, or 0 when the page has none."""
    words = page_header(page, st)
    return max(w[3] for w in words) if words else 0.0
