"""Faster drop-ins for jieba's three inner loops, computing exactly what jieba's own do.

Keyword extraction runs jieba.posseg with its HMM on, and most of a document's time went to
three pure-Python loops of jieba: the part-of-speech Viterbi (``jieba.posseg.viterbi``, half of
it), and the tokenizer's word graph (``get_DAG``) and best route through it (``calc``). The
versions here give the same results — the same floats by the same additions in the same
order, the same tie-breaking — with less work:

- **Viterbi**: jieba scores every live state as the predecessor of every candidate state, and
  most pairs have no transition (their score is ``-inf``, so they can only win when every
  pair is impossible). Here only the pairs with a transition are scored, from a reverse
  transition table built once; when even the best of them is ``-inf`` the step is scored
  jieba's way, so its tie-breaking among impossible moves is kept too.
- **get_DAG**: one dictionary lookup per fragment instead of two.
- **calc**: a position with one way forward (most of them) takes it without building a
  generator for ``max``.

:func:`install` puts them in place on jieba's default tokenizer and on jieba.posseg; the
tests compare each with jieba's own on the fixtures' texts and on random ones.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from math import log
from typing import Any

#: jieba.posseg.viterbi's constants.
MIN_FLOAT = -3.14e100
MIN_INF = float("-inf")

State = tuple[str, str]
Viterbi = Callable[..., tuple[float, list[Any]]]


class FastViterbi:
    """``jieba.posseg.viterbi`` for one set of HMM tables; other tables go to jieba's own."""

    def __init__(self, original: Viterbi, states: Mapping[str, Any], start_p: Mapping[State, float],
                 trans_p: Mapping[State, Mapping[State, float]],
                 emit_p: Mapping[State, Mapping[str, float]]) -> None:
        self.original = original
        self.tables = (states, start_p, trans_p, emit_p)
        # y -> {y0: P(y0 -> y)}: the predecessors that can reach y, with the same floats.
        self.rev: dict[State, dict[State, float]] = {}
        for y0, nexts in trans_p.items():
            for y, p in nexts.items():
                self.rev.setdefault(y, {})[y0] = p
        # The states jieba keeps as predecessors (a non-empty transition row), and where to.
        self.expect = {y0: frozenset(nexts) for y0, nexts in trans_p.items() if nexts}

    def __call__(self, obs: str, states: Any, start_p: Any, trans_p: Any,
                 emit_p: Any) -> tuple[float, list[Any]]:
        mine = self.tables
        if (not obs or states is not mine[0] or start_p is not mine[1] or trans_p is not mine[2]
                or emit_p is not mine[3]):
            return self.original(obs, states, start_p, trans_p, emit_p)
        rev, expect = self.rev, self.expect
        all_states = trans_p.keys()
        get_states = states.get
        ch = obs[0]
        prev = {y: start_p[y] + emit_p[y].get(ch, MIN_FLOAT) for y in get_states(ch, all_states)}
        back_pointers: list[dict[State, State]] = []
        for t in range(1, len(obs)):
            ch = obs[t]
            live = [x for x in prev if x in expect]
            if not live:  # jieba's max() over nothing raises; let it say so itself
                return self.original(obs, states, start_p, trans_p, emit_p)
            reachable = set().union(*[expect[x] for x in live])
            targets = reachable.intersection(get_states(ch, all_states)) or reachable
            cur: dict[State, float] = {}
            back: dict[State, State] = {}
            for y in targets:
                em = emit_p[y].get(ch, MIN_FLOAT)
                into = rev[y]
                # Non-empty: y is reachable, so some live state has a transition into it.
                if len(into) < len(live):
                    best = max([(prev[y0] + p + em, y0) for y0, p in into.items() if y0 in prev])
                else:
                    best = max([(prev[y0] + into[y0] + em, y0) for y0 in live if y0 in into])
                if best[0] == MIN_INF:  # every move impossible: jieba's tie-break over all of them
                    best = max((prev[y0] + trans_p[y0].get(y, MIN_INF) + em, y0) for y0 in live)
                cur[y], back[y] = best
            back_pointers.append(back)
            prev = cur
        prob, state = max([(v, y) for y, v in prev.items()])
        route: list[Any] = [None] * len(obs)
        route[-1] = state
        for i in range(len(obs) - 1, 0, -1):
            state = back_pointers[i - 1][state]
            route[i - 1] = state
        return prob, route


def get_dag(tokenizer: Any, sentence: str) -> dict[int, list[int]]:
    """``Tokenizer.get_DAG``: for each position, the ends of the dictionary words starting there."""
    tokenizer.check_initialized()
    get = tokenizer.FREQ.get
    dag: dict[int, list[int]] = {}
    n = len(sentence)
    for k in range(n):
        ends = []
        i = k
        frag = sentence[k]
        while i < n:
            freq = get(frag)
            if freq is None:  # not even a prefix of a word: no longer word starts here
                break
            if freq:
                ends.append(i)
            i += 1
            frag = sentence[k:i + 1]
        dag[k] = ends or [k]
    return dag


def calc(tokenizer: Any, sentence: str, dag: Mapping[int, list[int]],
         route: dict[int, tuple[float, int]]) -> None:
    """``Tokenizer.calc``: the most probable route from each position to the end."""
    n = len(sentence)
    route[n] = (0, 0)
    logtotal = log(tokenizer.total)
    get = tokenizer.FREQ.get
    for idx in range(n - 1, -1, -1):
        ends = dag[idx]
        if len(ends) == 1:
            x = ends[0]
            route[idx] = (log(get(sentence[idx:x + 1]) or 1) - logtotal + route[x + 1][0], x)
        else:
            route[idx] = max([(log(get(sentence[idx:x + 1]) or 1) - logtotal + route[x + 1][0], x)
                              for x in ends])


def install_tokenizer(tokenizer: Any) -> None:
    """get_DAG and calc of this tokenizer instance (jieba.dt) replaced by the ones above."""
    tokenizer.get_DAG = lambda sentence: get_dag(tokenizer, sentence)
    tokenizer.calc = lambda sentence, dag, route: calc(tokenizer, sentence, dag, route)


def install_posseg(posseg: Any) -> None:
    """jieba.posseg's Viterbi (a module global its tokenizer calls) replaced by FastViterbi."""
    current = posseg.viterbi
    if isinstance(current, FastViterbi):
        return
    posseg.viterbi = FastViterbi(current, posseg.char_state_tab_P, posseg.start_P,
                                 posseg.trans_P, posseg.emit_P)
