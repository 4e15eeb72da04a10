"""jieba, loaded once and only when a stage first needs it, with the domain dictionary.

Importing this module costs nothing; the first call pays jieba's start-up (about 1 s, less
with the cached prefix dictionary). That cache is the pipeline's, not jieba's: jieba would read
``jieba.cache`` from the shared temp folder, where any user can plant one; ours lives in the
per-user cache folder and is verified before it is used (see :mod:`pipeline.cache`).
"""
from __future__ import annotations

import hashlib
import io
import logging
import marshal
import sys
import threading
from array import array
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from itertools import accumulate
from operator import itemgetter
from pathlib import Path
from typing import Any

from pipeline import cache, jieba_kernels

_STOP_WORDS = frozenset(
    "工作 建设 机制 体系 水平 能力 地方 部门 国家 全国 地区 有关 相关 本地区 各地区 任务 方案 措施 "
    "作用 情况 力度 基础 环境 领域 方面 重点 质量 效能 成效 举措 要求 事项 发展 管理 服务 实施 "
    "国家知识产权局 知识产权 一批 实践 问题 活动 计划 政策".split()
)
_KEYWORD_POS = ("n", "nz", "nt", "ns", "vn", "j", "l", "eng")


#: Held while jieba is set up: a Dask worker runs inputs in threads, and _posseg briefly
#: swaps a method of jieba's shared tokenizer.
_SETUP = threading.RLock()


@lru_cache(maxsize=1)
def _jieba() -> Any:
    """The jieba module, initialised once with the domain dictionary."""
    with _SETUP:
        return _setup_jieba()


def _setup_jieba() -> Any:
    jieba = _import_jieba()
    jieba.setLogLevel(logging.WARNING)
    _load_prefix_dict(jieba)
    with resources.as_file(resources.files("pipeline") / "userdict.txt") as path:
        jieba.load_userdict(str(path))
    jieba_kernels.install_tokenizer(jieba.dt)
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
    try:
        import jieba
    finally:
        if hide and sys.modules.get("pkg_resources", False) is None:
            del sys.modules["pkg_resources"]
    return jieba


@lru_cache(maxsize=1)
def _posseg() -> Any:
    """jieba.posseg, its word → part-of-speech table from our verified cache.

    Importing jieba.posseg parses jieba's dict.txt a second time (a fifth of a second) for
    that table; here the import is given an empty dictionary file and the table comes from
    :func:`_load_word_tags`, the same table jieba's own parser builds.
    """
    jieba = _jieba()
    with _SETUP:
        return _setup_posseg(jieba)


def _setup_posseg(jieba: Any) -> Any:
    if "jieba.posseg" in sys.modules:  # imported by someone else: its table is jieba's own
        theirs = sys.modules["jieba.posseg"]
        jieba_kernels.install_posseg(theirs)
        return theirs
    tokenizer = jieba.dt
    tokenizer.get_dict_file = lambda: io.BytesIO(b"")  # only while posseg's module is run
    try:
        import jieba.posseg as posseg
    finally:
        del tokenizer.get_dict_file
    posseg.dt.word_tag_tab = _load_word_tags(jieba, posseg)
    jieba_kernels.install_posseg(posseg)
    return posseg


#: The cache file of jieba's prefix dictionary in the pipeline's cache folder.
PREFIX_DICT_CACHE = "jieba-prefix-dict.cache"


def _load_prefix_dict(jieba: Any) -> None:
    """Give jieba's tokenizer its prefix dictionary, from our verified cache or built afresh.

    This replaces ``jieba.initialize``, which would read (and write) ``jieba.cache`` in the
    shared temp folder. The cache key is a digest of everything the table is built from
    (jieba's version, the marshal format and the bytes of jieba's dictionary), so a cache
    from another dictionary is rebuilt, and :func:`cache.read` checks the payload's own
    digest before it is unmarshalled. The domain dictionary is added afterwards on every
    start (it is 41 lines and takes about a millisecond), so the cache does not depend on it.
    """
    tokenizer = jieba.dt
    with tokenizer.get_dict_file() as f:
        source = f.read()
    key = hashlib.sha256(f"jieba {jieba.__version__} marshal {marshal.version}\n".encode()
                         + source).hexdigest()
    payload = cache.read(PREFIX_DICT_CACHE, key)
    table = _prefix_table(payload) if payload is not None else None
    if table is None:
        table = tokenizer.gen_pfdict(io.BytesIO(source))
        cache.write(PREFIX_DICT_CACHE, key, marshal.dumps(table))
    with tokenizer.lock:
        tokenizer.FREQ, tokenizer.total = table
        tokenizer.initialized = True


#: The cache file of jieba.posseg's word → tag table.
WORD_TAGS_CACHE = "jieba-word-tags.cache"


