"""The output folder a failing run must leave alone: a previous run's copy, hashes, temp folders.

Its fixtures are imported by the test modules that need them (test_bad_input, test_cli).
"""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from pipeline.cli import main
from tests.conftest import RAW_2024


@pytest.fixture(scope="session")
def previous_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A good run's output folder, made once; tests that must not touch it use ``out``."""
    out = tmp_path_factory.mktemp("previous") / "output"
    assert main(["extract", str(RAW_2024), "--out", str(out), "--quiet"]) == 0
    return out


@pytest.fixture()
def out(tmp_path: Path, previous_output: Path) -> Path:
    """This test's copy of a previous run's output folder, as ``tmp_path/output``."""
    target = tmp_path / "output"
    shutil.copytree(previous_output, target)
    return target


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its SHA-256: equal snapshots mean byte-identical."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(out: Path) -> list[str]:
    """Temporary folders of a run (``.output.tmp-PID``, ``.output.old-PID``) beside ``out``."""
    return sorted(p.name for p in out.parent.glob(f".{out.name}.*"))


def nothing_written(out: Path, failed: int = 1, total: int = 1) -> str:
    """The CLI's last line when a run without --keep-going had failures."""
    return (f"nothing written: {failed} of {total} input(s) failed; {out}/ is unchanged "
            "(use --keep-going to write the others)")
