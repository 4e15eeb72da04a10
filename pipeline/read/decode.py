"""Bytes to text for the dump and HTML readers, strictly, in one place.

Both readers decode before any parser sees the bytes (lxml and bs4 guess encodings and
silently cut documents at GBK-only characters): a byte-order mark first; then, for a text
dump, UTF-8 and GB18030 (:func:`decode_text`), and for a page, its declared charset
(gb2312/gbk labels read as GB18030), UTF-8 and GB18030 (:func:`decode_html`), with a note
whenever the bytes were not what they claim. Control characters are dropped with a note
(:func:`drop_controls`).
"""
from __future__ import annotations

import codecs
import re
from typing import NoReturn

from pipeline.errors import EncodingError
from pipeline.grammar import HEADER_WORD as _HEADER_WORD

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
    return codec if few_controls(text[:32768]) else None


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



def few_controls(text: str) -> bool:
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


# ---- HTML: the declared charset -----------------------------------------------------------

#: Labels of GB2312 and its extensions. GB18030 is a superset of them all, and Python's own
#: ``gb2312`` codec maps A1AA to ― (U+2015) where the page means — (U+2014).
_GB_LABELS = frozenset({
    "gb2312", "gb_2312", "gb_2312-80", "gbk", "x-gbk", "cp936", "ms936", "windows-936",
    "chinese", "csgb2312", "csiso58gb231280", "iso-ir-58", "euc-cn", "x-euc-cn", "gb18030",
})
#: WHATWG: a UTF-16 label inside an ASCII-compatible page can only mean UTF-8.
_UTF16_LABELS = frozenset({"utf-16", "utf-16le", "utf-16be", "unicode", "unicodefffe",
                           "ucs-2", "iso-10646-ucs-2", "csunicode"})
_META = re.compile(rb"<meta\b[^>]*?>|^\s*<\?xml\b[^>]*?\?>", re.I | re.S)
_META_CHARSET = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:+-]+)""", re.I)
#: How far into the page a charset declaration is looked for (browsers stop at 1024 bytes;
#: Word puts long <style> blocks first, so look further).
PRESCAN_BYTES = 16384


def decode_html(data: bytes, source: str) -> tuple[str, tuple[str, ...]]:
    """The page as text and notes: BOM, then the declared charset, then UTF-8, then GB18030.

    Every decode is strict. A declared charset is passed over, with a note, when the bytes do
    not decode in it, when they are plainly UTF-8, when it is a single-byte charset while the
    bytes are clearly multi-byte Chinese, or when its text lacks the word 任务 that another
    decoding shows (each of these would be mojibake). GB2312/GBK labels mean GB18030.
    """
    text = decode_by_bom(data, source)
    if text is not None:
        return text, ()
    declared = declared_charsets(data[:PRESCAN_BYTES])
    candidates = [codec for _, codec in declared if codec]
    if _plainly_utf8(data):
        # GBK or Latin text is almost never valid UTF-8, while UTF-8 Chinese often decodes
        # as GB18030 without error (into mojibake): valid UTF-8 beats any declaration.
        candidates.insert(0, "utf-8")
    candidates += [c for c in ("utf-8", "gb18030") if c not in candidates]
    decoded: list[tuple[str, str]] = []
    for codec in candidates:
        text = _try_decode(data, codec)
        if text is None or (_single_byte(codec) and _multibyte_cjk(data)):
            continue
        if _HEADER_WORD in text:
            return text, _decode_notes(source, declared, codec)
        decoded.append((codec, text))
    if decoded:
        # No decoding shows the header's words (an entity-encoded page, or no task table):
        # the first that decodes is as good as any.
        codec, text = decoded[0]
        return text, _decode_notes(source, declared, codec)
    if damaged_utf8(data):
        raise_damaged_utf8(data, source)
    tried = list(dict.fromkeys(f"the declared {label}" for label, codec in declared if codec))
    tried += [name for codec, name in (("utf-8", "UTF-8"), ("gb18030", "GB18030"))
              if all(c != codec for _, c in declared)]
    raise EncodingError(source, f"bytes decode neither as {' nor as '.join(tried)}")


def declared_charsets(head: bytes) -> list[tuple[str, str | None]]:
    """Each ``<meta charset>`` / ``http-equiv`` / XML-declaration label in document order,
    with its Python codec."""
    found: list[tuple[str, str | None]] = []
    for meta in _META.finditer(head):
        m = _META_CHARSET.search(meta.group(0))
        if m:
            label = m.group(1).decode("ascii").lower()
            found.append((label, codec_for(label)))
    return found


def codec_for(label: str) -> str | None:
    """The Python codec for a charset label; None for a label Python does not know."""
    label = label.strip().lower()
    if label in _GB_LABELS:
        return "gb18030"
    if label in _UTF16_LABELS:
        return "utf-8"
    try:
        name = codecs.lookup(label).name
    except LookupError:
        return None
    # WHATWG decodes latin-1 and ascii labels as windows-1252; strict cp1252 also rejects
    # the five bytes it leaves undefined, which is what we want.
    return "cp1252" if name in ("latin-1", "iso8859-1", "ascii") else name


def _try_decode(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def _plainly_utf8(data: bytes) -> bool:
    """Valid UTF-8 with enough multi-byte characters that it cannot be chance."""
    text = _try_decode(data, "utf-8")
    return text is not None and sum(1 for ch in text if ord(ch) > 0x7FF) >= 4


def _single_byte(codec: str) -> bool:
    return codec.startswith(("cp125", "iso8859", "latin", "koi8", "mac-", "cp437", "cp850"))


def _multibyte_cjk(data: bytes) -> bool:
    """Most high bytes stand in pairs or runs, as in GBK or UTF-8 Chinese, not in Latin text."""
    high = [i for i, b in enumerate(data) if b >= 0x80]
    if len(high) < 8:
        return False
    paired = sum(1 for i in high if (i > 0 and data[i - 1] >= 0x80)
                 or (i + 1 < len(data) and data[i + 1] >= 0x80))
    return paired >= 0.9 * len(high)


def _decode_notes(source: str, declared: list[tuple[str, str | None]], used: str) -> tuple[str, ...]:
    """A note when the bytes were not decoded in the charset the page declares."""
    shown = {"gb18030": "GB18030", "utf-8": "UTF-8"}.get(used, used)
    if not declared:
        return () if used == "utf-8" else (f"{source}: no declared charset and not UTF-8; "
                                           f"decoded as {shown}",)
    label, codec = declared[0]
    if codec == used:
        return ()
    why = "is unknown" if codec is None else "does not fit the bytes"
    return (f"{source}: declared charset {label} {why}; decoded as {shown}",)
