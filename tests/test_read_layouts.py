"""The readers on every layout of the family (issue 10): HTML, Word (.docx, .doc) and PDF tables of
3 to 8 columns, found by the grammar's header matcher, read as rows of one cell per column.

The renderings under tests/fixtures/layouts/ are built from the text dumps beside them
(``python -m tests.fixtures.build_layouts``); each must read as its dump does. The small cases
build their bytes here.
"""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from pipeline.errors import NoTaskTableError, PipelineError, TableRolesError
from pipeline.grammar import (
    DUE,
    LEAD,
    SECTION_RE,
    SERIAL,
    SUPPORT,
    TASK,
    match_header,
    normalize_ws,
)
from pipeline.models import RawTable
from pipeline.read import office
from pipeline.read.docx import read_docx
from pipeline.read.html import read_html
from pipeline.read.pdf.bands import row_bands
from pipeline.read.pdf.columns import Columns, header_words
from pipeline.read.pdf.glyphs import PageGlyphs, Seg
from pipeline.read.pdf.lines import visual_lines
from pipeline.read.pdf.settings import SETTINGS
from tests.conftest import extracted, read_input
from tests.equivalence import assert_same_content
from tests.test_pdf_steps import text

LAYOUTS = Path(__file__).resolve().parent / "fixtures" / "layouts"
DUMPS = sorted(LAYOUTS.glob("*.txt"))
RENDERINGS = sorted(p for p in LAYOUTS.iterdir() if p.suffix in (".html", ".docx", ".doc", ".pdf"))


@pytest.fixture(scope="module", autouse=True)
def docs_converted_in_one_start():
    """The .doc renderings converted to .docx by one LibreOffice start, not one each.

    :func:`office.convert_many` (the conversion :func:`office.convert_to_docx` runs for one
    document) converts them all at once; the reader is then given those .docx bytes where it
    asks for a conversion of these files, and everything else in it runs as ever. One start
    instead of four saves ~3 s of CPU. tests/test_read_docx.py keeps a .doc going through the
    converter on its own, and that converter's failures.
    """
    docs = [p for p in RENDERINGS if p.suffix == ".doc"]
    try:
        made = office.convert_many([(p.read_bytes(), str(p), "a .doc") for p in docs])
    except PipelineError:  # no LibreOffice, or a file it cannot convert: each test says so itself
        yield
        return
    converted = {p.read_bytes(): docx for p, docx in zip(docs, made, strict=True)}
    one_by_one = office.convert_to_docx

    def convert(data: bytes, source: str, what: str) -> bytes:
        return converted[data] if data in converted else one_by_one(data, source, what)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(office, "convert_to_docx", convert)
        yield


def dump_of(rendering: Path) -> Path:
    return LAYOUTS / (rendering.stem.removesuffix("-pages").removesuffix("-libreoffice") + ".txt")


def column_texts(table: RawTable) -> list[str]:
    """Each column's text over the whole table, header rows left out, whitespace removed: what
    rows cut at other places (a PDF's pages, a dump's page breaks, a Word row) must all give."""
    out = ["" for _ in table.layout.columns]
    for row in table.rows:
        if match_header([normalize_ws(c.text) for c in row.cells]) is not None:
            continue  # a header repeated on a new page
        for k, cell in enumerate(row.cells):
            out[k] += "".join("".join(p.split()) for p in cell.paragraphs)
    return out


def test_every_layout_has_html_word_and_its_renderings_exist():
    stems = {d.stem for d in DUMPS}
    assert len(stems) == 5
    for stem in stems:
        assert (LAYOUTS / f"{stem}.html").exists() and (LAYOUTS / f"{stem}.docx").exists()
    assert {p.stem for p in LAYOUTS.glob("*.pdf")} == stems
    assert len(list(LAYOUTS.glob("*.doc"))) == 4
    assert len(list(LAYOUTS.glob("*-libreoffice.html"))) == 4
    assert len(list(LAYOUTS.glob("*-pages.html"))) == 3


