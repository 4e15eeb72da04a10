"""Pieces every reader shares: byte decoding, format detection."""
from __future__ import annotations

import codecs
import re
from typing import NoReturn

from pipeline.errors import EncodingError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def bom_encoding(data: bytes) -> tuple[str | None, int]:
    """The encoding a byte-order mark announces, and the mark's length."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None, 0


def decode_by_bom(data: bytes, source: str) -> str | None:
    """The text in the encoding a byte-order mark announces; None when there is no mark."""
    enc, skip = bom_encoding(data)
    if enc is None:
        return None
    try:
        return data[skip:].decode(enc)
    except UnicodeDecodeError as exc:
        raise EncodingError(
            source, f"bytes do not decode as the {enc.upper()} its byte-order mark announces") from exc


# C0 controls except tab, line ends and form feed (whitespace to every reader); NUL among them,
# which lxml would turn into U+FFFD. None is text in a task list.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def drop_controls(text: str, source: str) -> tuple[str, tuple[str, ...]]:
    """The text without control characters, and a note saying how many were dropped."""
    text, dropped = _CONTROL.subn("", text)
    if not dropped:
        return text, ()
    return text, (f"{source}: dropped {dropped} control character(s) (NUL and the like)",)


def decode_text(data: bytes, source: str) -> tuple[str, tuple[str, ...]]:
    """Decode a text dump strictly: BOM, then UTF-8, then GB18030 (said in the notes).

    Two cases are caught before the GB18030 fallback, because GB18030 decodes almost any
    bytes and would turn them into plausible-looking nonsense: UTF-16 without a BOM (decoded,
    with a note), and UTF-8 with a few damaged bytes (an error naming the first one).
    """
    text = decode_by_bom(data, source)
    if text is not None:
        return text, ()
    utf16 = utf16_without_bom(data)
    if utf16:
        return data.decode(utf16), (f"{source}: no byte-order mark; decoded as {utf16.upper()}",)
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        if damaged_utf8(data):
            raise_damaged_utf8(data, source)
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise EncodingError(source, f"bytes decode neither as UTF-8 nor as GB18030 "
                                    f"(GB18030 fails at byte {exc.start})") from exc
    if not mostly_common(text):
        raise EncodingError(
            source, "not UTF-8, and as GB18030 it reads as mostly rare characters "
            "(another encoding such as Big5, or not text at all)")
    return text, (f"{source}: not UTF-8; decoded as GB18030",)


def utf16_without_bom(data: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` for BOM-less UTF-16 text, recognised by its zero bytes.

    ASCII characters (tabs, newlines, markup) in UTF-16 give a zero byte at every odd (LE) or
    even (BE) offset, and far fewer at the other parity (only from characters like U+4E00);
    8-bit text has no zero bytes at all, binary data about as many at both parities.
    """
    sample = data[:65536]
    sample = sample[: len(sample) - len(sample) % 2]
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if max(even, odd) < 8 or min(even, odd) * 4 > max(even, odd):
        return None
    codec = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    return codec if _few_controls(text[:32768]) else None


