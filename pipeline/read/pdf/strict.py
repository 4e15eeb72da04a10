"""The strict, bounded stand-ins for pdfminer's stream decoders and parsers, which
:mod:`pipeline.read.pdf.load` binds while a PDF is read (see its docstring for why): every
stream inflates completely and within the budget, a stream ends where its /Length says,
content-stream syntax closes what it opens. What they find is raised as a ``_Damage``, which
load.py's call sites turn into a PdfDamagedError naming the page.
"""
from __future__ import annotations

import io
import re
import zlib
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pdfminer.pdffont as pdffont
import pdfminer.pdfinterp as pdfinterp
import pdfminer.pdftypes as pdftypes
import pdfplumber
import pdfplumber.pdf
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfinterp import PDFContentParser
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, PDFStream
from pdfminer.psparser import (
    KEYWORD_ARRAY_BEGIN,
    KEYWORD_ARRAY_END,
    KEYWORD_DICT_BEGIN,
    KEYWORD_DICT_END,
    KEYWORD_PROC_BEGIN,
    KEYWORD_PROC_END,
    KWD,
    LIT,
    PSEOF,
    PSKeyword,
    PSLiteral,
    literal_name,
)
from pdfminer.utils import choplist

from pipeline.read.pdf import fonts
from pipeline.read.pdf.limits import Budget, MiB, mib


class _Damage(Exception):
    """Damage found by our stand-ins inside a library call; the call site names the page."""

    def describe(self, where: str) -> str:
        """The error's cause; ``where`` is "page N" or "the PDF"."""
        return f"{where} {self}"


class _CorruptStream(_Damage):
    """Raised by the strict decoders."""

    def describe(self, where: str) -> str:
        used = f"that {where} uses" if where.startswith("page") else "in the PDF"
        return f"a compressed stream {used} is corrupt ({self})"


class _StreamLength(_Damage):
    """A stream whose /Length does not end where its ``endstream`` begins."""


class _BadContent(_Damage):
    """Content-stream syntax pdfminer would skip without a word."""

    def describe(self, where: str) -> str:
        return f"{where} has a damaged content stream ({self})"


def _shown(token: object, limit: int = 40) -> str:
    """A token of the file, printable and short, for an error line."""
    if isinstance(token, PSKeyword):
        token = token.name
    text = token.decode("latin-1") if isinstance(token, bytes) else str(token)
    text = text.encode("unicode_escape").decode("ascii")
    return repr(text if len(text) <= limit else text[:limit - 1] + "…")


# ---- strict, bounded stream decoding ---------------------------------------------------------

_CHUNK = 1 * MiB


class _Decoders:
    """Stand-ins for the decoders pdfminer.pdftypes calls: strict and within the budget."""

    error = zlib.error  # pdfminer's ``except zlib.error`` clauses need the name

    def __init__(self, budget: Budget) -> None:
        self.budget = budget

    def _take(self, total: int, n: int) -> int:
        total += n
        if total > self.budget.limits.stream_bytes:
            raise self.budget.too_large(f"has a compressed stream inflating to more than "
                                        f"{mib(self.budget.limits.stream_bytes)}, the limit "
                                        "for a stream")
        self.budget.add_inflated(n)
        return total

    def decompress(self, data: bytes) -> bytes:
        """zlib.decompress, in bounded chunks, refusing a stream that does not inflate whole."""
        inflater = zlib.decompressobj()
        out: list[bytes] = []
        total = 0
        pending = data
        while True:
            try:
                chunk = inflater.decompress(pending, _CHUNK)
            except zlib.error as exc:
                raise _CorruptStream(str(exc)) from None
            total = self._take(total, len(chunk))
            out.append(chunk)
            pending = inflater.unconsumed_tail
            if inflater.eof or not pending:
                break
        if not inflater.eof:
            try:
                tail = inflater.flush()
            except zlib.error as exc:  # pragma: no cover - flush rarely raises
                raise _CorruptStream(str(exc)) from None
            if not inflater.eof:
                raise _CorruptStream("it ends before its compressed data does")
            self._take(total, len(tail))
            out.append(tail)
        return b"".join(out)

    def decompressobj(self, *args: Any, **kwargs: Any) -> Any:
        return zlib.decompressobj(*args, **kwargs)

    def lzwdecode(self, data: bytes) -> bytes:
        out: list[bytes] = []
        total = 0
        for chunk in LZWDecoder(io.BytesIO(data)).run():
            total = self._take(total, len(chunk))
            out.append(chunk)
        return b"".join(out)

    def rldecode(self, data: bytes) -> bytes:
        """RunLengthDecode (PDF 1.7, 7.4.5) into a bytearray, within the budget."""
        out = bytearray()
        i = total = 0
        while i < len(data):
            length = data[i]
            if length == 128:
                break
            if length < 128:
                run = data[i + 1:i + 2 + length]
                i += 2 + length
            else:
                run = data[i + 1:i + 2] * (257 - length)
                i += 2
            total = self._take(total, len(run))
            out += run
        return bytes(out)


