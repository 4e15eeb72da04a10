"""Stitch stage: raw rows to sections and tasks.

Drops header rows, classifies each row (section, task, continuation), joins rows and
paragraphs cut by page breaks, and normalises whitespace.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from pipeline.errors import NoTaskTableError
from pipeline.grammar import (
    DIVISION,
    FILE_NAME_YEAR,
    KNOWN_ACTORS,
    KNOWN_LEVELS,
    LATIN_IN_HAN,
    MEASURES,
    SECTION_RE,
    STANDARD_LAYOUT,
    TASK_RE,
    YEAR_RE,
    Layout,
    actor_label,
    ascii_digits,
    cn_number,
    level_label,
    match_header,
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

#: The section of tasks that stand before any section row.
UNSECTIONED = Section(0, "")


def stitch(table: RawTable, doc_id: str = "") -> StitchedTable:
    """The raw table as sections and tasks, continuation rows joined to their task."""
    builder = _Builder(table.layout)
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
                         tasks=tasks, issues=tuple(issues), head=head)


def classify(row: RawRow, layout: Layout = STANDARD_LAYOUT) -> str:
    """``header``, ``blank``, ``section``, ``task`` or ``continuation``.

    A header row is any row the header matcher reads as one (the header repeated on each page).
    """
    texts = [_cell_text(c) for c in row.cells]
    if match_header(texts) is not None:
        return "header"
    first, *rest = texts
    if not first and not any(rest):
        return "blank"
    if SECTION_RE.match(first) and not any(rest):
        return "section"
    if TASK_RE.match(first):
        return "task"
    return "continuation"


def _cell_text(cell: RawCell) -> str:
    """A first-column cell as one normalised line (titles may wrap over paragraphs)."""
    return normalize_ws("".join(cell.paragraphs))


@dataclass
class _TaskBuilder:
    section: Section
    number: int
    title: str
    page_start: int
    page_end: int
    measures: list[Para] = field(default_factory=list)
    division: list[Para] = field(default_factory=list)

    def freeze(self) -> TaskBlock:
        return TaskBlock(
            section_no=self.section.section_no, section_title=self.section.section_title,
            task_no=self.number, task_title=self.title, measures=tuple(self.measures),
            division=tuple(self.division), page_start=self.page_start, page_end=self.page_end,
        )


@dataclass
class _Builder:
    layout: Layout
    sections: list[Section] = field(default_factory=list)
    tasks: list[_TaskBuilder] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    def add(self, row: RawRow) -> None:
        kind = classify(row, self.layout)
        if kind in ("header", "blank"):
            return
        first = _cell_text(row.cells[0])
        if kind == "section":
            m = SECTION_RE.match(first)
            assert m is not None
            self.sections.append(Section(cn_number(m["num"]), m["title"]))
            return
        if kind == "task":
            m = TASK_RE.match(first)
            assert m is not None
            if not self.sections:
                # Tasks before any section row get a section of their own (number 0, no title),
                # so every task of tasks.parquet also stands under a section in tasks.json.
                self.sections.append(UNSECTIONED)
                self.issues.append(Issue("task_before_section",
                                         f"task {m['num']} stands before any section row"))
            section = self.sections[-1]
            task = _TaskBuilder(section, int(ascii_digits(m["num"])), m["title"], row.page,
                                row.page)
            self.tasks.append(task)
        elif not self.tasks:
            self.issues.append(Issue("text_before_first_task",
                                     f"row {row.row} (page {row.page}) stands before the first "
                                     f"task and was ignored: {first or _cell_text(row.cells[1])[:30]}"))
            return
        else:
            task = self.tasks[-1]
            task.page_end = max(task.page_end, row.page)
            if first:  # a task title cut by a page break
                task.title += first
        self._numbering_not_understood(row, task, kind)
        for role, paras, split, label, known in (
                (MEASURES, task.measures, split_at_actor_labels, actor_label, KNOWN_ACTORS),
                (DIVISION, task.division, split_at_level_labels, level_label, KNOWN_LEVELS)):
            at = self.layout.index(role)
            if at is not None:
                _extend(paras, row.cells[at], row.page, split, label, known)


    def _numbering_not_understood(self, row: RawRow, task: _TaskBuilder, kind: str) -> None:
        """Warn of a first-column paragraph that opens like a number no pattern takes.

        Such a row, or a line a reader joined to the row above, reads as text of ``task``, so
        the section or task it numbers would vanish without a word. Each paragraph is looked
        at (a task row's own number excepted), as a reader may have put a row that it did not
        see open into the cell above as a paragraph of its own.
        """
        paras = [normalize_ws(p) for p in row.cells[0].paragraphs]
        for text in paras[1:] if kind == "task" else paras:
            odd = NUMBERING_LIKE.match(text)
            if odd:
                self.issues.append(Issue(
                    "numbering_not_understood",
                    f"row {row.row} (page {row.page}): {odd['number']!r} looks like a section or "
                    f"task number but is none the grammar takes; read as text of task "
                    f"{task.number}: {text[:30]}", task.number))


def _extend(paras: list[Para], cell: RawCell, page: int, split: Callable[[str], list[str]],
            label: Callable[[str], str | None], known: tuple[str, ...]) -> None:
    """Append a cell's paragraphs; a first one that continues the last paragraph is joined to it."""
    pieces = [normalize_ws(piece) for raw in cell.paragraphs for piece in split(raw)]
    pieces = [p for p in pieces if p]
    if pieces and paras and _continues(paras[-1].text, pieces[0], label, known):
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
