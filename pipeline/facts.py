"""Facts stage: deadlines and quantitative targets in a clause, with the text they govern.

All matching runs on ``ascii_digits(text)``, which has the same length as the text, so the
offsets point into the clause text as published (full-width digits included).
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from pipeline import nlp
from pipeline.errors import TooManyFiguresError
from pipeline.grammar import ascii_digits, cn_number
from pipeline.grammar.deadlines import (
    BEFORE,
    DAY,
    MONTH,
    NOT_MID,
    OPEN_ENDED,
    PAST_AFTER,
    PERIOD_NOUN_AFTER,
    PERIOD_VERB_BEFORE,
    RECURRENCE,
    SUSPECT_FORMS,
    SUSPECT_REFERENCE_AFTER,
)
from pipeline.grammar.targets import (
    AMOUNT_UNITS,
    COUNT_UNITS,
    GROWTH_METRICS,
    GROWTH_UNITS,
    GROWTH_VERBS,
    LEVEL_VERBS,
    MEASURE_UNITS,
    METRIC_HEADS,
    MULTIPLIERS,
    TO_LEVEL,
)
from pipeline.models import Clause, Deadline, Issue, Target

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

_GE, _LE = ("以上", "不低于", "不少于"), ("以下", "以内", "不超过", "不高于")
_COMPARATOR = {**dict.fromkeys(_GE, ">="), **dict.fromkeys(_LE, "<="), "超过": ">",
               "高于": ">", "低于": "<", "余": ">", "多": ">", "左右": "="}
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

#: Verbs between a metric and its figure: 规模增长10%, 覆盖率达到90%.
_CHANGE_VERBS = (*GROWTH_VERBS, *LEVEL_VERBS)
#: Words that open a phrase before its metric: 实现…规模增长.
_LEAD_WORDS = frozenset("实现 推动 确保 力争 促进 带动 保持 推进 完成 使 让 努力 争取 全年 年内 并".split())
#: What may stand between a change verb and its figure (压减至, 提高到, 达到了): dropped first.
_PRE_FIGURE = re.compile(r"(?:至|到|了|为)$")
_JOINERS = frozenset({"和", "与", "及", "以及"})
_METRIC_STOP_FLAGS = ("d", "p", "u", "c", "r", "m")


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


def deadlines(clause: Clause, year: int | None) -> tuple[tuple[Deadline, ...], list[Issue]]:
    """Every deadline expression in the clause, with its ISO date and the action it governs."""
    check_budget(clause)
    return _scan(clause.text, year, clause.task_no, clause.clause_no, clause.actor, due_column=False)


def parse_deadlines(text: str, year: int | None, task_no: int,
                    actor: str | None = None) -> tuple[tuple[Deadline, ...], list[Issue]]:
    """The deadlines of a due column's text (完成时限, 时间节点 …), as rows with ``clause_no`` None.

    The whole text is a time statement, so every expression in it is a deadline (``2025年9月``,
    ``全年``, ``第三季度``, ``每季度末``), and offsets and ``action`` are within ``text``. Text
    that states no date for open-ended work (:data:`OPEN_ENDED`: 持续推进, 长期) gives no row and
    no warning; any other text without a deadline is a ``deadline_not_understood`` warning.
    """
    if figure_count(text) > MAX_FIGURES_PER_CLAUSE:
        raise TooManyFiguresError(f"task {task_no}, due column", figure_count(text),
                                  MAX_FIGURES_PER_CLAUSE)
    found, issues = _scan(text, year, task_no, None, actor, due_column=True)
    if not found and not issues and text.strip() and not is_open_ended(text):
        issues.append(_not_understood(task_no, text.strip(), text.strip()))
    return found, issues


def is_open_ended(text: str) -> bool:
    """True when a due column's text names work with no date (持续推进, 长期坚持, 常态化)."""
    return _OPEN_ENDED_RE.search(text) is not None


