"""The writer's Arrow tables (pipeline.arrow) equal pyarrow's own from_pylist, and no pandas."""
from __future__ import annotations

import subprocess
import sys
from datetime import date

import pyarrow as pa
from hypothesis import given, settings, strategies as st

from pipeline.arrow import table
from pipeline.write import schemas, table_rows
from tests.conftest import RAW_2024, ROOT


def _values(type_: pa.DataType) -> st.SearchStrategy[object]:
    text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=8)
    if pa.types.is_map(type_):  # tasks.extra: (header, text) pairs, a text may be null
        base: st.SearchStrategy[object] = st.lists(st.tuples(text, st.none() | text), max_size=4)
    elif pa.types.is_list(type_):
        base = st.lists(text, max_size=4)
    elif pa.types.is_string(type_):
        base = text
    elif pa.types.is_boolean(type_):
        base = st.booleans()
    elif pa.types.is_date32(type_):
        base = st.dates(min_value=date(1, 1, 1))
    elif pa.types.is_floating(type_):
        base = st.floats(allow_nan=False) | st.integers(-10**6, 10**6)
    else:
        bits = type_.bit_width
        base = st.integers(-(2 ** (bits - 1)), 2 ** (bits - 1) - 1)
    return st.none() | base


@st.composite
def _table_rows(draw: st.DrawFn) -> tuple[str, list[dict[str, object]]]:
    name = draw(st.sampled_from(sorted(schemas())))
    schema = schemas()[name]
    row = st.fixed_dictionaries({f.name: _values(f.type) for f in schema})
    return name, draw(st.lists(row, max_size=20))


@settings(max_examples=150, deadline=None)
@given(_table_rows())
def test_every_table_equals_pyarrows_from_pylist(case):
    name, rows = case
    schema = schemas()[name]
    ours = table(rows, schema)
    assert ours.schema == schema
    assert ours.equals(pa.Table.from_pylist(rows, schema=schema))
    assert ours.to_pylist() == rows


def test_the_2024_documents_tables_equal_from_pylist(doc_2024):
    rows = table_rows([doc_2024])
    for name, schema in schemas().items():
        assert rows[name]
        assert table(rows[name], schema).equals(pa.Table.from_pylist(rows[name], schema=schema))


def test_the_extraction_path_never_imports_pandas(tmp_path):
    code = ("import sys; from pipeline.cli import main; "
            f"code = main(['extract', {str(RAW_2024)!r}, '--out', {str(tmp_path / 'out')!r}, "
            "'--quiet']); print(code, 'pandas' in sys.modules, 'pkg_resources' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["0", "False", "False"]
