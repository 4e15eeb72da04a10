"""Compiled regular expressions kept in the pipeline's cache, so a command's start compiles none.

The grammar's patterns embed classes of CJK characters (``[㐀-䶿一-鿿豈-\\ufaff]``), and CPython's
``re`` compiler optimises a class by looping in Python over every code point of its ranges:
one to six milliseconds a pattern, some 50 ms of CPU at each start of ``python -m pipeline``
for the patterns a PDF extract compiles (its own and those of the libraries it imports), which
was a fifth of what the pipeline adds to bare pdfplumber. What takes the time is turning the
parsed pattern into the matcher's code (``re._compiler._code``); building a Pattern from that
code (``_sre.compile``, which also validates it) takes microseconds.

So the command line (:mod:`pipeline.cli`), before it imports the grammar, calls
:func:`install`: the code of every pattern an earlier run compiled is read from our cache and
made into Pattern objects, which are put in ``re``'s own cache under the key ``re.compile``
looks up first (``(type(pattern), pattern, flags)``). The grammar keeps plain ``re.compile``:
a pattern not in the file, or changed since, is simply compiled by ``re``. At the end of the
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

import marshal
import re
import sys
import warnings
from array import array
from dataclasses import dataclass, field
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


@dataclass
class _State:
    """What :func:`install` did in this process, for :func:`store`."""

    before: set[Key]  # re's cache when install ran (patterns compiled before it: not ours)
    stored: dict[Key, Entry]  # the usable file's entries (empty if none)
    usable: bool  # a file for this key was there and intact
    installed: set[Key] = field(default_factory=set)  # put into re's cache from the file


_state: _State | None = None


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
    """Put the cached patterns into ``re``'s cache; the number put there (0: none, or too late).

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
        before = set(re._cache)  # type: ignore[attr-defined]
        stored = load()
        state = _State(before, stored or {}, stored is not None)
        room = max(0, re._MAXCACHE - len(before) - 1)  # type: ignore[attr-defined]
        patterns = _patterns(sre, state.stored, room)
    except Exception:  # anything at all: compile as usual
        return 0
    if patterns is None:  # an entry that does not check out: the file is not used (rebuilt)
        state = _State(before, {}, False)
        patterns = {}
    for k, pattern in patterns.items():
        if k not in re._cache:  # type: ignore[attr-defined]
            re._cache[k] = pattern  # type: ignore[attr-defined]
            state.installed.add(k)
    _state = state
    return len(state.installed)


def load() -> dict[Key, Entry] | None:
    """The entries of the cache file for this interpreter, or None if there is none usable."""
    payload = cache.read(CACHE_NAME, key()) if _sre_module() is not None else None
    if payload is None:
        return None
    try:
        data = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(data, tuple) or len(data) > re._MAXCACHE:  # type: ignore[attr-defined]
        return None
    entries: dict[Key, Entry] = {}
    for item in data:
        if not _well_formed(item):
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
    for k, (text, _flags, final, code, groups, groupindex, indexgroup) in entries.items():
        if len(made) >= limit:
            break
        if typecode is None or len(code) % sre.CODESIZE:
            return None
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
    """Entries the file holds at most: three quarters of ``re``'s own cache, which keeps the
    rest for the patterns a run makes as it goes (a run over every kind of input compiles some
    300; beyond ``re._MAXCACHE`` re drops its oldest entries, ours first)."""
    return re._MAXCACHE * 3 // 4  # type: ignore[attr-defined, no-any-return]


def store(force: bool = False) -> bool:
    """Rewrite the cache file with the patterns this run compiled itself, if worth it (see the
    module's docstring; ``force``: whenever there is any); True if it was written."""
    state = _state
    if state is None:
        return False
    try:
        found = dict(re._cache)  # type: ignore[attr-defined]
        misses = [k for k in found if k not in state.before and k not in state.stored]
        if not misses or (state.usable and not force and len(misses) < REWRITE_MISSES):
            return False
        new = {k: e for k in misses if (e := entry(k, found[k])) is not None}
        if not new and state.usable:
            return False
        merged = {**new, **{k: e for k, e in state.stored.items() if k not in new}}
        kept = tuple(list(merged.values())[:max_entries()])
        payload = marshal.dumps(kept)
        if len(payload) > MAX_PAYLOAD_BYTES or not cache.write(CACHE_NAME, key(), payload):
            return False
        state.stored = {(type(e[0]), e[0], e[1]): e for e in kept}
        state.usable = True
        return True
    except Exception:  # a cache that cannot be written only costs the next run time
        return False
