"""Reader for the published PDF (pdfplumber): the task table's rows, page by page.

The table is found by its header (重点任务 · 工作举措 · 任务分工) and its ruling lines (lines,
outlined rectangles, or thin filled paths as browsers draw borders): columns come from the
vertical lines at the header, rows from the horizontal lines that cross the first column and
span the table. A table without rules falls back on the text: columns from the gutters between
the header words, rows from the first column's text blocks, their edges in the widest gaps
between lines (cells may be top-aligned or centred). Text outside the table — the 附件 line, a
letterhead, a notice around it, page numbers, a web page's footer — is ignored, except the
title above the table (the nearest block naming the 任务清单, else the nearest prominent one).

Inside a cell, characters become lines and lines become paragraphs by their positions: a new
paragraph starts after a larger line gap, at a first-line indent, or after a line that ended
although the next line's first word would have fitted on it. Rows are yielded per page, header
rows dropped; joining rows cut by page breaks is stitch's job (see pipeline/stitch.py), except
for a section row cut in two, which stitch cannot tell from a task title's tail.

All tolerances are fractions of the font size of the characters concerned, so the reader does
not depend on page size, font or font size.
"""
from __future__ import annotations

import re
import statistics
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from pipeline.errors import (
    NoTaskTableError,
    PdfDamagedError,
    PdfNoTextError,
    PdfNoUnicodeError,
)
from pipeline.grammar import (
    ANNEX_LINE as _ANNEX,
    HEADER,
    NO_LINE_END as _NO_LINE_END,
    NO_LINE_START as _NO_LINE_START,
    PAGE_NUMBER as _PAGE_NUMBER,
    QUOTES as _QUOTES,
    ROW_OPENER as _ROW_OPENER,
    SECTION_OPENER as _SECTION_OPENER,
    WIDE_CHAR,
    is_header,
    normalize_ws,
)
from pipeline.models import BBox, RawCell, RawRow, RawTable
from pipeline.read.pdf.load import LIMITS, Limits, PageObjects, open_pdf

_WIDE = re.compile(WIDE_CHAR)
_CID = re.compile(r"\(cid:\d+\)")
_ALNUM = re.compile(r"[A-Za-z0-9]")
_BOLD_FONT = re.compile(r"bold|heavy|black|semibold|demi", re.I)

# Fonts whose Unicode map points some ideographs at Kangxi radicals (⽤ for 用, ⼯ for 工) are
# common in Chinese PDFs; the text means the unified ideographs.
_RADICALS = {ch: nfkc for ch in map(chr, [*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6)])
             if len(nfkc := unicodedata.normalize("NFKC", ch)) == 1 and nfkc != ch}
# The CJK Radicals Supplement has no such decomposition; the pairs below are the ones whose
# glyph Noto CJK SC shares with a unified ideograph (they agree with Unicode's
# EquivalentUnifiedIdeograph.txt). Chromium (Skia) writes ⺠ for 民 and ⻚ for 页 this way.
_RADICALS.update(zip(*[iter(
    "⺂乛⺃乚⺅亻⺉刂⺏尣⺐尢⺒巳⺓幺⺔彑⺕彐⺖忄⺘扌⺙攵⺛旡⺞歺⺟母⺠民⺡氵⺣灬⺤爫⺦丬⺨犭⺭礻⺯糹"
    "⺰纟⺱罓⺹耂⺺肀⺾艹⻂衤⻅见⻆角⻈讠⻉贝⻋车⻌辶⻐钅⻑長⻒镸⻓长⻔门⻖阝⻘青⻙韦⻚页⻛风⻜飞⻝食"
    "⻟飠⻠饣⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻮齿⻯竜⻰龙⻱龜⻲亀⻳龟")] * 2))
# The one Kangxi radical whose glyph in SC fonts is another ideograph than its NFKC form:
# Skia writes ⼾ for 户 (NFKC would make it the traditional 戶).
_RADICALS["⼾"] = "户"
# CJK fonts draw the dash of 中国—中亚 (U+2014) and the horizontal bar U+2015 with one glyph,
# and encodings of GB 2312 disagree on which one A1AA is; the text means the dash.
_RADICALS["―"] = "—"
_RADICAL_TABLE = str.maketrans(_RADICALS)

#: Horizontal rules count as row boundaries when they cover this share of the table's width.
_SPAN_SHARE = 0.5


@dataclass(frozen=True)
class _Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool

    @property
    def xmid(self) -> float:
        return (self.x0 + self.x1) / 2

    @property
    def ymid(self) -> float:
        return (self.top + self.bottom) / 2


@dataclass(frozen=True)
class _Seg:
    """A ruling line: ``pos`` is y for a horizontal one, x for a vertical one."""

    pos: float
    start: float
    end: float