def _load_word_tags(jieba: Any, posseg: Any) -> dict[str, str]:
    """jieba.posseg's word → tag table for jieba's dictionary, from our cache or parsed afresh.

    Parsed by posseg's own ``load_word_tag``, so the table is the one jieba would build; the
    cache key covers jieba's version, the marshal format and the dictionary's bytes, as for
    the prefix dictionary.
    """
    with jieba.dt.get_dict_file() as f:
        source = f.read()
    key = hashlib.sha256(f"jieba {jieba.__version__} posseg marshal {marshal.version}\n".encode()
                         + source).hexdigest()
    payload = cache.read(WORD_TAGS_CACHE, key)
    if payload is not None:
        try:
            table = marshal.loads(payload)
        except (EOFError, ValueError, TypeError):
            table = None
        if isinstance(table, dict):
            return table
    parser = object.__new__(posseg.POSTokenizer)  # only its parser, not a second tokenizer
    parser.load_word_tag(io.BytesIO(source))
    built: dict[str, str] = parser.word_tag_tab
    cache.write(WORD_TAGS_CACHE, key, marshal.dumps(built))
    return built


def _prefix_table(payload: bytes) -> tuple[dict[str, int], int] | None:
    """The (FREQ, total) pair in a verified payload, or None if it is not one."""
    try:
        table = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        return None
    if (isinstance(table, tuple) and len(table) == 2 and isinstance(table[0], dict)
            and isinstance(table[1], int)):
        return table[0], table[1]
    return None


def warm() -> None:
    """Load everything the stages use now (a worker's start-up), not at its first document."""
    _jieba()
    _posseg()
    _idf_table()


def cut(text: str) -> list[str]:
    """Words of ``text`` (precise mode, no HMM guessing, so results are stable)."""
    return list(_jieba().cut(text, HMM=False))


def tagged(text: str) -> list[tuple[str, str]]:
    """Words of ``text`` with their part-of-speech flags."""
    return [(p.word, p.flag) for p in _posseg().cut(text, HMM=False)]


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


def _candidate_counts(text: str) -> dict[str, float]:
    """How often each candidate keyword occurs, in order of first occurrence (ties keep it)."""
    counts: dict[str, float] = {}
    for pair in _posseg().dt.cut(text):  # HMM on, as jieba's extractor has it
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
    """IDF of the words in ``vocabulary`` from jieba's table, and the table's median IDF.

    The table is indexed once (:class:`_IdfTable`) and kept in our verified cache, so even
    a process's first document looks its words up instead of scanning 270,000 lines.
    """
    table = _idf_table()
    return {w: value for w in vocabulary if (value := table.get(w)) is not None}, table.median


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


#: The cache file of the indexed IDF table.
IDF_CACHE = "jieba-idf.cache"


@lru_cache(maxsize=1)
def _idf_table() -> _IdfTable:
    """jieba's IDF table, indexed once per process, from our verified cache when it is there.

    The key is a digest of jieba's idf.txt and the layout's version; the payload is the
    index's own buffers, so loading it builds no Python object per word.
    """
    source = _idf_path().read_bytes()
    key = hashlib.sha256(f"jieba idf index 1 marshal {marshal.version}\n".encode()
                         + source).hexdigest()
    payload = cache.read(IDF_CACHE, key)
    if payload is not None:
        table = _IdfTable.from_payload(payload)
        if table is not None:
            return table
    table = _IdfTable(source)
    cache.write(IDF_CACHE, key, table.payload())
    return table


class _IdfTable:
    """jieba's IDF table (``word idf`` lines) kept compact and searched by bisection.

    As a dict its 270,000 words would cost some 35 MB; scanned anew for every document they
    cost a fifth of a second each. Here the words stay UTF-8, sorted, in one bytes object
    (about 2 MB) with their offsets and IDF values in arrays; a lookup is some 18 comparisons.
    The file is read as jieba reads it, one word and one number per line; of a word listed
    twice the later line counts, as in jieba's own dict.
    """

    def __init__(self, data: bytes) -> None:
        tokens = data.split()
        words, values = tokens[0::2], array("d", map(float, tokens[1::2]))
        self.median = sorted(values)[len(values) // 2]
        order = sorted(range(len(words)), key=words.__getitem__)  # stable: equal words keep order
        pick = itemgetter(*order)
        ordered: tuple[bytes, ...] = pick(words)
        self._text = b"".join(ordered)
        self._starts = array("i", accumulate(map(len, ordered), initial=0))
        self._values = array("d", pick(values))
        self._count = len(ordered)

    def payload(self) -> bytes:
        return marshal.dumps((self._text, self._starts.tobytes(), self._values.tobytes(),
                              self.median, self._count))

    @classmethod
    def from_payload(cls, payload: bytes) -> _IdfTable | None:
        """The table stored by :meth:`payload`, or None if ``payload`` is not one."""
        try:
            text, starts, values, median, count = marshal.loads(payload)
            table = cls.__new__(cls)
            table._text, table.median, table._count = bytes(text), float(median), int(count)
            table._starts, table._values = array("i"), array("d")
            table._starts.frombytes(starts)
            table._values.frombytes(values)
        except (EOFError, ValueError, TypeError):
            return None
        if len(table._starts) != count + 1 or len(table._values) != count:
            return None
        return table

    def _word(self, i: int) -> bytes:
        return self._text[self._starts[i]:self._starts[i + 1]]

    def get(self, word: str) -> float | None:
        """The word's IDF, None when the table does not list it."""
        key = word.encode("utf-8")
        lo, hi = 0, self._count
        while lo < hi:  # the first word that sorts after ``key``
            mid = (lo + hi) // 2
            if self._word(mid) <= key:
                lo = mid + 1
            else:
                hi = mid
        return self._values[lo - 1] if lo and self._word(lo - 1) == key else None
