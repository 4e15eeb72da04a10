"""Column roles read from a header row (pipeline.grammar.roles)."""
from __future__ import annotations

import pytest

from pipeline.errors import NoTaskTableError, TableRolesError
from pipeline.grammar import (
    STANDARD_LAYOUT,
    header_key,
    header_role,
    is_serial_text,
    match_header,
    normalize_ws,
    read_header,
)
from pipeline.models import RawCell, RawRow, RawTable
from pipeline.read.dump import read_dump


@pytest.mark.parametrize(("cells", "roles"), [
    (("重点任务", "工作举措", "任务分工"), "task/measures/division"),
    (("序号", "重点任务", "工作举措", "任务分工"), "serial/task/measures/division"),
    (("", "重点任务", "工作举措", "任务分工"), "extra/task/measures/division"),
    (("工作任务", "任务目标", "落实举措", "执行部门（单位）", "完成时间"),
     "task/objective/measures/division/due"),
    (("序号", "重点任务", "具体措施", "牵头单位", "完成时限"), "serial/task/measures/lead_units/due"),
    (("序号", "重点任务", "具体措施", "牵头单位", "配合单位", "时间节点"),
     "serial/task/measures/lead_units/support_units/due"),
    # 责任单位 beside 牵头单位 is the other half of the pair; beside 配合单位 the lead; alone, division.
    (("序号", "重点任务", "工作内容", "牵头单位", "责任单位", "完成时限"),
     "serial/task/measures/lead_units/support_units/due"),
    (("序号", "工作任务", "工作措施", "责任单位", "配合单位"),
     "serial/task/measures/lead_units/support_units"),
    (("序号", "工作任务", "工作措施", "责任部门", "完成时间"), "serial/task/measures/division/due"),
    # Two task columns: the broad one (left) is the group.
    (("序号", "重点任务", "具体任务", "责任单位", "成果形式", "完成时限"),
     "serial/group/task/division/outcome/due"),
    (("工作任务", "具体任务", "具体措施", "牵头部门"), "group/task/measures/lead_units"),
    # Unknown columns are kept as extras; a second column of a held role is one too.
    (("序号", "重点任务", "具体措施", "牵头单位", "完成时限", "备注"),
     "serial/task/measures/lead_units/due/extra"),
    (("重点任务", "具体措施", "完成时限", "时间节点"), "task/measures/due/extra"),
    # Spacing, full width, colons and parenthesised suffixes.
    (("序  号", "重 点 任 务", "具体措施：", "牵头单位（部门）", "完成时限(年月)"),
     "serial/task/measures/lead_units/due"),
    (("重点任务", "推进措施", "责任单位(部门)"), "task/measures/division"),
])
def test_header_roles(cells: tuple[str, ...], roles: str) -> None:
    layout = match_header(cells)
    assert layout is not None
    assert layout.role_names == roles
    # Headers are kept as written, whitespace normalised (none is left beside Chinese text).
    assert [c.header for c in layout.columns] == [normalize_ws(c) for c in cells]


@pytest.mark.parametrize("cells", [
    ("1. 持续推进《纲要》和《规划》实施", "国家知识产权局：制定计划。", "局内：办公室"),
    ("一、全面强化知识产权宏观统筹", "", ""),
    ("重点任务", "工作举措"),  # two columns
    ("序号", "重点任务", "工作举措", "任务分工", "牵头单位", "配合单位", "完成时限", "成果形式", "备注"),
    ("重点任务", "备注", "说明"),  # more unknown cells than known ones
    ("", "", ""),
])
def test_not_a_header(cells: tuple[str, ...]) -> None:
    assert match_header(cells) is None


def test_header_lacking_roles_names_what_is_missing() -> None:
    reading = read_header(("序号", "完成时限", "牵头单位", "备注"))
    assert reading is not None and reading.missing == ("task",)
    reading = read_header(("序号", "重点任务", "完成时限", "成果形式"))
    assert reading is not None and reading.missing == ("measures",)


def test_header_words() -> None:
    assert header_key("执行部门（单位）") == "执行部门"
    assert header_key(" 完 成\u3000时 限： ") == "完成时限"
    assert header_role("落实推进措施") == "measures"
    assert header_role("配合实施单位") == "support_units"
    # A data cell of a header's shape but with digits or sentence marks is none.
    assert header_role("1. 重点任务") is None
    assert header_role("加强知识产权保护工作，推动运用") is None


@pytest.mark.parametrize(("text", "serial"), [
    ("1", True), ("12", True), ("１２", True), ("1.2", True), ("（3）", True), ("三", True),
    ("1.", True), ("1. 加强", False), ("重点任务", False), ("", False),
])
def test_serial_text(text: str, serial: bool) -> None:
    assert is_serial_text(text) is serial


def test_layout_names_and_notes() -> None:
    layout = match_header(("序号", "重点任务", "具体措施", "完成时限", "备注"))
    assert layout is not None
    assert layout.name == "序号/重点任务/具体措施/完成时限/备注"
    assert layout.index("measures") == 2 and layout.index("division") is None
    assert [c.header for c in layout.extras] == ["备注"]
    assert layout.notes() == ("column 5 '备注' is not a known column; its text is kept in the "
                              "tasks' extra",)
    assert STANDARD_LAYOUT.name == "重点任务/工作举措/任务分工"


def test_raw_table_rows_must_fit_the_layout() -> None:
    row = RawRow((RawCell(("1. 甲",)), RawCell(("各地区：做。",))), page=1, row=3)
    with pytest.raises(ValueError, match=r"row 3 .* has 2 cells; the layout .* has 3"):
        RawTable(source="x", fmt="text", title="t", rows=(row,))


def _dump(*lines: str) -> bytes:
    return "\n".join(["## 2025年某省知识产权工作任务清单", "", *lines]).encode("utf-8")


def test_dump_reads_any_layout() -> None:
    table = read_dump(_dump("序号\t重点任务\t具体措施\t牵头单位\t完成时限\t备注",
                            "1\t加强专利保护\t<p>建立快速维权机制。</p>\t省知识产权局\t2025年9月\t新增"),
                      "p.txt")
    assert table.layout.role_names == "serial/task/measures/lead_units/due/extra"
    assert len(table.rows) == 1 and len(table.rows[0].cells) == 6
    assert table.rows[0].cells[4].paragraphs == ("2025年9月",)
    assert any("备注" in note for note in table.notes)


def test_dump_row_with_wrong_width_names_the_width() -> None:
    data = _dump("序号\t重点任务\t具体措施\t牵头单位\t完成时限", "1\t加强专利保护\t做。\t省局",
                 "2\t乙\t做。\t省局\t年底前")
    with pytest.raises(Exception, match=r"line 4 has 4 tab-separated cells, expected 5"):
        read_dump(data, "p.txt")


def test_dump_header_without_task_column_names_cells_and_roles() -> None:
    data = _dump("序号\t完成时限\t牵头单位\t备注", "1\t年底前\t省局\t无")
    with pytest.raises(TableRolesError) as caught:
        read_dump(data, "p.txt")
    assert isinstance(caught.value, NoTaskTableError)
    assert caught.value.cause == ("line 3 looks like the table header (序号 / 完成时限 / 牵头单位 / 备注) "
                                  "but has no task column (重点任务, 工作任务, 具体任务 …)")
