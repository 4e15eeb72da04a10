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
- **get_DAG and calc**: one pass from the end of the sentence makes both the word graph and
  the best route, so each fragment is sliced and looked up once instead of three times; jieba
  calls calc right after get_DAG with the graph it got, and is handed the route made with it.

:func:`install` puts them in place on jieba's default tokenizer and on jieba.posseg; the
tests compare each with jieba's own on the fixtures' texts and on random ones.
"""
from __future__ import annotations

import threading
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
    return dag_and_route(tokenizer, sentence)[0]


def dag_and_route(tokenizer: Any, sentence: str) -> tuple[dict[int, list[int]],
                                                          dict[int, tuple[float, int]]]:
    """``get_DAG`` and ``calc`` in one pass from the end: each fragment is looked up once, and
    a word's score is made as it is found (the same floats: ``calc`` adds the same terms)."""
    tokenizer.check_initialized()
    get = tokenizer.FREQ.get
    logtotal = log(tokenizer.total)
    n = len(sentence)
    dag: dict[int, list[int]] = {}
    route: dict[int, tuple[float, int]] = {n: (0, 0)}
    for k in range(n - 1, -1, -1):
        ends = []
        scores = []
        i = k
        frag = sentence[k]
        while i < n:
            freq = get(frag)
            if freq is None:  # not even a prefix of a word: no longer word starts here
                break
            if freq:
                ends.append(i)
                scores.append((log(freq) - logtotal + route[i + 1][0], i))
            i += 1
            frag = sentence[k:i + 1]
        if not ends:  # the character alone, scored as calc does (a frequency of 0 or none: 1)
            ends.append(k)
            route[k] = (log(get(sentence[k]) or 1) - logtotal + route[k + 1][0], k)
        else:
            route[k] = scores[0] if len(scores) == 1 else max(scores)
        dag[k] = ends
    return dag, route


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


class _Kernels:
    """A tokenizer's get_DAG and calc: get_DAG finds the route too, and calc hands it over
    when it is asked for the route of that very graph (jieba calls them one after the other)."""

    def __init__(self, tokenizer: Any) -> None:
        self.tokenizer = tokenizer
        self.last = threading.local()  # threads of a Dask worker share the tokenizer

    def get_dag(self, sentence: str) -> dict[int, list[int]]:
        dag, route = dag_and_route(self.tokenizer, sentence)
        self.last.found = (dag, route)
        return dag

    def calc(self, sentence: str, dag: Mapping[int, list[int]],
             route: dict[int, tuple[float, int]]) -> None:
        found = getattr(self.last, "found", None)
        self.last.found = None
        if found is not None and found[0] is dag:
            route.update(found[1])
        else:
            calc(self.tokenizer, sentence, dag, route)


def install_tokenizer(tokenizer: Any) -> None:
    """get_DAG and calc of this tokenizer instance replaced by the ones above."""
    kernels = _Kernels(tokenizer)
    tokenizer.get_DAG = kernels.get_dag
    tokenizer.calc = kernels.calc


def install_posseg(posseg: Any) -> None:
    """jieba.posseg's Viterbi (a module global its tokenizer calls) replaced by FastViterbi."""
    current = posseg.viterbi
    if isinstance(current, FastViterbi):
        return
    posseg.viterbi = FastViterbi(current, posseg.char_state_tab_P, posseg.start_P,
                                 posseg.trans_P, posseg.emit_P)
