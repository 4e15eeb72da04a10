"""Writing the output set: report.json plus the formats asked for (Parquet and tasks.json by
default; the writers live in :mod:`pipeline.export`, one module per format), whole
(:func:`write_outputs`) or document by document (:class:`OutputSetWriter`).

The output set is written to a temporary folder beside the target and swapped in whole,
so a reader of ``output/`` never sees a half-written set.
"""
from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from pipeline import output_folder
from pipeline.export import DEFAULT_FORMATS, TABLES, from_documents, output_names, write_formats
from pipeline.models import Document
from pipeline.output_folder import MANIFEST, FileSet, Record, write_set
from pipeline.write.tables import Encoded, dumps, schemas

__all__ = ["FILE_SET", "LEGACY_SETS", "MANIFEST", "OUTPUT_FILES", "OutputSetWriter",
           "check_output_folder", "export_formats", "write_outputs"]


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
