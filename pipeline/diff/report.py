"""The readable summary of a diff: Markdown and HTML, grouped by task, old and new side by side
with the changed characters marked (``<del>`` on the old side, ``<ins>`` on the new).

Pure functions from change rows to text; :mod:`pipeline.diff.cli` writes them.
"""
from __future__ import annotations

import difflib
import html
from collections import Counter
from collections.abc import Sequence

from pipeline.diff.model import Change
from pipeline.models import Document

_SECTION_KINDS = ("section_added", "section_removed", "section_retitled")


def marked(old: str | None, new: str | None) -> tuple[str, str]:
    """Both texts HTML-escaped, the characters that differ wrapped in ``<del>`` / ``<ins>``."""
    a, b = old or "", new or ""
    left: list[str] = []
    right: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            left.append(html.escape(a[i1:i2]))
            right.append(html.escape(b[j1:j2]))
            continue
        if i2 > i1:
            left.append(f"<del>{html.escape(a[i1:i2])}</del>")
        if j2 > j1:
            right.append(f"<ins>{html.escape(b[j1:j2])}</ins>")
    return "".join(left), "".join(right)


def _groups(changes: Sequence[Change], old: Document, new: Document
            ) -> list[tuple[str, list[Change]]]:
    """Rows grouped by task (sections first), in the order of the rows, each with a heading."""
    groups: dict[tuple[str, int | None], list[Change]] = {}
    for c in changes:
        if c.kind in _SECTION_KINDS:
            key: tuple[str, int | None] = ("sections", None)
        elif c.new_task_no is not None:
            key = ("new", c.new_task_no)
        else:
            key = ("old", c.old_task_no)
        groups.setdefault(key, []).append(c)
    old_titles: dict[int | None, str] = {t.task_no: t.task_title for t in old.tasks}
    new_titles: dict[int | None, str] = {t.task_no: t.task_title for t in new.tasks}
    out = []
    for (side, number), rows in groups.items():
        if side == "sections":
            out.append(("Sections", rows))
        elif side == "old":
            out.append((f"Task {number} (removed): {old_titles.get(number, '')}", rows))
        elif rows[0].kind == "task_added":
            out.append((f"Task {number} (new): {new_titles.get(number, '')}", rows))
        else:
            pair = next((r for r in rows if r.kind not in ("task_merged", "task_split")), rows[0])
            numbers = f"{pair.old_task_no} → {number}" if pair.old_task_no != number else f"{number}"
            similarity = f" (similarity {pair.similarity:.3f})" if pair.similarity is not None else ""
            out.append((f"Task {numbers}: {new_titles.get(number, '')}{similarity}", rows))
    return out


def _intro(changes: Sequence[Change], old: Document, new: Document) -> tuple[str, str]:
    def name(d: Document) -> str:
        return f"{d.title or d.doc_id} ({d.source})"

    kinds = Counter(c.kind for c in changes)
    minor = sum(c.minor for c in changes)
    head = f"Changes from {name(old)} to {name(new)}"
    if not changes:
        return head, "No changes."
    by_kind = " · ".join(f"{k} {n}" for k, n in sorted(kinds.items()))
    return head, (f"{len(changes)} change(s), {minor} of them minor (whitespace, width, years "
                  f"in the text, a deadline reworded to the same day). By kind: {by_kind}.")


def _md_cell(fragment: str) -> str:
    return fragment.replace("|", "\\|").replace("\n", "<br>") or " "


def _rows_md(rows: Sequence[Change], task_column: bool) -> list[str]:
    head = "| task | change | where | old | new |" if task_column else "| change | where | old | new |"
    out = [head, "|---" * (head.count("|") - 1) + "|"]
    for c in rows:
        left, right = marked(c.old, c.new)
        task = f"| {_task_ref(c)} " if task_column else ""
        out.append(f"{task}| {c.kind} | {_md_cell(html.escape(c.field or ''))} | {_md_cell(left)} "
                   f"| {_md_cell(right)} |")
    return out


def _task_ref(c: Change) -> str:
    if c.old_task_no == c.new_task_no:
        return str(c.new_task_no)
    return f"{c.old_task_no if c.old_task_no is not None else '—'} → " \
           f"{c.new_task_no if c.new_task_no is not None else '—'}"


def markdown(changes: Sequence[Change], old: Document, new: Document) -> str:
    """The summary as Markdown (GitHub renders the ``<del>``/``<ins>`` marks)."""
    head, intro = _intro(changes, old, new)
    out = [f"# {html.escape(head)}", "", intro, ""]
    for heading, rows in _groups([c for c in changes if not c.minor], old, new):
        out += [f"## {html.escape(heading)}", "", *_rows_md(rows, False), ""]
    minor = [c for c in changes if c.minor]
    if minor:
        out += ["## Minor changes", "", _MINOR, "", *_rows_md(minor, True), ""]
    return "\n".join(out)


_MINOR = ("Differences of no substance: whitespace, character width, a year in the text "
          "(2024年 → 2025年), a deadline reworded to the same day.")


_STYLE = """body{font-family:sans-serif;margin:2em;max-width:80em}
table{border-collapse:collapse;width:100%;margin-bottom:1.5em}
td,th{border:1px solid #ccc;padding:.3em .5em;vertical-align:top;text-align:left}
th{background:#f4f4f4} td.text{width:40%;white-space:pre-wrap}
del{background:#fdd;text-decoration:line-through} ins{background:#dfd;text-decoration:none}"""


def _rows_html(rows: Sequence[Change], task_column: bool) -> list[str]:
    th = "<th>task</th>" if task_column else ""
    out = ["<table>", f"<tr>{th}<th>change</th><th>where</th><th>old</th><th>new</th></tr>"]
    for c in rows:
        left, right = marked(c.old, c.new)
        td = f"<td>{html.escape(_task_ref(c))}</td>" if task_column else ""
        out.append(f"<tr>{td}<td>{c.kind}</td><td>{html.escape(c.field or '')}</td>"
                   f'<td class="text">{left}</td><td class="text">{right}</td></tr>')
    return [*out, "</table>"]


def html_page(changes: Sequence[Change], old: Document, new: Document) -> str:
    """The summary as one self-contained HTML page."""
    head, intro = _intro(changes, old, new)
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(head)}</title>", f"<style>{_STYLE}</style>", "</head>",
           "<body>", f"<h1>{html.escape(head)}</h1>", f"<p>{html.escape(intro)}</p>"]
    for heading, rows in _groups([c for c in changes if not c.minor], old, new):
        out += [f"<h2>{html.escape(heading)}</h2>", *_rows_html(rows, False)]
    minor = [c for c in changes if c.minor]
    if minor:
        out += ["<h2>Minor changes</h2>", f"<p>{html.escape(_MINOR)}</p>", *_rows_html(minor, True)]
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
