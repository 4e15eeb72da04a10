"""Facts stage: deadlines and quantitative targets in a clause, with the text they govern.

All matching runs on ``ascii_digits(text)``, which has the same length as the text, so the
offsets point into the clause text as published (full-width digits included).
"""
from __future__ import annotations

import calendar
import re
from collections.abc import Iterable
from datetime import date

from pipeline import nlp
from pipeline.errors import TooManyFiguresError
from pipeline.grammar import ascii_digits, cn_number
from pipeline.models import Clause, Deadline, Issue, Target

_MONTH = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_DAY = r"3[01]|[12][0-9]|0?[1-9]"
_BEFORE = r"(?:之前|以前|前)"
_YEAR = r"(?:(?P<{0}>(?:19|20)[0-9]{{2}})\s*年\s*)?"
_LEAD = r"(?:[在于]\s*)?"

_DEADLINE_FORMS = "|".join([
    # 3月15日前
    f"(?P<md>{_LEAD}{_YEAR.format('y1')}(?P<md_m>{_MONTH})\\s*月\\s*(?P<md_d>{_DAY})\\s*[日号]\\s*{_BEFORE})",
    # 6月底前, 6 月末前, 2025年3月底前, 6月底
    f"(?P<me>{_LEAD}{_YEAR.format('y2')}(?P<me_m>{_MONTH})\\s*月\\s*[底末]\\s*{_BEFORE}?)",
    # 第一季度末前, 一季度末, 2024年第三季度
    f"(?P<q>{_LEAD}{_YEAR.format('y3')}第?\\s*(?P<q_n>[一二三四1-4])\\s*季度\\s*(?:[底末]\\s*)?{_BEFORE}?)",
    # 上半年, 下半年
    f"(?P<h>{_LEAD}{_YEAR.format('y4')}(?P<h_n>[上下])半年)",
    # 年底前, 2024年底前, 2024年年底前, 年末
    f"(?P<ye>{_LEAD}(?:(?P<y5>(?:19|20)[0-9]{{2}})\\s*(?:年\\s*)?)?年\\s*[底末]\\s*{_BEFORE}?)",
    # 年内 (not 三年内 / 5年内, which are spans, not deadlines)
    "(?P<yi>(?<![0-9一二三四五六七八九十两几多数每])(?:(?P<y6>(?:19|20)[0-9]{2})\\s*)?年内)",
])
#: Every character a deadline can begin with (each form's first: 在/于, a year's or month's
#: digit, a month or quarter numeral, 第 or the space before a quarter, 上/下, 年). A
#: lookahead for them first gives the same matches, 25 times faster: the forms open with
#: optional parts, so without it every position of a text tries all six forms in full.
_DEADLINE_STARTS = r"[\s在于0-9十一二三四五六七八九第上下年]"
DEADLINE_RE = re.compile(f"(?={_DEADLINE_STARTS})(?:{_DEADLINE_FORMS})")

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
_UNITS = "人次|场次|家次|件次|户次|个|所|家|项|件|次|场|名|人|条|部|类|批|种|套|户|座|期|元"
#: Units that measure a quantity of the phrase before them (审查周期压减至4个月), never count
#: things named after them; listed before 个 so the longer unit wins.
_MEASURES = ("个百分点", "百分点", "个工作日", "工作日", "个月", "天")

PERCENT_RE = re.compile(f"{_PRE}(?<![0-9.第])(?P<v>{_NUM}){_RANGE}\\s*%{_POST}")
# Counts need a measure word; 第N…, N年, N周年 and N月 are never counts.
COUNT_RE = re.compile(
    f"{_PRE}(?<![0-9.第])(?P<v>{_NUM}){_RANGE}\\s*(?P<more>余|多)?\\s*"
    f"(?P<unit>{'|'.join(_MEASURES)}|(?:万|亿)?(?:{_UNITS})){_POST}"
)
#: A figure past MAX_FIGURE_DIGITS where a target would stand (before % or a unit).
_LONG_FIGURE_RE = re.compile(
    f"(?<![0-9.])(?P<v>[0-9]+(?:\\.[0-9]+)?)(?=\\s*(?:余|多)?\\s*"
    f"(?:%|{'|'.join(_MEASURES)}|(?:万|亿)?(?:{_UNITS})))")

