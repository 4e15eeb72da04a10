"""jieba, loaded once and only when a stage first needs it, with the domain dictionary.

Importing this module costs nothing; the first call imports jieba's code and reads its tables
from the pipeline's cache (:mod:`pipeline.jieba_tables`): only the slices the texts being cut
can use, so a run's start-up is a few hundredths of a second; without the cache (the first run
of an install) they are built from jieba's files, about 2 s of CPU, and stored. The cache is the
pipeline's, not jieba's: jieba would read ``jieba.cache`` from the shared temp folder, where any
user can plant one; ours lives in the per-user cache folder and is verified before it is used
(see :mod:`pipeline.cache`). The pipeline cuts with its own tokenizers, so other code in the
process that uses jieba gets jieba as jieba made it.
"""
from __future__ import annotations

import importlib
import io
import logging
import os
import sys
import threading
import types
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pipeline import jieba_kernels, jieba_tables

_STOP_WORDS = frozenset(
    "工作 建设 机制 体系 水平 能力 地方 部门 国家 全国 地区 有关 相关 本地区 各地区 任务 方案 措施 "
    "作用 情况 力度 基础 环境 领域 方面 重点 质量 效能 成效 举措 要求 事项 发展 管理 服务 实施 "
    "国家知识产权局 知识产权 一批 实践 问题 活动 计划 政策".split()
)
_KEYWORD_POS = ("n", "nz", "nt", "ns", "vn", "j", "l", "eng")


#: Held while jieba is set up: a Dask worker runs inputs in threads.
_SETUP = threading.RLock()


@lru_cache(maxsize=1)
def _jieba() -> Any:
    """The jieba module (imported without pkg_resources)."""
    with _SETUP:
        jieba = _import_jieba()
        jieba.setLogLevel(logging.WARNING)
        return jieba


def _import_jieba() -> Any:
    """``import jieba`` without pkg_resources.

    jieba reads its data files through pkg_resources when that imports, else with a plain
    ``open`` of the same file beside its module: the same bytes, but pkg_resources costs some
    50 ms and a deprecation warning. It is hidden only while jieba is imported, and only if
    nothing has imported it yet, so anyone else asking for it later still gets it.
    """
    hide = "pkg_resources" not in sys.modules
    if hide:
        sys.modules["pkg_resources"] = None  # type: ignore[assignment]  # import raises ImportError
    if "jieba" not in sys.modules and _FINALSEG not in sys.modules:
        sys.modules[_FINALSEG] = _OnFirstUse(_FINALSEG)
    try:
        import jieba
    finally:
        if hide and sys.modules.get("pkg_resources", False) is None:
            del sys.modules["pkg_resources"]
    return jieba


_FINALSEG = "jieba.finalseg"


class _OnFirstUse(types.ModuleType):
    """A stand-in for a module, imported for real at the first use of any of its names.

    ``import jieba`` imports jieba.finalseg, the HMM that ``jieba.cut`` guesses unknown words
    with, and its tables (a big dict literal: a fifth of jieba's start-up). The pipeline never
    cuts that way (keywords use jieba.posseg's own HMM), so jieba gets this stand-in; the first
    use of ``jieba.finalseg.<name>`` by anyone imports the real module, which then takes its
    place in ``sys.modules`` and as ``jieba.finalseg``: jieba works as before.
    """

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)  # no probe of a dunder (copy, pickle, inspect) imports it
        with _SETUP:
            if sys.modules.get(self.__name__) is self:
                del sys.modules[self.__name__]
            real = importlib.import_module(self.__name__)  # also sets it on its parent package
        return getattr(real, name)


