"""Recurring deadlines (no due date) through every output: ics, report.html, diff, Parquet."""
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
