"""jieba: loaded lazily and once, with the domain dictionary, its cache outside the repo."""
from __future__ import annotations

import io
import json
import marshal
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline import cache, jieba_tables, nlp
from tests.conftest import RAW_2024

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("word", ["知识产权", "数据知识产权", "地理标志", "专利转化运用", "质押融资",
                                  "审查协作中心", "存量专利", "专题数据库"])
def test_domain_terms_stay_whole(word):
    assert word in nlp.cut(f"推动{word}工作")


def test_importing_the_pipeline_does_not_load_jieba():
    code = ("import sys, pipeline.build, pipeline.nlp, pipeline.facts; "
            "print('jieba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"




def test_keywords_are_domain_nouns(doc_2024):
    task8 = doc_2024.tasks[7]
    assert "存量专利" in task8.keywords
    assert all(k not in {"工作", "知识产权", "国家知识产权局"} for k in task8.keywords)


def test_keywords_rank_as_jiebas_own_tfidf_extractor(doc_2024):
    import jieba.analyse

    extractor = jieba.analyse.TFIDF()
    extractor.stop_words = set(extractor.stop_words) | nlp._STOP_WORDS
    seg = nlp._segmenter()
    extractor.postokenizer = seg.postokenizer  # our dictionary: the domain words
    for task in doc_2024.tasks[:6]:
        text = "\n".join([task.task_title, *(c.text for c in task.clauses)])
        seg.tables.ensure(text)
        assert list(task.keywords) == extractor.extract_tags(text, topK=8, allowPOS=nlp._KEYWORD_POS)


# ---- the tables' cache (issue 8, finding 8; issue 13) -----------------------------------------

_KEYWORDS_OF_2024 = (
    "import json, sys; from pathlib import Path; from pipeline.build import extract_file; "
    "keywords = [list(t.keywords) for t in extract_file(Path(sys.argv[1])).tasks]; "
    "print(json.dumps([keywords, type(sys.modules['jieba.finalseg']).__name__]))"
)


def _planted_table() -> bytes:
    """A prefix table as jieba's cache holds it, of single characters only: with it jieba cuts
    every text into characters, so the keywords would be little but the domain words."""
    freq = {chr(c): 1 for c in range(0x4E00, 0x9FA6)}
    return marshal.dumps((freq, len(freq)))


def _header_end(data: bytes) -> int:
    return data.index(b"\n", len(cache.MAGIC)) + 1


def _keywords_run(env: dict[str, str]) -> list[list[str]]:
    """The keywords of an extraction of the 2024 list in a process of its own; which, cold,
    warm or rebuilding the cache, never imports jieba.finalseg (see the test of it below)."""
    run = [sys.executable, "-c", _KEYWORDS_OF_2024, str(RAW_2024)]
    keywords, finalseg = json.loads(subprocess.run(run, cwd=ROOT, env=env, check=True,
                                                   capture_output=True, text=True).stdout)
    assert finalseg == "_OnFirstUse"
    return keywords  # type: ignore[no-any-return]


def _planted(folder: Path) -> dict[str, str]:
    """A run's environment: another user's jieba.cache planted in the shared temp folder (where
    jieba itself would look), our cache folder ``folder/cache`` (empty, private)."""
    shared_tmp, ours = folder / "tmp", folder / "cache"
    shared_tmp.mkdir()
    ours.mkdir(mode=0o700)
    (shared_tmp / "jieba.cache").write_bytes(_planted_table())
    return {"PATH": "/usr/bin:/bin", "HOME": str(folder / "home"), "TMPDIR": str(shared_tmp),
            "CNIPA_PIPELINE_CACHE": str(ours)}


@pytest.fixture(scope="module")
def cold_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[list[str]]]:
    """One cold run of an extraction beside a planted jieba.cache, in a process of its own (the
    cache it builds takes seconds; the tests below damage copies of it): our cache file and the
    run's keywords."""
    env = _planted(tmp_path_factory.mktemp("cold"))
    keywords = _keywords_run(env)
    (built,) = Path(env["CNIPA_PIPELINE_CACHE"]).glob("jieba-tables-*.cache")
    return built, keywords


