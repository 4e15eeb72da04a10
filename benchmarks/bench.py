"""`make bench`: the pipeline beside its peers, its start-up, and the corpus curve, in one run.

Every figure is a fresh process (``os.wait4`` gives its wall time and CPU time; /proc, sampled
every 20 ms, its peak RSS and the process tree's PSS), the median of ``--repeat`` runs. CPU seconds are shown next to wall seconds because a shared
machine's load stretches wall time; the load average is printed at the start and the end.

- **start-up**: the 2024 text dump end to end (``python -m pipeline extract``), cold (an empty
  cache folder, so jieba's tables are built and cached) and warm; the floor is
  ``python -c "import pyarrow.parquet"`` (Python's start and the one import every run needs),
  and "wall s over base" is what the pipeline adds to it.
- **PDF**: the PDF reader alone and the pipeline end to end against bare pdfplumber
  ``extract_tables`` over every page, a pypdfium2 text dump (the floor) and Camelot lattice
  (if installed: the ``bench`` extra); then a long PDF (``--long`` pages: the table and text
  after it) and one table repeated over 8 to 64 pages, with the reader's peak memory.
- **corpus**: N = 1, 10, 100, 1000 variants of the 2024 dump (each its own title, one task
  deleted) in one ``extract`` call with the default ``--jobs``; peak RSS of the largest
  process (VmHWM) and the whole process tree's PSS (shared pages counted once).
- ``--stages``: the old per-stage split of one process per input.

    python -m benchmarks.bench [--repeat N] [--corpus 1,10,100,1000] [--long 300] [--record]
                               [--stages]

``--record`` writes the tables to benchmarks/RESULTS.md with the machine and the date.
It lives outside the package: it measures the pipeline and is no part of it.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RAW_2024 = ROOT / "raw" / "cnipa-2024-task-list.txt"
PDF = ROOT / "tests" / "fixtures" / "pdf" / "a4-portrait-serif-10.5pt-repeat-header.pdf"
STAGES = ("import", "read", "stitch", "jieba_startup", "segment_facts", "write")


# ---- one fresh process ------------------------------------------------------------------------

@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak_mb: float  # the largest process of the tree (its VmHWM, sampled)
    tree_mb: float  # the process tree's proportional set size (PSS), sampled


def _tree_memory_kb(pid: int) -> tuple[int, int]:
    """(proportional set size of ``pid`` and all its descendants, the largest peak resident
    set size among them), from /proc (0 where gone).

    PSS, not RSS, for the tree: forked workers share the parent's pages (jieba's tables), and
    a sum of RSS would count those once per process. The peak is each process's VmHWM, which
    starts afresh at exec: wait4's ru_maxrss of a child also counts the pages of the bench
    process it was forked from (over 100 MB once the bench has imported pyarrow and jieba).
    """
    total, peak, todo = 0, 0, [pid]
    while todo:
        p = todo.pop()
        try:
            with open(f"/proc/{p}/smaps_rollup") as f:
                total += next((int(line.split()[1]) for line in f if line.startswith("Pss:")), 0)
            with open(f"/proc/{p}/status") as f:
                peak = max(peak, next((int(line.split()[1]) for line in f
                                       if line.startswith("VmHWM:")), 0))
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return total, peak


def run(argv: Sequence[str], env: dict[str, str] | None = None) -> Run:
    """Run ``argv`` (from the project folder, output discarded) and measure it."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    peak = [0, 0]  # the tree's PSS, the largest process's VmHWM (kB)
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.02):
            pss, hwm = _tree_memory_kb(proc.pid)
            peak[0], peak[1] = max(peak[0], pss), max(peak[1], hwm)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    if status != 0:
        raise SystemExit(f"bench: {' '.join(argv)} failed (status {status}):\n{err.decode()}")
    # A process gone before the first sample: wait4's figure, the best there is.
    largest = peak[1] if peak[1] else usage.ru_maxrss
    return Run(wall, usage.ru_utime + usage.ru_stime, largest / 1024, peak[0] / 1024)


def median_run(make: Callable[[], Run], repeat: int) -> Run:
    return _median([make() for _ in range(repeat)])


def _median(runs: Sequence[Run]) -> Run:
    return Run(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
               max(r.peak_mb for r in runs), max(r.tree_mb for r in runs))


def interleaved(makers: Sequence[Callable[[], Run]], repeat: int) -> list[Run]:
    """The median run of each maker, taking turns (one of each per round), so that a change in
    the machine's load in the course of the rounds falls on all of them alike."""
    runs: list[list[Run]] = [[] for _ in makers]
    for _ in range(repeat):
        for make, done in zip(makers, runs):
            done.append(make())
    return [_median(done) for done in runs]