@lru_cache(maxsize=1)
def _posseg() -> Any:
    """The jieba.posseg module, imported without parsing jieba's dictionary for its tag table.

    Importing jieba.posseg builds ``jieba.posseg.dt``, whose tag table is parsed from dict.txt
    (a fifth of a second) whether or not anyone uses it. The pipeline cuts with its own
    tokenizers (:func:`_segmenter`), so the import is given an empty dictionary file, and
    ``jieba.posseg.dt`` gets a table that parses the real file the first time someone else
    uses it: jieba.posseg, jieba.analyse and jieba.dt work for other code exactly as before.
    """
    jieba = _jieba()
    with _SETUP:
        if "jieba.posseg" not in sys.modules:  # else imported by someone else: its table is jieba's own
            tokenizer = jieba.dt
            with tokenizer.lock:
                tokenizer.get_dict_file = lambda: io.BytesIO(b"")  # only while posseg's module is run
                try:
                    importlib.import_module("jieba.posseg")
                finally:
                    del tokenizer.get_dict_file
            sys.modules["jieba.posseg"].dt.word_tag_tab = _TagsOnDemand(sys.modules["jieba.posseg"].dt)
        module = sys.modules["jieba.posseg"]
        jieba_kernels.install_posseg(module)
        return module


class _TagsOnDemand(dict):  # type: ignore[type-arg]
    """``jieba.posseg.dt``'s tag table until first used, then the one jieba would have parsed.

    The first use parses the tokenizer's dictionary file with posseg's own parser and puts
    the real table in this one's place; every use is answered by the real table.
    """

    def __init__(self, postokenizer: Any) -> None:
        super().__init__()
        self._owner = postokenizer

    def _real(self) -> dict[str, str]:
        with _SETUP:
            owner = self._owner
            if owner.word_tag_tab is self:
                parser = object.__new__(type(owner))
                parser.load_word_tag(owner.tokenizer.get_dict_file())
                owner.word_tag_tab = parser.word_tag_tab
            table: dict[str, str] = owner.word_tag_tab
            return table

    def get(self, key: Any, default: Any = None) -> Any:
        return self._real().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        return self._real()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._real()[key] = value

    def __contains__(self, key: object) -> bool:
        return key in self._real()

    def __len__(self) -> int:
        return len(self._real())

    def __iter__(self) -> Any:
        return iter(self._real())

    def keys(self) -> Any:
        return self._real().keys()

    def items(self) -> Any:
        return self._real().items()

    def values(self) -> Any:
        return self._real().values()

    def update(self, *args: Any, **kwargs: Any) -> None:
        self._real().update(*args, **kwargs)


@dataclass(frozen=True)
class _Segmenter:
    """The pipeline's own jieba tokenizers over :class:`jieba_tables.Tables`."""

    tables: jieba_tables.Tables
    tokenizer: Any  # jieba.Tokenizer: the prefix dictionary and the domain words
    postokenizer: Any  # jieba.posseg.POSTokenizer on it, with the word → tag table


@lru_cache(maxsize=1)
def _segmenter() -> _Segmenter:
    """Our tokenizers, their tables from our verified cache, or built (and cached) on a miss.

    Not jieba's shared ``jieba.dt``: its tables would be only partly loaded, and other code in
    the process may cut with it. So jieba's own tokenizer stays as jieba made it, and ours
    never reads ``jieba.cache`` from the shared temp folder, where any user can plant one.
    """
    jieba = _jieba()
    posseg = _posseg()
    with _SETUP:
        tokenizer = jieba.Tokenizer()
        cache_key = _cache_key(tokenizer)

        def rebuild(into: Any = None) -> jieba_tables.Tables:
            built = _build_tables(into or jieba.Tokenizer(), posseg, *_sources(tokenizer))
            built.store(cache_key)
            return built

        tables = jieba_tables.Tables.load(cache_key)
        if tables is None:
            tables = rebuild(tokenizer)
        tables.rebuild = rebuild  # for a bucket that turns out damaged
        return _segmenter_over(tables, tokenizer)


def _segmenter_over(tables: jieba_tables.Tables, tokenizer: Any = None) -> _Segmenter:
    """Tokenizers cutting with ``tables`` (``tokenizer``: a jieba.Tokenizer to use for it)."""
    tokenizer = tokenizer or _jieba().Tokenizer()
    with tokenizer.lock:
        tokenizer.FREQ, tokenizer.total = tables.freq, tables.total
        tokenizer.user_word_tag_tab = {}  # the domain words' tags are in tables.tags
        tokenizer.initialized = True
    jieba_kernels.install_tokenizer(tokenizer)
    postokenizer = object.__new__(_posseg().POSTokenizer)  # no second parse of dict.txt
    postokenizer.tokenizer = tokenizer
    postokenizer.word_tag_tab = tables.tags
    return _Segmenter(tables, tokenizer, postokenizer)