@dataclass
class _Page:
    number: int
    width: float
    height: float
    chars: list[_Char]
    hsegs: list[_Seg]
    vsegs: list[_Seg]
    has_images: bool
    radicals: int = 0  # Kangxi radicals read as the ideographs they stand for
    header: list[BBox] | bool | None = False  # the header words' boxes; False: not looked yet


@dataclass
class _Line:
    chars: list[_Char]
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


@dataclass
class _CellLines:
    """A cell's text lines before paragraphs are built, with the text area's edges."""

    lines: list[_Line]
    left: float  # the column's boundary lines
    right: float
    column: int
    bbox: BBox | None = None
    paragraphs: tuple[str, ...] = ()


@dataclass
class _RowLines:
    page: int
    row: int
    cells: list[_CellLines]
    bbox: BBox


@dataclass
class _Columns:
    """The table's four column boundaries (x) and the header words' boxes."""

    bounds: list[float]
    header_words: list[BBox] = field(default_factory=list)


# ---- entry point -------------------------------------------------------------------------

def read_pdf(data: bytes, source: str, limits: Limits = LIMITS) -> RawTable:
    """Parse a PDF's bytes into the raw table, refusing a file over one of the ``limits``."""
    _check_complete(data, source)
    pages, notes = _load_pages(data, source, limits)
    _check_text(pages, source)
    start, columns = _find_header(pages, source)
    head = _head(pages[:start + 1], min(w[1] for w in columns.header_words))
    title = _title(pages[start], min(w[1] for w in columns.header_words))
    if title is None and start > 0:  # the title page ends just before the table begins
        title = _title(pages[start - 1], pages[start - 1].height)
    rows: list[_RowLines] = []
    scanned: list[int] = []
    table_ruled: bool | None = None
    for page in pages[start:]:
        if not any(c.text.strip() for c in page.chars):
            if page.has_images:
                scanned.append(page.number)
            continue
        columns = _page_columns(page, columns)
        ruled = _is_ruled(page, columns)
        if table_ruled is None:
            table_ruled = ruled
        elif table_ruled and not ruled:
            break  # a ruled table has ended: text after it (附件下载：, a web page's footer)
        rows.extend(_page_rows(page, columns, first=page is pages[start]))
    if rows and scanned and scanned[0] < rows[-1].page:
        # A scanned page inside the table would silently drop its rows.
        raise PdfNoTextError(source, f"page {scanned[0]} is an image without a text layer, "
                                     "inside the table")
    _build_paragraphs(rows)
    raw_rows = tuple(_raw_row(r) for r in rows)
    raw_rows = _join_cut_section_rows([r for r in raw_rows if not is_header(
        [c.text for c in r.cells]) and not _row_is_empty(r)])
    if not raw_rows:
        raise NoTaskTableError(source, "the table under the header has no rows")
    return RawTable(source=source, fmt="pdf", title=title, rows=raw_rows, notes=tuple(notes),
                    head=head)


# ---- opening the file and checking it is whole ------------------------------------------

def _check_complete(data: bytes, source: str) -> None:
    """Refuse a truncated file: pdfminer would silently recover part of it."""
    # Padding after %%EOF (NULs from a download tool, blank lines) is harmless: readers skip it.
    tail = data.rstrip(b"\x00 \t\r\n\f")[-2048:]
    if b"%%EOF" not in tail:
        raise PdfDamagedError(source, "the PDF is truncated (no %%EOF marker at its end)")
    found = re.findall(rb"startxref\s+(\d+)", tail)
    if not found:
        raise PdfDamagedError(source, "the PDF has no startxref pointer to its "
                                      "cross-reference table")
    offset = int(found[-1])
    # A few bytes of slack: some producers miscount line ends, and pdfminer copes with that.
    near = data[max(offset - 8, 0):offset + 40]
    if offset >= len(data) or not re.search(rb"(^|\s)(xref|\d+\s+\d+\s+obj)\b", near):
        raise PdfDamagedError(source, f"the PDF's cross-reference offset {offset} does not point "
                                      "at a cross-reference table")


def _load_pages(data: bytes, source: str, limits: Limits) -> tuple[list[_Page], list[str]]:
    """Every page's characters and ruling lines, within the limits."""
    notes: list[str] = []
    with open_pdf(data, source, limits) as pdf:
        if pdf.encrypted:
            notes.append(f"{source}: the PDF is encrypted with an owner password only "
                         "(copy/print restrictions); its text was read without one")
        pages = [_page(objects, objects.number) for objects in pdf.pages()]
    if not pages:
        raise PdfDamagedError(source, "the PDF has no pages")
    radicals = sum(p.radicals for p in pages)
    if radicals:
        notes.append(f"{source}: {radicals} radical or variant characters sharing an ideograph's "
                     "glyph (e.g. ⽤, ⺠) read as the ideographs they stand for (用, 民)")
    return pages, notes


