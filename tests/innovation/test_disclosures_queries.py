"""The console's disclosure list, patent families and IP calendar, and the researcher's list cost a
constant number of queries whatever the number of rows."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date

import sqlalchemy as sa

from portal.extensions import db
from portal.innovation.models import ApplicationKind
from portal.innovation.services import ip_records as ip

from ..support.factories import commit, make_staff
from .helpers import researcher_account, submitted


@contextmanager
def counted():
    statements: list[str] = []

    def on_execute(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", on_execute)
    try:
        yield statements
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", on_execute)


def _add(user, entry, co, staff, n: int, offset: int) -> None:
    for k in range(n):
        submitted(user, (entry.id, "50"), (co.id, "50"), title=f"Invention {offset + k}")
        family = ip.create_family(staff, ip.FamilyData(f"PF-Q-{offset + k}", "Family"))
        ip.add_application(
            staff, family, ip.ApplicationData(ApplicationKind.PRIORITY, "EP", date(2026, 3, 1 + k % 20))
        )
    commit()


def test_list_pages_cost_the_same_with_more_rows(browser, ctx):
    user, entry = researcher_account("Dr Alice Ray")
    _u, co = researcher_account("Dr Bob Kay")
    staff = make_staff()
    _add(user, entry, co, staff, 2, 0)
    pages = [
        "/admin/innovation/disclosures",
        "/admin/innovation/disclosures?status=all",
        "/admin/innovation/ip",
        "/admin/innovation/ip-calendar",
    ]
    browser.login_staff(staff)
    before = {}
    for url in pages:
        with counted() as statements:
            assert browser.get(url).status_code == 200
        before[url] = len(statements)
    _add(user, entry, co, staff, 6, 100)
    for url in pages:
        with counted() as statements:
            assert browser.get(url).status_code == 200
        assert len(statements) == before[url], url
    browser.logout()
    browser.login(user.email)
    with counted() as statements:
        assert browser.get("/inventions").status_code == 200
    first = len(statements)
    _add(user, entry, co, staff, 4, 200)
    with counted() as statements:
        assert browser.get("/inventions").status_code == 200
    assert len(statements) == first
