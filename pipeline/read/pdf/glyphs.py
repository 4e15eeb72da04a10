"""Glyphs and ruling lines: what the reader keeps of each page pdfplumber read.

Characters keep their text (radicals read as the ideographs they stand for), box, size and
boldness; lines, rectangles and curves become horizontal and vertical rule segments.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from pipeline.errors import PdfNoUnicodeError
from pipeline.models import BBox
from pipeline.read.pdf.load import PageObjects
from pipeline.read.pdf.settings import Settings

_BOLD_FONT = re.compile(r"bold|heavy|black|semibold|demi", re.I)


_CID = re.compile(r"\(cid:\d+\)")

# Fonts whose Unicode map points some ideographs at Kangxi radicals (⽤ for 用, ⼯ for 工) are
# common in Chinese PDFs; the text means the unified ideographs.
_RADICALS = {ch: nfkc for ch in map(chr, [*range(0x2E80, 0x2EF4), *range(0x2F00, 0x2FD6)])
             if len(nfkc := unicodedata.normalize("NFKC", ch)) == 1 and nfkc != ch}
# The CJK Radicals Supplement has no such decomposition; the pairs below are the ones whose
# glyph Noto CJK SC shares with a unified ideograph (they agree with Unicode's
# EquivalentUnifiedIdeograph.txt). Chromium (Skia) writes ⺠ for 民 and ⻚ for 页 this way.
_RADICALS.update(zip(*[iter(
    "⺂乛⺃乚⺅亻⺉刂⺏尣⺐尢⺒巳⺓幺⺔彑⺕彐⺖忄⺘扌⺙攵⺛旡⺞歺⺟母⺠民⺡氵⺣灬⺤爫⺦丬⺨犭⺭礻⺯糹"
    "⺰纟⺱罓⺹耂⺺肀⺾艹⻂衤⻅见⻆角⻈讠⻉贝⻋车⻌辶⻐钅⻑長⻒镸⻓长⻔门⻖阝⻘青⻙韦⻚页⻛风⻜飞⻝食"
    "⻟飠⻠饣⻢马⻣骨⻤鬼⻥鱼⻦鸟⻧卤⻨麦⻩黄⻪黾⻫斉⻬齐⻮齿⻯竜⻰龙⻱龜⻲亀⻳龟")] * 2))
# The one Kangxi radical whose glyph in SC fonts is another ideograph than its NFKC form:
# Skia writes ⼾ for 户 (NFKC would make it the traditional 戶).
_RADICALS["⼾"] = "户"
# CJK fonts draw the dash of 中国—中亚 (U+2014) and the horizontal bar U+2015 with one glyph,
# and encodings of GB 2312 disagree on which one A1AA is; the text means the dash.
_RADICALS["―"] = "—"
_RADICAL_TABLE = str.maketrans(_RADICALS)



# slots: the table's characters stay in memory until its paragraphs are built (a third of
# the memory of a dict-backed instance).
@dataclass(frozen=True, slots=True)
class Char:
    text: str
    x0: float
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    # Every step filters and sorts glyphs by their middles (a quarter of a million times
    # for a list): worked out once.
    xmid: float = field(init=False, repr=False, compare=False)
    ymid: float = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "xmid", (self.x0 + self.x1) / 2)
        object.__setattr__(self, "ymid", (self.top + self.bottom) / 2)


@dataclass(frozen=True, slots=True)
class Seg:
    """A ruling line: ``pos`` is y for a horizontal one, x for a vertical one."""

    pos: float
    start: float
    end: float


@dataclass
class PageGlyphs:
    number: int
    width: float
    height: float
    chars: list[Char]
    hsegs: list[Seg]
    vsegs: list[Seg]
    has_images: bool
    radicals: int = 0  # Kangxi radicals read as the ideographs they stand for
    header: list[BBox] | bool | None = False  # the header words' boxes; False: not looked yet
    body: float | None = None  # the page's body font size (lines.body_size), once computed


def page_glyphs(page: PageObjects, st: Settings) -> PageGlyphs:
    """The parts of a page the reader uses (characters, ruling lines, images)."""
    chars = []
    radicals = 0
    bold: dict[str, bool] = {}  # by font name: a page has a few fonts and a thousand glyphs
    for c in page.chars:
        if not c.get("upright", True) or not c["text"]:
            continue
        text = c["text"].translate(_RADICAL_TABLE)
        radicals += text != c["text"]
        font = c.get("fontname") or ""
        is_bold = bold.get(font)
        if is_bold is None:
            is_bold = bold[font] = bool(_BOLD_FONT.search(font))
        chars.append(Char(text, c["x0"], c["x1"], c["top"], c["bottom"], c["size"], is_bold))
    hsegs: list[Seg] = []
    vsegs: list[Seg] = []
    width, height = float(page.width), float(page.height)
    # Browsers (Skia) draw cell borders as filled paths, which pdfplumber reports as curves.
    for obj in (*page.lines, *page.rects, *page.curves):
        # A page-sized rectangle is a background, not a table border.
        if (obj["x1"] - obj["x0"] < st.background_share * width
                or obj["bottom"] - obj["top"] < st.background_share * height):
            add_rules(obj, hsegs, vsegs, st)
    return PageGlyphs(page.number, width, height, dedupe(chars, st), hsegs, vsegs,
                      bool(page.images), radicals)


def add_rules(obj: dict[str, Any], hsegs: list[Seg], vsegs: list[Seg], st: Settings) -> None:
    """Ruling lines of a line or rectangle object (thin rectangles are lines, outlined ones
    edges)."""
    x0, x1, top, bottom = obj["x0"], obj["x1"], obj["top"], obj["bottom"]
    thin = st.thin_rule
    if bottom - top <= thin:
        hsegs.append(Seg((top + bottom) / 2, x0, x1))
    elif x1 - x0 <= thin:
        vsegs.append(Seg((x0 + x1) / 2, top, bottom))
    elif obj.get("object_type") == "rect" and obj.get("stroke", True):
        # A filled rectangle without an outline is shading (a grey header row), not a border.
        hsegs += [Seg(top, x0, x1), Seg(bottom, x0, x1)]
        vsegs += [Seg(x0, top, bottom), Seg(x1, top, bottom)]


def dedupe(chars: list[Char], st: Settings) -> list[Char]:
    """Drop glyphs drawn twice at the same place (fake bold)."""
    seen: set[tuple[str, int, int]] = set()
    out = []
    for c in chars:
        key = (c.text, round(c.x0 / st.duplicate_grid), round(c.top / st.duplicate_grid))
        if key not in seen:
            seen.add(key)
            out.append(c)
    return out


def check_unicode(page: PageGlyphs, source: str) -> None:
    """Refuse a page with text its fonts cannot map to Unicode (pdfminer writes (cid:N))."""
    cids = [c.text for c in page.chars if _CID.fullmatch(c.text)]
    if cids:
        raise PdfNoUnicodeError(source, f"page {page.number} has {len(cids)} characters "
                                        f"without a Unicode mapping (e.g. {cids[0]})")
