"""Facts stage, targets: the quantitative targets in a clause (a figure with its unit and
comparator, the metric it measures, its kind) and the deadline governing each; a figure too long
for a target is a warning.
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from pipeline import nlp
from pipeline.facts.patterns import (
    _LONG_FIGURE_RE,
    _MEASURES,
    _PHRASE_END,
    COUNT_RE,
    MAX_FIGURE_DIGITS,
    PERCENT_RE,
    _sentence_end,
    _sentence_start,
    check_budget,
)
from pipeline.grammar import ascii_digits
from pipeline.grammar.targets import (
    COUNT_UNITS,
    GROWTH_METRICS,
    GROWTH_UNITS,
    GROWTH_VERBS,
    LEVEL_VERBS,
    METRIC_HEADS,
    MULTIPLIERS,
    PER_CAPITA,
    TO_LEVEL,
)
from pipeline.models import Clause, Deadline, Issue, Target

_GE, _LE = ("以上", "不低于", "不少于"), ("以下", "以内", "不超过", "不高于")
_COMPARATOR = {**dict.fromkeys(_GE, ">="), **dict.fromkeys(_LE, "<="), "超过": ">",
               "高于": ">", "低于": "<", "余": ">", "多": ">", "左右": "="}

#: Verbs between a metric and its figure: 规模增长10%, 覆盖率达到90%.
_CHANGE_VERBS = (*GROWTH_VERBS, *LEVEL_VERBS)
#: Words that open a phrase before its metric: 实现…规模增长.
_LEAD_WORDS = frozenset("实现 推动 确保 力争 促进 带动 保持 推进 完成 使 让 努力 争取 全年 年内 并".split())
#: What may stand between a change verb and its figure (压减至, 提高到, 达到了): dropped first.
_PRE_FIGURE = re.compile(r"(?:至|到|了|为)$")
_JOINERS = frozenset({"和", "与", "及", "以及"})
_METRIC_STOP_FLAGS = ("d", "p", "u", "c", "r", "m")


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
        # 提高到75%: the level reached; 提高到15件 of a count, unless per head (每万人口…)
        return "count" if unit in COUNT_UNITS and not _per_capita(metric) else "level"
    if stem.endswith(GROWTH_VERBS) or metric.endswith(GROWTH_METRICS):
        return "growth"  # 增长10%; 增幅达到10%
    return "count" if unit in COUNT_UNITS and not _per_capita(metric) else "level"


def _per_capita(metric: str) -> bool:
    return any(word in metric for word in PER_CAPITA)  # 每万人口…拥有量达到12件: a ratio

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
