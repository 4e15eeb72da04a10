"""Budgets of the PDF reader: named limits, and what a file has used of them.

They keep any input within seconds and well under 1 GB of memory; each is checked before or
while pdfminer does the expensive work, and a file over one is refused with a line giving the
figure and the limit (InputTooLargeError).
"""
from __future__ import annotations

from dataclasses import dataclass

from pipeline.errors import InputTooLargeError
from pipeline.read.common import require_positive_ints

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Budgets that keep any input within seconds and well under 1 GB of memory.

    A published task list has 8–16 pages of under 1,000 glyphs and 50 paths each, content
    streams under 40 KB and embedded fonts of a few MB; the limits leave ample room for other
    renderings and longer notices around the list.
    """

    #: Pages read from the file (pdfminer spends ~25 ms on a page of the list); the pages
    #: after the table's end are not read, so the file may have more.
    pages: int = 200
    #: Bytes one stream may inflate to: a whole embedded CJK font is 10-20 MB.
    stream_bytes: int = 64 * MiB
    #: Bytes all streams together may inflate to (pdfminer keeps them in memory).
    inflated_bytes: int = 256 * MiB
    #: Content-stream bytes interpreted for one page, forms drawn on it included: pdfminer
    #: interprets dense drawing instructions at ~200 KB/s (a page of the list has < 40 KB).
    content_bytes_per_page: int = 1 * MiB
    #: Content-stream bytes interpreted for the whole file (the list has < 250 KB).
    content_bytes: int = 3 * MiB // 2
    #: Forms (XObjects) drawn on one page: each costs pdfminer ~0.5 ms however small.
    forms_per_page: int = 500
    #: Forms drawn in the whole file.
    forms: int = 2_000
    #: Glyphs on one page (a dense A4 page of the list has ~2,500).
    glyphs_per_page: int = 10_000
    #: Glyphs in the whole file (the list has ~13,000; each costs pdfminer and the reader
    #: ~130 µs).
    glyphs: int = 60_000
    #: Paths (lines, rectangles, curves) on one page (a ruled page of the list has ~50).
    paths_per_page: int = 5_000
    #: Paths in the whole file (each costs ~200 µs).
    paths: int = 15_000

    def __post_init__(self) -> None:
        require_positive_ints(self)


LIMITS = Limits()


@dataclass
class Budget:
    """What this file has used of the limits so far."""

    limits: Limits
    source: str
    page: int | None = None  # the page being read, for messages
    inflated: int = 0
    glyphs: int = 0
    paths: int = 0
    page_glyphs: int = 0
    page_paths: int = 0
    page_content: int = 0
    content: int = 0
    forms: int = 0
    page_forms: int = 0

    def where(self) -> str:
        return f"page {self.page}" if self.page is not None else "the PDF"

    def too_large(self, what: str) -> InputTooLargeError:
        return InputTooLargeError(self.source, f"{self.where()} {what}", _TOO_LARGE_HINT)

    def start_page(self, number: int) -> None:
        self.page = number
        self.page_glyphs = self.page_paths = self.page_content = self.page_forms = 0

    def add_inflated(self, n: int) -> None:
        self.inflated += n
        if self.inflated > self.limits.inflated_bytes:
            raise self.too_large(f"inflates its compressed streams to more than "
                                 f"{mib(self.limits.inflated_bytes)}, the limit for a file")

    def add_content(self, n: int) -> None:
        self.page_content += n
        self.content += n
        if self.page_content > self.limits.content_bytes_per_page:
            raise self.too_large(f"has more than {mib(self.limits.content_bytes_per_page)} "
                                 "of drawing instructions, the limit for a page")
        if self.content > self.limits.content_bytes:
            raise self.too_large(f"brings the drawing instructions to more than "
                                 f"{mib(self.limits.content_bytes)}, the limit for a file")

    def add_form(self, n: int) -> None:
        self.page_forms += 1
        self.forms += 1
        if self.page_forms > self.limits.forms_per_page:
            raise self.too_large(f"draws more than {self.limits.forms_per_page:,} forms "
                                 "(XObjects), the limit for a page")
        if self.forms > self.limits.forms:
            raise self.too_large(f"brings the forms (XObjects) drawn to more than "
                                 f"{self.limits.forms:,}, the limit for a file")
        self.add_content(n)

    def add_glyph(self) -> None:
        self.page_glyphs += 1
        self.glyphs += 1
        if self.page_glyphs > self.limits.glyphs_per_page:
            raise self.too_large(f"draws more than {self.limits.glyphs_per_page:,} glyphs, "
                                 "the limit for a page")
        if self.glyphs > self.limits.glyphs:
            raise self.too_large(f"brings the glyphs drawn to more than "
                                 f"{self.limits.glyphs:,}, the limit for a file")

    def add_path(self) -> None:
        self.page_paths += 1
        self.paths += 1
        if self.page_paths > self.limits.paths_per_page:
            raise self.too_large(f"draws more than {self.limits.paths_per_page:,} lines and "
                                 "shapes, the limit for a page")
        if self.paths > self.limits.paths:
            raise self.too_large(f"brings the lines and shapes drawn to more than "
                                 f"{self.limits.paths:,}, the limit for a file")


_TOO_LARGE_HINT = ("a task list's PDF has a few dozen pages of text and tables at most; check "
                   "that this is the right file")


def mib(n: int) -> str:
    return f"{n / MiB:g} MiB"


__all__ = ["LIMITS", "Budget", "Limits", "MiB"]
