"""Issue 10, points 19 and 20: the staff console's audit entries in words, the overview as a work
queue, the organisation page, sorting by column, invoice search and CSV exports."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from portal.admin import export, queries
from portal.agreements.models import AgreementSignature, AgreementStatus, SignatoryParty
from portal.core import audit
from portal.core.models import AuditEvent
from portal.core.types import utcnow
from portal.extensions import db
from portal.membership.models import (
    ApplicationStatus,
    InvoiceStatus,
    Membership,
    MembershipStatus,
    Payment,
)
from portal.partners.models import OrgRole

from ..core.test_request_cost import recorded_queries
from ..support.browser import Browser, text
from ..support.factories import (
    commit,
    make_agreement,
    make_application,
    make_invoice,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)


@pytest.fixture
def admin(ctx):
    user = make_staff(admin=True, email="anna@tto.example", full_name="Anna Admin")
    commit()
    return user


@pytest.fixture
def console(app, admin):
    browser = Browser(app)
    browser.login_staff(admin)
    return browser


def visible(html: str) -> str:
    """The page's text without tags and attributes (what a reader sees)."""
    body = html.split("<main", 1)[-1]
    return " ".join(re.sub(r"<[^>]+>", " ", body).split())


def rows_of(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))


def select_count(browser, path: str) -> int:
    with recorded_queries() as (statements, lazy):
        response = browser.get(path)
        response.get_data()  # a streamed export runs its queries while it is read
    assert response.status_code == 200, path
    assert lazy == [], f"{path}: lazy loads {lazy}"
    return len(statements)


# --- point 19: audit entries in words ---------------------------------------------------------


def _approval_story(admin, name="Acme GmbH"):
    organisation = make_organisation(legal_name=name)
    tier = make_tier(name="Partner")
    application = make_application(organisation, tier, status=ApplicationStatus.APPROVED)
    invoice = make_invoice(organisation, currency="CHF", total_cents=1_234_567)
    audit.record(
        "application.approved",
        actor=admin,
        target=application,
        account_owner=admin.email,
        invoice=invoice.number,
        agreement="LIA-2026-0042",
    )
    audit.record("payment.recorded", actor=admin, target=invoice, amount=1_234_567)
    audit.record("application.rejected", actor=admin, target=application, reason="Outside our field")
    return organisation, application, invoice


def test_the_audit_log_says_what_happened_in_words_with_links_and_money(console, admin, ctx):
    organisation, _, invoice = _approval_story(admin)
    commit()
    html = text(console.get("/admin/audit"))
    user_link = f'<a href="/admin/users/{admin.id}">Anna Admin</a>'
    org_link = f'<a href="/admin/organisations/{organisation.id}">Acme GmbH</a>'
    assert f"{user_link} approved the application of {org_link} for the Partner tier." in html
    invoice_link = f'<a href="/admin/invoices/{invoice.id}">{invoice.number}</a>'
    assert f"{user_link} recorded a payment of CHF 12,345.67 on invoice {invoice_link} of {org_link}." in html
    assert "Reason: Outside our field" in html
    assert f"Invoice: {invoice.number}; agreement: LIA-2026-0042; account owner: anna@tto.example" in html
    seen = visible(html)
    assert "application.approved" not in seen and "payment.recorded" not in seen  # no raw codes
    assert "{" not in seen and "1234567" not in seen  # no JSON, no raw cents
    # The filter offers the actions in words too, and still filters by the action.
    assert '<option value="payment.recorded" >Payment recorded</option>' in html
    filtered = text(console.get("/admin/audit?action=payment.recorded"))
    assert "recorded a payment" in filtered and "approved the application" not in filtered


def test_an_action_without_a_phrase_still_reads_as_words(console, admin, ctx):
    audit.record("widget.frobbed", actor=admin, colour="blue", sha256="ab" * 32)
    commit()
    seen = visible(text(console.get("/admin/audit")))
    assert "Anna Admin : widget frobbed" in seen and "colour: blue" in seen
    assert "ab" * 32 not in seen  # machine details stay out


