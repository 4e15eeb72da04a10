"""No section or task number vanishes: each is read, refused at its column's limit, or warned of.

A row numbered in a way the grammar could not take used to read as text of the row above:
``一百二十八、`` merged its section into the task before it (6 sections, exit 0), ``40000.``
its task (22 tasks, exit 0). Now every well-formed number is read — Chinese numerals with
百 and 千, 零/〇 inside, 两 — and one too large for its column is refused by the writer's limits
(tasks.section_no is int8, tasks.task_no int16) with a line naming it; what only looks like a
number (十十、, 一万、, eleven digits) is a ``numbering_not_understood`` warning. Inputs are the
2024 dump with one number changed, built at test time.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.build import extract_file
from pipeline.grammar import SECTION_RE, TASK_RE, cn_number
from pipeline.grammar.numbering import NUMBERING_LIKE
from tests.conftest import RAW_2024, dump_document
from tests.test_cli import run
from tests.test_limits import TOO_LARGE_HINT

_CN = "〇一二三四五六七八九"
LAST_SECTION = "七、"  # the 2024 list's last section row opens so
LAST_TASK = "23."  # and its last task row


def cn(n: int) -> str:
    """1 … 9999 in Chinese numerals as written: 十一, 一百一十, 一百零五, 一千零二十, 九千九百九十九."""
    if n < 20:
        return _CN[n] if n < 10 else "十" + (_CN[n - 10] if n > 10 else "")
    out, zero = "", False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = n // unit % 10
        if digit == 0:
            zero = bool(out)
            continue
        out += ("零" if zero else "") + _CN[digit] + name
        zero = False
    return out


def _list(tmp_path: Path, old: str, new: str, name: str = "list-2024.txt") -> Path:
    """The 2024 dump with the row opening ``old`` opening ``new`` instead."""
    text = RAW_2024.read_text(encoding="utf-8")
    assert text.count(f"\n{old}") == 1
    path = tmp_path / name
    path.write_text(text.replace(f"\n{old}", f"\n{new}"), encoding="utf-8")
    return path


def _outline(path: Path) -> tuple[list[int], list[int], list[tuple[str, str]]]:
    """Section numbers, task numbers and warnings (code, message) of the list at ``path``."""
    doc = extract_file(path)
    return ([s.section_no for s in doc.sections], [t.task_no for t in doc.tasks],
            [(i.code, i.message) for i in doc.issues if i.code != "latin_in_chinese"])


# ---- the numerals ----------------------------------------------------------------------------

def test_every_chinese_numeral_to_9999_is_a_section_number():
    for n in range(1, 10_000):
        m = SECTION_RE.match(f"{cn(n)}、标题")
        assert m is not None and cn_number(m["num"]) == n, cn(n)


@pytest.mark.parametrize("numeral, n", [
    ("一百〇五", 105), ("一百十", 110), ("两百", 200), ("两千零二十", 2020), ("一千零十", 1010),
    ("一〇", 10), ("〇", 0), ("十", 10)])
def test_other_spellings_of_numerals_read(numeral, n):
    m = SECTION_RE.match(f"（{numeral}）标题")
    assert m is not None and cn_number(m["num"]) == n


@pytest.mark.parametrize("line", ["十十、标题", "一百百、标题", "两、标题", "一万、标题", "百、标题",
                                  "1234567890.标题", "一千千、标题"])
def test_what_only_looks_like_a_number_is_no_row_but_numbering_like(line):
    assert SECTION_RE.match(line) is None and TASK_RE.match(line) is None
    assert NUMBERING_LIKE.match(line)


# ---- through the command: read, refused at the limit, or warned of ---------------------------

@pytest.mark.parametrize("old, new, line", [
    (LAST_SECTION, "一百二十八、", "section number 128, over the limit of 127 "
     "(tasks.section_no is int8)"),
    (LAST_SECTION, "两百、", "section number 200, over the limit of 127 "
     "(tasks.section_no is int8)"),
    (LAST_SECTION, "（九千九百九十九）", "section number 9,999, over the limit of 127 "
     "(tasks.section_no is int8)"),
    (LAST_TASK, "40000.", "task number 40,000, over the limit of 32,767 "
     "(tasks.task_no is int16)"),
    (LAST_TASK, "４００００．", "task number 40,000, over the limit of 32,767 "
     "(tasks.task_no is int16)"),
    (LAST_TASK, "999999999、", "task number 999,999,999, over the limit of 32,767 "
     "(tasks.task_no is int16)"),
], ids=["section-128", "section-200", "section-9999", "task-40000", "task-40000-full-width",
        "task-nine-digits"])
def test_a_number_past_its_column_is_refused_with_a_line(tmp_path, capsys, old, new, line):
    path = _list(tmp_path, old, new)
    out = tmp_path / "out"
    rc, lines = run(capsys, str(path), "--out", str(out))
    assert (rc, lines) == (2, [
        f"{path}: {line} — {TOO_LARGE_HINT}",
        f"nothing written: 1 of 1 input(s) failed; {out}/ is unchanged (use --keep-going to "
        "write the others)"])
    assert not out.exists()


@pytest.mark.parametrize("new, number", [("一百零七、", 107), ("一百〇七、", 107), ("（一百二十七）", 127)])
def test_a_large_section_number_that_fits_is_read(tmp_path, new, number):
    sections, tasks, warnings = _outline(_list(tmp_path, LAST_SECTION, new))
    assert sections == [1, 2, 3, 4, 5, 6, number]
    assert tasks == list(range(1, 24))
    assert warnings == [("numbering_gap", f"section {number} follows section 6")]


@pytest.mark.parametrize("old, new, number, task", [
    (LAST_SECTION, "一万、", "一万、", 20),
    (LAST_SECTION, "十十、", "十十、", 20),
    (LAST_SECTION, "一百百、", "一百百、", 20),
    (LAST_TASK, "12345678901.", "12345678901.", 22),
], ids=["ten-thousand", "ten-ten", "hundred-hundred", "eleven-digits"])
def test_a_number_the_grammar_cannot_take_is_warned_of(tmp_path, capsys, old, new, number, task):
    path = _list(tmp_path, old, new)
    sections, tasks, warnings = _outline(path)
    lost_section = old == LAST_SECTION
    assert (len(sections), len(tasks)) == ((6, 23) if lost_section else (7, 22))
    row = 49 if lost_section else 52
    page = 11
    text = next(line for line in path.read_text(encoding="utf-8").splitlines()
                if line.startswith(new)).split("\t")[0]
    warning = ("numbering_not_understood",
               f"row {row} (page {page}): {number!r} looks like a section or task number but is "
               f"none the grammar takes; read as text of task {task}: {text[:30]}")
    assert warnings == [warning]
    out = tmp_path / "out"
    rc, lines = run(capsys, str(path), "--out", str(out))
    assert rc == 0
    assert f"  warning: list-2024: {warning[1]}" in lines
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert {"code": warning[0], "task_no": task, "message": warning[1]} in (
        report["inputs"][0]["warnings"])


def test_a_section_row_with_text_beside_it_is_warned_of():
    """A section number in a row whose other cells hold text is no section row: warned of."""
    doc = dump_document(["一、全面强化知识产权宏观统筹\t\t",
                         "1.持续推进实施\t<p>各地区：强化导向。</p>\t<p>局内：办公室</p>",
                         "二、提高质量\t<p>各地区：做好。</p>\t"])
    assert [s.section_no for s in doc.sections] == [1]
    assert [(i.code, i.task_no) for i in doc.issues if i.code.startswith("numbering")] == [
        ("numbering_not_understood", 1)]


def test_the_2024_list_has_no_such_warning(doc_2024):
    assert not [i for i in doc_2024.issues if i.code == "numbering_not_understood"]
