"""Compiled regular expressions kept in the pipeline's cache, so a command's start compiles none.

The grammar's patterns embed classes of CJK characters (``[㐀-䶿一-鿿豈-\\ufaff]``), and CPython's
``re`` compiler optimises a class by looping in Python over every code point of its ranges:
one to six milliseconds a pattern, some 50 ms of CPU at each start of ``python -m pipeline``
for the patterns a PDF extract compiles (its own and those of the libraries it imports), which
was a fifth of what the pipeline adds to bare pdfplumber. What takes the time is turning the
parsed pattern into the matcher's code (``re._compiler._code``); building a Pattern from that
code (``_sre.compile``, which also validates it) takes microseconds.

So the command line (:mod:`pipeline.cli`), before it imports the grammar, calls
:func:`install`: the code of every pattern earlier runs compiled is read from our cache, and
``re``'s own cache — the dict ``re.compile`` looks a pattern up in first, by
``(type(pattern), pattern, flags)`` — becomes a dict that, when a pattern is not in it, makes
the Pattern from the file's code if the file has it (:class:`_Served`; a Pattern is made only
for what a run compiles, so the file can hold every command's patterns). The grammar keeps
plain ``re.compile``: a pattern not in the file, or changed since, is simply compiled by ``re``.
At the end of the
command :func:`store` rewrites the file when the run had to compile patterns itself: always if
the file was missing or not usable, else when the run met at least :data:`REWRITE_MISSES` new
ones (another command, another kind of input; one or two are patterns made for that run, such
as the output folder's name, not worth a write).

The file is an entry of :mod:`pipeline.cache` (private folder, a header naming the key and the
payload's SHA-256), its key everything that decides the code: the interpreter (implementation,
full version string), ``_sre``'s MAGIC, CODESIZE, MAXREPEAT and MAXGROUPS, marshal's version
and this layout; each entry holds its pattern's text and flags, and is used only under exactly
those. An entry is stored only if the Pattern made from its code compares equal (same text,
flags and code) to the one ``re`` compiled, and only if compiling it gave no warning (a
pattern served from the cache warns of nothing). What guards the entries afterwards is what
guards jieba's tables: the payload's digest (damage) and a folder only its user can write to
(anyone else's file; like marshal, ``_sre`` is not meant for crafted input: it refuses code
it cannot run, but not every wrong group count). Anything unexpected — a private API missing
or changed, a damaged or foreign file, an entry that does not check out, any exception — means
the patterns are compiled as usual: the cache can only cost or save time, never change a match.
"""
from __future__ import annotations

import contextlib
import marshal
import re
import sys
import warnings
from array import array
from dataclasses import dataclass
from typing import Any

from pipeline import cache

#: The cache file's name, and the layout of its payload (part of the key: bump it on a change).
CACHE_NAME = "regex.cache"
LAYOUT = 1
#: A run that compiled this many patterns the (usable) file lacks rewrites it.
REWRITE_MISSES = 4
#: Longer patterns are not stored (none of ours is near it; such a pattern is not a module's).
MAX_PATTERN_CHARS = 20_000
#: The payload is never larger (all a PDF extract compiles: some 200 KB).
MAX_PAYLOAD_BYTES = 4 * 1024 * 1024

#: One stored pattern: (text, flags as passed, the Pattern's flags, its code as bytes, groups,
#: groupindex, indexgroup) — the arguments of ``_sre.compile`` with the key they answer.
Entry = tuple[str | bytes, int, int, bytes, int, dict[str, int], tuple[str | None, ...]]
Key = tuple[type, str | bytes, int]


class _Served(dict):  # type: ignore[type-arg]
    """``re``'s own first cache (a dict, used by ``re`` as before) that, when ``re`` looks a
    pattern up in vain, makes it from the file's entry if there is one: a Pattern is made only
    for the patterns a run compiles, not for the hundreds other commands stored."""

    def __init__(self, items: dict[Key, re.Pattern[Any]], stored: dict[Key, Entry], sre: Any,
                 limit: int) -> None:
        super().__init__(items)
        self.stored, self.sre, self.limit = stored, sre, limit
        self.used: list[Key] = []  # served from the file, in order
        self.bad: set[Key] = set()  # entries that failed to make their Pattern (not used)

    def __missing__(self, k: Key) -> re.Pattern[Any]:
        try:
            made = _patterns(self.sre, {k: self.stored[k]}, 1)
        except Exception:  # no entry (KeyError), or any other surprise: re compiles it
            raise KeyError(k) from None
        if made is None:
            self.bad.add(k)
            del self.stored[k]
            raise KeyError(k)
        if len(self) >= self.limit:  # as re does: the oldest out
            with contextlib.suppress(StopIteration, RuntimeError, KeyError):
                del self[next(iter(self))]
        self[k] = made[k]
        self.used.append(k)
        return made[k]


