"""Segment stage: 工作举措 into actor clauses, 任务分工 into assignment entries."""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pipeline import scopes
from pipeline.grammar import (
    KNOWN_ACTORS,
    STANDING_ALIASES,
    actor_label,
    level_label,
    locality_actor,
    split_at_localities,
)
from pipeline.models import Assignment, Clause, Issue, Para

_COLON_LEN = 1


#: The owner of a task of a CNIPA table whose measures carry no labels: its 局内 entries say the
#: administration's own departments do it.
CNIPA = "国家知识产权局"
#: The level of a 任务分工 entry written as a list of units without a label (a 责任单位 column).
RESPONSIBLE = "责任"
LEAD_LEVEL, SUPPORT_LEVEL = "牵头", "配合"


def labelled(measures: Iterable[Para]) -> bool:
    """Whether a document's measures open their paragraphs with actor labels (国家知识产权局：…),
    as the 2024 list does; a table without any (2017, the provinces) gets its actors inferred."""
    return any(actor_label(p.text) is not None for p in measures)


def clauses(task_no: int, measures: tuple[Para, ...], *, infer: bool = False,
            owner: str | None = None) -> tuple[tuple[Clause, ...], list[Issue]]:
    """One clause per labelled paragraph; an unlabelled one continues the clause before it.

    With ``infer`` (a document whose measures have no labels at all), a paragraph addressed to
    the localities (``各地应…``, ``有关省份要…``: :func:`pipeline.grammar.locality_actor`) opens
    a clause of the actor it stands for, and the opening paragraph is the ``owner``'s (the
    task's lead units, or 国家知识产权局 for a task with 局内 entries); both are flagged
    ``actor_inferred``. The paragraph's text is kept whole (it has no label to cut).
    """
    out: list[Clause] = []
    issues: list[Issue] = []
    if infer:  # a localities sentence inside a paragraph opens a clause too
        measures = tuple(Para(piece, p.page_start, p.page_end) for p in measures
                         for piece in split_at_localities(p.text))
    for para in measures:
        label = actor_label(para.text)
        inferred = locality_actor(para.text) if infer and label is None else None
        if inferred is None and infer and label is None and not out and owner:
            inferred = owner
        if inferred is not None:
            out.append(Clause(task_no, len(out) + 1, inferred, para.text, para.page_start,
                              para.page_end, inferred in KNOWN_ACTORS, actor_inferred=True))
        elif label is not None:
            text = para.text[len(label) + _COLON_LEN:].strip()
            known = label in KNOWN_ACTORS
            out.append(Clause(task_no, len(out) + 1, label, text, para.page_start, para.page_end,
                              known))
            if not known:
                issues.append(Issue("unknown_actor_label",
                                    f"task {task_no}: actor label {label!r} is not one of "
                                    f"{'/'.join(KNOWN_ACTORS)}", task_no))
        elif out:
            prev = out[-1]
            out[-1] = Clause(task_no, prev.clause_no, prev.actor, f"{prev.text}\n{para.text}",
                             prev.page_start, para.page_end, prev.actor_known, prev.actor_inferred)
        else:
            out.append(Clause(task_no, 1, None, para.text, para.page_start, para.page_end, False))
            issues.append(Issue("text_without_actor",
                                f"task {task_no}: 工作举措 opens without an actor label", task_no))
    if not out:
        issues.append(Issue("task_without_clause", f"task {task_no} has no 工作举措 clause", task_no))
    return tuple(out), issues


