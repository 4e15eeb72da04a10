"""The HTML reader: decoding, finding the task table, Word/WPS markup, and cross-format equality.

Fixtures are the committed pages under tests/fixtures/html/ (built by
``python -m tests.fixtures.build_html``); a few cases build their bytes inline.
"""
from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st

from pipeline.cli import main as cli_main
from pipeline.errors import EncodingError, NoTaskTableError
from pipeline.grammar import normalize_ws
from pipeline.models import RawTable
from pipeline.read.html import collapse_ws, decode_html, paragraphs, read_html
from pipeline.stitch import stitch
from tests.conftest import extracted
from tests.equivalence import assert_same_content

HTML = Path(__file__).resolve().parent / "fixtures" / "html"
WORD = HTML / "cnipa-2024-word-gb18030.html"
WPS = HTML / "cnipa-2024-wps-utf8-bom.html"
TITLE = "2024年推动知识产权高质量发展任务清单"


def read(name: str) -> RawTable:
    path = HTML / name
    return read_html(path.read_bytes(), str(path))


def texts(table: RawTable) -> list[list[str]]:
    """Each row's three cells as normalised text, paragraphs joined by ``|``."""
    return [["|".join(normalize_ws(p) for p in c.paragraphs) for c in row.cells]
            for row in table.rows]


SECTION = ["一、全面强化知识产权宏观统筹", "", ""]


# ---- the full renderings ----------------------------------------------------------------------

#: Every whole-list rendering: our Word and WPS pages, a TRS (CMS) page in GBK split into one
#: table a page, and real exporters' output (LibreOffice HTML and XHTML, a pandoc fragment).
FULL = sorted(HTML.glob("cnipa-2024-*.html"))


def test_full_renderings_include_real_exporters_and_a_cms_page():
    names = {p.name for p in FULL}
    assert {WORD.name, WPS.name, "cnipa-2024-trs-cms-gbk.html"} <= names
    assert any("libreoffice" in n for n in names) and any("pandoc" in n for n in names)


@pytest.mark.parametrize("path", FULL, ids=[p.stem.removeprefix("cnipa-2024-") for p in FULL])
def test_full_rendering_equals_text_dump(path, doc_2024):
    doc = extracted(path)
    assert doc.fmt == "html"
    assert_same_content(doc, doc_2024)


def test_cms_page_reads_its_per_page_tables_as_one_keeping_the_dump_page_numbers(doc_2024):
    doc = extracted(HTML / "cnipa-2024-trs-cms-gbk.html")
    assert [(t.page_start, t.page_end) for t in doc.tasks] == \
        [(t.page_start, t.page_end) for t in doc_2024.tasks]
    assert any("split over 11 HTML tables" in n for n in doc.notes)


def test_word_rendering_is_gb18030_bytes_that_gb2312_cannot_decode():
    data = WORD.read_bytes()
    assert b"charset=gb2312" in data
    assert "—".encode("gb18030") in data  # the list's 中国—中亚
    with pytest.raises(UnicodeDecodeError):
        data.decode("gb2312")  # GBK-only characters in the notice (喆, 堃, ——)
    text, notes = decode_html(data, "w.html")
    assert "中国—中亚" in text and "―" not in text
    assert notes == ()  # a gb2312 label meaning GB18030 is no news


def test_word_rendering_ignores_notice_layout_and_download_tables():
    table = read(WORD.name)
    assert table.title == TITLE
    firsts = [normalize_ws("".join(r.cells[0].paragraphs)) for r in table.rows]
    assert firsts[0] == "一、全面强化知识产权宏观统筹"
    assert not any("附件下载" in f or "序号" in f or "首页" in f for f in firsts)
    assert texts(table)[-1] == ["", "", ""]  # Word's column-width row, dropped by stitch


def test_utf8_rendering_keeps_the_dump_page_numbers(doc_2024):
    doc = extracted(WPS)
    assert [(t.page_start, t.page_end) for t in doc.tasks] == \
        [(t.page_start, t.page_end) for t in doc_2024.tasks]
    assert any("split over 2 HTML tables" in n for n in doc.notes)


