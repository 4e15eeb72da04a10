"""The fuzz harness: damaged copies of the good fixtures, and what the pipeline makes of them.

A *base* is a good input built from a committed file (the 2024 dump, an HTML fixture, a PDF
fixture cut to its first page or two). A *mutant* is a base with a few random edits — bytes
flipped, deleted, inserted or duplicated, tags and lines deleted or duplicated, streams cut,
PDF objects deleted — drawn from ``random.Random(f"{fmt}-{seed}")``, so the same seed gives
the same mutant on every machine. Each mutant runs in-process through the library
(``extract_file``, then the output tables and JSON), and its outcome must be one of:

- ``error``: a PipelineError (not InternalError), one line, naming the file;
- ``same``: a document with as many tasks as the base's;
- ``flagged``: a document with another task count that says so (a warning or note the base
  does not have).

Anything else — another exception, an InternalError, a changed task count without a word, a
case still running after ``HANG_SECONDS`` — is a failure. Failing mutants are kept under
tests/fixtures/fuzz/ (``FUZZ_SAVE=1``), as the file itself when small, else as the list of edits
that rebuild it from its base; tests/test_fuzz.py replays every one.
"""
from __future__ import annotations

import json
import math
import random
import re
import signal
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache, lru_cache
from hashlib import sha256
from pathlib import Path

from pipeline import nlp, write
from pipeline.build import extract_file
from pipeline.errors import InternalError, PipelineError
from pipeline.models import Document

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
REGRESSIONS = FIXTURES / "fuzz"
#: A mutant kept as a file up to this size; a larger one as its edits.
MAX_KEPT_BYTES = 48 * 1024
#: The issue's bound for any input (30 s); a case running longer is reported as a hang.
HANG_SECONDS = 30

GOOD = ("error", "same", "flagged")


# ---- bases ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Base:
    name: str          # unique; also the mutant's file name, so doc_id and year stay the base's
    fmt: str           # text, html, pdf
    data: bytes
    utf8: bool         # edits keep to character boundaries (so they get past decoding)
    regions: tuple[tuple[int, int], ...] = ()  # byte ranges worth aiming at (PDF content)


def _pdf_object(data: bytes, num: int) -> re.Match[bytes]:
    """Object ``num``'s definition (a stream object up to its ``endstream endobj``)."""
    m = re.search(rb"(?<![0-9])%d 0 obj\b(.*?)(?:endstream\s*)?endobj\s*" % num, data, re.DOTALL)
    if m is None:
        raise ValueError(f"object {num} not found")
    if b"stream" in m[1] and b"endstream" not in m[1]:  # a stream: up to its own end
        end = re.compile(rb"endstream\s*endobj\s*").search(data, m.start())
        assert end is not None
        m = re.compile(rb"(?s)(?<![0-9])%d 0 obj\b(.*)" % num).match(data, m.start(), end.end())
        assert m is not None
    return m


def _refs(body: bytes) -> list[int]:
    return [int(n) for n in re.findall(rb"(\d+)\s+0\s+R", body)]


