"""report.html's three charts as inline SVG, written out as text.

Hand-written rather than drawn by a plotting library: the charts are simple (stacked bars, a
dot matrix), and matplotlib cost ~1 s to import and ~0.3 s to save each chart. Every label is
an SVG ``<text>``, so it stays searchable and copyable and the browser sets it in the page's
CJK font stack (inherited from the page's ``body``). The ``<svg>`` has a viewBox and no width
or height: the page's CSS scales it to its column.

Nothing here measures a font: a label's width comes from a rule, a full-width (CJK) character
one em, an ambiguous-width one (·, “, —) one em too (CJK fonts draw them full width), any other
0.7 em, and margins, wrapping and the choice between level and upright axis labels follow from
it, so no two labels overlap and none runs out of the viewBox. 0.7, not the usual ~0.6: the
page's font stack starts with system-ui, which on Linux is DejaVu Sans, whose digits Chromium
sets ~0.70 em wide at these sizes (measured; Noto Sans CJK's are ~0.55), and a rule that is
wide is only a little space lost. There are no ids, so any number of charts can share a page.
"""
from __future__ import annotations

import html
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

#: The viewBox's width: at the page's widest column (~1068 px) a 12-unit label is ~19 px, at
#: the figure's narrowest (560 px, below that it scrolls) ~10 px.
WIDTH = 680.0
LABEL = 12.0  # category labels, legends, axis titles
SMALL = 10.5  # tick numbers, values
MIN_LABEL = 7.5  # an upright label smaller than this: the chart grows wider instead
GAP = 4.0  # the least room between two labels side by side
AXIS, GRID, INK = "#666", "#e3e3e3", "#1d1d1f"
#: A category label longer than this share of the width is wrapped onto more lines.
LABEL_SHARE = 0.36
#: Where a label may break: after an enumeration comma, a comma or a slash (kept on the line).
_BREAKS = "、，,/；; "


def char_em(ch: str) -> float:
    """The width of ``ch`` in ems by the rule above."""
    if unicodedata.combining(ch) or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
        return 0.0
    return 1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.7


def text_width(text: str, size: float) -> float:
    return sum(map(char_em, text)) * size


def wrap(text: str, size: float, limit: float) -> list[str]:
    """``text`` in lines no wider than ``limit``, broken after 、，/ where it can, else anywhere."""
    if text_width(text, size) <= limit:
        return [text]
    pieces, start = [], 0
    for k, ch in enumerate(text):
        if ch in _BREAKS:
            pieces.append(text[start:k + 1])
            start = k + 1
    if start < len(text):
        pieces.append(text[start:])
    lines: list[str] = []
    line = ""
    for piece in pieces:
        if text_width(line + piece, size) <= limit:
            line += piece
            continue
        if line:
            lines.append(line)
            line = ""
        for ch in piece:  # a piece wider than a line on its own is cut between characters
            if line and text_width(line + ch, size) > limit:
                lines.append(line)
                line = ""
            line += ch
    if line:
        lines.append(line)
    return lines


