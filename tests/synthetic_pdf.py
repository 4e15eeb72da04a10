"""A small task-list PDF written byte by byte at test time: text lines at given positions.

The font is a CID font with an identity encoding (each character code is its UTF-16 code
unit) and a ToUnicode map, so no font file is needed and pdfplumber reads the text back
exactly; CJK characters are 1 em wide, ASCII ones half. Enough to put a rule of the reader
(rows cut at row numbers, for instance) to the test without a full rendering.
"""
from __future__ import annotations

from collections.abc import Sequence

from tests.bomb_pdf import write_pdf

PAGE_W, PAGE_H = 595.0, 842.0


def _width(ch: str, size: float) -> float:
    return size * (0.5 if ord(ch) < 0x80 else 1.0)


def _to_unicode(chars: set[str]) -> bytes:
    entries = "".join(f"<{ord(c):04X}> <{ord(c):04X}>\n" for c in sorted(chars))
    return (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Synthetic-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(chars)} beginbfchar\n{entries}endbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end\n"
    ).encode()


def build_pdf(lines: Sequence[tuple[float, float, str]], size: float = 12.0,
              rules: Sequence[tuple[float, float, float, float]] = ()) -> bytes:
    """A one-page PDF: ``(x, top, text)`` lines (top measured from the page's top edge) and
    ``(x0, top0, x1, top1)`` ruling lines."""
    ops: list[str] = []
    for x0, t0, x1, t1 in rules:
        ops.append(f"{x0:.2f} {PAGE_H - t0:.2f} m {x1:.2f} {PAGE_H - t1:.2f} l S")
    for x, top, text in lines:
        # The baseline sits 0.88 em below the top of the line (the font's ascent).
        hexes = "".join(f"{ord(c):04X}" for c in text)
        ops.append(f"BT /F1 {size} Tf 1 0 0 1 {x:.2f} {PAGE_H - top - 0.88 * size:.2f} Tm "
                   f"<{hexes}> Tj ET")
    content = "\n".join(["0.5 w", *ops]).encode()
    chars = {c for _, _, text in lines for c in text}
    widths = " ".join(f"{ord(c)} [{int(_width(c, 1000))}]" for c in sorted(chars) if ord(c) < 0x80)
    cmap = _to_unicode(chars)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_W:g} {PAGE_H:g}] "
         "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>").encode(),
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type0 /BaseFont /Synthetic /Encoding /Identity-H "
        b"/DescendantFonts [6 0 R] /ToUnicode 8 0 R >>",
        (f"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /Synthetic /CIDSystemInfo "
         f"<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 7 0 R "
         f"/DW 1000 /W [{widths}] >>").encode(),
        b"<< /Type /FontDescriptor /FontName /Synthetic /Flags 4 /FontBBox [0 -120 1000 880] "
        b"/ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 700 /StemV 80 >>",
        b"<< /Length %d >>\nstream\n" % len(cmap) + cmap + b"\nendstream",
    ]
    return write_pdf(objects)
