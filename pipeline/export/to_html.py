"""``report.html``: one self-contained page per run, for reading and for sending to colleagues.

Per document: a deadline timeline by month, a department × task matrix, the province/city
obligations (必做/选做 per group), the targets table, and the source text with an anchor per
sentence, so every fact links to the sentence and page it was read from.

Self-contained: no script, no stylesheet or font from anywhere else. The charts are SVG written
out by :mod:`pipeline.export.svg_charts`, their text left as text (searchable, copyable), which
the browser sets in the system's CJK font.
The page works from plain table rows, so ``extract`` (rows of the documents) and ``export``
(rows read back from Parquet) give the same page.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.export import OutputSet
from pipeline.export.html_page import (  # noqa: F401 (FONT_STACK: to_html's name before the split)
    _CSS,
    _LOCAL,
    _MAY,
    _MUST,
    _NATIONAL,
    FONT_STACK,
    _after,
    _cn_number,
    _doc_title,
    _e,
    _entry_text,
    _group_labels,
    _is_local,
    _months,
    _number,
    _pages,
    _sentence_of,
    _sentences,
)
from pipeline.export.svg_charts import Dot, Series, bar_chart, column_chart, dot_matrix

Row = Mapping[str, Any]


def write(data: OutputSet, folder: Path) -> None:
    """Format-registry entry point: ``report.html`` in ``folder`` from an output set."""
    write_report_html(data.tables, folder / "report.html")


def write_report_html(tables: Mapping[str, Sequence[Row]], path: Path) -> None:
    """Write the report page for ``tables`` (rows per table, as the Parquet tables hold) to ``path``."""
    path.write_text(render_report_html(tables), encoding="utf-8")


def render_report_html(tables: Mapping[str, Sequence[Row]]) -> str:
    """The report page as text.

    The ``documents`` table gives each document's title, year and source, and the order; a
    document with rows but no ``documents`` row is reported under its doc_id, after the others.
    """
    documents = list(tables.get("documents", []))
    by_doc = _split_by_doc({k: v for k, v in tables.items() if k != "documents"})
    known = [str(d["doc_id"]) for d in documents]
    order = known + [d for d in by_doc if d not in known]
    meta = {str(d["doc_id"]): d for d in documents}
    bodies = [_document(i, doc_id, meta.get(doc_id, {}), by_doc.get(doc_id, {}))
              for i, doc_id in enumerate(order)]
    toc = "".join(f'<li><a href="#d{i}">{_e(_doc_title(doc_id, meta.get(doc_id, {})))}</a></li>'
                  for i, doc_id in enumerate(order))
    title = "任务清单报告"
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f'<header class="top"><h1>{_e(title)}</h1>'
        + (f'<nav><ol class="toc">{toc}</ol></nav>' if len(order) > 1 else "")
        + "</header>\n<main>\n" + "\n".join(bodies) + "\n</main>\n</body>\n</html>\n"
    )


# ---- the parts of one document -------------------------------------------------------------------

@dataclass(frozen=True)
class _Anchors:
    """Ids of the page's anchors for one document (``d0-t3``, ``d0-t3-c2-s1``)."""

    prefix: str

    def task(self, task_no: Any) -> str:
        return f"{self.prefix}-t{task_no}"

    def clause(self, task_no: Any, clause_no: Any) -> str:
        return f"{self.prefix}-t{task_no}-c{clause_no}"

    def sentence(self, task_no: Any, clause_no: Any, k: int) -> str:
        return f"{self.prefix}-t{task_no}-c{clause_no}-s{k}"