def ticks(top: int) -> list[int]:
    """Whole-number ticks from 0 past ``top``, at most ~6, at a step of 1, 2 or 5 × 10ⁿ."""
    top = max(top, 1)
    step = 1
    for k in range(12):
        step = (1, 2, 5)[k % 3] * 10 ** (k // 3)
        if top / step <= 5:
            break
    return list(range(0, math.ceil(top / step) * step + 1, step))


def _n(value: float) -> str:
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


@dataclass(frozen=True)
class Series:
    """One colour of a stacked bar chart: its legend name and a value per category."""

    name: str
    color: str
    values: Sequence[int]


class _Drawing:
    """The elements of one chart, in drawing order."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self, x: float, y: float, text: str, *, size: float = LABEL,
             anchor: str = "start", upright: bool = False, fill: str = INK,
             bold: bool = False) -> None:
        """A label with its baseline at ``y``; ``upright``: turned to read bottom to top
        about (x, y)."""
        turn = f' transform="rotate(-90 {_n(x)} {_n(y)})"' if upright else ""
        weight = ' font-weight="bold"' if bold else ""
        self.parts.append(
            f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}" '
            f'fill="{fill}"{weight}{turn}>{_e(text)}</text>')

    def lines(self, x: float, y_mid: float, lines: Sequence[str], size: float,
              anchor: str) -> None:
        """Lines of one label, centred on ``y_mid``, as one text (copied as one)."""
        step = size * 1.25
        first = y_mid - step * (len(lines) - 1) / 2 + size * 0.35
        spans = "".join(
            f'<tspan x="{_n(x)}" y="{_n(first + k * step)}">{_e(line)}</tspan>'
            for k, line in enumerate(lines))
        self.parts.append(f'<text font-size="{_n(size)}" text-anchor="{anchor}" '
                          f'fill="{INK}">{spans}</text>')

    def rect(self, x: float, y: float, w: float, h: float, fill: str, title: str = "") -> None:
        tip = f"<title>{_e(title)}</title>" if title else ""
        self.parts.append(f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(w)}" height="{_n(h)}" '
                          f'fill="{fill}">{tip}</rect>')

    def line(self, x1: float, y1: float, x2: float, y2: float, stroke: str) -> None:
        self.parts.append(f'<line x1="{_n(x1)}" y1="{_n(y1)}" x2="{_n(x2)}" y2="{_n(y2)}" '
                          f'stroke="{stroke}" stroke-width="1"/>')

    def dot(self, x: float, y: float, r: float, fill: str, href: str, title: str) -> None:
        self.parts.append(f'<a href="{_e(href)}"><title>{_e(title)}</title><circle '
                          f'cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" fill="{fill}"/></a>')

    def legend(self, x: float, y: float, series: Sequence[Series]) -> None:
        """Colour swatches with their names, left to right from (x, y), y the text's middle."""
        for s in series:
            self.rect(x, y - LABEL * 0.4, LABEL * 0.8, LABEL * 0.8, s.color)
            x += LABEL * 1.2
            self.text(x, y + LABEL * 0.35, s.name)
            x += text_width(s.name, LABEL) + LABEL * 1.5

    def svg(self, width: float, height: float, label: str) -> str:
        return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_n(width)} '
                f'{_n(math.ceil(height))}" role="img" aria-label="{_e(label)}">'
                + "".join(self.parts) + "</svg>")


def legend_width(series: Sequence[Series]) -> float:
    return sum(LABEL * 2.7 + text_width(s.name, LABEL) for s in series) - LABEL * 1.5


@dataclass(frozen=True)
class _Axis:
    """Category labels under a row of equal slots: level when they fit, upright when not."""

    size: float
    upright: bool
    depth: float  # how far below the axis the labels reach

    @staticmethod
    def fit(labels: Sequence[str], slot: float) -> _Axis:
        widest = max(text_width(s, LABEL) for s in labels)
        if widest + GAP <= slot:
            return _Axis(LABEL, False, LABEL * 1.4)
        size = min(LABEL, slot / 1.3)
        return _Axis(size, True, max(text_width(s, size) for s in labels) + LABEL * 0.5)

    def draw(self, d: _Drawing, x: float, y_axis: float, label: str) -> None:
        if self.upright:
            # Upright text at x reaches from x - 0.85 em to x + 0.25 em across: centred on x.
            d.text(x + self.size * 0.3, y_axis + LABEL * 0.4, label, size=self.size,
                   anchor="end", upright=True)
        else:
            d.text(x, y_axis + LABEL * 1.2, label, size=self.size, anchor="middle")


def _slots(count: int, room: float) -> tuple[float, float]:
    """The slot width for ``count`` categories in ``room``, and the extra width the chart
    needs so that an upright label in a slot is at least MIN_LABEL."""
    slot = room / count
    least = MIN_LABEL * 1.3
    return (slot, 0.0) if slot >= least else (least, least * count - room)


def column_chart(categories: Sequence[str], series: Sequence[Series], *, y_title: str,
                 label: str) -> str:
    """Stacked columns, one per category, series bottom to top; empty without categories."""
    if not categories:
        return ""
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    scale = ticks(max(totals))
    left = LABEL * 1.6 + max(text_width(str(t), SMALL) for t in scale) + 6
    right = 8.0
    slot, extra = _slots(len(categories), WIDTH - left - right)
    axis = _Axis.fit(categories, slot)
    width = WIDTH + extra
    top = LABEL * 2.2 + SMALL * 1.4  # the legend's band, then room for the tallest value
    plot_h = 150.0
    base = top + plot_h
    height = base + axis.depth + 6
    d = _Drawing()
    d.legend(left, LABEL * 0.9, series)
    unit = plot_h / scale[-1]
    for t in scale:
        y = base - t * unit
        d.line(left, y, width - right, y, GRID if t else AXIS)
        d.text(left - 5, y + SMALL * 0.35, str(t), size=SMALL, anchor="end", fill=AXIS)
    d.text(LABEL * 1.1, top + plot_h / 2, y_title, anchor="middle", upright=True)
    bar = slot * 0.7
    for i, name in enumerate(categories):
        x = left + slot * i + (slot - bar) / 2
        y = base
        for s in series:
            v = s.values[i]
            if v:
                d.rect(x, y - v * unit, bar, v * unit, s.color, f"{name}：{s.name} {v}")
                y -= v * unit
        if totals[i] and text_width(str(totals[i]), SMALL) <= slot:
            d.text(x + bar / 2, y - 3, str(totals[i]), size=SMALL, anchor="middle")
        axis.draw(d, left + slot * (i + 0.5), base, name)
    return d.svg(width, height, label)


