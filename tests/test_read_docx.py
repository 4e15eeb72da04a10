"""The Word (.docx) reader: cross-format equality, each OOXML rule, each damaged file.

Full renderings are the committed files under tests/fixtures/docx/ (built by
``python -m tests.fixtures.build_docx``); the small cases build their .docx bytes here.
"""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.cli import main as cli_main
from pipeline.errors import (
    InputTooLargeError,
    NoTaskTableError,
    OfficeConversionError,
    WordDamagedError,
)
from pipeline.grammar import normalize_ws
from pipeline.models import RawTable
from pipeline.read import docx_xml, office
from pipeline.read.docx import MAX_DOCX_XML_BYTES, read_docx
from tests.conftest import extracted
from tests.equivalence import assert_same_content

DOCX = Path(__file__).resolve().parent / "fixtures" / "docx"
FULL = sorted(DOCX.glob("cnipa-2024-*.docx"))
NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def test_full_renderings_include_a_libreoffice_export():
    names = {p.name for p in FULL}
    assert {"cnipa-2024-attachment.docx", "cnipa-2024-cut-rows-pages.docx",
            "cnipa-2024-libreoffice-from-html.docx"} <= names


@pytest.mark.parametrize("path", FULL, ids=[p.stem.removeprefix("cnipa-2024-") for p in FULL])
def test_full_rendering_equals_text_dump(path, doc_2024):
    doc = extracted(path)
    assert doc.fmt == "docx"
    assert_same_content(doc, doc_2024)


def test_recorded_page_starts_give_the_dump_pages(doc_2024):
    doc = extracted(DOCX / "cnipa-2024-cut-rows-pages.docx")
    assert [(t.page_start, t.page_end) for t in doc.tasks] == \
        [(t.page_start, t.page_end) for t in doc_2024.tasks]
    assert max(t.page_end for t in doc.tasks) > 1


def test_attachment_has_merged_section_rows_and_several_paragraphs_a_cell():
    path = DOCX / "cnipa-2024-attachment.docx"
    table = read_docx(path.read_bytes(), str(path))
    assert table.title == "2024年推动知识产权高质量发展任务清单"
    assert table.head == ("附件", "2024年推动知识产权高质量发展任务清单")
    first = table.rows[0]
    assert [c.paragraphs for c in first.cells] == [("一、全面强化知识产权宏观统筹",), (), ()]
    assert any(len(row.cells[1].paragraphs) > 1 for row in table.rows)
    xml = zipfile.ZipFile(path).read("word/document.xml")
    assert b'w:gridSpan w:val="3"' in xml  # the section rows really are merged cells


def test_cli_extracts_a_docx(tmp_path, doc_2024):
    out = tmp_path / "out"
    assert cli_main(["extract", str(DOCX / "cnipa-2024-attachment.docx"), "--out", str(out),
                     "--quiet"]) == 0
    documents = pq.read_table(out / "documents.parquet").to_pylist()
    assert [(d["format"], d["n_tasks"]) for d in documents] == [("docx", len(doc_2024.tasks))]


# ---- small documents, one rule each -------------------------------------------------------------

def docx(body: str, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .docx whose document body is ``body``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml",
                   f'<?xml version="1.0" encoding="UTF-8"?><w:document {NS}><w:body>{body}'
                   "</w:body></w:document>")
        for name, data in (extra or {}).items():
            z.writestr(name, data)
    return buf.getvalue()


def p(*texts: str, bold: bool = False, before: str = "") -> str:
    """A paragraph; several texts are runs separated by a line break."""
    rpr = "<w:rPr><w:b/></w:rPr>" if bold else ""
    runs = "<w:r><w:br/></w:r>".join(f"<w:r>{rpr}<w:t>{t}</w:t></w:r>" for t in texts)
    return f"<w:p>{before}{runs}</w:p>"


def tc(*paras: str, span: int = 1, vmerge: str | None = None) -> str:
    props = ""
    if span > 1:
        props += f'<w:gridSpan w:val="{span}"/>'
    if vmerge == "restart":
        props += '<w:vMerge w:val="restart"/>'
    elif vmerge == "continue":
        props += "<w:vMerge/>"
    return f"<w:tc><w:tcPr>{props}</w:tcPr>{''.join(paras) or '<w:p/>'}</w:tc>"