def test_a_cold_run_builds_our_cache_outside_the_repo_and_never_reads_a_planted_one(
        cold_run, doc_2024, tmp_path):
    path, keywords = cold_run
    want = [list(t.keywords) for t in doc_2024.tasks]
    assert keywords == want  # not the planted table's
    assert path.is_file()
    assert not [p for d in (ROOT, ROOT / "pipeline", ROOT / "tests") for p in d.glob("jieba*.cache")]
    # The next run reads it (the same keywords), and leaves it as it is.
    env = _planted(tmp_path)
    copy = Path(env["CNIPA_PIPELINE_CACHE"]) / path.name
    shutil.copy(path, copy)
    assert _keywords_run(env) == want
    assert copy.read_bytes() == path.read_bytes()


def _damaged(written: bytes, damage: str) -> bytes:
    """A cache file as a cold run wrote it, damaged: one byte of its head (of the one-character
    slice), the first byte of every bucket the 2024 list needs, or of its digest in the index,
    an offset of the index moved so that one of them looks empty, cut short, or intact but
    written for other sources."""
    start = _header_end(written)
    header = json.loads(written[len(cache.MAGIC):start])
    damaged = bytearray(written)
    if damage == "head":
        damaged[start + 40] ^= 0xFF
    elif damage in ("bucket", "digest", "offset"):
        rest = start + header["head"]
        tables = jieba_tables.Tables.from_parts(memoryview(written)[start:rest], written[rest:])
        assert tables is not None and tables._offsets is not None
        offsets = tables._offsets
        needed = sorted(b for b in jieba_tables.buckets_in(RAW_2024.read_text(encoding="utf-8"))
                        if offsets[b + 1] > offsets[b])
        if damage == "offset":  # the first needed bucket's end put at its start
            b = needed[0]
            at = rest + 4 * (b + 1)
            damaged[at:at + 4] = offsets[b].to_bytes(4, "little")
        for b in needed if damage != "offset" else ():
            at = (rest + offsets[b] if damage == "bucket"
                  else rest + 4 * (jieba_tables.BUCKETS + 1) + jieba_tables.DIGEST * b)
            damaged[at] ^= 0xFF
    elif damage == "truncated":
        damaged = damaged[:len(written) // 2]
    else:
        header["key"] = "0" * 64
        damaged = bytearray(cache.MAGIC + json.dumps(header).encode() + b"\n" + written[start:])
    return bytes(damaged)


@pytest.mark.parametrize("damage", ["head", "bucket", "digest", "offset", "truncated", "stale"])
def test_a_damaged_or_stale_cache_is_not_used(tmp_path, monkeypatch, cold_run, damage):
    """Our cache with an edited head, cut short or written for other sources is not loaded at
    all (a run then builds the tables, as a cold run does); one with edited buckets, bucket
    digests or offsets (the index, which is not hashed as a whole) is loaded, and a text needing
    one of those buckets finds it fails its digest (a run then rebuilds: below)."""
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path))
    path = tmp_path / cold_run[0].name  # the file for this key
    shutil.copy(cold_run[0], path)
    key = nlp._cache_key()
    assert jieba_tables.Tables.load(key) is not None  # intact, it is used
    path.write_bytes(_damaged(cold_run[0].read_bytes(), damage))
    tables = jieba_tables.Tables.load(key)
    if damage not in ("bucket", "digest", "offset"):
        assert tables is None
    else:
        assert tables is not None and tables.rebuild is None
        text, elsewhere = RAW_2024.read_text(encoding="utf-8"), "熊猫和海豚"
        assert not jieba_tables.buckets_in(elsewhere) & jieba_tables.buckets_in(text)
        # (nor the buckets after the list's, which an offset moved at a bucket's end changes)
        assert not jieba_tables.buckets_in(elsewhere) & {b + 1 for b in jieba_tables.buckets_in(text)}
        tables.ensure(elsewhere)  # buckets the list does not need: intact, and loaded
        assert "熊猫" in tables.freq and "海豚" in tables.freq
        with pytest.raises(jieba_tables.DamagedCacheError):
            tables.ensure(text)


