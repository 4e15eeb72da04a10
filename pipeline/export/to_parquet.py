"""parquet: one file per table, with the explicit schemas of :func:`pipeline.write.schemas`."""
from __future__ import annotations

from pathlib import Path

from pipeline.export import OutputSet


def write(data: OutputSet, folder: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from pipeline.write import schemas

    for name, schema in schemas().items():
        table = pa.Table.from_pylist(list(data.tables[name]), schema=schema)
        pq.write_table(table, folder / f"{name}.parquet")
