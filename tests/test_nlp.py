"""jieba: loaded lazily and once, with the domain dictionary, its cache outside the repo."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pipeline import nlp

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("word", ["知识产权", "数据知识产权", "地理标志", "专利转化运用", "质押融资",
                                  "审查协作中心", "存量专利", "专题数据库"])
def test_domain_terms_stay_whole(word):
    assert word in nlp.cut(f"推动{word}工作")


def test_importing_the_pipeline_does_not_load_jieba():
    code = ("import sys, pipeline.extract, pipeline.nlp, pipeline.facts; "
            "print('jieba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_jieba_cache_is_not_written_into_the_repo(tmp_path):
    code = "from pipeline import nlp; nlp.cut('知识产权')"
    env = {"CNIPA_PIPELINE_CACHE": str(tmp_path), "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True, capture_output=True)
    assert list(tmp_path.glob("jieba*.cache"))
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
