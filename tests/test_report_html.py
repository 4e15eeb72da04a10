"""report.html: what it holds (read as HTML) and how it renders (headless Chromium).

The browser tests need Chromium and a CJK font (``.ci/run`` installs ``chromium``,
``fonts-noto-cjk`` and ``fontconfig``'s ``fc-list``); without them they are skipped on a developer's machine and fail in CI
(``CI=true``), so CI never passes on a skipped check.
"""
from __future__ import annotations

import html
import io
import math
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from pipeline.build import extract_file
from pipeline.cli import main
from pipeline.export.to_html import render_report_html, write_report_html
from pipeline.write import table_rows
from tests.conftest import RAW_2024, ROOT

SCREENSHOT = ROOT / "docs" / "report-1280.png"


@pytest.fixture(scope="module")
def doc():
    return extract_file(RAW_2024)


@pytest.fixture(scope="module")
def tables(doc):
    return table_rows([doc])


@pytest.fixture(scope="module")
def page(tables, tmp_path_factory):
    path = tmp_path_factory.mktemp("report") / "report.html"
    write_report_html(tables, path)
    return path


class _Parsed(HTMLParser):
    """Ids, links and the tags with external references of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        for name, value in attrs:
            if name == "id":
                self.ids.add(value)
            if name in ("href", "xlink:href") and value.startswith("#"):
                self.links.append(value[1:])
            elif name in ("src", "href", "xlink:href", "srcset", "data", "poster"):
                self.refs.append((tag, name, value))


def _parse(text: str) -> _Parsed:
    parsed = _Parsed()
    parsed.feed(text)
    return parsed


# ---- content ---------------------------------------------------------------------------------

def test_page_is_self_contained(page):
    text = page.read_text(encoding="utf-8")
    parsed = _parse(text)
    assert parsed.refs == []  # no src/href other than in-page anchors
    assert "script" not in parsed.tags and "link" not in parsed.tags
    # No url( at all: the charts have no clip paths or gradients to refer to, and any other
    # url( would fetch.
    assert not re.search(r"url\(|@import|@font-face", text)


def test_every_in_page_link_has_its_anchor(page):
    parsed = _parse(page.read_text(encoding="utf-8"))
    assert parsed.links
    assert set(parsed.links) <= parsed.ids


def test_every_fact_links_to_its_sentence_and_page(page, tables):
    text = page.read_text(encoding="utf-8")
    clauses = {(c["task_no"], c["clause_no"]): c for c in tables["clauses"]}
    for fact in (*tables["deadlines"], *tables["targets"]):
        clause = clauses[(fact["task_no"], fact["clause_no"])]
        # The sentence anchor holding the fact's expression, and the link to it with the page.
        prefix = f'd0-t{fact["task_no"]}-c{fact["clause_no"]}-s'
        sentences = re.findall(f'<span class="s" id="({prefix}\\d+)">([^<]*)</span>', text)
        holding = [sid for sid, s in sentences
                   if fact["expression"] in s.replace("&quot;", '"').replace("&#x27;", "'")]
        assert holding, fact
        pages = f"第{clause['page_start']}页" if clause["page_start"] == clause["page_end"] \
            else f"第{clause['page_start']}–{clause['page_end']}页"
        assert any(f'href="#{sid}">第{fact["task_no"]}项 · {pages}</a>' in text for sid in holding)


def test_timeline_lists_every_deadline_by_month(page, tables):
    text = page.read_text(encoding="utf-8")
    for d in tables["deadlines"]:
        assert f'<time datetime="{d["due"].isoformat()}">' in text
        assert f"{d['due'].year}年{d['due'].month}月 <small>" in text
    assert text.count("<time ") == len(tables["deadlines"])


def test_matrix_has_every_department_task_pair(page, tables):
    text = page.read_text(encoding="utf-8")
    pairs = {(u, a["task_no"]) for a in tables["assignments"] if a["level"] == "局内"
             for u in a["units_full"]}
    assert ("专利局自动化部", 5) in pairs
    for unit, task_no in pairs:
        row = re.search(f'<tr><th scope="row">{re.escape(unit)}</th>.*?</tr>', text)
        assert row and f'href="#d0-t{task_no}"' in row[0], (unit, task_no)
    # The chart has a dot per pair, linking to the task and naming the unit and task.
    matrix = re.findall(r"<svg .*?</svg>", text, re.S)[1]
    dots = re.findall(r'<a href="#d0-t(\d+)"><title>([^<]*) · 任务 (\d+)</title><circle ', matrix)
    assert {(html.unescape(u), int(n)) for _, u, n in dots} == pairs
    assert all(href == n for href, _, n in dots) and len(dots) == len(pairs)


def test_obligations_per_group(page, tables):
    text = page.read_text(encoding="utf-8")
    table = text.split("<th>地方</th><th>必做</th><th>选做</th>", 1)[1].split("</table>", 1)[0]
    for a in tables["assignments"]:
        if a["level"] == "局内":
            continue
        for group in (a["groups"] or [f"全部（{a['level']}）"]):
            row = re.search(f'<tr><th scope="row">{re.escape(group)}</th>(.*?)</tr>', table)
            assert row, group
            must, may = re.findall(r"<td>(.*?)</td>", row[1])
            cell = must if a["obligation"] == "必做" else may
            assert f'href="#d0-t{a["task_no"]}"' in cell, (group, a["task_no"], a["obligation"])


def test_targets_table_has_a_row_per_target(page, tables):
    text = page.read_text(encoding="utf-8")
    body = text.split('<table class="targets">', 1)[1].split("</table>", 1)[0]
    assert body.count("<tr>") == len(tables["targets"]) + 1  # and the header row
    for t in tables["targets"]:
        assert f"<b>{t['expression']}</b>" in body


def test_charts_are_svg_with_text_as_text(page):
    text = page.read_text(encoding="utf-8")
    svgs = re.findall(r"<svg .*?</svg>", text, re.S)
    assert len(svgs) == 3  # timeline, matrix, obligations
    for svg in svgs:
        assert "<text" in svg and 'role="img"' in svg
        assert not re.search(r'<svg[^>]* width="', svg)  # scales with the page
    assert "国家知识产权局" in svgs[0] and "专利局审业部" in svgs[1] and "强省共建省份" in svgs[2]


def test_several_documents_get_a_section_each(tables):
    other = {name: [{**r, "doc_id": "other", "title": "另一清单"} if name == "documents"
                    else {**r, "doc_id": "other"} for r in rows] for name, rows in tables.items()}
    both = {name: [*tables[name], *other[name]] for name in tables}
    text = render_report_html(both)
    assert '<a href="#d1">另一清单</a>' in text  # a table of contents for several documents
    parsed = _parse(text)
    assert {"d0", "d1"} <= parsed.ids
    assert set(parsed.links) <= parsed.ids
    assert len(re.findall(r"<svg ", text)) == 6


def test_a_document_without_facts_still_renders():
    text = render_report_html({"tasks": [{"doc_id": "x", "task_no": 1, "task_title": "标题",
                                          "section_no": 1, "section_title": "部分",
                                          "page_start": 1, "page_end": 1}]})
    assert "没有时限" in text and "没有量化指标" in text and "没有局内分工" in text
    assert "<svg" not in text


def test_extract_and_export_write_the_same_page(tmp_path):
    """``--format html`` on extract, and ``export`` from the Parquet tables, give one page."""
    out = tmp_path / "output"
    assert main(["extract", str(RAW_2024), "-o", str(out), "--format", "parquet,json,html",
                 "--quiet"]) == 0
    first = (out / "report.html").read_bytes()
    (out / "report.html").unlink()
    assert main(["export", str(out), "--format", "html", "--quiet"]) == 0
    assert (out / "report.html").read_bytes() == first
    assert "强省共建省份".encode() in first


# ---- in headless Chromium ------------------------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _chromium() -> str | None:
    return os.environ.get("CHROMIUM") or next(
        (p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p),
        None)


@pytest.fixture(scope="module")
def browser():
    executable = _chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        sync_playwright = None
    missing = ("playwright is not installed" if sync_playwright is None
               else "no chromium on PATH" if executable is None else None)
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}: .ci/run installs it; the report must be tested in CI")
        pytest.skip(missing)
    with sync_playwright() as p:
        # Playwright launches headless with a fresh temporary profile (--user-data-dir).
        b = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, path: Path, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    messages: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: messages.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: messages.append(f"pageerror: {e}"))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(path.as_uri(), wait_until="load")
    return page, messages, requests


@pytest.mark.parametrize("width", [1280, 390])
def test_loads_offline_without_errors_or_overflow(browser, page, width, tmp_path):
    view, messages, requests = _open(browser, page, width)
    try:
        assert messages == []
        assert requests == [page.as_uri()]  # nothing fetched but the page itself
        scroll, inner = view.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]")
        assert inner == width
        assert scroll <= inner
        assert {"专利局自动化部", "强省共建省份", "12月"} <= set(_assert_chart_labels_fit(view))
        shot = tmp_path / f"report-{width}.png"
        view.screenshot(path=str(shot), full_page=True)
        assert shot.stat().st_size > 10_000
    finally:
        view.close()


_CHART_LABELS = """() => [...document.querySelectorAll('figure svg')].map(svg => {
    const b = svg.getBoundingClientRect();
    return [[b.left, b.top, b.right, b.bottom], [...svg.querySelectorAll('text')].flatMap(t => {
        const parts = t.querySelector('tspan') ? [...t.querySelectorAll('tspan')] : [t];
        return parts.map(p => {
            const r = p.getBoundingClientRect();
            return [p.textContent, parseFloat(t.getAttribute('font-size')),
                    p.getComputedTextLength(), [r.left, r.top, r.right, r.bottom]];
        });
    })];
})"""


def _assert_chart_labels_fit(view) -> list[str]:
    """The charts are laid out by a width rule, not by measuring a font (tests/test_svg_charts.py
    checks the layout by the rule); here Chromium sets each label and measures it: no wider
    than the rule says, and inside its chart's box (so nothing is clipped). The labels."""
    from pipeline.export.svg_charts import text_width

    charts = view.evaluate(_CHART_LABELS)
    for (left, top, right, bottom), labels in charts:
        for text, size, length, (x0, y0, x1, y1) in labels:
            assert length <= text_width(text, size) + 0.05, (text, size, length)
            assert x0 >= left - 0.5 and x1 <= right + 0.5, (text, x0, x1, left, right)
            assert y0 >= top - 0.5 and y1 <= bottom + 0.5, (text, y0, y1, top, bottom)
    return [text for _, labels in charts for text, *_ in labels]


