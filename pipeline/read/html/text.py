"""A cell's text as paragraphs, the way a browser renders it.

Block elements and ``<br>`` separate paragraphs, inline markup joins with nothing, source
whitespace collapses as CSS says (a line break between two CJK characters vanishes), hidden
text, comments, scripts and Word's tracked deletions and comment anchors are no text; a line
that opens with a colon or closing mark, or follows a lone label (各地区：), joins the line
before.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from bs4 import CData, Tag
from bs4.element import NavigableString, PageElement

from pipeline.grammar import (
    INVISIBLE,
    NO_PARAGRAPH_START as _NO_LINE_START,
    WIDE_CHAR,
)

#: Elements that end a paragraph before and after them (``<br>`` is handled on its own).
BLOCK = frozenset({
    "p", "div", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6",
    "table", "tr", "td", "th", "caption", "blockquote", "pre", "section", "article", "header",
    "footer", "center", "address", "hr", "tbody", "thead", "tfoot", "form", "fieldset",
})
#: Never text: code, metadata, and Word's tracked deletions (``<del>``).
SKIP = frozenset({"script", "style", "head", "title", "template", "noscript", "xml", "object",
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
PAGE_BREAK = re.compile(r"(?:page-)?break-(before|after)\s*:\s*(?:always|page)", re.I)


def style_of(el: Tag) -> str:
    """An element's inline style, "" without one (bs4 types any attribute as maybe a list)."""
    value = el.get("style")
    return value if isinstance(value, str) else " ".join(value or ())


#: Paragraphs already read during one page's reading, by element: the reader asks for the same
#: cell's text from several steps (header, numbering, continuation, rows), three times a cell
#: on average, and a page's tree does not change while it is read. Keyed by ``id`` (bs4's own
#: hash of a Tag is its whole markup as a string), with the element kept beside its result:
#: held there, it stays alive, so no later element can be given its id.
_READ: ContextVar[dict[tuple[int, bool], tuple[Tag, list[str]]] | None] = ContextVar(
    "html_paragraphs", default=None)


@contextmanager
def reading_page() -> Iterator[None]:
    """Within it, :func:`paragraphs` reads each element once (the page must not change)."""
    token = _READ.set({})
    try:
        yield
    finally:
        _READ.reset(token)


def paragraphs(root: Tag, br_breaks: bool = True) -> list[str]:
    """The element's text as paragraphs (see :func:`read_paragraphs`), once per element
    inside :func:`reading_page`."""
    memo = _READ.get()
    if memo is None:
        return read_paragraphs(root, br_breaks)
    hit = memo.get((id(root), br_breaks))
    if hit is not None:
        return list(hit[1])
    paras = read_paragraphs(root, br_breaks)
    memo[(id(root), br_breaks)] = (root, paras)
    return list(paras)


def read_paragraphs(root: Tag, br_breaks: bool = True) -> list[str]:
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
        if name in SKIP or _HIDDEN.search(style_of(node)) \
                or _COMMENT_CLASS.search(" ".join(node.get_attribute_list("class"))):
            continue
        if name == "br":
            # A page-break <br> marks where a page ended, not a new line: a paragraph it
            # cuts goes on.
            if br_breaks and not PAGE_BREAK.search(style_of(node)):
                flush()
            continue
        if name in BLOCK:
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


_BOLD_TAGS = frozenset({"b", "strong"})


def is_bold(cell: Tag) -> bool:
    """Whether the cell or markup in it is bold: a ``<b>``/``<strong>`` or a bold inline style.

    One plain walk over the cell's elements, not bs4's find and find_all (a matcher built per
    call and run on every element, twice): the reader asks it of every cell of every row.
    """
    if _BOLD_STYLE.search(style_of(cell)):
        return True
    return any(isinstance(el, Tag) and (el.name in _BOLD_TAGS or _BOLD_STYLE.search(style_of(el)))
               for el in cell.descendants)


def nearest(node: PageElement, names: str | frozenset[str]) -> Tag | None:
    """``node.find_parent(names)``: the closest ancestor of one of those names, None without one.

    A plain walk up: bs4's find_parent builds a matcher and runs it on every ancestor, and the
    reader asks it of every row and cell of every table (a tenth of reading a page).
    """
    wanted = frozenset((names,)) if isinstance(names, str) else names
    for parent in node.parents:
        if parent.name in wanted:
            return parent
    return None


def inside(node: PageElement, ancestor: Tag) -> bool:
    """Whether ``node`` lies within ``ancestor``."""
    return any(p is ancestor for p in node.parents)


def own_tags(root: Tag, names: frozenset[str], owner: str) -> list[Tag]:
    """``[t for t in root.find_all(names) if nearest(t, owner) is root]``, in one pruned walk.

    The elements named ``names`` whose closest ``owner`` ancestor is ``root`` (a table's own
    rows, a row's own cells): the walk does not enter an ``owner`` nested in ``root``, whose
    elements are that one's. bs4's find_all instead matched every element of nested tables too,
    then each result walked up its ancestors: a tenth of reading a page.
    """
    found: list[Tag] = []
    stack = [c for c in reversed(root.contents) if isinstance(c, Tag)]
    while stack:
        node = stack.pop()
        name = node.name
        if name in names:
            found.append(node)
        if name != owner:
            stack.extend(c for c in reversed(node.contents) if isinstance(c, Tag))
    return found


def tags_in(root: Tag, name: str) -> list[Tag]:
    """``root.find_all(name)``: every element of that name inside ``root``, in document order.

    A plain filter of the descendants: bs4 builds a matcher and calls it on each.
    """
    return [el for el in root.descendants if isinstance(el, Tag) and el.name == name]


def holds(root: Tag, name: str) -> bool:
    """``root.find(name) is not None``; stops at the first."""
    return any(isinstance(el, Tag) and el.name == name for el in root.descendants)


def holds_block(node: Tag) -> bool:
    """Whether a block element (:data:`BLOCK`) lies inside ``node``; stops at the first."""
    return any(isinstance(el, Tag) and el.name in BLOCK for el in node.descendants)


def following(first: Tag, second: Tag | None) -> Iterator[PageElement]:
    """The elements after ``first`` ends and before ``second`` starts, in document order.

    ``first.find_all_next()`` up to ``second`` without those inside ``first``: the walk starts
    after ``first``'s last descendant instead of testing each of its (thousands of) elements
    for being inside it. Nothing when ``second`` lies inside ``first`` (every element before it
    is inside ``first`` then); up to the page's end for ``second`` None. ``second`` must not
    start before ``first`` (the reader passes tables in document order).
    """
    if second is not None and inside(second, first):
        return
    last: PageElement = first
    while isinstance(last, Tag) and last.contents:
        last = last.contents[-1]
    for el in last.next_elements:
        if el is second:
            return
        yield el


#: A sentence's end: a running head or a section heading is never one.
SENTENCE_END = re.compile(r"[。；！？]")
DIGITS = re.compile(r"[0-9０-９]+")

