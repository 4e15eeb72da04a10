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
and each bucket against its own digest before it is read, so nothing unverified is ever
unmarshalled or parsed, and a run hashes the 1 MB it reads rather than all 17. A bucket is
text, not marshal: its words and values one a line, table after table (:meth:`Tables.payload`);
so the file is written without a Python object per bucket (marshalling a dict per bucket was
two thirds of a rebuild) and all the buckets a text needs are parsed in one go. The buckets'
offsets and digests (an index of 5 MB after the head) are not hashed as a whole (copying and
hashing them was 8 ms of every run): a damaged offset or digest makes its bucket fail its
check just as a damaged bucket does. On a miss, or a bucket that fails its digest, the tables
are built from jieba's files (dict.txt by :func:`parse_dict`, which reads it as jieba's own
parsers do and leaves any file it cannot read so to them), used whole for that run, and stored.
"""
from __future__ import annotations

import hashlib
import marshal
import threading
from array import array
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise, repeat
from operator import itemgetter
from typing import Any

from pipeline import cache

#: The cache file, and the layout's version (part of the key: bump it when the layout changes).
CACHE_NAME = "jieba-tables.cache"
LAYOUT = 3
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
#: How many lines' bytes are gathered at once in :meth:`Tables.payload`.
_GATHER = 1 << 18
#: The type of each table's values (freq, tags, idf), and what reads one back from its text
#: (``str``: an int's digits; a float's repr, which float() reads as the very same number).
_TEXTS: tuple[tuple[type, Callable[[str], object]], ...] = ((int, int), (str, str), (float, float))


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
            todo = sorted(missing - self._loaded)
            chunks = []
            for b in todo:
                # A copy: the blob may be the mapped file, and what is checked must be what is
                # parsed. An empty bucket is checked too: its offsets are not verified (a
                # damaged one could make a bucket with words look empty).
                chunk = bytes(blob[offsets[b]:offsets[b + 1]])
                if hashlib.sha256(chunk).digest()[:DIGEST] != self._digests[DIGEST * b:DIGEST * (b + 1)]:
                    self._complete_from(self._rebuilt(b))
                    return
                chunks.append(chunk)
            self._add(b"".join(chunks))
            self._loaded.update(todo)
            if len(self._loaded) == BUCKETS:
                self._blob = self._offsets = None

    def _add(self, data: bytes) -> None:
        """Add the entries of verified buckets (their bytes one after the other) to the tables.

        Each bucket is the three tables' sections, each ended by a ``"\\0\\n"`` line, and
        each section its words and values, one a line (see :meth:`payload`); so all the
        buckets' sections of one table, joined, are that table's lines, parsed in one go.
        """
        sections = data.decode("utf-8", "surrogatepass").split("\0\n")
        tables: tuple[dict[str, Any], ...] = (self.freq, self.tags, self.idf)
        for table, (_, parse), at in zip(tables, _TEXTS, range(3)):
            lines = "".join(sections[at::3]).split("\n")
            words, values = lines[0:-1:2], lines[1::2]  # (the last line: the empty one after "\n")
            table.update(zip(words, values if parse is str else map(parse, values)))

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

    def payload(self) -> tuple[bytes, bytes, bytes] | None:
        """The head (the one-character slice), the index (each bucket's offset and digest) and
        the buckets, of complete tables only; None if a word or value cannot be written as a
        line of this layout (then the tables are not stored, only used).

        A bucket is the three tables' sections one after the other, each its words and values
        one a line (a word, then its value) and a ``"\\0"`` line after it: text, so the file is
        made without a Python object per bucket (marshalling a dict per bucket took two thirds
        of a rebuild) and a text's buckets are read in one go (:meth:`_add`).
        """
        if not self.complete:
            raise ValueError("only complete tables are stored")
        import numpy as np  # pyarrow's dependency, so already imported by any run that writes

        # Where each word and value goes is worked out with numpy over integers; the strings
        # are only listed in the tables' order, joined in that order, and their lines' bytes
        # gathered into the buckets' order: no Python code runs per word, and per bucket only
        # its hash. (Joining the strings in the buckets' order took three times as long: it
        # reads them all over memory.)
        singles: tuple[dict[str, Any], ...] = ({}, {}, {})
        tables: tuple[dict[str, Any], ...] = (self.freq, self.tags, self.idf)
        strings = ["\0"]  # then each table's words and their values' texts
        placed = []  # each table's words of two or more characters: where they and their values
        #              are in `strings`, their buckets
        for one, table, (kind, _) in zip(singles, tables, _TEXTS):
            words, values = list(table), list(table.values())
            if set(map(type, values)) - {kind}:
                return None  # (a bool, say, would be written "True", and read as no int)
            lengths = np.fromiter(map(len, words), dtype=np.intp, count=len(words))
            short = np.flatnonzero(lengths < 2).tolist()
            one.update(zip(map(words.__getitem__, short), map(values.__getitem__, short)))
            longer = np.flatnonzero(lengths >= 2)
            # bucket_of for all of them at once: the first two characters' code points, from
            # the UTF-32 of all the words joined.
            codes = np.frombuffer("".join(words).encode("utf-32-le", "surrogatepass"), dtype="<u4")
            first = (np.cumsum(lengths) - lengths)[longer]
            bucket = (codes[first].astype(np.int64) * _MULTIPLIER + codes[first + 1]) & _MASK
            placed.append((len(strings) + longer, len(strings) + len(words) + longer, bucket))
            strings += words
            strings += _texts(values, kind)
        counts = [np.bincount(bucket, minlength=BUCKETS) for *_, bucket in placed]
        filled = np.flatnonzero(counts[0] + counts[1] + counts[2])
        # The buckets' lines, as indexes in `strings`, each table's in the table's order within
        # a bucket (of a word listed twice, the later value is read last); 0, the "\0", where
        # no word or value is put: after each section.
        size = 2 * (counts[0] + counts[1] + counts[2])
        size[filled] += 3
        start = np.cumsum(size) - size  # of each bucket's next section
        lines = np.zeros(int(size.sum()), dtype=np.intp)
        for (word_at, value_at, bucket), count in zip(placed, counts):
            order = np.argsort(bucket, kind="stable")
            rank = np.empty_like(order)  # of each word among its bucket's
            rank[order] = np.arange(len(order)) - (np.cumsum(count) - count)[bucket[order]]
            at = start[bucket] + 2 * rank
            lines[at], lines[at + 1] = word_at, value_at
            start += 2 * count
            start[filled] += 1  # past the section's "\0"
        joined = ("\n".join(strings) + "\n").encode("utf-8", "surrogatepass")
        if joined.count(b"\0") != 1 or joined.count(b"\n") != len(strings):
            return None  # a word or value holding a "\0" or "\n" would be read back as others
        source = np.frombuffer(joined, dtype=np.uint8)
        after = np.flatnonzero(source == ord("\n")) + 1  # each string's line's end
        line_size = np.diff(after, prepend=0)[lines]
        line_start = after[lines] - line_size
        buckets = np.empty(int(line_size.sum()), dtype=np.uint8)
        done = 0
        for k in range(0, len(lines), _GATHER):  # (a byte's index takes 8 bytes: in blocks)
            begin, size = line_start[k:k + _GATHER], line_size[k:k + _GATHER]
            total = int(size.sum())
            at = np.repeat(begin - (np.cumsum(size) - size), size) + np.arange(total)
            np.take(source, at, out=buckets[done:done + total])
            done += total
        # Each bucket ends after its third "\0" line (no other byte is 0).
        ends = np.flatnonzero(buckets == 0)[2::3] + 2
        sizes = np.zeros(BUCKETS, dtype=np.int64)
        sizes[filled] = np.diff(ends, prepend=0)
        # Offsets within the rest, whose buckets come after the index (fixed-size parts: read
        # in place, not unmarshalled into copies).
        offsets = np.concatenate(([0], np.cumsum(sizes))) + INDEX_BYTES
        data = buckets.tobytes()
        digests = [hashlib.sha256(b"").digest()[:DIGEST]] * BUCKETS
        sha256 = hashlib.sha256
        for b, x, y in zip(filled.tolist(), (ends - sizes[filled]).tolist(), ends.tolist()):
            digests[b] = sha256(data[x:y]).digest()[:DIGEST]  # (a slice of bytes: faster than a view's)
        meta = marshal.dumps((LAYOUT, BUCKET_BITS, self.total, self.idf_median, singles))
        head = len(meta).to_bytes(8, "little") + meta
        return head, offsets.astype("<u4").tobytes() + b"".join(digests), data

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
        parts = self.payload()
        return parts is not None and cache.write(CACHE_NAME, cache_key, parts,
                                                 head_size=len(parts[0]))


def _texts(values: list[Any], kind: type) -> list[str]:
    """The text of each value of a table (``str`` of each: read back by ``kind``), one string
    for equal values (a table has few: a faster conversion, and a join over fewer objects)."""
    if kind is str:
        return values
    memo = {v: str(v) for v in set(values)}
    if kind is float and 0.0 in memo:  # (one key for 0.0 and -0.0, whose texts differ)
        return list(map(str, values))
    return list(map(memo.__getitem__, values))


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
    import numpy as np  # pyarrow's dependency; the tables are built to be stored (payload)

    # Every proper prefix of every word, shortest first, each length's in the file's order
    # (the words read in the order they lie in memory: faster than sorting them by length).
    lengths = np.fromiter(map(len, words), dtype=np.intp, count=len(words))
    # A dict, not a set: its order is the same in every process (a set's is not, as str hashes
    # are salted per process), so a rebuilt cache file is the same bytes.
    freq: dict[str, int] = {}
    for n in range(1, int(lengths.max())):
        longer = map(words.__getitem__, np.flatnonzero(lengths > n).tolist())
        freq.update(zip(map(itemgetter(slice(0, n)), longer), repeat(0)))
    freq.update(zip(words, freqs))
    return freq, sum(freqs), dict(zip(words, tags))