def first_pages(data: bytes, keep: int) -> tuple[bytes, tuple[tuple[int, int], ...]]:
    """The PDF cut to its first ``keep`` pages, their content streams uncompressed.

    The page-tree nodes on the way to the kept pages get their /Kids and /Count cut down, each
    kept page's content stream is replaced by an uncompressed copy (so byte edits hit text
    operators, not deflate noise), the other pages and their content are deleted, and the
    xref table is rebuilt. Plain byte work on the committed file (no library writes
    it), so the base is the same on every machine and with every library version. Returns the
    bytes and the ranges of the kept pages' content.
    """
    xref_at = data.rindex(b"\nxref") + 1
    trailer = data[data.rindex(b"trailer"):]
    dict_end = trailer.rindex(b"startxref")
    root = int(re.search(rb"/Root\s+(\d+)\s+0\s+R", trailer)[1])  # type: ignore[index]
    pages_root = int(re.search(rb"/Pages\s+(\d+)\s+0\s+R", _pdf_object(data, root)[1])[1])  # type: ignore[index]

    new: dict[int, bytes] = {}
    kept: list[int] = []
    dropped: list[int] = []

    def walk(num: int) -> int:
        """Keep leaves under ``num`` until ``keep`` are kept; rewrite the node; pages kept under it."""
        body = _pdf_object(data, num)[1]
        if not re.search(rb"/Type\s*/Pages", body):
            if len(kept) < keep:
                kept.append(num)
                return 1
            dropped.append(num)
            return 0
        kids_at = re.search(rb"/Kids\s*\[([^\]]*)\]", body)
        assert kids_at is not None
        kids, count = [], 0
        for kid in _refs(kids_at[1]):
            n = walk(kid)
            if n:
                kids.append(kid)
                count += n
        if count:
            body = (body[:kids_at.start(1)] + b" ".join(b"%d 0 R" % k for k in kids)
                    + body[kids_at.end(1):])
            body = re.sub(rb"/Count\s+\d+", b"/Count %d" % count, body, count=1)
            new[num] = b"%d 0 obj%sendobj\n" % (num, body)
        return count

    walk(pages_root)
    content: set[int] = set()
    for page in kept:
        contents = re.search(rb"/Contents\s+(\d+)\s+0\s+R", _pdf_object(data, page)[1])
        if contents is None:
            continue
        num = int(contents[1])
        head, _, rest = _pdf_object(data, num)[1].partition(b"stream")
        if b"/FlateDecode" not in head:
            continue
        stream = zlib.decompressobj().decompress(rest.lstrip(b"\r\n"))
        new[num] = b"%d 0 obj\n<</Length %d>>\nstream\n%s\nendstream\nendobj\n" % (
            num, len(stream), stream)
        content.add(num)
    # The other pages go, with their content: pdfminer, finding the page tree damaged, falls
    # back to every /Type /Page object in the file, and would read them all.
    for page in dropped:
        contents = re.search(rb"/Contents\s+(\d+)\s+0\s+R", _pdf_object(data, page)[1])
        new[page] = b""
        if contents is not None:
            new[int(contents[1])] = b""

    body = data[:xref_at]
    for num, text in new.items():
        m = _pdf_object(body, num)
        body = body[:m.start()] + text + body[m.end():]
    offsets = _object_offsets(body)
    regions = []
    for num in sorted(content):
        start = body.index(b"stream\n", offsets[num]) + len(b"stream\n")
        regions.append((start, body.index(b"\nendstream", start)))
    return body + _xref(body, trailer[:dict_end]), tuple(regions)


def _object_offsets(body: bytes) -> dict[int, int]:
    offsets: dict[int, int] = {}
    for m in re.finditer(rb"(?:^|(?<=[\r\n]))(\d+) 0 obj\b", body):
        offsets.setdefault(int(m[1]), m.start())
    return offsets


def _xref(body: bytes, trailer_dict: bytes) -> bytes:
    """A classic xref table for the objects in ``body``, the trailer, startxref and %%EOF.

    One subsection per run of consecutive object numbers, so an edit that made an object
    number huge costs one line, not a table of that length.
    """
    offsets = _object_offsets(body)
    runs: list[list[int]] = []
    for num in sorted(offsets):
        if runs and num == runs[-1][-1] + 1:
            runs[-1].append(num)
        else:
            runs.append([num])
    xref = b"xref\n0 1\n0000000000 65535 f \n" + b"".join(
        b"%d %d\n" % (run[0], len(run)) + b"".join(b"%010d 00000 n \n" % offsets[n] for n in run)
        for run in runs if run[0] > 0)
    size = max(offsets, default=0) + 1
    trailer_dict = re.sub(rb"/Size\s+\d+", b"/Size %d" % size, trailer_dict, count=1)
    return xref + trailer_dict + b"startxref\n%d\n%%%%EOF\n" % len(body)


def fix_xref(data: bytes) -> Edit | None:
    """The xref table rewritten for the objects where they now are (None if it is gone).

    After an edit that moves bytes, every offset in the old table is wrong and the PDF fails
    its first check; rewriting the table models a damaged file saved again by a tool, whose
    damage then has to be found further in.
    """
    at, trailer = data.rfind(b"\nxref"), data.rfind(b"trailer")
    end = data.rfind(b"startxref")
    if at < 0 or not at < trailer < end:
        return None
    return Edit("fix_xref", at + 1, len(data), _xref(data[:at + 1], data[trailer:end]))