def _scan(text: str, year: int | None, task_no: int, clause_no: int | None,
          actor: str | None, due_column: bool) -> tuple[tuple[Deadline, ...], list[Issue]]:
    digits = ascii_digits(text)
    every = list(DEADLINE_RE.finditer(digits))
    matches = _ranges([m for m in every if _is_deadline(digits, m, year, due_column)], digits)
    out: list[Deadline] = []
    issues: list[Issue] = []
    for i, (first, m) in enumerate(matches):
        start, later = _next_year_start(digits, first)
        kind = _kind(m)
        recurrence = RECURRENCE[m["rec_p"]] if kind == "rec" else None
        # 2025年3月至6月: the range ends in its first part's year unless its end names one.
        base = _own_year(first) if first is not m else None
        y = base if base is not None else (year + later if year is not None else None)
        due = None if recurrence else _due(kind, m, y)
        if due is None and recurrence is None:
            issues.append(Issue("deadline_not_dated",
                                f"task {task_no}: {digits[first.start():m.end()]!r} cannot be "
                                f"dated ({'no year' if year is None else 'no such day'})",
                                task_no))
            continue
        stop = _sentence_end(text, m.start())
        if i + 1 < len(matches) and matches[i + 1][0].start() < stop:
            stop = matches[i + 1][0].start()  # the next deadline governs what follows it
        action = text[start:stop].rstrip("，,、 ")
        out.append(Deadline(task_no, clause_no, actor, text[start:m.end()], due, action, start,
                            m.end(), recurrence))
    # A time-looking word outside every form (kept or not) is one the parser does not know.
    spans = [m.span() for m in every]
    for s in _SUSPECT_RE.finditer(digits):
        if any(a < s.end() and s.start() < b for a, b in spans):
            continue
        if digits[s.end():].lstrip().startswith(SUSPECT_REFERENCE_AFTER):
            continue  # 年初以来, 年初至今: a reference, not a time to act by
        lo, hi = _phrase_bounds(text, s.start())
        issues.append(_not_understood(task_no, text[s.start():s.end()], text[lo:hi]))
    return tuple(out), issues


#: What joins the two ends of a range of time (3月至6月, 2025—2027年, 3-6月).
_RANGE_JOIN = re.compile(r"\s*(?:至|到|—{1,2}|－|-|~|～)?\s*")


def _ranges(matches: list[re.Match[str]], digits: str,
            ) -> list[tuple[re.Match[str], re.Match[str]]]:
    """(first, last) per deadline: two one-off expressions joined by 至/—/- are one range, due at
    its end (3月至6月 → 06-30), so its start is no deadline of its own."""
    out: list[tuple[re.Match[str], re.Match[str]]] = []
    for m in matches:
        if out and out[-1][0] is out[-1][1]:
            prev = out[-1][0]
            gap = digits[prev.end():m.start()]
            joined = (_RANGE_JOIN.fullmatch(gap) is not None
                      and (gap.strip() != "" or m[0].startswith(("至", "到"))))
            if joined and "rec" not in (_kind(prev), _kind(m)):
                out[-1] = (prev, m)
                continue
        out.append((m, m))
    return out


def _not_understood(task_no: int, expression: str, context: str) -> Issue:
    shown = context if len(context) <= 40 else context[:40] + "…"
    return Issue("deadline_not_understood",
                 f"task {task_no}: {expression!r} (in {shown!r}) looks like a deadline the parser does not "
                 "know; no deadline row made from it (the text keeps it)", task_no)


#: The months a recurring deadline falls in, by its recurrence (每季度末 → 3, 6, 9, 12).
_PERIOD_MONTHS = {"monthly": tuple(range(1, 13)), "quarterly": (3, 6, 9, 12),
                  "half-yearly": (6, 12), "yearly": (12,)}


def occurrences(deadline: Deadline, year: int) -> tuple[date, ...]:
    """The days within ``year`` a recurring deadline falls on, for a calendar.

    Each period's end (每季度末 → 03-31, 06-30, 09-30, 12-31), or the day it names in each
    period's last month (每月5日前 → the 5th of every month; 每年6月底前 → 06-30). ``due`` stays
    null: these are the periods of the list's year, not a date the list states. Empty for a
    one-off deadline.
    """
    if deadline.recurrence is None:
        return ()
    m = DEADLINE_RE.search(ascii_digits(deadline.expression))
    if m is None or m["rec"] is None:
        return ()
    tail = m["rec_t"] or ""
    month = re.search(f"({_MONTH})\\s*月", tail)
    day = re.search(f"({_DAY})\\s*[日号]", tail)
    months = ((_month(month[1]),) if month and deadline.recurrence == "yearly"
              else _PERIOD_MONTHS[deadline.recurrence])
    out = []
    for mo in months:
        last = calendar.monthrange(year, mo)[1]
        out.append(date(year, mo, min(int(day[1]), last) if day else last))
    return tuple(out)