def test_the_organisation_history_and_the_audit_log_show_every_column_at_1280px(console, admin, ctx):
    """The audit table has three columns (time, the entry in words, origin), laid out in a fixed
    table whose text wraps: the former six columns with JSON details overflowed."""
    organisation, _, _ = _approval_story(admin)
    commit()
    for path in ("/admin/audit", f"/admin/organisations/{organisation.id}"):
        html = text(console.get(path))
        head = re.search(r'<table class="table table-sm audit-table">\s*<thead.*?</thead>', html, re.S).group(
            0
        )
        assert re.findall(r"<th[^>]*>([^<]+)</th>", head) == ["When", "What happened", "From"]


def test_the_audit_log_costs_the_same_with_3_and_with_30_entries(console, admin, ctx):
    _approval_story(admin, "First Optics")
    commit()
    few = select_count(console, "/admin/audit")
    for i in range(9):
        _approval_story(admin, f"More Optics {i}")
    commit()
    assert select_count(console, "/admin/audit") == few


def test_the_audit_log_pages_oldest_first_by_key_without_gaps_or_repeats(console, admin, ctx):
    for i in range(120):
        audit.record("test.oldest", actor=admin, n=i)
    commit()
    expected = list(
        db.session.scalars(
            sa.select(AuditEvent.id).where(AuditEvent.action == "test.oldest").order_by(AuditEvent.id)
        )
    )
    seen: list[int] = []
    path = "/admin/audit?action=test.oldest&sort=when"
    for _ in range(5):
        html = text(console.get(path))
        seen += [int(n) for n in re.findall(r'data-event-id="(\d+)"', html)]
        newer = re.search(r'href="([^"]*after=\d+[^"]*)"', html)
        if not newer:
            break
        path = newer.group(1).replace("&amp;", "&")
    assert seen == expected


# --- point 20: the work queue -----------------------------------------------------------------


def _waiting_work():
    tier = make_tier(name="Partner")
    applicant = make_organisation(legal_name="Applicant Labs")
    application = make_application(applicant, tier, submitted_at=utcnow() - timedelta(days=3))
    sent_back = make_organisation(legal_name="Sent Back Ltd")
    make_application(sent_back, tier, status=ApplicationStatus.MORE_INFO)
    signer_org = make_organisation(legal_name="Signed Sensors")
    agreement = make_agreement(signer_org, status=AgreementStatus.PARTNER_SIGNED)
    db.session.add(
        AgreementSignature(
            agreement_id=agreement.id,
            party=SignatoryParty.PARTNER,
            user_email="s@signed.example",
            full_name="Sigrid Signer",
            title="CEO",
            statement="I may sign",
            signed_at=utcnow() - timedelta(days=5),
            document_sha256=hashlib.sha256(b"x").hexdigest(),
        )
    )
    late = make_organisation(legal_name="Late Payer AG")
    invoice = make_invoice(
        late, due_on=date.today() - timedelta(days=10), issued_on=date.today() - timedelta(days=40)
    )
    make_invoice(late, due_on=date.today() + timedelta(days=10))  # open, not yet due
    for organisation in (applicant, sent_back, signer_org, late):
        organisation.account_owner_id = make_staff().id
    db.session.flush()
    return application, agreement, invoice


def test_the_overview_lists_what_waits_on_staff_oldest_first_with_ages(console, ctx):
    application, agreement, invoice = _waiting_work()
    commit()
    html = text(console.get("/admin/"))
    assert "Coming to the console" not in html
    rows = re.findall(r'<tr data-queue="(\w+)">(.*?)</tr>', html, re.S)
    assert [key for key, _ in rows] == ["overdue", "countersign", "applications"]  # 10, 5, 3 days
    overdue, countersign, applying = (visible(row) for _, row in rows)
    assert overdue.startswith("overdue 10 days") and "Late Payer AG" in overdue and "EUR 100.00" in overdue
    assert countersign.startswith("waiting 5 days") and agreement.number in countersign
    assert (
        applying.startswith("waiting 3 days") and "Applicant Labs" in applying and "Partner tier" in applying
    )
    assert f'href="/admin/invoices/{invoice.id}"' in html
    assert f'href="/admin/agreements/{agreement.id}"' in html
    assert f'href="/admin/applications/{application.id}"' in html
    assert "Sent Back Ltd" not in html  # waits on the partner, not on staff
    cards = dict(
        re.findall(
            r'data-queue="(\w+)">\s*<div[^>]*><div class="card-body">\s*<div class="stat-value">(\d+)', html
        )
    )
    assert cards == {
        "applications": "1",
        "countersign": "1",
        "overdue": "1",
        "bank": "0",
        "unassigned": "0",
        "leads": "0",
        "challenges": "0",
    }


