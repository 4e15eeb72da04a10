"""The command line: exit codes, one line per failure, the output folder and its swap, warnings."""
from __future__ import annotations

import errno
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import pipeline.build
import pipeline.output_folder
import pipeline.read
import pipeline.read.pdf
import pipeline.write
from pipeline.build import extract_file
from pipeline.cli import main
from pipeline.errors import OutputError
from pipeline.write import check_output_folder
from tests.conftest import RAW_2024, ROOT
from tests.equivalence import assert_same_content
from tests.outputs import leftovers, nothing_written, out, previous_output, snapshot  # noqa: F401 (fixtures)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str]]:
    """``main`` in-process: its exit code and stderr lines (stdout must stay empty)."""
    capsys.readouterr()
    rc = main(["extract", *argv])
    captured = capsys.readouterr()
    assert captured.out == ""
    return rc, captured.err.splitlines()


def dead_pid() -> int:
    """A process id no process has now."""
    for pid in range(4_000_000, 3_000_000, -1):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return pid
        except PermissionError:
            continue
    raise AssertionError("no free pid found")


# ---- inputs that are fine, in other encodings and spellings ----------------------------------

def _utf16le_bom(data: bytes) -> bytes:
    return b"\xff\xfe" + data.decode("utf-8").encode("utf-16-le")


def _utf16be_no_bom(data: bytes) -> bytes:
    return data.decode("utf-8").encode("utf-16-be")


def _gb18030(data: bytes) -> bytes:
    return data.decode("utf-8").encode("gb18030")


def _crlf(data: bytes) -> bytes:
    return data.replace(b"\n", b"\r\n")


def _trailing_tabs(data: bytes) -> bytes:
    return b"\n".join(line + b"\t\t" if line.count(b"\t") == 2 else line
                      for line in data.split(b"\n"))


def _stray_nul(data: bytes) -> bytes:
    at = data.index("加强统计监测".encode())
    return data[:at] + b"\x00" + data[at:]


@pytest.mark.parametrize("convert, note", [
    (_utf16le_bom, None),
    (_utf16be_no_bom, "no byte-order mark; decoded as UTF-16-BE"),
    (_gb18030, "not UTF-8; decoded as GB18030"),
    (_crlf, None),
    (_trailing_tabs, None),
    (_stray_nul, "dropped 1 control character(s) (NUL and the like)"),
], ids=["utf16-le-bom", "utf16-be-without-bom", "gb18030", "crlf", "trailing-tabs", "stray-nul"])
def test_other_encodings_and_line_ends_give_the_same_data(convert, note, tmp_path, doc_2024,
                                                          capsys):
    path = tmp_path / "cnipa-2024-task-list.txt"
    path.write_bytes(convert(RAW_2024.read_bytes()))
    rc, lines = run(capsys, str(path), "--out", str(tmp_path / "out"))
    assert rc == 0
    assert_same_content(extract_file(path), doc_2024)
    notes = [line for line in lines if line.startswith("  note: ")]
    assert notes == ([f"  note: {path}: {note}"] if note else [])


def test_content_wins_over_extension_and_the_note_says_so(tmp_path, doc_2024, capsys):
    path = tmp_path / "cnipa-2024-task-list.pdf"
    path.write_bytes(RAW_2024.read_bytes())
    rc, lines = run(capsys, str(path), "--out", str(tmp_path / "out"))
    assert rc == 0
    note = f"{path}: the extension .pdf says PDF but the content is text; read as text"
    assert f"  note: {note}" in lines
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["inputs"][0]["notes"] == [note]
    assert_same_content(extract_file(path), doc_2024)


