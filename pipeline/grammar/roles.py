"""Column roles: what each column of a task table holds, read from its header cell.

The lists of the family name their columns differently (重点任务 / 工作举措 / 任务分工 in CNIPA's 2024
list; 工作任务 / 任务目标 / 落实举措 / 执行部门（单位） / 完成时间 in 2017; 序号 / 重点任务 / 具体措施 /
牵头单位 / 完成时限 in provincial lists), so every stage after the reader works on *roles*, never on
column positions: a reader matches the header row with :func:`match_header` and yields rows whose
cells are aligned to the :class:`Layout` it returns.

Matching is by the header's words, made tolerant of spacing, full width (NFKC), a trailing colon
and a parenthesised suffix (``执行部门（单位）``, ``责任单位(部门)``): first the exact words of
:data:`HEADER_WORDS`, then, for a short cell, the word it ends in (:data:`_ENDINGS`: …措施 is
measures, …时限 is due). A column whose header is neither keeps its text (role ``None``, an
*extra* column), so an unexpected column is never a reason to refuse a table.

Some words depend on the other columns of the same header (:func:`_resolve`):

- several task columns (重点任务 and 具体任务, 工作任务 and 具体任务): the rightmost is the task, the
  one before it its group (lists go from the broad to the specific, left to right);
- 责任单位 / 责任部门 beside 牵头单位 are the supporting units, beside 配合单位 the lead units, alone
  they are the division column (it may hold ``局内：`` / ``省份：`` entries, as 任务分工 does);
- a second column of a role already taken is an extra column (named in a note).

An empty header cell is kept as an extra column with an empty header; stitch makes it the serial
column when its cells are numbers (:func:`is_serial_text`).
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from pipeline.grammar.text import INVISIBLE, normalize_ws

SERIAL = "serial"
TASK = "task"
GROUP = "group"
OBJECTIVE = "objective"
MEASURES = "measures"
DIVISION = "division"
LEAD = "lead_units"
SUPPORT = "support_units"
DUE = "due"
OUTCOME = "outcome"
#: Every role, in the order a layout's roles are listed.
ROLES: tuple[str, ...] = (SERIAL, GROUP, TASK, OBJECTIVE, MEASURES, DIVISION, LEAD, SUPPORT, DUE,
                          OUTCOME)

#: Fewest and most columns of a task table.
MIN_COLUMNS, MAX_COLUMNS = 3, 8

#: Header words per role, as they stand after :func:`header_key` (NFKC, no spaces, no suffix).
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    SERIAL: ("序号", "序", "编号", "序列号", "No", "NO", "no"),
    TASK: ("重点任务", "工作任务", "具体任务", "主要任务", "任务", "任务名称", "任务事项", "重点工作",
           "主要工作", "工作事项", "工作重点", "任务项目", "重点事项", "工作项目"),
    GROUP: ("任务类别", "类别", "分类", "领域", "工作领域", "重点领域", "任务领域", "板块", "方面"),
    OBJECTIVE: ("任务目标", "目标", "工作目标", "预期目标", "目标任务", "主要目标", "发展目标"),
    MEASURES: ("工作举措", "落实举措", "具体措施", "工作内容", "工作措施", "具体举措", "主要举措",
               "主要措施", "举措", "措施", "推进措施", "实施举措", "落实措施", "具体内容",
               "任务内容", "工作要求", "具体工作"),
    DIVISION: ("任务分工", "执行部门", "分工", "责任分工", "执行单位", "承办单位", "实施主体",
               "责任主体", "落实部门", "落实单位", "实施单位", "责任单位", "责任部门", "责任处室",
               "分工安排"),
    LEAD: ("牵头单位", "牵头部门", "牵头处室", "牵头", "主责单位", "主责部门", "主办单位",
           "牵头负责单位", "牵头责任单位"),
    SUPPORT: ("配合单位", "参与单位", "配合部门", "参与部门", "协办单位", "协同单位", "配合",
              "配合处室", "协助单位", "参加单位"),
    DUE: ("完成时限", "完成时间", "时间节点", "时限", "完成期限", "时间安排", "进度安排",
          "时间要求", "截止时间", "完成日期", "推进时间", "时间", "期限", "进度要求", "时限要求"),
    OUTCOME: ("成果形式", "预期成果", "成果", "工作成果", "产出成果", "成果体现", "完成标志",
              "成果要求", "预期效果", "考核指标", "完成标准"),
}
#: The responsible-units words whose role depends on the columns beside them (see module doc).
_RESPONSIBLE = frozenset({"责任单位", "责任部门", "责任处室"})

# A short header not in HEADER_WORDS, by what it contains or ends in (first match wins): 落实
# 推进措施 is measures, 配合实施单位 supporting units. Only cells of a header's length are looked
# at (_MAX_HEADER_CHARS), and never one with digits or sentence punctuation, so a data row's
# text (1. 加强专利保护任务) never reads as a header.
_ENDINGS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"序号$"), SERIAL),
    (re.compile(r"牵头"), LEAD),
    (re.compile(r"配合|参与|协办|协同|协助"), SUPPORT),
    (re.compile(r"成果|成效"), OUTCOME),
    (re.compile(r"(?:时限|时间|期限|节点|日期|进度)$"), DUE),
    (re.compile(r"目标$"), OBJECTIVE),
    (re.compile(r"(?:措施|举措|内容)$"), MEASURES),
    (re.compile(r"分工|(?:单位|部门|处室|主体)$"), DIVISION),
    (re.compile(r"类别|领域$"), GROUP),
    (re.compile(r"(?:任务|工作)$"), TASK),
)
_MAX_HEADER_CHARS = 10
_NOT_A_HEADER = re.compile(r"[0-9。；;，,！？!?：:、]")
# A parenthesised tail of a header: （单位）, (部门), （单位/部门）, （年月）.
_SUFFIX = re.compile(r"\([^()]{1,8}\)$")

#: Chinese names of the roles, for a layout's name where a column has no header of its own.
ROLE_WORDS: dict[str, str] = {
    SERIAL: "序号", TASK: "重点任务", GROUP: "任务类别", OBJECTIVE: "任务目标", MEASURES: "工作举措",
    DIVISION: "任务分工", LEAD: "牵头单位", SUPPORT: "配合单位", DUE: "完成时限", OUTCOME: "成果形式",
}


@dataclass(frozen=True)
class Column:
    """One column of a task table: its position, its role (None: an extra column) and header."""

    index: int
    role: str | None
    header: str  # the header cell, whitespace normalised ("" for an empty header cell)


@dataclass(frozen=True)
class Layout:
    """The columns of a task table, left to right; each role held by one column at most."""

    columns: tuple[Column, ...]

    def __len__(self) -> int:
        return len(self.columns)

    def index(self, role: str) -> int | None:
        """The position of the column of ``role``, None if the table has none."""
        for column in self.columns:
            if column.role == role:
                return column.index
        return None

    def has(self, role: str) -> bool:
        return self.index(role) is not None

    @property
    def roles(self) -> tuple[str | None, ...]:
        return tuple(c.role for c in self.columns)

    @property
    def extras(self) -> tuple[Column, ...]:
        """The columns whose header is not in the vocabulary (their text goes to ``extra``)."""
        return tuple(c for c in self.columns if c.role is None)

    @property
    def name(self) -> str:
        """The header cells in order (``重点任务/工作举措/任务分工``), an empty one by its role."""
        return "/".join(c.header.replace(" ", "") or ROLE_WORDS.get(c.role or "", "")
                        for c in self.columns)

    @property
    def role_names(self) -> str:
        """The roles in order (``serial/task/measures/division``), an extra column as ``extra``."""
        return "/".join(c.role or "extra" for c in self.columns)

    def with_role(self, index: int, role: str | None) -> Layout:
        """This layout with column ``index`` given ``role`` (stitch's reading of the data)."""
        return Layout(tuple(Column(c.index, role if c.index == index else c.role, c.header)
                            for c in self.columns))

    def notes(self) -> tuple[str, ...]:
        """A note per extra column with a header: kept, and where its text goes."""
        return tuple(f"column {c.index + 1} {c.header!r} is not a known column; its text is kept "
                     "in the tasks' extra" for c in self.extras if c.header)


def layout(*roles: str | None, headers: Sequence[str] = ()) -> Layout:
    """A layout of ``roles`` in order (headers from ``headers``, else the roles' Chinese names)."""
    names = list(headers) or [ROLE_WORDS.get(r or "", "") for r in roles]
    return Layout(tuple(Column(i, r, h) for i, (r, h) in enumerate(zip(roles, names))))


#: The CNIPA list of 2024: 重点任务 / 工作举措 / 任务分工.
STANDARD_LAYOUT = layout(TASK, MEASURES, DIVISION)


def header_key(cell: str) -> str:
    """A header cell as the vocabulary spells it: NFKC, no whitespace, no trailing colon or
    parenthesised suffix (``执行部门（单位）`` → ``执行部门``, ``完 成 时 限：`` → ``完成时限``)."""
    text = unicodedata.normalize("NFKC", cell.translate(INVISIBLE))
    text = re.sub(r"\s+", "", text).strip("*:：")
    stripped = _SUFFIX.sub("", text)
    return stripped or text


_BY_WORD: dict[str, str] = {w: role for role, words in HEADER_WORDS.items() for w in words}


def header_role(cell: str) -> str | None:
    """The role a header cell names on its own (before :func:`_resolve` looks at its neighbours)."""
    key = header_key(cell)
    if not key or len(key) > _MAX_HEADER_CHARS or _NOT_A_HEADER.search(key):
        return None
    if key in _BY_WORD:
        return _BY_WORD[key]
    for pattern, role in _ENDINGS:
        if pattern.search(key):
            return role
    return None


@dataclass(frozen=True)
class HeaderReading:
    """What a row says as a header: its layout, and the required roles it lacks (if any)."""

    layout: Layout
    missing: tuple[str, ...]  # required roles not found; empty when the row is a task table's header
    known: int  # cells whose role the vocabulary gave


def read_header(cells: Sequence[str]) -> HeaderReading | None:
    """The row read as a header; None when it is no header at all (fewer than two cells that name
    a role, more unknown cells than known ones, or outside 3–8 columns after trailing empty cells)."""
    texts = [normalize_ws(c) for c in cells]
    while texts and not texts[-1]:
        texts.pop()  # trailing empty cells (a spreadsheet's tabs, an empty spacer cell)
    if not MIN_COLUMNS <= len(texts) <= MAX_COLUMNS:
        return None
    roles = [header_role(t) for t in texts]
    known = sum(r is not None for r in roles)
    unknown = sum(r is None and bool(t) for r, t in zip(roles, texts))
    if known < 2 or unknown > known:
        return None
    resolved = _resolve(texts, roles)
    columns = tuple(Column(i, r, t) for i, (r, t) in enumerate(zip(resolved, texts)))
    found = set(resolved)
    missing: list[str] = []
    if not found & {TASK, GROUP}:
        missing.append(TASK)
    if not found & {MEASURES, DIVISION, LEAD}:
        missing.append(MEASURES)
    return HeaderReading(Layout(columns), tuple(missing), known)


def match_header(cells: Sequence[str]) -> Layout | None:
    """The layout of a task table's header row, or None for any other row.

    A header needs a task column (or a group column, the tasks being numbered in their measures)
    and a column saying what is done or by whom (measures, division or lead units).
    """
    reading = read_header(cells)
    return reading.layout if reading is not None and not reading.missing else None


def _resolve(texts: Sequence[str], roles: Sequence[str | None]) -> list[str | None]:
    """Roles that depend on the other columns (see the module's docstring); one column per role."""
    out = list(roles)
    keys = [header_key(t) for t in texts]
    # Responsible units beside lead (or supporting) units are the other half of the pair.
    for i, key in enumerate(keys):
        if key in _RESPONSIBLE and out[i] == DIVISION:
            others = [r for j, r in enumerate(out) if j != i]
            if LEAD in others:
                out[i] = SUPPORT
            elif SUPPORT in others:
                out[i] = LEAD
    # Several task columns: the rightmost is the task, the one before it the group.
    tasks = [i for i, r in enumerate(out) if r == TASK]
    if len(tasks) > 1 and GROUP not in out:
        out[tasks[-2]] = GROUP
    # One column per role: a later column of a role already held is an extra column.
    seen: set[str] = set()
    for i, role in enumerate(out):
        if role is None:
            continue
        if role in seen:
            out[i] = None
        seen.add(role)
    return out


# A serial cell: a number (1, 12, １２, 1.2, (3), 三) and nothing else.
_SERIAL_TEXT = re.compile(
    r"^[（(]?\s*(?:[0-9０-９]{1,4}(?:[.．\-－][0-9０-９]{1,3})*|[一二三四五六七八九十百]{1,4})"
    r"\s*[）)]?[.．、]?$")


def is_serial_text(text: str) -> bool:
    """A cell holding nothing but a serial number (``1``, ``12``, ``1.2``, ``（3）``)."""
    return bool(_SERIAL_TEXT.match(normalize_ws(text)))
