"""Many inputs: the per-document function, and the executors that run it.

:func:`extract_one` is the whole per-input job — read, stitch, segment, facts, the writer's
checks and its encoding (:func:`pipeline.write.encode`) — and returns an :class:`Extracted`
that holds what the parent process writes and reports, or the input's error. It is a plain
top-level function of a path, so any executor can run it: in this process (``jobs=1``), in a
process pool on this machine, or on a Dask cluster. Results come back in input order, a few
at a time (a window of inputs in flight), so the parent holds a handful, never the corpus.
"""
from __future__ import annotations

import gc
import os
import signal
import tempfile
import traceback
import zlib
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from pipeline.errors import InternalError, PipelineError
from pipeline.models import Document

__all__ = ["Extracted", "default_jobs", "extract_one", "hollow", "results", "warm"]

@dataclass(frozen=True)
class Extracted:
    """One input's outcome: written parts and summaries, or its error."""

    path: Path
    #: The document without what only the writer needs (see :func:`hollow`); None on failure.
    doc: Document | None = None
    #: Rows per table of this document alone (write.counts) and its documents.parquet row.
    counts: dict[str, int] | None = None
    row: dict[str, Any] | None = None
    #: The writer's encoding of the document (pipeline.write.Encoded).
    encoded: Any = None
    error: PipelineError | None = None
    #: The traceback of ``error`` as text (shown with --debug; a worker's cannot travel).
    trace: str | None = None
    #: What duplicate detection compares (documents.content), compressed: the caller keeps it
    #: in a :class:`ContentSpool`, so a corpus's tasks are not held in memory to the end.
    content: bytes | None = None


class ContentSpool:
    """Each document's :func:`pipeline.documents.content`, compressed, in an unnamed temporary
    file: what :func:`pipeline.documents.find_duplicates` needs of a corpus once the documents
    are written, kept off the heap (about 25 KB a list) so memory stays flat in N; read back
    only for inputs that share a title and year."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()  # noqa: SIM115 (closed by close(), at the end of the run)
        self._at: dict[str, tuple[int, int]] = {}

    def add(self, doc_id: str, packed: bytes) -> None:
        self._file.seek(0, os.SEEK_END)
        self._at[doc_id] = (self._file.tell(), len(packed))
        self._file.write(packed)

    def get(self, doc_id: str) -> str:
        start, size = self._at[doc_id]
        self._file.seek(start)
        return zlib.decompress(self._file.read(size)).decode("utf-8")

    def close(self) -> None:
        self._file.close()


def pack_content(doc: Document) -> bytes:
    from pipeline.documents import content

    return zlib.compress(content(doc).encode("utf-8"), 1)


def default_jobs() -> int:
    """The cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def warm() -> None:
    """Pay jieba's start-up (its code, our cached tables' one-character slice) now, once per
    process; then leave what start-up made out of the garbage collector's sight.

    The modules imported so far and jieba's tables live as long as the process, yet each of
    the collector's passes over the older objects walked all of them again (a full pass
    alone took about a tenth of a PDF's run, and jieba's dicts are only untracked by one):
    ``gc.freeze`` moves them to the permanent generation, which no pass walks. Forked pool
    workers then also leave those pages shared (the collector writes to what it walks).
    """
    from pipeline import nlp

    nlp.warm()
    gc.freeze()


def _pool_worker() -> None:
    """A pool worker's start: warm, and leave Ctrl-C and SIGTERM to the parent.

    Ctrl-C reaches the whole process group: the parent stops the pool and removes the
    temporary output folder; the workers ignore it and end with the pool, without tracebacks.
    A forked worker would also inherit the CLI's SIGTERM handler; it gets the default back.
    It also inherits the command's compiled-pattern cache (:mod:`pipeline.regex_cache`): what
    the worker compiled itself (its readers' patterns, which the parent never compiles) is
    stored as it ends, as the parent stores its own; nothing unless the command installed it.
    """
    from multiprocessing import util

    from pipeline import regex_cache

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    util.Finalize(None, regex_cache.store, exitpriority=0)  # run by the worker's normal exit
    warm()


def extract_one(path: Path, refused: PipelineError | None = None) -> Extracted:
    """Extract one input for the writer; every failure becomes the result's error.

    ``refused``: an error the caller already knows (a doc_id taken by an earlier input).
    """
    from pipeline.build import extract_file
    from pipeline.documents import document_row
    from pipeline.write import counts, encode

    try:
        if refused is not None:
            raise refused
        doc = extract_file(path)
        encoded = encode(doc, str(path))  # here, so a document the writer cannot take fails alone
        return Extracted(path, hollow(doc), counts([doc]), document_row(doc), encoded,
                         content=pack_content(doc))
    except PipelineError as exc:
        return Extracted(path, error=exc, trace=traceback.format_exc())
    except Exception as exc:  # a bug on this input; the other inputs still get their turn
        # The error's own hint (report it with its traceback); the CLI adds how to see that.
        error = InternalError(str(path), f"internal error: {type(exc).__name__}: {exc}")
        return Extracted(path, error=error, trace=traceback.format_exc())


def hollow(d: Document) -> Document:
    """``d`` with only what is still needed once its rows are encoded: its fields, no tasks
    (what duplicate detection compares of them travels as :attr:`Extracted.content`)."""
    return replace(d, tasks=())


Job = tuple[Path, PipelineError | None]


def results(jobs: Sequence[Job], workers: int = 1, scheduler: str | None = None,
            ) -> Iterator[Extracted]:
    """:func:`extract_one` of each job, in order: here (``workers`` 1), in a pool of
    ``workers`` processes, or on the Dask cluster at ``scheduler``."""
    if scheduler is not None:
        from pipeline.dask_executor import dask_results

        yield from dask_results(jobs, scheduler)
        return
    # Warm here first: in one process that is the start-up anyway, and forked workers then
    # begin with jieba loaded (shared with this process) instead of each loading it.
    warm()
    if workers <= 1 or len(jobs) <= 1:
        for path, refused in jobs:
            yield extract_one(path, refused)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # fork where there is one: the workers start with this process's imports in place.
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context,
                             initializer=_pool_worker) as pool:
        try:
            yield from in_order(lambda job: pool.submit(extract_one, *job), jobs, 4 * workers)
        except BaseException:
            pool.shutdown(wait=False, cancel_futures=True)
            raise


def in_order(submit: Callable[[Job], Any], jobs: Iterable[Job], window: int) -> Iterator[Any]:
    """Each job's result in order, with at most ``window`` jobs submitted and not yet taken."""
    pending: deque[Any] = deque()
    for job in jobs:
        pending.append(submit(job))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()