# ---- decoding ---------------------------------------------------------------------------------

def test_gb2312_label_decodes_as_gb18030_keeping_the_em_dash():
    table = read("gb2312_label_gb18030_bytes.html")
    assert texts(table)[1][1] == "国家知识产权局：夯实中国—中亚合作机制。"
    assert table.notes == ()


@pytest.mark.parametrize("name, declared, used", [
    ("wrong_charset_utf8.html", "gb2312", "UTF-8"),
    ("wrong_charset_gb18030.html", "utf-8", "GB18030"),
    ("latin1_label_gb18030_bytes.html", "iso-8859-1", "GB18030"),
    ("euckr_label_gb18030_bytes.html", "euc-kr", "GB18030"),  # decodes, into mojibake
])
def test_wrong_declared_charset_falls_back_with_a_note(name, declared, used):
    table = read(name)
    assert texts(table)[1][1] == "国家知识产权局：夯实中国—中亚合作机制。"
    assert table.notes == (f"{HTML / name}: declared charset {declared} does not fit the bytes; "
                           f"decoded as {used}",)


def test_undeclared_gb18030_page_is_decoded_with_a_note():
    table = read("no_charset_gb18030.html")
    assert texts(table)[1][1] == "国家知识产权局：夯实中国—中亚合作机制。"
    assert "no declared charset and not UTF-8; decoded as GB18030" in table.notes[0]


@pytest.mark.parametrize("name", ["meta_charset_first.html", "http_equiv_first.html"])
def test_first_charset_declaration_wins(name):
    table = read(name)
    assert table.notes == ()
    assert texts(table)[1][1] == "国家知识产权局：夯实中国—中亚合作机制。"


def test_undecodable_bytes_raise_encoding_error():
    # Mostly valid UTF-8 with a few bad bytes: a damaged download, named as one (as for a dump).
    with pytest.raises(EncodingError, match=r"^\S+: UTF-8 text with invalid bytes \(the first at byte \d+\)"):
        read("undecodable.html")


def test_charset_named_twice_is_named_once_in_the_error():
    page = (b'<?xml version="1.0" encoding="utf-8"?><html><head><meta charset="utf-8"></head>'
            b"<body>\x80\xff\x80\xff</body></html>")
    with pytest.raises(EncodingError, match="neither as the declared utf-8 nor as GB18030 —"):
        read_html(page, "twice.html")


def test_bom_overrides_a_wrong_declaration():
    page = (HTML / "wrong_charset_utf8.html").read_bytes()
    table = read_html(codecs.BOM_UTF8 + page, "bom.html")
    assert table.notes == ()
    assert texts(table)[1][1] == "国家知识产权局：夯实中国—中亚合作机制。"


def test_bom_with_bytes_it_cannot_decode_raises():
    with pytest.raises(EncodingError, match="UTF-8 its byte-order mark announces"):
        read_html(codecs.BOM_UTF8 + b"<html><body>\xff\xfe</body></html>", "bad.html")


def test_control_characters_are_dropped_with_a_note_never_made_replacement_characters():
    page = (HTML / "colspan_section.html").read_bytes().replace("制定".encode(), "制\x00定".encode())
    table = read_html(page, "nul.html")
    assert texts(table)[1][1] == "国家知识产权局：制定年度推进计划。"
    assert table.notes == ("nul.html: dropped 1 control character(s) (NUL and the like)",)


def test_no_fixture_yields_replacement_characters_or_gb2312_dashes():
    for path in HTML.glob("*.html"):
        try:
            table = read_html(path.read_bytes(), str(path))
        except (EncodingError, NoTaskTableError):
            continue
        every = "".join(p for row in table.rows for c in row.cells for p in c.paragraphs)
        assert "\ufffd" not in every and "―" not in every, path.name


# ---- finding the table ------------------------------------------------------------------------

def test_task_table_found_among_layout_nested_and_download_tables():
    table = read("several_tables.html")
    assert texts(table) == [SECTION, ["1.持续推进实施", "国家知识产权局：制定年度推进计划。",
                                      "局内：办公室"]]
    assert table.title == TITLE


