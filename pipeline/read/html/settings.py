"""The HTML reader's limits and tolerances, named in one place with why each has its value."""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.read.common import require_positive_ints


@dataclass(frozen=True)
class HtmlSettings:
    """Limits a page must keep (checked on the decoded text before parsing) and the few
    lengths the reader's rules measure text with.

    A published list's page has a few tables (one a page when converted from the PDF: a few
    dozen), under a hundred rows, a few hundred paragraphs, and nests some twenty elements
    deep; each limit is far above that and far below what makes the reader slow.
    """

    #: Elements open at once (bs4 on lxml has no limit of its own; the text walks cost depth²).
    max_depth: int = 200
    #: ``<table>`` tags: finding the task table and its continuations costs tables × page.
    max_tables: int = 500
    #: ``<tr>`` tags.
    max_rows: int = 5_000
    #: ``<td>``/``<th>`` tags.
    max_cells: int = 20_000
    #: ``<p>``, ``<br>``, ``<div>`` and ``<li>`` tags: each can open a paragraph.
    max_paragraphs: int = 20_000
    #: Largest rowspan/colspan taken as written (browsers cap colspan at 1000 too).
    max_span: int = 1000
    #: Rows at the top of a table searched for the header row (a title or notes may precede it).
    header_rows: int = 8
    #: Longest text between two tables of one list that can be a running head or foot, and
    #: longest section heading set as text.
    running_line: int = 40
    #: Lines above the table searched for the title, and the longest a title can be.
    title_lines: int = 12
    title_length: int = 80
    #: Longest line with the year that a title set over two paragraphs starts with.
    title_year_line: int = 40
    #: Blocks above the table kept as the document's head (a notice with its 文号 runs to dozens).
    head_blocks: int = 200

    def __post_init__(self) -> None:
        require_positive_ints(self)


SETTINGS = HtmlSettings()

__all__ = ["SETTINGS", "HtmlSettings"]
