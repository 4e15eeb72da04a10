"""Checks that an HTML page is whole and of a size a task list can have.

Two kinds, both general rules rather than fixes for one file:

- **Budget** (:func:`check_budget`): counted on the decoded text before any parser runs, so a
  page of 100,000 nested ``<div>``s or 20,000 tables is refused in one linear scan instead of
  taking minutes (the table search and the text walks are quadratic in the worst case).
- **Damage** (:func:`check_markup`, :func:`check_accounted`, :func:`check_task_numbers`): the
  parser forgives everything, so damaged markup loses rows without a sound. An unterminated
  ``<!--`` hides the rest of the page; a quote lost inside an attribute makes the attribute
  swallow markup up to the next quote; a damaged task number (``23、`` → ``2…``) merges a task
  into the one before. Each leaves a trace that the rows read do not account for.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from bs4 import BeautifulSoup, Comment, Tag
from bs4.element import NavigableString

from pipeline.errors import HtmlDamagedError, InputTooLargeError
from pipeline.grammar import (
    MEASURES,
    TASK,
    TASK_MARK,
    TASK_NUMERAL,
    TASK_RE,
    Layout,
    ascii_digits,
    normalize_ws,
)
from pipeline.models import RawRow
from pipeline.read.html.settings import SETTINGS, HtmlSettings
from pipeline.read.html.text import SKIP, inside, nearest

_TOO_LARGE_HINT = ("a task list's page is far smaller; check that this is the right file, or give "
                   "the list's PDF or text dump")

# Tags whose end tag HTML lets the author leave out, and void elements: neither nests.
_OPTIONAL_END = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "thead", "tbody", "tfoot",
                           "option", "optgroup", "colgroup", "caption", "html", "head", "body",
                           "rb", "rt", "rp", "rtc"})
#: The cells a row's text belongs in.
_CELLS = frozenset({"td", "th"})
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr", "basefont", "bgsound", "frame", "keygen",
                   "isindex", "nextid", "spacer"})
# Inside these the text is not markup.
_RAW_TEXT = frozenset({"script", "style", "textarea", "title", "xmp", "plaintext"})
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:_-]*)((?:[^>\"']|\"[^\"]*\"|'[^']*')*)>")
_CELL_BOUNDARY = frozenset({"td", "th", "tr", "tbody", "thead", "tfoot", "caption"})
_PARAGRAPH_TAGS = frozenset({"p", "br", "div", "li"})


def _too_large(source: str, what: str, count: int, limit: int) -> InputTooLargeError:
    return InputTooLargeError(source, f"the page has {count:,} {what}; the limit is {limit:,}",
                              _TOO_LARGE_HINT)


def check_budget(text: str, source: str, limits: HtmlSettings = SETTINGS) -> None:
    """Refuse a page over any of ``limits``, counting tags in one pass over the text."""
    counts = {"table": 0, "tr": 0, "cell": 0, "paragraph": 0}
    stack: list[str] = []
    pos, end = 0, len(text)
    while pos < end:
        lt = text.find("<", pos)
        if lt < 0:
            break
        if text.startswith("<!--", lt):
            comment_end = text.find("-->", lt + 4)
            if comment_end < 0:
                break  # the rest is a comment (check_markup names it)
            pos = comment_end + 3
            continue
        m = _TAG.match(text, lt)
        if m is None:
            pos = lt + 1
            continue
        pos = m.end()
        closing, name = m.group(1), m.group(2).lower()
        if closing:
            if name == "table" or name in _CELL_BOUNDARY:
                _pop_to_table(stack, keep=name != "table")
            elif name in ("body", "html"):
                stack.clear()
            elif name in stack:
                del stack[len(stack) - 1 - stack[::-1].index(name):]
            continue
        if name == "table":
            counts["table"] += 1
        elif name == "tr":
            counts["tr"] += 1
        elif name in ("td", "th"):
            counts["cell"] += 1
        if name in _PARAGRAPH_TAGS:
            counts["paragraph"] += 1
        if name in _CELL_BOUNDARY:
            # A new cell or row closes whatever the previous cell left open, as a parser does.
            _pop_to_table(stack, keep=True)
        if name in _RAW_TEXT:
            close = re.compile(rf"</{name}\s*>", re.I).search(text, pos)
            pos = close.end() if close else end
            continue
        if name in _VOID or name in _OPTIONAL_END or m.group(3).rstrip().endswith("/"):
            continue
        stack.append(name)
        if len(stack) > limits.max_depth:
            raise InputTooLargeError(
                source, f"the page nests elements more than {limits.max_depth} deep (at character "
                f"{lt:,}); the limit is {limits.max_depth}", _TOO_LARGE_HINT)
    for key, what, limit in (("table", "tables", limits.max_tables),
                             ("tr", "table rows", limits.max_rows),
                             ("cell", "table cells", limits.max_cells),
                             ("paragraph", "paragraph tags (<p>, <br>, <div>, <li>)",
                              limits.max_paragraphs)):
        if counts[key] > limit:
            raise _too_large(source, what, counts[key], limit)


def _pop_to_table(stack: list[str], keep: bool) -> None:
    """Close the elements opened since the innermost table (and that table unless ``keep``)."""
    if "table" not in stack:
        return
    at = len(stack) - 1 - stack[::-1].index("table")
    del stack[at + (1 if keep else 0):]


# ---- damage ------------------------------------------------------------------------------------

#: Markup of a table's structure; never inside a comment or an attribute of a whole page
#: (commented-out rows aside, which :func:`check_markup` only reports when they hold tasks).
_TABLE_MARKUP = re.compile(r"<\s*/?\s*(?:table|tr|td|th)\b", re.I)
#: A cell whose text opens with a task number (1. 1． 1、 １５．), markup and spaces aside.
_NUMBERED_CELL = re.compile(
    r"<t[dh]\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>(?:\s|&nbsp;|&#160;|<(?!/?t[dhr]\b)[^>]*>)*"
    rf"(?P<num>{TASK_NUMERAL})(?:\s|<[^>]*>)*{TASK_MARK}", re.I)
#: A first cell opening with a number that is no task number (2… for 23、), not a year or a count.
_BROKEN_NUMBER = re.compile(r"^\s*[0-9０-９]{1,3}(?![0-9０-９])(?!\s*[.．、年月日%％个项家])")


def _excerpt(text: str, width: int = 24) -> str:
    text = normalize_ws(text)
    return repr(text[:width] + ("…" if len(text) > width else ""))


def check_markup(soup: BeautifulSoup, text: str, source: str) -> None:
    """Refuse a page whose markup hides part of it: an unterminated comment, or an attribute
    that swallowed table markup (a lost quote)."""
    start = text.rfind("<!--")
    if start >= 0 and text.find("-->", start + 4) < 0:
        hidden = text[start:]
        rows = len(re.findall(r"<tr\b", hidden, re.I))
        raise HtmlDamagedError(
            source, f"a comment opened at character {start:,} (<!--) is never closed, so the "
            f"rest of the page ({len(hidden):,} characters"
            + (f", {rows} table rows" if rows else "") + ") would be hidden")
    for tag in (el for el in soup.descendants if isinstance(el, Tag)):
        for name, value in tag.attrs.items():
            values = value if isinstance(value, list) else [value]
            for v in values:
                swallowed = _TABLE_MARKUP.search(v) if isinstance(v, str) else None
                if swallowed is not None:
                    raise HtmlDamagedError(
                        source, f"the {name} attribute of a <{tag.name}> holds table markup "
                        f"({_excerpt(v[swallowed.start():])}): a quote is missing, "
                        "so the attribute swallows the rows after it")
    for comment in (s for s in soup.descendants if isinstance(s, Comment)):
        if _NUMBERED_CELL.search(str(comment)) and not _conditional(str(comment)):
            # Rows with task numbers inside a comment: a stray <!-- closed by a later -->.
            raise HtmlDamagedError(
                source, f"a comment holds table rows with task numbers "
                f"({_excerpt(str(comment))}): a stray <!-- hides them")


def check_rows_hold_their_text(rows: Iterable[Tag], source: str) -> None:
    """Refuse a task-table row with text outside its cells.

    A parser puts what stands in a ``<tr>`` but in no ``<td>``/``<th>`` nowhere a reader
    looks, so a damaged cell tag (``<td>`` → ``<Ud>``) would silently drop the text after it
    (a task number) and shift the row's other cells left.
    """
    for tr in rows:
        for s in (el for el in tr.descendants if isinstance(el, NavigableString)):
            if type(s) is not NavigableString or not s.strip(" \t\n\r\f\xa0\u3000"):
                continue
            if s.parent is not None and s.parent.name in SKIP:
                continue
            cell = nearest(s, _CELLS)
            if cell is None or not inside(cell, tr):
                raise HtmlDamagedError(
                    source, f"a row of the task table holds text outside its cells "
                    f"({_excerpt(str(s), 16)}): a damaged tag (a <td> no longer read as one) "
                    "would drop it and shift the row's cells")


def _conditional(comment: str) -> bool:
    """Word's ``<!--[if …]>…<![endif]-->`` blocks are markup for old browsers, not damage."""
    return comment.lstrip().startswith("[if")