def _page(page: PageObjects, number: int) -> _Page:
    """The parts of a page the reader uses (characters, ruling lines, images)."""
    chars = []
    radicals = 0
    for c in page.chars:
        if not c.get("upright", True) or not c["text"]:
            continue
        text = c["text"].translate(_RADICAL_TABLE)
        radicals += text != c["text"]
        chars.append(_Char(text, c["x0"], c["x1"], c["top"], c["bottom"], c["size"],
                           bool(_BOLD_FONT.search(c.get("fontname") or ""))))
    hsegs: list[_Seg] = []
    vsegs: list[_Seg] = []
    width, height = float(page.width), float(page.height)
    # Browsers (Skia) draw cell borders as filled paths, which pdfplumber reports as curves.
    for obj in (*page.lines, *page.rects, *page.curves):
        # A page-sized rectangle is a background, not a table border.
        if obj["x1"] - obj["x0"] < 0.9 * width or obj["bottom"] - obj["top"] < 0.9 * height:
            _add_rules(obj, hsegs, vsegs)
    return _Page(number, width, height, _dedupe(chars), hsegs, vsegs,
                 bool(page.images), radicals)


def _add_rules(obj: dict[str, Any], hsegs: list[_Seg], vsegs: list[_Seg]) -> None:
    """Ruling lines of a line or rectangle object (thin rectangles are lines, outlined ones
    edges)."""
    x0, x1, top, bottom = obj["x0"], obj["x1"], obj["top"], obj["bottom"]
    thin = 2.0
    if bottom - top <= thin:
        hsegs.append(_Seg((top + bottom) / 2, x0, x1))
    elif x1 - x0 <= thin:
        vsegs.append(_Seg((x0 + x1) / 2, top, bottom))
    elif obj.get("object_type") == "rect" and obj.get("stroke", True):
        # A filled rectangle without an outline is shading (a grey header row), not a border.
        hsegs += [_Seg(top, x0, x1), _Seg(bottom, x0, x1)]
        vsegs += [_Seg(x0, top, bottom), _Seg(x1, top, bottom)]


def _dedupe(chars: list[_Char]) -> list[_Char]:
    """Drop glyphs drawn twice at the same place (fake bold)."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for c in chars:
        key = (c.text, round(c.x0 * 2), round(c.top * 2))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def _check_text(pages: list[_Page], source: str) -> None:
    """Refuse a scan (no text layer) and text the fonts cannot map to Unicode."""
    if not any(c.text.strip() for p in pages for c in p.chars):
        raise PdfNoTextError(source, f"none of its {len(pages)} pages has any text")
    for page in pages:
        cids = [c.text for c in page.chars if _CID.fullmatch(c.text)]
        if cids:
            raise PdfNoUnicodeError(source, f"page {page.number} has {len(cids)} characters "
                                            f"without a Unicode mapping (e.g. {cids[0]})")


# ---- the header and the columns ------------------------------------------------------------

def _visual_lines(chars: Iterable[_Char]) -> list[_Line]:
    """Characters grouped into lines by vertical overlap, each sorted left to right."""
    lines: list[_Line] = []
    current: list[_Char] = []
    mid = 0.0
    for c in sorted(chars, key=lambda c: (c.ymid, c.x0)):
        if current and abs(c.ymid - mid) > 0.45 * max(c.size, current[0].size):
            lines.append(_Line(sorted(current, key=lambda c: c.x0)))
            current = []
        if not current:
            mid = c.ymid
        current.append(c)
    if current:
        lines.append(_Line(sorted(current, key=lambda c: c.x0)))
    for line in lines:
        line.text = _line_text(line.chars)
    return lines


def _line_text(chars: Sequence[_Char]) -> str:
    """A line's text: a space only where a gap or a space glyph separates two Latin characters."""
    out: list[str] = []
    prev: _Char | None = None
    spaced = False
    for c in chars:
        if not c.text.strip():
            spaced = True
            continue
        if (prev is not None and (spaced or c.x0 - prev.x1 > 0.25 * c.size)
                and not _WIDE.match(prev.text[-1]) and not _WIDE.match(c.text[0])):
            out.append(" ")
        out.append(c.text)
        prev, spaced = c, False
    return "".join(out)


def _find_header(pages: list[_Page], source: str) -> tuple[int, _Columns]:
    """The first page holding the header row, and the columns it defines."""
    for i, page in enumerate(pages):
        words = _page_header(page)
        if words:
            header_bottom = max(w[3] for w in words)
            body = [c for c in page.chars if c.top > header_bottom and c.text.strip()]
            body += [c for p in pages[i + 1:i + 3] for c in p.chars if c.text.strip()]
            return i, _Columns(_bounds_at(page, words, body), words)
    raise NoTaskTableError(source, f"no table header row ({' / '.join(HEADER)}) found on any page")


