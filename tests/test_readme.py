"""The README's data dictionary stays true to the output schemas, and its snippets run."""
from __future__ import annotations

import os
import re
import shutil

import pytest

from pipeline.cli import main
from pipeline.write import schemas
from tests.conftest import RAW_2024, ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _documented(table: str) -> set[str]:
    section = README.split(f"### {table}.parquet", 1)[1].split("\n### ", 1)[0]
    names: set[str] = set()
    for cell in re.findall(r"^\| (`[^|]+) \|", section, re.M):
        names.update(re.findall(r"`([a-z_0-9]+)`", cell))
    return names


@pytest.mark.parametrize("table", list(schemas()))
def test_data_dictionary_lists_exactly_the_columns(table):
    assert _documented(table) == set(schemas()[table].names)


def test_data_dictionary_lists_exactly_the_diff_columns():
    from pipeline.diff import CHANGE_COLUMNS, change_schema

    assert _documented("changes") == set(change_schema().names) == set(CHANGE_COLUMNS)


def test_every_kind_of_change_the_diff_makes_is_documented():
    kinds_section = README.split("### Kinds of change", 1)[1].split("\n## ", 1)[0]
    documented = set(re.findall(r"`([a-z]+_[a-z]+)`", kinds_section))
    source = "".join(p.read_text(encoding="utf-8")
                     for p in (ROOT / "pipeline" / "diff").glob("*.py"))
    made = set(re.findall(r'(?:Diff|Change)\("([a-z]+_[a-z]+)"', source))
    assert len(made) == 26 and made <= documented


def test_readme_snippets_run(tmp_path, capsys):
    assert main(["extract", str(RAW_2024), "--out", str(tmp_path / "output"), "--quiet",
                 "--format", "all"]) == 0
    (tmp_path / "raw").mkdir()
    shutil.copyfile(RAW_2024, tmp_path / "raw" / RAW_2024.name)
    snippets = re.findall(r"```python\n(.*?)```", README, re.S)
    assert len(snippets) == 4  # pandas, DuckDB, the Python API, SQLite
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for code in snippets:
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    printed = capsys.readouterr().out
    assert "运用促进司" in printed and "Int16" in printed and "[质押融资]" in printed


def test_the_dump_format_is_documented_inside_the_project_and_its_example_extracts(tmp_path):
    assert "../shared" not in README and "(docs/dump-format.md)" in README
    doc = (ROOT / "docs" / "dump-format.md").read_text(encoding="utf-8")
    block = doc.split("## A minimal dump", 1)[1].split("\n\n", 2)[1:]
    example = "\n".join(line[4:] for line in "\n\n".join(block).split("\n(")[0].splitlines())
    path = tmp_path / "minimal-2024.txt"
    path.write_text(example + "\n", encoding="utf-8")
    from pipeline.build import extract_file

    doc_ = extract_file(path)
    (task,) = doc_.tasks
    assert doc_.year == 2024 and [c.actor for c in task.clauses] == ["国家知识产权局", "各地区"]
    assert [d.due.isoformat() for d in task.deadlines] == ["2024-03-31"]


@pytest.mark.parametrize("table", list(schemas()))
def test_the_xlsx_column_dictionary_is_the_readme_data_dictionary(table):
    from pipeline.columns import COLUMNS

    section = README.split(f"### {table}.parquet", 1)[1].split("\n### ", 1)[0]
    readme: dict[str, str] = {}
    for names, meaning in re.findall(r"^\| (`[^|]+) \| [^|]+ \| (.*) \|$", section, re.M):
        for name in re.findall(r"`([a-z_0-9]+)`", names):
            readme[name] = meaning
    listed = {name: entry[1] for name, entry in COLUMNS.get(table, {}).items()}
    assert listed == readme, (f"pipeline/columns.py must give each {table} column its README "
                              "meaning (and a Chinese header for the xlsx)")
    headers = [COLUMNS[table][name][0] for name in schemas()[table].names]
    assert len(set(headers)) == len(headers), "Chinese headers repeat within a sheet"
