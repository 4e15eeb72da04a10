"""The layouts of the task-list family (issue 10): stitch, segment and the output contract by
column roles, on the layout dumps of tests/fixtures/layouts/ and on small dumps built here."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipeline.build import extract_file
from pipeline.models import Document
from pipeline.write import document_json
from tests.conftest import FIXTURES, RAW_2024

LAYOUTS = FIXTURES / "layouts"


def _doc(tmp_path: Path, header: str, *rows: str, title: str = "## 2025年某省知识产权工作任务清单",
         name: str = "list.txt") -> Document:
    path = tmp_path / name
    path.write_text("\n".join([title, "", header, *rows]) + "\n", encoding="utf-8")
    return extract_file(path)


# ---- the 2024 list with a 序号 column -----------------------------------------------------------

@pytest.mark.parametrize("name", ["cnipa-2024-serial.txt", "cnipa-2024-serial-blank-header.txt"])
def test_a_serial_column_changes_nothing_but_serial_and_layout(name: str) -> None:
    base = document_json(extract_file(RAW_2024))
    doc = extract_file(LAYOUTS / name)
    with_serial = document_json(doc)
    assert doc.layout == "序号/重点任务/工作举措/任务分工"  # an empty header cell named by its role
    for old, new in zip(base["sections"], with_serial["sections"], strict=True):
        for a, b in zip(old["tasks"], new["tasks"], strict=True):
            assert b["serial"] == str(b["task_no"])
            assert b["layout"] == "serial/task/measures/division"
            assert {k: v for k, v in b.items() if k not in ("serial", "layout")} == \
                   {k: v for k, v in a.items() if k not in ("serial", "layout")}


def test_an_empty_header_cell_is_serial_only_over_numbers(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "\t重点任务\t具体措施\t牵头单位",
               "一、加强保护\t\t\t", "甲\t推进执法\t开展行动。\t省局", "乙\t推进调解\t建立机制。\t省司法厅")
    assert [t.layout for t in doc.tasks] == ["extra/task/measures/lead_units"] * 2
    assert [dict(t.extra) for t in doc.tasks] == [{"column 1": "甲"}, {"column 1": "乙"}]
    # Nothing numbers these tasks: one per row with a title, numbered in order, and said so.
    assert [(t.task_no, t.task_title) for t in doc.tasks] == [(1, "推进执法"), (2, "推进调解")]
    assert "tasks_numbered_by_position" in [i.code for i in doc.issues]


# ---- the 2017 five-column table ---------------------------------------------------------------

def test_2017_groups_tasks_in_measures_and_inferred_actors() -> None:
    doc = extract_file(LAYOUTS / "cnipa-2017-task-decomposition.txt")
    assert doc.layout == "工作任务/任务目标/落实举措/执行部门（单位）/完成时间"
    first, second, third = doc.tasks[:3]
    assert first.layout == "group/objective/measures/division/due"
    # The group cell spans its rows: the task below it (empty 工作任务) is in the same group.
    assert (first.group_no, first.group_title) == (second.group_no, second.group_title) == (
        1, "完善专利法律制度")
    assert (third.group_no, third.group_title) == (2, "深化专利审查制度改革")
    assert second.objective == first.objective and first.objective.startswith("专利法第四次修改")
    # The numbered first sentence of 落实举措 is the task; the rest of the paragraph its measures.
    assert (first.task_no, first.task_title) == (1, "推动制定完善专利法律制度的专利政策")
    assert [(c.actor, c.actor_inferred, c.actor_known) for c in first.clauses] == [
        ("国家知识产权局", True, True), ("各地区", True, True)]
    assert first.clauses[0].text.startswith("配合立法机关")
    assert first.clauses[1].text.startswith("各地应")
    assert not [i for i in doc.issues if i.code in ("text_without_actor", "task_without_clause")]
    # The due column: a deadline without a clause; 持续推进 keeps its text with no day.
    (due,) = [d for d in first.deadlines if d.clause_no is None]
    assert (due.expression, due.due, due.actor) == ("2017年底前", date(2017, 12, 31), None)
    assert (first.due_text, first.due) == ("2017年底前", date(2017, 12, 31))
    assert (third.due_text, third.due) == ("持续推进", None)
    assert not [d for d in third.deadlines if d.clause_no is None]


def test_2017_objective_targets_are_rows_once_per_cell(tmp_path: Path) -> None:
    text = (LAYOUTS / "cnipa-2017-task-decomposition.txt").read_text(encoding="utf-8")
    old = "专利运营服务体系基本建成，专利质押融资金额增长15%左右。"
    assert text.count(old) == 1
    path = tmp_path / "list-2017.txt"
    path.write_text(text.replace(old, "到2018年6月底前，专利质押融资金额增长15%左右。"),
                    encoding="utf-8")
    doc = extract_file(path)
    found = [(t.task_no, x) for t in doc.tasks for x in t.targets if x.clause_no is None]
    # Group 4's 任务目标 spans tasks 7-9: its target is a row of task 7 alone.
    n, x = found[0]
    assert (n, x.metric, x.expression, x.kind, x.actor, x.due) == (
        7, "专利质押融资金额", "15%左右", "growth", None, date(2018, 6, 30))
    for n, x in found:  # offsets are within the objective
        objective = doc.tasks[n - 1].objective or ""
        assert objective[x.char_start:x.char_end] == x.expression
    assert [n for n, _ in found] == [7, 11, 12]  # group 5 has one 任务目标 per task
    # Its time words are the target's due, not deadlines rows of the task.
    assert not [d for d in doc.tasks[6].deadlines if d.expression.startswith("到2018")]


def test_an_objective_over_the_figure_limit_is_refused_by_its_column(tmp_path: Path) -> None:
    from pipeline import facts
    from pipeline.errors import InputTooLargeError

    text = (LAYOUTS / "cnipa-2017-task-decomposition.txt").read_text(encoding="utf-8")
    old = "专利运营服务体系基本建成，专利质押融资金额增长15%左右。"
    path = tmp_path / "list-2017.txt"
    path.write_text(text.replace(old, "增长" + "10%以上，" * 300), encoding="utf-8")
    with pytest.raises(InputTooLargeError, match=rf"task 7, 任务目标 column holds 30\d deadlines "
                       rf"and figures; the limit is {facts.MAX_FIGURES_PER_CLAUSE}"):
        extract_file(path)


def test_2017_row_cut_by_a_page_break_stays_one_task() -> None:
    doc = extract_file(LAYOUTS / "cnipa-2017-task-decomposition.txt")
    fifth = next(t for t in doc.tasks if t.task_no == 5)
    assert (fifth.page_start, fifth.page_end) == (1, 2)
    assert "形成的经验做法。" in fifth.clauses[0].text  # the paragraph cut mid-word joins
    assert [a.level for a in fifth.assignments][:2] == ["局内", "省份"]


def test_a_locality_paragraph_after_a_page_break_opens_its_own_clause(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "工作任务\t落实举措\t执行部门（单位）\t完成时间",
               "一、制度创新\t\t\t", "（一）完善制度\t<p>1.推动立法。做好审议。</p>\t局内：条法司\t年底前",
               "", "\t<p>各地要加快立法。</p>\t省份：各省必做\t", "\t<p>2.推动执法。开展轮训。</p>\t局内：保护司\t",
               title="## 2017年专利工作要点任务分解表")
    one, two = doc.tasks
    assert [(c.actor, c.text) for c in one.clauses] == [("国家知识产权局", "做好审议。"),
                                                        ("各地区", "各地要加快立法。")]
    assert (two.task_no, two.task_title, two.group_title) == (2, "推动执法", "完善制度")


# ---- provincial lists ---------------------------------------------------------------------------

def test_provincial_lead_and_support_units() -> None:
    doc = extract_file(LAYOUTS / "province-2025-lead-support.txt")
    assert doc.layout == "序号/重点任务/具体措施/牵头单位/配合单位/完成时限"
    assert [t.task_no for t in doc.tasks] == list(range(1, 17))  # serials; headers repeated
    first = doc.tasks[0]
    assert (first.serial, first.task_title) == ("1", "提升专利申请质量")
    assert first.lead_units == ("省市场监管局（知识产权局）",)
    assert first.support_units == ("省教育厅", "省科技厅", "各市州人民政府")
    assert [(a.level, a.obligation, a.clause_no) for a in first.assignments] == [
        ("牵头", None, None), ("配合", None, None)]
    # The opening unlabelled paragraph is the lead units'.
    assert (first.clauses[0].actor, first.clauses[0].actor_inferred) == (
        "省市场监管局（知识产权局）", True)
    # A 配合单位 cell cut after 、 by a page break is one list.
    sixth = doc.tasks[5]
    assert sixth.support_units == ("省公安厅", "省人民检察院", "长沙海关", "省高级人民法院")
    assert (sixth.page_start, sixth.page_end) == (1, 2)


def test_provincial_responsible_units_outcome_and_extra() -> None:
    doc = extract_file(LAYOUTS / "province-2025-responsible-extra.txt")
    first = doc.tasks[0]
    assert first.layout == "serial/task/measures/division/due/outcome/extra"
    assert (first.outcome, dict(first.extra)) == ("条例修订草案", {"备注": "延续性任务"})
    assert doc.tasks[1].extra == ()  # an empty 备注 cell is left out
    assert [(a.level, a.units) for a in first.assignments] == [
        ("责任", ("省市场监管局（知识产权局）", "省司法厅"))]
    assert not [i for i in doc.issues if i.code in ("entry_without_level",
                                                     "entry_without_obligation",
                                                     "text_without_actor")]
    third = doc.tasks[2]
    assert [(c.actor, c.actor_inferred) for c in third.clauses] == [
        ("省市场监管局（知识产权局）、省财政厅、各设区市人民政府", True), ("有关地市", True)]
    assert any("备注" in n for n in doc.notes)


def test_columns_in_any_order_read_the_same(tmp_path: Path) -> None:
    rows = ("一、加强保护", "1", "推进执法", "<p>开展行动。</p>", "省局", "年底前")
    a = _doc(tmp_path, "序号\t重点任务\t具体措施\t牵头单位\t完成时限",
             rows[0] + "\t\t\t\t", "\t".join(rows[1:]), name="a.txt")
    b = _doc(tmp_path, "完成时限\t牵头单位\t具体措施\t重点任务\t序号",
             rows[0] + "\t\t\t\t", "\t".join(reversed(rows[1:])), name="b.txt")
    strip = ("layout",)
    ta, tb = (document_json(d)["sections"][0]["tasks"][0] for d in (a, b))
    assert {k: v for k, v in ta.items() if k not in strip} == \
           {k: v for k, v in tb.items() if k not in strip}
    assert ta["due"] == "2025-12-31" and ta["lead_units"] == ["省局"]


def test_a_due_text_no_day_in_is_a_warning_not_a_silent_null(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "序号\t重点任务\t具体措施\t完成时限",
               "1\t甲\t开展行动。\t视情况而定", "2\t乙\t开展行动。\t持续推进")
    codes = [(i.code, i.task_no) for i in doc.issues if i.code == "deadline_not_understood"]
    assert codes == [("deadline_not_understood", 1)]
    assert [(t.due_text, t.due) for t in doc.tasks] == [("视情况而定", None), ("持续推进", None)]


def test_tasks_json_extra_is_an_object() -> None:
    doc = extract_file(LAYOUTS / "province-2025-responsible-extra.txt")
    task = document_json(doc)["sections"][0]["tasks"][0]
    assert task["extra"] == {"备注": "延续性任务"}
    assert json.loads(json.dumps(task))["lead_units"] == []


def test_every_export_writes_the_new_columns(tmp_path: Path) -> None:
    import sqlite3

    import pyarrow.parquet as pq

    import pipeline
    from pipeline.cli import main

    out = tmp_path / "out"
    assert main(["extract", str(LAYOUTS / "province-2025-responsible-extra.txt"),
                 str(LAYOUTS / "cnipa-2017-task-decomposition.txt"), "--out", str(out),
                 "--quiet", "--format", "all"]) == 0
    tasks = pq.read_table(out / "tasks.parquet")
    extra = tasks.schema.field("extra").type
    assert (str(extra.key_type), str(extra.item_type)) == ("string", "string")
    assert tasks.column("extra").to_pylist()[0] == [("备注", "延续性任务")]
    loaded = pipeline.load(out)
    assert loaded.tasks.extra.iloc[0] == {"备注": "延续性任务"}
    assert loaded.deadlines.clause_no.isna().any()  # due-column deadlines
    assert loaded.clauses.actor_inferred.all()
    db = sqlite3.connect(out / "tasks.db")
    assert db.execute("select json_extract(extra, '$.备注') from tasks where task_no = 1 "
                      "and doc_id like 'province%'").fetchone() == ("延续性任务",)
    csv_text = (out / "csv" / "tasks.csv").read_text(encoding="utf-8-sig")
    assert '"{""备注"": ""延续性任务""}"' in csv_text
    assert "-due-char0@" in (out / "deadlines.ics").read_text(encoding="utf-8")


def test_a_section_numbered_in_the_serial_column(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "序号\t重点任务\t具体措施\t牵头单位",
               "一\t加强知识产权保护\t\t", "1\t推进执法\t开展行动。\t省局",
               "二、\t促进转化运用\t\t", "2\t推进许可\t开放许可。\t省科技厅")
    assert [(s.section_no, s.section_title) for s in doc.sections] == [
        (1, "加强知识产权保护"), (2, "促进转化运用")]
    assert [(t.task_no, t.section_no) for t in doc.tasks] == [(1, 1), (2, 2)]


def test_a_group_column_beside_the_task_column(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "序号\t重点任务\t具体任务\t牵头单位\t完成时限",
               "一、加强保护\t\t\t\t", "1\t（一）强化执法\t开展专项行动\t省局\t年底前",
               "2\t\t建立调解组织\t省司法厅\t6月底前", "3\t完善服务\t建设保护中心\t省局\t持续推进")
    assert doc.tasks[0].layout == "serial/group/task/lead_units/due"
    assert [(t.task_no, t.task_title, t.group_no, t.group_title) for t in doc.tasks] == [
        (1, "开展专项行动", 1, "强化执法"), (2, "建立调解组织", 1, "强化执法"),
        (3, "建设保护中心", None, "完善服务")]
    assert [t.due for t in doc.tasks] == [date(2025, 12, 31), date(2025, 6, 30), None]


def test_a_repeated_header_mid_table_is_dropped(tmp_path: Path) -> None:
    header = "序号\t重点任务\t具体措施\t牵头单位"
    doc = _doc(tmp_path, header, "1\t推进执法\t<p>开展行动，</p>\t省局", "", header,
               "\t\t<p>查办案件。</p>\t", "2\t推进调解\t建立机制。\t省司法厅")
    assert [(t.task_no, t.page_start, t.page_end) for t in doc.tasks] == [(1, 1, 2), (2, 2, 2)]
    assert doc.tasks[0].clauses[0].text == "开展行动，查办案件。"


def test_a_localities_sentence_inside_a_paragraph_opens_its_own_clause(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "工作任务\t落实举措\t执行部门（单位）\t完成时间",
               "一、制度创新\t\t\t", "（一）完善制度\t<p>1.推动立法。做好审议。各地要加快立法，有关省份要报送进展。</p>"
               "\t局内：条法司\t年底前", title="## 2017年专利工作要点任务分解表")
    (task,) = doc.tasks
    assert [(c.actor, c.text) for c in task.clauses] == [
        ("国家知识产权局", "做好审议。"), ("各地区", "各地要加快立法，有关省份要报送进展。")]
    assert task.measures == "做好审议。各地要加快立法，有关省份要报送进展。"


def test_groups_without_numbers_over_tasks_numbered_in_the_measures(tmp_path: Path) -> None:
    doc = _doc(tmp_path, "工作任务\t落实举措\t执行部门（单位）\t完成时间",
               "一、制度创新\t\t\t", "完善专利法律制度\t<p>1.推动立法。做好审议。</p>\t局内：条法司\t年底前",
               "\t<p>2.推动执法。开展轮训。</p>\t局内：保护司\t持续推进",
               "深化审查改革\t<p>3.压减周期。优化流程。</p>\t局内：审业部\t年底前",
               title="## 2017年专利工作要点任务分解表")
    assert [(t.task_no, t.task_title, t.group_no, t.group_title) for t in doc.tasks] == [
        (1, "推动立法", None, "完善专利法律制度"), (2, "推动执法", None, "完善专利法律制度"),
        (3, "压减周期", None, "深化审查改革")]
    assert doc.tasks[0].layout == "group/measures/division/due"
    assert "tasks_numbered_by_position" not in [i.code for i in doc.issues]
