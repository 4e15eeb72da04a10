"""A variant of the 2024 list with other deadline forms, labels and numbering, made at test time.

Stands in for the held-out variants the pipeline will meet: the same content, other wording.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build import extract_file
from tests.conftest import RAW_2024

#: (as published, as the variant has it); each occurs exactly once in the 2024 dump unless noted.
REWRITES = [
    ("在 6 月底前制定出台", "在 6 月末前制定出台"),
    ("3 月底前完成盘点", "第一季度末前完成盘点"),
    ("6 月底前，组织", "上半年，组织"),
    ("年底前，实现各省", "2024年底前，实现各省"),
    ("6月底前，实现辖区", "6月30日前，实现辖区"),
    ("在12月底前形成", "年内形成"),
    ("有关地市：", "有关城市："),  # 3 times
    ("有关省份：", "各省份："),  # 4 times
    ("1. 持续推进", "1．持续推进"),
    ("2. 加大", "2、加大"),
    ("2024 年推动", "２０２４年推动"),
]


@pytest.fixture(scope="module")
def variant(tmp_path_factory):
    text = RAW_2024.read_text(encoding="utf-8")
    for old, new in REWRITES:
        assert old in text, old
        text = text.replace(old, new)
    path: Path = tmp_path_factory.mktemp("variant") / "variant-2024.txt"
    path.write_text(text, encoding="utf-8")
    return extract_file(path)


def test_variant_keeps_the_counts(variant, doc_2024):
    assert len(variant.tasks) == 23
    assert sum(len(t.clauses) for t in variant.tasks) == 50
    assert sum(len(t.assignments) for t in variant.tasks) == 51
    assert variant.year == 2024


def test_variant_deadlines(variant):
    got = [(d.task_no, d.actor, d.expression, d.due.isoformat())
           for t in variant.tasks for d in t.deadlines]
    assert got == [
        (7, "各地区", "在6月末前", "2024-06-30"),
        (8, "各地区", "第一季度末前", "2024-03-31"),
        (8, "各地区", "上半年", "2024-06-30"),
        (8, "各地区", "2024年底前", "2024-12-31"),
        (8, "有关地方", "6月30日前", "2024-06-30"),
        (9, "有关地方", "年内", "2024-12-31"),
    ]


def test_variant_labels_are_clauses_and_reported(variant):
    actors = [c.actor for t in variant.tasks for c in t.clauses]
    assert actors.count("有关城市") == 3 and actors.count("各省份") == 4
    unknown = {i.message.split("'")[1] for i in variant.issues if i.code == "unknown_actor_label"}
    assert unknown == {"有关城市", "各省份"}


def test_variant_links_every_local_entry(variant):
    assert all(a.clause_no is not None for t in variant.tasks for a in t.assignments
               if a.level != "局内")


def test_variant_content_is_otherwise_the_published_one(variant, doc_2024):
    assert [t.task_title for t in variant.tasks] == [t.task_title for t in doc_2024.tasks]
    assert [(x.task_no, x.metric, x.due and x.due.isoformat()) for t in variant.tasks
            for x in t.targets] == [
        (8, "重点高校、科研机构", "2024-03-31"), (8, "存量专利盘点入库", "2024-06-30"),
        (11, "知识产权质押融资规模", None), (11, "惠及中小企业数量", None),
        (16, "国家重点产业专利专题数据库", None)]