def tr(*cells: str) -> str:
    return f"<w:tr>{''.join(cells)}</w:tr>"


def tbl(*rows: str, cols: int = 3) -> str:
    grid = "".join("<w:gridCol/>" for _ in range(cols))
    return f"<w:tbl><w:tblGrid>{grid}</w:tblGrid>{''.join(rows)}</w:tbl>"


HEAD = tr(tc(p("重点任务")), tc(p("工作举措")), tc(p("任务分工")))
TITLE = p("2024年推动知识产权高质量发展任务清单")


def read(body: str) -> RawTable:
    return read_docx(docx(body), "t.docx")


def texts(table: RawTable) -> list[list[str]]:
    return [["|".join(normalize_ws(x) for x in c.paragraphs) for c in row.cells]
            for row in table.rows]


def test_grid_span_puts_a_section_row_in_the_first_column():
    table = read(TITLE + tbl(HEAD, tr(tc(p("一、宏观统筹", bold=True), span=3))))
    assert texts(table) == [["一、宏观统筹", "", ""]]
    assert table.rows[0].cells[0].bold


def test_vertical_merge_continuation_is_an_empty_cell():
    table = read(TITLE + tbl(HEAD,
                             tr(tc(p("1.任务"), vmerge="restart"), tc(p("甲：前")), tc(p("局内：司"))),
                             tr(tc(vmerge="continue"), tc(p("后")), tc(p("省份：必做")))))
    assert texts(table) == [["1.任务", "甲：前", "局内：司"], ["", "后", "省份：必做"]]


def test_paragraphs_and_line_breaks_in_a_cell_are_paragraphs():
    table = read(TITLE + tbl(HEAD, tr(tc(p("1.任务")), tc(p("甲：一", "乙：二"), p("丙：三")),
                                      tc(p("局内：司")))))
    assert table.rows[0].cells[1].paragraphs == ("甲：一", "乙：二", "丙：三")


def test_nested_table_in_a_cell_gives_its_paragraphs_in_reading_order():
    inner = tbl(tr(tc(p("甲：一")), tc(p("乙：二"))), cols=2)
    table = read(TITLE + tbl(HEAD, tr(tc(p("1.任务")), f"<w:tc>{p('开头')}{inner}{p('结尾')}</w:tc>",
                                      tc(p("局内：司")))))
    assert table.rows[0].cells[1].paragraphs == ("开头", "甲：一", "乙：二", "结尾")


def test_task_table_nested_in_a_layout_table_is_found():
    table = read(tbl(tr(tc(TITLE + tbl(HEAD, tr(tc(p("1.任务")), tc(p("甲：一")), tc(p("局：司")))))),
                     cols=1))
    assert texts(table) == [["1.任务", "甲：一", "局：司"]]


def test_deleted_text_field_codes_and_repeated_headers_are_not_read():
    cell = ('<w:p><w:r><w:t>甲：</w:t></w:r><w:del><w:r><w:delText>删去</w:delText></w:r></w:del>'
            '<w:ins><w:r><w:t>加上</w:t></w:r></w:ins>'
            '<w:r><w:instrText> PAGE </w:instrText></w:r></w:p>')
    table = read(TITLE + tbl(HEAD, tr(tc(p("1.任务")), f"<w:tc>{cell}</w:tc>", tc(p("局：司"))),
                             HEAD))
    assert texts(table) == [["1.任务", "甲：加上", "局：司"]]


def test_hard_page_breaks_count_when_no_rendered_breaks_are_recorded():
    br = '<w:r><w:br w:type="page"/></w:r>'
    table = read(TITLE + tbl(HEAD, tr(tc(p("1.任务")), tc(p("甲：一")), tc(p("局：司"))),
                             tr(tc(p("2.任务", before=br)), tc(p("甲：二")), tc(p("局：司")))))
    assert [r.page for r in table.rows] == [1, 2]
    assert not table.notes


