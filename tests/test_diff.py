"""diff: pairs built at test time from the 2024 dump with known edits, and the exact change rows.

Each edit is what an editor of next year's list does; the rows are every column but the
similarity, which is checked against the matching threshold (it is a score, not a contract).
"""
from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.build import build_document
from pipeline.cli import main
from pipeline.diff import CHANGE_COLUMNS, Change, diff_documents
from pipeline.diff.match import MATCH
from pipeline.diff.report import marked
from pipeline.models import Document
from pipeline.read import LoadedInput
from pipeline.read.dump import read_dump
from tests.conftest import FIXTURES, RAW_2024, extracted
from tests.dump_edits import delete_task, move_task, renumber, replace_task, task_row

TEXT = RAW_2024.read_text(encoding="utf-8")


def doc(text: str, name: str = "edited-2024.txt") -> Document:
    data = text.encode("utf-8")
    return build_document(LoadedInput(Path(name), data, "text", ()), read_dump(data, name))


def edit(*pairs: tuple[str, str]) -> str:
    text = TEXT
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def rows(old: Document, new: Document) -> list[tuple[object, ...]]:
    """The change rows without the similarity, which must clear the threshold where set."""
    changes = diff_documents(old, new)
    for c in changes:
        assert c.similarity is None or MATCH <= c.similarity <= 1.0, c
    return [(c.kind, c.old_task_no, c.new_task_no, c.field, c.old, c.new, c.minor)
            for c in changes]


def key(d: Document, task_no: int) -> str:
    return next(t.task_key for t in d.tasks if t.task_no == task_no)


def _merged(text: str, first: int, *edits: tuple[str, str]) -> str:
    """Tasks ``first`` and the next as one task: the first's title, each actor's texts joined,
    units united (as for 19 and 20 of 2024: 国际合作司、条法司, 各省选做); ``edits`` reword
    the second's central clause on the way."""
    a, b = task_row(text, first), task_row(text, first + 1)
    central, local = b[1].split(" 各地区：")
    for old, new in edits:
        central = central.replace(old, new)
    merged = "\t".join([a[0], a[1] + central.removeprefix("国家知识产权局：") + " 各地区：" + local,
                        "局内：国际合作司、条法司  省份：各省选做"])
    return replace_task(delete_task(text, first + 1), first, merged)


def _without_section_6() -> str:
    """Section 六 and its tasks 18–20 gone; 七 renumbered 六, its tasks 18–20."""
    text = TEXT
    for _ in range(3):
        text = delete_task(text, 18)
    return text.replace("<b>六、全面提高知识产权国际合作水平</b>\t\t\n", "").replace(
        "七、全面夯实", "六、全面夯实")


