"""Write stage: the output set — report.json plus the formats asked for (Parquet and tasks.json
by default; the writers live in :mod:`pipeline.export`, one module per format).

The output contract (the tables' schemas) and the encoders are :mod:`pipeline.write.tables`;
writing the set into a temporary folder beside the target and swapping it in whole, so a reader
of ``output/`` never sees a half-written set, is :mod:`pipeline.write.output_set`.
"""
from __future__ import annotations

from pipeline.write.output_set import (
    FILE_SET,
    LEGACY_SETS,
    MANIFEST,
    OUTPUT_FILES,
    OutputSetWriter,
    check_output_folder,
    export_formats,
    write_outputs,
)
from pipeline.write.tables import (
    TABLES,
    Encoded,
    check_fits,
    counts,
    document_json,
    dumps,
    encode,
    schemas,
    table_rows,
)

__all__ = ["FILE_SET", "LEGACY_SETS", "MANIFEST", "OUTPUT_FILES", "TABLES", "Encoded",
           "OutputSetWriter", "check_fits", "check_output_folder", "counts", "document_json",
           "dumps", "encode", "export_formats", "schemas", "table_rows", "write_outputs"]
