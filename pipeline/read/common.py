"""Pieces every reader shares: the header row, byte decoding, format detection."""
from __future__ import annotations

import codecs
import re

from pipeline.errors import EncodingError
from pipeline.textutil import normalize_ws

HEADER: tuple[str, str, str] = ("重点任务", "工作举措", "任务分工")

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def is_header(cells: list[str] | tuple[str, ...]) -> bool:
    """True for the table's header row (重点任务 · 工作举措 · 任务分工), whatever its spacing."""
    texts = [normalize_ws(c).replace(" ", "") for c in cells if normalize_ws(c)]
    return tuple(texts[:3]) == HEADER and len(texts) == 3


def bom_encoding(data: bytes) -> tuple[str | None, int]:
    """The encoding a byte-order mark announces, and the mark's length."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None, 0


def decode_text(data: bytes, source: str) -> tuple[str, tuple[str, ...]]:
    """Decode a text dump strictly: BOM, then UTF-8, then GB18030 (said in the notes)."""
    enc, skip = bom_encoding(data)
    if enc:
        try:
            return data[skip:].decode(enc), ()
        except UnicodeDecodeError as exc:
            raise EncodingError(source, f"bytes do not decode as the {enc} its BOM announces") from exc
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), (f"{source}: not UTF-8; decoded as GB18030",)
    except UnicodeDecodeError as exc:
        raise EncodingError(source, "bytes decode neither as UTF-8 nor as GB18030") from exc


_HTML_SNIFF = re.compile(rb"<\s*(!doctype\s+html|html|table|body|head|meta)\b", re.I)


def sniff_format(data: bytes) -> str | None:
    """``pdf``, ``html`` or ``text`` from the bytes alone; None for what is none of them."""
    head = data[:4096]
    if b"%PDF-" in data[:1024]:
        return "pdf"
    enc, skip = bom_encoding(head)
    if enc and enc != "utf-8":
        head = data[skip:8192].decode(enc, errors="ignore").encode("utf-8")
    elif b"\x00" in head:
        return None
    if _HTML_SNIFF.search(data[:65536] if not enc or enc == "utf-8" else head):
        return "html"
    if _looks_like_text(data[:65536]):
        return "text"
    return None


def _looks_like_text(sample: bytes) -> bool:
    """Decodes as UTF-8 or GB18030 and holds few control characters."""
    enc, skip = bom_encoding(sample)
    for codec in ([enc] if enc else ["utf-8", "gb18030"]):
        try:
            text = sample[skip:].decode(codec)
        except UnicodeDecodeError as exc:
            # The sample may end inside a multi-byte character.
            if exc.start < len(sample) - skip - 4:
                continue
            text = sample[skip:][: exc.start].decode(codec)
        controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
        return controls <= len(text) // 100
    return False