def test_headerless_table_after_a_page_break_continues_but_a_download_table_does_not():
    table = read("split_tables.html")
    assert [(r.page, r.row) for r in table.rows] == [(1, 2), (1, 3), (2, 4), (2, 5)]
    assert not any("序号" in row[0] or "清单.pdf" in row[1] for row in texts(table))
    first, second = stitch(table).tasks
    assert [p.text for p in first.measures] == ["国家知识产权局：制定年度推进计划。", "各地区：强化导向。"]
    assert [p.text for p in second.division] == ["局内：联席办"]


def test_caption_gives_the_title():
    page = ("<html><head><meta charset='utf-8'><title>通知</title></head><body><p>2024年3月29日</p>"
            "<table><caption>《2024年推动知识产权高质量发展任务清单》</caption>"
            "<tr><th>重点任务</th><th>工作举措</th><th>任务分工</th></tr>"
            "<tr><td>1.持续推进实施</td><td>国家知识产权局：推进。</td><td>局内：办公室</td></tr>"
            "</table></body></html>")
    assert read_html(page.encode(), "caption.html").title == TITLE


def test_second_list_after_notice_text_is_not_joined_to_the_first():
    task = ("<table border=1><tr><td>重点任务</td><td>工作举措</td><td>任务分工</td></tr>"
            "<tr><td>1.持续推进实施</td><td>国家知识产权局：{}。</td><td>局内：办公室</td></tr></table>")
    page = ("<html><head><meta charset='utf-8'></head><body><p>2024年推动知识产权高质量发展任务清单</p>"
            + task.format("今年") + "<p>以下为2023年推动知识产权高质量发展任务清单，供对照参考。</p>"
            + task.format("去年") + "</body></html>")
    table = read_html(page.encode(), "two.html")
    assert texts(table) == [["1.持续推进实施", "国家知识产权局：今年。", "局内：办公室"]]
    assert table.notes == ()


def test_xhtml_with_xml_declaration_th_header_and_title_over_two_paragraphs():
    table = read("xhtml_xml_declaration.html")
    assert table.notes == ()  # the XML declaration's gb2312 is honoured as GB18030
    # 附件<br/>２０２４年推动知识产权 + 高质量发展任务清单
    assert table.title == "２０２４年推动知识产权高质量发展任务清单"
    assert stitch(table).year == 2024
    assert texts(table) == [SECTION, ["1.持续推进实施", "国家知识产权局：夯实中国—中亚合作机制。",
                                      "局内：国际合作司"]]


def test_running_head_naming_the_list_between_per_page_tables_continues_the_table():
    table = read("running_head_tables.html")
    assert [(r.page, r.row) for r in table.rows] == [(1, 2), (1, 3), (2, 4), (2, 5)]
    first, second = stitch(table).tasks
    assert [p.text for p in first.measures] == ["国家知识产权局：制定年度推进计划。", "各地区：强化导向。"]
    assert [p.text for p in second.division] == ["局内：联席办"]  # not the download table's row


def test_running_foot_repeated_between_per_page_tables_continues_the_table():
    tasks = stitch(read("running_foot_tables.html")).tasks
    assert [t.task_no for t in tasks] == [1, 2, 3]
    assert [p.text for p in tasks[0].measures] == ["国家知识产权局：制定年度推进计划。"]


def test_per_page_tables_each_in_a_layout_table_of_their_own_are_read_as_one():
    table = read("layout_wrapped_pages.html")
    assert [(r.page, r.row) for r in table.rows] == [(1, 2), (1, 3), (2, 4), (2, 5)]
    first, second = stitch(table).tasks
    assert [p.text for p in first.measures] == ["国家知识产权局：制定年度推进计划。"]
    assert [p.text for p in second.division] == ["局内：联席办"]  # the sidebar is not data


