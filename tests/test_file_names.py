"""File names: undecodable bytes, control characters and a leading dash never break a run.

Finding 7 of issue 8. A non-UTF-8 name exited 1 (surrogates reached the UTF-8 writers); a name
with a newline or an ESC sequence printed raw into the summary, notes and warnings; a name
starting with ``-`` got argparse's two-line usage error. Each file is made at test time.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pyarrow.parquet as pq
import pytest

from pipeline.cli import main
from tests.conftest import RAW_2024, ROOT
from tests.test_cli import run

#: Bytes that are no UTF-8: Python keeps them in the name as surrogate escapes.
UNDECODABLE = os.fsdecode(b"list-\xff\xfe-2024.txt")
SHOWN = "list-\\xff\\xfe-2024"  # what doc_id holds, and what the summary shows


def _printable(lines: list[str]) -> None:
    for line in lines:
        assert line.isprintable(), repr(line)


def test_a_non_utf8_file_name_is_extracted_and_written_as_valid_text(tmp_path, capsys):
    path = tmp_path / UNDECODABLE
    shutil.copy(RAW_2024, path)
    out = tmp_path / "out"
    rc, lines = run(capsys, str(path), "--out", str(out))
    assert rc == 0
    assert lines[0] == f"extracted 1 document(s) into {out}/: {SHOWN} (text)"
    _printable(lines)
    (doc,) = json.loads((out / "tasks.json").read_text(encoding="utf-8"))
    assert (doc["doc_id"], doc["source"]) == (SHOWN, SHOWN + ".txt")
    tasks = pq.read_table(out / "tasks.parquet")
    assert set(tasks.column("doc_id").to_pylist()) == {SHOWN}
    assert set(tasks.column("source").to_pylist()) == {SHOWN + ".txt"}
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["inputs"][0]["file"] == SHOWN + ".txt"


def test_a_failing_non_utf8_file_name_is_reported_not_a_crash(tmp_path, capsys):
    missing = tmp_path / UNDECODABLE
    out = tmp_path / "out"
    rc, lines = run(capsys, str(missing), str(RAW_2024), "--out", str(out), "--keep-going")
    assert rc == 2
    assert lines[0] == (f"{tmp_path}/{SHOWN}.txt: no such file — check the path, or put the file "
                        "in raw/")
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(e["file"], e["status"]) for e in report["inputs"]] == [
        (SHOWN + ".txt", "failed"), (RAW_2024.name, "ok")]
    assert report["inputs"][0]["message"] == lines[0]


def test_a_real_process_takes_a_non_utf8_name_from_its_arguments(tmp_path):
    name = b"list-\xff-2024.txt"
    shutil.copy(RAW_2024, os.fsencode(tmp_path) + b"/" + name)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "LC_ALL": "C.UTF-8"}
    result = subprocess.run([sys.executable, "-m", "pipeline", "extract", name, b"--out", b"out"],
                            cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == b"extracted 1 document(s) into out/: list-\\xff-2024 (text)"


@pytest.mark.parametrize("stem", ["esc-\x1b[31mred", "two\nlines", "bidi-\u202etxt.exe", "c1-\x9b2J"])
def test_control_characters_in_a_name_are_escaped_in_summary_notes_and_warnings(tmp_path, capsys,
                                                                               stem):
    path = tmp_path / f"{stem}-2024.pdf"  # a text dump named .pdf: the summary gets a note
    shutil.copy(RAW_2024, path)
    rc, lines = run(capsys, str(path), "--out", str(tmp_path / "out"))
    assert rc == 0
    _printable(lines)
    shown = repr(stem)[1:-1]
    assert lines[0].endswith(f": {shown}-2024 (text)")
    assert any(line.startswith("  note: ") and f"{shown}-2024.pdf" in line for line in lines)
    assert any(line.startswith(f"  warning: {shown}-2024: ") for line in lines)


def test_a_name_starting_with_a_dash_gets_one_line_about_double_dash(tmp_path, capsys,
                                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)
    shutil.copy(RAW_2024, "-list-2024.txt")
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_:
        main(["extract", "-list-2024.txt", "--out", "out"])
    assert exit_.value.code == 2
    assert capsys.readouterr().err.splitlines() == [
        "-list-2024.txt: not an option of python -m pipeline extract — if it is a file name, put "
        "-- before the file names (python -m pipeline extract [OPTIONS] -- -list-2024.txt)"]
    assert not (tmp_path / "out").exists()
    rc, _ = run(capsys, "--out", "out", "--quiet", "--", "-list-2024.txt")
    assert rc == 0
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["inputs"][0]["doc_id"] == "-list-2024"


def test_library_error_hints_name_no_option_of_the_command_line():
    """The CLI adds option names when it prints (issue 9): the library's hints name none."""
    import argparse
    import inspect

    import pipeline.errors
    from pipeline.cli import parser

    options: set[str] = set()
    parsers = [parser()]
    while parsers:
        p = parsers.pop()
        for action in p._actions:
            options.update(o for o in action.option_strings if o.startswith("--"))
            if isinstance(action, argparse._SubParsersAction):
                parsers.extend(action.choices.values())
    assert {"--out", "--keep-going", "--debug"} <= options
    classes = [c for _, c in inspect.getmembers(pipeline.errors, inspect.isclass)
               if issubclass(c, pipeline.errors.PipelineError)]
    for cls in classes:
        named = [o for o in options if o in cls.hint]
        assert not named, f"{cls.__name__}.hint names {named}"