# ---- strict parsing: streams that end where /Length says, content syntax that closes -------

#: What may stand between a stream's data and ``endstream``: the end-of-line marker (PDF 1.7,
#: 7.3.8.1), which producers write as \n, \r\n or \r, sometimes with blanks.
_EOL = b" \t\r\n\f\x00"


class _StrictParser(PDFParser):
    """pdfminer's file parser, refusing a stream whose /Length lies.

    pdfminer reads /Length bytes, then looks for the next ``endstream`` line and carries on
    from there: a /Length too short drops the stream's tail, one too long takes in the
    following objects up to the next stream's end, both without a word. (When the
    cross-reference table is broken, pdfminer reads each stream up to ``endstream`` and
    ignores /Length; the two must agree all the same, or bytes were lost or added.)
    """

    def do_keyword(self, pos: int, token: PSKeyword) -> None:
        super().do_keyword(pos, token)
        if token is not self.KEYWORD_STREAM or not self.curstack:
            return
        start, stream = self.curstack[-1]
        if not isinstance(stream, PDFStream):
            return
        end = self.bufpos  # pdfminer has just seeked to where ``endstream`` begins
        length = stream.attrs.get("Length")
        if isinstance(length, PDFObjRef):
            # Looking it up now would run this very parser on another object mid-way.
            if self.fallback:
                return  # pdfminer reads this stream up to endstream, not by /Length
            length = len(stream.rawdata or b"")  # pdfminer looked it up and read that many bytes
        if not isinstance(length, int) or isinstance(length, bool) or length < 0:
            raise _StreamLength("has a stream without a valid /Length")
        self.fp.seek(start)
        data = self.fp.read(max(0, end - start))
        ended = self.fp.read(len(b"endstream")) == b"endstream"
        # Back where pdfminer left off: it has just seeked there, its buffer is empty, so it
        # reads on from the file's position (self.seek would also empty its stack).
        self.fp.seek(end)
        if not ended or length > len(data) or data[length:].strip(_EOL):
            first = data.find(b"endstream")
            actual = len((data[:first] if first >= 0 else data).rstrip(_EOL))
            raise _StreamLength(f"has a stream whose /Length {length:,} does not match "
                                f"its data ({actual:,} bytes up to endstream)")


#: The tokens that make up nearly all of a page's content, each whole within pdfminer's read
#: buffer: a number, an operator, a name without ``#`` escapes, a string without escapes or
#: parentheses inside, a hex string of whole bytes, ``[ ] << >> ' "``. Anything else — a
#: comment, a NUL, ``{ }``, an escape, a token running into the buffer's end — is left to
#: pdfminer's own tokenizer. The classes are pdfminer's (psparser: END_KEYWORD, END_LITERAL,
#: END_NUMBER, SPC), so both cut the same bytes into the same tokens.
_TOKEN = re.compile(rb"""\s*(?:
    (?P<num> [-+0-9][0-9]*(?:\.[0-9]*)? | \.[0-9]+ )
  | (?P<kw> [A-Za-z][^#/%\[\]()<>{}\s]* )
  | / (?P<name> [^#/%\[\]()<>{}\s]* )
  | \( (?P<str> [^()\\]* ) \)
  | < (?P<hex> (?:[0-9A-Fa-f]{2})* ) >
  | (?P<one> [\[\]'"] | << | >> )
)""", re.X)
#: Tokens that are operands as they stand (pdfminer's list).
_PLAIN = (int, float, bool, str, bytes, PSLiteral)
#: _TOKEN's groups by number (``match.lastindex``).
_NUM, _KW, _NAME, _STR, _HEX, _ONE = 1, 2, 3, 4, 5, 6
#: By group: None if the token ends by itself, else the byte after it that would make it go
#: on (-1: none; it must still be followed by something in the buffer).
_STOP: tuple[int | None, ...] = (None, -1, -1, ord("#"), None, ord(">"), None)
#: By group: 1 where the group starts after an opening character.
_OPENER = (0, 0, 0, 1, 1, 1, 0)
#: _fast_token's answer for a token the buffer's end may cut.
_CUT = object()
#: How close to the buffer's end a token _TOKEN does not read must start for the buffer to be
#: extended first (it may be a string cut short): far from the end it is one _TOKEN never
#: reads, and each such token copying the rest of the buffer would be quadratic.
_NEAR_END = 64
#: How many times the buffer is extended for one token before pdfminer's tokenizer reads it.
_EXTENSIONS = 4
#: Operators and names seen, as pdfminer's parser makes them (each is interned there too);
#: emptied when large (a content stream of made-up names).
_WORDS: dict[bytes, Any] = {}
_NAMES: dict[bytes, PSLiteral] = {}
_MAX_WORDS = 20_000