@dataclass
class _State:
    """What :func:`install` did in this process, for :func:`store`."""

    before: set[Key]  # re's cache when install ran (patterns compiled before it: not ours)
    stored: dict[Key, Entry]  # the usable file's entries (empty if none)
    usable: bool  # a file for this key was there and intact
    served: _Served | None = None  # the dict put in re's place


_state: _State | None = None


def _first_cache() -> tuple[str, str]:
    """The names in ``re`` of the dict ``re.compile`` consults first, and of its size limit
    (3.12 and later look in ``_cache2`` first, before their LRU ``_cache``)."""
    return ("_cache2", "_MAXCACHE2") if hasattr(re, "_cache2") else ("_cache", "_MAXCACHE")


def _sre_module() -> Any:
    """``_sre`` and the private parts of ``re`` this module relies on, or None without them."""
    try:
        import _sre  # type: ignore[import-not-found]  # CPython's regex engine; typeshed has no stub

        for name in ("MAGIC", "CODESIZE", "MAXREPEAT", "MAXGROUPS", "compile"):
            getattr(_sre, name)
        re._compiler._code, re._parser.parse, re._cache, re._MAXCACHE  # type: ignore[attr-defined]  # noqa: B018
    except (ImportError, AttributeError):
        return None
    if _typecode(_sre.CODESIZE) is None:
        return None
    return _sre


def _typecode(codesize: int) -> str | None:
    """The array type code of the matcher's code words (``_sre.CODESIZE`` bytes each)."""
    return next((t for t in "IL" if array(t).itemsize == codesize), None)


def key() -> str:
    """The cache key: everything the compiled code of a given pattern and flags depends on."""
    sre = _sre_module()
    if sre is None:
        return ""
    return (f"regex {LAYOUT} {sys.implementation.name} {sys.version} {sys.hexversion:x} "
            f"sre {sre.MAGIC} {sre.CODESIZE} {sre.MAXREPEAT} {sre.MAXGROUPS} "
            f"marshal {marshal.version}")


def install() -> int:
    """Serve the cached patterns to ``re`` from now on; the number available (0: none, or too
    late).

    ``re``'s first cache becomes a :class:`_Served` holding what it held: ``re.compile`` looks
    there first, and a pattern it lacks is made from the file's code if the file has it.
    Only at a command's start: if the grammar is already imported, its patterns are compiled
    and held by its modules, and the process is not a command's (a test, a notebook); then
    nothing is done and :func:`store` stores nothing either. Called once; later calls do nothing.
    """
    global _state
    if _state is not None or "pipeline.grammar" in sys.modules:
        return 0
    sre = _sre_module()
    if sre is None:
        return 0
    try:
        name, limit = _first_cache()
        current = getattr(re, name)
        if type(current) is not dict:  # not re's plain dict (someone else replaced it): leave it
            return 0
        before = set(re._cache)  # type: ignore[attr-defined]
        stored = load()
        state = _State(before, stored or {}, stored is not None)
        state.served = _Served(current, state.stored, sre, getattr(re, limit))
        setattr(re, name, state.served)
    except Exception:  # anything at all: compile as usual
        return 0
    _state = state
    return len(state.stored)


def load() -> dict[Key, Entry] | None:
    """The entries of the cache file for this interpreter, or None if there is none usable."""
    payload = cache.read(CACHE_NAME, key()) if _sre_module() is not None else None
    if payload is None:
        return None
    try:
        data = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, tuple) or len(data) > max_entries():
        return None
    # Only the keys here (a command may use a tenth of the entries); each entry is checked in
    # full when its Pattern is made (:func:`_patterns`).
    entries: dict[Key, Entry] = {}
    for item in data:
        if type(item) is not tuple or len(item) != 7 or type(item[0]) not in (str, bytes) \
                or type(item[1]) is not int:
            return None
        entries[(type(item[0]), item[0], item[1])] = item
    return entries


def _well_formed(item: Any) -> bool:
    if not (isinstance(item, tuple) and len(item) == 7):
        return False
    text, flags, final, code, groups, groupindex, indexgroup = item
    return (isinstance(text, str | bytes) and len(text) <= MAX_PATTERN_CHARS
            and type(flags) is int and type(final) is int and final & flags == flags
            and not flags & re.DEBUG and isinstance(code, bytes)
            and type(groups) is int and groups >= 0
            and isinstance(groupindex, dict) and isinstance(indexgroup, tuple)
            and len(indexgroup) == groups + 1
            and all(n is None or isinstance(n, str) for n in indexgroup)
            and all(isinstance(n, str) and type(i) is int and 0 < i <= groups
                    and indexgroup[i] == n for n, i in groupindex.items()))


