"""Property: whatever rows a text dump holds, the pipeline raises only its own errors.

Rows start from the real 2024 dump and are mutated (tabs deleted or inserted, lines cut,
blank lines, random Unicode, control characters, markup fragments), then go through the
reader and every later stage. One property keeps every row at three cells so that most
examples get past the reader into stitch, segment and facts. Each property then asserts how
far its examples got (documents built, tasks found, errors by class), so a reader that refused
every input fails it. Derandomised with a fixed budget, so CI is deterministic.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from pipeline.build import build_document
from pipeline.errors import PipelineError
from pipeline.read import LoadedInput
from pipeline.read.dump import read_dump
from tests.conftest import RAW_2024

LINES = RAW_2024.read_text(encoding="utf-8").split("\n")
HEADER_AT = next(i for i, line in enumerate(LINES) if line.startswith("重点任务\t"))
LEAD, ROWS = LINES[: HEADER_AT + 1], LINES[HEADER_AT + 1:]

FRAGMENTS = ["<p>", "</p>", "<b>", "</b>", "<br/>", "<p class='x'>", "&amp;", "&#x4e00;", "&bogus;",
             "\t", "\r", "\n", "\x00", "\x0b", "\x1c", "\u2028", "\ufeff", "\u200b", "：", ":",
             "国家知识产权局：", "有关城市：", "局内：", "省份：", "必做", "选做", "3月底前",
             "2024年", "增长10%以上", "一、", "九十九、", "十、", "1.", "999.", "０１．", "第一季度末前"]

# Fixed and derandomised: the same 200 examples per property on every run, no example database.
# (Hunting with more, e.g. max_examples=4000 and derandomize=False, found nothing either.)
_settings = settings(max_examples=200, derandomize=True, database=None, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@st.composite
def mutated_line(draw: st.DrawFn) -> str:
    line = draw(st.sampled_from(ROWS))
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["delete_tab", "insert", "cut", "fragment", "blank", "keep"]))
        pos = draw(st.integers(0, len(line)))
        if op == "delete_tab" and "\t" in line:
            at = draw(st.sampled_from([i for i, ch in enumerate(line) if ch == "\t"]))
            line = line[:at] + line[at + 1:]
        elif op == "insert":
            line = line[:pos] + draw(st.text(max_size=8)) + line[pos:]
        elif op == "cut":
            line = line[:pos]
        elif op == "fragment":
            line = line[:pos] + draw(st.sampled_from(FRAGMENTS)) + line[pos:]
        elif op == "blank":
            line = ""
    return line


_CELLS = [line.split("\t") for line in ROWS if line.count("\t") == 2]


def _no_row_breaks(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


@st.composite
def mutated_cell(draw: st.DrawFn, column: int) -> str:
    """A cell of the given column from some real row, edited but still free of tabs/newlines."""
    cell = draw(st.sampled_from(_CELLS))[column]
    for _ in range(draw(st.integers(0, 3))):
        op = draw(st.sampled_from(["insert", "fragment", "cut_head", "cut_tail", "empty"]))
        pos = draw(st.integers(0, len(cell)))
        if op == "insert":
            cell = cell[:pos] + draw(st.text(max_size=8)) + cell[pos:]
        elif op == "fragment":
            cell = cell[:pos] + draw(st.sampled_from(FRAGMENTS)) + cell[pos:]
        elif op == "cut_head":
            cell = cell[pos:]
        elif op == "cut_tail":
            cell = cell[:pos]
        else:
            cell = ""
    return _no_row_breaks(cell)


# A three-cell row (so it passes the reader and reaches stitch, segment and facts), or a blank
# line (a page break).
_three_cell_row = st.one_of(
    st.tuples(mutated_cell(0), mutated_cell(1), mutated_cell(2)).map("\t".join),
    st.just(""),
)


class Reach:
    """How far a property's examples got: documents built, tasks found, errors by class.

    Asserted after each property, so that a reader refusing every input (or a stage that
    drops every task) fails it: "only our errors escape" alone would hold for both.
    """

    def __init__(self) -> None:
        self.examples = self.documents = self.with_tasks = self.tasks = 0
        self.errors: Counter[str] = Counter()

    def run(self, data: bytes, name: str = "mutated-2024.txt") -> None:
        """Reader, stitch, segment and facts on a dump's bytes; only PipelineError may escape."""
        self.examples += 1
        try:
            table = read_dump(data, name)
            doc = build_document(LoadedInput(Path(name), data, "text", ()), table)
        except PipelineError as exc:
            self.errors[type(exc).__name__] += 1
            return
        self.documents += 1
        self.with_tasks += bool(doc.tasks)
        self.tasks += len(doc.tasks)

    def __repr__(self) -> str:
        return (f"{self.examples} examples: {self.documents} documents ({self.with_tasks} with "
                f"tasks, {self.tasks} tasks), errors {dict(self.errors)}")


