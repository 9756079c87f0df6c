"""Issue 15, points 1 and 2: what a page costs in queries. Every page a partner or staff member
opens loads the signed-in user (with roles, organisation, membership and tier) in one query, never
loads the same rows twice, and never loads a relationship lazily (from the view or the template):
what a page shows is loaded by the view's own queries. Visits every GET page of the app."""

from __future__ import annotations

import re
from collections import Counter
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from portal.extensions import db

from ..support.browser import Browser
from ..support.world import build_url, make_world, sign_in

SKIPPED_ENDPOINTS = {"static"}
VIEWER_QUERY = re.compile(r"^SELECT .* FROM (\"user\"|user) .*WHERE (\"user\"|user)\.id = ", re.DOTALL)


@contextmanager
def recorded_queries():
    """SELECT statements (with their parameters) and lazy relationship loads while the block runs."""
    statements: list[tuple[str, tuple]] = []
    lazy: list[str] = []
    engine = db.engine

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            values = tuple(parameters.values()) if isinstance(parameters, dict) else tuple(parameters or ())
            statements.append((" ".join(statement.split()), values))

    def on_orm_execute(state):
        if state.is_relationship_load and state.lazy_loaded_from is not None:
            origin = type(state.lazy_loaded_from.obj()).__name__
            key = state.loader_strategy_path[-1].key if state.loader_strategy_path else "?"
            lazy.append(f"{origin}.{key}")

    sa.event.listen(engine, "before_cursor_execute", on_execute)
    sa.event.listen(Session, "do_orm_execute", on_orm_execute)
    try:
        yield statements, lazy
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)
        sa.event.remove(Session, "do_orm_execute", on_orm_execute)


def get_pages(app) -> list[str]:
    return sorted(
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "GET" in rule.methods and rule.endpoint not in SKIPPED_ENDPOINTS
    )


@pytest.fixture
def world(app, ctx):
    return make_world()


@pytest.mark.parametrize("role", ["owner", "member", "admin", "researcher"])
def test_every_page_loads_the_viewer_once_and_nothing_lazily_or_twice(app, world, role):
    browser = Browser(app)
    sign_in(browser, world, role)
    viewer_id = world.user(role).id
    measured = problems = 0
    report: list[str] = []
    for endpoint in get_pages(app):
        path = build_url(app, endpoint, world)
        with recorded_queries() as (statements, lazy):
            response = browser.get(path)
        if response.status_code != 200:
            continue  # not this role's page (403/404/redirect): the access matrix covers those
        measured += 1
        repeated = [s for s, n in Counter(statements).items() if n > 1]
        viewer_loads = sum(1 for s, values in statements if VIEWER_QUERY.match(s) and viewer_id in values)
        if lazy:
            report.append(f"{path}: lazy loads {sorted(set(lazy))}")
        if repeated:
            report.append(f"{path}: the same query twice: {repeated[0][0][:160]}")
        if viewer_loads > 1:
            report.append(f"{path}: the signed-in user loaded {viewer_loads} times")
        problems += bool(lazy or repeated or viewer_loads > 1)
    assert measured >= (12 if role == "admin" else 6), measured  # the pages were really visited
    assert not report, "\n".join(report)


def test_the_viewer_and_everything_the_guard_and_navigation_read_is_one_query(app, world):
    browser = Browser(app)
    sign_in(browser, world, "owner")
    with recorded_queries() as (statements, lazy):
        assert browser.get("/account").status_code == 200
    tables = ("user_org_role", "organisation", "membership", "tier")
    viewer = [s for s, _ in statements if VIEWER_QUERY.match(s)]
    assert len(viewer) == 1
    assert all(table in viewer[0] for table in tables)  # joined into that one statement
    others = [s for s, _ in statements if not VIEWER_QUERY.match(s)]
    assert not [s for s in others if re.search(r"FROM (user_org_role|organisation|membership|tier)\b", s)]
    assert lazy == []
