"""Typed records passed between the stages; all frozen, so stages stay pure."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from pipeline.grammar.roles import STANDARD_LAYOUT, Layout

BBox = tuple[float, float, float, float]  # x0, top, x1, bottom in PDF points


# ---- read: the raw table every reader yields -------------------------------------------

@dataclass(frozen=True)
class RawCell:
    """One table cell: its paragraphs in reading order, whitespace not yet normalised."""

    paragraphs: tuple[str, ...] = ()
    bold: bool = False
    bbox: BBox | None = None

    @property
    def is_empty(self) -> bool:
        return not any(p.strip() for p in self.paragraphs)

    @property
    def text(self) -> str:
        return "".join(self.paragraphs)


@dataclass(frozen=True)
class RawRow:
    """One table row: a cell per column of its table's layout, in the layout's order; a merged
    row (a section row spanning the table) puts its text in the first cell, the others empty."""

    cells: tuple[RawCell, ...]
    page: int
    row: int  # 1-based position in the source: line (text dump), <tr> (HTML), row on page (PDF)
    bbox: BBox | None = None


@dataclass(frozen=True)
class RawTable:
    """What a reader yields: the table's rows plus the title found above it."""

    source: str
    fmt: str  # "text", "html", "pdf", "docx" or "doc" (Word 97–2003/WPS, via LibreOffice)
    title: str | None
    rows: tuple[RawRow, ...]
    notes: tuple[str, ...] = ()  # reader remarks for the run summary (e.g. the encoding used)
    # Text lines above the table, top first (a notice, its 文号, a letterhead): the document's
    # issuer and number are read from them (pipeline/docmeta.py), never its rows.
    head: tuple[str, ...] = ()
    #: The table's columns and their roles, from its header row (grammar.match_header); every
    #: row has one cell per column. Stitch and segment find cells by role, never by position.
    layout: Layout = STANDARD_LAYOUT

    def __post_init__(self) -> None:
        # A reader that cut a row into the wrong number of cells is a bug: every later stage
        # would read the wrong column's text.
        width = len(self.layout)
        for row in self.rows:
            if len(row.cells) != width:
                raise ValueError(f"row {row.row} (page {row.page}) has {len(row.cells)} cells; "
                                 f"the layout {self.layout.name} has {width}")


# ---- stitch ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Para:
    """A normalised paragraph with the pages it spans (two when cut by a page break)."""

    text: str
    page_start: int
    page_end: int


@dataclass(frozen=True)
class TaskBlock:
    section_no: int
    section_title: str
    task_no: int
    task_title: str
    measures: tuple[Para, ...]
    division: tuple[Para, ...]
    page_start: int
    page_end: int
    # The other columns a layout may have (None / empty where the table has no such column).
    serial: str | None = None  # the 序号 cell as written
    group_no: int | None = None  # the （一） group the task stands in (2017's 工作任务 column)
    group_title: str | None = None
    objective: str | None = None  # 任务目标
    due_text: str | None = None  # the due column's text (完成时限: 2025年9月, 持续推进)
    outcome: str | None = None  # 成果形式
    lead_units: tuple[Para, ...] = ()  # 牵头单位 cell
    support_units: tuple[Para, ...] = ()  # 配合单位 cell
    extra: tuple[tuple[str, str], ...] = ()  # (header, text) of columns not in the vocabulary


@dataclass(frozen=True)
class Section:
    section_no: int
    section_title: str


@dataclass(frozen=True)
class Issue:
    """A soft problem: reported in the run summary and report.json, never fatal."""

    code: str
    message: str
    task_no: int | None = None


@dataclass(frozen=True)
class StitchedTable:
    title: str
    year: int | None
    sections: tuple[Section, ...]
    tasks: tuple[TaskBlock, ...]
    issues: tuple[Issue, ...] = ()
    head: tuple[str, ...] = ()  # the raw table's head lines, whitespace normalised, blanks dropped
    #: The columns' roles as the rows read them (a task column holding （一） groups, with the
    #: tasks numbered in the measures, is the group column), and the header's own layout.
    layout: Layout = STANDARD_LAYOUT
    header_layout: Layout = STANDARD_LAYOUT


