"""Reader for the HTML page (beautifulsoup4 + lxml): Word-, WPS- or converter-made tables.

- Decoding happens here, strictly, before any parser sees the page (lxml and bs4 guess
  encodings from bytes and silently cut documents at GBK-only characters): BOM, then the
  declared charset (gb2312/gbk labels read as GB18030), then UTF-8 and GB18030, with a note.
- The task table is the first table holding the header row 重点任务 / 工作举措 / 任务分工 among
  its own rows (so the innermost one when layout tables nest it); notice text, layout and
  download tables are not data. Later tables continue it when the list is split per page or
  per section; a section heading set as text above a table (一、…) is read as a section row.
  A row holding only a page number or the list's title is a PDF page's foot or head that a
  converter kept in the table: not data (a page number counts a page).
- Each ``<tr>`` after the header is a raw row of three cells, laid out on a grid first:
  a colspan cell's text goes to the first column it covers; a rowspan cell's text is read in
  its first row only (details in _logical_cells). A headerless page table on another grid
  than the header's (spacer columns) maps its three text columns instead (_text_columns).
  ``row`` is the 1-based ``<tr>`` index in the task table; ``page`` starts at 1 where the
  table starts and counts the page breaks the markup shows (Word's
  ``page-break-before:always``), since HTML has no pages of its own.
- A cell's paragraphs are its block elements and ``<br>``-separated lines; inline markup joins
  with nothing, zero-width marks and soft hyphens are dropped, and a line that opens with a
  colon or closing mark joins the line before, as does a line after a lone label (各地区：).
  Joining rows cut by page breaks is left to stitch, exactly as for the dump.
- The title is the nearest text above the table naming a 任务清单 (else a year), not the page
  ``<title>``, which is usually the notice's.
"""
from __future__ import annotations

import codecs
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field

from bs4 import BeautifulSoup, CData, Tag, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PageElement

from pipeline.errors import EncodingError, MalformedTableError, NoTaskTableError
from pipeline.grammar import (
    HEADER,
    HEADER_WORD as _HEADER_WORD,
    INVISIBLE,
    NO_PARAGRAPH_START as _NO_LINE_START,
    PAGE_NUMBER_CHARS as _PAGE_NUMBER,
    SECTION_RE,
    TASK_RE,
    WIDE_CHAR,
    ascii_digits,
    clean_title as _clean_title,
    cn_number,
    has_year as _has_year,
    is_header,
    normalize_ws,
)
from pipeline.models import RawCell, RawRow, RawTable
from pipeline.read.common import (
    damaged_utf8,
    decode_by_bom,
    drop_controls,
    raise_damaged_utf8,
)
from pipeline.read.html_checks import (
    check_accounted,
    check_budget,
    check_markup,
    check_task_numbers,
)
from pipeline.read.libraries import library_call, one_line

# ---- decoding --------------------------------------------------------------------------------

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
_PRESCAN_BYTES = 16384


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
    declared = declared_charsets(data[:_PRESCAN_BYTES])
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


# ---- text of an element ----------------------------------------------------------------------

#: Elements that end a paragraph before and after them (``<br>`` is handled on its own).
_BLOCK = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "tr", "td", "th", "caption", "blockquote", "pre", "section", "article", "header",
    "footer", "center", "address", "hr", "tbody", "thead", "tfoot", "form", "fieldset",
})
#: Never text: code, metadata, and Word's tracked deletions (``<del>``).
_SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "xml", "object",
                   "del"})
#: Word's comment anchors (``[A1]``) sit inside the commented text but are not part of it.
_COMMENT_CLASS = re.compile(r"msocomanchor|MsoCommentReference", re.I)
#: HTML collapses these (not &nbsp; or the ideographic space) into one space when rendering.
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
#: A line that is only a short label and its colon (国家知识产权局：, 局内：).
_LONE_LABEL = re.compile(r"[^\s：:，。；、]{1,16}[：:]")
_WIDE = re.compile(WIDE_CHAR)
_HIDDEN = re.compile(r"display\s*:\s*none|mso-hide\s*:\s*all", re.I)
_BOLD_STYLE = re.compile(r"font-weight\s*:\s*(bold|[6-9]00)", re.I)
_PAGE_BREAK = re.compile(r"(?:page-)?break-(before|after)\s*:\s*(?:always|page)", re.I)


