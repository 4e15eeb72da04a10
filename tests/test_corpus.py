"""Corpus mode: extract --jobs N (a process pool) and --executor dask give the very output of
one process, written document by document; failures and --keep-going keep their meaning."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.build import extract_file
from pipeline.cli import main
from pipeline.documents import document_row, find_duplicates, mark_duplicates
from pipeline.models import Document
from pipeline.output_folder import write_set
from pipeline.report import build_report
from pipeline.write import (
    FILE_SET,
    TABLES,
    OutputSetWriter,
    document_json,
    dumps,
    encode,
    schemas,
    table_rows,
)
from tests.conftest import RAW_2024
from tests.outputs import nothing_written, out, previous_output, snapshot  # noqa: F401 (fixtures)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Four inputs: the 2024 dump, a copy (an identical input), and two edited lists."""
    folder = tmp_path_factory.mktemp("corpus")
    text = RAW_2024.read_text(encoding="utf-8")
    paths = [folder / "a-2024.txt", folder / "b-copy.txt", folder / "c-edited.txt",
             folder / "d-other.txt"]
    paths[0].write_text(text, encoding="utf-8")
    paths[1].write_text(text, encoding="utf-8")
    paths[2].write_text(text.replace("任务清单", "任务清单（修订）", 1), encoding="utf-8")
    paths[3].write_text(text.replace("任务清单", "任务清单（另一份）", 1)
                        .replace("持续推进《纲要》和《规划》实施", "持续推进规划实施"),
                        encoding="utf-8")
    return paths


@pytest.fixture(scope="module")
def documents(corpus: list[Path]) -> dict[Path, Document]:
    """Each corpus input extracted in this process, once for the module (a Document is frozen:
    the tests that build on one cannot change it for the next)."""
    return {p: extract_file(p) for p in corpus}


def _expected(paths: list[Path], documents: dict[Path, Document]) -> dict[str, object]:
    """The output set as the writer made it before corpus mode: all documents in memory,
    each table one from_pylist, tasks.json one dumps of the list."""
    docs = [documents[p] for p in paths]
    docs = mark_duplicates(docs, find_duplicates(docs))
    rows = table_rows(docs)
    tables = {name: pa.Table.from_pylist(rows[name], schema=schema)
              for name, schema in schemas().items()}
    return {"tables": tables, "tasks.json": dumps([document_json(d) for d in docs]),
            "report.json": dumps(build_report(paths, docs, []))}


def _written(folder: Path) -> dict[str, object]:
    return {"tables": {name: pq.read_table(folder / f"{name}.parquet") for name in TABLES},
            "tasks.json": (folder / "tasks.json").read_text(encoding="utf-8"),
            "report.json": (folder / "report.json").read_text(encoding="utf-8")}


def _same(got: dict[str, object], want: dict[str, object]) -> None:
    assert got["tasks.json"] == want["tasks.json"]
    assert got["report.json"] == want["report.json"]
    for name in TABLES:
        g, w = got["tables"][name], want["tables"][name]  # type: ignore[index]
        assert g.schema == w.schema and g.equals(w), name


@pytest.fixture(scope="module")
def expected(corpus: list[Path], documents: dict[Path, Document]) -> dict[str, object]:
    return _expected(corpus, documents)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_jobs_give_the_output_of_one_process_holding_everything(corpus, expected, tmp_path, jobs):
    out = tmp_path / "output"
    assert main(["extract", *map(str, corpus), "--out", str(out), "--jobs", jobs, "--quiet"]) == 0
    _same(_written(out), expected)
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [e["doc_id"] for e in report["inputs"]] == [p.stem for p in corpus]
    assert report["inputs"][1]["warnings"][-1]["code"] == "identical_input"


def test_the_executor_on_a_local_dask_cluster_gives_the_same(corpus, expected, tmp_path):
    distributed = pytest.importorskip("distributed")  # the test extra installs it
    # In this process, over TCP on loopback: the client talks to it as to a real cluster.
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False,
                                  protocol="tcp", host="127.0.0.1",
                                  dashboard_address=":0") as cluster:
        out = tmp_path / "output"
        rc = main(["extract", *map(str, corpus), "--out", str(out), "--executor", "dask",
                   "--scheduler", cluster.scheduler_address, "--quiet"])
    assert rc == 0
    _same(_written(out), expected)


def test_dask_needs_a_scheduler_and_a_scheduler_needs_dask(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["extract", str(RAW_2024), "--out", str(tmp_path / "o"), "--executor", "dask"])
    assert exit_.value.code == 2
    with pytest.raises(SystemExit) as exit_:
        main(["extract", str(RAW_2024), "--out", str(tmp_path / "o"), "--scheduler", "tcp://x:1"])
    assert exit_.value.code == 2
    assert "--scheduler" in capsys.readouterr().err