@pytest.mark.parametrize("path", RENDERINGS, ids=lambda p: p.name)
def test_rendering_reads_the_layout_title_and_text_of_its_dump(path):
    _, want = read_input(dump_of(path))
    _, got = read_input(path)
    assert got.layout.roles == want.layout.roles
    assert [c.header for c in got.layout.columns] == [c.header for c in want.layout.columns]
    assert normalize_ws(got.title or "") == normalize_ws(want.title or "")
    assert column_texts(got) == column_texts(want)


def section_rows(table: RawTable) -> list[str]:
    """The rows whose only text is a section title (一、…), whichever column holds it."""
    out = []
    for row in table.rows:
        filled = [normalize_ws(c.text) for c in row.cells if not c.is_empty]
        if len(filled) == 1 and SECTION_RE.match(filled[0]):
            out.append(filled[0])
    return out


@pytest.mark.parametrize("path", RENDERINGS, ids=lambda p: p.name)
def test_section_rows_stand_alone_as_in_the_dump(path):
    _, want = read_input(dump_of(path))
    _, got = read_input(path)
    assert [s.replace(" ", "") for s in section_rows(got)] == \
        [s.replace(" ", "") for s in section_rows(want)]
    assert len(section_rows(want)) in (2, 3, 7)


def test_layouts_name_their_roles():
    roles = {d.stem: read_input(d)[1].layout.role_names for d in DUMPS}
    assert roles == {
        "cnipa-2017-task-decomposition": "task/objective/measures/division/due",
        "cnipa-2024-serial": "serial/task/measures/division",
        "cnipa-2024-serial-blank-header": "extra/task/measures/division",
        "province-2025-lead-support": "serial/task/measures/lead_units/support_units/due",
        "province-2025-responsible-extra": "serial/task/measures/division/due/outcome/extra",
    }


# ---- HTML --------------------------------------------------------------------------------------

def page(rows: str, head: str = "<tr><th>序号</th><th>重点任务</th><th>具体措施</th><th>牵头单位</th>"
         "<th>配合单位</th><th>完成时限</th></tr>") -> bytes:
    return (f"<html><head><meta charset='utf-8'></head><body><p>2025年知识产权重点任务清单</p>"
            f"<table border=1>{head}{rows}</table></body></html>").encode()


def cells(table: RawTable) -> list[list[str]]:
    return [["|".join(normalize_ws(p) for p in c.paragraphs) for c in r.cells] for r in table.rows]


def test_html_rowspan_group_cell_is_empty_below_but_a_shared_unit_cell_goes_to_each_task():
    head = ("<tr><td>工作任务</td><td>任务目标</td><td>落实举措</td><td>执行部门（单位）</td>"
            "<td>完成时间</td></tr>")
    rows = ("<tr><td colspan=5>一、“专利制度创新”主体任务</td></tr>"
            "<tr><td rowspan=2>（一）完善制度</td><td rowspan=2>取得进展。</td>"
            "<td>1.推动制定政策。做好审议。</td><td rowspan=2>局内：条法司</td>"
            "<td rowspan=2>持续推进</td></tr>"
            "<tr><td>2.推动出台标准。发布指南。</td></tr>")
    table = read_html(page(rows, head), "g.html")
    assert [c.role for c in table.layout.columns][:2] == [TASK, "objective"]
    assert cells(table)[1:] == [
        ["（一）完善制度", "取得进展。", "1.推动制定政策。做好审议。", "局内：条法司", "持续推进"],
        ["", "", "2.推动出台标准。发布指南。", "局内：条法司", "持续推进"],
    ]


def test_html_task_title_spanning_serial_rows_stays_on_its_first_row_units_go_to_each():
    rows = ("<tr><td>1</td><td rowspan=2>提升质量</td><td>严格评估。</td>"
            "<td rowspan=2>省知识产权局</td><td>省科技厅</td><td rowspan=2>全年</td></tr>"
            "<tr><td>2</td><td>开展整治。</td><td>各市州</td></tr>")
    assert cells(read_html(page(rows), "t.html")) == [
        ["1", "提升质量", "严格评估。", "省知识产权局", "省科技厅", "全年"],
        ["2", "", "开展整治。", "省知识产权局", "各市州", "全年"]]


