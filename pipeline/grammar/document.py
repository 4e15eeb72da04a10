"""The document around the table: header words, the title and its year, 附件, page numbers."""
from __future__ import annotations

import re

from pipeline.grammar.text import ascii_digits, normalize_ws

#: The table's three columns, as their header cells name them.
HEADER: tuple[str, str, str] = ("重点任务", "工作举措", "任务分工")
#: A word two header cells share: a decoding that does not show it, where another does, is wrong.
HEADER_WORD = "任务"
#: What the list's title calls it (2024年推动知识产权高质量发展任务清单).
TITLE_WORD = "任务清单"


def is_header(cells: list[str] | tuple[str, ...]) -> bool:
    """True for the table's header row (重点任务 · 工作举措 · 任务分工), whatever its spacing."""
    texts = [normalize_ws(c).replace(" ", "") for c in cells if normalize_ws(c)]
    return tuple(texts[:3]) == HEADER and len(texts) == 3


#: The list's year in its title: 2024年, 2024 年 (``group(1)`` is the year).
YEAR_RE = re.compile(r"([12][0-9]{3})\s*年")
#: A date (2024年3月29日, 2024年3月), whose year is not the list's.
DATE_RE = re.compile(r"[12][0-9]{3}\s*年\s*\d{1,2}\s*月(\s*\d{1,2}\s*日)?")
#: A year in running text, for comparisons that ignore it (the list's own year, rewritten every
#: year): 2024年, 2024 年, 二〇二四年. Meant for NFKC text, where full-width digits are ASCII.
YEAR_IN_TEXT = re.compile(r"(?<![0-9])(?:19|20)[0-9]{2}(?=\s*年)|[〇零一二三四五六七八九]{4}(?=年)")
#: A year in a file name (cnipa-2024-task-list), not part of a longer number.
FILE_NAME_YEAR = re.compile(r"(?<!\d)(20[0-9]{2})(?!\d)")


def has_year(line: str) -> bool:
    """A year (２０２４年 too) that is not part of a date such as 2024年3月29日."""
    line = ascii_digits(line)
    return bool(YEAR_RE.search(line)) and not DATE_RE.search(line)


_ANNEX = r"附\s*件\s*(?:[0-9０-９]{1,2}(?![0-9０-９]))?\s*[:：]?\s*"
#: The 附件 / 附件2： that opens a notice's enclosure, at the start of a line.
ANNEX = re.compile(f"^{_ANNEX}")
#: A line that is nothing but that mark.
ANNEX_LINE = re.compile(f"^{_ANNEX}$")


def clean_title(line: str) -> str:
    """A title line without a leading 附件： and without enclosing 《》."""
    line = ANNEX.sub("", line).strip()
    if line.startswith("《") and line.endswith("》"):
        line = line[1:-1]
    return line


#: A page-number line: 3, - 3 -, —3—, 第3页, 第 3 页 共 12 页, 3/12.
PAGE_NUMBER = re.compile(
    r"^[-—–－_\s]*(第\s*)?[0-9０-９]+\s*(页)?(\s*[/／共]\s*[0-9０-９]+\s*页?)?[-—–－_\s]*$")
#: Text made of nothing but page-number characters (empty text too): what may stand between
#: two tables of one list where a page ended (- 3 - - 4 -, 第3页).
PAGE_NUMBER_CHARS = re.compile(r"^[\s\-—–－·第页共/0-9０-９]*$")