def raise_damaged_utf8(data: bytes, source: str) -> NoReturn:
    """Refuse UTF-8 text with invalid bytes, naming the first (see :func:`damaged_utf8`)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise EncodingError(
            source, f"UTF-8 text with invalid bytes (the first at byte {exc.start})",
            "the file is damaged; download it again, or re-save it as UTF-8",
        ) from exc
    raise AssertionError("raise_damaged_utf8 called on valid UTF-8")


def damaged_utf8(data: bytes) -> bool:
    """True for UTF-8 text with a handful of invalid bytes (a damaged download, not GB18030).

    Chinese in GB18030 is almost never valid UTF-8, so many valid multi-byte sequences and
    few invalid ones mean the file is UTF-8 with damage.
    """
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - data.count("\ufffd".encode())
    wide = sum(1 for ch in text if ord(ch) > 0x7F) - bad
    return bad > 0 and wide >= 20 * bad


_HTML_SNIFF = re.compile(rb"<\s*(!doctype\s+html|html|table|body|head|meta)\b", re.I)

# Formats people download instead of the task list; each gets its own message.
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_MAGIC: tuple[tuple[bytes, str, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image", "a PNG image"),
    (b"\xff\xd8\xff", "image", "a JPEG image"),
    (b"GIF8", "image", "a GIF image"),
    (b"II*\x00", "image", "a TIFF image"),
    (b"MM\x00*", "image", "a TIFF image"),
    (b"BM", "image?", "a BMP image"),
    (b"\x1f\x8b", "archive", "a gzip archive"),
    (b"7z\xbc\xaf\x27\x1c", "archive", "a 7-Zip archive"),
    (b"Rar!\x1a\x07", "archive", "a RAR archive"),
    (b"{\\rtf", "office", "an RTF document"),
)


def foreign_format(data: bytes) -> tuple[str, str] | None:
    """``(kind, description)`` for a file that is a known other format: office, image or archive.

    ``kind`` is ``office`` (Word, Excel, WPS, OFD, RTF), ``image`` or ``archive``.
    """
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        for marker, what in ((b"word/", "a Word document (.docx)"),
                             (b"xl/", "an Excel workbook (.xlsx)"),
                             (b"ppt/", "a PowerPoint file (.pptx)"),
                             (b"OFD.xml", "an OFD document (.ofd)"),
                             (b"content.xml", "an OpenDocument file (.odt/.ods)")):
            if marker in data:
                return "office", what
        return "archive", "a ZIP archive"
    if data.startswith(_OLE):
        for stream, what in (("WordDocument", "a Word or WPS document (.doc/.wps)"),
                             ("Workbook", "an Excel workbook (.xls)"),
                             ("Book", "an Excel workbook (.xls)"),
                             ("PowerPoint Document", "a PowerPoint file (.ppt)")):
            if stream.encode("utf-16-le") in data:
                return "office", what
        return "office", "a Microsoft Office file (OLE)"
    for magic, kind, what in _MAGIC:
        if data.startswith(magic):
            if kind == "image?" and b"\x00" not in data[:64]:
                continue  # "BM" can open a text file; a BMP header holds zero bytes
            return kind.rstrip("?"), what
    return None


def sniff_format(data: bytes) -> str | None:
    """``pdf``, ``html`` or ``text`` from the bytes alone; None for what is none of them."""
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if foreign_format(data) is not None:
        return None
    enc, skip = bom_encoding(head)
    if not enc:
        enc = utf16_without_bom(data)
        skip = 0
    if enc and enc != "utf-8":
        head = data[skip:65536].decode(enc, errors="ignore").encode("utf-8")
    elif head.count(0) > len(head) // 100:
        return None  # binary; a stray NUL or two in text is dropped by the reader
    if _HTML_SNIFF.search(data[:65536] if not enc or enc == "utf-8" else head):
        return "html"
    if _looks_like_text(data[:65536], enc):
        return "text"
    return None


def _looks_like_text(sample: bytes, enc: str | None = None) -> bool:
    """Decodes as UTF-8 or GB18030 (or the BOM's encoding), bar a few bad bytes, with few controls.

    A few undecodable bytes (a damaged file, or the sample ending inside a character) still
    make text: decode_text then names the problem. Bytes that only GB18030 decodes count as
    text even when they read as rare characters, for the same reason.
    """
    bom, skip = bom_encoding(sample)
    enc = bom or enc
    for codec in ([enc] if enc and enc != "utf-8" else ["utf-8", "gb18030"]):
        text = sample[skip:].decode(codec, errors="replace")
        bad = text.count("\ufffd") - sample.count("\ufffd".encode(codec))  # less literal U+FFFD
        if bad <= len(text) // 1000 + 1 and _few_controls(text):
            return True
    return False


def _few_controls(text: str) -> bool:
    """At most 1 % control characters (tab, newline, carriage return and form feed aside)."""
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    return controls <= len(text) // 100


def mostly_common(text: str) -> bool:
    """At least 90 % of the non-ASCII characters are in GB2312 (everyday Chinese and symbols).

    GB18030 decodes most byte strings without error; real Chinese text decoded with it is
    almost all GB2312 characters, while Big5 or random bytes give many rare ones.
    """
    wide = [ch for ch in text if ord(ch) > 0x7F]
    if not wide:
        return True
    common = 0
    for ch in wide:
        try:
            ch.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common >= 0.9 * len(wide)
