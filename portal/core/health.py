"""What /healthz checks: the database answers and accepts writes, and the disks it writes to have room.

A load balancer takes an instance out of rotation on a 503, so each check says which part fails
(`unavailable`, `read-only`, `busy`, `full`) instead of "ok" while every write would fail.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from ..extensions import db
from .database import begin_write, sqlite_file
from .errors import unavailable_reason
from .storage import LocalStorage


def database_state() -> str:
    """`ok`, or why writes would fail now. The probe writes nothing: an UPDATE of alembic's own
    row to itself, rolled back, is enough for a read-only or locked database to say so."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        begin_write()  # SQLite: the write lock, as every writing request takes it
        if db.session.get_bind().dialect.name == "postgresql":
            db.session.execute(sa.text("SET LOCAL lock_timeout = '2s'"))
        db.session.execute(sa.text("UPDATE alembic_version SET version_num = version_num"))
    except sa.exc.SQLAlchemyError as exc:
        db.session.rollback()
        return unavailable_reason(exc) or "error"
    db.session.rollback()
    return "ok"


def watched_paths() -> dict[str, Path]:
    """The folders this instance writes to: the SQLite file's folder and local file storage."""
    paths: dict[str, Path] = {}
    database_file = sqlite_file(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if database_file is not None:
        paths["database"] = database_file.parent
    paths["storage"] = LocalStorage.from_config(current_app).root
    return paths


def full_disks() -> list[str]:
    """Names of the watched folders whose file system has less than HEALTH_MIN_FREE_MB left."""
    minimum = current_app.config["HEALTH_MIN_FREE_MB"] * 1024 * 1024
    full = []
    for name, path in watched_paths().items():
        existing = next((p for p in (path, *path.parents) if p.exists()), None)
        if existing is not None and shutil.disk_usage(existing).free < minimum:
            full.append(name)
    return full


def health() -> tuple[dict[str, str], bool]:
    """The /healthz body and whether everything is fine."""
    body = {"database": database_state()}
    full = full_disks()
    body["disk"] = "full: " + ", ".join(full) if full else "ok"
    healthy = body["database"] == "ok" and not full
    body["status"] = "ok" if healthy else "error"
    return body, healthy
