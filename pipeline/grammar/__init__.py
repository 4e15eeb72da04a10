"""The document grammar, defined once: what every reader, stitch, segment and facts recognise.

- ``text``: character classes, whitespace, full-width digits, line-breaking (kinsoku) sets;
- ``numbering``: section and task numbers (一、 一． （一） 1. １５．), Chinese numerals;
- ``document``: the header row, the title and its year, 附件, page numbers;
- ``labels``: actor labels (国家知识产权局：) and assignment levels (省份：) and where they cut;
- ``scopes``: who an entry reaches (各省, 强市建设城市, 以下简称, place names) and CNIPA unit names.

Import from ``pipeline.grammar``; the submodules only keep each part short.
"""
from __future__ import annotations

from pipeline.grammar.document import (
    ANNEX,
    ANNEX_LINE,
    DATE_RE,
    FILE_NAME_YEAR,
    HEADER,
    HEADER_WORD,
    PAGE_NUMBER,
    PAGE_NUMBER_CHARS,
    TITLE_WORD,
    YEAR_IN_TEXT,
    YEAR_RE,
    clean_title,
    has_year,
    is_header,
)
from pipeline.grammar.labels import (
    COLON,
    KNOWN_ACTORS,
    KNOWN_LEVELS,
    actor_label,
    level_label,
    split_at_actor_labels,
    split_at_level_labels,
)
from pipeline.grammar.numbering import (
    ROW_OPENER,
    SECTION_OPENER,
    SECTION_RE,
    TASK_MARK,
    TASK_NUMERAL,
    TASK_OPENER,
    TASK_RE,
    cn_number,
    section_number,
)
from pipeline.grammar.scopes import (
    ALIAS_DEFINITION,
    ALL_OPENERS,
    BATCH_ORDINAL,
    CITY_NAME,
    ETC_TAIL,
    GROUP_WORDS,
    LOCALITY_HEADS,
    PARENT_UNIT,
    PHRASE_STOP_POS,
    PROVINCE_NAME,
    PROVINCES,
    RELATIVE_SCOPE,
    SCOPE_PIECE_SEP,
    STANDING_ALIASES,
    SUB_UNIT,
    UNIT_RUN_SEP,
    UNIT_SEP,
)
from pipeline.grammar.text import (
    HAN,
    INVISIBLE,
    LATIN_IN_HAN,
    NO_LINE_END,
    NO_LINE_START,
    NO_PARAGRAPH_START,
    QUOTES,
    WIDE_CHAR,
    ascii_digits,
    is_blank,
    normalize_ws,
)

__all__ = [
    "ALIAS_DEFINITION", "ALL_OPENERS", "ANNEX", "ANNEX_LINE", "BATCH_ORDINAL", "CITY_NAME",
    "COLON", "DATE_RE", "ETC_TAIL", "FILE_NAME_YEAR", "GROUP_WORDS", "HAN", "HEADER",
    "HEADER_WORD", "INVISIBLE", "KNOWN_ACTORS", "KNOWN_LEVELS", "LATIN_IN_HAN",
    "LOCALITY_HEADS", "NO_LINE_END", "NO_LINE_START", "NO_PARAGRAPH_START", "PAGE_NUMBER",
    "PAGE_NUMBER_CHARS", "PARENT_UNIT", "PHRASE_STOP_POS", "PROVINCES", "PROVINCE_NAME",
    "QUOTES", "RELATIVE_SCOPE", "ROW_OPENER", "SCOPE_PIECE_SEP", "SECTION_OPENER", "SECTION_RE",
    "STANDING_ALIASES", "SUB_UNIT", "TASK_MARK", "TASK_NUMERAL", "TASK_OPENER", "TASK_RE", "TITLE_WORD", "UNIT_RUN_SEP",
    "UNIT_SEP", "WIDE_CHAR", "YEAR_IN_TEXT", "YEAR_RE", "actor_label", "ascii_digits", "clean_title",
    "cn_number", "has_year", "is_blank", "is_header", "level_label", "normalize_ws",
    "section_number", "split_at_actor_labels", "split_at_level_labels",
]
