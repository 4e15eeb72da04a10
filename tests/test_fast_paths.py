"""Each fast path gives exactly what the slow one it replaces gives (issue 13).

The slow versions are jieba's own functions and the plain forms of our patterns; the inputs are
every text of the committed fixtures plus random strings over the characters that matter.
"""
from __future__ import annotations

import random
import re
import shutil
import subprocess
import sys
from functools import cache

import pytest
from hypothesis import given, settings, strategies as st

from pipeline import facts, jieba_kernels, jieba_tables, nlp
from pipeline.grammar import text as text_rules
from tests.conftest import RAW_2024, ROOT, extracted


@cache
def _texts() -> tuple[str, ...]:
    """Every measures, division and clause text of the 2024 list, and its raw dump."""
    doc = extracted(RAW_2024)
    out = [RAW_2024.read_text(encoding="utf-8")]
    for t in doc.tasks:
        out += [t.task_title, t.measures, t.division, *(c.text for c in t.clauses)]
    return tuple(out)


def _pieces(count: int, seed: int) -> list[str]:
    """Random slices of the fixtures' texts, 1 to 40 characters."""
    rnd = random.Random(seed)
    text = "".join(_texts())
    return [text[i:i + rnd.randint(1, 40)] for i in (rnd.randrange(len(text)) for _ in range(count))]


# ---- the deadline pattern's lookahead --------------------------------------------------------

_DEADLINE_ALPHABET = ("在于 0123456789十一二三四五六七八九两几多数每按到至截第前全上中下旬半年月份日号底末之以季度内"
                      "初起来最后一天个去近，。的国")


def _deadline_matches(pattern: re.Pattern[str], text: str) -> list[tuple[tuple[int, int], dict]]:
    return [(m.span(), m.groupdict()) for m in pattern.finditer(text)]


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=_DEADLINE_ALPHABET, max_size=30))
def test_deadline_lookahead_finds_what_the_plain_forms_find(text):
    plain = re.compile(facts._DEADLINE_FORMS)
    assert _deadline_matches(facts.DEADLINE_RE, text) == _deadline_matches(plain, text)


def test_deadline_lookahead_on_the_fixtures():
    plain = re.compile(facts._DEADLINE_FORMS)
    found = 0
    for text in _texts():
        digits = text_rules.ascii_digits(text)
        mine = _deadline_matches(facts.DEADLINE_RE, digits)
        assert mine == _deadline_matches(plain, digits)
        found += len(mine)
    assert found > 10  # the list has a dozen and more: the comparison is not of nothing


# ---- translate only when there is something to translate -------------------------------------

@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="０１９．％0.%a 知识\u200b\u00ad\ufeff\u3000\n", max_size=20))
def test_ascii_digits_and_normalize_ws_as_with_translate_always(text):
    assert text_rules.ascii_digits(text) == text.translate(text_rules._FULLWIDTH_DIGITS)
    plain = text_rules._SPACES.sub(" ", text.translate(text_rules.INVISIBLE)).strip()
    assert text_rules.normalize_ws(text) == text_rules._SPACE_NEAR_WIDE.sub("", plain)


# ---- jieba's inner loops ---------------------------------------------------------------------

def _jieba_viterbi():
    nlp._posseg()
    return sys.modules["jieba.posseg.viterbi"].viterbi  # jieba's own, not the installed one


def test_the_installed_kernels_are_ours():
    posseg = nlp._posseg()
    assert isinstance(posseg.viterbi, jieba_kernels.FastViterbi)
    assert posseg.viterbi.original is _jieba_viterbi()


def _viterbi_inputs() -> list[str]:
    """What the pipeline's cuts of the fixtures' texts hand to the Viterbi (jieba.posseg calls it
    on the runs of Chinese characters its dictionary has no word for)."""
    posseg = nlp._posseg()
    seg = nlp._segmenter()
    installed, seen = posseg.viterbi, []

    def recorded(obs, *tables):
        seen.append(obs)
        return installed(obs, *tables)

    posseg.viterbi = recorded
    try:
        for text in _texts():
            seg.tables.ensure(text)
            list(seg.postokenizer.cut(text, HMM=True))
    finally:
        posseg.viterbi = installed
    return list(dict.fromkeys(seen))