def _cache_key(tokenizer: Any = None) -> str:
    """The key our cache of the tables is stored under: jieba's version and what stands for
    each file they are built from (``tokenizer``: a jieba.Tokenizer, for its dictionary)."""
    tokenizer = tokenizer or _jieba().Tokenizer()
    userdict = resources.files("pipeline") / "userdict.txt"
    return jieba_tables.key(_jieba().__version__, [
        _identity(tokenizer.get_dict_file()), _identity(userdict.open("rb")),
        _identity(_idf_path().open("rb"))])


def _sources(tokenizer: Any = None) -> tuple[bytes, bytes]:
    """jieba's dict.txt and idf.txt, which the tables are built from (with our userdict.txt)."""
    with (tokenizer or _jieba().Tokenizer()).get_dict_file() as f:
        dict_txt: bytes = f.read()
    return dict_txt, _idf_path().read_bytes()


def _identity(f: Any) -> bytes:
    """What stands for a source file of the tables in the cache key: its path, device, inode,
    size and modification time, the way Python checks a module's source against its .pyc —
    not its bytes, whose reading and hashing (11 MB: dict.txt and idf.txt) took a tenth of a
    short run. Any install, upgrade or edit of the file changes one of them. A stream that is
    no file of its own (jieba inside a zip) stands for itself by its bytes."""
    with f:
        try:
            st = os.fstat(f.fileno())
            name = os.fsencode(os.path.abspath(f.name))
        except (AttributeError, OSError, TypeError, ValueError):
            data: bytes = f.read()
            return b"bytes\0" + data
    return b"\0".join([b"file", name, *(str(n).encode() for n in (
        st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns))])


def _build_tables(tokenizer: Any, posseg: Any, dict_txt: bytes,
                  idf_txt: bytes) -> jieba_tables.Tables:
    """The full tables from jieba's files and our domain dictionary.

    What ``jieba.initialize``, ``load_userdict`` and ``POSTokenizer.load_word_tag`` would make:
    the prefix dictionary from dict.txt, the domain words added to it by jieba's own
    ``load_userdict`` (their frequencies suggested from it) and their tags over the parsed
    ones; the IDF table parsed as jieba does. dict.txt is read by
    :func:`jieba_tables.parse_dict` (one pass instead of jieba's two; it falls back on them,
    and the tests compare the tables with the ones jieba's own code builds).
    """
    parsed = jieba_tables.parse_dict(dict_txt)
    if parsed is None:  # not plainly "word freq tag" lines: jieba's parsers read it (or say why not)
        freq, total = tokenizer.gen_pfdict(io.BytesIO(dict_txt))
        parser = object.__new__(posseg.POSTokenizer)  # only its parser, not a second tokenizer
        parser.load_word_tag(io.BytesIO(dict_txt))
        tags: dict[str, str] = parser.word_tag_tab
    else:
        freq, total, tags = parsed
    with tokenizer.lock:
        tokenizer.FREQ, tokenizer.total = freq, total
        tokenizer.initialized = True
    with resources.as_file(resources.files("pipeline") / "userdict.txt") as path:
        tokenizer.load_userdict(str(path))
    tags.update(tokenizer.user_word_tag_tab)  # as POSTokenizer.makesure_userdict_loaded does
    idf, median = jieba_tables.parse_idf(idf_txt)
    return jieba_tables.Tables(tokenizer.FREQ, tokenizer.total, tags, idf, median)


def warm() -> None:
    """Load what every document needs now (a worker's start-up), not at its first document.

    Not the whole tables: a worker that sees many documents loads the slices they need as
    they come, and that costs no more per document than starting with all of them (measured),
    while loading all of them would cost a second.
    """
    _segmenter()


def cut(text: str) -> list[str]:
    """Words of ``text`` (precise mode, no HMM guessing, so results are stable)."""
    seg = _segmenter()
    seg.tables.ensure(text)
    return list(seg.tokenizer.cut(text, HMM=False))


