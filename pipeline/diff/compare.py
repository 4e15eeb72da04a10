"""What changed within a pair of tasks: title, section, each actor's text, deadlines, targets,
departments, the other 任务分工 entries, and the columns of other layouts (group, 任务目标,
成果形式, unknown columns such as 备注).

Each difference is reported once, by the most specific row: a moved deadline is a
``deadline_moved`` row, and the clause that holds it gets no ``clause_changed`` row unless its
text changed elsewhere too. Differences of no substance — width, whitespace, the year in
``2024年``, a deadline reworded to the same day (``3月底前`` → ``第一季度末前``) — are ``minor``.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TypeVar

from pipeline.diff.match import assign, ratio
from pipeline.diff.model import Block, TaskView, minor_form
from pipeline.documents import key_text
from pipeline.models import Assignment, Deadline, Document, Target, Task

#: Two blocks of different actors whose texts are this alike are one clause relabelled.
RELABEL = 0.6
#: The block a task's due column (完成时限) is compared as; its changes name it as their field.
DUE_BLOCK = "完成时限"
#: The block a task's 任务目标 cell (objective) is compared as, with the targets it states.
OBJECTIVE_BLOCK = "任务目标"
#: Deadlines of paired blocks pair on the text they govern (``action``) and their day.
DEADLINE_PAIR = 0.5
#: Targets of paired blocks pair on their metric.
TARGET_PAIR = 0.6
#: 任务分工 entries pair on level and scope.
ENTRY_PAIR = 0.6


# ---- views ----------------------------------------------------------------------------------------

def task_view(task: Task) -> TaskView:
    return merged_view([task])


def merged_view(tasks: Sequence[Task]) -> TaskView:
    """One view of several tasks (the first gives number, key, title and section): each
    actor's clauses joined in order, departments and entries each once."""
    first = tasks[0]
    blocks: dict[str, Block] = {}
    for t in tasks:
        for c in t.clauses:
            actor = c.actor or ""
            prev = blocks.get(actor, Block(actor, "", (), ()))
            shift = len(prev.text)
            blocks[actor] = Block(
                actor, prev.text + c.text,
                prev.deadlines + tuple(_shift(d, shift) for d in t.deadlines
                                       if d.clause_no == c.clause_no),
                prev.targets + tuple(_shift(x, shift) for x in t.targets
                                     if x.clause_no == c.clause_no))
    # A due column (完成时限) is compared as a block of its own, with its deadlines.
    for t in tasks:
        if t.due_text:
            prev = blocks.get(DUE_BLOCK, Block(DUE_BLOCK, "", (), ()))
            shift = len(prev.text)
            blocks[DUE_BLOCK] = Block(DUE_BLOCK, prev.text + t.due_text, prev.deadlines + tuple(
                _shift(d, shift) for d in t.deadlines if d.clause_no is None), prev.targets)
    # The 任务目标 cell too, with its targets (clause_no None): a changed figure in it is a
    # target_changed row, like one in a clause. Of merged tasks, the first one's (the others
    # share it when it spans their rows).
    if first.objective:
        blocks[OBJECTIVE_BLOCK] = Block(OBJECTIVE_BLOCK, first.objective, (), tuple(
            x for x in first.targets if x.clause_no is None))
    units = tuple(dict.fromkeys(u for t in tasks for a in t.assignments if a.level == "局内"
                                for u in a.units))
    entries = tuple({(a.level, a.scope, a.obligation): a for t in tasks for a in t.assignments
                     if a.level != "局内"}.values())
    return TaskView(
        task_no=first.task_no, task_key=first.task_key, title=first.task_title,
        section=(first.section_no, first.section_title), blocks=tuple(blocks.values()),
        units=units, entries=entries,
        measures=key_text("".join(t.measures for t in tasks)), columns=columns_of(tasks))


def columns_of(tasks: Sequence[Task]) -> tuple[tuple[str, str | None], ...]:
    """The columns of other layouts a diff compares cell by cell, as ``(field, text)``:
    ``group_title``, ``outcome`` and ``extra.<header>`` for each unknown column.

    Of merged tasks, the first one's group (the others share it when it spans rows) and each
    distinct outcome and extra text, joined by ``；``. Compared otherwise: the objective (a
    block with its targets, :data:`OBJECTIVE_BLOCK`), the units and due columns (their
    assignments and deadlines). Not compared: ``serial`` (the task numbers already say how
    the list renumbered), ``layout``.
    """
    first = tasks[0]

    def joined(texts: Iterable[str | None]) -> str | None:
        found = [t for t in dict.fromkeys(texts) if t]
        return "；".join(found) if found else None

    extra: dict[str, list[str]] = {}
    for t in tasks:
        for header, text in t.extra:
            extra.setdefault(header, []).append(text)
    return (("group_title", first.group_title), ("outcome", joined(t.outcome for t in tasks)),
            *((f"extra.{h}", joined(texts)) for h, texts in extra.items()))