EDITS = {
    "deadline-moved": (edit(("在 6 月底前制定出台", "在 9 月底前制定出台")), [
        ("deadline_moved", 7, 7, "各地区", "在6月底前", "在9月底前", False)]),
    "target-raised": (edit(("数量增长10%以上", "数量增长15%以上")), [
        ("target_changed", 11, 11, "知识产权质押融资规模", "10%以上", "15%以上", False),
        ("target_changed", 11, 11, "惠及中小企业数量", "10%以上", "15%以上", False)]),
    "actor-relabelled": (edit(("有关地市：以开展", "有关城市：以开展")), [
        ("actor_changed", 3, 3, "actor", "有关地市", "有关城市", False)]),
    "deleted-and-renumbered": (delete_task(TEXT, 5), [
        ("task_removed", 5, None, "task", "持续提升知识产权审查质量和效率", None, False)]),
    "retitled": (edit(("2. 加大强国建设工作统筹协调力度", "2. 加强强国建设统筹协调")), [
        ("task_retitled", 2, 2, "task_title", "加大强国建设工作统筹协调力度", "加强强国建设统筹协调",
         False)]),
    "moved-to-another-section": (move_task(TEXT, 2, "三、"), [
        ("task_moved", 2, 6, "section", "全面强化知识产权宏观统筹", "全面推进知识产权转化运用",
         False)]),
    "two-merged": (_merged(TEXT, 19), [
        ("task_merged", 20, 19, "task", "持续完善对外合作布局", "深度参与全球知识产权治理", False)]),
    "same-day-reworded": (edit(("3 月底前完成盘点", "第一季度末前完成盘点")), [
        ("clause_changed", 8, 8, "各地区",
         next(c.text for t in doc(TEXT).tasks if t.task_no == 8 for c in t.clauses
              if c.actor == "各地区"),
         next(c.text for t in doc(edit(("3 月底前完成盘点", "第一季度末前完成盘点"))).tasks
              if t.task_no == 8 for c in t.clauses if c.actor == "各地区"), True)]),
    "target-removed": (edit(("选择 1 至 2 所重点高校", "选择重点高校")), [
        ("target_removed", 8, 8, "重点高校、科研机构", "1至2所", None, False)]),
    "deadline-removed": (edit(("3 月底前完成盘点工作", "完成盘点工作")), [
        ("deadline_removed", 8, 8, "各地区", "3月底前", None, False)]),
    "clause-added": (edit(("加强知识产权涉外风险防控\t<p>国家知识产权局：",
                           "加强知识产权涉外风险防控\t<p>有关省份：建立海外维权援助工作站。</p> "
                           "<p>国家知识产权局：")), [
        ("clause_added", 14, 14, "有关省份", None, "建立海外维权援助工作站。", False)]),
    "clause-removed": (edit((" <p>有关地方：做好知识产权运营服务体系建设绩效评价和发现问题整改工作。</p>", "")), [
        ("clause_removed", 11, 11, "有关地方", "做好知识产权运营服务体系建设绩效评价和发现问题整改工作。",
         None, False)]),
    "section-retitled": (edit(("三、全面推进知识产权转化运用", "三、全面推进知识产权转化运用和价值实现")), [
        ("section_retitled", None, None, "section_title", "全面推进知识产权转化运用",
         "全面推进知识产权转化运用和价值实现", False)]),
    "section-removed": (_without_section_6(), [
        ("section_removed", None, None, "section", "全面提高知识产权国际合作水平", None, False),
        ("task_removed", 18, None, "task", "推动“一带一路”知识产权合作迈上新台阶", None, False),
        ("task_removed", 19, None, "task", "深度参与全球知识产权治理", None, False),
        ("task_removed", 20, None, "task", "持续完善对外合作布局", None, False)]),
    "departments-and-obligations": (
        edit(("<p>局内：运用促进司</p> <p>省份：各省必做 地市：强市建设示范城市必做</p>",
              "<p>局内：运用促进司、办公室</p> <p>省份：各省选做 地市：强市建设示范城市必做</p>"),
             ("局内：国际合作司、条法司", "局内：国际合作司")), [
        ("department_added", 7, 7, "局内", None, "办公室", False),
        ("obligation_changed", 7, 7, "各省", "必做", "选做", False),
        ("department_removed", 19, 19, "局内", "条法司", None, False)]),
}


@pytest.mark.parametrize("name", list(EDITS))
def test_known_edit_gives_exactly_its_rows(doc_2024, name):
    text, want = EDITS[name]
    assert rows(doc_2024, doc(text)) == want


def test_a_deadline_added_with_words_of_its_own_also_changes_the_clause(doc_2024):
    text = edit(("加速产业链高价值专利技术落地投产见效。", "加速产业链高价值专利技术落地投产见效，年底前完成项目方案编制。"))
    got = rows(doc_2024, doc(text))
    assert [(k, o, n, f, new, m) for k, o, n, f, _, new, m in got][1:] == [
        ("deadline_added", 10, 10, "各地区", "年底前", False)]
    kind, *_, old, new, minor = got[0]
    assert (kind, minor) == ("clause_changed", False)
    assert new.replace("，年底前完成项目方案编制", "") == old


@pytest.mark.parametrize("number", range(1, 24))
def test_deleting_any_task_is_one_row_however_the_rest_renumber(doc_2024, number):
    title = next(t.task_title for t in doc_2024.tasks if t.task_no == number)
    assert rows(doc_2024, doc(delete_task(TEXT, number))) == [
        ("task_removed", number, None, "task", title, None, False)]


def test_change_rows_carry_the_key_of_the_task_they_concern(doc_2024):
    retitled = doc(EDITS["retitled"][0])
    (change,) = diff_documents(doc_2024, retitled)
    assert change.task_key == key(retitled, 2) != key(doc_2024, 2)  # a new title, a new key
    removed = doc(EDITS["deleted-and-renumbered"][0])
    (change,) = diff_documents(doc_2024, removed)
    assert change.task_key == key(doc_2024, 5)
    # Later tasks keep their keys though renumbered: the key is the content, not the number.
    assert key(removed, 5) == key(doc_2024, 6)