def _style(el: Tag) -> str:
    """An element's inline style, "" without one (bs4 types any attribute as maybe a list)."""
    value = el.get("style")
    return value if isinstance(value, str) else " ".join(value or ())


def paragraphs(root: Tag, br_breaks: bool = True) -> list[str]:
    """The element's text as paragraphs: block elements and ``<br>`` separate, inline joins.

    Source whitespace is collapsed the way a browser renders it (see collapse_ws); inline
    elements (``<span>``, ``<b>``, ``<font>``, ``<o:p>``) join with nothing. Hidden text (Word's
    ``display:none``/``mso-hide:all``), comments, scripts, styles, tracked deletions and
    comment anchors are no text.
    Walks with an explicit stack, so deep markup cannot exhaust the recursion limit.
    """
    paras: list[str] = []
    current: list[str] = []

    def flush() -> None:
        # Zero-width marks and soft hyphens render as nothing; left in, one between a label
        # and its colon (省份\u200b：) hides the label from segment.
        text = collapse_ws("".join(current).translate(INVISIBLE)).strip(" ")  # edge spaces too
        if not text.strip(" \t\n\r\f\xa0\u3000"):
            pass
        elif paras and (text.lstrip(" \xa0\u3000")[0] in _NO_LINE_START
                        or _LONE_LABEL.fullmatch(paras[-1].strip(" \xa0\u3000"))):
            # Nothing opens a paragraph with a colon or closing mark (the line-start rule of
            # Chinese typesetting), and a label set on a line of its own (<b>各地区：</b><br>)
            # introduces the text after it: the break between them is layout, not a paragraph.
            paras[-1] += text.lstrip(" \xa0\u3000")
        else:
            paras.append(text)
        current.clear()

    stack: list[tuple[object, bool]] = [(root, False)]
    while stack:
        node, closing = stack.pop()
        if closing:
            flush()
            continue
        if isinstance(node, NavigableString):
            if type(node) in (NavigableString, CData):
                current.append(str(node))
            continue
        assert isinstance(node, Tag)
        name = node.name.lower()
        if name in _SKIP or _HIDDEN.search(_style(node)) \
                or _COMMENT_CLASS.search(" ".join(node.get_attribute_list("class"))):
            continue
        if name == "br":
            # A page-break <br> marks where a page ended, not a new line: a paragraph it
            # cuts goes on.
            if br_breaks and not _PAGE_BREAK.search(_style(node)):
                flush()
            continue
        if name in _BLOCK:
            flush()
            stack.append((node, True))
        stack.extend((child, False) for child in reversed(node.contents))
    flush()
    return paras


def collapse_ws(text: str) -> str:
    """Source whitespace as a browser renders it (CSS Text 3 segment-break rules).

    A run with a line break between two wide (CJK) characters vanishes: it is where the
    exporter wrapped its source lines, and a space there would later read as a clause boundary
    in stitch. Every other run becomes one space. &nbsp; and U+3000 are text, left as they are.
    """
    def repl(m: re.Match[str]) -> str:
        run, start, end = m.group(0), m.start(), m.end()
        if ("\n" in run or "\r" in run) and start > 0 and end < len(text) \
                and _WIDE.match(text[start - 1]) and _WIDE.match(text[end]):
            return ""
        return " "
    return _HTML_SPACE.sub(repl, text)


def _is_bold(cell: Tag) -> bool:
    if cell.find(["b", "strong"]) is not None:
        return True
    return any(_BOLD_STYLE.search(_style(t))
               for t in (cell, *cell.find_all(style=True)))


# ---- the task table --------------------------------------------------------------------------

@dataclass
class _Grid:
    """A table's own rows laid out on a grid: each slot holds the cell that covers it."""

    table: Tag
    rows: list[Tag]
    #: per row, per grid column: (cell, is_origin) — is_origin is False for slots a span reaches.
    slots: list[dict[int, tuple[Tag, bool]]] = field(default_factory=list)
    width: int = 0


