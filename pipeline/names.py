"""File names as text: what ``doc_id``, ``source`` and every printed line hold for a name."""
from __future__ import annotations


def valid_text(name: str) -> str:
    """A file name (or text holding one) as valid Unicode, for JSON, Parquet and terminals.

    Python keeps the bytes of a file name that are not UTF-8 as lone surrogates
    (``b"\\xff"`` → ``"\\udcff"``), which no UTF-8 writer accepts; each such byte becomes the
    four characters ``\\xff``, so the name stays readable and distinct names stay distinct.
    """
    try:
        raw = name.encode("utf-8", "surrogateescape")
    except UnicodeEncodeError:  # a surrogate that stands for no byte: show its code point
        return name.encode("utf-8", "backslashreplace").decode("utf-8")
    return raw.decode("utf-8", "backslashreplace")
