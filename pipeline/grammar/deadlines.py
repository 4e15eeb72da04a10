"""How the lists word a time: deadlines, periods, recurring and open-ended time frames.

Vocabulary and pattern pieces only; :mod:`pipeline.facts` compiles and applies them. Every
pattern runs on ``ascii_digits(text)`` (full-width digits already ASCII, same length).

A time expression is either *marked* (it says it is a limit: 前, 底, 末, 内 — ``6月底前``,
``年内``, ``到2025年``) or *bare* (a point or a period: ``6月30日``, ``年中``, ``第三季度``,
``上半年``, ``全年``, ``2025年9月``). In a clause a bare one is a deadline only where it is
not a reference to a period (``发布第三季度统计数据``, ``召开上半年工作会``, ``2023年9月印发的``);
in a due column (完成时限) every expression is a deadline, since the cell says nothing else.
"""
from __future__ import annotations

#: What joins the two ends of a range of time (3月至6月, 2025—2027年, 3-6月).
RANGE_JOIN = r"(?:至|到|—{1,2}|－|-|~|～)"
#: Month numbers in digits or numerals; a month of digits never continues a longer number.
MONTH = r"(?<![0-9])(?:1[0-2]|0?[1-9])(?![0-9])|十[一二]?|[一二三四五六七八九]"
DAY = r"3[01]|[12][0-9]|0?[1-9]"
YEAR4 = r"(?:19|20)[0-9]{2}"
BEFORE = r"(?:之前|以前|前)"
#: The bare start of a range whose unit is written once, at its end (3-6月, 2025年3—6月,
#: 第二至三季度): a number with no 月/季度 of its own, so no deadline form matches it. By kind
#: of the range's end (the ``me`` month and ``q`` quarter forms of pipeline.facts.patterns).
BARE_RANGE_START: dict[str, str] = {
    "me": rf"(?:(?P<y>{YEAR4})\s*年\s*)?(?:{MONTH})\s*{RANGE_JOIN}\s*$",
    "q": rf"(?:(?P<y>{YEAR4})\s*年\s*)?(?:第\s*)?(?<![0-9])[一二三四1-4]\s*{RANGE_JOIN}\s*$",
}
#: 年中 and 月中 as mid-year/mid-month, not the start of a word (2024年中国, 6月中央).
NOT_MID = "(?![国央华心小学医间期外文部西东南北])"

#: Where a bare period of a clause is a period talked about, not a time to act by: the words
#: right after it (上半年工作, 第三季度统计数据, 年中的评估, 6月起施行, 年初以来) …
PERIOD_NOUN_AFTER: tuple[str, ...] = (
    "的", "之", "统计", "数据", "工作", "报告", "情况", "总结", "以来", "起", "开始", "至今",
    "期间", "同比", "环比", "累计", "平均", "度", "份的", "会议", "会商", "例会", "调度", "考核",
    "评估", "检查", "分析", "形势", "指标", "任务", "计划", "目标", "世界", "宣传", "纪念",
    "前后",
)
#: … and the words right before it (发布第三季度, 总结上半年, 比上半年, 已于6月).
PERIOD_VERB_BEFORE: tuple[str, ...] = (
    "发布", "公布", "通报", "总结", "统计", "分析", "监测", "对比", "同比", "比", "较", "截至",
    "截止", "自", "从", "已", "已于", "曾", "曾于", "去年", "上年", "前", "过去", "近", "回顾",
    "召开", "举办", "围绕", "结合", "利用", "借助", "依托", "庆祝", "纪念",
)
#: Words after a deadline that make it a past event (2024年3月印发了, 6月底前已完成 is fine).
PAST_AFTER: tuple[str, ...] = ("以来", "至今", "起", "开始")

#: A due column's text for work with no date: kept as the task's due_text, no deadline row,
#: no warning (持续推进, 长期坚持, 常态化开展). In a clause these words are verbs, not times.
OPEN_ENDED: tuple[str, ...] = (
    "持续推进", "持续开展", "持续", "长期", "常态化", "长效", "久久为功", "逐年推进", "每年持续",
)

#: The period a recurring deadline repeats in (每季度末, 每月底前, 每半年, 每年6月底前).
RECURRENCE: dict[str, str] = {
    "月": "monthly", "季度": "quarterly", "季": "quarterly", "半年": "half-yearly",
    "年度": "yearly", "年": "yearly",
}

#: Holidays a list may time work by; not datable from the text (their dates move).
HOLIDAYS = r"(?:春节|国庆节?|元旦|中秋节?|五一|清明节?|端午节?|全国两会|两会)"

#: Time-looking words the deadline forms may leave unmatched: each occurrence not inside a
#: deadline form is a ``deadline_not_understood`` warning (6月前 — before or by June? —,
#: 6月初, 三季度初, 年初, 春节前, 15日前 without its month, 本月底前).
SUSPECT_FORMS: tuple[str, ...] = (
    rf"(?:{MONTH})\s*月\s*份?\s*(?:初|中{NOT_MID}|上中旬|中下旬|{BEFORE})",
    r"[一二三四1-4]\s*季度\s*[初中]",
    r"季度\s*[初中]",
    rf"(?<![0-9])(?:{YEAR4})\s*年\s*(?:初|中{NOT_MID}|{BEFORE})",
    r"年\s*初",
    r"(?:本|当|该|次|下)\s*月\s*(?:[底末初]|中{NOT_MID})",
    rf"(?<![月0-9])(?:{DAY})\s*[日号]\s*{BEFORE}",
    rf"{HOLIDAYS}\s*{BEFORE}",
    rf"[上中下]\s*旬\s*{BEFORE}?",
)
#: After a suspect, words that make it a reference, not a deadline (年初以来, 年初至今).
SUSPECT_REFERENCE_AFTER: tuple[str, ...] = ("以来", "至今", "起", "开始", "的")
