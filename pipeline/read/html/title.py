"""The list's title and the document's head: text above the task table.

The title is the nearest text above the header naming a 任务清单 (else a year), not the page
``<title>``, which is usually the notice's.
"""
from __future__ import annotations

from bs4 import BeautifulSoup, Tag

from pipeline.grammar import (
    TITLE_WORD,
    clean_title as _clean_title,
    has_year as _has_year,
    normalize_ws,
)
from pipeline.read.html.grid import Grid
from pipeline.read.html.settings import SETTINGS
from pipeline.read.html.text import holds_block, inside, own_tags, paragraphs


def find_title(soup: BeautifulSoup, table: Tag, g: Grid, header_at: int) -> str | None:
    """The list's title: the nearest text above the header (rows above it, the ``<caption>``,
    then text before the table) naming a 任务清单, else one with a year (not a date), else the
    page ``<title>``; ``附件：`` and enclosing 《》 removed."""
    above = [normalize_ws("".join(paragraphs(cell, br_breaks=False)))
             for slots in g.slots[:header_at] for cell, origin in slots.values() if origin]
    captions = [normalize_ws("".join(paragraphs(c, br_breaks=False)))
                for c in own_tags(table, frozenset({"caption"}), "table")]
    above = [t for t in above if t][::-1] + captions + lines_before(soup, table)
    page_title = normalize_ws(soup.title.get_text()) if soup.title else ""
    for candidates in (above[:SETTINGS.title_lines], [page_title]):
        for i, line in enumerate(candidates):
            if TITLE_WORD in line and len(line) <= SETTINGS.title_length:
                if not _has_year(line) and i + 1 < len(candidates) \
                        and _has_year(candidates[i + 1]) \
                        and len(candidates[i + 1]) <= SETTINGS.title_year_line:
                    line = candidates[i + 1] + line  # a title set over two paragraphs
                return _clean_title(line)
    for line in above[:SETTINGS.title_lines]:
        if _has_year(line) and len(line) <= SETTINGS.title_length:
            return _clean_title(line)
    return _clean_title(page_title) or None


def lines_before(soup: BeautifulSoup, table: Tag, limit: int = SETTINGS.title_lines) -> list[str]:
    """Block texts before the table, nearest first (``<br>`` does not split them)."""
    body = soup.body or soup
    lines: list[str] = []
    for block in table.find_all_previous(["p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "td",
                                          "th", "caption", "center", "li"]):
        if holds_block(block) or not inside(block, body):
            continue
        text = normalize_ws("".join(paragraphs(block, br_breaks=False)))
        if text:
            lines.append(text)
        if len(lines) >= limit:
            break
    return lines
