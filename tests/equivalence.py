"""Cross-format equivalence: two documents hold the same data whatever format they came from.

Provenance (which file, which format, which pages) legitimately differs between renderings of
one list; everything else — every table, every column — must be equal.
"""
from __future__ import annotations

from typing import Any

from pipeline.models import Document
from pipeline.write import table_rows

#: Columns that say where a row came from, not what it says.
PROVENANCE = frozenset({"doc_id", "source", "page_start", "page_end"})
#: Tables that describe the input itself (its format, bytes, pages, the notice around it).
ABOUT_THE_INPUT = frozenset({"documents"})


def content_tables(doc: Document) -> dict[str, list[dict[str, Any]]]:
    """Every output table of ``doc`` with the provenance columns removed."""
    return {name: [{k: v for k, v in row.items() if k not in PROVENANCE} for row in rows]
            for name, rows in table_rows([doc]).items() if name not in ABOUT_THE_INPUT}


def assert_same_content(got: Document, want: Document) -> None:
    """Assert equal tables, naming the first differing table and row for a readable failure."""
    assert (got.title, got.year) == (want.title, want.year)
    assert [(s.section_no, s.section_title) for s in got.sections] == \
        [(s.section_no, s.section_title) for s in want.sections]
    got_t, want_t = content_tables(got), content_tables(want)
    for name in want_t:
        for i, (g, w) in enumerate(zip(got_t[name], want_t[name])):
            assert g == w, f"{name} row {i + 1} differs"
        assert len(got_t[name]) == len(want_t[name]), f"{name}: row counts differ"
