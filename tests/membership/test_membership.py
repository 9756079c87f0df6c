"""Tiers, applications, approval, invoices (real PDFs), payments and the access rule."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.auth.models import User
from portal.core import pdf
from portal.extensions import db
from portal.membership import services
from portal.membership.models import (
    Application,
    ApplicationStatus,
    Invoice,
    InvoiceSequence,
    InvoiceStatus,
    Membership,
    MembershipStatus,
    VatTreatment,
)
from portal.partners.models import OrganisationStatus, OrgRole

from ..support.browser import Browser, emails_to, last_email_to, location, text
from ..support.concurrency import run_simultaneously
from ..support.context import app_context
from ..support.factories import (
    APPLY,
    commit,
    execute_partnership,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)


@pytest.fixture
def tiers(ctx):
    tiers = {
        "associate": make_tier(
            slug="associate", name="Associate", annual_fee_cents=5_000_00, display_order=1
        ),
        "partner": make_tier(
            slug="partner", name="Partner", annual_fee_cents=25_000_00, display_order=2, seat_limit=2
        ),
        "retired": make_tier(slug="retired", name="Old Gold", annual_fee_cents=1_00, active=False),
    }
    commit()
    return tiers


@pytest.fixture
def acme(ctx, tiers):
    organisation = make_organisation(legal_name="Acme Robotics GmbH", country="DE")
    owner = make_partner(organisation=organisation, email="owner@acme.example", full_name="Clara Becker")
    member = make_partner(organisation=organisation, roles={OrgRole.MEMBER}, email="mia@acme.example")
    staff = make_staff(email="officer@tto.example", full_name="Oscar Mbeki")
    commit()
    return {"org": organisation, "owner": owner, "member": member, "staff": staff}


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def applications() -> list[Application]:
    return list(db.session.scalars(sa.select(Application)))


def apply(app, user, **changes):
    browser = Browser(app)
    browser.login(user.email)
    return browser, browser.post("/membership/apply", {**APPLY, **changes})


def approve(app, acme):
    staff_browser = Browser(app)
    staff_browser.login_staff(acme["staff"])
    application = db.session.scalar(sa.select(Application))
    response = staff_browser.post(
        f"/admin/applications/{application.id}/approve", {"account_owner": str(acme["staff"].id)}
    )
    db.session.expire_all()
    return staff_browser, response


def test_tiers_page_compares_the_active_tiers(browser, tiers):
    page = text(browser.get("/tiers"))
    assert "Associate" in page and "Partner" in page and "Old Gold" not in page
    assert "EUR 5,000" in page and "EUR 25,000" in page
    assert "/signup?tier=partner" in page


def test_owner_applies_and_staff_are_told(app, acme):
    _, response = apply(app, acme["owner"])
    assert location(response) == "/membership"
    (application,) = applications()
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.vat_number == "DE136695976" and application.billing_email == "billing@acme.example"
    db.session.expire_all()
    assert acme["org"].status is OrganisationStatus.APPLICANT
    assert "Application from Acme Robotics" in last_email_to("partnerships@example.org").subject


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"tier": ""}, "Choose a tier"),
        ({"tier": "retired"}, "Choose one of the membership tiers"),
        ({"vat_number": ""}, "EU companies need one"),
        ({"vat_number": "DE123456789"}, "not a valid EU VAT number"),
        ({"vat_number": "FR40303265045"}, "starting with DE"),
        ({"billing_email": "nope"}, "Enter a valid email address"),
        ({"signatory_name": ""}, "This field is required"),
    ],
)
def test_application_bad_input_saves_nothing(app, acme, changes, message):
    _, response = apply(app, acme["owner"], **changes)
    assert response.status_code == 400  # the form again, with its message
    assert message in text(response)
    assert applications() == []


def test_non_eu_companies_need_no_vat_number(app, ctx, tiers):
    owner = make_partner(organisation=make_organisation(country="NO"))
    commit()
    _, response = apply(app, owner, vat_number="")
    assert location(response) == "/membership"


def test_members_cannot_apply_and_one_open_application_at_a_time(app, acme):
    browser = Browser(app)
    browser.login(acme["member"].email)
    assert browser.post("/membership/apply", APPLY).status_code == 403
    browser, _ = apply(app, acme["owner"])
    again = browser.post("/membership/apply", APPLY)
    assert location(again) == "/membership"  # sent to the status page, nothing new
    assert len(applications()) == 1


def test_more_information_then_resubmit(app, acme):
    owner_browser, _ = apply(app, acme["owner"])
    staff = Browser(app)
    staff.login_staff(acme["staff"])
    application = applications()[0]
    assert "Acme Robotics" in text(staff.get("/admin/applications"))
    empty = staff.post(f"/admin/applications/{application.id}/more-info", {"message": ""})
    assert empty.status_code == 400
    staff.post(f"/admin/applications/{application.id}/more-info", {"message": "Which research group?"})
    db.session.expire_all()
    assert application.status is ApplicationStatus.MORE_INFO
    assert "Which research group?" in last_email_to("owner@acme.example").body_text
    assert "Which research group?" in text(owner_browser.get("/membership"))

    form = text(owner_browser.get("/membership/apply"))
    assert "Machine vision for bin picking" in form  # the earlier answers are kept
    response = owner_browser.post("/membership/apply", {**APPLY, "interests": "Vision, group of Prof. Lee"})
    assert location(response) == "/membership"
    db.session.expire_all()
    assert application.status is ApplicationStatus.SUBMITTED
    assert application.interests == "Vision, group of Prof. Lee"
    assert len(applications()) == 1


def test_reject_needs_a_reason_and_tells_the_applicant(app, acme):
    apply(app, acme["owner"])
    staff = Browser(app)
    staff.login_staff(acme["staff"])
    application = applications()[0]
    assert staff.post(f"/admin/applications/{application.id}/reject", {"reason": ""}).status_code == 400
    staff.post(f"/admin/applications/{application.id}/reject", {"reason": "Competitor of a current partner."})
    db.session.expire_all()
    assert application.status is ApplicationStatus.REJECTED
    assert "Competitor of a current partner." in last_email_to("owner@acme.example").body_text
    assert acme["org"].status is OrganisationStatus.REGISTERED


def test_approval_issues_an_invoice_and_access_waits_for_payment(app, acme):
    owner_browser, _ = apply(app, acme["owner"])
    staff_browser, response = approve(app, acme)
    application = applications()[0]
    assert location(response) == f"/admin/applications/{application.id}"

    membership = db.session.scalar(sa.select(Membership))
    assert membership.status is MembershipStatus.AWAITING_PAYMENT
    assert acme["org"].account_owner_id == acme["staff"].id
    assert not services.has_partner_access(acme["org"])

    invoice = db.session.scalar(sa.select(Invoice))
    assert invoice.number == f"INV-{date.today().year}-0001"
    assert invoice.vat_treatment is VatTreatment.REVERSE_CHARGE  # German company, Dutch seller
    assert invoice.total_cents == invoice.net_cents == 25_000_00
    content = pdf_text(invoice.pdf)
    for expected in (
        invoice.number,
        "Acme Robotics GmbH",
        "DE136695976",
        "EUR 25,000.00",
        "Reverse charge",
        "NL91 INGB 0001 2345 67",
        invoice.payment_reference,
        "Page 1 of 1",
    ):
        assert expected in content, expected
    assert "Welcome to the Industry Partnership Programme" in last_email_to("owner@acme.example").subject
    billing_mail = last_email_to("billing@acme.example")  # the one approval email, with the invoice
    assert (
        "Welcome to the" in billing_mail.subject and f"Pay invoice {invoice.number}" in billing_mail.body_text
    )
    (attachment,) = billing_mail.attachments  # the billing mailbox need not be a portal user
    assert attachment.filename == f"{invoice.number}.pdf" and attachment.data == invoice.pdf

    # The partner sees it and downloads the stored PDF, byte for byte.
    page = text(owner_browser.get("/membership"))
    assert invoice.number in page and "access starts when the invoice is paid" in page
    assert "How to pay invoice" in page and invoice.payment_reference in page and "NL91 INGB" in page
    download = owner_browser.get(f"/membership/invoices/{invoice.id}/pdf")
    assert download.status_code == 200 and download.data == invoice.pdf
    assert pdf.sha256(download.data) == invoice.pdf_sha256
    assert download.headers["Content-Disposition"] == f'attachment; filename="{invoice.number}.pdf"'
    assert download.headers["Cache-Control"] == "no-store"

    # Partial payments add up; access comes with the full amount only.
    url = f"/admin/invoices/{invoice.id}"
    today = date.today().isoformat()
    too_much = staff_browser.post(url, {"amount": "25000.01", "received_on": today})
    assert too_much.status_code == 200 and "more than the" in text(too_much)
    future = staff_browser.post(
        url, {"amount": "1", "received_on": (date.today() + timedelta(days=1)).isoformat()}
    )
    assert "cannot be in the future" in text(future)
    staff_browser.post(url, {"amount": "10000", "received_on": today, "reference": "SEPA 1"})
    db.session.expire_all()
    assert invoice.status is InvoiceStatus.OPEN and invoice.balance_cents == 15_000_00
    assert not services.has_partner_access(acme["org"])
    staff_browser.post(url, {"amount": "15000.00", "received_on": today, "reference": "SEPA 2"})
    db.session.expire_all()
    assert invoice.status is InvoiceStatus.PAID
    # Paid, but the partnership agreement is not executed yet: still no access, and they are told.
    assert membership.status is MembershipStatus.AWAITING_SIGNATURE
    assert not services.has_partner_access(acme["org"])
    assert "one signature to go" in last_email_to("owner@acme.example").subject
    assert "signed by your signatory" in text(owner_browser.get("/membership"))
    execute_partnership(acme["org"])  # signed and countersigned: whichever comes last activates
    db.session.expire_all()
    assert membership.status is MembershipStatus.ACTIVE
    assert membership.period_start == date.today()
    assert membership.period_end == date.today().replace(year=date.today().year + 1) - timedelta(days=1)
    assert acme["org"].status is OrganisationStatus.MEMBER
    assert services.has_partner_access(acme["org"])
    assert "Your membership is active" in last_email_to("owner@acme.example").subject
    assert "is <strong>active</strong>" in text(owner_browser.get("/membership"))
    paid_again = staff_browser.post(url, {"amount": "1", "received_on": today})
    assert "nothing to record" in text(paid_again)


@pytest.mark.parametrize(
    ("country", "vat_number", "treatment", "mention", "vat_cents"),
    [
        ("NL", "NL004495445B01", VatTreatment.DOMESTIC, "VAT 21 %", 1_050_00),
        ("NO", "", VatTreatment.OUTSIDE_EU, "outside the scope of EU VAT", 0),
        ("DE", "DE136695976", VatTreatment.REVERSE_CHARGE, "Reverse charge", 0),
    ],
)
def test_vat_treatment_by_country(app, ctx, tiers, country, vat_number, treatment, mention, vat_cents):
    organisation = make_organisation(country=country, vat_number=vat_number)
    membership = Membership(
        organisation=organisation, tier=tiers["associate"], status=MembershipStatus.AWAITING_PAYMENT
    )
    db.session.add(membership)
    db.session.flush()
    with app_context(app):
        invoice = services.issue_invoice(membership)
    assert invoice.vat_treatment is treatment
    assert invoice.vat_cents == vat_cents and invoice.total_cents == 5_000_00 + vat_cents
    assert mention in pdf_text(invoice.pdf)


def test_hostile_company_names_render_literally_in_the_invoice(app, ctx, tiers):
    organisation = make_organisation(
        legal_name="<b>Bold</b> & {{ 7*7 }} <link rel=attachment href=file:///etc/passwd>", country="NO"
    )
    membership = Membership(
        organisation=organisation, tier=tiers["associate"], status=MembershipStatus.AWAITING_PAYMENT
    )
    db.session.add(membership)
    db.session.flush()
    with app_context(app):
        invoice = services.issue_invoice(membership)
    content = pdf_text(invoice.pdf)
    assert "<b>Bold</b> & {{ 7*7 }}" in content
    assert "root:" not in content and b"/EmbeddedFile" not in invoice.pdf


def test_invoices_of_another_organisation_answer_404(app, acme, ctx):
    apply(app, acme["owner"])
    approve(app, acme)
    invoice = db.session.scalar(sa.select(Invoice))
    stranger = make_partner()
    commit()
    browser = Browser(app)
    browser.login(stranger.email)
    assert browser.get(f"/membership/invoices/{invoice.id}/pdf").status_code == 404
    assert browser.get(f"/membership/invoices/{invoice.id + 1}/pdf").status_code == 404
    staff = Browser(app)
    staff.login_staff(acme["staff"])
    assert staff.get(f"/admin/invoices/{invoice.id}/pdf").data == invoice.pdf


def test_invoice_numbers_are_sequential_and_a_rollback_leaves_no_gap(app, ctx):
    with app_context(app):
        first = services.next_invoice_number(2031)
        db.session.commit()
        services.next_invoice_number(2031)
        db.session.rollback()  # an invoice that failed: its number is given back
        second = services.next_invoice_number(2031)
        other_year = services.next_invoice_number(2032)
    assert (first, second, other_year) == ("INV-2031-0001", "INV-2031-0002", "INV-2032-0001")


def test_invoice_numbers_stay_gap_free_under_concurrent_issuing(app, monkeypatch):
    """Real transactions on separate connections (PostgreSQL in CI): no duplicate, no gap."""
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    year, workers = 2999, 16

    def issue(index: int) -> str | None:
        with app_context(app):
            number = services.next_invoice_number(year)
            if index % 4 == 3:
                db.session.rollback()  # a failed invoice gives its number back
                return None
            db.session.commit()
            return number

    try:
        results = [number for number in run_simultaneously(workers, issue) if number is not None]
        numbers = sorted(int(n.rsplit("-", 1)[1]) for n in results)
        assert numbers == list(range(1, len(results) + 1))
        assert len(results) == workers - workers // 4
    finally:
        with app_context(app):
            db.session.execute(sa.delete(InvoiceSequence).where(InvoiceSequence.year == year))
            db.session.commit()
            db.session.remove()


def test_tier_seat_limit_applies_to_invitations(app, acme):
    apply(app, acme["owner"])
    approve(app, acme)  # Partner tier: 2 seats, both taken (owner + member)
    browser = Browser(app)
    browser.login(acme["owner"].email)
    response = browser.post("/organisation/invitations", {"email": "new@acme.example", "roles": ["member"]})
    assert response.status_code == 400
    assert "includes 2 seats" in text(response)
    assert emails_to("new@acme.example") == []


def test_staff_edit_tiers_only_as_admin(app, ctx, tiers):
    staff, admin = make_staff(), make_staff(admin=True)
    commit()
    browser = Browser(app)
    browser.login_staff(staff)
    assert "Associate" in text(browser.get("/admin/tiers"))
    assert browser.get("/admin/tiers/new").status_code == 403
    boss = Browser(app)
    boss.login_staff(admin)
    form = {
        "name": "Founding Member",
        "slug": "Founding Member",
        "annual_fee": "150000",
        "benefits": "Board seat\nNaming rights",
        "catalog_access": "dossier",
        "active": "y",
    }
    bad = boss.post("/admin/tiers/new", form)
    assert bad.status_code == 200 and "lower-case letters" in text(bad)
    assert location(boss.post("/admin/tiers/new", {**form, "slug": "founding"})) == "/admin/tiers"
    tier = db.session.scalar(
        sa.select(type(tiers["partner"])).where(type(tiers["partner"]).slug == "founding")
    )
    assert tier.annual_fee_cents == 150_000_00 and tier.benefits == ["Board seat", "Naming rights"]
    clash = boss.post(f"/admin/tiers/{tier.id}", {**form, "slug": "partner"})
    assert "already uses this slug" in text(clash)
    assert "Founding Member" in text(Browser(app).get("/tiers"))


def test_membership_page_for_a_company_without_membership(app, acme):
    browser = Browser(app)
    browser.login(acme["owner"].email)
    page = text(browser.get("/membership"))
    assert "No membership yet" in page and "/tiers" in page
    assert not services.has_partner_access(acme["org"])
    assert db.session.get(User, acme["owner"].id) is not None


def test_admins_write_a_tier_in_french_and_german_and_readers_see_their_language(app, ctx, tiers):
    admin = make_staff(admin=True)
    commit()
    boss = Browser(app)
    boss.login_staff(admin)
    form = {
        "name": "Founding Member",
        "slug": "founding",
        "annual_fee": "150000",
        "description": "Shape the programme",
        "benefits": "Board seat\nNaming rights",
        "description_de": "Gestalten Sie das Programm mit",
        "benefits_de": "Sitz im Beirat\n\nNamensrechte",
        "catalog_access": "dossier",
        "active": "y",
    }
    assert location(boss.post("/admin/tiers/new", form)) == "/admin/tiers"
    tier = db.session.scalar(
        sa.select(type(tiers["partner"])).where(type(tiers["partner"]).slug == "founding")
    )
    assert tier.translations == {
        "de": {
            "description": "Gestalten Sie das Programm mit",
            "benefits": ["Sitz im Beirat", "Namensrechte"],
        }
    }
    assert "Sitz im Beirat" in text(boss.get(f"/admin/tiers/{tier.id}"))  # the form shows them again

    german = text(Browser(app).get("/tiers", headers={"Accept-Language": "de"}))
    assert (
        "Gestalten Sie das Programm mit" in german
        and "Namensrechte" in german
        and "Naming rights" not in german
    )
    french = text(Browser(app).get("/tiers", headers={"Accept-Language": "fr"}))  # none written: English
    assert "Shape the programme" in french and "Naming rights" in french
