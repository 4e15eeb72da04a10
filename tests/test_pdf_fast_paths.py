"""The PDF reader's fast paths give what the slow ones gave (issue 13).

- ``strict._StrictContentParser`` tokenizes content streams with one regular expression and
  builds objects without pdfminer's per-token logging: the same tokens and objects as
  pdfminer's own parser, on every committed rendering and on random content.
- ``load._page_objects`` converts the layout objects itself: the same characters and paths
  (the keys the reader uses, in the same coordinates) as pdfplumber's ``page.chars``,
  ``page.lines``, ``page.rects`` and ``page.curves``.
- ``inspect_pdf`` reads the pages one at a time, lets each go once its rows are taken, and
  stops at the table's end: the same table as before, from fewer pages.
"""
from __future__ import annotations

import io
import random
from functools import cache
from pathlib import Path

import pdfplumber
import pytest
from pdfminer.pdfinterp import PDFContentParser
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import PSEOF, PSKeyword, PSLiteral

from pipeline.errors import PdfDamagedError
from pipeline.read.pdf import load, strict
from tests import bomb_pdf, long_pdf

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PDF_DIR = FIXTURES / "pdf"
RENDERINGS = sorted([*PDF_DIR.glob("*.pdf"), *PDF_DIR.glob("cases/*.pdf"),
                     *(FIXTURES / "layouts").glob("*.pdf")])

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
        # A token the buffer's end cuts: ours extends the buffer (strict._extend), a few
        # times at most, then takes pdfminer's own path; pdfminer's refills it.
        parser.BUFSIZ = bufsize
    out = []
    while True:
        try:
            out.append(parser.nexttoken())
        except PSEOF:
            return out


#: The objects' types that compare as they are (interned names and operators, numbers,
#: strings): most of a page's, passed over without a call.
_ATOMS = frozenset((int, float, bool, bytes, str, PSLiteral, PSKeyword))


def _plain(obj: object) -> object:
    """``obj`` comparable: an inline image (PDFStream, which has no ``==``) as its parts."""
    if type(obj) in _ATOMS:
        return obj
    if isinstance(obj, PDFStream):
        return ("stream", _plain(obj.attrs), obj.rawdata)
    if isinstance(obj, (list, tuple)):
        return [_plain(o) for o in obj]
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items()}
    return obj


def _objects(parser_class: type[PDFContentParser], data: bytes,
             bufsize: int | None = None) -> list:
    parser = parser_class([PDFStream({}, data)])
    if bufsize:
        parser.BUFSIZ = bufsize  # runs read ahead end at the buffer's end
    return _objects_of(parser)


def _objects_of(parser: PDFContentParser) -> list:
    out = []
    while True:
        try:
            pos, obj = parser.nextobject()
            out.append((pos, obj if type(obj) in _ATOMS else _plain(obj)))
        except PSEOF:
            return out


class _Recording(PDFContentParser):
    """pdfminer's content parser, keeping the tokens its object builder reads."""

    def __init__(self, streams: list) -> None:
        self.read: list = []
        super().__init__(streams)

    def nexttoken(self):
        token = super().nexttoken()
        self.read.append(token)
        return token


def _read_by_pdfminer(data: bytes) -> tuple[list, list, list]:
    """pdfminer's tokens and objects of ``data``, with its own buffer size, from one pass.

    Its object builder reads a content stream through its tokenizer alone, each token in turn
    up to the end, except an inline image's data after ``ID``, which it reads itself: so the
    tokens it read are the tokenizer's tokens of the stream, where no ``ID`` is among them
    (test_pdfminers_objects_are_read_from_its_tokens checks it); where one is, the tokens
    are made apart.
    """
    parser = _Recording([PDFStream({}, data)])
    objects = _objects_of(parser)
    tokens = parser.read
    if any(token is PDFContentParser.KEYWORD_ID for _, token in tokens):
        tokens = _tokens(PDFContentParser, data, None)
    return tokens, objects, parser.read