_STREAM_FRAME = re.compile(rb"(?s)/Length\s+(\d+)(?![\d.])(\s+0\s+R)?[^<>]*>>\s*stream\r?\n")


def fix_length(data: bytes) -> Edit | None:
    """The first stream whose /Length no longer matches its data, its /Length (or the object
    an indirect /Length names) rewritten; None if every one matches.

    Like ``fix_xref``, a damaged file saved again by a tool: a stream edited inside is then
    framed right, and its damage has to be found in the content itself (an edit that changes
    a stream's length is refused at its frame otherwise, before any content rule runs).
    """
    for m in _STREAM_FRAME.finditer(data):
        end = data.find(b"endstream", m.end())
        if end < 0:
            return None
        actual = len(data[m.end():end].rstrip(b"\r\n"))
        number = m
        if m[2]:
            number = re.search(rb"(?<![0-9])%s 0 obj\s*(\d+)\s*endobj" % m[1], data)  # type: ignore[assignment]
            if number is None:
                continue
        if actual != int(number[1]):
            return Edit("fix_length", number.start(1), number.end(1), b"%d" % actual)
    return None


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


#: PDF bases: (fixture, pages kept, or 0 for the whole file). LibreOffice renderings of several
#: page sizes, fonts and table styles, a Chromium one, and the small committed case as it is.
PDF_BASES = (
    ("cases/latin-wrap-and-unlabelled-paragraph.pdf", 0),
    ("a4-portrait-serif-10.5pt-repeat-header.pdf", 1),
    ("a4-landscape-sans-12pt-no-repeat.pdf", 1),
    ("a5-portrait-ming-9pt-centred-no-rules.pdf", 1),
    ("b5-portrait-sans-9pt-repeat-header.pdf", 2),
    ("letter-landscape-rotated-sans-10.5pt.pdf", 1),
    ("letter-portrait-serif-11pt-no-rules-no-repeat.pdf", 1),
    ("a4-portrait-kai-12pt-letterhead-exact-28pt.pdf", 1),
    ("chromium-wps-html-a4-zenhei.pdf", 1),
)


@cache
def bases(fmt: str) -> tuple[Base, ...]:
    """The good inputs of a format that mutants are made from."""
    if fmt == "text":
        data = (ROOT / "raw" / "cnipa-2024-task-list.txt").read_bytes()
        return (Base("cnipa-2024-task-list.txt", "text", data, True),)
    if fmt == "html":
        found = []
        for path in sorted((FIXTURES / "html").glob("*.html")):
            data = path.read_bytes()
            if baseline(Base(path.name, "html", data, _is_utf8(data))) is not None:
                found.append(Base(path.name, "html", data, _is_utf8(data)))
        return tuple(found)
    found = []
    for name, keep in PDF_BASES:
        data = (FIXTURES / "pdf" / name).read_bytes()
        regions: tuple[tuple[int, int], ...] = ()
        stem = Path(name).stem
        if keep:
            data, regions = first_pages(data, keep)
            stem = f"{stem}-p1" if keep == 1 else f"{stem}-p1-{keep}"
        found.append(Base(f"{stem}.pdf", "pdf", data, False, regions))
    return tuple(found)


def base_named(name: str) -> Base:
    for fmt in ("text", "html", "pdf"):
        for base in bases(fmt):
            if base.name == name:
                return base
    raise KeyError(name)


# ---- running one input ------------------------------------------------------------------------

@dataclass(frozen=True)
class Outcome:
    kind: str            # error, same, flagged (good); crash, silent, hang, bad_error (failures)
    detail: str
    tasks: int = 0
    said: frozenset[str] = field(default_factory=frozenset)  # warnings and notes


class _Hang(BaseException):
    """Raised by the watchdog; a BaseException so no ``except Exception`` swallows it."""


def _on_alarm(signum: int, frame: object) -> None:
    raise _Hang


def _said(doc: Document) -> frozenset[str]:
    return frozenset([*(f"{i.code}: {i.message}" for i in doc.issues), *doc.notes])


