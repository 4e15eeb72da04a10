"""``python -m pipeline debug FILE [--page N] [--out DIR]``: see what the reader saw.

For a PDF, one PNG per page of the table with what each step found drawn over the page (in
the spirit of pdfplumber's ``debug_tablefinder``): the ruling lines (grey), the column
boundaries (blue), the row bands (green, alternately shaded) and the cells (orange); the
header words are boxed in purple. A line per page on stdout names the strategy and counts.
For an HTML page, first every table of the page on the grid the HTML reader laid it out on
(colspans, rowspans and the header row marked), then the rows it read from them; for a text
dump, the rows: one line per row, its page and row number and the three cells' text.

This is what a user runs when a rendering is misread: compare the drawing with the page.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from pipeline.errors import OutputError, PageNotInTableError
from pipeline.models import RawTable
from pipeline.read import inspect_input, load, read_table

if TYPE_CHECKING:
    from pipeline.read.pdf import PageReading

#: Colours (RGBA) of what is drawn.
RULE = (128, 128, 128, 255)
COLUMN = (0, 90, 255, 255)
BAND = (0, 160, 60, 255)
BAND_SHADE = (0, 160, 60, 40)
CELL = (255, 120, 0, 255)
HEADER = (150, 0, 200, 255)
NO_FILL = (0, 0, 0, 0)


def add_parser(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("debug", help="draw what the reader found on a PDF's pages (PNG), or "
                                     "print the grid it read from an HTML page")
    p.add_argument("input", type=Path, help="the PDF, HTML page or text dump")
    p.add_argument("--page", type=int, default=None, help="only this page (PDF, 1-based)")
    p.add_argument("--out", type=Path, default=None,
                   help="folder for the PNGs (default: FILE's stem + '-debug', here)")
    p.add_argument("--resolution", type=int, default=100, help="PNG resolution in dpi")
    p.add_argument("--debug", action="store_true", help="show tracebacks")


def run(args: argparse.Namespace) -> int:
    loaded = load(args.input)
    if loaded.fmt != "pdf":
        if loaded.fmt == "html":
            # The grid first: a misread page is usually a span or a spacer column the rows hide.
            from pipeline.read.html import table_grids

            print(table_grids(loaded.data, str(args.input)), end="")
        print(grid_text(read_table(loaded)), end="")
        return 0
    out: Path = args.out or Path(f"{args.input.stem}-debug")
    args.out = out
    _check_out(out, args.input.stem)  # before the slow part
    _, reading = inspect_input(loaded)
    assert reading is not None  # a PDF's
    pages = [p for p in reading.pages if args.page in (None, p.number)]
    if not pages:
        numbers = ", ".join(str(p.number) for p in reading.pages)
        raise PageNotInTableError(str(args.input), f"page {args.page} holds no part of the "
                                                   f"table (pages {numbers} do)")
    names = {p.number: f"{args.input.stem}-p{p.number}.png" for p in pages}
    out.mkdir(parents=True, exist_ok=True)
    for line in draw_pages(loaded.data, str(args.input), pages, out, names, args.resolution):
        print(line)
    return 0


def _check_out(out: Path, stem: str) -> None:
    """Write only into a new folder or one holding nothing but an earlier debug run's PNGs."""
    if out.exists() and not out.is_dir():
        raise OutputError(str(out), "exists and is not a folder", "name a new folder")
    if out.is_dir():
        for entry in sorted(out.iterdir()):
            name = entry.name
            ours = (name.startswith(f"{stem}-p") and name.endswith(".png")
                    and name[len(stem) + 2:-4].isdigit() and entry.is_file())
            if not ours:
                raise OutputError(str(out), f"holds {name}, which is no debug image of "
                                            f"{stem}", "name a new folder")


def draw_pages(data: bytes, source: str, pages: list[PageReading], out: Path,
               names: dict[int, str], resolution: int) -> list[str]:
    """Draw each page's reading over its image, save it, and say what was found."""
    from pipeline.read.pdf.load import page_images

    by_number = {p.number: p for p in pages}
    lines = []
    for number, image in page_images(data, source, by_number, resolution):
        p = by_number[number]
        for s in p.hsegs:
            image.draw_line(((s.start, s.pos), (s.end, s.pos)), stroke=RULE, stroke_width=1)
        for s in p.vsegs:
            image.draw_line(((s.pos, s.start), (s.pos, s.end)), stroke=RULE, stroke_width=1)
        for i, (top, bottom) in enumerate(p.bands):
            image.draw_rect((p.columns[0], top, p.columns[-1], bottom),
                            fill=BAND_SHADE if i % 2 else NO_FILL, stroke=BAND, stroke_width=3)
        for box in p.cells:
            x0, top, x1, bottom = box
            image.draw_rect((x0 + 2, top + 2, x1 - 2, bottom - 2), fill=NO_FILL, stroke=CELL,
                            stroke_width=1)
        top = min((t for t, _ in p.bands), default=0.0)
        bottom = max((b for _, b in p.bands), default=p.height)
        for x in p.columns:
            image.draw_line(((x, top), (x, bottom)), stroke=COLUMN, stroke_width=2)
        for box in p.header:
            image.draw_rect(box, fill=NO_FILL, stroke=HEADER, stroke_width=2)
        path = out / names[number]
        image.save(path, format="PNG")
        lines.append(f"page {number}: {'ruled' if p.ruled else 'unruled'}, columns at "
                     f"{', '.join(f'{x:.1f}' for x in p.columns)}; {len(p.bands)} row bands, "
                     f"{len(p.rows)} rows, {len(p.cells)} cells → {path}")
    return lines


def grid_text(table: RawTable, width: int = 40) -> str:
    """The raw table as the reader laid it out: page.row, then the three cells' text."""
    def cell(text: str) -> str:
        text = text.replace("\n", " ⏎ ")
        return text if len(text) <= width else text[:width - 1] + "…"

    out = [f"{table.source}: {table.fmt}, title {table.title!r}, {len(table.rows)} rows"]
    for row in table.rows:
        marks = "".join("B" if c.bold else "·" for c in row.cells)
        out.append(f"{row.page:>3}.{row.row:<3} {marks} | " + " | ".join(
            cell(c.text).ljust(width) for c in row.cells).rstrip())
    return "\n".join(out) + "\n"


__all__ = ["add_parser", "draw_pages", "grid_text", "run"]