def _header_words(lines: Sequence[_Line]) -> list[BBox] | None:
    """Boxes of 重点任务, 工作举措 and 任务分工 when these lines hold the header row, and only it.

    The lines' characters are grouped into columns by their horizontal extent, so a header
    word wrapped in a narrow column (任务分 / 工), or set a little lower, still counts.
    """
    chars = sorted((c for line in lines for c in line.chars if c.text.strip()),
                   key=lambda c: c.x0)
    if not chars or len(chars) > 3 * len("".join(HEADER)):
        return None
    groups: list[list[_Char]] = [[chars[0]]]
    right = chars[0].x1
    for c in chars[1:]:
        if c.x0 - right > 0.3 * c.size:
            groups.append([])
        groups[-1].append(c)
        right = max(right, c.x1)
    if len(groups) != 3:
        return None
    boxes: list[BBox] = []
    for word, group in zip(HEADER, groups):
        ordered = sorted(group, key=lambda c: (round(c.top / (0.5 * c.size)), c.x0))
        if "".join(c.text for c in ordered) != word:
            return None
        boxes.append((min(c.x0 for c in group), min(c.top for c in group),
                      max(c.x1 for c in group), max(c.bottom for c in group)))
    return boxes


def _find_header_lines(lines: list[_Line]) -> list[BBox] | None:
    """The header words' boxes from the first one to three consecutive lines that hold it."""
    for i in range(len(lines)):
        for k in (1, 2, 3):
            if i + k <= len(lines):
                words = _header_words(lines[i:i + k])
                if words:
                    return words
    return None


def _bounds_at(page: _Page, words: list[BBox], body: list[_Char]) -> list[float]:
    """Column boundaries: vertical rules crossing the header row, else the text's gutters."""
    top = min(w[1] for w in words)
    bottom = max(w[3] for w in words)
    xs = sorted(s.pos for s in page.vsegs if s.start <= bottom and s.end >= top)
    gaps = [(-1e9, words[0][0]), (words[0][2], words[1][0]), (words[1][2], words[2][0]),
            (words[2][2], 1e9)]
    size = _body_size(page)
    bounds: list[float] = []
    for k, (lo, hi) in enumerate(gaps):
        inside = [x for x in xs if lo < x < hi]
        if inside:
            # Outer rules: the one nearest the words; inner ones: any (they cluster).
            bounds.append(inside[-1] if k == 0 else inside[0] if k == 3 else
                          statistics.median(inside))
        elif k in (1, 2):
            bounds.append(_gutter(body, lo, hi))
        else:
            # No outer rule: the table reaches as far as the text below the header does.
            edge = min((c.x0 for c in body), default=lo) if k == 0 else \
                max((c.x1 for c in body), default=hi)
            bounds.append(min(edge, hi) - 0.5 * size if k == 0 else max(edge, lo) + 0.5 * size)
    return bounds


def _gutter(chars: list[_Char], lo: float, hi: float) -> float:
    """Middle of the widest x-range in (lo, hi) that the fewest characters cover.

    Between two columns no text stands, except section titles in merged cells; counting
    coverage (rather than requiring none) keeps those few from hiding the gutter.
    """
    step = 0.5
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


def _page_columns(page: _Page, learned: _Columns) -> _Columns:
    """This page's column boundaries: its own vertical rules near the learned ones."""
    size = _body_size(page)
    bounds = []
    for x in learned.bounds:
        near = [s.pos for s in page.vsegs if abs(s.pos - x) < 1.5 * size]
        bounds.append(statistics.median(near) if near else x)
    return _Columns(bounds, learned.header_words)


def _body_size(page: _Page) -> float:
    """The most common font size on the page (scales every tolerance)."""
    sizes = [round(c.size, 1) for c in page.chars if c.text.strip()]
    return statistics.mode(sizes) if sizes else 10.0


# ---- the title ---------------------------------------------------------------------------------

def _title(page: _Page, header_top: float) -> str | None:
    """The block of lines nearest above the header row that names a 任务清单, else the nearest
    prominent one (larger than the body text, or bold), without the 附件 line and page numbers.

    Above the table may stand a whole notice — its own larger heading, a document number, the
    addressees, a signature — so the title is the prominent block closest to the table, not
    the largest text on the page.
    """
    above = [line for line in _visual_lines(c for c in page.chars if c.bottom <= header_top)
             if line.text.strip() and not _ANNEX.match(line.text.strip())
             and not _PAGE_NUMBER.match(line.text)]
    if not above:
        return None
    body = _body_size(page)
    blocks: list[list[_Line]] = []
    for line in above:
        prev = blocks[-1][-1] if blocks else None
        if prev is not None and abs(line.size - prev.size) < 0.5 and \
                _line_bold(line) == _line_bold(prev) and line.top - prev.bottom < 0.8 * line.size:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    texts = [_join_lines([line.text for line in b]) for b in blocks]
    # As the HTML reader does: a block naming the 任务清单 wins (a browser's synthetic bold
    # leaves no trace in the font name, so the title may look like plain text).
    named = [t for t in texts if "任务清单" in t and len(t) <= 80]
    if named:
        return named[-1]
    prominent = [t for b, t in zip(blocks, texts) if b[0].size > body + 0.5 or _line_bold(b[0])]
    return prominent[-1] if prominent else texts[-1]


