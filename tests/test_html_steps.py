"""The HTML reader's steps one by one, on a few lines of markup each (pipeline/read/html/).

The full renderings stay end-to-end cases in test_read_html.py; here each step gets its own
small input, so a new rule needs a ten-line test.
"""
from __future__ import annotations

import pytest
from bs4 import BeautifulSoup, Tag

from pipeline.errors import HtmlDamagedError, InputTooLargeError
from pipeline.grammar import STANDARD_LAYOUT
from pipeline.models import RawCell, RawRow
from pipeline.read import decode
from pipeline.read.html import table_grids
from pipeline.read.html.checks import (
    check_accounted,
    check_budget,
    check_markup,
    check_rows_hold_their_text,
    check_task_numbers,
)
from pipeline.read.html.continuation import continuing_tables
from pipeline.read.html.grid import (
    grid,
    grid_text,
    header_columns,
    header_row,
    logical_cells,
    text_columns,
)
from pipeline.read.html.pages import break_marks, raw_rows, running_row
from pipeline.read.html.settings import SETTINGS, HtmlSettings
from pipeline.read.html.title import find_title

HEADER = "<tr><td>重点任务</td><td>工作举措</td><td>任务分工</td></tr>"


def soup(markup: str) -> BeautifulSoup:
    return BeautifulSoup(markup, "lxml")


def first_table(markup: str) -> Tag:
    table = soup(markup).find("table")
    assert isinstance(table, Tag)
    return table


def row(first: str, page: int = 1, n: int = 1, rest: str = "各地区：做。") -> RawRow:
    return RawRow(cells=(RawCell((first,)), RawCell((rest,)), RawCell(("局内：办公室",))),
                  page=page, row=n)


# ---- grid ------------------------------------------------------------------------------------

SPANS = ("<table>" + HEADER
         + "<tr><td colspan=3>一、全面强化</td></tr>"
         + "<tr><td rowspan=2>1. 推进</td><td>各地区：甲。</td><td rowspan=2>局内：办公室</td></tr>"
         + "<tr><td>有关省份：乙。</td></tr></table>")


def test_grid_expands_rowspan_and_colspan_into_slots() -> None:
    g = grid(first_table(SPANS))
    assert g.width == 3 and len(g.slots) == 4
    assert [g.slots[1][c][1] for c in range(3)] == [True, False, False]  # colspan=3
    assert [g.slots[3][c][1] for c in range(3)] == [False, True, False]  # rowspans reach


def test_header_row_and_its_columns() -> None:
    g = grid(first_table("<table><tr><td colspan=3>2024年任务清单</td></tr>" + HEADER + "</table>"))
    at = header_row(g)
    assert at == 1
    assert header_columns(g.slots[at], 3) == {0: 0, 1: 1, 2: 2}


def test_logical_cells_read_a_spanned_row_once() -> None:
    g = grid(first_table(SPANS))
    columns = header_columns(g.slots[0], 3)
    section = logical_cells(g.slots[1], columns, STANDARD_LAYOUT)
    assert section is not None and section[0].paragraphs == ("一、全面强化",)
    assert section[1].is_empty and section[2].is_empty
    continued = logical_cells(g.slots[3], columns, STANDARD_LAYOUT)
    assert continued is not None
    assert [c.paragraphs for c in continued] == [(), ("有关省份：乙。",), ()]


def test_text_columns_map_spacer_columns_to_their_left() -> None:
    g = grid(first_table("<table><tr><td></td><td>1. 甲</td><td></td><td>各地区：乙</td>"
                         "<td>局内：丙</td></tr></table>"))
    assert text_columns(g, 3) == {0: 0, 1: 0, 2: 0, 3: 1, 4: 2}


def test_grid_text_shows_origins_and_what_spans_reach() -> None:
    text = grid_text(first_table(SPANS))
    lines = text.splitlines()
    assert lines[0] == "table: 4 rows, 3 grid columns, header at row 1"
    assert lines[1].startswith("   1H| 重点任务")
    assert [c.strip() for c in lines[2].split("|")[1:]] == ["一、全面强化", "<", "<"]
    assert lines[4].split("|")[1].strip() == "^" and lines[4].split("|")[3].strip() == "^"


def test_table_grids_prints_every_table_of_a_page() -> None:
    page = ("<html><body><table><tr><td>通知</td></tr></table>" + SPANS + "</body></html>").encode()
    text = table_grids(page, "p.html")
    assert text.count("p.html: table ") == 2
    assert "p.html: table 2 of 2, table: 4 rows, 3 grid columns, header at row 1" in text


# ---- continuation and pages ------------------------------------------------------------------

def _parts(between: str, later: str) -> int:
    markup = ("<body><table>" + HEADER + "<tr><td>1. 甲</td><td>各地区：做。</td><td>局内：办公室</td>"
              "</tr></table>" + between + "<table>" + later + "</table></body>")
    s = soup(markup)
    table = s.find("table")
    assert isinstance(table, Tag)
    return 1 + len(continuing_tables(s, table, grid(table), ()))


@pytest.mark.parametrize("between, later, parts", [
    ("<p>- 2 -</p>", "<tr><td></td><td>各地区：续。</td><td></td></tr>", 2),
    ("<p>- 2 -</p>", "<tr><td>2. 乙</td><td>各地区：做。</td><td>局内：办公室</td></tr>", 2),
    ("<p>附件下载：请点击这里下载全文。</p>", "<tr><td></td><td>各地区：续。</td><td></td></tr>", 1),
    ("<p>- 2 -</p>", "<tr><td>1. 另一清单</td><td>各地区：做。</td><td>局内：办公室</td></tr>", 1),
])
def test_a_later_table_continues_only_after_page_furniture_and_numbering_on(
        between: str, later: str, parts: int) -> None:
    assert _parts(between, later) == parts