def own_rows(table: Tag) -> list[Tag]:
    """The table's ``<tr>``s, not those of tables nested in its cells."""
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def _cells(tr: Tag) -> list[Tag]:
    return [c for c in tr.find_all(["td", "th"]) if c.find_parent("tr") is tr]


def _span(cell: Tag, attr: str) -> int:
    m = re.match(r"\s*(\d+)", str(cell.get(attr, "1")))
    return max(1, min(int(m.group(1)), 1000)) if m else 1


def grid(table: Tag) -> _Grid:
    """Lay the rows out column by column, expanding rowspan and colspan."""
    g = _Grid(table, own_rows(table))
    pending: dict[int, tuple[Tag, int]] = {}  # column -> (cell, rows it still covers)
    for tr in g.rows:
        slots: dict[int, tuple[Tag, bool]] = {c: (cell, False) for c, (cell, _) in pending.items()}
        reached = {c: (cell, left - 1) for c, (cell, left) in pending.items() if left > 1}
        col = 0
        for cell in _cells(tr):
            while col in slots:
                col += 1
            colspan, rowspan = _span(cell, "colspan"), _span(cell, "rowspan")
            for c in range(col, col + colspan):
                slots[c] = (cell, c == col)
                if rowspan > 1:
                    reached[c] = (cell, rowspan - 1)
            col += colspan
        pending = reached
        g.slots.append(slots)
        g.width = max(g.width, max(slots, default=-1) + 1)
    return g


def _row_texts(slots: dict[int, tuple[Tag, bool]]) -> list[str]:
    """One normalised text per distinct originating cell of a row, in column order."""
    seen: list[Tag] = []
    for c in sorted(slots):
        cell, origin = slots[c]
        if origin and all(cell is not s for s in seen):
            seen.append(cell)
    return [normalize_ws("".join(paragraphs(cell))) for cell in seen]


def _header_at(g: _Grid) -> int | None:
    """Index of the table's header row among its first rows, or None."""
    for i, slots in enumerate(g.slots[:8]):
        if is_header(_row_texts(slots)):
            return i
    return None


def _columns(header: dict[int, tuple[Tag, bool]]) -> dict[int, int]:
    """Grid column -> logical column 0..2, from the header cell that covers it.

    Word often splits a column into several grid columns (a header cell with colspan=2 over
    misaligned body cells), so every grid column maps to the header cell above it; grid
    columns left of the first header cell belong to the first column, those under an empty
    header cell to the column on their left.
    """
    mapping: dict[int, int] = {}
    logical = 0
    for c in sorted(header):
        text = normalize_ws("".join(paragraphs(header[c][0]))).replace(" ", "")
        if text in HEADER:
            logical = HEADER.index(text)
        mapping[c] = logical
    return mapping


# ---- page breaks -----------------------------------------------------------------------------

def _break_marks(table: Tag) -> tuple[set[int], set[int]]:
    """ids of the rows that open with a page break, and of those that close with one.

    Word marks a break on the row (``<tr style='page-break-before:always'>``) or on the
    first paragraph or ``<br>`` of its cells.
    """
    before: set[int] = set()
    after: set[int] = set()
    for tr in own_rows(table):
        for m in _PAGE_BREAK.finditer(_style(tr)):
            (before if m.group(1).lower() == "before" else after).add(id(tr))
        seen_text = False
        for node in tr.descendants:
            if isinstance(node, NavigableString):
                seen_text = seen_text or (type(node) is NavigableString and bool(node.strip()))
            elif (isinstance(node, Tag) and not seen_text
                  and (mark := _PAGE_BREAK.search(_style(node)))
                  and "before" in mark.group(1).lower()):
                before.add(id(tr))
    return before, after


def _breaks_between(first: Tag, second: Tag) -> int:
    """Page-break marks in the markup after table ``first`` and before table ``second``."""
    count = 0
    for el in first.find_all_next(True):
        if el is second:
            break
        if _inside(el, first):
            continue
        count += len(_PAGE_BREAK.findall(_style(el)))
    return count


# ---- reading ---------------------------------------------------------------------------------

#: Longest text between two tables of one list that can be a running head or foot.
_RUNNING_LINE = 40
_SENTENCE_END = re.compile(r"[。；！？]")
_DIGITS = re.compile(r"[0-9０-９]+")


