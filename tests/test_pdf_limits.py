"""PDFs that are damaged in ways pdfminer forgives, PDFs built to exhaust it, and bugs of ours
inside the PDF reader: each ends in one clear line (issue 8, findings 3, 4 and 9).

Every bad file is built here at test time, from a committed rendering or byte by byte
(tests/bomb_pdf.py).
"""
from __future__ import annotations

import io
import re
from functools import cache
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

import pipeline.read.pdf as reader
import pipeline.read.pdf.load as load
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
    """``byte`` inserted into the object's stream data, its /Length grown to match (so only
    the data is damaged, not the stream's frame)."""
    start = re.search(rb"(?<![0-9])%d 0 obj" % objnum, data).end()
    body = data.index(b"stream", start) + len(b"stream")
    body += 2 if data[body:body + 2] == b"\r\n" else 1
    data = data[:body + at] + byte + data[body + at:]
    length = re.compile(rb"/Length\s+(\d+)(?!\d)(\s+0\s+R)?").search(data, start, body)
    assert length is not None, objnum
    if length[2]:  # an indirect /Length: the number is object N's
        length = re.compile(rb"(?<![0-9])%s 0 obj\s*(\d+)" % length[1]).search(data)
        assert length is not None
    grown = b"%d" % (int(length[1]) + len(byte))
    return data[:length.start(1)] + grown + data[length.end(1):]


@cache
def _rows_read(path: Path) -> int:
    """Rows the reader reads from the committed file (once: the cases below share it)."""
    return len(read_pdf(path.read_bytes(), "good.pdf").rows)


@pytest.mark.parametrize("at", [0, 40, 1500])
def test_one_byte_inserted_into_a_page_content_stream_is_damage_on_that_page(at):
    good = PORTRAIT.read_bytes()
    assert _rows_read(PORTRAIT) > 20
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


# ---- content-stream syntax and stream frames pdfminer skips without a word ----------------

def _page_of(content: bytes, frame: bytes | None = None) -> bytes:
    """A one-page PDF (Helvetica as /F1) drawing ``content``, uncompressed; ``frame`` replaces
    the stream object's whole text (to give it another /Length or end of line)."""
    return bomb_pdf._one_page(frame if frame is not None
                              else bomb_pdf.stream(content, compress=False))


def _page_text(data: bytes) -> str:
    with load.open_pdf(data, "p.pdf") as pdf:
        return "".join(c["text"] for page in pdf.pages() for c in page.chars)


TEXT = b"BT /F1 12 Tf 72 720 Td (one) Tj 0 -14 Td (two) Tj ET\n"


def test_a_content_stream_that_parses_whole_reads_whole():
    """Every operator of the format pdfminer skips or handles quietly is no damage: marked
    content, compatibility sections (unknown operators inside them are legal), shading,
    rendering intent, flatness, an inline image, d0/d1 (Type 3 glyphs), ' and "."""
    legit = (b"/Span << /MCID 0 >> BDC /Tag MP /Tag << /A 1 >> DP /Tag BMC EMC EMC "
             b"BX 1 2 fancyop /X newer EX /Perceptual ri 1 i "
             b"q 0 0 1 1 re W n /Sh1 sh Q 0 0 d0 0 0 0 0 0 0 d1 "
             b"BI /W 1 /H 1 /CS /G /BPC 8 ID \x80 EI "
             b"BT /F1 12 Tf 14 TL (three) ' 0 0 (four) \" ET\n")
    assert _page_text(_page_of(TEXT + legit)) == "onetwothreefour"
    crlf = b"<< /Length %d >>\nstream\r\n%s\r\nendstream" % (len(TEXT), TEXT)
    counted = b"<< /Length %d >>\nstream\n%s\nendstream" % (len(TEXT) + 1, TEXT)
    for frame in (crlf, counted):  # the end of line before endstream, counted in /Length or not
        assert _page_text(_page_of(b"", frame)) == "onetwo"


CONTENT_DAMAGE = [
    # an array left open swallows every operator after its [ (fuzz pdf seed 24)
    ("open-array", TEXT.replace(b"(two)", b"[(two)"),
     r"an array '\[' is never closed; the operators after it are lost"),
    ("open-dict", TEXT.replace(b"ET", b"<< /A 1 ET"), r"a dictionary '<<' is never closed"),
    ("stray-bracket", TEXT.replace(b"(two)", b"(two) ]"), r"a '\]' that closes no open array"),
    ("stray-dict-end", TEXT.replace(b"(two)", b"(two) >>"),
     r"a '>>' that closes no open dictionary"),
    # a digit damaged into an unknown operator (fuzz pdf seed 209: 629.1 became 629&1)
    ("unknown-operator", TEXT.replace(b"0 -14 Td", b"0 -14&1 Td"),
     r"an unknown operator '&'"),
    ("unknown-after-ex", TEXT.replace(b"ET", b"BX EX newop ET"), r"an unknown operator 'newop'"),
    # legal inside BX … EX, the same operator after it is not (the interpreter remembers the
    # methods it finds, never a missing one)
    ("unknown-again-after-ex", TEXT.replace(b"ET", b"BX newop EX newop ET"),
     r"an unknown operator 'newop'"),
    ("missing-operand", TEXT.replace(b"(two) Tj", b"Tj"), r"an operator with 0 of its 1 operands"),
]