def _extract(inputs: Sequence[Path], out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "pipeline", "extract", *map(str, inputs), "--out", str(out),
            "--quiet", *extra]


def _py(code: str, *args: str) -> list[str]:
    return [sys.executable, "-c", code, *args]


# ---- the peers --------------------------------------------------------------------------------

PDFPLUMBER = """
import sys, pdfplumber
with pdfplumber.open(sys.argv[1]) as pdf:
    rows = sum(len(t) for page in pdf.pages for t in page.extract_tables())
"""
PDFIUM_TEXT = """
import sys, pypdfium2
pdf = pypdfium2.PdfDocument(sys.argv[1])
text = "".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))
"""
CAMELOT = """
import sys, camelot
tables = camelot.read_pdf(sys.argv[1], pages="all", flavor="lattice")
"""
#: The PDF reader alone (the read stage: bytes to the raw table), in a fresh process.
READER = """
import sys
from pipeline.read.pdf import read_pdf
with open(sys.argv[1], "rb") as f:
    table = read_pdf(f.read(), sys.argv[1])
"""


def _has(module: str) -> bool:
    return subprocess.run([sys.executable, "-c", f"import {module}"], capture_output=True
                          ).returncode == 0


# ---- the corpus -------------------------------------------------------------------------------

def make_corpus(folder: Path, n: int) -> list[Path]:
    """``n`` variants of the 2024 dump: each its own title (so none is a duplicate of
    another) and one task deleted (so no two have the same tasks)."""
    sys.path.insert(0, str(ROOT))
    from tests.dump_edits import delete_task

    text = RAW_2024.read_text(encoding="utf-8")
    tasks = 23
    paths = []
    for i in range(n):
        variant = delete_task(text, i % tasks + 1).replace("任务清单", f"任务清单（样本{i:04d}）", 1)
        path = folder / f"list-{i:04d}.txt"
        path.write_text(variant, encoding="utf-8")
        paths.append(path)
    return paths


# ---- the report -------------------------------------------------------------------------------

def _machine() -> dict[str, str]:
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next((line.split(":", 1)[1].strip() for line in f
                        if line.startswith("model name")), "?")
    except OSError:
        pass
    import jieba  # noqa: F401  (its version below)
    import pdfplumber
    import pyarrow

    return {"date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "cpu": cpu, "cores": str(os.cpu_count()),
            "python": platform.python_version(), "pyarrow": pyarrow.__version__,
            "pdfplumber": pdfplumber.__version__, "os": platform.platform()}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _row(name: str, r: Run, base: Run | None = None) -> str:
    ratio = f"{r.wall / base.wall:.2f}×" if base else ""
    cpu_ratio = f"{r.cpu / base.cpu:.2f}×" if base and base.cpu else ""
    extra = f"{r.wall - base.wall:+.2f}" if base else ""
    return (f"| {name} | {r.wall:.2f} | {r.cpu:.2f} | {r.peak_mb:.0f} | {r.tree_mb:.0f} | "
            f"{ratio} | {cpu_ratio} | {extra} | {os.getloadavg()[0]:.2f} |")


