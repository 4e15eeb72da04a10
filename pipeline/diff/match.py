"""Which task of the old list is which task of the new one: scored by content, assigned optimally.

Scores are rapidfuzz ratios (0–1) of texts in :func:`pipeline.documents.key_text` form, so
numbering, years, whitespace and punctuation never count. The one-to-one assignment that
maximises the total score is scipy's ``linear_sum_assignment`` (the Hungarian method), not a
greedy loop: a greedy pass lets an early, merely good pair take the partner of a later,
better one.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from pipeline.diff.model import TaskView
from pipeline.documents import key_text

#: Weight of the title in a task pair's score; the measures (工作举措) carry the rest. The
#: measures weigh more: they are most of a task's text and survive a reworded title.
TITLE_WEIGHT = 0.4
#: Pairs scoring below this are no match (the tasks are removed and added instead). Unrelated
#: tasks of one list score at most 0.32 (the 2024 list against itself); a task that keeps its
#: title always reaches it (0.4 × 1 + 0.6 × its measures' similarity), as its task_key says it
#: is the same task; a reworded title over half-rewritten measures scores about 0.5.
MATCH = 0.4
#: A task left over on one side whose measures stand (rapidfuzz partial_ratio) at least this
#: much inside a longer task matched on the other side was merged into it (or split off it),
#: also with some words edited on the way.
#: Unrelated tasks reach 0.33.
CONTAINED = 0.7
#: Shorter texts are no evidence of a merge or split: a few characters align anywhere. A task's
#: 工作举措 runs to a hundred characters and more; the shortest of the 2024 list has 75.
MIN_CONTAINED = 20

T = TypeVar("T")
U = TypeVar("U")


def ratio(a: str, b: str) -> float:
    """Normalised Indel similarity of two texts, 0–1 (1 for two empty texts)."""
    from rapidfuzz import fuzz

    if not a and not b:
        return 1.0
    return float(fuzz.ratio(a, b)) / 100


def contained(part: str, whole: str) -> float:
    """How well ``part`` aligns with a stretch of the longer ``whole``, 0–1."""
    from rapidfuzz import fuzz

    if len(part) < MIN_CONTAINED or len(part) >= len(whole):
        return 0.0
    return float(fuzz.partial_ratio(part, whole)) / 100


def task_score(old: TaskView, new: TaskView) -> float:
    title = ratio(key_text(old.title), key_text(new.title))
    return TITLE_WEIGHT * title + (1 - TITLE_WEIGHT) * ratio(old.measures, new.measures)


def assign(old: Sequence[T], new: Sequence[U], score: Callable[[T, U], float],
           threshold: float) -> list[tuple[int, int, float]]:
    """The one-to-one pairs (old index, new index, score) of maximal total score, each scoring
    at least ``threshold``; pairs below it are kept out of the optimisation, so they never
    displace a valid pair."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    if not old or not new:
        return []
    scores = np.array([[score(o, n) for n in new] for o in old], dtype=float)
    weights = np.where(scores >= threshold, scores, 0.0)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    pairs = [(int(i), int(j), float(scores[i, j])) for i, j in zip(rows, cols)
             if scores[i, j] >= threshold]
    return sorted(pairs)


@dataclass
class TaskMatch:
    """Old and new tasks paired; merged and split tasks grouped onto their pair."""

    pairs: list[tuple[int, int, float]]  # (old index, new index, score)
    absorbed: dict[int, list[tuple[int, float]]] = field(default_factory=dict)  # new → merged olds
    split_off: dict[int, list[tuple[int, float]]] = field(default_factory=dict)  # old → split news
    removed: list[int] = field(default_factory=list)
    added: list[int] = field(default_factory=list)


def match_tasks(old: Sequence[TaskView], new: Sequence[TaskView]) -> TaskMatch:
    """Pair tasks by content; then a leftover task contained in a paired task of the other
    side is a merge (old leftover) or a split (new leftover), else it was removed or added."""
    pairs = assign(old, new, task_score, MATCH)
    old_of = {j: i for i, j, _ in pairs}
    new_of = {i: j for i, j, _ in pairs}
    result = TaskMatch(pairs)
    for i, o in enumerate(old):
        if i in new_of:
            continue
        best = max(((contained(o.measures, new[j].measures), j) for j in old_of), default=None)
        if best and best[0] >= CONTAINED:
            result.absorbed.setdefault(best[1], []).append((i, best[0]))
        else:
            result.removed.append(i)
    for j, n in enumerate(new):
        if j in old_of:
            continue
        best = max(((contained(n.measures, old[i].measures), i) for i in new_of), default=None)
        if best and best[0] >= CONTAINED:
            result.split_off.setdefault(best[1], []).append((j, best[0]))
        else:
            result.added.append(j)
    return result


def match_sections(old: Sequence[tuple[int, str]], new: Sequence[tuple[int, str]],
                   votes: dict[tuple[tuple[int, str], tuple[int, str]], int]
                   ) -> dict[tuple[int, str], tuple[int, str]]:
    """Old section → new section, one to one: the section that received most of its paired
    tasks (a vote each), the titles' similarity breaking ties; a section without paired
    tasks matches by title alone (similarity ≥ 0.8)."""
    def score(o: tuple[int, str], n: tuple[int, str]) -> float:
        title = ratio(key_text(o[1]), key_text(n[1]))
        v = votes.get((o, n), 0)
        return v + title if v else (title if title >= 0.8 else 0.0)

    return {old[i]: new[j] for i, j, _ in assign(old, new, score, 0.5)}
