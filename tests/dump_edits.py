"""Edits of a text dump made at test time: delete, move or merge tasks, renumbering the rest.

A task's lines are its row and the continuation rows (and page breaks) up to the next task or
section row; task numbers are rewritten in order of appearance, as an editor would.
"""
from __future__ import annotations

import re

_TASK = re.compile(r"^(<p>)?\s*([0-9]+)\s*([.．、])")
_SECTION = re.compile(r"^(?:<b>|<p>)?[一二三四五六七八九十]+、")


def _spans(lines: list[str]) -> dict[int, tuple[int, int]]:
    """Task number → (first line, line after its last continuation row)."""
    spans: dict[int, tuple[int, int]] = {}
    current: int | None = None
    for i, line in enumerate(lines):
        m = _TASK.match(line)
        if m or _SECTION.match(line):
            if current is not None:
                spans[current] = (spans[current][0], i)
            current = int(m[2]) if m else None
            if m:
                spans[current] = (i, len(lines))  # type: ignore[index]
    return spans


def renumber(lines: list[str]) -> list[str]:
    out, n = [], 0
    for line in lines:
        m = _TASK.match(line)
        if m:
            n += 1
            line = f"{m[1] or ''}{n}{m[3]}" + line[m.end():]
        out.append(line)
    return out


def delete_task(text: str, number: int) -> str:
    lines = text.split("\n")
    start, end = _spans(lines)[number]
    return "\n".join(renumber(lines[:start] + lines[end:]))


def move_task(text: str, number: int, after_section: str) -> str:
    """Move a task to the top of the section whose row starts with ``after_section``."""
    lines = text.split("\n")
    start, end = _spans(lines)[number]
    moved, rest = lines[start:end], lines[:start] + lines[end:]
    at = next(i for i, line in enumerate(rest)
              if re.sub(r"^<[bp]>", "", line).startswith(after_section)) + 1
    return "\n".join(renumber(rest[:at] + moved + rest[at:]))


def replace_task(text: str, number: int, row: str) -> str:
    """Put ``row`` (one line, any number) in place of a task's lines."""
    lines = text.split("\n")
    start, end = _spans(lines)[number]
    return "\n".join(renumber([*lines[:start], row, *lines[end:]]))


def task_row(text: str, number: int) -> list[str]:
    """A task's (single-line) row as its three cells."""
    lines = text.split("\n")
    start, end = _spans(lines)[number]
    assert end - start == 1 or not any(lines[start + 1:end]), "task spans several rows"
    return lines[start].split("\t")
