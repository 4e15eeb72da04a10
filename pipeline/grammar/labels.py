"""The label grammar: which leading ``XX：`` opens an actor clause or an assignment entry.

Shared by stitch (a continuation that opens with a label starts a new paragraph) and
segment (labels split paragraphs into clauses and entries).
"""
from __future__ import annotations

import re
from itertools import pairwise

from pipeline.grammar.text import HAN

#: The five actor labels of the published lists; any other label is reported in the run summary.
KNOWN_ACTORS: tuple[str, ...] = ("国家知识产权局", "各地区", "有关省份", "有关地市", "有关地方")

#: The assignment levels of the 任务分工 column.
KNOWN_LEVELS: tuple[str, ...] = ("局内", "省份", "地市", "涉及地方")

COLON = "[：:]"
_LABEL_CHARS = f"[{HAN}（）()、]"

# An unknown actor label must name an actor: end in an administrative unit or a kind of body,
# optionally with a parenthesis (有关县（市、区）, 国家知识产权局（牵头）). Sentence-leading
# phrases with a colon (重点做好以下工作：, 相关工作要求：, 其中：) end in none of these.
_ACTOR_TAIL = (
    "局|地区|省份|省|地市|城市|市|县|县区|区|地方|部门|单位|机构|中心|园区|高校|院校|学校|企业"
    "|司|部|院|委|委员会|厅|办|政府|协会"
)
_ACTOR = re.compile(
    f"(?:{'|'.join(KNOWN_ACTORS)}"
    f"|{_LABEL_CHARS}{{0,10}}(?:{_ACTOR_TAIL}))(?:（[^（）：:]{{1,10}}）|\\([^()：:]{{1,10}}\\))?"
)
_LEVEL_TAIL = "局内|省份|省|地市|城市|市|县|县区|区|地方|园区"
_LEVEL = re.compile(
    f"(?:{'|'.join(KNOWN_LEVELS)}|(?:涉及|有关|相关|各)?{_LABEL_CHARS}{{0,4}}(?:{_LEVEL_TAIL}))"
)

_ACTOR_AT_START = re.compile(f"^(?P<label>{_ACTOR.pattern}){COLON}")
_LEVEL_AT_START = re.compile(f"^(?P<label>{_LEVEL.pattern}){COLON}")

# Where a second label may stand inside one paragraph: after whitespace (the dump's "two
# labelled clauses separated by spaces") or, once whitespace is gone, after a sentence end.
_ACTOR_INSIDE = re.compile(f"(?:(?<=\\s)|(?<=[。；;！？]))(?P<label>{_ACTOR.pattern}){COLON}")
# 任务分工 entries end in 必做/选做 or a unit name, never in punctuation, so a known level
# followed by a colon starts an entry even where whitespace is gone (条法司省份：…), unless a
# collective word before it makes it part of a longer label (有关省份：, 试点地市：, 各省份：);
# an unknown label starts one only after whitespace.
_KNOWN_LEVEL_ALONE = "".join(f"(?<!{w})" for w in ("有关", "相关", "涉及", "各", "试点", "示范",
                                                  "重点", "部分"))
_LEVEL_INSIDE = re.compile(
    f"(?:(?<=\\s)(?P<label>{_LEVEL.pattern})"
    f"|{_KNOWN_LEVEL_ALONE}(?P<known>{'|'.join(KNOWN_LEVELS)})){COLON}"
)


def actor_label(text: str) -> str | None:
    """The actor label opening ``text`` (without its colon), if any."""
    m = _ACTOR_AT_START.match(text)
    return m.group("label") if m else None


def level_label(text: str) -> str | None:
    """The assignment level opening ``text`` (without its colon), if any."""
    m = _LEVEL_AT_START.match(text)
    return m.group("label") if m else None


# A known label with whitespace inside it (国家知 识产权局：, a line break kept as a space by a
# converter): whitespace next to a Chinese character is no text, and left in place it would
# make its tail (识产权局：) look like a label standing after whitespace.
_SPACED_KNOWN = re.compile(
    "(?:" + "|".join(r"\s*".join(map(re.escape, label)) for label in (*KNOWN_ACTORS, *KNOWN_LEVELS))
    + f")(?=\\s*{COLON})"
)


def _heal_known_labels(text: str) -> str:
    """Drop whitespace inside known labels (国家知 识产权局 → 国家知识产权局)."""
    return _SPACED_KNOWN.sub(lambda m: re.sub(r"\s+", "", m[0]), text)


def split_at_actor_labels(text: str) -> list[str]:
    """Cut a paragraph before every actor label that stands after whitespace or a sentence end."""
    return _split(_heal_known_labels(text), _ACTOR_INSIDE)


def split_at_level_labels(text: str) -> list[str]:
    """Cut a 任务分工 paragraph before every level label inside it."""
    return _split(_heal_known_labels(text), _LEVEL_INSIDE)


def _split(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Pieces of ``text`` cut at the start of each match, stripped, empties dropped."""
    cuts = [m.start() for m in pattern.finditer(text) if m.start() > 0]
    bounds = [0, *cuts, len(text)]
    pieces = (text[a:b].strip() for a, b in pairwise(bounds))
    return [p for p in pieces if p]


# An unlabelled paragraph addressed to the localities (2017's 落实举措: 各地应…, 各地要…): its
# subject, then a modal verb or a verb of doing. The subject gives the actor of the published
# lists' five labels it stands for.
_LOCALITY_SUBJECTS: tuple[tuple[str, str], ...] = (
    ("有关省份|相关省份|试点省份|各有关省份", "有关省份"),
    ("有关地市|相关地市|有关城市|相关城市|各地市|各市州|各设区市|各城市", "有关地市"),
    ("有关地方|相关地方|有关地区|相关地区", "有关地方"),
    ("各地区|各地方|各地|各省(?:（区、市）|\\(区、市\\)|区市|份)?|地方各级|各级地方", "各地区"),
)
# The subject is the sentence's when a verb, not a noun phrase, follows it (各地应…, 各设区市每季度末
# 报送…; never 各地区的…, 各省份、…, 各地市和…).
_NOT_A_SUBJECT = "[的、和与及等，,。；;：:（(]"
_LOCALITY_AT_START = tuple(
    (re.compile(f"^(?:{subjects})(?:知识产权(?:管理)?部门)?(?!{_NOT_A_SUBJECT})(?=.)"), actor)
    for subjects, actor in _LOCALITY_SUBJECTS)


def locality_actor(text: str) -> str | None:
    """The actor an unlabelled paragraph addressed to the localities stands for (``各地应…`` →
    ``各地区``, ``有关省份要…`` → ``有关省份``), None for any other paragraph."""
    for pattern, actor in _LOCALITY_AT_START:
        if pattern.match(text):
            return actor
    return None


_SENTENCE_END = re.compile(r"[。；;！？!?]")


def split_at_localities(text: str) -> list[str]:
    """Cut an unlabelled paragraph before each sentence addressed to the localities
    (``…做好审议。各地要加快立法。`` → ``…做好审议。``, ``各地要加快立法。``)."""
    cuts = [m.end() for m in _SENTENCE_END.finditer(text)
            if m.end() < len(text) and locality_actor(text[m.end():].lstrip())]
    bounds = [0, *cuts, len(text)]
    return [p for p in (text[a:b].strip() for a, b in pairwise(bounds)) if p]
