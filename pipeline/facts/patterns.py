"""Facts stage, the patterns: the regular expressions of deadlines and of figures (percentages,
counts, amounts), where a figure's sentence and phrase begin and end, and how many figures a
clause and a document may hold (checked before any is related to the others).
"""
from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.errors import TooManyFiguresError
from pipeline.grammar import ascii_digits
from pipeline.grammar.deadlines import (
    BEFORE,
    DAY,
    MONTH,
    NOT_MID,
    OPEN_ENDED,
    SUSPECT_FORMS,
)
from pipeline.grammar.targets import (
    AMOUNT_UNITS,
    COUNT_UNITS,
    MEASURE_UNITS,
    MULTIPLIERS,
)
from pipeline.models import Clause

_MONTH, _DAY, _BEFORE = MONTH, DAY, BEFORE
_YEAR = r"(?:(?P<{0}>(?:19|20)[0-9]{{2}})\s*年\s*)?"
_LEAD = r"(?:[在于]\s*)?"
#: A bare form ends where no limit word follows (those make a marked form or a suspect).
_NO_MARK = r"(?!\s*(?:[底末初中内旬]|上旬|下旬|之前|以前|前))"

#: Every form of a time expression, one named group per form (see :mod:`pipeline.grammar.deadlines`).
_DEADLINE_FORMS = "|".join([
    # 每季度末, 每月底前, 每月5日前, 每年6月底前, 按季度, 每半年, 每年 (recurring: no one date)
    f"(?P<rec>(?:每|按)\\s*(?:个\\s*)?(?P<rec_p>季度|季|半年|年度|月|年)"
    f"(?P<rec_t>(?:\\s*(?:{_MONTH})\\s*月)?(?:\\s*(?:{_DAY})\\s*[日号]|\\s*[底末]|\\s*最后一[天日])?"
    f"\\s*{_BEFORE}?))",
    # 3月15日前, 2025年6月30日 (bare)
    f"(?P<md>{_LEAD}{_YEAR.format('y1')}(?P<md_m>{_MONTH})\\s*月\\s*份?\\s*(?P<md_d>{_DAY})\\s*[日号]"
    f"(?P<md_b>\\s*{_BEFORE})?)",
    # 6月上旬, 6月下旬前
    f"(?P<xun>{_LEAD}{_YEAR.format('y7')}(?P<xun_m>{_MONTH})\\s*月\\s*份?\\s*(?P<xun_p>[上中下])\\s*旬"
    f"(?P<xun_b>\\s*{_BEFORE})?)",
    # 6月底前, 6 月末前, 2025年3月底前, 6月底; 2025年9月, 9月份 (bare: the month's end)
    f"(?P<me>{_LEAD}{_YEAR.format('y2')}(?P<me_m>{_MONTH})\\s*月\\s*份?"
    f"(?:(?P<me_e>\\s*[底末]\\s*{_BEFORE}?)|{_NO_MARK}))",
    # 第一季度末前, 一季度末, 2024年第三季度, 前三季度 (bare)
    f"(?P<q>{_LEAD}{_YEAR.format('y3')}(?:第|前)?\\s*(?P<q_n>[一二三四1-4])\\s*季度"
    f"(?:(?P<q_e>\\s*(?:[底末]\\s*{_BEFORE}?|{_BEFORE}))|{_NO_MARK}))",
    # 上半年, 下半年, 上半年末前
    f"(?P<h>{_LEAD}{_YEAR.format('y4')}(?P<h_n>[上下])半年(?P<h_e>\\s*(?:[底末]\\s*)?{_BEFORE}|\\s*[底末])?)",
    # 年底前, 2024年底前, 2024年年底前, 年末
    f"(?P<ye>{_LEAD}(?:(?P<y5>(?:19|20)[0-9]{{2}})\\s*(?:年\\s*)?|(?<![去上前近]))年\\s*[底末]\\s*{_BEFORE}?)",
    # 年内 (not 三年内 / 5年内, which are spans, not deadlines)
    "(?P<yi>(?:(?P<y6>(?:19|20)[0-9]{2})\\s*年?\\s*|(?<![0-9一二三四五六七八九十两几多数每近]))年内)",
    # 年中, 2025年年中, 年中前 (not 三年中, 2024年中国)
    f"(?P<mid>{_LEAD}(?:(?P<y8>(?:19|20)[0-9]{{2}})\\s*年?\\s*|(?<![0-9一二三四五六七八九十两几多数每近全]))"
    f"年中{NOT_MID}(?P<mid_b>\\s*{_BEFORE})?)",
    # 全年, 2025年全年 (bare: by the year's end)
    "(?P<fy>(?:(?P<y9>(?:19|20)[0-9]{2})\\s*年\\s*|(?<![0-9一二三四五六七八九十两几多数每近]))全年)",
    # 到2025年, 至2027年 (by that year); 2025年 alone (a deadline only in a due column)
    "(?P<yr>(?:(?P<yr_l>(?<!截)[到至])\\s*)?(?P<y10>(?:19|20)[0-9]{2})\\s*年"
    "(?!\\s*(?:[0-9一二三四五六七八九十上下第底末内中全度初前]|之前|以前|起|以来)))",
])
#: Every character a deadline can begin with (each form's first: 每/按, 在/于, 到/至, a year's
#: or month's digit, a month or quarter numeral, 第/前 or the space before a quarter, 上/下,
#: 年, 全). A lookahead for them first gives the same matches, much faster: the forms open with
#: optional parts, so without it every position of a text tries all forms in full.
_DEADLINE_STARTS = r"[\s每按在于到至0-9十一二三四五六七八九第前上下年全]"
DEADLINE_RE = re.compile(f"(?={_DEADLINE_STARTS})(?:{_DEADLINE_FORMS})")
_KINDS = ("rec", "md", "xun", "me", "q", "h", "ye", "yi", "mid", "fy", "yr")
_OWN_YEAR = ("y1", "y7", "y2", "y3", "y4", "y5", "y6", "y8", "y9", "y10")
_SUSPECT_FORMS = "|".join(f"(?:{f})" for f in SUSPECT_FORMS)
#: The characters a suspect can begin with (as for _DEADLINE_STARTS: same matches, faster).
_SUSPECT_STARTS = r"[0-9一二三四五六七八九十季年本当该次下春国元中五清端全两上]"
_SUSPECT_RE = re.compile(f"(?={_SUSPECT_STARTS})(?:{_SUSPECT_FORMS})")
_OPEN_ENDED_RE = re.compile("|".join(map(re.escape, OPEN_ENDED)))

