"""PDFs that are damaged in ways pdfminer forgives, PDFs built to exhaust it, and bugs of ours
inside the PDF reader: each ends in one clear line (issue 8, findings 3, 4 and 9).

Every bad file is built here at test time, from a committed rendering or byte by byte
(tests/bomb_pdf.py).
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

import pipeline.read.pdf as reader
from pipeline.cli import main
from pipeline.errors import InputTooLargeError, PdfDamagedError
from pipeline.read.pdf import read_pdf
from pipeline.read.pdf.limits import LIMITS, Limits
from tests import bomb_pdf

PORTRAIT = Path(__file__).resolve().parent / "fixtures" / "pdf" / \
    "a4-portrait-serif-10.5pt-repeat-header.pdf"


# ---- damage pdfminer would read as a blank page (finding 3) ----------------------------------

def _content_object(data: bytes, page: int) -> int:
    """The object number of the page's (first) content stream."""
    ref = PdfReader(io.BytesIO(data)).pages[page - 1].get_object().raw_get("/Contents")
    return (ref[0] if isinstance(ref, list) else ref).idnum


def _insert_into_stream(data: bytes, objnum: int, at: int, byte: bytes = b"X") -> bytes:
    start = re.search(rb"(?<![0-9])%d 0 obj" % objnum, data).end()
    body = data.index(b"stream", start) + len(b"stream")
    body += 2 if data[body:body + 2] == b"\r\n" else 1
    return data[:body + at] + byte + data[body + at:]


@pytest.mark.parametrize("at", [0, 40, 1500])
def test_one_byte_inserted_into_a_page_content_stream_is_damage_on_that_page(at):
    good = PORTRAIT.read_bytes()
    assert len(read_pdf(good, "good.pdf").rows) > 20
    bad = _insert_into_stream(good, _content_object(good, 7), at)
    with pytest.raises(PdfDamagedError, match=r"^bad\.pdf: a compressed stream that page 7 "
                                              r"uses is corrupt \(.+\) — download it again"):
        read_pdf(bad, "bad.pdf")


def _rewrite(data: bytes, change) -> bytes:
    writer = PdfWriter(clone_from=io.BytesIO(data))
    change(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_an_empty_content_stream_on_a_page_with_fonts_is_damage():
    def empty_page_3(writer: PdfWriter) -> None:
        page = writer.pages[2]
        empty = DecodedStreamObject()
        page[NameObject("/Contents")] = writer._add_object(empty)

    bad = _rewrite(PORTRAIT.read_bytes(), empty_page_3)
    with pytest.raises(PdfDamagedError, match="page 3 has fonts but its content stream is empty"):
        read_pdf(bad, "bad.pdf")


def test_a_content_stream_that_is_missing_is_damage():
    data = bomb_pdf.write_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 9 0 R >>",
    ])
    with pytest.raises(PdfDamagedError, match="page 1 has a content stream that is missing"):
        read_pdf(data, "bad.pdf")


# ---- resource bombs (finding 4) --------------------------------------------------------------

BOMBS = [
    ("flate-1GiB", lambda: bomb_pdf.flate_bomb(1024 * bomb_pdf.MIB),
     r"page 1 has a compressed stream inflating to more than 64 MiB, the limit for a stream"),
    ("million-glyphs", lambda: bomb_pdf.glyph_page(1_000_000),
     r"page 1 draws more than 10,000 glyphs, the limit for a page"),
    ("million-rects", lambda: bomb_pdf.rect_page(1_000_000),
     r"page 1 has more than 1 MiB of drawing instructions, the limit for a page"),
    ("fifty-thousand-rects", lambda: bomb_pdf.rect_page(50_000),
     r"page 1 draws more than 5,000 lines and shapes, the limit for a page"),
    ("form-drawn-100k-times", lambda: bomb_pdf.form_bomb(100_000),
     r"page 1 draws more than 500 forms \(XObjects\), the limit for a page"),
    ("2000-pages", lambda: bomb_pdf.many_pages(2000),
     r"the PDF has 2,000 pages, over the limit of 200"),
    ("2000-pages-declaring-one", lambda: bomb_pdf.many_pages(2000, declare=1),
     r"page 201 is one page more than the limit of 200 pages for a file"),
]


