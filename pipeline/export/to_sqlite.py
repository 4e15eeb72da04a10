"""sqlite: tasks.db, every table in one SQLite database with full-text search over the text.

Column names and order are the Parquet schema's; lists are JSON text, a map (tasks.extra) a
JSON object (``json_each`` unpacks
them), dates ISO text, booleans 0/1. ``clauses_fts`` (clause text and actor) and
``tasks_fts`` (title, 工作举措, 任务分工) are FTS5 tables with the trigram tokenizer,
which needs no word segmentation and so works for Chinese: ``MATCH '知识产权'`` finds
any clause containing that string of three or more characters. They are external-content
tables of ``clauses``/``tasks``, which is how datasette recognises them and offers a search box.
"""
from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.errors import ExportError
from pipeline.export import TABLES, OutputSet, is_map_value, map_text

#: The trigram tokenizer came with SQLite 3.34.0 (2020-12).
TRIGRAM_SINCE = (3, 34, 0)

#: table → the columns its full-text index covers.
FULL_TEXT = {"clauses": ("text", "actor"), "tasks": ("task_title", "measures", "division")}


def write(data: OutputSet, folder: Path) -> None:
    from pipeline.write import schemas

    path = folder / "tasks.db"
    if sqlite3.sqlite_version_info < TRIGRAM_SINCE:
        raise ExportError(str(path), f"this Python's SQLite is {sqlite3.sqlite_version}; the "
                          "Chinese full-text index needs the trigram tokenizer of SQLite ≥ 3.34",
                          "leave sqlite out of the formats, or use a Python built with a newer SQLite")
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path)
    try:
        db.execute("pragma journal_mode = off")  # a fresh file in the temporary folder
        with db:
            for table in TABLES:
                schema = schemas()[table]
                cols = [(f.name, _sql_type(f.type)) for f in schema]
                _table(db, table, cols, [[_value(row[f.name], f.type) for f in schema]
                                         for row in data.tables[table]])
                key = [c for c in ("doc_id", "task_no", "clause_no") if c in schema.names]
                db.execute(f"create index {table}_key on {table} ({', '.join(key)})")
            for table, indexed in FULL_TEXT.items():
                db.execute(f"create virtual table {table}_fts using fts5("
                           f"{', '.join(indexed)}, content=\"{table}\", tokenize='trigram')")
                db.execute(f"insert into {table}_fts ({table}_fts) values ('rebuild')")
    finally:
        db.close()


def _table(db: sqlite3.Connection, name: str, cols: list[tuple[str, str]],
           rows: list[list[Any]]) -> None:
    db.execute(f"create table {name} ({', '.join(f'{c} {t}' for c, t in cols)})")
    db.executemany(f"insert into {name} values ({', '.join('?' * len(cols))})", rows)


def _sql_type(typ: Any) -> str:
    import pyarrow as pa

    if pa.types.is_integer(typ) or pa.types.is_boolean(typ):
        return "INTEGER"
    if pa.types.is_floating(typ):
        return "REAL"
    return "TEXT"  # strings, ISO dates, JSON lists


def _value(value: Any, typ: Any = None) -> Any:
    import pyarrow as pa

    if (typ is not None and pa.types.is_map(typ)) or is_map_value(value):
        return map_text(value) or "{}"  # tasks.extra: a JSON object (json_extract reads it)
    if isinstance(value, (list, tuple)):
        return json.dumps(list(value), ensure_ascii=False)
    if isinstance(value, date):
        return value.isoformat()
    return value