def _kind(m: re.Match[str]) -> str:
    return next(k for k in _KINDS if m[k] is not None)


def _own_year(m: re.Match[str]) -> int | None:
    own = next((m[g] for g in _OWN_YEAR if m[g]), None)
    return int(own) if own else None


def _is_marked(kind: str, m: re.Match[str]) -> bool:
    """The expression says it is a limit (前, 底, 末, 内, 到…年), not just a point or period."""
    mark = {"md": "md_b", "xun": "xun_b", "me": "me_e", "q": "q_e", "h": "h_e", "mid": "mid_b",
            "yr": "yr_l", "rec": "rec_t"}.get(kind)
    if mark is None:
        return kind in ("ye", "yi")
    return bool((m[mark] or "").strip())


def _is_deadline(digits: str, m: re.Match[str], year: int | None, due_column: bool) -> bool:
    """Whether a time expression is a deadline here (see :mod:`pipeline.grammar.deadlines`)."""
    if _is_reference_date(digits, m):
        return False
    if due_column:
        return True
    own = _own_year(m)
    if own is not None and year is not None and own < year:
        return False  # 2023年9月印发的…, 2023年底前已完成: a past event in a later list
    kind = _kind(m)
    if _is_marked(kind, m):
        return True
    if kind in ("rec", "yr"):
        return False  # 每年 (a frequency), 2024年 alone (a year named, 2024年推进工作计划)
    after = digits[m.end():].lstrip()
    before = digits[: m.start()].rstrip()
    return not (after.startswith(PERIOD_NOUN_AFTER) or after.startswith(PAST_AFTER)
                or before.endswith(PERIOD_VERB_BEFORE))


def _is_reference_date(digits: str, m: re.Match[str]) -> bool:
    """截至2023年底 (a date things stand at, not one to act by), unless it says 前."""
    return (digits[: m.start()].rstrip().endswith(("截至", "截止"))
            and not m[0].rstrip().endswith("前"))


def _next_year_start(digits: str, m: re.Match[str]) -> tuple[int, int]:
    """Where the expression starts, and 1 if 明年/次年 puts it in the year after the list's."""
    before = digits[: m.start()]
    if before.endswith(("明年", "次年")):
        return m.start() - 2, 1
    if m[0].startswith(("年", "全年")) and before.endswith(("明", "次")):  # 明年底前
        return m.start() - 1, 1
    return m.start(), 0


def _due(kind: str, m: re.Match[str], year: int | None) -> date | None:
    """The last day a deadline match allows, or None when it cannot be dated."""
    y = _own_year(m) or year
    if y is None:
        return None
    if kind == "md":
        try:
            return date(y, _month(m["md_m"]), int(m["md_d"]))
        except ValueError:
            return None
    if kind == "xun":  # 上旬 to the 10th, 中旬 to the 20th, 下旬 to the month's end
        month = _month(m["xun_m"])
        return {"上": date(y, month, 10), "中": date(y, month, 20)}.get(
            m["xun_p"], _month_end(y, month))
    if kind == "me":
        return _month_end(y, _month(m["me_m"]))
    if kind == "q":
        return _month_end(y, 3 * _month(m["q_n"]))
    if kind == "h":
        return _month_end(y, 6 if m["h_n"] == "上" else 12)
    if kind == "mid":
        return date(y, 6, 30)
    return date(y, 12, 31)  # 年底, 年内, 全年, 到2025年


def _month(token: str) -> int:
    """A month or quarter number, in digits or Chinese numerals (3, 三, 十二)."""
    return int(token) if token.isdigit() else cn_number(token)


