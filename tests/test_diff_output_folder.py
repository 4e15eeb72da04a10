"""``diff --out`` keeps extract's rule for output folders: replaced only when provably diff's own.

Each test builds its trap at test time (a user's changes.md, a dotfile beside a change set, an
extract output folder, OLD hidden inside --out, a write that fails half-way …) and checks the
exit code, the one line, and a byte-level tree of the folder afterwards.
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

import pipeline.diff.cli
import pipeline.diff.report
from pipeline.cli import main
from pipeline.diff.cli import FILES
from pipeline.output_folder import MANIFEST, MANIFEST_FORMAT, sha256_of, write_manifest
from tests.conftest import RAW_2024
from tests.outputs import leftovers, previous_output  # noqa: F401 (fixture)
from tests.test_cli import dead_pid
from tests.test_output_folder import REFUSED, _inside, refused, tree


def diff(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, list[str]]:
    """``main(["diff", …])`` in-process: its exit code and stderr lines (stdout stays empty)."""
    capsys.readouterr()
    rc = main(["diff", *map(str, argv)])
    captured = capsys.readouterr()
    assert captured.out == ""
    return rc, captured.err.splitlines()


@pytest.fixture(scope="module")
def previous_changes(tmp_path_factory: pytest.TempPathFactory, previous_output: Path) -> Path:
    """A good diff run's change set (the 2024 list against itself), made once."""
    changes = tmp_path_factory.mktemp("previous-diff") / "changes"
    assert main(["diff", str(previous_output), str(previous_output), "--out", str(changes),
                 "--quiet"]) == 0
    return changes


@pytest.fixture()
def side(tmp_path: Path, previous_output: Path) -> Path:
    """OLD and NEW of this test: a copy of extract's output folder for the 2024 list."""
    target = tmp_path / "list-2024"
    shutil.copytree(previous_output, target)
    return target


@pytest.fixture()
def changes(tmp_path: Path, previous_changes: Path) -> Path:
    """This test's copy of a previous diff run's change set, as ``tmp_path/changes``."""
    target = tmp_path / "changes"
    shutil.copytree(previous_changes, target)
    return target


