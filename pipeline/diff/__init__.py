"""What changed between two task lists: ``diff_documents(old, new)`` → change rows.

A pure function of two assembled documents (from any input format, or read back from an
output folder by :mod:`pipeline.diff.load`); files are read and written only by
:mod:`pipeline.diff.load` and :mod:`pipeline.diff.cli`. Tasks are matched by content
(:mod:`pipeline.diff.match`), then each pair is compared (:mod:`pipeline.diff.compare`);
:mod:`pipeline.diff.engine` puts them together.

The names below are imported on first use, so that the CLI can define the ``diff``
subcommand (:mod:`pipeline.diff.args`) without ``extract`` paying for the diff's imports.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pipeline.diff.engine import CHANGE_COLUMNS, Change, change_schema, diff_documents

__all__ = ["CHANGE_COLUMNS", "Change", "change_schema", "diff_documents"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from pipeline.diff import engine

        return getattr(engine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