def _text(text: str) -> bytes:
    return text.encode("utf-8", errors="surrogatepass")


def test_mutated_cells_raise_only_pipeline_errors() -> None:
    reach = Reach()

    @_settings
    @given(st.lists(_three_cell_row, min_size=0, max_size=30))
    def prop(rows: list[str]) -> None:
        reach.run(_text("\n".join([*LEAD, *rows])))

    prop()
    # Three-cell rows pass the reader: most examples become documents, most of those with tasks.
    assert reach.documents >= reach.examples * 0.35, reach
    assert reach.with_tasks >= reach.examples * 0.35 and reach.tasks >= reach.examples * 0.8, reach


def test_mutated_rows_raise_only_pipeline_errors() -> None:
    reach = Reach()

    @_settings
    @given(st.lists(mutated_line(), min_size=0, max_size=30))
    def prop(rows: list[str]) -> None:
        reach.run(_text("\n".join([*LEAD, *rows])))

    prop()
    # Rows with tabs deleted or lines cut are refused (MalformedRowError), the rest get through.
    assert reach.documents >= reach.examples * 0.1 and reach.tasks >= reach.examples * 0.2, reach
    assert reach.errors["MalformedRowError"] >= reach.examples * 0.2, reach


_cell_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=10)),
                      max_size=8).map("".join)
_task_no = st.sampled_from(["1.", "2．", "3、", "10.", "一、", "二、"])
# Mostly three cells (so rows reach stitch and segment), some opening with a task or section
# number (so that some examples are task lists), sometimes another count of cells.
_random_row = st.one_of(
    st.tuples(_cell_text, _cell_text, _cell_text).map(lambda c: "\t".join(map(_no_row_breaks, c))),
    st.tuples(_task_no, _cell_text, _cell_text, _cell_text).map(
        lambda c: c[0] + "\t".join(map(_no_row_breaks, c[1:]))),
    st.lists(_cell_text, min_size=1, max_size=5).map("\t".join),
)


def test_random_rows_raise_only_pipeline_errors() -> None:
    reach = Reach()

    @_settings
    @given(st.lists(_random_row, max_size=15))
    def prop(rows: list[str]) -> None:
        reach.run(_text("\n".join([*LEAD, *rows])))

    prop()
    assert reach.documents >= reach.examples * 0.08 and reach.with_tasks >= 10, reach
    assert reach.errors["MalformedRowError"] >= reach.examples * 0.2, reach


def test_random_bytes_raise_only_pipeline_errors() -> None:
    reach = Reach()

    @_settings
    @given(st.binary(max_size=2000))
    def prop(data: bytes) -> None:
        reach.run(data, "random.txt")

    prop()
    # Random bytes are never a task list; they must fail where they are wrong (the encoding,
    # the missing header), not all at one early check.
    assert reach.documents == 0, reach
    assert reach.errors["NoTaskTableError"] and reach.errors["EncodingError"], reach


def test_random_text_after_a_good_header_raise_only_pipeline_errors() -> None:
    """Any text after the real lead and header: the reader reads it as rows and must say so."""
    reach = Reach()
    lead = "\n".join(LEAD) + "\n"

    @_settings
    @given(st.lists(st.one_of(st.text(max_size=20), st.sampled_from(
        ["\t", "\n", "\t\t", "\n1.", "\n2.", "\n一、", "国家知识产权局：", "局内：", "各地区："])),
        max_size=40).map("".join))
    def prop(text: str) -> None:
        reach.run(_text(lead + text))

    prop()
    # Most such text is no row of three cells; it must be refused as rows, past the header.
    assert reach.documents >= 1, reach
    assert reach.errors["MalformedRowError"] + reach.errors["TruncatedInputError"] >= reach.examples * 0.4, reach
