"""Exports (--format xlsx,csv,ics,sqlite; the export subcommand), each read back by its reader."""
from __future__ import annotations

import csv
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from pipeline import columns
from pipeline.cli import main
from pipeline.export import FORMATS, TABLES, OutputSet, from_documents, read_output_set
from pipeline.export.to_xlsx import SHEETS
from pipeline.output_folder import MANIFEST
from pipeline.write import schemas, table_rows
from tests.conftest import RAW_2024, ROOT
from tests.outputs import snapshot

ZH_SHEETS = [columns.TABLE_NAMES[t][0] for t in SHEETS]


@pytest.fixture(scope="module")
def out_all(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("all") / "output"
    assert main(["extract", str(RAW_2024), "-o", str(out), "--format", "all", "--quiet"]) == 0
    return out


@pytest.fixture(scope="module")
def rows(doc_2024: Any) -> dict[str, list[dict[str, Any]]]:
    return table_rows([doc_2024])


def test_every_format_writes_exactly_the_files_its_registry_entry_names(tmp_path, doc_2024):
    data = from_documents([doc_2024], {"inputs": [], "counts": {}})
    for name, fmt in FORMATS.items():
        folder = tmp_path / name
        folder.mkdir()
        fmt.write(data, folder)
        written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
        assert written == sorted(fmt.files), name


def test_format_all_writes_every_format_and_report_json(out_all):
    files = {str(p.relative_to(out_all)) for p in out_all.rglob("*") if p.is_file()}
    expected = {f for fmt in FORMATS.values() for f in fmt.files} | {"report.json"}
    assert expected <= files


# ---- xlsx ------------------------------------------------------------------------------------

def _display(value: Any) -> str:
    """How a spreadsheet shows a table value (the expectation for LibreOffice's CSV)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, list):
        return "、".join(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def test_xlsx_has_a_sheet_per_table_with_chinese_headers_frozen_and_filtered(out_all, rows):
    from openpyxl import load_workbook

    wb = load_workbook(out_all / "tasks.xlsx")
    assert wb.sheetnames == [*ZH_SHEETS, "说明"]
    for table, sheet in zip(SHEETS, ZH_SHEETS):
        ws = wb[sheet]
        names = schemas()[table].names
        assert [c.value for c in ws[1]] == [columns.COLUMNS[table][n][0] for n in names]
        assert ws.freeze_panes == "A2"
        last = ws.cell(1, len(names)).column_letter
        assert ws.auto_filter.ref == f"A1:{last}{len(rows[table]) + 1}"
        assert ws.max_row == len(rows[table]) + 1
        for i in range(1, len(names) + 1):
            width = ws.column_dimensions[ws.cell(1, i).column_letter].width
            assert 6 <= width <= 60, (table, names[i - 1], width)


def test_xlsx_cells_join_lists_with_the_enumeration_comma_and_keep_dates_as_dates(out_all, rows):
    from openpyxl import load_workbook

    wb = load_workbook(out_all / "tasks.xlsx")
    tasks = wb[columns.TABLE_NAMES["tasks"][0]]
    headers = [c.value for c in tasks[1]]
    five = next(r for r in tasks.iter_rows(min_row=2, values_only=True)
                if r[headers.index("任务序号")] == 5)
    assert five[headers.index("局内单位")] == "条法司、专利局审业部、自动化部、商标局"
    deadlines = wb[columns.TABLE_NAMES["deadlines"][0]]
    due_col = [c.value for c in deadlines[1]].index("截止日期") + 1
    cells = [deadlines.cell(r, due_col) for r in range(2, deadlines.max_row + 1)]
    assert [c.value for c in cells] == [datetime.combine(r["due"], datetime.min.time())
                                        for r in rows["deadlines"]]
    assert all(c.is_date and c.number_format == "yyyy-mm-dd" for c in cells)
    # The long text wraps in its column instead of widening it past the screen.
    measures = tasks.cell(2, headers.index("工作举措") + 1)
    assert measures.alignment.wrap_text


def test_xlsx_explanation_sheet_gives_every_column_its_name_type_and_readme_meaning(out_all):
    from openpyxl import load_workbook

    ws = load_workbook(out_all / "tasks.xlsx")["说明"]
    lines = [r for r in ws.iter_rows(values_only=True) if any(r)]
    listed = {(r[0], r[2]): r for r in lines if len(r) >= 5 and r[2] and r[0] in ZH_SHEETS}
    for table, sheet in zip(SHEETS, ZH_SHEETS):
        for field in schemas()[table]:
            row = listed[(sheet, field.name)]
            assert row[1] == columns.COLUMNS[table][field.name][0]
            assert row[4] == columns.meaning(table, field.name) and row[4]
    assert listed[("重点任务", "actors")][3] == "list<string>"


def test_xlsx_text_that_looks_like_a_formula_stays_text(tmp_path, rows):
    from openpyxl import load_workbook

    from pipeline.export import to_xlsx

    tasks = [dict(r) for r in rows["tasks"]]
    tasks[0]["task_title"] = "=HYPERLINK(\"http://x\",\"y\")"
    tasks[1]["task_title"] = "控制\x07字符"
    data = OutputSet(tables={**rows, "tasks": tasks}, report={})
    to_xlsx.write(data, tmp_path)
    ws = load_workbook(tmp_path / "tasks.xlsx")["重点任务"]
    col = [c.value for c in ws[1]].index("重点任务") + 1
    assert ws.cell(2, col).data_type == "s"
    assert ws.cell(2, col).value == "=HYPERLINK(\"http://x\",\"y\")"
    assert ws.cell(3, col).value == "控制字符"


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("LibreOffice (soffice) is missing in CI: .ci/run installs "
                        "libreoffice-calc-nogui")
        pytest.skip("LibreOffice is not installed (apt-get install libreoffice-calc-nogui)")
    return found


def test_libreoffice_calc_opens_the_xlsx_and_reads_every_cell_back(out_all, rows, tmp_path):
    soffice = _soffice()
    # Field separator, quote, UTF-8, from line 1, —, —, —, —, cells as shown, —, —, every sheet.
    filt = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
    profile = (tmp_path / "lo-profile").as_uri()  # its own profile: no clash with another soffice
    done = subprocess.run([soffice, "--headless", "--norestore", f"-env:UserInstallation={profile}",
                           "--convert-to", filt, "--outdir", str(tmp_path / "csv"),
                           str(out_all / "tasks.xlsx")],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    for table, sheet in zip(SHEETS, ZH_SHEETS):
        path = tmp_path / "csv" / f"tasks-{sheet}.csv"
        with open(path, encoding="utf-8", newline="") as f:
            got = list(csv.reader(f))
        names = schemas()[table].names
        assert got[0] == [columns.COLUMNS[table][n][0] for n in names]
        assert got[1:] == [[_display(r[n]) for n in names] for r in rows[table]], table
    assert (tmp_path / "csv" / "tasks-说明.csv").is_file()


# ---- csv -------------------------------------------------------------------------------------

@pytest.mark.parametrize("table", TABLES)
def test_csv_is_utf8_with_bom_one_file_per_table_with_the_schema_columns(out_all, rows, table):
    raw = (out_all / "csv" / f"{table}.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    with open(out_all / "csv" / f"{table}.csv", encoding="utf-8-sig", newline="") as f:
        got = list(csv.DictReader(f))
    names = schemas()[table].names
    assert got and list(got[0]) == names
    assert len(got) == len(rows[table])


def test_csv_values_lists_dates_and_nulls(out_all, rows):
    def read(table: str) -> list[dict[str, str]]:
        with open(out_all / "csv" / f"{table}.csv", encoding="utf-8-sig", newline="") as f:
            return list(csv.DictReader(f))

    tasks = read("tasks")
    assert next(t for t in tasks if t["task_no"] == "5")["departments"] == \
        "条法司、专利局审业部、自动化部、商标局"
    assert [d["due"] for d in read("deadlines")] == [r["due"].isoformat()
                                                     for r in rows["deadlines"]]
    clause_nos = [a["clause_no"] for a in read("assignments")]
    assert "" in clause_nos and clause_nos == [
        "" if r["clause_no"] is None else str(r["clause_no"]) for r in rows["assignments"]]
    clauses = read("clauses")
    assert [c["text"] for c in clauses] == [r["text"] for r in rows["clauses"]]  # \n kept
    assert {c["actor_known"] for c in clauses} <= {"true", "false"}


# ---- ics -------------------------------------------------------------------------------------

def test_ics_has_one_all_day_event_per_deadline_and_parses_back(out_all, rows):
    from icalendar import Calendar

    cal = Calendar.from_ical((out_all / "deadlines.ics").read_bytes())
    events = list(cal.walk("VEVENT"))
    assert len(events) == len(rows["deadlines"]) > 0
    titles = {r["task_no"]: r["task_title"] for r in rows["tasks"]}
    for event, row in zip(events, rows["deadlines"]):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        assert type(start) is date and start == row["due"]  # all-day, not a datetime
        assert end == row["due"] + timedelta(days=1)
        summary = str(event["summary"])
        assert titles[row["task_no"]] in summary and row["actor"] in summary
        assert str(event["description"]).startswith(row["action"])
        assert row["expression"] in str(event["description"])
        assert event.decoded("dtstamp")
    uids = [str(e["uid"]) for e in events]
    assert len(set(uids)) == len(uids)
    assert uids[0] == (f"{rows['deadlines'][0]['doc_id']}-task{rows['deadlines'][0]['task_no']}-"
                       f"clause{rows['deadlines'][0]['clause_no']}-"
                       f"char{rows['deadlines'][0]['char_start']}@cnipa-tasklist-pipeline")
    assert str(cal["version"]) == "2.0" and "prodid" in cal


def test_ics_uids_are_the_same_in_every_run(out_all, tmp_path):
    from icalendar import Calendar

    again = tmp_path / "again"
    assert main(["extract", str(RAW_2024), "-o", str(again), "--format", "ics", "--quiet"]) == 0

    def uids(path: Path) -> list[str]:
        return [str(e["uid"]) for e in Calendar.from_ical(path.read_bytes()).walk("VEVENT")]

    assert uids(again / "deadlines.ics") == uids(out_all / "deadlines.ics")


# ---- sqlite ----------------------------------------------------------------------------------

def test_sqlite_holds_every_table_with_lists_as_json(out_all, rows):
    db = sqlite3.connect(out_all / "tasks.db")
    for table in TABLES:
        cols = [r[1] for r in db.execute(f"pragma table_info({table})")]
        assert cols == schemas()[table].names
        assert db.execute(f"select count(*) from {table}").fetchone()[0] == len(rows[table])
    (deps,) = db.execute("select departments from tasks where task_no = 5").fetchone()
    assert json.loads(deps) == ["条法司", "专利局审业部", "自动化部", "商标局"]
    units = db.execute("select count(*) from assignments, json_each(assignments.units)").fetchone()
    assert units[0] == sum(len(r["units"]) for r in rows["assignments"])
    dues = [r[0] for r in db.execute("select due from deadlines order by rowid")]
    assert dues == [r["due"].isoformat() for r in rows["deadlines"]]
    (title,) = db.execute("select title from documents").fetchone()
    assert "任务清单" in title


def test_sqlite_full_text_search_finds_chinese_text(out_all, rows):
    assert sqlite3.sqlite_version_info >= (3, 34, 0), "the trigram tokenizer needs SQLite 3.34"
    db = sqlite3.connect(out_all / "tasks.db")
    term = "质押融资"
    hits = db.execute("select c.task_no, c.clause_no from clauses_fts f "
                      "join clauses c on c.rowid = f.rowid where clauses_fts match ? "
                      "order by c.rowid", (f'"{term}"',)).fetchall()
    expected = [(r["task_no"], r["clause_no"]) for r in rows["clauses"] if term in r["text"]]
    assert hits == expected and hits
    tasks = db.execute("select count(*) from tasks_fts where tasks_fts match ?",
                       ('"知识产权保护"',)).fetchone()[0]
    assert tasks == sum("知识产权保护" in (r["task_title"] + r["measures"] + r["division"])
                        for r in rows["tasks"]) > 0
    # The way datasette finds a table's full-text index (content="table").
    fts = db.execute("select name from sqlite_master where rootpage = 0 and "
                     "sql like '%VIRTUAL TABLE%USING FTS%content=\"clauses\"%'").fetchall()
    assert fts == [("clauses_fts",)]


def test_sqlite_without_trigram_support_is_one_clear_error(tmp_path, rows, monkeypatch):
    from pipeline.errors import ExportError
    from pipeline.export import to_sqlite

    monkeypatch.setattr(to_sqlite.sqlite3, "sqlite_version_info", (3, 31, 1))
    with pytest.raises(ExportError, match="trigram"):
        to_sqlite.write(OutputSet(tables=rows, report={}), tmp_path)


# ---- export from a written output set --------------------------------------------------------

def test_export_adds_formats_that_match_those_of_extract(out_all, tmp_path, capsys):
    out = tmp_path / "output"
    assert main(["extract", str(RAW_2024), "-o", str(out), "--quiet"]) == 0
    before = snapshot(out)
    capsys.readouterr()
    assert main(["export", str(out), "--format", "xlsx,csv,ics,sqlite"]) == 0
    err = capsys.readouterr().err
    assert err.strip() == f"exported tasks.xlsx, csv/, deadlines.ics, tasks.db into {out}/"
    after = snapshot(out)
    kept = {k: v for k, v in after.items() if k in before and k != MANIFEST}
    assert kept == {k: v for k, v in before.items() if k != MANIFEST}  # the set is kept as it was
    _manifest_is_true(out)
    for table in TABLES:
        assert (out / "csv" / f"{table}.csv").read_bytes() == \
            (out_all / "csv" / f"{table}.csv").read_bytes()
    _same_workbook(out / "tasks.xlsx", out_all / "tasks.xlsx")
    _same_database(out / "tasks.db", out_all / "tasks.db")
    assert _without_stamps(out / "deadlines.ics") == _without_stamps(out_all / "deadlines.ics")


def test_export_again_replaces_the_formats_files(tmp_path):
    out = tmp_path / "output"
    assert main(["extract", str(RAW_2024), "-o", str(out), "--quiet", "--format",
                 "parquet,json,csv"]) == 0
    first = snapshot(out)
    assert main(["export", str(out), "--format", "csv", "--quiet"]) == 0
    assert snapshot(out) == first  # the same files, the same manifest
    _manifest_is_true(out)
    assert main(["extract", str(RAW_2024), "-o", str(out), "--quiet"]) == 0  # still ours


def test_export_needs_a_written_output_set(tmp_path, capsys):
    capsys.readouterr()
    assert main(["export", str(tmp_path / "none"), "--format", "csv"]) == 2
    assert capsys.readouterr().err.splitlines() == [
        f"{tmp_path / 'none'}: no such output folder — name a folder written by `extract` with "
        "the parquet format (the default), or run extract again"]
    only_xlsx = tmp_path / "xlsx-only"
    assert main(["extract", str(RAW_2024), "-o", str(only_xlsx), "--format", "xlsx",
                 "--quiet"]) == 0
    before = snapshot(only_xlsx)
    assert main(["export", str(only_xlsx), "--format", "csv"]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"{only_xlsx}: has no Parquet tables (written without the parquet "
                           "format?) — ")
    assert snapshot(only_xlsx) == before and not (only_xlsx / "csv").exists()


def test_export_refuses_a_folder_that_is_not_an_output_set(tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert main(["export", str(mine), "--format", "csv"]) == 2
    assert "holds notes.txt, which this pipeline did not write" in capsys.readouterr().err
    assert sorted(p.name for p in mine.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize("argv, message", [
    (["extract", "--format", "xls"], "unknown format 'xls'"),
    (["extract", "--format", ","], "give at least one format"),
    (["export", "out", "--format", "parquet"], "parquet is written by extract"),
    (["export", "out"], "the following arguments are required: --format"),
])
def test_a_bad_format_list_is_a_usage_error_of_its_subcommand(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(f"usage: python -m pipeline {argv[0]} ") or \
        err.startswith(f"usage: {Path(sys.argv[0]).name} {argv[0]} ")
    assert message in err


def test_read_output_set_gives_the_rows_extract_wrote(out_all, rows):
    data = read_output_set(out_all)
    assert {t: list(data.tables[t]) for t in TABLES} == rows
    assert data.tables["documents"][0]["title"] == "2024年推动知识产权高质量发展任务清单"


@pytest.fixture(scope="module")
def imports_seen(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    """One process of its own for the two import tests below: the heavy libraries imported
    once the package, its CLI and the exports are imported (nothing else done yet), then
    whether pandas is imported after an extraction and the writers' run on it (what it wrote
    is in the folder returned)."""
    out = tmp_path_factory.mktemp("writers")
    code = ("import json, sys, pipeline, pipeline.cli, pipeline.export; "
            "heavy = {'pandas', 'pyarrow', 'openpyxl', 'icalendar', 'tqdm', 'pdfplumber', "
            "'jieba'} & set(sys.modules); "
            "from pathlib import Path; from pipeline.build import extract_file; "
            "from pipeline.export import from_documents, write_formats; "
            f"data = from_documents([extract_file(Path({str(RAW_2024)!r}))], {{}}); "
            f"write_formats(data, Path({str(out)!r}), ['xlsx', 'csv', 'ics', 'sqlite']); "
            "print(json.dumps({'heavy': sorted(heavy), 'pandas': 'pandas' in sys.modules}))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), out


def test_the_export_writers_never_import_pandas(imports_seen):
    # Only the writers: pyarrow itself imports pandas when it builds its first array, which
    # the Parquet writer and write.check_fits do.
    seen, out = imports_seen
    assert seen["pandas"] is False, "pandas imported"
    assert (out / "tasks.db").is_file()


def test_importing_the_package_and_its_cli_loads_no_heavy_library(imports_seen):
    seen, _ = imports_seen
    assert seen["heavy"] == []


def test_every_file_of_every_format_is_in_the_manifest(out_all):
    listed = _manifest_is_true(out_all)
    assert {f for fmt in FORMATS.values() for f in fmt.files} | {"report.json"} == set(listed)


def test_a_file_put_into_csv_is_the_users_and_stops_the_next_run(tmp_path, capsys):
    out = tmp_path / "output"
    assert main(["extract", str(RAW_2024), "-o", str(out), "--format", "csv", "--quiet"]) == 0
    assert main(["extract", str(RAW_2024), "-o", str(out), "--format", "csv", "--quiet"]) == 0
    (out / "csv" / "my-notes.csv").write_text("mine", encoding="utf-8")
    capsys.readouterr()
    assert main(["extract", str(RAW_2024), "-o", str(out), "--quiet"]) == 2
    assert "holds csv/my-notes.csv, which this pipeline did not write" in capsys.readouterr().err
    (out / "csv" / "my-notes.csv").unlink()
    (out / "csv" / "tasks.csv").write_text("edited", encoding="utf-8")
    assert main(["export", str(out), "--format", "xlsx", "--quiet"]) == 2
    assert "holds csv/tasks.csv, which was changed after" in capsys.readouterr().err
    assert (out / "csv" / "tasks.csv").read_text(encoding="utf-8") == "edited"


# ---- helpers ---------------------------------------------------------------------------------

def _manifest_is_true(out: Path) -> dict[str, str]:
    """The manifest lists every file of the set but itself, each with its SHA-256."""
    listed: dict[str, str] = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["files"]
    files = {k: v for k, v in snapshot(out).items() if k != MANIFEST}
    assert listed == files
    return listed


def _same_workbook(a: Path, b: Path) -> None:
    from openpyxl import load_workbook

    wa, wb = load_workbook(a), load_workbook(b)
    assert wa.sheetnames == wb.sheetnames
    for name in wa.sheetnames:
        assert list(wa[name].values) == list(wb[name].values), name


def _same_database(a: Path, b: Path) -> None:
    da, db = sqlite3.connect(a), sqlite3.connect(b)
    query = "select name, sql from sqlite_master order by name"
    assert da.execute(query).fetchall() == db.execute(query).fetchall()
    for table in TABLES:
        q = f"select * from {table} order by rowid"
        assert da.execute(q).fetchall() == db.execute(q).fetchall(), table


def _without_stamps(path: Path) -> list[str]:
    return [line for line in path.read_text(encoding="utf-8").splitlines()
            if not line.startswith("DTSTAMP")]