@cache
def _pdfminers_reading() -> tuple[tuple[str, bytes, list, list, list], ...]:
    """pdfminer's tokens and objects of every committed content stream, and the tokens its
    object builder read, made once (one pass a stream, _read_by_pdfminer) and shared by the
    tests below."""
    return tuple((where, data, *_read_by_pdfminer(data)) for where, data in _streams())


def _soup(rng: random.Random) -> bytes:
    return b"".join(rng.choice(PIECES) for _ in range(rng.randint(1, 30)))


def _pdfminers_tokens() -> tuple[tuple[str, bytes, list], ...]:
    """pdfminer's tokens of every committed content stream, with its own buffer size.

    pdfminer cuts these streams into the same tokens whatever its buffer size (7, 64 and
    its own were compared when this was written): its tokens are made once and each buffer
    size of ours is held to them.
    """
    return tuple((where, data, tokens) for where, data, tokens, _, _ in _pdfminers_reading())


def _pdfminers_objects() -> tuple[tuple[str, bytes, list], ...]:
    """pdfminer's objects of every committed content stream, with its own buffer size.

    Like its tokens, pdfminer's objects of these streams are the same whatever its buffer
    size (5, 64 and its own were compared when this was written): made once, and the object
    builder and each buffer size of the read-ahead are held to them.
    """
    return tuple((where, data, objects) for where, data, _, objects, _ in _pdfminers_reading())


def test_pdfminers_objects_are_read_from_its_tokens():
    """What _read_by_pdfminer rests on: the tokens pdfminer's object builder reads are the
    tokens its tokenizer cuts the stream into, read token by token (the first content stream
    of each rendering, and random content without an inline image); with an inline image they
    are not, and are made apart. (The renderings' recorded tokens are the ones
    _pdfminers_reading recorded for the tests below: its pass is not made twice.)"""
    firsts = {}
    for where, data, _, _, read in _pdfminers_reading():
        firsts.setdefault(where.split(" page ")[0], (data, read))
    assert len(firsts) == len(RENDERINGS)
    for data, read in firsts.values():
        assert read == _tokens(PDFContentParser, data, None), data[:80]
    rng = random.Random(17)
    soups = [d for d in (_soup(rng) for _ in range(600)) if b"ID" not in d]
    assert len(soups) > 300
    for data in soups:
        parser = _Recording([PDFStream({}, data)])
        try:
            _objects_of(parser)
        except Exception:  # pdfminer's own error on random content: its tokens so far
            continue
        assert parser.read == _tokens(PDFContentParser, data, None), data[:80]
    image = b"q BI /W 1 /H 1 ID (x) ) EI Q"
    parser = _Recording([PDFStream({}, image)])
    _objects_of(parser)
    assert parser.read != _tokens(PDFContentParser, image, None)
    assert _read_by_pdfminer(image)[0] == _tokens(PDFContentParser, image, None)


@pytest.mark.parametrize("bufsize", [None, 7, 64])
def test_the_fast_tokenizer_cuts_every_rendering_into_pdfminers_tokens(bufsize):
    streams = 0
    for where, data, want in _pdfminers_tokens():
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
    misplaced operators (test_pdf_limits pins those messages). On every rendering, with
    pdfminer's buffer size: test_objects_read_ahead_are_pdfminers_objects_one_by_one[None]
    (the same comparison; it was made twice)."""
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


@pytest.mark.parametrize("bufsize", [None, 5, 64])
def test_objects_read_ahead_are_pdfminers_objects_one_by_one(monkeypatch, bufsize):
    """Outside arrays and dictionaries the parser cuts the run of whole tokens at once and
    hands them out one by one (_read_ahead): the same objects, at the same positions, as
    pdfminer's parser gives, on every rendering and on random content, whatever the buffer."""
    ahead = []
    original = strict._StrictContentParser._read_ahead

    def counted(parser):
        before = len(parser._ahead)
        original(parser)
        ahead.append(len(parser._ahead) - before)

    monkeypatch.setattr(strict._StrictContentParser, "_read_ahead", counted)
    total = 0
    for where, data, want in _pdfminers_objects():
        got = _objects(strict._StrictContentParser, data, bufsize)
        assert got == want, where
        total += len(got)
    # Most objects of a page come read ahead (with a tiny buffer, most tokens touch its end).
    assert sum(ahead) > (total / 2 if bufsize is None else total / 10)
    rng = random.Random(5)
    for _ in range(1500):
        data = _soup(rng)
        try:
            got = _objects(strict._StrictContentParser, data, bufsize)
        except strict._BadContent:
            continue
        except Exception as exc:  # pdfminer's own error on this content: the same one
            with pytest.raises(type(exc)):
                _objects(PDFContentParser, data, bufsize)
            continue
        assert got == _objects(PDFContentParser, data, bufsize), (data, bufsize)


