"""report.html's hand-written SVG charts (pipeline/export/svg_charts.py), read back as XML.

Each chart is parsed as XML (so it is well-formed, its text escaped), its labels are boxed by
the width rule the charts are laid out by (full-width 1 em, other ~0.6 em), and the boxes are
checked: every label there, none over another, none out of the viewBox. How Chromium really
sets them is checked on the whole page in tests/test_report_html.py.
"""
from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from hypothesis import given, settings, strategies as st

from pipeline.export.svg_charts import (
    Dot,
    Series,
    bar_chart,
    column_chart,
    dot_matrix,
    text_width,
    ticks,
    wrap,
)

NS = "{http://www.w3.org/2000/svg}"
MONTHS = [f"{m}月" for m in range(1, 13)]


@dataclass(frozen=True)
class Label:
    text: str
    box: tuple[float, float, float, float]  # left, top, right, bottom


def _box(x: float, y: float, text: str, size: float, anchor: str,
         turn: str | None) -> tuple[float, float, float, float]:
    w = text_width(text, size)
    left = {"start": x, "middle": x - w / 2, "end": x - w}[anchor]
    # A line's glyphs reach ~0.85 em above the baseline and ~0.25 em below it.
    box = (left, y - 0.85 * size, left + w, y + 0.25 * size)
    if turn is None:
        return box
    m = re.fullmatch(r"rotate\(-90 ([\d.]+) ([\d.]+)\)", turn)
    assert m, turn
    cx, cy = float(m[1]), float(m[2])
    # rotate(-90) about (cx, cy): (dx, dy) → (dy, -dx).
    xs = [cx + (b - cy) for b in (box[1], box[3])]
    ys = [cy - (a - cx) for a in (box[0], box[2])]
    return (min(xs), min(ys), max(xs), max(ys))


def _labels(root: ET.Element) -> list[Label]:
    out = []
    for t in root.iter(f"{NS}text"):
        size, anchor = float(t.get("font-size")), t.get("text-anchor", "start")
        spans = list(t.iter(f"{NS}tspan"))
        for part in spans or [t]:
            text = part.text or ""
            out.append(Label(text, _box(float(part.get("x")), float(part.get("y")), text, size,
                                        anchor, t.get("transform"))))
    return out


def _parse(svg: str) -> tuple[ET.Element, list[Label], tuple[float, float]]:
    root = ET.fromstring(svg)
    _, _, w, h = map(float, root.get("viewBox").split())
    assert root.get("width") is None and root.get("height") is None  # CSS scales it
    assert root.get("role") == "img" and root.get("aria-label")
    return root, _labels(root), (w, h)


def _texts(root: ET.Element) -> list[str]:
    """Each <text>'s whole text (a wrapped label's lines joined)."""
    return ["".join(t.itertext()) for t in root.iter(f"{NS}text")]


def _overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _assert_laid_out(svg: str) -> tuple[ET.Element, list[Label]]:
    root, labels, (w, h) = _parse(svg)
    for lab in labels:
        left, top, right, bottom = lab.box
        assert left >= 0 and top >= 0 and right <= w and bottom <= h, (lab, w, h)
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert not _overlap(a.box, b.box), (a, b)
    return root, labels


def _rects(root: ET.Element) -> list[tuple[str, dict[str, float]]]:
    return [(r.find(f"{NS}title").text, {k: float(r.get(k)) for k in ("x", "y", "width", "height")})
            for r in root.iter(f"{NS}rect") if r.find(f"{NS}title") is not None]


def _assert_proportional(sizes: list[tuple[float, str]]) -> None:
    """Each size is its value (its title's last word) times one scale, to the 0.1 written."""
    values = [int(title.rsplit(" ", 1)[1]) for _, title in sizes]
    scale = max(s for s, _ in sizes) / max(values)
    assert all(abs(s - v * scale) <= 0.1 for (s, _), v in zip(sizes, values)), sizes


# ---- the width rule, wrapping, ticks -------------------------------------------------------------

def test_width_rule():
    assert text_width("专利局", 10) == 30
    assert text_width("12", 10) == pytest.approx(14)
    assert text_width("（知识产权局）", 10) == 70  # full-width brackets
    assert text_width("", 10) == 0


@given(st.text(alphabet="省市局厅、（）人民政府abc12 ", min_size=1, max_size=60),
       st.floats(min_value=30, max_value=300))