def read_html(data: bytes, source: str) -> RawTable:
    """Parse an HTML page's bytes into the raw table (see the module docstring)."""
    text, notes = decode_html(data, source)
    text, dropped = drop_controls(text, source)
    notes += dropped
    check_budget(text, source)

    def rejected(library: str, exc: BaseException) -> MalformedTableError:
        return MalformedTableError(source, f"the HTML parser rejected the page ({one_line(exc)})")

    with library_call(rejected), warnings.catch_warnings():
        # XHTML exports (LibreOffice, WPS) are read as HTML on purpose: lxml's HTML parser
        # forgives what their XML would not.
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "lxml")
    check_markup(soup, text, source)
    found = [(t, g, h) for t in soup.find_all("table")
             for g in [grid(t)] for h in [_header_at(g)] if h is not None]
    if not found:
        count = len(soup.find_all("table"))
        words = normalize_ws("".join(paragraphs(soup.body or soup))).replace(" ", "")
        if all(word in words for word in HEADER):
            # pdftohtml, pdf2htmlEX or an office suite's PDF import: positioned text lines.
            raise NoTaskTableError(
                source, f"the header words {' / '.join(HEADER)} are in the page's text but "
                + (f"in none of its {count} tables" if count else "the page has no table")
                + " (a PDF converted to positioned text keeps none)",
                "give the PDF itself, or an HTML page of the list that holds it as a table")
        raise NoTaskTableError(source, f"none of the page's {count} tables has the header row"
                               if count else "the page has no table (is the list only a linked "
                               "attachment?)")
    table, g, header_at = found[0]
    before = _lines_before(soup, table)[:1]
    parts = [_Part(g, header_at, tuple(line for line in before if _is_section_line(line)), False)]
    parts += _continuing_tables(soup, table, g, parts[0].sections)
    rows = tuple(_rows(parts))
    check_task_numbers(rows, source)
    check_accounted(text, rows, source)
    if len(parts) > 1:
        notes += (f"{source}: the task table is split over {len(parts)} HTML tables; "
                  "read them as one",)
    title = _title(soup, table, g, header_at)
    head = tuple(_lines_before(soup, table, limit=_HEAD_BLOCKS)[::-1])
    return RawTable(source=source, fmt="html", title=title, rows=rows, notes=notes, head=head)


@dataclass
class _Part:
    """One HTML table of the task table, with the section headings set as text above it."""

    g: _Grid
    header_at: int  # index of its header row; -1 when it has none of its own
    sections: tuple[str, ...] = ()
    same_page: bool = False  # only section headings (no page break, no page number) before it


def _is_section_line(line: str) -> bool:
    """A section heading (一、全面强化…) standing as text outside the table."""
    return bool(SECTION_RE.match(line)) and len(line) <= _RUNNING_LINE \
        and not _SENTENCE_END.search(line)


