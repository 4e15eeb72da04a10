"""Bad input: every broken file fails with its own one line, exit 2, and no output touched.

Each case is one line of a matrix: (id, a maker that builds the bad file in tmp_path from a
good fixture at test time, exit code, error class, expected stderr line). The expected line
is exact (``{file}`` stands for the bad file's path) or, where a reader's wording is its own,
a regex the line must match. Nothing broken is committed: the makers slice bytes, encrypt
with pypdf, rasterise pages with pypdfium2 and corrupt charsets.

TEXT_CASES run on the text dump in raw/; PDF_CASES and HTML_CASES on the first committed
rendering in tests/fixtures/pdf/ and tests/fixtures/html/.
"""
from __future__ import annotations

import io
import json
import os
import random
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

import pipeline.errors
import pipeline.read
from pipeline.build import extract_file
from pipeline.cli import main
from pipeline.errors import (
    EmptyInputError,
    EncodingError,
    InputIsFolderError,
    InputNotFoundError,
    InputTooLargeError,
    InputUnreadableError,
    MalformedRowError,
    NoTaskTableError,
    OfficeDocumentError,
    PdfDamagedError,
    PdfEncryptedError,
    PdfNoTextError,
    PdfNoUnicodeError,
    PipelineError,
    TruncatedInputError,
    UnknownFormatError,
    WordDamagedError,
)
from tests.conftest import RAW_2024, ROOT
from tests.outputs import leftovers, nothing_written, out, previous_output, snapshot  # noqa: F401 (fixtures)

FIXTURES = ROOT / "tests" / "fixtures"
#: The size limit while the text matrix runs, so "too large" needs 100 KiB, not 64 MiB.
SMALL_LIMIT = 64 * 1024

Maker = Callable[[Path, Path], Path]
Expected = str | re.Pattern[str]
Case = tuple[str, Maker, int, type[PipelineError], Expected]


# ---- helpers ---------------------------------------------------------------------------------

def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def good_lines(good: Path) -> list[str]:
    return good.read_text(encoding="utf-8").split("\n")


def header_index(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if line.startswith("重点任务\t"))


def first_task_index(lines: list[str]) -> int:
    return next(i for i, line in enumerate(lines) if re.match(r"1\.", line))


def assert_line(line: str, expected: Expected, file: Path) -> None:
    """The line is ``FILE: cause — what to do``, and exactly the expected one (or matches it)."""
    assert re.fullmatch(re.escape(str(file)) + r": \S.* — \S.*", line), line
    if isinstance(expected, str):
        assert line == expected.format(file=file)
    else:
        assert expected.search(line), f"{line!r} does not match {expected.pattern!r}"


# ---- makers for the text dump ----------------------------------------------------------------

def missing(good: Path, tmp: Path) -> Path:
    return tmp / "missing-2024.txt"


def broken_link(good: Path, tmp: Path) -> Path:
    link = tmp / "link-2024.txt"
    link.symlink_to(tmp / "gone.txt")
    return link


def empty(good: Path, tmp: Path) -> Path:
    return write(tmp / "empty.txt", b"")


def whitespace_only(good: Path, tmp: Path) -> Path:
    return write(tmp / "blank.txt", b" \n\t\r\n  \n")


def random_bytes(good: Path, tmp: Path) -> Path:
    return write(tmp / "random.txt", random.Random(2024).randbytes(4096))


def png_image(good: Path, tmp: Path) -> Path:
    return write(tmp / "scan.txt", b"\x89PNG\r\n\x1a\n" + random.Random(1).randbytes(2000))