def _keyword(text: bytes) -> Any:
    token = True if text == b"true" else False if text == b"false" else KWD(text)
    if len(_WORDS) >= _MAX_WORDS:
        _WORDS.clear()
    _WORDS[text] = token
    return token


def _name(text: bytes) -> PSLiteral:
    try:
        token = LIT(str(text, "utf-8"))
    except UnicodeDecodeError:
        token = LIT(text)
    if len(_NAMES) >= _MAX_WORDS:
        _NAMES.clear()
    _NAMES[text] = token
    return token


#: Operators the parser itself acts on (arrays, dictionaries, inline images): never read ahead.
_SLOW_KEYWORDS = frozenset((KEYWORD_ARRAY_BEGIN, KEYWORD_ARRAY_END, KEYWORD_DICT_BEGIN,
                            KEYWORD_DICT_END, KEYWORD_PROC_BEGIN, KEYWORD_PROC_END,
                            PDFContentParser.KEYWORD_BI, PDFContentParser.KEYWORD_ID))


class _StrictContentParser(PDFContentParser):
    """pdfminer's content-stream parser, refusing a ``]`` or ``>>`` that closes nothing (or
    the wrong thing) and an array or dictionary left open at the end of the content.

    Its tokenizer reads the common tokens with one regular expression (``_TOKEN``) instead of
    pdfminer's state machine, which steps through each token in several Python calls: the
    tokenizer was half the time of reading a page. The tokens are the same (tested on every
    fixture and on random content).

    Outside any array or dictionary each token is an object of its own (an operand, or an
    operator the interpreter looks up), so there :meth:`nextobject` reads ahead: the run of
    such tokens whole in the buffer is cut at once (:meth:`_read_ahead`) and handed out one by
    one, not each through four calls; the run stops before anything the parser acts on
    itself (``[``, ``<<``, ``BI``, ``ID``) or leaves to pdfminer's tokenizer, where the
    token-by-token path takes over from the very same place.
    """

    def __init__(self, streams: Any) -> None:
        self._ahead: deque[tuple[int, Any]] = deque()  # before __init__'s seek(0) clears it
        super().__init__(streams)

    def seek(self, pos: int) -> None:
        self._ahead.clear()
        super().seek(pos)

    def _read_ahead(self) -> None:
        """The top-level objects standing whole in the rest of the buffer, to ``_ahead``; the
        buffer's position moves past them as reading them one by one would move it.

        A flat array (numbers, strings, names, booleans between ``[`` and ``]``, as a TJ's
        operand is) is one such object: pdfminer's parser would make the same list of the
        same tokens. Any other array, or one not whole in the buffer, ends the run at its
        ``[``. (One regular expression match a token, the group told by its number: this
        loop was a third of the time spent reading a page.)"""
        buf, i, bufpos, ahead = self.buf, self.charpos, self.bufpos, self._ahead
        n = len(buf)
        match, words, names = _TOKEN.match, _WORDS, _NAMES
        last = -1  # where the last token taken starts, in the buffer
        while i < n:
            found = match(buf, i)
            if found is None:
                break
            group = found.lastindex or 0  # every alternative is a group
            end = found.end()
            stop = _STOP[group]
            if stop is not None and (end >= n or buf[end] == stop):
                break  # it may go on in the next buffer, or after an escape
            text = found.group(group)
            if group == _NUM:
                try:
                    token: Any = float(text) if b"." in text else int(text)
                except ValueError:  # '-' or '+' alone: pdfminer drops it, in its own way
                    break
            elif group == _KW:
                token = words.get(text)
                if token is None:
                    token = _keyword(text)
                if token in _SLOW_KEYWORDS:
                    break
            elif group == _NAME:
                token = names.get(text)
                if token is None:
                    token = _name(text)
            elif group == _STR:
                token = text
            elif group == _HEX:
                token = bytes.fromhex(text.decode("ascii"))
            elif text == b"[":
                closed = self._flat_array(found.end(), n)
                if closed is None:
                    break
                token, end, last = closed
                ahead.append((bufpos + found.start(group), token))
                i = end
                continue
            elif text == b"'" or text == b'"':
                token = KWD(text)
            else:  # ']', '<<', '>>': the parser's own business
                break
            last = found.start(group) - _OPENER[group]
            ahead.append((bufpos + last, token))
            i = end
        if ahead:
            self.charpos = i
            self._curtokenpos = bufpos + last

    def _flat_array(self, i: int, n: int) -> tuple[list[Any], int, int] | None:
        """The flat array whose ``[`` ends at ``i``: its objects, where its ``]`` ends and
        where it starts; None if it holds anything else or runs past the buffer."""
        buf, match, names = self.buf, _TOKEN.match, _NAMES
        objs: list[Any] = []
        while i < n:
            found = match(buf, i)
            if found is None:
                return None
            group = found.lastindex or 0  # every alternative is a group
            end = found.end()
            stop = _STOP[group]
            if stop is not None and (end >= n or buf[end] == stop):
                return None
            text = found.group(group)
            if group == _NUM:
                try:
                    objs.append(float(text) if b"." in text else int(text))
                except ValueError:
                    return None
            elif group == _STR:
                objs.append(text)
            elif group == _HEX:
                objs.append(bytes.fromhex(text.decode("ascii")))
            elif group == _NAME:
                token = names.get(text)
                objs.append(_name(text) if token is None else token)
            elif group == _KW and (text == b"true" or text == b"false"):
                objs.append(text == b"true")
            elif text == b"]":
                return objs, end, found.start(group)
            else:  # an operator or another array or dictionary inside: pdfminer's way
                return None
            i = end
        return None

    def nexttoken(self) -> tuple[int, Any]:
        if not self._tokens and not self.eof and self._parse1 == self._parse_main:
            found = self._fast_token()
            extended = 0  # a few times at most: a longer token costs a copy of it each time
            while found is _CUT and extended < _EXTENSIONS and self._extend():
                found = self._fast_token()
                extended += 1
            if found is not None and found is not _CUT:
                return found  # type: ignore[return-value]
        return super().nexttoken()

    def _fast_token(self) -> tuple[int, Any] | object | None:
        """The next token, read with ``_TOKEN`` and the buffer moved past it; ``_CUT`` where
        the buffer's end may cut it (read again once the buffer holds more); None where it
        is pdfminer's tokenizer's to read."""
        buf, i = self.buf, self.charpos
        n = len(buf)
        found = _TOKEN.match(buf, i) if i < n else None
        if found is None:
            # Nothing at all, or a string or hex string whose end is not in the buffer, or a
            # token _TOKEN never reads (a comment, an escape): which, only more can tell.
            return _CUT if n - i < _NEAR_END else None
        group = found.lastindex or 0  # every alternative is a group
        end = found.end()
        stop = _STOP[group]
        if stop is not None and (end >= n or buf[end] == stop):
            return _CUT if end >= n else None  # or it goes on after an escape, or is '<ab>>'
        text = found.group(group)
        if group == _NUM:
            try:
                token: Any = float(text) if b"." in text else int(text)
            except ValueError:  # '-' or '+' alone: pdfminer drops it, in its own way
                return None
        elif group == _KW:
            token = _WORDS.get(text)
            if token is None:
                token = _keyword(text)
        elif group == _NAME:
            token = _NAMES.get(text)
            if token is None:
                token = _name(text)
        elif group == _STR:
            token = text
        elif group == _HEX:
            token = bytes.fromhex(text.decode("ascii"))
        else:  # [ ] << >> ' "
            token = KWD(text)
        self.charpos = end
        self._curtokenpos = pos = self.bufpos + found.start(group) - _OPENER[group]
        return pos, token

    def _extend(self) -> bool:
        """The buffer's unread rest with the stream's next ``BUFSIZ`` bytes after it; False at
        the stream's end (pdfminer's fillbuf goes on to the next stream, and a token never
        runs from one into the next).

        A token the buffer's end cuts would otherwise take pdfminer's tokenizer, which reads
        it in several calls a byte class and every token after it until its buffer is
        refilled; the buffer stays where the stream's bytes are (``bufpos``), so positions
        are the same."""
        fp = self.fp
        more = fp.read(self.BUFSIZ) if fp is not None else b""
        if not more:
            return False
        i = self.charpos
        self.buf = self.buf[i:] + more
        self.bufpos += i
        self.charpos = 0
        return True

    def _nextobject(self) -> Any:
        """pdfminer's ``PSStackParser.nextobject`` without its debug logging (three calls a
        token) and with a token outside any array or dictionary returned at once, which is
        what its push-then-flush comes to: the stack is empty there."""
        while not self.results:
            pos, token = self.nexttoken()
            if isinstance(token, _PLAIN):
                if not self.context and not self.curstack:
                    return pos, token
                self.curstack.append((pos, token))
            elif token is KEYWORD_ARRAY_BEGIN:
                self.start_type(pos, "a")
            elif token is KEYWORD_ARRAY_END:
                closed = self.end_type("a")  # before naming curstack: end_type restores it
                self.curstack.append(closed)
            elif token is KEYWORD_DICT_BEGIN:
                self.start_type(pos, "d")
            elif token is KEYWORD_DICT_END:
                pos, objs = self.end_type("d")
                if len(objs) % 2 != 0:  # pdfminer raises PSSyntaxError: damage all the same
                    raise _BadContent("a dictionary '<<' … '>>' with a key and no value")
                entries = (pos, {literal_name(k): v for k, v in choplist(2, objs)
                                 if v is not None})
                self.curstack.append(entries)
            elif token is KEYWORD_PROC_BEGIN:
                self.start_type(pos, "p")
            elif token is KEYWORD_PROC_END:
                closed = self.end_type("p")
                self.curstack.append(closed)
            else:
                self.do_keyword(pos, token)  # an operator (nexttoken makes nothing else)
            if not self.context:
                self.flush()
        return self.results.pop(0)

    def end_type(self, type: str) -> tuple[int, list[Any]]:
        if self.curtype != type:
            closing = {"a": "]", "d": ">>", "p": "}"}.get(type, type)
            opened = {"a": "array", "d": "dictionary"}.get(type, "group")
            raise _BadContent(f"a {closing!r} that closes no open {opened}")
        return super().end_type(type)

    def nextobject(self) -> Any:
        ahead = self._ahead
        if not ahead and not (self._tokens or self.eof or self.context or self.curstack
                              or self.results) and self._parse1 == self._parse_main:
            self._read_ahead()
            if not ahead and len(self.buf) - self.charpos < _NEAR_END and self._extend():
                self._read_ahead()  # the buffer's end cut the first token: read on past it
        if ahead:
            return ahead.popleft()
        try:
            return self._nextobject()
        except PSEOF:
            if self.context:
                kind = {"a": "an array '['", "d": "a dictionary '<<'"}.get(
                    self.curtype or "", "a group")
                raise _BadContent(f"{kind} is never closed; the operators after it are "
                                  "lost") from None
            raise


@contextmanager
def _bounded_decoding(budget: Budget) -> Iterator[None]:
    """The library's decoders and parsers swapped for the strict, bounded ones meanwhile
    (and its font-table parsers for the ones that keep what they parsed)."""
    decoders = _Decoders(budget)
    stand_ins: list[tuple[Any, str, Any]] = [
        (pdftypes, "zlib", decoders), (pdftypes, "lzwdecode", decoders.lzwdecode),
        (pdftypes, "rldecode", decoders.rldecode),
        (pdfinterp, "PDFContentParser", _StrictContentParser),
        (pdfplumber.pdf, "PDFParser", _StrictParser),
        # Not strictness but speed: font tables parsed once per process (fonts.py).
        (pdffont, "CMapParser", fonts.cmap_parser),
        (pdffont, "Type1FontHeaderParser", fonts.type1_header_parser),
    ]
    saved = [(module, name, getattr(module, name)) for module, name, _ in stand_ins]
    for module, name, stand_in in stand_ins:
        setattr(module, name, stand_in)
    try:
        yield
    finally:
        for module, name, original in saved:
            setattr(module, name, original)
