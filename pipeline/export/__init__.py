"""Export formats of an output set: one module per format, one registry entry each.

A format is a module ``pipeline.export.to_<name>`` with a function
``write(data: OutputSet, folder: Path) -> None`` that writes its files into ``folder`` (the
temporary folder of the all-or-nothing swap), plus an entry in :data:`FORMATS` naming the files
it writes. Adding a format is that module and that entry; the CLI's ``--format``, the
``export`` subcommand and the output-folder check all read the registry.

Writers receive the tables as rows of plain Python values — exactly what pyarrow's
``to_pylist`` gives for the Parquet schema (``datetime.date``, lists of str, ints, None) — so
the same writer serves ``extract`` (rows from the documents) and ``export`` (rows read back
from the Parquet files). Writer modules import their library when called, not here: this
module stays cheap to import and never imports pandas.
"""
from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.errors import OutputSetError
from pipeline.models import Document

#: The Parquet tables of an output set (their schemas: :func:`pipeline.write.schemas`).
TABLES = ("documents", "tasks", "clauses", "assignments", "deadlines", "targets")


@dataclass(frozen=True)
class Format:
    """One export format: what it writes, and whether ``export`` can make it from an output set."""

    name: str
    files: tuple[str, ...]  # paths relative to the output folder; a folder's files as "csv/…"
    help: str
    #: parquet and json are the output set itself: written by extract, read by export.
    from_output_set: bool = True

    def write(self, data: OutputSet, folder: Path) -> None:
        module = importlib.import_module(f"pipeline.export.to_{self.name}")
        module.write(data, folder)

    @property
    def top_level(self) -> frozenset[str]:
        """The names this format puts directly into the output folder (``csv`` for csv/…)."""
        return frozenset(f.split("/", 1)[0] for f in self.files)


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("parquet", tuple(f"{t}.parquet" for t in TABLES), "one Parquet file per table",
           from_output_set=False),
    Format("json", ("tasks.json",), "tasks.json: documents → sections → tasks, nested",
           from_output_set=False),
    Format("xlsx", ("tasks.xlsx",), "tasks.xlsx: one sheet per table and a 说明 sheet"),
    Format("csv", tuple(f"csv/{t}.csv" for t in TABLES), "csv/<table>.csv, UTF-8 with BOM"),
    Format("ics", ("deadlines.ics",), "deadlines.ics: one all-day event per deadline"),
    Format("sqlite", ("tasks.db",), "tasks.db: every table, with a full-text index"),
    Format("html", ("report.html",), "report.html: one readable page (timeline, department × task "
           "matrix, 必做/选做 per group, targets, source text)"),
)}

DEFAULT_FORMATS = ("parquet", "json")
#: Written by every run whatever --format says.
ALWAYS = ("report.json",)


def output_names(formats: Sequence[str] | None = None) -> frozenset[str]:
    """The names an output set of ``formats`` (default: any) holds directly, and report.json."""
    chosen = FORMATS.values() if formats is None else (FORMATS[n] for n in formats)
    return frozenset().union(*(f.top_level for f in chosen)) | set(ALWAYS)