def test_rendered_page_breaks_win_over_hard_breaks():
    # Word writes a lastRenderedPageBreak after every hard break too: counting both would
    # put every page after the first one too far.
    br = '<w:r><w:br w:type="page"/></w:r>'
    rendered = "<w:r><w:lastRenderedPageBreak/><w:t>2.任务</w:t></w:r>"
    table = read(TITLE + p("附件", before=br) + tbl(
        HEAD, tr(tc(p("1.任务")), tc(p("甲：一")), tc(p("局：司"))),
        tr(f"<w:tc><w:p>{rendered}</w:p></w:tc>", tc(p("甲：二")), tc(p("局：司")))))
    assert [r.page for r in table.rows] == [1, 2]


def test_no_recorded_breaks_is_said_in_a_note():
    table = read(TITLE + tbl(HEAD, tr(tc(p("1.任务")), tc(p("甲：一")), tc(p("局：司")))))
    assert [r.page for r in table.rows] == [1]
    assert table.notes == ("t.docx: the Word document records no page breaks; page_start and "
                           "page_end are 1 for every task",)


def test_a_table_split_at_a_page_number_continues():
    table = read(TITLE + tbl(HEAD, tr(tc(p("1.任务")), tc(p("甲：一")), tc(p("局：司")))) +
                 p("— 2 —") + tbl(tr(tc(), tc(p("续")), tc(p("省份：必做")))))
    assert texts(table) == [["1.任务", "甲：一", "局：司"], ["", "续", "省份：必做"]]
    assert [r.page for r in table.rows] == [1, 2]


# ---- damaged and foreign files ------------------------------------------------------------------

def test_no_task_table_names_the_header_and_the_tables_seen():
    with pytest.raises(NoTaskTableError, match=r"t\.docx: no table header row \(重点任务 / 工作举措 / "
                                               r"任务分工\) found in the Word document \(1 table\)"):
        read(TITLE + tbl(tr(tc(p("a")), tc(p("b")), tc(p("c")))))


def test_a_zip_without_document_xml_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/styles.xml", "<x/>")
    with pytest.raises(WordDamagedError, match=r"the ZIP holds no word/document\.xml"):
        read_docx(buf.getvalue(), "t.docx")


def test_a_cut_zip_is_refused():
    data = docx(TITLE)
    with pytest.raises(WordDamagedError, match="is not a readable ZIP archive"):
        read_docx(data[: len(data) // 2], "t.docx")


def test_malformed_xml_is_refused():
    with pytest.raises(WordDamagedError, match=r"word/document\.xml is not well-formed XML"):
        read("<w:p><w:r><w:t>cut")


def test_entities_are_refused_before_parsing():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]>'
                   f"<w:document {NS}><w:body>&a;</w:body></w:document>")
    with pytest.raises(WordDamagedError, match="declares a DTD or entities"):
        read_docx(buf.getvalue(), "t.docx")


def test_zip_bomb_is_refused_from_its_header_before_inflating(monkeypatch):
    monkeypatch.setattr(docx_xml, "MAX_DOCX_XML_BYTES", 4096)  # where the check reads it
    data = docx(TITLE + p("x" * 8000))
    inflated: list[str] = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(zipfile.ZipFile, "open",
                        lambda self, name, *a, **k: inflated.append(str(name)) or
                        real_open(self, name, *a, **k))
    with pytest.raises(InputTooLargeError, match=r"word/document.xml inflates to [\d,]+ bytes; "
                                                 r"the limit is 4,096"):
        read_docx(data, "t.docx")
    assert inflated == []


def test_highly_compressed_part_is_refused():
    data = docx(TITLE + p(" " * (2 * 1024 * 1024)))
    assert MAX_DOCX_XML_BYTES > 2 * 1024 * 1024  # refused for its ratio, not its size
    with pytest.raises(InputTooLargeError, match=r"compressed [\d,]+ times"):
        read_docx(data, "t.docx")


def test_not_a_wordprocessing_document_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<html/>")
    with pytest.raises(WordDamagedError, match="not a WordprocessingML document"):
        read_docx(buf.getvalue(), "t.docx")


