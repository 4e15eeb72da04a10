"""The README's data dictionary stays true to the output schemas, and its snippets run."""
from __future__ import annotations

import os
import re

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
    assert len(made) == 25 and made <= documented


def test_readme_snippets_run(tmp_path, capsys):
    assert main(["extract", str(RAW_2024), "--out", str(tmp_path / "output"), "--quiet"]) == 0
    snippets = re.findall(r"```python\n(.*?)```", README, re.S)
    assert len(snippets) == 2
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for code in snippets:
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert "运用促进司" in capsys.readouterr().out
