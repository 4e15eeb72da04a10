"""The PDF reader: cross-format equivalence with the text dump, each hard case, each bad PDF.

The renderings under fixtures/pdf/ are built by fixtures/build_pdf.py (LibreOffice); the bad
PDFs are made here from them at test time (pypdf, byte slicing, rasterising).
"""
from __future__ import annotations

import io
import re
from itertools import pairwise
from pathlib import Path

import pdfplumber
import pypdfium2
import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject

from pipeline.errors import (
    NoTaskTableError,
    PdfDamagedError,
    PdfEncryptedError,
    PdfNoTextError,
    PdfNoUnicodeError,
)
from pipeline.grammar import WIDE_CHAR, is_header
from pipeline.models import RawTable
from pipeline.read.pdf import read_pdf
from pipeline.read.pdf.glyphs import page_glyphs
from pipeline.read.pdf.settings import SETTINGS
from pipeline.stitch import classify
from tests.conftest import extracted, read_input
from tests.equivalence import assert_same_content

PDF_DIR = Path(__file__).resolve().parent / "fixtures" / "pdf"
RENDERINGS = sorted(PDF_DIR.glob("*.pdf"))
PORTRAIT = PDF_DIR / "a4-portrait-serif-10.5pt-repeat-header.pdf"  # merged bold sections
LANDSCAPE = PDF_DIR / "a4-landscape-sans-12pt-no-repeat.pdf"  # three-cell plain sections
CENTRED = PDF_DIR / "b5-portrait-sans-9pt-repeat-header.pdf"  # cells centred vertically
UNRULED = PDF_DIR / "letter-portrait-serif-11pt-no-rules-no-repeat.pdf"
CASES = PDF_DIR / "cases" / "latin-wrap-and-unlabelled-paragraph.pdf"
GOV = PDF_DIR / "a4-portrait-kai-12pt-letterhead-exact-28pt.pdf"  # letterhead, document number
CENTRED_UNRULED = PDF_DIR / "a5-portrait-ming-9pt-centred-no-rules.pdf"
ROTATED = PDF_DIR / "letter-landscape-rotated-sans-10.5pt.pdf"
CHROME_WORD = PDF_DIR / "chromium-word-html-a4-zenhei.pdf"  # a whole notice around the table
CHROME_WPS = PDF_DIR / "chromium-wps-html-a4-zenhei.pdf"  # borders as paths, rowspan cells
CHROME_UNRULED = PDF_DIR / "chromium-wps-html-a4-zenhei-no-rules-centred.pdf"


def _read(path: Path) -> RawTable:
    return read_pdf(path.read_bytes(), str(path))


@pytest.fixture(scope="session")
def raw_tables() -> dict[str, RawTable]:
    """Each rendering's raw table, as extract_file reads it (read once per session)."""
    return {p.name: read_input(p)[1] for p in [*RENDERINGS, CASES]}


@pytest.fixture(scope="session")
def pdf_docs():
    """Each rendering as a Document, extract_file's result (made once per session)."""
    return {p.name: extracted(p) for p in RENDERINGS}


def _rows_starting(table: RawTable, prefix: str):
    return [r for r in table.rows if "".join(r.cells[0].paragraphs).startswith(prefix)]


# ---- the whole list, against the text dump ------------------------------------------------

def test_renderings_differ_in_page_size_orientation_and_rules():
    shapes, ruled = set(), set()
    for path in RENDERINGS:
        with pdfplumber.open(path) as pdf:
            page = pdf.pages[0]
            shapes.add((round(page.width), round(page.height)))
            ruled.add(bool(page.lines or page.rects))
    assert len(RENDERINGS) >= 3 and len(shapes) >= 3
    assert any(w > h for w, h in shapes)  # a landscape one
    assert ruled == {True, False}  # and one without ruling lines


@pytest.mark.parametrize("path", RENDERINGS, ids=lambda p: p.stem)
def test_every_rendering_equals_the_text_dump_on_every_table(path, pdf_docs, doc_2024):
    doc = pdf_docs[path.name]
    assert doc.fmt == "pdf"
    assert doc.issues == doc_2024.issues
    assert_same_content(doc, doc_2024)