def patterns(entries: dict[Key, Entry], limit: int | None = None) -> dict[Key, re.Pattern[Any]] | None:
    """Pattern objects made from ``entries`` (the first ``limit``), or None if any fails to."""
    sre = _sre_module()
    if sre is None:
        return None
    return _patterns(sre, entries, len(entries) if limit is None else limit)


def _patterns(sre: Any, entries: dict[Key, Entry], limit: int) -> dict[Key, re.Pattern[Any]] | None:
    typecode = _typecode(sre.CODESIZE)
    made: dict[Key, re.Pattern[Any]] = {}
    for k, item in entries.items():
        if len(made) >= limit:
            break
        if typecode is None or not _well_formed(item) or len(item[3]) % sre.CODESIZE:
            return None
        text, _flags, final, code, groups, groupindex, indexgroup = item
        try:
            pattern = sre.compile(text, final, array(typecode, code).tolist(), groups,
                                  groupindex, indexgroup)
        except Exception:  # _sre rejects code it cannot run (RuntimeError: invalid SRE code)
            return None
        if pattern.groups != groups or pattern.pattern != text:
            return None
        made[k] = pattern
    return made


def entry(k: Key, compiled: re.Pattern[Any] | None = None) -> Entry | None:
    """The entry of pattern key ``k`` (compiled afresh), or None if it is not one to store:
    not a plain str/bytes pattern, DEBUG, too long, warned about when compiled, or (given the
    Pattern ``re`` made) not equal to it."""
    sre = _sre_module()
    kind, text, flags = k
    if (sre is None or kind not in (str, bytes) or type(text) is not kind or type(flags) is not int
            or flags & re.DEBUG or len(text) > MAX_PATTERN_CHARS):
        return None
    typecode = _typecode(sre.CODESIZE)
    assert typecode is not None  # _sre_module checked it
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        parsed = re._parser.parse(text, flags)  # type: ignore[attr-defined]
        code = re._compiler._code(parsed, flags)  # type: ignore[attr-defined]
    if caught:
        return None
    groupindex = dict(parsed.state.groupdict)
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, i in groupindex.items():
        indexgroup[i] = name
    made: Entry = (text, flags, flags | parsed.state.flags, array(typecode, code).tobytes(),
                   parsed.state.groups - 1, groupindex, tuple(indexgroup))
    check = _patterns(sre, {k: made}, 1)
    if check is None or (compiled is not None and check[k] != compiled):
        return None
    return made


def max_entries() -> int:
    """Entries the file holds at most: twice ``re``'s own cache (the patterns of every command
    and kind of input: some 400 with the report's charts); only those a run compiles are made."""
    return 2 * re._MAXCACHE  # type: ignore[attr-defined, no-any-return]


def store(force: bool = False) -> bool:
    """Rewrite the cache file with the patterns this run compiled itself, if worth it (see the
    module's docstring; ``force``: whenever there is any); True if it was written. The patterns
    this run used come first, so a full file drops those no run has used for longest."""
    state = _state
    if state is None:
        return False
    try:
        found = dict(re._cache)  # type: ignore[attr-defined]  # every pattern re compiled itself
        misses = [k for k in found if k not in state.before and k not in state.stored]
        bad = state.served.bad if state.served is not None else set()
        damaged = bool(bad)
        if not damaged and (not misses or (state.usable and not force
                                           and len(misses) < REWRITE_MISSES)):
            return False
        new = {k: e for k in misses if (e := entry(k, found[k])) is not None}
        if not new and state.usable and not damaged:
            return False
        used = state.served.used if state.served is not None else []
        # And what the file holds now: another process (a pool worker of this run, a command
        # run beside it) may have stored its patterns since this one read it. Under the
        # folder's lock, so two workers ending together do not each write over the other's.
        with cache.locked(CACHE_NAME):
            now = {k: e for k, e in (load() or {}).items() if k not in bad}
            merged = {**new, **{k: state.stored[k] for k in used if k in state.stored},
                      **state.stored, **now}
            kept = tuple(list(merged.values())[:max_entries()])
            payload = marshal.dumps(kept)
            if len(payload) > MAX_PAYLOAD_BYTES or not cache.write(CACHE_NAME, key(), payload):
                return False
        state.stored.clear()
        state.stored.update(((type(e[0]), e[0], e[1]), e) for e in kept)
        state.usable = True
        bad.clear()
        return True
    except Exception:  # a cache that cannot be written only costs the next run time
        return False
