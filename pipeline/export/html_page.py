"""report.html's look and its words: the page's CSS, the charts' colours, and how values are
shown (escaped text, numbers, pages, months, sentence anchors). :mod:`pipeline.export.to_html`
assembles the page from the rows with them, its charts with :mod:`pipeline.export.svg_charts`.
"""
from __future__ import annotations

import html
import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

Row = Mapping[str, Any]

#: CSS font stacks: the system's CJK sans-serif, whatever the platform calls it.
FONT_STACK = ("system-ui, -apple-system, 'Noto Sans CJK SC', 'Source Han Sans SC', 'PingFang SC', "
              "'Hiragino Sans GB', 'Microsoft YaHei', 'WenQuanYi Zen Hei', sans-serif")
_NATIONAL, _LOCAL = "#1f5fa8", "#d9822b"
_MUST, _MAY = "#b3261e", "#6b8e23"
_SENTENCE_END = re.compile(r"(?<=[。；！？;!?])|\n")


def _doc_title(doc_id: str, meta: Row) -> str:
    return str(meta.get("title") or doc_id)


def _sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of ``text``; together they cover it."""
    cuts = sorted({0, len(text), *(m.start() for m in _SENTENCE_END.finditer(text))})
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a] or [(0, len(text))]


def _sentence_of(spans: Sequence[tuple[int, int]], offset: int) -> int:
    for k, (a, b) in enumerate(spans):
        if a <= offset < b:
            return k
    return max(len(spans) - 1, 0)


def _pages(row: Row) -> str:
    a, b = row.get("page_start"), row.get("page_end")
    if a is None:
        return ""
    return f"第{a}页" if b in (None, a) else f"第{a}–{b}页"


def _months(dues: Iterable[date]) -> list[tuple[int, int]]:
    """Every month from the first due date's year's January to the last due month."""
    ds = sorted(dues)
    # A whole year when every date falls in one; else up to the last date's month.
    last = (ds[-1].year, 12) if ds[-1].year == ds[0].year else (ds[-1].year, ds[-1].month)
    months, (y, m) = [], (ds[0].year, 1)
    while (y, m) <= last:
        months.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return months


def _is_local(actor: str | None) -> bool:
    return bool(actor) and not str(actor).startswith("国家")


def _group_labels(r: Row) -> list[str]:
    reach = r.get("applies_to")
    if reach == "all":
        return [f"全部（{r.get('level') or '地方'}）"]
    groups = list(r.get("groups") or [])
    return groups or [str(r.get("scope") or r.get("level") or "未说明")]


def _entry_text(e: Row) -> str:
    if e.get("level") == "局内":
        return "、".join(e.get("units_full") or e.get("units") or [])
    return f"{e.get('scope') or ''}{e.get('obligation') or ''}"


def _after(action: str, expression: str) -> str:
    """The action without the expression it opens with (shown bold before it)."""
    return action[len(expression):] if action.startswith(expression) else f"：{action}"


def _number(value: Any) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: Any) -> str:
    if not isinstance(n, int) or not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    return (("" if tens == 1 else _CN_DIGITS[tens]) + "十" if tens else "") + (
        _CN_DIGITS[ones] if ones else "")


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


_CSS = f"""
*,*::before,*::after{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%}}
body{{margin:0;font-family:{FONT_STACK};line-height:1.6;color:#1d1d1f;background:#fff}}
header.top,main{{max-width:1100px;margin:0 auto;padding:0 16px}}
h1{{font-size:1.5rem;margin:1rem 0 .5rem}}
h2{{font-size:1.3rem;border-bottom:2px solid {_NATIONAL};padding-bottom:.2rem;margin-top:2rem}}
h3{{font-size:1.1rem;margin-top:1.8rem}}
h4{{font-size:1rem;margin:1rem 0 .3rem}}
h4 small{{color:#666;font-weight:normal}}
h5{{font-size:1rem;margin:1.2rem 0 .3rem}}
.meta,.none,.page{{color:#666}}
.page{{font-size:.85em;white-space:nowrap}}
figure{{margin:0;overflow-x:auto;max-width:100%}}
/* Below 560 px a chart scrolls in its own box rather than shrinking its text out of reach. */
figure svg{{display:block;width:100%;min-width:560px;height:auto}}
.scroll{{overflow-x:auto;max-width:100%}}
table{{border-collapse:collapse;width:100%;font-size:.92rem}}
th,td{{border-bottom:1px solid #e3e3e3;padding:.3rem .4rem;text-align:left;vertical-align:top}}
thead th{{background:#f4f6f8;white-space:nowrap}}
td.num{{white-space:nowrap}}
ul.dl{{padding-left:1.1rem;margin:.2rem 0}}
ul.dl li{{margin:.25rem 0}}
time{{font-variant-numeric:tabular-nums;font-weight:600}}
.who{{color:{_LOCAL}}}
a{{color:{_NATIONAL}}}
a.chip{{display:inline-block;min-width:1.6em;text-align:center;padding:0 .3em;margin:.1em 0;
  border:1px solid #c8d3e0;border-radius:.6em;text-decoration:none;font-size:.9em}}
a.src{{font-size:.85em;white-space:nowrap}}
article{{border-top:1px solid #eee}}
article p{{margin:.4rem 0}}
span.s:target{{background:#fff3b0}}
article:target h5{{background:#fff3b0}}
ul.division{{color:#444;font-size:.92rem}}
body,td,li,p{{overflow-wrap:anywhere}}
@media (max-width:600px){{body{{font-size:15px}} header.top,main{{padding:0 10px}}}}
"""
