"""Arrow tables from rows of plain Python values, without pandas.

``pa.Table.from_pylist`` and even ``pa.array`` on a list ask pyarrow's pandas shim whether the
list is a pandas object, which imports pandas (a third of a second) on the first call. The
writer needs none of that: its columns are of a few fixed types, so each column is laid out
here in Arrow's own format (a validity bitmap, offsets, values) and handed to
``pa.Array.from_buffers``, which probes nothing. The result equals ``from_pylist``'s for the
same rows and schema (tests/test_arrow.py checks it on generated rows).
"""
from __future__ import annotations

from array import array
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

__all__ = ["table"]

_EPOCH = date(1970, 1, 1).toordinal()
#: array typecodes of the fixed-width column types (C types of Arrow's value buffers).
_CODES = {"int8": "b", "int16": "h", "int32": "i", "int64": "q", "double": "d"}
_MAX_OFFSET = 2**31 - 1  # string and list offsets are int32


def table(rows: Sequence[Mapping[str, Any]], schema: Any) -> Any:
    """The ``pa.Table`` of ``rows`` with ``schema`` (a row lacking a column holds null there)."""
    import pyarrow as pa

    columns = [column([r.get(f.name) for r in rows], f.type) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def column(values: Sequence[Any], type_: Any) -> Any:
    """One Arrow array of ``type_`` (string, list of string, map of string to string, int8…64,
    double, bool, date32)."""
    import pyarrow as pa

    n = len(values)
    nulls = sum(v is None for v in values)
    validity = _bitmap([v is not None for v in values]) if nulls else None
    if pa.types.is_map(type_):
        # A map is a list of (key, value) structs; its values come as pairs (to_pylist's shape)
        # or a dict.
        pairs = [list(v.items()) if isinstance(v, dict) else list(v) if v is not None else None
                 for v in values]
        flat = [kv for v in pairs if v is not None for kv in v]
        entry = pa.struct([type_.key_field, type_.item_field])
        entries = pa.Array.from_buffers(
            entry, len(flat), [None], children=[column([k for k, _ in flat], type_.key_type),
                                                column([x for _, x in flat], type_.item_type)])
        offsets = _offsets(0 if v is None else len(v) for v in pairs)
        return pa.Array.from_buffers(type_, n, [validity, offsets], null_count=nulls,
                                     children=[entries])
    if pa.types.is_list(type_):
        if not pa.types.is_string(type_.value_type):
            raise TypeError(f"no layout for {type_}")
        items = [x for v in values if v is not None for x in v]
        offsets = _offsets(0 if v is None else len(v) for v in values)
        child = column(items, type_.value_type)
        return pa.Array.from_buffers(type_, n, [validity, offsets], null_count=nulls,
                                     children=[child])
    if pa.types.is_string(type_):
        encoded = [b"" if v is None else v.encode("utf-8") for v in values]
        return pa.Array.from_buffers(type_, n, [validity, _offsets(map(len, encoded)),
                                                pa.py_buffer(b"".join(encoded))],
                                     null_count=nulls)
    if pa.types.is_boolean(type_):
        data = _bitmap([bool(v) for v in values])
    elif pa.types.is_date32(type_):
        data = pa.py_buffer(array("i", (0 if v is None else _days(v) for v in values)))
    elif str(type_) in _CODES:
        zero = 0.0 if pa.types.is_floating(type_) else 0
        data = pa.py_buffer(array(_CODES[str(type_)], (zero if v is None else v for v in values)))
    else:
        raise TypeError(f"no layout for {type_}")
    return pa.Array.from_buffers(type_, n, [validity, data], null_count=nulls)


def _days(value: date) -> int:
    if not isinstance(value, date):
        raise TypeError(f"expected a date, got {type(value).__name__}")
    return value.toordinal() - _EPOCH


def _offsets(lengths: Any) -> Any:
    import pyarrow as pa

    offsets = array("i")
    total = 0
    offsets.append(0)
    for length in lengths:
        total += length
        if total > _MAX_OFFSET:
            raise OverflowError("a column of over 2 GiB does not fit one Arrow array")
        offsets.append(total)
    return pa.py_buffer(offsets)


def _bitmap(flags: Sequence[bool]) -> Any:
    """Arrow's bit order: bit i of byte i // 8, least significant first."""
    import pyarrow as pa

    out = bytearray((len(flags) + 7) // 8)
    for i in (i for i, f in enumerate(flags) if f):
        out[i >> 3] |= 1 << (i & 7)
    return pa.py_buffer(bytes(out))