def test_html_rowspan_within_one_task_is_read_once():
    rows = ("<tr><td rowspan=2>1</td><td rowspan=2>提升质量</td><td>严格评估。</td>"
            "<td rowspan=2>省知识产权局</td><td rowspan=2>省科技厅</td><td rowspan=2>全年</td></tr>"
            "<tr><td>各市州：整治。</td></tr>")
    table = read_html(page(rows), "t.html")
    assert cells(table) == [["1", "提升质量", "严格评估。", "省知识产权局", "省科技厅", "全年"],
                            ["", "", "各市州：整治。", "", "", ""]]


def test_html_empty_serial_header_cell_is_a_column_and_a_repeated_header_is_dropped_by_stitch():
    head = "<tr><td></td><td>重点任务</td><td>工作举措</td><td>任务分工</td></tr>"
    rows = "<tr><td>1</td><td>1.持续推进</td><td>国家知识产权局：推进。</td><td>局内：办公室</td></tr>"
    table = read_html(page(rows + head + rows.replace("1", "2"), head), "e.html")
    assert len(table.layout) == 4 and table.layout.columns[0].header == ""
    assert cells(table)[0] == ["1", "1.持续推进", "国家知识产权局：推进。", "局内：办公室"]


def test_html_navigation_row_naming_columns_is_not_the_task_table():
    nav = "<table><tr><td>首页</td><td>重点任务</td><td>工作举措</td></tr></table>"
    data = page("<tr><td>1</td><td>提升质量</td><td>严格评估。</td><td>省知识产权局</td>"
                "<td>省科技厅</td><td>全年</td></tr>").replace(b"<body>", b"<body>" + nav.encode())
    assert cells(read_html(data, "nav.html")) == [
        ["1", "提升质量", "严格评估。", "省知识产权局", "省科技厅", "全年"]]


def test_html_table_with_one_extra_column_is_read_not_called_a_converted_pdf():
    head = "<tr><td>重点任务</td><td>工作举措</td><td>任务分工</td><td>备注</td></tr>"
    rows = "<tr><td>1.持续推进</td><td>国家知识产权局：推进。</td><td>局内：办公室</td><td>新增</td></tr>"
    table = read_html(page(rows, head), "x.html")
    assert table.layout.roles[-1] is None and cells(table) == [
        ["1.持续推进", "国家知识产权局：推进。", "局内：办公室", "新增"]]
    assert any("'备注'" in n for n in table.notes)


def test_html_header_lacking_roles_names_its_cells_and_what_is_missing():
    head = "<tr><td>序号</td><td>牵头单位</td><td>完成时限</td></tr>"
    with pytest.raises(TableRolesError, match=r"row 1 of table 1 looks like the table header "
                       r"\(序号 / 牵头单位 / 完成时限\) but has"):
        read_html(page("<tr><td>1</td><td>省局</td><td>全年</td></tr>", head), "r.html")


def test_html_header_of_nine_columns_is_named_with_the_limit():
    words = ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限", "成果形式", "备注", "说明"]
    head = "<tr>" + "".join(f"<td>{w}</td>" for w in words) + "</tr>"
    with pytest.raises(NoTaskTableError, match=r"has 9 columns; a task table has 3 to 8"):
        read_html(page("", head), "nine.html")


def test_html_header_over_two_rows_reads_the_columns_under_the_spanning_cell():
    head = ("<tr><td rowspan=2>序号</td><td rowspan=2>重点任务</td><td rowspan=2>具体措施</td>"
            "<td colspan=2>责任单位</td><td rowspan=2>完成时限</td></tr>"
            "<tr><td>牵头单位</td><td>配合单位</td></tr>")
    rows = "<tr><td>1</td><td>提升质量</td><td>严格评估。</td><td>省知识产权局</td><td>省科技厅</td><td>全年</td></tr>"
    table = read_html(page(rows + head + rows.replace(">1<", ">2<"), head), "two.html")
    assert table.layout.roles == (SERIAL, TASK, "measures", LEAD, SUPPORT, DUE)
    assert cells(table) == [["1", "提升质量", "严格评估。", "省知识产权局", "省科技厅", "全年"],
                            ["序号", "重点任务", "具体措施", "责任单位", "", "完成时限"],
                            ["2", "提升质量", "严格评估。", "省知识产权局", "省科技厅", "全年"]]
    # The upper row repeated on a new page reads as a header (stitch drops it); the lower is gone.
    assert match_header(cells(table)[1]) is not None


