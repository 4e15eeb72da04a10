"""The diff itself: ``diff_documents(old, new)`` → change rows (see :mod:`pipeline.diff`).

A pure function of two assembled documents (from any input format, or read back from an
output folder by :mod:`pipeline.diff.load`); files are read and written only by
:mod:`pipeline.diff.load` and :mod:`pipeline.diff.render`. Tasks are matched by content
(:mod:`pipeline.diff.match`), then each pair is compared (:mod:`pipeline.diff.compare`).
"""
from __future__ import annotations

from collections import Counter

from pipeline.diff.compare import compare_tasks, document_columns, merged_view, task_view
from pipeline.diff.match import match_sections, match_tasks, ratio
from pipeline.diff.model import CHANGE_COLUMNS, Change, TaskView, change_schema, minor_form
from pipeline.documents import key_text
from pipeline.models import Document

__all__ = ["CHANGE_COLUMNS", "Change", "change_schema", "diff_documents"]


def diff_documents(old: Document, new: Document) -> tuple[Change, ...]:
    """Every change from ``old`` to ``new``: section rows first, then task by task in the new
    list's order, each removed task after the task that followed its predecessor."""
    old_views = [task_view(t) for t in old.tasks]
    new_views = [task_view(t) for t in new.tasks]
    m = match_tasks(old_views, new_views)
    new_of = {i: j for i, j, _ in m.pairs}

    votes: Counter[tuple[tuple[int, str], tuple[int, str]]] = Counter(
        (old_views[i].section, new_views[j].section) for i, j, _ in m.pairs)
    old_sections = _sections(old, old_views)
    new_sections = _sections(new, new_views)
    section_map = match_sections(old_sections, new_sections, votes)
    rows = _section_rows(old_sections, new_sections, section_map)

    shared = document_columns(old) & document_columns(new)
    groups: dict[int, list[Change]] = {j: [] for j in range(len(new_views))}
    before_all: list[Change] = []
    for i, j, s in m.pairs:
        o = old_views[i]
        n = new_views[j]
        absorbed = m.absorbed.get(j, [])
        split = m.split_off.get(i, [])
        old_side = merged_view([old.tasks[i], *(old.tasks[k] for k, _ in absorbed)]) \
            if absorbed else o
        new_side = merged_view([new.tasks[j], *(new.tasks[k] for k, _ in split)]) if split else n
        moved = section_map.get(o.section) != n.section
        sim = round(s, 3)
        changes = groups[j]
        for k, c in absorbed:
            changes.append(Change("task_merged", n.task_key, old_views[k].task_no, n.task_no,
                                  "task", old_views[k].title, n.title, round(c, 3)))
        for k, c in split:
            split_view = new_views[k]
            groups[k].append(Change("task_split", split_view.task_key, o.task_no,
                                    split_view.task_no, "task", o.title, split_view.title,
                                    round(c, 3)))
        for d in compare_tasks(old_side, new_side, old, new, moved, shared):
            changes.append(Change(d.kind, n.task_key, o.task_no, n.task_no, d.field, d.old,
                                  d.new, sim, d.minor))
    for j in m.added:
        n = new_views[j]
        groups[j].append(Change("task_added", n.task_key, None, n.task_no, "task", None,
                                n.title, None))
    for i in m.removed:
        o = old_views[i]
        row = Change("task_removed", o.task_key, o.task_no, None, "task", o.title, None, None)
        anchor = next((new_of[k] for k in range(i - 1, -1, -1) if k in new_of), None)
        (groups[anchor] if anchor is not None else before_all).append(row)
    rows += before_all
    for j in range(len(new_views)):
        rows += groups[j]
    return tuple(rows)


def _sections(doc: Document, views: list[TaskView]) -> list[tuple[int, str]]:
    found = {(s.section_no, s.section_title): None for s in doc.sections}
    found.update({v.section: None for v in views})
    return list(found)


def _section_rows(old: list[tuple[int, str]], new: list[tuple[int, str]],
                  mapping: dict[tuple[int, str], tuple[int, str]]) -> list[Change]:
    rows: list[Change] = []
    image = set(mapping.values())
    for o in old:
        n = mapping.get(o)
        if n is None:
            rows.append(Change("section_removed", None, None, None, "section", o[1], None, None))
        elif n[1] != o[1]:
            rows.append(Change("section_retitled", None, None, None, "section_title", o[1], n[1],
                               round(ratio(key_text(o[1]), key_text(n[1])), 3),
                               minor_form(o[1]) == minor_form(n[1])))
    rows += [Change("section_added", None, None, None, "section", None, n[1], None)
             for n in new if n not in image]
    return rows
