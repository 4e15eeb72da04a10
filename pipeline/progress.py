"""Progress of the slow steps, reported to whoever listens (the CLI's progress bar), else to no one.

A reader calls :func:`steps` around its per-page loop; it stays a pure function of its bytes,
since without a listener (the API, the tests) nothing happens. The listener is a context
variable, so concurrent runs in threads do not see each other's progress.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sized
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

T = TypeVar("T")

#: Called with (steps done, steps in all) after each step.
Listener = Callable[[int, int], None]

_listener: ContextVar[Listener | None] = ContextVar("pipeline_progress", default=None)


def steps(items: Iterable[T], total: int | None = None) -> Iterator[T]:
    """``items`` one by one, telling the listener after each how many of ``total`` are done.

    ``total`` defaults to ``len(items)``; 0 when neither is known.
    """
    listener = _listener.get()
    if total is None:
        total = len(items) if isinstance(items, Sized) else 0
    for done, item in enumerate(items, start=1):
        yield item
        if listener is not None:
            listener(done, total)


@contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Send the progress of the steps run inside the block to ``listener``."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)
