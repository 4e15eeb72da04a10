"""Text lines: glyphs grouped by vertical overlap, their text, and the page's body size."""
from __future__ import annotations

import re
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from operator import attrgetter

from pipeline.grammar import (
    WIDE_CHAR,
)
from pipeline.read.pdf.glyphs import Char, PageGlyphs
from pipeline.read.pdf.settings import Settings

_WIDE = re.compile(WIDE_CHAR)
_BY_MIDDLE = attrgetter("ymid", "x0")
_BY_LEFT = attrgetter("x0")


@dataclass
class Line:
    chars: list[Char]
    text: str = ""

    @property
    def x0(self) -> float:
        return self.chars[0].x0

    @property
    def x1(self) -> float:
        return self.chars[-1].x1

    @property
    def top(self) -> float:
        return min(c.top for c in self.chars)

    @property
    def bottom(self) -> float:
        return max(c.bottom for c in self.chars)

    @property
    def size(self) -> float:
        return statistics.median(c.size for c in self.chars)

    @property
    def height_size(self) -> float:
        """The largest font size on the line, which sets the line's height."""
        return max(c.size for c in self.chars)


def visual_lines(chars: Iterable[Char], st: Settings) -> list[Line]:
    """Characters grouped into lines by vertical overlap, each sorted left to right."""
    lines: list[Line] = []
    current: list[Char] = []
    mid = first_size = 0.0
    overlap = st.line_overlap
    # attrgetter, not lambdas: the keys are read in C (this runs a thousand times a list).
    for c in sorted(chars, key=_BY_MIDDLE):
        if current and abs(c.ymid - mid) > overlap * max(c.size, first_size):
            lines.append(Line(sorted(current, key=_BY_LEFT)))
            current = []
        if not current:
            mid, first_size = c.ymid, c.size
        current.append(c)
    if current:
        lines.append(Line(sorted(current, key=_BY_LEFT)))
    for line in lines:
        line.text = line_text(line.chars, st)
    return lines


def line_text(chars: Sequence[Char], st: Settings) -> str:
    """A line's text: a space only where a gap or a space glyph separates two Latin characters."""
    out: list[str] = []
    prev: Char | None = None
    spaced = False
    for c in chars:
        if not c.text.strip():
            spaced = True
            continue
        if (prev is not None and (spaced or c.x0 - prev.x1 > st.word_space * c.size)
                and not _WIDE.match(prev.text[-1]) and not _WIDE.match(c.text[0])):
            out.append(" ")
        out.append(c.text)
        prev, spaced = c, False
    return "".join(out)


def join_lines(lines: list[str]) -> str:
    """Wrapped lines as one paragraph: CJK joins with nothing, Latin words keep one space."""
    out = ""
    for text in lines:
        text = text.strip()
        if not text:
            continue
        if out and not _WIDE.match(out[-1]) and not _WIDE.match(text[0]):
            out += " "
        out += text
    return out


def typical_pitch(tops: list[float], st: Settings) -> float | None:
    """The usual distance between consecutive line tops."""
    steps = [b - a for a, b in pairwise(tops) if b - a > st.min_pitch]
    return statistics.median_low(steps) if steps else None


def body_size(page: PageGlyphs, st: Settings) -> float:
    """The most common font size on the page (scales every tolerance); counted once a page,
    as every step asks for it."""
    if page.body is None:
        sizes = [round(c.size, 1) for c in page.chars if c.text.strip()]
        page.body = statistics.mode(sizes) if sizes else st.default_size
    return page.body


def line_bold(line: Line) -> bool:
    chars = [c for c in line.chars if c.text.strip()]
    return sum(c.bold for c in chars) > len(chars) / 2
