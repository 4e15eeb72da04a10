"""The Python API behind ``pipeline.extract`` and ``pipeline.load``: the tables as DataFrames.

Both build the frames the same way, from pyarrow tables of the output schemas, so a frame has
the same dtypes whether it comes from a PDF just read or from a folder written last week:

- strings → ``string`` (pandas' nullable string; missing is ``<NA>``)
- int8/int16/int32 → ``Int8``/``Int16``/``Int32`` (nullable: ``assignments.clause_no`` stays an
  integer column with ``<NA>``, not float64)
- date32 → ``datetime64[ns]`` (missing is ``NaT``)
- list<string> → ``object`` holding Python lists
- map<string, string> → ``object`` holding Python dicts (``tasks.extra``)
- float64 and bool as they are.

pandas is imported here only, so the command line's extraction never loads it.
"""
from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from pipeline.errors import DuplicateDocIdError, NoInputsError

if TYPE_CHECKING:
    import pandas as pd

PathArg = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True, eq=False)
class Tables(Mapping[str, "pd.DataFrame"]):
    """The output tables as DataFrames: ``t.tasks`` or ``t["tasks"]``; iterates their names."""

    documents: pd.DataFrame
    tasks: pd.DataFrame
    clauses: pd.DataFrame
    assignments: pd.DataFrame
    deadlines: pd.DataFrame
    targets: pd.DataFrame
    #: report.json's content: per input its format, notes and warnings; row counts.
    report: dict[str, Any] = field(default_factory=dict)

    def __getitem__(self, name: str) -> pd.DataFrame:
        from pipeline.export import TABLES

        if name not in TABLES:
            raise KeyError(name)
        frame: pd.DataFrame = getattr(self, name)
        return frame

    def __iter__(self) -> Iterator[str]:
        from pipeline.export import TABLES

        return iter(TABLES)

    def __len__(self) -> int:
        from pipeline.export import TABLES

        return len(TABLES)

    def __repr__(self) -> str:
        rows = ", ".join(f"{name}={len(frame)} rows" for name, frame in self.items())
        return f"Tables({rows})"


def extract(*inputs: PathArg | Iterable[PathArg]) -> Tables:
    """Extract task lists (PDF, HTML page or text dump) into DataFrames.

    Each argument is a path (str or Path) or an iterable of paths; rows of several documents are
    concatenated in the order given. A bad input raises its :class:`pipeline.errors.PipelineError`
    (its ``line()`` is the CLI's one-line message); nothing is written anywhere.
    """
    import pyarrow as pa

    from pipeline.build import extract_file
    from pipeline.report import build_report
    from pipeline.write import check_fits, schemas, table_rows

    paths = _paths(inputs)
    if not paths:
        raise NoInputsError("pipeline.extract", "no input files given",
                            "pass a path or a list of paths")
    seen: dict[str, Path] = {}
    for p in paths:
        if p.stem in seen:
            raise DuplicateDocIdError(str(p), f"has the same doc_id {p.stem!r} as {seen[p.stem]}")
        seen[p.stem] = p
    docs = [extract_file(p) for p in paths]
    for doc, path in zip(docs, paths):
        check_fits(doc, str(path))  # the line naming what overflows, not pyarrow's
    rows = table_rows(docs)
    tables = {name: pa.Table.from_pylist(rows[name], schema=schema)
              for name, schema in schemas().items()}
    return _frames(tables, build_report(paths, docs, []))


def load(folder: PathArg = "output") -> Tables:
    """Read an output set written by ``extract`` (its Parquet files) into DataFrames."""
    import json

    from pipeline.export import read_tables

    path = Path(folder)
    tables = read_tables(path)
    report_file = path / "report.json"
    report = json.loads(report_file.read_text(encoding="utf-8")) if report_file.is_file() else {}
    return _frames(tables, report)


def _paths(inputs: tuple[PathArg | Iterable[PathArg], ...]) -> list[Path]:
    out: list[Path] = []
    for item in inputs:
        if isinstance(item, (str, os.PathLike)):
            out.append(Path(item))
        else:
            out.extend(Path(p) for p in item)
    return out


def _frames(tables: Mapping[str, Any], report: dict[str, Any]) -> Tables:
    frames = {name: frame(table) for name, table in tables.items()}
    return Tables(**frames, report=report)


def frame(table: Any) -> pd.DataFrame:
    """One pyarrow table as a DataFrame with the dtypes of the module docstring."""
    import pandas as pd
    import pyarrow as pa

    mapping = {pa.int8(): pd.Int8Dtype(), pa.int16(): pd.Int16Dtype(),
               pa.int32(): pd.Int32Dtype(), pa.int64(): pd.Int64Dtype(),
               pa.string(): pd.StringDtype()}
    df = table.to_pandas(types_mapper=mapping.get, date_as_object=False)
    for f in table.schema:
        if pa.types.is_date(f.type):
            df[f.name] = df[f.name].astype("datetime64[ns]")
        elif pa.types.is_map(f.type):  # tasks.extra: header → text, as a dict
            df[f.name] = pd.Series([None if v is None else dict(v) for v in df[f.name]],
                                   index=df.index, dtype=object)
        elif pa.types.is_list(f.type):
            df[f.name] = pd.Series([None if v is None else list(v) for v in df[f.name]],
                                   index=df.index, dtype=object)
    return df