def test_planted_or_damaged_caches_change_no_keyword_and_ours_is_rebuilt(tmp_path, doc_2024,
                                                                        cold_run):
    """Another user's jieba.cache in the shared temp folder is never read; our cache with
    buckets edited (found only when a text needs them, half-way through a run) is not used:
    keywords stay those of a clean run, and the file is rebuilt, the very bytes a cold run
    writes. (A cache refused whole, above, leaves a run where a cold run starts: the cold
    run's test is that case's.)"""
    env = _planted(tmp_path)
    path = Path(env["CNIPA_PIPELINE_CACHE"]) / cold_run[0].name  # the file for this key
    shutil.copy(cold_run[0], path)  # what a cold run built and stored, as it stored it (mode too)
    written = path.read_bytes()
    path.write_bytes(_damaged(written, "bucket"))
    assert _keywords_run(env) == [list(t.keywords) for t in doc_2024.tasks]
    assert path.read_bytes() == written  # rebuilt, the very same bytes


@pytest.fixture(scope="module")
def full_tables() -> jieba_tables.Tables:
    """The complete tables as the pipeline builds them (seconds; the tests only read them)."""
    return nlp._build_tables(nlp._jieba().Tokenizer(), nlp._posseg(), *_jieba_sources())


@pytest.fixture(scope="module")
def stored(cold_run: tuple[Path, list[list[str]]]) -> tuple[memoryview, memoryview]:
    """The head and the buckets of the cache file the cold run stored (verified by its header)."""
    with pytest.MonkeyPatch.context() as env:
        env.setenv("CNIPA_PIPELINE_CACHE", str(cold_run[0].parent))
        found = cache.read_head(jieba_tables.CACHE_NAME, nlp._cache_key())
    assert found is not None
    return found


def test_the_buckets_together_are_jiebas_own_tables(monkeypatch, cold_run, full_tables):
    """Built, and stored by a cold run and loaded back bucket by bucket, the tables are exactly
    the ones jieba's own code builds: the prefix dictionary with the domain words, posseg's tag
    table with their tags, and the IDF table as a plain scan of jieba's file reads it."""
    import jieba
    import jieba.posseg

    tokenizer = jieba.Tokenizer()
    with tokenizer.get_dict_file() as f:
        dict_txt = f.read()
    tokenizer.FREQ, tokenizer.total = tokenizer.gen_pfdict(io.BytesIO(dict_txt))
    tokenizer.initialized = True
    tokenizer.load_userdict(str(ROOT / "pipeline" / "userdict.txt"))
    parser = jieba.posseg.POSTokenizer(jieba.Tokenizer())
    tags = {**parser.word_tag_tab, **tokenizer.user_word_tag_tab}
    idf_words = {line.split()[0] for line in nlp._idf_path().read_text(encoding="utf-8").splitlines()}
    idf, median = nlp._scan_idf(frozenset(idf_words))

    built = full_tables  # nlp._build_tables over jieba's dict.txt and idf.txt, as dict_txt above
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(cold_run[0].parent))
    loaded = jieba_tables.Tables.load(nlp._cache_key())
    assert loaded is not None and not loaded.complete
    assert len(loaded.freq) < len(built.freq) / 10  # only the one-character slice so far
    loaded.load_all()
    assert loaded.complete
    for tables in (built, loaded):
        assert tables.freq == tokenizer.FREQ and tables.total == tokenizer.total
        assert tables.tags == tags and "数据知识产权" in tables.tags
        assert tables.idf == idf and tables.idf_median == median
    assert jieba_tables.Tables.load("another key") is None


def test_a_text_loads_every_word_a_cut_of_it_can_look_up(full_tables, stored):
    """The buckets a text loads hold every dictionary word that is a piece of the text."""
    seg = nlp._segmenter()
    full = full_tables
    head, blob = stored
    for piece in [RAW_2024.read_text(encoding="utf-8")[:3000], "知识产权强国", "a知b识c"]:
        lazy = jieba_tables.Tables.from_parts(head, blob)
        assert lazy is not None
        lazy.ensure(piece)
        pieces = {piece[i:j] for i in range(len(piece)) for j in range(i + 1, min(len(piece), i + 20) + 1)}
        for table, whole in ((lazy.freq, full.freq), (lazy.tags, full.tags), (lazy.idf, full.idf)):
            assert {p: whole[p] for p in pieces if p in whole} == {p: table[p] for p in pieces
                                                                    if p in table}
    assert seg.tables.total == full.total


def _jieba_sources() -> tuple[bytes, bytes]:
    tokenizer = nlp._jieba().Tokenizer()
    with tokenizer.get_dict_file() as f:
        return f.read(), nlp._idf_path().read_bytes()


