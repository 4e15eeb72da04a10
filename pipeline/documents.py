"""Across documents: what each input is (issuer, 文号, layout), task identity, and duplicates.

Pure functions of the assembled records; the CLI decides what to do with a duplicate.
"""
from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

from pipeline.grammar import HAN, HEADER, YEAR_IN_TEXT
from pipeline.models import Document, Issue, Task

#: The columns of the 2024 list, the layout of a document that does not say its own.
LAYOUT = "/".join(HEADER)

# ---- the document's head: 文号 and issuer ---------------------------------------------------

# 国知发运字〔2024〕7号, also with [] ［］ （） 【】 around the year, as re-typed copies have it.
_DOC_NUMBER = re.compile(
    rf"[{HAN}]{{2,12}}\s*[〔\[［(（【]\s*(?:19|20)[0-9]{{2}}\s*[〕\]］)）】]\s*[0-9]{{1,4}}\s*号")
#: Issuers by the prefix of their 文号 (国知 abbreviates 国家知识产权局), most specific first.
_NUMBER_PREFIXES = (("国知办", "国家知识产权局办公室"), ("国知", "国家知识产权局"))
_ORG = rf"[{HAN}]{{2,20}}?(?:知识产权局|局|部|委员会|办公厅|办公室|总局|署)"
_LETTERHEAD = re.compile(rf"^({_ORG})文件$")  # 国家知识产权局文件
_SIGNATURE = re.compile(rf"^({_ORG})$")  # the notice's signature line
_NOTICE = re.compile(rf"^《?({_ORG})关于")  # 国家知识产权局关于印发…的通知
_CNIPA = "国家知识产权局"


def doc_number(head: Sequence[str], title: str) -> str | None:
    """The first 文号 in the text above the table, else in the title; whitespace dropped."""
    for line in (*head, title):
        m = _DOC_NUMBER.search(line)
        if m:
            return re.sub(r"\s+", "", m[0])
    return None


def issuer(head: Sequence[str], title: str, number: str | None) -> str | None:
    """Who issued the list, where the document says so.

    In order: a letterhead (``国家知识产权局文件``), a notice title (``国家知识产权局关于…``),
    a signature line (the body's name alone on a line), the 文号's prefix (``国知发…`` →
    国家知识产权局), the list's title naming CNIPA. None when nothing says it: the lead lines
    of a text dump (``附件``, the title) name no issuer.
    """
    lines = [line.strip("《》 ") for line in head]
    for pattern in (_LETTERHEAD, _NOTICE, _SIGNATURE):
        for line in lines:
            m = pattern.match(line)
            if m:
                return m[1]
    if number:
        for prefix, name in _NUMBER_PREFIXES:
            if number.startswith(prefix):
                return name
    return _CNIPA if _CNIPA in title else None


# ---- task identity ----------------------------------------------------------------------------

_NUMBERING = re.compile(r"^\s*[（(]?(?:[0-9]{1,3}|[一二三四五六七八九十]{1,3})[)）.．、]\s*")
_NOT_WORD = re.compile(r"[^\w#]+|_+")


@lru_cache(maxsize=8192)
def key_text(text: str) -> str:
    """Text as task identity sees it: NFKC (full-width → ASCII), years in the text as ``#``,
    a leading number (``1.``, ``（三）``) dropped, whitespace and punctuation dropped.

    Kept per text: the diff scores pairs of tasks, actions, metrics and scopes by the key texts
    of both sides, so each text was normalised again for every pair it is in (NFKC is most of
    that); find_duplicates, pack_content and task_keys normalise the same task texts again.
    """
    text = unicodedata.normalize("NFKC", text)
    text = _NUMBERING.sub("", text)
    text = YEAR_IN_TEXT.sub("#", text)
    return _NOT_WORD.sub("", text).lower()


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]


