"""Issue 9, point 10: when the database or the disk cannot serve, pages answer the 503 page with
Retry-After (never a 500 or a bare server page), the error pages render without the database, and
/healthz says which part fails. Real failures: a database nobody serves, a SQLite file opened
read-only, a SQLite database at its size limit, a write lock held by another connection, a
PostgreSQL database set read-only, and /dev/full."""

from __future__ import annotations

import re
import sqlite3
import time

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from portal import create_app
from portal.core.errors import is_unavailable
from portal.core.models import AuditEvent
from portal.extensions import db

from ..support.smtp import refusing_port

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')
SECURITY_HEADERS = ("Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "X-Request-ID")


@pytest.fixture
def own_sessions(monkeypatch):
    """Real transactions on the app under test, not the suite's rolled-back one."""
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))


def app_on(url: str, **overrides):
    return create_app("testing", {"DATABASE_URL": url, **overrides})


def migrated(url: str, **overrides):
    app = app_on(url, **overrides)
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return app


def assert_unavailable_page(response) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "30"
    for header in SECURITY_HEADERS:
        assert header in response.headers, header
    page = response.get_data(as_text=True)
    assert "Temporarily unavailable" in page
    assert response.headers["X-Request-ID"] in page  # the reference to quote
    assert "/brand.css" in page  # the site's own page, not the plain fallback


def unreachable_urls():
    with refusing_port() as port:
        yield {
            "postgresql": f"postgresql://postgres@127.0.0.1:{port}/liaison",
            "sqlite": "sqlite:////proc/no-such-folder/liaison.db",  # cannot be created, cannot be opened
        }


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_a_database_nobody_serves_gives_the_503_page_to_visitors_and_signed_in_users(engine, own_sessions):
    for urls in unreachable_urls():
        app = app_on(urls[engine])
        client = app.test_client()
        assert_unavailable_page(client.get("/tiers"))  # a page that reads
        with client.session_transaction() as session:  # a signed-in partner's cookie
            session["_user_id"] = "1:0"
            session["_fresh"] = True
            session["auth_at"] = session["seen_at"] = time.time()
        response = client.get("/dashboard")
        assert_unavailable_page(response)
        assert "Sign out" not in response.get_data(as_text=True)  # nobody could be loaded
        assert client.get("/healthz").json["database"] == "unavailable"


def make_read_only(url: str, tmp_path) -> str:
    """The URL of the same, migrated database, now read-only: a SQLite file opened read-only, or a
    PostgreSQL database whose transactions are read-only (as on a replica)."""
    if url.startswith("sqlite"):
        return f"sqlite:///file:{url[len('sqlite:///') :]}?mode=ro&uri=true"
    name = sa.engine.make_url(url).database
    admin = sa.create_engine(
        url.replace("postgresql://", "postgresql+psycopg://", 1), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(sa.text(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    admin.dispose()
    return url


def test_a_read_only_database_refuses_writes_with_503_and_healthz_says_read_only(
    scratch_database, tmp_path, own_sessions
):
    migrated(scratch_database)
    app = app_on(make_read_only(scratch_database, tmp_path))
    client = app.test_client()
    page = client.get("/signup")
    assert page.status_code == 200  # reading still works
    token = CSRF.search(page.get_data(as_text=True)).group(1)
    form = {
        "csrf_token": token,
        "legal_name": "Ro GmbH",
        "country": "DE",
        "full_name": "Ro Ro",
        "email": "a@ro.example",
        "password": "correct horse battery staple 9",
        "confirm": "correct horse battery staple 9",
        "accept": "y",
    }
    response = client.post("/signup", data=form)
    assert_unavailable_page(response)
    health = client.get("/healthz")
    assert health.status_code == 503
    assert health.headers["Retry-After"] == "30"
    assert health.json == {"status": "error", "database": "read-only", "disk": "ok"}
    with app.app_context():
        db.engine.dispose()


def with_test_write_route(app):
    @app.post("/test-only/write")
    def big_write():
        db.session.add(AuditEvent(action="test.write", details={"filler": "x" * 200_000}))
        db.session.commit()
        return "written"

    return app


def test_a_full_sqlite_database_answers_503_and_keeps_serving_reads(tmp_path, own_sessions):
    path = tmp_path / "liaison.db"
    app = with_test_write_route(migrated(f"sqlite:///{path}", WTF_CSRF_ENABLED=False))
    with sqlite3.connect(path) as conn:
        pages = conn.execute("PRAGMA page_count").fetchone()[0]

    @sa.event.listens_for(app_engine(app), "connect")
    def at_its_limit(dbapi_connection, _record):  # what a full disk looks like to SQLite
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")

    client = app.test_client()
    assert_unavailable_page(client.post("/test-only/write"))
    assert client.get("/tiers").status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "test.write")) == 0


def app_engine(app):
    with app.app_context():
        return db.engine


def test_a_write_lock_held_elsewhere_answers_503_after_the_busy_timeout(tmp_path, own_sessions):
    path = tmp_path / "liaison.db"
    app = with_test_write_route(migrated(f"sqlite:///{path}", WTF_CSRF_ENABLED=False))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing and does not finish
    try:
        started = time.monotonic()
        response = app.test_client().post("/test-only/write")
        waited = time.monotonic() - started
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert_unavailable_page(response)
    assert waited >= 4  # it queued for the lock (busy_timeout) before giving up


def test_healthz_answers_503_when_a_disk_it_writes_to_is_nearly_full(tmp_path, own_sessions):
    app = migrated(f"sqlite:///{tmp_path / 'liaison.db'}", STORAGE_PATH=str(tmp_path / "files"))
    client = app.test_client()
    assert client.get("/healthz").json == {"status": "ok", "database": "ok", "disk": "ok"}
    app.config["HEALTH_MIN_FREE_MB"] = 1 << 40  # more than any disk here has free
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json["disk"] == "full: database, storage"


def test_a_full_disk_under_file_storage_answers_503(own_sessions):
    app = app_on("sqlite://")

    @app.post("/test-only/store")
    def store():
        with open("/dev/full", "wb") as full:
            full.write(b"%PDF-1.7 ...")
        return "stored"

    with pytest.raises(OSError) as raised, open("/dev/full", "wb") as full:
        full.write(b"x")
    assert is_unavailable(raised.value)
    app.config["WTF_CSRF_ENABLED"] = False
    assert_unavailable_page(app.test_client().post("/test-only/store"))


def test_a_bug_stays_a_500_and_is_not_called_unavailable(own_sessions):
    app = app_on("sqlite://")

    @app.get("/test-only/bug")
    def bug():
        db.session.execute(sa.text("SELECT * FROM no_such_table"))
        return "never"

    response = app.test_client().get("/test-only/bug")
    assert response.status_code == 500
    assert "Retry-After" not in response.headers


def test_the_error_page_still_answers_with_headers_when_its_template_fails(own_sessions):
    app = app_on("sqlite://")

    @app.context_processor
    def broken():
        raise RuntimeError("the page environment is broken")

    @app.get("/test-only/boom")
    def boom():
        raise ValueError("boom")

    response = app.test_client().get("/test-only/boom")
    assert response.status_code == 500
    for header in SECURITY_HEADERS:
        assert header in response.headers, header
    page = response.get_data(as_text=True)
    assert "Something went wrong" in page
    assert response.headers["X-Request-ID"] in page
    assert "boom" not in page