@pytest.mark.parametrize("content, message", [c[1:] for c in CONTENT_DAMAGE],
                         ids=[c[0] for c in CONTENT_DAMAGE])
def test_content_stream_syntax_damage_is_damage_on_that_page(content, message):
    with pytest.raises(PdfDamagedError, match=r"^p\.pdf: page 1 has a damaged content stream \("
                       + message):
        _page_text(_page_of(content))


def test_content_syntax_damage_is_found_in_the_later_pages_of_a_real_rendering():
    """The rule on a real page: page 2's content stream (an incremental update, so only that
    stream changes) with an operator damaged; pages 1 and 3 are untouched."""
    good = PORTRAIT.read_bytes()
    num = _content_object(good, 2)
    with load.open_pdf(good, "good.pdf") as pdf:
        content = pdf.pdf.doc.getobj(num).get_data()
    damaged = content.replace(b">Tj", b">Tq", 1)
    assert damaged != content
    update = bytearray(good)
    at = len(update)
    update += b"%d 0 obj\n<< /Length %d >>\nstream\n%s\nendstream\nendobj\n" % (
        num, len(damaged), damaged)
    prev = good[good.rindex(b"startxref"):].split()[1]
    xref = len(update)
    update += b"xref\n%d 1\n%010d 00000 n \n" % (num, at)
    trailer = re.search(rb"trailer\s*<<(.*?)>>\s*startxref", good, re.DOTALL)[1]
    trailer = re.sub(rb"/Prev\s+\d+", b"", trailer)
    update += b"trailer\n<<%s /Prev %s>>\nstartxref\n%d\n%%%%EOF\n" % (trailer, prev, xref)
    with pytest.raises(PdfDamagedError, match=r"page 2 has a damaged content stream \(an unknown "
                                              r"operator 'Tq'\)"):
        read_pdf(bytes(update), "bad.pdf")


def _framed(length: bytes, data: bytes = TEXT) -> bytes:
    return b"<< /Length %s >>\nstream\n%s\nendstream" % (length, data)


@pytest.mark.parametrize("frame, message", [
    # text deleted, the /Length left as it was: pdfminer read on into the next object (seed 40)
    (_framed(b"%d" % (len(TEXT) + 30)), rf"whose /Length {len(TEXT) + 30} does not match its data \({len(TEXT) - 1} bytes"),
    # bytes inserted: pdfminer would cut the stream at /Length and drop its tail
    (_framed(b"%d" % (len(TEXT) - 10)), rf"whose /Length {len(TEXT) - 10} does not match"),
    (_framed(b"0"), r"whose /Length 0 does not match"),
    (b"<< >>\nstream\n%s\nendstream" % TEXT, r"without a valid /Length"),
    (_framed(b"/Big"), r"without a valid /Length"),
], ids=["too-long", "too-short", "zero", "missing", "not-a-number"])
def test_a_stream_whose_length_does_not_reach_its_endstream_is_damage(frame, message):
    with pytest.raises(PdfDamagedError, match=r"^p\.pdf: page 1 has a stream " + message):
        _page_text(_page_of(b"", frame))


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
    # The limit counts the pages read (the reader stops at the table's end), whatever the
    # page tree declares.
    ("2000-pages", lambda: bomb_pdf.many_pages(2000),
     r"page 201 is one page more than the limit of 200 pages read from a file"),
    ("2000-pages-declaring-one", lambda: bomb_pdf.many_pages(2000, declare=1),
     r"page 201 is one page more than the limit of 200 pages read from a file"),
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
    assert err[0].startswith(f"{bad}: page 1 has a stream without a valid /Length — ")


@pytest.mark.parametrize("value", [0, -1, 1.5, True, "10"])
def test_a_limit_must_be_a_positive_whole_number(value):
    """``True`` is an int to Python, but nobody means a page limit of one by it."""
    from pipeline.read.html.settings import HtmlSettings
    from pipeline.read.pdf.limits import Limits

    with pytest.raises(ValueError, match=r"Limits\.pages must be a positive integer"):
        Limits(pages=value)
    with pytest.raises(ValueError, match=r"HtmlSettings\.max_depth must be a positive integer"):
        HtmlSettings(max_depth=value)