def tagged(text: str) -> list[tuple[str, str]]:
    """Words of ``text`` with their part-of-speech flags."""
    seg = _segmenter()
    seg.tables.ensure(text)
    return [(p.word, p.flag) for p in seg.postokenizer.cut(text, HMM=False)]


#: jieba's own keyword stop words (jieba.analyse.tfidf.KeywordExtractor.STOP_WORDS).
_JIEBA_STOP_WORDS = frozenset(
    "the of is and to in that we for an are by be as on with can if from which you it this then at "
    "have all not one has or".split()
)


def keywords(text: str, top: int = 8) -> list[str]:
    """The ``top`` words of ``text`` by TF-IDF, nouns and noun-like verbs only."""
    return keywords_many([text], top)[0]


def keywords_many(texts: Sequence[str], top: int = 8) -> list[list[str]]:
    """:func:`keywords` for many texts, reading jieba's IDF table once for all of them.

    Same ranking as ``jieba.analyse.extract_tags(text, topK=top, allowPOS=…)`` with the domain
    stop words added, but without importing jieba.analyse: that module parses the whole
    270,000-word IDF table into a dict at import and again for every extractor made, which
    cost more than half of a run's time and a third of its memory. Here the table is scanned
    once and only the candidate words are kept.
    """
    counted = [_candidate_counts(text) for text in texts]
    idf, median = _idf(frozenset(word for counts in counted for word in counts))
    return [_top(counts, idf, median, top) for counts in counted]


#: How many texts' candidate counts are kept. Documents often share task texts: renderings of
#: one list, a list and its edited version (``diff``), a corpus with yearly lists that repeat
#: tasks; a 2024-sized list has some 25 texts, so this keeps a few hundred lists' worth (a few MB).
_COUNTS_KEPT = 8192


@lru_cache(maxsize=_COUNTS_KEPT)
def _candidate_counts(text: str) -> dict[str, float]:
    """How often each candidate keyword occurs, in order of first occurrence (ties keep it).

    Kept per text (the cut with posseg's HMM is most of a document's keyword time): the result
    depends only on the text, since the tables are the complete ones whichever slices are
    loaded, and a text whose counts are kept had its buckets loaded and verified when it was
    counted. Callers only read the dict it returns.
    """
    counts: dict[str, float] = {}
    seg = _segmenter()
    seg.tables.ensure(text)
    for pair in seg.postokenizer.cut(text):  # HMM on, as jieba's extractor has it
        word = pair.word
        if (pair.flag not in _KEYWORD_POS or len(word.strip()) < 2
                or word.lower() in _JIEBA_STOP_WORDS or word.lower() in _STOP_WORDS):
            continue
        counts[word] = counts.get(word, 0.0) + 1.0
    return counts


def _top(counts: dict[str, float], idf: dict[str, float], median: float, top: int) -> list[str]:
    """The ``top`` words by term frequency times IDF (jieba's arithmetic, so ties rank alike)."""
    total = sum(counts.values())
    weight = {w: f * (idf.get(w, median) / total) for w, f in counts.items()}
    return sorted(weight, key=weight.__getitem__, reverse=True)[:top]


def _idf(vocabulary: frozenset[str]) -> tuple[dict[str, float], float]:
    """IDF of the words in ``vocabulary`` from jieba's table, and the table's median IDF."""
    tables = _segmenter().tables
    tables.ensure_words(vocabulary)
    idf = tables.idf
    return {w: value for w in vocabulary if (value := idf.get(w)) is not None}, tables.idf_median


def _idf_path() -> Path:
    return Path(_jieba().__file__).parent / "analyse" / "idf.txt"


def _scan_idf(vocabulary: frozenset[str]) -> tuple[dict[str, float], float]:
    """:func:`_idf` by one plain pass over jieba's file, as jieba reads it: the reference the
    index is tested against."""
    wanted: dict[str, float] = {}
    values: list[float] = []
    with open(_idf_path(), encoding="utf-8") as lines:
        for line in lines:
            word, _, freq = line.strip().partition(" ")
            value = float(freq)
            values.append(value)
            if word in vocabulary:
                wanted[word] = value
    values.sort()
    return wanted, values[len(values) // 2]
