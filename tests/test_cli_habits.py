"""Command-line habits: --version, cnipa-tasks, -o, a subcommand's own usage, progress."""
from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

import pipeline
from pipeline.cli import main
from tests.conftest import RAW_2024, ROOT


def test_version_is_printed_and_is_the_package_version(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--version"], prog="python -m pipeline")
    assert exit_.value.code == 0
    assert capsys.readouterr().out.strip() == f"python -m pipeline {pipeline.__version__}"


def test_cnipa_tasks_is_an_installed_command_next_to_python_m_pipeline(tmp_path):
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^\[project\.scripts\]\ncnipa-tasks = "pipeline\.cli:main"$', pyproject, re.M)
    command = Path(sys.executable).parent / "cnipa-tasks"
    assert command.is_file(), "pip install -e . installs it into the environment's bin/"
    done = subprocess.run([str(command), "--version"], capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == f"cnipa-tasks {pipeline.__version__}"
    out = tmp_path / "o"
    done = subprocess.run([str(command), "extract", str(RAW_2024), "-o", str(out), "--quiet"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stderr == "" and (out / "tasks.parquet").is_file()
    usage = subprocess.run([str(command), "extract", "--nope"], capture_output=True, text=True)
    assert usage.returncode == 2 and usage.stderr.startswith("usage: cnipa-tasks extract ")


@pytest.mark.parametrize("argv, usage", [
    (["extract", "--nope"], "usage: python -m pipeline extract "),
    (["extract", str(RAW_2024), "--out"], "usage: python -m pipeline extract "),
    (["export"], "usage: python -m pipeline export "),
    (["export", "output", "--format", "csv", "--keep-going"], "usage: python -m pipeline export "),
    (["nope"], "usage: python -m pipeline [-h] [--version]"),
])
def test_a_usage_error_shows_the_usage_of_its_subcommand(argv, usage, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(argv, prog="python -m pipeline")
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage), err
    assert len(err.splitlines()) <= 6  # a usage and one error line, no traceback


def _two_inputs(tmp_path: Path) -> list[str]:
    other = tmp_path / "cnipa-copy.txt"
    shutil.copyfile(RAW_2024, other)
    return [str(RAW_2024), str(other)]


def test_no_progress_bar_when_stderr_is_not_a_terminal(tmp_path, capsys):
    # In-process: capsys's stderr is no terminal, as a pipe is not (the terminal case below
    # needs a process of its own, on a pseudo-terminal).
    assert not sys.stderr.isatty()
    assert main(["extract", *_two_inputs(tmp_path), "-o", str(tmp_path / "o")]) == 0
    err = capsys.readouterr().err
    assert "\r" not in err and "file/s" not in err and "%|" not in err
    assert err.splitlines()[0].startswith("extracted 2 document(s)")


def test_a_progress_bar_on_a_terminal_for_several_inputs(tmp_path):
    leader, follower = pty.openpty()
    # A new pseudo-terminal is 0 columns wide; a real one has a width, which tqdm fills.
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 120, 0, 0))
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", *_two_inputs(tmp_path),
                             "-o", str(tmp_path / "o")], stderr=follower,
                            stdout=subprocess.DEVNULL, cwd=ROOT)
    os.close(follower)
    seen = b""
    while True:  # read as it comes, so a full terminal buffer never blocks the run
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the run ended and closed its end
            break
        if not chunk:
            break
        seen += chunk
    assert proc.wait(timeout=120) == 0
    os.close(leader)
    text = seen.decode("utf-8", "replace")
    assert "0/2" in text and "file/s" in text and "cnipa-copy.txt" in text, text
    assert "extracted 2 document(s)" in text


def test_progress_steps_reach_a_listener_and_nothing_else():
    from pipeline import progress

    calls: list[tuple[int, int]] = []
    with progress.listening(lambda done, total: calls.append((done, total))):
        assert list(progress.steps(["a", "b", "c"])) == ["a", "b", "c"]
    assert calls == [(1, 3), (2, 3), (3, 3)]
    assert list(progress.steps(["x"])) == ["x"]  # no listener: no call
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_a_long_pdf_gets_a_bar_of_its_pages_and_a_short_one_none(capsys):
    from pipeline.cli import LONG_PDF_PAGES, _Bar

    bar = _Bar([RAW_2024], enabled=True)  # enabled as on a terminal; one input: no files bar
    bar.start(RAW_2024)
    for done in range(1, 5):
        bar.page(done, 4)
    bar.done()
    assert capsys.readouterr().err == ""
    bar.start(RAW_2024)
    for done in range(1, LONG_PDF_PAGES + 1):
        bar.page(done, LONG_PDF_PAGES)
    bar.close()
    assert f"/{LONG_PDF_PAGES}" in capsys.readouterr().err


def test_the_pdf_reader_reports_each_page_with_the_declared_page_count():
    from pipeline import progress
    from pipeline.read import load, read_table

    pdf = sorted((ROOT / "tests" / "fixtures" / "pdf").glob("*.pdf"))[0]
    calls: list[tuple[int, int]] = []
    with progress.listening(lambda done, total: calls.append((done, total))):
        table = read_table(load(pdf))
    pages = max(r.page for r in table.rows)
    assert calls and calls == [(i, calls[0][1]) for i in range(1, len(calls) + 1)]
    assert calls[-1][0] == calls[-1][1] >= pages