def test_viterbi_as_jiebas_on_fixture_text_and_random_characters():
    """jieba's Viterbi is the slow side (all of its states for a character it has never seen),
    so the cases are chosen: every input the fixtures' cuts give it, every run of Chinese
    characters in 60 slices of the texts, 20 of them whole (newlines, digits and punctuation:
    characters it has never seen, next to ones it has), and 1,000 random strings over characters
    with few and many possible states and unseen ones (alone every branch of FastViterbi)."""
    posseg = nlp._posseg()
    tables = (posseg.char_state_tab_P, posseg.start_P, posseg.trans_P, posseg.emit_P)
    fast = jieba_kernels.FastViterbi(_jieba_viterbi(), *tables)
    rnd = random.Random(13)
    unseen = ["a", "\U00020000", "\u9fa5", "。", "\n", "2"]
    assert not set(unseen) & set(posseg.char_state_tab_P)
    chars = [*list(posseg.char_state_tab_P)[::7], *unseen * 10]
    pieces = [p for p in _pieces(60, 1) if p.strip()]
    used = _viterbi_inputs()
    samples = [*used, *(run for p in pieces for run in re.findall("[\u4e00-\u9fd5]+", p)), *pieces[:20]]
    samples += ["".join(rnd.choice(chars) for _ in range(rnd.randint(1, 12))) for _ in range(1000)]
    impossible = 0
    for obs in samples:
        theirs = _jieba_viterbi()(obs, *tables)
        assert fast(obs, *tables) == theirs, obs
        impossible += theirs[0] < -1e100  # a move jieba's tables give no probability
    assert len(used) > 20 and impossible > 100  # neither kind of case is missing


def test_viterbi_hands_other_tables_to_jieba():
    posseg = nlp._posseg()
    fast = posseg.viterbi
    other = {k: dict(v) for k, v in posseg.trans_P.items()}  # equal, but not the same object
    args = ("知识产权", posseg.char_state_tab_P, posseg.start_P, other, posseg.emit_P)
    assert fast(*args) == _jieba_viterbi()(*args)


def _tokenizers(*texts: str):
    """The pipeline's tokenizers, their tables holding every word a cut of ``texts`` can look
    up (as for the pipeline's own cuts: jieba's code and ours then look up the same words)."""
    seg = nlp._segmenter()
    for text in texts:
        seg.tables.ensure(text)
    return seg.tokenizer, seg.postokenizer


def test_get_dag_and_calc_as_jiebas():
    import jieba

    sentences = [*_pieces(500, 2), "知识产权强国建设纲要", "a", "。。"]
    tokenizer, _ = _tokenizers(*sentences)
    for sentence in sentences:
        dag = jieba.Tokenizer.get_DAG(tokenizer, sentence)
        assert jieba_kernels.get_dag(tokenizer, sentence) == dag
        theirs: dict[int, tuple[float, int]] = {}
        mine: dict[int, tuple[float, int]] = {}
        jieba.Tokenizer.calc(tokenizer, sentence, dag, theirs)
        jieba_kernels.calc(tokenizer, sentence, dag, mine)
        assert mine == theirs
        assert jieba_kernels.dag_and_route(tokenizer, sentence) == (dag, theirs)
        # The installed pair: calc hands over get_DAG's route for its graph, and computes
        # the route of any other graph (here an equal copy) itself.
        for graph in (tokenizer.get_DAG(sentence), dict(dag)):
            handed: dict[int, tuple[float, int]] = {}
            tokenizer.calc(sentence, graph, handed)
            assert handed == theirs


@pytest.mark.parametrize("hmm", [False, True])
def test_cuts_as_jiebas_own_code(hmm):
    """The whole cut, plain and with POS tags, with our kernels and with jieba's."""
    import jieba

    posseg = nlp._posseg()
    text = "\n".join(_texts()[1:40])
    tokenizer, postokenizer = _tokenizers(text)
    ours = (list(tokenizer.cut(text, HMM=hmm)), [tuple(p) for p in postokenizer.cut(text, HMM=hmm)])
    kernels = (tokenizer.get_DAG, tokenizer.calc, posseg.viterbi)
    try:
        del tokenizer.get_DAG, tokenizer.calc  # back to jieba.Tokenizer's methods
        posseg.viterbi = _jieba_viterbi()
        theirs = (list(jieba.Tokenizer.cut(tokenizer, text, HMM=hmm)),
                  [tuple(p) for p in postokenizer.cut(text, HMM=hmm)])
    finally:
        tokenizer.get_DAG, tokenizer.calc, posseg.viterbi = kernels
    assert ours == theirs