def parse_formats(text: str, *, for_export: bool = False) -> tuple[str, ...]:
    """``"parquet,xlsx"`` → ``("parquet", "xlsx")`` in registry order; ValueError names the bad one.

    ``all`` is every format (every one export can make, for export).
    """
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    if names == ["all"]:
        names = [n for n, f in FORMATS.items() if f.from_output_set or not for_export]
    if not names:
        raise ValueError("give at least one format")
    unknown = [n for n in names if n not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {unknown[0]!r} (choose from {', '.join(FORMATS)})")
    if for_export:
        fixed = [n for n in names if not FORMATS[n].from_output_set]
        if fixed:
            choices = ", ".join(n for n, f in FORMATS.items() if f.from_output_set)
            raise ValueError(f"{fixed[0]} is written by extract and is what export reads; "
                             f"choose from {choices}")
    return tuple(n for n in FORMATS if n in names)


@dataclass(frozen=True)
class OutputSet:
    """What the writers get: every table's rows and the run's report."""

    #: Every table of :data:`TABLES` (``documents`` holds each document's title, format …).
    tables: Mapping[str, Sequence[Mapping[str, Any]]]
    report: Mapping[str, Any]
    #: The documents themselves; only on extract (tasks.json is built from them).
    docs: Sequence[Document] | None = None


def from_documents(docs: Sequence[Document], report: Mapping[str, Any]) -> OutputSet:
    """The output set of an extract run, before anything is written."""
    from pipeline.write import table_rows

    return OutputSet(tables=table_rows(docs), report=report, docs=docs)


def write_formats(data: OutputSet, folder: Path, names: Sequence[str],
                  written: Callable[[str], None] | None = None) -> None:
    """Write each named format's files into ``folder``, telling ``written`` each file's path."""
    for name in names:
        FORMATS[name].write(data, folder)
        if written is not None:
            for path in FORMATS[name].files:
                written(path)


def read_output_set(folder: Path) -> OutputSet:
    """The output set in ``folder`` as written by extract (its Parquet tables and report.json)."""
    tables = {name: table.to_pylist() for name, table in read_tables(folder).items()}
    return OutputSet(tables=tables, report=_read_json(folder / "report.json", {}))


def read_tables(folder: Path) -> dict[str, Any]:
    """The Parquet tables of the output set in ``folder``, as pyarrow tables of the schemas."""
    import pyarrow.parquet as pq

    from pipeline.write import schemas

    shown = str(folder)
    if not folder.is_dir():
        raise OutputSetError(shown, "no such output folder" if not folder.exists()
                             else "is not a folder")
    missing = [f"{t}.parquet" for t in TABLES if not (folder / f"{t}.parquet").is_file()]
    if missing:
        if not (folder / "report.json").is_file():
            cause = "holds no output set (no report.json)"
        elif len(missing) == len(TABLES):
            cause = "has no Parquet tables (written without the parquet format?)"
        else:
            cause = f"has no {', '.join(missing)}"
        raise OutputSetError(shown, cause)
    tables: dict[str, Any] = {}
    for name, schema in schemas().items():
        path = folder / f"{name}.parquet"
        try:
            table = pq.read_table(path)
        except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError
            raise OutputSetError(str(path), f"cannot be read as Parquet ({exc})") from exc
        absent = [c for c in schema.names if c not in table.column_names]
        if absent:
            raise OutputSetError(str(path), f"lacks the column(s) {', '.join(absent)} "
                                 "(written by an older version?)")
        # Columns a newer version added are kept after the contract's, in their order.
        extra = [c for c in table.column_names if c not in schema.names]
        contract = table.select(schema.names).cast(schema)
        for c in extra:
            contract = contract.append_column(table.schema.field(c), table.column(c))
        tables[name] = contract
    return tables


def _read_json(path: Path, default: Any) -> Any:
    import json

    if not path.is_file():
        return default
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise OutputSetError(str(path), f"cannot be read as JSON ({exc})") from exc


#: How list cells are joined for people (xlsx, csv): the enumeration comma of the source text.
LIST_SEPARATOR = "、"


def is_map_value(value: Any) -> bool:
    """A map column's value (tasks.extra) as rows carry it: a dict, or (key, value) pairs as
    pyarrow's to_pylist gives them."""
    return isinstance(value, dict) or (isinstance(value, (list, tuple)) and bool(value)
                                       and all(isinstance(v, tuple) and len(v) == 2 for v in value))


def map_text(value: Any) -> str:
    """A map value as the text exports write it: a JSON object (``{"备注": "新增任务"}``), keys in
    column order; empty text for an empty map."""
    import json

    pairs = dict(value.items() if isinstance(value, dict) else value or ())
    return json.dumps(pairs, ensure_ascii=False) if pairs else ""


def display_width(text: str) -> int:
    """Columns the longest line of ``text`` takes in a fixed-width font: CJK counts 2."""
    import unicodedata

    return max((sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)
                for line in text.split("\n")), default=0)
