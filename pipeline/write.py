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
from pipeline.models import Document, Task

TABLES = ("documents", "tasks", "clauses", "assignments", "deadlines", "targets")


def schemas() -> dict[str, Any]:
    """The output contract: one pyarrow schema per table (names and types users code against)."""
    import pyarrow as pa

    # Typed as DataType, so each list of (name, type) pairs is one pyarrow accepts.
    s: pa.DataType = pa.string()
    i8: pa.DataType = pa.int8()
    i16: pa.DataType = pa.int16()
    i32: pa.DataType = pa.int32()
    lst: pa.DataType = pa.list_(pa.string())
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
        ]),
        "clauses": pa.schema([
            *doc,
            ("task_no", i16), ("clause_no", i16), ("actor", s), ("text", s),
            ("page_start", i16), ("page_end", i16), ("actor_known", pa.bool_()),
        ]),
        "assignments": pa.schema([
            *doc,
            ("task_no", i16), ("entry_no", i16), ("level", s), ("scope", s), ("units", lst),
            ("obligation", s), ("clause_no", i16), ("units_full", lst), ("applies_to", s),
            ("groups", lst),
        ]),
        "deadlines": pa.schema([
            *doc,
            ("task_no", i16), ("clause_no", i16), ("actor", s), ("expression", s),
            ("due", pa.date32()), ("action", s), ("char_start", i32), ("char_end", i32),
        ]),
        "targets": pa.schema([
            *doc,
            ("task_no", i16), ("clause_no", i16), ("actor", s), ("expression", s), ("metric", s),
            ("value", pa.float64()), ("value_max", pa.float64()), ("unit", s),
            ("comparator", s), ("due", pa.date32()), ("char_start", i32), ("char_end", i32),
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
            })
            for name, records in (("clauses", t.clauses), ("assignments", t.assignments),
                                  ("deadlines", t.deadlines), ("targets", t.targets)):
                rows[name].extend({"doc_id": d.doc_id, **asdict(r)} for r in records)
    for r in rows["assignments"]:
        for name in ("units", "units_full", "groups"):
            r[name] = list(r[name])
    return rows


def document_json(d: Document) -> dict[str, Any]:
    """One document as nested JSON: sections → tasks → clauses, assignments, deadlines, targets."""
    def strip(record: Any, *drop: str) -> dict[str, Any]:
        return {k: _plain(v) for k, v in asdict(record).items() if k not in drop}

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
                **{k: _plain(v) for k, v in asdict(t).items()
                   if k not in ("clauses", "assignments", "deadlines", "targets",
                                "section_no", "section_title")},
                # actor_known is a column of clauses.parquet; tasks.json keeps its shape.
                "clauses": [strip(c, "task_no", "actor_known") for c in t.clauses],
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


#: Every file of an output set; a folder holding anything else is not ours to replace.
OUTPUT_FILES = frozenset({*(f"{name}.parquet" for name in TABLES), "tasks.json", "report.json"})


def write_outputs(docs: Sequence[Document], report: dict[str, Any], out: Path) -> None:
    """Write the whole output set beside ``out`` and swap it in; ``out`` is untouched on failure.

    Also on Ctrl-C: the temporary folder is removed and the previous set stays in place.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    shown = str(out)
    target = check_output_folder(out)
    tmp = target.parent / f".{target.name}.tmp-{os.getpid()}"
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        rows = table_rows(docs)
        for name, schema in schemas().items():
            table = pa.Table.from_pylist(rows[name], schema=schema)
            pq.write_table(table, tmp / f"{name}.parquet")
        (tmp / "tasks.json").write_text(dumps([document_json(d) for d in docs]), encoding="utf-8")
        (tmp / "report.json").write_text(dumps(report), encoding="utf-8")
        _swap(tmp, target)
    except OSError as exc:
        raise OutputError(shown, f"cannot write the output ({exc.strerror or exc})") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def check_output_folder(out: Path) -> Path:
    """``out`` made absolute, or an OutputError if it cannot or must not be replaced.

    The swap replaces the whole folder, so a folder holding anything but an output set (a
    typo like ``--out .`` or ``--out raw``, or a file the user put into output/) is refused
    rather than deleted. Temporary folders
    a killed run left beside ``out`` are cleared first (see :func:`_clear_stale`).
    """
    shown = str(out)
    target = Path(os.path.abspath(out))
    if target.parent == target:
        raise OutputError(shown, "is the root of the file system", "name a new folder for --out")
    if target.parent.is_dir():
        try:
            _clear_stale(target)
        except OSError as exc:
            raise OutputError(shown, f"cannot clear a killed run's temporary folder "
                                     f"({exc.strerror or exc})") from exc
    if target.is_symlink():
        raise OutputError(shown, "is a symbolic link, which the swap would replace by a folder",
                          "name the folder it points to for --out")
    if target.exists() and not target.is_dir():
        raise OutputError(shown, "exists and is not a folder", "name a folder for --out")
    parent = target.parent
    existing = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise OutputError(shown, f"{existing} is a file, not a folder",
                          "name an output folder whose parent folders can be created")
    if target.is_dir():
        try:
            names = {p.name for p in target.iterdir()}
        except OSError as exc:
            raise OutputError(shown, f"cannot list it ({exc.strerror or exc})") from exc
        foreign = sorted(n for n in names - OUTPUT_FILES if not _replaceable(n, names))
        if foreign:
            raise OutputError(
                shown, f"holds files that are not this pipeline's output ({', '.join(foreign[:3])}"
                f"{', …' if len(foreign) > 3 else ''}) and would be replaced",
                "name a new or empty folder for --out, or remove that folder first")
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(shown, f"the folder {existing} is not writable")
    return target


def _replaceable(name: str, names: set[str]) -> bool:
    """Hidden files (.DS_Store) go with the folder; so do tables of an older output set."""
    older_output = "report.json" in names and name.endswith((".parquet", ".json"))
    return name.startswith(".") or older_output


def _clear_stale(out: Path) -> None:
    """Remove temporary folders a killed run left beside ``out``; restore ``out`` if a swap was cut.

    A run killed between the two renames of :func:`_swap` leaves no ``out`` but an ``.old-PID``
    folder holding the previous set: that one is put back.
    """
    for pattern in (f".{out.name}.old-*", f".{out.name}.tmp-*"):
        for stale in sorted(out.parent.glob(pattern)):
            pid = stale.name.rpartition("-")[2]
            if not pid.isdigit() or (int(pid) != os.getpid() and _alive(int(pid))):
                continue
            if ".old-" in stale.name and not out.exists():
                os.rename(stale, out)
            else:
                shutil.rmtree(stale, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _swap(new: Path, out: Path) -> None:
    """Replace ``out`` by ``new`` with two renames; the old set is removed only afterwards."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        os.rename(out, old)
    try:
        os.rename(new, out)
    except BaseException:  # also Ctrl-C between the renames: put the previous set back
        if old.exists() and not out.exists():
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