def test_all_edits_at_once_give_all_their_rows_renumbered(doc_2024):
    text = edit(("在 6 月底前制定出台", "在 9 月底前制定出台"), ("数量增长10%以上", "数量增长15%以上"),
                ("有关地市：以开展", "有关城市：以开展"),
                ("2. 加大强国建设工作统筹协调力度", "2. 加强强国建设统筹协调"))
    # Old 19 and 20 are 18 and 19 once 5 is gone. New order: 1, 3, 4, 6 | 2, 7, 8 … 11 | …
    text = move_task(_merged(delete_task(text, 5), 18), 2, "三、")
    assert rows(doc_2024, doc(text)) == [
        ("actor_changed", 3, 2, "actor", "有关地市", "有关城市", False),
        ("task_removed", 5, None, "task", "持续提升知识产权审查质量和效率", None, False),
        ("task_retitled", 2, 5, "task_title", "加大强国建设工作统筹协调力度", "加强强国建设统筹协调",
         False),
        ("task_moved", 2, 5, "section", "全面强化知识产权宏观统筹", "全面推进知识产权转化运用",
         False),
        ("deadline_moved", 7, 6, "各地区", "在6月底前", "在9月底前", False),
        ("target_changed", 11, 10, "知识产权质押融资规模", "10%以上", "15%以上", False),
        ("target_changed", 11, 10, "惠及中小企业数量", "10%以上", "15%以上", False),
        ("task_merged", 20, 18, "task", "持续完善对外合作布局", "深度参与全球知识产权治理", False),
    ]


def test_two_merged_with_words_edited_on_the_way(doc_2024):
    text = _merged(TEXT, 19, ("积极推进中美欧日韩五局合作机制调整", "深化中美欧日韩五局合作"),
                   ("加强对地方知识产权国际合作的统筹指导", "加强统筹指导"))
    got = rows(doc_2024, doc(text))
    assert [r[:4] for r in got] == [("task_merged", 20, 19, "task"),
                                    ("clause_changed", 19, 19, "国家知识产权局")]
    assert "深化中美欧日韩五局合作" in str(got[1][5]) and "积极推进" in str(got[1][4])


def test_a_task_split_in_two(doc_2024):
    t20 = task_row(TEXT, 20)
    central, local = t20[1].split(" 各地区：")
    kept = "\t".join([t20[0], central, "局内：国际合作司"])
    split_off = "\t".join(["21.加强地方国际交流合作", "各地区：" + local, "省份：各省选做"])
    lines = TEXT.split("\n")
    at = lines.index("\t".join(t20))
    text = "\n".join(renumber([*lines[:at], kept, split_off, *lines[at + 1:]]))
    assert rows(doc_2024, doc(text)) == [
        ("task_split", 20, 21, "task", "持续完善对外合作布局", "加强地方国际交流合作", False)]


def test_the_next_year_with_the_same_tasks_has_only_minor_changes(doc_2024):
    later = doc(edit(("## 2024 年", "## 2025 年"), ("制定 2024 年推进", "制定 2025 年推进")),
                "list-2025.txt")
    assert later.year == 2025
    # Every task carries on under its title: the same keys in both years.
    assert [t.task_key for t in later.tasks] == [t.task_key for t in doc_2024.tasks]
    # 6月底前 in 2025 is the same deadline as in 2024: no deadline row; the year in the text
    # is minor.
    got = rows(doc_2024, later)
    assert [(k, o, n, f, m) for k, o, n, f, _, _, m in got] == [
        ("clause_changed", 7, 7, "国家知识产权局", True)]
    assert "制定2024年推进工作计划" in got[0][4] and "制定2025年推进工作计划" in got[0][5]


