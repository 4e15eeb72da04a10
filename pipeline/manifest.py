"""The manifest of an output set, and the proof that a folder is the pipeline's own.

Every output set holds a manifest, :data:`MANIFEST`, naming the command that wrote it and
listing the name and SHA-256 of each file written there; :func:`foreign_entry` finds the first
entry of a folder the command cannot prove it wrote (see :mod:`pipeline.output_folder`, which
replaces only folders without one).
"""
from __future__ import annotations

import hashlib
import json
import os
import stat
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

__all__ = ["MANIFEST", "MANIFEST_FORMAT", "MANIFEST_VERSION", "FileSet", "Foreign", "foreign_entry",
           "sha256_of", "write_manifest"]

#: The manifest's file name; hidden, so a listing of the output shows the tables.
MANIFEST = ".manifest.json"
#: What the manifest says it is, so a file of that name the user wrote is not taken for one.
MANIFEST_FORMAT = "cnipa-tasklist-pipeline output set"
MANIFEST_VERSION = 1
#: The command a manifest without a "command" entry is from: the only one that wrote manifests
#: before diff did.
_FIRST_COMMAND = "extract"

_CHUNK = 1 << 20


def _nothing_legacy(path: Path) -> bool:
    return False


@dataclass(frozen=True)
class FileSet:
    """The names one command writes into its output folder, which only it may replace."""

    command: str  #: named in the manifest, so one command never replaces another's output
    #: The names a set may hold directly (a folder's, such as ``csv``, for its files), but
    #: the manifest.
    files: frozenset[str]
    #: File sets the command's versions before the manifest wrote, and a test that a file has
    #: the content those versions wrote; none for a command that always wrote a manifest.
    legacy_sets: tuple[frozenset[str], ...] = ()
    legacy_content: Callable[[Path], bool] = _nothing_legacy


# ---- the manifest ------------------------------------------------------------------------

def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_manifest(folder: Path, files: Mapping[str, str], command: str = _FIRST_COMMAND) -> None:
    """Write ``folder``'s manifest: ``command`` wrote ``files`` (name → SHA-256) there."""
    manifest = {"format": MANIFEST_FORMAT, "version": MANIFEST_VERSION, "command": command,
                "files": dict(sorted(files.items()))}
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, allow_nan=False) + "\n",
                                   encoding="utf-8")


def _read_manifest(folder: Path) -> tuple[str, dict[str, str]] | None:
    """The command and files of ``folder``'s manifest, None if it has none; ValueError if not ours."""
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
    if not isinstance(data, dict):
        raise ValueError("not a manifest this pipeline wrote")
    files, command = data.get("files"), data.get("command", _FIRST_COMMAND)
    if (data.get("format") != MANIFEST_FORMAT or data.get("version") != MANIFEST_VERSION
            or not isinstance(files, dict) or not isinstance(command, str)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items())):
        raise ValueError("not a manifest this pipeline wrote")
    return command, files


# ---- is this folder ours? ----------------------------------------------------------------

class Foreign(NamedTuple):
    """An entry that stops a folder from being replaced."""

    name: str  #: the entry's name
    why: str  #: why it is not the command's own
    command: str | None = None  #: the other command whose output set the folder is, if so


def foreign_entry(folder: Path, file_set: FileSet, in_progress: bool = False) -> Foreign | None:
    """The first entry of ``folder`` that ``file_set``'s command cannot prove it wrote; else None.

    ``in_progress``: the folder is a temporary one a killed run may have left mid-write, so
    a file the command writes may be there before the manifest lists it.
    """
    entries = sorted(os.scandir(folder), key=lambda e: e.name)
    if not entries:
        return None
    try:
        manifest = _read_manifest(folder)
    except ValueError:
        return Foreign(MANIFEST, f"holds {MANIFEST}, which is not a manifest this pipeline wrote")
    if manifest is None:
        return _legacy_foreign_entry(entries, file_set)
    command, listed = manifest
    if command != file_set.command:
        return Foreign(MANIFEST, f"is an output folder of {command} (its {MANIFEST} says so), "
                                 f"which {file_set.command} does not replace", command)
    for entry in entries:
        if entry.name == MANIFEST:
            continue
        if _listed_folder(entry, listed, in_progress, file_set):
            problem = _foreign_in_folder(Path(entry.path), entry.name, listed, in_progress)
            if problem:
                return problem
            continue
        kind = _not_a_file(entry)
        if kind:
            return Foreign(entry.name, f"holds {entry.name}{kind}, which this pipeline did not write")
        if entry.name not in listed:
            if in_progress and entry.name in file_set.files:
                continue
            return Foreign(entry.name, f"holds {entry.name}, which this pipeline did not write")
        if sha256_of(Path(entry.path)) != listed[entry.name]:
            return Foreign(entry.name, f"holds {entry.name}, which was changed after this pipeline "
                                       f"wrote it (its SHA-256 differs from the one in {MANIFEST})")
    return None


def _listed_folder(entry: os.DirEntry[str], listed: Mapping[str, str], in_progress: bool,
                   file_set: FileSet) -> bool:
    """A real folder whose files the manifest lists as ``name/…`` (csv/ of --format csv)."""
    if entry.is_symlink() or not entry.is_dir(follow_symlinks=False):
        return False
    prefix = entry.name + "/"
    return any(k.startswith(prefix) for k in listed) or (
        in_progress and entry.name in file_set.files)


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
            return Foreign(path, f"holds {path}{kind}, which this pipeline did not write")
        if path not in listed:
            if in_progress:  # a file being written before the manifest lists it
                continue
            return Foreign(path, f"holds {path}, which this pipeline did not write")
        if sha256_of(Path(entry.path)) != listed[path]:
            return Foreign(path, f"holds {path}, which was changed after this pipeline wrote it "
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


def _legacy_foreign_entry(entries: Sequence[os.DirEntry[str]], file_set: FileSet
                          ) -> Foreign | None:
    """The same question for a folder without a manifest: an older version's output set?"""
    names = [e.name for e in entries]
    legacy = file_set.legacy_sets
    known = frozenset().union(*legacy)
    for entry in entries:
        kind = _not_a_file(entry)
        if kind or entry.name not in known | file_set.files:
            return Foreign(entry.name, f"holds {entry.name}{kind}, which this pipeline did not write")
    if not legacy:  # the command always wrote a manifest: its own names without one prove nothing
        return Foreign(names[0], f"holds {names[0]} but no {MANIFEST}, so it may not be "
                                 f"{file_set.command}'s own (it writes one with every set)")
    if set(names) not in legacy:
        missing = (sorted(min(legacy, key=len) - set(names))
                   or sorted(max(legacy, key=len) - set(names)) or [names[0]])
        return Foreign(names[0], f"holds {names[0]} but no {MANIFEST}, and is no complete output "
                                 f"set of an older version (no {missing[0]}), so it may not be "
                                 "this pipeline's")
    for entry in entries:
        if not file_set.legacy_content(Path(entry.path)):
            return Foreign(entry.name, f"holds {entry.name} but no {MANIFEST}, and {entry.name} "
                                       "is not what an older version of this pipeline wrote")
    return None
