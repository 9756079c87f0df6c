"""File storage: all-or-nothing writes under random keys, hostile keys refused, sweep."""

from __future__ import annotations

import io
import os
import time

import pytest

from portal.core.storage import (
    TEMP_PREFIX,
    FileTooLarge,
    LocalStorage,
    StorageFileNotFound,
    StorageKeyError,
    get_storage,
)


@pytest.fixture
def storage(tmp_path):
    return LocalStorage(tmp_path / "files")


def files_in(storage: LocalStorage) -> list[str]:
    return sorted(os.listdir(storage.root)) if storage.root.exists() else []


@pytest.mark.parametrize(
    "make",
    [
        lambda: b"%PDF-1.7 hello",
        lambda: io.BytesIO(b"%PDF-1.7 hello"),
        lambda: iter([b"%PDF-1.7", b" hello"]),
        lambda: bytearray(b"%PDF-1.7 hello"),
    ],
    ids=["bytes", "stream", "chunks", "bytearray"],
)
def test_round_trip(storage, make):
    key = storage.save(make(), suffix=".pdf")
    assert key.endswith(".pdf")
    assert storage.exists(key)
    assert storage.read(key) == b"%PDF-1.7 hello"
    with storage.open(key) as f:
        assert f.read(4) == b"%PDF"
    assert storage.size(key) == 14
    assert files_in(storage) == [key]


def test_large_streams_are_copied_in_chunks(storage):
    blob = os.urandom(1_000_000)
    key = storage.save(io.BytesIO(blob))
    assert storage.read(key) == blob


def test_keys_are_random_and_distinct(storage):
    keys = {storage.save(b"same") for _ in range(50)}
    assert len(keys) == 50
    assert all(len(key) >= 32 for key in keys)


@pytest.mark.parametrize("suffix", ["pdf", "../x", ".p/df", ".tar.gz", "." + "a" * 11, ".pdf\x00", ". "])
def test_unsafe_suffixes_are_refused(storage, suffix):
    with pytest.raises(StorageKeyError):
        storage.save(b"x", suffix=suffix)
    assert files_in(storage) == []


def test_suffix_is_lower_cased(storage):
    assert storage.save(b"x", suffix=".PDF").endswith(".pdf")


HOSTILE_KEYS = [
    "",
    ".",
    "..",
    "../secret",
    "../../etc/passwd",
    "/etc/passwd",
    "a/b",
    "a\\b",
    "%2e%2e%2fsecret",
    "abc",
    "x" * 22 + "/../y",
    "x" * 22 + "\x00",
    "x" * 22 + "\n",
    "x" * 22 + ".",
    ".tmp-0123456789abcdef",
    "x" * 500,
]


@pytest.mark.parametrize("key", HOSTILE_KEYS)
def test_hostile_keys_are_refused_by_every_method(storage, key, tmp_path):
    (tmp_path / "secret").write_bytes(b"secret")
    for method in (storage.open, storage.read, storage.delete, storage.exists, storage.size):
        with pytest.raises(StorageKeyError):
            method(key)


def test_keys_that_are_not_strings_are_refused(storage):
    with pytest.raises(StorageKeyError):
        storage.read(None)  # type: ignore[arg-type]


def test_size_limit_leaves_no_file_and_no_temporary_file(storage):
    with pytest.raises(FileTooLarge, match="10 bytes"):
        storage.save(b"x" * 11, max_size=10)
    with pytest.raises(FileTooLarge):
        storage.save(iter([b"x" * 6, b"x" * 6]), max_size=10)
    assert files_in(storage) == []
    key = storage.save(b"x" * 10, max_size=10)  # exactly the limit is fine
    assert files_in(storage) == [key]


def test_a_failed_write_leaves_nothing(storage):
    def chunks():
        yield b"first part"
        raise OSError("connection reset while uploading")

    with pytest.raises(OSError, match="connection reset"):
        storage.save(chunks(), suffix=".pdf")
    assert files_in(storage) == []

    class BrokenStream(io.RawIOBase):
        calls = 0

        def readable(self):
            return True

        def read(self, size=-1):
            self.calls += 1
            if self.calls > 2:
                raise ValueError("stream broke")
            return b"y" * 100

    with pytest.raises(ValueError, match="stream broke"):
        storage.save(BrokenStream())
    assert files_in(storage) == []


def test_missing_files(storage):
    key = storage.save(b"x")
    storage.delete(key)
    assert not storage.exists(key)
    with pytest.raises(StorageFileNotFound):
        storage.read(key)
    with pytest.raises(FileNotFoundError):  # also a FileNotFoundError, for callers that expect one
        storage.size(key)


def test_delete_is_idempotent(storage):
    key = storage.save(b"x")
    storage.delete(key)
    storage.delete(key)
    assert files_in(storage) == []


def test_sweep_removes_old_temporary_files_only(storage):
    key = storage.save(b"keep me")
    old = storage.root / f"{TEMP_PREFIX}0000000000000000"
    fresh = storage.root / f"{TEMP_PREFIX}1111111111111111"
    old.write_bytes(b"left by a crash")
    fresh.write_bytes(b"being written")
    an_hour_ago = time.time() - 3601
    os.utime(old, (an_hour_ago, an_hour_ago))
    os.utime(storage.root / key, (an_hour_ago, an_hour_ago))
    assert storage.sweep(older_than=3600) == 1
    assert sorted(files_in(storage)) == sorted([key, fresh.name])
    assert storage.read(key) == b"keep me"


def test_sweep_without_a_root_does_nothing(storage):
    assert storage.sweep() == 0
    assert not storage.root.exists()


def test_root_is_created_on_first_write(storage):
    assert not storage.root.exists()
    storage.save(b"x")
    assert storage.root.is_dir()


def test_get_storage_defaults_to_the_instance_folder_and_is_cached(app):
    saved = app.extensions.pop("storage", None)
    try:
        with app.app_context():
            storage = get_storage()
            assert isinstance(storage, LocalStorage)
            expected = os.path.realpath(os.path.join(app.instance_path, "storage"))
            if not app.config.get("STORAGE_PATH"):
                assert str(storage.root) == expected
            assert "static" not in storage.root.parts
            assert get_storage() is storage
    finally:
        app.extensions.pop("storage", None)
        if saved is not None:
            app.extensions["storage"] = saved


def test_get_storage_follows_the_configuration(app, tmp_path):
    saved = app.extensions.pop("storage", None), dict(app.config)
    try:
        app.config.update(STORAGE_BACKEND="local", STORAGE_PATH=str(tmp_path / "configured"))
        with app.app_context():
            storage = get_storage()
            assert storage.root == (tmp_path / "configured").resolve()
        app.extensions.pop("storage")
        app.config["STORAGE_BACKEND"] = "s3"
        with app.app_context(), pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
            get_storage()
    finally:
        app.extensions.pop("storage", None)
        app.config.clear()
        app.config.update(saved[1])
        if saved[0] is not None:
            app.extensions["storage"] = saved[0]
