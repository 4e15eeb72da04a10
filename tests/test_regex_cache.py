"""The cache of compiled patterns (pipeline/regex_cache.py): a command's start takes its patterns
from it, each one the very Pattern ``re`` would compile, and a file that is missing, damaged,
foreign or for another interpreter is never used, only rebuilt."""
from __future__ import annotations

import importlib
import json
import marshal
import os
import random
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from pipeline import cache, regex_cache
from pipeline.grammar.text import LATIN_IN_HAN
from tests.conftest import FIXTURES, RAW_2024

ROOT = Path(__file__).resolve().parent.parent
PDF = FIXTURES / "pdf" / "a4-portrait-serif-10.5pt-repeat-header.pdf"
HTML = FIXTURES / "html" / "cnipa-2024-libreoffice-rowspan.html"
DOCX = FIXTURES / "docx" / "cnipa-2024-attachment.docx"
INPUTS = (RAW_2024, PDF, HTML, DOCX)


def _env(folder: Path) -> dict[str, str]:
    return {**os.environ, "CNIPA_PIPELINE_CACHE": str(folder)}


def _extract(folder: Path, out: Path, *inputs: Path) -> subprocess.CompletedProcess[str]:
    """``python -m pipeline extract`` in a process of its own, its caches in ``folder``; one job,
    so every pattern is compiled in the process that stores them."""
    done = subprocess.run([sys.executable, "-m", "pipeline", "extract", *map(str, inputs),
                           "--out", str(out), "--quiet", "--jobs", "1"],
                          env=_env(folder), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done


def _regex_files(folder: Path) -> list[Path]:
    return sorted(folder.glob("regex-*.cache"))


#: ``python -m pipeline ARGS...`` (pipeline/__main__.py run as ``-m`` runs it) that, as the
#: process ends (atexit, after the command has stored its patterns), writes to the file named
#: first the module-level patterns (text, flags as compiled) of every module of the pipeline
#: the run imported.
MAIN_LISTING_PATTERNS = """\
import atexit, json, re, runpy, sys
listing = sys.argv[1]

def list_patterns():
    with open(listing, "w", encoding="utf-8") as f:
        json.dump(sorted({(v.pattern, v.flags) for n, m in list(sys.modules.items())
                          if n.startswith("pipeline.") and m is not None for v in vars(m).values()
                          if isinstance(v, re.Pattern) and isinstance(v.pattern, str)}), f)

atexit.register(list_patterns)
sys.argv = ["pipeline", *sys.argv[2:]]
runpy.run_module("pipeline", run_name="__main__", alter_sys=True)
"""


@dataclass(frozen=True)
class Warm:
    """The cache folder after one run over a text dump, a PDF, an HTML page and a Word file
    (jieba's tables, copied, and the compiled patterns that run stored), the output of that
    run (cold: it found no patterns stored), and the module-level patterns of the pipeline's
    modules in the process that ran it."""

    folder: Path
    cold_out: Path
    module_patterns: set[tuple[str, int]]


@pytest.fixture(scope="module")
def warm(tmp_path_factory: pytest.TempPathFactory, jieba_cache: Path) -> Warm:
    folder = tmp_path_factory.mktemp("regex-cache") / "c"
    shutil.copytree(jieba_cache, folder)
    assert not _regex_files(folder)
    out, listing = folder.parent / "out", folder.parent / "patterns.json"
    done = subprocess.run([sys.executable, "-c", MAIN_LISTING_PATTERNS, str(listing), "extract",
                           *map(str, INPUTS), "--out", str(out), "--quiet", "--jobs", "1"],
                          env=_env(folder), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    patterns = {(p, f) for p, f in json.loads(listing.read_text(encoding="utf-8"))}
    return Warm(folder, out, patterns)


@pytest.fixture(scope="module")
def warm_folder(warm: Warm) -> Path:
    return warm.folder


@pytest.fixture(scope="module")
def entries(warm_folder: Path) -> dict[regex_cache.Key, regex_cache.Entry]:
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CNIPA_PIPELINE_CACHE", str(warm_folder))
        loaded = regex_cache.load()
    assert loaded is not None
    return loaded


def _fresh(k: regex_cache.Key) -> re.Pattern[str]:
    """``k``'s pattern compiled by ``re``'s compiler now, not taken from any cache."""
    return re._compiler.compile(k[1], k[2])  # type: ignore[attr-defined, no-any-return]


def test_a_run_stores_every_pattern_of_the_pipelines_modules(entries, warm):
    # The module-level patterns of every module of the pipeline the run imported, listed by
    # the very process that ran it and stored them (as it ended).
    ours = warm.module_patterns
    assert len(ours) > 60
    stored = {(k[1], e[2]) for k, e in entries.items()}  # their flags as compiled
    assert ours <= stored, sorted(ours - stored)[:5]


def test_each_cached_pattern_is_the_pattern_re_compiles(entries):
    made = regex_cache.patterns(entries)
    assert made is not None and made.keys() == entries.keys()
    for k, pattern in made.items():
        fresh = _fresh(k)
        # Pattern equality is CPython's: same text, flags and compiled code, word for word.
        assert pattern == fresh, k
        assert (pattern.pattern, pattern.flags, pattern.groups, dict(pattern.groupindex)) == (
            fresh.pattern, fresh.flags, fresh.groups, dict(fresh.groupindex)), k


def _samples() -> list[str]:
    """The 2024 list's lines, pieces of them, and random strings of CJK, full-width and ASCII
    characters (seeded: the same strings each run)."""
    lines = [cell for line in RAW_2024.read_text(encoding="utf-8").splitlines()
             for cell in (line, *line.split("\t")) if cell.strip()]
    rng = random.Random(20261202)
    alphabet = ("一二三四五六七八九十百千年月日底前局省市区县部处的各地有关份做必选任务"
                "㐀䶿豈\ufaff鿿龥〇（）()、，,；;：:。.．%％0123456789０１２３４５６７８９"
                "abcXYZ_-—–/ \t\u3000\u00a0\u200b")
    randoms = ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 40))) for _ in range(400)]
    pieces = [line[i:i + n] for line in rng.sample(lines, min(60, len(lines)))
              for i, n in ((rng.randrange(max(1, len(line))), rng.randint(1, 30)),)]
    return [*lines, *pieces, *randoms]