def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test if OLD or NEW is read: the refusal must come before any work."""
    def load_side(path: Path) -> None:
        raise AssertionError(f"{path} was read although --out is refused")

    monkeypatch.setattr(pipeline.diff.cli, "load_side", load_side)


def test_a_diff_set_holds_its_manifest_and_is_replaced_by_the_next_diff(tmp_path, side, changes,
                                                                        capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (tmp_path / "new", empty, changes):
        rc, lines = diff(capsys, side, side, "--out", folder, "--quiet")
        assert (rc, lines) == (0, [])
        assert sorted(p.name for p in folder.iterdir()) == sorted({*FILES, MANIFEST})
        listed = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        assert (listed["format"], listed["command"]) == (MANIFEST_FORMAT, "diff")
        assert listed["files"] == {n: sha256_of(folder / n) for n in FILES}
        assert (folder / "changes.md").read_bytes().startswith(b"# Changes from ")
        assert leftovers(folder) == []


# ---- folders that are not diff's own ---------------------------------------------------------

NOT_OURS = ", which this pipeline did not write"


@pytest.mark.parametrize("name, make, why", [
    ("config.json", lambda o: (o / "config.json").write_text("{}"), NOT_OURS),
    (".env", lambda o: (o / ".env").write_text("API_KEY=secret\n"), NOT_OURS),
    ("notes", lambda o: (o / "notes").mkdir(), "/ (a folder)" + NOT_OURS),
    ("link", lambda o: (o / "link").symlink_to(RAW_2024), " (a symbolic link)" + NOT_OURS),
    ("changes.md", lambda o: (o / "changes.md").write_bytes(
        (o / "changes.md").read_bytes() + b"\nmy own notes\n"),
     f", which was changed after this pipeline wrote it (its SHA-256 differs from the one in "
     f"{MANIFEST})"),
    (MANIFEST, lambda o: (o / MANIFEST).write_text('{"files": {}}'),
     ", which is not a manifest this pipeline wrote"),
], ids=["users-file", "dotfile", "subfolder", "symlink", "edited-changes-md", "forged-manifest"])
def test_a_change_set_with_anything_unproven_is_refused(changes, side, capsys, monkeypatch,
                                                         name, make, why):
    make(changes)
    before = tree(changes)
    no_work(monkeypatch)
    rc, lines = diff(capsys, side, side, "--out", changes)
    assert (rc, lines) == (2, [refused(changes, name, why)])
    assert tree(changes) == before
    assert leftovers(changes) == []


@pytest.mark.parametrize("names", [["changes.md"], list(FILES)], ids=["changes-md", "all-three"])
def test_files_named_like_a_change_set_without_a_manifest_are_refused(tmp_path, side, capsys,
                                                                      monkeypatch, names):
    mine = tmp_path / "notes"
    mine.mkdir()
    for name in names:  # the user's own changelog (and look-alikes of the other two)
        (mine / name).write_text(f"# Changes from 2023 to 2024\n\n{name} is mine\n")
    before = tree(mine)
    no_work(monkeypatch)
    rc, lines = diff(capsys, side, side, "--out", mine)
    first = sorted(names)[0]
    assert (rc, lines) == (2, [
        f"{mine}: holds {first} but no {MANIFEST}, so it may not be diff's own (it writes one "
        f"with every set)" + REFUSED.format(name=first)])
    assert tree(mine) == before


def test_an_extract_output_folder_is_not_replaced_by_diff(side, tmp_path, capsys, monkeypatch):
    before = tree(side)
    no_work(monkeypatch)
    other = tmp_path / "other"
    shutil.copytree(side, other)
    rc, lines = diff(capsys, other, other, "--out", side)
    assert (rc, lines) == (2, [
        f"{side}: is an output folder of extract (its {MANIFEST} says so), which diff does not "
        "replace — name a new or empty folder, or one extract did not write (--out)"])
    assert tree(side) == before


def test_a_change_set_is_not_replaced_by_extract(changes, capsys, monkeypatch):
    import pipeline.build

    before = tree(changes)
    monkeypatch.setattr(pipeline.build, "extract_file", lambda p: pytest.fail(f"read {p}"))
    capsys.readouterr()
    rc = main(["extract", str(RAW_2024), "--out", str(changes)])
    assert (rc, capsys.readouterr().err.splitlines()) == (2, [
        f"{changes}: is an output folder of diff (its {MANIFEST} says so), which extract does not "
        "replace — name a new or empty folder, or one diff did not write (--out)"])
    assert tree(changes) == before


# ---- OLD and NEW inside --out ----------------------------------------------------------------

@pytest.mark.parametrize("how", ["hidden", "deep", "dotdot", "symlink"])
def test_old_or_new_inside_out_is_refused_before_any_work(tmp_path, side, changes, capsys,
                                                          monkeypatch, how):
    given, hidden = _inside(changes, tmp_path, how)
    before = tree(changes)
    no_work(monkeypatch)
    for argv in ((side, given), (given, side)):
        rc, lines = diff(capsys, *argv, "--out", changes)
        assert (rc, lines) == (2, [
            f"{changes}: holds the input {given}, which replacing the folder would delete — move "
            "the input out of it, or name another output folder (--out)"])
        assert tree(changes) == before
    assert hidden.read_bytes() == RAW_2024.read_bytes()


def test_out_naming_old_itself_is_refused(side, capsys, monkeypatch):
    before = tree(side)
    no_work(monkeypatch)
    rc, lines = diff(capsys, side, RAW_2024, "--out", side)
    assert (rc, lines) == (2, [f"{side}: is the input {side} too, which replacing the folder "
                               "would delete — name another output folder (--out)"])
    assert tree(side) == before


# ---- nothing partial on failure, temporary folders -------------------------------------------

@pytest.mark.parametrize("error, rc", [(OSError(28, "No space left on device"), 2),
                                       (KeyboardInterrupt(), 130)], ids=["disk-full", "ctrl-c"])
def test_a_write_that_fails_half_way_leaves_the_previous_set(changes, side, capsys, monkeypatch,
                                                             error, rc):
    def html_page(*args: object) -> str:  # after changes.parquet and changes.md are written
        raise error

    monkeypatch.setattr(pipeline.diff.cli, "html_page", html_page)
    before = tree(changes)
    got, lines = diff(capsys, side, side, "--out", changes)
    assert got == rc
    assert lines == ([f"{changes}: cannot write the output (No space left on device) — check "
                      "that the output folder's parent exists and is writable (--out)"] if rc == 2
                     else [f"interrupted — {changes}/ is unchanged"])
    assert tree(changes) == before
    assert leftovers(changes) == []


def test_a_killed_diff_runs_temp_folder_is_cleared_and_others_are_left_alone(changes, side, capsys):
    pid = dead_pid()
    killed = changes.parent / f".changes.tmp-{pid}"
    killed.mkdir()
    write_manifest(killed, {}, "diff")  # killed while writing changes.parquet
    (killed / "changes.parquet").write_bytes(b"PAR1 half")
    extracts = changes.parent / f".changes.tmp-{pid + 1}"  # an extract's, not diff's to clear
    extracts.mkdir()
    write_manifest(extracts, {}, "extract")
    (extracts / "tasks.json").write_text("[]")
    users = changes.parent / f".changes.old-{pid + 2}"
    users.mkdir()
    (users / "changes.md").write_text("my own")
    kept = {p.name: tree(p) for p in (extracts, users)}
    rc, _ = diff(capsys, side, side, "--out", changes, "--quiet")
    assert rc == 0
    assert not killed.exists()
    assert {p.name: tree(p) for p in (extracts, users)} == kept
    assert sorted(os.listdir(changes)) == sorted({*FILES, MANIFEST})
