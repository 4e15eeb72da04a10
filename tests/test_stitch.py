"""Stitch stage: header and lead lines, row classes, page-break joins, whitespace."""
from __future__ import annotations

import pytest

from pipeline.grammar import cn_number, normalize_ws
from pipeline.models import RawCell, RawRow
from pipeline.read.dump import read_dump
from pipeline.stitch import classify, stitch
from tests.conftest import dump_document, dump_text

SECTION = "<b>一、全面强化知识产权宏观统筹</b>\t\t"


def _stitched(rows: list[str], **kw: str):
    return stitch(read_dump(dump_text(rows, **kw).encode(), "t.txt"), "t")


def _row(*cells: str) -> RawRow:
    return RawRow(cells=tuple(RawCell((c,) if c else ()) for c in cells), page=1, row=1)  # type: ignore[arg-type]


# ---- page-break joins: a paragraph cut by a break joins with nothing inserted ----------------

@pytest.mark.parametrize("before, after, joined", [
    ("研究制定数据知识产权相关", "政策文件。深入推进试点工作。", "研究制定数据知识产权相关政策文件。深入推进试点工作。"),
    ("强化财政科研项", "目专利转化运用。", "强化财政科研项目专利转化运用。"),
    ("促进专利高效能转化", "运用，推动产业发展。", "促进专利高效能转化运用，推动产业发展。"),
])
def test_paragraph_cut_by_page_break_joins_with_nothing(before, after, joined):
    doc = dump_document([
        SECTION,
        f"1. 任务\t<p>国家知识产权局：{before}</p>\t<p>局内：条法司</p>",
        "",
        f"\t<p>{after}</p>\t",
    ])
    (clause,) = doc.tasks[0].clauses
    assert clause.text == joined
    assert (clause.page_start, clause.page_end) == (1, 2)
    assert (doc.tasks[0].page_start, doc.tasks[0].page_end) == (1, 2)


def test_continuation_opening_with_label_starts_new_clause():
    doc = dump_document([
        SECTION,
        "1. 任务\t<p>国家知识产权局：做好甲。</p>\t<p>局内：条法司</p>",
        "",
        "\t<p>各地区：做好乙。</p>\t<p>省份：各省必做</p>",
    ])
    task = doc.tasks[0]
    assert [(c.actor, c.text, c.page_start) for c in task.clauses] == [
        ("国家知识产权局", "做好甲。", 1), ("各地区", "做好乙。", 2)]
    assert [(a.level, a.scope) for a in task.assignments] == [("局内", "条法司"), ("省份", "各省")]


def test_division_unit_cut_by_page_break_joins_with_nothing():
    doc = dump_document([
        SECTION,
        "1. 任务\t<p>国家知识产权局：做好甲。</p>\t<p>局内：联席办、运用促</p>",
        "",
        "\t<p>各地区：做好乙。</p>\t<p>进司</p><p>省份：各省必做</p>",
    ])
    assert doc.tasks[0].departments == ("联席办", "运用促进司")


@pytest.mark.parametrize("cut_before, cut_after", [("地", "市：强市建设城市必做"),
                                                  ("涉及地", "方：强市建设城市必做")])
def test_division_label_cut_by_page_break_joins(cut_before, cut_after):
    doc = dump_document([
        SECTION,
        f"1. 任务\t<p>国家知识产权局：甲。</p><p>有关地方：乙。</p>\t<p>局内：运用促进司</p><p>{cut_before}</p>",
        "",
        f"\t\t<p>{cut_after}</p>",
    ])
    assert [(a.level, a.scope, a.obligation) for a in doc.tasks[0].assignments] == [
        ("局内", "运用促进司", None), (cut_before + cut_after.split("：")[0], "强市建设城市", "必做")]


def test_actor_label_cut_by_page_break_joins():
    doc = dump_document([SECTION, "1. 任务\t<p>各地区：甲。</p><p>国家知识产权</p>\t", "",
                         "\t<p>局：乙。</p>\t"])
    assert [(c.actor, c.text) for c in doc.tasks[0].clauses] == [
        ("各地区", "甲。"), ("国家知识产权局", "乙。")]


def test_known_label_after_an_unfinished_paragraph_still_starts_a_clause():
    doc = dump_document([SECTION, "1. 任务\t<p>国家知识产权局：甲</p><p>加强协调</p>\t", "",
                         "\t<p>有关省份：乙。</p>\t"])
    assert [c.actor for c in doc.tasks[0].clauses] == ["国家知识产权局", "有关省份"]


def test_task_title_cut_by_page_break_is_joined():
    doc = dump_document([SECTION, "1. 加大强国建设\t<p>各地区：甲。</p>\t", "", "工作统筹协调力度\t<p>乙。</p>\t"])
    assert doc.tasks[0].task_title == "加大强国建设工作统筹协调力度"


# ---- rows: header, lead lines, sections and tasks in their shapes ----------------------------