def _head(pages: Sequence[_Page], header_top: float) -> tuple[str, ...]:
    """Text lines above the table, top first: the pages before it and its first page down to
    the header row (a notice, its 文号, a letterhead), for the document's metadata."""
    *before, first = pages
    return tuple(line.text for page in before for line in _visual_lines(page.chars)) + tuple(
        line.text for line in _visual_lines(c for c in first.chars if c.bottom <= header_top))


def _line_bold(line: _Line) -> bool:
    chars = [c for c in line.chars if c.text.strip()]
    return sum(c.bold for c in chars) > len(chars) / 2


# ---- rows and cells --------------------------------------------------------------------------

def _page_rows(page: _Page, columns: _Columns, first: bool = False) -> list[_RowLines]:
    """The table rows on one page, each cell's characters grouped into lines."""
    size = _body_size(page)
    left, right = columns.bounds[0], columns.bounds[-1]
    bands = _row_bands(page, columns, size)
    header_top = _header_top(page) if first else None
    # On the table's first page, a rule above it (under a letterhead) bounds no row; on later
    # pages a header row may stand below rows (LibreOffice's HTML import puts it mid-page).
    if header_top is not None:
        bands = [(t, b) for t, b in bands if b > header_top + 0.5 * size]
    table_chars = [c for c in page.chars if left - size < c.xmid < right + size]
    # A page number under (or over) the text would join the nearest row of a table whose
    # rows have no rules to stop them.
    edge_lines = _visual_lines(c for c in table_chars if c.text.strip())
    for line in (edge_lines[:1] + edge_lines[-1:]) if len(edge_lines) > 1 else []:
        if _PAGE_NUMBER.match(line.text):
            drop = set(map(id, line.chars))
            table_chars = [c for c in table_chars if id(c) not in drop]
    rows: list[_RowLines] = []
    for top, bottom in bands:
        in_band = [c for c in table_chars if top < c.ymid < bottom]
        text = "".join(c.text for c in in_band).strip()
        if not text or _PAGE_NUMBER.match(text):
            continue
        if _other_table(page, columns, top, bottom, size):
            break
        row = _row(page, columns, len(rows) + 1, top, bottom, in_band, size)
        if rows and _after_table(row, columns, size):
            break
        rows.append(row)
    return rows


def _other_table(page: _Page, columns: _Columns, top: float, bottom: float,
                 size: float) -> bool:
    """True for a band on a page with column rules that is not a row of this table: no rule
    runs down the table's edges through it (text between two tables), or a rule runs down it
    where this table has no column boundary (a second table, such as a 附件下载 list)."""
    if not any(abs(s.pos - x) < 1.5 * size for s in page.vsegs for x in columns.bounds):
        return False
    mid = (top + bottom) / 2
    crossing = [s.pos for s in page.vsegs if s.start < mid < s.end]
    edges = [x for x in (columns.bounds[0], columns.bounds[-1])
             if any(abs(pos - x) < 1.5 * size for pos in crossing)]
    stray = [pos for pos in crossing if min(abs(pos - x) for x in columns.bounds) > 1.5 * size]
    return not edges or bool(stray)


def _after_table(row: _RowLines, columns: _Columns, size: float) -> bool:
    """True for text under the table that a table without rules seems to hold: a line across
    the columns (发布日期：…, a signature) that is no section title.

    Only section titles run across the columns of this table; the first row of a page is
    exempt, as it may be the tail of a section title cut by the page break.
    """
    lines = [line for cell in row.cells for line in cell.lines]
    first = next((line.text for line in lines if line.text.strip()), "")
    if not first or _SECTION_OPENER.match(first):
        return False
    x = columns.bounds[1]
    joined = _visual_lines(c for line in lines for c in line.chars)
    across = [_runs_across(line, x) for line in joined
              if line.chars[0].xmid < x < line.chars[-1].xmid]
    return bool(across) and 2 * sum(across) > len(across)


def _is_ruled(page: _Page, columns: _Columns) -> bool:
    """True when a rule on the page spans the whole table (a link's underline does not) or
    runs down one of its column boundaries."""
    size = _body_size(page)
    left, right = columns.bounds[0], columns.bounds[-1]
    return any(s.start < left + size and s.end > right - size for s in page.hsegs) or any(
        abs(s.pos - x) < 1.5 * size for s in page.vsegs for x in columns.bounds)