@settings(max_examples=60, deadline=None)
def test_wrap_keeps_every_character_in_lines_that_fit(text, limit):
    lines = wrap(text, 12, limit)
    assert "".join(lines) == text
    # A line is over the limit only when it is one character that is wider on its own.
    assert all(text_width(line, 12) <= limit or len(line) == 1 for line in lines)
    assert all(lines)


def test_wrap_breaks_after_enumeration_commas():
    label = "省地方金融管理局、省市场监管局（知识产权局）、人民银行江西省分行"
    lines = wrap(label, 12, 250)
    assert lines == ["省地方金融管理局、", "省市场监管局（知识产权局）、", "人民银行江西省分行"]
    assert wrap("强省共建省份", 12, 250) == ["强省共建省份"]


@pytest.mark.parametrize("top", [0, 1, 2, 3, 5, 7, 10, 13, 24, 99, 250, 1234])
def test_ticks_are_few_whole_and_cover_the_top(top):
    ts = ticks(top)
    assert ts[0] == 0 and ts[-1] >= max(top, 1)
    assert 2 <= len(ts) <= 7
    steps = {b - a for a, b in itertools.pairwise(ts)}
    assert len(steps) == 1 and re.fullmatch(r"[125]0*", str(steps.pop()))


# ---- the charts ----------------------------------------------------------------------------------

NATIONAL = Series("国家知识产权局", "#1f5fa8", [0, 0, 3, 1, 0, 2, 0, 0, 0, 0, 0, 6])
LOCAL = Series("地方", "#d9822b", [0, 0, 1, 0, 0, 4, 0, 0, 0, 2, 0, 1])


def test_empty_input_gives_no_chart():
    assert column_chart([], [], y_title="时限数", label="x") == ""
    assert bar_chart([], [], x_title="任务数", label="x") == ""
    assert dot_matrix([], ["1"], [], x_title="任务", color="#000", label="x") == ""
    assert dot_matrix(["单位"], [], [], x_title="任务", color="#000", label="x") == ""


def test_columns_are_as_tall_as_their_values_and_stacked():
    svg = column_chart(MONTHS, [NATIONAL, LOCAL], y_title="时限数", label="各月")
    root, _ = _assert_laid_out(svg)
    rects = _rects(root)
    assert len(rects) == sum(v > 0 for s in (NATIONAL, LOCAL) for v in s.values)
    _assert_proportional([(r["height"], title) for title, r in rects])
    for i, month in enumerate(MONTHS):
        nat = [r for t, r in rects if t == f"{month}：国家知识产权局 {NATIONAL.values[i]}"]
        loc = [r for t, r in rects if t == f"{month}：地方 {LOCAL.values[i]}"]
        if nat and loc:  # the local part stands on the national part
            assert loc[0]["y"] + loc[0]["height"] == pytest.approx(nat[0]["y"], abs=0.11)
    texts = _texts(root)
    assert set(MONTHS) <= set(texts)
    assert {"国家知识产权局", "地方", "时限数"} <= set(texts)
    assert {"0", "2", "4", "6", "8"} <= set(texts)  # the value axis (tallest column: 7)
    assert {"4", "1", "6", "2", "7"} <= set(texts)  # each column's total over it
    assert root.get("aria-label") == "各月"


def test_bars_are_as_long_as_their_values():
    groups = ["各省", "强省共建省份", "数据知识产权试点省份", "第一批示范区"]
    must = Series("必做", "#b3261e", [5, 3, 0, 1])
    may = Series("选做", "#6b8e23", [2, 0, 4, 1])
    root, _ = _assert_laid_out(bar_chart(groups, [must, may], x_title="任务数", label="省市"))
    rects = _rects(root)
    assert len(rects) == 6
    _assert_proportional([(r["width"], t) for t, r in rects])
    first = {t: r for t, r in rects}
    assert first["各省：选做 2"]["x"] == pytest.approx(
        first["各省：必做 5"]["x"] + first["各省：必做 5"]["width"], abs=0.11)
    assert set(groups) | {"必做", "选做", "任务数"} <= set(_texts(root))


