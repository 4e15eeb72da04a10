"""Later tables that carry the task table on: one table a page, or one a section.

A converter (or a CMS) may split the list into several tables: per page of the PDF it came
from, with the page's running head or number between them, or per section, with the section
heading (一、…) set as text above each. :func:`continuing_tables` decides which later tables
continue the list; a table of other numbered rows, or a second list under its own notice
text, does not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag
from bs4.element import NavigableString

from pipeline.grammar import (
    PAGE_NUMBER_CHARS as _PAGE_NUMBER,
    SECTION_RE,
    TASK_RE,
    TITLE_WORD,
    ascii_digits,
    normalize_ws,
    section_number,
)
from pipeline.read.html.grid import Grid, grid, header_row, row_texts
from pipeline.read.html.settings import SETTINGS
from pipeline.read.html.text import (
    DIGITS,
    SENTENCE_END,
    SKIP,
    following,
    holds,
    holds_block,
    nearest,
    paragraphs,
)

#: A serial number standing alone in a row's first cell (``12``, ``１２``).
_SERIAL = re.compile(r"^([0-9０-９]{1,4})[.．、]?$")


@dataclass
class Part:
    """One HTML table of the task table, with the section headings set as text above it."""

    g: Grid
    header_at: int  # index of its header row; -1 when it has none of its own
    sections: tuple[str, ...] = ()
    same_page: bool = False  # only section headings (no page break, no page number) before it


def is_section_line(line: str) -> bool:
    """A section heading (一、全面强化…) standing as text outside the table."""
    return bool(SECTION_RE.match(line)) and len(line) <= SETTINGS.running_line \
        and not SENTENCE_END.search(line)


def continuing_tables(soup: BeautifulSoup, first: Tag, g: Grid,
                       above: tuple[str, ...]) -> list[Part]:
    """Later tables that carry on the task table (one table per page in converted PDFs).

    Only tables at the same nesting level as the task table count, or any table with no table
    inside it when the task table has none either (each page wrapped in a layout table of its
    own). One continues it when it repeats the header row and at most a running head or foot
    (a short line, not a sentence) stands between the two, or when only page-break markup, a
    page number or a running head (see _running_head) does and its first row reads like a row
    cut at a page (empty first cell, a task or a section number). A download table after a
    line of notice text, or one that opens with 序号, therefore does not; nor does a second
    copy of the list introduced by its own notice text. Section headings set as text between
    the tables (一、… above each section's table, ``above`` the first) are read as section rows
    and do not count as text between, when they number on from the section before them. A
    table whose first numbered row does not number on from the rows before it (1. after 6., a
    last year's list under its own title) ends the list whatever stands between.
    """
    level, leaf = nearest(first, "table"), not holds(first, "table")
    # A converter may wrap each page's table in a layout table of its own: then a later table
    # with no table inside it counts as well, wherever it is nested.
    # An empty table (a converter's leftover between two pages) neither continues nor ends it.
    tables = [t for t in following(first, None) if isinstance(t, Tag) and t.name == "table"
              and (nearest(t, "table") is level or (leaf and not holds(t, "table")))
              and t.get_text().strip(" \t\n\r\f\xa0\u3000\u200b")]
    pairs = list(zip([first, *tables], tables))
    sections = [tuple(line for line in _lines_between(a, b) if is_section_line(line))
                for a, b in pairs]
    gaps = [_without(_text_between(a, b), heads) for (a, b), heads in zip(pairs, sections)]
    parts: list[Part] = []
    last = _last_numbers(g, (_section_number(above[-1]) if above else 0, 0))
    for (a, table), between, heads in zip(pairs, gaps, sections):
        tg = grid(table)
        numbers = [_section_number(h) for h in heads]
        if heads and numbers != list(range(last[0] + 1, last[0] + 1 + len(heads))):
            # 一、工作要求 above a table after the list is notice text, not the next section.
            heads, between = (), _text_between(a, table)
        if heads:
            last = (numbers[-1], last[1])
        if not _numbers_on(tg, last):
            break  # a table of other numbered rows (1.…) after the list, not the list going on
        if header_row(tg) is not None:
            if len(between) > SETTINGS.running_line or SENTENCE_END.search(between):
                break
        elif not ((_PAGE_NUMBER.match(between) or _running_head(between, gaps))
                  and _opens_like_a_page(tg)):
            break
        # Its rows are all data: a header repeated on a new page is dropped by stitch.
        parts.append(Part(tg, -1, heads, bool(heads) and not between))
        last = _last_numbers(tg, last)
    return parts


def _section_number(line: str) -> int:
    return section_number(line) or 0


def _numbered(slots: dict[int, tuple[Tag, bool]]) -> tuple[str, int] | None:
    """``("section", n)`` or ``("task", n)`` for a row opening with that number, else None."""
    texts = [t for t in row_texts(slots) if t]
    first = normalize_ws("".join(paragraphs(slots[min(slots)][0]))) if slots else ""
    if len(texts) == 1 and SECTION_RE.match(texts[0]):
        return "section", _section_number(texts[0])
    if not slots or not slots[min(slots)][1]:
        return None
    m = TASK_RE.match(first)
    if m:
        return "task", int(ascii_digits(m["num"]))
    serial = _SERIAL.match(first)
    # A 序号 cell (``4``) beside the row's other cells numbers the row as a task number does.
    return ("task", int(ascii_digits(serial[1]))) if serial and len(texts) > 1 else None


def _last_numbers(g: Grid, last: tuple[int, int]) -> tuple[int, int]:
    """The last section and task numbers once the table's rows are read."""
    section, task = last
    for slots in g.slots:
        numbered = _numbered(slots)
        if numbered and numbered[0] == "section":
            section = numbered[1]
        elif numbered:
            task = numbered[1]
    return section, task


def _numbers_on(g: Grid, last: tuple[int, int]) -> bool:
    """Whether the table's first numbered row after any header numbers on from ``last``."""
    head = header_row(g)
    for slots in g.slots[(head + 1 if head is not None else 0):]:
        if not any(row_texts(slots)):
            continue
        numbered = _numbered(slots)
        if numbered is None:
            return True  # a row cut at the page (empty first cell) or other text: other rules
        kind, n = numbered
        return n == (last[0] if kind == "section" else last[1]) + 1
    return True


def _without(text: str, lines: tuple[str, ...]) -> str:
    """``text`` with each of ``lines`` taken out once."""
    for line in lines:
        text = text.replace(line, "", 1)
    return normalize_ws(text)


_HEADING_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "center"})