# ---- what extract imports ---------------------------------------------------------------------

def test_extract_imports_no_diff_no_rapidfuzz_and_no_writer_it_was_not_asked_for(tmp_path,
                                                                                  jieba_cache):
    """The diff's code, rapidfuzz (duplicates: only when two inputs share a title) and the
    export writers beyond Parquet and JSON stay unimported by an extract of one list (a warm
    one, as most are: a cold one only adds the tables' build, which imports none of them)."""
    code = ("import sys; from pipeline.cli import main; "
            f"code = main(['extract', {str(RAW_2024)!r}, '--out', {str(tmp_path / 'out')!r}, "
            "'--quiet']); print(code, sorted(m for m in sys.modules if m.startswith(("
            "'pipeline.diff.engine', 'pipeline.diff.match', 'pipeline.diff.report', 'rapidfuzz', "
            "'pipeline.export.to_xlsx', 'pipeline.export.to_sqlite', 'pipeline.export.to_html', "
            "'dask', 'distributed'))))")
    shutil.copytree(jieba_cache, tmp_path / "c")
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CNIPA_PIPELINE_CACHE": str(tmp_path / "c")}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == "0 []"


# ---- jieba's dictionary parsers --------------------------------------------------------------

def _jiebas_parse(data: bytes):
    """What jieba's own parsers make of a dict.txt: the prefix dictionary, total and tag table."""
    import io

    posseg = nlp._posseg()
    freq, total = nlp._jieba().Tokenizer.gen_pfdict(io.BytesIO(data))
    parser = object.__new__(posseg.POSTokenizer)
    parser.load_word_tag(io.BytesIO(data))
    return freq, total, parser.word_tag_tab


_TOKEN = st.text(alphabet="知识产权专利a1", min_size=1, max_size=5)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_TOKEN, st.integers(0, 10**12), st.sampled_from(["n", "v", "nz", "x"])),
                min_size=1, max_size=30), st.booleans())
def test_parse_dict_reads_plain_lines_as_jiebas_parsers(entries, newline_at_end):
    """Lines of "word freq tag" (words listed twice and words that are others' prefixes too):
    parse_dict reads them, and makes what gen_pfdict and load_word_tag make."""
    data = "\n".join(f"{w} {f} {t}" for w, f, t in entries) + "\n" * newline_at_end
    parsed = jieba_tables.parse_dict(data.encode())
    assert parsed is not None
    assert parsed == _jiebas_parse(data.encode())


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="知识a1 2\t\u3000\r\n\x1c", max_size=40))
def test_parse_dict_leaves_any_other_text_to_jiebas_parsers(text):
    """Any other text (spaces doubled, tabs, CR, empty lines, Unicode spaces, a field missing or
    one too many): parse_dict reads it as jieba's parsers do, or not at all (None), and never
    where they would fail."""
    data = text.encode()
    try:
        theirs = _jiebas_parse(data)
    except ValueError:
        theirs = None
    parsed = jieba_tables.parse_dict(data)
    assert parsed is None or parsed == theirs


def test_a_dictionary_parse_dict_leaves_is_read_by_jiebas_parsers():
    """The tables of a dictionary with CRLF line ends (which jieba's parsers strip) are the
    ones jieba's own code makes of it, the domain words added as load_userdict adds them."""
    import jieba

    data = "知识 3 n\r\n产权 5 v\r\n知识产权 7 nz\r\n数据 4 n\r\n".encode()
    assert jieba_tables.parse_dict(data) is None
    built = nlp._build_tables(jieba.Tokenizer(), nlp._posseg(), data, "知识 2.5\n".encode())
    freq, total, tags = _jiebas_parse(data)
    reference = jieba.Tokenizer()
    reference.FREQ, reference.total, reference.initialized = freq, total, True
    reference.load_userdict(str(ROOT / "pipeline" / "userdict.txt"))
    assert (built.freq, built.total) == (reference.FREQ, reference.total)
    assert built.tags == {**tags, **reference.user_word_tag_tab} and built.tags["产权"] == "v"
    assert built.idf == {"知识": 2.5}