def _row_bands(page: _Page, columns: _Columns, size: float) -> list[tuple[float, float]]:
    """(top, bottom) of each table row on the page, from rules spanning the table."""
    left, right = columns.bounds[0], columns.bounds[-1]
    ys = _spanning_rules(page.hsegs, left, right, size, columns.bounds[1])
    if len(ys) >= 2:
        # Where a renderer leaves out the border at a page break, the table's outer vertical
        # rules still reach past the last (or first) horizontal one.
        sides = [s for s in page.vsegs if min(abs(s.pos - left), abs(s.pos - right)) < size]
        if sides:
            lowest, highest = max(s.end for s in sides), min(s.start for s in sides)
            ys = ([highest] if highest < ys[0] - 0.5 * size else []) + ys + \
                ([lowest] if lowest > ys[-1] + 0.5 * size else [])
        # Top, under the header, bottom and no column rules: rows have no rules of their own.
        sparse = len(ys) <= 3 and not page.vsegs
        return [band for top, bottom in pairwise(ys)
                for band in _split_at_openers(page, columns, top, bottom, size, sparse)]
    return _bands_from_text(page, columns, size)


def _split_at_openers(page: _Page, columns: _Columns, top: float, bottom: float,
                      size: float, sparse: bool) -> list[tuple[float, float]]:
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
    openers = [line for line in _visual_lines(c for c in chars if c.xmid < inner)
               if _ROW_OPENER.match(line.text)]
    cuts = [line.top - 0.25 * size for line in openers
            if line.top > first + 0.5 * size] if len(openers) > 1 or sparse else []
    header_bottom = _header_bottom(page)
    if top < header_bottom < bottom - size:  # no rule under a repeated header either
        cuts = sorted([header_bottom + 0.25 * size, *(c for c in cuts if c > header_bottom)])
    if not cuts:
        return [(top, bottom)]
    edges = [top, *cuts, bottom]
    return list(pairwise(edges))


