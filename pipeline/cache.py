"""A per-user cache folder whose files are verified before anything in them is used.

jieba's own cache lives in the shared temp folder under a fixed name (``/tmp/jieba.cache``)
and is ``marshal.load``-ed whenever it exists: another user of the machine can plant one
there and silently change every keyword (and ``marshal`` is not meant for untrusted bytes —
a crafted file can exhaust memory or crash the interpreter). So the pipeline keeps its
caches here instead:

- the folder is ``$CNIPA_PIPELINE_CACHE`` if set, else ``$XDG_CACHE_HOME/cnipa-pipeline``,
  else ``~/.cache/cnipa-pipeline``; it is created with mode 0700, and a folder (or file)
  owned by another user or writable by group or others is not used at all;
- each file holds a header naming the key it was built for (the caller's digest of its
  sources) and the SHA-256 of its payload; :func:`read` returns the payload only when both
  match, so a stale, truncated or edited file is never unmarshalled, only rebuilt;
- a large file whose parts are used a few at a time may instead be written with ``head``
  (:func:`write` with ``head_size``, :func:`read_head`): the header's SHA-256 then covers the
  head, which must hold the digests of the parts of the rest, and the caller checks each part
  against them before using it (see :mod:`pipeline.jieba_tables`).

Each key has a file of its own (:func:`file_name`: the name with a digest of the key), so two
installs of the pipeline on one machine (a project's venv and a notebook's; keys that differ
by the path of jieba's files) each keep theirs instead of rebuilding the other's away at
every switch. A file read and found intact is marked used (its mtime set to now), and writing
one prunes the name's other files to the :data:`KEEP` used last: the installs in use keep
theirs however many others once wrote one (by write time alone, a machine with more installs
than KEEP, such as a project's worktrees, pruned away a file in daily use and rebuilt it, 2.5 s,
at every switch).

A cache that cannot be used only costs time: callers then build the data in memory.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import mmap
import os
import stat
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

#: The folder name under the XDG cache home.
APP = "cnipa-pipeline"
#: The first line of every cache file; bump the number when the layout changes.
MAGIC = b"cnipa-pipeline cache 1\n"
#: No cache of ours is near this; a larger file is not read at all (it is not ours).
MAX_CACHE_BYTES = 64 * 1024 * 1024
_MAX_HEADER = 4096
#: Files kept per name (one per install that uses the cache; those used last). A jieba
#: tables file is ~27 MB.
KEEP = 4
#: Hex digits of the key's digest in a file's name.
_DIGITS = 16


def folder() -> Path:
    """Where the caches live (not checked or created; see :func:`usable_folder`)."""
    override = os.environ.get("CNIPA_PIPELINE_CACHE")
    if override:
        return Path(override)
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    # The XDG spec: a relative path is invalid and is ignored.
    base = Path(xdg) if os.path.isabs(xdg) else Path.home() / ".cache"
    return base / APP


def file_name(name: str, key: str) -> str:
    """The file cache entry ``name`` for ``key`` is kept in: ``jieba-tables-<digest>.cache``."""
    return _with_digest(name, hashlib.sha256(key.encode()).hexdigest()[:_DIGITS])


def _with_digest(name: str, digest: str) -> str:
    stem, dot, suffix = name.rpartition(".")
    return f"{stem}-{digest}.{suffix}" if dot else f"{name}-{digest}"


def files(name: str, where: Path | None = None) -> list[Path]:
    """The cache folder's (or ``where``'s) files of entry ``name``, for any key, used last first
    (by mtime: set when a file is written, and when it is read intact)."""
    where = where or usable_folder()
    if where is None:
        return []
    found = []
    for path in where.glob(_with_digest(name, "?" * _DIGITS)):
        with contextlib.suppress(OSError):
            st = path.lstat()
            if stat.S_ISREG(st.st_mode) and _trusted(st):
                found.append((st.st_mtime_ns, path))
    return [p for _, p in sorted(found, reverse=True)]


#: Files earlier versions of the pipeline kept in this folder, under names no version reads
#: now (jieba's tables were once three files, then one file per name): removed by any write,
#: so an upgrade does not leave some 20 MB behind.
RETIRED = ("jieba-prefix-dict.cache", "jieba-word-tags.cache", "jieba-idf.cache")


def _prune(name: str, where: Path) -> None:
    """Remove the name's files past the KEEP used last, the one file per name of before, and
    the files of :data:`RETIRED`."""
    for path in [*files(name, where)[KEEP:], where / name, *(where / r for r in RETIRED)]:
        with contextlib.suppress(OSError):
            if stat.S_ISREG(path.lstat().st_mode):
                path.unlink()


def _trusted(st: os.stat_result) -> bool:
    """Owned by us, and nobody else may write to it (or replace its entries)."""
    return st.st_uid == os.geteuid() and not st.st_mode & (stat.S_IWGRP | stat.S_IWOTH)


def usable_folder() -> Path | None:
    """The cache folder, created (mode 0700) if missing; None if it is not safe or not possible.

    Not safe: owned by someone else, or group/world-writable (then another user could put
    or swap files in it). Its parents are created 0700 as the XDG spec asks, but they are not
    judged: ``$CNIPA_PIPELINE_CACHE`` may well sit in ``/tmp``.
    """
    path = folder()
    try:
        missing = [p for p in (path, *path.parents) if not p.exists()]
        for p in reversed(missing):  # Path.mkdir(parents=True) would give the parents 0777 & ~umask
            p.mkdir(mode=0o700, exist_ok=True)
        st = os.stat(path)
    except (OSError, RuntimeError):  # RuntimeError: Path.home() without a home
        return None
    if not stat.S_ISDIR(st.st_mode) or not _trusted(st):
        return None
    return path


def read(name: str, key: str) -> bytes | None:
    """The payload of cache file ``name`` if it was written for ``key`` and is intact, else None."""
    data = _read_file(file_name(name, key))
    if data is None:
        return None
    found = _verified(data, key)
    if found is None or found[0] is not None:  # a head-verified file is only read by read_head
        return None
    _mark_used(file_name(name, key))
    return bytes(found[1])


def read_head(name: str, key: str) -> tuple[bytes, memoryview] | None:
    """The verified head and the rest (not verified: check it against the head's digests) of
    a cache file written for ``key`` with ``head_size``; None if not intact or not such a file.

    The file is mapped, not read: a run uses a few of its parts, so only their pages are
    read (reading all 27 MB of jieba's tables cost a fiftieth of a second). The head is a
    copy, the one that was verified; the rest may change under the mapping (only if someone
    rewrites the file in place; :func:`write` replaces it), so the caller copies a part before
    checking it and uses that copy.
    """
    data = _read_file(file_name(name, key), mapped=True)
    if data is None:
        return None
    found = _verified(data, key)
    if found is None or found[0] is None:
        return None
    _mark_used(file_name(name, key))
    return found[0], found[1]


def _mark_used(name: str) -> None:
    """Set the mtime of cache file ``name`` to now: :func:`files` orders by it, and pruning
    keeps the files used last. A file that cannot be touched stays as it is (it is still used).
    Only after :func:`_read_file` found it there, so the folder is not checked again."""
    with contextlib.suppress(OSError, NotImplementedError):
        os.utime(folder() / name, follow_symlinks=False)


def _read_file(name: str, mapped: bool = False) -> bytes | mmap.mmap | None:
    """The bytes of cache file ``name`` (``mapped``: the file mapped read-only), if it is a
    regular file of ours (else None)."""
    where = usable_folder()
    if where is None:
        return None
    try:
        fd = os.open(where / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or not _trusted(st) or st.st_size > MAX_CACHE_BYTES:
                return None
            if mapped and st.st_size:
                return mmap.mmap(fd, 0, access=mmap.ACCESS_READ)  # the map outlives the fd
            return f.read(MAX_CACHE_BYTES + 1)
        except (OSError, ValueError):
            return None


def _verified(data: bytes | mmap.mmap, key: str) -> tuple[bytes | None, memoryview] | None:
    """(None, payload) of a cache file's bytes if its header names ``key`` and the digest of
    its payload; for a head-verified file (its head, the rest), the head a copy of the bytes
    its digest was checked on."""
    if data[:len(MAGIC)] != MAGIC:
        return None
    end = data.find(b"\n", len(MAGIC), len(MAGIC) + _MAX_HEADER)
    if end < 0:
        return None
    try:
        header = json.loads(data[len(MAGIC):end])
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("key") != key:
        return None
    payload = memoryview(data)[end + 1:]  # not a copy of the whole file
    head = header.get("head")
    if head is not None and not (isinstance(head, int) and 0 <= head <= len(payload)):
        return None
    if header.get("size") != len(payload):
        return None
    if head is None:
        return (None, payload) if hashlib.sha256(payload).hexdigest() == header.get("sha256") else None
    copy = bytes(payload[:head])
    return (copy, payload[head:]) if hashlib.sha256(copy).hexdigest() == header.get("sha256") else None


#: How long :func:`locked` waits for another process's update before going on without it.
LOCK_WAIT_S = 5.0


@contextlib.contextmanager
def locked(name: str) -> Iterator[bool]:
    """Hold the cache folder's lock of entry ``name`` (an advisory ``flock`` on a file beside
    it) for a read-merge-write update; yields whether it is held.

    Processes that merge what the file holds with what they add (pool workers of one run
    ending together) would otherwise each read the file before the other wrote it, and the
    first writer's additions were lost. Not held — no folder, no ``fcntl`` (Windows), or still
    taken after :data:`LOCK_WAIT_S` (a process stopped while holding it) — the update goes on
    unlocked: at worst it loses another's additions, which costs a later run time only.
    """
    where = usable_folder()
    try:
        import fcntl
    except ImportError:
        fcntl = None  # type: ignore[assignment]
    fd = -1
    if where is not None and fcntl is not None:
        with contextlib.suppress(OSError):
            fd = os.open(where / f".{name}.lock",
                         os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600)
    held = False
    if fd >= 0:
        assert fcntl is not None
        deadline = time.monotonic() + LOCK_WAIT_S
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                held = True
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    break
                time.sleep(0.005)
            except OSError:
                break
    try:
        yield held
    finally:
        if fd >= 0:
            os.close(fd)  # closing the descriptor releases the lock


def write(name: str, key: str, payload: bytes | Sequence[bytes],
          head_size: int | None = None) -> bool:
    """Store ``payload`` (bytes, or parts written one after the other) for ``key`` as cache
    file ``name``, atomically; False if not possible.

    With ``head_size``, the digest covers only the first ``head_size`` bytes (see
    :func:`read_head`).
    """
    parts = [payload] if isinstance(payload, bytes) else list(payload)
    size = sum(map(len, parts))
    where = usable_folder()
    if where is None or size > MAX_CACHE_BYTES - _MAX_HEADER:
        return False
    digest = hashlib.sha256()
    left = size if head_size is None else head_size
    for part in parts:
        digest.update(memoryview(part)[:left])
        left -= min(left, len(part))
    fields: dict[str, object] = {"key": key, "size": size, "sha256": digest.hexdigest()}
    if head_size is not None:
        fields["head"] = head_size
    header = json.dumps(fields).encode()
    try:
        # mkstemp: mode 0600, a new name, so a concurrent reader never sees half a file.
        fd, tmp = tempfile.mkstemp(dir=where, prefix=f".{name}.", suffix=".tmp")
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(MAGIC + header + b"\n")
            for part in parts:
                f.write(part)
        os.replace(tmp, where / file_name(name, key))
    except OSError:
        with contextlib.suppress(OSError):  # a leftover temporary file is harmless
            os.unlink(tmp)
        return False
    _prune(name, where)
    return True
