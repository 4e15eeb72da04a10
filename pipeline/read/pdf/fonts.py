"""Font tables parsed once per process: pdfminer's ToUnicode CMaps and Type 1 font headers,
kept by the bytes they were parsed from.

pdfminer builds each font of a document from scratch: it runs its PostScript parser, a
handful of Python calls a token, over the font's ToUnicode CMap and, for a Type 1 font
without an /Encoding, over the font program's header. For a one-page list that is half of
the reading; documents from one producer (a year's lists, the renderings, copies of one
file) embed the same subset fonts, byte for byte, and parsed them again each time.

``load.open_pdf`` binds the two names ``pdfminer.pdffont`` builds these parsers by
(``CMapParser``, ``Type1FontHeaderParser``) to the stand-ins below while a PDF is read
(strict._bounded_decoding). Only the parse is kept, never the stream: pdfminer still decodes
every stream itself, so the strict, bounded decoders see, count and refuse it exactly as
before, and the parse is handed the very bytes it was handed before. The result of a parse
is what the parser made of those bytes alone, so a kept one is the same. Kept are only
parses that

- began on an empty table (a fresh ``FileUnicodeMap``, as pdfminer's fonts pass);
- logged nothing (pdfminer warns about a malformed map, and the reader turns its warnings
  into notes: a map that warned is parsed, and warns, every time), with pdfminer's warnings
  on (else one could not tell);
- raised nothing (an exception leaves nothing to keep: the next reading raises it again).

The store is bounded (``_MAX_ENTRIES`` tables, ``_MAX_BYTES`` of source bytes, no table
from more than a quarter of that), the least recently used going first; a hit hands out a
copy, so no font of one document shares a table another can change.
"""
from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from io import BytesIO
from typing import Any

import pdfminer.cmapdb as cmapdb
import pdfminer.encodingdb as encodingdb
import pdfminer.pdffont as pdffont
import pdfminer.psparser as psparser
from pdfminer import settings
from pdfminer.cmapdb import CMapParser, FileUnicodeMap
from pdfminer.pdffont import Type1FontHeaderParser

from pipeline.read.pdf.limits import MiB

#: Tables kept (a document embeds a few dozen fonts).
_MAX_ENTRIES = 256
#: Source bytes of the kept tables (a subset font's ToUnicode map is 1-20 KB, a Type 1
#: header a few KB); the tables themselves take a few times that.
_MAX_BYTES = 8 * MiB

#: The loggers of the modules whose code a parse runs: what they warn about becomes a note.
_LOGGERS = tuple(module.log for module in (psparser, cmapdb, pdffont, encodingdb))


class _Store:
    """The kept parses, least recently used first; safe to share between threads."""

    def __init__(self, entries: int, size: int) -> None:
        self.entries, self.size = entries, size
        self._kept: OrderedDict[tuple[object, ...], tuple[Any, int]] = OrderedDict()
        self._bytes = 0
        self.hits = 0  # parses handed out from the store (for the tests)
        self._lock = threading.Lock()

    def get(self, key: tuple[object, ...]) -> Any:
        with self._lock:
            found = self._kept.get(key)
            if found is None:
                return None
            self._kept.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, key: tuple[object, ...], data: bytes, value: Any) -> None:
        if len(data) > self.size // 4:
            return
        with self._lock:
            if key in self._kept:
                return
            self._kept[key] = (value, len(data))
            self._bytes += len(data)
            while len(self._kept) > self.entries or self._bytes > self.size:
                _, (_, size) = self._kept.popitem(last=False)
                self._bytes -= size

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._bytes = 0

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def bytes(self) -> int:
        return self._bytes


STORE = _Store(_MAX_ENTRIES, _MAX_BYTES)


class _Heard(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.heard = False

    def emit(self, record: logging.LogRecord) -> None:
        self.heard = True


@contextmanager
def _listening() -> Iterator[_Heard | None]:
    """A handler hearing the parse's warnings, or None where they may go unheard (a logger
    switched off or filtered): then nothing may be kept."""
    if not all(log.isEnabledFor(logging.WARNING) and not log.filters for log in _LOGGERS):
        yield None
        return
    heard = _Heard()
    for log in _LOGGERS:
        log.addHandler(heard)
    try:
        yield heard
    finally:
        for log in _LOGGERS:
            log.removeHandler(heard)


def _parsed(key: tuple[object, ...], data: bytes, parse: Callable[[], Any]) -> Any:
    """What ``parse()`` gives, kept under ``key`` if it parsed ``data`` without a word."""
    with _listening() as heard:
        value = parse()
    if heard is not None and not heard.heard:
        STORE.put(key, data, value)
    return value


class _KeptUnicodeMap:
    """``CMapParser(cmap, fp).run()`` for a ToUnicode map: fills ``cmap`` as the parser would."""

    def __init__(self, cmap: FileUnicodeMap, data: bytes) -> None:
        self.cmap, self.data = cmap, data

    def run(self) -> None:
        key = ("ToUnicode", settings.STRICT, self.data)
        kept = STORE.get(key)
        if kept is None:
            def parse() -> tuple[dict[str, object], dict[int, str]]:
                CMapParser(self.cmap, BytesIO(self.data)).run()
                return dict(self.cmap.attrs), dict(self.cmap.cid2unichr)
            _parsed(key, self.data, parse)  # the parser has filled the font's own map
            return
        attrs, cid2unichr = kept
        self.cmap.attrs.update(attrs)
        self.cmap.cid2unichr.update(cid2unichr)


def cmap_parser(cmap: Any, fp: Any) -> Any:
    """Stand-in for ``pdfminer.pdffont.CMapParser``: a kept parse for a fresh ToUnicode map
    (all pdfminer's fonts parse), pdfminer's parser for anything else."""
    if (type(cmap) is FileUnicodeMap and not cmap.attrs and not cmap.cid2unichr
            and type(fp) is BytesIO):
        return _KeptUnicodeMap(cmap, fp.getvalue())
    return CMapParser(cmap, fp)


class _KeptType1Header:
    """``Type1FontHeaderParser(fp)``, whose ``get_encoding()`` pdfminer's Type 1 fonts call."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def get_encoding(self) -> dict[int, str]:
        key = ("Type1 header", settings.STRICT, self.data)
        kept = STORE.get(key)
        if kept is None:
            def parse() -> dict[int, str]:
                return dict(Type1FontHeaderParser(BytesIO(self.data)).get_encoding())
            kept = _parsed(key, self.data, parse)
        return dict(kept)


def type1_header_parser(fp: Any) -> Any:
    """Stand-in for ``pdfminer.pdffont.Type1FontHeaderParser``."""
    if type(fp) is BytesIO:
        return _KeptType1Header(fp.getvalue())
    return Type1FontHeaderParser(fp)


__all__ = ["STORE", "cmap_parser", "type1_header_parser"]