def _continuing_tables(soup: BeautifulSoup, first: Tag, g: _Grid,
                       above: tuple[str, ...]) -> list[_Part]:
    """Later tables that carry on the task table (one table per page in converted PDFs).

    Only tables at the same nesting level as the task table count, or any table with no table
    inside it when the task table has none either (each page wrapped in a layout table of its
    own). One continues it when it repeats the header row and at most a running head or foot
    (a short line, not a sentence) stands between the two, or when only page-break markup, a
    page number or a running head (see _running_head) does and its first row reads like a row
    cut at a page (empty first cell, a task or a section number). A download table after a
    line of notice text, or one that opens with 序号, therefore does not; nor does a second
    copy of the list introduced by its own notice text. Section headings set as text between
    the tables (一、… above each section's table, ``above`` the first) are read as section rows
    and do not count as text between, when they number on from the section before them. A
    table whose first numbered row does not number on from the rows before it (1. after 6., a
    last year's list under its own title) ends the list whatever stands between.
    """
    level, leaf = first.find_parent("table"), first.find("table") is None
    # A converter may wrap each page's table in a layout table of its own: then a later table
    # with no table inside it counts as well, wherever it is nested.
    # An empty table (a converter's leftover between two pages) neither continues nor ends it.
    tables = [t for t in first.find_all_next("table") if not _inside(t, first)
              and (t.find_parent("table") is level or (leaf and t.find("table") is None))
              and t.get_text().strip(" \t\n\r\f\xa0\u3000\u200b")]
    pairs = list(zip([first, *tables], tables))
    sections = [tuple(line for line in _lines_between(a, b) if _is_section_line(line))
                for a, b in pairs]
    gaps = [_without(_text_between(a, b), heads) for (a, b), heads in zip(pairs, sections)]
    parts: list[_Part] = []
    last = _last_numbers(g, (_section_number(above[-1]) if above else 0, 0))
    for (a, table), between, heads in zip(pairs, gaps, sections):
        tg = grid(table)
        numbers = [_section_number(h) for h in heads]
        if heads and numbers != list(range(last[0] + 1, last[0] + 1 + len(heads))):
            # 一、工作要求 above a table after the list is notice text, not the next section.
            heads, between = (), _text_between(a, table)
        if heads:
            last = (numbers[-1], last[1])
        if not _numbers_on(tg, last):
            break  # a table of other numbered rows (1.…) after the list, not the list going on
        if _header_at(tg) is not None:
            if len(between) > _RUNNING_LINE or _SENTENCE_END.search(between):
                break
        elif not ((_PAGE_NUMBER.match(between) or _running_head(between, gaps))
                  and _opens_like_a_page(tg)):
            break
        # Its rows are all data: a header repeated on a new page is dropped by stitch.
        parts.append(_Part(tg, -1, heads, bool(heads) and not between))
        last = _last_numbers(tg, last)
    return parts


def _section_number(line: str) -> int:
    m = SECTION_RE.match(line)
    return cn_number(m["num"]) if m else 0


def _numbered(slots: dict[int, tuple[Tag, bool]]) -> tuple[str, int] | None:
    """``("section", n)`` or ``("task", n)`` for a row opening with that number, else None."""
    texts = [t for t in _row_texts(slots) if t]
    first = normalize_ws("".join(paragraphs(slots[min(slots)][0]))) if slots else ""
    if len(texts) == 1 and SECTION_RE.match(texts[0]):
        return "section", _section_number(texts[0])
    m = TASK_RE.match(first)
    return ("task", int(ascii_digits(m["num"]))) if m and slots[min(slots)][1] else None


def _last_numbers(g: _Grid, last: tuple[int, int]) -> tuple[int, int]:
    """The last section and task numbers once the table's rows are read."""
    section, task = last
    for slots in g.slots:
        numbered = _numbered(slots)
        if numbered and numbered[0] == "section":
            section = numbered[1]
        elif numbered:
            task = numbered[1]
    return section, task


def _numbers_on(g: _Grid, last: tuple[int, int]) -> bool:
    """Whether the table's first numbered row after any header numbers on from ``last``."""
    head = _header_at(g)
    for slots in g.slots[(head + 1 if head is not None else 0):]:
        if not any(_row_texts(slots)):
            continue
        numbered = _numbered(slots)
        if numbered is None:
            return True  # a row cut at the page (empty first cell) or other text: other rules
        kind, n = numbered
        return n == (last[0] if kind == "section" else last[1]) + 1
    return True


def _without(text: str, lines: tuple[str, ...]) -> str:
    """``text`` with each of ``lines`` taken out once."""
    for line in lines:
        text = text.replace(line, "", 1)
    return normalize_ws(text)


