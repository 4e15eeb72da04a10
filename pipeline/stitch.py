"""Stitch stage: raw rows to sections and tasks.

Drops header rows, classifies each row (section, task, continuation), joins rows and
paragraphs cut by page breaks, and normalises whitespace.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pipeline.errors import NoTaskTableError
from pipeline.grammar import (
    DIVISION,
    DUE,
    FILE_NAME_YEAR,
    GROUP,
    KNOWN_ACTORS,
    KNOWN_LEVELS,
    LATIN_IN_HAN,
    LEAD,
    MEASURES,
    OBJECTIVE,
    OUTCOME,
    SECTION_RE,
    SERIAL,
    SUPPORT,
    TASK,
    TASK_RE,
    YEAR_RE,
    Layout,
    actor_label,
    ascii_digits,
    cn_number,
    is_serial_text,
    level_label,
    locality_actor,
    normalize_ws,
    split_at_actor_labels,
    split_at_level_labels,
)
from pipeline.grammar.numbering import NUMBERING_LIKE
from pipeline.models import (
    Issue,
    Para,
    RawCell,
    RawRow,
    RawTable,
    Section,
    StitchedTable,
    TaskBlock,
)
from pipeline.rows import (
    _cell_text,
    _group_text,
    _numbered_measures,
    _role_text,
    _section_text,
    _unnumbered,
    classify,
    settle_layout,
)

#: The section of tasks that stand before any section row.
UNSECTIONED = Section(0, "")


def stitch(table: RawTable, doc_id: str = "") -> StitchedTable:
    """The raw table as sections and tasks, continuation rows joined to their task."""
    layout = settle_layout(table.layout, table.rows)
    in_measures = _numbered_in_measures(layout, table.rows)
    builder = _Builder(layout, tasks_in_measures=in_measures,
                       unnumbered=not in_measures and _unnumbered(layout, table.rows))
    if builder.unnumbered:
        builder.issues.append(Issue(
            "tasks_numbered_by_position", "no task of the table has a number (1. …, a 序号 "
            "column, a numbered 工作举措): each row with a task title is a task, numbered in order"))
    for row in table.rows:
        builder.add(row)
    if not builder.tasks:
        raise NoTaskTableError(table.source, "the table has no numbered task rows (1. …)")
    title = normalize_ws(table.title or "")
    year, year_issues = _year(title, doc_id)
    tasks = tuple(b.freeze() for b in builder.tasks)
    issues = (*builder.issues, *year_issues, *_numbering_issues(builder.sections, tasks),
              *_latin_issues(tasks))
    head = tuple(line for line in map(normalize_ws, table.head) if line)
    return StitchedTable(title=title, year=year, sections=tuple(builder.sections),
                         tasks=tasks, issues=tuple(issues), head=head,
                         layout=builder.effective_layout(), header_layout=table.layout)


def _numbered_in_measures(layout: Layout, rows: Iterable[RawRow]) -> bool:
    """Tasks are numbered in the measures column only (2017: 落实举措 opens 1.推动…; the task
    column, numbered （一） or not, holds their groups): some measures cell opens with a task
    number, no task cell has one and there is no serial column."""
    if layout.has(SERIAL) or not layout.has(MEASURES):
        return False
    found = False
    for row in rows:
        texts = [_cell_text(c) for c in row.cells]
        if TASK_RE.match(_role_text(texts, layout, TASK, default=0)):
            return False
        found = found or (_numbered_measures(row, layout) is not None
                          and _section_text(texts, layout) is None)
    return found


#: Where a task title taken from a numbered measures paragraph ends: its first sentence.
_TITLE_END = re.compile(r"[。；;！？!?]")


@dataclass
class _TaskBuilder:
    section: Section
    number: int
    title: str
    page_start: int
    page_end: int
    measures: list[Para] = field(default_factory=list)
    division: list[Para] = field(default_factory=list)
    serial: str | None = None
    group: tuple[int | None, str] | None = None
    columns: dict[str, list[Para]] = field(default_factory=dict)  # role or extra key → paragraphs

    def text(self, key: str) -> str | None:
        paras = self.columns.get(key, [])
        return "\n".join(p.text for p in paras) or None

    def freeze(self, extra_keys: tuple[str, ...] = ()) -> TaskBlock:
        return TaskBlock(
            section_no=self.section.section_no, section_title=self.section.section_title,
            task_no=self.number, task_title=self.title, measures=tuple(self.measures),
            division=tuple(self.division), page_start=self.page_start, page_end=self.page_end,
            serial=self.serial,
            group_no=self.group[0] if self.group else None,
            group_title=self.group[1] if self.group else None,
            objective=self.text(OBJECTIVE), due_text=self.text(DUE), outcome=self.text(OUTCOME),
            lead_units=tuple(self.columns.get(LEAD, ())),
            support_units=tuple(self.columns.get(SUPPORT, ())),
            extra=tuple((k, v) for k in self.columns if k not in _TEXT_ROLES
                        for v in [self.text(k)] if v),
        )


#: Roles whose cells are kept as text of the task (the rest of the columns are extra).
_TEXT_ROLES = (OBJECTIVE, DUE, OUTCOME, LEAD, SUPPORT)


@dataclass
class _Builder:
    layout: Layout
    sections: list[Section] = field(default_factory=list)
    tasks: list[_TaskBuilder] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    group: tuple[int | None, str] | None = None
    #: Tasks are numbered in the measures column (2017: the task column holds （一） groups).
    tasks_in_measures: bool = False
    plain_sections: bool = False  # a section numbered 一、 was seen: a lone （一） row is a group
    unnumbered: bool = False  # no task has a number: each row with a task title is a task

    def effective_layout(self) -> Layout:
        """The layout as the rows read it: a task column holding （一） groups is the group column."""
        at = self.layout.index(TASK)
        if self.tasks_in_measures and at is not None and not self.layout.has(GROUP):
            return self.layout.with_role(at, GROUP)
        return self.layout

    def extra_keys(self) -> dict[int, str]:
        """The key of each extra column in ``extra``: its header, made unique by its position."""
        keys: dict[int, str] = {}
        for column in self.layout.extras:
            key = column.header or f"column {column.index + 1}"
            if key in keys.values():
                key = f"{key} ({column.index + 1})"
            keys[column.index] = key
        return keys

    def add(self, row: RawRow) -> None:
        layout = self.layout
        kind = classify(row, layout)
        if kind in ("header", "blank"):
            return
        texts = [_cell_text(c) for c in row.cells]
        if kind == "section":
            m = _section_text(texts, layout)
            assert m is not None
            if m["num_open"] and self.plain_sections and (self.layout.has(GROUP)
                                                           or self.tasks_in_measures):
                # （一） alone under 一、 sections, in a table that has groups: a group of the
                # section's tasks. (In the 2024 layout it stays a section, numbered as written.)
                self.group = (cn_number(m["num"]), m["title"])
                return
            self.plain_sections = self.plain_sections or not m["num_open"]
            self.sections.append(Section(cn_number(m["num"]), m["title"]))
            self.group = None
            return
        task_at = layout.index(TASK)
        task_text = _role_text(texts, layout, TASK, default=0)
        serial = _role_text(texts, layout, SERIAL)
        group = _group_text(texts, layout)
        if not group and self.tasks_in_measures and not layout.has(GROUP) and task_text:
            group = task_text  # a group cell without a （一） of its own
        if group:
            self.group = _parse_group(group)
        measures_at = layout.index(MEASURES)
        measures_cell = row.cells[measures_at] if measures_at is not None else None
        numbered = _numbered_measures(row, layout)
        if numbered is not None and ((group and not layout.has(GROUP)) or self.tasks_in_measures) \
                and not TASK_RE.match(task_text):
            # 2017: the task's number and title open its measures cell; the task column holds
            # its group (on the group's first row, empty below it).
            self.tasks_in_measures = True
            title, rest = _title_sentence(numbered["title"])
            task = self._new_task(row, int(ascii_digits(numbered["num"])), title, serial)
            assert measures_cell is not None
            measures_cell = RawCell((rest, *measures_cell.paragraphs[1:]) if rest
                                    else measures_cell.paragraphs[1:], measures_cell.bold)
        elif (m := TASK_RE.match(task_text)) and not (group and task_at == layout.index(GROUP)):
            task = self._new_task(row, int(ascii_digits(m["num"])), m["title"], serial)
        elif serial and is_serial_text(serial):
            # A serial number beside a task title without one (provincial lists), or beside an
            # empty task cell spanned from the row above (the same task title again).
            title = task_text if task_at is not None else ""
            if not title and self.tasks:
                title = self.tasks[-1].title
            number = _serial_number(serial)
            if number is None:
                number = self.tasks[-1].number + 1 if self.tasks else 1
            task = self._new_task(row, number, title, serial)
        elif self.unnumbered and task_text and not group:
            task = self._new_task(row, self.tasks[-1].number + 1 if self.tasks else 1, task_text,
                                  serial)
        elif not self.tasks:
            first = next((t for t in texts if t), "")
            self.issues.append(Issue("text_before_first_task",
                                     f"row {row.row} (page {row.page}) stands before the first "
                                     f"task and was ignored: {first[:30]}"))
            return
        else:
            task = self.tasks[-1]
            task.page_end = max(task.page_end, row.page)
            if task_text and task_at is not None and not group and not self.tasks_in_measures:
                task.title += task_text  # a task title cut by a page break
        self._numbering_not_understood(row, task, kind)
        if measures_cell is not None:
            _extend(task.measures, measures_cell, row.page, split_at_actor_labels, actor_label,
                    KNOWN_ACTORS, opens_paragraph=_opens_locality)
        at = layout.index(DIVISION)
        if at is not None:
            _extend(task.division, row.cells[at], row.page, split_at_level_labels, level_label,
                    KNOWN_LEVELS)
        keys = self.extra_keys()
        for column in layout.columns:
            key = column.role if column.role in _TEXT_ROLES else keys.get(column.index)
            if key is None:
                continue
            _extend(task.columns.setdefault(key, []), row.cells[column.index], row.page,
                    _whole, _no_label, ())

    def _new_task(self, row: RawRow, number: int, title: str, serial: str) -> _TaskBuilder:
        if not self.sections:
            # Tasks before any section row get a section of their own (number 0, no title),
            # so every task of tasks.parquet also stands under a section in tasks.json.
            self.sections.append(UNSECTIONED)
            self.issues.append(Issue("task_before_section",
                                     f"task {number} stands before any section row"))
        task = _TaskBuilder(self.sections[-1], number, title, row.page, row.page,
                            serial=serial or None, group=self.group)
        previous = self.tasks[-1] if self.tasks else None
        self.tasks.append(task)
        at = self.layout.index(OBJECTIVE)
        if (at is not None and row.cells[at].is_empty and previous is not None
                and previous.group is not None and previous.group == task.group
                and OBJECTIVE in previous.columns):
            # The group's 任务目标 spans its rows: written once, it is every task's of the group.
            task.columns[OBJECTIVE] = list(previous.columns[OBJECTIVE])
        return task

    def _numbering_not_understood(self, row: RawRow, task: _TaskBuilder, kind: str) -> None:
        """Warn of a task-column paragraph that opens like a number no pattern takes.

        Such a row, or a line a reader joined to the row above, reads as text of ``task``, so
        the section or task it numbers would vanish without a word. Each paragraph is looked
        at (a task row's own number excepted), as a reader may have put a row that it did not
        see open into the cell above as a paragraph of its own.
        """
        at = self.layout.index(TASK)
        cell = row.cells[0 if at is None else at]
        paras = [normalize_ws(p) for p in cell.paragraphs]
        if self.tasks_in_measures:
            return  # the task column holds groups, numbered （一）
        for text in paras[1:] if kind == "task" else paras:
            odd = NUMBERING_LIKE.match(text)
            if odd:
                self.issues.append(Issue(
                    "numbering_not_understood",
                    f"row {row.row} (page {row.page}): {odd['number']!r} looks like a section or "
                    f"task number but is none the grammar takes; read as text of task "
                    f"{task.number}: {text[:30]}", task.number))


def _parse_group(text: str) -> tuple[int | None, str]:
    """A group cell as (number, title): ``（一）完善专利法律制度`` → (1, 完善专利法律制度)."""
    m = SECTION_RE.match(text)
    return (cn_number(m["num"]), m["title"]) if m else (None, text)


def _serial_number(serial: str) -> int | None:
    """A serial cell as a task number: ``12`` → 12, ``（3）`` → 3; None for ``1.2`` or ``三``."""
    digits = ascii_digits(serial).strip("（()）.．、 ")
    return int(digits) if digits.isdigit() and len(digits) <= 9 else None


def _title_sentence(text: str) -> tuple[str, str]:
    """A numbered measures paragraph cut after its first sentence: the task title (its end mark
    dropped) and the text after it (2017: ``推动制定…专利政策。配合立法机关…``)."""
    m = _TITLE_END.search(text)
    if m is None:
        return text, ""
    return text[:m.start()], text[m.end():].strip()


def _opens_locality(text: str) -> bool:
    return locality_actor(text) is not None


def _whole(text: str) -> list[str]:
    return [text]


def _no_label(text: str) -> str | None:
    return None


def _extend(paras: list[Para], cell: RawCell, page: int, split: Callable[[str], list[str]],
            label: Callable[[str], str | None], known: tuple[str, ...],
            opens_paragraph: Callable[[str], bool] = lambda text: False) -> None:
    """Append a cell's paragraphs; a first one that continues the last paragraph is joined to it
    (unless ``opens_paragraph`` says it opens one of its own: 各地应…, the localities' part)."""
    pieces = [normalize_ws(piece) for raw in cell.paragraphs for piece in split(raw)]
    pieces = [p for p in pieces if p]
    if (pieces and paras and not opens_paragraph(pieces[0])
            and _continues(paras[-1].text, pieces[0], label, known)):
        last = paras[-1]
        paras[-1] = Para(last.text + pieces.pop(0), last.page_start, page)
    paras.extend(Para(p, page, page) for p in pieces)


def _continues(before: str, after: str, label: Callable[[str], str | None],
               known: tuple[str, ...]) -> bool:
    """Whether ``after``, first on a new page, carries on the paragraph ``before`` it.

    It does when it opens with no label, and also when a label was cut in two by the page
    break: ``地`` + ``市：…`` or ``国家知识产权`` + ``局：…``, where the tail alone looks like an
    unknown label but ``before`` lies wholly inside the label of the joined text.
    """
    tail = label(after)
    if tail is None:
        return True
    if tail in known or label(before) is not None:
        return False
    joined = label(before + after)
    return joined is not None and len(joined) > len(before)


def _year(title: str, doc_id: str) -> tuple[int | None, list[Issue]]:
    """The list's year from its title, else from the file name (with an issue saying so)."""
    m = YEAR_RE.search(ascii_digits(title))
    if m:
        return int(m[1]), []
    m = FILE_NAME_YEAR.search(doc_id)
    if m:
        return int(m[1]), [Issue("year_from_file_name",
                                 f"no year in the title {title!r}; took {m[1]} from the file name")]
    return None, [Issue("no_year", f"no year in the title {title!r}; deadlines without their "
                                   "own year are left out")]


def _numbering_issues(sections: Iterable[Section], tasks: Iterable[TaskBlock]) -> list[Issue]:
    """Gaps and repeats in section and task numbering."""
    issues: list[Issue] = []
    for what, numbers in (("section", [s.section_no for s in sections if s != UNSECTIONED]),
                          ("task", [t.task_no for t in tasks])):
        for prev, cur in zip([0, *numbers], numbers):
            if cur == prev:
                issues.append(Issue("numbering_repeat", f"{what} {cur} appears twice"))
            elif cur != prev + 1:
                issues.append(Issue("numbering_gap", f"{what} {cur} follows {what} {prev}"))
    return issues


def _latin_issues(tasks: Iterable[TaskBlock]) -> list[Issue]:
    """Latin words set inside Chinese text (护and运): kept as published, but worth a look, as
    they are often a converter's or an editor's leftover."""
    return [Issue("latin_in_chinese", f"task {t.task_no}: Latin word {m[1]!r} inside Chinese "
                                      f"text ({m[0]!r}); kept as published", t.task_no)
            for t in tasks for para in (*t.measures, *t.division)
            for m in LATIN_IN_HAN.finditer(para.text)]
