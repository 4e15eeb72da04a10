"""Paragraphs: a cell's lines joined, broken at a wider gap, an indent or a line left short."""
from __future__ import annotations

import re
import statistics
from collections import defaultdict
from itertools import pairwise

from pipeline.grammar import (
    NO_LINE_END as _NO_LINE_END,
    NO_LINE_START as _NO_LINE_START,
    QUOTES as _QUOTES,
    WIDE_CHAR,
)
from pipeline.read.pdf.cells import RowLines
from pipeline.read.pdf.lines import Line, join_lines
from pipeline.read.pdf.settings import Settings

_WIDE = re.compile(WIDE_CHAR)
_ALNUM = re.compile(r"[A-Za-z0-9]")


def build_paragraphs(rows: list[RowLines], st: Settings) -> None:
    """Each cell's lines joined into paragraphs, with the document's own spacing as yardstick."""
    pitch = pitch_by_size(rows)
    pad_left, pad_right = paddings(rows)
    for row in rows:
        for cell in row.cells:
            if not cell.lines:
                continue
            left = cell.left + pad_left.get(cell.column, 0.0)
            right = cell.right - pad_right.get(cell.column, 0.0)
            cell.paragraphs = tuple(join_lines(p) for p in split_paragraphs(
                cell.lines, left, right, pitch, st))


def pitch_by_size(rows: list[RowLines]) -> dict[float, float]:
    """The usual distance between line tops within a paragraph, per font size (the largest on
    a line: a word set larger makes the whole line taller)."""
    steps: dict[float, list[float]] = defaultdict(list)
    for row in rows:
        for cell in row.cells:
            for a, b in zip(cell.lines, cell.lines[1:]):
                steps[round(a.height_size, 1)].append(b.top - a.top)
    # Wraps far outnumber paragraph breaks, so the lower half of the steps is all wraps.
    return {size: statistics.median_low(v) for size, v in steps.items() if v}


def paddings(rows: list[RowLines]) -> tuple[dict[int, float], dict[int, float]]:
    """Per column, where wrapped text lines start and how close to the right rule lines end.

    Wrapped lines are those after a line that left no room for another character; their
    usual start tells a first-line indent and a hanging indent alike, even in a column of
    short paragraphs where first lines outnumber wrapped ones.
    """
    right: dict[int, float] = {}
    for row in rows:
        for cell in row.cells:
            for line in cell.lines:
                if line.chars[-1].text not in _NO_LINE_START:  # punctuation may hang out
                    right[cell.column] = min(right.get(cell.column, 1e9), cell.right - line.x1)
    right = {k: max(v, 0.0) for k, v in right.items()}
    starts: dict[int, list[float]] = defaultdict(list)
    wrapped: dict[int, list[float]] = defaultdict(list)
    for row in rows:
        for cell in row.cells:
            edge = cell.right - right.get(cell.column, 0.0)
            for prev, line in zip([None, *cell.lines], cell.lines):
                start = round(line.x0 - cell.left, 1)
                starts[cell.column].append(start)
                if prev is not None and prev.x1 + line.size > edge:
                    wrapped[cell.column].append(start)
    left = {k: statistics.mode(wrapped.get(k) or v) for k, v in starts.items()}
    return left, right


def split_paragraphs(lines: list[Line], left: float, right: float,
                     pitch: dict[float, float], st: Settings) -> list[list[str]]:
    """Lines grouped into paragraphs: a break at a wide gap, an indent (first-line or hanging,
    ``left`` being where wrapped lines start), or a line left short."""
    paragraphs: list[list[str]] = [[lines[0].text]]
    for prev, line in pairwise(lines):
        size = line.size
        usual = pitch.get(round(prev.height_size, 1), st.default_leading * size)
        gap = line.top - prev.top > usual + st.paragraph_gap * size
        indent = abs(line.x0 - left) > st.indent * size
        # Half an em of slack covers spacing between CJK and Latin text and rounding; a
        # missed break costs less than a false one (labels split paragraphs again later).
        short = prev.x1 + first_unit_width(line, st) + st.short_slack * size <= right
        if gap or indent or short:
            paragraphs.append([line.text])
        else:
            paragraphs[-1].append(line.text)
    return paragraphs


def first_unit_width(line: Line, st: Settings) -> float:
    """Width the next line's first unbreakable unit would need at the end of the line before.

    A unit is one CJK character or one Latin word, with the punctuation that may not be
    separated from it (line-breaking rules keep quotation marks glued to both neighbours).
    """
    chars = [c for c in line.chars if c.text.strip()]
    i = 0
    while i < len(chars) - 1 and (chars[i].text in _NO_LINE_END or chars[i].text in _QUOTES):
        i += 1
    if _ALNUM.match(chars[i].text):
        while i + 1 < len(chars) and _ALNUM.match(chars[i + 1].text) \
                and chars[i + 1].x0 - chars[i].x1 < st.latin_word_gap * chars[i].size:
            i += 1
    while i + 1 < len(chars):
        nxt = chars[i + 1].text
        if nxt in _QUOTES and i + 2 < len(chars):
            i += 2
        elif nxt in _NO_LINE_START or nxt in _QUOTES:
            i += 1
        elif _ALNUM.match(nxt) and chars[i].text in _NO_LINE_START:
            # Renderers differ on breaking between punctuation and a number; assume they don't.
            i += 1
            while i + 1 < len(chars) and _ALNUM.match(chars[i + 1].text):
                i += 1
        else:
            break
    return chars[i].x1 - chars[0].x0
