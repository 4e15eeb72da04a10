"""Facts stage, deadlines: the deadlines in a clause or a due column, each with its due date
(or recurrence) and the action it governs; time-looking words no form takes are warnings.
"""
from __future__ import annotations

import calendar
import re
from datetime import date

from pipeline.errors import TooManyFiguresError
from pipeline.facts.patterns import (
    _DAY,
    _KINDS,
    _MONTH,
    _OPEN_ENDED_RE,
    _OWN_YEAR,
    _SUSPECT_RE,
    DEADLINE_RE,
    MAX_FIGURES_PER_CLAUSE,
    _phrase_bounds,
    _sentence_end,
    check_budget,
    figure_count,
)
from pipeline.grammar import ascii_digits, cn_number
from pipeline.grammar.deadlines import (
    BARE_RANGE_START,
    PAST_AFTER,
    PERIOD_NOUN_AFTER,
    PERIOD_VERB_BEFORE,
    RANGE_JOIN,
    RECURRENCE,
    SUSPECT_REFERENCE_AFTER,
)
from pipeline.models import Clause, Deadline, Issue


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
        bare = _bare_start(digits, m) if first is m and later == 0 else None
        if bare is not None:  # 3-6月: the range's start has no 月 of its own
            start = bare.start()
            base = int(bare["y"]) if bare["y"] else None
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


_RANGE_JOIN = re.compile(rf"\s*{RANGE_JOIN}?\s*")
_BARE_START = {kind: re.compile(pattern) for kind, pattern in BARE_RANGE_START.items()}


def _bare_start(digits: str, m: re.Match[str]) -> re.Match[str] | None:
    """The bare start of the range ``m`` ends (``3-`` of 3-6月), if ``m`` names no year."""
    pattern = _BARE_START.get(_kind(m))
    if pattern is None or _own_year(m) is not None:
        return None
    return pattern.search(digits, max(0, m.start() - 12), m.start())


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


