"""Run :func:`pipeline.corpus.extract_one` on a Dask cluster (``extract --executor dask``).

What is shipped: for each input, its path and the function's name (``pipeline.corpus.
extract_one``, pickled by reference); what comes back is the input's
:class:`~pipeline.corpus.Extracted` (Arrow tables and JSON text, or its error). So every
worker needs this package installed at the same version and the inputs readable at the same
paths (a shared file system); the output is written by this process alone.
"""
from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from pipeline.corpus import Extracted, Job, extract_one, in_order, warm
from pipeline.errors import ExecutorError

#: Inputs in flight per worker thread: enough to keep every thread busy, few to hold.
WINDOW_PER_THREAD = 4
#: How long the client keeps trying to reach the scheduler before the run fails.
CONNECT_SECONDS = 10


def dask_results(jobs: Sequence[Job], scheduler: str) -> Iterator[Extracted]:
    """Each job's :class:`Extracted`, in order, computed on the cluster at ``scheduler``."""
    try:
        from dask.distributed import Client
    except ImportError as exc:
        raise ExecutorError(scheduler, "dask.distributed is not installed",
                            "install the dask extra of this package (pip install "
                            "'cnipa-tasklist-pipeline[dask]')") from exc
    try:
        client: Any = Client(scheduler, timeout=CONNECT_SECONDS)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise ExecutorError(scheduler, f"cannot connect to the Dask scheduler ({exc})",
                            "check the address (tcp://HOST:8786) and that the scheduler "
                            "is running") from exc
    try:
        client.run(warm)  # each worker process loads jieba once, before its first input
        threads = sum(client.nthreads().values()) or 1
        yield from in_order(lambda job: client.submit(extract_one, *job, pure=False),
                            jobs, WINDOW_PER_THREAD * threads)
    finally:
        client.close()