def task_keys(tasks: Sequence[Task]) -> list[str]:
    """A key per task, from its content: 12 hex digits of SHA-256 of its normalised title.

    The title names the task and is what carries on from one year's list to the next, while
    its measures are rewritten; so the title alone makes the key, and only tasks of one list
    whose titles normalise alike also hash their normalised measures (and, were those alike
    too, their position among them). Never the task number, which shifts with every task
    added or removed before it.
    """
    titles = [key_text(t.task_title) for t in tasks]
    keys = []
    for t, title in zip(tasks, titles):
        if titles.count(title) == 1:
            keys.append(_digest(title))
        else:
            keys.append(_digest(title, key_text(t.measures)))
    seen: dict[str, int] = {}
    out = []
    for key in keys:
        seen[key] = seen.get(key, 0) + 1
        out.append(key if seen[key] == 1 else _digest(key, str(seen[key])))
    return out


# ---- documents.parquet --------------------------------------------------------------------------

def document_row(d: Document) -> dict[str, Any]:
    """One row of documents.parquet."""
    tasks = d.tasks
    return {
        "doc_id": d.doc_id, "title": d.title, "year": d.year, "issuer": d.issuer,
        "doc_number": d.doc_number, "format": d.fmt, "layout": d.layout or LAYOUT, "sha256": d.sha256,
        "source": d.source, "pages": max((t.page_end for t in tasks), default=None),
        "n_sections": len(d.sections), "n_tasks": len(tasks),
        "n_clauses": sum(len(t.clauses) for t in tasks),
        "n_assignments": sum(len(t.assignments) for t in tasks),
        "n_deadlines": sum(len(t.deadlines) for t in tasks),
        "n_targets": sum(len(t.targets) for t in tasks),
        "n_warnings": len(d.issues), "duplicate_of": d.duplicate_of,
    }


def marked_row(row: dict[str, Any], d: Document) -> dict[str, Any]:
    """A document's row, counted before its rows were let go, with what marking ``d`` as a
    duplicate changes (its warnings and duplicate_of) taken from ``d``."""
    return {**row, "n_warnings": len(d.issues), "duplicate_of": d.duplicate_of}


# ---- duplicates ---------------------------------------------------------------------------------

#: Content similarity (rapidfuzz ratio of the normalised titles and measures of all tasks, 0–100)
#: from which two lists of the same title and year are one list in two forms. Renderings of one
#: list score 99–100; the same list with a few tasks edited stays above; another year's list,
#: or one with many tasks rewritten, falls well below.
SAME_LIST = 90.0
#: How faithful each form is to the published table, best first: the text dump is the table's
#: own text; a Word document is the form CNIPA publishes the table in (its cells as written;
#: a .doc/.wps passes through LibreOffice first);
#: HTML keeps the text as characters; a PDF's text is rebuilt from glyph positions.
FAITHFUL = ("text", "docx", "doc", "html", "pdf")
_FORM = {"text": "text dump", "docx": "Word document", "doc": "Word 97–2003/WPS document",
         "html": "HTML", "pdf": "PDF"}


@dataclass(frozen=True)
class Duplicate:
    """An input holding the same list as a more faithful one (``kept``)."""

    doc_id: str
    kept: str
    identical: bool  # the very same bytes
    similarity: float  # 0–100, see SAME_LIST
    reason: str  # why ``kept`` is the one to keep

    def message(self, source: str, kept_source: str) -> str:
        if self.identical:
            what = f"{source} has the same bytes as {kept_source}"
        else:
            what = (f"{source} holds the same list as {kept_source} (same title and year, "
                    f"{self.similarity:.0f}% the same tasks)")
        return f"{what}; deduplicating keeps {kept_source} ({self.reason})"


def content(d: Document) -> str:
    """What :func:`find_duplicates` compares of two lists of one title and year: each task's
    title and measures, normalised."""
    return "\n".join(key_text(t.task_title) + "|" + key_text(t.measures) for t in d.tasks)


def _ratio(a: str, b: str) -> float:
    from rapidfuzz import fuzz  # here: most runs compare no pair, and need not import it

    similarity: float = fuzz.ratio(a, b)
    return similarity