def assignments(task_no: int, division: tuple[Para, ...], task_clauses: tuple[Clause, ...],
                aliases: Mapping[str, str] = STANDING_ALIASES, *, unit_lists: bool = False,
                ) -> tuple[tuple[Assignment, ...], list[Issue]]:
    """One entry per labelled 任务分工 paragraph, linked to its clause by :func:`link_clause`.

    ``aliases`` (long → short, :func:`pipeline.scopes.aliases_in` over the whole document)
    normalise the scope into ``applies_to`` and ``groups``. An unlabelled paragraph in a cell
    without labels is a list of units (level ``责任``) where the document's division column has
    no labels at all (``unit_lists``: a 责任单位 column) or the paragraph reads as unit names.
    """
    out: list[Assignment] = []
    issues: list[Issue] = []
    labels = any(level_label(p.text) is not None for p in division)
    for para in division:
        entry_no = out[-1].entry_no + 1 if out else 1  # an entry may give several rows
        level = level_label(para.text)
        body = para.text[len(level) + _COLON_LEN:].strip() if level else para.text
        if level is None and not labels and (unit_lists or looks_like_units(body)):
            # A 责任单位 column: units, no 局内：/省份： labels.
            out.append(_units_entry(task_no, entry_no, RESPONSIBLE, body))
            continue
        if level is None:
            issues.append(Issue("entry_without_level",
                                f"task {task_no}: 任务分工 text {body[:20]!r} has no level label",
                                task_no))
            level = ""
        if level == "局内":
            out.append(Assignment(task_no, entry_no, level, body, scopes.split_units(body),
                                  None, scopes.full_units(body), None, (), None,
                                  entry_text=para.text))
            continue
        # 强省试点省、一类省份必做，其他省份选做: a row per scope with its own obligation.
        for part_no, (scope, obligation) in enumerate(scopes.obligation_parts(body), 1):
            if obligation is None:
                issues.append(Issue("entry_without_obligation",
                                    f"task {task_no}: 任务分工 entry {level}：{body} says neither "
                                    "必做 nor 选做", task_no))
            reach, groups = scopes.applies_to(scope, aliases)
            out.append(Assignment(task_no, entry_no, level, scope, (), obligation, (), reach,
                                  groups, link_clause(level, scope, task_clauses),
                                  part_no=part_no, entry_text=para.text))
    return tuple(out), issues


def unit_entries(task_no: int, level: str, paras: Iterable[Para], first_no: int,
                 ) -> tuple[Assignment, ...]:
    """One entry per paragraph of a 牵头单位 / 配合单位 cell, numbered on from ``first_no``."""
    return tuple(_units_entry(task_no, first_no + i, level, p.text)
                 for i, p in enumerate(p for p in paras if p.text))


def _units_entry(task_no: int, entry_no: int, level: str, body: str) -> Assignment:
    return Assignment(task_no, entry_no, level, body, scopes.split_units(body), None,
                      scopes.full_units(body), None, (), None, entry_text=body)


# What a unit's name ends in: 省财政厅, 省市场监管局（知识产权局）, 各设区市人民政府, 长沙海关.
_UNIT_NAME = re.compile(
    r"(?:局|厅|委|委员会|院|政府|部|办|办公室|司|中心|会|处|室|馆|海关|法院|检察院|银行|集团|公司"
    r"|行|大学|学校|所|站|队|组|联合会|协会|学会|总工会|团委|妇联|科协|部门|单位)(?:（[^（）]{1,20}）|\([^()]{1,20}\))?$")


def looks_like_units(body: str) -> bool:
    """A list of unit names (``省市场监管局（知识产权局）、省司法厅``), nothing else."""
    units = scopes.split_units(body.rstrip("。；;"))
    return bool(units) and all(_UNIT_NAME.search(u) for u in units)


def actor_reach(actor: str | None) -> str | None:
    """Which localities an actor label addresses: national, all, province, city or local."""
    if not actor:
        return None
    if actor.startswith(("国家", "中央")) or (actor.endswith(("局", "司")) and "地方" not in actor):
        return "national"
    if actor.startswith("各"):
        return "all"
    if "市" in actor or "县" in actor:
        return "city"
    if "省" in actor:
        return "province"
    return "local"


def _level_reach(level: str, scope: str) -> tuple[str, ...]:
    """The actor reaches an entry may concern, most specific first."""
    if scope.startswith(("各", "全部", "所有")):
        return ("all", "province") if "省" in level else ("all",)
    if "省" in level:
        return ("province", "all")
    if "市" in level or "县" in level:
        return ("city", "all")
    return ("local", "all")


def link_clause(level: str, scope: str, task_clauses: tuple[Clause, ...]) -> int | None:
    """The clause a 省份/地市/涉及地方 entry concerns, or None where that cannot be decided.

    Rule: each actor label has a reach (各… → all localities; …省份 → provinces; …地市/城市
    → cities; 有关地方 → localities at any level; 国家… → national). An entry whose scope
    is everyone (各省…) wants the all-localities clause (各地区) first; otherwise a 省份 entry
    wants a province clause (有关省份), a 地市 entry a city clause (有关地市), a 涉及地方 entry
    a 有关地方 clause, each falling back to the all-localities clause. The first clause of the
    first wanted reach wins. If no reach matches but the task has exactly one local clause,
    the entry concerns that one; otherwise the link is None.
    """
    local = [c for c in task_clauses if actor_reach(c.actor) not in (None, "national")]
    for reach in _level_reach(level, scope):
        for clause in local:
            if actor_reach(clause.actor) == reach:
                return clause.clause_no
    return local[0].clause_no if len(local) == 1 else None