# ---- segment -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Clause:
    task_no: int
    clause_no: int
    actor: str | None  # None only for text that precedes every label (reported as an issue)
    text: str
    page_start: int
    page_end: int
    actor_known: bool  # the actor is one of the published lists' five labels (KNOWN_ACTORS)
    #: The text has no label; its actor was inferred (各地应… → 各地区; the task's owner).
    actor_inferred: bool = False


@dataclass(frozen=True)
class Assignment:
    task_no: int
    entry_no: int
    level: str
    scope: str
    units: tuple[str, ...]  # as written (专利局审业部、自动化部 → 专利局审业部, 自动化部)
    obligation: str | None
    units_full: tuple[str, ...]  # full names (专利局审业部, 专利局自动化部)
    applies_to: str | None  # all / rest / group / named; None for 局内 or an empty scope
    groups: tuple[str, ...]
    clause_no: int | None
    #: An entry holding two scopes with two obligations (强省必做，其他省份选做) is a row per
    #: part, all with its entry_no: part_no numbers them (1 for an entry of one part), and
    #: entry_text is the whole entry as written, label included.
    part_no: int = 1
    entry_text: str = ""


# ---- facts -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Deadline:
    task_no: int
    clause_no: int | None  # None for a deadline of a due column (完成时限), not of a clause
    actor: str | None
    expression: str
    due: date | None  # None for a recurring deadline (每季度末): no one date
    action: str
    char_start: int
    char_end: int
    recurrence: str | None = None  # monthly / quarterly / half-yearly / yearly; None for one date


@dataclass(frozen=True)
class Target:
    task_no: int
    clause_no: int | None  # None: stated in the task's 任务目标 column (objective), offsets in it
    actor: str | None
    expression: str
    metric: str
    value: float
    value_max: float | None
    unit: str
    comparator: str
    due: date | None
    char_start: int
    char_end: int
    kind: str | None = None  # growth / level / count (pipeline.grammar.targets)


# ---- the assembled document ---------------------------------------------------------------

@dataclass(frozen=True)
class Task:
    section_no: int
    section_title: str
    task_no: int
    task_title: str
    measures: str
    division: str
    actors: tuple[str, ...]
    departments: tuple[str, ...]
    keywords: tuple[str, ...]
    page_start: int
    page_end: int
    clauses: tuple[Clause, ...] = ()
    assignments: tuple[Assignment, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    targets: tuple[Target, ...] = ()
    task_key: str = ""  # content-derived identity across renderings and years (pipeline/docmeta.py)
    # The columns of other layouts (issue 10); None / empty where the table has no such column.
    serial: str | None = None
    group_no: int | None = None
    group_title: str | None = None
    objective: str | None = None
    due_text: str | None = None
    due: date | None = None
    lead_units: tuple[str, ...] = ()
    support_units: tuple[str, ...] = ()
    outcome: str | None = None
    layout: str = ""  # the roles of the table's columns, in order (serial/task/measures/division)
    extra: tuple[tuple[str, str], ...] = ()  # (header, text) of the columns not in the vocabulary


@dataclass(frozen=True)
class Document:
    doc_id: str
    title: str
    year: int | None
    source: str  # file name as given
    fmt: str
    sha256: str
    sections: tuple[Section, ...]
    tasks: tuple[Task, ...]
    issues: tuple[Issue, ...] = ()
    notes: tuple[str, ...] = field(default=())
    issuer: str | None = None  # 国家知识产权局, where the document or its title says so
    doc_number: str | None = None  # 文号 such as 国知发运字〔2024〕7号, where the document has one
    duplicate_of: str | None = None  # doc_id of an input of the run holding the same list, kept when deduplicating
    layout: str = ""  # the table's header cells in order (重点任务/工作举措/任务分工); "" for that one
