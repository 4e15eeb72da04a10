"""The HTML reader's plain tree walks give what the bs4 calls they replace give.

``own_tags``, ``tags_in``, ``holds``, ``holds_block`` and ``following`` stand for bs4's
``find_all``/``find``/``find_all_next`` with a filter after them (they are the reader's hot
paths), and ``paragraphs`` inside ``reading_page`` remembers each element's text. Each is
checked here against its bs4 definition on every element of every committed HTML fixture,
under both parsers bs4 offers here, whose trees differ on broken markup.
"""
from __future__ import annotations

import warnings
from itertools import pairwise
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag, XMLParsedAsHTMLWarning

from pipeline.read.html import text as walks
from pipeline.read.html.text import BLOCK, inside, nearest

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = sorted(p for p in FIXTURES.rglob("*.htm*") if "fuzz" not in p.parts)


#: Tables nested in cells and in rows, captions at both levels, a cell inside a cell (kept so
#: by html.parser, which does not mend markup): what the fixtures hold rarely or not at all.
NESTED = b"""<html><body><p>\xe5\x89\x8d</p><table><caption>A</caption>
<tr><td>1<table><caption>B</caption><tr><td>x</td><td>y</td></tr></table></td><th>2</th></tr>
<tr><td><td>inner</td></td><td><div><p>p</p></div><table><tr><td>z</td></tr></table></td></tr>
<tr><table><tr><td>row-level</td></tr></table><td>3</td></tr></table>
<div>between<br/>lines</div><table><caption>C</caption><tr><td>4</td></tr></table></body></html>"""


def _soups() -> list[tuple[str, BeautifulSoup]]:
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        for name, data in [*((p.name, p.read_bytes()) for p in PAGES), ("nested", NESTED)]:
            for parser in ("lxml", "html.parser"):
                out.append((f"{name}/{parser}", BeautifulSoup(data, parser)))
    return out


Soups = list[tuple[str, BeautifulSoup]]


@pytest.fixture(scope="module")
def soups() -> Soups:
    return _soups()  # parsed when a test of this file runs, not when the suite is collected


def test_the_fixtures_hold_nested_tables_and_many_pages(soups: Soups) -> None:
    # Pruning only matters where tables nest: the set must hold such pages.
    assert len(PAGES) >= 30
    assert any(t.find("table") is not None for _, s in soups for t in s.find_all("table"))


@pytest.mark.parametrize(("names", "owner", "least"), [({"tr"}, "table", 1000),
                                                       ({"td", "th"}, "tr", 1000),
                                                       ({"caption"}, "table", 6)])
def test_own_tags_are_find_all_filtered_by_their_nearest_owner(
        names: set[str], owner: str, least: int, soups: Soups) -> None:
    checked = skipped = 0
    for where, soup in soups:
        for root in soup.find_all(owner):
            want = [t for t in root.find_all(list(names)) if nearest(t, owner) is root]
            got = walks.own_tags(root, frozenset(names), owner)
            assert [id(t) for t in got] == [id(t) for t in want], where
            checked += len(want)
            skipped += len(root.find_all(list(names))) - len(want)
    assert checked >= least and skipped > 0  # some were another owner's


#: The elements the reader asks these of: blocks it reads a line from, tables, the page.
ASKED = ["table", "p", "div", "td", "th", "caption", "center", "li", "h1", "h2", "h3", "body"]


def test_tags_in_holds_and_holds_block_are_find_all_and_find(soups: Soups) -> None:
    for where, soup in soups:
        for el in [soup, *soup.find_all(ASKED)]:
            assert [id(t) for t in walks.tags_in(el, "table")] == \
                [id(t) for t in el.find_all("table")], where
            assert walks.holds(el, "table") == (el.find("table") is not None), where
            assert walks.holds_block(el) == any(c.name in BLOCK for c in el.find_all(True)), where


def test_following_is_find_all_next_outside_the_first_up_to_the_second(soups: Soups) -> None:
    pairs = 0
    for where, soup in soups:
        tables: list[Tag] = soup.find_all("table")
        candidates = list(pairwise(tables)) + list(zip(tables, tables[2:]))
        # A table inside the first: nothing between them.
        candidates += [(t, inner) for t in tables for inner in t.find_all("table")[:1]]
        for first, second in candidates:
            want = []
            for el in first.find_all_next():
                if el is second or inside(el, second):
                    break
                if not inside(el, first):
                    want.append(el)
            got = [el for el in walks.following(first, second) if isinstance(el, Tag)]
            assert [id(t) for t in got] == [id(t) for t in want], where
            pairs += 1
        if tables:
            assert [id(t) for t in walks.following(tables[0], None) if isinstance(t, Tag)] == \
                [id(t) for t in tables[0].find_all_next() if not inside(t, tables[0])], where
    assert pairs > 50


def test_paragraphs_read_once_per_page_are_the_paragraphs_read_afresh(soups: Soups) -> None:
    for where, soup in soups:
        cells = soup.find_all(["td", "th"])
        fresh = {br: [walks.read_paragraphs(cell, br) for cell in cells] for br in (True, False)}
        with walks.reading_page():
            for _ in range(3):  # the later rounds come from the memo
                for br, want in fresh.items():
                    for cell, paras in zip(cells, want):
                        got = walks.paragraphs(cell, br)
                        assert got == paras, where
                        got.append("x")  # a caller's change never reaches the memo
        assert walks._READ.get() is None
