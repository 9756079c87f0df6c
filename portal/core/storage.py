"""File storage behind one interface: uploads, attachments and generated files live here, never
under `portal/static/`.

    from portal.core.storage import get_storage
    key = get_storage().save(upload.stream, suffix=".pdf", max_size=10 * 1024 * 1024)
    ...
    with get_storage().open(key) as f: ...

Keys are random and unguessable (``secrets.token_urlsafe``) plus a short safe suffix; a caller
stores the key in its own row and serves the file only through a permission-checked view. A key
that was not made by `save` (``..``, slashes, absolute paths, odd characters) raises
`StorageKeyError` before any file system access.

The backend is chosen by config: ``STORAGE_BACKEND`` ("local", the default) and, for the local
backend, ``STORAGE_PATH`` (default ``<instance path>/storage``). `get_storage()` builds the
configured backend once per app and keeps it in ``app.extensions["storage"]``.

Another backend (for example S3-compatible object storage, when several app servers share
files) plugs in without touching callers: subclass `Storage`, implement the abstract methods
with the same contract (the object name is the key; a failed or too large upload leaves no
object), give it a ``from_config(app)`` class method, and register it under a name::

    @register_backend("s3")
    class S3Storage(Storage):
        @classmethod
        def from_config(cls, app): return cls(bucket=app.config["STORAGE_BUCKET"], ...)
        ...

then set ``STORAGE_BACKEND=s3``. Callers only ever see `get_storage()` and this interface.
"""

from __future__ import annotations

import abc
import contextlib
import os
import re
import secrets
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any, BinaryIO

from flask import Flask, current_app

CHUNK = 64 * 1024
TEMP_PREFIX = ".tmp-"
_KEY = re.compile(r"[A-Za-z0-9_-]{22,64}(?:\.[A-Za-z0-9]{1,10})?")
_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,10}")

Data = bytes | bytearray | memoryview | IO[bytes] | Iterable[bytes]


class StorageError(Exception):
    """Base class of storage failures callers may want to handle."""


class StorageKeyError(StorageError, ValueError):
    """The key is not one this storage could have generated (refused before any file access)."""


class FileTooLarge(StorageError):
    """The data is larger than the allowed maximum; nothing was stored."""

    def __init__(self, max_size: int) -> None:
        super().__init__(f"the file is larger than the maximum of {max_size} bytes")
        self.max_size = max_size


class StorageFileNotFound(StorageError, FileNotFoundError):
    """No file is stored under this key."""


def new_key(suffix: str = "") -> str:
    """A random key (128+ bits) with the given suffix, which must look like ``.pdf`` (or be empty)."""
    suffix = suffix.lower()
    if suffix and not _SUFFIX.fullmatch(suffix):
        raise StorageKeyError(f"unsafe file suffix: {suffix[:20]!r}")
    return secrets.token_urlsafe(24) + suffix


def check_key(key: str) -> str:
    """Return the key if it has the shape of a generated key, else raise `StorageKeyError`."""
    if not isinstance(key, str) or not _KEY.fullmatch(key):
        raise StorageKeyError("invalid storage key")
    return key


def _chunks(data: Data) -> Iterable[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data)
    elif hasattr(data, "read"):
        while chunk := data.read(CHUNK):  # type: ignore[union-attr]
            yield chunk
    else:
        yield from data  # type: ignore[misc]


class Storage(abc.ABC):
    """What every backend offers. Keys come from `save`; all methods validate them."""

    @abc.abstractmethod
    def save(self, data: Data, *, suffix: str = "", max_size: int | None = None) -> str:
        """Store bytes, a binary stream or an iterable of byte chunks; return the new key.
        All or nothing: on any error (including `FileTooLarge`) nothing is left behind."""

    @abc.abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A binary file object for reading (the caller closes it)."""

    def read(self, key: str) -> bytes:
        with self.open(key) as f:
            return f.read()

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the file; a missing file is not an error (idempotent)."""

    @abc.abstractmethod
    def exists(self, key: str) -> bool: ...

    @abc.abstractmethod
    def size(self, key: str) -> int: ...

    @classmethod
    @abc.abstractmethod
    def from_config(cls, app: Flask) -> Storage:
        """Build the backend from the app's configuration."""


BACKENDS: dict[str, type[Storage]] = {}


def register_backend(name: str) -> Callable[[type[Storage]], type[Storage]]:
    def register(cls: type[Storage]) -> type[Storage]:
        BACKENDS[name] = cls
        return cls

    return register


@register_backend("local")
class LocalStorage(Storage):
    """Files on local disk under one root directory (created on first write), flat, one file per key.

    A write goes to a temporary file in the same directory, is flushed and fsynced, then renamed
    into place with `os.replace`, so readers never see a partial file and a failed write leaves
    only a temporary file at worst (a crash); `sweep` removes those.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()

    @classmethod
    def from_config(cls, app: Flask) -> LocalStorage:
        return cls(app.config.get("STORAGE_PATH") or Path(app.instance_path) / "storage")

    def path(self, key: str) -> Path:
        path = self.root / check_key(key)
        if path.parent != self.root:  # cannot happen for a valid key; a second guard all the same
            raise StorageKeyError("invalid storage key")
        return path

    def save(self, data: Data, *, suffix: str = "", max_size: int | None = None) -> str:
        key = new_key(suffix)
        target = self.path(key)
        self.root.mkdir(parents=True, exist_ok=True)
        temp = self.root / f"{TEMP_PREFIX}{secrets.token_hex(8)}"
        try:
            with temp.open("xb") as f:
                written = 0
                for chunk in _chunks(data):
                    written += len(chunk)
                    if max_size is not None and written > max_size:
                        raise FileTooLarge(max_size)
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
            os.replace(temp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                temp.unlink()
            raise
        return key

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path(key).open("rb")
        except FileNotFoundError:
            raise StorageFileNotFound(key) from None

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.path(key).unlink()

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self.path(key).stat().st_size
        except FileNotFoundError:
            raise StorageFileNotFound(key) from None

    def sweep(self, older_than: float = 3600) -> int:
        """Remove temporary files left by interrupted writes, older than `older_than` seconds
        (so that writes in progress are spared). Returns how many were removed."""
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - older_than
        removed = 0
        for entry in self.root.iterdir():
            if entry.name.startswith(TEMP_PREFIX) and entry.is_file() and entry.stat().st_mtime <= cutoff:
                with contextlib.suppress(FileNotFoundError):
                    entry.unlink()
                    removed += 1
        return removed


def build_storage(app: Flask) -> Storage:
    name = app.config.get("STORAGE_BACKEND") or "local"
    try:
        backend = BACKENDS[name]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise RuntimeError(f"STORAGE_BACKEND must be one of {known}, not {name!r}") from None
    return backend.from_config(app)


def get_storage(app: Flask | None = None) -> Storage:
    """The configured storage of the current app (built on first use, then cached)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    storage: Any = app.extensions.get("storage")
    if storage is None:
        storage = app.extensions["storage"] = build_storage(app)
    return storage
