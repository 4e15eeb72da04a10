"""json: tasks.json, one nested object per document (sections → tasks → clauses …)."""
from __future__ import annotations

from pathlib import Path

from pipeline.export import OutputSet


def write(data: OutputSet, folder: Path) -> None:
    from pipeline.write import document_json, dumps

    if data.docs is None:  # the registry marks json as extract-only; this is a guard, not a path
        raise ValueError("tasks.json is built from the documents of an extract run")
    (folder / "tasks.json").write_text(dumps([document_json(d) for d in data.docs]),
                                       encoding="utf-8")