def _tables(doc: Document) -> None:
    """The writer's typed tables of a document, in memory (a value that overflows its column
    type fails here as it would in the writer); every float finite, as strict JSON needs.

    tasks.json itself is not rendered: ``document_json`` is pure reshaping (``asdict``) and
    would double each case's time.
    """
    import pyarrow as pa

    rows = write.table_rows([doc])
    for name, schema in write.schemas().items():
        pa.Table.from_pylist(rows[name], schema=schema)
    for row in rows["targets"]:
        for column in ("value", "value_max"):
            if row[column] is not None and not math.isfinite(row[column]):
                raise ValueError(f"task {row['task_no']}: {column} = {row[column]} is not finite")


def run_bytes(name: str, data: bytes, workdir: Path) -> Outcome:
    """Extract ``data`` saved as ``workdir/name``: the raw outcome (error, success or failure)."""
    path = workdir / name
    path.write_bytes(data)
    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.setitimer(signal.ITIMER_REAL, HANG_SECONDS)
    try:
        doc = extract_file(path)
        _tables(doc)
    except _Hang:
        return Outcome("hang", f"still running after {HANG_SECONDS} s")
    except InternalError as exc:
        return Outcome("crash", exc.line())
    except PipelineError as exc:
        line = exc.line()
        if "\n" in line or not line.startswith(f"{path}: ") or not exc.cause.strip():
            return Outcome("bad_error", repr(line))
        return Outcome("error", f"{type(exc).__name__}: {exc.cause}")
    except Exception as exc:  # any other exception is what the harness looks for
        return Outcome("crash", f"{type(exc).__name__}: {exc}")
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
    return Outcome("same", "", len(doc.tasks), _said(doc))


_workdirs: dict[str, Path] = {}


def _workdir() -> Path:
    import tempfile

    if "dir" not in _workdirs:
        _workdirs["dir"] = Path(tempfile.mkdtemp(prefix="cnipa-fuzz-"))
    return _workdirs["dir"]


@cache
def baseline(base: Base) -> Outcome | None:
    """The base's own outcome, or None if it is not a good input (no document, no task)."""
    got = run_bytes(base.name, base.data, _workdir())
    return got if got.kind == "same" and got.tasks else None


_PARAGRAPH_END = re.compile(rb"(</p>|\n)\s*$")


def judge(base: Base, data: bytes, workdir: Path) -> Outcome:
    """The mutant's outcome against its base's: a changed task count must come with a word."""
    got = run_bytes(base.name, data, workdir)
    if got.kind != "same":
        return got
    want = baseline(base)
    assert want is not None, f"{base.name} is not a good base"
    if got.tasks == want.tasks:
        return got
    new = sorted(got.said - want.said)
    if new:
        return Outcome("flagged", f"{want.tasks} → {got.tasks} tasks; {new[0]}", got.tasks, got.said)
    if base.fmt == "text" and base.data.startswith(data) and _PARAGRAPH_END.search(data):
        # A dump cut between two paragraphs or rows is a well-formed shorter dump: it has no
        # end marker to miss, so no reader can tell (cut inside one, it is refused).
        return Outcome("same", f"{want.tasks} → {got.tasks} tasks: cut between paragraphs",
                       got.tasks, got.said)
    return Outcome("silent", f"{want.tasks} → {got.tasks} tasks, no warning or note", got.tasks,
                   got.said)


# ---- mutations --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Edit:
    """``data[start:end]`` replaced by ``insert``: one step of a mutant's recipe."""
    op: str
    start: int
    end: int
    insert: bytes = b""

    def apply(self, data: bytes) -> bytes:
        return data[:self.start] + self.insert + data[self.end:]

    def to_json(self) -> list[object]:
        return [self.op, self.start, self.end, self.insert.hex()]

    @staticmethod
    def from_json(item: list[object]) -> Edit:
        op, start, end, insert = item
        return Edit(str(op), int(start), int(end), bytes.fromhex(str(insert)))  # type: ignore[call-overload]