def _month_end(y: int, month: int) -> date:
    return date(y, month, calendar.monthrange(y, month)[1])


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


def targets(clause: Clause, clause_deadlines: tuple[Deadline, ...]) -> tuple[Target, ...]:
    """Percentages, counts and ranges in the clause, one row per metric they apply to."""
    check_budget(clause)
    text = clause.text
    digits = ascii_digits(text)
    found: list[tuple[int, int, re.Match[str], str]] = []
    taken = [(d.char_start, d.char_end) for d in clause_deadlines]
    for pattern in (PERCENT_RE, COUNT_RE):
        for m in pattern.finditer(digits):
            if _is_ordinal(digits, m) or any(s < m.end() and m.start() < e for s, e in taken):
                continue
            unit = "%" if pattern is PERCENT_RE else m["unit"][len(m["mult"] or ""):]
            found.append((m.start(), m.end(), m, unit))
            taken.append((m.start(), m.end()))
    out: list[Target] = []
    for start, end, m, unit in sorted(found, key=lambda f: f[0]):
        more = m.groupdict().get("more")
        comparator = "between" if m["v2"] else _COMPARATOR.get(
            m["pre"] or m["post"] or more or "", "=")
        if comparator == "=" and digits[:start].rstrip().endswith("突破"):
            comparator = ">"  # 突破1000亿元: past the figure
        due = _governing_due(text, start, clause_deadlines)
        # Another figure or a deadline bounds the phrase a metric is read from.
        floor = max((e for s, e in taken if e <= start), default=0)
        ceiling = min((s for s, e in taken if s >= end), default=len(text))
        # 1.5万件 is 15,000 件: the multiplier scales the value, the unit is what is counted.
        scale = MULTIPLIERS.get(m.groupdict().get("mult") or "", 1)
        value = _scaled(m["v"], scale)
        value_max = _scaled(m["v2"], scale) if m["v2"] else None
        before = _phrase_before(text, start, floor)
        for metric in metrics(text, start, end, unit in _MEASURES, floor, ceiling):
            out.append(Target(
                clause.task_no, clause.clause_no, clause.actor, text[start:end], metric,
                value, value_max, unit, comparator, due, start, end,
                _target_kind(before, unit, metric)))
    return tuple(out)


def _scaled(figure: str, scale: int) -> float:
    """A figure times its multiplier, exact in decimal before it becomes a float (0.3万 → 3000)."""
    return float(figure) if scale == 1 else float(Decimal(figure) * scale)


def _target_kind(before: str, unit: str, metric: str) -> str:
    """growth, level or count (see :mod:`pipeline.grammar.targets`)."""
    if unit in GROWTH_UNITS:
        return "growth"
    stem = before.rstrip().removesuffix("了").rstrip()
    if stem.endswith(TO_LEVEL) and stem[:-1].rstrip().endswith(GROWTH_VERBS):
        return "count" if unit in COUNT_UNITS else "level"  # 提高到75%: the level reached
    if stem.endswith(GROWTH_VERBS) or metric.endswith(GROWTH_METRICS):
        return "growth"  # 增长10%; 增幅达到10%
    return "count" if unit in COUNT_UNITS else "level"


def long_figures(clause: Clause) -> list[Issue]:
    """A warning for each figure too long to be a target (see :data:`MAX_FIGURE_DIGITS`)."""
    issues = []
    for m in _LONG_FIGURE_RE.finditer(ascii_digits(clause.text)):
        if all(len(part) <= MAX_FIGURE_DIGITS for part in m["v"].split(".")):
            continue
        digits = len(m["v"].replace(".", ""))
        issues.append(Issue("figure_too_long",
                            f"task {clause.task_no}: a figure of {digits} digits "
                            f"({m['v'][:12]!r}…) is over the limit of {MAX_FIGURE_DIGITS} digits "
                            "before or after the point; not a target (kept in the clause text)",
                            clause.task_no))
    return issues


def _is_ordinal(digits: str, m: re.Match[str]) -> bool:
    """第 3 批 with a space: the look-behind in the patterns only sees 第 right before the digit."""
    return digits[: m.start("v")].rstrip().endswith("第")