LONG_LABELS = ROOT / "tests" / "fixtures" / "layouts" / "province-2025-lead-support.txt"


def test_long_chart_labels_fit_in_chromium(browser, tmp_path):
    """A province's list: 24 groups of departments, labels that wrap onto two lines."""
    path = tmp_path / "report.html"
    write_report_html(table_rows([extract_file(LONG_LABELS)]), path)
    view, messages, _ = _open(browser, path, 1280)
    try:
        labels = _assert_chart_labels_fit(view)
        assert "省公安厅、省人民检察院、长沙海关、" in labels  # the first line of a wrapped one
        assert messages == []
    finally:
        view.close()


def _enclosing(rect: list[float]) -> tuple[int, int, int, int]:
    """The whole pixels covering a bounding box, as Playwright takes an element's screenshot."""
    left, top, right, bottom = rect
    return (math.floor(left + 1e-3), math.floor(top + 1e-3),
            math.ceil(right - 1e-3), math.ceil(bottom - 1e-3))


def _pictures(view, box: str, parts: list[str]) -> list[tuple[tuple[int, int], bytes]]:
    """The pixels (size, RGBA bytes) of each element of ``parts``, all inside element ``box``.

    One screenshot of the box, cut at each part's bounding box, rounded as Playwright rounds
    an element's own screenshot: the same pictures as a screenshot of each part (17 of them
    took ~1.8 s), from one capture.
    """
    from PIL import Image  # the test extra's pillow (pdfplumber's too)

    shot = Image.open(io.BytesIO(view.locator(box).screenshot())).convert("RGBA")
    rects = view.evaluate("""([box, parts]) => [box, ...parts].map(p => {
        const r = document.querySelector(p).getBoundingClientRect();
        return [r.left, r.top, r.right, r.bottom];
    })""", [box, parts])
    (x0, y0, _, _), *rects = [_enclosing(r) for r in rects]
    pictures = []
    for left, top, right, bottom in rects:
        cut = shot.crop((left - x0, top - y0, right - x0, bottom - y0))
        pictures.append((cut.size, cut.tobytes()))
    return pictures


