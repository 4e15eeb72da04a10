"""The output folder: proving a folder is the pipeline's own before replacing it, and the swap.

Replacing the output folder deletes whatever is in it, so the pipeline never judges a folder by
its file names. Every output set it writes holds a manifest, :data:`MANIFEST`, naming the
command that wrote it and listing the name and SHA-256 of each file written there. A folder is
replaced only if it is empty, or if its manifest is the same command's and every entry in it
(dotfiles and subfolders included) is a regular file the manifest lists with a matching digest.
Anything else is a file of the user's, or another command's output: the run stops with an
:class:`~pipeline.errors.OutputError` naming it, before any work.

Each command describes the names it writes as a :class:`FileSet` (``extract``'s in
:mod:`pipeline.write`, ``diff``'s in :mod:`pipeline.diff.cli`) and writes its set with
:func:`write_set`. Output sets of the versions before the manifest hold exactly one of the
set's ``legacy_sets``; such a set is replaced only if it holds all of those files and nothing
else, and ``legacy_content`` accepts each one as what those versions wrote.

Temporary folders beside the output (``.NAME.tmp-PID`` while writing, ``.NAME.old-PID`` for
the previous set during the swap) carry a manifest from their first moment, so a later run
clears only folders it can prove are a killed run's own.
"""
from __future__ import annotations

import errno
import os
import re
import shutil
from collections.abc import Callable, Iterable
from pathlib import Path

from pipeline.errors import OutputError
from pipeline.manifest import (
    MANIFEST,
    MANIFEST_FORMAT,
    MANIFEST_VERSION,
    FileSet,
    Foreign,
    foreign_entry,
    sha256_of,
    write_manifest,
)

__all__ = ["MANIFEST", "MANIFEST_FORMAT", "MANIFEST_VERSION", "FileSet", "Foreign", "Record", "check_output_folder", "clear_stale",
           "foreign_entry", "sha256_of", "swap", "temp_folder", "write_manifest", "write_set"]




# ---- the checks before a run -------------------------------------------------------------

def check_output_folder(out: Path, file_set: FileSet, inputs: Iterable[Path] = ()) -> Path:
    """``out`` made absolute, or an OutputError if ``file_set``'s command must not replace it.

    Refused: the file system root, a symbolic link, a file, a folder holding anything the
    command cannot prove it wrote (see :func:`foreign_entry`), and a folder that is or holds
    one of ``inputs`` (replacing it would delete the input). Temporary folders a killed run
    left beside ``out`` are cleared first (see :func:`clear_stale`).
    """
    shown = str(out)
    target = Path(os.path.abspath(out))
    if target.parent == target:
        raise OutputError(shown, "is the root of the file system", "name a new output folder")
    _refuse_inputs_inside(shown, target, inputs)
    if target.is_symlink():
        raise OutputError(shown, "is a symbolic link, which the swap would replace by a folder",
                          "name the folder it points to as the output folder")
    if target.exists() and not target.is_dir():
        raise OutputError(shown, "exists and is not a folder", "name a folder as the output folder")
    parent = target.parent
    existing = next((p for p in (parent, *parent.parents) if p.exists()), None)
    if existing is not None and not existing.is_dir():
        raise OutputError(shown, f"{existing} is a file, not a folder",
                          "name an output folder whose parent folders can be created")
    if parent.is_dir():
        try:
            clear_stale(target, file_set)
        except OSError as exc:
            raise OutputError(shown, f"cannot clear a killed run's temporary folder "
                                     f"({exc.strerror or exc})") from exc
    if target.is_dir():
        try:
            foreign = foreign_entry(target, file_set)
        except OSError as exc:
            raise OutputError(shown, f"cannot check what it holds ({exc.strerror or exc})") from exc
        if foreign:
            raise _foreign_error(shown, foreign)
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(shown, f"the folder {existing} is not writable")
    return target


def _foreign_error(shown: str, foreign: Foreign, when: str = "") -> OutputError:
    name, why, command = foreign
    if command is not None:
        return OutputError(shown, f"{why}{when}",
                           f"name a new or empty folder, or one {command} did not write")
    return OutputError(shown, f"{why}{when}; the pipeline replaces only a folder that holds "
                              "nothing but its own output",
                       f"move {name} elsewhere, or name a new or empty output folder")