def _spanning_rules(hsegs: list[_Seg], left: float, right: float, size: float,
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
        key = next((y for y in by_y if abs(y - seg.pos) < 0.2 * size), seg.pos)
        by_y.setdefault(key, []).append((lo, hi))
    width = right - left
    return sorted(y for y, spans in by_y.items() if _covered(spans) >= _SPAN_SHARE * width
                  and (first is None or _covered([(lo, min(hi, first)) for lo, hi in spans
                                                   if lo < first]) >= 0.5 * (first - left)))


def _covered(spans: list[tuple[float, float]]) -> float:
    """Length of the union of intervals."""
    total, end = 0.0, float("-inf")
    for lo, hi in sorted(spans):
        if hi > end:
            total += hi - max(lo, end)
            end = hi
    return total


def _bands_from_text(page: _Page, columns: _Columns, size: float) -> list[tuple[float, float]]:
    """Without horizontal rules: rows from the first column's text blocks.

    A row opens at a first-column line that stands well below the previous one (the cell above
    ended before its neighbours) or that opens with a task or section number. Its top edge is
    the widest gap in all three columns between the first column's previous line and that
    line: right above it when cells are top-aligned, higher up when they are centred
    vertically. Text before the first such row continues a row from the page before.
    """
    left, inner, right = columns.bounds[0], columns.bounds[1], columns.bounds[-1]
    header_bottom = _header_bottom(page)
    body = [line for line in _visual_lines(
        c for c in page.chars if left < c.xmid < right and c.top > header_bottom)
        if line.text.strip() and not _PAGE_NUMBER.match(line.text)]
    if not body:
        return []
    lines = _visual_lines(c for line in body for c in line.chars
                          if c.xmid < inner and c.text.strip())
    pitch = _typical_pitch([line.top for line in lines]) or 1.5 * size
    gaps = _text_gaps(body)
    top = body[0].top - 0.25 * size
    openers: list[tuple[_Line, float, float]] = []  # (line, floor, bottom of its block)
    prev: _Line | None = None
    for line in lines:
        if line.top > body[0].top + 0.5 * size and (
                prev is None or line.top - prev.top > 1.5 * pitch or _ROW_OPENER.match(line.text)):
            floor = max(prev.bottom if prev is not None else top,
                        openers[-1][0].bottom if openers else top)
            openers.append((line, floor, line.bottom))
        elif openers:
            openers[-1] = (openers[-1][0], openers[-1][1], line.bottom)
        prev = line
    bottom = max(line.bottom for line in body) + size
    found: list[tuple[float, float]] = []  # (edge, excess of the gap it lies in), bottom up
    below = bottom
    # Between rows there is more space than between lines (cell padding); a gap no wider than
    # the usual one between lines is no row boundary.
    for line, floor, block_bottom in reversed(openers):
        choices = [g for g in _widest_gaps(gaps, floor, line.top, size) if g[2] > 0.1 * size]
        if not choices:
            edge = (line.top - 0.25 * size, 0.0)
        elif choices[-1][1] > line.top - 0.5 * size:  # right above the line: top-aligned
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
    if len(found) > 1 and lines[0].top > body[0].top + 0.5 * size:
        # Text above the first row on the page continues a row from the page before only
        # if a gap as wide as those between this page's other rows parts it from that row;
        # else it is the top of a row whose first cell is centred below it.
        row_gap = min(width for _, width in found[1:])
        if found[0][1] < row_gap - 0.1 * size:
            found.pop(0)
    edges = [*sorted({top, *(edge for edge, _ in found)}), bottom]
    return list(pairwise(edges))


def _text_gaps(lines: list[_Line]) -> list[tuple[float, float, float]]:
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


def _widest_gaps(gaps: list[tuple[float, float, float]], floor: float, ceiling: float,
                 size: float) -> list[tuple[float, float, float]]:
    """The widest text-free gaps between ``floor`` and ``ceiling`` (all as wide as the widest
    within a tenth of the font size, by their excess), top to bottom."""
    inside = [g for g in gaps if g[0] >= floor - 0.1 * size and g[1] <= ceiling + 0.1 * size]
    if not inside:
        return []
    widest = max(g[2] for g in inside)
    return [g for g in inside if g[2] > widest - 0.1 * size]


def _header_bottom(page: _Page) -> float:
    """Bottom of the header row's text on the page, or 0 when the page has none."""
    words = _page_header(page)
    return max(w[3] for w in words) if words else 0.0


def _header_top(page: _Page) -> float | None:
    """Top of the header row's text on the page, or None when the page has none."""
    words = _page_header(page)
    return min(w[1] for w in words) if words else None


def _page_header(page: _Page) -> list[BBox] | None:
    """The header words' boxes when the page shows the header row (computed once per page)."""
    if page.header is False:
        page.header = _find_header_lines(_visual_lines(page.chars))
    return page.header  # type: ignore[return-value]


def _typical_pitch(tops: list[float]) -> float | None:
    """The usual distance between consecutive line tops."""
    steps = [b - a for a, b in pairwise(tops) if b - a > 0.5]
    return statistics.median_low(steps) if steps else None


def _row(page: _Page, columns: _Columns, number: int, top: float, bottom: float,
         chars: list[_Char], size: float) -> _RowLines:
    """One row: characters split into cells at the inner column rules present in this row."""
    b = columns.bounds
    cuts = [b[0]]
    lines = _visual_lines(chars) if not page.vsegs else []
    section = bool(lines) and bool(_SECTION_OPENER.match(
        next((line.text for line in lines if line.text.strip()), "")))
    for x in b[1:3]:
        # A merged (section) cell has no rule at the inner boundary inside its row; on a page
        # without vertical rules, its text runs across the boundary without a gap.
        if page.vsegs:
            inner = (top + 0.25 * (bottom - top), bottom - 0.25 * (bottom - top))
            if any(abs(s.pos - x) < 1.5 * size and s.start < inner[1] and s.end > inner[0]
                   for s in page.vsegs):
                cuts.append(x)
        else:
            # Only a section title runs across the columns (a merged cell), and then most of
            # its lines do; in a row of separate cells, a hanging closing quote may touch the
            # next column on one line, and a browser may leave no gap between columns at all.
            across = [_runs_across(line, x) for line in lines
                      if line.chars[0].xmid < x < line.chars[-1].xmid]
            if not (section and across and 2 * sum(across) > len(across) - 1):
                cuts.append(x)
    cuts.append(b[3])
    cells = []
    for k in range(3):
        cells.append(_CellLines([], b[k], b[k + 1], k))
    spans = list(pairwise(cuts))
    by_span: dict[int, list[_Char]] = defaultdict(list)
    for c in chars:
        k = next((i for i, (lo, hi) in enumerate(spans) if c.xmid < hi), len(spans) - 1)
        by_span[k].append(c)
    for k, (lo, hi) in enumerate(spans):
        col = b.index(lo) if lo in b else 0
        cell = cells[col]
        cell.left, cell.right = lo, hi
        cell.lines = [line for line in _visual_lines(by_span[k]) if line.text.strip()]
        cell.bbox = (lo, top, hi, bottom)
    return _RowLines(page.number, number, cells, (b[0], top, b[3], bottom))


def _runs_across(line: _Line, x: float) -> bool:
    """True when the line's text continues over ``x`` with no column gap.

    Browsers leave as little as a pixel or two of padding between columns, so the gap at
    ``x`` counts when it is wider than the line's usual spacing between characters.
    """
    pairs = list(zip(line.chars, line.chars[1:]))
    for a, b in pairs:
        if a.xmid < x <= b.xmid:
            size = max(a.size, b.size)
            usual = statistics.median(max(d.x0 - c.x1, 0.0) for c, d in pairs)
            return b.x0 - a.x1 < min(0.3 * size, usual + 0.1 * size)
    return False


# ---- paragraphs ------------------------------------------------------------------------------

def _build_paragraphs(rows: list[_RowLines]) -> None:
    """Each cell's lines joined into paragraphs, with the document's own spacing as yardstick."""
    pitch = _pitch_by_size(rows)
    pad_left, pad_right = _paddings(rows)
    for row in rows:
        for cell in row.cells:
            if not cell.lines:
                continue
            left = cell.left + pad_left.get(cell.column, 0.0)
            right = cell.right - pad_right.get(cell.column, 0.0)
            cell.paragraphs = tuple(_join_lines(p) for p in _split_paragraphs(
                cell.lines, left, right, pitch))


def _pitch_by_size(rows: list[_RowLines]) -> dict[float, float]:
    """The usual distance between line tops within a paragraph, per font size (the largest on
    a line: a word set larger makes the whole line taller)."""
    steps: dict[float, list[float]] = defaultdict(list)
    for row in rows:
        for cell in row.cells:
            for a, b in zip(cell.lines, cell.lines[1:]):
                steps[round(a.height_size, 1)].append(b.top - a.top)
    # Wraps far outnumber paragraph breaks, so the lower half of the steps is all wraps.
    return {size: statistics.median_low(v) for size, v in steps.items() if v}


def _paddings(rows: list[_RowLines]) -> tuple[dict[int, float], dict[int, float]]:
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


def _split_paragraphs(lines: list[_Line], left: float, right: float,
                      pitch: dict[float, float]) -> list[list[str]]:
    """Lines grouped into paragraphs: a break at a wide gap, an indent (first-line or hanging,
    ``left`` being where wrapped lines start), or a line left short."""
    paragraphs: list[list[str]] = [[lines[0].text]]
    for prev, line in pairwise(lines):
        size = line.size
        usual = pitch.get(round(prev.height_size, 1), 1.2 * size)
        gap = line.top - prev.top > usual + 0.2 * size
        indent = abs(line.x0 - left) > 0.8 * size
        # Half an em of slack covers spacing between CJK and Latin text and rounding; a
        # missed break costs less than a false one (labels split paragraphs again later).
        short = prev.x1 + _first_unit_width(line) + 0.5 * size <= right
        if gap or indent or short:
            paragraphs.append([line.text])
        else:
            paragraphs[-1].append(line.text)
    return paragraphs


def _first_unit_width(line: _Line) -> float:
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
                and chars[i + 1].x0 - chars[i].x1 < 0.2 * chars[i].size:
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


def _join_lines(lines: list[str]) -> str:
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


# ---- raw rows ----------------------------------------------------------------------------

def _raw_row(row: _RowLines) -> RawRow:
    cells = tuple(
        RawCell(paragraphs=tuple(normalize_ws(p) for p in cell.paragraphs if p.strip()),
                bold=_is_bold(cell), bbox=cell.bbox)
        for cell in row.cells
    )
    return RawRow(cells=cells, page=row.page, row=row.row, bbox=row.bbox)  # type: ignore[arg-type]


def _join_cut_section_rows(rows: list[RawRow]) -> tuple[RawRow, ...]:
    """A section row cut by a page break as one row.

    Stitch joins rows cut by page breaks onto the last *task*; a section title wrapped over a
    page break (its tail alone at the top of the next page) would end up in a task title. The
    tail is the next page's first row, with text in its first cell only and no number.
    """
    out: list[RawRow] = []
    for row in rows:
        prev = out[-1] if out else None
        if (prev is not None and row.page == prev.page + 1 and _first_cell_only(prev)
                and _SECTION_OPENER.match(prev.cells[0].text) and _first_cell_only(row)
                and not _ROW_OPENER.match(row.cells[0].text)):
            head = prev.cells[0]
            cell = RawCell(head.paragraphs + row.cells[0].paragraphs, head.bold, head.bbox)
            out[-1] = RawRow((cell, prev.cells[1], prev.cells[2]), prev.page, prev.row, prev.bbox)
            continue
        out.append(row)
    return tuple(out)


def _first_cell_only(row: RawRow) -> bool:
    return not row.cells[0].is_empty and row.cells[1].is_empty and row.cells[2].is_empty


def _is_bold(cell: _CellLines) -> bool:
    chars = [c for line in cell.lines for c in line.chars if c.text.strip()]
    return bool(chars) and sum(c.bold for c in chars) > len(chars) / 2


def _row_is_empty(row: RawRow) -> bool:
    return all(c.is_empty for c in row.cells)


__all__ = ["read_pdf"]
