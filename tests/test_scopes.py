"""Who must act, normalised: applies_to / groups of a scope, full names of 局内 units."""
from __future__ import annotations

import pytest

from pipeline import scopes, segment
from pipeline.models import Para

STANDING = scopes.STANDING_ALIASES


@pytest.mark.parametrize("scope", ["各省", "各地", "各省份", "各地区", "各地市", "各省、自治区、直辖市",
                                   "全国各地", "所有省份", "全部地市"])
def test_a_collective_opener_reaches_everyone(scope):
    assert scopes.applies_to(scope, STANDING) == ("all", ())


@pytest.mark.parametrize(("scope", "groups"), [
    ("建立知识产权强省（以下简称强省）共建机制的省份", ("强省共建省份",)),
    ("建立强省共建机制的省份", ("强省共建省份",)),
    ("国家知识产权强市（以下简称强市）建设城市", ("强市建设城市",)),
    # Written long without a definition in this entry: the standing abbreviation applies.
    ("国家知识产权强市建设示范城市", ("强市建设示范城市",)),
    ("建立强省共建机制的省份、专项计划奖补省份、强市建设城市",
     ("强省共建省份", "专项计划奖补省份", "强市建设城市")),
    ("强市建设城市和数据知识产权试点省份", ("强市建设城市", "数据知识产权试点省份")),
    # Batch ordinals share the head of the piece after them.
    ("第一批、第二批示范区", ("第一批示范区", "第二批示范区")),
    ("首批、第二批、第三批示范区", ("首批示范区", "第二批示范区", "第三批示范区")),
    # A piece without a locality head modifies the next one: one group, not two.
    ("专利、商标审查协作中心涉及省份", ("专利、商标审查协作中心涉及省份",)),
    ("涉及省份", ("涉及省份",)),
    ("有条件的城市", ("有条件的城市",)),
    ("开展专利转化运用专项行动的省份", ("专利转化运用专项行动省份",)),
    ("强市建设城市、强市建设城市", ("强市建设城市",)),
])
def test_groups_are_split_and_written_short(scope, groups):
    assert scopes.applies_to(scope, STANDING) == ("group", groups)


@pytest.mark.parametrize(("scope", "places"), [
    ("北京、上海、广东", ("北京", "上海", "广东")),
    ("浙江省、江苏省", ("浙江省", "江苏省")),
    ("广西壮族自治区", ("广西壮族自治区",)),
    ("苏州市、深圳市", ("苏州市", "深圳市")),
    # A province-level name is a place even with a group word in it.
    ("新疆生产建设兵团", ("新疆生产建设兵团",)),
    # 等地 / 等省份: the places named stand for the list.
    ("北京、上海等地", ("北京", "上海")),
    ("浙江、江苏、广东等省份", ("浙江", "江苏", "广东")),
])
def test_place_names_are_named(scope, places):
    assert scopes.applies_to(scope, STANDING) == ("named", places)


def test_places_next_to_a_group_make_a_group():
    assert scopes.applies_to("北京、强市建设城市", STANDING) == ("group", ("北京", "强市建设城市"))


def test_a_headless_tail_keeps_its_separator():
    assert scopes.applies_to("强市建设城市、专利", STANDING) == ("group", ("强市建设城市、专利",))


def test_empty_scope_reaches_nobody_decidable():
    assert scopes.applies_to("", STANDING) == (None, ())


def test_an_alias_defined_in_measures_resolves_a_later_long_form():
    aliases = scopes.aliases_in(["完成第四批知识产权运营服务体系重点城市（以下简称重点城市）绩效评价工作。"])
    assert aliases["知识产权运营服务体系重点城市"] == "重点城市"
    assert scopes.applies_to("第五批知识产权运营服务体系重点城市", aliases) == (
        "group", ("第五批重点城市",))


def test_a_document_alias_is_not_the_standing_vocabulary_only():
    aliases = scopes.aliases_in(["高标准建设国家知识产权保护示范区（以下简称示范区）。"])
    assert aliases["国家知识产权保护示范区"] == "示范区"
    assert scopes.applies_to("国家知识产权保护示范区", aliases) == ("group", ("示范区",))
    assert scopes.applies_to("国家知识产权保护示范区", STANDING) == (
        "group", ("国家知识产权保护示范区",))