def test_headerless_page_tables_with_a_spacer_column_map_their_three_text_columns():
    table = read("spacer_column_page.html")
    assert [r.page for r in table.rows] == [1, 1, 2, 2, 3, 4]  # the empty table is no page
    tasks = stitch(table).tasks
    assert [p.text for p in tasks[0].measures] == ["国家知识产权局：制定年度推进计划。"]
    assert [p.text for p in tasks[0].division] == ["局内：办公室", "省份：各省必做"]
    assert [p.text for p in tasks[1].measures] == ["国家知识产权局：发挥作用，健全机制。"]
    assert [p.text for p in tasks[1].division] == ["局内：联席办", "省份：各省必做"]
    assert [p.text for p in tasks[2].division] == ["局内：人事司"]


def test_converted_pdf_page_keeps_the_dump_page_numbers(doc_2024):
    doc = extracted(HTML / "cnipa-2024-pdf-converted-per-page.html")
    assert [(t.page_start, t.page_end) for t in doc.tasks] == \
        [(t.page_start, t.page_end) for t in doc_2024.tasks]


def test_section_headings_set_above_per_section_tables_are_section_rows():
    table = read("section_headings_between_tables.html")
    # A heading row takes the <tr> index of the row it stands above; the repeated header
    # (row 3 of the second table) is dropped by stitch.
    assert [(r.page, r.row) for r in table.rows] == [(1, 2), (1, 2), (1, 3), (1, 3), (1, 4),
                                                     (2, 5), (2, 5)]
    st = stitch(table)
    assert [(s.section_no, s.section_title) for s in st.sections] == [
        (1, "全面强化知识产权宏观统筹"), (2, "全面加强知识产权法治保障"), (3, "全面推进知识产权转化运用")]
    assert [(t.section_no, t.task_no) for t in st.tasks] == [(1, 1), (2, 2), (3, 3)]
    assert [p.text for p in st.tasks[2].division] == ["局内：运用促进司"]


def test_page_number_and_running_head_rows_inside_the_table_are_not_data():
    table = read("running_rows_in_table.html")
    assert [(r.page, r.row) for r in table.rows] == [(1, 2), (1, 3), (2, 6), (2, 7)]
    first, second = stitch(table).tasks
    assert first.task_title == "持续推进实施"
    assert [p.text for p in first.measures] == ["国家知识产权局：制定年度推进计划。", "各地区：强化导向。"]
    assert [p.text for p in second.division] == ["局内：联席办"]


@pytest.mark.parametrize("after", [
    "<p>- 2 -</p><table border=1><tr><td>1.加强组织领导</td><td>各地区：高度重视。</td>"
    "<td>按时报送</td></tr></table>",
    "<p>2023年推动知识产权高质量发展任务清单</p><table border=1>" + "<tr><td>重点任务</td>"
    "<td>工作举措</td><td>任务分工</td></tr><tr><td colspan=3>一、全面强化知识产权宏观统筹</td></tr>"
    "<tr><td>1.持续推进实施</td><td>国家知识产权局：去年。</td><td>局内：办公室</td></tr></table>",
], ids=["numbered-table-after-a-page-number", "last-year-list-after-its-title"])
def test_a_later_table_that_does_not_number_on_from_the_list_is_not_part_of_it(after):
    page = ("<html><head><meta charset='utf-8'></head><body><p>2024年推动知识产权高质量发展任务清单</p>"
            "<table border=1><tr><td>重点任务</td><td>工作举措</td><td>任务分工</td></tr>"
            "<tr><td colspan=3>一、全面强化知识产权宏观统筹</td></tr>"
            "<tr><td>1.持续推进实施</td><td>国家知识产权局：今年。</td><td>局内：办公室</td></tr>"
            "<tr><td>2.加大统筹</td><td>国家知识产权局：发挥作用。</td><td>局内：联席办</td></tr>"
            f"</table>{after}</body></html>")
    table = read_html(page.encode(), "later.html")
    assert [row[0] for row in texts(table)] == [SECTION[0], "1.持续推进实施", "2.加大统筹"]
    assert table.notes == ()


def test_page_without_task_table_raises_no_task_table_error():
    with pytest.raises(NoTaskTableError, match="none of the page's 1 tables has the header row"):
        read("no_task_table.html")


