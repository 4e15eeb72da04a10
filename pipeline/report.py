"""report.json: per input its status, format, notes and warnings, plus the table counts."""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pipeline.errors import PipelineError
from pipeline.models import Document
from pipeline.names import valid_text


def build_report(inputs: Sequence[Path], docs: Sequence[Document],
                 failures: Sequence[tuple[Path, PipelineError]],
                 dropped: dict[str, Any] | None = None,
                 totals: dict[str, int] | None = None) -> dict[str, Any]:
    """report.json: per input its status, format, notes and warnings, plus table counts.

    ``dropped``: the report entries of inputs left out as duplicates of a kept one, by doc_id.
    ``totals``: the table counts of ``docs``, when they were counted before the documents'
    rows were let go (extract writes each document as it comes); else counted here.

    File names and the messages that quote them are made valid text (see
    :func:`~pipeline.names.valid_text`), as ``doc_id`` and ``source`` are.
    """
    from pipeline.write import counts

    by_stem = {d.doc_id: d for d in docs}
    failed = {str(p): e for p, e in failures}
    entries: list[dict[str, Any]] = []
    for path in inputs:
        if str(path) in failed:
            e = failed[str(path)]
            entries.append({"file": valid_text(path.name), "doc_id": valid_text(path.stem),
                            "status": "failed", "error": type(e).__name__,
                            "cause": valid_text(e.cause), "hint": valid_text(e.hint),
                            "message": e.line()})
            continue
        doc_id = valid_text(path.stem)  # as the Document holds it
        if dropped and doc_id in dropped:  # the same list as a kept input
            entries.append(dropped[doc_id])
            continue
        d = by_stem[doc_id]
        entries.append({
            "file": d.source, "doc_id": d.doc_id, "status": "ok", "format": d.fmt,
            "sha256": d.sha256, "notes": [valid_text(n) for n in d.notes],
            "warnings": [{"code": i.code, "task_no": i.task_no, "message": i.message}
                         for i in d.issues],
        })
    return {"inputs": entries, "counts": counts(docs) if totals is None else totals}
