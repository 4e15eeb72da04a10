"""How the lists word who must act: scopes of 任务分工 entries and CNIPA unit names.

Vocabulary and patterns only; :mod:`pipeline.scopes` (segment stage) applies them.
"""
from __future__ import annotations

import re
from collections.abc import Mapping

from pipeline.grammar.text import HAN

#: Openers of a scope that means every locality (各省, 各地, 各省份, 全国, 所有省份, 全部地市).
ALL_OPENERS: tuple[str, ...] = ("各", "全国", "全部", "所有")

#: Words a group of localities ends in (省份, 强市建设城市, 第一批示范区, 试点园区 …).
LOCALITY_HEADS: tuple[str, ...] = (
    "省份", "省", "自治区", "直辖市", "城市", "地市", "市", "县", "县区", "区", "地区", "地方",
    "园区", "州", "盟",
)

#: Openers of a scope that means every locality of the level the entry's other parts do not
#: name: ``强省试点省、一类省份必做，其他省份选做`` — 其他省份 are the rest.
REST_OPENERS: tuple[str, ...] = ("其他", "其它", "其余", "剩余", "除")

#: An obligation that closes one part of an entry holding several, each with its own
#: (``强省试点省、一类省份必做，其他省份选做``): 必做/选做 followed by a separator or the end.
OBLIGATION_PART = re.compile(r"(必做|选做)\s*[。.]?\s*(?:[，,；;、]\s*|$)")

#: Words that make a piece a group, not a proper place name (强市, 重点城市, 示范区, 涉及省份).
GROUP_WORDS: tuple[str, ...] = (
    "城市", "地市", "省份", "地区", "地方", "强", "试点", "示范", "建设", "重点", "涉及", "有关",
    "相关", "共建", "计划", "批", "奖补", "中心", "园区", "条件",
)

#: The province-level divisions, by the short names the lists use (北京, 内蒙古 …).
PROVINCES: tuple[str, ...] = (
    "北京", "天津", "河北", "山西", "内蒙古", "辽宁", "吉林", "黑龙江", "上海", "江苏", "浙江",
    "安徽", "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "广西", "海南", "重庆", "四川",
    "贵州", "云南", "西藏", "陕西", "甘肃", "青海", "宁夏", "新疆", "新疆生产建设兵团", "香港",
    "澳门", "台湾",
)
PROVINCE_SUFFIX = "(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?"

#: Standing abbreviations of CNIPA's programmes, used where a document does not define its own
#: (a later list may write 强省 without repeating 以下简称).
STANDING_ALIASES: Mapping[str, str] = {
    "国家知识产权强市": "强市",
    "知识产权强市": "强市",
    "知识产权强省": "强省",
    "知识产权强县": "强县",
}

#: Separators of a combined scope.
# 和/及/与 separate only after a locality word: 涉及省份 and 和田地区 are no combined scopes.
SCOPE_PIECE_SEP = re.compile(r"(、|，|,|；|(?<=[省份市县区方])(?:以及|和|及|与))")
ALIAS_DEFINITION = re.compile(f"(?P<before>[{HAN}]+)[（(]以下简称(?P<short>[{HAN}]{{1,12}})[）)]")
BATCH_ORDINAL = re.compile(r"^(?:第[一二三四五六七八九十百\d]+批|首批|新一批)")
RELATIVE_SCOPE = re.compile(f"^(?P<object>[{HAN}]+?)(?:机制|工作|任务)?的(?P<head>[{HAN}]+)$")
# Part-of-speech flags (jieba) of words that end a noun phrase when read backwards: verbs,
# numerals (第四批), adverbs, prepositions, conjunctions, particles.
PHRASE_STOP_POS = ("v", "m", "d", "ad", "p", "c", "u", "r")
_PROVINCE_NAMES = "|".join(sorted(PROVINCES, key=len, reverse=True))
#: A province-level name, short or full (广东, 广东省, 广西壮族自治区, 新疆生产建设兵团).
PROVINCE_NAME = re.compile(f"^(?:{_PROVINCE_NAMES}){PROVINCE_SUFFIX}$")
#: A short proper name ending in an administrative unit (苏州市, 浦东新区); a place only when it
#: holds no group word (强市, 重点城市 and 示范区 end the same way).
CITY_NAME = re.compile(f"^[{HAN}]{{2,5}}(?:市|州|盟|县|区|新区)$")
#: ``北京、上海等地``: the places named stand for the list.
ETC_TAIL = re.compile(r"等(?:地|省份|省市|城市|地市|地区|地方)?$")

#: A sub-unit written short after its parent (专利局审业部、自动化部).
PARENT_UNIT = re.compile(f"^(?P<parent>[{HAN}]+?局)(?P<sub>[{HAN}]+(?:部|处))$")
SUB_UNIT = re.compile(f"^[{HAN}]+(?:部|处)$")
UNIT_RUN_SEP = re.compile(r"[，,；;]")
UNIT_SEP = re.compile(r"[、，,；;]")