def test_the_same_file_named_twice_is_read_once(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(RAW_2024.parent)
    rc, _ = run(capsys, RAW_2024.name, f"./{RAW_2024.name}", str(RAW_2024),
                "--out", str(tmp_path / "out"), "--quiet")
    assert rc == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert len(report["inputs"]) == 1


def test_an_error_is_one_line_whatever_the_file_name(tmp_path, capsys):
    odd = tmp_path / "two\nlines.txt"
    rc, lines = run(capsys, str(odd), "--out", str(tmp_path / "out"))
    assert rc == 2
    assert lines[0] == (f"{tmp_path}/two\\nlines.txt: no such file — check the path, or put the "
                        "file in raw/")


def test_an_html_page_cut_inside_its_table_is_refused(tmp_path, out, capsys):
    page = tmp_path / "cut-2024.html"
    page.write_text("<html><body><table><tr><td>重点任务</td><td>工作举措</td><td>任务分工</td></tr>"
                    "<tr><td>1. 持续推进", encoding="utf-8")
    before = snapshot(out)
    rc, lines = run(capsys, str(page), "--out", str(out))
    assert rc == 2
    assert lines[0] == (f"{page}: the page ends inside a table (1 <table> tags, 0 closed, no "
                        "</html> at the end) — the file is cut short (an interrupted download?); "
                        "download it again")
    assert snapshot(out) == before


# ---- the run as a whole ----------------------------------------------------------------------

def test_two_inputs_with_one_stem_the_second_fails(tmp_path, out, capsys):
    other = tmp_path / "other" / RAW_2024.name
    other.parent.mkdir()
    other.write_bytes(RAW_2024.read_bytes())
    before = snapshot(out)
    rc, lines = run(capsys, str(RAW_2024), str(other), "--out", str(out))
    assert rc == 2
    assert lines == [f"{other}: has the same doc_id 'cnipa-2024-task-list' as {RAW_2024} — "
                     "two inputs share a file stem; rename one, since doc_id is the file's stem",
                     nothing_written(out, 1, 2)]
    assert snapshot(out) == before
    rc, lines = run(capsys, str(RAW_2024), str(other), "--out", str(out), "--keep-going", "--quiet")
    assert rc == 2
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(e["status"], e.get("error")) for e in report["inputs"]] == [
        ("ok", None), ("failed", "DuplicateDocIdError")]


def test_no_inputs_and_no_raw_folder(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    rc, lines = run(capsys)
    assert rc == 2
    assert lines == ["raw: no input files given and no raw/ folder here — run from the project "
                     "folder, copy a task list into raw/, or name the input files"]


def test_keep_going_with_every_input_failing_writes_nothing(tmp_path, out, capsys):
    before = snapshot(out)
    rc, lines = run(capsys, str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                    "--out", str(out), "--keep-going")
    assert rc == 2
    assert lines[2:] == [f"nothing written: all 2 input(s) failed; {out}/ is unchanged"]
    assert snapshot(out) == before


def test_without_keep_going_one_failure_writes_nothing(tmp_path, out, capsys):
    before = snapshot(out)
    rc, lines = run(capsys, str(RAW_2024), str(tmp_path / "gone.txt"), "--out", str(out))
    assert rc == 2
    assert lines == [f"{tmp_path / 'gone.txt'}: no such file — check the path, or put the file in raw/",
                     nothing_written(out, 1, 2)]
    assert snapshot(out) == before


def test_debug_shows_the_traceback_and_the_library_cause(tmp_path, capsys):
    bad = tmp_path / "noise.txt"
    bad.write_bytes(bytes(range(0x81, 0xFF)) * 20)
    rc, lines = run(capsys, str(bad), "--out", str(tmp_path / "out"), "--debug")
    assert rc == 2
    text = "\n".join(lines)
    assert "Traceback" in text
    assert lines[0].startswith(f"{bad}: ")


def test_an_unreadable_file_is_one_line(tmp_path, out, capsys, monkeypatch):
    # Tests run as root, where chmod 000 does not stop reading: make open() refuse instead.
    def refuse(*args, **kwargs):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))

    monkeypatch.setattr(pipeline.read, "open", refuse, raising=False)
    before = snapshot(out)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(out))
    assert rc == 2
    assert lines[0] == (f"{RAW_2024}: cannot read it (Permission denied) — check the file's "
                        "permissions and that it is a regular file")
    assert snapshot(out) == before


# ---- bugs and library exceptions -------------------------------------------------------------

