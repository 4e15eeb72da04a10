"""Damaged HTML and resource bombs (issue 8, findings 2 and 4): each bad page is built at test
time from a committed rendering (tests/fixtures/html) or the 2024 dump, and must fail with its
own one line instead of losing tasks with exit 0 or running for minutes."""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from pipeline import facts
from pipeline.build import extract_file
from pipeline.cli import main
from pipeline.errors import HtmlDamagedError, InputTooLargeError
from pipeline.read import dump
from pipeline.read.html.settings import SETTINGS as LIMITS
from tests.conftest import RAW_2024

HTML = Path(__file__).resolve().parent / "fixtures" / "html"
FULL = sorted(HTML.glob("cnipa-2024-*.html"))
IDS = [p.stem.removeprefix("cnipa-2024-") for p in FULL]
DAMAGED = re.compile(r"the page's markup is damaged .*download it again")


def page_text(path: Path) -> tuple[str, str]:
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("gb18030"), "gb18030"


def write(tmp: Path, name: str, text: str, enc: str = "utf-8") -> Path:
    path = tmp / name
    path.write_bytes(text.encode(enc))
    return path


def row_of_task(text: str, n: int) -> int:
    """Offset of the ``<tr`` of the row whose first cell opens with task number ``n``."""
    m = re.compile(rf">\s*{n}\s*[.．、]").search(text, text.find("工作举措"))
    assert m, f"task {n} not found"
    return text.rfind("<tr", 0, m.start())


@pytest.mark.parametrize("path", FULL, ids=IDS)
def test_unclosed_comment_before_a_task_is_damage(path: Path, tmp_path: Path) -> None:
    text, enc = page_text(path)
    at = row_of_task(text, 7)
    bad = write(tmp_path, "comment-2024.html", text[:at] + "<!--" + text[at:], enc)
    with pytest.raises(HtmlDamagedError, match=r"a comment opened at character [\d,]+ \(<!--\) is "
                       r"never closed, so the rest of the page .* would be hidden"):
        extract_file(bad)


@pytest.mark.parametrize("path", FULL, ids=IDS)
def test_stray_comment_closed_by_a_later_one_is_damage(path: Path, tmp_path: Path) -> None:
    """A ``<!--`` before task 7 that a later ``-->`` closes hides tasks 7–22, not the page."""
    text, enc = page_text(path)
    at, later = row_of_task(text, 7), row_of_task(text, 23)
    damaged = text[:at] + "<!--" + text[at:later] + "<!-- a note -->" + text[later:]
    with pytest.raises(HtmlDamagedError, match="a comment holds table rows with task numbers"):
        extract_file(write(tmp_path, "comment2-2024.html", damaged, enc))


@pytest.mark.parametrize("path", FULL, ids=IDS)
def test_a_damaged_task_number_does_not_merge_the_task_into_the_one_before(
        path: Path, tmp_path: Path) -> None:
    text, enc = page_text(path)
    at = [m.start() for m in re.finditer(r"23\s*[.．、]", text)][-1]
    bad = write(tmp_path, "number-2024.html", text[:at] + "2…" + text[at + 3:], enc)
    with pytest.raises(HtmlDamagedError, match=r"row \d+ opens with '2….*', which is no task number "
                       r"\(task 23 would follow task 22\)"):
        extract_file(bad)


def _quoted_attributes(text: str) -> list[re.Match[str]]:
    start = text.find("工作举措")
    return [m for m in re.finditer(r"\b(?:style|class|width|valign)=(['\"])", text)
            if m.start() > start and text.find(m.group(1), m.end()) - m.end() > 8]


#: The renderings whose table cells carry quoted attributes (pandoc's carry none).
ATTRIBUTED = [p for p in FULL if _quoted_attributes(page_text(p)[0])]


def test_most_renderings_carry_quoted_attributes() -> None:
    assert len(ATTRIBUTED) >= 4