#: Verbs between a metric and its figure: 规模增长10%, 覆盖率达到90%.
_CHANGE_VERBS = ("增长", "提高", "提升", "增加", "上升", "下降", "降低", "减少", "压减", "缩短",
                 "达到", "达", "占", "保持在", "稳定在", "控制在", "突破")
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
    text = clause.text
    digits = ascii_digits(text)
    matches = [m for m in DEADLINE_RE.finditer(digits) if not _is_reference_date(digits, m)]
    out: list[Deadline] = []
    issues: list[Issue] = []
    for i, m in enumerate(matches):
        start, later = _next_year_start(digits, m)
        due = _due(m, year + later if year is not None else None)
        if due is None:
            issues.append(Issue("deadline_not_dated",
                                f"task {clause.task_no}: {m[0]!r} cannot be dated "
                                f"({'no year' if year is None else 'no such day'})",
                                clause.task_no))
            continue
        stop = _sentence_end(text, m.start())
        if i + 1 < len(matches) and matches[i + 1].start() < stop:
            stop = matches[i + 1].start()  # the next deadline governs what follows it
        action = text[start:stop].rstrip("，,、 ")
        out.append(Deadline(clause.task_no, clause.clause_no, clause.actor, text[start:m.end()],
                            due, action, start, m.end()))
    return tuple(out), issues


def _is_reference_date(digits: str, m: re.Match[str]) -> bool:
    """截至2023年底 (a date things stand at, not one to act by), unless it says 前."""
    return (digits[: m.start()].rstrip().endswith(("截至", "截止"))
            and not m[0].rstrip().endswith("前"))


def _next_year_start(digits: str, m: re.Match[str]) -> tuple[int, int]:
    """Where the expression starts, and 1 if 明年/次年 puts it in the year after the list's."""
    before = digits[: m.start()]
    if before.endswith(("明年", "次年")):
        return m.start() - 2, 1
    if m[0].startswith("年") and before.endswith(("明", "次")):  # 明年底前
        return m.start() - 1, 1
    return m.start(), 0


def _due(m: re.Match[str], year: int | None) -> date | None:
    """The date a deadline match stands for, or None when it cannot be dated."""
    kind = m.lastgroup if m.lastgroup in ("md", "me", "q", "h", "ye", "yi") else next(
        k for k in ("md", "me", "q", "h", "ye", "yi") if m.group(k))
    own = next((m[g] for g in ("y1", "y2", "y3", "y4", "y5", "y6") if m[g]), None)
    y = int(own) if own else year
    if y is None:
        return None
    if kind == "md":
        try:
            return date(y, _month(m["md_m"]), int(m["md_d"]))
        except ValueError:
            return None
    if kind == "me":
        return _month_end(y, _month(m["me_m"]))
    if kind == "q":
        return _month_end(y, 3 * _month(m["q_n"]))
    if kind == "h":
        return _month_end(y, 6 if m["h_n"] == "上" else 12)
    return date(y, 12, 31)


def _month(token: str) -> int:
    """A month or quarter number, in digits or Chinese numerals (3, 三, 十二)."""
    return int(token) if token.isdigit() else cn_number(token)


def _month_end(y: int, month: int) -> date:
    return date(y, month, calendar.monthrange(y, month)[1])


def _sentence_end(text: str, pos: int) -> int:
    m = _SENTENCE_END.search(text, pos)
    return m.start() if m else len(text)


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
            found.append((m.start(), m.end(), m, "%" if pattern is PERCENT_RE else m["unit"]))
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
        for metric in metrics(text, start, end, unit in _MEASURES, floor, ceiling):
            out.append(Target(
                clause.task_no, clause.clause_no, clause.actor, text[start:end], metric,
                float(m["v"]), float(m["v2"]) if m["v2"] else None, unit, comparator, due,
                start, end))
    return tuple(out)


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
    """One phrase per run of words between 和/与/及 joiners."""
    phrases: list[str] = []
    current: list[str] = []
    for word in words:
        if word in _JOINERS:
            phrases.append("".join(current))
            current = []
        else:
            current.append(word)
    phrases.append("".join(current))
    return [p.strip() for p in phrases if p.strip()]
