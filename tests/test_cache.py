"""The per-user cache folder: where it is, who may own it, and that only intact files are read."""
from __future__ import annotations

import os
import shutil
import stat

import pytest

from pipeline import cache


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.delenv("CNIPA_PIPELINE_CACHE", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_default_folder_is_in_the_users_cache_home_with_mode_0700(home):
    where = cache.usable_folder()
    assert where == home / ".cache" / "cnipa-pipeline"
    assert _mode(where) == 0o700 and _mode(where.parent) == 0o700


def test_xdg_cache_home_is_used_and_a_relative_one_ignored(home, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.usable_folder() == tmp_path / "xdg" / "cnipa-pipeline"
    assert _mode(tmp_path / "xdg" / "cnipa-pipeline") == 0o700
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/cache")
    assert cache.folder() == home / ".cache" / "cnipa-pipeline"


def test_the_override_is_used_as_it_is(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "mine"))
    assert cache.write("x.cache", "k", b"payload")
    file = tmp_path / "mine" / cache.file_name("x.cache", "k")
    assert file.is_file() and cache.files("x.cache") == [file]
    assert _mode(tmp_path / "mine") == 0o700 and _mode(file) == 0o600
    assert cache.read("x.cache", "k") == b"payload"


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702, 0o1777])
def test_a_folder_others_can_write_is_not_used(home, tmp_path, monkeypatch, mode):
    shared = tmp_path / "shared"
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(shared))
    assert cache.write("x.cache", "k", b"payload")
    os.chmod(shared, mode)
    assert cache.usable_folder() is None
    assert cache.read("x.cache", "k") is None
    assert not cache.write("y.cache", "k", b"payload") and not list(shared.glob("y*"))


def test_a_folder_or_file_owned_by_someone_else_is_not_used(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    assert cache.write("x.cache", "k", b"payload")
    me = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: me + 1)  # now everything there is someone else's
    assert cache.usable_folder() is None and cache.read("x.cache", "k") is None
    monkeypatch.undo()
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    # A file in our folder, written by someone else (here: made writable by others).
    os.chmod(tmp_path / "c" / cache.file_name("x.cache", "k"), 0o666)
    assert cache.read("x.cache", "k") is None


def test_a_symlinked_cache_file_is_not_followed(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    assert cache.write("real.cache", "k", b"payload")
    os.symlink(tmp_path / "c" / cache.file_name("real.cache", "k"),
               tmp_path / "c" / cache.file_name("x.cache", "k"))
    assert cache.read("x.cache", "k") is None


def test_only_an_intact_file_for_the_same_key_is_read(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path))
    assert cache.write("x.cache", "key-1", b"payload " * 100)
    path = tmp_path / cache.file_name("x.cache", "key-1")
    good = path.read_bytes()
    assert cache.read("x.cache", "key-1") == b"payload " * 100
    assert cache.read("x.cache", "key-2") is None  # built from other sources
    assert cache.write("x.cache", "key-2", b"other " * 100)
    # A file under key-1's name that was written for key-2 (renamed, or its header edited).
    shutil.copy(tmp_path / cache.file_name("x.cache", "key-2"), path)
    assert cache.read("x.cache", "key-1") is None
    for damaged in (good[:-1], good + b"x", good[:-5] + b"PAYLO", good.replace(b"sha256", b"sha255"),
                    b"\x00" * len(good), good[len(cache.MAGIC):], b""):
        path.write_bytes(damaged)
        os.chmod(path, 0o600)
        assert cache.read("x.cache", "key-1") is None
    assert cache.read("missing.cache", "key-1") is None
    assert not list(tmp_path.glob(".*.tmp"))  # no temporary files left behind


def test_a_cache_that_cannot_be_created_only_costs_time(home, tmp_path, monkeypatch):
    (tmp_path / "file").write_text("not a folder")
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "file" / "c"))
    assert cache.usable_folder() is None
    assert not cache.write("x.cache", "k", b"payload")
    assert cache.read("x.cache", "k") is None