def _document(i: int, doc_id: str, meta: Row, rows: Mapping[str, list[Row]]) -> str:
    a = _Anchors(f"d{i}")
    tasks = sorted(rows.get("tasks", []), key=lambda r: r["task_no"])
    clauses = {(c["task_no"], c["clause_no"]): c for c in rows.get("clauses", [])}
    sentences = {key: _sentences(c.get("text") or "") for key, c in clauses.items()}
    context = _Context(a, {t["task_no"]: t for t in tasks}, clauses, sentences)
    facts = (f"{len(tasks)} 项任务 · {len(rows.get('deadlines', []))} 个时限 · "
             f"{len(rows.get('targets', []))} 个指标")
    source = meta.get("source") or (tasks[0].get("source") if tasks else None)
    head = (f'<section class="doc" id="{a.prefix}"><h2>{_e(_doc_title(doc_id, meta))}</h2>'
            f'<p class="meta">{_e(doc_id)}'
            + (f" · 来源 {_e(source)}" if source else "")
            + (f" · {_e(meta['year'])} 年" if meta.get("year") else "")
            + f" · {facts}</p>")
    return "\n".join([
        head,
        _timeline(context, rows.get("deadlines", [])),
        _matrix(context, tasks, rows.get("assignments", [])),
        _obligations(context, rows.get("assignments", [])),
        _targets(context, rows.get("targets", [])),
        _sources(context, tasks, rows.get("assignments", [])),
        "</section>",
    ])


@dataclass(frozen=True)
class _Context:
    anchors: _Anchors
    tasks: Mapping[Any, Row]
    clauses: Mapping[tuple[Any, Any], Row]
    sentences: Mapping[tuple[Any, Any], list[tuple[int, int]]]

    def fact_link(self, row: Row) -> str:
        """A link to the sentence a fact (deadline, target) stands in, with its page."""
        key = (row["task_no"], row["clause_no"])
        clause = self.clauses.get(key)
        k = _sentence_of(self.sentences.get(key, []), row.get("char_start") or 0)
        target = self.anchors.sentence(*key, k) if clause else self.anchors.task(row["task_no"])
        return (f'<a class="src" href="#{target}">第{_e(row["task_no"])}项 · '
                f'{_pages(clause or self.tasks.get(row["task_no"], {}))}</a>')

    def task_link(self, task_no: Any, text: str | None = None) -> str:
        label = text if text is not None else f"{task_no}"
        title = self.tasks.get(task_no, {}).get("task_title", "")
        return (f'<a class="chip" href="#{self.anchors.task(task_no)}" title="{_e(title)}">'
                f"{_e(label)}</a>")


def _timeline(ctx: _Context, deadlines: Sequence[Row]) -> str:
    if not deadlines:
        return '<h3>时限</h3><p class="none">没有时限。</p>'
    # A recurring deadline (每季度末) has no one due date: listed after the months, not charted.
    repeating = _repeating(ctx, [r for r in deadlines if r.get("due") is None])
    rows = sorted((r for r in deadlines if r.get("due") is not None),
                  key=lambda r: (r["due"], r["task_no"], r["clause_no"] or 0))
    if not rows:
        return f"<h3>时限</h3>{repeating}"
    months = _months(r["due"] for r in rows)
    local = Counter((r["due"].year, r["due"].month) for r in rows if _is_local(r.get("actor")))
    national = Counter((r["due"].year, r["due"].month) for r in rows
                       if not _is_local(r.get("actor")))
    labels = [f"{m}月" if y == months[0][0] else f"{y}年{m}月" for y, m in months]

    chart = column_chart(
        labels,
        [Series("国家知识产权局", _NATIONAL, [national[m] for m in months]),
         Series("地方", _LOCAL, [local[m] for m in months])],
        y_title="时限数", label="各月到期的时限数（国家知识产权局与地方）")
    by_month: dict[tuple[int, int], list[Row]] = defaultdict(list)
    for r in rows:
        by_month[(r["due"].year, r["due"].month)].append(r)
    items = []
    for (y, m), group in by_month.items():
        lis = "".join(
            f'<li><time datetime="{r["due"].isoformat()}">{r["due"].month}月{r["due"].day}日</time>'
            f' <span class="who">{_e(r.get("actor") or "")}</span> '
            f'<b>{_e(r["expression"])}</b>{_e(_after(r.get("action") or "", r["expression"]))} '
            f'{ctx.task_link(r["task_no"], "任务 " + str(r["task_no"]))} {ctx.fact_link(r)}</li>'
            for r in group)
        items.append(f"<h4>{y}年{m}月 <small>{len(group)}</small></h4><ul class=\"dl\">{lis}</ul>")
    return (f"<h3>时限（按月）</h3><figure>{chart}</figure>"
            f'<details open><summary>全部 {len(rows)} 个时限</summary>{"".join(items)}</details>'
            f"{repeating}")