def _governing_due(text: str, pos: int, clause_deadlines: tuple[Deadline, ...]) -> date | None:
    """The due date of the deadline in the same sentence: the nearest before, else after."""
    lo, hi = _sentence_start(text, pos), _sentence_end(text, pos)
    same = [d for d in clause_deadlines if lo <= d.char_start < hi]
    before = [d for d in same if d.char_start <= pos]
    if before:
        return before[-1].due
    return same[0].due if same else None


def metrics(text: str, start: int, end: int, measured_before: bool = False,
            floor: int = 0, ceiling: int | None = None) -> list[str]:
    """The metric phrases a figure at ``text[start:end]`` applies to.

    A figure after a change verb (增长, 压减至 …) or in a unit that measures rather than counts
    (个月, 个百分点) measures the noun phrase before it (知识产权质押融资规模和惠及中小企业数量
    增长10%, 审查周期压减至4个月); otherwise it measures the noun phrase after it
    (完成30%以上存量专利盘点入库, 5个国家重点产业专利专题数据库).
    Phrases joined by 和/与/及 give one metric each. The phrases stay within ``floor`` and
    ``ceiling``: the ends of the deadlines and figures around this one.
    """
    before = _PRE_FIGURE.sub("", _phrase_before(text, start, floor))
    verb = next((v for v in _CHANGE_VERBS if before.endswith(v)), None)
    after = _phrase_after(text, end, len(text) if ceiling is None else ceiling)
    if verb is None and after and not measured_before:
        words = _trim_after(after)
    else:
        words = _trim_before(nlp.cut(before[: len(before) - len(verb or "")]))
    return _split_joined(words) or [""]


def _phrase_before(text: str, start: int, floor: int = 0) -> str:
    ends = [m.end() for m in _PHRASE_END.finditer(text, 0, start)]
    return text[max(ends[-1] if ends else 0, floor): start].strip()


def _phrase_after(text: str, end: int, ceiling: int) -> str:
    m = _PHRASE_END.search(text, end)
    return text[end: min(m.start() if m else len(text), ceiling)].strip()


def _trim_before(words: list[str]) -> list[str]:
    """Drop the verbs that open the phrase (实现, 力争实现 …)."""
    while words and (words[0] in _LEAD_WORDS or words[0] in _JOINERS or not words[0].strip()):
        words = words[1:]
    return words


def _trim_after(phrase: str) -> list[str]:
    """Words of the noun phrase after a figure, up to the first adverb, preposition or particle."""
    words: list[str] = []
    for word, flag in nlp.tagged(phrase):
        if flag.startswith(_METRIC_STOP_FLAGS) and word not in _JOINERS and words:
            break
        words.append(word)
    return words


def _split_joined(words: list[str]) -> list[str]:
    """One phrase per metric joined by 和/与/及, split only where both sides are complete.

    A side is a complete metric when it ends in a metric head (:data:`METRIC_HEADS`: 规模, 数量,
    转化率 …): 质押融资规模和惠及中小企业数量 is two metrics, while in 高校和科研机构专利转化率 the
    words before 和 are no metric, so they join what follows them (one metric); a last side
    without a head joins the one before (质押融资规模和惠及中小企业 is one).
    """
    sides: list[tuple[str, str]] = []  # (text, the joiner after it)
    current: list[str] = []
    for word in words:
        if word in _JOINERS:
            sides.append(("".join(current).strip(), word))
            current = []
        else:
            current.append(word)
    sides.append(("".join(current).strip(), ""))
    phrases: list[tuple[str, str]] = []
    for text, joiner in sides:
        if phrases and not _is_metric(phrases[-1][0]):
            prev, prev_joiner = phrases.pop()
            text = prev + prev_joiner + text if text else prev
        phrases.append((text, joiner))
    if len(phrases) > 1 and not _is_metric(phrases[-1][0]):
        (prev, prev_joiner), (last, joiner) = phrases[-2], phrases[-1]
        phrases[-2:] = [(prev + prev_joiner + last if last else prev, joiner)]
    return [p for p, _ in phrases if p]


def _is_metric(phrase: str) -> bool:
    return phrase.endswith(METRIC_HEADS)
