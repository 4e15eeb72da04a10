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


def uid(row: Mapping[str, Any]) -> str:
    """The stable identifier of a deadline's event."""
    return (f"{row['doc_id']}-task{row['task_no']}-clause{row['clause_no']}-"
            f"char{row['char_start']}@{UID_DOMAIN}")


def calendar_bytes(data: OutputSet) -> bytes:
    from icalendar import Calendar, Event

    tasks = {(t["doc_id"], t["task_no"]): t for t in data.tables["tasks"]}
    clauses = {(c["doc_id"], c["task_no"], c["clause_no"]): c for c in data.tables["clauses"]}
    titles = {d["doc_id"]: d["title"] for d in data.tables["documents"]}
    # One stamp for the whole file: when this calendar was written (RFC 5545 DTSTAMP).
    stamp = datetime.now(timezone.utc).replace(microsecond=0)
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", "知识产权高质量发展任务清单 · 时间节点")
    for row in data.tables["deadlines"]:
        due: date | None = row["due"]
        if due is None:
            continue
        task = tasks.get((row["doc_id"], row["task_no"]), {})
        clause = clauses.get((row["doc_id"], row["task_no"], row["clause_no"]), {})
        actor = row["actor"] or "（未标主体）"
        title = task.get("task_title") or f"任务{row['task_no']}"
        event = Event()
        event.add("uid", uid(row))
        event.add("dtstamp", stamp)
        event.add("dtstart", due)
        event.add("dtend", due + timedelta(days=1))
        event.add("summary", f"{title}（{actor}）")
        where = [titles.get(row["doc_id"]) or row["doc_id"], f"任务 {row['task_no']}",
                 f"举措 {row['clause_no']}"]
        if clause.get("page_start") is not None:
            where.append(f"第 {clause['page_start']} 页")
        deadline = f"时限：{row['expression']}（{due.isoformat()}）"
        event.add("description", "\n".join([row["action"], "", deadline, " · ".join(where)]))
        event.add("categories", [actor])
        event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy all day
        cal.add_component(event)
    result: bytes = cal.to_ical()
    return result