def _task_cell(row: RawRow, layout: Layout) -> str:
    """The text of the row's task column (the first column when the layout names none)."""
    at = layout.index(TASK)
    return normalize_ws("".join(row.cells[at if at is not None else 0].paragraphs))


def _task_number(row: RawRow, layout: Layout) -> int | None:
    """The task number the row opens with: in its task column, else (a 2017-style table whose
    task column holds （一） groups) at the start of its measures column."""
    m = TASK_RE.match(_task_cell(row, layout))
    at = layout.index(MEASURES)
    if m is None and at is not None and row.cells[at].paragraphs:
        m = TASK_RE.match(normalize_ws(row.cells[at].paragraphs[0]))
    return int(ascii_digits(m["num"])) if m else None


def check_task_numbers(rows: Sequence[RawRow], layout: Layout, source: str) -> None:
    """Refuse a row that opens with a damaged task number (``2…`` where ``23、`` stood).

    Such a row reads as the rest of the row above it, so its task would silently merge into
    the one before. A row cut at a page break may open with text, but it is the first of its
    page; a damaged number stands on the same page as the row before it.
    """
    last, previous = 0, None
    at = layout.index(TASK) or 0
    for row in rows:
        number = _task_number(row, layout)
        first = _task_cell(row, layout)
        if number is not None:
            last = number
        elif previous is not None and previous.page == row.page and _BROKEN_NUMBER.match(first) \
                and any(not c.is_empty for k, c in enumerate(row.cells) if k != at):
            raise HtmlDamagedError(
                source, f"row {row.row} opens with {_excerpt(first, 12)}, which is no task number "
                f"(task {last + 1} would follow task {last}): the row would merge into task {last}")
        previous = row


