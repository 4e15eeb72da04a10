"""`make bench`: wall time and peak memory of extraction, split by stage, jieba's start-up apart.

Each measurement runs in a fresh process (so peak RSS and start-up costs are real, not shared
with earlier runs) and is repeated; the median is shown. Inputs: every file in raw/, plus the
committed PDF and HTML renderings under tests/fixtures/ when they exist.

    python -m benchmarks.bench [--repeat N] [FILE ...]   (from the project folder)

It lives outside the package: it measures the pipeline and is no part of it.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
STAGES = ("import", "read", "stitch", "jieba_startup", "segment_facts", "write")


def measure_one(path: Path) -> dict[str, Any]:
    """Run every stage on ``path`` in this process, timing each; jieba is started apart."""
    clock = time.perf_counter
    t: dict[str, float] = {}
    start = clock()
    from pipeline import nlp
    from pipeline.extract import assemble
    from pipeline.read import load, read_table
    from pipeline.stitch import stitch
    from pipeline.write import write_outputs
    t["import"] = clock() - start

    mark = clock()
    loaded = load(path)
    table = read_table(loaded)
    t["read"] = clock() - mark

    mark = clock()
    stitched = stitch(table, path.stem)
    t["stitch"] = clock() - mark

    mark = clock()
    nlp.cut("知识产权")
    nlp.tagged("知识产权")  # the dictionary and the POS table; the IDF scan is in segment_facts
    t["jieba_startup"] = clock() - mark

    mark = clock()
    tasks, _ = assemble(stitched)
    t["segment_facts"] = clock() - mark

    from pipeline.extract import build_document
    from pipeline.report import build_report

    doc = build_document(loaded, table)
    mark = clock()
    with tempfile.TemporaryDirectory() as tmp:
        write_outputs([doc], build_report([path], [doc], []), Path(tmp) / "output")
    t["write"] = clock() - mark

    pages = max((r.page for r in table.rows), default=0)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"file": str(path), "fmt": table.fmt, "pages": pages, "tasks": len(tasks),
            "stages": t, "total": sum(t.values()), "peak_mb": peak_mb}


def _child(path: Path) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-m", "benchmarks.bench", "--one", str(path)],
                         capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(out.stdout)


def _cli_run(paths: list[Path]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of the real command on ``paths``."""
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "pipeline", "extract", *map(str, paths),
                                 "--out", str(Path(tmp) / "output"), "--quiet"], cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"bench: the extract run failed (status {status})")
    return wall, usage.ru_maxrss / 1024


def default_inputs() -> list[Path]:
    raw = sorted(p for p in (ROOT / "raw").iterdir() if p.is_file() and not p.name.startswith("."))
    fixtures = ROOT / "tests" / "fixtures"
    renderings = sorted(fixtures.glob("pdf/*.pdf")) + sorted(fixtures.glob("html/cnipa-*.htm*"))
    return raw + renderings


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench")
    p.add_argument("files", nargs="*", type=Path)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return 0
    files = [f.resolve() for f in args.files] or default_inputs()
    print(f"median of {args.repeat} fresh-process runs; seconds per stage; peak RSS in MB\n")
    print(f"{'input':44} {'pages':>5} " + " ".join(f"{s:>13}" for s in STAGES)
          + f" {'total':>7} {'s/10 pages read':>15} {'peak':>6}")
    for f in files:
        runs = [_child(f) for _ in range(args.repeat)]
        med = {s: statistics.median(r["stages"][s] for r in runs) for s in STAGES}
        pages = runs[0]["pages"]
        per10 = f"{med['read'] / pages * 10:.3f}" if runs[0]["fmt"] == "pdf" and pages else "-"
        print(f"{f.name[:44]:44} {pages:>5} " + " ".join(f"{med[s]:>13.3f}" for s in STAGES)
              + f" {statistics.median(r['total'] for r in runs):>7.3f} {per10:>15}"
              f" {max(r['peak_mb'] for r in runs):>6.0f}")
    raw = [f for f in default_inputs() if f.parent.name == "raw"]
    walls, peaks = zip(*(_cli_run(raw) for _ in range(args.repeat)))
    print(f"\n`python -m pipeline extract` on raw/ ({len(raw)} file(s)), whole process: "
          f"{statistics.median(walls):.2f} s wall (median), {max(peaks):.0f} MB peak RSS"
          "  [aim: < 2 s, < 300 MB]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