def _refuse_inputs_inside(shown: str, target: Path, inputs: Iterable[Path]) -> None:
    """An input inside the output folder would be deleted with it: refuse, whatever the spelling.

    Both the spelled path (``..`` folded) and the path with every symbolic link resolved are
    compared, for the input and for the folder, so ``out/.list.txt``, ``out/sub/../x`` and a
    link to a file inside it are all caught.
    """
    homes = {str(target), os.path.realpath(target)}
    for path in inputs:
        for spelled in {os.path.abspath(path), os.path.realpath(path)}:
            if any(_inside(spelled, home) for home in homes):
                raise OutputError(
                    shown, f"holds the input {path}, which replacing the folder would delete",
                    "move the input out of it, or name another output folder")
            if spelled in homes:  # diff's OLD or NEW may be a folder
                raise OutputError(
                    shown, f"is the input {path} too, which replacing the folder would delete",
                    "name another output folder")


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder and path != folder
    except ValueError:  # different drives
        return False


# ---- temporary folders and the swap ------------------------------------------------------

def temp_folder(out: Path, file_set: FileSet) -> Path:
    """Create the folder the new set is written to: beside ``out``, marked as ours from the start."""
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    try:
        tmp.mkdir()
    except FileExistsError as exc:  # clear_stale removed ours, so this one is not
        raise OutputError(str(out), f"a folder {tmp.name} beside it is in the way (not written "
                                    "by this pipeline)", "remove it, or name another output folder"
                          ) from exc
    try:
        write_manifest(tmp, {}, file_set.command)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return tmp


def _stale(out: Path) -> list[tuple[Path, str]]:
    """Folders beside ``out`` named as a run's temporary ones, whose run is over."""
    pattern = re.compile(rf"\.{re.escape(out.name)}\.(tmp|old)-([0-9]+)")
    found = []
    for entry in sorted(os.scandir(out.parent), key=lambda e: e.name):
        m = pattern.fullmatch(entry.name)
        if not m or not entry.is_dir(follow_symlinks=False):
            continue
        pid = int(m[2])
        if pid == os.getpid() or not _alive(pid):
            found.append((Path(entry.path), m[1]))
    return found


def clear_stale(out: Path, file_set: FileSet) -> None:
    """Remove temporary folders a killed run left beside ``out``; restore ``out`` if a swap was cut.

    A run killed between the two renames of :func:`swap` leaves no ``out`` but an ``.old-PID``
    folder holding the previous set: that one is put back. A folder with such a name that is
    not provably a run's own (no manifest of ours, or files it does not list) is left alone.
    """
    for folder, kind in _stale(out):
        if foreign_entry(folder, file_set, in_progress=kind == "tmp") is not None:
            continue
        if kind == "old" and not out.exists():
            os.rename(folder, out)
        else:
            shutil.rmtree(folder)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def swap(new: Path, out: Path, file_set: FileSet) -> None:
    """Replace ``out`` by ``new`` with two renames; the old set is removed only afterwards.

    The old set is checked once more after it was moved aside (a file may have been put into
    it while the run lasted): if it is no longer the pipeline's alone, it goes back and the
    run fails, with nothing changed.
    """
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        try:
            os.rename(out, old)
        except OSError as exc:
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST, errno.ENOTDIR):
                raise OutputError(str(out), f"a folder {old.name} beside it is in the way (not "
                                            "written by this pipeline)",
                                  "remove it, or name another output folder") from exc
            raise
        foreign = foreign_entry(old, file_set)
        if foreign:
            os.rename(old, out)
            raise _foreign_error(str(out), foreign, " (put there while the run lasted)")
    try:
        os.rename(new, out)
    except BaseException:  # also Ctrl-C between the renames: put the previous set back
        if old.exists() and not out.exists():
            os.rename(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


Record = Callable[[str], None]


def write_set(out: Path, file_set: FileSet, write: Callable[[Path, Record], None]) -> None:
    """Write ``file_set``'s command's set beside ``out`` and swap it in whole; ``out`` is untouched
    on failure, also on Ctrl-C (the temporary folder is removed, the previous set stays).

    ``write(folder, record)`` writes the files into ``folder`` and calls ``record(name)`` (a path
    relative to ``folder``) as each one is complete: the manifest is rewritten at once, so a
    killed run's folder is provably its own.
    """
    shown = str(out)
    target = check_output_folder(out, file_set)
    tmp: Path | None = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        folder = tmp = temp_folder(target, file_set)
        written: dict[str, str] = {}

        def record(name: str) -> None:
            if name.split("/", 1)[0] not in file_set.files:  # the next run would refuse the set
                raise ValueError(f"{name} is no file of {file_set.command}'s output set")
            written[name] = sha256_of(folder / name)
            write_manifest(folder, written, file_set.command)

        write(folder, record)
        swap(folder, target, file_set)
    except OSError as exc:
        raise OutputError(shown, f"cannot write the output ({exc.strerror or exc})") from exc
    finally:
        if tmp is not None:  # created by this run (mkdir fails on an existing one): ours to remove
            shutil.rmtree(tmp, ignore_errors=True)
