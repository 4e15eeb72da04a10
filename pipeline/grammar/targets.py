"""How the lists word a quantitative target: units, the verbs before a figure, metric heads.

Vocabulary only; :mod:`pipeline.facts` applies it. A target's ``kind`` (see the README):

- ``growth``: a change of the metric from where it stands — the figure follows a change verb
  without 到/至/为 (增长10%, 提高5个百分点, 下降15%左右), or is in 百分点, or the metric is itself
  a rate of change (增幅达到10%);
- ``level``: the value the metric is to reach or keep — a share, rate, period or amount
  (提高到75%, 转化率达到50%以上, 占比不低于13%, 审查周期压减至16个月, 突破1000亿元);
- ``count``: a number of things, in a measure word (不少于100家示范企业, 达到1.5万件, 100起以上).
"""
from __future__ import annotations

#: Measure words of things counted (家, 所, 件, 起 …), longest first where one holds another.
COUNT_UNITS: tuple[str, ...] = (
    "人次", "场次", "家次", "件次", "户次", "个", "所", "家", "项", "件", "次", "场", "名", "人", "条",
    "部", "类", "批", "种", "套", "户", "座", "期", "起", "宗", "篇", "本", "份", "位", "支", "处",
)
#: Units of an amount (a level, not a count).
AMOUNT_UNITS: tuple[str, ...] = ("美元", "元")
#: Units that measure a quantity of the phrase before them (审查周期压减至4个月), never count
#: things named after them; the longer unit first.
MEASURE_UNITS: tuple[str, ...] = ("个百分点", "百分点", "个工作日", "工作日", "个月", "天")
#: Units that are a change by their nature: 提高5个百分点.
GROWTH_UNITS: tuple[str, ...] = ("个百分点", "百分点")
#: Multipliers written before a unit: 1.5万件 is 15,000 件 (value 15000, unit 件).
MULTIPLIERS: dict[str, int] = {"万亿": 10**12, "亿": 10**8, "万": 10**4}

#: Verbs of a change: the figure after them is how much the metric changes (增长10%) unless
#: 到/至/为 follows (提高到75%: the level it reaches).
GROWTH_VERBS: tuple[str, ...] = (
    "增长", "提高", "提升", "增加", "上升", "下降", "降低", "减少", "压减", "缩短", "扩大", "压缩",
)
#: Verbs of a level: the figure after them is the value the metric reaches or keeps.
LEVEL_VERBS: tuple[str, ...] = ("达到", "达", "占", "保持在", "稳定在", "控制在", "突破")
#: What may stand between a change verb and its figure, and makes it a level (提高到, 压减至).
TO_LEVEL: tuple[str, ...] = ("至", "到", "为")
#: Words that make a metric a ratio to a population or an economy (每万人口发明专利拥有量,
#: 人均, 每亿元GDP专利产出): its figure in a measure word (12件) is a level, not a count of things.
PER_CAPITA: tuple[str, ...] = ("每万人口", "每万人", "每十万人", "每百万人", "每亿元", "每万元", "人均")
#: Metrics that are themselves a rate of change (增幅达到10% is growth).
GROWTH_METRICS: tuple[str, ...] = ("增幅", "增速", "增长率", "增长", "增量", "降幅")

#: Words a complete metric ends in (a quantity of something: 规模, 数量, 转化率, 占比, 周期 …).
#: Phrases joined by 和/与/及 are two metrics only when both end in one:
#: 质押融资规模和惠及中小企业数量 is two; 高校和科研机构专利转化率 is one.
METRIC_HEADS: tuple[str, ...] = (
    "规模", "数量", "量", "数", "率", "比", "比例", "比重", "金额", "额", "值", "周期", "时长",
    "时间", "天数", "指数", "水平", "收入", "面积", "成本", "费用", "度", "增速", "增幅",
)
