"""Segment stage: actor clauses in 工作举措, assignment entries in 任务分工, and their links."""
from __future__ import annotations

import pytest

from pipeline.grammar import KNOWN_ACTORS, actor_label, level_label
from pipeline.models import Clause
from pipeline.segment import link_clause
from tests.conftest import dump_document

SECTION = "一、全面强化知识产权宏观统筹\t\t"


def _task(measures: str, division: str = "<p>局内：条法司</p>"):
    doc = dump_document([SECTION, f"1. 任务\t{measures}\t{division}"])
    return doc, doc.tasks[0]


@pytest.mark.parametrize("label", KNOWN_ACTORS)
def test_each_known_actor_label_opens_a_clause(label):
    doc, task = _task(f"<p>{label}：做好甲。</p>")
    assert [(c.actor, c.text, c.actor_known) for c in task.clauses] == [(label, "做好甲。", True)]
    assert not [i for i in doc.issues if i.code == "unknown_actor_label"]


@pytest.mark.parametrize("label", ["有关城市", "各省份", "有关县（市、区）", "试点园区", "教育部"])
def test_unknown_label_of_the_same_shape_opens_a_clause_and_is_reported(label):
    doc, task = _task(f"<p>国家知识产权局：甲。</p><p>{label}：做好乙。</p>")
    assert [(c.actor, c.actor_known) for c in task.clauses] == [
        ("国家知识产权局", True), (label, False)]
    assert [i.message for i in doc.issues if i.code == "unknown_actor_label"] == [
        f"task 1: actor label {label!r} is not one of {'/'.join(KNOWN_ACTORS)}"]


def test_segment_says_whether_the_actor_is_known_and_a_continuation_keeps_it():
    from pipeline.models import Para
    from pipeline.segment import clauses

    found, _ = clauses(1, (Para("正文在前。", 1, 1), Para("各地区：做好甲。", 1, 1),
                           Para("续写。", 2, 2), Para("有关城市：做好乙。", 2, 2)))
    assert [(c.actor, c.actor_known, c.page_end) for c in found] == [
        (None, False, 1), ("各地区", True, 2), ("有关城市", False, 2)]


def test_ascii_colon_opens_a_clause():
    _, task = _task("<p>各地区:做好甲。</p>")
    assert [(c.actor, c.text) for c in task.clauses] == [("各地区", "做好甲。")]


def test_two_labelled_clauses_in_one_paragraph_separated_by_spaces():
    _, task = _task("<p>国家知识产权局：积极推进合作。  各地区：积极构建平台。</p>")
    assert [(c.actor, c.text) for c in task.clauses] == [
        ("国家知识产权局", "积极推进合作。"), ("各地区", "积极构建平台。")]


def test_label_word_inside_a_sentence_without_colon_is_not_a_clause():
    _, task = _task("<p>各地区：按照统一部署，会同有关地区按照统一部署推进。有关地方按要求落实。</p>")
    assert [c.actor for c in task.clauses] == ["各地区"]


def test_sentence_leading_word_with_colon_is_not_an_actor():
    assert actor_label("其中：甲") is None
    assert actor_label("重点：甲") is None


def test_unlabelled_paragraph_continues_the_clause_before_it():
    _, task = _task("<p>国家知识产权局：甲。</p><p>乙。</p>")
    assert [(c.actor, c.text) for c in task.clauses] == [("国家知识产权局", "甲。\n乙。")]


def test_text_before_any_label_is_a_clause_without_actor_and_an_issue():
    doc, task = _task("<p>做好甲。</p><p>各地区：乙。</p>")
    assert [(c.actor, c.text) for c in task.clauses] == [(None, "做好甲。"), ("各地区", "乙。")]
    assert "text_without_actor" in [i.code for i in doc.issues]


def test_task_without_measures_is_reported():
    doc, task = _task("")
    assert task.clauses == ()
    assert "task_without_clause" in [i.code for i in doc.issues]


# ---- assignments ------------------------------------------------------------------------------

def test_bureau_units_split_on_enumeration_comma_and_comma():
    _, task = _task("<p>国家知识产权局：甲。</p>", "<p>局内：条法司，专利局审业部、自动化部，商标局</p>")
    assert task.departments == ("条法司", "专利局审业部", "自动化部", "商标局")
    assert [(a.level, a.units, a.obligation, a.clause_no) for a in task.assignments] == [
        ("局内", ("条法司", "专利局审业部", "自动化部", "商标局"), None, None)]


@pytest.mark.parametrize("division", [
    "<p>局内：办公室、联席办</p> <p>省份：各省必做</p>",
    "局内：办公室、联席办 省份：各省必做",
    "<p>局内：办公室、联席办 省份：各省必做</p>",
], ids=["paragraphs", "bare-run", "run-in-paragraph"])
def test_entries_in_paragraphs_or_one_run(division):
    _, task = _task("<p>国家知识产权局：甲。</p><p>各地区：乙。</p>", division)
    assert [(a.entry_no, a.level, a.scope, a.obligation) for a in task.assignments] == [
        (1, "局内", "办公室、联席办", None), (2, "省份", "各省", "必做")]


