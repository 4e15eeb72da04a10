"""Write stage: the output set — report.json plus the formats asked for (Parquet and tasks.json
by default; the writers live in :mod:`pipeline.export`, one module per format).

The output set is written to a temporary folder beside the target and swapped in whole,
so a reader of ``output/`` never sees a half-written set.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any

from pipeline import output_folder
from pipeline.errors import InputTooLargeError
from pipeline.export import DEFAULT_FORMATS, TABLES, from_documents, output_names, write_formats
from pipeline.models import Document, Task
from pipeline.output_folder import MANIFEST, FileSet, Record, write_set

__all__ = ["FILE_SET", "LEGACY_SETS", "MANIFEST", "OUTPUT_FILES", "TABLES", "Encoded",
           "OutputSetWriter", "check_fits", "check_output_folder", "counts", "document_json",
           "dumps", "encode", "export_formats", "schemas", "table_rows", "write_outputs"]

#: Every file of a default output set (--format parquet,json) but its manifest (MANIFEST), which
#: lists these with their SHA-256; other formats add theirs (pipeline.export.FORMATS).
OUTPUT_FILES = output_names(DEFAULT_FORMATS)

_OLDEST = frozenset({"tasks.parquet", "clauses.parquet", "assignments.parquet",
                     "deadlines.parquet", "targets.parquet", "tasks.json", "report.json"})
#: The file sets the versions before the manifest wrote (before and after documents.parquet).
LEGACY_SETS = (_OLDEST, _OLDEST | {"documents.parquet"})


def _legacy_content(path: Path) -> bool:
    """The file has the shape a pre-manifest version wrote under that name."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        try:
            names = set(pq.read_schema(path).names)
        except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError
            return False
        return "doc_id" in names and names <= set(schemas()[path.stem].names)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, OSError):
        return False
    if path.name == "report.json":
        return (isinstance(data, dict) and set(data) == {"inputs", "counts"}
                and isinstance(data["inputs"], list))
    return isinstance(data, list) and all(
        isinstance(d, dict) and "doc_id" in d and "sections" in d for d in data)


#: What extract (and export, which adds formats to its sets) writes into --out: the names of
#: every format (see :mod:`pipeline.output_folder`).
FILE_SET = FileSet("extract", output_names(), LEGACY_SETS, _legacy_content)


def check_output_folder(out: Path, inputs: Iterable[Path] = ()) -> Path:
    """``out`` made absolute, or an OutputError if extract must not replace it (see
    :func:`pipeline.output_folder.check_output_folder`)."""
    return output_folder.check_output_folder(out, FILE_SET, inputs)


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


def write_outputs(docs: Sequence[Document], report: dict[str, Any], out: Path,
                  formats: Sequence[str] = DEFAULT_FORMATS) -> None:
    """Write the whole output set beside ``out`` and swap it in; ``out`` is untouched on failure
    (also on Ctrl-C), see :func:`pipeline.output_folder.write_set`."""
    def write(tmp: Path, record: Record) -> None:
        write_formats(from_documents(docs, report), tmp, formats, record)
        (tmp / "report.json").write_text(dumps(report), encoding="utf-8")
        record("report.json")

    write_set(out, FILE_SET, write)


