"""Small PDFs that would cost pdfminer gigabytes or minutes, written byte by byte at test time.

Each is a valid PDF (cross-reference table, standard Helvetica font, Flate streams with correct
checksums), so only the reader's limits stop it.
"""
from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

MIB = 1024 * 1024


def write_pdf(objects: Sequence[bytes]) -> bytes:
    """A PDF of the numbered objects (1 is the catalog) with its cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", compress: bool = True) -> bytes:
    if compress:
        data = zlib.compress(data)
        extra += b" /Filter /FlateDecode"
    return b"<< /Length %d%s >>\nstream\n" % (len(data), extra) + data + b"\nendstream"


def _one_page(content: bytes, extra_resources: bytes = b"", more: Sequence[bytes] = ()) -> bytes:
    """Catalog, pages, one page drawing ``content`` (a whole stream object), Helvetica."""
    return write_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> " + extra_resources + b">> >>",
        content,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *more,
    ])


def flate_bomb(inflated: int = 1024 * MIB) -> bytes:
    """A page whose content stream (about a thousandth of its size) inflates to ``inflated``
    bytes of spaces: deflate blocks of one MiB each, repeated, with the true checksum."""
    block = zlib.compressobj(9, zlib.DEFLATED, -15)
    spaces = b" " * MIB
    part = block.compress(spaces) + block.flush(zlib.Z_FULL_FLUSH)
    end = zlib.compressobj(9, zlib.DEFLATED, -15).flush()  # an empty final block
    adler = 1
    for _ in range(inflated // MIB):
        adler = zlib.adler32(spaces, adler)
    body = b"\x78\xda" + part * (inflated // MIB) + end + struct.pack(">I", adler)
    content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + \
        b"\nendstream"
    return _one_page(content)


def glyph_page(glyphs: int = 1_000_000) -> bytes:
    """One page showing ``glyphs`` characters with a single text operator."""
    return _one_page(stream(b"BT /F1 1 Tf 10 10 Td (" + b"a" * glyphs + b") Tj ET"))


def rect_page(rects: int = 1_000_000) -> bytes:
    """One page filling ``rects`` tiny rectangles, one path each."""
    return _one_page(stream(b"0 0 1 1 re f\n" * rects))


def form_bomb(uses: int = 100_000) -> bytes:
    """One page drawing a small form ``uses`` times: little content, much interpretation."""
    form = stream(b"BT /F1 1 Tf 10 10 Td (x) Tj ET " * 4, b" /Type /XObject /Subtype /Form "
                  b"/BBox [0 0 10 10] /Resources << /Font << /F1 5 0 R >> >>")
    return _one_page(stream(b"/X1 Do\n" * uses), b"/XObject << /X1 6 0 R >> ", [form])


def many_pages(pages: int = 2000, declare: int | None = None) -> bytes:
    """``pages`` pages of one word each; the page tree declares ``declare`` (default: true)."""
    kids = b" ".join(b"%d 0 R" % (4 + 2 * i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % (
            pages if declare is None else declare),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    for i in range(pages):
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
                       b"/Resources << /Font << /F1 3 0 R >> >> >>" % (5 + 2 * i))
        objects.append(stream(b"BT /F1 12 Tf 72 720 Td (page) Tj ET", compress=False))
    return write_pdf(objects)