# ---- layout: header, sections, rows cut by page breaks ------------------------------------

def test_repeated_header_rows_are_dropped(raw_tables):
    with pdfplumber.open(PORTRAIT) as pdf:
        repeated = sum("重点任务" in (p.extract_text() or "") for p in pdf.pages)
    assert repeated == len(pdf.pages) > 1  # the header really stands on every page
    table = raw_tables[PORTRAIT.name]
    assert not any(is_header([c.text for c in r.cells]) for r in table.rows)
    assert {r.page for r in table.rows} == set(range(1, repeated + 1))


def test_table_without_repeated_header_is_followed_onto_later_pages(raw_tables):
    with pdfplumber.open(LANDSCAPE) as pdf:
        assert "重点任务" not in (pdf.pages[1].extract_text() or "")
        pages = len(pdf.pages)
    assert {r.page for r in raw_tables[LANDSCAPE.name].rows} == set(range(1, pages + 1))


def test_text_outside_the_table_is_ignored(raw_tables):
    for table in raw_tables.values():
        texts = [p for r in table.rows for c in r.cells for p in c.paragraphs]
        assert not any(re.fullmatch(r"[—\-\s\d]+", t) for t in texts)  # page numbers
        assert "附件" not in texts
        assert not any(table.title and table.title in t for t in texts)


def test_title_above_the_table_gives_the_year(raw_tables, pdf_docs):
    for path in RENDERINGS:
        assert raw_tables[path.name].title == "2024年推动知识产权高质量发展任务清单"
        assert pdf_docs[path.name].year == 2024


def test_merged_bold_section_row_is_one_cell(raw_tables):
    (row,) = _rows_starting(raw_tables[PORTRAIT.name], "一、")
    assert row.cells[0].paragraphs == ("一、全面强化知识产权宏观统筹",)
    assert row.cells[0].bold
    assert row.cells[1].is_empty and row.cells[2].is_empty
    assert classify(row) == "section"


def test_three_cell_plain_section_row_wrapped_in_first_column(raw_tables):
    (row,) = _rows_starting(raw_tables[LANDSCAPE.name], "二、")
    assert "".join(row.cells[0].paragraphs) == "二、全面加强知识产权法治保障"
    assert not row.cells[0].bold
    assert row.cells[1].is_empty and row.cells[2].is_empty
    assert classify(row) == "section"


def test_table_without_ruling_lines_is_split_by_text_gutters_and_first_column(raw_tables):
    with pdfplumber.open(UNRULED) as pdf:
        assert not any(p.lines or p.rects for p in pdf.pages)
    _assert_rows_split_only_at_page_breaks(raw_tables[UNRULED.name])


def test_cells_centred_vertically_stay_one_row_each(raw_tables):
    with pdfplumber.open(CENTRED) as pdf:
        page = pdf.pages[1]
        assert any(r["fill"] and r["non_stroking_color"] not in (None, (1,), (1, 1, 1))
                   for r in page.rects)  # the shaded header
    _assert_rows_split_only_at_page_breaks(raw_tables[CENTRED.name])


def test_cells_centred_vertically_without_any_rules_stay_one_row_each(raw_tables):
    for path in (CENTRED_UNRULED, CHROME_UNRULED):
        with pdfplumber.open(path) as pdf:
            assert not any(p.lines or p.curves for p in pdf.pages)
            assert not any(r["stroke"] for p in pdf.pages for r in p.rects)  # shading only
        _assert_rows_split_only_at_page_breaks(raw_tables[path.name])


def test_borders_drawn_as_filled_paths_are_ruling_lines(raw_tables):
    with pdfplumber.open(CHROME_WPS) as pdf:
        page = pdf.pages[0]
        assert page.curves and not page.lines  # Skia's vertical borders
        assert "Skia" in pdf.metadata["Producer"]
    _assert_rows_split_only_at_page_breaks(raw_tables[CHROME_WPS.name])


def test_rule_beside_a_task_cell_spanning_rows_does_not_cut_the_row(raw_tables):
    """The WPS page gives each 工作举措 paragraph its own <tr>, beside rowspan task cells."""
    (task1,) = _rows_starting(raw_tables[CHROME_WPS.name], "1、")
    assert "".join(task1.cells[0].paragraphs) == "1、持续推进《纲要》和《规划》实施"
    assert len(task1.cells[1].paragraphs) == 2


