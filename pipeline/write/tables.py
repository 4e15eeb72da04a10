"""The output contract and the encoders: one pyarrow schema per table (:func:`schemas`), the
documents as rows of those tables (:func:`table_rows`) and as tasks.json's nested JSON
(:func:`document_json`), and one document encoded as the writer writes it, refused if the
column types cannot hold its numbers (:func:`encode`). The writing itself is
:mod:`pipeline.write.output_set`.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import date
from typing import Any

from pipeline.errors import InputTooLargeError
from pipeline.export import TABLES
from pipeline.models import Document, Task

__all__ = ["TABLES", "Encoded", "check_fits", "counts", "document_json", "dumps", "encode",
           "schemas", "table_rows"]


def schemas() -> dict[str, Any]:
    """The output contract: one pyarrow schema per table (names and types users code against)."""
    import pyarrow as pa

    # Typed as DataType, so each list of (name, type) pairs is one pyarrow accepts.
    s: pa.DataType = pa.string()
    i8: pa.DataType = pa.int8()
    i16: pa.DataType = pa.int16()
    i32: pa.DataType = pa.int32()
    lst: pa.DataType = pa.list_(pa.string())
    # extra: header → text of the columns not in the vocabulary. A map, not JSON text: DuckDB
    # reads extra['备注'], Polars a list of key/value structs, pandas pairs (pipeline.load:
    # a dict); the text exports write it as a JSON object.
    mp: pa.DataType = pa.map_(pa.string(), pa.string())
    doc: list[tuple[str, pa.DataType]] = [("doc_id", s)]
    return {
        "documents": pa.schema([
            *doc,
            ("title", s), ("year", i16), ("issuer", s), ("doc_number", s), ("format", s),
            ("layout", s), ("sha256", s), ("source", s), ("pages", i16), ("n_sections", i16),
            ("n_tasks", i16), ("n_clauses", i16), ("n_assignments", i16), ("n_deadlines", i16),
            ("n_targets", i16), ("n_warnings", i16), ("duplicate_of", s),
        ]),
        "tasks": pa.schema([
            *doc,
            ("year", i16), ("section_no", i8), ("section_title", s), ("task_no", i16),
            ("task_title", s), ("measures", s), ("division", s), ("actors", lst),
            ("departments", lst), ("keywords", lst), ("page_start", i16), ("page_end", i16),
            ("source", s), ("n_clauses", i16), ("n_deadlines", i16), ("n_targets", i16),
            ("task_key", s),
            ("serial", s), ("group_no", i16), ("group_title", s), ("objective", s),
            ("due_text", s), ("due", pa.date32()), ("lead_units", lst), ("support_units", lst),
            ("outcome", s), ("layout", s), ("extra", mp),
        ]),
        "clauses": pa.schema([
            *doc,
            ("task_no", i16), ("clause_no", i16), ("actor", s), ("text", s),
            ("page_start", i16), ("page_end", i16), ("actor_known", pa.bool_()),
            ("actor_inferred", pa.bool_()),
        ]),
        "assignments": pa.schema([
            *doc,
            ("task_no", i16), ("entry_no", i16), ("level", s), ("scope", s), ("units", lst),
            ("obligation", s), ("clause_no", i16), ("units_full", lst), ("applies_to", s),
            ("groups", lst), ("part_no", i16), ("entry_text", s),
        ]),
        "deadlines": pa.schema([
            *doc,
            ("task_no", i16), ("clause_no", i16), ("actor", s), ("expression", s),
            ("due", pa.date32()), ("action", s), ("char_start", i32), ("char_end", i32),
            ("recurrence", s),
        ]),
        "targets": pa.schema([
            *doc,
            ("task_no", i16), ("clause_no", i16), ("actor", s), ("expression", s), ("metric", s),
            ("value", pa.float64()), ("value_max", pa.float64()), ("unit", s),
            ("comparator", s), ("due", pa.date32()), ("char_start", i32), ("char_end", i32),
            ("kind", s),
        ]),
    }


def table_rows(docs: Sequence[Document]) -> dict[str, list[dict[str, Any]]]:
    """Every output table as a list of row dicts, documents concatenated in input order."""
    from pipeline.documents import document_row

    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for d in docs:
        rows["documents"].append(document_row(d))
        for t in d.tasks:
            rows["tasks"].append({
                "doc_id": d.doc_id, "year": d.year, "section_no": t.section_no,
                "section_title": t.section_title, "task_no": t.task_no, "task_title": t.task_title,
                "measures": t.measures, "division": t.division, "actors": list(t.actors),
                "departments": list(t.departments), "keywords": list(t.keywords),
                "page_start": t.page_start, "page_end": t.page_end, "source": d.source,
                "n_clauses": len(t.clauses), "n_deadlines": len(t.deadlines),
                "n_targets": len(t.targets), "task_key": t.task_key,
                "serial": t.serial, "group_no": t.group_no, "group_title": t.group_title,
                "objective": t.objective, "due_text": t.due_text, "due": t.due,
                "lead_units": list(t.lead_units), "support_units": list(t.support_units),
                "outcome": t.outcome, "layout": t.layout, "extra": list(t.extra),
            })
            for name, records in (("clauses", t.clauses), ("assignments", t.assignments),
                                  ("deadlines", t.deadlines), ("targets", t.targets)):
                rows[name].extend({"doc_id": d.doc_id, **_shallow(r)} for r in records)
    for r in rows["assignments"]:
        for name in ("units", "units_full", "groups"):
            r[name] = list(r[name])
    return rows


def document_json(d: Document) -> dict[str, Any]:
    """One document as nested JSON: sections → tasks → clauses, assignments, deadlines, targets."""
    def strip(record: Any, *drop: str) -> dict[str, Any]:
        return {k: _plain(v) for k, v in _shallow(record).items() if k not in drop}

    # A section number may repeat (a numbering_repeat warning); each task is listed once, under
    # the first section of its number and title, so tasks.json holds exactly tasks.parquet's rows.
    by_section: dict[tuple[int, str], list[Task]] = {
        (s.section_no, s.section_title): [] for s in d.sections}
    for t in d.tasks:
        by_section.setdefault((t.section_no, t.section_title), []).append(t)
    sections = []
    for (section_no, section_title), tasks in by_section.items():
        sections.append({
            "section_no": section_no, "section_title": section_title,
            "tasks": [{
                **{k: _plain(v) for k, v in _shallow(t).items()
                   if k not in ("clauses", "assignments", "deadlines", "targets",
                                "section_no", "section_title")},
                # actor_known is a column of clauses.parquet; tasks.json keeps its shape.
                "clauses": [strip(c, "task_no", "actor_known") for c in t.clauses],
                "extra": dict(t.extra),
                "assignments": [strip(a, "task_no") for a in t.assignments],
                "deadlines": [strip(x, "task_no") for x in t.deadlines],
                "targets": [strip(x, "task_no") for x in t.targets],
            } for t in tasks],
        })
    return {"doc_id": d.doc_id, "title": d.title, "year": d.year, "source": d.source,
            "format": d.fmt, "sha256": d.sha256, "sections": sections}


#: Field names per record class, looked up once.
_FIELDS: dict[type, tuple[str, ...]] = {}


def _shallow(record: Any) -> dict[str, Any]:
    """A record's fields as a dict, values as they are (their tuples stay tuples).

    Not dataclasses.asdict: that deep-copies every value and turns a Task's clauses,
    assignments, deadlines and targets into dicts too, only for them to be dropped; it was a
    tenth of a document's time. The records' own values are str, numbers, dates and tuples.
    """
    names = _FIELDS.get(type(record))
    if names is None:
        names = _FIELDS[type(record)] = tuple(f.name for f in fields(record))
    return {name: getattr(record, name) for name in names}


def _plain(value: Any) -> Any:
    """JSON-ready: tuples to lists, dates to ISO strings, recursively."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def dumps(obj: Any) -> str:
    """The project's one JSON style: UTF-8 text, two-space indent, trailing newline.

    Strict JSON: a NaN or infinity raises ValueError instead of becoming the bare token
    ``Infinity``, which no JSON parser but Python's accepts.
    """
    return json.dumps(obj, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


#: Per integer column, what its number counts, for the line refusing a document past its type.
_COUNTED = {
    "year": "the year {v}", "section_no": "section number {v}", "task_no": "task number {v}",
    "page_start": "page {v}", "page_end": "page {v}", "clause_no": "{task}{v} clauses",
    "n_clauses": "{task}{v} clauses", "entry_no": "{task}{v} 任务分工 entries",
    "n_deadlines": "{task}{v} deadlines", "n_targets": "{task}{v} targets",
    "char_start": "{task}a clause of {v} characters", "char_end": "{task}a clause of {v} characters",
}


def check_fits(d: Document, path: str) -> None:
    """Refuse a document whose numbers the output's column types cannot hold, before writing.

    (:func:`encode` without its result.)
    """
    encode(d, path)


@dataclass(frozen=True)
class Encoded:
    """One document as the writer writes it: its Arrow tables and its tasks.json entry."""

    doc_id: str
    tables: dict[str, Any]  # table name → pa.Table (only tables the document has rows in)
    json: str  # the document's entry of tasks.json, as dumps() writes it (no indent added)


def encode(d: Document, path: str) -> Encoded:
    """The document's tables and JSON, refusing one the output's column types cannot hold.

    The limits are the schemas' own: section numbers are int8 (≤ 127); task numbers, pages,
    and clauses, entries, deadlines and targets per task are int16 (≤ 32,767); offsets int32.
    A published list is far inside them, so a document past one is not a task list: it fails
    alone with an InputTooLargeError (so keeping going keeps the others), and the writer never
    overflows. The document's rows are then converted exactly as the writer will convert them,
    so no later failure of the writer can be caused by this document.
    """
    import pyarrow as pa

    from pipeline.arrow import table

    rows = table_rows([d])
    tables: dict[str, Any] = {}
    # The per-task tables first: their line names the task; documents' totals say less.
    for name, schema in sorted(schemas().items(), key=lambda kv: kv[0] == "documents"):
        for field in schema:
            if not pa.types.is_integer(field.type):
                continue
            bits = field.type.bit_width
            lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
            for row in rows[name]:
                value = row[field.name]
                if value is not None and not lo <= value <= hi:
                    task = f"task {row['task_no']} has " if "task_no" in row else ""
                    what = _COUNTED.get(field.name, f"{name}.{field.name} {{v}}")
                    if name == "documents" and field.name.startswith("n_"):
                        what = f"the document has {{v}} {field.name[2:]}"
                    elif name == "documents" and field.name == "pages":
                        what = "the document has {v} pages"
                    raise InputTooLargeError(
                        path, f"{what.format(task=task, v=f'{value:,}')}, over the limit of "
                              f"{hi:,} ({name}.{field.name} is {field.type})",
                        "a task list has a few dozen tasks on a few dozen pages; check that "
                        "this is the right file")
        if rows[name]:
            tables[name] = table(rows[name], schema)
    return Encoded(d.doc_id, tables, dumps(document_json(d)))


def counts(docs: Iterable[Document]) -> dict[str, int]:
    """Rows per output table."""
    docs = list(docs)
    return {
        "documents": len(docs),
        "sections": sum(len(d.sections) for d in docs),
        "tasks": sum(len(d.tasks) for d in docs),
        "clauses": sum(len(t.clauses) for d in docs for t in d.tasks),
        "assignments": sum(len(t.assignments) for d in docs for t in d.tasks),
        "deadlines": sum(len(t.deadlines) for d in docs for t in d.tasks),
        "targets": sum(len(t.targets) for d in docs for t in d.tasks),
    }