def _fonts_drawing(view, selectors: list[str]) -> list[set[int]]:
    """For each element, the code points the fonts Chromium drew its text with have glyphs
    for (DevTools' CSS.getPlatformFontsForNode names the fonts; fontconfig finds their files,
    fontTools reads their character maps)."""
    import subprocess

    from fontTools.ttLib import TTFont  # the test extra's fonttools

    if shutil.which("fc-list") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("no fc-list on PATH: .ci/run installs fontconfig; the fonts must be checked in CI")
        pytest.skip("no fc-list on PATH (fontconfig)")
    cdp = view.context.new_cdp_session(view)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    covered = []
    for selector in selectors:
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        assert fonts, selector
        points: set[int] = set()
        for font in fonts:
            found = subprocess.run(
                ["fc-list", f":postscriptname={font['postScriptName']}", "file", "index"],
                capture_output=True, text=True, check=True).stdout.splitlines()
            assert found, font  # every font Chromium draws with is one fontconfig lists
            file, _, index = found[0].partition(": :index=")
            with TTFont(file, fontNumber=int(index or 0), lazy=True) as face:
                points |= set(face.getBestCmap())
        covered.append(points)
    return covered


def test_cjk_text_renders_as_glyphs_not_tofu(browser, page):
    """Each Chinese character of the headings draws a picture of its own, unlike a missing glyph.

    A character no installed font has is drawn as the same box (.notdef) whatever it is; a
    private-use code point of plane 16 is such a character, drawn in the page's own font.
    """
    view, messages, _ = _open(browser, page, 1280)
    try:
        chars = view.evaluate(r"""() => {
            const text = Array.from(document.querySelectorAll('h1,h2,h3,th')).map(e => e.textContent).join('');
            return [...new Set(text.match(/[\u4e00-\u9fff]/g))].slice(0, 16);
        }""")
        assert len(chars) == 16
        view.evaluate("""chars => {
            const box = document.createElement('div');
            box.id = 'glyphs';
            box.style.fontSize = '40px';
            for (const [i, c] of [...chars, '\\u{10FFFD}'].entries()) {
                const s = document.createElement('span');
                s.id = 'g' + i; s.textContent = c; box.append(s, ' ');
            }
            document.querySelector('main').prepend(box);
        }""", chars)
        shots = _pictures(view, "#glyphs", [f"#g{i}" for i in range(len(chars) + 1)])
        tofu = shots[-1]
        assert all(s != tofu for s in shots[:-1])
        assert len(set(shots[:-1])) == len(chars)
        # The pictures differ from the missing glyph's already by size (a box narrower than
        # a CJK em), and a fallback that draws each missing code point as its own hex box
        # would give distinct pictures too. What settles it: the font Chromium says drew
        # each character has a glyph for it, and the one that drew the missing one has not.
        drawn = _fonts_drawing(view, [f"#g{i}" for i in range(len(chars) + 1)])
        assert all(ord(c) in cmap for c, cmap in zip(chars, drawn[:-1]))
        assert 0x10FFFD not in drawn[-1]
        assert messages == []
    finally:
        view.close()


def test_readme_screenshot_is_of_the_report():
    assert SCREENSHOT.is_file() and SCREENSHOT.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert f"({SCREENSHOT.relative_to(ROOT).as_posix()})" in (ROOT / "README.md").read_text(
        encoding="utf-8")
