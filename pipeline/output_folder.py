"""The output folder: proving a folder is the pipeline's own before replacing it, and the swap.

Replacing the output folder deletes whatever is in it, so the pipeline never judges a folder by
its file names. Every output set it writes holds a manifest, :data:`MANIFEST`, listing the name
and SHA-256 of each file the pipeline wrote there. A folder is replaced only if it is empty, or
if every entry in it (dotfiles and subfolders included) is a regular file its manifest lists
with a matching digest. Anything else is a file of the user's: the run stops with an
:class:`~pipeline.errors.OutputError` naming it, before any work.

Output sets of the versions before the manifest hold exactly one of :data:`LEGACY_SETS`; such
a set is replaced only if it holds all of those files and nothing else, and each one has the
content those versions wrote (Parquet with that table's columns, the two JSON files' shapes).

Temporary folders beside the output (``.NAME.tmp-PID`` while writing, ``.NAME.old-PID`` for
the previous set during the swap) carry a manifest from their first moment, so a later run
clears only folders it can prove are a killed run's own.
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import stat
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from pipeline.errors import OutputError

__all__ = ["LEGACY_SETS", "MANIFEST", "check_output_folder", "clear_stale", "foreign_entry",
           "sha256_of", "swap", "temp_folder", "write_manifest"]

#: The manifest's file name; hidden, so a listing of the output shows the tables.
MANIFEST = ".manifest.json"
#: What the manifest says it is, so a file of that name the user wrote is not taken for one.
MANIFEST_FORMAT = "cnipa-tasklist-pipeline output set"
MANIFEST_VERSION = 1

_OLDEST = frozenset({"tasks.parquet", "clauses.parquet", "assignments.parquet",
                     "deadlines.parquet", "targets.parquet", "tasks.json", "report.json"})
#: The file sets the versions before the manifest wrote (before and after documents.parquet).
LEGACY_SETS = (_OLDEST, _OLDEST | {"documents.parquet"})

_CHUNK = 1 << 20


def _output_files() -> frozenset[str]:
    from pipeline.export import output_names  # the formats decide what a set may hold

    return output_names()


# ---- the manifest ------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(folder: Path, files: Mapping[str, str]) -> None:
    """Write ``folder``'s manifest listing ``files`` (name → SHA-256)."""
    manifest = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION,
                "files": dict(sorted(files.items()))}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, allow_nan=False) + "\n",
                                   encoding="utf-8")


def _read_manifest(folder: Path) -> dict[str, str] | None:
    """The files ``folder``'s manifest lists, None if it has none; ValueError if it is not ours."""
    path = folder / MANIFEST
    try:
        st = path.lstat()
    except FileNotFoundError:
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_size > _CHUNK:
        raise ValueError("not a manifest this pipeline wrote")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError("not a manifest this pipeline wrote") from exc
    files = data.get("files") if isinstance(data, dict) else None
    if (data.get("format") != MANIFEST_FORMAT or data.get("version") != MANIFEST_VERSION
            or not isinstance(files, dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())):
        raise ValueError("not a manifest this pipeline wrote")
    return files


# ---- is this folder ours? ----------------------------------------------------------------

Foreign = tuple[str, str]  # the entry's name, and why it is not the pipeline's


def foreign_entry(folder: Path, in_progress: bool = False) -> Foreign | None:
    """The first entry of ``folder`` the pipeline cannot prove it wrote, and why; else None.

    ``in_progress``: the folder is a temporary one a killed run may have left mid-write, so
    a file the pipeline writes may be there before the manifest lists it.
    """
    entries = sorted(os.scandir(folder), key=lambda e: e.name)
    if not entries:
        return None
    try:
        listed = _read_manifest(folder)
    except ValueError:
        return MANIFEST, f"holds {MANIFEST}, which is not a manifest this pipeline wrote"
    if listed is None:
        return _legacy_foreign_entry(folder, entries)
    for entry in entries:
        if entry.name == MANIFEST:
            continue
        if _listed_folder(entry, listed, in_progress):
            problem = _foreign_in_folder(Path(entry.path), entry.name, listed, in_progress)
            if problem:
                return problem
            continue
        kind = _not_a_file(entry)
        if kind:
            return entry.name, f"holds {entry.name}{kind}, which this pipeline did not write"
        if entry.name not in listed:
            if in_progress and entry.name in _output_files():
                continue
            return entry.name, f"holds {entry.name}, which this pipeline did not write"
        if sha256_of(Path(entry.path)) != listed[entry.name]:
            return entry.name, (f"holds {entry.name}, which was changed after this pipeline "
                                f"wrote it (its SHA-256 differs from the one in {MANIFEST})")
    return None


def _listed_folder(entry: os.DirEntry[str], listed: Mapping[str, str], in_progress: bool) -> bool:
    """A real folder whose files the manifest lists as ``name/…`` (csv/ of --format csv)."""
    if entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
        return False
    prefix = entry.name + "/"
    return any(k.startswith(prefix) for k in listed) or (
        in_progress and entry.name in _output_files())