@pytest.mark.parametrize(("body", "written", "full"), [
    ("条法司，专利局审业部、自动化部，商标局",
     ("条法司", "专利局审业部", "自动化部", "商标局"),
     ("条法司", "专利局审业部", "专利局自动化部", "商标局")),
    ("专利局审业部、初审流程部、复审和无效审理部",
     ("专利局审业部", "初审流程部", "复审和无效审理部"),
     ("专利局审业部", "专利局初审流程部", "专利局复审和无效审理部")),
    # A top-level unit ends the run; so does a comma.
    ("保护司、运用促进司、专利局审业部、商标局",
     ("保护司", "运用促进司", "专利局审业部", "商标局"),
     ("保护司", "运用促进司", "专利局审业部", "商标局")),
    ("专利局审业部，自动化部", ("专利局审业部", "自动化部"), ("专利局审业部", "自动化部")),
    ("商标局审查部、办公室", ("商标局审查部", "办公室"), ("商标局审查部", "办公室")),
])
def test_bureau_units_keep_written_and_full_names(body, written, full):
    assert scopes.split_units(body) == written
    assert scopes.full_units(body) == full
    assert len(scopes.full_units(body)) == len(scopes.split_units(body))


def test_segment_fills_the_new_columns():
    entries, _ = segment.assignments(
        1, (Para("局内：专利局审业部、自动化部", 1, 1), Para("省份：各省必做", 1, 1),
            Para("地市：国家知识产权强市（以下简称强市）建设城市选做", 1, 1)), ())
    bureau, province, city = entries
    assert (bureau.units, bureau.units_full, bureau.applies_to, bureau.groups) == (
        ("专利局审业部", "自动化部"), ("专利局审业部", "专利局自动化部"), None, ())
    assert (province.applies_to, province.groups, province.units_full) == ("all", (), ())
    assert (city.scope, city.obligation, city.applies_to, city.groups) == (
        "国家知识产权强市（以下简称强市）建设城市", "选做", "group", ("强市建设城市",))


# ---- two scopes with two obligations in one entry (issue 10) ----------------------------------

@pytest.mark.parametrize(("body", "parts"), [
    ("强省试点省、一类省份必做，其他省份选做", (("强省试点省、一类省份", "必做"), ("其他省份", "选做"))),
    ("强省试点省、一类省份必做，其他省份选做。", (("强省试点省、一类省份", "必做"), ("其他省份", "选做"))),
    ("强市建设城市必做；其余地市选做", (("强市建设城市", "必做"), ("其余地市", "选做"))),
    ("北京、上海必做、其他省份选做", (("北京、上海", "必做"), ("其他省份", "选做"))),
    ("示范区必做，试点城市必做，其他城市选做",
     (("示范区", "必做"), ("试点城市", "必做"), ("其他城市", "选做"))),
    # One part: as before.
    ("各省必做", (("各省", "必做"),)),
    ("各省必做；", (("各省", "必做"),)),
    ("强市建设城市选做", (("强市建设城市", "选做"),)),
    # A later part without its own obligation: no split, and no obligation stated (a warning).
    ("强省必做，其他省份结合实际推进", (("强省必做，其他省份结合实际推进", None),)),
    ("各省", (("各省", None),)),
])
def test_obligation_parts(body, parts):
    assert scopes.obligation_parts(body) == parts


@pytest.mark.parametrize("scope", ["其他省份", "其余地市", "其它城市", "除强省外的省份"])
def test_the_rest_is_its_own_reach(scope):
    assert scopes.applies_to(scope, STANDING) == ("rest", ())


def test_an_entry_with_two_scopes_and_two_obligations_is_two_rows():
    text = "省份：强省试点省、一类省份必做，其他省份选做"
    entries, issues = segment.assignments(
        1, (Para("局内：协调司、管理司", 1, 1), Para(text, 1, 1), Para("地市：各地市选做", 1, 1)), ())
    assert not issues
    rows = [(a.entry_no, a.part_no, a.level, a.scope, a.obligation, a.applies_to, a.groups,
             a.entry_text) for a in entries]
    assert rows == [
        (1, 1, "局内", "协调司、管理司", None, None, (), "局内：协调司、管理司"),
        (2, 1, "省份", "强省试点省、一类省份", "必做", "group", ("强省试点省", "一类省份"), text),
        (2, 2, "省份", "其他省份", "选做", "rest", (), text),
        (3, 1, "地市", "各地市", "选做", "all", (), "地市：各地市选做"),
    ]


def test_a_split_entry_reaches_the_tables_with_its_entry_no(make_doc):
    from pipeline.write import table_rows

    doc = make_doc(["一、全面强化知识产权宏观统筹\t\t",
                    "1. 任务\t<p>有关省份：做好甲。</p>\t<p>省份：强省试点省、一类省份必做，其他省份选做</p>"])
    rows = table_rows([doc])["assignments"]
    assert [(r["entry_no"], r["part_no"], r["scope"], r["obligation"], r["applies_to"], r["clause_no"])
            for r in rows] == [(1, 1, "强省试点省、一类省份", "必做", "group", 1),
                               (1, 2, "其他省份", "选做", "rest", 1)]
    assert {r["entry_text"] for r in rows} == {"省份：强省试点省、一类省份必做，其他省份选做"}