def test_a_glyphs_box_is_pdfminers_apply_matrix_rect_to_the_last_bit():
    """load.box_of inlines pdfminer's apply_matrix_rect: the same floats for any matrix (text
    matrices upright, mirrored, rotated, skewed, scaled) and box."""
    from pdfminer.utils import apply_matrix_rect

    rng = random.Random(11)
    values = [0, 0.0, -0.0, 1, -1, 0.5, 10.5, -12.25, 1e-9, 595.28, 841.89]
    for _ in range(20000):
        matrix = tuple(rng.choice(values) if rng.random() < 0.5 else rng.uniform(-900, 900)
                       for _ in range(6))
        box = tuple(rng.choice(values) if rng.random() < 0.3 else rng.uniform(-50, 50)
                    for _ in range(4))
        got, want = load.box_of(matrix, *box), apply_matrix_rect(matrix, box)
        assert [repr(v) for v in got] == [repr(v) for v in want], (matrix, box)


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


# ---- pages read one at a time, and no further than the table ----------------------------------

def _counting_pages(monkeypatch) -> list[int]:
    """The numbers of the pages the reader turns into glyphs, in order."""
    from pipeline.read import pdf as reader

    read: list[int] = []
    original = reader.page_glyphs

    def counted(page, st):
        read.append(page.number)
        return original(page, st)

    monkeypatch.setattr(reader, "page_glyphs", counted)
    return read


def _same_table(got, want) -> None:
    assert (got.title, got.head, got.notes) == (want.title, want.head, want.notes)
    assert got.rows == want.rows


@cache
def _alone(path: Path = long_pdf.TABLE):
    """The rendering's table as pypdf writes the rendering alone (pypdf writes the page boxes
    with fewer decimals), the table the longer files must give: read once for the tests
    below, before they count the pages read."""
    from pipeline.read.pdf import read_pdf

    return read_pdf(long_pdf.repeated(path, 1), "list.pdf")


def test_the_reader_lets_each_page_go_once_its_rows_are_taken(monkeypatch):
    """No more than a few pages (the one being read, the two read ahead for the columns) are
    alive at any time, in the reader (PageGlyphs) and in pdfplumber/pdfminer (the page and
    its PDFPage): memory does not grow with the pages, only with the rows."""
    import gc
    import weakref

    from pipeline.read import pdf as reader

    glyphs: list[weakref.ref] = []
    library: list[weakref.ref] = []
    most = {"glyphs": 0, "library": 0}
    original_glyphs, original_objects = reader.page_glyphs, load._page_objects

    def alive(refs: list[weakref.ref], most: int) -> int:
        # Without a collection the count can only be higher (a page in a reference cycle
        # waits for the collector): a count no higher than the most so far cannot raise it.
        count = sum(ref() is not None for ref in refs)
        if count <= most:
            return count
        gc.collect()
        return sum(ref() is not None for ref in refs)

    def tracked_glyphs(objects, st):
        most["glyphs"] = max(most["glyphs"], alive(glyphs, most["glyphs"]))
        page = original_glyphs(objects, st)
        glyphs.append(weakref.ref(page))
        return page

    def tracked_objects(page, number):
        most["library"] = max(most["library"], alive(library, most["library"]))
        library.extend((weakref.ref(page), weakref.ref(page.page_obj)))
        return original_objects(page, number)

    monkeypatch.setattr(reader, "page_glyphs", tracked_glyphs)
    monkeypatch.setattr(load, "_page_objects", tracked_objects)
    # The objects alive before the reading are no page's: frozen, the collector passes them
    # over, so a collection costs the reading's objects only, not the whole test session's
    # (a frozen object holding a page could only make the count higher, never lower).
    # (conftest freezes the collected session already; unfreezing would undo that too.)
    frozen_before = gc.get_freeze_count()
    gc.collect()
    gc.freeze()
    try:
        table = reader.read_pdf(long_pdf.repeated(times=3), "long.pdf")
    finally:
        if not frozen_before:
            gc.unfreeze()
    assert len(glyphs) == 24 and max(r.page for r in table.rows) == 24
    assert most["glyphs"] <= 3, most  # the header page and the two read ahead, at most
    assert most["library"] == 0, most  # pdfplumber's page is let go before the next is read