@pytest.mark.parametrize("path", ATTRIBUTED, ids=[p.stem.removeprefix("cnipa-2024-") for p in ATTRIBUTED])
def test_bytes_lost_across_an_attribute_quote_never_lose_tasks_silently(
        path: Path, tmp_path: Path) -> None:
    """20 bytes deleted across the closing quote of attributes in the table (a sample of them):
    every outcome is the whole list, a numbering warning, or a damaged-page error."""
    text, enc = page_text(path)
    found = _quoted_attributes(text)
    assert found
    outcomes = set()
    for m in found[:: max(1, len(found) // 12)]:
        close = text.find(m.group(1), m.end())
        bad = write(tmp_path, "attr-2024.html", text[: close - 5] + text[close + 15:], enc)
        try:
            doc = extract_file(bad)
        except HtmlDamagedError:
            outcomes.add("damaged")
            continue
        warned = any(i.code.startswith("numbering") for i in doc.issues)
        assert len(doc.tasks) == 23 or warned, f"deletion at {close - 5}: {len(doc.tasks)} tasks"
        outcomes.add("whole" if len(doc.tasks) == 23 else "warned")
    assert outcomes  # the loop ran


def test_attribute_swallowing_table_markup_is_named(tmp_path: Path) -> None:
    text, enc = page_text(HTML / "cnipa-2024-word-gb18030.html")
    at = row_of_task(text, 11)
    m = re.compile(r"style='").search(text, at)
    assert m
    close = text.find("'", m.end())
    bad = write(tmp_path, "quote-2024.html", text[:close] + text[close + 1:], enc)
    with pytest.raises(HtmlDamagedError, match=r"attribute of a <\w+> holds table markup .*a quote "
                       r"is missing|the markup holds tasks? \d+"):
        extract_file(bad)


def test_a_row_whose_number_cell_was_lost_does_not_end_the_list(tmp_path: Path) -> None:
    """Task 2's first cell deleted: its text shifts left, the later per-page tables no longer
    number on, and 22 tasks would vanish; the markup still holds them, so it is damage."""
    text, enc = page_text(HTML / "cnipa-2024-trs-cms-gbk.html")
    at = row_of_task(text, 2)
    cell = re.compile(r"<td\b.*?</td>", re.S).search(text, at)
    assert cell
    bad = write(tmp_path, "cell-2024.html", text[: cell.start()] + text[cell.end():], enc)
    with pytest.raises(HtmlDamagedError, match=r"the markup holds tasks 3–23 after task 1, but the "
                       r"table as parsed does not"):
        extract_file(bad)


def test_damage_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, enc = page_text(HTML / "cnipa-2024-wps-utf8-bom.html")
    at = row_of_task(text, 7)
    bad = write(tmp_path, "cut-2024.html", text[:at] + "<!--" + text[at:], enc)
    assert main(["extract", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{bad}: a comment opened at character")
    assert DAMAGED.search(err[0])
    assert "Traceback" not in "\n".join(err)
    assert not (tmp_path / "out").exists()


# ---- bombs -------------------------------------------------------------------------------------

def _body_insert(text: str, markup: str) -> str:
    body = text.find(">", text.lower().find("<body")) + 1
    return text[:body] + markup + text[body:]


def _after_table(text: str, markup: str) -> str:
    end = text.rfind("</table>") + len("</table>")
    return text[:end] + markup + text[end:]


WPS = HTML / "cnipa-2024-wps-utf8-bom.html"


@pytest.mark.parametrize("name, build, message", [
    ("nested-divs", lambda t: _body_insert(t, "<div>" * 100_000 + "x" + "</div>" * 100_000),
     rf"nests elements more than {LIMITS.max_depth} deep \(at character [\d,]+\); the limit is "
     rf"{LIMITS.max_depth}"),
    ("unclosed-divs", lambda t: _body_insert(t, "<div>" * 100_000),
     rf"nests elements more than {LIMITS.max_depth} deep"),
    ("tables", lambda t: _after_table(t, "<table><tr><td>x</td></tr></table>" * 20_000),
     rf"the page has 20,00\d tables; the limit is {LIMITS.max_tables:,}"),
    ("rows", lambda t: _after_table(t, "<table>" + "<tr><td>x</td></tr>" * 50_000 + "</table>"),
     rf"the page has 50,0\d\d table rows; the limit is {LIMITS.max_rows:,}"),
    ("br-lines", lambda t: t.replace("局内：", "局内：" + "<br>" * 100_000, 1),
     rf"the page has 100,\d+ paragraph tags \(<p>, <br>, <div>, <li>\); the limit is "
     rf"{LIMITS.max_paragraphs:,}"),
], ids=lambda v: v if isinstance(v, str) and "\\" not in v and "(" not in v else "")
def test_html_bombs_are_refused_before_parsing(name: str, build: Callable[[str], str], message: str,
                                                tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text, enc = page_text(WPS)
    bad = write(tmp_path, f"{name}-2024.html", build(text), enc)
    with pytest.raises(InputTooLargeError, match=message):
        extract_file(bad)
    assert main(["extract", str(bad), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "RecursionError" not in err


def test_nesting_within_the_limit_is_read(tmp_path: Path) -> None:
    """The table inside 150 layout <div>s is still found and read whole."""
    text, enc = page_text(WPS)
    start, end = text.find("<table"), text.rfind("</table>") + len("</table>")
    deep = text[:start] + "<div>" * 150 + text[start:end] + "</div>" * 150 + text[end:]
    assert len(extract_file(write(tmp_path, "deep-2024.html", deep, enc)).tasks) == 23


def _dump_with_first_measures(extra: str, tmp: Path, name: str) -> Path:
    lines = RAW_2024.read_text(encoding="utf-8").split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("1."))
    cells = lines[i].split("\t")
    cells[1] = cells[1].replace("</p>", extra + "</p>", 1)
    lines[i] = "\t".join(cells)
    path = tmp / name
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_dump_cell_with_100000_paragraph_openers_is_refused(tmp_path: Path) -> None:
    bad = _dump_with_first_measures("<p>x" * 100_000, tmp_path, "popen-2024.txt")
    with pytest.raises(InputTooLargeError, match=r"line 9, cell 2 has 100,00\d paragraph tags "
                       r"\(<p>, <br>\); the limit is 2,000"):
        extract_file(bad)


def test_dump_cell_with_unclosed_paragraphs_under_the_limit_is_read(tmp_path: Path) -> None:
    doc = extract_file(_dump_with_first_measures("<p>各地区：开展" * 1_500, tmp_path, "p-2024.txt"))
    assert len(doc.tasks) == 23


def test_clause_with_10000_figures_is_refused(tmp_path: Path) -> None:
    bad = _dump_with_first_measures("增长" + "10%以上，" * 10_000, tmp_path, "pct-2024.txt")
    with pytest.raises(InputTooLargeError, match=r"the document holds [\d,]+ deadlines and figures"):
        extract_file(bad)


def test_clause_over_its_own_limit_is_refused(tmp_path: Path) -> None:
    bad = _dump_with_first_measures("增长" + "10%以上，" * 300, tmp_path, "pct300-2024.txt")
    with pytest.raises(InputTooLargeError, match=rf"task 1, clause \d+ holds 30\d deadlines and "
                       rf"figures; the limit is {facts.MAX_FIGURES_PER_CLAUSE}"):
        extract_file(bad)


def test_clause_with_figures_under_the_limit_keeps_them_all(tmp_path: Path) -> None:
    doc = extract_file(_dump_with_first_measures("增长" + "10%以上，" * 150, tmp_path, "ok-2024.txt"))
    assert sum(t.expression == "10%以上" for t in doc.tasks[0].targets) >= 150


def _dump_of_tasks(tmp: Path, name: str, rows: int, clause: str) -> Path:
    lines = ["附件", "", "## 2024 年推动知识产权高质量发展任务清单", "", "重点任务\t工作举措\t任务分工",
             "<b>一、全面强化</b>\t\t"]
    lines += [f"{i % 999 + 1}. 任务\t<p>各地区：{clause}</p>\t<p>局内：办公室</p>" for i in range(rows)]
    path = tmp / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_document_with_too_many_figures_in_all_is_refused(tmp_path: Path) -> None:
    """Each clause under its own limit, but 30 × 199 figures in all."""
    bad = _dump_of_tasks(tmp_path, "figs-2024.txt", 30, "增长" + "10%以上，" * 199)
    with pytest.raises(InputTooLargeError, match=rf"the document holds [\d,]+ deadlines and figures; "
                       rf"the limit is {facts.MAX_FIGURES_PER_DOCUMENT:,}"):
        extract_file(bad)


def test_dump_with_100000_rows_is_refused_before_reading_them(tmp_path: Path) -> None:
    bad = _dump_of_tasks(tmp_path, "rows-2024.txt", 100_000, "做。")
    with pytest.raises(InputTooLargeError, match=rf"the table has 100,001 rows; the limit is "
                       rf"{dump.MAX_ROWS:,}"):
        extract_file(bad)