def test_pdf_converted_to_positioned_text_is_named_as_such():
    with pytest.raises(NoTaskTableError, match=r"header words 重点任务 / 工作举措 / 任务分工 are in "
                       r"the page's text but the page has no table \(a PDF converted to "
                       r"positioned text keeps none\) — give the PDF itself"):
        read("positioned_text_no_table.html")


def test_title_row_inside_the_table_is_the_title_not_data():
    table = read("title_in_table.html")
    assert table.title == TITLE  # 附件： removed; the page <title> is the notice's
    assert texts(table)[0] == SECTION
    assert table.rows[0].row == 3  # <tr> index: title row 1, header row 2


# ---- Word and WPS markup ----------------------------------------------------------------------

@pytest.mark.parametrize("name", ["colspan_section.html", "three_cell_section.html",
                                  "strong.html"])
def test_section_row_puts_its_text_in_the_first_cell(name):
    table = read(name)
    assert texts(table)[0] == SECTION
    assert table.rows[0].cells[0].bold
    assert stitch(table).sections[0].section_title == "全面强化知识产权宏观统筹"


def test_rowspan_task_title_makes_a_continuation_row():
    rows = texts(read("rowspan.html"))
    assert rows[1:3] == [["1.持续推进实施", "国家知识产权局：制定计划。", "局内：办公室"],
                         ["", "各地区：强化导向。", "省份：各省必做"]]
    task = stitch(read("rowspan.html")).tasks[0]
    assert [p.text for p in task.measures] == ["国家知识产权局：制定计划。", "各地区：强化导向。"]


def test_rowspan_division_over_two_tasks_is_repeated_for_each():
    rows = texts(read("rowspan.html"))
    assert rows[3][2] == rows[4][2] == "局内：联席办"
    assert rows[4][0] == "3.提升示范作用"


def test_br_separates_paragraphs_and_empty_ones_are_dropped():
    rows = texts(read("br_paragraphs.html"))
    assert rows[1][1] == "国家知识产权局：制定计划。|各地区：强化导向。|有关省份：抓好落实。"
    assert rows[1][2] == "局内：办公室|省份：各省必做"


def test_nested_spans_join_with_nothing_and_source_newlines_vanish():
    table = read("nested_spans.html")
    cells = [c.paragraphs for c in table.rows[1].cells]
    assert cells[0] == ("1.持续推进实施",)
    assert cells[1] == ("国家知识产权局：制定年度推进计划，支持ISO 9001认证。",)
    assert cells[2] == ("局内：办公室",)


def test_nbsp_is_whitespace_and_an_nbsp_cell_is_empty():
    table = read("nbsp.html")
    assert texts(table)[1][:2] == ["1.持续推进实施", "国家知识产权局：推动WIPO合作。"]
    assert table.rows[2].cells[0].is_empty
    assert stitch(table).tasks[0].task_title == "持续推进实施"


def test_font_tags_are_inline():
    assert texts(read("font.html"))[1] == ["1.持续推进实施", "国家知识产权局：制定计划。",
                                            "局内：办公室"]


def test_task_numbers_in_every_style():
    tasks = stitch(read("task_numbers.html")).tasks
    assert [(t.task_no, t.task_title) for t in tasks] == [
        (1, "持续推进实施"), (2, "加大统筹力度"), (3, "提升示范作用"), (4, "强化法治保障")]


def test_div_cells_and_th_header_in_thead():
    rows = texts(read("div_cells.html"))
    assert rows == [SECTION, ["1.持续推进实施", "国家知识产权局：制定计划。|各地区：强化导向。",
                              "局内：办公室|省份：各省必做"]]


def test_page_breaks_count_pages_and_cut_rows_are_joined_by_stitch():
    table = read("page_breaks.html")
    assert [(r.page, r.row) for r in table.rows] == [(1, 2), (1, 3), (2, 4), (3, 5), (3, 6)]
    first, second = stitch(table).tasks
    assert [p.text for p in first.measures] == ["国家知识产权局：制定年度推进计划，加强统计监测。",
                                                "各地区：强化导向。"]
    assert (first.page_start, first.page_end, second.page_start) == (1, 2, 3)
    assert [p.text for p in second.division] == ["局内：联席办"]  # the download table is not data