def test_cli_says_one_line_for_a_damaged_docx(tmp_path, capsys):
    bad = tmp_path / "list.docx"
    bad.write_bytes(docx("<w:p>"))
    assert cli_main(["extract", str(bad), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].startswith(f"{bad}: word/document.xml is not well-formed XML")
    assert not (tmp_path / "out").exists()


# ---- .doc and .wps, through LibreOffice ---------------------------------------------------------

DOC = DOCX / "cnipa-2024-attachment.doc"  # LibreOffice's Word 97 export of the attachment


def _need_soffice() -> None:
    if office.soffice_path() is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(f"LibreOffice (soffice) is missing in CI: .ci/run installs "
                        f"{office.WRITER_PACKAGE}")
        pytest.skip("LibreOffice (soffice) is not installed")


def test_doc_through_libreoffice_equals_text_dump(doc_2024):
    _need_soffice()
    assert DOC.read_bytes().startswith(b"\xd0\xcf\x11\xe0")  # really a Word 97 file
    doc = extracted(DOC)
    assert doc.fmt == "doc"
    assert any("converted to .docx with LibreOffice" in n for n in doc.notes)
    assert_same_content(doc, doc_2024)


def test_doc_without_soffice_names_the_package_to_install(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(office, "soffice_path", lambda: None)
    bad = tmp_path / "list.wps"
    bad.write_bytes(DOC.read_bytes())
    assert cli_main(["extract", str(bad), "--out", str(tmp_path / "out"), "--quiet"]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{bad}: is a Word 97–2003 or WPS document (.doc/.wps), which is read through LibreOffice "
        "Writer, and soffice is not on the PATH (install the package libreoffice-writer-nogui) — "
        "install LibreOffice Writer (Debian/Ubuntu: apt-get install libreoffice-writer-nogui) so "
        "that soffice is on the PATH, or save the file as .docx in Word/WPS and extract that")


def fake_soffice(tmp_path: Path, body: str) -> Path:
    script = tmp_path / "soffice"
    script.write_text(f"#!/bin/sh\necho \"$@\" > {tmp_path}/args\n{body}\n", encoding="utf-8")
    script.chmod(0o755)
    return script


def test_converter_that_writes_nothing_is_one_line_and_leaves_no_folder(tmp_path, monkeypatch):
    script = fake_soffice(tmp_path, "echo 'Error: source file could not be loaded' >&2")
    monkeypatch.setattr(office, "soffice_path", lambda: str(script))
    with pytest.raises(OfficeConversionError, match=r"LibreOffice could not convert it to \.docx "
                       r"\(exit 0: Error: source file could not be loaded; a damaged file, or "
                       r"LibreOffice without Writer: install the package libreoffice-writer-nogui\)"):
        office.convert_to_docx(DOC.read_bytes(), "t.doc", "a .doc")
    args = (tmp_path / "args").read_text(encoding="utf-8").split()
    profile = next(a for a in args if a.startswith("-env:UserInstallation=file://"))
    folder = Path(profile.removeprefix("-env:UserInstallation=file://")).parent
    assert folder.name.startswith("cnipa-soffice-") and not folder.exists()  # its own, removed
    assert {"--headless", "--convert-to"} <= set(args)


def test_converter_that_hangs_is_stopped(tmp_path, monkeypatch):
    script = fake_soffice(tmp_path, "sleep 60")
    monkeypatch.setattr(office, "soffice_path", lambda: str(script))
    monkeypatch.setattr(office, "CONVERT_TIMEOUT_S", 0.2)  # any limit: the script never ends
    with pytest.raises(OfficeConversionError,
                       match=r"did not finish converting it to \.docx within 0\.2 s"):
        office.convert_to_docx(DOC.read_bytes(), "t.doc", "a .doc")


def test_a_batch_raises_the_error_of_the_first_document_not_converted(tmp_path, monkeypatch):
    # A converter that makes the first document's .docx only.
    script = fake_soffice(tmp_path, 'while [ $# -gt 0 ]; do [ "$1" = --outdir ] && out="$2"; '
                                    'shift; done; mkdir -p "$out"; echo made > "$out/input-0.docx"')
    monkeypatch.setattr(office, "soffice_path", lambda: str(script))
    first = [(b"first", "a.doc", "a .doc")]
    assert office.convert_many(first) == [b"made\n"]
    with pytest.raises(OfficeConversionError, match=r"^b\.wps: is a \.wps, and LibreOffice could "
                       r"not convert it to \.docx \(exit 0;"):
        office.convert_many([*first, (b"second", "b.wps", "a .wps"), (b"third", "c.doc", "a .doc")])
    assert office.convert_many([]) == []
