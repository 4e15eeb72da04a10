"""jieba's three tables in one verified cache, of which a run loads only the slices its text needs.

A segmentation needs three tables: the prefix dictionary (word → frequency, every prefix of a
word listed with 0), posseg's word → tag table, and the IDF table of the keyword ranking. As
Python dicts they hold some 1.1 million strings, and unmarshalling them took two thirds of a
short run's time — for a document whose text meets a couple of thousand of those words.

Every lookup jieba makes while cutting a text is of a piece of that text (a fragment
``sentence[k:i]`` in the word graph and the route, a word of the result for its tag and its
IDF). So the tables are stored split by the first two characters of the word: one small slice
of all one-character words, and 262,144 buckets of the longer ones by a hash of their first two
characters. Before a text is cut, :meth:`Tables.ensure` loads the buckets of every pair of
adjacent characters in it; then every word that can occur in the text is there, with the very
values of the full tables, and jieba's answers are the ones it gives with the full tables (the
tests compare both, and check that the buckets together are exactly the full tables).

The file is one entry of :mod:`pipeline.cache`: its key is a digest of everything the tables
are built from (jieba's version, the layout, and its dict.txt and idf.txt and our userdict.txt
by their path, size and modification time, as Python tells a module's source from its .pyc:
hashing their 11 MB cost more than loading the tables). Its head — the one-character slice
and the layout's figures — is checked against the header's SHA-256 before it is unmarshalled,
and each bucket against its own digest before it is, so nothing unverified is ever
unmarshalled, and a run hashes the 1.5 MB it reads rather than all 20. The buckets' offsets and
digests (an index of 5 MB after the head) are not hashed as a whole (copying and hashing them
was 8 ms of every run): a damaged offset or digest makes its bucket fail its check just as a
damaged bucket does. On a miss, or a bucket that fails its digest, the tables are built from
jieba's files (dict.txt by :func:`parse_dict`, which reads it as jieba's own parsers do and
leaves any file it cannot read so to them), used whole for that run, and stored.
"""
from __future__ import annotations

import hashlib
import marshal
import threading
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import accumulate, pairwise, repeat
from operator import itemgetter

from pipeline import cache

#: The cache file, and the layout's version (part of the key: bump it when the layout changes).
CACHE_NAME = "jieba-tables.cache"
LAYOUT = 2
BUCKET_BITS = 18
#: Bytes of each bucket's SHA-256 kept (a damaged bucket is told apart by 2^-128 odds).
DIGEST = 16
BUCKETS = 1 << BUCKET_BITS
#: The index at the start of the file's rest: each bucket's offset (and the end's), its digest.
_DIGESTS_AT = 4 * (BUCKETS + 1)
INDEX_BYTES = _DIGESTS_AT + DIGEST * BUCKETS
_MASK = BUCKETS - 1
#: Spreads the pairs of CJK characters (code points 0x3400–0x9FFF) over the buckets.
_MULTIPLIER = 40503
_FIRST_TWO = itemgetter(slice(0, 2))


class DamagedCacheError(Exception):
    """A bucket of the cache file does not match its digest, and the tables have no rebuild."""


def bucket_of(word: str) -> int:
    """The bucket of a word of two or more characters."""
    return (ord(word[0]) * _MULTIPLIER + ord(word[1])) & _MASK


def buckets_in(text: str) -> set[int]:
    """The buckets of every pair of adjacent characters in ``text``."""
    return {(a * _MULTIPLIER + b) & _MASK for a, b in pairwise(map(ord, text))}


def key(jieba_version: str, sources: Iterable[bytes]) -> str:
    """The cache key: a digest of the layout, jieba's version and what stands for each source
    file (its identity: path, size, modification time; see ``nlp._identity``)."""
    h = hashlib.sha256(f"jieba tables {LAYOUT} bits {BUCKET_BITS} jieba {jieba_version} "
                       f"marshal {marshal.version}\n".encode())
    for data in sources:
        h.update(len(data).to_bytes(8, "little"))  # so no file's end can pass for the next's start
        h.update(data)
    return h.hexdigest()