def document_columns(doc: Document) -> frozenset[str]:
    """The fields of :func:`columns_of` that some task of ``doc`` has, and ``objective`` if
    one has a 任务目标 cell: the columns its layout has."""
    return frozenset({*(f for t in doc.tasks for f, text in columns_of([t]) if text is not None),
                      *(("objective",) if any(t.objective for t in doc.tasks) else ())})


F = TypeVar("F", Deadline, Target)


def _shift(fact: F, by: int) -> F:
    return replace(fact, char_start=fact.char_start + by, char_end=fact.char_end + by)


# ---- rows of one pair --------------------------------------------------------------------------

@dataclass(frozen=True)
class Diff:
    """A change within a pair, before the task's numbers, key and score are filled in."""

    kind: str
    field: str | None
    old: str | None
    new: str | None
    minor: bool = False


def compare_tasks(old: TaskView, new: TaskView, old_doc: Document, new_doc: Document,
                  moved: bool, shared: frozenset[str] = frozenset()) -> list[Diff]:
    """The changes within a pair; ``shared``: the columns both lists have
    (:func:`document_columns`), the only ones compared, so that a list of another layout (a
    2017 table with 任务目标 against the 2024 list without) is not a change in every task."""
    out: list[Diff] = []
    if old.title != new.title:
        out.append(Diff("task_retitled", "task_title", old.title, new.title,
                        minor_form(old.title) == minor_form(new.title)))
    if moved:
        out.append(Diff("task_moved", "section", old.section[1], new.section[1]))
    if "objective" in shared:
        out.extend(_compare_blocks(old.blocks, new.blocks, old_doc.year, new_doc.year))
    else:  # one list has no 任务目标 column: no task's objective was added or removed
        out.extend(_compare_blocks(_without_objective(old.blocks), _without_objective(new.blocks),
                                   old_doc.year, new_doc.year))
    out.extend(_compare_units(old.units, new.units))
    out.extend(_compare_entries(old.entries, new.entries))
    out.extend(_compare_columns(old.columns, new.columns, shared))
    return out


def _without_objective(blocks: Sequence[Block]) -> tuple[Block, ...]:
    return tuple(b for b in blocks if b.actor != OBJECTIVE_BLOCK)


def _compare_columns(old: Sequence[tuple[str, str | None]], new: Sequence[tuple[str, str | None]],
                     shared: frozenset[str]) -> list[Diff]:
    was, now = dict(old), dict(new)
    out: list[Diff] = []
    for field in dict.fromkeys([*was, *now]):
        a, b = was.get(field), now.get(field)
        if field in shared and a != b:
            minor = a is not None and b is not None and minor_form(a) == minor_form(b)
            out.append(Diff("column_changed", field, a, b, minor))
    return out


def _compare_blocks(old: Sequence[Block], new: Sequence[Block], old_year: int | None,
                    new_year: int | None) -> list[Diff]:
    new_by_actor = {b.actor: i for i, b in enumerate(new)}
    pairs = {i: new_by_actor[b.actor] for i, b in enumerate(old) if b.actor in new_by_actor}
    rest_old = [i for i in range(len(old)) if i not in pairs]
    rest_new = [j for j in range(len(new)) if j not in pairs.values()]
    relabelled = assign([old[i] for i in rest_old], [new[j] for j in rest_new],
                        lambda a, b: ratio(key_text(a.text), key_text(b.text)), RELABEL)
    for a, b, _ in relabelled:
        pairs[rest_old[a]] = rest_new[b]
    old_of = {j: i for i, j in pairs.items()}
    out: list[Diff] = []
    for j, n in enumerate(new):  # in the new list's order; removed clauses after
        if j not in old_of:
            out.append(Diff("clause_added", n.actor or None, None, n.text))
            continue
        o = old[old_of[j]]
        if o.actor != n.actor:
            out.append(Diff("actor_changed", "actor", o.actor or None, n.actor or None))
        out.extend(_compare_block(o, n, old_year, new_year))
    for i, o in enumerate(old):
        if i not in pairs:
            out.append(Diff("clause_removed", o.actor or None, o.text, None))
    return out


def _relative(d: Deadline, year: int | None) -> tuple[int, int, int] | str:
    """A due day within its list's year: 6月底前 in the 2024 and in the 2025 list are alike.

    A recurring deadline (no due date) is its recurrence and expression: 每季度末 stays alike.
    """
    if d.due is None:
        return f"{d.recurrence}:{d.expression}"
    return (d.due.year - year if year is not None else d.due.year, d.due.month, d.due.day)


def _masked(text: str, spans: Iterable[tuple[int, int, str]]) -> str:
    for start, end, token in sorted(spans, reverse=True):
        text = text[:start] + token + text[end:]
    return minor_form(text)