def test_a_bug_is_one_line_exit_1_and_the_others_still_run(tmp_path, out, capsys, monkeypatch):
    real = pipeline.build.build_document

    def buggy(loaded, table):
        if loaded.path.name == "buggy.txt":
            raise ZeroDivisionError("division by zero")
        return real(loaded, table)

    monkeypatch.setattr(pipeline.build, "build_document", buggy)
    buggy_file = tmp_path / "buggy.txt"
    buggy_file.write_bytes(RAW_2024.read_bytes())
    before = snapshot(out)
    rc, lines = run(capsys, str(buggy_file), str(RAW_2024), "--out", str(out))
    assert rc == 1
    assert lines == [f"{buggy_file}: internal error: ZeroDivisionError: division by zero — this is "
                     "a bug in the pipeline; rerun with --debug and report the traceback",
                     nothing_written(out, 1, 2)]
    assert snapshot(out) == before
    rc, lines = run(capsys, str(buggy_file), str(RAW_2024), "--out", str(out), "--keep-going",
                    "--quiet")
    assert rc == 1
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(e["file"], e["status"]) for e in report["inputs"]] == [
        ("buggy.txt", "failed"), (RAW_2024.name, "ok")]
    assert report["inputs"][0]["error"] == "InternalError"


def test_a_parser_library_exception_is_damaged_input_not_a_bug(tmp_path, out, capsys,
                                                                monkeypatch):
    import io

    from pdfminer.pdfparser import PDFParser

    def read_pdf(data, source):
        PDFParser(io.BytesIO(b"")).nextobject()  # raises inside pdfminer, as a broken file does

    monkeypatch.setattr(pipeline.read.pdf, "read_pdf", read_pdf)
    bad = tmp_path / "broken-2024.pdf"
    bad.write_bytes(b"%PDF-1.7\n")
    before = snapshot(out)
    rc, lines = run(capsys, str(bad), "--out", str(out))
    assert rc == 2
    assert lines[0] == (f"{bad}: pdfminer cannot parse it (PSEOF: Unexpected EOF) — download it "
                        "again, or take the HTML page of the list")
    assert snapshot(out) == before


def test_an_exception_of_our_own_reader_stays_a_bug(tmp_path, capsys, monkeypatch):
    def read_pdf(data, source):
        raise ValueError("oops")

    monkeypatch.setattr(pipeline.read.pdf, "read_pdf", read_pdf)
    bad = tmp_path / "x.pdf"
    bad.write_bytes(b"%PDF-1.7\n")
    rc, lines = run(capsys, str(bad), "--out", str(tmp_path / "out"))
    assert rc == 1
    assert lines[0].startswith(f"{bad}: internal error: ValueError: oops — this is a bug")


def test_parser_library_warnings_become_notes_not_stray_lines(tmp_path, capsys, monkeypatch):
    import logging
    import warnings

    from pipeline.read.dump import read_dump

    def read_pdf(data, source):
        logging.getLogger("pdfminer.pdfinterp").warning("Cannot set gray non-stroke color")
        logging.getLogger("pdfminer.pdfinterp").warning("Cannot set gray non-stroke color")
        warnings.warn("looks odd", UserWarning, stacklevel=1)
        return read_dump(data[len(b"%PDF-1.7\n"):], source)

    monkeypatch.setattr(pipeline.read.pdf, "read_pdf", read_pdf)
    path = tmp_path / "cnipa-2024-task-list.pdf"
    path.write_bytes(b"%PDF-1.7\n" + RAW_2024.read_bytes())
    rc, lines = run(capsys, str(path), "--out", str(tmp_path / "out"))
    assert rc == 0
    notes = [line for line in lines if line.startswith("  note: ")]
    assert notes == [
        f"  note: {path}: pdfminer warned while reading it: Cannot set gray non-stroke color (×2)",
        f"  note: {path}: python warned while reading it: UserWarning: looks odd",
    ]
    assert all(line.startswith(("extracted ", "  ")) for line in lines)


# ---- Ctrl-C ----------------------------------------------------------------------------------