def test_reading_stops_at_the_end_of_a_ruled_table(monkeypatch):
    """A text page after a ruled table ends it; the pages after that are never parsed, so a
    damaged page or one over the glyph limit there changes nothing (text after the table is
    no part of the list). Right after the table, the same damaged page is found."""
    from pipeline.read.pdf import read_pdf

    want = _alone()
    tail = long_pdf.with_tail(long_pdf.TABLE, 9)  # one page of text after the table
    damaged = bomb_pdf._one_page(bomb_pdf.stream(b"BT /F1 12 Tf 72 720 Td (x) Tj 0 -14&1 Td ET\n"))
    huge = bomb_pdf.glyph_page(20_000)
    data = long_pdf.extra_pages(long_pdf.TABLE, *[long_pdf.pdf_pages(tail, [8]), damaged, huge])
    read = _counting_pages(monkeypatch)
    _same_table(read_pdf(data, "list.pdf"), want)
    assert read == list(range(1, 10))  # the table's 8 pages and the text page that ends it
    with pytest.raises(PdfDamagedError, match=r"^list\.pdf: page 9 has a damaged content"):
        read_pdf(long_pdf.extra_pages(long_pdf.TABLE, damaged), "list.pdf")


def test_a_300_page_file_whose_table_ends_on_page_8_reads_9_pages(monkeypatch):
    """The page limit (200) counts the pages read; the 291 pages of text after the table
    (over the file's glyph limit too) are not read."""
    from pipeline.read.pdf import read_pdf
    from pipeline.read.pdf.limits import LIMITS

    data = long_pdf.with_tail(long_pdf.TABLE, 300)
    assert len(pdfplumber.open(io.BytesIO(data)).pages) == 300 > LIMITS.pages
    want = _alone()
    read = _counting_pages(monkeypatch)
    _same_table(read_pdf(data, "list.pdf"), want)
    assert read == list(range(1, 10))  # the table's 8 pages and the text page that ends it


def test_reading_stops_where_text_under_an_unruled_table_ends_it(monkeypatch):
    """Without rules, text under the table's last row on a page (page_rows) ends the table:
    a damaged page after it is not parsed."""
    from pipeline.read.pdf import read_pdf

    path = PDF_DIR / "chromium-wps-html-a4-zenhei-no-rules-centred.pdf"  # a footer under it
    damaged = bomb_pdf._one_page(bomb_pdf.stream(b"BT /F1 12 Tf 72 720 Td (x) Tj 0 -14&1 Td ET\n"))
    want = _alone(path)
    read = _counting_pages(monkeypatch)
    _same_table(read_pdf(long_pdf.extra_pages(path, damaged), "list.pdf"), want)
    pages = len(pdfplumber.open(path).pages)
    assert read == list(range(1, pages + 1))  # the table's pages, not the damaged one after


# ---- font tables parsed once per process (fonts.py) -------------------------------------------

