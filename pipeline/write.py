"""Write stage: Parquet tables with explicit schemas, tasks.json and report.json.

The output set is written to a temporary folder beside the target and swapped in whole,
so a reader of ``output/`` never sees a half-written set.
"""
from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.errors import OutputError
from pipeline.models import Document

TABLES = ("tasks", "clauses", "assignments", "deadlines", "targets")


def schemas() -> dict[str, Any]:
    """The output contract: one pyarrow schema per table (names and types users code against)."""
    import pyarrow as pa

    s, i8, i16, i32 = pa.string(), pa.int8(), pa.int16(), pa.int32()
    lst = pa.list_(pa.string())
    doc = [("doc_id", s)]
    return {
        "tasks": pa.schema(doc + [
            ("year", i16), ("section_no", i8), ("section_title", s), ("task_no", i16),
            ("task_title", s), ("measures", s), ("division", s), ("actors", lst),
            ("departments", lst), ("keywords", lst), ("page_start", i16), ("page_end", i16),
            ("source", s), ("n_clauses", i16), ("n_deadlines", i16), ("n_targets", i16),
        ]),
        "clauses": pa.schema(doc + [
            ("task_no", i16), ("clause_no", i16), ("actor", s), ("text", s),
            ("page_start", i16), ("page_end", i16), ("actor_known", pa.bool_()),
        ]),
        "assignments": pa.schema(doc + [
            ("task_no", i16), ("entry_no", i16), ("level", s), ("scope", s), ("units", lst),
            ("obligation", s), ("clause_no", i16),
        ]),
        "deadlines": pa.schema(doc + [
            ("task_no", i16), ("clause_no", i16), ("actor", s), ("expression", s),
            ("due", pa.date32()), ("action", s), ("char_start", i32), ("char_end", i32),
        ]),
        "targets": pa.schema(doc + [
            ("task_no", i16), ("clause_no", i16), ("actor", s), ("expression", s), ("metric", s),
            ("value", pa.float64()), ("value_max", pa.float64()), ("unit", s),
            ("comparator", s), ("due", pa.date32()), ("char_start", i32), ("char_end", i32),
        ]),
    }


def table_rows(docs: Sequence[Document]) -> dict[str, list[dict[str, Any]]]:
    """Every output table as a list of row dicts, documents concatenated in input order."""
    from pipeline.labels import KNOWN_ACTORS

    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in TABLES}
    for d in docs:
        for t in d.tasks:
            rows["tasks"].append({
                "doc_id": d.doc_id, "year": d.year, "section_no": t.section_no,
                "section_title": t.section_title, "task_no": t.task_no, "task_title": t.task_title,
                "measures": t.measures, "division": t.division, "actors": list(t.actors),
                "departments": list(t.departments), "keywords": list(t.keywords),
                "page_start": t.page_start, "page_end": t.page_end, "source": d.source,
                "n_clauses": len(t.clauses), "n_deadlines": len(t.deadlines),
                "n_targets": len(t.targets),
            })
            for c in t.clauses:
                rows["clauses"].append({"doc_id": d.doc_id, **asdict(c),
                                        "actor_known": c.actor in KNOWN_ACTORS})
            for name, records in (("assignments", t.assignments), ("deadlines", t.deadlines),
                                  ("targets", t.targets)):
                rows[name].extend({"doc_id": d.doc_id, **asdict(r)} for r in records)
    for r in rows["assignments"]:
        r["units"] = list(r["units"])
    return rows


def document_json(d: Document) -> dict[str, Any]:
    """One document as nested JSON: sections → tasks → clauses, assignments, deadlines, targets."""
    def strip(record: Any, *drop: str) -> dict[str, Any]:
        return {k: _plain(v) for k, v in asdict(record).items() if k not in drop}

    sections = []
    for s in d.sections:
        tasks = [t for t in d.tasks if t.section_no == s.section_no]
        sections.append({
            "section_no": s.section_no, "section_title": s.section_title,
            "tasks": [{
                **{k: _plain(v) for k, v in asdict(t).items()
                   if k not in ("clauses", "assignments", "deadlines", "targets",
                                "section_no", "section_title")},
                "clauses": [strip(c, "task_no") for c in t.clauses],
                "assignments": [strip(a, "task_no") for a in t.assignments],
                "deadlines": [strip(x, "task_no") for x in t.deadlines],
                "targets": [strip(x, "task_no") for x in t.targets],
            } for t in tasks],
        })
    return {"doc_id": d.doc_id, "title": d.title, "year": d.year, "source": d.source,
            "format": d.fmt, "sha256": d.sha256, "sections": sections}


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
    """The project's one JSON style: UTF-8 text, two-space indent, trailing newline."""
    return json.dumps(obj, ensure_ascii=False, indent=2) + "\n"


def write_outputs(docs: Sequence[Document], report: dict[str, Any], out: Path) -> None:
    """Write the whole output set beside ``out`` and swap it in; ``out`` is untouched on failure."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    out = out.resolve()
    if out.exists() and not out.is_dir():
        raise OutputError(str(out), "exists and is not a folder", "name a folder for --out")
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        rows = table_rows(docs)
        for name, schema in schemas().items():
            table = pa.Table.from_pylist(rows[name], schema=schema)
            pq.write_table(table, tmp / f"{name}.parquet")
        (tmp / "tasks.json").write_text(dumps([document_json(d) for d in docs]), encoding="utf-8")
        (tmp / "report.json").write_text(dumps(report), encoding="utf-8")
        _swap(tmp, out)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise OutputError(str(out), f"cannot write the output ({exc.strerror or exc})") from exc


def _swap(new: Path, out: Path) -> None:
    """Replace ``out`` by ``new`` with two renames; the old set is removed only afterwards."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.rename(out, old)
    try:
        os.rename(new, out)
    except OSError:
        if old.exists():
            os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


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