@pytest.mark.parametrize("make, expected", [b[1:] for b in BOMBS], ids=[b[0] for b in BOMBS])
def test_resource_bombs_stop_at_a_named_limit(make, expected):
    with pytest.raises(InputTooLargeError, match=f"^bomb.pdf: {expected} — "):
        read_pdf(make(), "bomb.pdf")


def test_the_glyph_budget_counts_the_whole_file():
    # Five pages of 3,000 glyphs each pass the page limit but not a file limit of 10,000.
    pages = [bomb_pdf.stream(b"BT /F1 1 Tf 10 10 Td (" + b"a" * 3000 + b") Tj ET")] * 5
    data = bomb_pdf.write_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [%s] /Count 5 >>" % b" ".join(
            b"%d 0 R" % (4 + 2 * i) for i in range(5)),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *[obj for i, content in enumerate(pages) for obj in (
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R >> >> >>" % (5 + 2 * i), content)],
    ])
    with pytest.raises(InputTooLargeError, match="page 4 brings the glyphs drawn to more than "
                                                 "10,000, the limit for a file"):
        read_pdf(data, "bomb.pdf", Limits(glyphs=10_000))


def test_the_limits_are_validated_and_leave_room_for_the_list():
    with pytest.raises(ValueError, match="pages"):
        Limits(pages=0)
    # The committed renderings stay far below every limit (16 pages, < 1,000 glyphs a page).
    assert LIMITS.pages >= 10 * 16 and LIMITS.glyphs_per_page >= 10 * 1_000


def test_a_bomb_through_the_command_line_is_one_line_exit_2(tmp_path, capsys):
    bomb = tmp_path / "bomb-2024.pdf"
    bomb.write_bytes(bomb_pdf.flate_bomb(256 * bomb_pdf.MIB))
    assert main(["extract", str(bomb), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{bomb}: page 1 has a compressed stream inflating to more than ")
    assert not (tmp_path / "out").exists()


# ---- our own exceptions are bugs, not damage (finding 9) -------------------------------------

def _run(path: Path, tmp_path: Path, capsys) -> tuple[int, list[str]]:
    rc = main(["extract", str(path), "--out", str(tmp_path / "out")])
    return rc, capsys.readouterr().err.splitlines()


def test_a_bug_in_the_page_function_is_an_internal_error_exit_1(tmp_path, capsys, monkeypatch):
    def buggy(page, settings):
        raise KeyError("x0")

    monkeypatch.setattr(reader, "page_glyphs", buggy)
    rc, err = _run(PORTRAIT, tmp_path, capsys)
    assert rc == 1
    assert err[0] == (f"{PORTRAIT}: internal error: KeyError: 'x0' — this is a bug in the "
                      "pipeline; rerun with --debug and report the traceback")


def test_a_bug_in_our_callback_inside_pdfminer_is_an_internal_error(tmp_path, capsys,
                                                                     monkeypatch):
    import pipeline.read.pdf.load as load

    def buggy(self, *args, **kwargs):
        raise TypeError("budget")

    monkeypatch.setattr(load._CountingDevice, "render_char", buggy)
    rc, err = _run(PORTRAIT, tmp_path, capsys)
    assert rc == 1 and "internal error: TypeError: budget" in err[0]


def test_a_stream_whose_length_is_unreadable_is_damage_exit_2(tmp_path, capsys):
    good = PORTRAIT.read_bytes()
    bad = tmp_path / "bad-2024.pdf"
    bad.write_bytes(good.replace(b"/Length", b"/Lenght", 1))
    rc, err = _run(bad, tmp_path, capsys)
    assert rc == 2
    assert err[0].startswith(f"{bad}: a compressed stream that page 1 uses is corrupt (")
