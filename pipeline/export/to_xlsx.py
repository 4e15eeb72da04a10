"""xlsx: tasks.xlsx for Excel/WPS — one sheet per table plus a 说明 sheet, built with openpyxl.

Headers are Chinese (:mod:`pipeline.columns`; the 说明 sheet maps them to the English column
names of the data dictionary). Each sheet has a frozen header row and an autofilter; list cells
are joined with 、; dates are real date cells (yyyy-mm-dd), so they sort and filter as dates.
"""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from pipeline import columns
from pipeline.export import (
    LIST_SEPARATOR,
    TABLES,
    OutputSet,
    display_width,
    is_map_value,
    map_text,
)

#: Sheet order: the tasks first (the sheet a workbook opens on), the documents last.
SHEETS = (*(t for t in TABLES if t != "documents"), "documents")

#: Widest column, in character widths; longer text wraps in its cell.
MAX_WIDTH = 60
MIN_WIDTH = 6


def write(data: OutputSet, folder: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    from pipeline.write import schemas

    wb = Workbook(write_only=False)
    wb.remove(wb.active)
    wb.properties.title = "推动知识产权高质量发展任务清单"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")
    for table in SHEETS:
        names = schemas()[table].names
        ws = wb.create_sheet(columns.TABLE_NAMES[table][0])
        ws.append([columns.header(table, n) for n in names])
        for cell in ws[1]:
            cell.font, cell.fill = bold, fill
        for row in data.tables[table]:
            ws.append([_cell(row[n]) for n in names])
        for cell in (c for r in ws.iter_rows(min_row=2) for c in r):
            _fix_cell(cell)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = f"A1:{ws.cell(1, len(names)).column_letter}{max(ws.max_row, 1)}"
        for i in range(1, len(names) + 1):
            values = [ws.cell(1, i).value, *(ws.cell(r, i).value for r in range(2, ws.max_row + 1))]
            width = max(_width(v) for v in values) + 2
            ws.column_dimensions[ws.cell(1, i).column_letter].width = max(MIN_WIDTH,
                                                                          min(width, MAX_WIDTH))
            long_text = width > MAX_WIDTH
            for r in range(2, ws.max_row + 1):
                ws.cell(r, i).alignment = wrap if long_text else top
            if any(isinstance(v, date) for v in values[1:]):
                for r in range(2, ws.max_row + 1):
                    ws.cell(r, i).number_format = "yyyy-mm-dd"
    _explanations(wb, bold, fill, wrap)
    wb.save(folder / "tasks.xlsx")


def _explanations(wb: Any, bold: Any, fill: Any, wrap: Any) -> None:
    """The 说明 sheet: what each sheet holds, then every column's header, name, type and meaning."""
    from pipeline.write import schemas

    ws = wb.create_sheet("说明")
    ws.append(["工作表", "表 (table)", "每行 (one row per)"])
    for table in SHEETS:
        sheet, rows = columns.TABLE_NAMES[table]
        ws.append([sheet, table, rows])
    ws.append([])
    header_row = ws.max_row + 1
    ws.append(["工作表", "列 (header)", "列名 (column)", "类型 (type)", "含义 (meaning)"])
    for table in SHEETS:
        for field in schemas()[table]:
            ws.append([columns.TABLE_NAMES[table][0], columns.header(table, field.name),
                       field.name, _type_name(field.type), columns.meaning(table, field.name)])
    for r in (1, header_row):
        for cell in ws[r]:
            cell.font, cell.fill = bold, fill
    for letter, width in zip("ABCDE", (12, 16, 16, 14, 90)):
        ws.column_dimensions[letter].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = wrap
    ws.freeze_panes = f"A{header_row + 1}"


def _type_name(typ: Any) -> str:
    """pyarrow's type as the README writes it: ``list<string>``, ``int16``, ``date32`` …"""
    import pyarrow as pa

    if pa.types.is_map(typ):
        return f"map<{typ.key_type}, {typ.item_type}>"
    if pa.types.is_list(typ):
        return f"list<{typ.value_type}>"
    return "bool" if pa.types.is_boolean(typ) else str(typ)


def _cell(value: Any) -> Any:
    """A table value as a cell value: lists joined with 、, the rest as is (dates stay dates).

    Control characters, which the xlsx format cannot hold (readers drop them already), go.
    """
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if is_map_value(value):
        value = map_text(value)  # tasks.extra: {"备注": "…"}
    elif isinstance(value, (list, tuple)):
        value = LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def _fix_cell(cell: Any) -> None:
    """Text is text: a cell starting with = is shown as written, never run as a formula."""
    if isinstance(cell.value, str):
        cell.data_type = "s"


def _width(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, date):
        return 10
    return display_width(str(value))