def check_accounted(text: str, rows: Sequence[RawRow], layout: Layout, source: str) -> None:
    """Refuse a page whose markup holds numbered task cells the rows read do not.

    The markup is scanned without a parser for cells that open with a task number. The task
    numbers read must appear among them in order; when the numbered cell after one of them
    numbers on from it but is not the next task read (a higher number after the last), the
    parser lost tasks there.
    """
    read = [n for n in (_task_number(row, layout) for row in rows) if n is not None]
    if not read:
        return
    raw = [(int(ascii_digits(m["num"])), m.start()) for m in _NUMBERED_CELL.finditer(text)]
    positions: list[int] = []
    for i, (n, _) in enumerate(raw):
        if len(positions) < len(read) and n == read[len(positions)]:
            positions.append(i)
    if len(positions) < len(read):
        return  # numbers the scan cannot see (split oddly over markup): nothing to compare
    bounds = [*positions[1:], len(raw)]
    for k, (at, stop) in enumerate(zip(positions, bounds)):
        between = [n for n, _ in raw[at + 1: stop]]
        ceiling = read[k + 1] if k + 1 < len(read) else None
        # The next numbered cell numbers on from this task but is not the next task read:
        # one or more tasks were lost (another list's 1. after the list does not count).
        if not between or between[0] <= read[k] or (ceiling is not None and between[0] >= ceiling):
            continue
        first, last = between[0], between[0]
        while last + 1 in between:
            last += 1
        what = f"task {first}" if first == last else f"tasks {first}–{last}"
        raise HtmlDamagedError(
            source, f"the markup holds {what} after task {read[k]}, but the table as parsed "
            f"does not (from character {raw[at + 1][1]:,}): damaged markup hides "
            + ("it" if first == last else "them"))


__all__ = ["check_accounted", "check_budget", "check_markup", "check_rows_hold_their_text",
           "check_task_numbers"]
