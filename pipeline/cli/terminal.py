"""What the CLI prints on stderr: one line per message (file names escaped), and the progress
bar, above which those lines are printed while it is shown."""
from __future__ import annotations

import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pipeline.errors import (
    printable,
)

#: A PDF with at least this many pages gets a bar of its own pages.
LONG_PDF_PAGES = 20


class _Bar:
    """The progress bar on stderr: one step per input, and per page within a long PDF.

    Shown only when stderr is a terminal (and not --quiet), and only when there is something to
    wait for: several inputs, or a long PDF. tqdm is imported only then.
    """

    def __init__(self, inputs: Sequence[Path], enabled: bool) -> None:
        self.enabled = enabled
        self.total = len(inputs)
        self.outer: Any = None
        self.inner: Any = None

    def start(self, path: Path) -> None:
        if self.enabled and self.total > 1:
            if self.outer is None:
                from tqdm import tqdm

                self.outer = tqdm(total=self.total, unit="file", file=sys.stderr, leave=False)
            self.outer.set_description(path.name)

    def page(self, done: int, total: int) -> None:
        if not self.enabled or total < LONG_PDF_PAGES:
            return
        if self.inner is None:
            from tqdm import tqdm

            self.inner = tqdm(total=total, unit="page", file=sys.stderr, leave=False,
                              position=1 if self.outer is not None else 0)
        self.inner.update(done - self.inner.n)

    def done(self) -> None:
        if self.inner is not None:
            self.inner.close()
            self.inner = None
        if self.outer is not None:
            self.outer.update(1)

    def close(self) -> None:
        self.done()
        if self.outer is not None:
            self.outer.close()
            self.outer = None

    def write(self, line: str) -> bool:
        """Print a line above the bar; False when no bar is shown."""
        bar = self.inner or self.outer
        if bar is None:
            return False
        bar.write(line, file=sys.stderr)
        return True


_ACTIVE_BAR: _Bar | None = None


@contextmanager
def _progress_bar(inputs: Sequence[Path], quiet: bool) -> Iterator[_Bar]:
    from pipeline import progress

    global _ACTIVE_BAR
    bar = _Bar(inputs, enabled=not quiet and sys.stderr.isatty())
    _ACTIVE_BAR = bar
    try:
        with progress.listening(bar.page if bar.enabled else None):
            yield bar
    finally:
        bar.close()
        _ACTIVE_BAR = None


def _err(line: str) -> None:
    """Print one line to stderr, file names in it escaped (see :func:`pipeline.errors.printable`).

    Above the progress bar while one is shown.
    """
    line = printable(line)
    if _ACTIVE_BAR is None or not _ACTIVE_BAR.write(line):
        print(line, file=sys.stderr)