@cache
def _font_tables() -> tuple[tuple[str, str, bytes], ...]:
    """Every ToUnicode map and Type 1 font header of every committed rendering, as the bytes
    pdfminer's fonts hand their parsers: (where, kind, data)."""
    found: dict[bytes, tuple[str, str, bytes]] = {}
    for path in RENDERINGS:
        with load.open_pdf(path.read_bytes(), path.name) as pdf:
            for page in PDFPage.create_pages(pdf.pdf.doc):
                fonts = resolve1(resolve1(page.resources).get("Font")) or {}
                for name, ref in fonts.items():
                    font = resolve1(ref)
                    where = f"{path.name} font {name}"
                    unicode_map = resolve1(font.get("ToUnicode"))
                    if isinstance(unicode_map, PDFStream):
                        data = unicode_map.get_data()
                        found.setdefault(data, (where, "ToUnicode", data))
                    descriptor = resolve1(font.get("FontDescriptor")) or {}
                    program = resolve1(descriptor.get("FontFile"))
                    if isinstance(program, PDFStream) and "Encoding" not in font:
                        data = program.get_data()[:resolve1(program["Length1"])]
                        found.setdefault(data, (where, "Type1", data))
    return tuple(found.values())


def _pdfminers_table(kind: str, data: bytes) -> object:
    from pdfminer.cmapdb import CMapParser, FileUnicodeMap
    from pdfminer.pdffont import Type1FontHeaderParser

    if kind == "Type1":
        return Type1FontHeaderParser(io.BytesIO(data)).get_encoding()
    cmap = FileUnicodeMap()
    CMapParser(cmap, io.BytesIO(data)).run()
    return cmap.attrs, cmap.cid2unichr


def _kept_table(kind: str, data: bytes) -> object:
    from pdfminer.cmapdb import FileUnicodeMap

    from pipeline.read.pdf import fonts

    if kind == "Type1":
        return fonts.type1_header_parser(io.BytesIO(data)).get_encoding()
    cmap = FileUnicodeMap()
    fonts.cmap_parser(cmap, io.BytesIO(data)).run()
    return cmap.attrs, cmap.cid2unichr


def test_font_tables_parsed_once_are_pdfminers_parsed_each_time():
    """Parsed afresh (the store empty) and handed out from the store, every ToUnicode map and
    Type 1 header of every rendering is what pdfminer's parser makes of it, entry for entry
    and in the same order; what is handed out is a copy, so a font cannot change the next."""
    from pipeline.read.pdf import fonts

    tables = _font_tables()
    kinds = {kind for _, kind, _ in tables}
    assert kinds == {"ToUnicode", "Type1"} and len(tables) > 50
    fonts.STORE.clear()
    hits = fonts.STORE.hits
    for where, kind, data in tables:
        want = _pdfminers_table(kind, data)
        first = _kept_table(kind, data)
        assert repr(first) == repr(want), where
        second = _kept_table(kind, data)
        assert repr(second) == repr(want), where
        (second if kind == "Type1" else second[1]).clear()
        assert repr(_kept_table(kind, data)) == repr(want), where
    assert fonts.STORE.hits - hits == 2 * len(tables)  # each parsed once, then kept


def test_a_font_table_that_warns_or_fails_is_parsed_every_time(caplog):
    """pdfminer's warnings become the document's notes, and its exceptions its damage: a map it
    warns about, or fails on, is never kept, so each reading warns or fails as the first did."""
    from pdfminer.cmapdb import FileUnicodeMap

    from pipeline.read.pdf import fonts

    good = b"1 beginbfchar <0001> <4E00> endbfchar\n"
    warns = good + b"1 beginbfrange 5 <0002> <0041> endbfrange\n"  # a start that is no string
    fails = good + b"1 beginbfrange <01> <02> 5 endbfrange\n"  # a code pdfminer asserts on
    fonts.STORE.clear()
    for _ in range(2):
        caplog.clear()
        with caplog.at_level("WARNING", logger="pdfminer"):
            assert _kept_table("ToUnicode", warns) == ({}, {1: "一"})
        assert [r.name for r in caplog.records] == ["pdfminer.cmapdb"]
        with pytest.raises(AssertionError):
            fonts.cmap_parser(FileUnicodeMap(), io.BytesIO(fails)).run()
    assert len(fonts.STORE) == 0
    assert _kept_table("ToUnicode", good) == ({}, {1: "一"}) and len(fonts.STORE) == 1


