from __future__ import annotations

import contextlib
import gc
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from functools import cache
from pathlib import Path

import pytest

from pipeline.build import build_document
from pipeline.models import Document, RawTable
from pipeline.read import LoadedInput, inspect_input, load
from pipeline.read.dump import read_dump
from pipeline.read.pdf import PdfReading

ROOT = Path(__file__).resolve().parent.parent
RAW_2024 = ROOT / "raw" / "cnipa-2024-task-list.txt"
FIXTURES = ROOT / "tests" / "fixtures"

HEADER_LINE = "重点任务\t工作举措\t任务分工"

# The collector's full collections walk every object alive, and a test worker keeps millions:
# the session's parsed renderings and documents (inspected(), extracted()) and its imported
# libraries. At the default thresholds a worker ran ~50 of them, 5-6 s of a worker's CPU;
# with fewer young collections and the objects of the collected session frozen (never walked
# again), ~1 s, at the same peak memory (measured over the PDF, HTML and fuzz modules). No
# test depends on when the collector runs; the one that counts live pages collects itself.
gc.set_threshold(5000, 20, 20)


def pytest_configure(config: pytest.Config) -> None:
    """The session's own cache folder (``CNIPA_PIPELINE_CACHE``), for its workers and every
    process a test starts, holding copies of the user's: this install's jieba tables and the
    compiled patterns (pipeline.regex_cache).

    Not the user's folder itself: that keeps the tables of the four installs used last
    (cache.KEEP); with more in use (worktrees, a notebook) a run could find its file pruned
    away at any time and build it again, 2.5 s of CPU in a worker or in a ``python -m
    pipeline`` a test starts (3.1 s for one such extract, 0.5 s warm); and the suite's
    processes would write and prune the user's files. If the user's folder lacks the file it
    is built there first, once (as ``make``'s install step does), not in each worker. The
    session's folder is removed at its end. Tests about the cache itself set their own
    folders (tests/test_cache.py, tests/test_nlp.py).
    """
    if hasattr(config, "workerinput"):  # an xdist worker: the controller made it, env has it
        return
    from pipeline import cache as tables_cache, jieba_tables, nlp, regex_cache

    users = tables_cache.folder() / tables_cache.file_name(jieba_tables.CACHE_NAME,
                                                           nlp._cache_key())
    if not users.is_file():
        nlp.warm()  # built, and stored in the user's folder if that is one to use
    # The compiled patterns too, as the processes found them there before (none: one stores).
    patterns = tables_cache.folder() / tables_cache.file_name(regex_cache.CACHE_NAME,
                                                              regex_cache.key())
    folder = Path(tempfile.mkdtemp(prefix="cnipa-test-cache-"))  # mode 0700, as ours must be
    config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
    os.environ["CNIPA_PIPELINE_CACHE"] = str(folder)
    for path in (users, patterns):
        with contextlib.suppress(OSError):  # none to copy: built where first needed, as before
            shutil.copyfile(path, folder / path.name)


def pytest_collection_finish(session: pytest.Session) -> None:
    gc.collect()
    gc.freeze()


@pytest.fixture(scope="session")
def doc_2024() -> Document:
    return extracted(RAW_2024)


@pytest.fixture(scope="session")
def jieba_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder (private, of its own) holding our cache of jieba's tables, intact, as a run
    stores it: a run pointed at it (``CNIPA_PIPELINE_CACHE``) starts warm instead of building
    the tables for seconds. Copy it before changing anything in it.

    A copy of the file this process's own cuts read, if that is intact and for today's sources;
    else built here. (tests/test_nlp.py proves, with a cold run, how the file comes about.)
    """
    from pipeline import cache as tables_cache, jieba_tables, nlp

    nlp._segmenter()  # reads our cache, having stored it first if it was not there
    folder = tmp_path_factory.mktemp("jieba-cache")
    folder.chmod(0o700)
    key = nlp._cache_key()
    name = tables_cache.file_name(jieba_tables.CACHE_NAME, key)
    if (tables_cache.folder() / name).is_file():
        shutil.copyfile(tables_cache.folder() / name, folder / name)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CNIPA_PIPELINE_CACHE", str(folder))
        if jieba_tables.Tables.load(key) is None:  # none, or not one to trust: build it
            dict_txt, idf_txt = nlp._sources()
            built = nlp._build_tables(nlp._jieba().Tokenizer(), nlp._posseg(), dict_txt, idf_txt)
            assert built.store(key)
    return folder


@cache
def inspected(path: Path) -> tuple[LoadedInput, RawTable, PdfReading | None]:
    """A committed input loaded and read as extract_file does it (read_table's table), with
    the PDF reader's intermediate results, once per test session.

    Only for files no test writes: the renderings under tests/fixtures/ and raw/.
    """
    loaded = load(path)
    return (loaded, *inspect_input(loaded))


def read_input(path: Path) -> tuple[LoadedInput, RawTable]:
    """A committed input loaded and read as extract_file does it, once per test session."""
    loaded, table, _ = inspected(path)
    return loaded, table


@cache
def extracted(path: Path) -> Document:
    """``extract_file(path)`` once per test session; Documents are frozen, so tests share them."""
    return build_document(*read_input(path))


def dump_text(rows: Sequence[str], title: str = "## 2024 年推动知识产权高质量发展任务清单") -> str:
    """A text dump: lead lines, the header row, then ``rows`` (tab-separated; "" = page break)."""
    return "\n".join(["附件", "", title, "", HEADER_LINE, *rows]) + "\n"


def dump_document(rows: Sequence[str], name: str = "list-2024.txt", **kw: str) -> Document:
    """The Document for a small dump built from ``rows``, run through every stage after reading."""
    data = dump_text(rows, **kw).encode("utf-8")
    loaded = LoadedInput(path=Path(name), data=data, fmt="text", notes=())
    return build_document(loaded, read_dump(data, name))


@pytest.fixture
def make_doc() -> Callable[..., Document]:
    return dump_document
