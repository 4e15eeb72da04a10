"""Facts stage: every deadline form and target form of the issue, and ordinals that are not targets."""
from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings, strategies as st

from pipeline import facts
from pipeline.models import Clause


def _clause(text: str) -> Clause:
    return Clause(task_no=1, clause_no=1, actor="各地区", text=text, page_start=1, page_end=1,
                  actor_known=True)


def _deadlines(text: str, year: int | None = 2024):
    found, issues = facts.deadlines(_clause(text), year)
    return found, issues


def _targets(text: str, year: int = 2024):
    clause = _clause(text)
    return facts.targets(clause, facts.deadlines(clause, year)[0])


@pytest.mark.parametrize("text, expression, due", [
    ("3月底前完成盘点。", "3月底前", "2024-03-31"),
    ("3 月底前完成盘点。", "3 月底前", "2024-03-31"),
    ("在6月底前制定方案。", "在6月底前", "2024-06-30"),
    ("在 6 月底前制定方案。", "在 6 月底前", "2024-06-30"),
    ("9月末前完成评估。", "9月末前", "2024-09-30"),
    ("2月底前报送材料。", "2月底前", "2024-02-29"),
    ("3月15日前报送材料。", "3月15日前", "2024-03-15"),
    ("年底前实现全覆盖。", "年底前", "2024-12-31"),
    ("年内出台办法。", "年内", "2024-12-31"),
    ("上半年召开会议。", "上半年", "2024-06-30"),
    ("下半年开展检查。", "下半年", "2024-12-31"),
    ("第一季度末前完成部署。", "第一季度末前", "2024-03-31"),
    ("一季度末完成部署。", "一季度末", "2024-03-31"),
    ("第二季度末前完成部署。", "第二季度末前", "2024-06-30"),
    ("三季度末完成部署。", "三季度末", "2024-09-30"),
    ("第四季度末前完成部署。", "第四季度末前", "2024-12-31"),
    ("2025年3月底前完成验收。", "2025年3月底前", "2025-03-31"),
    ("2025 年底前完成验收。", "2025 年底前", "2025-12-31"),
    ("2025年年底前完成验收。", "2025年年底前", "2025-12-31"),
    ("今年年底前完成验收。", "年底前", "2024-12-31"),
    ("６月底前完成盘点。", "６月底前", "2024-06-30"),
    ("２０２５年底前完成验收。", "２０２５年底前", "2025-12-31"),
    ("十二月底前完成验收。", "十二月底前", "2024-12-31"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 12 else None)
def test_deadline_forms(text, expression, due):
    (d,), issues = _deadlines(text)
    assert (d.expression, d.due.isoformat()) == (expression, due)
    assert text[d.char_start:d.char_end] == expression
    assert not issues


def test_deadline_action_runs_to_the_end_of_its_sentence():
    text = "选择重点高校，3月底前完成盘点工作，并形成典型案例。6月底前，组织高校完成入库。"
    first, second = _deadlines(text)[0]
    assert first.action == "3月底前完成盘点工作，并形成典型案例"
    assert second.action == "6月底前，组织高校完成入库"


def test_next_deadline_in_the_same_sentence_ends_the_action():
    (a, b), _ = _deadlines("3月底前完成盘点，6月底前完成入库。")
    assert (a.action, b.action) == ("3月底前完成盘点", "6月底前完成入库")


@pytest.mark.parametrize("text", ["三年内完成建设。", "5年内实现覆盖。", "近两年内的数据。"])
def test_spans_of_years_are_not_deadlines(text):
    assert _deadlines(text)[0] == ()


def test_deadline_without_a_year_is_reported_not_guessed():
    found, issues = _deadlines("年底前完成。", year=None)
    assert found == () and [i.code for i in issues] == ["deadline_not_dated"]


def test_impossible_day_is_reported():
    found, issues = _deadlines("2月30日前完成。")
    assert found == () and [i.code for i in issues] == ["deadline_not_dated"]


# ---- targets ----------------------------------------------------------------------------------

def _row(t):
    return (t.expression, t.metric, t.value, t.value_max, t.unit, t.comparator)


@pytest.mark.parametrize("text, rows", [
    ("实现知识产权质押融资规模和惠及中小企业数量增长10%以上。", [
        ("10%以上", "知识产权质押融资规模", 10.0, None, "%", ">="),
        ("10%以上", "惠及中小企业数量", 10.0, None, "%", ">=")]),
    ("其他高校完成30% 以上存量专利盘点入库。", [("30% 以上", "存量专利盘点入库", 30.0, None, "%", ">=")]),
    ("专利转化率达到50％以上。", [("50％以上", "专利转化率", 50.0, None, "%", ">=")]),
    ("专利密集型产业增加值占比不低于13%。", [("不低于13%", "专利密集型产业增加值占比", 13.0, None, "%", ">=")]),
    ("培育不少于100家示范企业。", [("不少于100家", "示范企业", 100.0, None, "家", ">=")]),
    ("结案周期不超过30个工作日。", [("不超过30个工作日", "结案周期", 30.0, None, "个工作日", "<=")]),
    ("不良率控制在5%以下。", [("5%以下", "不良率", 5.0, None, "%", "<=")]),
    ("平均审查周期压减至16个月以内。", [("16个月以内", "平均审查周期", 16.0, None, "个月", "<=")]),
    ("新建5个国家重点产业专利专题数据库。", [("5个", "国家重点产业专利专题数据库", 5.0, None, "个", "=")]),
    ("选择1 至 2 所重点高校率先启动。", [("1 至 2 所", "重点高校", 1.0, 2.0, "所", "between")]),
    ("每年支持2-3个城市。", [("2-3个", "城市", 2.0, 3.0, "个", "between")]),
    ("覆盖率提高5个百分点。", [("5个百分点", "覆盖率", 5.0, None, "个百分点", "=")]),
    ("培训5000人次以上。", [("5000人次以上", "培训", 5000.0, None, "人次", ">=")]),
    ("建设5个左右分中心。", [("5个左右", "分中心", 5.0, None, "个", "=")]),
    ("培育10余个运营中心。", [("10余个", "运营中心", 10.0, None, "个", ">")]),
    # 亿 multiplies like 万: the value is in 元 (1000亿元 = 100,000,000,000 元).
    ("质押融资登记金额突破1000亿元。", [("1000亿元", "质押融资登记金额", 1e11, None, "元", ">")]),
], ids=["two-metrics", "percent-space", "fullwidth-percent", "not-lower", "not-fewer", "not-over",
        "below", "within", "count", "range", "range-dash", "points", "person-times", "about",
        "more-than", "hundred-million-yuan"])
def test_target_forms(text, rows):
    got = _targets(text)
    assert [_row(t) for t in got] == rows
    for t in got:
        assert text[t.char_start:t.char_end] == t.expression


def test_target_takes_the_due_date_of_its_sentence():
    (t,) = _targets("6月底前，其他高校完成30%以上存量专利盘点入库。年底前实现全覆盖。")
    assert t.due == date(2024, 6, 30)


def test_target_without_deadline_has_no_due():
    (t,) = _targets("实现质押融资规模增长10%以上。年底前实现全覆盖。")
    assert t.due is None


@pytest.mark.parametrize("text", [
    "评选推广知识产权强国建设第三批典型案例。",
    "确定第四批重点城市。",
    "第1批试点示范园区。",
    "举办第三届知识产权年会。",
    "纪念专利法实施30周年。",
    "制定2024 年推进工作计划。",
    "确定第 3 批试点。",
    "3月15日前报送材料。",
])
def test_ordinals_and_dates_are_not_targets(text):
    assert _targets(text) == ()


def test_2024_targets(doc_2024):
    rows = [(x.task_no, x.actor, _row(x), x.due and x.due.isoformat())
            for t in doc_2024.tasks for x in t.targets]
    assert rows == [
        (8, "各地区", ("1至2所", "重点高校、科研机构", 1.0, 2.0, "所", "between"), "2024-03-31"),
        (8, "各地区", ("30%以上", "存量专利盘点入库", 30.0, None, "%", ">="), "2024-06-30"),
        (11, "国家知识产权局", ("10%以上", "知识产权质押融资规模", 10.0, None, "%", ">="), None),
        (11, "国家知识产权局", ("10%以上", "惠及中小企业数量", 10.0, None, "%", ">="), None),
        (16, "国家知识产权局", ("5个", "国家重点产业专利专题数据库", 5.0, None, "个", "="), None),
    ]


@pytest.mark.parametrize("text, metric, due", [
    ("年底前实现知识产权质押融资规模增长10%以上。", "知识产权质押融资规模", "2024-12-31"),
    ("力争6月底前专利转化率提高5%。", "专利转化率", "2024-06-30"),
])
def test_deadline_before_a_metric_is_not_part_of_it(text, metric, due):
    (t,) = _targets(text)
    assert (t.metric, t.due.isoformat()) == (metric, due)


def test_two_figures_in_one_phrase_each_measure_their_own_metric():
    got = [(t.expression, t.metric) for t in _targets("实现质押登记数量增长15%以上和质押金额增长20%。")]
    assert got == [("15%以上", "质押登记数量"), ("20%", "质押金额")]


@pytest.mark.parametrize("text, expression, due", [
    ("明年3月底前完成验收。", "明年3月底前", "2025-03-31"),
    ("次年一季度末前完成验收。", "次年一季度末前", "2025-03-31"),
    ("明年底前完成验收。", "明年底前", "2025-12-31"),
])
def test_next_year_deadlines(text, expression, due):
    (d,), _ = _deadlines(text)
    assert (d.expression, d.due.isoformat()) == (expression, due)
    assert text[d.char_start:d.char_end] == expression


def test_reference_date_is_not_a_deadline():
    assert _deadlines("截至2023年底已完成盘点，6月底前完成入库。")[0][0].expression == "6月底前"
    assert len(_deadlines("截至2023年底已完成盘点。")[0]) == 0


# ---- the forms real lists use (issue 10) ------------------------------------------------------

@pytest.mark.parametrize("text, expression, due", [
    ("6月30日前完成验收。", "6月30日前", "2024-06-30"),
    ("年中完成中期评估。", "年中", "2024-06-30"),
    ("力争年中前出台办法。", "年中前", "2024-06-30"),
    ("2025年年中完成验收。", "2025年年中", "2025-06-30"),
    ("第三季度完成验收。", "第三季度", "2024-09-30"),
    ("一季度召开推进会。", "一季度", "2024-03-31"),
    ("前三季度完成全部任务。", "前三季度", "2024-09-30"),
    ("上半年召开会议。", "上半年", "2024-06-30"),
    ("下半年末前完成总结。", "下半年末前", "2024-12-31"),
    ("全年举办培训20场。", "全年", "2024-12-31"),
    ("2025年9月完成验收。", "2025年9月", "2025-09-30"),
    ("11 月底前报送材料。", "11 月底前", "2024-11-30"),
    ("6月上旬完成部署。", "6月上旬", "2024-06-10"),
    ("6月中旬完成部署。", "6月中旬", "2024-06-20"),
    ("2月下旬完成部署。", "2月下旬", "2024-02-29"),
    ("2025年底前完成验收。", "2025年底前", "2025-12-31"),
    ("到2025年，专利密集型产业增加值占比达到13%。", "到2025年", "2025-12-31"),
    ("2025年内出台办法。", "2025年内", "2025-12-31"),
], ids=lambda v: v if isinstance(v, str) and len(v) < 12 else None)
def test_deadline_forms_of_real_lists(text, expression, due):
    (d,), issues = _deadlines(text)
    assert (d.expression, d.due.isoformat(), d.recurrence) == (expression, due, None)
    assert text[d.char_start:d.char_end] == expression
    assert not issues


@pytest.mark.parametrize("text, expression, recurrence", [
    ("每季度末报送工作进展。", "每季度末", "quarterly"),
    ("每月底前报送数据。", "每月底前", "monthly"),
    ("每月5日前报送数据。", "每月5日前", "monthly"),
    ("每半年末前开展评估。", "每半年末前", "half-yearly"),
    ("每年6月底前报送年度报告。", "每年6月底前", "yearly"),
])
def test_a_recurring_deadline_says_so_and_invents_no_date(text, expression, recurrence):
    (d,), issues = _deadlines(text)
    assert (d.expression, d.due, d.recurrence) == (expression, None, recurrence)
    assert not issues


def test_a_recurring_deadline_needs_no_year():
    (d,), issues = _deadlines("每季度末报送。", year=None)
    assert d.recurrence == "quarterly" and not issues


@pytest.mark.parametrize("text", [
    "发布第三季度统计数据。",          # a period reported on, not a time to act by
    "召开上半年工作会议。",
    "总结上半年工作。",
    "2023年9月印发的办法继续实施。",    # a year before the list's: a past event
    "2023年底前已完成盘点。",
    "2023年专利授权量创新高。",         # a year alone
    "制定2024 年推进工作计划。",
    "每年支持2-3个城市。",              # a frequency, not a recurring point in time
    "持续推进知识产权强省建设。",        # a verb, not a time
    "长期坚持问题导向。",
    "2024年中国专利调查报告。",         # 年中 inside 年中国
    "自6月起施行。",
    "截至2023年底已完成盘点。",
    "三年内完成建设。",
])
def test_times_that_are_no_deadlines_give_no_row_and_no_warning(text):
    assert _deadlines(text) == ((), [])


@pytest.mark.parametrize("text, expression", [
    ("6月前完成验收。", "6月前"),       # before June, or by June's end? not guessed
    ("6月初召开会议。", "6月初"),
    ("三季度初完成部署。", "三季度初"),
    ("年初完成部署。", "年初"),
    ("春节前召开会议。", "春节前"),
    ("15日前报送材料。", "15日前"),
    ("本月底前报送材料。", "本月底"),
    ("2025年前完成验收。", "2025年前"),
])
def test_a_deadline_the_parser_does_not_know_is_a_warning_naming_task_and_text(text, expression):
    found, issues = _deadlines(text)
    assert found == ()
    (issue,) = issues
    assert issue.code == "deadline_not_understood" and issue.task_no == 1
    assert repr(expression) in issue.message and text.rstrip("。") in issue.message


def test_年初以来_is_a_reference_not_a_warning():
    assert _deadlines("年初以来，各地持续推进。") == ((), [])


# ---- a due column (完成时限): parse_deadlines --------------------------------------------------

@pytest.mark.parametrize("text, rows", [
    ("2025年9月", [("2025年9月", "2025-09-30", None)]),
    ("2025年底前", [("2025年底前", "2025-12-31", None)]),
    ("全年", [("全年", "2025-12-31", None)]),
    ("年中", [("年中", "2025-06-30", None)]),
    ("第三季度", [("第三季度", "2025-09-30", None)]),
    ("11 月底前", [("11 月底前", "2025-11-30", None)]),
    ("每季度末", [("每季度末", None, "quarterly")]),
    ("每季度", [("每季度", None, "quarterly")]),
    ("每年", [("每年", None, "yearly")]),
    ("年内有阶段性成果", [("年内", "2025-12-31", None)]),
    ("2025年", [("2025年", "2025-12-31", None)]),
    ("6月底前完成初稿，年底前出台", [("6月底前", "2025-06-30", None), ("年底前", "2025-12-31", None)]),
])
def test_parse_deadlines_reads_a_due_column(text, rows):
    found, issues = facts.parse_deadlines(text, 2025, task_no=3, actor="某牵头单位")
    assert [(d.expression, d.due and d.due.isoformat(), d.recurrence) for d in found] == rows
    assert not issues
    for d in found:
        assert (d.task_no, d.clause_no, d.actor) == (3, None, "某牵头单位")
        assert text[d.char_start:d.char_end] == d.expression


@pytest.mark.parametrize("text", ["持续推进", "长期", "常态化开展", "长期坚持", ""])
def test_open_ended_due_text_is_no_deadline_and_no_warning(text):
    assert facts.parse_deadlines(text, 2025, task_no=3) == ((), [])


@pytest.mark.parametrize("text", ["按计划推进", "6月前", "适时"])
def test_due_text_without_a_deadline_is_a_warning(text):
    found, issues = facts.parse_deadlines(text, 2025, task_no=3)
    assert found == () and [i.code for i in issues] == ["deadline_not_understood"]
    assert "task 3" in issues[0].message and text in issues[0].message


def test_a_due_column_without_a_year_is_not_dated():
    found, issues = facts.parse_deadlines("年底前", None, task_no=3)
    assert found == () and [i.code for i in issues] == ["deadline_not_dated"]


# ---- targets of real lists (issue 10): kind, 万, 起, one metric joined by 和 -------------------

def _kinded(t):
    return (t.expression, t.metric, t.value, t.unit, t.comparator, t.kind)


@pytest.mark.parametrize("text, rows", [
    ("高校和科研机构专利转化率提高到75%。",
     [("75%", "高校和科研机构专利转化率", 75.0, "%", "=", "level")]),
    ("专利质押项目达到1.5万件。", [("1.5万件", "专利质押项目", 15000.0, "件", "=", "count")]),
    ("培育不少于100家示范企业。", [("不少于100家", "示范企业", 100.0, "家", ">=", "count")]),
    ("知识产权使用费进出口总额增长15%左右。",
     [("15%左右", "知识产权使用费进出口总额", 15.0, "%", "=", "growth")]),
    ("查处案件100 起以上。", [("100 起以上", "查处案件", 100.0, "起", ">=", "count")]),
    ("专利密集型产业增加值增长6.2%左右。",
     [("6.2%左右", "专利密集型产业增加值", 6.2, "%", "=", "growth")]),
    ("质押融资规模增长10%。", [("10%", "质押融资规模", 10.0, "%", "=", "growth")]),
    ("覆盖率提高5个百分点。", [("5个百分点", "覆盖率", 5.0, "个百分点", "=", "growth")]),
    ("转化率提升至50%以上。", [("50%以上", "转化率", 50.0, "%", ">=", "level")]),
    ("专利密集型产业增加值占比不低于13%。",
     [("不低于13%", "专利密集型产业增加值占比", 13.0, "%", ">=", "level")]),
    ("平均审查周期压减至16个月以内。", [("16个月以内", "平均审查周期", 16.0, "个月", "<=", "level")]),
    ("审查周期缩短2个月。", [("2个月", "审查周期", 2.0, "个月", "=", "growth")]),
    ("交易额增幅达到10%。", [("10%", "交易额增幅", 10.0, "%", "=", "growth")]),
    ("质押融资金额达到0.3万亿元。", [("0.3万亿元", "质押融资金额", 3e11, "元", "=", "level")]),
    ("新建5个国家重点产业专利专题数据库。",
     [("5个", "国家重点产业专利专题数据库", 5.0, "个", "=", "count")]),
    ("完成30%以上存量专利盘点入库。", [("30%以上", "存量专利盘点入库", 30.0, "%", ">=", "level")]),
    ("专利授权量增加了200件。", [("200件", "专利授权量", 200.0, "件", "=", "growth")]),
    ("每万人口高价值发明专利拥有量达到12件。",
     [("12件", "每万人口高价值发明专利拥有量", 12.0, "件", "=", "level")]),
    ("人均专利拥有量提高到3件以上。", [("3件以上", "人均专利拥有量", 3.0, "件", ">=", "level")]),
    ("每万人口发明专利拥有量增加2件。", [("2件", "每万人口发明专利拥有量", 2.0, "件", "=", "growth")]),
], ids=["rate-to-level", "wan", "not-fewer-count", "growth-about", "qi", "growth-decimal",
        "growth", "points", "level-to", "share", "period-to", "period-growth", "growth-metric",
        "wan-yi", "count", "share-of-stock", "growth-of-count", "per-capita", "per-head-to",
        "per-capita-growth"])
def test_target_kinds_and_units_of_real_lists(text, rows):
    got = _targets(text)
    assert [_kinded(t) for t in got] == rows
    for t in got:
        assert text[t.char_start:t.char_end] == t.expression


@pytest.mark.parametrize("text, metrics", [
    # Both sides end in a metric head: two metrics.
    ("实现知识产权质押融资规模和惠及中小企业数量增长10%以上。",
     ["知识产权质押融资规模", "惠及中小企业数量"]),
    ("专利转化率与产业化率提高到50%。", ["专利转化率", "产业化率"]),
    # One side is no metric: it qualifies the other.
    ("高校和科研机构专利转化率提高到75%。", ["高校和科研机构专利转化率"]),
    ("企业及高校专利实施率达到60%。", ["企业及高校专利实施率"]),
    ("质押融资规模和惠及中小企业增长10%。", ["质押融资规模和惠及中小企业"]),
    # Things counted are one set, not a metric each.
    ("培育100家示范企业和服务机构。", ["示范企业和服务机构"]),
])
def test_joined_metrics_split_only_where_both_sides_are_metrics(text, metrics):
    assert [t.metric for t in _targets(text)] == metrics


@pytest.mark.parametrize("text, expression, due", [
    ("3月至6月开展专项行动。", "3月至6月", "2024-06-30"),
    ("2025年3月至6月开展专项行动。", "2025年3月至6月", "2025-06-30"),
    ("2025年3月—2026年6月完成建设。", "2025年3月—2026年6月", "2026-06-30"),
    # The unit written once, at the end: the expression starts at the range's bare start.
    ("3-6月开展专项行动。", "3-6月", "2024-06-30"),
    ("各地于10—12月开展专项行动。", "10—12月", "2024-12-31"),
    ("2023年3-6月开展专项行动。", "2023年3-6月", "2023-06-30"),  # the start's year is the range's
    ("第二至三季度开展专项行动。", "第二至三季度", "2024-09-30"),
])
def test_a_range_of_time_is_one_deadline_due_at_its_end(text, expression, due):
    (d,), issues = _deadlines(text)
    assert (d.expression, d.due.isoformat()) == (expression, due) and not issues
    assert d.char_start == text.index(expression)  # offsets span the whole range


@pytest.mark.parametrize("text, expression", [
    ("前三季度完成。", "前三季度"),  # 前 is no range
    ("增长12%，6月底前完成。", "6月底前"),  # a figure before is no range start
    ("2024年6月底前完成。", "2024年6月底前"),
])
def test_a_number_before_a_deadline_is_a_range_start_only_when_joined_to_it(text, expression):
    (d,), _ = _deadlines(text)
    assert d.expression == expression


def test_a_range_in_a_due_column():
    (d,), _ = facts.parse_deadlines("2025年至2027年", 2025, task_no=1)
    assert (d.expression, d.due) == ("2025年至2027年", date(2027, 12, 31))
    (d,), _ = facts.parse_deadlines("2024年3-6月", 2025, task_no=1)
    assert (d.expression, d.due) == ("2024年3-6月", date(2024, 6, 30))


def test_a_named_day_is_no_deadline():
    assert _deadlines("围绕4月26日世界知识产权日开展宣传。") == ((), [])


_SUSPECT_ALPHABET = "0123456789十一二三四五六七八九两月日号前之以初中旬上下季度年本当该次春节国庆元旦五清明端午会，的"


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_SUSPECT_ALPHABET, max_size=24))
def test_the_suspect_lookahead_finds_what_the_plain_forms_find(text):
    plain = re.compile(facts._SUSPECT_FORMS)
    assert [m.span() for m in facts._SUSPECT_RE.finditer(text)] == [
        m.span() for m in plain.finditer(text)]