def test_whitespace_only_is_none_or_minor(doc_2024):
    # Beside Chinese characters whitespace is gone once extracted: no row at all.
    spaced = edit(("2. 加大强国建设工作统筹协调力度", "2. 加大强国建设工作统筹 协调力度"),
                  ("充分发挥专利转化运用专项行动推进机制作用，", "充分发挥专利转化运用 专项行动推进机制作用， "))
    assert rows(doc_2024, doc(spaced)) == []
    # Between Latin letters it stays in the text, and is minor.
    latin = rows(doc_2024, doc(edit(("保护 and 运用条例", "保护 a nd 运用条例"))))
    assert [(k, o, n, f, m) for k, o, n, f, _, _, m in latin] == [
        ("clause_changed", 4, 4, "有关地市", True)]


def test_a_list_with_itself_has_no_changes(doc_2024):
    assert diff_documents(doc_2024, doc_2024) == ()


@pytest.mark.parametrize("rendering", [
    FIXTURES / "html" / "cnipa-2024-wps-utf8-bom.html",
    FIXTURES / "html" / "cnipa-2024-libreoffice-rowspan.html",
    FIXTURES / "pdf" / "a4-portrait-kai-12pt-letterhead-exact-28pt.pdf",
    FIXTURES / "pdf" / "letter-portrait-serif-11pt-no-rules-no-repeat.pdf",
], ids=lambda p: p.name)
def test_two_renderings_of_one_list_have_no_changes(doc_2024, rendering):
    other = extracted(rendering)
    assert diff_documents(doc_2024, other) == ()
    assert diff_documents(other, doc_2024) == ()


def test_unrelated_tasks_are_removed_and_added_not_paired(doc_2024):
    t9 = task_row(TEXT, 9)
    other = "9.开展知识产权援疆援藏工作\t各地区：组织开展对口支援，选派干部挂职交流。\t省份：对口支援省份必做"
    got = rows(doc_2024, doc(replace_task(TEXT, 9, other)))
    # The removed task stands after the task before it (8), so before the added one.
    assert got == [("task_removed", 9, None, "task", t9[0].split(".", 1)[1].replace("</p>", ""),
                    None, False),
                   ("task_added", None, 9, "task", None, "开展知识产权援疆援藏工作", False)]


def test_marked_shows_changed_characters_escaped():
    assert marked("在6月底前<a>", "在9月底前<a>") == ("在<del>6</del>月底前&lt;a&gt;",
                                                    "在<ins>9</ins>月底前&lt;a&gt;")
    assert marked(None, "新") == ("", "<ins>新</ins>")


# ---- the command --------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def folder_2024(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("old") / "output"
    assert main(["extract", str(RAW_2024), "--out", str(out), "--quiet"]) == 0
    return out