def test_zero_width_marks_and_soft_hyphens_are_no_text_and_hide_no_label():
    row = read("zero_width_marks.html").rows[1]
    assert row.cells[1].paragraphs == ("国家知识产权局：制定年度推进计划。各地区：强化导向。",)
    task = stitch(read("zero_width_marks.html")).tasks[0]
    assert [p.text for p in task.division] == ["局内：办公室", "省份：各省必做"]


def test_a_line_opening_with_a_colon_or_closing_mark_joins_the_line_before():
    task = stitch(read("br_before_colon.html")).tasks[0]
    assert [p.text for p in task.measures] == ["国家知识产权局：制定年度推进计划，加强统计监测。",
                                               "各地区：强化导向。"]


def test_a_label_on_a_line_of_its_own_joins_the_text_it_introduces():
    task = stitch(read("label_on_its_own_line.html")).tasks[0]
    assert [p.text for p in task.measures] == ["国家知识产权局：制定年度推进计划。", "各地区：强化导向。"]
    assert [p.text for p in task.division] == ["局内：办公室"]


def test_hidden_text_comments_styles_deletions_and_comment_anchors_are_not_text():
    soup = BeautifulSoup("<td><style>p{}</style><p>国家<!--x--><span style='display:none'>隐"
                         "</span><![if !supportLists]>知识<![endif]><del>删</del>产权<span "
                         "class=MsoCommentReference><a class=msocomanchor>[A1]</a></span>局"
                         "</p></td>", "lxml")
    assert paragraphs(soup.td) == ["国家知识产权局"]


def test_page_break_br_inside_a_paragraph_does_not_cut_it():
    soup = BeautifulSoup("<td><p>制定年度<br clear=all style='page-break-before:always'>推进计划<br>"
                         "各地区：强化</p></td>", "lxml")
    assert paragraphs(soup.td) == ["制定年度推进计划", "各地区：强化"]


@pytest.mark.parametrize("raw, want", [
    ("国家知\n识产权局", "国家知识产权局"),  # exporter's line wrap between Chinese characters
    ("计划。  各地区：", "计划。 各地区："),  # a real space stays (it may separate clauses)
    ("ISO\n  9001", "ISO 9001"),
    ("制定\n2024年", "制定 2024年"),
])
def test_source_whitespace_collapses_as_a_browser_renders_it(raw, want):
    assert collapse_ws(raw) == want


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=30), min_size=1, max_size=8),
       st.lists(st.sampled_from(["", "\n", "\n  ", "</span>\n<span>", "</span><span><b>",
                                 "</b></span><span>"]), min_size=8, max_size=8))
def test_span_and_line_cuts_never_change_the_paragraph(cuts, seps):
    text = "国家知识产权局：制定实施《纲要》和《规划》年度推进计划，加强统计监测和督促检查。"
    pieces, at = [], 0
    for n in cuts:
        pieces.append(text[at:at + n])
        at += n
    pieces.append(text[at:])
    markup = "<span><b>" + "".join(p + s for p, s in zip(pieces, seps + [""] * 9)) + "</b></span>"
    soup = BeautifulSoup(f"<table><tr><td><p>{markup}</p></td></tr></table>", "lxml")
    assert paragraphs(soup.td) == [text]


# ---- the command line -------------------------------------------------------------------------

def test_cli_extracts_an_html_page(tmp_path, capsys):
    assert cli_main(["extract", str(HTML / "page_breaks.html"), "--out", str(tmp_path / "out"),
                     "--quiet"]) == 0
    assert (tmp_path / "out" / "tasks.parquet").exists()


def test_cli_reports_an_undecodable_page_in_one_line(tmp_path, capsys):
    code = cli_main(["extract", str(HTML / "undecodable.html"), "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[0].startswith(f"{HTML / 'undecodable.html'}: UTF-8 text with invalid bytes")
    assert "Traceback" not in "\n".join(err)
    assert not (tmp_path / "out").exists()
