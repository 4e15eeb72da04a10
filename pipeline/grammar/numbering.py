"""Section and task numbering, and the Chinese numerals sections are counted in.

Sections are numbered with Chinese numerals and a mark (一、 一． 一. 〇、 十一、) or in
parentheses (（一） (一)); tasks with digits, ASCII or full width, and a mark (1. 1． 1、 １５．).
Every stage that recognises a numbered row uses these patterns, so a numbering form one
reader accepts is one every reader and stitch accept.
"""
from __future__ import annotations

import re

_CN_DIGITS: dict[str, int] = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
                              "六": 6, "七": 7, "八": 8, "九": 9, "两": 2}

# 一 … 九, 十 … 九十九, and digit-by-digit forms (〇, 一〇); never 十十, which is no number.
_CN_NUMERAL = "(?:[二三四五六七八九]?十[一二三四五六七八九]?|[〇零一二三四五六七八九]{1,3})"
_SECTION_MARK = "[、.．]"
#: A task number's digits and the mark after it, as pattern pieces for patterns that find a
#: task number inside other text (markup, for instance).
TASK_NUMERAL = "[0-9０-９]{1,3}"
TASK_MARK = "[.．、]"


def _section_number(name: str) -> str:
    """A section number as a pattern: 一、 / 一． / 一. or （一） / (一); ``name`` names the group."""
    return (f"(?P<{name}_open>[（(]\\s*)?(?P<{name}>{_CN_NUMERAL})\\s*"
            f"(?({name}_open)[）)]|{_SECTION_MARK})")


_TASK_NUMBER = f"(?P<tnum>{TASK_NUMERAL})\\s*{TASK_MARK}"

#: A section row's first cell: its number and title (``num``, ``title``).
SECTION_RE = re.compile(f"^{_section_number('num')}\\s*(?P<title>\\S.*)$")
#: A task row's first cell: its number and title (``num``, ``title``; the title may be empty).
TASK_RE = re.compile(f"^(?P<num>{TASK_NUMERAL})\\s*{TASK_MARK}\\s*(?P<title>.*)$")
#: A line that opens with a section number (readers cutting rows; no title needed).
SECTION_OPENER = re.compile(f"^\\s*{_section_number('snum')}")
#: A line that opens with a task number.
TASK_OPENER = re.compile(f"^\\s*{_TASK_NUMBER}")
#: A line that opens a table row: a task or a section number.
ROW_OPENER = re.compile(f"^\\s*(?:{_TASK_NUMBER}|{_section_number('snum')})")


def cn_number(text: str) -> int:
    """一 … 九十九 (and digit-by-digit forms such as 一〇) as an int."""
    if "十" in text:
        tens, _, ones = text.partition("十")
        return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[ones] if ones else 0)
    value = 0
    for ch in text:
        value = value * 10 + _CN_DIGITS[ch]
    return value


def section_number(line: str) -> int | None:
    """The number of a section row's first cell (一、… → 1), None for anything else."""
    m = SECTION_RE.match(line)
    return cn_number(m["num"]) if m else None