def test_each_key_keeps_its_own_file_and_writing_keeps_the_newest_few(home, tmp_path,
                                                                      monkeypatch):
    # Two installs (keys that differ by where jieba's files are) alternating: neither
    # rebuilds the other's file away; past KEEP keys the oldest go, and the one file per name
    # of before goes too.
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path))
    (tmp_path / "x.cache").write_bytes(b"the file of before")
    for retired in cache.RETIRED:  # what earlier versions kept here, read by none now
        (tmp_path / retired).write_bytes(b"an earlier version's")
    (tmp_path / "y-0123456789abcdef.cache").write_bytes(b"another name's")
    for n in range(cache.KEEP + 2):
        assert cache.write("x.cache", f"install-{n}", f"payload {n}".encode())
        os.utime(tmp_path / cache.file_name("x.cache", f"install-{n}"), ns=(n, n))  # in order
    kept = range(2, cache.KEEP + 2)
    assert cache.files("x.cache") == [tmp_path / cache.file_name("x.cache", f"install-{n}")
                                      for n in reversed(kept)]
    assert cache.read("x.cache", "install-0") is None and cache.read("x.cache", "install-1") is None
    assert [cache.read("x.cache", f"install-{n}") for n in kept] == [
        f"payload {n}".encode() for n in kept]
    assert not (tmp_path / "x.cache").exists()
    assert not [r for r in cache.RETIRED if (tmp_path / r).exists()]
    assert (tmp_path / "y-0123456789abcdef.cache").read_bytes() == b"another name's"


def test_a_file_read_intact_counts_as_used_and_outlives_files_written_after_it(home, tmp_path,
                                                                               monkeypatch):
    # More installs than KEEP on one machine (a project's worktrees): the one in daily use
    # keeps its file although others wrote theirs later; a file that fails its check is not
    # made to look used.
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path))
    for n in range(cache.KEEP):
        assert cache.write("x.cache", f"install-{n}", f"payload {n}".encode())
        os.utime(tmp_path / cache.file_name("x.cache", f"install-{n}"), ns=(n, n))
    damaged = tmp_path / cache.file_name("x.cache", "install-1")
    damaged.write_bytes(damaged.read_bytes()[:-1] + b"!")
    os.utime(damaged, ns=(1, 1))
    assert cache.read("x.cache", "install-1") is None
    assert damaged.stat().st_mtime_ns == 1
    assert cache.read("x.cache", "install-0") == b"payload 0"  # in use
    assert cache.write("x.cache", "install-new", b"new")  # one more install: one must go
    assert cache.read("x.cache", "install-0") == b"payload 0"
    assert not damaged.exists()
    assert len(cache.files("x.cache")) == cache.KEEP
    assert cache.files("x.cache")[0] == tmp_path / cache.file_name("x.cache", "install-0")


def test_the_lock_is_held_by_one_at_a_time_and_a_stuck_holder_only_delays(home, tmp_path,
                                                                          monkeypatch):
    # flock locks belong to an open file description: a second open of the lock file, as
    # another process makes, waits for the first to let go, or goes on unlocked after the wait.
    import threading

    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path))
    monkeypatch.setattr(cache, "LOCK_WAIT_S", 0.05)
    with cache.locked("x.cache") as first:
        assert first
        with cache.locked("x.cache") as second:
            assert not second  # taken: after the wait it goes on without
    with cache.locked("x.cache") as again:
        assert again  # let go when the first closed it
    order: list[str] = []
    monkeypatch.setattr(cache, "LOCK_WAIT_S", 5.0)
    with cache.locked("x.cache") as held:
        assert held
        def take() -> None:
            with cache.locked("x.cache") as got:
                order.append(f"other {got}")

        other = threading.Thread(target=take)
        other.start()
        other.join(0.2)
        order.append("first lets go")
    other.join()
    assert order == ["first lets go", "other True"]
    assert not list(tmp_path.glob("x-*.cache"))  # the lock is no cache file
