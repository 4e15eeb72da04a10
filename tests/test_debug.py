"""``python -m pipeline debug``: the reader's view of every committed PDF, drawn; HTML's grid."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pipeline.cli import main
from pipeline.debug import BAND, COLUMN, draw_pages
from tests.conftest import inspected

FIXTURES = Path(__file__).resolve().parent / "fixtures"
#: The 2024 renderings and the layouts' (a 序号 column, one with an empty header cell).
PDFS = sorted((FIXTURES / "pdf").rglob("*.pdf")) + sorted((FIXTURES / "layouts").glob("*.pdf"))


def _has_colour(image: Image.Image, colour: tuple[int, int, int, int]) -> bool:
    rgb = image.convert("RGB")
    # An image has at most one colour per pixel, so this bound never makes getcolors give up
    # (None); 1 << 24 made Pillow allocate a table for every possible colour, 0.4 s a call.
    colours = rgb.getcolors(rgb.width * rgb.height) or []
    return any(c == colour[:3] for _, c in colours)


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_debug_draws_every_page_of_the_table(path, tmp_path):
    """The drawing step on each committed PDF, from the reading the session already made
    (the command itself is run below)."""
    loaded, table, reading = inspected(path)
    assert reading is not None and reading.table.rows == table.rows
    names = {p.number: f"{path.stem}-p{p.number}.png" for p in reading.pages}
    lines = draw_pages(loaded.data, str(path), list(reading.pages), tmp_path, names, 24)
    assert len(lines) == len(names) >= 1
    for line, (number, name) in zip(lines, names.items()):
        assert line.startswith(f"page {number}: ") and line.endswith(str(tmp_path / name))
        image = Image.open(tmp_path / name)
        assert image.format == "PNG" and min(image.size) > 100
        assert _has_colour(image, BAND) and _has_colour(image, COLUMN)
    # Every page of the table has its bands and cells, and cells lie inside the columns.
    for page in reading.pages:
        assert page.bands and page.rows and len(page.columns) == len(table.layout) + 1
        assert all(page.columns[0] <= c[0] < c[2] <= page.columns[-1] for c in page.cells)


def test_debug_of_one_page_and_a_page_outside_the_table(tmp_path, capsys):
    path = FIXTURES / "pdf" / "a4-portrait-serif-10.5pt-repeat-header.pdf"
    assert main(["debug", str(path), "--page", "2", "--out", str(tmp_path / "v"),
                 "--resolution", "36"]) == 0
    assert [p.name for p in (tmp_path / "v").iterdir()] == [f"{path.stem}-p2.png"]
    assert capsys.readouterr().out.startswith("page 2: ruled, columns at ")
    capsys.readouterr()
    assert main(["debug", str(path), "--page", "99", "--out", str(tmp_path / "w")]) == 2
    assert "page 99 holds no part of the table" in capsys.readouterr().err
    assert not (tmp_path / "w").exists()


def test_debug_never_writes_into_a_folder_holding_other_files(tmp_path, capsys):
    path = PDFS[0]
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    assert main(["debug", str(path), "--out", str(out)]) == 2
    assert "holds notes.txt" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"]


def test_debug_of_an_html_page_prints_the_grid_it_read(capsys):
    path = FIXTURES / "html" / "cnipa-2024-trs-cms-gbk.html"
    assert main(["debug", str(path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    # First the page's tables on the HTML reader's own grid, the header row marked H and a
    # section row's colspan marked <, then the rows read from them.
    assert lines[0] == f"{path}: table 1 of 11, table: 5 rows, 3 grid columns, header at row 2"
    assert any(line.startswith("   2H| 重点任务") for line in lines)
    assert any("一、全面强化知识产权宏观统筹" in line and line.rstrip().endswith("| <")
               for line in lines)
    start = next(i for i, line in enumerate(lines) if line.startswith(f"{path}: html, title "))
    rows = lines[start + 1:]
    assert len(rows) > 25 and all(r.count(" | ") >= 1 for r in rows)
    assert any("局内：" in r for r in rows)


def test_debug_output_cut_short_by_its_reader_is_no_bug():
    """`debug FILE | head` closes the pipe early: exit 141 quietly, not an internal error."""
    import os
    import subprocess
    import sys

    path = FIXTURES / "html" / "cnipa-2024-trs-cms-gbk.html"
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first write: every write gets EPIPE
    try:
        proc = subprocess.run([sys.executable, "-m", "pipeline", "debug", str(path)],
                              stdout=write_end, stderr=subprocess.PIPE, check=False)
    finally:
        os.close(write_end)
    err = proc.stderr.decode()
    assert proc.returncode == 141
    assert err == ""
