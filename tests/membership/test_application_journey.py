"""The applicant's side of an application (issue 10, points 3, 5 and 8): a copy of what was sent,
changing or withdrawing it while it waits, one approval email that says what happens next, the
company's registered details carried into its profile and the executed agreement, and a profile
VAT number checked like the application's."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.agreements import services as agreements
from portal.agreements.models import Agreement
from portal.core.errors import DomainError
from portal.core.models import AuditEvent, Email
from portal.extensions import db
from portal.membership import services
from portal.membership.models import Application, ApplicationStatus, Invoice, MembershipStatus
from portal.partners.models import OrganisationStatus, OrgRole

from ..support.browser import Browser, emails_to, last_email_to, location, text
from ..support.context import app_context
from ..support.factories import (
    APPLY,
    commit,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
    sign_and_countersign,
)


@pytest.fixture
def acme(ctx):
    tier = make_tier(slug="partner", name="Partner", annual_fee_cents=25_000_00)
    organisation = make_organisation(legal_name="Acme Robotics GmbH", country="DE", registration_number="")
    owner = make_partner(organisation=organisation, email="owner@acme.example", full_name="Clara Becker")
    signatory = make_partner(
        organisation=organisation, roles={OrgRole.SIGNATORY}, email="sig@acme.example", full_name="Sven Ig"
    )
    billing = make_partner(
        organisation=organisation, roles={OrgRole.BILLING}, email="pay@acme.example", full_name="Paula Y"
    )
    member = make_partner(organisation=organisation, roles={OrgRole.MEMBER}, email="mia@acme.example")
    staff = make_staff(email="officer@tto.example", full_name="Oscar Mbeki")
    commit()
    return {
        "tier": tier,
        "org": organisation,
        "owner": owner,
        "signatory": signatory,
        "billing": billing,
        "member": member,
        "staff": staff,
    }


def application() -> Application:
    db.session.expire_all()
    return db.session.scalar(sa.select(Application).order_by(Application.id.desc()))


def organisation_of(acme):
    db.session.expire_all()
    return db.session.get(type(acme["org"]), acme["org"].id)


def owner_browser(app, acme) -> Browser:
    browser = Browser(app)
    browser.login(acme["owner"].email)
    return browser


def approve(app, acme) -> None:
    staff = Browser(app)
    staff.login_staff(acme["staff"])
    response = staff.post(
        f"/admin/applications/{application().id}/approve", {"account_owner": str(acme["staff"].id)}
    )
    assert response.status_code == 302
    db.session.expire_all()


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# --- point 3: a copy of what was sent; change or withdraw while it waits ------------------------


def test_the_applicant_receives_a_copy_of_the_application_and_the_profile_takes_the_company_details(
    app, acme
):
    browser = owner_browser(app, acme)
    sent = {**APPLY, "interests": "Machine vision for bin picking, canary-7731"}
    assert location(browser.post("/membership/apply", sent)) == "/membership"

    copy = last_email_to("owner@acme.example")
    assert (
        copy.template == "application_received" and "We received your membership application" in copy.subject
    )
    for expected in (
        "Hello Clara Becker,",
        "canary-7731",
        "HRB 98765",
        "Industriestraße 12",
        "80331 München",
        "Clara Becker, Managing Director",
        "Jonas Weber <billing@acme.example>",
        "DE136695976",
        "An event or conference",
    ):
        assert expected in copy.body_text, expected
        assert expected.replace("<", "&lt;").replace(">", "&gt;") in copy.body_html, expected
    assert "/membership" in copy.body_text  # where to change or withdraw it
    # The staff still hear of it, and the billing address falls back to the registered one.
    assert any("Application from" in e.subject for e in db.session.scalars(sa.select(Email)))
    assert application().billing_address == "Industriestraße 12\n80331 München"

    organisation = organisation_of(acme)
    assert (
        organisation.registration_number,
        organisation.address_line1,
        organisation.postcode,
        organisation.city,
    ) == (
        "HRB 98765",
        "Industriestraße 12",
        "80331",
        "München",
    )
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "organisation.updated"))
    assert set(event.details["fields"]) >= {"registration_number", "address_line1", "postcode", "city"}

    # The membership page shows the same copy, with the way to change or withdraw it.
    page = text(browser.get("/membership"))
    assert "What you sent" in page and "canary-7731" in page and "HRB 98765" in page
    assert "Change the application" in page and "Withdraw the application" in page


def test_a_plain_member_sees_the_application_but_cannot_change_or_withdraw_it(app, acme):
    owner_browser(app, acme).post("/membership/apply", APPLY)
    member = Browser(app)
    member.login("mia@acme.example")
    page = text(member.get("/membership"))
    assert (
        "What you sent" in page
        and "Withdraw the application" not in page
        and "Change the application" not in page
    )
    assert member.get("/membership/apply").status_code == 403
    assert member.post("/membership/application/withdraw").status_code == 403
    assert application().status is ApplicationStatus.SUBMITTED


def test_the_owner_changes_the_application_while_it_waits_and_it_keeps_its_place(app, acme):
    browser = owner_browser(app, acme)
    browser.post("/membership/apply", APPLY)
    before = application()
    submitted_at = before.submitted_at
    form = text(browser.get("/membership/apply"))
    assert "Change your application" in form and "Save the changes" in form
    assert 'value="HRB 98765"' in form and "Machine vision for bin picking" in form

    response = browser.post("/membership/apply", {**APPLY, "interests": "Now: predictive maintenance"})
    assert location(response) == "/membership"
    after = application()
    assert after.id == before.id and after.status is ApplicationStatus.SUBMITTED
    assert after.interests == "Now: predictive maintenance" and after.submitted_at == submitted_at
    edited = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "application.edited"))
    assert edited.details["fields"] == ["interests"] and edited.actor_id == acme["owner"].id
    mail = last_email_to("owner@acme.example")
    assert "as changed" in mail.subject and "Now: predictive maintenance" in mail.body_text
    # Staff are not told twice of the same application.
    assert sum("Application from" in e.subject for e in db.session.scalars(sa.select(Email))) == 1

    # A bad change is refused with its message and changes nothing.
    refused = browser.post("/membership/apply", {**APPLY, "vat_number": "DE123"})
    assert refused.status_code == 400 and "not a valid EU VAT number" in text(refused)
    assert application().vat_number == "DE136695976"


def test_once_decided_the_application_can_no_longer_be_changed_or_withdrawn(app, acme):
    browser = owner_browser(app, acme)
    browser.post("/membership/apply", APPLY)
    approve(app, acme)
    response = browser.post("/membership/apply", {**APPLY, "interests": "late change"})
    assert response.status_code == 400 and "already has a membership" in text(response)
    assert application().interests == "Machine vision for bin picking"
    assert location(browser.post("/membership/application/withdraw")) == "/membership"
    assert application().status is ApplicationStatus.APPROVED


def test_an_edit_racing_the_decision_is_refused_by_the_service(app, acme):
    owner_browser(app, acme).post("/membership/apply", APPLY)
    pending = application()
    approve(app, acme)
    with app_context(app):
        pending = db.session.get(Application, pending.id)
        data = services.ApplicationData(
            **{k: v for k, v in APPLY.items() if k not in ("tier",)}, tier_slug="partner"
        )
        with pytest.raises(DomainError) as refused:
            services.edit_application(acme["owner"], pending, data)
        assert "decided meanwhile" in str(refused.value)
        with pytest.raises(DomainError) as refused:
            services.withdraw_application(acme["owner"], pending)
        assert "decided meanwhile" in str(refused.value)


def test_the_owner_withdraws_and_may_apply_again(app, acme):
    browser = owner_browser(app, acme)
    browser.post("/membership/apply", APPLY)
    assert organisation_of(acme).status is OrganisationStatus.APPLICANT

    assert location(browser.post("/membership/application/withdraw")) == "/membership"
    withdrawn = application()
    assert withdrawn.status is ApplicationStatus.WITHDRAWN and withdrawn.decided_by_id == acme["owner"].id
    assert organisation_of(acme).status is OrganisationStatus.REGISTERED
    assert db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "application.withdrawn"))
    page = text(browser.get("/membership"))
    assert "You withdrew this application" in page and "Apply again" in page

    # Staff no longer see it waiting; the owner can apply again.
    staff = Browser(app)
    staff.login_staff(acme["staff"])
    assert "Acme Robotics" not in text(staff.get("/admin/applications"))
    assert location(browser.post("/membership/apply", APPLY)) == "/membership"
    assert application().status is ApplicationStatus.SUBMITTED and application().id != withdrawn.id


# --- point 5: one approval email per person, saying what happens next ----------------------------


def test_approval_sends_each_person_one_email_that_says_what_happens_next(app, acme):
    owner_browser(app, acme).post("/membership/apply", APPLY)
    first = db.session.scalar(sa.select(sa.func.max(Email.id)))
    approve(app, acme)
    sent = list(db.session.scalars(sa.select(Email).where(Email.id > first)))
    by_address = {}
    for email in sent:
        by_address.setdefault(email.to_address, []).append(email)
    assert set(by_address) == {
        "owner@acme.example",
        "sig@acme.example",
        "pay@acme.example",
        "billing@acme.example",
    }
    assert all(len(mails) == 1 for mails in by_address.values()), {
        a: [m.subject for m in ms] for a, ms in by_address.items()
    }
    assert {e.template for e in sent} == {"application_approved"}  # not invoice_issued nor agreement_issued

    invoice = db.session.scalar(sa.select(Invoice))
    agreement = db.session.scalar(sa.select(Agreement))
    signatory_mail = by_address["sig@acme.example"][0]
    assert "Hello Sven Ig," in signatory_mail.body_text
    assert (
        f"/agreements/{agreement.id}" in signatory_mail.body_text
        and "you sign it" in signatory_mail.body_text
    )
    assert not signatory_mail.attachments  # the signatory does not pay

    payer = by_address["pay@acme.example"][0]
    assert "Hello Paula Y," in payer.body_text
    (attachment,) = payer.attachments
    assert attachment.filename == f"{invoice.number}.pdf" and attachment.data == invoice.pdf
    assert invoice.payment_reference in payer.body_text and "message (reference) field" in payer.body_text
    assert "Your signatory, Clara Becker, receives the link." in payer.body_text

    outside = by_address["billing@acme.example"][0]  # the billing mailbox need not be a portal user
    assert "Hello Jonas Weber," in outside.body_text and outside.attachments
    owner = by_address["owner@acme.example"][0]
    assert "Oscar Mbeki (officer@tto.example)" in owner.body_text and "welcome email" in owner.body_text
    for mail in sent:  # the three steps, in order
        body = mail.body_text
        assert (
            body.index("Sign the partnership agreement")
            < body.index("Pay invoice")
            < body.index("we countersign")
        )


def test_without_a_signatory_the_owners_are_asked_to_give_the_role(app, acme):
    from portal.partners.models import UserOrgRole

    db.session.execute(sa.delete(UserOrgRole).where(UserOrgRole.role == OrgRole.SIGNATORY))
    commit()
    owner_browser(app, acme).post("/membership/apply", APPLY)
    approve(app, acme)
    mail = last_email_to("owner@acme.example")
    assert "Nobody in your organisation has the signatory role yet" in mail.body_text
    assert "/organisation" in mail.body_text
    assert emails_to("sig@acme.example") == []


def test_the_approval_email_is_in_the_readers_language(app, acme):
    acme["billing"].locale = "de"
    commit()
    owner_browser(app, acme).post("/membership/apply", APPLY)
    approve(app, acme)
    german = last_email_to("pay@acme.example")
    english = last_email_to("owner@acme.example")
    assert "Guten Tag Paula Y," in german.body_text and "Verwendungszweck" in german.body_text
    assert "Hello Clara Becker," in english.body_text


def test_a_card_payer_sees_the_card_first_and_the_transfer_explained(stripe_app, acme):
    app = stripe_app
    from portal.membership.models import Tier

    tier = db.session.get(Tier, acme["tier"].id)
    tier.stripe_price_id = "price_partner"
    commit()
    browser = owner_browser(app, acme)
    browser.post("/membership/apply", {**APPLY, "payment_method": "card"})
    approve(app, acme)
    assert services.membership_of(acme["org"]).status is MembershipStatus.AWAITING_PAYMENT
    page = text(browser.get("/membership"))
    assert "You chose to pay by card" in page
    assert page.index("Pay by card (Stripe)") < page.index("Or pay invoice")
    assert "message (reference) field" in page
    mail = last_email_to("owner@acme.example")
    assert mail.body_text.index("Pay by card on your membership page") < mail.body_text.index(
        "Or by bank transfer"
    )


# --- point 8: registered details in the profile and the executed PDF; the profile's VAT ---------


def test_the_executed_agreement_names_the_countersigner_and_the_partner_registration(app, acme):
    owner_browser(app, acme).post("/membership/apply", APPLY)
    approve(app, acme)
    agreement = db.session.scalar(sa.select(Agreement))
    admin = make_staff(admin=True, email="dora@tto.example", full_name="Dora Countersign")
    commit()
    sign_and_countersign(agreement, signer=acme["signatory"], admin=admin)
    with app_context(app):
        agreement = db.session.get(Agreement, agreement.id)
        agreements.render_executed(agreement)
        content = pdf_text(agreement.executed_pdf)
    assert "represented by Dora Countersign, Director" in content
    assert app.config["AGREEMENT_SIGNATORY_NAME"] not in content.split("Signatures")[0]
    assert (
        "Registration: HRB 98765" in content
        and "Industriestraße 12" in content
        and "80331 München" in content
    )


def test_the_profile_vat_number_is_checked_like_the_applications(app, acme):
    browser = owner_browser(app, acme)
    profile = {
        "legal_name": "Acme Robotics GmbH",
        "country": "DE",
        "vat_number": "FR40303265045",
        "sector": "",
        "size_band": "",
    }
    refused = browser.post("/organisation/profile", profile)
    assert refused.status_code == 400 and "starting with DE" in text(refused)
    assert organisation_of(acme).vat_number == ""
    assert (
        location(browser.post("/organisation/profile", {**profile, "vat_number": "de 136 695 976"}))
        == "/organisation"
    )
    assert organisation_of(acme).vat_number == "DE136695976"
    # Outside the EU a tax number is kept as typed (tidied), and an empty one is allowed.
    assert (
        location(
            browser.post("/organisation/profile", {**profile, "country": "JP", "vat_number": "T1234 5678"})
        )
        == "/organisation"
    )
    assert organisation_of(acme).vat_number == "T1234 5678"
    assert location(browser.post("/organisation/profile", {**profile, "vat_number": ""})) == "/organisation"