def test_unmatched_bank_lines_join_the_queue_with_their_age(console, ctx):
    from ..support.world import make_bank_statement

    assert "Unmatched bank lines" in text(console.get("/admin/"))  # the card, at 0
    staff = make_staff(email="bank-clerk@tto.example")
    _statement, line = make_bank_statement(staff)
    line.booked_on = date.today() - timedelta(days=2)
    line.payer_name = "ACME Treasury"
    commit()
    html = text(console.get("/admin/"))
    assert "ACME Treasury" in html and "waiting 2 days" in html
    assert f"/admin/bank-lines/{line.id}" in html


def test_the_overview_costs_the_same_with_few_and_many_waiting_items(console, ctx):
    _waiting_work()
    commit()
    few = select_count(console, "/admin/")
    for _ in range(4):
        _waiting_work()
    commit()
    assert select_count(console, "/admin/") == few


def test_the_organisation_page_shows_membership_invoices_and_applications(console, ctx):
    organisation = make_organisation(legal_name="Member Works GmbH")
    make_partner(organisation=organisation, email="boss@member.example", roles={OrgRole.OWNER})
    tier = make_tier(name="Gold Partner", annual_fee_cents=4_200_000)
    make_application(organisation, tier, status=ApplicationStatus.APPROVED)
    db.session.add(
        Membership(
            organisation_id=organisation.id,
            tier_id=tier.id,
            status=MembershipStatus.ACTIVE,
            period_start=date(2026, 1, 1),
            period_end=date(2026, 12, 31),
        )
    )
    paid = make_invoice(organisation, number="INV-T-0001", status=InvoiceStatus.PAID, total_cents=4_200_000)
    db.session.add(Payment(invoice_id=paid.id, amount_cents=4_200_000, received_on=date.today()))
    make_invoice(organisation, number="INV-T-0002", due_on=date.today() - timedelta(days=1))
    commit()
    seen = visible(text(console.get(f"/admin/organisations/{organisation.id}")))
    assert "Membership Tier Gold Partner Status Active Period 01 Jan 2026 \u2013 31 Dec 2026" in seen
    assert "Annual fee EUR 42,000.00" in seen
    assert "INV-T-0001" in seen and "INV-T-0002" in seen and "Overdue" in seen
    assert "Applications Submitted" in seen and "Gold Partner Approved" in seen
    assert "boss@member.example" in seen


def test_the_organisation_page_costs_the_same_with_1_and_10_invoices(console, ctx):
    organisation = make_organisation()
    tier = make_tier()
    make_application(organisation, tier)
    make_invoice(organisation)
    commit()
    few = select_count(console, f"/admin/organisations/{organisation.id}")
    for _ in range(9):
        make_invoice(organisation)
        make_application(organisation, tier)
    commit()
    assert select_count(console, f"/admin/organisations/{organisation.id}") == few


# --- sorting ----------------------------------------------------------------------------------


def _names(html: str) -> list[str]:
    return re.findall(r'<a href="/admin/organisations/\d+">(Sort [^<]+)</a>', html)