def test_matrix_has_a_linked_dot_per_pair():
    units = ["专利局审业部", "专利局自动化部", "国际合作司"]
    pairs = [(0, 0), (0, 4), (1, 4), (2, 1)]
    dots = [Dot(i, j, f"#d0-t{j + 1}", f"{units[i]} · 任务 {j + 1}") for i, j in pairs]
    svg = dot_matrix(units, [str(n) for n in range(1, 24)], dots, x_title="任务",
                     color="#1f5fa8", label="局内")
    root, labels = _assert_laid_out(svg)
    links = root.findall(f"{NS}a")
    assert [(a.get("href"), a.find(f"{NS}title").text) for a in links] == [
        (d.href, d.title) for d in dots]
    # Each dot on its row's label line and its column's label.
    row_y = {lab.text: (lab.box[1] + lab.box[3]) / 2 for lab in labels if lab.text in units}
    col_x = {lab.text: (lab.box[0] + lab.box[2]) / 2 for lab in labels if lab.text.isdigit()}
    for a, (i, j) in zip(links, pairs):
        c = a.find(f"{NS}circle")
        assert float(c.get("cx")) == pytest.approx(col_x[str(j + 1)], abs=0.6)
        assert float(c.get("cy")) == pytest.approx(row_y[units[i]], abs=2.5)
    assert set(units) | {str(n) for n in range(1, 24)} | {"任务"} <= set(_texts(root))


def test_text_is_escaped():
    nasty = 'a<b&c"d\'e'
    s = Series(nasty, "#000", [1])
    for svg in (column_chart([nasty], [s], y_title=nasty, label=nasty),
                bar_chart([nasty], [s], x_title=nasty, label=nasty),
                dot_matrix([nasty], [nasty], [Dot(0, 0, "#x", nasty)], x_title=nasty,
                           color="#000", label=nasty)):
        assert "<b&" not in svg and '"d' not in svg
        root = ET.fromstring(svg)  # well-formed
        assert root.get("aria-label") == nasty
        assert nasty in _texts(root)


LONG_GROUPS = [
    "省市场监管局（知识产权局）、省财政厅、各设区市人民政府",
    "省地方金融管理局、省市场监管局（知识产权局）、人民银行江西省分行",
    "省公安厅、省人民检察院、长沙海关、省高级人民法院", "省司法厅",
    "专利、商标审查协作中心涉及省份", "ABCDEFGHIJKLMNOPQRSTUVWXYZABCDEFGHIJKLMNOPQRSTUVWXYZ",
]


def test_long_labels_wrap_and_keep_their_text():
    s = [Series("必做", "#b3261e", [1] * 6), Series("选做", "#6b8e23", [2] * 6)]
    root, labels = _assert_laid_out(bar_chart(LONG_GROUPS, s, x_title="任务数", label="x"))
    assert set(LONG_GROUPS) <= set(_texts(root))
    assert len(labels) > len(LONG_GROUPS) + 6  # some wrapped onto more lines
    # The bars still get most of the width.
    widths = [r["width"] for _, r in _rects(root)]
    assert sum(widths[:2]) > 680 * 0.4


def test_crowded_axes_turn_their_labels_upright_or_widen():
    many_months = [f"{2024 + k // 12}年{k % 12 + 1}月" for k in range(36)]
    s = [Series("国家知识产权局", "#1f5fa8", list(range(36)))]
    root, _ = _assert_laid_out(column_chart(many_months, s, y_title="时限数", label="x"))
    assert set(many_months) <= set(_texts(root))
    assert any(t.get("transform") for t in root.iter(f"{NS}text"))
    columns = [str(n) for n in range(1, 151)]
    svg = dot_matrix(["单位"], columns, [Dot(0, 149, "#t150", "单位 · 任务 150")],
                     x_title="任务", color="#000", label="x")
    root, _ = _assert_laid_out(svg)
    assert float(root.get("viewBox").split()[2]) > 680  # wider, not smaller than legible
    sizes = {float(t.get("font-size")) for t in root.iter(f"{NS}text")}
    assert min(sizes) >= 7.5
    assert set(columns) <= set(_texts(root))


label_text = st.text(alphabet="省市局厅部司、（）人民政府试点城市ABCabc123·—", min_size=1, max_size=40)


@given(st.lists(label_text, min_size=1, max_size=30, unique=True),
       st.lists(st.integers(0, 40), min_size=60, max_size=60))
@settings(max_examples=40, deadline=None)
def test_any_labels_are_laid_out_without_overlap(labels, values):
    n = len(labels)
    a = Series("必做", "#b3261e", values[:n])
    b = Series("选做", "#6b8e23", values[30:30 + n])
    _assert_laid_out(column_chart(labels, [a, b], y_title="时限数", label="x"))
    _assert_laid_out(bar_chart(labels, [a, b], x_title="任务数", label="x"))
    dots = [Dot(i, j, "#t", "t") for i in range(n) for j in range(n) if (i + j) % 3 == 0]
    _assert_laid_out(dot_matrix(labels, labels, dots, x_title="任务", color="#000", label="x"))
