"""ics: deadlines.ics, one all-day event per deadline, built with the icalendar library.

Summary: the task's title and the clause's actor; description: the action, the deadline as
written and where it stands (document, task, clause, page). The UID is the deadline's key —
doc_id, task_no, clause_no and char_start — so a calendar that imports a newer run updates the
events it already has instead of doubling them.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from pipeline.export import OutputSet

PRODID = "-//cnipa-tasklist-pipeline//deadlines//ZH"
UID_DOMAIN = "cnipa-tasklist-pipeline"


def write(data: OutputSet, folder: Path) -> None:
    (folder / "deadlines.ics").write_bytes(calendar_bytes(data))


def uid(row: Mapping[str, Any], occurrence: date | None = None) -> str:
    """The stable identifier of a deadline's event (of one occurrence of a recurring one)."""
    where = "due" if row["clause_no"] is None else f"clause{row['clause_no']}"
    day = f"-{occurrence.isoformat()}" if occurrence is not None else ""
    return f"{row['doc_id']}-task{row['task_no']}-{where}-char{row['char_start']}{day}@{UID_DOMAIN}"


def calendar_bytes(data: OutputSet) -> bytes:
    from icalendar import Calendar, Event

    tasks = {(t["doc_id"], t["task_no"]): t for t in data.tables["tasks"]}
    clauses = {(c["doc_id"], c["task_no"], c["clause_no"]): c for c in data.tables["clauses"]}
    titles = {d["doc_id"]: d["title"] for d in data.tables["documents"]}
    years = {d["doc_id"]: d["year"] for d in data.tables["documents"]}
    # One stamp for the whole file: when this calendar was written (RFC 5545 DTSTAMP).
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "知识产权高质量发展任务清单 · 时间节点")
    for row in data.tables["deadlines"]:
        # A recurring deadline (每季度末) has no due date: one event per occurrence in the list's
        # year (each quarter's end), none when the list has no year.
        days: list[tuple[date, date | None]] = (
            [(row["due"], None)] if row["due"] is not None
            else [(d, d) for d in _occurrences(row, years.get(row["doc_id"]))])
        task = tasks.get((row["doc_id"], row["task_no"]), {})
        clause = clauses.get((row["doc_id"], row["task_no"], row["clause_no"]), {})
        actor = row["actor"] or "（未标主体）"
        title = task.get("task_title") or f"任务{row['task_no']}"
        where = [titles.get(row["doc_id"]) or row["doc_id"], f"任务 {row['task_no']}",
                 f"举措 {row['clause_no']}" if row["clause_no"] is not None else "完成时限"]
        if clause.get("page_start") is not None:
            where.append(f"第 {clause['page_start']} 页")
        for due, occurrence in days:
            event = Event()
            event.add("uid", uid(row, occurrence))
            event.add("dtstamp", stamp)
            event.add("dtstart", due)
            event.add("dtend", due + timedelta(days=1))
            event.add("summary", f"{title}（{actor}）")
            when = (due.isoformat() if occurrence is None
                    else f"{_EVERY.get(row['recurrence'], '')}：{due.isoformat()}")
            deadline = f"时限：{row['expression']}（{when}）"
            event.add("description", "\n".join([row["action"], "", deadline, " · ".join(where)]))
            event.add("categories", [actor])
            event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy all day
            cal.add_component(event)
    result: bytes = cal.to_ical()
    return result


#: deadlines.recurrence in the words of an event's description.
_EVERY = {"monthly": "每月", "quarterly": "每季度", "half-yearly": "每半年", "yearly": "每年"}


def _occurrences(row: Mapping[str, Any], year: int | None) -> tuple[date, ...]:
    from pipeline.facts import occurrences
    from pipeline.models import Deadline

    if year is None or not row.get("recurrence"):
        return ()
    return occurrences(Deadline(row["task_no"], row["clause_no"], row["actor"], row["expression"],
                                None, row["action"], row["char_start"], row["char_end"],
                                row["recurrence"]), year)
