"""What each output column is called in Chinese and what it means, for the xlsx 说明 sheet.

The meanings are the README data dictionary's, word for word (tests/test_readme.py keeps the two
equal), so a spreadsheet user reads the same contract as a Parquet user. A column added to a
schema needs an entry here as well as a README row.
"""
from __future__ import annotations

_COUNTS = "rows of this document in each table (sections as in tasks.json)"
_TARGET_WHERE = ("the clause it stands in; `clause_no` null for a target stated in the task's "
                 "任务目标 column (`tasks.objective`), given once, on the first task a cell "
                 "spanning several stands beside")

#: table → column → (Chinese header, meaning as in the README, Markdown included).
COLUMNS: dict[str, dict[str, tuple[str, str]]] = {
    "documents": {
        "doc_id": ("文档", "the input file's stem (bytes of the name that are not UTF-8 as `\\xNN`)"),
        "title": ("标题", "the list's title as found above the table "
                          "(`2024年推动知识产权高质量发展任务清单`)"),
        "year": ("年份", "as in tasks"),
        "issuer": ("发文机关", "who issued it, where the input says: a letterhead (`国家知识产权局文件`), "
                               "a notice title (`国家知识产权局关于…`), a signature line, the 文号's prefix "
                               "(`国知…`), or the title; null when none does (a text dump's lead lines "
                               "name no issuer)"),
        "doc_number": ("文号", "the 文号 above the table (`国知发运字〔2024〕7号`), else null"),
        "format": ("格式", "`text`, `html`, `pdf`, `docx` or `doc` (a Word 97–2003 or WPS file, read through LibreOffice), from the bytes"),
        "layout": ("列布局", "the roles of the table's columns, in order: `重点任务/工作举措/任务分工`"),
        "sha256": ("SHA-256", "SHA-256 of the input's bytes"),
        "source": ("来源文件", "the input's file name (likewise)"),
        "pages": ("页数", "the last page the table reaches (a PDF's page number, so notice pages "
                          "before the annex count)"),
        "n_sections": ("部分数", _COUNTS),
        "n_tasks": ("任务数", _COUNTS),
        "n_clauses": ("举措条数", _COUNTS),
        "n_assignments": ("分工条数", _COUNTS),
        "n_deadlines": ("时限条数", _COUNTS),
        "n_targets": ("指标条数", _COUNTS),
        "n_warnings": ("警告数", "warnings of this input (report.json)"),
        "duplicate_of": ("重复于", "`doc_id` of another input of the run holding the same list in a "
                                  "more faithful form (see *Duplicates*), else null"),
    },
    "tasks": {
        "doc_id": ("文档", "the input file's stem (bytes of the name that are not UTF-8 as `\\xNN`)"),
        "year": ("年份", "year of the list, from its title (`2024 年…任务清单` → 2024); null if none"),
        "section_no": ("部分序号", "section number (`一、` → 1)"),
        "section_title": ("部分", "section title without its number"),
        "task_no": ("任务序号", "task number (`1.`, `1．`, `1、`)"),
        "task_title": ("重点任务", "task title without its number"),
        "measures": ("工作举措", "the whole 工作举措 cell, paragraphs joined by `\\n`"),
        "division": ("任务分工", "the whole 任务分工 cell, entries joined by `\\n`"),
        "actors": ("举措主体", "actor labels of the task's clauses, in order, each once"),
        "departments": ("局内单位", "CNIPA units of the `局内：` entries, in order"),
        "keywords": ("关键词", "up to 8 keywords of title and clauses "
                              "(jieba TF-IDF, nouns only, domain dictionary)"),
        "page_start": ("起始页", "first page of the task's rows"),
        "page_end": ("结束页", "last page of the task's rows"),
        "source": ("来源文件", "the input's file name (likewise)"),
        "n_clauses": ("举措条数", "rows of this task in clauses.parquet"),
        "n_deadlines": ("时限条数", "rows of this task in deadlines.parquet"),
        "n_targets": ("指标条数", "rows of this task in targets.parquet"),
        "task_key": ("任务标识", "the task's identity across renderings and years: 12 hex digits, "
                                "see *Task identity*"),
        "serial": ("序号列", 'the 序号 cell as written (`1`, `12`), where the table has a serial column; else null'),
        "group_no": ("组序号", "number of the `（一）` group the task stands in (2017's 工作任务 column; a group column), else null"),
        "group_title": ("任务组", "that group's title without its number (`完善专利法律制度`), else null; a group cell spanning several rows is every one of its tasks'"),
        "objective": ("任务目标", "the 任务目标 cell (spanning a group's rows: each of its tasks'), else null"),
        "due_text": ("完成时限", "the due column's text as written (`2025年9月`, `年内有阶段性成果`, `持续推进`), else null"),
        "due": ("完成日期", 'the last day `due_text` allows (its deadlines rows, `clause_no` null); null where it names none (`持续推进`) or the table has no due column'),
        "lead_units": ("牵头单位", 'units of the 牵头单位 column, split on `、` and `，` (also the assignments rows of level `牵头`); else empty'),
        "support_units": ("配合单位", 'units of the 配合单位 column (level `配合`), likewise; else empty'),
        "outcome": ("成果形式", 'the 成果形式 cell, else null'),
        "layout": ("列角色", "the roles of the table's columns, in order (`task/measures/division`, `serial/task/measures/lead_units/support_units/due`, `group/objective/measures/division/due`); `extra` for a column not in the vocabulary"),
        "extra": ("其他列", 'text of the columns whose header is not in the vocabulary, by header (`{备注: 新增任务}`); empty cells left out'),
    },
    "clauses": {
        "doc_id": ("文档", "see tasks"),
        "task_no": ("任务序号", "see tasks"),
        "clause_no": ("举措序号", "1-based position within the task"),
        "actor": ("主体", "the label, verbatim (`各地区`, `有关城市` …); null for text before any label"),
        "text": ("举措内容", "the clause after its label and colon; "
                             "unlabelled follow-on paragraphs joined by `\\n`"),
        "page_start": ("起始页", "page where the clause starts"),
        "page_end": ("结束页", "page where it ends (later when cut by a page break)"),
        "actor_known": ("标准主体", "the label is one of the five of the published lists "
                                   "(国家知识产权局, 各地区, 有关省份, 有关地市, 有关地方)"),
        "actor_inferred": ("主体推断", 'the paragraph has no label and its actor was inferred: `各地应…` → `各地区` (see *Tables without actor labels* under Layouts); else false'),
    },
    "assignments": {
        "doc_id": ("文档", "see tasks"),
        "task_no": ("任务序号", "see tasks"),
        "entry_no": ("分工序号", (
            "1-based position within the task's 任务分工 (the same on each row "
            'of an entry split into parts)'
        )),
        "level": ("层级", "the entry's label: `局内`, `省份`, `地市`, `涉及地方` "
                          "or another label of that shape; `牵头` / `配合` for the units of a "
                          "牵头单位 / 配合单位 column, `责任` for a 任务分工 column of unit lists "
                          "without labels (责任单位)"),
        "scope": ("范围", (
            "the entry's text without label and obligation (`各省`, "
            '`强市建设示范城市`); of its part, for an entry split into parts'
        )),
        "units": ("单位", "`局内`, `牵头`, `配合`, `责任`: the units, split on `、` and `，`; else empty"),
        "obligation": ("必做/选做", "`必做`, `选做`, or null (局内, or none stated: a warning)"),
        "clause_no": ("举措序号", "the clause the entry concerns, null where that cannot be decided "
                                 "(always null for 局内, 牵头, 配合, 责任)"),
        "units_full": ("单位全称", "`局内`, `牵头`, `配合`, `责任`: the same units by their full names — a sub-unit "
                                  "written short after its parent gets the parent "
                                  "(`专利局审业部、自动化部` → `专利局审业部`, `专利局自动化部`), "
                                  "one per element of `units`; else empty"),
        "applies_to": ("适用范围", (
            'who the entry reaches: `all` (a scope for every locality: `各省`, '
            '`各地`, `各省份`, `全国`, `所有…`), `rest` (every locality of the '
            "level that the entry's other parts or the task's other entries do "
            'not name: `其他省份`, `其余地市`; no groups), `group` (one or '
            'more groups of localities), `named` (only place names: `北京、'
            '上海`); null for 局内 or an empty scope'
        )),
        "groups": ("地方群组", (
            'the groups (or, for `named`, the places) of the scope, in order, '
            'each once: a combined scope is split (`建立强省共建机制的省份、'
            '强市建设城市` → `强省共建省份`, `强市建设城市`; `第一批、'
            '第二批示范区` → `第一批示范区`, `第二批示范区`), aliases the '
            'document defines (`国家知识产权强市（以下简称强市）建设城市` → '
            '`强市建设城市`) are written short, and `建立…机制的省份` becomes '
            '`…省份`; empty for `all`, `rest` and 局内'
        )),
        "part_no": ("分项序号", (
            '1 for an entry of one scope; an entry holding several scopes each '
            'with its own obligation (`省份：强省试点省、一类省份必做，'
            '其他省份选做`) is one row per part, numbered 1, 2 … in order, all '
            "with the entry's `entry_no` (`强省试点省、一类省份` 必做 `group`; "
            '`其他省份` 选做 `rest`). It is cut after each 必做/选做 a '
            'separator follows, only when every part ends in one'
        )),
        "entry_text": ("分工原文", (
            'the whole entry as written, label included (`省份：强省试点省、'
            '一类省份必做，其他省份选做`), the same on each of its rows'
        )),
    },
    "deadlines": {
        "doc_id": ("文档", "the clause it stands in"),
        "task_no": ("任务序号", "the clause it stands in"),
        "clause_no": ("举措序号", "the clause it stands in; null for a deadline read from a due column "
                                 "(`完成时限`, `时间节点`: the task's `due_text`), whose `action` and "
                                 "offsets are within that text"),
        "actor": ("主体", "that clause's actor"),
        "expression": ("时限表述", (
            'as in the clause text (whitespace normalised): `3月底前`, '
            '`在6月底前`, `6月30日前`, `年底前`, `第一季度末前`, '
            '`2025年3月底前`, `明年3月底前`, `每季度末` …; in a clause a bare '
            'point or period (`年中`, `第三季度`, `上半年`, `全年`, '
            '`2025年9月`, `6月上旬`, `到2025年`) only where it is a time to '
            'act by, not one talked about (`发布第三季度统计数据`, '
            "`召开上半年工作会`, `2023年9月印发的…`, a year before the list's);"
            ' `截至2023年底` (a reference date), `三年内` (a span) and a year '
            'alone (`2024年推进工作计划`) are none. Open-ended work '
            "(`持续推进`, `长期`) is no deadline: a due column's `持续推进` "
            "stays the task's `due_text` with no row and no warning. A "
            'time-looking word no form takes (`6月前`, `三季度初`, `春节前`) '
            'is a `deadline_not_understood` warning'
        )),
        "due": ("截止日期", (
            "the last day it allows; the document's year unless the expression "
            'has its own, or the next one for 明年/次年 (`上半年`, `年中` → '
            '06-30, `第三季度` → 09-30, `2025年9月` → 2025-09-30, `6月上旬` → '
            '06-10, `中旬` → 20th, `下旬` → month end; `年内`, `全年` (the '
            "year's work, due by its end), `到2025年` → 12-31); a range "
            '(`3月至6月`, `2025年至2027年`) is one deadline, due at its end; '
            'null for a recurring deadline'
        )),
        "action": ("工作内容", "the clause text from the expression to the end of its sentence "
                              "(or to the next deadline)"),
        "char_start": ("起始字符", "offset of the expression in the clause's `text`"),
        "char_end": ("结束字符", "end offset (exclusive): `text[char_start:char_end] == expression`"),
        "recurrence": ("重复周期", (
            'a deadline that repeats: `monthly` (`每月底前`, `每月5日前`), '
            '`quarterly` (`每季度末`, `按季度`), `half-yearly` (`每半年`), '
            '`yearly` (`每年6月底前`); `due` is then null (no one date is '
            'invented). In a clause only a repeating point is one (`每季度末`; '
            '`每年支持…` is a frequency, none); in a due column `每季度`, '
            '`每年` are too. Null for a one-off deadline'
        )),
    },
    "targets": {
        "doc_id": ("文档", _TARGET_WHERE),
        "task_no": ("任务序号", _TARGET_WHERE),
        "clause_no": ("举措序号", _TARGET_WHERE),
        "actor": ("主体", "that clause's actor; null for a target of the 任务目标 column"),
        "expression": ("指标表述", (
            'as in the text: `10%以上`, `不低于13%`, `5个`, `1至2所`, '
            '`1.5万件`, `100 起以上`'
        )),
        "metric": ("指标", (
            'what it measures (`知识产权质押融资规模`); one row per metric '
            'joined by 和/与/及 where both sides are complete metrics, ending '
            'in a metric word such as 规模, 数量, 率, 占比, 金额, 周期 '
            '(`质押融资规模和惠及中小企业数量` → two rows; '
            '`高校和科研机构专利转化率` → one)'
        )),
        "value": ("数值", (
            'the number; 万 and 亿 multiply it (`1.5万件` → 15000, `1000亿元` '
            '→ 100000000000)'
        )),
        "value_max": ("上限值", "upper end of a range (`1 至 2 所` → 2), else null"),
        "unit": ("单位", (
            '`%`, a measure word (`个`, `所`, `家`, `件`, `起`, `人次` …), an '
            'amount (`元`; a 万/亿 before it is in `value`) or a measured unit '
            '(`个月`, `个百分点`, `个工作日`)'
        )),
        "comparator": ("比较", "`>=` (以上, 不低于, 不少于), `<=` (以下, 以内, 不超过), "
                               "`>` (超过, 高于, 突破, 10余个, 100多家), `<` (低于), "
                               "`=` (none, or 左右), `between` (a range)"),
        "due": ("截止日期", "due date of a deadline in the same sentence, else null"),
        "char_start": ("起始字符", "offsets of the expression in the clause's `text` (in `tasks.objective` "
                                  "where `clause_no` is null)"),
        "char_end": ("结束字符", "offsets of the expression in the clause's `text` (in `tasks.objective` "
                                "where `clause_no` is null)"),
        "kind": ("指标类型", (
            '`growth`: a change from where the metric stands — after a change '
            'verb without 到/至/为 (`增长10%`, `增长15%左右`, `下降5%`, '
            '`缩短2个月`), in 百分点 (`提高5个百分点`), or of a metric that is '
            'a rate of change (`增幅达到10%`); `level`: the value a share, '
            'rate, period or amount is to reach or keep (`提高到75%`, '
            '`转化率达到50%以上`, `占比不低于13%`, `压减至16个月以内`, '
            '`突破1000亿元`), also a figure per head in a measure word '
            '(`每万人口高价值发明专利拥有量达到12件`, `人均`); `count`: a number of things in a measure word '
            '(`不少于100家`, `达到1.5万件`, `100 起以上`, `新建5个`; '
            '`增加200件` is growth)'
        )),
    },
}

#: table → the Chinese name of its sheet (xlsx) and what one row is.
TABLE_NAMES: dict[str, tuple[str, str]] = {
    "documents": ("清单文件", "one row per input document"),
    "tasks": ("重点任务", "one row per task"),
    "clauses": ("工作举措", "one row per actor clause of a task's 工作举措"),
    "assignments": ("任务分工", "one row per entry of a task's 任务分工"),
    "deadlines": ("时间节点", "one row per deadline expression in a clause"),
    "targets": ("量化指标", "one row per quantitative target in a clause, one per metric"),
}


def header(table: str, column: str) -> str:
    """The Chinese header of a column; its English name for a column not yet listed here."""
    return COLUMNS.get(table, {}).get(column, (column, ""))[0]


def meaning(table: str, column: str) -> str:
    """What a column means, as plain text: "see tasks" resolved, Markdown's ` and * dropped."""
    text = COLUMNS.get(table, {}).get(column, ("", ""))[1]
    if text in ("see tasks", "as in tasks"):
        text = COLUMNS["tasks"].get(column, ("", ""))[1]
    return text.replace("`", "").replace("*", "")
