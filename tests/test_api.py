"""The Python API: pipeline.extract and pipeline.load give DataFrames with the documented dtypes."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

import pipeline
from pipeline.cli import main
from pipeline.errors import (
    DuplicateDocIdError,
    EmptyInputError,
    NoInputsError,
    OutputSetError,
    PipelineError,
)
from pipeline.export import TABLES
from pipeline.write import schemas
from tests.conftest import RAW_2024, ROOT


def assert_frame_equal(left: object, right: object) -> None:
    # pandas imported here, not at the top: every pytest worker imports every test module
    # to collect it, and pandas (~0.4 s) is needed only by the worker that runs this one.
    import pandas as pd

    pd.testing.assert_frame_equal(left, right)


@pytest.fixture(scope="module")
def from_str() -> pipeline.api.Tables:
    return pipeline.extract(str(RAW_2024))


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("api") / "output"
    assert main(["extract", str(RAW_2024), "-o", str(out), "--quiet"]) == 0
    return out


def test_extract_takes_a_str_or_a_path_and_gives_the_same_frames(from_str):
    from_path = pipeline.extract(RAW_2024)
    assert list(from_str) == list(TABLES)
    for name in TABLES:
        assert_frame_equal(from_str[name], from_path[name])
    assert len(from_str.tasks) == 23 and len(from_str["clauses"]) == 50


def test_frames_have_nullable_integers_datetimes_strings_and_python_lists(from_str):
    assert from_str.deadlines.due.dtype == "datetime64[ns]"
    assert from_str.targets.due.dtype == "datetime64[ns]" and from_str.targets.due.isna().any()
    clause_no = from_str.assignments.clause_no
    assert clause_no.dtype == "Int16" and clause_no.isna().any()  # not float64
    assert from_str.tasks.section_no.dtype == "Int8"
    assert from_str.deadlines.char_start.dtype == "Int32"
    assert from_str.clauses.actor.dtype == "string"
    assert from_str.clauses.actor_known.dtype == bool
    assert from_str.targets.value.dtype == "float64"
    five = from_str.tasks.set_index("task_no").departments.loc[5]
    assert type(five) is list and five == ["条法司", "专利局审业部", "自动化部", "商标局"]
    assert all(type(v) is list for v in from_str.assignments.units)


def test_load_reads_a_written_output_set_as_the_same_frames(from_str, written):
    for folder in (written, str(written)):
        loaded = pipeline.load(folder)
        for name in TABLES:
            assert_frame_equal(loaded[name], from_str[name])
    assert pipeline.load(written).report["counts"]["tasks"] == 23


def test_extract_takes_several_inputs_in_order(tmp_path, from_str):
    other = tmp_path / "cnipa-copy.txt"
    shutil.copyfile(RAW_2024, other)
    both = pipeline.extract([RAW_2024, str(other)])
    assert both.tasks.doc_id.unique().tolist() == ["cnipa-2024-task-list", "cnipa-copy"]
    assert len(both.tasks) == 2 * len(from_str.tasks)
    also = pipeline.extract(RAW_2024, other)
    assert_frame_equal(also.tasks, both.tasks)
    assert [e["doc_id"] for e in both.report["inputs"]] == ["cnipa-2024-task-list", "cnipa-copy"]


def test_extract_raises_the_pipeline_error_of_a_bad_input(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    with pytest.raises(EmptyInputError) as caught:
        pipeline.extract(empty)
    assert caught.value.line().startswith(f"{empty}: the file is empty")
    twin = tmp_path / "x" / "cnipa-2024-task-list.txt"
    twin.parent.mkdir()
    shutil.copyfile(RAW_2024, twin)
    with pytest.raises(DuplicateDocIdError):
        pipeline.extract(RAW_2024, twin)
    with pytest.raises(NoInputsError):
        pipeline.extract([])


def test_load_of_a_folder_without_an_output_set_says_so(tmp_path):
    with pytest.raises(OutputSetError, match="no such output folder"):
        pipeline.load(tmp_path / "missing")
    with pytest.raises(PipelineError, match=r"no report\.json"):
        pipeline.load(tmp_path)


def test_readme_lists_the_pandas_dtype_of_every_arrow_type(from_str):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Python", 1)[1].split("\n## ", 1)[0]
    row = r"^\| `([a-z0-9<>\[\], ]+)` \| `([A-Za-z0-9\[\]]+)` \|"
    documented = dict(re.findall(row, section, re.M))
    seen: dict[str, str] = {}
    for name in TABLES:
        for f in schemas()[name]:
            arrow = "list<string>" if str(f.type).startswith("list") else str(f.type)
            arrow = {"double": "float64"}.get(arrow, arrow)  # pyarrow's name; README's float64
            seen[arrow] = str(from_str[name][f.name].dtype)
    assert documented == seen


def test_importing_the_stages_leaves_the_api_function_in_place():
    """A submodule named ``extract`` would replace ``pipeline.extract`` on import; none is."""
    import types

    import pipeline.build
    import pipeline.cli  # imports every stage

    assert isinstance(pipeline.extract, types.FunctionType)
    assert isinstance(pipeline.load, types.FunctionType)
