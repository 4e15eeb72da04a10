"""parquet: one file per table, with the explicit schemas of :func:`pipeline.write.schemas`."""
from __future__ import annotations

from pathlib import Path

from pipeline.export import OutputSet


def write(data: OutputSet, folder: Path) -> None:
    import pyarrow.parquet as pq

    from pipeline.arrow import table
    from pipeline.write import schemas

    for name, schema in schemas().items():
        # pipeline.arrow, not pa.Table.from_pylist: that imports pandas on its first call.
        pq.write_table(table(list(data.tables[name]), schema), folder / f"{name}.parquet")