def _lines_between(first: Tag, second: Tag) -> list[str]:
    """Block texts after table ``first`` and before table ``second``, in order."""
    lines: list[str] = []
    for block in following(first, second):
        if not isinstance(block, Tag) or block.name not in _HEADING_BLOCKS or holds_block(block):
            continue
        text = normalize_ws("".join(paragraphs(block, br_breaks=False)))
        if text:
            lines.append(text)
    return lines


def _running_head(between: str, gaps: list[str]) -> bool:
    """A short line (not a sentence) that names the list or stands between several pairs of
    tables, page numbers aside: the running head or foot of a PDF converted one table a page."""
    if len(between) > 2 * SETTINGS.running_line or SENTENCE_END.search(between):
        return False
    if TITLE_WORD in between:
        return True
    bare = DIGITS.sub("", between)
    return sum(1 for gap in gaps if DIGITS.sub("", gap) == bare) >= 2


def _opens_like_a_page(g: Grid) -> bool:
    """The first non-empty row has an empty first cell or opens with a task or section number."""
    for slots in g.slots:
        cells = row_texts(slots)
        if not any(cells):
            continue
        first = normalize_ws("".join(paragraphs(slots[min(slots)][0]))) if slots else ""
        return len(slots) >= 2 and (not first or bool(TASK_RE.match(first) or SECTION_RE.match(first)
                                                      or _SERIAL.match(first)))
    return False


def _text_between(first: Tag, second: Tag) -> str:
    """The normalised text after the end of table ``first`` and before table ``second``."""
    texts: list[str] = []
    for s in following(first, second):
        if type(s) is not NavigableString:
            continue
        if s.parent is not None and s.parent.name in SKIP:
            continue
        texts.append(str(s))
    return normalize_ws("".join(texts))