# ---- Word --------------------------------------------------------------------------------------

W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def docx(rows: list[list[str]]) -> bytes:
    """A .docx of one table; a cell ``"^"`` continues a vertical merge, ``"<N>text"`` spans N
    grid columns."""
    trs = []
    for row in rows:
        tcs = []
        for cell in row:
            pr = ""
            if cell == "^":
                pr, cell = "<w:vMerge/>", ""
            elif cell.startswith("<"):
                n, cell = cell[1:].split(">", 1)
                pr = f'<w:gridSpan w:val="{n}"/>'
            elif cell.startswith("!"):
                pr, cell = '<w:vMerge w:val="restart"/>', cell[1:]
            tcs.append(f"<w:tc><w:tcPr>{pr}</w:tcPr><w:p><w:r><w:t>{cell}</w:t></w:r></w:p></w:tc>")
        trs.append("<w:tr>" + "".join(tcs) + "</w:tr>")
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><w:document {W}><w:body>'
           "<w:p><w:r><w:t>2017年专利工作要点任务分解表</w:t></w:r></w:p>"
           f"<w:tbl>{''.join(trs)}</w:tbl></w:body></w:document>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("word/document.xml", xml)
    return out.getvalue()


HEAD_2017 = ["工作任务", "任务目标", "落实举措", "执行部门（单位）", "完成时间"]


def test_docx_vmerge_group_cell_is_empty_below_but_a_shared_cell_goes_to_each_task():
    table = read_docx(docx([HEAD_2017, ["<5>一、“专利制度创新”主体任务"],
                            ["!（一）完善制度", "!取得进展。", "1.推动制定政策。", "!局内：条法司", "持续推进"],
                            ["^", "^", "2.推动出台标准。", "^", "2017年底前"],
                            ["^", "^", "做法。", "^", ""]]), "v.docx")
    assert cells(table) == [
        ["一、“专利制度创新”主体任务", "", "", "", ""],
        ["（一）完善制度", "取得进展。", "1.推动制定政策。", "局内：条法司", "持续推进"],
        ["", "", "2.推动出台标准。", "局内：条法司", "2017年底前"],
        ["", "", "做法。", "", ""],  # no task opens here: a row of the task above
    ]


def test_docx_empty_serial_header_and_a_section_cell_starting_under_it():
    table = read_docx(docx([["", "重点任务", "工作举措", "任务分工"],
                            ["", "<3>一、全面强化知识产权宏观统筹"],
                            ["1", "1.持续推进", "国家知识产权局：推进。", "局内：办公室"],
                            ["", "重点任务", "工作举措", "任务分工"]]), "s.docx")
    assert table.layout.columns[0].header == "" and len(table.layout) == 4
    assert cells(table) == [["", "一、全面强化知识产权宏观统筹", "", ""],
                            ["1", "1.持续推进", "国家知识产权局：推进。", "局内：办公室"]]


def test_docx_header_lacking_roles_names_its_cells():
    with pytest.raises(TableRolesError, match=r"row 1 of table 1 looks like the table header "
                       r"\(序号 / 配合单位 / 完成时限\)"):
        read_docx(docx([["序号", "配合单位", "完成时限"], ["1", "省科技厅", "全年"]]), "r.docx")


# ---- PDF ---------------------------------------------------------------------------------------

def header_line(*words: tuple[str, float], top: float = 100.0, size: float = 10.5) -> list:
    return [c for word, x in words for c in text(word, x, top, size)]


def test_pdf_header_of_six_columns_with_a_word_wrapped_and_one_letter_spaced():
    chars = header_line(("序", 40), ("号", 58), ("重点任务", 90), ("具体措施", 200),
                        ("牵头单位", 330), ("配合单位", 420), ("完成", 510)) \
        + header_line(("时限", 510), top=112)
    found = header_words(visual_lines(chars, SETTINGS), SETTINGS)
    assert found is not None
    assert found[1] == ["序号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限"]
    layout = match_header(found[1])
    assert layout is not None and layout.roles == (SERIAL, TASK, "measures", LEAD, SUPPORT, DUE)


