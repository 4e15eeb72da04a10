"""The output folder is replaced only when the pipeline can prove every entry in it is its own.

Each test builds its trap at test time (a git checkout with a .env, a user's config.json beside
a report.json, an input hidden inside the output, an output file edited after the run …) and
checks the exit code, the one line, and that every file is byte-identical afterwards.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import pipeline.build
import pipeline.output_folder
from pipeline.output_folder import MANIFEST, write_manifest
from pipeline.write import LEGACY_SETS, OUTPUT_FILES
from tests.conftest import RAW_2024
from tests.outputs import leftovers, out, previous_output, snapshot  # noqa: F401 (fixtures)
from tests.test_cli import dead_pid, run

REFUSED = ("; the pipeline replaces only a folder that holds nothing but its own output — move "
           "{name} elsewhere, or name a new or empty output folder (--out)")


def refused(folder: Path, name: str, why: str) -> str:
    return f"{folder}: holds {name}{why}" + REFUSED.format(name=name)


def tree(folder: Path) -> dict[str, str]:
    """Every entry under ``folder`` (files with their bytes' hash, folders and links too)."""
    entries = {str(p.relative_to(folder)): ("link " + os.readlink(p) if p.is_symlink()
                                            else "dir" if p.is_dir() else "")
               for p in folder.rglob("*")}
    return {**entries, **snapshot(folder)}


def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if any input is read: the refusal must come before any work."""
    def extract_file(path: Path) -> None:
        raise AssertionError(f"{path} was read although the output folder is refused")

    monkeypatch.setattr(pipeline.build, "extract_file", extract_file)


# ---- folders that are not the pipeline's -----------------------------------------------------

def test_a_git_checkout_with_a_dotenv_is_never_wiped(tmp_path, capsys, monkeypatch):
    project = tmp_path / "project"
    (project / ".git" / "objects").mkdir(parents=True)
    (project / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (project / ".env").write_text("API_KEY=secret\n")
    before = tree(project)
    no_work(monkeypatch)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(project))
    assert (rc, lines) == (2, [refused(project, ".env", ", which this pipeline did not write")])
    assert tree(project) == before


def test_a_report_json_beside_a_users_config_json_is_never_wiped(tmp_path, out, capsys):
    folder = tmp_path / "analysis"
    folder.mkdir()
    shutil.copy(out / "report.json", folder)  # the pipeline's own report, copied by the user
    (folder / "config.json").write_text('{"mine": true}')
    before = tree(folder)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(folder))
    assert (rc, lines) == (2, [refused(folder, "config.json", ", which this pipeline did not write")])
    assert tree(folder) == before


@pytest.mark.parametrize("name, make, why", [
    ("config.json", lambda o: (o / "config.json").write_text("{}"),
     ", which this pipeline did not write"),
    (".DS_Store", lambda o: (o / ".DS_Store").write_bytes(b"\0"),
     ", which this pipeline did not write"),
    ("notes", lambda o: (o / "notes").mkdir(), "/ (a folder), which this pipeline did not write"),
    ("link", lambda o: (o / "link").symlink_to(RAW_2024),
     " (a symbolic link), which this pipeline did not write"),
    ("tasks.json", lambda o: (o / "tasks.json").write_bytes(
        (o / "tasks.json").read_bytes().replace(b'"year": 2024', b'"year": 2025', 1)),
     f", which was changed after this pipeline wrote it (its SHA-256 differs from the one in "
     f"{MANIFEST})"),
    (MANIFEST, lambda o: (o / MANIFEST).write_text('{"files": {}}'),
     ", which is not a manifest this pipeline wrote"),
], ids=["users-file", "dotfile", "subfolder", "symlink", "edited-output", "forged-manifest"])
def test_an_output_set_with_anything_unproven_is_refused(out, capsys, name, make, why):
    make(out)
    before = tree(out)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(out))
    assert (rc, lines) == (2, [refused(out, name, why)])
    assert tree(out) == before
    assert leftovers(out) == []


def test_an_empty_folder_and_the_pipelines_own_set_are_replaced(tmp_path, out, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (empty, out):
        rc, _ = run(capsys, str(RAW_2024), "--out", str(folder), "--quiet")
        assert rc == 0
        assert sorted(p.name for p in folder.iterdir()) == sorted({*OUTPUT_FILES, MANIFEST})
        listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        assert listed["format"] == pipeline.output_folder.MANIFEST_FORMAT
        assert listed["files"] == {n: pipeline.output_folder.sha256_of(folder / n)
                                   for n in OUTPUT_FILES}


# ---- output sets of the versions before the manifest -----------------------------------------

def _legacy(out: Path, oldest: bool = False) -> Path:
    """``out`` as a version before the manifest left it: its files, nothing else."""
    (out / MANIFEST).unlink()
    if oldest:  # before documents.parquet
        (out / "documents.parquet").unlink()
    assert {p.name for p in out.iterdir()} == LEGACY_SETS[0 if oldest else 1]
    return out


@pytest.mark.parametrize("oldest", [True, False], ids=["7-files", "8-files"])
def test_an_older_versions_complete_set_is_replaced(out, capsys, oldest):
    _legacy(out, oldest)
    rc, _ = run(capsys, str(RAW_2024), "--out", str(out), "--quiet")
    assert rc == 0
    assert sorted(p.name for p in out.iterdir()) == sorted({*OUTPUT_FILES, MANIFEST})


@pytest.mark.parametrize("change, name, why", [
    (lambda o: (o / ".env").write_text("x"), ".env", ", which this pipeline did not write"),
    (lambda o: (o / "clauses.parquet").unlink(), "assignments.parquet",
     f" but no {MANIFEST}, and is no complete output set of an older version (no "
     "clauses.parquet), so it may not be this pipeline's"),
    (lambda o: (o / "report.json").write_text('{"mine": 1}'), "report.json",
     f" but no {MANIFEST}, and report.json is not what an older version of this pipeline wrote"),
    (lambda o: (o / "tasks.parquet").write_bytes(b"PAR1 my own table PAR1"), "tasks.parquet",
     f" but no {MANIFEST}, and tasks.parquet is not what an older version of this pipeline wrote"),
], ids=["plus-a-dotfile", "incomplete", "foreign-report", "foreign-parquet"])
def test_an_older_looking_set_that_is_not_one_is_refused(out, capsys, change, name, why):
    change(_legacy(out))
    before = tree(out)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(out))
    assert (rc, lines) == (2, [refused(out, name, why)])
    assert tree(out) == before


# ---- inputs inside the output folder ---------------------------------------------------------

def _inside(out: Path, tmp_path: Path, how: str) -> tuple[Path, Path]:
    """An input that lies inside ``out``, spelled ``how``; returns (input as given, the file)."""
    hidden = out / ".list-2024.txt"
    if how == "deep":
        hidden = out / ".cache" / "raw" / "list-2024.txt"
        hidden.parent.mkdir(parents=True)
    shutil.copy(RAW_2024, hidden)
    if how == "dotdot":
        (out / "sub").mkdir()
        return out / "sub" / ".." / hidden.name, hidden
    if how == "symlink":
        link = tmp_path / "list-2024.txt"
        link.symlink_to(hidden)
        return link, hidden
    return hidden, hidden


@pytest.mark.parametrize("how", ["hidden", "deep", "dotdot", "symlink"])
def test_an_input_inside_the_output_folder_is_refused_before_any_work(tmp_path, out, capsys,
                                                                     monkeypatch, how):
    given, hidden = _inside(out, tmp_path, how)
    before = tree(out)
    no_work(monkeypatch)
    rc, lines = run(capsys, str(given), str(RAW_2024), "--out", str(out), "--keep-going")
    assert (rc, lines) == (2, [
        f"{out}: holds the input {given}, which replacing the folder would delete — move the "
        "input out of it, or name another output folder (--out)"])
    assert tree(out) == before
    assert hidden.read_bytes() == RAW_2024.read_bytes()


def test_an_input_inside_the_output_folder_reached_through_a_linked_parent(tmp_path, out, capsys):
    (tmp_path / "alias").symlink_to(tmp_path)
    hidden = out / ".list-2024.txt"
    shutil.copy(RAW_2024, hidden)
    rc, lines = run(capsys, str(hidden), "--out", str(tmp_path / "alias" / "output"))
    assert rc == 2
    assert lines[0].startswith(f"{tmp_path / 'alias' / 'output'}: holds the input {hidden}, ")
    assert hidden.read_bytes() == RAW_2024.read_bytes()


@pytest.mark.parametrize("target", ["raw", ".", "..", "/"])
def test_out_naming_the_input_folder_the_project_or_root_is_refused(tmp_path, capsys, monkeypatch,
                                                                    target):
    project = tmp_path / "project"
    (project / "raw").mkdir(parents=True)
    shutil.copy(RAW_2024, project / "raw")
    (project / "README.md").write_text("mine")
    monkeypatch.chdir(project)
    before = tree(tmp_path)
    no_work(monkeypatch)
    rc, lines = run(capsys, "--out", target)
    assert rc == 2 and len(lines) == 1
    if target == "/":
        assert lines[0] == "/: is the root of the file system — name a new output folder (--out)"
    else:
        assert lines[0] == (f"{target}: holds the input raw/{RAW_2024.name}, which replacing the "
                            "folder would delete — move the input out of it, or name another "
                            "output folder (--out)")
    assert tree(tmp_path) == before


def test_out_as_a_symbolic_link_is_refused(tmp_path, out, capsys):
    link = tmp_path / "latest"
    link.symlink_to(out)
    before = tree(out)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(link))
    assert (rc, lines) == (2, [f"{link}: is a symbolic link, which the swap would replace by a "
                               "folder — name the folder it points to as the output folder (--out)"])
    assert link.is_symlink() and tree(out) == before


# ---- temporary folders and the swap ----------------------------------------------------------

def test_a_users_folder_named_like_a_temp_folder_is_left_alone(tmp_path, out, capsys):
    pid = dead_pid()
    mine_tmp = out.parent / f".output.tmp-{pid}"
    mine_old = out.parent / f".output.old-{pid + 1}"
    for folder in (mine_tmp, mine_old):
        folder.mkdir()
        (folder / "tasks.json").write_text("my own tasks")
    before = {p.name: tree(p) for p in (mine_tmp, mine_old)}
    rc, _ = run(capsys, str(RAW_2024), "--out", str(out), "--quiet")
    assert rc == 0
    assert {p.name: tree(p) for p in (mine_tmp, mine_old)} == before
    shutil.rmtree(out)  # with no output, an .old folder would be put back: not a foreign one
    rc, _ = run(capsys, str(tmp_path / "gone.txt"), "--out", str(out))
    assert rc == 2
    assert not out.exists()
    assert {p.name: tree(p) for p in (mine_tmp, mine_old)} == before


def test_a_users_folder_where_the_temp_folder_goes_stops_the_run(out, capsys):
    in_the_way = out.parent / f".output.tmp-{os.getpid()}"
    in_the_way.mkdir()
    (in_the_way / "thesis.docx").write_bytes(b"precious")
    before = tree(out)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(out))
    assert (rc, lines) == (2, [f"{out}: a folder {in_the_way.name} beside it is in the way (not "
                               "written by this pipeline) — remove it, or name another output "
                               "folder (--out)"])
    assert (in_the_way / "thesis.docx").read_bytes() == b"precious"
    assert tree(out) == before


def test_a_file_put_into_the_output_while_the_run_lasts_is_kept(out, capsys, monkeypatch):
    import pyarrow.parquet as pq

    real = pq.write_table

    def write_table(*args, **kwargs):  # after the last check, before the swap
        (out / "draft.md").write_text("written meanwhile")
        return real(*args, **kwargs)

    monkeypatch.setattr(pq, "write_table", write_table)
    before = tree(out)
    rc, lines = run(capsys, str(RAW_2024), "--out", str(out))
    assert rc == 2
    assert lines == [f"{out}: holds draft.md, which this pipeline did not write (put there while "
                     "the run lasted)" + REFUSED.format(name="draft.md")]
    assert tree(out) == {**before, "draft.md": tree(out)["draft.md"]}
    assert (out / "draft.md").read_text() == "written meanwhile"
    assert leftovers(out) == []


def test_a_killed_runs_own_partial_temp_folder_is_cleared(out, capsys):
    stale = out.parent / f".output.tmp-{dead_pid()}"
    stale.mkdir()
    write_manifest(stale, {})  # killed while writing its first table
    (stale / "tasks.parquet").write_bytes(b"PAR1 half")
    rc, _ = run(capsys, str(RAW_2024), "--out", str(out), "--quiet")
    assert rc == 0
    assert leftovers(out) == []
