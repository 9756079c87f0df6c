"""Configuration, health check, CLI commands, migrations and query budgets."""

from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from portal import create_app
from portal.auth.models import PlatformRole, User
from portal.core.search import include_in_autogenerate
from portal.extensions import db
from portal.partners.models import Organisation

from ..support.browser import Browser, location
from ..support.factories import commit, make_organisation, make_partner, make_staff

# --- configuration ---------------------------------------------------------------------------


STRONG = "x" * 48
PRODUCTION = {
    "SECRET_KEY": STRONG,
    "DATABASE_URL": "sqlite://",
    "BASE_URL": "https://p.example",
    "MAIL_BACKEND": "smtp",
    "RATELIMIT_SINGLE_PROCESS": True,  # one process in a test
}


@pytest.mark.parametrize(
    ("overrides", "problem"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY"),
        ({"DATABASE_URL": None}, "DATABASE_URL"),
        ({"BASE_URL": None}, "BASE_URL"),
        ({"DEBUG": True}, "debug"),
        ({"MAIL_BACKEND": "console"}, "MAIL_BACKEND"),
        ({"RATELIMIT_SINGLE_PROCESS": False}, "RATELIMIT_STORAGE_URI"),
    ],
)
def test_production_refuses_to_start_without_required_settings(overrides, problem):
    good = {**PRODUCTION, "BASE_URL": "https://partners.example"}
    with pytest.raises(RuntimeError, match=problem):
        create_app("production", {**good, **overrides})


def test_production_takes_shared_rate_limit_storage_without_the_single_process_flag():
    """Issue 9, point 14: memory:// multiplies the limits by the number of workers."""
    from config import ProductionConfig

    shared = {
        **PRODUCTION,
        "RATELIMIT_SINGLE_PROCESS": False,
        "RATELIMIT_STORAGE_URI": "redis://cache:6379/0",
    }
    assert not any("RATELIMIT" in problem for problem in ProductionConfig.problems(shared))
    alone = {**PRODUCTION, "RATELIMIT_SINGLE_PROCESS": False, "RATELIMIT_STORAGE_URI": "memory://"}
    assert any("RATELIMIT_STORAGE_URI" in problem for problem in ProductionConfig.problems(alone))


def test_production_cookie_flags():
    app = create_app("production", PRODUCTION)
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["REMEMBER_COOKIE_SECURE"]
    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert not app.debug
    response = app.test_client().get("/login")
    assert "Secure" in response.headers["Set-Cookie"] and "SameSite=Lax" in response.headers["Set-Cookie"]
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_unknown_environment_name_is_refused():
    with pytest.raises(RuntimeError, match="LIAISON_ENV"):
        create_app("staging")


# --- health --------------------------------------------------------------------------------


def test_healthz_reports_the_database(browser):
    response = browser.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "disk": "ok"}


def test_healthz_answers_503_when_the_database_is_unreachable(tmp_path, monkeypatch):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    app = create_app("testing", {"DATABASE_URL": f"sqlite:///{blocker}/db.sqlite"})
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # not the test transaction
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


def test_unexpected_errors_show_a_generic_page_with_request_id():
    app_ = create_app("testing", {"DATABASE_URL": "sqlite://"})

    @app_.route("/boom")
    def boom_():
        raise ValueError("secret detail")

    response = app_.test_client().get("/boom")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "secret detail" not in body
    assert response.headers["X-Request-ID"] in body


# --- CLI -----------------------------------------------------------------------------------


def test_create_admin_generates_a_password_once(app, ctx):
    result = app.test_cli_runner().invoke(args=["portal", "create-admin", "Boss@TTO.example", "--generate"])
    assert result.exit_code == 0, result.output
    password = re.search(r"Password \(shown once, store it now\): (\S+)", result.output).group(1)
    user = db.session.scalar(sa.select(User).where(User.email == "boss@tto.example"))
    assert user.platform_role is PlatformRole.ADMIN and user.email_verified_at is not None
    browser = Browser(app)
    assert location(browser.login("boss@tto.example", password)) == "/login/2fa/setup"
    again = app.test_cli_runner().invoke(args=["portal", "create-admin", "boss@tto.example", "--generate"])
    assert again.exit_code != 0 and "already exists" in again.output


