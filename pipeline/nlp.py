"""jieba, loaded once and only when a stage first needs it, with the domain dictionary.

Importing this module costs nothing; the first call pays jieba's start-up (about 1 s, less
with its cache, which lives in the system temp dir or $CNIPA_PIPELINE_CACHE, never the repo).
"""
from __future__ import annotations

import logging
import os
import tempfile
from functools import lru_cache
from importlib import resources
from typing import Any

_STOP_WORDS = frozenset(
    "工作 建设 机制 体系 水平 能力 地方 部门 国家 全国 地区 有关 相关 本地区 各地区 任务 方案 措施 "
    "作用 情况 力度 基础 环境 领域 方面 重点 质量 效能 成效 举措 要求 事项 发展 管理 服务 实施 "
    "国家知识产权局 知识产权 一批 实践 问题 活动 计划 政策".split()
)
_KEYWORD_POS = ("n", "nz", "nt", "ns", "vn", "j", "l", "eng")


@lru_cache(maxsize=1)
def _jieba() -> Any:
    """The jieba module, initialised once with the domain dictionary."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.dt.tmp_dir = os.environ.get("CNIPA_PIPELINE_CACHE") or tempfile.gettempdir()
    with resources.as_file(resources.files("pipeline") / "userdict.txt") as path:
        jieba.load_userdict(str(path))
    return jieba


def cut(text: str) -> list[str]:
    """Words of ``text`` (precise mode, no HMM guessing, so results are stable)."""
    return list(_jieba().cut(text, HMM=False))


def tagged(text: str) -> list[tuple[str, str]]:
    """Words of ``text`` with their part-of-speech flags."""
    import jieba.posseg

    _jieba()
    return [(p.word, p.flag) for p in jieba.posseg.cut(text, HMM=False)]


@lru_cache(maxsize=1)
def _tfidf() -> Any:
    """jieba's TF-IDF extractor over the shared tokenizer, with the domain stop words."""
    _jieba()
    import jieba.analyse

    extractor = jieba.analyse.TFIDF()
    extractor.stop_words = set(extractor.stop_words) | _STOP_WORDS
    return extractor


def keywords(text: str, top: int = 8) -> list[str]:
    """The ``top`` words of ``text`` by TF-IDF, nouns and noun-like verbs only."""
    return list(_tfidf().extract_tags(text, topK=top, allowPOS=_KEYWORD_POS))