def test_page_breaks_on_rows_count_pages() -> None:
    markup = ("<table>" + HEADER + "<tr><td>1. 甲</td><td>各地区：做。</td><td>局内：办</td></tr>"
              "<tr style='page-break-before:always'><td></td><td>续。</td><td></td></tr></table>")
    s = soup(markup)
    table = s.find("table")
    assert isinstance(table, Tag)
    before, after = break_marks(table)
    assert len(before) == 1 and not after
    from pipeline.read.html.continuation import Part

    rows = list(raw_rows([Part(grid(table), 0)], STANDARD_LAYOUT))
    assert [(r.page, r.row) for r in rows] == [(1, 2), (2, 3)]


@pytest.mark.parametrize("text, kind", [("- 3 -", "page number"), ("第3页", "page number"),
                                        ("2024年任务清单", "running head"), ("1. 推进", None)])
def test_running_rows(text: str, kind: str | None) -> None:
    assert running_row((RawCell((text,)), RawCell(), RawCell())) == kind


def test_title_is_the_nearest_line_naming_the_list() -> None:
    s = soup("<title>通知</title><body><p>附件</p><p>2024年推动知识产权高质量发展任务清单</p>"
             "<table>" + HEADER + "</table></body>")
    table = s.find("table")
    assert isinstance(table, Tag)
    assert find_title(s, table, grid(table), 0) == "2024年推动知识产权高质量发展任务清单"


# ---- checks and settings ---------------------------------------------------------------------

def test_budget_counts_only_elements_that_nest() -> None:
    """Unclosed <p> and <td>, void elements and a new cell closing spans do not add depth."""
    check_budget("<table><tr>" + "<td><span><p>x" * 5_000 + "</table>", "ok.html")
    check_budget("<p>x" * 10_000 + "<br>" * 5_000, "ok2.html")
    with pytest.raises(InputTooLargeError, match=f"more than {SETTINGS.max_depth} deep"):
        check_budget("<div>" * (SETTINGS.max_depth + 1), "deep.html")


def test_budget_takes_its_limits_from_settings() -> None:
    small = HtmlSettings(max_tables=2)
    with pytest.raises(InputTooLargeError, match="the page has 3 tables; the limit is 2"):
        check_budget("<table></table>" * 3, "t.html", small)


def test_settings_are_validated() -> None:
    with pytest.raises(ValueError, match="max_depth must be a positive integer"):
        HtmlSettings(max_depth=0)


def test_markup_checks_name_the_damage() -> None:
    with pytest.raises(HtmlDamagedError, match="attribute of a <td> holds table markup"):
        text = "<table><tr><td style='a></td><td>x</td>'>y</td></tr></table>"
        check_markup(soup(text), text, "q.html")
    text = "<table><tr><td>1. 甲</td></tr><!-- <tr><td>2. 乙</td></tr>"
    with pytest.raises(HtmlDamagedError, match="never closed"):
        check_markup(soup(text), text, "c.html")
    word = "<!--[if gte mso 9]><xml><w:WordDocument/></xml><![endif]--><table></table>"
    check_markup(soup(word), word, "w.html")  # Word's conditional comments are no damage


def test_text_in_a_row_outside_its_cells_is_a_damaged_cell_tag() -> None:
    table = first_table("<table><tr><td>1. 甲</td><td>做。</td></tr>"
                        "<tr><Ud>2. 乙<td>各地区：做。</td><td>局内：办</td></Ud></tr></table>")
    with pytest.raises(HtmlDamagedError, match=r"holds text outside its cells \('2\.乙'\)"):
        check_rows_hold_their_text(grid(table).rows, "u.html")
    whole = first_table("<table><tr>\n <td>1. 甲</td><!-- a note --></tr></table>")
    check_rows_hold_their_text(grid(whole).rows, "w.html")  # whitespace and comments are no text


def test_a_damaged_number_on_the_same_page_is_refused_on_a_new_page_it_is_a_cut_row() -> None:
    rows = [row("1. 甲", n=1), row("2…乙", n=2)]
    with pytest.raises(HtmlDamagedError, match=r"row 2 opens with '2…乙'.*task 2 would follow task 1"):
        check_task_numbers(rows, STANDARD_LAYOUT, "n.html")
    check_task_numbers([row("1. 甲", n=1), row("2024年底前完成", page=2, n=2)], STANDARD_LAYOUT, "cut.html")


def test_numbered_cells_the_rows_lack_are_lost_tasks() -> None:
    markup = "".join(f"<tr><td>{n}. 任务</td></tr>" for n in range(1, 6))
    check_accounted(markup, [row(f"{n}. 任务") for n in range(1, 6)], STANDARD_LAYOUT, "whole.html")
    with pytest.raises(HtmlDamagedError, match="the markup holds tasks 3–5 after task 2"):
        check_accounted(markup, [row("1. 任务"), row("2. 任务")], STANDARD_LAYOUT, "lost.html")
    # Another list after this one starts again at 1.: not lost tasks.
    check_accounted(markup + "<tr><td>1. 下一年</td></tr>",
                    [row(f"{n}. 任务") for n in range(1, 6)], STANDARD_LAYOUT, "two.html")


# ---- decoding, shared by the dump and HTML readers -------------------------------------------

def test_both_readers_decode_with_the_one_module() -> None:
    from pipeline.read import dump, html

    assert dump.decode_text is decode.decode_text
    assert html.decode_html is decode.decode_html
    assert decode.decode_text("任务".encode("gb18030"), "d.txt")[1] == (
        "d.txt: not UTF-8; decoded as GB18030",)