def test_an_unreachable_scheduler_is_one_line_and_nothing_written(tmp_path, out, capsys,
                                                                   monkeypatch):
    pytest.importorskip("distributed")
    import pipeline.dask_executor

    # Nothing listens there, so the client would retry for all its 10 s before failing alike;
    # any limit shows it (0.2 s: the test took 1.06 s with 1 s, 0.45 s now).
    monkeypatch.setattr(pipeline.dask_executor, "CONNECT_SECONDS", 0.2)
    before = snapshot(out)
    capsys.readouterr()
    rc = main(["extract", str(RAW_2024), "--out", str(out), "--executor", "dask",
               "--scheduler", "tcp://127.0.0.1:9"])  # the discard port: nothing listens
    err = capsys.readouterr().err.splitlines()
    assert rc == 2 and len(err) == 1 and "cannot connect to the Dask scheduler" in err[0]
    assert snapshot(out) == before


def test_a_failing_input_in_a_pool_writes_nothing_or_only_the_others(corpus, documents, tmp_path,
                                                                      out, capsys):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\x00\x01 not a task list")
    inputs = [str(corpus[0]), str(bad), str(corpus[2])]
    before = snapshot(out)
    capsys.readouterr()
    assert main(["extract", *inputs, "--out", str(out), "--jobs", "2"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0].startswith(f"{bad}: ") and err[-1] == nothing_written(out, 1, 3)
    assert snapshot(out) == before
    assert main(["extract", *inputs, "--out", str(out), "--jobs", "2", "--keep-going",
                 "--quiet"]) == 2
    _same(_written(out), {**_expected([corpus[0], corpus[2]], documents),
                          "report.json": (out / "report.json").read_text(encoding="utf-8")})
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [e["status"] for e in report["inputs"]] == ["ok", "failed", "ok"]


def test_dedupe_in_a_pool_drops_the_copy(corpus, tmp_path):
    out = tmp_path / "output"
    assert main(["extract", *map(str, corpus), "--out", str(out), "--jobs", "2", "--dedupe",
                 "--quiet"]) == 0
    kept = pq.read_table(out / "documents.parquet").column("doc_id").to_pylist()
    assert kept == [corpus[0].stem, corpus[2].stem, corpus[3].stem]
    tasks = json.loads((out / "tasks.json").read_text(encoding="utf-8"))
    assert [d["doc_id"] for d in tasks] == kept
    assert set(pq.read_table(out / "clauses.parquet").column("doc_id").to_pylist()) == set(kept)


def test_the_writer_puts_a_row_group_per_batch_of_documents(corpus, documents, tmp_path):
    docs = [documents[p] for p in (corpus[0], corpus[2], corpus[3])]
    out = tmp_path / "output"

    def write(folder: Path, record) -> None:
        writer = OutputSetWriter(folder, record, batch=2)
        for d in docs:
            writer.add(encode(d, d.source))
        writer.finish([document_row(d) for d in docs], build_report([], docs, []))
        writer.close()

    write_set(out, FILE_SET, write)
    assert pq.ParquetFile(out / "clauses.parquet").metadata.num_row_groups == 2  # 2 + 1 documents
    assert pq.read_table(out / "clauses.parquet").equals(
        pa.Table.from_pylist(table_rows(docs)["clauses"], schema=schemas()["clauses"]))
    assert json.loads((out / "tasks.json").read_text(encoding="utf-8")) == [
        json.loads(dumps(document_json(d))) for d in docs]


def test_a_set_abandoned_halfway_leaves_no_trace(tmp_path, out):
    before = snapshot(out)
    doc = extract_file(RAW_2024)

    def write(folder: Path, record) -> None:
        writer = OutputSetWriter(folder, record)
        writer.add(encode(doc, doc.source))
        writer.close()
        raise KeyboardInterrupt  # as Ctrl-C between two documents

    with pytest.raises(KeyboardInterrupt):
        write_set(out, FILE_SET, write)
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["output"]


def test_warming_up_leaves_the_start_ups_objects_to_the_permanent_generation():
    """What start-up made (modules, jieba's tables) is frozen once warm: no collector pass
    walks it again."""
    code = ("import gc; from pipeline import corpus; before = gc.get_freeze_count(); "
            "corpus.warm(); print(before, gc.get_freeze_count())")
    before, frozen = map(int, subprocess.run([sys.executable, "-c", code], check=True,
                                             capture_output=True, text=True).stdout.split())
    assert before == 0 and frozen > 10_000
