"""Every section and task numbering form, through every stage that recognises numbered rows.

The grammar (pipeline/grammar) defines the forms once; each reader and stitch must accept
all of them, so a list numbered 一． or （一） reads the same from a dump, an HTML page and a
PDF. Each case is a small list built here: two sections of tasks in the form under test.
"""
from __future__ import annotations

import html
from collections.abc import Callable

import pytest

from pipeline.grammar import ROW_OPENER, SECTION_OPENER, SECTION_RE, TASK_RE, cn_number
from pipeline.models import RawCell, RawRow, RawTable, StitchedTable
from pipeline.read.dump import read_dump
from pipeline.read.html import read_html
from pipeline.read.pdf import read_pdf
from pipeline.stitch import classify, stitch
from tests.conftest import HEADER_LINE
from tests.synthetic_pdf import build_pdf

_CN = "〇一二三四五六七八九"


def cn(n: int) -> str:
    """n (0 … 99) in Chinese numerals as section numbers are written: 〇, 九, 十一, 二十."""
    if n < 10:
        return _CN[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


def full_width(n: int) -> str:
    return str(n).translate(str.maketrans("0123456789", "０１２３４５６７８９"))


# (form, number of the first section): 〇、 opens a list counted from 0, 十一、 one past ten.
SECTION_FORMS = [("{}、", 1), ("{}．", 1), ("{}.", 1), ("{}、", 0), ("{}、", 11),
                 ("（{}）", 1), ("({})", 1)]
# (form, digits, number of the first task): １５． is a full-width number of two digits.
TASK_FORMS = [("{}.", str, 1), ("{}．", str, 1), ("{}、", str, 1), ("{}．", full_width, 15)]

TITLES = ("全面强化宏观统筹", "提高知识产权创造质量")
TASKS = (("完善政策体系", "做好甲。", "条法司"), ("健全工作机制", "做好乙。", "办公室"),
         ("加强审查质量", "做好丙。", "审查业务管理部"))


def _rows(section_form: tuple[str, int],
          task_form: tuple[str, Callable[[int], str], int]) -> list[tuple[str, str, str]]:
    """Section, two tasks, section, one task: the three cells of each row as text."""
    (sform, s0), (tform, digits, t0) = section_form, task_form
    rows: list[tuple[str, str, str]] = []
    for i, (title, tasks) in enumerate(zip(TITLES, (TASKS[:2], TASKS[2:]))):
        rows.append((sform.format(cn(s0 + i)) + title, "", ""))
        for title_, measure, unit in tasks:
            number = t0 + TASKS.index((title_, measure, unit))
            rows.append((tform.format(digits(number)) + title_, f"国家知识产权局：{measure}",
                         f"局内：{unit}"))
    return rows


def _expected(section_form: tuple[str, int], task_form: tuple[str, Callable[[int], str], int]):
    s0, t0 = section_form[1], task_form[2]
    sections = [(s0, TITLES[0]), (s0 + 1, TITLES[1])]
    tasks = [(s0, t0, TASKS[0][0]), (s0, t0 + 1, TASKS[1][0]), (s0 + 1, t0 + 2, TASKS[2][0])]
    return sections, tasks


def _dump(rows: list[tuple[str, str, str]]) -> RawTable:
    lines = ["2024年推动知识产权高质量发展任务清单", HEADER_LINE, *("\t".join(r) for r in rows)]
    return read_dump("\n".join(lines).encode(), "list.txt")


def _html(rows: list[tuple[str, str, str]]) -> RawTable:
    def tr(cells: tuple[str, str, str]) -> str:
        if not any(cells[1:]):  # a section row is one merged cell, as Word and WPS write it
            return f"<tr><td colspan=3><b>{html.escape(cells[0])}</b></td></tr>"
        return "<tr>" + "".join(f"<td><p>{html.escape(c)}</p></td>" for c in cells) + "</tr>"
    page = ("<html><head><meta charset=utf-8></head><body>"
            "<p>2024年推动知识产权高质量发展任务清单</p><table border=1>"
            "<tr><td>重点任务</td><td>工作举措</td><td>任务分工</td></tr>"
            + "".join(tr(r) for r in rows) + "</table></body></html>")
    return read_html(page.encode(), "list.html")


def _pdf(rows: list[tuple[str, str, str]]) -> RawTable:
    """An unruled table at an even line pitch: only the row numbers in the first column tell
    where a row starts, so a form the reader does not know joins its row to the one above."""
    columns = (60.0, 200.0, 400.0)
    lines = [(150.0, 60.0, "2024年推动知识产权高质量发展任务清单")]
    lines += [(x, 110.0, word) for x, word in zip(columns, ("重点任务", "工作举措", "任务分工"))]
    for i, cells in enumerate(rows):
        lines += [(x, 140.0 + 20 * i, text) for x, text in zip(columns, cells) if text]
    return read_pdf(build_pdf(lines), "list.pdf")


def _stitch_only(rows: list[tuple[str, str, str]]) -> RawTable:
    raw = tuple(RawRow(tuple(RawCell((c,) if c else ()) for c in cells), page=1, row=i + 1)  # type: ignore[arg-type]
                for i, cells in enumerate(rows))
    return RawTable(source="rows", fmt="text", title="2024年任务清单", rows=raw)


CONSUMERS = {"dump": _dump, "html": _html, "pdf": _pdf, "stitch": _stitch_only}


def _outline(table: StitchedTable):
    return ([(s.section_no, s.section_title) for s in table.sections],
            [(t.section_no, t.task_no, t.task_title) for t in table.tasks])


@pytest.mark.parametrize("consumer", CONSUMERS)
@pytest.mark.parametrize("task_form", TASK_FORMS, ids=lambda f: f[0].format(f[1](f[2])))
@pytest.mark.parametrize("section_form", SECTION_FORMS, ids=lambda f: f[0].format(cn(f[1])))
def test_every_numbering_form_reads_the_same_in_every_consumer(consumer, section_form, task_form):
    rows = _rows(section_form, task_form)
    stitched = stitch(CONSUMERS[consumer](rows), "list-2024")
    assert _outline(stitched) == _expected(section_form, task_form)
    assert [c.text for t in stitched.tasks for c in [*t.measures, *t.division]] == [
        text for r in rows if r[1] for text in r[1:]]


@pytest.mark.parametrize("section_form", SECTION_FORMS, ids=lambda f: f[0].format(cn(f[1])))
def test_every_section_form_is_a_section_row_and_opens_a_row(section_form):
    form, first = section_form
    for n in (first, first + 1):
        line = form.format(cn(n)) + TITLES[0]
        m = SECTION_RE.match(line)
        assert m and cn_number(m["num"]) == n and m["title"] == TITLES[0]
        assert SECTION_OPENER.match(line) and ROW_OPENER.match(line)
        assert classify(RawRow((RawCell((line,)), RawCell(()), RawCell(())), 1, 1)) == "section"


@pytest.mark.parametrize("line", ["十十、标题", "（一、标题", "一）标题", "一、"])
def test_malformed_section_numbers_are_no_section(line):
    assert SECTION_RE.match(line) is None


@pytest.mark.parametrize("task_form", TASK_FORMS, ids=lambda f: f[0].format(f[1](f[2])))
def test_every_task_form_is_a_task_row_and_opens_a_row(task_form):
    form, digits, first = task_form
    line = form.format(digits(first)) + TASKS[0][0]
    m = TASK_RE.match(line)
    assert m and m["title"] == TASKS[0][0]
    assert ROW_OPENER.match(line) and not SECTION_OPENER.match(line)


@pytest.mark.parametrize("n", [0, 1, 9, 10, 11, 19, 20, 21, 99])
def test_chinese_numerals_read_back(n):
    assert cn_number(cn(n)) == n
