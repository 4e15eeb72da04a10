"""Across documents: documents.parquet, the 文号 and issuer, task_key, duplicates and --dedupe."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import example, given, settings, strategies as st

from pipeline.cli import main
from pipeline.documents import doc_number, issuer, key_text
from tests.conftest import FIXTURES, RAW_2024, dump_document, extracted

GOV_PDF = FIXTURES / "pdf" / "a4-portrait-kai-12pt-letterhead-exact-28pt.pdf"  # letterhead, 文号
WPS_HTML = FIXTURES / "html" / "cnipa-2024-wps-utf8-bom.html"  # notice heading, 文号
TRS_HTML = FIXTURES / "html" / "cnipa-2024-trs-cms-gbk.html"  # notice heading, no 文号
ROWS = ["一、甲\t\t", "1. 做好甲工作\t<p>各地区：制定 2024 年推进工作计划。</p>\t<p>省份：各省必做</p>",
        "2. 做好乙工作\t<p>各地区：乙。</p>\t<p>省份：各省必做</p>"]


def _documents(out: Path) -> list[dict[str, object]]:
    return pq.read_table(out / "documents.parquet").to_pylist()


def test_documents_parquet_has_one_row_per_input(tmp_path):
    out = tmp_path / "output"
    assert main(["extract", str(RAW_2024), str(GOV_PDF), "--out", str(out), "--quiet"]) == 0
    rows = _documents(out)
    assert [r["doc_id"] for r in rows] == [RAW_2024.stem, GOV_PDF.stem]
    dump, pdf = rows
    assert {k: dump[k] for k in ("title", "year", "issuer", "doc_number", "format", "layout",
                                 "source", "pages", "n_sections", "n_tasks", "n_clauses",
                                 "n_assignments", "n_deadlines", "n_targets", "n_warnings",
                                 "duplicate_of")} == {
        "title": "2024年推动知识产权高质量发展任务清单", "year": 2024, "issuer": None,
        "doc_number": None, "format": "text", "layout": "重点任务/工作举措/任务分工",
        "source": RAW_2024.name, "pages": 11, "n_sections": 7, "n_tasks": 23, "n_clauses": 50,
        "n_assignments": 51, "n_deadlines": 6, "n_targets": 5, "n_warnings": 1,
        "duplicate_of": None}
    assert (pdf["issuer"], pdf["doc_number"], pdf["format"]) == (
        "国家知识产权局", "国知发运字〔2024〕7号", "pdf")
    assert pdf["duplicate_of"] == RAW_2024.stem  # the same list: the dump is kept
    assert dump["sha256"] == hashlib.sha256(RAW_2024.read_bytes()).hexdigest()


@pytest.mark.parametrize("path, want", [
    (WPS_HTML, ("国家知识产权局", "国知发运字〔2024〕7号")),
    (TRS_HTML, ("国家知识产权局", None)),  # from the notice's title 国家知识产权局关于印发…
    (RAW_2024, (None, None)),  # the dump's lead lines are 附件 and the title: nothing says
])
def test_issuer_and_document_number_come_from_the_text_above_the_table(path, want):
    d = extracted(path)
    assert (d.issuer, d.doc_number) == want


def test_dump_lead_lines_with_a_letterhead_and_a_retyped_number():
    lead = "国家知识产权局办公室文件\n\n国知办发运字[2025] 12 号\n\n## 2025 年推动知识产权高质量发展任务清单"
    d = dump_document(ROWS, title=lead)
    assert (d.issuer, d.doc_number, d.year) == ("国家知识产权局办公室", "国知办发运字[2025]12号", 2025)


@pytest.mark.parametrize("head, title, want", [
    (["国知发运字〔2024〕7号"], "2024年任务清单", ("国家知识产权局", "国知发运字〔2024〕7号")),
    (["某某省知识产权局关于印发…的通知", "某知发〔2024〕3号"], "任务清单", ("某某省知识产权局", "某知发〔2024〕3号")),
    ([], "国家知识产权局2024年任务清单", ("国家知识产权局", None)),
    (["附件", "发布日期：2024年03月29日"], "2024年任务清单", (None, None)),
])
def test_issuer_rules(head, title, want):
    number = doc_number(head, title)
    assert (issuer(head, title, number), number) == want


def test_task_keys_are_unique_and_the_same_in_every_rendering(doc_2024):
    keys = [t.task_key for t in doc_2024.tasks]
    assert len(set(keys)) == 23 and all(len(k) == 12 for k in keys)
    for path in (WPS_HTML, GOV_PDF):
        assert [t.task_key for t in extracted(path).tasks] == keys


def test_task_key_ignores_numbering_years_whitespace_and_width_but_not_words():
    a = dump_document(ROWS)
    renumbered = [ROWS[0], ROWS[2].replace("2. ", "1、"), ROWS[1].replace("1. ", "2．")
                  .replace("做好甲工作", "做好 甲 工作").replace("2024", "2025")]
    b = dump_document(renumbered)
    assert {t.task_title: t.task_key for t in a.tasks} == \
        {t.task_title: t.task_key for t in b.tasks}
    assert key_text("１．制定２０２４年 推进计划。") == key_text("制定2025年推进计划") == "制定#年推进计划"
    c = dump_document([ROWS[0], ROWS[1].replace("甲工作", "丙工作"), ROWS[2]])
    assert c.tasks[0].task_key != a.tasks[0].task_key


def test_tasks_with_the_same_title_get_keys_from_their_measures():
    rows = [ROWS[0], ROWS[1], ROWS[2].replace("做好乙工作", "做好甲工作"),
            "3. 做好甲工作\t<p>各地区：乙。</p>\t<p>省份：各省必做</p>"]
    keys = [t.task_key for t in dump_document(rows).tasks]
    assert len(set(keys)) == 3


def _run(tmp_path: Path, *inputs: Path, dedupe: bool = False) -> tuple[Path, dict[str, object]]:
    out = tmp_path / "output"
    args = ["extract", *map(str, inputs), "--out", str(out), "--quiet"]
    assert main(args + ["--dedupe"] * dedupe) == 0
    return out, json.loads((out / "report.json").read_text(encoding="utf-8"))


def _warnings(report: dict[str, object], code: str) -> dict[str, list[str]]:
    return {e["doc_id"]: [w["message"] for w in e.get("warnings", []) if w["code"] == code]
            for e in report["inputs"]}  # type: ignore[union-attr, index]


def test_identical_bytes_under_two_names_are_always_a_warning(tmp_path):
    copy = tmp_path / "copy-of-2024.txt"
    shutil.copyfile(RAW_2024, copy)
    out, report = _run(tmp_path, RAW_2024, copy)
    message = (f"{copy.name} has the same bytes as {RAW_2024.name}; deduplicating keeps "
               f"{RAW_2024.name} (given first)")
    assert _warnings(report, "identical_input") == {RAW_2024.stem: [], copy.stem: [message]}
    assert [r["duplicate_of"] for r in _documents(out)] == [None, RAW_2024.stem]
    assert pq.read_metadata(out / "tasks.parquet").num_rows == 46  # both written


def test_the_cli_names_dedupe_beside_a_copy_it_did_not_drop(tmp_path, capsys):
    # The warning (in report.json and the warnings table) names no option; the summary does.
    copy = tmp_path / "copy-of-2024.txt"
    shutil.copyfile(RAW_2024, copy)
    _, report = _run(tmp_path, RAW_2024, copy)
    assert "--dedupe" not in json.dumps(report, ensure_ascii=False)
    assert main(["extract", str(RAW_2024), str(copy), "--out", str(tmp_path / "again")]) == 0
    lines = [x for x in capsys.readouterr().err.splitlines() if "same bytes" in x]
    assert lines == [f"  warning: {copy.stem}: {copy.name} has the same bytes as {RAW_2024.name}; "
                     f"deduplicating keeps {RAW_2024.name} (given first) (--dedupe drops it)"]
    assert main(["extract", str(RAW_2024), str(copy), "--out", str(tmp_path / "dedupe"),
                 "--dedupe"]) == 0
    assert "--dedupe drops it" not in capsys.readouterr().err  # it did drop it


def test_renderings_of_one_list_are_a_duplicate_and_dedupe_keeps_the_dump(tmp_path):
    out, report = _run(tmp_path, WPS_HTML, RAW_2024, dedupe=True)
    assert [(e["doc_id"], e["status"]) for e in report["inputs"]] == [  # type: ignore[index]
        (WPS_HTML.stem, "dropped"), (RAW_2024.stem, "ok")]
    dropped = report["inputs"][0]  # type: ignore[index]
    assert dropped["duplicate_of"] == RAW_2024.stem
    assert dropped["reason"] == "the text dump is more faithful than the HTML"
    assert dropped["message"] == (
        f"{WPS_HTML.name} holds the same list as {RAW_2024.name} (same title and year, 100% the "
        f"same tasks); deduplicating keeps {RAW_2024.name} (the text dump is more faithful than the HTML)")
    assert [r["doc_id"] for r in _documents(out)] == [RAW_2024.stem]
    assert report["counts"]["tasks"] == 23  # type: ignore[index]


def test_same_format_copies_keep_the_one_with_fewer_warnings(tmp_path):
    text = RAW_2024.read_text(encoding="utf-8")
    noisy = tmp_path / "noisy-2024.txt"
    noisy.write_text(text.replace("有关地市：", "有关城市："), encoding="utf-8")  # unknown labels
    _, report = _run(tmp_path, noisy, RAW_2024, dedupe=True)
    assert [(e["doc_id"], e["status"]) for e in report["inputs"]] == [  # type: ignore[index]
        ("noisy-2024", "dropped"), (RAW_2024.stem, "ok")]
    assert report["inputs"][0]["reason"] == "fewer warnings (1 against 4)"  # type: ignore[index]


def test_another_year_or_other_tasks_are_no_duplicate(tmp_path):
    text = RAW_2024.read_text(encoding="utf-8")
    later = tmp_path / "list-2025.txt"
    later.write_text(text.replace("## 2024 年", "## 2025 年"), encoding="utf-8")
    rows = text.split("\n")
    half = tmp_path / "half-2024.txt"
    cut = next(i for i, line in enumerate(rows) if line.startswith("12."))
    half.write_text("\n".join(rows[:cut]) + "\n", encoding="utf-8")
    out, report = _run(tmp_path, RAW_2024, later, half)
    assert all(not w for code in ("identical_input", "duplicate_list")
               for w in _warnings(report, code).values())
    assert [r["duplicate_of"] for r in _documents(out)] == [None, None, None]


def _all_pairs_duplicates(docs):
    """find_duplicates as it was written first: every pair compared (the reference)."""
    from rapidfuzz import fuzz

    from pipeline.documents import SAME_LIST, Duplicate, _rank, _reason, content, key_text

    contents = [content(d) for d in docs]
    parent = list(range(len(docs)))
    score = {}

    def root(i):
        while parent[i] != i:
            i = parent[i]
        return i

    for i, a in enumerate(docs):
        for j in range(i + 1, len(docs)):
            b = docs[j]
            if a.sha256 == b.sha256:
                score[i, j] = (True, 100.0)
            elif a.year == b.year and key_text(a.title) == key_text(b.title):
                similarity = fuzz.ratio(contents[i], contents[j])
                if similarity >= SAME_LIST:
                    score[i, j] = (False, similarity)
            if (i, j) in score:
                parent[root(j)] = root(i)
    groups = {}
    for i in range(len(docs)):
        groups.setdefault(root(i), []).append(i)
    out = {}
    for members in groups.values():
        best = min(members, key=lambda i: _rank(docs[i], i))
        for i in members:
            if i == best:
                continue
            pair = (min(i, best), max(i, best))
            identical = docs[i].sha256 == docs[best].sha256
            similarity = score[pair][1] if pair in score else fuzz.ratio(contents[i], contents[best])
            out[i] = Duplicate(docs[i].doc_id, docs[best].doc_id, identical, similarity,
                               "given first" if identical else _reason(docs[best], docs[i]))
    return [out[i] for i in sorted(out)]


#: Copies of every kind: the same bytes twice, a rendering in HTML, a copy with warnings, a
#: few tasks edited, another year, another title, another list under the same title.
_MIXED = [(0, 0, 2024, "html", 0), (0, 0, 2024, "text", 0), (0, 0, 2024, "text", 0),
          (0, 1, 2024, "text", 2), (1, 0, 2024, "pdf", 0), (0, 0, 2023, "text", 0),
          (0, 2, 2024, "text", 0), (3, 0, 2024, "text", 0)]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2), st.sampled_from([2023, 2024]),
                          st.sampled_from(["text", "html", "pdf"]), st.integers(0, 2)),
                min_size=0, max_size=12))
@example(specs=_MIXED)
def test_duplicates_found_by_lookup_are_those_of_comparing_every_pair(doc_2024, specs):
    """Copies are looked up by bytes and by year and title, not found by comparing all pairs:
    the same groups, kept inputs, similarities and reasons, for mixes of copies (same bytes,
    same title with the same or other tasks, other years, forms and warnings)."""
    from dataclasses import replace

    from pipeline.corpus import ContentSpool, hollow, pack_content
    from pipeline.documents import find_duplicates
    from pipeline.models import Issue

    docs = []
    for n, (content, title, year, fmt, warnings) in enumerate(specs):
        tasks = doc_2024.tasks if content < 2 else doc_2024.tasks[: 4 + content]
        if content == 1:  # a few tasks edited: still the same list
            tasks = (replace(tasks[0], measures=tasks[0].measures + "并加强协同。"), *tasks[1:])
        docs.append(replace(doc_2024, doc_id=f"d{n}", source=f"d{n}.txt", year=year, fmt=fmt,
                            title=["2024年任务清单", "2024 年 任务清单", "另一份清单"][title],
                            sha256=f"{content}{title}{year}{fmt}", tasks=tasks,
                            issues=tuple(Issue("x", "w") for _ in range(warnings))))
    found = find_duplicates(docs)
    assert found == _all_pairs_duplicates(docs)
    # As a corpus run finds them: documents without tasks, their content read from the spool.
    spool = ContentSpool()
    try:
        for d in docs:
            spool.add(d.doc_id, pack_content(d))
        hollowed = [hollow(d) for d in docs]
        assert not any(d.tasks for d in hollowed)
        assert find_duplicates(hollowed, lambda i: spool.get(hollowed[i].doc_id)) == found
    finally:
        spool.close()
    if specs == _MIXED:  # the comparison is not only of empty lists
        assert {(d.identical, d.reason) for d in found} == {
            (True, "given first"), (False, "the text dump is more faithful than the HTML"),
            (False, "the text dump is more faithful than the PDF"),
            (False, "fewer warnings (0 against 2)")}