def test_command_writes_parquet_markdown_and_html(tmp_path, folder_2024, capsys):
    new = tmp_path / "list-2025.txt"
    new.write_text(EDITS["deadline-moved"][0], encoding="utf-8")
    out = tmp_path / "changes"
    assert main(["diff", str(folder_2024), str(new), "--out", str(out)]) == 0
    table = pq.read_table(out / "changes.parquet")
    assert tuple(table.schema.names) == CHANGE_COLUMNS
    (row,) = table.to_pylist()
    assert (row["kind"], row["old"], row["new"], row["minor"]) == (
        "deadline_moved", "在6月底前", "在9月底前", False)
    md = (out / "changes.md").read_text(encoding="utf-8")
    assert "## Task 7: 加强专利转化运用专项行动组织实施" in md
    assert "| deadline_moved | 各地区 | 在<del>6</del>月底前 | 在<ins>9</ins>月底前 |" in md
    page = (out / "changes.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "在<ins>9</ins>月底前" in page
    assert "1 change(s), 0 minor" in capsys.readouterr().err


def test_output_folder_and_input_file_give_the_same_changes(tmp_path, folder_2024, doc_2024):
    text = EDITS["two-merged"][0]
    new = tmp_path / "merged.txt"
    new.write_text(text, encoding="utf-8")
    new_out = tmp_path / "merged-output"
    assert main(["extract", str(new), "--out", str(new_out), "--quiet"]) == 0
    from pipeline.diff.load import load_side

    from_folders = diff_documents(load_side(folder_2024), load_side(new_out))
    assert from_folders == diff_documents(doc_2024, doc(text)) != ()
    assert all(isinstance(c, Change) for c in from_folders)


def test_a_folder_of_two_documents_is_refused(tmp_path, capsys):
    both = tmp_path / "both"
    copy = tmp_path / "other-2024.txt"
    copy.write_text(TEXT, encoding="utf-8")
    assert main(["extract", str(RAW_2024), str(copy), "--out", str(both), "--quiet"]) == 0
    out = tmp_path / "changes"
    assert main(["diff", str(both), str(RAW_2024), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    want = (f"{both}: holds 2 documents (cnipa-2024-task-list, other-2024) — diff compares "
            "one list with another: name the input files, or extract each list into a folder "
            "of its own")
    assert err == [want]
    assert not out.exists()


def test_a_folder_that_is_no_output_is_refused(tmp_path, capsys):
    assert main(["diff", str(tmp_path), str(RAW_2024), "--out", str(tmp_path / "c")]) == 2
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"{tmp_path}: is a folder without tasks.parquet")
    assert not (tmp_path / "c").exists()


# ---- the columns of other layouts ------------------------------------------------------------

LAYOUTS = FIXTURES / "layouts"


def _layout(name: str, *pairs: tuple[str, str]) -> Document:
    text = (LAYOUTS / name).read_text(encoding="utf-8")
    for old, new in pairs:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return doc(text, name)


def test_a_changed_cell_of_an_extra_or_outcome_column_is_one_row_each():
    name = "province-2025-responsible-extra.txt"
    old = _layout(name)
    new = _layout(name, ("\t条例修订草案\t延续性任务", "\t条例修订草案（送审稿）\t新增任务"),
                  ("\t推进方案\t\n", "\t推进方案\t年中调度\n"))
    assert rows(old, new) == [
        ("column_changed", 1, 1, "outcome", "条例修订草案", "条例修订草案（送审稿）", False),
        ("column_changed", 1, 1, "extra.备注", "延续性任务", "新增任务", False),
        ("column_changed", 2, 2, "extra.备注", None, "年中调度", False)]


def test_a_changed_group_is_a_row_and_the_objective_a_block_with_its_targets():
    name = "cnipa-2017-task-decomposition.txt"
    old = _layout(name)
    new = _layout(name, ("地方专利立法覆盖面进一步扩大。", "地方专利立法实现全覆盖。"),
                  ("（一）完善专利法律制度", "（一）完善专利法律制度体系"),
                  ("初步成效，形成一批", "初步成效,形成一批"),
                  ("基本建成，专利质押融资金额增长15%左右。", "基本建成，专利质押融资金额增长20%左右。"))
    changed = rows(old, new)  # every row: the edits give nothing else
    objective = ("专利法第四次修改取得实质进展，配套规章同步修订，地方专利立法覆盖面进一步扩大。",
                 "专利法第四次修改取得实质进展，配套规章同步修订，地方专利立法实现全覆盖。")
    pilot = "知识产权综合管理改革试点取得初步成效"
    assert changed == [
        ("clause_changed", 1, 1, "任务目标", *objective, False),
        ("column_changed", 1, 1, "group_title", "完善专利法律制度", "完善专利法律制度体系", False),
        ("clause_changed", 2, 2, "任务目标", *objective, False),
        ("column_changed", 2, 2, "group_title", "完善专利法律制度", "完善专利法律制度体系", False),
        # A width change is minor; 6 shares 5's 任务目标.
        *(("clause_changed", n, n, "任务目标", f"{pilot}，形成一批可复制可推广的经验。",
           f"{pilot},形成一批可复制可推广的经验。", True) for n in (5, 6)),
        # The target the 任务目标 of tasks 7-9 states is task 7's: its change is that row; the
        # tasks beside it share the cell's text (no figure of theirs), so theirs is the text.
        ("target_changed", 7, 7, "专利质押融资金额", "15%左右", "20%左右", False),
        *(("clause_changed", n, n, "任务目标", "专利运营服务体系基本建成，专利质押融资金额增长15%左右。",
           "专利运营服务体系基本建成，专利质押融资金额增长20%左右。", False) for n in (8, 9))]


def test_a_column_only_one_list_has_is_no_change_in_every_task(doc_2024):
    # The 2024 list has no 成果形式 or 备注: against a provincial list only its tasks' own
    # differences count, never "outcome: … → null" for each.
    province = _layout("province-2025-responsible-extra.txt")
    assert not [c for c in diff_documents(province, doc_2024) if c.kind == "column_changed"]
    assert not [c for c in diff_documents(doc_2024, province) if c.kind == "column_changed"]
