"""The PDF reader's steps on synthetic geometry: glyph and rule boxes in, columns, bands,
cells and paragraphs out — no PDF needed, so a new rule costs a ten-line test."""
from __future__ import annotations

import pytest

from pipeline.read.pdf.bands import bands_from_text, is_ruled, row_bands, spanning_rules
from pipeline.read.pdf.cells import row_cells
from pipeline.read.pdf.columns import Columns, bounds_at, gutter
from pipeline.read.pdf.glyphs import Char, PageGlyphs, Seg, add_rules, dedupe
from pipeline.read.pdf.lines import visual_lines
from pipeline.read.pdf.paragraphs import split_paragraphs
from pipeline.read.pdf.settings import SETTINGS, Settings

ST = SETTINGS
SIZE = 10.0


def text(s: str, x: float, top: float, size: float = SIZE, bold: bool = False) -> list[Char]:
    """Glyphs of ``s`` set from ``x`` at ``top``: CJK one em wide, ASCII half."""
    out = []
    for ch in s:
        w = size * (0.5 if ord(ch) < 0x80 else 1.0)
        out.append(Char(ch, x, x + w, top, top + size, size, bold))
        x += w
    return out


def page(chars: list[Char], hsegs: list[Seg] = (), vsegs: list[Seg] = ()) -> PageGlyphs:
    return PageGlyphs(1, 600.0, 800.0, chars, list(hsegs), list(vsegs), False)


COLUMNS = Columns([50.0, 150.0, 400.0, 550.0])


# ---- glyphs and rules ------------------------------------------------------------------------

def test_thin_rectangles_are_rules_and_outlined_boxes_four_edges():
    hsegs: list[Seg] = []
    vsegs: list[Seg] = []
    add_rules({"x0": 50, "x1": 550, "top": 99.5, "bottom": 100.5}, hsegs, vsegs, ST)
    add_rules({"x0": 49.5, "x1": 50.5, "top": 100, "bottom": 300}, hsegs, vsegs, ST)
    add_rules({"x0": 10, "x1": 20, "top": 10, "bottom": 20, "object_type": "rect",
               "fill": True, "stroke": False}, hsegs, vsegs, ST)  # shading: no rule
    assert hsegs == [Seg(100.0, 50, 550)] and vsegs == [Seg(50.0, 100, 300)]


def test_a_glyph_drawn_twice_for_fake_bold_is_one():
    chars = text("国", 100, 100) + text("国", 100.2, 100.1)
    assert len(dedupe(chars, ST)) == 1


# ---- columns ---------------------------------------------------------------------------------

def test_column_boundaries_come_from_rules_at_the_header_else_from_gutters():
    words = [(60.0, 50.0, 100.0, 60.0), (200.0, 50.0, 240.0, 60.0), (430.0, 50.0, 470.0, 60.0)]
    body = text("一二三四", 60, 80) + text("五六七八九十一二", 160, 80) + text("局内", 410, 80)
    ruled = page(body, vsegs=[Seg(x, 40, 300) for x in (50.0, 155.0, 405.0, 550.0)])
    header = ["重点任务", "工作举措", "任务分工"]
    assert bounds_at(ruled, words, header, body, ST) == ([50.0, 155.0, 405.0, 550.0], header)
    unruled = page(body)
    (left, inner1, inner2, right), _ = bounds_at(unruled, words, header, body, ST)
    # The text's extent (or the last header word's), half an em out.
    assert left == 60 - 0.5 * SIZE and right == 470 + 0.5 * SIZE
    assert 100 < inner1 < 160 and 240 < inner2 < 410  # in the gutters


def test_two_rules_with_text_between_and_no_header_word_bound_a_column_with_an_empty_header():
    words = [(60.0, 50.0, 100.0, 60.0), (200.0, 50.0, 240.0, 60.0), (430.0, 50.0, 470.0, 60.0)]
    header = ["重点任务", "工作举措", "任务分工"]
    body = text("12", 30, 80) + text("一二三四", 60, 80) + text("五六七八九十一二", 160, 80) \
        + text("局内", 410, 80)
    serial = page(body, vsegs=[Seg(x, 40, 300) for x in (20.0, 50.0, 155.0, 405.0, 550.0)])
    assert bounds_at(serial, words, header, body, ST) == \
        ([20.0, 50.0, 155.0, 405.0, 550.0], ["", *header])
    # A page frame left of the table, with no text between it and the table: no column.
    framed = page(body[2:], vsegs=[Seg(x, 10, 800) for x in (5.0,)]
                  + [Seg(x, 40, 300) for x in (50.0, 155.0, 405.0, 550.0)])
    assert bounds_at(framed, words, header, body[2:], ST) == \
        ([50.0, 155.0, 405.0, 550.0], header)


