"""Who must act, normalised: the scope of a 任务分工 entry and the CNIPA units of a 局内 entry.

Segment-stage logic (pure functions, no I/O). The vocabulary (``pipeline/grammar/scopes.py``)
is the grammar of how the lists word a scope, not this year's strings:

- an entry for everyone opens with a collective word (各省, 各地, 各省份, 全国, 所有省份);
- a combined scope lists groups with 、/和/及 (建立强省共建机制的省份、专项计划奖补省份、强市建设城市);
  a piece is a group only when it ends in a locality word (省份, 城市, 示范区 …) or is a place
  name; a piece that does not (专利、商标审查协作中心涉及省份) modifies the next one, except a
  batch ordinal (第一批、第二批示范区), which takes the next piece's head;
- ``X（以下简称Y）`` defines an alias anywhere in the document (工作举措 or 任务分工), and every
  scope is read with the short form Y for X, so 建立知识产权强省（以下简称强省）共建机制的省份 and
  建立强省共建机制的省份 name the same group;
- a relative clause ``VERB … 机制的 HEAD`` names the group by its object and head
  (建立强省共建机制的省份 → 强省共建省份);
- a place name is a province-level name (a fixed, closed vocabulary) or a short proper name
  ending in an administrative unit (苏州市, 浦东新区) without a group word in it.

局内 units: ``专利局审业部、自动化部`` lists two units of 专利局; the second is written short. A
sub-unit (…部, …处) that follows a unit ``X局…部`` in the same 、-run belongs to X局 too.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from pipeline.grammar import (
    ALIAS_DEFINITION,
    ALL_OPENERS,
    BATCH_ORDINAL,
    CITY_NAME,
    ETC_TAIL,
    GROUP_WORDS,
    LOCALITY_HEADS,
    OBLIGATION_PART,
    PARENT_UNIT,
    PHRASE_STOP_POS,
    PROVINCE_NAME,
    RELATIVE_SCOPE,
    REST_OPENERS,
    SCOPE_PIECE_SEP,
    STANDING_ALIASES,
    SUB_UNIT,
    UNIT_RUN_SEP,
    UNIT_SEP,
)

# ---- aliases -----------------------------------------------------------------------------------

def aliases_in(texts: Iterable[str]) -> dict[str, str]:
    """Long form → short form of every ``X（以下简称Y）`` in ``texts``, standing ones included.

    The long form is the noun phrase before the parenthesis: read backwards from it, the
    phrase ends at a verb, a numeral or a particle (完成第四批知识产权运营服务体系重点城市（以下简称
    重点城市） → 知识产权运营服务体系重点城市).
    """
    from pipeline import nlp

    found: dict[str, str] = dict(STANDING_ALIASES)
    for text in texts:
        for m in ALIAS_DEFINITION.finditer(text):
            words = nlp.tagged(m["before"])
            start = len(words)
            while start > 0 and not words[start - 1][1].startswith(PHRASE_STOP_POS):
                start -= 1
            long = "".join(w for w, _ in words[start:])
            if long and long != m["short"]:
                found[long] = m["short"]
    return found


def with_aliases(text: str, aliases: Mapping[str, str]) -> str:
    """``text`` with each alias definition dropped and each long form written short."""
    text = ALIAS_DEFINITION.sub(lambda m: m["before"], text)
    for long in sorted(aliases, key=len, reverse=True):
        text = text.replace(long, aliases[long])
    return text


# ---- scopes ------------------------------------------------------------------------------------

def obligation_parts(body: str) -> tuple[tuple[str, str | None], ...]:
    """``(scope, obligation)`` of each part of a 省份/地市/涉及地方 entry's text.

    One entry may hold several scopes with their own obligations —
    ``强省试点省、一类省份必做，其他省份选做`` → (强省试点省、一类省份, 必做), (其他省份, 选做) —:
    it is cut after each 必做/选做 that a separator follows, when every part ends in one.
    Otherwise the entry is one part: the obligation that ends it (or None) and the text before.
    """
    marks = list(OBLIGATION_PART.finditer(body))
    if len(marks) > 1 and marks[-1].end() == len(body):
        parts, start = [], 0
        for m in marks:
            parts.append((body[start:m.start()].strip(), m[1]))
            start = m.end()
        if all(scope for scope, _ in parts):
            return tuple(parts)
    end = _OBLIGATION_AT_END.search(body)
    return ((body[: end.start()].strip(), end[1]) if end else (body, None)),


_OBLIGATION_AT_END = re.compile(r"(必做|选做)[。；;.]?$")


def applies_to(scope: str, aliases: Mapping[str, str]) -> tuple[str | None, tuple[str, ...]]:
    """``(applies_to, groups)`` of a 省份/地市/涉及地方 entry's scope.

    ``all`` (every locality; no groups), ``rest`` (the localities the entry's other parts do not
    name: 其他省份, 其余地市; no groups), ``group`` (the groups named, short forms, split),
    ``named`` (only place names; ``groups`` lists them), or ``None`` for an empty scope.
    """
    scope = with_aliases(scope.strip(), aliases)
    if not scope:
        return None, ()
    if scope.startswith(ALL_OPENERS):
        return "all", ()
    if scope.startswith(REST_OPENERS):
        return "rest", ()
    listed = ETC_TAIL.sub("", scope) or scope
    groups = tuple(dict.fromkeys(_group_name(p) for p in _pieces(listed)))
    return ("named" if all(map(_is_place, groups)) else "group"), groups


def _pieces(scope: str) -> list[str]:
    """The groups of a combined scope; a piece without a locality head joins the next one."""
    parts = SCOPE_PIECE_SEP.split(scope)
    texts, seps = parts[0::2], parts[1::2]
    pieces: list[str] = []
    pending: list[str] = []  # pieces (with their separators) waiting for a head
    batches: list[str] = []  # batch ordinals waiting for the head of the next piece
    last_sep = ""  # the separator after the last piece, kept if a headless tail joins it
    for i, text in enumerate(texts):
        text = text.strip()
        if not text:
            continue
        if _is_complete(text):
            if batches and (b := BATCH_ORDINAL.match(text)) and not pending:
                head = text[b.end():]
                pieces.extend(batch + head for batch in batches)
                batches = []
            elif pending or batches:
                text = "".join([*batches, *pending, text])
                pending, batches = [], []
            pieces.append(text)
            last_sep = seps[i] if i < len(seps) else ""
        elif BATCH_ORDINAL.fullmatch(text) and not pending:
            batches.append(text)
        else:
            pending.extend([text, seps[i] if i < len(seps) else ""])
    if pending or batches:  # a tail without any head: keep it whole rather than lose it
        tail = "".join([*batches, *pending]).rstrip("、，,；和及与")
        if pieces:
            pieces[-1] += last_sep + tail
        else:
            pieces.append(tail)
    return pieces


def _is_complete(piece: str) -> bool:
    return piece.endswith(LOCALITY_HEADS) or _is_place(piece)


def _is_place(piece: str) -> bool:
    return bool(PROVINCE_NAME.match(piece)
                or (CITY_NAME.match(piece) and not _has_group_word(piece)))


def _has_group_word(piece: str) -> bool:
    return any(w in piece for w in GROUP_WORDS)


def _group_name(piece: str) -> str:
    """A group's name: a relative clause ``建立X机制的省份`` becomes ``X省份``."""
    from pipeline import nlp

    m = RELATIVE_SCOPE.match(piece)
    if m is None:
        return piece
    words = nlp.tagged(m["object"])
    # Only a clause that opens with an action verb (建立, 开展, 承担 …: two characters or more)
    # is a relative clause; 有条件的城市 (有, "having") keeps its 的.
    if len(words) < 2 or not words[0][1].startswith("v") or len(words[0][0]) < 2:
        return piece
    return "".join(w for w, _ in words[1:]) + m["head"]


# ---- 局内 units ------------------------------------------------------------------------------

def split_units(body: str) -> tuple[str, ...]:
    """The units of a 局内 entry as written, split on 、 and ，."""
    return tuple(u.strip() for u in UNIT_SEP.split(body) if u.strip())


def full_units(body: str) -> tuple[str, ...]:
    """The units of a 局内 entry by their full names, one per unit of :func:`split_units`.

    Within one 、-run (runs are cut by ，), a sub-unit ``…部``/``…处`` after a unit ``X局…部``
    belongs to X局: ``条法司，专利局审业部、自动化部，商标局`` → 条法司, 专利局审业部, 专利局自动化部,
    商标局. A unit that names its own parent (…局…) or is of another kind (…司, …室) starts over.
    """
    out: list[str] = []
    for run in UNIT_RUN_SEP.split(body):
        parent: str | None = None
        for unit in (u.strip() for u in run.split("、")):
            if not unit:
                continue
            m = PARENT_UNIT.match(unit)
            if m:
                parent = m["parent"]
                out.append(unit)
            elif parent and SUB_UNIT.match(unit) and "局" not in unit:
                out.append(parent + unit)
            else:
                parent = None
                out.append(unit)
    return tuple(out)