def test_ctrl_c_while_reading_leaves_the_output_and_exits_130(out, capsys, monkeypatch):
    def interrupted(path):
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline.build, "extract_file", interrupted)
    before = snapshot(out)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(out))
    assert (rc, lines) == (130, [f"interrupted — {out}/ is unchanged"])
    assert snapshot(out) == before


def test_sigterm_is_handled_like_ctrl_c(out, capsys, monkeypatch):
    import signal

    def killed(path):
        os.kill(os.getpid(), signal.SIGTERM)
        raise AssertionError("SIGTERM did not stop the run")  # pragma: no cover

    monkeypatch.setattr(pipeline.build, "extract_file", killed)
    before = snapshot(out)
    previous = signal.getsignal(signal.SIGTERM)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(out))
    assert (rc, lines) == (143, [f"terminated — {out}/ is unchanged"])
    assert snapshot(out) == before
    assert signal.getsignal(signal.SIGTERM) is previous


def test_ctrl_c_while_writing_leaves_the_output_and_no_temp_folder(out, capsys, monkeypatch):
    import pyarrow.parquet as pq

    # The tables are written row group by row group (pq.ParquetWriter): stop at the third.
    real, calls = pq.ParquetWriter.write_table, []

    def write_table(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(pq.ParquetWriter, "write_table", write_table)
    before = snapshot(out)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(out))
    assert (rc, lines) == (130, [f"interrupted — {out}/ is unchanged"])
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_ctrl_c_between_the_two_renames_puts_the_previous_output_back(out, capsys, monkeypatch):
    real, calls = os.rename, []

    def rename(src, dst):
        calls.append((src, dst))
        if len(calls) == 2:  # out → .out.old-PID done; .out.tmp-PID → out not yet
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(pipeline.output_folder.os, "rename", rename)
    before = snapshot(out)
    rc, _ = run(capsys, str(RAW_2024), "--out", str(out))
    assert rc == 130
    assert snapshot(out) == before
    assert leftovers(out) == []


# ---- the output folder -----------------------------------------------------------------------

def test_a_write_failure_is_one_line_and_leaves_the_output(out, capsys, monkeypatch):
    import pyarrow.parquet as pq

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(pq, "write_table", full_disk)
    before = snapshot(out)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(out))
    assert rc == 2
    assert lines == [f"{out}: cannot write the output (No space left on device) — check that the "
                     "output folder's parent exists and is writable (--out)"]
    assert snapshot(out) == before
    assert leftovers(out) == []


def test_out_is_a_file(tmp_path, capsys):
    target = tmp_path / "output"
    target.write_bytes(b"keep me")
    rc, lines = run(capsys, str(RAW_2024), "--out", str(target))
    assert (rc, lines) == (2, [f"{target}: exists and is not a folder — name a folder as the "
                               "output folder (--out)"])
    assert target.read_bytes() == b"keep me"


def test_out_inside_a_file(tmp_path, capsys):
    parent = tmp_path / "notes.txt"
    parent.write_bytes(b"keep me")
    rc, lines = run(capsys, str(RAW_2024), "--out", str(parent / "output"))
    assert rc == 2
    assert lines == [f"{parent / 'output'}: {parent} is a file, not a folder — name an output "
                     "folder whose parent folders can be created (--out)"]
    assert parent.read_bytes() == b"keep me"


def test_a_folder_of_other_files_is_never_replaced(tmp_path, capsys):
    folder = tmp_path / "documents"
    folder.mkdir()
    (folder / "thesis.docx").write_bytes(b"precious")
    rc, lines = run(capsys, str(RAW_2024), "--out", str(folder))
    assert rc == 2
    assert lines == [f"{folder}: holds thesis.docx, which this pipeline did not write; the "
                     "pipeline replaces only a folder that holds nothing but its own output — "
                     "move thesis.docx elsewhere, or name a new or empty output folder (--out)"]
    assert (folder / "thesis.docx").read_bytes() == b"precious"