def test_lazy_tables_cut_tag_and_rank_as_the_complete_ones(doc_2024, full_tables, stored):
    """The pipeline's tokenizers over tables loaded a slice at a time, and over the complete
    tables: the same words, tags and keywords, for the list's texts and random slices of them."""
    import random

    full = nlp._segmenter_over(full_tables)
    head, blob = stored
    lazy_tables = jieba_tables.Tables.from_parts(head, blob)
    assert lazy_tables is not None
    lazy = nlp._segmenter_over(lazy_tables)
    texts = [t.task_title + "\n" + t.measures for t in doc_2024.tasks]
    rnd = random.Random(8)
    whole = "".join(texts)
    texts += [whole[i:i + rnd.randint(1, 60)] for i in (rnd.randrange(len(whole)) for _ in range(200))]
    for text in texts:
        lazy.tables.ensure(text)
        assert list(lazy.tokenizer.cut(text, HMM=False)) == list(full.tokenizer.cut(text, HMM=False))
        for hmm in (False, True):
            assert ([tuple(p) for p in lazy.postokenizer.cut(text, HMM=hmm)]
                    == [tuple(p) for p in full.postokenizer.cut(text, HMM=hmm)])
    assert not lazy.tables.complete  # the comparison was of lazily loaded tables


_OTHER_CODE_TEXT = "推动数据知识产权工作，加强地理标志保护。小明硕士毕业于中国科学院计算所。我爱北京天安门"


@pytest.fixture(scope="module")
def other_code(tmp_path_factory: pytest.TempPathFactory,
               cold_run: tuple[Path, list[list[str]]]) -> tuple[dict[str, Any], dict[str, Any]]:
    """What other code using jieba gets (jieba.cut, jieba.posseg.cut, and which jieba.finalseg
    it finds) in a process that never ran the pipeline, and in one after the pipeline's cuts,
    tags and keywords (warm: a copy of the cold run's file; a cold run only adds the build,
    whose tokenizer is the pipeline's own). One process each, for the two tests below."""
    folder = tmp_path_factory.mktemp("other-code")
    env = {"PATH": "/usr/bin:/bin", "TMPDIR": str(folder), "HOME": str(folder),
           "CNIPA_PIPELINE_CACHE": str(folder / "cache")}
    (folder / "cache").mkdir(mode=0o700)
    shutil.copy(cold_run[0], folder / "cache")
    text = _OTHER_CODE_TEXT
    show = ("import sys, json, jieba; jieba.setLogLevel(60); "
            "finalseg = type(sys.modules['jieba.finalseg']).__name__; "
            f"words = jieba.lcut({text!r}); import jieba.posseg; "
            "print(json.dumps({'finalseg': finalseg, 'words': words, "
            f"'tagged': [tuple(p) for p in jieba.posseg.cut({text!r})], "
            "'finalseg then': type(sys.modules['jieba.finalseg']).__name__, "
            "'bound': jieba.finalseg is sys.modules['jieba.finalseg']}))")
    pipeline = f"from pipeline import nlp; nlp.keywords({text!r}); nlp.tagged({text!r}); nlp.cut({text!r}); "
    plain, after = (json.loads(subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env,
                                              check=True, capture_output=True, text=True).stdout)
                    for code in (show, pipeline + show))
    return plain, after


def test_the_pipeline_never_imports_jiebas_finalseg_and_others_get_it_on_first_use(other_code):
    """jieba.finalseg (jieba.cut's HMM and its tables) is a stand-in until first used: the
    pipeline's cuts, tags and keywords never use it; jieba.cut with its HMM then imports it.
    (Warm here; every extraction run above, cold, warm and rebuilding, checks it too.)"""
    _, after = other_code
    assert (after["finalseg"], after["finalseg then"], after["bound"]) == ("_OnFirstUse", "module", True)
    assert "小明" in after["words"]  # a word only finalseg's HMM finds


def test_other_code_using_jieba_gets_jieba_as_it_is(other_code):
    """The pipeline cuts with its own tokenizers: after it ran, jieba.cut and jieba.posseg in
    the same process give what they give in a process that never ran the pipeline."""
    plain, after = other_code
    assert plain["finalseg"] == "module"  # jieba as jieba imports itself
    assert (after["words"], after["tagged"]) == (plain["words"], plain["tagged"])
    assert "数据知识产权" not in plain["words"]  # our domain words stay ours