def _row_labels(rows: Sequence[str]) -> tuple[list[list[str]], float]:
    """Each row's label in lines, and the width of the widest line."""
    lines = [wrap(r, LABEL, WIDTH * LABEL_SHARE) for r in rows]
    return lines, max(text_width(line, LABEL) for ls in lines for line in ls)


def _row_heights(lines: Sequence[Sequence[str]], least: float) -> list[float]:
    return [max(least, len(ls) * LABEL * 1.25 + 6) for ls in lines]


def bar_chart(categories: Sequence[str], series: Sequence[Series], *, x_title: str,
              label: str) -> str:
    """Stacked horizontal bars, one per category top to bottom, series left to right; each
    part's value written in it where it fits. Empty without categories."""
    if not categories:
        return ""
    lines, widest = _row_labels(categories)
    totals = [sum(s.values[i] for s in series) for i in range(len(categories))]
    scale = ticks(max(totals))
    left = widest + 10
    right = text_width(str(scale[-1]), SMALL) / 2 + 8
    plot_w = WIDTH - left - right
    heights = _row_heights(lines, 24)
    top = LABEL * 2.2
    base = top + sum(heights)
    height = base + SMALL * 1.6 + LABEL * 1.8
    d = _Drawing()
    d.legend(max(left, WIDTH - right - legend_width(series)), LABEL * 0.9, series)
    unit = plot_w / scale[-1]
    for t in scale:
        x = left + t * unit
        d.line(x, top, x, base, GRID if t else AXIS)
        d.text(x, base + SMALL * 1.3, str(t), size=SMALL, anchor="middle", fill=AXIS)
    d.line(left, base, WIDTH - right, base, AXIS)
    d.text(left + plot_w / 2, height - LABEL * 0.5, x_title, anchor="middle")
    y = top
    for i, name in enumerate(categories):
        mid = y + heights[i] / 2
        d.lines(left - 6, mid, lines[i], LABEL, "end")
        thick = min(16.0, heights[i] - 6)
        x = left
        for s in series:
            v = s.values[i]
            if not v:
                continue
            d.rect(x, mid - thick / 2, v * unit, thick, s.color, f"{name}：{s.name} {v}")
            if text_width(str(v), SMALL) + GAP <= v * unit:
                d.text(x + v * unit / 2, mid + SMALL * 0.35, str(v), size=SMALL,
                       anchor="middle", fill="#fff", bold=True)
            x += v * unit
        y += heights[i]
    return d.svg(WIDTH, height, label)


@dataclass(frozen=True)
class Dot:
    """A dot of the matrix: its row and column, where it links, and its tooltip."""

    row: int
    column: int
    href: str
    title: str


def dot_matrix(rows: Sequence[str], columns: Sequence[str], dots: Sequence[Dot], *,
               x_title: str, color: str, label: str) -> str:
    """Rows × columns on a grid, a linked dot where a row meets a column; empty without rows
    or columns."""
    if not rows or not columns:
        return ""
    lines, widest = _row_labels(rows)
    left = widest + 12
    right = 8.0
    slot, extra = _slots(len(columns), WIDTH - left - right)
    axis = _Axis.fit(columns, slot)
    width = WIDTH + extra
    heights = _row_heights(lines, 22)
    top = 6.0
    base = top + sum(heights)
    height = base + axis.depth + LABEL * 1.8
    d = _Drawing()
    mids = []
    y = top
    for h in heights:
        mids.append(y + h / 2)
        y += h
    for j in range(len(columns)):
        x = left + slot * (j + 0.5)
        d.line(x, top, x, base, GRID)
    for i, m in enumerate(mids):
        d.line(left, m, width - right, m, GRID)
        d.lines(left - 6, m, lines[i], LABEL, "end")
    d.line(left, base, width - right, base, AXIS)
    for j, name in enumerate(columns):
        axis.draw(d, left + slot * (j + 0.5), base, name)
    d.text(left + (width - right - left) / 2, height - LABEL * 0.5, x_title, anchor="middle")
    r = min(5.0, slot * 0.35, min(heights) * 0.3)
    for dot in dots:
        d.dot(left + slot * (dot.column + 0.5), mids[dot.row], r, color, dot.href, dot.title)
    return d.svg(width, height, label)