HEAD = ("| what | wall s | CPU s | peak RSS MB (largest process) | peak PSS MB (process tree) "
        "| wall ratio | CPU ratio | wall s over base | load (1 min) |\n"
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.bench")
    p.add_argument("--repeat", type=int, default=5)
    p.add_argument("--corpus", default="1,10,100,1000",
                   help="corpus sizes, comma-separated (0 or empty: none)")
    p.add_argument("--corpus-repeat", type=int, default=1)
    p.add_argument("--pdf", type=Path, default=PDF)
    p.add_argument("--record", action="store_true", help="write benchmarks/RESULTS.md")
    p.add_argument("--stages", action="store_true", help="also the per-stage split")
    p.add_argument("--long", type=int, default=300,
                   help="pages of the long PDF (a table and the text after it; 0: none)")
    p.add_argument("--one", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.one:
        print(json.dumps(measure_one(args.one)))
        return 0
    out: list[str] = []

    def say(line: str = "") -> None:
        print(line, flush=True)
        out.append(line)

    machine = _machine()
    say(f"machine: {machine['cpu']}, {machine['cores']} cores; {machine['os']}; Python "
        f"{machine['python']}, pyarrow {machine['pyarrow']}, pdfplumber {machine['pdfplumber']}")
    say(f"date: {machine['date']}; load average at start (1, 5, 15 min): {_load()}")
    say(f"median of {args.repeat} fresh processes (corpus: {args.corpus_repeat}), the start-up "
        "rows and the 8-page PDF's rows taking turns; ratios against the row marked (base)")
    with tempfile.TemporaryDirectory(prefix="cnipa-bench-") as tmp_name:
        tmp = Path(tmp_name)
        warm_cache = tmp / "cache-warm"
        env_warm = {**os.environ, "CNIPA_PIPELINE_CACHE": str(warm_cache)}
        run(_extract([RAW_2024], tmp / "o"), env_warm)  # fills the warm cache

        def cold() -> Run:
            fresh = Path(tempfile.mkdtemp(dir=tmp, prefix="cache-cold-"))
            return run(_extract([RAW_2024], tmp / "o"), {**os.environ,
                                                         "CNIPA_PIPELINE_CACHE": str(fresh)})

        say("\n### Start-up: the 2024 text dump end to end\n")
        say(HEAD)
        floor, warm, cold_run = interleaved([
            lambda: run(_py("import pyarrow.parquet")),
            lambda: run(_extract([RAW_2024], tmp / "o"), env_warm),
            cold], args.repeat)
        say(_row("floor: python -c 'import pyarrow.parquet' (base)", floor))
        say(_row("extract, warm cache", warm, floor))
        say(_row("extract, cold (empty cache folder)", cold_run, floor))

        if args.pdf.is_file():
            pages = _pages(args.pdf)
            say(f"\n### PDF: {args.pdf.name} ({pages} pages)\n")
            say(HEAD)
            # Taking turns, as the start-up rows do: the ratios are what the goals are about,
            # and a change in a shared machine's load then falls on the peer and us alike.
            base, reader, pipeline, pdfium = interleaved([
                lambda: run(_py(PDFPLUMBER, str(args.pdf))),
                lambda: run(_py(READER, str(args.pdf))),
                lambda: run(_extract([args.pdf], tmp / "o"), env_warm),
                lambda: run(_py(PDFIUM_TEXT, str(args.pdf)))], args.repeat)
            say(_row("pdfplumber extract_tables, every page (base)", base))
            say(_row("the PDF reader alone (read_pdf: bytes to the raw table)", reader, base))
            say(_row("pipeline extract (warm): read, stitch, segment, facts, write", pipeline,
                     base))
            say(_row("pypdfium2 text dump (the floor)", pdfium, base))
            camelot = None
            if _has("camelot"):
                camelot = median_run(lambda: run(_py(CAMELOT, str(args.pdf))), args.repeat)
                say(_row("Camelot lattice", camelot, base))
            else:
                say("| Camelot lattice | not installed (pip install '.[bench]') | | | | | | | |")
            say("")
            for name, r in (("the reader alone", reader), ("pipeline extract", pipeline)):
                against = f"{r.wall / base.wall:.2f}× pdfplumber's wall time " \
                          f"({r.cpu / base.cpu:.2f}× its CPU time)"
                if camelot is not None:
                    against += f"; Camelot takes {camelot.wall / r.wall:.1f}× its wall time " \
                               f"({camelot.cpu / r.cpu:.1f}× its CPU time)"
                say(f"- {name}: {against}")
        if args.long and _has("pypdf"):
            long_pdfs(args.long, args.repeat, tmp, env_warm, say)
        elif args.long:
            say("\n### Long PDFs: skipped (they are built with pypdf: pip install '.[test]')")

        sizes = [int(x) for x in args.corpus.split(",") if x.strip() and int(x) > 0]
        if sizes:
            corpus = make_corpus(Path(tempfile.mkdtemp(dir=tmp, prefix="corpus-")), max(sizes))
            say(f"\n### Corpus: N variants of the 2024 dump in one extract call "
                f"(--jobs default: {os.cpu_count()} here; warm cache)\n")
            say("| N | wall s | CPU s | peak RSS MB (largest process) | "
                "peak PSS MB (process tree) | wall s per document | CPU s per document "
                "| load (1 min) |\n|---:|---:|---:|---:|---:|---:|---:|---:|")
            for n in sizes:
                r = median_run(lambda n=n: run(_extract(corpus[:n], tmp / "o"), env_warm),
                               args.corpus_repeat)
                say(f"| {n} | {r.wall:.2f} | {r.cpu:.2f} | {r.peak_mb:.0f} | {r.tree_mb:.0f} | "
                    f"{r.wall / n:.3f} | {r.cpu / n:.3f} | {os.getloadavg()[0]:.2f} |")
        say(f"\nload average at the end (1, 5, 15 min): {_load()}")
    if args.stages:
        stages(args.repeat)
    if args.record:
        _record(out)
    return 0


def long_pdfs(pages: int, repeat: int, tmp: Path, env: dict[str, str],
              say: Callable[[str], None]) -> None:
    """Two kinds of long PDF, built from the committed 8-page rendering with pypdf.

    - the table and ``pages`` - 8 pages of text after it (an annex): pdfplumber's
      extract_tables parses every page; the reader stops at the table's end.
    - the table repeated 1, 2, 4, 8 times (one table of 8 to 64 pages): the reader's peak
      memory against the pages read (each copy brings its own embedded fonts, which pdfminer
      keeps, and the rows are kept until the paragraphs are built; the pages are not).
    """
    sys.path.insert(0, str(ROOT))
    from tests import long_pdf

    tail = tmp / f"table-and-{pages - 8}-pages-after.pdf"
    tail.write_bytes(long_pdf.with_tail(long_pdf.TABLE, pages))
    say(f"\n### Long PDF: {tail.name} ({pages} pages; the table ends on page 8)\n")
    say(HEAD)
    once = max(1, min(repeat, 2))  # pdfplumber takes a while over every page
    base = median_run(lambda: run(_py(PDFPLUMBER, str(tail))), once)
    say(_row("pdfplumber extract_tables, every page (base)", base))
    say(_row("the PDF reader alone (reads 9 pages)", median_run(
        lambda: run(_py(READER, str(tail))), repeat), base))
    say(_row("pipeline extract (warm)", median_run(
        lambda: run(_extract([tail], tmp / "o"), env), repeat), base))
    say("\n### One table over more pages: the reader alone\n")
    say("| pages | wall s | CPU s | peak RSS MB | wall ms per page |\n|---:|---:|---:|---:|---:|")
    for times in (1, 2, 4, 8):
        path = tmp / f"table-x{times}.pdf"
        path.write_bytes(long_pdf.repeated(long_pdf.TABLE, times))
        r = median_run(lambda path=path: run(_py(READER, str(path))), repeat)
        say(f"| {8 * times} | {r.wall:.2f} | {r.cpu:.2f} | {r.peak_mb:.0f} | "
            f"{1000 * r.wall / (8 * times):.0f} |")


def _pages(path: Path) -> int:
    import pypdfium2

    return len(pypdfium2.PdfDocument(str(path)))


def _record(lines: list[str]) -> None:
    target = ROOT / "benchmarks" / "RESULTS.md"
    text = ("# Benchmark results\n\nWritten by `make bench` (`python -m benchmarks.bench "
            "--record`); see benchmarks/bench.py for what each row runs.\n\n"
            + "\n".join(lines) + "\n")
    target.write_text(text, encoding="utf-8")
    print(f"\nwrote {target.relative_to(ROOT)}")


# ---- --stages: the per-stage split (one process per input) -------------------------------------

def measure_one(path: Path) -> dict[str, Any]:
    """Run every stage on ``path`` in this process, timing each; jieba is started apart."""
    clock = time.perf_counter
    t: dict[str, float] = {}
    start = clock()
    from pipeline import nlp
    from pipeline.build import assemble
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
    nlp.warm()  # the dictionaries, the POS table and the IDF index
    t["jieba_startup"] = clock() - mark

    mark = clock()
    tasks, _ = assemble(stitched)
    t["segment_facts"] = clock() - mark

    from pipeline.build import build_document
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


def stages(repeat: int) -> None:
    fixtures = ROOT / "tests" / "fixtures"
    files = [RAW_2024, *sorted(fixtures.glob("pdf/*.pdf")), *sorted(fixtures.glob("html/cnipa-*.htm*"))]
    print(f"\nper stage, median of {repeat} fresh processes; seconds; peak RSS in MB\n")
    print(f"{'input':44} {'pages':>5} " + " ".join(f"{s:>13}" for s in STAGES)
          + f" {'total':>7} {'peak':>6}")
    for f in files:
        runs = [json.loads(subprocess.run([sys.executable, "-m", "benchmarks.bench", "--one",
                                           str(f)], capture_output=True, text=True, check=True,
                                          cwd=ROOT).stdout) for _ in range(repeat)]
        med = {s: statistics.median(r["stages"][s] for r in runs) for s in STAGES}
        print(f"{f.name[:44]:44} {runs[0]['pages']:>5} " + " ".join(f"{med[s]:>13.3f}" for s in STAGES)
              + f" {statistics.median(r['total'] for r in runs):>7.3f}"
              f" {max(r['peak_mb'] for r in runs):>6.0f}")


if __name__ == "__main__":
    sys.exit(main())
