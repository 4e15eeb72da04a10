"""Character classes, whitespace rules and line-breaking (kinsoku) sets of Chinese text."""
from __future__ import annotations

import re

# Han ideographs (incl. extension A and compatibility), CJK and full-width punctuation, and the
# general-punctuation marks that Chinese text sets full width (“”‘’—…·).
_WIDE = (
    "\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3100-\u312f\u3200-\u32ff\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
    "\u2014\u2015\u2018\u2019\u201c\u201d\u2026\u00b7"
)
WIDE_CHAR = f"[{_WIDE}]"
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
#: A Latin word (or words) set between two Chinese characters: 护and运; ``group(1)`` the words.
LATIN_IN_HAN = re.compile(f"[{HAN}]\\s*([A-Za-z]{{2,}}(?:\\s+[A-Za-z]+)*)\\s*[{HAN}]")

#: Characters that are layout, not text: zero-width space/joiners, word joiner, byte-order
#: mark, soft hyphen (a browser shows them as nothing), as a ``str.translate`` table.
INVISIBLE: dict[int, None] = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[\s\u00a0\u3000]+")
_SPACE_NEAR_WIDE = re.compile(f"(?<={WIDE_CHAR}) | (?={WIDE_CHAR})")

_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９．％", "0123456789.%")
# str.translate looks every character up in its table, some 5 µs for a clause; a search for
# any character the table would change is a fast scan, and most texts have none.
_ANY_FULLWIDTH_DIGIT = re.compile("[０-９．％]")
_ANY_INVISIBLE = re.compile("[" + "".join(map(chr, INVISIBLE)) + "]")


def normalize_ws(text: str) -> str:
    """Collapse whitespace runs, drop them beside wide characters, keep one between Latin tokens."""
    if _ANY_INVISIBLE.search(text):
        text = text.translate(INVISIBLE)
    text = _SPACES.sub(" ", text).strip()
    return _SPACE_NEAR_WIDE.sub("", text)


def ascii_digits(text: str) -> str:
    """Full-width digits, point and percent to ASCII, length preserved (offsets stay valid)."""
    return text.translate(_FULLWIDTH_DIGITS) if _ANY_FULLWIDTH_DIGIT.search(text) else text


def is_blank(text: str) -> bool:
    """True when the text has nothing but whitespace and invisible marks."""
    return not _SPACES.sub("", text.translate(INVISIBLE))


# ---- kinsoku: where Chinese typesetting may not break a line ------------------------------

#: Marks that never open a paragraph: a colon, commas and stops, closing brackets and quotes.
#: (A paragraph may open with —— or …, a bullet or a quotation, so they are not here.)
NO_PARAGRAPH_START: frozenset[str] = frozenset("：:，,。、；;！？）)》」』】〕〉”’")
#: Characters that may not open a line: they travel with the character before them. All that
#: cannot open a paragraph, and dashes, ellipses, units and Latin closing marks besides.
NO_LINE_START: frozenset[str] = NO_PARAGRAPH_START | frozenset("…—%‰·.?!]}")
#: Characters that may not close a line: they travel with the character after them.
NO_LINE_END: frozenset[str] = frozenset("（《「『【〔〈“‘([{")
#: Quotation marks: no line break on either side of them (Unicode line breaking, class QU).
QUOTES: frozenset[str] = frozenset("“”‘’\"'")