@pytest.mark.parametrize("section_row", [
    "<b>一、全面强化知识产权宏观统筹</b>\t\t",
    "<p>一、全面强化知识产权宏观统筹</p>\t\t",
    "一、全面强化知识产权宏观统筹\t\t",
], ids=["bold", "paragraph", "bare"])
def test_section_row_in_each_markup(section_row):
    st = _stitched([section_row, "1. 任务\t<p>各地区：甲。</p>\t"])
    assert [(s.section_no, s.section_title) for s in st.sections] == [(1, "全面强化知识产权宏观统筹")]


@pytest.mark.parametrize("first_cell, number, title", [
    ("1. 持续推进《纲要》和《规划》实施", 1, "持续推进《纲要》和《规划》实施"),
    ("<p>3.提升强国建设示范引领带动作用</p>", 3, "提升强国建设示范引领带动作用"),
    ("12．加强地理标志保护", 12, "加强地理标志保护"),
    ("7、加强专利转化运用", 7, "加强专利转化运用"),
    ("１５. 全角编号", 15, "全角编号"),
])
def test_task_number_forms(first_cell, number, title):
    st = _stitched([SECTION, f"{first_cell}\t<p>各地区：甲。</p>\t"])
    assert [(t.task_no, t.task_title) for t in st.tasks] == [(number, title)]


def test_repeated_header_rows_are_dropped():
    st = _stitched([SECTION, "1. 任务\t<p>各地区：甲。</p>\t", "", "重点任务\t工作举措\t任务分工",
                    "\t<p>乙。</p>\t"])
    assert [p.text for p in st.tasks[0].measures] == ["各地区：甲。乙。"]


def test_header_row_recognised_with_spaces_and_markup():
    assert classify(_row("重 点 任 务", "工作举措 ", "任务\u3000分工")) == "header"


@pytest.mark.parametrize("cells, kind", [
    (("一、统筹", "", ""), "section"),
    (("1. 任务", "各地区：甲", ""), "task"),
    (("", "乙。", ""), "continuation"),
    (("", "", ""), "blank"),
])
def test_row_classes(cells, kind):
    assert classify(_row(*cells)) == kind


def test_year_from_title_with_spaces():
    assert _stitched([SECTION, "1. 任务\t<p>各地区：甲。</p>\t"]).year == 2024


def test_year_from_file_name_when_title_has_none_is_reported():
    st = stitch(read_dump(dump_text([SECTION, "1. 任务\t<p>各地区：甲。</p>\t"],
                                    title="## 推动知识产权高质量发展任务清单").encode(), "t.txt"), "list-2025")
    assert st.year == 2025
    assert [i.code for i in st.issues] == ["year_from_file_name"]


def test_numbering_gaps_and_repeats_are_issues():
    st = _stitched([SECTION, "1. 甲\t<p>各地区：甲。</p>\t", "3. 丙\t<p>各地区：丙。</p>\t",
                    "3. 丙\t<p>各地区：丙。</p>\t"])
    assert [i.code for i in st.issues] == ["numbering_gap", "numbering_repeat"]


def test_chinese_section_numbers():
    assert [cn_number(n) for n in ("一", "七", "十", "十二", "二十")] == [1, 7, 10, 12, 20]


# ---- whitespace -------------------------------------------------------------------------------

@pytest.mark.parametrize("raw, clean", [
    ("在 6 月底前", "在6月底前"),
    ("增长10% 以上", "增长10%以上"),
    ("知识产权保护 and 运用条例", "知识产权保护and运用条例"),
    ("Open  Source\tLicense", "Open Source License"),
    ("中美欧日韩 IP5 合作", "中美欧日韩IP5合作"),
    ("“十五五” 规划", "“十五五”规划"),
    ("全角\u3000空格\u00a0和\u200b零宽", "全角空格和零宽"),
])
def test_whitespace_normalisation(raw, clean):
    assert normalize_ws(raw) == clean


def test_stitch_reports_latin_words_inside_chinese_text_and_keeps_them():
    stitched = _stitched([SECTION, "1. 任务\t<p>国家知识产权局：加强保护 and 运用研究。</p>\t"
                                   "<p>局内：条法司</p>",
                          "2. 任务\t<p>各地区：推广 WIPO 标准与 IPC 分类。</p>\t<p>局内：办公室</p>"])
    assert [(i.task_no, i.message) for i in stitched.issues if i.code == "latin_in_chinese"] == [
        (1, "task 1: Latin word 'and' inside Chinese text ('护and运'); kept as published"),
        (2, "task 2: Latin word 'WIPO' inside Chinese text ('广WIPO标'); kept as published"),
        (2, "task 2: Latin word 'IPC' inside Chinese text ('与IPC分'); kept as published")]
    assert stitched.tasks[0].measures[0].text == "国家知识产权局：加强保护and运用研究。"