_SENTENCE_END = re.compile(r"[。；;！？!?\n]")
_PHRASE_END = re.compile(r"[，,。；;！？!?：:\n]")


#: Digits a figure may have before and after its point. float64 holds 15 significant digits
#: exactly and a longer run overflows to inf at 309, so a longer run is no target (a warning).
MAX_FIGURE_DIGITS = 15
_NUM = rf"[0-9]{{1,{MAX_FIGURE_DIGITS}}}(?:\.[0-9]{{1,{MAX_FIGURE_DIGITS}}})?"
_PRE = r"(?:(?P<pre>不低于|不少于|不超过|不高于|超过|高于|低于)\s*)?"
_POST = r"(?:\s*(?P<post>以上|以下|以内|左右))?"
_RANGE = rf"(?:\s*(?:%\s*)?(?:至|到|~|～|-|－|—)\s*(?P<v2>{_NUM}))?"
_UNITS = "|".join((*COUNT_UNITS, *AMOUNT_UNITS))
_MULT = "|".join(sorted(MULTIPLIERS, key=len, reverse=True))
_MEASURES = MEASURE_UNITS

PERCENT_RE = re.compile(f"{_PRE}(?<![0-9.第])(?P<v>{_NUM}){_RANGE}\\s*%{_POST}")
# Counts need a measure word; 第N…, N年, N周年 and N月 are never counts.
COUNT_RE = re.compile(
    f"{_PRE}(?<![0-9.第])(?P<v>{_NUM}){_RANGE}\\s*(?P<more>余|多)?\\s*"
    f"(?P<unit>{'|'.join(_MEASURES)}|(?P<mult>{_MULT})?(?:{_UNITS})){_POST}"
)
#: A figure past MAX_FIGURE_DIGITS where a target would stand (before % or a unit).
_LONG_FIGURE_RE = re.compile(
    f"(?<![0-9.])(?P<v>[0-9]+(?:\\.[0-9]+)?)(?=\\s*(?:余|多)?\\s*"
    f"(?:%|{'|'.join(_MEASURES)}|(?:{_MULT})?(?:{_UNITS})))")


#: Deadlines and figures one clause may hold. A published clause has a handful; relating each
#: to the others (bounds of metric phrases, governing deadlines) is quadratic in their number,
#: so a clause with thousands (10%以上 repeated) is refused before that work starts.
MAX_FIGURES_PER_CLAUSE = 200
#: The same for a whole document (a published list has about a hundred): each figure costs a
#: word segmentation of its phrase, so the run stays within its time budget.
MAX_FIGURES_PER_DOCUMENT = 5_000


def figure_count(text: str) -> int:
    """Deadline, percentage and count expressions in the text (a linear count)."""
    digits = ascii_digits(text)
    return sum(1 for pattern in (DEADLINE_RE, PERCENT_RE, COUNT_RE) for _ in pattern.finditer(digits))


def check_budget(clause: Clause) -> None:
    """Raise TooManyFiguresError for a clause over MAX_FIGURES_PER_CLAUSE."""
    count = figure_count(clause.text)
    if count > MAX_FIGURES_PER_CLAUSE:
        raise TooManyFiguresError(f"task {clause.task_no}, clause {clause.clause_no}", count,
                                  MAX_FIGURES_PER_CLAUSE)


def check_document_budget(texts: Iterable[str]) -> None:
    """Raise TooManyFiguresError for measures over MAX_FIGURES_PER_DOCUMENT, before any is read."""
    count = 0
    for text in texts:
        count += figure_count(text)
        if count > MAX_FIGURES_PER_DOCUMENT:
            raise TooManyFiguresError("the document", count, MAX_FIGURES_PER_DOCUMENT)


def _sentence_end(text: str, pos: int) -> int:
    m = _SENTENCE_END.search(text, pos)
    return m.start() if m else len(text)


def _phrase_bounds(text: str, pos: int) -> tuple[int, int]:
    ends = [m.end() for m in _PHRASE_END.finditer(text, 0, pos)]
    m = _PHRASE_END.search(text, pos)
    return (ends[-1] if ends else 0), (m.start() if m else len(text))


def _sentence_start(text: str, pos: int) -> int:
    ends = [m.end() for m in _SENTENCE_END.finditer(text, 0, pos)]
    return ends[-1] if ends else 0
