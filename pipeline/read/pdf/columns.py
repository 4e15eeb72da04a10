"""The header row (重点任务 · 工作举措 · 任务分工) and the table's four column boundaries.

Columns come from the vertical rules crossing the header row, else from the gutters between
the header words in the text below them.
"""
from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field

from pipeline.errors import NoTaskTableError
from pipeline.grammar import (
    HEADER,
)
from pipeline.models import BBox
from pipeline.read.pdf.glyphs import Char, PageGlyphs
from pipeline.read.pdf.lines import Line, body_size, visual_lines
from pipeline.read.pdf.settings import Settings


@dataclass
class Columns:
    """The table's four column boundaries (x) and the header words' boxes."""

    bounds: list[float]
    header_words: list[BBox] = field(default_factory=list)


def find_header(pages: list[PageGlyphs], source: str, st: Settings) -> tuple[int, Columns]:
    """The first page holding the header row, and the columns it defines."""
    for i, page in enumerate(pages):
        words = page_header(page, st)
        if words:
            header_bottom = max(w[3] for w in words)
            body = [c for c in page.chars if c.top > header_bottom and c.text.strip()]
            body += [c for p in pages[i + 1:i + 3] for c in p.chars if c.text.strip()]
            return i, Columns(bounds_at(page, words, body, st), words)
    raise NoTaskTableError(source, f"no table header row ({' / '.join(HEADER)}) found on any page")


def header_words(lines: Sequence[Line], st: Settings) -> list[BBox] | None:
    """Boxes of 重点任务, 工作举措 and 任务分工 when these lines hold the header row, and only it.

    The lines' characters are grouped into columns by their horizontal extent, so a header
    word wrapped in a narrow column (任务分 / 工), or set a little lower, still counts.
    """
    chars = sorted((c for line in lines for c in line.chars if c.text.strip()),
                   key=lambda c: c.x0)
    if not chars or len(chars) > st.header_max_glyphs * len("".join(HEADER)):
        return None
    groups: list[list[Char]] = [[chars[0]]]
    right = chars[0].x1
    for c in chars[1:]:
        if c.x0 - right > st.header_word_gap * c.size:
            groups.append([])
        groups[-1].append(c)
        right = max(right, c.x1)
    if len(groups) != 3:
        return None
    boxes: list[BBox] = []
    for word, group in zip(HEADER, groups):
        ordered = sorted(group, key=lambda c: (round(c.top / (st.header_line_step * c.size)), c.x0))
        if "".join(c.text for c in ordered) != word:
            return None
        boxes.append((min(c.x0 for c in group), min(c.top for c in group),
                      max(c.x1 for c in group), max(c.bottom for c in group)))
    return boxes


def find_header_lines(lines: list[Line], st: Settings) -> list[BBox] | None:
    """The header words' boxes from the first one to three consecutive lines that hold it."""
    for i in range(len(lines)):
        for k in (1, 2, 3):
            if i + k <= len(lines):
                words = header_words(lines[i:i + k], st)
                if words:
                    return words
    return None


def bounds_at(page: PageGlyphs, words: list[BBox], body: list[Char],
              st: Settings) -> list[float]:
    """Column boundaries: vertical rules crossing the header row, else the text's gutters."""
    top = min(w[1] for w in words)
    bottom = max(w[3] for w in words)
    xs = sorted(s.pos for s in page.vsegs if s.start <= bottom and s.end >= top)
    gaps = [(-1e9, words[0][0]), (words[0][2], words[1][0]), (words[1][2], words[2][0]),
            (words[2][2], 1e9)]
    size = body_size(page, st)
    bounds: list[float] = []
    for k, (lo, hi) in enumerate(gaps):
        inside = [x for x in xs if lo < x < hi]
        if inside:
            # Outer rules: the one nearest the words; inner ones: any (they cluster).
            bounds.append(inside[-1] if k == 0 else inside[0] if k == 3 else
                          statistics.median(inside))
        elif k in (1, 2):
            bounds.append(gutter(body, lo, hi, st))
        else:
            # No outer rule: the table reaches as far as the text below the header does.
            edge = min((c.x0 for c in body), default=lo) if k == 0 else \
                max((c.x1 for c in body), default=hi)
            bounds.append(min(edge, hi) - st.outer_margin * size if k == 0
                          else max(edge, lo) + st.outer_margin * size)
    return bounds


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
    return Columns(bounds, learned.header_words)


def page_header(page: PageGlyphs, st: Settings) -> list[BBox] | None:
    """The header words' boxes when the page shows the header row (computed once per page)."""
    if page.header is False:
        page.header = find_header_lines(visual_lines(page.chars, st), st)
    return page.header  # type: ignore[return-value]


def header_top_of(page: PageGlyphs, st: Settings) -> float | None:
    """Top of the header row's text on the page, or None when the page has none."""
    words = page_header(page, st)
    return min(w[1] for w in words) if words else None


def header_bottom_of(page: PageGlyphs, st: Settings) -> float:
    """Bottom of the header row's text on the page, or 0 when the page has none."""
    words = page_header(page, st)
    return max(w[3] for w in words) if words else 0.0