@dataclass
class Tables:
    """The tables, complete or loaded so far; ``freq``, ``tags`` and ``idf`` only ever grow.

    ``freq`` and ``total`` are a jieba Tokenizer's ``FREQ`` and ``total``; ``tags`` a
    POSTokenizer's ``word_tag_tab``; ``idf`` jieba's IDF table as a dict (of a word listed
    twice, the later line), ``idf_median`` the median of all its values.
    """

    freq: dict[str, int]
    total: int
    tags: dict[str, str]
    idf: dict[str, float]
    idf_median: float
    #: The index and the buckets' bytes (the file's rest), where each bucket starts in it
    #: (BUCKETS + 1 offsets) and each one's SHA-256 (part of the index); None once all are loaded.
    _blob: bytes | memoryview | None = None
    _offsets: array[int] | None = None
    _digests: bytes | memoryview = b""
    #: Builds the complete tables afresh (and stores them), for a bucket that fails its digest.
    rebuild: Callable[[], Tables] | None = None
    _loaded: set[int] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def complete(self) -> bool:
        return self._offsets is None

    def ensure(self, text: str) -> None:
        """Load every bucket a cut of ``text`` can look a word up in."""
        if self._offsets is not None:
            self._load(buckets_in(text))

    def ensure_words(self, words: Iterable[str]) -> None:
        """Load the buckets of these words (for their tags and IDF)."""
        if self._offsets is not None:
            self._load({bucket_of(w) for w in words if len(w) > 1})

    def load_all(self) -> None:
        """Load every bucket (a worker that will see many documents pays this once)."""
        if self._offsets is not None:
            self._load(set(range(BUCKETS)))

    def _load(self, wanted: set[int]) -> None:
        missing = wanted - self._loaded
        if not missing:
            return
        with self._lock:  # threads of one Dask worker share the tables
            blob, offsets = self._blob, self._offsets
            if blob is None or offsets is None:
                return
            for b in sorted(missing - self._loaded):
                # A copy: the blob may be the mapped file, and what is checked must be what is
                # unmarshalled. An empty bucket is checked too: its offsets are not verified
                # (a damaged one could make a bucket with words look empty).
                chunk = bytes(blob[offsets[b]:offsets[b + 1]])
                if hashlib.sha256(chunk).digest()[:DIGEST] != self._digests[DIGEST * b:DIGEST * (b + 1)]:
                    self._complete_from(self._rebuilt(b))
                    return
                if chunk:
                    freq, tags, idf = marshal.loads(chunk)
                    self.freq.update(freq)
                    self.tags.update(tags)
                    self.idf.update(idf)
                self._loaded.add(b)
            if len(self._loaded) == BUCKETS:
                self._blob = self._offsets = None

    def _rebuilt(self, bucket: int) -> Tables:
        if self.rebuild is None:
            raise DamagedCacheError(f"bucket {bucket} of {CACHE_NAME} fails its digest")
        return self.rebuild()

    def _complete_from(self, full: Tables) -> None:
        """Become the complete tables (the dicts stay the same objects: tokenizers hold them)."""
        self.freq.update(full.freq)
        self.tags.update(full.tags)
        self.idf.update(full.idf)
        self.total, self.idf_median = full.total, full.idf_median
        self._blob = self._offsets = None
        self._loaded = set(range(BUCKETS))

    # ---- building and storing --------------------------------------------------------------

    def payload(self) -> tuple[bytes, bytes]:
        """The head (the one-character slice) and the rest (the index: each bucket's offset and
        digest; the buckets), of complete tables only."""
        if not self.complete:
            raise ValueError("only complete tables are stored")
        import numpy as np  # pyarrow's dependency, so already imported by any run that writes

        # Each table's words sorted by bucket with numpy (a stable sort: in each bucket the
        # table's own order), so a bucket's words are one slice of a list: the per-word work is
        # done in C, and Python only loops over the buckets that hold words (about half).
        singles: tuple[dict[str, object], ...] = ({}, {}, {})
        columns: list[tuple[list[str], list[object], list[int]]] = []
        tables: tuple[dict[str, object], ...] = (self.freq, self.tags, self.idf)  # type: ignore[assignment]
        everywhere = np.arange(BUCKETS + 1)
        for one, table in zip(singles, tables):
            words = np.array(list(table), dtype=object)
            values = np.array(list(table.values()), dtype=object)
            short = np.fromiter(map(len, words), dtype=np.intp, count=len(words)) < 2
            one.update(zip(words[short].tolist(), values[short].tolist()))
            words, values = words[~short], values[~short]
            # The first two characters' code points (UTF-32): bucket_of, for all words at once.
            pairs = np.array(list(map(_FIRST_TWO, words)), dtype="<U2").view(np.uint32)
            pairs = pairs.reshape(-1, 2).astype(np.int64)
            bucket = (pairs[:, 0] * _MULTIPLIER + pairs[:, 1]) & _MASK
            order = np.argsort(bucket, kind="stable")
            starts = np.searchsorted(bucket[order], everywhere)
            columns.append((words[order].tolist(), values[order].tolist(), starts.tolist()))
        (fw, fv, fs), (tw, tv, ts), (iw, iv, is_) = columns
        filled = np.flatnonzero(np.diff(fs) | np.diff(ts) | np.diff(is_)).tolist()
        sizes = array("I", bytes(4 * BUCKETS))
        digests = [hashlib.sha256(b"").digest()[:DIGEST]] * BUCKETS
        chunks = []
        for b in filled:
            f0, f1, t0, t1, i0, i1 = fs[b], fs[b + 1], ts[b], ts[b + 1], is_[b], is_[b + 1]
            chunk = marshal.dumps((dict(zip(fw[f0:f1], fv[f0:f1])), dict(zip(tw[t0:t1], tv[t0:t1])),
                                   dict(zip(iw[i0:i1], iv[i0:i1]))))
            chunks.append(chunk)
            digests[b] = hashlib.sha256(chunk).digest()[:DIGEST]
            sizes[b] = len(chunk)
        # Offsets within the rest, whose buckets come after the index (fixed-size parts: read
        # in place, not unmarshalled into copies).
        offsets = array("I", accumulate(sizes, initial=INDEX_BYTES))
        meta = marshal.dumps((LAYOUT, BUCKET_BITS, self.total, self.idf_median, singles))
        head = len(meta).to_bytes(8, "little") + meta
        return head, offsets.tobytes() + b"".join(digests) + b"".join(chunks)

    @classmethod
    def from_parts(cls, head: bytes | memoryview, blob: bytes | memoryview) -> Tables | None:
        """The tables of a verified head and the rest (its index and buckets, checked bucket by
        bucket as they load), only the one-character slice loaded; None if the head is not one
        of this layout or the rest does not fit it."""
        head = memoryview(head)
        meta_size = int.from_bytes(head[:8], "little")
        if len(head) != 8 + meta_size or len(blob) < INDEX_BYTES:
            return None
        try:
            layout, bits, total, median, singles = marshal.loads(head[8:])
            freq, tags, idf = singles
        except (EOFError, ValueError, TypeError):
            return None
        offsets = array("I")
        offsets.frombytes(blob[:_DIGESTS_AT])  # a copy: 1 MB, and indexed thousands of times
        if (layout != LAYOUT or bits != BUCKET_BITS or offsets[0] != INDEX_BYTES
                or offsets[-1] != len(blob)
                or not (isinstance(total, int) and isinstance(median, float)
                        and isinstance(freq, dict) and isinstance(tags, dict)
                        and isinstance(idf, dict))):
            return None
        return cls(freq, total, tags, idf, median, blob, offsets,
                   memoryview(blob)[_DIGESTS_AT:INDEX_BYTES])

    @classmethod
    def load(cls, cache_key: str) -> Tables | None:
        """The tables stored for ``cache_key``, if our cache holds them (head intact)."""
        found = cache.read_head(CACHE_NAME, cache_key)
        return cls.from_parts(*found) if found is not None else None

    def store(self, cache_key: str) -> bool:
        head, blob = self.payload()
        return cache.write(CACHE_NAME, cache_key, (head, blob), head_size=len(head))