def _rank(d: Document, order: int) -> tuple[int, int, int]:
    form = FAITHFUL.index(d.fmt) if d.fmt in FAITHFUL else len(FAITHFUL)
    return form, len(d.issues), order


def _reason(kept: Document, other: Document) -> str:
    if kept.fmt != other.fmt:
        return f"the {_FORM.get(kept.fmt, kept.fmt)} is more faithful than the " \
               f"{_FORM.get(other.fmt, other.fmt)}"
    if len(kept.issues) != len(other.issues):
        return f"fewer warnings ({len(kept.issues)} against {len(other.issues)})"
    return "given first"


def find_duplicates(docs: Sequence[Document],
                    contents: Callable[[int], str] | None = None) -> list[Duplicate]:
    """Every input that holds the same list as a more faithful one, in input order.

    ``contents``: the :func:`content` of ``docs[i]``, for documents kept without their tasks
    (a corpus run keeps them on disk: see :class:`pipeline.corpus.ContentSpool`).

    Same list: the very same bytes, or the same title (as :func:`key_text` sees it) and year
    with content similarity ≥ :data:`SAME_LIST`. Of a group of copies the most faithful form
    (:data:`FAITHFUL`), then the one with fewer warnings, then the one given first, is kept.
    """
    # Only pairs that share their bytes or their year and title can be copies: look those up
    # instead of comparing every pair (a thousand inputs are half a million pairs), and
    # normalise each title, and each compared document's content, once.
    titles = [(d.year, key_text(d.title)) for d in docs]
    alike: dict[tuple[object, ...], list[int]] = {}
    for i, d in enumerate(docs):
        alike.setdefault(("bytes", d.sha256), []).append(i)
        alike.setdefault(("title", titles[i]), []).append(i)
    made: dict[int, str] = {}

    def content_of(i: int) -> str:
        if i not in made:
            made[i] = contents(i) if contents is not None else content(docs[i])
        return made[i]

    parent = list(range(len(docs)))
    score: dict[tuple[int, int], tuple[bool, float]] = {}

    def root(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(docs):
        candidates = {*alike["bytes", a.sha256], *alike["title", titles[i]]}
        for j in sorted(j for j in candidates if j > i):  # in the order of the pairs' loop
            b = docs[j]
            if a.sha256 == b.sha256:
                score[i, j] = (True, 100.0)
            elif titles[i] == titles[j]:
                similarity = _ratio(content_of(i), content_of(j))
                if similarity >= SAME_LIST:
                    score[i, j] = (False, similarity)
            if (i, j) in score:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(docs)):
        groups.setdefault(root(i), []).append(i)
    out: dict[int, Duplicate] = {}
    for members in groups.values():
        best = min(members, key=lambda i: _rank(docs[i], i))
        for i in members:
            if i == best:
                continue
            pair = (min(i, best), max(i, best))
            identical = docs[i].sha256 == docs[best].sha256
            similarity = score[pair][1] if pair in score else _ratio(content_of(i), content_of(best))
            out[i] = Duplicate(docs[i].doc_id, docs[best].doc_id, identical, similarity,
                               "given first" if identical else _reason(docs[best], docs[i]))
    return [out[i] for i in sorted(out)]


#: The warnings :func:`mark_duplicates` gives a copy.
DUPLICATE_CODES = ("identical_input", "duplicate_list")


def mark_duplicates(docs: Sequence[Document], found: Sequence[Duplicate]) -> list[Document]:
    """The documents, each copy with its warning (``identical_input`` or ``duplicate_list``)
    and ``duplicate_of`` naming the input deduplicating keeps."""
    by_id = {d.doc_id: d for d in docs}
    dup = {x.doc_id: x for x in found}
    out = []
    for d in docs:
        x = dup.get(d.doc_id)
        if x is None:
            out.append(d)
            continue
        code = "identical_input" if x.identical else "duplicate_list"
        warning = Issue(code, x.message(d.source, by_id[x.kept].source))
        out.append(replace(d, issues=(*d.issues, warning), duplicate_of=x.kept))
    return out
