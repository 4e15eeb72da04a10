"""The 2024 list, end to end, against its golden JSON (compared whole)."""
from __future__ import annotations

import json

import pytest

from tests.golden import SOURCES, golden_path, render


@pytest.mark.parametrize("source", SOURCES, ids=lambda p: p.stem)
def test_output_equals_golden_json(source):
    expected = json.loads(golden_path(source).read_text(encoding="utf-8"))
    assert json.loads(render(source)) == expected


def test_2024_list_has_the_published_counts(doc_2024):
    tasks = doc_2024.tasks
    assert len(doc_2024.sections) == 7
    assert len(tasks) == 23
    assert sum(len(t.clauses) for t in tasks) == 50
    assert sum(len(t.assignments) for t in tasks) == 51
    deadlines = sorted((d.task_no, d.actor, d.due.isoformat()) for t in tasks for d in t.deadlines)
    assert deadlines == [
        (7, "各地区", "2024-06-30"),
        (8, "各地区", "2024-03-31"), (8, "各地区", "2024-06-30"), (8, "各地区", "2024-12-31"),
        (8, "有关地方", "2024-06-30"),
        (9, "有关地方", "2024-12-31"),
    ]
    percents = [(x.task_no, x.actor, x.value, x.comparator, x.metric)
                for t in tasks for x in t.targets if x.unit == "%"]
    assert percents == [
        (8, "各地区", 30.0, ">=", "存量专利盘点入库"),
        (11, "国家知识产权局", 10.0, ">=", "知识产权质押融资规模"),
        (11, "国家知识产权局", 10.0, ">=", "惠及中小企业数量"),
    ]


def test_every_clause_is_verbatim_source_text(doc_2024):
    """Each clause (label, colon, text) stands in its own task's 工作举措 cells as published.

    Built independently of the readers: the task's cells in line order, each paragraph with only
    its whitespace normalised, joined with nothing (as page breaks join them).
    """
    import re

    from pipeline.grammar import normalize_ws
    from tests.conftest import RAW_2024

    measures: dict[int, str] = {}
    task = 0
    for line in RAW_2024.read_text(encoding="utf-8").split("\n"):
        cells = line.split("\t")
        if len(cells) != 3:
            continue
        number = re.match(r"(?:<p>)?(\d+)[.．、]", cells[0].strip())
        if number:
            task = int(number[1])
        paragraphs = re.findall(r"<p>(.*?)</p>", cells[1]) or [cells[1]]
        measures[task] = measures.get(task, "") + "".join(normalize_ws(p) for p in paragraphs)
    clauses = [c for t in doc_2024.tasks for c in t.clauses]
    assert len(clauses) == 50
    for c in clauses:
        assert f"{c.actor}：{c.text}".replace("\n", "") in measures[c.task_no], (c.task_no, c.clause_no)