def test_seed_demo_is_idempotent(app, ctx):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["portal", "seed-demo"])
    assert first.exit_code == 0, first.output
    counts = (
        db.session.scalar(sa.select(sa.func.count(User.id))),
        db.session.scalar(sa.select(sa.func.count(Organisation.id))),
    )
    assert counts[0] >= 7 and counts[1] >= 3
    second = runner.invoke(args=["portal", "seed-demo"])
    assert "0 records created" in second.output
    assert counts == (
        db.session.scalar(sa.select(sa.func.count(User.id))),
        db.session.scalar(sa.select(sa.func.count(Organisation.id))),
    )
    assert "liaison-demo-2026" in first.output and "owner@acme.example" in first.output
    # The demo owner can sign in with the printed password.
    response = Browser(app).login("owner@acme.example", "liaison-demo-2026")
    assert location(response) == "/dashboard", response.get_data(as_text=True)[-2500:]


def test_seed_demo_works_on_a_fresh_database_with_real_transactions(scratch_database, monkeypatch):
    """What ./run.sh does: migrate and seed a new database (not the suite's rolled-back transaction,
    where a rollback inside a use case would go unnoticed); the executed demo agreement has its PDF."""
    from flask_migrate import upgrade

    from portal.agreements.models import Agreement

    demo_app = create_app("testing", {"DATABASE_URL": scratch_database})
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    with demo_app.app_context():
        upgrade()
        result = demo_app.test_cli_runner().invoke(args=["portal", "seed-demo"])
        assert result.exit_code == 0, result.output
        executed = db.session.scalars(sa.select(Agreement).where(Agreement.executed_at.is_not(None))).all()
        assert executed and all(a.executed_sha256 for a in executed)
        db.session.remove()
    assert location(Browser(demo_app).login("owner@acme.example", "liaison-demo-2026")) == "/dashboard"
    with demo_app.app_context():
        db.session.remove()
        db.engine.dispose()  # last: no connection of this app outlives the test


def test_seed_demo_is_refused_outside_development():
    app = create_app("production", PRODUCTION)
    result = app.test_cli_runner().invoke(args=["portal", "seed-demo"])
    assert result.exit_code != 0 and "only for development" in result.output


# --- migrations ----------------------------------------------------------------------------


def test_migrations_build_the_schema_of_the_models_and_go_down_and_up(scratch_database):
    app = create_app("testing", {"DATABASE_URL": scratch_database})
    with app.app_context():
        upgrade()
        assert_models_match_database()
        downgrade(revision="base")
        assert sa.inspect(db.engine).get_table_names() == ["alembic_version"]
        upgrade()
        assert_models_match_database()
        db.engine.dispose()


def assert_models_match_database() -> None:
    with db.engine.connect() as connection:
        opts = {"compare_type": True, "include_name": include_in_autogenerate}  # as migrations/env.py
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, db.metadata)
    assert differences == [], f"models and migrations differ: {differences}"


# --- query budgets -------------------------------------------------------------------------


def count_queries(app, fn) -> int:
    statements: list[str] = []

    def before(conn, cursor, statement, *args):
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
            statements.append(statement)

    with app.app_context():
        engine = db.engine
    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        fn()
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)
    return len(statements)


@pytest.mark.parametrize("path", ["/admin/users", "/admin/organisations", "/admin/audit"])
def test_console_lists_use_a_constant_number_of_queries(app, ctx, path):
    staff = make_staff()
    commit()
    browser = Browser(app)
    browser.login_staff(staff)

    def add_rows(n):
        for _ in range(n):
            org = make_organisation(account_owner=staff)
            make_partner(organisation=org)
        commit()
        for _ in range(n):  # audit rows for the audit page
            from portal.core import audit

            audit.record("test.row", actor=staff)
        commit()

    add_rows(2)
    few = count_queries(app, lambda: browser.get(path))
    add_rows(15)
    many = count_queries(app, lambda: browser.get(path))
    assert few == many, (few, many)


def test_organisation_page_uses_a_constant_number_of_queries(app, ctx):
    owner = make_partner()
    commit()
    browser = Browser(app)
    browser.login(owner.email)
    few = count_queries(app, lambda: browser.get("/organisation"))
    for _ in range(10):
        make_partner(organisation=owner.organisation)
    commit()
    many = count_queries(app, lambda: browser.get("/organisation"))
    assert few == many, (few, many)


