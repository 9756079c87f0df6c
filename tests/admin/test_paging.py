"""Issue 15, point 3: console lists stay flat with the data. Counts stop at a cap (the list says
"more than"), the audit log pages by key (a deep page costs what the first does, with no row shown
twice or skipped), and its action filter reads the distinct actions by index seeks."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from portal.admin import paging, queries
from portal.core import audit
from portal.core.models import AuditEvent
from portal.extensions import db

from ..support.browser import Browser, text
from ..support.factories import commit, make_organisation, make_staff


@pytest.fixture
def console(app, ctx):
    staff = make_staff()
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    return browser, staff


def event_ids(page_html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-event-id="(\d+)"', page_html)]


def test_a_list_past_the_count_cap_says_more_than_and_still_pages(app, console, monkeypatch):
    browser, _ = console
    for i in range(8):
        make_organisation(legal_name=f"Capped Org {i:02d}")
    commit()
    monkeypatch.setattr(paging, "COUNT_CAP", 5)
    page = text(browser.get("/admin/organisations?q=Capped"))
    assert "More than 5 results" in page
    assert "8 results" not in page
    monkeypatch.setattr(paging, "COUNT_CAP", 10_000)
    assert "8 results" in text(browser.get("/admin/organisations?q=Capped"))


def test_a_page_past_the_end_shows_the_last_page(app, console):
    browser, _ = console
    for i in range(3):
        make_organisation(legal_name=f"Few Org {i}")
    commit()
    page = text(browser.get("/admin/organisations?q=Few+Org&page=9999"))
    assert "Few Org 0" in page and "3 results" in page


def test_the_audit_log_pages_by_key_without_gaps_or_repeats(app, console):
    browser, staff = console
    for i in range(120):
        audit.record("test.paging", actor=staff, n=i)
    commit()
    expected = list(
        db.session.scalars(
            sa.select(AuditEvent.id).where(AuditEvent.action == "test.paging").order_by(AuditEvent.id.desc())
        )
    )
    seen: list[int] = []
    path = "/admin/audit?action=test.paging"
    for _ in range(5):
        html = browser.get(path).get_data(as_text=True)
        ids = event_ids(html)
        assert ids, html[-2000:]
        seen += ids
        older = re.search(r'href="([^"]*before=\d+[^"]*)"', html)
        if not older:
            break
        path = older.group(1).replace("&amp;", "&")
    assert seen == expected  # newest first, each once, all of them
    assert len(event_ids(browser.get("/admin/audit?action=test.paging").get_data(as_text=True))) == 50


def test_the_action_filter_lists_each_action_once_in_order(app, ctx):
    staff = make_staff()
    for action in ("zeta.done", "alpha.done", "zeta.done", "mid.done", "alpha.done"):
        audit.record(action, actor=staff)
    commit()
    distinct = list(db.session.scalars(sa.select(AuditEvent.action).distinct().order_by(AuditEvent.action)))
    assert queries.audit_actions() == distinct
    assert {"alpha.done", "mid.done", "zeta.done"} <= set(distinct)