def test_a_gutter_crossed_by_one_merged_section_title_is_still_found():
    chars = text("一二三", 0, 0) + text("四五六", 60, 0) + text("一二三四五六七", 0, 20)
    assert 30 <= gutter(chars, 0, 60, ST) <= 60


# ---- row bands -------------------------------------------------------------------------------

def test_spanning_rules_merge_close_ones_and_skip_those_beside_a_rowspan_cell():
    segs = [Seg(100.0, 50, 550), Seg(100.5, 50, 550),  # one rule drawn twice
            Seg(200.0, 150, 550),  # under a 工作举措 paragraph only (task cell spans rows)
            Seg(300.0, 50, 550), Seg(350.0, 60, 120)]  # a link's underline
    assert spanning_rules(segs, 50, 550, SIZE, ST, first=150) == [100.0, 300.0]


def test_ruled_page_bands_lie_between_the_rules():
    rules = [Seg(y, 50, 550) for y in (100.0, 150.0, 260.0)]
    p = page(text("1.任务", 55, 110) + text("2.任务", 55, 160), hsegs=rules,
             vsegs=[Seg(x, 100, 260) for x in COLUMNS.bounds])
    assert is_ruled(p, COLUMNS, ST)
    assert row_bands(p, COLUMNS, SIZE, ST) == [(100.0, 150.0), (150.0, 260.0)]


def test_a_band_ruled_only_around_it_is_cut_before_each_row_number():
    rules = [Seg(100.0, 50, 550), Seg(400.0, 50, 550)]  # 三线表: no rule between rows
    p = page(text("1.任务", 55, 110) + text("2.任务", 55, 200), hsegs=rules)
    assert row_bands(p, COLUMNS, SIZE, ST) == [(100.0, 200 - 0.25 * SIZE), (200 - 0.25 * SIZE, 400.0)]


def test_unruled_rows_open_at_numbers_and_top_aligned_edges_sit_in_the_gap_above():
    lines = []
    for top, first in ((100, "1.任务"), (160, "2.任务")):
        lines += text(first, 55, top) + text("措施" * 10, 160, top) + \
            text("措施" * 10, 160, top + 12) + text("局内", 410, top)
    p = page(lines)
    assert not is_ruled(p, COLUMNS, ST)
    bands = bands_from_text(p, COLUMNS, SIZE, ST)
    assert len(bands) == 2
    assert bands[0][0] < 100 and 122 < bands[0][1] < 160 and bands[1][1] > 170


def test_settings_change_the_rule_they_name():
    """A wider rule_merge joins rules 3 pt apart; the default keeps them apart."""
    segs = [Seg(100.0, 50, 550), Seg(103.0, 50, 550)]
    assert len(spanning_rules(segs, 50, 550, SIZE, ST)) == 2
    assert len(spanning_rules(segs, 50, 550, SIZE, Settings(rule_merge=0.5))) == 1


# ---- cells -----------------------------------------------------------------------------------

def test_a_section_title_running_across_the_columns_is_one_merged_cell():
    chars = text("一、全面强化知识产权宏观统筹" * 3, 55, 110)  # 42 em: over both boundaries
    row = row_cells(page(chars), COLUMNS, 1, (100.0, 130.0), chars, SIZE, ST)
    assert [bool(c.lines) for c in row.cells] == [True, False, False]
    assert row.cells[0].right == 550.0  # the cell spans the table


def test_a_row_of_three_cells_is_split_at_the_column_boundaries():
    chars = text("1.任务", 55, 110) + text("措施", 160, 110) + text("局内", 410, 110)
    row = row_cells(page(chars), COLUMNS, 1, (100.0, 130.0), chars, SIZE, ST)
    assert [[ln.text for ln in c.lines] for c in row.cells] == [["1.任务"], ["措施"], ["局内"]]


# ---- paragraphs ------------------------------------------------------------------------------

def test_an_indented_line_or_a_short_one_opens_a_paragraph():
    chars = (text("各地区：" + "加强" * 8, 160, 100)  # full line, ends at the right edge
             + text("保护工作。", 160, 114)  # short: the next line's first word would fit
             + text("国家知识产权局：" + "推进" * 6, 180, 128)  # indented
             + text("实施。", 160, 142))
    lines = visual_lines(chars, ST)
    paragraphs = split_paragraphs(lines, 160.0, 360.0, {SIZE: 14.0}, ST)
    assert ["".join(p) for p in paragraphs] == [
        "各地区：" + "加强" * 8 + "保护工作。", "国家知识产权局：" + "推进" * 6 + "实施。"]


def test_settings_are_validated():
    with pytest.raises(ValueError, match="span_share"):
        Settings(span_share=1.5)
    with pytest.raises(ValueError, match="indent"):
        Settings(indent=-1)
    with pytest.raises(ValueError, match="inner_rule_share"):
        Settings(inner_rule_share=0.5)