_HEADING_BLOCKS = frozenset({"p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "center"})


def _lines_between(first: Tag, second: Tag) -> list[str]:
    """Block texts after table ``first`` and before table ``second``, in order."""
    lines: list[str] = []
    for block in first.find_all_next(True):
        if block is second:
            break
        if block.name not in _HEADING_BLOCKS or _inside(block, first) \
                or any(child.name in _BLOCK for child in block.find_all(True)):
            continue
        text = normalize_ws("".join(paragraphs(block, br_breaks=False)))
        if text:
            lines.append(text)
    return lines


def _running_head(between: str, gaps: list[str]) -> bool:
    """A short line (not a sentence) that names the list or stands between several pairs of
    tables, page numbers aside: the running head or foot of a PDF converted one table a page."""
    if len(between) > 2 * _RUNNING_LINE or _SENTENCE_END.search(between):
        return False
    if "任务清单" in between:
        return True
    bare = _DIGITS.sub("", between)
    return sum(1 for gap in gaps if _DIGITS.sub("", gap) == bare) >= 2


def _opens_like_a_page(g: _Grid) -> bool:
    """The first non-empty row has an empty first cell or opens with a task or section number."""
    for slots in g.slots:
        cells = _row_texts(slots)
        if not any(cells):
            continue
        first = normalize_ws("".join(paragraphs(slots[min(slots)][0]))) if slots else ""
        return len(slots) >= 2 and (not first or bool(TASK_RE.match(first) or SECTION_RE.match(first)))
    return False


def _inside(node: PageElement, ancestor: Tag) -> bool:
    return any(p is ancestor for p in node.parents)


def _text_between(first: Tag, second: Tag) -> str:
    """The normalised text after the end of table ``first`` and before table ``second``."""
    texts: list[str] = []
    for s in first.find_all_next(string=True):
        if _inside(s, second):
            break
        if _inside(s, first) or type(s) is not NavigableString:
            continue
        if s.parent is not None and s.parent.name in _SKIP:
            continue
        texts.append(str(s))
    return normalize_ws("".join(texts))


def _rows(parts: list[_Part]) -> Iterator[RawRow]:
    """Raw rows of the task table after its header row, page by page."""
    page, number = 1, 0
    previous: Tag | None = None
    paged = False  # the last row read was a page-number row (it counted the page already)
    by_header = _columns(parts[0].g.slots[parts[0].header_at])
    width = parts[0].g.width
    # A converter lays every page out on the same grid: a page table with too few filled
    # columns to tell (a single cut row) borrows the mapping of another table of its width.
    by_width: dict[int, dict[int, int]] = {}
    for part in parts[1:]:
        mapping = _text_columns(part.g)
        if mapping is not None:
            by_width.setdefault(part.g.width, mapping)
    for part in parts:
        g, header_at = part.g, part.header_at
        if previous is not None:
            page += max(0 if part.same_page or paged else 1, _breaks_between(previous, g.table))
        for heading in part.sections:
            # A heading above the table stands where a merged section row would.
            yield RawRow(cells=(RawCell((heading,), bold=True), RawCell(), RawCell()),
                         page=page, row=number + header_at + 2)
        head = _header_at(g) if header_at < 0 else header_at
        if head is not None:
            by_header, width = _columns(g.slots[head]), g.width
        columns = by_header
        if head is None and g.width != width:
            columns = _text_columns(g) or by_width.get(g.width) or by_header
        before, after = _break_marks(g.table)
        number += header_at + 1  # rows above the header are counted, not read
        for tr, slots in zip(g.rows[header_at + 1:], g.slots[header_at + 1:]):
            number += 1
            if id(tr) in before:
                page += 1
            cells = _logical_cells(slots, columns)
            running = _running_row(cells) if cells is not None else None
            if running == "page number":
                page += 1  # a page's foot kept as a row: the next row is on a new page
                paged = True
            elif cells is not None and running is None:
                yield RawRow(cells=cells, page=page, row=number)
                paged = False
            if id(tr) in after:
                page += 1
        previous = g.table


def _running_row(cells: tuple[RawCell, RawCell, RawCell]) -> str | None:
    """``page number`` or ``running head`` for a row that is a PDF page's foot or head carried
    into the table by a converter (- 3 -, 第3页, the list's title alone); None for data."""
    texts = [normalize_ws("".join(c.paragraphs)) for c in cells]
    filled = [t for t in texts if t]
    if len(filled) != 1:
        return None
    text = filled[0]
    if _PAGE_NUMBER.match(text) and _DIGITS.search(text):
        return "page number"
    if "任务清单" in text and len(text) <= _RUNNING_LINE and not _SENTENCE_END.search(text):
        return "running head"
    return None


def _text_columns(g: _Grid) -> dict[int, int] | None:
    """Grid column -> logical column for a headerless table laid out on another grid than the
    header's (a converter's empty spacer columns): the three columns that hold text, each
    empty column going with the one on its left. None unless exactly three hold text."""
    used = sorted({c for slots in g.slots for c, (cell, origin) in slots.items()
                   if origin and not _empty(cell)})
    if len(used) != 3:
        return None
    return {c: max(0, sum(1 for u in used if u <= c) - 1) for c in range(g.width)}


def _logical_cells(slots: dict[int, tuple[Tag, bool]],
                   columns: dict[int, int]) -> tuple[RawCell, RawCell, RawCell] | None:
    """The row's three cells; None for a row that has no cells at all.

    A cell spanning several columns (a merged section row) gives its text to the first
    column it covers. A cell reaching down from a row above (rowspan) is empty in the rows it
    reaches, so a task title spanning two rows makes the second a continuation row, and a
    工作举措/任务分工 cell spanning rows of one task is read once. The exception is a
    rowspan in the later columns reaching a row that opens with a cell of its own (a new task
    sharing the 任务分工 of the one above): there the text is repeated, so each task has it.
    """
    if not slots:
        return None
    widest = max(columns, default=0)
    opens = any(origin and columns.get(c, 0) == 0 and not _empty(cell)
                for c, (cell, origin) in slots.items())
    parts: list[list[str]] = [[], [], []]
    bold = [False, False, False]
    done: set[int] = set()
    leftmost: dict[int, int] = {}  # id(cell) -> the leftmost slot it covers in this row
    for c in sorted(slots):
        leftmost.setdefault(id(slots[c][0]), c)
    for c in sorted(slots):
        cell, origin = slots[c]
        if id(cell) in done:
            continue
        logical = columns.get(c, 2 if c > widest else 0)
        if not origin and not (opens and logical > 0 and leftmost[id(cell)] == c):
            continue
        done.add(id(cell))
        parts[logical].extend(paragraphs(cell))
        bold[logical] = bold[logical] or _is_bold(cell)
    return tuple(RawCell(paragraphs=tuple(p), bold=b)  # type: ignore[return-value]
                 for p, b in zip(parts, bold))


def _empty(cell: Tag) -> bool:
    return not normalize_ws("".join(paragraphs(cell)))


def _title(soup: BeautifulSoup, table: Tag, g: _Grid, header_at: int) -> str | None:
    """The list's title: the nearest text above the header (rows above it, the ``<caption>``,
    then text before the table) naming a 任务清单, else one with a year (not a date), else the
    page ``<title>``; ``附件：`` and enclosing 《》 removed."""
    above = [normalize_ws("".join(paragraphs(cell, br_breaks=False)))
             for slots in g.slots[:header_at] for cell, origin in slots.values() if origin]
    captions = [normalize_ws("".join(paragraphs(c, br_breaks=False)))
                for c in table.find_all("caption") if c.find_parent("table") is table]
    above = [t for t in above if t][::-1] + captions + _lines_before(soup, table)
    page_title = normalize_ws(soup.title.get_text()) if soup.title else ""
    for candidates in (above[:12], [page_title]):
        for i, line in enumerate(candidates):
            if "任务清单" in line and len(line) <= 80:
                if not _has_year(line) and i + 1 < len(candidates) \
                        and _has_year(candidates[i + 1]) and len(candidates[i + 1]) <= 40:
                    line = candidates[i + 1] + line  # a title set over two paragraphs
                return _clean_title(line)
    for line in above[:12]:
        if _has_year(line) and len(line) <= 80:
            return _clean_title(line)
    return _clean_title(page_title) or None


#: Blocks above the table kept as the document's head (a notice with its 文号 runs to dozens).
_HEAD_BLOCKS = 200


def _lines_before(soup: BeautifulSoup, table: Tag, limit: int = 12) -> list[str]:
    """Block texts before the table, nearest first (``<br>`` does not split them)."""
    body = soup.body or soup
    lines: list[str] = []
    for block in table.find_all_previous(["p", "h1", "h2", "h3", "h4", "h5", "h6", "div", "td",
                                          "th", "caption", "center", "li"]):
        if any(child.name in _BLOCK for child in block.find_all(True)) or not _inside(block, body):
            continue
        text = normalize_ws("".join(paragraphs(block, br_breaks=False)))
        if text:
            lines.append(text)
        if len(lines) >= limit:
            break
    return lines


__all__ = ["decode_html", "paragraphs", "read_html"]