class OutputSetWriter:
    """An output set written into ``folder`` document by document (inside
    :func:`pipeline.output_folder.write_set`, which swaps it in whole afterwards).

    Each document's rows go into the folder as they come (a Parquet row group per ``batch``
    documents, its tasks.json entry appended), so memory holds one batch, not the corpus. The
    Parquet tables are always written this way; the other formats asked for (xlsx, csv, …:
    :mod:`pipeline.export`) are made from them by :meth:`finish`, and the Parquet files are
    removed again if ``parquet`` was not asked for. documents.parquet and report.json are
    written by :meth:`finish`. ``record`` (write_set's) lists each file in the manifest once
    it is complete; a killed run's folder may hold output files not listed yet, which
    write_set's checks allow for a temporary folder.
    """

    def __init__(self, folder: Path, record: Record, formats: Sequence[str] = DEFAULT_FORMATS,
                 batch: int = 32) -> None:
        self.folder = folder
        self.record = record
        self.formats = tuple(formats)
        self.batch = batch
        self._parquet: dict[str, Any] = {}  # table name → open ParquetWriter
        self._pending: dict[str, list[Any]] = {name: [] for name in TABLES}
        self._in_batch = 0
        self._json: Any = None
        self._entries = 0
        if "json" in self.formats:
            self._json = open(folder / "tasks.json", "w", encoding="utf-8")  # noqa: SIM115
            self._json.write("[")

    def close(self) -> None:
        """Close the open files (after finish, or when the set is abandoned)."""
        for writer in self._parquet.values():
            with suppress(Exception):
                writer.close()
        self._parquet.clear()
        if self._json is not None:
            self._json.close()

    def add(self, encoded: Encoded) -> None:
        """Write one document's rows (its documents row comes with :meth:`finish`)."""
        for name, table in encoded.tables.items():
            if name != "documents":
                self._pending[name].append(table)
        if self._json is not None:
            # tasks.json as dumps() writes the whole list: each entry one level deeper.
            self._json.write(("\n" if not self._entries else ",\n")
                             + "\n".join("  " + line for line in encoded.json.rstrip("\n")
                                         .split("\n")))
        self._entries += 1
        self._in_batch += 1
        if self._in_batch >= self.batch:
            self._flush()

    def _flush(self) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        for name, tables in self._pending.items():
            if not tables:
                continue
            if name not in self._parquet:
                self._parquet[name] = pq.ParquetWriter(self.folder / f"{name}.parquet",
                                                       schemas()[name])
            self._parquet[name].write_table(pa.concat_tables(tables))
            tables.clear()
        self._in_batch = 0

    def finish(self, document_rows: Sequence[dict[str, Any]], report: dict[str, Any]) -> None:
        """Write documents.parquet (one row per document added, in order), the other formats
        and report.json, and complete the files."""
        import pyarrow.parquet as pq

        from pipeline.arrow import table
        from pipeline.export import OutputSet

        folder, record = self.folder, self.record
        keep_parquet = "parquet" in self.formats
        self._flush()
        for name, schema in schemas().items():
            path = folder / f"{name}.parquet"
            if name == "documents":
                pq.write_table(table(document_rows, schema), path)
            else:
                writer = self._parquet.pop(name, None) or pq.ParquetWriter(path, schema)
                writer.close()
            if keep_parquet:
                record(f"{name}.parquet")
        if self._json is not None:
            self._json.write("\n]\n" if self._entries else "]\n")
            self._json.close()
            record("tasks.json")
        others = [f for f in self.formats if f not in ("parquet", "json")]
        if others:  # made from the finished tables, as ``export`` makes them
            rows = {name: pq.read_table(folder / f"{name}.parquet").to_pylist()
                    for name in schemas()}
            write_formats(OutputSet(tables=rows, report=report), folder, others, record)
        if not keep_parquet:
            for name in schemas():
                (folder / f"{name}.parquet").unlink()
        (folder / "report.json").write_text(dumps(report), encoding="utf-8")
        record("report.json")


def export_formats(out: Path, formats: Sequence[str]) -> None:
    """Add ``formats`` to the output set in ``out``, made from its Parquet tables.

    Like :func:`write_outputs`, all or nothing: the set is copied into a temporary folder beside
    ``out``, the formats' files are (re)written there, the manifest lists every file of the new
    set, and the copy is swapped in.
    """
    from pipeline.export import FORMATS, read_output_set

    target = check_output_folder(out)  # the set is the pipeline's own, file by file
    data = read_output_set(target)
    replaced = {top for name in formats for top in FORMATS[name].top_level}

    def write(tmp: Path, record: Record) -> None:
        for entry in sorted(target.iterdir()):
            if entry.name == MANIFEST or entry.name in replaced:  # no stale file of a format stays
                continue
            if entry.is_dir():
                shutil.copytree(entry, tmp / entry.name)
                for f in sorted(p for p in (tmp / entry.name).rglob("*") if p.is_file()):
                    record(f.relative_to(tmp).as_posix())
            else:
                shutil.copy2(entry, tmp / entry.name)
                record(entry.name)
        write_formats(data, tmp, formats, record)

    write_set(target, FILE_SET, write)


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
