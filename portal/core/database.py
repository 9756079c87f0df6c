"""Engine set-up per database: SQLite gets real transactions, foreign keys and WAL."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine

from ..extensions import db

_installed = False
_Statement = TypeVar("_Statement")


def prepared(build: Callable[[], _Statement]) -> Callable[[], _Statement]:
    """A statement built once per process, its varying values as `sa.bindparam`s given at execution
    (`db.session.scalar(stmt(), {"organisation_id": 3})`): for the queries pages run on every request.
    SQLAlchemy then neither builds it again nor recomputes its cache key, which is most of a small
    query's cost: `latest_application` (a select with a joinedload) took 0.39 ms built per call and
    0.11 ms prepared, in process on SQLite (issue 15)."""
    return functools.cache(build)


_immediate: ContextVar[bool] = ContextVar("sqlite_begin_immediate", default=False)


def sqlite_file(uri: str) -> Path | None:
    """The file of a SQLite URL (plain or `file:` URI form), None for memory or another engine."""
    if not uri.startswith("sqlite:///") or ":memory:" in uri:
        return None
    return Path(uri[len("sqlite:///") :].split("?", 1)[0].removeprefix("file:"))


def _on_connect(dbapi_connection: Any, connection_record: Any) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        # Let SQLAlchemy emit BEGIN itself, so SAVEPOINT and transactional DDL work (pysqlite quirk).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _on_begin(connection: Any) -> None:
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _immediate.get() else "BEGIN")


def configure_engines(app: Flask) -> None:
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _on_connect)
        event.listen(Engine, "begin", _on_begin)
        _installed = True


def lock_for_update(row: Any) -> None:
    """Re-read a row under SELECT ... FOR UPDATE, after flushing so that no pending change is lost
    (a plain refresh would overwrite it). SQLite has no row locks: see `begin_write`."""
    db.session.flush()
    # OF the row's own table: a refresh repeats the eager joins the row was loaded with (the viewer's
    # organisation comes with its membership), and PostgreSQL refuses FOR UPDATE on the nullable
    # side of an outer join; only this row needs the lock anyway.
    db.session.refresh(row, with_for_update={"of": sa.inspect(row).mapper.local_table})


def begin_write() -> None:
    """Start the request's transaction as a writer, before a use case that reads then writes
    under contention (signing, accepting). SQLite then takes its write lock at BEGIN (IMMEDIATE)
    and concurrent requests queue for it (busy_timeout) instead of failing with "database is
    locked" when they upgrade a read snapshot; PostgreSQL needs nothing (row locks do the work).
    Every writing request calls it first (core.web); it ends the current (read-only) transaction."""
    if db.session.get_bind().dialect.name != "sqlite":
        return
    db.session.rollback()
    token = _immediate.set(True)
    try:
        db.session.connection()
    finally:
        _immediate.reset(token)


def insert_if_absent(model: Any, **values: Any) -> bool:
    """`INSERT ... ON CONFLICT DO NOTHING` in the current transaction, on SQLite and PostgreSQL.

    True only for the one transaction whose row went in: concurrent callers with the same key
    wait for it, then get False. The basis of exactly-once effects (webhook events, reminders).
    """
    dialect = sqlite if db.session.get_bind().dialect.name == "sqlite" else postgresql
    key = next(iter(model.__table__.primary_key.columns))
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing().returning(key)
    return db.session.execute(statement).scalar_one_or_none() is not None


def next_in_sequence(model: Any, year: int) -> int:
    """The next number of a yearly counter table (`year`, `last_number`), gap-free: the row is
    locked by the UPDATE until the caller's transaction ends, and a rollback gives the number back."""
    insert_if_absent(model, year=year, last_number=0)
    return db.session.execute(
        sa.update(model)
        .where(model.year == year)
        .values(last_number=model.last_number + 1)
        .returning(model.last_number)
    ).scalar_one()
