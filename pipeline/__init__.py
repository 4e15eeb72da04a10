"""Turn CNIPA's annual task list (推动知识产权高质量发展任务清单) into tidy tables.

Python API (see the README's "Python" section)::

    import pipeline
    t = pipeline.extract("list.pdf")      # str or Path, or several: extract("a.pdf", "b.html")
    t.tasks, t["deadlines"]               # pandas DataFrames with nullable dtypes
    t = pipeline.load("output")           # an output set written by `extract`

Importing the package is cheap: pandas, pyarrow and the readers load only when called.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

__version__ = "0.1.0"
__all__ = ["__version__", "extract", "load"]

if TYPE_CHECKING:
    from collections.abc import Iterable

    from pipeline.api import PathArg, Tables


def extract(*inputs: PathArg | Iterable[PathArg]) -> Tables:
    """Extract task lists (PDF, HTML page, text dump) into DataFrames; see :func:`pipeline.api.extract`."""
    from pipeline import api

    return api.extract(*inputs)


def load(folder: PathArg = "output") -> Tables:
    """Read a written output set into DataFrames; see :func:`pipeline.api.load`."""
    from pipeline import api

    return api.load(folder)