def test_landscape_pages_stored_rotated_are_read_upright(raw_tables):
    with pdfplumber.open(ROTATED) as pdf:
        assert all(p.rotation == 90 and p.width > p.height for p in pdf.pages)
        pages = len(pdf.pages)
    assert {r.page for r in raw_tables[ROTATED.name].rows} == set(range(1, pages + 1))


def test_letterhead_and_document_number_above_the_title_stay_out(raw_tables):
    table = raw_tables[GOV.name]
    with pdfplumber.open(GOV) as pdf:
        first = pdf.pages[0].extract_text()
    assert "国家知识产权局文件" in first and "国知发运字〔2024〕7号" in first
    texts = "".join(p for r in table.rows for c in r.cells for p in c.paragraphs)
    assert "国家知识产权局文件" not in texts and "国知发运字" not in texts
    assert table.title == "2024年推动知识产权高质量发展任务清单"


def test_title_is_the_list_not_the_notice_heading_above_it(raw_tables):
    with pdfplumber.open(CHROME_WORD) as pdf:
        assert "关于印发" in pdf.pages[1].extract_text()  # the notice's own, larger heading
    assert raw_tables[CHROME_WORD.name].title == "2024年推动知识产权高质量发展任务清单"


def test_web_page_text_after_the_table_is_no_row(raw_tables):
    for path, tail in ((CHROME_WORD, "附件下载"), (CHROME_UNRULED, "发布日期")):
        with pdfplumber.open(path) as pdf:
            assert tail in pdf.pages[-1].extract_text()
        texts = "".join(p for r in raw_tables[path.name].rows for c in r.cells
                        for p in c.paragraphs)
        assert tail not in texts


def _assert_rows_split_only_at_page_breaks(table: RawTable) -> None:
    kinds = [classify(r) for r in table.rows]
    assert kinds.count("task") == 23 and kinds.count("section") == 7
    # Every continuation row stands first on its page: rows split nowhere else.
    firsts = {(r.page, r.row) for r in table.rows
              if r == next(x for x in table.rows if x.page == r.page)}
    assert all((r.page, r.row) in firsts for r, k in zip(table.rows, kinds)
               if k == "continuation")


def test_unit_name_cut_by_page_break_in_division_column_joins_with_nothing(raw_tables,
                                                                          pdf_docs):
    table = raw_tables[PORTRAIT.name]
    (task7,) = _rows_starting(table, "7.")
    after = table.rows[table.rows.index(task7) + 1]
    assert task7.cells[2].paragraphs[-1] == "局内：运用促进"
    assert after.page == task7.page + 1
    assert after == next(r for r in table.rows if r.page == after.page)  # first on its page
    assert after.cells[2].paragraphs[0] == "司"  # the unit name goes on here
    task = pdf_docs[PORTRAIT.name].tasks[6]
    assert task.division.startswith("局内：运用促进司\n")
    assert "运用促进司" in task.departments
    assert (task.page_start, task.page_end) == (task7.page, after.page)


def test_continuation_at_top_of_page_has_empty_first_cell(raw_tables, pdf_docs):
    table = raw_tables[PORTRAIT.name]
    top_of_2 = next(r for r in table.rows if r.page == 2)
    assert top_of_2.cells[0].is_empty and classify(top_of_2) == "continuation"
    assert top_of_2.cells[1].paragraphs[0] == "推动县域知识产权工作能力提升。"
    task3 = pdf_docs[PORTRAIT.name].tasks[2]
    assert (task3.page_start, task3.page_end) == (1, 2)
    assert "着力推动县域知识产权工作能力提升。" in task3.measures


def test_task_title_cut_by_page_break_is_joined(pdf_docs, raw_tables):
    table = raw_tables[LANDSCAPE.name]
    (task3,) = _rows_starting(table, "3.")
    after = table.rows[table.rows.index(task3) + 1]
    assert after.page == task3.page + 1 and after.cells[0].paragraphs == ("引领带动作用",)
    assert pdf_docs[LANDSCAPE.name].tasks[2].task_title == "提升强国建设示范引领带动作用"


