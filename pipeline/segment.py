"""Segment stage: 工作举措 into actor clauses, 任务分工 into assignment entries."""
from __future__ import annotations

from collections.abc import Mapping

from pipeline import scopes
from pipeline.grammar import KNOWN_ACTORS, STANDING_ALIASES, actor_label, level_label
from pipeline.models import Assignment, Clause, Issue, Para

_COLON_LEN = 1


def clauses(task_no: int, measures: tuple[Para, ...]) -> tuple[tuple[Clause, ...], list[Issue]]:
    """One clause per labelled paragraph; an unlabelled one continues the clause before it."""
    out: list[Clause] = []
    issues: list[Issue] = []
    for para in measures:
        label = actor_label(para.text)
        if label is not None:
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
                             prev.page_start, para.page_end, prev.actor_known)
        else:
            out.append(Clause(task_no, 1, None, para.text, para.page_start, para.page_end, False))
            issues.append(Issue("text_without_actor",
                                f"task {task_no}: 工作举措 opens without an actor label", task_no))
    if not out:
        issues.append(Issue("task_without_clause", f"task {task_no} has no 工作举措 clause", task_no))
    return tuple(out), issues


def assignments(task_no: int, division: tuple[Para, ...], task_clauses: tuple[Clause, ...],
                aliases: Mapping[str, str] = STANDING_ALIASES,
                ) -> tuple[tuple[Assignment, ...], list[Issue]]:
    """One entry per labelled 任务分工 paragraph, linked to its clause by :func:`link_clause`.

    ``aliases`` (long → short, :func:`pipeline.scopes.aliases_in` over the whole document)
    normalise the scope into ``applies_to`` and ``groups``.
    """
    out: list[Assignment] = []
    issues: list[Issue] = []
    for para in division:
        entry_no = out[-1].entry_no + 1 if out else 1  # an entry may give several rows
        level = level_label(para.text)
        body = para.text[len(level) + _COLON_LEN:].strip() if level else para.text
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
