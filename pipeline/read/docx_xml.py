"""The .docx's XML for the Word reader (:mod:`pipeline.read.docx`): the ZIP and its
``word/document.xml``, checked against the limits and parsed without DTDs or entities; the
WordprocessingML names; and the page each element starts on, from the breaks Word recorded.
"""
from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

from pipeline.errors import (
    InputTooLargeError,
    WordDamagedError,
)

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOCUMENT = "word/document.xml"

#: Uncompressed size of ``word/document.xml`` beyond which the file is refused before it is
#: inflated: the 2024 list's is well under 1 MiB; a zip bomb claims gigabytes.
MAX_DOCX_XML_BYTES = 32 * 1024 * 1024
#: Compression ratio beyond which the part is refused: Word's XML compresses 5–15 times; a
#: bomb's filler a thousand times and more.
MAX_DOCX_RATIO = 200


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


_P, _R, _T, _TBL, _TR, _TC, _SDT, _SDTCONTENT = (
    _w(t) for t in ("p", "r", "t", "tbl", "tr", "tc", "sdt", "sdtContent"))
_BR, _CR, _TAB, _LRPB, _PPR, _RPR, _TCPR, _TRPR = (
    _w(t) for t in ("br", "cr", "tab", "lastRenderedPageBreak", "pPr", "rPr", "tcPr", "trPr"))
_VAL, _TYPE = _w("val"), _w("type")
#: Wrappers whose content is the document's own (content controls, custom XML, tracked
#: insertions, hyperlinks, smart tags): their runs and paragraphs are read as if unwrapped.
_TRANSPARENT = frozenset(_w(t) for t in ("sdt", "sdtContent", "customXml", "ins", "hyperlink",
                                         "smartTag", "fldSimple", "moveTo", "dir", "bdo"))
#: Content that is not the text as read: deleted or moved-away text, field instructions,
#: properties, text boxes and drawings (they float beside the text, not in it).
_SKIPPED = frozenset(_w(t) for t in ("del", "moveFrom", "instrText", "delText", "pPr", "rPr",
                                     "tcPr", "trPr", "tblPr", "tblGrid", "drawing", "pict",
                                     "txbxContent", "footnoteReference", "endnoteReference",
                                     "commentReference", "object"))


# ---- the zip and its XML ------------------------------------------------------------------------

def _document_xml(data: bytes, source: str) -> etree._Element:
    """``word/document.xml`` parsed, after checking the zip and the part's size."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError) as exc:
        raise WordDamagedError(source, f"is not a readable ZIP archive, as a .docx must be "
                                       f"({exc})") from exc
    with archive:
        try:
            info = archive.getinfo(_DOCUMENT)
        except KeyError:
            raise WordDamagedError(source, f"the ZIP holds no {_DOCUMENT}, the part a Word "
                                           "document keeps its text in") from None
        if info.file_size > MAX_DOCX_XML_BYTES:
            raise InputTooLargeError(source, f"{_DOCUMENT} inflates to {info.file_size:,} bytes; "
                                             f"the limit is {MAX_DOCX_XML_BYTES:,}")
        if info.compress_size and info.file_size / info.compress_size > MAX_DOCX_RATIO \
                and info.file_size > 1024 * 1024:
            raise InputTooLargeError(
                source, f"{_DOCUMENT} is compressed {info.file_size // info.compress_size:,} "
                f"times (a zip bomb?); Word's XML compresses well under {MAX_DOCX_RATIO} times")
        try:
            with archive.open(info) as part:
                # The header's size may lie: never inflate more than the limit.
                xml = part.read(MAX_DOCX_XML_BYTES + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError, NotImplementedError) as exc:
            raise WordDamagedError(source, f"{_DOCUMENT} cannot be inflated ({exc})") from exc
        except Exception as exc:  # zlib.error and kin: a damaged deflate stream
            raise WordDamagedError(source, f"{_DOCUMENT} cannot be inflated "
                                           f"({type(exc).__name__}: {exc})") from exc
    if len(xml) > MAX_DOCX_XML_BYTES:
        raise InputTooLargeError(source, f"{_DOCUMENT} inflates to more than "
                                         f"{MAX_DOCX_XML_BYTES:,} bytes, the limit")
    if b"<!DOCTYPE" in xml[:4096] or b"<!ENTITY" in xml[:65536]:
        # Word never writes a DTD; entities are how an XML bomb expands.
        raise WordDamagedError(source, f"{_DOCUMENT} declares a DTD or entities, which Word "
                                       "never writes")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    try:
        root = etree.fromstring(xml, parser)
    except etree.XMLSyntaxError as exc:
        raise WordDamagedError(source, f"{_DOCUMENT} is not well-formed XML "
                                       f"({one_line(_LXML_WHERE.sub('', str(exc)))})") from exc
    if root.tag != _w("document"):
        raise WordDamagedError(source, f"{_DOCUMENT} is not a WordprocessingML document "
                                       f"(its root element is {etree.QName(root).localname})")
    return root


_LXML_WHERE = re.compile(r"\s*\(<string>, line \d+\)")


def one_line(text: str, width: int = 160) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[:width - 1] + "…"


# ---- pages --------------------------------------------------------------------------------------

class _Pages:
    """The page each element starts on, from the page breaks the document records."""

    def __init__(self, body: etree._Element) -> None:
        rendered = next(body.iter(_LRPB), None) is not None
        self.page_of: dict[etree._Element, int] = {}
        self.counted = False
        page = 1
        hard = _w("pageBreakBefore")
        for el in body.iter():
            tag = el.tag
            if rendered:
                if tag == _LRPB:
                    page, self.counted = page + 1, True
            elif (tag == _BR and el.get(_TYPE) == "page") or \
                    (tag == hard and el.get(_VAL) not in ("0", "false", "off")):
                page, self.counted = page + 1, True
            if tag == _T and el.text:
                self.page_of.setdefault(el, page)
            elif tag == _TR:
                self.page_of[el] = page
        self.last = page

    def row_page(self, tr: etree._Element) -> int:
        """The page of the row's first text (a break before it in the row moves the row)."""
        for t in tr.iter(_T):
            if t in self.page_of:
                return self.page_of[t]
        return self.page_of.get(tr, 1)