def test_pdf_title_or_annex_line_above_the_header_is_not_read_with_it():
    chars = header_line(("附件", 40), top=60) + header_line(("2024年推动知识产权高质量发展任务清单", 150),
                                                          top=80) \
        + header_line(("重点任务", 40), ("工作举措", 200), ("任务分工", 400), top=100)
    lines = visual_lines(chars, SETTINGS)
    assert header_words(lines[:3], SETTINGS) is None and header_words(lines[1:], SETTINGS) is None
    found = header_words(lines[2:], SETTINGS)
    assert found is not None and found[1] == ["重点任务", "工作举措", "任务分工"]


def test_pdf_body_line_is_no_header():
    chars = header_line(("1", 40), ("提升质量", 90), ("严格评估。", 200), ("省局", 330), ("全年", 420))
    assert header_words(visual_lines(chars, SETTINGS), SETTINGS) is None


def test_docx_header_over_two_rows_and_a_title_row_inside_the_table():
    table = read_docx(docx([["<6>2025年知识产权重点任务清单"],
                            ["!序号", "!重点任务", "!具体措施", "<2>责任单位", "!完成时限"],
                            ["^", "^", "^", "牵头单位", "配合单位", "^"],
                            ["1", "提升质量", "严格评估。", "省知识产权局", "省科技厅", "全年"],
                            ["^", "^", "^", "牵头单位", "配合单位", "^"]]), "two.docx")
    assert table.layout.roles == (SERIAL, TASK, "measures", LEAD, SUPPORT, DUE)
    assert table.title == "2025年知识产权重点任务清单"
    assert cells(table) == [["1", "提升质量", "严格评估。", "省知识产权局", "省科技厅", "全年"]]


def test_docx_task_title_spanning_serial_rows_stays_on_its_first_row_units_go_to_each():
    table = read_docx(docx([["序号", "重点任务", "具体措施", "牵头单位", "完成时限"],
                            ["1", "!提升质量", "严格评估。", "!省知识产权局", "全年"],
                            ["2", "^", "开展整治。", "^", "每季度末"]]), "t.docx")
    assert cells(table) == [["1", "提升质量", "严格评估。", "省知识产权局", "全年"],
                            ["2", "", "开展整治。", "省知识产权局", "每季度末"]]


@pytest.mark.parametrize("below, bands", [("2.推动出台标准。", 2), ("各地区：做好衔接。", 1)])
def test_pdf_rule_beside_a_group_cell_parts_rows_where_a_numbered_task_opens(below, bands):
    """The 2017 table: （一） spans two rows in 工作任务, so the rule between tasks 1. and 2.
    leaves out the first column; a numbered task below it opens a row, other text does not."""
    bounds = [50.0, 150.0, 250.0, 450.0, 550.0]
    chars = (text("（一）完善", 55, 112, 10.0) + text("取得进展。", 155, 112, 10.0)
             + text("1.推动制定政策。", 255, 112, 10.0) + text("局内：条法司", 455, 112, 10.0)
             + text(below, 255, 142, 10.0) + text("局内：保护司", 455, 142, 10.0))
    hsegs = [Seg(100.0, 50, 550), Seg(135.0, 250, 550), Seg(170.0, 50, 550)]
    vsegs = [Seg(x, 100, 170) for x in bounds]
    glyphs = PageGlyphs(1, 600.0, 800.0, chars, hsegs, vsegs, False)
    assert len(row_bands(glyphs, Columns(bounds), 10.0, SETTINGS)) == bands


@pytest.mark.parametrize("path", RENDERINGS, ids=lambda p: p.name)
def test_rendering_gives_the_document_of_its_dump(path):
    """Cross-format equivalence for every layout: every table and column of the outputs but the
    provenance (see tests/equivalence.py)."""
    doc = extracted(path)
    assert_same_content(doc, extracted(dump_of(path)))
    assert doc.tasks and doc.layout == extracted(dump_of(path)).layout
