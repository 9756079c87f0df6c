"""Test set-up: one app per session, one outer transaction per test (savepoints inside).

Runs on SQLite by default; set TEST_DATABASE_URL to run the same suite on PostgreSQL.
The schema is built by the real migrations, CSRF stays on, and the rate limiter is real.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from flask_sqlalchemy.session import Session as FlaskSession

from portal import create_app
from portal.catalog.services import results_cache
from portal.extensions import db, limiter

from .support.browser import Browser
from .support.stripe_fake import FakeStripe
from .support.stripe_support import PRICE, configure, make_approved

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")
# "gw0", "gw1", ... in a pytest-xdist worker; "" in a run without workers.
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


class BoundSession(FlaskSession):
    """A Flask-SQLAlchemy session that uses the connection it was given (the test transaction)."""

    def get_bind(self, mapper=None, clause=None, bind=None, **kwargs):
        if self.bind is not None:
            return self.bind
        return super().get_bind(mapper=mapper, clause=clause, bind=bind, **kwargs)


def reset_postgres_schema() -> None:
    with db.engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))


def psycopg_url(url: str) -> sa.engine.URL:
    return sa.engine.make_url(url.replace("postgresql://", "postgresql+psycopg://", 1))


@contextmanager
def postgres_admin(url: sa.engine.URL) -> Iterator[sa.Connection]:
    """An AUTOCOMMIT connection to the server's `postgres` maintenance database."""
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def create_database(url: sa.engine.URL, name: str) -> None:
    with postgres_admin(url) as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))


def drop_database(url: sa.engine.URL, name: str) -> None:
    with postgres_admin(url) as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """The suite's database. Each xdist worker has its own: a SQLite file in the worker's
    temporary folder, or on PostgreSQL `<TEST_DATABASE_URL's database>_<worker>` (for example
    liaison_ci_gw0), created here and dropped at the end of the session. A run without workers
    uses TEST_DATABASE_URL's database itself (its schema is reset)."""
    if not TEST_DATABASE_URL:
        suffix = f"-{WORKER}" if WORKER else ""
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / f'liaison-test{suffix}.db'}"
        return
    if not WORKER:
        yield TEST_DATABASE_URL
        return
    url = psycopg_url(TEST_DATABASE_URL)
    name = f"{url.database}_{WORKER}"
    create_database(url, name)
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(url, name)


@pytest.fixture(scope="session")
def app(database_url):
    app = create_app("testing", {"DATABASE_URL": database_url})
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            reset_postgres_schema()
        upgrade()
        db.engine.dispose()
    yield app
    with app.app_context():
        db.engine.dispose()  # close pooled connections before the interpreter does


@pytest.fixture(autouse=True)
def isolated_db(app):
    """Every test runs inside a transaction that is rolled back at the end."""
    with app.app_context():
        connection = db.engine.connect()
    transaction = connection.begin()
    original = db.session
    db.session = db._make_scoped_session(
        {"bind": connection, "join_transaction_mode": "create_savepoint", "class_": BoundSession}
    )
    limiter.reset()
    results_cache.clear()  # entries of another test's (rolled-back) catalog
    # Flask-Limiter keeps `enabled` on the one global limiter: an app a test made with the limiter
    # off (concurrency tests) must not switch it off for the tests after it.
    limiter.enabled = app.config["RATELIMIT_ENABLED"]
    app.extensions["mail_sent"] = []
    try:
        yield connection
    finally:
        with app.app_context():
            db.session.remove()
        db.session = original
        transaction.rollback()
        connection.close()


@pytest.fixture
def scratch_database(database_url, tmp_path):
    """An empty database of the same engine as the suite's (per worker: its name is derived from
    the worker's own database, e.g. liaison_ci_gw0_scratch)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'scratch.db'}"
        return
    url = psycopg_url(database_url)
    name = f"{url.database}_scratch"
    create_database(url, name)
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        drop_database(url, name)


@pytest.fixture
def ctx(app):
    """An application context for code that calls services or queries directly."""
    with app.app_context() as context:
        yield context


@pytest.fixture
def browser(app) -> Browser:
    return Browser(app)


@pytest.fixture
def make_browser(app):
    return lambda: Browser(app)


@pytest.fixture
def fake():
    with FakeStripe() as server:
        server.add_price(PRICE, 25_000_00)
        yield server
        assert server.errors == []


@pytest.fixture
def stripe_app(app, fake):
    saved = configure(app, fake)
    yield app
    app.config.update(saved)
    app.extensions.pop("stripe_client", None)


@pytest.fixture
def approved(stripe_app, ctx):
    return make_approved(stripe_app)
