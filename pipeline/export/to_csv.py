"""csv: csv/<table>.csv, UTF-8 with a byte-order mark so Excel and WPS read the Chinese text.

English column names (the data dictionary's, as in Parquet); list cells joined with 、, a map
(tasks.extra) as a JSON object, dates
ISO (2024-03-31), booleans true/false, null as an empty cell.
"""
from __future__ import annotations

import csv
from datetime import date
from pathlib import Path
from typing import Any

from pipeline.export import LIST_SEPARATOR, TABLES, OutputSet, is_map_value, map_text


def write(data: OutputSet, folder: Path) -> None:
    from pipeline.write import schemas

    (folder / "csv").mkdir(exist_ok=True)
    for table in TABLES:
        names = schemas()[table].names
        with open(folder / "csv" / f"{table}.csv", "w", encoding="utf-8-sig", newline="") as f:
            out = csv.writer(f)
            out.writerow(names)
            out.writerows([text(row[n]) for n in names] for row in data.tables[table])


def text(value: Any) -> str:
    """One table value as CSV text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        shown = repr(value)
        return shown[:-2] if shown.endswith(".0") else shown
    if isinstance(value, date):
        return value.isoformat()
    if is_map_value(value):
        return map_text(value)
    if isinstance(value, (list, tuple)):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)
