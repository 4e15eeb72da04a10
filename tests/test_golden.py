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
