"""The diff's records: a change row, and the view of a task that the comparison works on."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pipeline.grammar import YEAR_IN_TEXT
from pipeline.models import Assignment, Deadline, Target

#: Columns of changes.parquet, in order: the output contract of ``python -m pipeline diff``.
CHANGE_COLUMNS = ("kind", "task_key", "old_task_no", "new_task_no", "field", "old", "new",
                  "similarity", "minor")


@dataclass(frozen=True)
class Change:
    """One row of changes.parquet (see the README's data dictionary for each kind)."""

    kind: str
    task_key: str | None
    old_task_no: int | None
    new_task_no: int | None
    field: str | None
    old: str | None
    new: str | None
    similarity: float | None
    minor: bool = False

    def row(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in CHANGE_COLUMNS}


def change_schema() -> Any:
    """The pyarrow schema of changes.parquet."""
    import pyarrow as pa

    s, i16 = pa.string(), pa.int16()
    fields: list[tuple[str, pa.DataType]] = [
        ("kind", s), ("task_key", s), ("old_task_no", i16), ("new_task_no", i16), ("field", s),
        ("old", s), ("new", s), ("similarity", pa.float64()), ("minor", pa.bool_())]
    return pa.schema(fields)


# ---- what a task looks like to the comparison --------------------------------------------------

@dataclass(frozen=True)
class Block:
    """The clauses of one actor in a task, texts joined; facts with offsets into ``text``.

    Compared per actor, not per clause: a task says what each actor must do, and two tasks
    merged into one join their actors' texts, which per-clause positions would not follow.
    """

    actor: str  # "" for text before any label
    text: str
    deadlines: tuple[Deadline, ...]
    targets: tuple[Target, ...]


@dataclass(frozen=True)
class TaskView:
    task_no: int
    task_key: str
    title: str
    section: tuple[int, str]
    blocks: tuple[Block, ...]
    units: tuple[str, ...]  # the 局内 departments, each once
    entries: tuple[Assignment, ...]  # the other 任务分工 entries, each (level, scope, obligation) once
    measures: str  # normalised by documents.key_text, for scoring
    #: The layout's own columns (see :func:`pipeline.diff.compare.columns_of`), by name.
    columns: tuple[tuple[str, str | None], ...] = ()


# ---- normal forms ---------------------------------------------------------------------------------

_SPACE = re.compile(r"\s+")


def minor_form(text: str) -> str:
    """The text with what never counts as a change of substance removed: width (NFKC),
    whitespace, and the year in ``2024年`` (a list's own year, rewritten every year)."""
    text = _SPACE.sub("", unicodedata.normalize("NFKC", text))
    return YEAR_IN_TEXT.sub("#", text)