def test_a_malformed_unicode_map_is_a_note_at_every_reading():
    """End to end: the reader's note on pdfminer's warning is there the second time too."""
    from pypdf import PdfReader, PdfWriter

    from pipeline.read import LoadedInput, read_table
    from tests.synthetic_pdf import build_pdf

    lines = [(72.0, 110.0 + 20 * i, text) for i, text in enumerate(("附件", "2024年推动知识产权高质量发展任务清单"))]
    lines += [(x, 160.0, word) for x, word in zip((72.0, 200.0, 400.0), ("重点任务", "工作举措", "任务分工"))]
    lines += [(72.0, 190.0, "一、加强保护"), (72.0, 210.0, "1.任务"), (200.0, 210.0, "举措"), (400.0, 210.0, "局")]
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(build_pdf(lines))))
    unicode_map = writer.pages[0]["/Resources"]["/Font"]["/F1"]["/ToUnicode"].get_object()
    unicode_map.set_data(unicode_map.get_data().replace(
        b"endcmap", b"1 beginbfrange 5 <0002> <0041> endbfrange\nendcmap"))
    out = io.BytesIO()
    writer.write(out)
    loaded = LoadedInput(path=Path("list.pdf"), data=out.getvalue(), fmt="pdf", notes=())
    notes = [read_table(loaded).notes for _ in range(2)]
    assert any("pdfminer warned" in n and "ToUnicode" in n for n in notes[0]), notes[0]
    assert notes[1] == notes[0]


def test_the_font_table_store_is_bounded():
    """At most so many tables and so many source bytes, the least recently used going first;
    a table from more than a quarter of the bytes is not kept at all."""
    from pipeline.read.pdf.fonts import _Store

    store = _Store(entries=4, size=1000)
    for i in range(10):
        store.put(("k", i), bytes(100), i)
        assert len(store) <= 4 and store.bytes <= 1000
    assert store.get(("k", 6)) == 6  # used: the newest now
    store.put(("k", 10), bytes(100), 10)
    assert store.get(("k", 7)) is None and store.get(("k", 6)) == 6
    store.put(("big",), bytes(251), "big")
    assert store.get(("big",)) is None
    for i in range(20, 24):
        store.put(("m", i), bytes(250), i)
    assert len(store) == 4 and store.bytes == 1000


def test_the_operators_and_names_remembered_are_bounded(monkeypatch):
    """The parser remembers the operators and names it has made (as pdfminer interns them);
    a stream of ever new names empties its memory instead of growing it, and reads the same."""
    monkeypatch.setattr(strict, "_MAX_WORDS", 50)
    data = b"".join(b"/n%d [/m%d (x)] Tj q%d Q\n" % (i, i, i) for i in range(300))
    assert _objects(strict._StrictContentParser, data) == _objects(PDFContentParser, data)
    assert len(strict._NAMES) <= 50 and len(strict._WORDS) <= 50


def test_vertical_and_unmapped_glyphs_are_pdfplumbers():
    """The device asks the font of each character code once a page (load._CountingDevice's
    ``known``): a vertical font's displacements and a code without a Unicode mapping, drawn
    several times, give pdfplumber's characters too (the renderings have neither)."""
    from tests.synthetic_pdf import build_pdf

    text = "重点任务重点"
    data = build_pdf([(72.0, 100.0, text), (300.0, 100.0, text)], size=11.0)
    # 重 four times in the content, then once as code and text in the ToUnicode map
    assert data.count(b"/Identity-H") == 1 and data.count(b"91CD") == 6
    unmapped = data.replace(b"91CD", b"E000", 4)  # drawn as a code the map lacks
    for pdf_bytes in (data.replace(b"/Identity-H", b"/Identity-V"), unmapped):
        with pdfplumber.open(io.BytesIO(pdf_bytes)) as plumber, \
                load.open_pdf(pdf_bytes, "v.pdf") as pdf:
            (ours,), (theirs,) = list(pdf.pages()), plumber.pages
            assert len(ours.chars) == 2 * len(text)
            assert ours.chars == [{k: c[k] for k in KEYS["char"]} for c in theirs.chars]
    assert ours.chars[0]["text"] == "(cid:57344)"
