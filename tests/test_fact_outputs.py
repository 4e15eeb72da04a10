"""New fact columns through every output: recurring deadlines (ics, report.html, diff, Parquet), target kinds."""
from __future__ import annotations

from datetime import date

from pipeline import facts
from pipeline.diff import diff_documents
from pipeline.export import from_documents
from pipeline.export.to_html import render_report_html
from pipeline.export.to_ics import calendar_bytes
from pipeline.models import Deadline
from pipeline.write import table_rows
from tests.conftest import dump_document

SECTION = "一、全面强化知识产权宏观统筹\t\t"


def _doc(measures: str, name: str = "list-2024.txt", title: str | None = None):
    kw = {"title": title} if title else {}
    return dump_document([SECTION, f"1. 任务\t<p>各地区：{measures}</p>\t<p>省份：各省必做</p>"],
                         name=name, **kw)


def _recurring(expression: str, recurrence: str) -> Deadline:
    return Deadline(1, 1, "各地区", expression, None, expression, 0, len(expression), recurrence)


def test_occurrences_are_the_periods_of_the_list_year():
    assert facts.occurrences(_recurring("每季度末", "quarterly"), 2024) == (
        date(2024, 3, 31), date(2024, 6, 30), date(2024, 9, 30), date(2024, 12, 31))
    assert facts.occurrences(_recurring("每半年", "half-yearly"), 2024) == (
        date(2024, 6, 30), date(2024, 12, 31))
    assert facts.occurrences(_recurring("每年6月底前", "yearly"), 2025) == (date(2025, 6, 30),)
    monthly = facts.occurrences(_recurring("每月30日前", "monthly"), 2024)
    assert len(monthly) == 12 and monthly[1] == date(2024, 2, 29) and monthly[2] == date(2024, 3, 30)
    one_off = Deadline(1, 1, None, "6月底前", date(2024, 6, 30), "", 0, 5)
    assert facts.occurrences(one_off, 2024) == ()


def test_a_recurring_deadline_is_a_row_with_null_due_and_its_recurrence():
    doc = _doc("每季度末报送工作进展，6月底前完成评估。")
    rows = table_rows([doc])["deadlines"]
    assert [(r["expression"], r["due"], r["recurrence"]) for r in rows] == [
        ("每季度末", None, "quarterly"), ("6月底前", date(2024, 6, 30), None)]


def test_ics_has_an_event_per_occurrence_of_a_recurring_deadline():
    from icalendar import Calendar

    doc = _doc("每季度末报送工作进展，6月底前完成评估。")
    cal = Calendar.from_ical(calendar_bytes(from_documents([doc], {})))
    events = [(e.decoded("dtstart"), str(e["uid"])) for e in cal.walk("VEVENT")]
    assert sorted(d for d, _ in events) == [date(2024, 3, 31), date(2024, 6, 30), date(2024, 6, 30),
                                             date(2024, 9, 30), date(2024, 12, 31)]
    assert len({u for _, u in events}) == 5  # each occurrence its own UID
    described = [str(e["description"]) for e in cal.walk("VEVENT")]
    assert any("每季度末（每季度：2024-09-30）" in d for d in described)


def test_report_html_lists_a_recurring_deadline_apart_from_the_months():
    doc = _doc("每季度末报送工作进展，6月底前完成评估。")
    page = render_report_html(table_rows([doc]))
    assert "重复的时限" in page and "每季度末" in page and "每季度</small>" in page
    only = render_report_html(table_rows([_doc("每季度末报送工作进展。")]))
    assert "重复的时限" in only and "时限（按月）" not in only


def test_diff_keeps_a_recurring_deadline_and_sees_it_change():
    old = _doc("每季度末报送工作进展。")
    same = _doc("每季度末报送工作进展。", name="list-2025.txt",
                title="## 2025 年推动知识产权高质量发展任务清单")
    assert [c.kind for c in diff_documents(old, same) if c.kind.startswith("deadline")] == []
    monthly = _doc("每月底前报送工作进展。", name="list-2025.txt",
                   title="## 2025 年推动知识产权高质量发展任务清单")
    kinds = [c.kind for c in diff_documents(old, monthly) if c.kind.startswith("deadline")]
    assert kinds in (["deadline_moved"], ["deadline_removed", "deadline_added"])


def test_a_target_changing_kind_is_a_target_change():
    old = _doc("实现专利转化率增长10%。")
    new = _doc("实现专利转化率提高到10%。", name="list-2025.txt",
               title="## 2025 年推动知识产权高质量发展任务清单")
    assert [t.kind for t in old.tasks[0].targets] == ["growth"]
    assert [t.kind for t in new.tasks[0].targets] == ["level"]
    changes = [(c.kind, c.old, c.new) for c in diff_documents(old, new) if c.kind.startswith("target")]
    assert changes == [("target_changed", "10%", "10%")]


def test_targets_parquet_and_report_html_carry_the_kind():
    doc = _doc("实现专利转化率增长10%，培育不少于100家示范企业。")
    rows = table_rows([doc])["targets"]
    assert [(r["expression"], r["kind"]) for r in rows] == [("10%", "growth"), ("不少于100家", "count")]
    page = render_report_html(table_rows([doc]))
    assert "<th>类型</th>" in page and "<td>增长</td>" in page and "<td>数量</td>" in page
