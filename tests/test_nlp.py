"""jieba: loaded lazily and once, with the domain dictionary, its cache outside the repo."""
from __future__ import annotations

import json
import marshal
import subprocess
import sys
import types
from pathlib import Path

import pytest

from pipeline import cache, nlp
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


def test_jieba_cache_is_not_written_into_the_repo(tmp_path):
    code = "from pipeline import nlp; nlp.cut('知识产权')"
    env = {"CNIPA_PIPELINE_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
    assert (tmp_path / nlp.PREFIX_DICT_CACHE).is_file()
    assert not [p for d in (ROOT, ROOT / "pipeline", ROOT / "tests") for p in d.glob("jieba*.cache")]


def test_keywords_are_domain_nouns(doc_2024):
    task8 = doc_2024.tasks[7]
    assert "存量专利" in task8.keywords
    assert all(k not in {"工作", "知识产权", "国家知识产权局"} for k in task8.keywords)


def test_keywords_rank_as_jiebas_own_tfidf_extractor(doc_2024):
    import jieba.analyse

    extractor = jieba.analyse.TFIDF()
    extractor.stop_words = set(extractor.stop_words) | nlp._STOP_WORDS
    for task in doc_2024.tasks[:6]:
        text = "\n".join([task.task_title, *(c.text for c in task.clauses)])
        assert list(task.keywords) == extractor.extract_tags(text, topK=8, allowPOS=nlp._KEYWORD_POS)


# ---- the prefix-dictionary cache (issue 8, finding 8) ----------------------------------------

_KEYWORDS_OF_2024 = (
    "import json, sys; from pathlib import Path; from pipeline.build import extract_file; "
    "print(json.dumps([list(t.keywords) for t in extract_file(Path(sys.argv[1])).tasks]))"
)


def _planted_table() -> bytes:
    """A prefix table as jieba's cache holds it, of single characters only: with it jieba cuts
    every text into characters, so the keywords would be little but the domain words."""
    freq = {chr(c): 1 for c in range(0x4E00, 0x9FA6)}
    return marshal.dumps((freq, len(freq)))


def test_planted_caches_change_no_keyword_and_ours_is_rebuilt(tmp_path, doc_2024):
    """Another user's jieba.cache in the shared temp folder is never read, and an edited cache
    in our own folder fails its digest: keywords stay those of a clean run, the cache is rebuilt."""
    shared_tmp, ours = tmp_path / "tmp", tmp_path / "cache"
    shared_tmp.mkdir()
    ours.mkdir(mode=0o700)
    (shared_tmp / "jieba.cache").write_bytes(_planted_table())  # where jieba itself would look
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path / "home"), "TMPDIR": str(shared_tmp),
           "CNIPA_PIPELINE_CACHE": str(ours)}
    run = [sys.executable, "-c", _KEYWORDS_OF_2024, str(RAW_2024)]
    want = [list(t.keywords) for t in doc_2024.tasks]
    assert json.loads(subprocess.run(run, cwd=ROOT, env=env, check=True, capture_output=True,
                                     text=True).stdout) == want
    written = (ours / nlp.PREFIX_DICT_CACHE).read_bytes()
    # Keep the header (key and digest) and swap the payload: the planted table again.
    header = written[:written.index(b"\n", len(cache.MAGIC)) + 1]
    (ours / nlp.PREFIX_DICT_CACHE).write_bytes(header + _planted_table())
    assert json.loads(subprocess.run(run, cwd=ROOT, env=env, check=True, capture_output=True,
                                     text=True).stdout) == want
    rebuilt = (ours / nlp.PREFIX_DICT_CACHE).read_bytes()
    assert rebuilt.startswith(header) and len(rebuilt) == len(written)
    assert cache.read(nlp.PREFIX_DICT_CACHE, json.loads(header[len(cache.MAGIC):])["key"]) is not None


def test_cache_built_for_another_dictionary_is_rebuilt(tmp_path, monkeypatch):
    import jieba

    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path))
    cache.write(nlp.PREFIX_DICT_CACHE, "0" * 64, _planted_table())  # intact, but another key
    fresh = types.SimpleNamespace(dt=jieba.Tokenizer(), __version__=jieba.__version__)
    nlp._load_prefix_dict(fresh)
    assert fresh.dt.initialized and "存量" in fresh.dt.FREQ and fresh.dt.total > 10**7
    again = types.SimpleNamespace(dt=jieba.Tokenizer(), __version__=jieba.__version__)
    nlp._load_prefix_dict(again)  # now from the rebuilt cache
    assert again.dt.FREQ == fresh.dt.FREQ and again.dt.total == fresh.dt.total


def test_indexed_idf_table_gives_what_a_scan_gives(doc_2024):
    """Words are looked up in an index of jieba's IDF table (built, or read back from our
    cache): it gives what a plain scan of the file gives, for listed and unlisted words."""
    words = {k for t in doc_2024.tasks for k in t.keywords}
    words |= set(nlp.cut("".join(t.measures for t in doc_2024.tasks[:10])))
    words |= {"不在表中的词甲乙", "", "a", "Patent", "\U00020000", "知识产权x"}
    vocabulary = frozenset(words)
    scanned, scanned_median = nlp._scan_idf(vocabulary)
    built = nlp._IdfTable(nlp._idf_path().read_bytes())
    stored = nlp._IdfTable.from_payload(built.payload())
    for table in (built, stored, nlp._idf_table()):
        assert table is not None and table.median == scanned_median
        assert {w: v for w in vocabulary if (v := table.get(w)) is not None} == scanned
    assert len(scanned) > 100  # most words are listed; the check is not vacuous
    assert nlp._IdfTable.from_payload(marshal.dumps((b"ab", b"", b"", 1.0, 5))) is None


def test_cached_word_tags_are_the_table_jieba_parses(tmp_path, monkeypatch):
    """posseg's word → tag table, built from the cache (and on a cache miss), is the one
    jieba.posseg's own parser makes of dict.txt."""
    import jieba
    import jieba.posseg

    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path))
    parsed = jieba.posseg.POSTokenizer(jieba.Tokenizer()).word_tag_tab
    built = nlp._load_word_tags(jieba, jieba.posseg)  # a miss: parsed and written
    assert (tmp_path / nlp.WORD_TAGS_CACHE).is_file()
    cached = nlp._load_word_tags(jieba, jieba.posseg)  # from the cache
    assert built == parsed and cached == parsed and len(parsed) > 300_000


def test_an_edited_word_tags_cache_is_not_used(tmp_path, monkeypatch):
    import jieba
    import jieba.posseg

    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path))
    good = nlp._load_word_tags(jieba, jieba.posseg)
    written = (tmp_path / nlp.WORD_TAGS_CACHE).read_bytes()
    header = written[:written.index(b"\n", len(cache.MAGIC)) + 1]
    (tmp_path / nlp.WORD_TAGS_CACHE).write_bytes(header + marshal.dumps({"知识产权": "x"}))
    assert nlp._load_word_tags(jieba, jieba.posseg) == good
