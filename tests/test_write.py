"""Write stage: the output contract (table and column names and types), JSON style, atomic swap."""
from __future__ import annotations

import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from pipeline.write import TABLES, schemas
from tests.conftest import RAW_2024

S, I8, I16, I32 = pa.string(), pa.int8(), pa.int16(), pa.int32()
LIST = pa.list_(pa.string())

#: The contract of issue 2: users code against these names and types. Columns may be added,
#: never renamed or dropped, so this lists the contract's columns, not every column.
CONTRACT = {
    "documents": {"doc_id": S, "title": S, "year": I16, "issuer": S, "doc_number": S,
                  "format": S, "layout": S, "sha256": S, "source": S, "pages": I16,
                  "n_sections": I16, "n_tasks": I16, "n_clauses": I16, "n_assignments": I16,
                  "n_deadlines": I16, "n_targets": I16},
    "tasks": {"doc_id": S, "year": I16, "section_no": I8, "section_title": S, "task_no": I16,
              "task_title": S, "measures": S, "division": S, "actors": LIST, "departments": LIST,
              "keywords": LIST, "page_start": I16, "page_end": I16, "task_key": S},
    "clauses": {"doc_id": S, "task_no": I16, "clause_no": I16, "actor": S, "text": S,
                "page_start": I16, "page_end": I16},
    "assignments": {"doc_id": S, "task_no": I16, "entry_no": I16, "level": S, "scope": S,
                    "units": LIST, "obligation": S, "clause_no": I16, "units_full": LIST,
                    "applies_to": S, "groups": LIST},
    "deadlines": {"doc_id": S, "task_no": I16, "clause_no": I16, "actor": S, "expression": S,
                  "due": pa.date32(), "action": S, "char_start": I32, "char_end": I32},
    "targets": {"doc_id": S, "task_no": I16, "clause_no": I16, "actor": S, "expression": S,
                "metric": S, "value": pa.float64(), "value_max": pa.float64(), "unit": S,
                "comparator": S, "due": pa.date32(), "char_start": I32, "char_end": I32},
}


@pytest.fixture(scope="module")
def out_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "output"
    assert main(["extract", str(RAW_2024), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.mark.parametrize("table", TABLES)
def test_parquet_has_the_contract_columns_and_types(out_dir, table):
    schema = pq.read_schema(out_dir / f"{table}.parquet")
    for name, typ in CONTRACT[table].items():
        assert schema.field(name).type == typ, name


def test_schemas_keep_every_contract_column():
    for table, cols in CONTRACT.items():
        assert set(cols) <= set(schemas()[table].names)


def test_row_counts_of_the_2024_list(out_dir):
    counts = {t: pq.read_metadata(out_dir / f"{t}.parquet").num_rows for t in TABLES}
    assert counts == {"documents": 1, "tasks": 23, "clauses": 50, "assignments": 51, "deadlines": 6, "targets": 5}


def test_pandas_and_duckdb_read_the_tables(out_dir):
    import duckdb
    import pandas as pd

    tasks = pd.read_parquet(out_dir / "tasks.parquet")
    assert tasks.loc[tasks.task_no == 5, "departments"].iloc[0].tolist() == [
        "条法司", "专利局审业部", "自动化部", "商标局"]
    due = duckdb.sql(f"select min(due), max(due) from '{out_dir}/deadlines.parquet'").fetchall()[0]
    assert [d.isoformat() for d in due] == ["2024-03-31", "2024-12-31"]


def test_json_is_utf8_with_stable_keys_and_trailing_newline(out_dir):
    raw = (out_dir / "tasks.json").read_bytes()
    assert raw.endswith(b"}\n]\n") and "国家知识产权局".encode() in raw
    (doc,) = json.loads(raw)
    assert list(doc)[:4] == ["doc_id", "title", "year", "source"]
    assert doc["year"] == 2024 and len(doc["sections"]) == 7


def test_report_json_lists_inputs_and_counts(out_dir):
    report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
    assert report["counts"]["tasks"] == 23
    assert [e["status"] for e in report["inputs"]] == ["ok"]
    assert {w["code"] for w in report["inputs"][0]["warnings"]} == {"latin_in_chinese"}


def test_rerun_replaces_the_whole_set_and_leaves_no_temporary_folders(out_dir):
    from pipeline.write import MANIFEST, OUTPUT_FILES

    manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    assert sorted(manifest["files"]) == sorted(OUTPUT_FILES)
    inode = (out_dir / "tasks.json").stat().st_ino
    assert main(["extract", str(RAW_2024), "--out", str(out_dir), "--quiet"]) == 0
    assert (out_dir / "tasks.json").stat().st_ino != inode  # a new set, swapped in
    assert sorted(p.name for p in out_dir.iterdir()) == sorted({*OUTPUT_FILES, MANIFEST})
    assert [p.name for p in out_dir.parent.iterdir()] == ["output"]


@pytest.mark.parametrize("rows", [
    ["1. 甲\t<p>各地区：甲。</p>\t", "二、乙\t\t", "2. 乙\t<p>各地区：乙。</p>\t"],
    ["一、甲\t\t", "1. 甲\t<p>各地区：甲。</p>\t", "一、甲\t\t", "2. 乙\t<p>各地区：乙。</p>\t"],
    ["一、甲\t\t", "1. 甲\t<p>各地区：甲。</p>\t", "一、丙\t\t", "2. 乙\t<p>各地区：乙。</p>\t"],
], ids=["task-before-any-section", "repeated-section", "same-number-other-title"])
def test_json_lists_every_task_once_whatever_the_sections(rows):
    from pipeline.write import document_json
    from tests.conftest import dump_document

    doc = dump_document(rows)
    listed = [t["task_no"] for s in document_json(doc)["sections"] for t in s["tasks"]]
    assert listed == [1, 2]
