"""Reader for the text dump: lead lines, then one tab-separated table row per line.

The header row (the first line that :func:`pipeline.grammar.match_header` reads as one) gives the
table's layout: 3 to 8 columns, each with its role; every later line has one cell per column.

An empty line marks a page break of the published PDF; cells carry ``<p>``/``<b>`` markup
or none at all. The format is described in docs/dump-format.md.
"""
from __future__ import annotations

import html
import re
from collections.abc import Iterator

from pipeline.errors import (
    InputTooLargeError,
    MalformedRowError,
    NoTaskTableError,
    TableRolesError,
    TruncatedInputError,
)
from pipeline.grammar import ANNEX_LINE, HEADER, Layout, match_header, read_header
from pipeline.models import RawCell, RawRow, RawTable
from pipeline.read.decode import decode_text, drop_controls

# A paragraph's text cannot hold another <p>: with unclosed openers, ``.*?`` would scan to the
# end of the cell from each one (quadratic); this stops at the next opener instead.
_PARA = re.compile(r"<p\b[^>]*>((?:(?!<p\b)[\s\S])*?)</p\s*>", re.I)
_BREAK = re.compile(r"<br\s*/?>", re.I)
_TAG = re.compile(r"<[^>]+>")
_BOLD = re.compile(r"<(b|strong)\b", re.I)
_P_OPEN = re.compile(r"<p\b", re.I)
_P_CLOSE = re.compile(r"</p\s*>", re.I)
_TITLE_MARK = re.compile(r"^#+\s*")
_PARA_TAG = re.compile(r"<(?:p|br)\b", re.I)
#: Paragraph tags (``<p>``, ``<br>``) one cell may hold. A published cell has a few dozen; a
#: cell with tens of thousands is no task list, and would make every later stage slow.
MAX_PARAGRAPHS_PER_CELL = 2_000
#: Table rows (non-empty lines after the header). A published list has about fifty; every later
#: stage costs time per row, so a dump of 100,000 rows would run for minutes.
MAX_ROWS = 5_000
# How other exports separate the header's cells: said in the error, since only tabs are read.
_OTHER_SEPARATORS = (
    (re.compile(r"\s*\|\s*"), "'|' (a Markdown table)"),
    (re.compile(r"\s*[,，]\s*"), "commas (CSV)"),
    (re.compile(r"\s*[;；]\s*"), "semicolons"),
    (re.compile(r"\s+"), "spaces"),
)


def read_dump(data: bytes, source: str) -> RawTable:
    """Parse a text dump's bytes into the raw table."""
    text, notes = decode_text(data, source)
    text, dropped = drop_controls(text, source)
    notes += dropped
    # Windows (CRLF) and old Mac (CR) line ends; not str.splitlines, which also breaks at
    # characters a cell may hold (\x0b, \x1c, U+2028).
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    header_at, layout = _find_header(lines, source)
    count = sum(1 for line in lines[header_at + 1:] if line.strip())
    if count > MAX_ROWS:
        raise InputTooLargeError(source, f"the table has {count:,} rows; the limit is {MAX_ROWS:,}",
                                 "a task list's table has a few dozen rows; check that this is the "
                                 "right file")
    title = _title(lines[:header_at])
    rows = tuple(_rows(lines, header_at, len(layout), source))
    return RawTable(source=source, fmt="text", title=title, rows=rows,
                    notes=(*notes, *layout.notes()),
                    head=tuple(_plain(line) for line in lines[:header_at]), layout=layout)


def _find_header(lines: list[str], source: str) -> tuple[int, Layout]:
    """Index and layout of the header row; the table starts there."""
    for i, line in enumerate(lines):
        cells = line.split("\t")
        if len(cells) >= 3:
            layout = match_header([_plain(c) for c in cells])
            if layout is not None:
                return i, layout
    for i, line in enumerate(lines):
        for separator, name in _OTHER_SEPARATORS:
            if match_header([_plain(c) for c in separator.split(line.strip().strip("|"))]):
                raise MalformedRowError(
                    source, f"line {i + 1} is the table header, but its cells are separated by "
                    f"{name}, not tabs", "save the table as tab-separated text, one row per line")
    # A tab-separated row naming columns of a task list, but not the ones a task table needs.
    for i, line in enumerate(lines):
        cells = [_plain(c).strip() for c in line.split("\t")]
        reading = read_header(cells) if len(cells) >= 3 else None
        if reading is not None and reading.missing:
            while cells and not cells[-1]:
                cells.pop()
            raise TableRolesError.of(source, f"line {i + 1}", cells, reading.missing)
    raise NoTaskTableError(source, f"no table header row ({' / '.join(HEADER)}) found")


