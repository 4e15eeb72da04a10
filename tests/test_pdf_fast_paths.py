"""The PDF reader's fast paths give what the slow ones gave (issue 13).

- ``strict._StrictContentParser`` tokenizes content streams with one regular expression and
  builds objects without pdfminer's per-token logging: the same tokens and objects as
  pdfminer's own parser, on every committed rendering and on random content.
- ``load._page_objects`` converts the layout objects itself: the same characters and paths
  (the keys the reader uses, in the same coordinates) as pdfplumber's ``page.chars``,
  ``page.lines``, ``page.rects`` and ``page.curves``.
"""
from __future__ import annotations

import random
from functools import cache
from pathlib import Path

import pdfplumber
import pytest
from pdfminer.pdfinterp import PDFContentParser
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSEOF

from pipeline.read.pdf import load, strict

PDF_DIR = Path(__file__).resolve().parent / "fixtures" / "pdf"
RENDERINGS = sorted([*PDF_DIR.glob("*.pdf"), *PDF_DIR.glob("cases/*.pdf")])

#: Pieces of content-stream syntax, the tricky ones included: numbers pdfminer reads in its
#: own way (a sign alone, '1.2.3', '-.5'), names with '#' escapes and non-UTF-8 bytes, strings
#: with escapes and nested parentheses, hex strings odd, spaced or followed by '>', comments,
#: NULs, procedures, inline images.
PIECES = [b" ", b"\n", b"\r\n", b"\t", b"\x00", b"%c\n", b"%", b"1", b"-", b"+", b".", b"5",
          b"12", b"-3.5", b".25", b"0.", b"1.2.3", b"--5", b"Tj", b"TJ", b"T*", b"'", b'"',
          b"true", b"false", b"truex", b"e", b"a1", b"BT", b"ET", b"/F1", b"/A#20B", b"/",
          b"#", b"/\xc3\xa9", b"/\xff", b"(", b")", b"(ab)", b"(a\\)b)", b"(a(b)c)", b"\\",
          b"(\\101)", b"<", b">", b"<<", b">>", b"<ab>", b"<a b>", b"<abc>", b"<>", b"[", b"]",
          b"{", b"}", b"&", b"\xff", b"BI /W 1 /H 1 ID \x80\x00 EI ", b"/K 1", b"q 1 0 0 1 0 0 cm"]


@cache
def _streams() -> tuple[tuple[str, bytes], ...]:
    """Every content stream of every committed rendering, decoded (once: four tests read them)."""
    found = []
    for path in RENDERINGS:
        with load.open_pdf(path.read_bytes(), path.name) as pdf:
            for number, page in enumerate(PDFPage.create_pages(pdf.pdf.doc), start=1):
                for ref in page.contents:
                    found.append((f"{path.name} page {number}", resolve1(ref).get_data()))
    return tuple(found)


def _tokens(parser_class: type[PDFContentParser], data: bytes, bufsize: int | None) -> list:
    parser = parser_class([PDFStream({}, data)])
    if bufsize:
        parser.BUFSIZ = bufsize  # tokens cut by the buffer's end take pdfminer's own path
    out = []
    while True:
        try:
            out.append(parser.nexttoken())
        except PSEOF:
            return out


def _plain(obj: object) -> object:
    """``obj`` comparable: an inline image (PDFStream, which has no ``==``) as its parts."""
    if isinstance(obj, PDFStream):
        return ("stream", _plain(obj.attrs), obj.rawdata)
    if isinstance(obj, (list, tuple)):
        return [_plain(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def _objects(parser_class: type[PDFContentParser], data: bytes) -> list:
    parser = parser_class([PDFStream({}, data)])
    out = []
    while True:
        try:
            out.append(_plain(parser.nextobject()))
        except PSEOF:
            return out


def _soup(rng: random.Random) -> bytes:
    return b"".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30)))


@pytest.mark.parametrize("bufsize", [None, 7, 64])
def test_the_fast_tokenizer_cuts_every_rendering_into_pdfminers_tokens(bufsize):
    streams = 0
    for where, data in _streams():
        want = _tokens(PDFContentParser, data, bufsize)
        assert _tokens(strict._StrictContentParser, data, bufsize) == want, where
        streams += 1
    assert streams >= 100  # every page of every rendering


def test_the_fast_tokenizer_agrees_with_pdfminer_on_random_content():
    rng = random.Random(13)
    for _ in range(2500):
        data = _soup(rng)
        for bufsize in (None, 3, 8):
            assert _tokens(strict._StrictContentParser, data, bufsize) == \
                _tokens(PDFContentParser, data, bufsize), (data, bufsize)


def test_the_fast_object_builder_agrees_with_pdfminer_where_the_content_is_whole():
    """Objects (arrays, dictionaries, inline images) are pdfminer's wherever the strict parser
    accepts the content; where it refuses it, pdfminer's parser would have dropped or
    misplaced operators (test_pdf_limits pins those messages)."""
    rng = random.Random(7)
    compared = refused = 0
    for _ in range(2500):
        data = _soup(rng)
        try:
            got = _objects(strict._StrictContentParser, data)
        except strict._BadContent:
            refused += 1
            continue
        except Exception as exc:  # pdfminer's own error on this content: the same one
            with pytest.raises(type(exc)):
                _objects(PDFContentParser, data)
            continue
        assert got == _objects(PDFContentParser, data), data
        compared += 1
    assert compared > 500 and refused > 100  # both kinds of content were made
    for where, data in _streams():
        assert _objects(strict._StrictContentParser, data) == _objects(PDFContentParser, data), \
            where


KEYS = {"char": ("text", "fontname", "size", "upright", "x0", "x1", "top", "bottom"),
        "path": ("object_type", "stroke", "x0", "x1", "top", "bottom")}


@pytest.mark.parametrize("path", RENDERINGS, ids=lambda p: p.name)
def test_page_objects_are_pdfplumbers_chars_and_paths(path):
    """What the reader gets of each page equals what pdfplumber's own properties give."""
    with pdfplumber.open(path) as plumber, load.open_pdf(path.read_bytes(), path.name) as pdf:
        ours = list(pdf.pages())
        assert len(ours) == len(plumber.pages)
        for page, theirs in zip(ours, plumber.pages):
            assert (page.width, page.height) == (float(theirs.width), float(theirs.height))
            assert page.chars == [{k: c[k] for k in KEYS["char"]} for c in theirs.chars]
            for kind in ("lines", "rects", "curves"):
                assert getattr(page, kind) == [{k: o[k] for k in KEYS["path"]}
                                               for o in getattr(theirs, kind)], kind
            assert page.images == len(theirs.images)
            theirs.close()