def test_lists_sort_by_a_whitelisted_column_in_both_directions_with_the_id_breaking_ties(console, ctx):
    ids = {}
    for name in ("Sort Bravo", "Sort Alpha", "Sort Charlie", "Sort Alpha"):
        ids.setdefault(name, []).append(make_organisation(legal_name=name).id)
    commit()
    ascending = text(console.get("/admin/organisations?q=Sort&sort=name"))
    assert _names(ascending) == ["Sort Alpha", "Sort Alpha", "Sort Bravo", "Sort Charlie"]
    first, second = re.findall(r'<a href="/admin/organisations/(\d+)">Sort Alpha</a>', ascending)
    assert [int(first), int(second)] == sorted(ids["Sort Alpha"])  # ties in id order
    descending = text(console.get("/admin/organisations?q=Sort&sort=-name"))
    assert _names(descending) == ["Sort Charlie", "Sort Bravo", "Sort Alpha", "Sort Alpha"]
    assert re.findall(r'<a href="/admin/organisations/(\d+)">Sort Alpha</a>', descending) == [second, first]
    # The header says how the list is sorted and offers the other direction.
    assert 'aria-sort="ascending"' in ascending and "sort=-name" in ascending
    assert "q=Sort" in ascending.split('aria-sort="ascending"', 1)[1][:300]  # the filters stay


@pytest.mark.parametrize("sort", ["bogus", "-password_hash", "legal_name;drop", "--name", ""])
def test_an_unknown_sort_key_falls_back_to_the_default_order(console, ctx, sort):
    for name in ("Sort One", "Sort Two", "Sort Three"):
        make_organisation(legal_name=name)
    commit()
    response = console.get("/admin/organisations", query_string={"q": "Sort", "sort": sort})
    assert response.status_code == 200
    assert _names(text(response)) == ["Sort Three", "Sort Two", "Sort One"]  # newest first
    assert re.findall(r'aria-sort="(\w+)">\s*<a[^>]*>(\w+)', text(response)) == [("descending", "Joined")]


@pytest.mark.parametrize(
    ("path", "key"),
    [
        ("/admin/users", "email"),
        ("/admin/organisations", "status"),
        ("/admin/applications?status=all", "submitted"),
        ("/admin/invoices", "due"),
        ("/admin/agreements", "number"),
    ],
)
def test_every_list_offers_sorting_and_answers_sorted_pages(console, ctx, path, key):
    organisation = make_organisation()
    make_application(organisation, make_tier())
    make_invoice(organisation)
    make_agreement(organisation)
    commit()
    joiner = "&" if "?" in path else "?"
    for sort in (key, f"-{key}"):
        html = text(console.get(f"{path}{joiner}sort={sort}"))
        assert f'aria-sort="{"descending" if sort.startswith("-") else "ascending"}"' in html


def test_sort_specs_name_only_indexed_columns():
    """Index-friendly: every sort key is a column with an index (or the primary key / a unique one)."""
    for spec in (
        queries.USER_SORT,
        queries.ORGANISATION_SORT,
        queries.APPLICATION_SORT,
        queries.INVOICE_SORT,
        queries.AGREEMENT_SORT,
        queries.AUDIT_SORT,
    ):
        for key, column in spec.columns.items():
            table = column.table
            indexed = {c.name for index in table.indexes for c in list(index.columns)[:1]}
            indexed |= {c.name for c in table.primary_key.columns}
            indexed |= {c.name for c in table.columns if c.unique}
            assert column.name in indexed, f"{table.name}.{column.name} ({key}) has no index"


# --- invoice search -----------------------------------------------------------------------------


def test_invoices_are_searchable_by_number_and_organisation_name(console, ctx):
    acme = make_organisation(legal_name="Acme Robotics GmbH", trading_name="Acme")
    kumo = make_organisation(legal_name="Kumo Materials K.K.")
    make_invoice(acme, number="INV-2026-0101")
    make_invoice(kumo, number="INV-2026-0202")
    commit()
    by_number = text(console.get("/admin/invoices?q=0202"))
    assert "INV-2026-0202" in by_number and "INV-2026-0101" not in by_number
    by_name = text(console.get("/admin/invoices?q=robotics"))
    assert "INV-2026-0101" in by_name and "INV-2026-0202" not in by_name
    assert "No invoices match" in text(console.get("/admin/invoices?q=%25"))  # % is literal
    overdue = text(console.get("/admin/invoices?q=acme&status=overdue"))
    assert "No invoices match" in overdue


# --- CSV exports ------------------------------------------------------------------------------