def _title(lead: list[str]) -> str | None:
    """The Markdown ``#`` line if there is one, else the first lead line that is not 附件."""
    candidates = [line.strip() for line in lead if line.strip()]
    for line in candidates:
        if line.startswith("#"):
            return _TITLE_MARK.sub("", line)
    rest = [line for line in candidates if not ANNEX_LINE.match(line)]
    return rest[0] if rest else None


def _rows(lines: list[str], header_at: int, width: int, source: str) -> Iterator[RawRow]:
    """Table rows after the header, with page numbers counted from the blank lines."""
    page, after_break = 1, False
    last = max((i for i, line in enumerate(lines) if line.strip()), default=header_at)
    for i in range(header_at + 1, len(lines)):
        line = lines[i]
        if not line.strip():
            after_break = True
            continue
        if after_break:
            page, after_break = page + 1, False
        cells = line.split("\t")
        while len(cells) > width and not cells[-1].strip():
            cells.pop()  # trailing tabs, as spreadsheet exports write them
        if i == last and i > header_at:
            _check_not_cut(cells, width, i, source)
        if len(cells) != width:
            raise MalformedRowError(
                source, f"line {i + 1} has {len(cells)} tab-separated cell{'s' * (len(cells) > 1)}, "
                f"expected {width} (it starts {_excerpt(line)})"
            )
        for k, cell in enumerate(cells):
            tags = len(_PARA_TAG.findall(cell))
            if tags > MAX_PARAGRAPHS_PER_CELL:
                raise InputTooLargeError(
                    source, f"line {i + 1}, cell {k + 1} has {tags:,} paragraph tags (<p>, <br>); "
                    f"the limit is {MAX_PARAGRAPHS_PER_CELL:,}",
                    "a task list's cell has a few dozen paragraphs; check that this is the right file")
        yield RawRow(cells=tuple(_cell(c) for c in cells), page=page, row=i + 1)


def _check_not_cut(cells: list[str], width: int, i: int, source: str) -> None:
    """Refuse a last line that stops early: short of cells, or inside a ``<p>`` paragraph."""
    if len(cells) < width:
        raise TruncatedInputError(
            source, f"the last line ({i + 1}) has {len(cells)} of {width} tab-separated cells")
    if any(len(_P_OPEN.findall(c)) > len(_P_CLOSE.findall(c)) for c in cells):
        raise TruncatedInputError(
            source, f"the last line ({i + 1}) stops inside a paragraph (<p> without </p>)")


def _cell(raw: str) -> RawCell:
    """A cell's paragraphs: one per ``<p>``, or the whole cell when it has no ``<p>``."""
    bold = bool(_BOLD.search(raw))
    parts = _PARA.findall(raw)
    outside = _PARA.sub(" ", raw)
    if not parts or _plain(outside):
        # Text outside any <p> is a paragraph of its own, in document order.
        parts = [p for p in _PARA.split(raw)] if parts else [raw]
    paragraphs: list[str] = []
    for part in parts:
        paragraphs.extend(_plain(piece) for piece in _BREAK.split(part))
    return RawCell(paragraphs=tuple(p for p in paragraphs if p.strip()), bold=bold)


def _excerpt(line: str, width: int = 20) -> str:
    """The start of a line as plain text, quoted, for an error message."""
    text = " ".join(_plain(line).split())
    return repr(text[:width] + ("…" if len(text) > width else ""))


def _plain(fragment: str) -> str:
    """Markup stripped and entities decoded; whitespace is left for stitch."""
    return html.unescape(_TAG.sub("", fragment))

