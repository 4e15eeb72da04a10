"""Section and task numbering, and the Chinese numerals sections are counted in.

Sections are numbered with Chinese numerals and a mark (一、 一． 一. 〇、 十一、 一百零五、) or in
parentheses (（一） (一)); tasks with digits, ASCII or full width, and a mark (1. 1． 1、 １５．).
Every stage that recognises a numbered row uses these patterns, so a numbering form one
reader accepts is one every reader and stitch accept.

The patterns take every number a list could be numbered with, far past what the output's
column types hold (Chinese numerals up to 九千九百九十九, task numbers of up to nine digits):
a number too large for its column is then refused by the writer's limits with a line that
names it, instead of failing to match and reading as text of the row above. What still looks
like a number but is none of these (十十、, 一万、, a ten-digit number) is
:data:`NUMBERING_LIKE`, which stitch warns about.
"""
from __future__ import annotations

import re

_CN_DIGITS: dict[str, int] = {"〇": 0, "零": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
                              "六": 6, "七": 7, "八": 8, "九": 9, "两": 2}

# Positional numerals: 一 … 九; 十 … 九十九; 一百, 一百零五 (〇 for 零), 一百十, 两百; 一千零二十,
# 九千九百九十九; and digit-by-digit forms (〇, 一〇). Never 十十 or 一百百, which are no numbers.
_D = "[一二三四五六七八九]"
_D_BEFORE_UNIT = "[一二三四五六七八九两]"  # 两 counts hundreds and thousands, never ones
_TENS = f"{_D}?十{_D}?"
_HUNDREDS = f"{_D_BEFORE_UNIT}百(?:{_TENS}|[零〇]{_D})?"
_THOUSANDS = f"{_D_BEFORE_UNIT}千(?:{_HUNDREDS}|[零〇](?:{_TENS}|{_D}))?"
_CN_NUMERAL = f"(?:{_THOUSANDS}|{_HUNDREDS}|{_TENS}|[〇零一二三四五六七八九]{{1,3}})"
_SECTION_MARK = "[、.．]"
#: A task number's digits and the mark after it, as pattern pieces for patterns that find a
#: task number inside other text (markup, for instance). Nine digits at most: far past int16,
#: and int() of a digit run stays cheap.
TASK_NUMERAL = "[0-9０-９]{1,9}"
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
#: A first cell that opens like a number and its mark, in any numerals, well formed or not
#: (十十、, 一万、, （一百百）, 1234567890.): where neither SECTION_RE nor TASK_RE takes it, the
#: row would read as text of the row above, so stitch warns (numbering_not_understood).
NUMBERING_LIKE = re.compile(
    "^\\s*(?P<number>[（(]?\\s*(?:[0-9０-９]+|[〇零一二三四五六七八九十百千万亿两]+)\\s*"
    "(?:[）)]|[、.．]))")

_UNITS = {"十": 10, "百": 100, "千": 1000}


def cn_number(text: str) -> int:
    """A Chinese numeral as :data:`SECTION_RE` takes it as an int: 一 … 九千九百九十九 (一百零五,
    两百, 一千零十), and digit-by-digit forms such as 一〇."""
    if not any(ch in _UNITS for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + _CN_DIGITS[ch]
        return value
    total, digit = 0, None
    for ch in text:
        if ch in _UNITS:  # 十 alone (十一, 一百十) counts one ten
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        elif ch not in "零〇":  # 零 only marks a skipped place
            digit = _CN_DIGITS[ch]
    return total + (digit or 0)


def section_number(line: str) -> int | None:
    """The number of a section row's first cell (一、… → 1), None for anything else."""
    m = SECTION_RE.match(line)
    return cn_number(m["num"]) if m else None