def test_a_users_file_in_the_output_folder_is_never_deleted(out, capsys):
    (out / "my-notes.md").write_text("keep")
    (out / ".DS_Store").write_bytes(b"")
    (out / "sections.parquet").write_bytes(b"from an older version")
    before = snapshot(out)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(out))
    assert rc == 2
    # Dotfiles are the user's too: the first foreign entry in name order is named.
    assert lines[0].startswith(f"{out}: holds .DS_Store, which this pipeline did not write")
    assert snapshot(out) == before
    for name in ("my-notes.md", ".DS_Store", "sections.parquet"):
        (out / name).unlink()
    rc, _ = run(capsys, str(RAW_2024), "--out", str(out), "--quiet")
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == sorted(
        {*pipeline.write.OUTPUT_FILES, pipeline.output_folder.MANIFEST})


def test_the_file_system_root_is_refused_as_output():
    with pytest.raises(OutputError, match="root of the file system"):
        check_output_folder(Path("/"))


def test_a_killed_runs_temp_folders_are_cleared(out, capsys):
    import shutil

    from pipeline.output_folder import write_manifest

    pid = dead_pid()
    stale_tmp = out.parent / f".output.tmp-{pid}"
    stale_old = out.parent / f".output.old-{pid}"
    shutil.copytree(out, stale_old)  # the previous set, moved aside by the swap
    stale_tmp.mkdir()  # killed while writing report.json: not yet in the manifest
    shutil.copy(out / "tasks.json", stale_tmp)
    write_manifest(stale_tmp, {"tasks.json": pipeline.output_folder.sha256_of(out / "tasks.json")})
    (stale_tmp / "report.json").write_text("{")
    live = out.parent / f".output.tmp-{os.getppid()}"  # a run still going: left alone
    shutil.copytree(out, live)
    rc, _ = run(capsys, str(RAW_2024), "--out", str(out), "--quiet")
    assert rc == 0
    assert leftovers(out) == [live.name]


def test_a_run_killed_between_the_renames_is_repaired_by_the_next(tmp_path, out, capsys):
    before = snapshot(out)
    stale_old = out.parent / f".output.old-{dead_pid()}"
    out.rename(stale_old)  # as a kill after the first rename of the swap leaves it
    rc, _ = run(capsys, str(tmp_path / "gone.txt"), "--out", str(out))
    assert rc == 2
    assert snapshot(out) == before
    assert leftovers(out) == []


# ---- warnings: soft problems are reported, never fatal ---------------------------------------

SOFT_DUMP = "\n".join([
    "## 2024 年测试任务清单",
    "",
    "重点任务\t工作举措\t任务分工",
    "<b>一、第一部分</b>\t\t",
    "1. 甲任务\t<p>国家知识产权局：加强保护 and 运用研究。</p>\t局内：办公室 省份：各省必做",
    "1. 乙任务\t<p>有关城市：开展试点。</p>\t省份：各省",
    "<b>三、第三部分</b>\t\t",
    "3. 丙任务\t\t局内：办公室",
    "",
])

SOFT_WARNINGS = [
    ("latin_in_chinese", "task 1: Latin word 'and' inside Chinese text ('护and运'); kept as published"),
    ("unknown_actor_label", "task 1: actor label '有关城市' is not one of "
                            "国家知识产权局/各地区/有关省份/有关地市/有关地方"),
    ("entry_without_obligation", "task 1: 任务分工 entry 省份：各省 says neither 必做 nor 选做"),
    ("task_without_clause", "task 3 has no 工作举措 clause"),
    ("numbering_gap", "section 3 follows section 1"),
    ("numbering_repeat", "task 1 appears twice"),
    ("numbering_gap", "task 3 follows task 1"),
]


def test_soft_problems_are_warnings_in_the_summary_and_the_report(tmp_path, capsys):
    path = tmp_path / "soft-2024.txt"
    path.write_text(SOFT_DUMP, encoding="utf-8")
    out = tmp_path / "out"
    rc, lines = run(capsys, str(path), "--out", str(out))
    assert rc == 0
    warnings = [line for line in lines if line.startswith("  warning: ")]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    reported = [(w["code"], w["message"]) for w in report["inputs"][0]["warnings"]]
    for code, message in SOFT_WARNINGS:
        assert (code, message) in reported
        assert f"  warning: soft-2024: {message}" in warnings
    assert report["counts"]["tasks"] == 3