def _compare_block(o: Block, n: Block, old_year: int | None, new_year: int | None) -> list[Diff]:
    if o.text == n.text and old_year == new_year:
        return []
    where = n.actor or None
    facts: list[Diff] = []
    # Deadlines: paired on the action they govern, then on their day.
    def deadline_score(a: Deadline, b: Deadline) -> float:
        same_day = _relative(a, old_year) == _relative(b, new_year)
        return 0.7 * ratio(key_text(a.action), key_text(b.action)) + 0.3 * same_day

    paired = assign(o.deadlines, n.deadlines, deadline_score, DEADLINE_PAIR)
    for a, b, _ in paired:
        x, y = o.deadlines[a], n.deadlines[b]
        if _relative(x, old_year) != _relative(y, new_year):
            facts.append(Diff("deadline_moved", where, x.expression, y.expression))
    facts += [Diff("deadline_removed", where, x.expression, None)
              for a, x in enumerate(o.deadlines) if a not in {p[0] for p in paired}]
    facts += [Diff("deadline_added", where, None, y.expression)
              for b, y in enumerate(n.deadlines) if b not in {p[1] for p in paired}]
    facts += _compare_targets(o.targets, n.targets)
    if o.text == n.text:
        return facts
    # The text: with every fact cut out, does anything else differ? (Cut, not replaced by a
    # placeholder, so that an added or removed fact explains its own words.) With deadlines
    # as their day in the list's year, is the difference of no substance?
    masked_o = _masked(o.text, [(d.char_start, d.char_end, "") for d in o.deadlines]
                       + [(t.char_start, t.char_end, "") for t in o.targets])
    masked_n = _masked(n.text, [(d.char_start, d.char_end, "") for d in n.deadlines]
                       + [(t.char_start, t.char_end, "") for t in n.targets])
    if masked_o == masked_n and facts:
        return facts
    day_o = _masked(o.text, [(d.char_start, d.char_end, f"⟨{_relative(d, old_year)}⟩")
                             for d in o.deadlines])
    day_n = _masked(n.text, [(d.char_start, d.char_end, f"⟨{_relative(d, new_year)}⟩")
                             for d in n.deadlines])
    return [Diff("clause_changed", where, o.text, n.text, day_o == day_n), *facts]


def _compare_targets(old: Sequence[Target], new: Sequence[Target]) -> list[Diff]:
    """Targets paired on their metric; a change is one of value, range, unit, comparator or kind.

    (A kind is compared only where both runs have one: an older folder's targets have none.)
    """
    paired = assign(old, new, lambda a, b: ratio(key_text(a.metric), key_text(b.metric)),
                    TARGET_PAIR)
    out: list[Diff] = []
    for a, b, _ in paired:
        x, y = old[a], new[b]
        kinds_differ = x.kind is not None and y.kind is not None and x.kind != y.kind
        if kinds_differ or (x.value, x.value_max, x.unit, x.comparator) != (
                y.value, y.value_max, y.unit, y.comparator):
            out.append(Diff("target_changed", y.metric, x.expression, y.expression))
    out += [Diff("target_removed", x.metric, x.expression, None)
            for a, x in enumerate(old) if a not in {p[0] for p in paired}]
    out += [Diff("target_added", y.metric, None, y.expression)
            for b, y in enumerate(new) if b not in {p[1] for p in paired}]
    return out


def _compare_units(old: Sequence[str], new: Sequence[str]) -> list[Diff]:
    return ([Diff("department_removed", "局内", u, None) for u in old if u not in new]
            + [Diff("department_added", "局内", None, u) for u in new if u not in old])


def _entry_text(a: Assignment) -> str:
    return f"{a.scope}{a.obligation or ''}"


def _compare_entries(old: Sequence[Assignment], new: Sequence[Assignment]) -> list[Diff]:
    def score(a: Assignment, b: Assignment) -> float:
        same = minor_form(a.scope) == minor_form(b.scope) and a.level == b.level
        return 2.0 if same else 0.8 * ratio(key_text(a.scope), key_text(b.scope)) + \
            0.2 * (a.level == b.level)

    paired = assign(old, new, score, ENTRY_PAIR)
    out: list[Diff] = []
    for a, b, _ in paired:
        x, y = old[a], new[b]
        if (x.level, x.scope) != (y.level, y.scope):
            out.append(Diff("assignment_changed", y.level, f"{x.level}：{x.scope}",
                            f"{y.level}：{y.scope}",
                            x.level == y.level and minor_form(x.scope) == minor_form(y.scope)))
        if x.obligation != y.obligation:
            out.append(Diff("obligation_changed", y.scope, x.obligation, y.obligation))
    out += [Diff("assignment_removed", x.level, _entry_text(x), None)
            for a, x in enumerate(old) if a not in {p[0] for p in paired}]
    out += [Diff("assignment_added", y.level, None, _entry_text(y))
            for b, y in enumerate(new) if b not in {p[1] for p in paired}]
    return out