TOKENS = [
    b"<", b">", b"</", b"<!--", b"-->", b"<td>", b"</td>", b"<tr>", b"</tr>", b"<table>",
    b"</table>", b"<p>", b"</p>", b"<br>", b"<b>", b"<script>", b"<style>", b"<![CDATA[", b"&",
    b"&nbsp;", b"&#", b"\t", b"\n", b"\r", b"\x00", b"\xff", b"\xef\xbb\xbf", b'"', b"'", b"=",
    "、".encode(), "．".encode(), "。".encode(), "：".encode(), "一、".encode(), "十、".encode(),
    b"1.", b"99.", "国家知识产权局：".encode(), "局内：".encode(), "必做".encode(),
    "重点任务".encode(), "增长10%以上".encode(), "年底前".encode(),
]
PDF_TOKENS = [
    b"endstream", b"endobj", b"stream\n", b" obj", b"BT", b"ET", b"Tj", b"TJ", b"Tf", b"Td",
    b"Tm", b"cm", b"q", b"Q", b"re", b"f", b"S", b"(", b")", b"[", b"]", b"<<", b">>", b"<", b">",
    b"/Font", b"/F1", b" 0 0 R", b"%%EOF", b"xref", b"trailer", b"\n", b" ", b"\x00",
    b"99999999", b"-1", b"1e308", b"0.0",
]


#: A line and its end: the matches of ``[^\n]*\n``, tried at line starts only. Unanchored, a
#: search tries every byte after the last newline and runs to the end from each, quadratic
#: in that tail (an HTML base ending in a long unbroken line: 40 ms a pick).
_LINE = rb"(?m)^[^\n]*\n"