def parse_idf(data: bytes) -> tuple[dict[str, float], float]:
    """jieba's idf.txt (``word idf`` lines) as a dict, and the median of all its values.

    Read as jieba reads it, one word and one number per line; of a word listed twice the later
    line counts, as in jieba's own dict; the median is over every line, as jieba takes it.
    """
    tokens = data.split()
    values = list(map(float, tokens[1::2]))
    median = sorted(values)[len(values) // 2]
    # Decoded in one piece: no word holds a newline (it was split at whitespace).
    words = b"\n".join(tokens[0::2]).decode("utf-8").split("\n")
    return dict(zip(words, values)), median


def parse_dict(data: bytes) -> tuple[dict[str, int], int, dict[str, str]] | None:
    """jieba's dict.txt as its prefix dictionary, the sum of its frequencies, and posseg's tag
    table: what ``Tokenizer.gen_pfdict`` and ``POSTokenizer.load_word_tag`` make of it, in one
    pass mostly in C; None unless every line is plainly ``word freq tag`` (then jieba's own
    parsers are the ones to read it, and to say what is wrong with it).

    jieba reads each stripped line as ``word, freq = line.split(' ')[:2]`` (and the tag after
    the second space), keeps a word's last frequency and tag, adds every prefix of a word
    with 0 unless it is a word itself, and sums all lines' frequencies. When the file is
    exactly its whitespace-free tokens joined three to a line, that is what the lines below do.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    tokens = text.split()
    words, counts, tags = tokens[0::3], tokens[1::3], tokens[2::3]
    lines = "\n".join(map(" ".join, zip(words, counts, tags)))
    if len(tokens) % 3 or not words or lines != text.removesuffix("\n"):
        return None
    try:
        freqs = list(map(int, counts))
    except ValueError:
        return None
    # Every proper prefix of every word, shortest first (the words longer than n, by_length[k:],
    # give the prefixes of length n).
    by_length = sorted(dict.fromkeys(words), key=len)
    lengths = list(map(len, by_length))
    # A dict, not a set: its order is the same in every process (a set's is not, as str hashes
    # are salted per process), so a rebuilt cache file is the same bytes.
    freq: dict[str, int] = {}
    for n in range(1, lengths[-1]):
        freq.update(zip(map(itemgetter(slice(0, n)), by_length[bisect_right(lengths, n):]), repeat(0)))
    freq.update(zip(words, freqs))
    return freq, sum(freqs), dict(zip(words, tags))