def _behaviour(pattern: re.Pattern[str], text: str) -> tuple[object, ...]:
    def seen(m: re.Match[str] | None) -> object:
        return None if m is None else (m.span(), m.groups(), m.groupdict())

    return (seen(pattern.match(text)), seen(pattern.fullmatch(text)), seen(pattern.search(text)),
            [seen(m) for m in pattern.finditer(text)])


def test_cached_patterns_match_as_fresh_ones_on_the_list_and_random_text(entries):
    made = regex_cache.patterns(entries)
    assert made is not None
    samples = _samples()
    checked = 0
    for k, pattern in made.items():
        if k[0] is not str:
            continue
        fresh = _fresh(k)
        for text in samples:
            assert _behaviour(pattern, text) == _behaviour(fresh, text), (k, text)
            checked += 1
    assert checked > 100 * len(samples)


def test_a_command_takes_the_grammars_patterns_from_the_cache(warm_folder):
    # The very objects the grammar's modules hold are the ones made from the file.
    probe = ("import re\nfrom pipeline import regex_cache\nn = regex_cache.install()\n"
             "import pipeline.cli\nfrom pipeline.grammar import text\n"
             "k = (str, text.LATIN_IN_HAN.pattern, 0)\n"
             "print(n, k in regex_cache._state.served.used, re._cache[k] is text.LATIN_IN_HAN)")
    done = subprocess.run([sys.executable, "-c", probe], env=_env(warm_folder), cwd=ROOT,
                          capture_output=True, text=True)
    n, installed, same = done.stdout.split()
    assert int(n) > 100 and installed == same == "True", done.stderr


def test_a_warm_run_gives_the_same_output_and_leaves_the_file_as_it_is(warm, tmp_path):
    # Over the inputs of the cold run that stored the file (every reader's patterns served).
    (file,) = _regex_files(warm.folder)
    before = file.read_bytes()
    _extract(warm.folder, tmp_path / "warm-out", *INPUTS)
    assert file.read_bytes() == before
    warm_json = json.loads((tmp_path / "warm-out" / "tasks.json").read_text(encoding="utf-8"))
    cold_json = json.loads((warm.cold_out / "tasks.json").read_text(encoding="utf-8"))
    assert warm_json == cold_json


def _header_end(data: bytes) -> int:
    return data.index(b"\n", len(cache.MAGIC)) + 1


def _with_payload(data: bytes, payload: bytes) -> bytes:
    """A cache file as :func:`cache.write` would have written ``payload`` for the same key: its
    header's size and digest right, so only what is inside can tell it apart."""
    import hashlib

    header = json.loads(data[len(cache.MAGIC):_header_end(data) - 1])
    header.update(size=len(payload), sha256=hashlib.sha256(payload).hexdigest())
    return cache.MAGIC + json.dumps(header).encode() + b"\n" + payload