@pytest.mark.parametrize("entry, level, scope, obligation", [
    ("省份：各省必做", "省份", "各省", "必做"),
    ("地市：强市建设示范城市选做", "地市", "强市建设示范城市", "选做"),
    ("涉及地方：建立强省共建机制的省份、强市建设城市必做", "涉及地方",
     "建立强省共建机制的省份、强市建设城市", "必做"),
    ("省份：数据知识产权试点省份必做。", "省份", "数据知识产权试点省份", "必做"),
])
def test_scope_and_obligation(entry, level, scope, obligation):
    _, task = _task("<p>各地区：甲。</p>", f"<p>{entry}</p>")
    (a,) = task.assignments
    assert (a.level, a.scope, a.units, a.obligation) == (level, scope, (), obligation)


def test_entry_without_obligation_is_reported():
    doc, task = _task("<p>各地区：甲。</p>", "<p>省份：各省</p>")
    assert task.assignments[0].obligation is None
    assert "entry_without_obligation" in [i.code for i in doc.issues]


def test_level_labels():
    assert [level_label(t) for t in ("局内：甲", "省份：各省必做", "地市：甲选做", "涉及地方：甲必做",
                                      "有关城市：甲必做", "其中：甲")] == [
        "局内", "省份", "地市", "涉及地方", "有关城市", None]


# ---- linking entries to clauses ----------------------------------------------------------------

def _clauses(*actors: str) -> tuple[Clause, ...]:
    return tuple(Clause(1, i, a, "甲。", 1, 1, a in KNOWN_ACTORS) for i, a in enumerate(actors, start=1))


@pytest.mark.parametrize("level, scope, actors, want", [
    ("省份", "各省", ("国家知识产权局", "各地区", "有关省份"), 2),
    ("省份", "数据知识产权试点省份", ("国家知识产权局", "各地区", "有关省份"), 3),
    ("省份", "涉及省份", ("国家知识产权局", "各地区"), 2),
    ("地市", "强市建设城市", ("国家知识产权局", "有关省份", "有关地市"), 3),
    ("涉及地方", "强市建设城市", ("国家知识产权局", "各地区", "有关地方"), 3),
    ("省份", "各省", ("国家知识产权局",), None),
    ("地市", "试点城市", ("国家知识产权局", "有关省份"), 2),
    ("地市", "试点城市", ("国家知识产权局", "有关省份", "有关地方"), None),
], ids=["all-wants-各地区", "province-wants-有关省份", "province-falls-back-to-各地区",
        "city-wants-有关地市", "local-wants-有关地方", "no-local-clause", "single-local-clause",
        "undecidable"])
def test_link_clause_rule(level, scope, actors, want):
    assert link_clause(level, scope, _clauses(*actors)) == want


def test_2024_links_every_local_entry_to_a_clause(doc_2024):
    local = [a for t in doc_2024.tasks for a in t.assignments if a.level != "局内"]
    assert local and all(a.clause_no is not None for a in local)


def test_whitespace_inside_a_known_label_is_no_label_boundary():
    """A converter's line break kept as a space (国家知 识产权局：) must not make 识产权局 a label."""
    _, task = _task("<p>各地区：甲。</p><p>国家知 识产权局：乙。 有关　省份：丙。</p>",
                    "<p>局内：条法司 省 份：各省必做</p>")
    assert [(c.actor, c.text) for c in task.clauses] == [
        ("各地区", "甲。"), ("国家知识产权局", "乙。"), ("有关省份", "丙。")]
    assert [(a.level, a.scope) for a in task.assignments] == [("局内", "条法司"), ("省份", "各省")]


@pytest.mark.parametrize("label", ["有关省份", "试点地市", "各省份"])
def test_division_label_ending_in_a_known_level_stays_whole(label):
    _, task = _task("<p>各地区：甲。</p>", f"<p>局内：保护司</p><p>{label}：试点省份必做</p>")
    assert [(a.level, a.scope, a.obligation) for a in task.assignments] == [
        ("局内", "保护司", None), (label, "试点省份", "必做")]


def test_known_levels_split_a_run_whose_spaces_are_gone():
    _, task = _task("<p>各地区：甲。</p>", "<p>局内：条法司省份：各省必做地市：强市选做</p>")
    assert [(a.level, a.scope, a.obligation) for a in task.assignments] == [
        ("局内", "条法司", None), ("省份", "各省", "必做"), ("地市", "强市", "选做")]


@pytest.mark.parametrize("phrase", ["重点做好以下工作", "相关工作要求", "具体包括"])
def test_sentence_with_a_colon_inside_a_clause_is_not_an_actor(phrase):
    _, task = _task(f"<p>国家知识产权局：甲。{phrase}：一是培训，二是宣传。</p>")
    assert [c.actor for c in task.clauses] == ["国家知识产权局"]