def test_page_provenance_of_tasks_and_clauses_from_real_pages(pdf_docs, raw_tables):
    for path in RENDERINGS:
        table, doc = raw_tables[path.name], pdf_docs[path.name]
        starts = {int(re.match(r"\d+", r.cells[0].text)[0]): r.page
                  for r in table.rows if re.match(r"\d+[.．、]", r.cells[0].text)}
        assert {t.task_no: t.page_start for t in doc.tasks} == starts
        assert any(t.page_start < t.page_end for t in doc.tasks)
        last_page = max(r.page for r in table.rows)
        assert doc.tasks[-1].page_end == last_page
        for task in doc.tasks:
            for clause in task.clauses:
                assert task.page_start <= clause.page_start <= clause.page_end <= task.page_end


# ---- text inside cells -------------------------------------------------------------------

@pytest.mark.parametrize("path", RENDERINGS, ids=lambda p: p.stem)
def test_wrapped_lines_join_and_paragraph_breaks_stay(path, raw_tables, doc_2024):
    """Indents, paragraph spacing or neither: task 1's 工作举措 is two paragraphs, as published.

    The WPS web page (numbered 1、) sets 任务分工 as one paragraph, its entries parted by a space
    that CJK text in a PDF does not keep; stitch splits it at the labels.
    """
    (task1,) = _rows_starting(raw_tables[path.name], "1.") or \
        _rows_starting(raw_tables[path.name], "1、")
    assert task1.cells[1].paragraphs == tuple(doc_2024.tasks[0].measures.split("\n"))
    division = ("局内：办公室、联席办、战略规划司、保护司", "省份：各省必做")
    assert task1.cells[2].paragraphs in (division, ("".join(division),))


def test_paragraph_without_label_or_indent_is_told_by_its_short_last_line(raw_tables):
    (task,) = _rows_starting(raw_tables[CASES.name], "1.")
    assert task.cells[1].paragraphs[1] == "继续做好有关统计工作。"
    assert len(task.cells[1].paragraphs) == 3


def test_latin_words_wrapped_across_lines_keep_one_space(raw_tables):
    (task,) = _rows_starting(raw_tables[CASES.name], "1.")
    with pdfplumber.open(CASES) as pdf:
        lines = pdf.pages[0].crop(task.cells[1].bbox).extract_text().split("\n")
    # The phrase really wraps between two Latin words.
    assert any(re.search(r"[A-Za-z]$", a) and re.match(r"[A-Za-z]", b)
               for a, b in pairwise(lines))
    first, _, last = task.cells[1].paragraphs
    assert "the Hague Agreement Concerning the International Registration of Industrial Designs" \
        in first
    assert "World Intellectual Property Organization" in last
    assert "  " not in first + last


def test_no_spaces_between_chinese_characters_and_full_width_punctuation_kept(raw_tables):
    between_wide = re.compile(f"{WIDE_CHAR}\\s+{WIDE_CHAR}")
    for table in raw_tables.values():
        texts = [table.title or ""] + [p for r in table.rows for c in r.cells
                                       for p in c.paragraphs]
        assert not [t for t in texts if between_wide.search(t)]
        joined = "".join(texts)
        assert "：" in joined and "，" in joined and "。" in joined
        assert not re.search(r"[\u4e00-\u9fff][:,;]", joined)


def test_justified_text_with_wide_gaps_has_no_spurious_spaces(raw_tables):
    """pdfplumber's default extraction puts spaces into justified CJK lines; the reader does not."""
    with pdfplumber.open(PORTRAIT) as pdf:
        plain = pdf.pages[0].extract_text()
    assert re.search(f"{WIDE_CHAR} {WIDE_CHAR}", plain)  # the trap is real in this file
    (task1,) = _rows_starting(raw_tables[PORTRAIT.name], "1.")
    assert " " not in "".join(task1.cells[1].paragraphs)


# ---- bad PDFs, made from a good one --------------------------------------------------------

@pytest.fixture(scope="session")
def good_bytes() -> bytes:
    return PORTRAIT.read_bytes()


