"""Stitch stage, the rows: what each raw row is (a header, a section, a group, a task or the
continuation of one), read from its cells by the roles of the table's layout, and the layout
settled for the rows at hand. :mod:`pipeline.stitch` builds the sections and tasks from them.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.grammar import (
    GROUP,
    MEASURES,
    SECTION_RE,
    SERIAL,
    STANDARD_LAYOUT,
    TASK,
    TASK_RE,
    Layout,
    is_serial_text,
    match_header,
    normalize_ws,
)
from pipeline.models import (
    RawCell,
    RawRow,
)

#: The section of tasks that stand before any section row.

def settle_layout(layout: Layout, rows: Iterable[RawRow]) -> Layout:
    """The layout with an empty-headed column over numbers made the serial column.

    Reposts of the list add a 序号 column and sometimes leave its header cell empty; only its
    cells (``1``, ``2`` …; rows that hold one cell alone, section rows, are not looked at) say
    what it is.
    """
    if layout.has(SERIAL):
        return layout
    blank = [c.index for c in layout.extras if not c.header]
    if not blank:
        return layout
    texts: dict[int, list[str]] = {i: [] for i in blank}
    for row in rows:
        cells = [_cell_text(c) for c in row.cells]
        if sum(bool(t) for t in cells) < 2 or match_header(cells) is not None:
            continue
        for i in blank:
            if cells[i]:
                texts[i].append(cells[i])
    for i in blank:
        if texts[i] and all(is_serial_text(t) for t in texts[i]):
            return layout.with_role(i, SERIAL)
    return layout


def _unnumbered(layout: Layout, rows: Iterable[RawRow]) -> bool:
    """No row of the table numbers a task: neither its task column (1. …), nor a serial column,
    nor its measures (2017). Such a list (a provincial table of titles only) has a task per row
    with a task title."""
    if not layout.has(TASK) or layout.has(SERIAL):
        return False
    for row in rows:
        kind = classify(row, layout)
        if kind == "task":
            return False
    return True


def classify(row: RawRow, layout: Layout = STANDARD_LAYOUT) -> str:
    """``header``, ``blank``, ``section``, ``task`` or ``continuation``.

    A header row is any row the header matcher reads as one (the header repeated on each page).
    A section row holds one cell (a merged row's text in the first cell, or the task column's),
    a section number and its title; a task row a numbered task (in the task column, or a serial
    number beside a task title, or a numbered first paragraph of the measures).
    """
    texts = [_cell_text(c) for c in row.cells]
    if match_header(texts) is not None:
        return "header"
    if not any(texts):
        return "blank"
    if _section_text(texts, layout) is not None:
        return "section"
    task_text = _role_text(texts, layout, TASK, default=0)
    serial = _role_text(texts, layout, SERIAL)
    if TASK_RE.match(task_text) or (serial and is_serial_text(serial)):
        return "task"
    if _numbered_measures(row, layout) is not None and _group_text(texts, layout):
        return "task"
    return "continuation"


def _role_text(texts: list[str], layout: Layout, role: str, default: int | None = None) -> str:
    at = layout.index(role)
    if at is None:
        at = default
    return texts[at] if at is not None else ""


def _section_text(texts: list[str], layout: Layout) -> re.Match[str] | None:
    """The section number and title of a row holding nothing else, None for other rows."""
    filled = [i for i, t in enumerate(texts) if t]
    serial, task = layout.index(SERIAL), layout.index(TASK)
    if (len(filled) == 2 and serial is not None and task is not None
            and filled == sorted((serial, task)) and _CN_SERIAL.match(texts[serial])):
        # 一 | 全面强化知识产权宏观统筹: a section numbered in the serial column.
        return SECTION_RE.match(f"{texts[serial].rstrip('、.．')}、{texts[task]}")
    if len(filled) != 1:
        return None
    at = filled[0]
    if at not in (0, layout.index(TASK), layout.index(GROUP)):
        return None
    return SECTION_RE.match(texts[at])


# A serial cell holding a Chinese numeral (一, 十二、): a section's number, never a task's.
_CN_SERIAL = re.compile(r"^[〇零一二三四五六七八九十百]{1,4}[、.．]?$")


def _group_text(texts: list[str], layout: Layout) -> str:
    """A group cell: the group column's text, or a task cell numbered （一） (2017's 工作任务)."""
    if layout.has(GROUP):
        return _role_text(texts, layout, GROUP)
    task = _role_text(texts, layout, TASK)
    m = SECTION_RE.match(task)
    return task if m and m["num_open"] else ""


def _numbered_measures(row: RawRow, layout: Layout) -> re.Match[str] | None:
    """The task number opening the measures cell (2017: ``1.推动制定…政策。``), if any."""
    at = layout.index(MEASURES)
    if at is None:
        return None
    paras = [normalize_ws(p) for p in row.cells[at].paragraphs if normalize_ws(p)]
    return TASK_RE.match(paras[0]) if paras else None


def _cell_text(cell: RawCell) -> str:
    """A first-column cell as one normalised line (titles may wrap over paragraphs)."""
    return normalize_ws("".join(cell.paragraphs))
