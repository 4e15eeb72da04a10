"""The whole pipeline for one input: read → stitch → segment → facts, into a Document.

Named ``build`` (not ``extract``) so that importing it never shadows the Python API's
``pipeline.extract`` function: a submodule is bound as an attribute of its package on import.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from pipeline import documents, facts, nlp, scopes, segment
from pipeline.errors import InputTooLargeError, TooManyFiguresError
from pipeline.grammar import level_label
from pipeline.models import (
    Clause,
    Deadline,
    Document,
    Issue,
    RawTable,
    StitchedTable,
    Target,
    Task,
    TaskBlock,
)
from pipeline.names import valid_text
from pipeline.read import LoadedInput, load, read_table
from pipeline.stitch import stitch


def extract_file(path: Path) -> Document:
    """Read, stitch, segment and find facts in one input file."""
    loaded = load(path)
    return build_document(loaded, read_table(loaded))


def build_document(loaded: LoadedInput, table: RawTable) -> Document:
    """The document for a raw table; everything after the reader."""
    # A name's bytes that are not UTF-8 become \xNN, so doc_id and source are valid text.
    doc_id = valid_text(loaded.path.stem)
    stitched = stitch(table, doc_id)
    try:
        tasks, issues = assemble(stitched)
    except TooManyFiguresError as exc:
        raise InputTooLargeError(str(loaded.path), exc.cause, "a task list has a few hundred figures "
                                 "at most; check that this is the right file") from exc
    number = documents.doc_number(stitched.head, stitched.title)
    return Document(
        doc_id=doc_id, title=stitched.title, year=stitched.year,
        source=valid_text(loaded.path.name),
        fmt=table.fmt, sha256=hashlib.sha256(loaded.data).hexdigest(),
        sections=stitched.sections, tasks=tasks, issues=(*stitched.issues, *issues),
        notes=table.notes, doc_number=number,
        issuer=documents.issuer(stitched.head, stitched.title, number),
        layout=stitched.layout.name,
    )


def assemble(stitched: StitchedTable) -> tuple[tuple[Task, ...], list[Issue]]:
    """Segment each task and find its facts."""
    tasks: list[Task] = []
    issues: list[Issue] = []
    # An alias (（以下简称强省）) may be defined in any cell and used in any later one.
    aliases = scopes.aliases_in(p.text for b in stitched.tasks for p in (*b.measures, *b.division))
    facts.check_document_budget([*(p.text for b in stitched.tasks for p in b.measures),
                                 *(b.objective or "" for b in stitched.tasks)])
    infer = not segment.labelled(p for b in stitched.tasks for p in b.measures)
    # A division column without a single 局内：/省份： label is a 责任单位 column of unit lists.
    unit_lists = not any(level_label(p.text) for b in stitched.tasks for p in b.division)
    layout = stitched.layout.role_names
    stated: tuple[int | None, str | None] = (None, None)
    for block in stitched.tasks:
        # A 任务目标 cell spanning several tasks of a group states its targets once: they are
        # rows of the first task it stands beside, so sums over targets count each once.
        first_of_objective = (block.group_no, block.objective) != stated
        stated = (block.group_no, block.objective)
        task, task_issues = _task(block, stitched.year, aliases, infer=infer,
                                  unit_lists=unit_lists, layout=layout,
                                  objective_targets=first_of_objective)
        tasks.append(task)
        issues.extend(task_issues)
    keyword_texts = ["\n".join([t.task_title, *(c.text for c in t.clauses)]) for t in tasks]
    found = nlp.keywords_many(keyword_texts)
    keys = documents.task_keys(tasks)
    return tuple(replace(t, keywords=tuple(k), task_key=key)
                 for t, k, key in zip(tasks, found, keys)), issues


def _owner(block: TaskBlock, unit_lists: bool) -> str | None:
    """Who does what a task's unlabelled measures say, where the table tells: its lead units
    (牵头单位), else 国家知识产权局 for a task with 局内 entries (CNIPA's own departments),
    else the units of its 责任单位 column."""
    if block.lead_units:
        return "、".join(p.text for p in block.lead_units)
    if any(level_label(p.text) == "局内" for p in block.division):
        return segment.CNIPA
    if unit_lists or all(segment.looks_like_units(p.text) for p in block.division):
        return "、".join(p.text for p in block.division) or None
    return None


def _task(block: TaskBlock, year: int | None, aliases: Mapping[str, str], *,
          infer: bool = False, unit_lists: bool = False,
          layout: str = "", objective_targets: bool = True) -> tuple[Task, list[Issue]]:
    clauses, issues = segment.clauses(block.task_no, block.measures, infer=infer,
                                      owner=_owner(block, unit_lists) if infer else None)
    entries, entry_issues = segment.assignments(block.task_no, block.division, clauses, aliases,
                                                unit_lists=unit_lists)
    # Numbered on after the 任务分工 entries (an entry split into parts has one entry_no).
    after = entries[-1].entry_no if entries else 0
    lead = segment.unit_entries(block.task_no, segment.LEAD_LEVEL, block.lead_units, after + 1)
    after = lead[-1].entry_no if lead else after
    support = segment.unit_entries(block.task_no, segment.SUPPORT_LEVEL, block.support_units,
                                   after + 1)
    entries = (*entries, *lead, *support)
    issues.extend(entry_issues)
    deadlines: list[Deadline] = []
    targets: list[Target] = []
    for clause in clauses:
        found, deadline_issues = facts.deadlines(clause, year)
        issues.extend(deadline_issues)
        deadlines.extend(found)
        targets.extend(facts.targets(clause, found))
        issues.extend(facts.long_figures(clause))
    if objective_targets:
        targets.extend(_objective_targets(block, year))
    due_found, due_issues = _due_column(block, year)
    deadlines.extend(due_found)
    issues.extend(due_issues)
    actors = tuple(dict.fromkeys(c.actor for c in clauses if c.actor))
    departments = tuple(u for a in entries if a.level == "局内" for u in a.units)
    task = Task(
        section_no=block.section_no, section_title=block.section_title, task_no=block.task_no,
        task_title=block.task_title, measures="\n".join(p.text for p in block.measures),
        division="\n".join(p.text for p in block.division), actors=actors,
        departments=departments, keywords=(),
        page_start=block.page_start, page_end=block.page_end, clauses=clauses,
        assignments=entries, deadlines=tuple(deadlines), targets=tuple(targets),
        serial=block.serial, group_no=block.group_no, group_title=block.group_title,
        objective=block.objective, due_text=block.due_text,
        # The last day the due column allows (a recurring deadline has no one day: None).
        due=max((d.due for d in due_found if d.due is not None), default=None),
        lead_units=tuple(u for a in lead for u in a.units),
        support_units=tuple(u for a in support for u in a.units),
        outcome=block.outcome, layout=layout, extra=block.extra,
    )
    return task, issues


def _objective_targets(block: TaskBlock, year: int | None) -> tuple[Target, ...]:
    """The targets a task's 任务目标 column (objective) states: rows with ``clause_no`` and
    ``actor`` None, offsets within ``objective``; each due by a deadline of that text
    (到2020年…达到12件). The objective is no clause, so its time words give no deadlines rows
    and no warnings: the task's own clauses and due column say when it is done."""
    if not block.objective:
        return ()
    count = facts.figure_count(block.objective)
    if count > facts.MAX_FIGURES_PER_CLAUSE:  # named as the column, not as a clause 0
        raise TooManyFiguresError(f"task {block.task_no}, 任务目标 column", count,
                                  facts.MAX_FIGURES_PER_CLAUSE)
    text = Clause(block.task_no, 0, None, block.objective, block.page_start, block.page_end,
                  actor_known=False)
    found, _ = facts.deadlines(text, year)
    return tuple(replace(t, clause_no=None) for t in facts.targets(text, found))


def _due_column(block: TaskBlock, year: int | None) -> tuple[tuple[Deadline, ...], list[Issue]]:
    """The deadlines of the task's due column (完成时限): rows with ``clause_no`` None, offsets
    and action within ``due_text`` (facts.parse_deadlines; 持续推进 gives none and no warning,
    text it cannot read a deadline_not_understood warning)."""
    if not block.due_text:
        return (), []
    return facts.parse_deadlines(block.due_text, year, block.task_no)
