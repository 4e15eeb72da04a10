"""The diff's input edge: a Document from an input file (extracted) or an output folder (read back).

An output folder is read from its Parquet tables, the output contract, so a folder written by
an older version of the pipeline reads too (a missing task_key is recomputed).
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from pathlib import Path
from typing import Any

from pipeline.documents import task_keys
from pipeline.errors import DiffInputError
from pipeline.models import Assignment, Clause, Deadline, Document, Section, Target, Task

_TABLES = ("tasks", "clauses", "assignments", "deadlines", "targets")


def load_side(path: Path) -> Document:
    """OLD or NEW of ``python -m pipeline diff``: an input file, or an output folder of one list."""
    if path.is_dir():
        return load_output_folder(path)
    from pipeline.build import extract_file

    return extract_file(path)


def load_output_folder(folder: Path) -> Document:
    import pyarrow.parquet as pq

    source = str(folder)
    missing = [name for name in _TABLES if not (folder / f"{name}.parquet").is_file()]
    if missing:
        what = ("tasks.parquet" if "tasks" in missing
                else ", ".join(f"{m}.parquet" for m in missing))
        raise DiffInputError(source, f"is a folder without {what}, so no output folder of "
                                     "extract")
    tables: dict[str, list[dict[str, Any]]] = {}
    for name in (*_TABLES, "documents"):
        file = folder / f"{name}.parquet"
        if not file.is_file():
            continue
        try:
            tables[name] = pq.read_table(file).to_pylist()
        except (OSError, ValueError) as exc:  # pyarrow's errors derive from these
            raise DiffInputError(f"{file}", f"cannot be read as Parquet ({exc})",
                                 "extract the list again into a new folder") from exc
    doc_ids = list(dict.fromkeys(r["doc_id"] for r in tables["tasks"]))
    if len(doc_ids) != 1:
        listed = ", ".join(doc_ids[:4]) + (", …" if len(doc_ids) > 4 else "")
        raise DiffInputError(
            source, f"holds {len(doc_ids)} documents ({listed})" if doc_ids else "holds no tasks",
            "diff compares one list with another: name the input files, or extract each list "
            "into a folder of its own")
    try:
        return _document(doc_ids[0], tables, source)
    except (KeyError, TypeError) as exc:  # a column of the contract is missing or mistyped
        raise DiffInputError(source, f"has a table without the column {exc}",
                             "extract the list again into a new folder") from exc


def _document(doc_id: str, tables: dict[str, list[dict[str, Any]]], source: str) -> Document:
    by_task: dict[str, dict[int, list[dict[str, Any]]]] = {}
    for name in _TABLES[1:]:
        grouped: dict[int, list[dict[str, Any]]] = defaultdict(list)
        for r in tables[name]:
            grouped[r["task_no"]].append(r)
        by_task[name] = grouped
    tasks: list[Task] = []
    for r in tables["tasks"]:
        n = r["task_no"]
        tasks.append(Task(
            section_no=r["section_no"], section_title=r["section_title"], task_no=n,
            task_title=r["task_title"], measures=r["measures"], division=r["division"],
            actors=tuple(r["actors"]), departments=tuple(r["departments"]),
            keywords=tuple(r["keywords"]), page_start=r["page_start"], page_end=r["page_end"],
            clauses=tuple(Clause(n, c["clause_no"], c["actor"], c["text"], c["page_start"],
                                 c["page_end"], c["actor_known"], bool(c.get("actor_inferred")))
                          for c in by_task["clauses"][n]),
            # units_full, applies_to, groups, part_no and entry_text came later: an older folder
            # reads without them.
            assignments=tuple(Assignment(n, a["entry_no"], a["level"], a["scope"],
                                         tuple(a["units"]), a["obligation"],
                                         tuple(a.get("units_full") or ()), a.get("applies_to"),
                                         tuple(a.get("groups") or ()), a["clause_no"],
                                         a.get("part_no") or 1, a.get("entry_text") or "")
                              for a in by_task["assignments"][n]),
            # recurrence came later: an older folder reads without it.
            deadlines=tuple(Deadline(n, d["clause_no"], d["actor"], d["expression"], d["due"],
                                     d["action"], d["char_start"], d["char_end"],
                                     d.get("recurrence"))
                            for d in by_task["deadlines"][n]),
            targets=tuple(Target(n, x["clause_no"], x["actor"], x["expression"], x["metric"],
                                 x["value"], x["value_max"], x["unit"], x["comparator"], x["due"],
                                 x["char_start"], x["char_end"], x.get("kind"))
                            for x in by_task["targets"][n]),
            task_key=r.get("task_key") or "",
            # The columns of other layouts came later (issue 10): an older folder has none.
            serial=r.get("serial"), group_no=r.get("group_no"), group_title=r.get("group_title"),
            objective=r.get("objective"), due_text=r.get("due_text"), due=r.get("due"),
            lead_units=tuple(r.get("lead_units") or ()),
            support_units=tuple(r.get("support_units") or ()), outcome=r.get("outcome"),
            layout=r.get("layout") or "", extra=tuple(r.get("extra") or ()),
        ))
    if any(not t.task_key for t in tasks):
        tasks = [replace(t, task_key=k) for t, k in zip(tasks, task_keys(tasks))]
    about = next((d for d in tables.get("documents", []) if d["doc_id"] == doc_id), {})
    first = tables["tasks"][0]
    sections = tuple(dict.fromkeys(Section(t.section_no, t.section_title) for t in tasks))
    return Document(
        doc_id=doc_id, title=about.get("title") or "", year=first["year"],
        source=about.get("source") or first["source"], fmt=about.get("format") or "",
        sha256=about.get("sha256") or "", sections=sections, tasks=tuple(tasks),
        issuer=about.get("issuer"), doc_number=about.get("doc_number"))

