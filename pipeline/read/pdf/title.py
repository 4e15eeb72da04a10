"""The title above the table and the lines before it (the document's head)."""
from __future__ import annotations

from collections.abc import Sequence

from pipeline.grammar import (
    ANNEX_LINE as _ANNEX,
    PAGE_NUMBER as _PAGE_NUMBER,
    TITLE_WORD,
)
from pipeline.read.pdf.glyphs import PageGlyphs
from pipeline.read.pdf.lines import Line, body_size, join_lines, line_bold, visual_lines
from pipeline.read.pdf.settings import Settings


def find_title(page: PageGlyphs, header_top: float, st: Settings) -> str | None:
    """The block of lines nearest above the header row that names a 任务清单, else the nearest
    prominent one (larger than the body text, or bold), without the 附件 line and page numbers.

    Above the table may stand a whole notice — its own larger heading, a document number, the
    addressees, a signature — so the title is the prominent block closest to the table, not
    the largest text on the page.
    """
    above = [line for line in visual_lines((c for c in page.chars if c.bottom <= header_top), st)
             if line.text.strip() and not _ANNEX.match(line.text.strip())
             and not _PAGE_NUMBER.match(line.text)]
    if not above:
        return None
    body = body_size(page, st)
    blocks: list[list[Line]] = []
    for line in above:
        prev = blocks[-1][-1] if blocks else None
        if prev is not None and abs(line.size - prev.size) < st.title_size_step and \
                line_bold(line) == line_bold(prev) and \
                line.top - prev.bottom < st.title_line_gap * line.size:
            blocks[-1].append(line)
        else:
            blocks.append([line])
    texts = [join_lines([line.text for line in b]) for b in blocks]
    # As the HTML reader does: a block naming the 任务清单 wins (a browser's synthetic bold
    # leaves no trace in the font name, so the title may look like plain text).
    named = [t for t in texts if TITLE_WORD in t and len(t) <= st.title_max_chars]
    if named:
        return named[-1]
    prominent = [t for b, t in zip(blocks, texts) if b[0].size > body + st.title_prominence
                 or line_bold(b[0])]
    return prominent[-1] if prominent else texts[-1]


def head_lines(pages: Sequence[PageGlyphs], header_top: float,
               st: Settings) -> tuple[str, ...]:
    """Text lines above the table, top first: the pages before it and its first page down to
    the header row (a notice, its 文号, a letterhead), for the document's metadata."""
    *before, first = pages
    return tuple(line.text for page in before for line in visual_lines(page.chars, st)) + tuple(
        line.text for line in visual_lines((c for c in first.chars if c.bottom <= header_top),
                                           st))