#: How report.html names a deadline's recurrence (deadlines.recurrence).
_RECURRENCE_ZH = {"monthly": "每月", "quarterly": "每季度", "half-yearly": "每半年", "yearly": "每年"}


def _repeating(ctx: _Context, rows: Sequence[Row]) -> str:
    if not rows:
        return ""
    lis = "".join(
        f'<li><span class="who">{_e(r.get("actor") or "")}</span> '
        f'<b>{_e(r["expression"])}</b>{_e(_after(r.get("action") or "", r["expression"]))} '
        f'<small>{_e(_RECURRENCE_ZH.get(r.get("recurrence") or "", r.get("recurrence") or ""))}'
        f'</small> {ctx.task_link(r["task_no"], "任务 " + str(r["task_no"]))} {ctx.fact_link(r)}</li>'
        for r in sorted(rows, key=lambda r: (r["task_no"], r["clause_no"] or 0, r["char_start"])))
    return f'<h4>重复的时限 <small>{len(rows)}</small></h4><ul class="dl">{lis}</ul>'


def _matrix(ctx: _Context, tasks: Sequence[Row], assignments: Sequence[Row]) -> str:
    pairs: dict[str, list[Any]] = {}
    for r in assignments:
        if r.get("level") != "局内":
            continue
        for unit in (r.get("units_full") or r.get("units") or []):
            pairs.setdefault(unit, [])
            if r["task_no"] not in pairs[unit]:
                pairs[unit].append(r["task_no"])
    if not pairs:
        return '<h3>局内分工</h3><p class="none">没有局内分工。</p>'
    units = sorted(pairs, key=lambda u: (-len(pairs[u]), u))
    task_nos = [t["task_no"] for t in tasks]

    col = {n: j for j, n in enumerate(task_nos)}
    dots = [Dot(i, col[n], f"#{ctx.anchors.task(n)}", f"{unit} · 任务 {n}")
            for i, unit in enumerate(units) for n in pairs[unit] if n in col]
    chart = dot_matrix(units, [str(n) for n in task_nos], dots, x_title="任务", color=_NATIONAL,
                       label="局内单位 × 任务：点表示该单位承担该任务")
    lines = "".join(
        f"<tr><th scope=\"row\">{_e(u)}</th><td>{len(pairs[u])}</td>"
        f"<td>{' '.join(ctx.task_link(n) for n in pairs[u])}</td></tr>" for u in units)
    return (f"<h3>局内分工（单位 × 任务）</h3><figure>{chart}</figure>"
            f'<div class="scroll"><table><thead><tr><th>单位</th><th>任务数</th><th>任务</th>'
            f"</tr></thead><tbody>{lines}</tbody></table></div>")


def _obligations(ctx: _Context, assignments: Sequence[Row]) -> str:
    by_group: dict[str, dict[str, list[Any]]] = {}
    for r in assignments:
        if r.get("level") == "局内":
            continue
        for group in _group_labels(r):
            slot = by_group.setdefault(group, {"必做": [], "选做": [], "未说明": []})
            slot[r.get("obligation") or "未说明"].append(r["task_no"])
    if not by_group:
        return '<h3>省市分工</h3><p class="none">没有省份、地市分工。</p>'
    groups = list(by_group)

    chart = bar_chart(
        groups,
        [Series("必做", _MUST, [len(by_group[g]["必做"]) for g in groups]),
         Series("选做", _MAY, [len(by_group[g]["选做"]) for g in groups])],
        x_title="任务数", label="各组地方的必做与选做任务数")
    lines = "".join(
        f"<tr><th scope=\"row\">{_e(g)}</th>"
        + "".join(f"<td>{' '.join(ctx.task_link(n) for n in by_group[g][k])}</td>"
                  for k in ("必做", "选做"))
        + "</tr>" for g in groups)
    return (f"<h3>省市分工（必做 / 选做）</h3><figure>{chart}</figure>"
            f'<div class="scroll"><table><thead><tr><th>地方</th><th>必做</th><th>选做</th></tr>'
            f"</thead><tbody>{lines}</tbody></table></div>")