def _foreign_in_folder(folder: Path, name: str, listed: Mapping[str, str],
                       in_progress: bool) -> Foreign | None:
    """The first entry under a listed folder that the manifest does not vouch for, and why."""
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        path = f"{name}/{entry.name}"
        if not entry.is_symlink() and entry.is_dir(follow_symlinks=False):
            problem = _foreign_in_folder(Path(entry.path), path, listed, in_progress)
            if problem:
                return problem
            continue
        kind = _not_a_file(entry)
        if kind:
            return path, f"holds {path}{kind}, which this pipeline did not write"
        if path not in listed:
            if in_progress:  # a file being written before the manifest lists it
                continue
            return path, f"holds {path}, which this pipeline did not write"
        if sha256_of(Path(entry.path)) != listed[path]:
            return path, (f"holds {path}, which was changed after this pipeline wrote it "
                          f"(its SHA-256 differs from the one in {MANIFEST})")
    return None


def _not_a_file(entry: os.DirEntry[str]) -> str:
    """'' for a regular file; else what it is, as shown after its name."""
    if entry.is_symlink():
        return " (a symbolic link)"
    if entry.is_dir(follow_symlinks=False):
        return "/ (a folder)"
    if not entry.is_file(follow_symlinks=False):
        return " (not a regular file)"
    return ""


def _legacy_foreign_entry(folder: Path, entries: Sequence[os.DirEntry[str]]) -> Foreign | None:
    """The same question for a folder without a manifest: an older version's output set?"""
    names = [e.name for e in entries]
    known = frozenset().union(*LEGACY_SETS)
    for entry in entries:
        kind = _not_a_file(entry)
        if entry.name not in known or kind:
            return entry.name, f"holds {entry.name}{kind}, which this pipeline did not write"
    if set(names) not in LEGACY_SETS:
        missing = sorted(min(LEGACY_SETS, key=len) - set(names)) or ["documents.parquet"]
        return names[0], (f"holds {names[0]} but no {MANIFEST}, and is no complete output set "
                          f"of an older version (no {missing[0]}), so it may not be this "
                          "pipeline's")
    for entry in entries:
        if not _legacy_content(Path(entry.path)):
            return entry.name, (f"holds {entry.name} but no {MANIFEST}, and {entry.name} is not "
                                "what an older version of this pipeline wrote")
    return None


def _legacy_content(path: Path) -> bool:
    """The file has the shape a pre-manifest version wrote under that name."""
    if path.suffix == ".parquet":
        import pyarrow.parquet as pq

        from pipeline.write import schemas

        try:
            names = set(pq.read_schema(path).names)
        except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError
            return False
        return "doc_id" in names and names <= set(schemas()[path.stem].names)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, OSError):
        return False
    if path.name == "report.json":
        return (isinstance(data, dict) and set(data) == {"inputs", "counts"}
                and isinstance(data["inputs"], list))
    return isinstance(data, list) and all(
        isinstance(d, dict) and "doc_id" in d and "sections" in d for d in data)


# ---- the checks before a run -------------------------------------------------------------

def check_output_folder(out: Path, inputs: Iterable[Path] = ()) -> Path:
    """``out`` made absolute, or an OutputError if it cannot or must not be replaced.

    Refused: the file system root, a symbolic link, a file, a folder holding anything the
    pipeline cannot prove it wrote (see :func:`foreign_entry`), and a folder that holds one of
    ``inputs`` (replacing it would delete the input). Temporary folders a killed run left
    beside ``out`` are cleared first (see :func:`clear_stale`).
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
            clear_stale(target)
        except OSError as exc:
            raise OutputError(shown, f"cannot clear a killed run's temporary folder "
                                     f"({exc.strerror or exc})") from exc
    if target.is_dir():
        try:
            foreign = foreign_entry(target)
        except OSError as exc:
            raise OutputError(shown, f"cannot check what it holds ({exc.strerror or exc})") from exc
        if foreign:
            raise _foreign_error(shown, foreign)
    if existing is not None and not os.access(existing, os.W_OK | os.X_OK):
        raise OutputError(shown, f"the folder {existing} is not writable")
    return target


def _foreign_error(shown: str, foreign: Foreign, when: str = "") -> OutputError:
    name, why = foreign
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


def _inside(path: str, folder: str) -> bool:
    try:
        return os.path.commonpath([path, folder]) == folder and path != folder
    except ValueError:  # different drives
        return False


# ---- temporary folders and the swap ------------------------------------------------------

def temp_folder(out: Path) -> Path:
    """Create the folder the new set is written to: beside ``out``, marked as ours from the start."""
    tmp = out.parent / f".{out.name}.tmp-{os.getpid()}"
    try:
        tmp.mkdir()
    except FileExistsError as exc:  # clear_stale removed ours, so this one is not
        raise OutputError(str(out), f"a folder {tmp.name} beside it is in the way (not written "
                                    "by this pipeline)", "remove it, or name another output folder"
                          ) from exc
    try:
        write_manifest(tmp, {})
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


def clear_stale(out: Path) -> None:
    """Remove temporary folders a killed run left beside ``out``; restore ``out`` if a swap was cut.

    A run killed between the two renames of :func:`swap` leaves no ``out`` but an ``.old-PID``
    folder holding the previous set: that one is put back. A folder with such a name that is
    not provably a run's own (no manifest of ours, or files it does not list) is left alone.
    """
    for folder, kind in _stale(out):
        if foreign_entry(folder, in_progress=kind == "tmp") is not None:
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


def swap(new: Path, out: Path) -> None:
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
        foreign = foreign_entry(old)
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

