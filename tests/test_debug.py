"""``python -m pipeline debug``: the reader's view of every committed PDF, drawn; HTML's grid."""
from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from pipeline.cli import main
from pipeline.debug import BAND, COLUMN

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PDFS = sorted((FIXTURES / "pdf").rglob("*.pdf"))


def _has_colour(image: Image.Image, colour: tuple[int, int, int, int]) -> bool:
    colours = image.convert("RGB").getcolors(1 << 24) or []
    return any(c == colour[:3] for _, c in colours)


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_debug_draws_every_page_of_the_table(path, tmp_path, capsys):
    out = tmp_path / "view"
    assert main(["debug", str(path), "--out", str(out), "--resolution", "36"]) == 0
    lines = capsys.readouterr().out.splitlines()
    pngs = sorted(out.iterdir())
    assert len(lines) == len(pngs) >= 1
    for line, png in zip(sorted(lines, key=lambda x: int(x.split()[1].rstrip(":"))),
                         sorted(pngs, key=lambda p: int(p.stem.rsplit("-p", 1)[1]))):
        assert line.endswith(str(png)) and " row bands, " in line
        image = Image.open(png)
        assert image.format == "PNG" and min(image.size) > 100
        assert _has_colour(image, BAND) and _has_colour(image, COLUMN)


def test_debug_of_one_page_and_a_page_outside_the_table(tmp_path, capsys):
    path = FIXTURES / "pdf" / "a4-portrait-serif-10.5pt-repeat-header.pdf"
    assert main(["debug", str(path), "--page", "2", "--out", str(tmp_path / "v"),
                 "--resolution", "36"]) == 0
    assert [p.name for p in (tmp_path / "v").iterdir()] == [f"{path.stem}-p2.png"]
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
    assert lines[0].startswith(f"{path}: html, title ")
    rows = lines[1:]
    assert len(rows) > 25 and all(r.count(" | ") >= 1 for r in rows)
    assert any("局内：" in r for r in rows)