#: How report.html names a target's kind (targets.kind).
_KIND_ZH = {"growth": "增长", "level": "水平", "count": "数量"}


def _targets(ctx: _Context, targets: Sequence[Row]) -> str:
    if not targets:
        return '<h3>指标</h3><p class="none">没有量化指标。</p>'
    lines = "".join(
        f"<tr><td>{ctx.task_link(r['task_no'])}</td><td>{_e(r.get('actor') or '')}</td>"
        f"<td>{_e(r.get('metric') or '')}</td><td><b>{_e(r['expression'])}</b></td>"
        f"<td class=\"num\">{_e(_number(r.get('value')))}"
        + (f"–{_e(_number(r.get('value_max')))}" if r.get("value_max") is not None else "")
        + f" {_e(r.get('unit') or '')}</td><td>{_e(r.get('comparator') or '')}</td>"
        f"<td>{_e(_KIND_ZH.get(r.get('kind') or '', r.get('kind') or ''))}</td>"
        f"<td>{_e(r['due'].isoformat()) if r.get('due') else ''}</td>"
        f"<td>{ctx.fact_link(r)}</td></tr>"
        for r in sorted(targets, key=lambda r: (r["task_no"], r["clause_no"] or 0, r["char_start"])))
    return ('<h3>指标</h3><div class="scroll"><table class="targets"><thead><tr><th>任务</th>'
            "<th>主体</th><th>指标</th><th>表述</th><th>数值</th><th>比较</th><th>类型</th><th>期限</th>"
            f"<th>出处</th></tr></thead><tbody>{lines}</tbody></table></div>")


def _sources(ctx: _Context, tasks: Sequence[Row], assignments: Sequence[Row]) -> str:
    entries: dict[Any, list[Row]] = defaultdict(list)
    for r in assignments:
        entries[r["task_no"]].append(r)
    parts = ["<h3>原文</h3>"]
    section = None
    for t in tasks:
        if t.get("section_no") != section:
            section = t.get("section_no")
            parts.append(f"<h4 class=\"section\">{_e(_cn_number(section))}、"
                         f"{_e(t.get('section_title') or '')}</h4>")
        n = t["task_no"]
        clause_html = []
        for (tn, cn), clause in sorted(ctx.clauses.items(), key=lambda kv: kv[0][1]):
            if tn != n:
                continue
            text = clause.get("text") or ""
            spans = "".join(
                f'<span class="s" id="{ctx.anchors.sentence(tn, cn, k)}">{_e(text[a:b])}</span>'
                for k, (a, b) in enumerate(ctx.sentences[(tn, cn)]))
            clause_html.append(
                f'<p id="{ctx.anchors.clause(tn, cn)}"><b>{_e(clause.get("actor") or "")}'
                f"{'：' if clause.get('actor') else ''}</b>{spans} "
                f'<span class="page">{_pages(clause)}</span></p>')
        division = "".join(
            f"<li>{_e(e.get('level') or '')}：{_e(_entry_text(e))}</li>" for e in entries[n])
        parts.append(
            f'<article id="{ctx.anchors.task(n)}"><h5>{_e(n)}. {_e(t.get("task_title") or "")} '
            f'<span class="page">{_pages(t)}</span></h5>{"".join(clause_html)}'
            + (f'<ul class="division">{division}</ul>' if division else "") + "</article>")
    return "".join(parts)


def _split_by_doc(tables: Mapping[str, Sequence[Row]]) -> dict[str, dict[str, list[Row]]]:
    out: dict[str, dict[str, list[Row]]] = {}
    for name, rows in tables.items():
        for r in rows:
            out.setdefault(str(r["doc_id"]), {}).setdefault(name, []).append(r)
    return out