def _damaged(data: bytes, damage: str) -> bytes:
    start = _header_end(data)
    payload = data[start:]
    entries = list(marshal.loads(payload))
    if damage == "byte":  # one byte of the payload flipped, the header left as it was
        broken = bytearray(data)
        broken[start + len(payload) // 2] ^= 0xFF
        return bytes(broken)
    if damage == "truncated":
        return data[:start + len(payload) // 2]
    if damage == "not-marshal":
        return _with_payload(data, b"\xff" * 64)
    if damage == "not-entries":
        return _with_payload(data, marshal.dumps({"pattern": "x"}))
    # A file crafted to pass its digest is trusted as jieba's tables are (it is in a folder only
    # its user can write to; marshal too is not for crafted bytes), but code _sre cannot run
    # is refused even then.
    if damage == "invalid-code":  # of a pattern every run compiles
        i = next(i for i, e in enumerate(entries) if e[0] == LATIN_IN_HAN.pattern)
        text, flags, final, code, groups, index, names = entries[i]
        entries[i] = (text, flags, final, b"\xff\xff\xff\x7f" * (len(code) // 4), groups, index, names)
    return _with_payload(data, marshal.dumps(tuple(entries)))


DAMAGES = ("byte", "truncated", "not-marshal", "not-entries", "invalid-code")

#: Commands started one after another in this one process, each as at a command's start in a
#: process of its own: no module of the pipeline imported yet and ``re``'s caches empty (a
#: plain dict again where the last command's install put its own), its cache folder named
#: by the environment. Each then does what a command does (install, the grammar imported,
#: extract, store) and the state its start found is written to the file named first, per case.
DAMAGE_COMMANDS = """\
import json, os, re, sys
listing, raw, cases = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
found = {}
for damage, folder, out in cases:
    for name in [n for n in sys.modules if n == "pipeline" or n.startswith("pipeline.")]:
        del sys.modules[name]
    re.purge()
    for name in ("_cache", "_cache2"):
        if hasattr(re, name):
            setattr(re, name, {})
    os.environ["CNIPA_PIPELINE_CACHE"] = folder
    from pipeline import regex_cache
    n = regex_cache.install()
    import pipeline.cli
    from pipeline.grammar import text
    fresh = re._compiler.compile(text.LATIN_IN_HAN.pattern, 0)
    served = regex_cache._state.served
    start = [n > 0, text.LATIN_IN_HAN == fresh, served is not None and bool(served.bad)]
    rc = pipeline.cli.main(["extract", raw, "--out", out, "--quiet", "--jobs", "1"])
    found[damage] = {"start": start, "rc": rc}
with open(listing, "w", encoding="utf-8") as f:
    json.dump(found, f)
"""


@dataclass(frozen=True)
class Damaged:
    """Per damage: the cache folder as a command found it (a copy, kept as it was), the
    folder the command ran on, and what its start found (``DAMAGE_COMMANDS``)."""

    found: dict[str, Path]
    ran: dict[str, Path]
    start: dict[str, dict[str, object]]


@pytest.fixture(scope="module")
def damaged(warm_folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Damaged:
    root = tmp_path_factory.mktemp("damaged")
    (intact_file,) = _regex_files(warm_folder)
    intact = intact_file.read_bytes()
    found, ran, cases = {}, {}, []
    for damage in DAMAGES:
        found[damage], ran[damage] = root / damage / "found", root / damage / "c"
        shutil.copytree(warm_folder, ran[damage])
        (ran[damage] / intact_file.name).write_bytes(_damaged(intact, damage))
        found[damage].mkdir(mode=0o700)
        shutil.copyfile(ran[damage] / intact_file.name, found[damage] / intact_file.name)
        cases.append([damage, str(ran[damage]), str(root / damage / "out")])
    listing = root / "start.json"
    done = subprocess.run([sys.executable, "-c", DAMAGE_COMMANDS, str(listing), str(RAW_2024),
                           json.dumps(cases)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return Damaged(found, ran, json.loads(listing.read_text(encoding="utf-8")))


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_file_is_not_used_and_the_next_run_rebuilds_it(damaged, monkeypatch, damage):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(damaged.found[damage]))
    (file,) = _regex_files(damaged.found[damage])
    loaded = regex_cache.load()
    assert loaded is None or regex_cache.patterns(loaded) is None
    # A command started on it compiles the grammar's patterns as usual: the file is not read,
    # or the entry with bad code is not used (found as the pattern is asked for); and as it
    # ends, it rewrites the file.
    partly = damage == "invalid-code"
    assert damaged.start[damage] == {"start": [partly, True, partly], "rc": 0}
    folder = damaged.ran[damage]
    assert _regex_files(folder) == [folder / file.name]
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(folder))
    rebuilt = regex_cache.load()
    assert rebuilt is not None and regex_cache.patterns(rebuilt) is not None
    assert all(_fresh(k) == p for k, p in (regex_cache.patterns(rebuilt) or {}).items())


def test_a_file_for_another_interpreter_or_layout_is_not_read(entries, tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    payload = marshal.dumps(tuple(entries.values()))
    assert cache.write(regex_cache.CACHE_NAME, regex_cache.key(), payload)
    assert regex_cache.load() == entries
    monkeypatch.setattr(regex_cache, "LAYOUT", regex_cache.LAYOUT + 1)
    assert regex_cache.load() is None
    monkeypatch.undo()
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    monkeypatch.setattr(sys, "version", sys.version + " (another build)")
    assert regex_cache.load() is None
    import _sre  # type: ignore[import-not-found]

    monkeypatch.undo()
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    monkeypatch.setattr(_sre, "MAGIC", _sre.MAGIC + 1)
    assert regex_cache.load() is None


def test_a_file_others_can_write_is_not_read(entries, tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    assert cache.write(regex_cache.CACHE_NAME, regex_cache.key(),
                       marshal.dumps(tuple(entries.values())))
    (file,) = _regex_files(tmp_path / "c")
    file.chmod(0o666)
    assert regex_cache.load() is None


def test_without_the_private_api_nothing_is_cached(monkeypatch, tmp_path):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    monkeypatch.delattr(re, "_compiler")
    assert regex_cache.key() == "" and regex_cache.load() is None
    assert regex_cache.entry((str, "[一-鿿]+", 0)) is None
    monkeypatch.setattr(regex_cache, "_state", None)
    monkeypatch.delitem(sys.modules, "pipeline.grammar")  # as at a command's start
    assert regex_cache.install() == 0 and regex_cache._state is None


def test_too_late_to_help_it_does_nothing(monkeypatch):
    # This process imported the grammar long ago (tests/conftest.py): its patterns are made.
    assert "pipeline.grammar" in sys.modules
    monkeypatch.setattr(regex_cache, "_state", None)
    assert regex_cache.install() == 0 and regex_cache._state is None
    assert regex_cache.store(force=True) is False


def test_patterns_that_are_not_worth_or_safe_to_store_are_left_out():
    assert regex_cache.entry((str, "(?i)[a-z]+", 0)) is not None
    assert regex_cache.entry((str, "x" * (regex_cache.MAX_PATTERN_CHARS + 1), 0)) is None
    assert regex_cache.entry((str, "a", re.DEBUG)) is None
    with pytest.warns(FutureWarning):  # "Possible nested set": would not warn from the cache
        re._compiler.compile("[[a]", 0)  # type: ignore[attr-defined]
    assert regex_cache.entry((str, "[[a]", 0)) is None
    # An entry is stored only if it equals the Pattern re made for it.
    assert regex_cache.entry((str, "a+", 0), re.compile("a+")) is not None
    assert regex_cache.entry((str, "a+", 0), re.compile("a*")) is None


def _state(stored: dict[regex_cache.Key, regex_cache.Entry], usable: bool) -> regex_cache._State:
    return regex_cache._State(set(re._cache), dict(stored), usable)  # type: ignore[attr-defined]


def test_a_usable_file_is_rewritten_only_for_several_new_patterns(entries, tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    old = dict(list(entries.items())[:5])
    monkeypatch.setattr(regex_cache, "_state", _state(old, usable=True))
    re.compile(r"\.out-name\.(tmp|old)-([0-9]+)")  # a pattern made for one run's output folder
    assert regex_cache.store() is False and not _regex_files(tmp_path / "c")
    for i in range(regex_cache.REWRITE_MISSES):
        re.compile(f"[一-鿿]{{{i + 1}}}新")
    assert regex_cache.store() is True
    written = regex_cache.load()
    assert written is not None and old.keys() <= written.keys()
    assert {(str, f"[一-鿿]{{{i + 1}}}新", 0) for i in range(regex_cache.REWRITE_MISSES)} <= written.keys()


def test_a_full_file_keeps_the_new_patterns_and_drops_the_oldest(tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    assert regex_cache.max_entries() == 2 * re._MAXCACHE  # type: ignore[attr-defined]
    old = {(str, f"old-{i}", 0): regex_cache.entry((str, f"old-{i}", 0))
           for i in range(regex_cache.max_entries())}
    monkeypatch.setattr(regex_cache, "_state", _state(old, usable=True))  # type: ignore[arg-type]
    new = [(str, f"new-{i}", 0) for i in range(regex_cache.REWRITE_MISSES)]
    for k in new:
        re.compile(k[1])
    assert regex_cache.store() is True
    written = regex_cache.load()
    assert written is not None and len(written) == regex_cache.max_entries()
    assert list(written)[:len(new)] == new
    assert list(written)[len(new):] == list(old)[:-len(new)]


def test_re_is_served_only_what_it_asks_for_and_a_bad_entry_not_at_all(entries):
    import _sre  # type: ignore[import-not-found]

    stored = dict(entries)
    k = next(iter(stored))
    bad = next(key for key in stored if key != k)
    text, flags, final, _, groups, index, names = stored[bad]
    stored[bad] = (text, flags, final, b"\xff\xff\xff\x7f" * 4, groups, index, names)
    served = regex_cache._Served({}, stored, _sre, limit=2)
    assert not served and not served.used
    assert served[k] == _fresh(k) and served.used == [k] and list(served) == [k]
    with pytest.raises(KeyError):
        served[(str, "not stored", 0)]
    with pytest.raises(KeyError):
        served[bad]
    assert served.bad == {bad} and bad not in stored and list(served) == [k]
    third = next(key for key in stored if key not in (k, bad))
    fourth = next(key for key in stored if key not in (k, bad, third))
    assert served[third] == _fresh(third) and served[fourth] == _fresh(fourth)
    assert list(served) == [third, fourth]  # the limit: the oldest goes, as in re


def test_the_patterns_a_run_used_are_kept_before_those_it_did_not(entries, tmp_path, monkeypatch):
    import _sre

    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    state = _state(entries, usable=True)
    state.served = regex_cache._Served({}, state.stored, _sre, limit=512)
    last = list(entries)[-1]
    assert state.served[last] == _fresh(last)
    monkeypatch.setattr(regex_cache, "_state", state)
    new = [(str, f"used-{i}", 0) for i in range(regex_cache.REWRITE_MISSES)]
    for k in new:
        re.compile(k[1])
    assert regex_cache.store() is True
    written = regex_cache.load()
    assert written is not None and written.keys() == entries.keys() | set(new)
    assert list(written)[:len(new) + 1] == [*new, last]


def _module_patterns(*packages: str) -> set[tuple[str, int]]:
    """The module-level patterns (text, flags as compiled) of these packages' modules."""
    for name in packages:
        importlib.import_module(name)
    return {(v.pattern, v.flags) for name, module in list(sys.modules.items())
            if module is not None and any(name == p or name.startswith(p + ".") for p in packages)
            for v in vars(module).values() if isinstance(v, re.Pattern) and isinstance(v.pattern, str)}


def test_the_patterns_pool_workers_compile_are_stored_too(jieba_cache, tmp_path):
    # The parent of a run with workers never imports the readers: each forked worker compiles
    # their patterns, and stores them as it ends.
    folder = tmp_path / "c"
    shutil.copytree(jieba_cache, folder)
    done = subprocess.run([sys.executable, "-m", "pipeline", "extract", str(RAW_2024), str(PDF),
                           str(HTML), "--out", str(tmp_path / "out"), "--quiet", "--jobs", "2"],
                          env=_env(folder), cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CNIPA_PIPELINE_CACHE", str(folder))
        written = regex_cache.load()
    assert written is not None
    readers = _module_patterns("pipeline.read.pdf", "pipeline.read.html")
    assert len(readers) > 10
    assert readers <= {(k[1], e[2]) for k, e in written.items()}


def test_a_rewrite_keeps_what_another_process_stored_meanwhile(entries, tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    mine, theirs = dict(list(entries.items())[:10]), dict(list(entries.items())[10:20])
    monkeypatch.setattr(regex_cache, "_state", _state(mine, usable=True))
    assert cache.write(regex_cache.CACHE_NAME, regex_cache.key(),
                       marshal.dumps(tuple(theirs.values())))  # stored after this one read its file
    new = [(str, f"meanwhile-{i}", 0) for i in range(regex_cache.REWRITE_MISSES)]
    for k in new:
        re.compile(k[1])
    assert regex_cache.store() is True
    written = regex_cache.load()
    assert written is not None and written.keys() == mine.keys() | theirs.keys() | set(new)
