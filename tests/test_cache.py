"""The per-user cache folder: where it is, who may own it, and that only intact files are read."""
from __future__ import annotations

import os
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
    assert (tmp_path / "mine" / "x.cache").is_file()
    assert _mode(tmp_path / "mine") == 0o700 and _mode(tmp_path / "mine" / "x.cache") == 0o600
    assert cache.read("x.cache", "k") == b"payload"


@pytest.mark.parametrize("mode", [0o777, 0o770, 0o702, 0o1777])
def test_a_folder_others_can_write_is_not_used(home, tmp_path, monkeypatch, mode):
    shared = tmp_path / "shared"
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(shared))
    assert cache.write("x.cache", "k", b"payload")
    os.chmod(shared, mode)
    assert cache.usable_folder() is None
    assert cache.read("x.cache", "k") is None
    assert not cache.write("y.cache", "k", b"payload") and not (shared / "y.cache").exists()


def test_a_folder_or_file_owned_by_someone_else_is_not_used(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    assert cache.write("x.cache", "k", b"payload")
    me = os.geteuid()
    monkeypatch.setattr(os, "geteuid", lambda: me + 1)  # now everything there is someone else's
    assert cache.usable_folder() is None and cache.read("x.cache", "k") is None
    monkeypatch.undo()
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    # A file in our folder, written by someone else (here: made writable by others).
    os.chmod(tmp_path / "c" / "x.cache", 0o666)
    assert cache.read("x.cache", "k") is None


def test_a_symlinked_cache_file_is_not_followed(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path / "c"))
    assert cache.write("real.cache", "k", b"payload")
    os.symlink(tmp_path / "c" / "real.cache", tmp_path / "c" / "x.cache")
    assert cache.read("x.cache", "k") is None


def test_only_an_intact_file_for_the_same_key_is_read(home, tmp_path, monkeypatch):
    monkeypatch.setenv("CNIPA_PIPELINE_CACHE", str(tmp_path))
    assert cache.write("x.cache", "key-1", b"payload " * 100)
    path = tmp_path / "x.cache"
    good = path.read_bytes()
    assert cache.read("x.cache", "key-1") == b"payload " * 100
    assert cache.read("x.cache", "key-2") is None  # built from other sources
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
