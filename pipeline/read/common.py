"""What every reader shares besides decoding: telling the formats apart from the bytes, and
which cells spanning rows each row they span gets."""
from __future__ import annotations

import re
from dataclasses import fields
from typing import Any

from pipeline.grammar import GROUP, OBJECTIVE, SERIAL, TASK
from pipeline.read.decode import bom_encoding, few_controls, utf16_without_bom

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


def is_zip(data: bytes) -> bool:
    return data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06")


def is_word_binary(data: bytes) -> bool:
    """An OLE compound file holding a WordDocument stream: Word 97–2003 (.doc) or WPS (.wps)."""
    return data.startswith(_OLE) and "WordDocument".encode("utf-16-le") in data


def sniff_format(data: bytes) -> str | None:
    """``pdf``, ``html``, ``text``, or ``docx`` from the bytes alone; None for what is none of them."""
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    # A .docx is a ZIP whose directory names word/document.xml; the reader checks the rest.
    if is_zip(data) and b"word/document.xml" in data:
        return "docx"
    if is_word_binary(data):
        return "doc"
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
        if bad <= len(text) // 1000 + 1 and few_controls(text):
            return True
    return False



def require_positive_ints(settings: Any) -> None:
    """Refuse a limits dataclass with a field that is not a positive whole number.

    A limit of 0 or a float would refuse every input or compare oddly; ``True`` is an int to
    Python but never a count someone meant.
    """
    for f in fields(settings):
        value = getattr(settings, f.name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{type(settings).__name__}.{f.name} must be a positive integer, "
                             f"not {value!r}")


#: Roles whose cell, spanning rows (rowspan, w:vMerge), names what the rows below share as a
#: group — a task title, a （一） group, its 任务目标: the text dump writes it on the first row
#: only, so the readers do too; a cell saying who or when is given to each task it spans.
GROUPING_ROLES = frozenset({SERIAL, TASK, GROUP, OBJECTIVE})