def test_env_example_lists_every_setting():
    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    with open(os.path.join(root, "config.py")) as handle:
        names = set(re.findall(r'env(?:_bool|_int|_list)?\("([A-Z_]+)"', handle.read()))
    with open(os.path.join(root, ".env.example")) as handle:
        documented = set(re.findall(r"^#?\s*([A-Z_]+)=", handle.read(), re.MULTILINE))
    assert names - documented == set()


@pytest.mark.parametrize("who", ["staff", "partner"])
def test_agreement_lists_use_a_constant_number_of_queries(app, ctx, who):
    from ..support.factories import make_agreement

    staff = make_staff()
    owner = make_partner()
    commit()
    browser = Browser(app)
    if who == "staff":
        browser.login_staff(staff)
        path = "/admin/agreements"
    else:
        browser.login(owner.email)
        path = "/agreements"

    def add_rows(n):
        for _ in range(n):
            make_agreement(owner.organisation)
        commit()

    add_rows(2)
    few = count_queries(app, lambda: browser.get(path))
    add_rows(12)
    many = count_queries(app, lambda: browser.get(path))
    assert few == many, (few, many)


def test_every_runtime_dependency_has_bounds_and_the_security_floors_hold():
    """Issue 9, point 16: an upper bound on each runtime dependency, floors where security needs them."""
    import tomllib
    from importlib.metadata import version

    from packaging.requirements import Requirement
    from packaging.version import Version

    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    with open(os.path.join(root, "pyproject.toml"), "rb") as handle:
        project = tomllib.load(handle)["project"]
    requirements = [Requirement(line) for line in project["dependencies"]]
    unbounded = [
        str(r) for r in requirements if not any(s.operator in ("<", "<=", "~=", "==") for s in r.specifier)
    ]
    assert unbounded == []
    floors = {r.name.lower(): r.specifier for r in requirements}
    assert Version("3.1.5") not in floors["jinja2"] and Version("3.1.6") in floors["jinja2"]
    assert Version(version("Jinja2")) >= Version("3.1.6")


def read_lock(path: str) -> dict[str, tuple[str, int]]:
    """name -> (pinned version, number of hashes) of a pip-compile lock file."""
    import re

    pins: dict[str, tuple[str, int]] = {}
    current = None
    with open(path) as handle:
        for line in handle:
            if match := re.match(r"^([A-Za-z0-9._-]+)==([^\s\\]+)", line):
                current = match.group(1).lower().replace("_", "-")
                pins[current] = (match.group(2), 0)
            elif current and "--hash=sha256:" in line:
                version_, hashes = pins[current]
                pins[current] = (version_, hashes + 1)
    return pins


@pytest.mark.parametrize(
    ("lock", "extras"), [("run.lock", ["server"]), ("dev.lock", ["server", "dev", "postgres", "redis"])]
)
def test_the_lock_files_pin_every_dependency_within_pyproject_with_hashes(lock, extras):
    """Issue 9, point 16: ./run.sh, ./test.sh and CI install from these locks (`--require-hashes`);
    a dependency added to pyproject.toml without refreshing them (scripts/lock.sh) fails here."""
    import tomllib

    from packaging.requirements import Requirement
    from packaging.version import Version

    root = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
    with open(os.path.join(root, "pyproject.toml"), "rb") as handle:
        project = tomllib.load(handle)["project"]
    wanted = [Requirement(line) for line in project["dependencies"]]
    for extra in extras:
        wanted += [Requirement(line) for line in project["optional-dependencies"][extra]]
    pins = read_lock(os.path.join(root, "requirements", lock))
    for requirement in wanted:
        name = requirement.name.lower().replace("_", "-")
        assert name in pins, f"{name} is not in requirements/{lock}: run scripts/lock.sh"
        pinned = pins[name][0]
        assert Version(pinned) in requirement.specifier, f"{name}=={pinned} is outside {requirement}"
    assert all(hashes >= 1 for _, hashes in pins.values())
    assert Version(pins["jinja2"][0]) >= Version("3.1.6")