def _rewrite(data: bytes, change=None, user: str | None = None, owner: str | None = None,
             pages: list[int] | None = None) -> bytes:
    reader = PdfReader(io.BytesIO(data))
    writer = PdfWriter()
    for i, page in enumerate(reader.pages):
        if pages is None or i in pages:
            writer.add_page(page)
    if change:
        change(writer)
    if user is not None:
        writer.encrypt(user_password=user, owner_password=owner, algorithm="AES-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_truncated_pdf_is_damaged(good_bytes):
    for cut in (len(good_bytes) // 2, len(good_bytes) - 10):
        with pytest.raises(PdfDamagedError, match="truncated"):
            read_pdf(good_bytes[:cut], "cut.pdf")


def test_padding_after_the_end_marker_is_no_truncation(good_bytes):
    table = read_pdf(good_bytes + b"\x00" * 3000 + b"\r\n", "padded.pdf")
    assert len(table.rows) > 20


def test_pdf_whose_xref_pointer_is_wrong_is_damaged(good_bytes):
    offset = re.findall(rb"startxref\s+(\d+)", good_bytes)[-1]
    bad = re.sub(rb"startxref\s+" + offset, b"startxref\n" + b"12" + offset[2:], good_bytes)
    with pytest.raises(PdfDamagedError, match="cross-reference"):
        read_pdf(bad, "bad-xref.pdf")


def test_pdf_needing_a_user_password_is_refused(good_bytes):
    locked = _rewrite(good_bytes, user="secret", owner="owner")
    with pytest.raises(PdfEncryptedError, match="needs a password") as info:
        read_pdf(locked, "locked.pdf")
    assert "\n" not in str(info.value) and "locked.pdf" in str(info.value)


def test_pdf_with_only_an_owner_password_is_read_with_a_note(good_bytes):
    protected = _rewrite(good_bytes, user="", owner="owner")
    table = read_pdf(protected, "protected.pdf")
    plain = read_pdf(good_bytes, "plain.pdf")
    assert [[(c.paragraphs, c.bold) for c in r.cells] for r in table.rows] == \
        [[(c.paragraphs, c.bold) for c in r.cells] for r in plain.rows]
    assert any("owner password" in n for n in table.notes)
    assert not plain.notes


def test_scanned_pdf_without_text_layer_is_refused(good_bytes):
    pdf = pypdfium2.PdfDocument(good_bytes)
    image = pdf[0].render(scale=1).to_pil()
    pdf.close()
    out = io.BytesIO()
    image.save(out, format="PDF")
    with pytest.raises(PdfNoTextError, match=r"no.* text|has any text"):
        read_pdf(out.getvalue(), "scan.pdf")


def test_text_without_unicode_map_stops_with_an_error(good_bytes):
    def drop_to_unicode(writer: PdfWriter) -> None:
        for page in writer.pages:
            fonts = page["/Resources"]["/Font"]
            for name in fonts:
                font = fonts[name].get_object()
                if "/ToUnicode" in font:
                    del font[NameObject("/ToUnicode")]

    with pytest.raises(PdfNoUnicodeError, match=r"\(cid:\d+\)"):
        read_pdf(_rewrite(good_bytes, drop_to_unicode), "cid.pdf")


def test_pdf_without_the_task_table_is_refused():
    data = LANDSCAPE.read_bytes()
    second_page_only = _rewrite(data, pages=[1])  # no header on it: the header is not repeated
    with pytest.raises(NoTaskTableError, match="header"):
        read_pdf(second_page_only, "no-table.pdf")


def test_bad_pdf_errors_are_one_line_naming_the_file(good_bytes):
    for data in (good_bytes[:1000], _rewrite(good_bytes, user="x", owner="y")):
        with pytest.raises((PdfDamagedError, PdfEncryptedError)) as info:
            read_pdf(data, "some/file.pdf")
        line = str(info.value)
        assert line.startswith("some/file.pdf: ") and "\n" not in line


def test_scanned_page_inside_the_table_is_refused(good_bytes):
    scan = io.BytesIO()
    pdf = pypdfium2.PdfDocument(good_bytes)
    pdf[2].render(scale=1).to_pil().save(scan, format="PDF")
    pdf.close()

    def swap_page_3(writer: PdfWriter) -> None:
        image_page = PdfReader(io.BytesIO(scan.getvalue())).pages[0]
        writer.insert_page(image_page, 2)
        writer.remove_page(3)

    with pytest.raises(PdfNoTextError, match="page 3"):
        read_pdf(_rewrite(good_bytes, swap_page_3), "part-scan.pdf")


def test_kangxi_radicals_are_read_as_the_ideographs_with_a_note():
    from types import SimpleNamespace

    def char(text: str, x0: float) -> dict:
        return {"text": text, "x0": x0, "x1": x0 + 10, "top": 0.0, "bottom": 10.0, "size": 10.0,
                "upright": True, "fontname": "X"}

    page = SimpleNamespace(number=1, chars=[char("⽤", 0), char("⼯", 10)], lines=[], rects=[],
                           curves=[], images=0, width=100, height=100)
    parsed = page_glyphs(page, SETTINGS)
    assert "".join(c.text for c in parsed.chars) == "用工" and parsed.radicals == 2


def test_radical_supplement_characters_from_chromium_are_read_as_the_ideographs():
    """Skia maps a glyph shared by 民 and ⺠ (页 and ⻚, 户 and ⼾) to the lower code point."""
    from types import SimpleNamespace

    chars = [{"text": t, "x0": 10.0 * i, "x1": 10.0 * i + 10, "top": 0.0, "bottom": 10.0,
              "size": 10.0, "upright": True, "fontname": "X"} for i, t in enumerate("人⺠⻚⼾")]
    page = SimpleNamespace(number=1, chars=chars, lines=[], rects=[], curves=[], images=0,
                           width=100, height=100)
    parsed = page_glyphs(page, SETTINGS)
    assert "".join(c.text for c in parsed.chars) == "人民页户" and parsed.radicals == 3


def test_section_row_cut_by_page_break_is_one_section():
    from pipeline.models import RawCell, RawRow
    from pipeline.read.pdf.cells import join_cut_section_rows

    def row(page: int, number: int, *cells: tuple[str, ...]) -> RawRow:
        return RawRow(tuple(RawCell(c) for c in cells), page, number)  # type: ignore[arg-type]

    rows = [row(6, 8, ("20.持续完善对外合作布局",), ("国家知识产权局：…",), ("局内：国际合作司",)),
            row(6, 9, ("七、全面夯实知识产权",), (), ()),
            row(7, 2, ("事业发展基础",), (), ()),
            row(7, 3, ("21.持续深化知识产权领域改革",), ("国家知识产权局：…",), ("局内：办公室",))]
    joined = join_cut_section_rows(rows)
    assert [r.cells[0].paragraphs for r in joined] == [
        ("20.持续完善对外合作布局",), ("七、全面夯实知识产权", "事业发展基础"),
        ("21.持续深化知识产权领域改革",)]
    assert classify(joined[1]) == "section"
    # A task title's tail is left to stitch, which joins it onto the task.
    assert join_cut_section_rows([rows[0], row(7, 2, ("布局",), ("继续",), ())]) == \
        (rows[0], row(7, 2, ("布局",), ("继续",), ()))


def test_table_ruled_only_at_top_and_bottom_is_split_at_task_numbers(monkeypatch, raw_tables):
    """A three-line table (三线表) has no rule between rows: a band opening two rows is cut."""
    from pipeline.read import pdf as reader

    original = reader.page_glyphs

    def outer_rules_only(page, st):
        parsed = original(page, st)
        number = page.number
        ys = sorted({round(s.pos, 1) for s in parsed.hsegs})
        keep = {ys[0], ys[-1], *(ys[1:2] if number == 1 else [])}
        parsed.hsegs = [s for s in parsed.hsegs if round(s.pos, 1) in keep]
        parsed.vsegs = []
        return parsed

    monkeypatch.setattr(reader, "page_glyphs", outer_rules_only)
    table = _read(LANDSCAPE)
    texts = lambda t: [[c.paragraphs for c in r.cells] for r in t.rows]  # noqa: E731
    assert texts(table) == texts(raw_tables[LANDSCAPE.name])