class _Mutator:
    """Draws one edit at a time for a base's current bytes."""

    def __init__(self, base: Base, rng: random.Random) -> None:
        self.base, self.rng = base, rng

    def pos(self, data: bytes, lo: int = 0, hi: int | None = None) -> int:
        """A position in ``data[lo:hi]``, on a character boundary for UTF-8 bases."""
        hi = len(data) if hi is None else hi
        at = self.rng.randint(lo, max(lo, hi))
        if self.base.utf8:
            while 0 < at < len(data) and 0x80 <= data[at] < 0xC0:
                at -= 1
        return at

    def span(self, data: bytes, longest: int) -> tuple[int, int]:
        start = self.pos(data)
        return start, self.pos(data, start, min(len(data), start + self.rng.randint(1, longest)))

    def target(self, data: bytes) -> tuple[int, int]:
        """Where a byte edit goes: for a PDF, half the time into a page's content."""
        if self.base.regions and self.rng.random() < 0.5:
            lo, hi = self.rng.choice(self.base.regions)
            if hi <= len(data):
                return lo, hi
        return 0, len(data)

    # ---- byte edits (every format) ----
    def flip(self, data: bytes) -> Edit:
        lo, hi = self.target(data)
        at = self.rng.randrange(lo, max(lo + 1, hi))
        at = min(at, len(data) - 1)
        return Edit("flip", at, at + 1, bytes([data[at] ^ (1 << self.rng.randrange(8))]))

    def byte(self, data: bytes) -> Edit:
        lo, hi = self.target(data)
        at = min(self.rng.randrange(lo, max(lo + 1, hi)), len(data) - 1)
        return Edit("byte", at, at + 1, bytes([self.rng.randrange(256)]))

    def delete(self, data: bytes) -> Edit:
        lo, hi = self.target(data)
        start = self.pos(data, lo, hi)
        longest = 1024 if self.rng.random() < 0.2 else 24
        return Edit("delete", start, self.pos(data, start, min(len(data), start + self.rng.randint(1, longest))))

    def insert(self, data: bytes) -> Edit:
        lo, hi = self.target(data)
        at = self.pos(data, lo, hi)
        pool = PDF_TOKENS if self.base.fmt == "pdf" else TOKENS
        if self.rng.random() < 0.3:
            what = bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 8)))
        else:
            what = self.rng.choice(pool) * (1 if self.rng.random() < 0.9 else self.rng.randint(2, 50))
        return Edit("insert", at, at, what)

    def duplicate(self, data: bytes) -> Edit:
        start, end = self.span(data, 400)
        at = self.pos(data)
        return Edit("duplicate", at, at, data[start:end])

    def truncate(self, data: bytes) -> Edit:
        return Edit("truncate", self.pos(data, len(data) // 4), len(data))

    # ---- markup and lines (text, html) ----
    def _pick(self, pattern: bytes, data: bytes) -> re.Match[bytes] | None:
        found = list(re.finditer(pattern, data))
        return self.rng.choice(found) if found else None

    def delete_tag(self, data: bytes) -> Edit | None:
        m = self._pick(rb"<[^<>]{0,300}>", data)
        return Edit("delete_tag", m.start(), m.end()) if m else None

    def duplicate_tag(self, data: bytes) -> Edit | None:
        m = self._pick(rb"<[^<>]{0,300}>", data)
        if m is None:
            return None
        at = m.end() if self.rng.random() < 0.5 else self.pos(data)
        return Edit("duplicate_tag", at, at, m[0])

    def delete_element(self, data: bytes) -> Edit | None:
        """A whole cell, row or paragraph gone."""
        m = self._pick(rb"(?is)<(td|tr|p|span|div)\b[^>]*>.*?</\1\s*>", data)
        return Edit("delete_element", m.start(), m.end()) if m else None

    def delete_line(self, data: bytes) -> Edit | None:
        m = self._pick(_LINE, data)
        return Edit("delete_line", m.start(), m.end()) if m else None

    def duplicate_line(self, data: bytes) -> Edit | None:
        m = self._pick(_LINE, data)
        if m is None:
            return None
        at = m.end() if self.rng.random() < 0.5 else self.rng.choice([x.end() for x in re.finditer(rb"\n", data)])
        return Edit("duplicate_line", at, at, m[0])

    # ---- PDF structure ----
    def _stream(self, data: bytes) -> re.Match[bytes] | None:
        return self._pick(rb"(?s)stream\r?\n(.*?)endstream", data)

    def cut_stream(self, data: bytes) -> Edit | None:
        """A stream's data cut short (its /Length now lies), the rest of the file intact."""
        m = self._stream(data)
        if m is None or m.end(1) <= m.start(1):
            return None
        return Edit("cut_stream", self.rng.randint(m.start(1), m.end(1) - 1), m.end(1))

    def flip_stream(self, data: bytes) -> Edit | None:
        m = self._stream(data)
        if m is None or m.end(1) <= m.start(1):
            return None
        at = self.rng.randrange(m.start(1), m.end(1))
        return Edit("flip_stream", at, at + 1, bytes([data[at] ^ (1 << self.rng.randrange(8))]))

    def delete_object(self, data: bytes) -> Edit | None:
        m = self._pick(rb"(?s)(?<![0-9])\d+ 0 obj\b.*?endobj\s*", data)
        return Edit("delete_object", m.start(), m.end()) if m else None

    def duplicate_object(self, data: bytes) -> Edit | None:
        m = self._pick(rb"(?s)(?<![0-9])\d+ 0 obj\b.*?endobj\s*", data)
        if m is None:
            return None
        at = self._pick(rb"(?<![0-9])\d+ 0 obj\b", data)
        return Edit("duplicate_object", at.start() if at else m.end(), at.start() if at else m.end(), m[0])

    def number(self, data: bytes) -> Edit | None:
        """A number in the file (an xref offset, a /Length, a coordinate, a font size) changed."""
        m = self._pick(rb"(?<![0-9A-Za-z])\d{1,10}(?![0-9])", data)
        if m is None:
            return None
        value = self.rng.choice([0, 1, -1, int(m[0]) + 1, int(m[0]) * 10, 2**31, 10**12])
        return Edit("number", m.start(), m.end(), str(value).encode())


_BYTE_OPS = ("flip", "byte", "delete", "insert", "duplicate", "truncate")
OPS: dict[str, tuple[str, ...]] = {
    "text": (*_BYTE_OPS, "delete_tag", "duplicate_tag", "delete_line", "duplicate_line",
             "delete_line", "insert", "delete"),
    "html": (*_BYTE_OPS, "delete_tag", "duplicate_tag", "delete_element", "delete_tag",
             "insert", "delete", "delete_line"),
    "pdf": (*_BYTE_OPS, "cut_stream", "flip_stream", "delete_object", "duplicate_object",
            "number", "insert", "delete", "flip"),
}


def mutant(fmt: str, seed: int) -> tuple[Base, tuple[Edit, ...], bytes]:
    """The mutant of seed ``seed``: its base, its edits in order, and its bytes."""
    rng = random.Random(f"{fmt}-{seed}")
    choices = bases(fmt)
    base = choices[seed % len(choices)]
    mutator = _Mutator(base, rng)
    data, edits = base.data, []
    for _ in range(1 if rng.random() < 0.7 else rng.randint(2, 3)):
        op: Callable[[bytes], Edit | None] = getattr(mutator, rng.choice(OPS[fmt]))
        edit = op(data) if data else None
        if edit is not None:
            edits.append(edit)
            data = edit.apply(data)
    # Its own random stream, so the edits and fix_xref of every seed stay as they were.
    if fmt == "pdf" and random.Random(f"{fmt}-{seed}-length").random() < 0.6:
        edit = fix_length(data)
        if edit is not None:
            edits.append(edit)
            data = edit.apply(data)
    if fmt == "pdf" and len(data) != len(base.data) and rng.random() < 0.6:
        edit = fix_xref(data)
        if edit is not None:
            edits.append(edit)
            data = edit.apply(data)
    return base, tuple(edits), data


# ---- regressions ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Regression:
    path: Path
    base: Base
    data: bytes


def save(fmt: str, seed: int, base: Base, edits: tuple[Edit, ...], data: bytes,
         outcome: Outcome, into: Path = REGRESSIONS) -> Path:
    """Keep a failing mutant under tests/fixtures/fuzz/FMT/: the file, or its recipe if large."""
    folder = into / fmt
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{base.name}--seed{seed}"
    if len(data) <= MAX_KEPT_BYTES:
        path = folder / stem
        path.write_bytes(data)
    else:
        path = folder / f"{stem}.json"
        path.write_text(json.dumps({
            "base": base.name, "seed": seed, "edits": [e.to_json() for e in edits],
            "sha256": sha256(data).hexdigest(), "found": f"{outcome.kind}: {outcome.detail}"[:500],
        }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def regressions(folder: Path = REGRESSIONS) -> Iterator[Regression]:
    """Every kept mutant: ``BASE--seedN`` files as they are, ``BASE--seedN.json`` rebuilt."""
    for path in sorted(folder.glob("*/*--seed*")):
        base = base_named(path.name.split("--seed")[0])
        if path.suffix == ".json" and not base.name.endswith(".json"):
            recipe = json.loads(path.read_text(encoding="utf-8"))
            data = base.data
            for item in recipe["edits"]:
                data = Edit.from_json(item).apply(data)
            if sha256(data).hexdigest() != recipe["sha256"]:
                raise AssertionError(f"{path}: the edits no longer rebuild the kept mutant (its base "
                                     "changed); keep the mutant as a file instead")
            yield Regression(path, base, data)
        else:
            yield Regression(path, base, path.read_bytes())


@contextmanager
def fast_keywords() -> Iterator[None]:
    """Memoise the keyword stage's pure steps across cases (most tasks of a mutant are the base's).

    Same results, one IDF scan instead of one per case: ``nlp._idf`` reads jieba's 270k-line
    table for every document (~0.1 s), which would be most of the harness's time.
    """
    path = Path(nlp._jieba().__file__).parent / "analyse" / "idf.txt"
    idf: dict[str, float] = {}
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            word, _, freq = line.strip().partition(" ")
            idf[word] = float(freq)
    values = sorted(idf.values())
    median = values[len(values) // 2]
    real_idf, real_counts = nlp._idf, nlp._candidate_counts

    def memo_idf(vocabulary: frozenset[str]) -> tuple[dict[str, float], float]:
        return {w: idf[w] for w in vocabulary if w in idf}, median

    probe = frozenset(["知识产权", "存量专利", "不存在的词"])
    assert real_idf(probe) == memo_idf(probe)
    nlp._idf = memo_idf
    nlp._candidate_counts = lru_cache(maxsize=20000)(real_counts)
    try:
        yield
    finally:
        nlp._idf, nlp._candidate_counts = real_idf, real_counts