def test_an_export_applies_the_lists_filters_and_order_and_is_streamed_and_audited(console, admin, ctx):
    late = make_organisation(legal_name="Late Payer AG")
    make_invoice(late, number="INV-LATE-2", due_on=date.today() - timedelta(days=2))
    make_invoice(late, number="INV-LATE-9", due_on=date.today() - timedelta(days=9))
    make_invoice(late, number="INV-NOT-DUE", due_on=date.today() + timedelta(days=9))
    make_invoice(
        make_organisation(legal_name="Other SA"), number="INV-OTHER", due_on=date.today() - timedelta(days=1)
    )
    commit()
    response = console.get("/admin/invoices.csv?status=overdue&q=late&sort=due")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="invoices-')
    assert response.headers["Cache-Control"] == "no-store"
    rows = rows_of(response)
    assert rows[0][:2] == ["Number", "Organisation"]
    assert [row[0] for row in rows[1:]] == ["INV-LATE-9", "INV-LATE-2"]  # filtered, oldest due first
    assert rows[1][4:9] == ["EUR", "100.00", "0.00", "100.00", "Overdue"]
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "console.exported"))
    assert event.actor_id == admin.id and event.details["list"] == "invoices"
    assert (
        event.details["filters"] == {"status": "overdue", "search": "late"} and event.details["sort"] == "due"
    )
    assert "Anna Admin</a> exported the invoices list as CSV" in text(console.get("/admin/audit"))


@pytest.mark.parametrize(
    "name", ['=HYPERLINK("http://evil.example")', "+SUM(A1)", "-2+3", "@cmd", "\tTab", "\rCR"]
)
def test_export_cells_that_would_run_as_formulas_are_quoted(console, ctx, name):
    make_organisation(legal_name=name)
    commit()
    rows = rows_of(console.get("/admin/organisations.csv"))
    assert [row[0] for row in rows[1:]] == [f"'{name}"]


def test_neutralise_leaves_ordinary_cells_alone():
    assert export.neutralise("Acme = best") == "Acme = best"
    assert export.neutralise(None) == ""
    assert export.neutralise(date(2026, 3, 1)) == "2026-03-01"
    assert export.amount(-150) == "-1.50" and export.neutralise(export.amount(-150)) == "'-1.50"


@pytest.mark.parametrize(
    ("path", "first_header", "expected"),
    [
        ("/admin/users.csv?q=export", "Name", "export@user.example"),
        ("/admin/organisations.csv?q=Export", "Legal name", "Export Optics GmbH"),
        ("/admin/applications.csv?status=all", "Organisation", "Export Optics GmbH"),
        ("/admin/invoices.csv", "Number", "INV-EXPORT-1"),
        ("/admin/agreements.csv?q=Export", "Number", "Export Optics GmbH"),
        ("/admin/audit.csv", "Time (UTC)", "Anna Admin deactivated the account of Export User."),
        ("/admin/tiers.csv", "Order", "Export Tier"),
    ],
)
def test_every_console_list_exports_csv(console, admin, ctx, path, first_header, expected):
    organisation = make_organisation(legal_name="Export Optics GmbH")
    partner = make_partner(organisation=organisation, email="export@user.example", full_name="Export User")
    tier = make_tier(name="Export Tier")
    make_application(organisation, tier)
    make_invoice(organisation, number="INV-EXPORT-1")
    make_agreement(organisation)
    audit.record("user.deactivated", actor=admin, target=partner)
    commit()
    rows = rows_of(console.get(path))
    assert rows[0][0] == first_header
    assert any(expected in row for row in rows[1:]), rows


@pytest.mark.parametrize("path", ["/admin/audit.csv", "/admin/invoices.csv", "/admin/organisations.csv"])
def test_an_export_costs_the_same_queries_with_few_and_many_rows(console, admin, ctx, path):
    _approval_story(admin, "Cost Optics 0")
    commit()
    few = select_count(console, path)
    for i in range(1, 12):
        _approval_story(admin, f"Cost Optics {i}")
    commit()
    assert select_count(console, path) == few


def test_partners_cannot_export(app, ctx):
    partner = make_partner()
    commit()
    browser = Browser(app)
    browser.login(partner.email)
    assert browser.get("/admin/invoices.csv").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).where(AuditEvent.action == "console.exported")) == 0