def zip_archive(good: Path, tmp: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("cnipa-2024-task-list.txt", good.read_bytes())
    return write(tmp / "download.txt", buf.getvalue())


def docx_as_txt(good: Path, tmp: Path) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:  # the parts that make a zip a .docx
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", good.read_text(encoding="utf-8"))
    return write(tmp / "word-2024.txt", buf.getvalue())


def xls_as_txt(good: Path, tmp: Path) -> Path:
    # An OLE compound file whose directory names the Workbook stream, as an .xls does.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "Workbook".encode("utf-16-le")
    return write(tmp / "excel-2024.txt", ole + bytes(1000))


def gb18030_noise(good: Path, tmp: Path) -> Path:
    # High bytes only: GB18030 decodes them without error, into rare characters.
    rng = random.Random(7)
    return write(tmp / "noise.txt", bytes(rng.randrange(0x81, 0xFF) for _ in range(4000)))


def pdf_as_txt(good: Path, tmp: Path) -> Path:
    return write(tmp / "renamed-2024.txt", b"%PDF-1.7\n" + good.read_bytes())


def too_large(good: Path, tmp: Path) -> Path:
    data = good.read_bytes()
    return write(tmp / "huge-2024.txt", (data * (100 * 1024 // len(data) + 1))[: 100 * 1024])


def no_header(good: Path, tmp: Path) -> Path:
    lines = good_lines(good)
    del lines[header_index(lines)]
    return write(tmp / "no-header-2024.txt", "\n".join(lines).encode())


def prose_only(good: Path, tmp: Path) -> Path:
    lines = good_lines(good)
    return write(tmp / "prose-2024.txt", "\n".join(lines[: header_index(lines)]).encode())


def header_without_tasks(good: Path, tmp: Path) -> Path:
    lines = good_lines(good)
    return write(tmp / "header-only-2024.txt", "\n".join(lines[: header_index(lines) + 1]).encode())


def _separated(good: Path, tmp: Path, name: str, separator: str) -> Path:
    text = good.read_text(encoding="utf-8").replace("\t", separator)
    return write(tmp / f"{name}-2024.txt", text.encode())


def markdown_table(good: Path, tmp: Path) -> Path:
    return _separated(good, tmp, "markdown", " | ")


def csv_table(good: Path, tmp: Path) -> Path:
    return _separated(good, tmp, "csv", ",")


def space_separated(good: Path, tmp: Path) -> Path:
    return _separated(good, tmp, "spaces", "    ")


def row_two_cells(good: Path, tmp: Path) -> Path:
    lines = good_lines(good)
    i = first_task_index(lines)
    lines[i] = lines[i].replace("\t", "", 1)
    return write(tmp / "two-cells-2024.txt", "\n".join(lines).encode())


def row_four_cells(good: Path, tmp: Path) -> Path:
    lines = good_lines(good)
    i = first_task_index(lines)
    lines[i] = lines[i].replace("。", "。\t", 1)
    return write(tmp / "four-cells-2024.txt", "\n".join(lines).encode())


def damaged_utf8(good: Path, tmp: Path) -> Path:
    data = good.read_bytes()
    return write(tmp / "damaged-2024.txt", data[:5000] + b"\xff\xfe" + data[5000:])


def gb18030_damaged(good: Path, tmp: Path) -> Path:
    data = good.read_text(encoding="utf-8").encode("gb18030")
    return write(tmp / "gb-damaged-2024.txt", data[:6000] + b"\x80" + data[6000:])


def bom_lies(good: Path, tmp: Path) -> Path:
    return write(tmp / "bom-2024.txt",
                 b"\xef\xbb\xbf" + good.read_text(encoding="utf-8").encode("gb18030"))


def big5(good: Path, tmp: Path) -> Path:
    return write(tmp / "big5-2024.txt",
                 good.read_text(encoding="utf-8").encode("big5", errors="replace"))


def cut_inside_paragraph(good: Path, tmp: Path) -> Path:
    """Cut in the last row's third cell, inside a <p>, as an interrupted download stops."""
    text = good.read_text(encoding="utf-8")
    second_tab = text.index("\t", text.index("\t", text.rindex("\n") + 1) + 1)
    at = text.index("<p>", second_tab) + 12
    return write(tmp / "cut-paragraph-2024.txt", text[:at].encode())


def cut_inside_first_cell(good: Path, tmp: Path) -> Path:
    text = good.read_text(encoding="utf-8")
    at = text.index("\t", text.rindex("\n") + 1) - 2
    return write(tmp / "cut-cell-2024.txt", text[:at].encode())


def folder(good: Path, tmp: Path) -> Path:
    path = tmp / "downloads"
    path.mkdir()
    (path / good.name).write_bytes(good.read_bytes())
    return path


def fifo(good: Path, tmp: Path) -> Path:
    path = tmp / "pipe-2024.txt"
    os.mkfifo(path)
    return path


HINT_FORMAT = ("give a text dump (.txt), an HTML page (.html), a PDF (.pdf) or a Word document "
               "(.docx) of the task list")
HINT_ENCODING = "re-save the file as UTF-8, or fix its declared charset"
HINT_TABLE = "the file must hold the task table under a header row naming its columns (重点任务 / 工作举措 / 任务分工, or such as 序号 / 重点任务 / 具体措施 / 牵头单位 / 完成时限)"
HINT_ROW = "each table row must be one line with one tab-separated cell per header cell"
HINT_CUT = "the file is cut short (an interrupted download?); download it again"
HINT_TSV = "save the table as tab-separated text, one row per line"
HINT_OFFICE = ("open it in Word/WPS/LibreOffice and save it as .docx, PDF or HTML (or export the table "
               "as tab-separated text), then extract that file")

TEXT_CASES: list[Case] = [
    ("missing-file", missing, 2, InputNotFoundError,
     "{file}: no such file — check the path, or put the file in raw/"),
    ("broken-symlink", broken_link, 2, InputNotFoundError,
     "{file}: is a symbolic link to {file.parent}/gone.txt, which does not exist — check the path, "
     "or put the file in raw/"),
    ("empty-file", empty, 2, EmptyInputError,
     "{file}: the file is empty — download it again, or check that you saved the right file"),
    ("whitespace-only", whitespace_only, 2, EmptyInputError,
     "{file}: the file holds only whitespace (8 bytes) — download it again, or check that you saved the right file"),
    ("binary-garbage", random_bytes, 2, UnknownFormatError,
     "{file}: not a PDF, HTML page or text dump (binary content) — " + HINT_FORMAT),
    ("png-image", png_image, 2, UnknownFormatError,
     "{file}: is a PNG image, not a PDF, HTML page or text dump — if it is a scan of the list, "
     "run OCR on it and save the result as PDF (for example img2pdf + ocrmypdf -l chi_sim); "
     "otherwise give the list's PDF, HTML or text dump"),
    ("zip-archive", zip_archive, 2, UnknownFormatError,
     "{file}: is a ZIP archive, not a PDF, HTML page or text dump — unpack it and extract the "
     "task-list files inside"),
    # Read as a Word document from its bytes, whose word/document.xml is no XML at all.
    ("docx-named-txt", docx_as_txt, 2, WordDamagedError,
     "{file}: word/document.xml is not well-formed XML (Start tag expected, '<' not found, "
     "line 3, column 1) (read as Word from its content, although the extension .txt says text) "
     "— the Word document is damaged (an interrupted download?); download it again, or take "
     "the PDF or HTML of the list"),
    # (A .doc is converted by LibreOffice now: tests/test_read_docx.py.)
    ("xls-named-txt", xls_as_txt, 2, OfficeDocumentError,
     "{file}: is an Excel workbook (.xls), not a PDF, HTML page or text dump — " + HINT_OFFICE),
    ("gb18030-noise", gb18030_noise, 2, EncodingError,
     "{file}: not UTF-8, and as GB18030 it reads as mostly rare characters (another encoding "
     "such as Big5, or not text at all) — " + HINT_ENCODING),
    ("big5-dump", big5, 2, EncodingError,
     "{file}: not UTF-8, and as GB18030 it reads as mostly rare characters (another encoding "
     "such as Big5, or not text at all) — " + HINT_ENCODING),
    ("damaged-utf8", damaged_utf8, 2, EncodingError,
     "{file}: UTF-8 text with invalid bytes (the first at byte 5000) — the file is damaged; "
     "download it again, or re-save it as UTF-8"),
    ("damaged-gb18030", gb18030_damaged, 2, EncodingError,
     "{file}: bytes decode neither as UTF-8 nor as GB18030 (GB18030 fails at byte 6000) — "
     + HINT_ENCODING),
    ("bom-disagrees", bom_lies, 2, EncodingError,
     "{file}: bytes do not decode as the UTF-8 its byte-order mark announces — " + HINT_ENCODING),
    # The PDF reader's own wording follows; the line must say the format came from the bytes.
    ("pdf-named-txt", pdf_as_txt, 2, PipelineError,
     re.compile(r"\(read as PDF from its content, although the extension \.txt says text\) — ")),
    ("over-size-limit", too_large, 2, InputTooLargeError,
     "{file}: 100 KiB is over the 64 KiB limit — a task list is a few MB at most; check that "
     "this is the right file"),
    ("no-task-table", no_header, 2, NoTaskTableError,
     "{file}: no table header row (重点任务 / 工作举措 / 任务分工) found — " + HINT_TABLE),
    ("prose-only", prose_only, 2, NoTaskTableError,
     "{file}: no table header row (重点任务 / 工作举措 / 任务分工) found — " + HINT_TABLE),
    ("header-without-tasks", header_without_tasks, 2, NoTaskTableError,
     "{file}: the table has no numbered task rows (1. …) — " + HINT_TABLE),
    ("row-with-two-cells", row_two_cells, 2, MalformedRowError,
     "{file}: line 9 has 2 tab-separated cells, expected 3 (it starts '1. 持续推进《纲要》和《规划》实施国家…') — "
     + HINT_ROW),
    ("row-with-four-cells", row_four_cells, 2, MalformedRowError,
     "{file}: line 9 has 4 tab-separated cells, expected 3 (it starts '1. 持续推进《纲要》和《规划》实施 国…') — "
     + HINT_ROW),
    ("cut-inside-paragraph", cut_inside_paragraph, 2, TruncatedInputError,
     "{file}: the last line (52) stops inside a paragraph (<p> without </p>) — " + HINT_CUT),
    ("cut-inside-first-cell", cut_inside_first_cell, 2, TruncatedInputError,
     "{file}: the last line (52) has 1 of 3 tab-separated cells — " + HINT_CUT),
    ("markdown-table", markdown_table, 2, MalformedRowError,
     "{file}: line 7 is the table header, but its cells are separated by '|' (a Markdown table), "
     "not tabs — " + HINT_TSV),
    ("csv-table", csv_table, 2, MalformedRowError,
     "{file}: line 7 is the table header, but its cells are separated by commas (CSV), not tabs — "
     + HINT_TSV),
    ("space-separated", space_separated, 2, MalformedRowError,
     "{file}: line 7 is the table header, but its cells are separated by spaces, not tabs — "
     + HINT_TSV),
    ("folder-not-file", folder, 2, InputIsFolderError,
     "{file}: is a folder, not a file — name the files inside it instead (for example {file}/*.pdf)"),
    ("fifo-not-file", fifo, 2, InputUnreadableError,
     "{file}: is not a regular file (a device, pipe or socket) — check the file's permissions "
     "and that it is a regular file"),
]


# ---- makers for the PDF and HTML renderings (need tests/fixtures/pdf|html) -------------------

def pdf_truncated_half(good: Path, tmp: Path) -> Path:
    data = good.read_bytes()
    return write(tmp / "truncated-2024.pdf", data[: len(data) // 2])


def pdf_truncated_head(good: Path, tmp: Path) -> Path:
    return write(tmp / "head-2024.pdf", good.read_bytes()[:1024])


def pdf_garbage_body(good: Path, tmp: Path) -> Path:
    body = random.Random(3).randbytes(8000)
    return write(tmp / "garbage-2024.pdf", b"%PDF-1.7\n" + body + b"\n%%EOF\n")


def pdf_corrupt_stream(good: Path, tmp: Path) -> Path:
    """300 random bytes over the middle of the file: a compressed stream no longer inflates."""
    data = good.read_bytes()
    at = len(data) // 2
    return write(tmp / "corrupt-2024.pdf", data[:at] + random.Random(0).randbytes(300) + data[at + 300:])


def _encrypted(good: Path, user_password: str) -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter(clone_from=str(good))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="AES-128")
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


def pdf_encrypted_user_password(good: Path, tmp: Path) -> Path:
    return write(tmp / "locked-2024.pdf", _encrypted(good, "secret"))


def pdf_encrypted_owner_only(good: Path, tmp: Path) -> Path:
    return write(tmp / "restricted-2024.pdf", _encrypted(good, ""))


def pdf_scanned(good: Path, tmp: Path) -> Path:
    """Every page rendered to an image and the images put back as a PDF: no text layer."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(good.read_bytes())
    images = [page.render(scale=100 / 72).to_pil().convert("RGB") for page in pdf]
    pdf.close()
    buf = io.BytesIO()
    images[0].save(buf, "PDF", resolution=100.0, save_all=True, append_images=images[1:])
    return write(tmp / "scanned-2024.pdf", buf.getvalue())


def pdf_without_tounicode(good: Path, tmp: Path) -> Path:
    """The fonts' /ToUnicode maps removed, so pdfminer yields (cid:N) for the subset glyphs."""
    from pypdf import PdfWriter
    from pypdf.generic import NameObject

    writer = PdfWriter(clone_from=str(good))
    for page in writer.pages:
        fonts = page.get("/Resources", {}).get_object().get("/Font", {}).get_object()
        for ref in fonts.values():
            font = ref.get_object()
            for f in (font, *(d.get_object() for d in font.get("/DescendantFonts", []))):
                if "/ToUnicode" in f:
                    del f[NameObject("/ToUnicode")]
    buf = io.BytesIO()
    writer.write(buf)
    return write(tmp / "cid-2024.pdf", buf.getvalue())


def pdf_without_table(good: Path, tmp: Path) -> Path:
    """Pages of the fixture's size holding one line of Helvetica text: a text layer, no table."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

    box = PdfReader(str(good)).pages[0].mediabox
    writer = PdfWriter()
    page = writer.add_blank_page(width=float(box.width), height=float(box.height))
    font = DictionaryObject({NameObject("/Type"): NameObject("/Font"),
                             NameObject("/Subtype"): NameObject("/Type1"),
                             NameObject("/BaseFont"): NameObject("/Helvetica")})
    page[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): DictionaryObject(
        {NameObject("/F1"): writer._add_object(font)})})
    content = DecodedStreamObject()
    content.set_data(b"BT /F1 18 Tf 72 700 Td (Minutes of a meeting, not a task list.) Tj ET")
    page[NameObject("/Contents")] = writer._add_object(content)
    buf = io.BytesIO()
    writer.write(buf)
    return write(tmp / "minutes-2024.pdf", buf.getvalue())


def html_without_table(good: Path, tmp: Path) -> Path:
    data = re.sub(rb"(?is)<table\b.*?</table\s*>", b"<p>(table removed)</p>", good.read_bytes())
    return write(tmp / "no-table-2024.html", data)


def html_wrong_charset(good: Path, tmp: Path) -> Path:
    """Declared UTF-8, but GB18030 bytes with bytes in it that no CJK encoding accepts."""
    raw = good.read_bytes()
    text = raw.decode("utf-8", errors="replace") if not _declared_gb(raw) else raw.decode("gb18030")
    text = re.sub(r"(?i)charset\s*=\s*([\"']?)[\w-]+", r"charset=\1utf-8", text)
    data = text.encode("gb18030", errors="replace")
    middle = len(data) // 2
    return write(tmp / "charset-2024.html", data[:middle] + b"\x80\xff\x80\xff" + data[middle:])


def html_truncated(good: Path, tmp: Path) -> Path:
    """Cut three quarters in, as an interrupted download is: inside the task table."""
    data = good.read_bytes()
    return write(tmp / "truncated-2024.html", data[: len(data) * 3 // 4])


def _declared_gb(raw: bytes) -> bool:
    return bool(re.search(rb"(?i)charset\s*=\s*[\"']?(gb2312|gbk|gb18030)", raw[:4096]))


HINT_PDF = "download it again, or take the HTML page of the list"

PDF_CASES: list[Case] = [
    ("pdf-truncated-half", pdf_truncated_half, 2, PdfDamagedError,
     "{file}: the PDF is truncated (no %%EOF marker at its end) — " + HINT_PDF),
    ("pdf-truncated-head", pdf_truncated_head, 2, PdfDamagedError,
     "{file}: the PDF is truncated (no %%EOF marker at its end) — " + HINT_PDF),
    ("pdf-garbage-body", pdf_garbage_body, 2, PdfDamagedError,
     "{file}: the PDF has no startxref pointer to its cross-reference table — " + HINT_PDF),
    ("pdf-corrupt-stream", pdf_corrupt_stream, 2, PdfDamagedError,
     re.compile(r"^\S+: a compressed stream that page \d+ uses is corrupt \(Error -3 while "
                r"decompressing data: [^)]+\) — " + re.escape(HINT_PDF) + "$")),
    ("pdf-user-password", pdf_encrypted_user_password, 2, PdfEncryptedError,
     "{file}: the PDF is encrypted and needs a password to open — decrypt it first (for example "
     "`qpdf --decrypt in.pdf out.pdf`, adding --password=… if one is needed)"),
    ("pdf-scanned", pdf_scanned, 2, PdfNoTextError,
     re.compile(r"^\S+: none of its \d+ pages has any text — the PDF has no text layer \(a scan\); "
                r"run OCR on it first \(for example ocrmypdf -l chi_sim\)$")),
    ("pdf-cid-placeholders", pdf_without_tounicode, 2, PdfNoUnicodeError,
     re.compile(r"^\S+: page 1 has \d+ characters without a Unicode mapping \(e\.g\. \(cid:\d+\)\) — "
                r"the PDF's fonts carry no Unicode map, so its text is \(cid:N\) placeholders; use "
                r"the HTML or another PDF of the list$")),
    ("pdf-no-task-table", pdf_without_table, 2, NoTaskTableError,
     "{file}: no table header row (重点任务 / 工作举措 / 任务分工) found on any page — " + HINT_TABLE),
]

HTML_CASES: list[Case] = [
    ("html-no-task-table", html_without_table, 2, NoTaskTableError,
     "{file}: the page has no table (is the list only a linked attachment?) — " + HINT_TABLE),
    ("html-wrong-charset", html_wrong_charset, 2, EncodingError,
     "{file}: bytes decode neither as the declared utf-8 nor as GB18030 — " + HINT_ENCODING),
    ("html-truncated", html_truncated, 2, TruncatedInputError,
     re.compile(r": the page ends inside a table \(\d+ <table> tags, \d+ closed, no </html> at the "
                r"end\) — the file is cut short \(an interrupted download\?\); download it again$")),
]


def first_rendering(fmt: str) -> Path:
    """The first whole-list rendering in tests/fixtures/FMT/ (the committed fixtures)."""
    files = sorted((FIXTURES / fmt).glob(f"*.{fmt}"))
    assert files, f"no *.{fmt} rendering under {FIXTURES / fmt}"
    return files[0]


PDF_FIXTURE = first_rendering("pdf")
HTML_FIXTURE = first_rendering("html")


# ---- the tests -------------------------------------------------------------------------------

def check_failure(bad: Path, code: int, error: type[PipelineError], expected: Expected,
                  out: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot(out)
    assert before  # a previous output set is there to be protected
    capsys.readouterr()
    rc = main(["extract", str(bad), "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == code
    assert captured.out == ""
    assert "Traceback" not in captured.err
    lines = captured.err.splitlines()
    assert len(lines) == 2, captured.err
    assert_line(lines[0], expected, bad)
    assert lines[1] == nothing_written(out)
    assert snapshot(out) == before
    assert leftovers(out) == []
    with pytest.raises(error):
        extract_file(bad)


@pytest.mark.parametrize("case_id, make, code, error, expected", TEXT_CASES,
                         ids=[c[0] for c in TEXT_CASES])
def test_bad_text_input(case_id: str, make: Maker, code: int, error: type[PipelineError],
                        expected: Expected, tmp_path: Path, out: Path,
                        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.read, "MAX_INPUT_BYTES", SMALL_LIMIT)
    bad = make(RAW_2024, tmp_path)
    check_failure(bad, code, error, expected, out, capsys)


@pytest.mark.parametrize("case_id, make, code, error, expected", PDF_CASES,
                         ids=[c[0] for c in PDF_CASES])
def test_bad_pdf_input(case_id: str, make: Maker, code: int, error: type[PipelineError],
                       expected: Expected, tmp_path: Path, out: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    check_failure(make(PDF_FIXTURE, tmp_path), code, error, expected, out, capsys)


def test_pdf_with_owner_password_only_is_read_with_a_note(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Copy/print restrictions need no password to open, so the text is read, and said so."""
    restricted = pdf_encrypted_owner_only(PDF_FIXTURE, tmp_path)
    assert main(["extract", str(restricted), "--out", str(tmp_path / "out")]) == 0
    assert re.search(r"note: .*encrypted.*owner password", capsys.readouterr().err)


@pytest.mark.parametrize("case_id, make, code, error, expected", HTML_CASES,
                         ids=[c[0] for c in HTML_CASES])
def test_bad_html_input(case_id: str, make: Maker, code: int, error: type[PipelineError],
                        expected: Expected, tmp_path: Path, out: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    check_failure(make(HTML_FIXTURE, tmp_path), code, error, expected, out, capsys)


def test_keep_going_writes_the_good_input_and_reports_every_bad_one(
        tmp_path: Path, out: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pipeline.read, "MAX_INPUT_BYTES", SMALL_LIMIT)
    bad = [(make(RAW_2024, tmp_path), error, expected)
           for _, make, _, error, expected in TEXT_CASES]
    capsys.readouterr()
    rc = main(["extract", str(RAW_2024), *(str(b) for b, _, _ in bad), "--out", str(out),
               "--keep-going", "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2
    assert "Traceback" not in err
    lines = err.splitlines()
    assert len(lines) == len(bad) + 1
    for line, (path, _, expected) in zip(lines, bad):
        assert_line(line, expected, path)
    assert lines[-1] == (f"{len(bad)} of {len(bad) + 1} input(s) failed and are not in {out}/ "
                         f"(listed in {out}/report.json); wrote the other 1")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    entries = report["inputs"]
    assert [e["status"] for e in entries] == ["ok"] + ["failed"] * len(bad)
    for entry, (path, error, _) in zip(entries[1:], bad):
        assert entry["file"] == path.name
        assert issubclass(getattr(pipeline.errors, entry["error"]), error)
    assert report["counts"]["documents"] == 1
    assert leftovers(out) == []


def test_the_matrix_makes_a_distinct_file_per_case(tmp_path: Path) -> None:
    """Each maker writes its own file name, so one --keep-going run can hold them all."""
    names = [make(RAW_2024, tmp_path).name for _, make, *_ in TEXT_CASES]
    assert len(set(names)) == len(names)