# ---- a real process: exit codes and stderr as a user sees them -------------------------------

def _python_m_pipeline(*argv: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "pipeline", "extract", *argv], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_a_real_process_fails_with_one_line_and_exit_2(tmp_path):
    bad = tmp_path / "random.txt"
    bad.write_bytes(bytes(range(256)) * 8)
    result = _python_m_pipeline(str(bad), "--out", "out", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{bad}: not a PDF, HTML page or text dump (binary content) — give a text dump (.txt), "
        "an HTML page (.html), a PDF (.pdf) or a Word document (.docx) of the task list",
        "nothing written: 1 of 1 input(s) failed; out/ is unchanged (use --keep-going to write "
        "the others)",
    ]
    assert not (tmp_path / "out").exists()


def test_a_real_process_keeps_going_and_exits_2(tmp_path):
    result = _python_m_pipeline("missing.txt", str(RAW_2024), "--out", "out", "--keep-going",
                                cwd=tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[0] == ("missing.txt: no such file — check the path, or put "
                                             "the file in raw/")
    assert re.search(r"^1 of 2 input\(s\) failed", result.stderr, re.M)
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in report["inputs"]] == ["failed", "ok"]


def test_summary_gives_counts_per_document_when_there_are_several(tmp_path, capsys):
    html = ROOT / "tests" / "fixtures" / "html" / "cnipa-2024-wps-utf8-bom.html"
    assert main(["extract", str(RAW_2024), str(html), "--out", str(tmp_path / "o")]) == 0
    lines = capsys.readouterr().err.splitlines()
    per_doc = "sections 7 · tasks 23 · clauses 50 · assignments 51 · deadlines 6 · targets 5"
    assert f"    cnipa-2024-task-list: {per_doc}" in lines
    assert f"    cnipa-2024-wps-utf8-bom: {per_doc}" in lines


def _ending(code: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", "import atexit, sys, threading\n"
                           "from pipeline.cli import exit_now\n" + code], env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_process_ends_with_its_code_its_streams_flushed_and_its_atexit_functions_run():
    """exit_now skips the interpreter's teardown, not what the teardown does that shows."""
    ended = _ending("atexit.register(lambda: print('atexit ran'))\n"
                    "print('out', end=''); print('err', end='', file=sys.stderr)\n"
                    "exit_now(3)")
    assert (ended.returncode, ended.stdout, ended.stderr) == (3, "outatexit ran\n", "err")


def test_a_thread_still_running_gets_the_ordinary_exit_which_waits_for_it():
    ended = _ending("import time\n"
                    "def late(): time.sleep(0.3); print('thread done')\n"
                    "threading.Thread(target=late).start()\n"
                    "exit_now(4)")
    assert (ended.returncode, ended.stdout) == (4, "thread done\n")


def test_python_m_pipeline_writes_everything_and_reports_on_its_way_out(tmp_path):
    result = _python_m_pipeline(str(RAW_2024), "--out", "out", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stderr.startswith("extracted 1 document(s) into out/")
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"tasks.parquet", "report.json"}


@pytest.mark.parametrize("given, seen", [(None, "1"), ("4", "4")])
def test_python_m_pipeline_runs_numpys_blas_on_one_thread_unless_told_otherwise(given, seen):
    """numpy (imported by pdfplumber and pyarrow) would start an OpenBLAS thread per core
    that spins; the pipeline does no linear algebra. A value the user set stays."""
    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    env["PYTHONPATH"] = str(ROOT)
    if given is not None:
        env["OPENBLAS_NUM_THREADS"] = given
    code = ("import atexit, os, runpy, sys\n"
            "atexit.register(lambda: print(os.environ.get('OPENBLAS_NUM_THREADS')))\n"
            "sys.argv = ['pipeline', '--version']\n"
            "runpy.run_module('pipeline', run_name='__main__')")
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.splitlines()[-1] == seen
