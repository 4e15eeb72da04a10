"""Numbers the output types cannot hold, and figures no float holds: refused or warned, never a crash.

Finding 5 of issue 8: a count past an int16/int8 column crashed the writer (exit 1) and, with
--keep-going, lost the good inputs too. Finding 6: a figure of 309+ digits became ``inf`` and
tasks.json held the bare token ``Infinity``. Inputs are built at test time.
"""
from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pyarrow.parquet as pq
import pytest

import pipeline.write.tables
from pipeline import facts
from pipeline.errors import InputTooLargeError
from pipeline.models import Clause
from pipeline.read.dump import MAX_PARAGRAPHS_PER_CELL
from pipeline.write import check_fits, dumps
from tests.conftest import RAW_2024, dump_text
from tests.test_cli import run

TOO_LARGE_HINT = ("a task list has a few dozen tasks on a few dozen pages; check that this is the "
                  "right file")


def _strict(text: str) -> object:
    """json.loads that refuses NaN and Infinity, as every parser but Python's does."""
    def refuse(token: str) -> None:
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


# ---- counts past the column types ------------------------------------------------------------

def _dump_with_entries(path: Path, n: int) -> Path:
    """A text dump whose one task has ``n`` 任务分工 entries (the HTML reader's <br> lines give
    the same rows; the dump is the cheaper reader to build them with)."""
    # The reader takes at most MAX_PARAGRAPHS_PER_CELL paragraphs a cell, so the entries go
    # on in rows that continue the task (an empty first cell), as a task cut over pages does.
    per_row = MAX_PARAGRAPHS_PER_CELL
    cells = ["".join(["<p>省份：各省必做</p>"] * min(per_row, n - k)) for k in range(0, n, per_row)]
    path.write_text(dump_text(["<b>一、全面强化知识产权宏观统筹</b>\t\t",
                               f"1. 持续推进实施\t<p>各地区：强化导向。</p>\t{cells[0]}",
                               *(f"\t\t{cell}" for cell in cells[1:])]),
                    encoding="utf-8")
    return path


def test_a_count_past_int16_fails_alone_and_keep_going_keeps_the_good_input(tmp_path, capsys):
    bad = _dump_with_entries(tmp_path / "entries-2024.txt", 32_768)
    out = tmp_path / "out"
    rc, lines = run(capsys, str(bad), str(RAW_2024), "--out", str(out), "--keep-going", "--quiet")
    assert rc == 2
    assert lines[0] == (f"{bad}: task 1 has 32,768 任务分工 entries, over the limit of 32,767 "
                        f"(assignments.entry_no is int16) — {TOO_LARGE_HINT}")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(e["file"], e["status"], e.get("error")) for e in report["inputs"]] == [
        (bad.name, "failed", "InputTooLargeError"), (RAW_2024.name, "ok", None)]
    assert pq.read_table(out / "tasks.parquet").num_rows == 23


@pytest.mark.parametrize("change, line", [
    (lambda d: replace(d, tasks=(replace(d.tasks[0], page_end=40_011), *d.tasks[1:])),
     "page 40,011, over the limit of 32,767 (tasks.page_end is int16)"),
    (lambda d: replace(d, tasks=(replace(d.tasks[0], section_no=128), *d.tasks[1:])),
     "section number 128, over the limit of 127 (tasks.section_no is int8)"),
    (lambda d: replace(d, tasks=(replace(d.tasks[0], task_no=40_000), *d.tasks[1:])),
     "task number 40,000, over the limit of 32,767 (tasks.task_no is int16)"),
    (lambda d: replace(d, tasks=(replace(d.tasks[0], clauses=tuple(
        replace(d.tasks[0].clauses[0], clause_no=i + 1) for i in range(32_768))), *d.tasks[1:])),
     "task 1 has 32,768 clauses, over the limit of 32,767 (tasks.n_clauses is int16)"),
    (lambda d: replace(d, issues=d.issues * (32_768 // len(d.issues) + 1)),
     "the document has {n} warnings, over the limit of 32,767 (documents.n_warnings is int16)"),
], ids=["40k-pages", "section-128", "task-40000", "32768-clauses", "32768-warnings"])
def test_every_integer_column_has_its_limit_checked_before_writing(doc_2024, change, line):
    big = change(doc_2024)
    with pytest.raises(InputTooLargeError) as e:
        check_fits(big, "big-2024.txt")
    line = line.format(n=f"{len(big.issues):,}")
    assert e.value.line() == f"big-2024.txt: {line} — {TOO_LARGE_HINT}"


def test_a_document_at_the_limits_passes(doc_2024):
    at_limit = replace(doc_2024, tasks=(
        replace(doc_2024.tasks[0], page_start=32_767, page_end=32_767, section_no=127),
        *doc_2024.tasks[1:]))
    check_fits(at_limit, "ok-2024.txt")  # no error: int16 and int8 hold these


def test_a_late_failure_of_one_document_keeps_the_others_with_keep_going(tmp_path, capsys,
                                                                          monkeypatch):
    real = pipeline.write.tables.document_json

    def document_json(d):  # a bug that shows only when this document is serialised
        j = real(d)
        return {**j, "broken": float("nan")} if d.doc_id == "late-2024" else j

    monkeypatch.setattr(pipeline.write.tables, "document_json", document_json)
    late = tmp_path / "late-2024.txt"
    late.write_bytes(RAW_2024.read_bytes())
    out = tmp_path / "out"
    rc, lines = run(capsys, str(late), str(RAW_2024), "--out", str(out), "--keep-going", "--quiet")
    assert rc == 1
    assert lines[0].startswith(f"{late}: internal error: ValueError: Out of range float values "
                               "are not JSON compliant")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in report["inputs"]] == ["failed", "ok"]


# ---- figures no float holds ------------------------------------------------------------------

def _clause(text: str) -> Clause:
    return Clause(task_no=4, clause_no=1, actor="各地区", text=text, page_start=1, page_end=1,
                  actor_known=True)


@pytest.mark.parametrize("figure", ["9" * 320, "1" * 16, "0." + "1" * 16, "1至" + "9" * 400])
def test_a_figure_too_long_for_a_float_is_no_target_but_a_warning(figure):
    clause = _clause(f"完成{figure}%以上存量专利盘点。")
    assert facts.targets(clause, ()) == ()
    (issue,) = facts.long_figures(clause)
    assert issue.code == "figure_too_long"
    assert "over the limit of 15 digits" in issue.message


def test_a_figure_of_15_digits_is_still_a_target():
    (t,) = facts.targets(_clause("完成123456789012345个专利盘点。"), ())
    assert t.value == 123456789012345.0
    assert facts.long_figures(_clause("完成123456789012345个专利盘点。")) == []


def test_tasks_json_is_strict_json_with_a_309_digit_figure(tmp_path, capsys):
    text = RAW_2024.read_text(encoding="utf-8").replace(
        "形成试点工作年度总结报告", "形成" + "9" * 320 + "%以上试点", 1)
    path = tmp_path / "inf-2024.txt"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    rc, lines = run(capsys, str(path), "--out", str(out))
    assert rc == 0
    assert any(line.startswith("  warning: inf-2024: task 4: a figure of 320 digits")
               for line in lines)
    for name in ("tasks.json", "report.json"):
        _strict((out / name).read_text(encoding="utf-8"))
    values = pq.read_table(out / "targets.parquet").column("value").to_pylist()
    assert all(abs(v) < 1e15 for v in values)


def test_dumps_refuses_nan_and_infinity():
    for bad in (float("inf"), float("-inf"), float("nan")):
        with pytest.raises(ValueError):
            dumps({"value": bad})
