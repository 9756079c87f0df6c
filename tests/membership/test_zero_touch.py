"""Issue 10, points 9 and 10: zero staff actions on the standard path. Approval rules per tier (with
the denied-parties list) approve through the staff's own service; staff see and can revoke an
automatic approval; a standing countersignature countersigns the moment the partner signs."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.agreements import services as agreements
from portal.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementStatus,
    SignatoryParty,
)
from portal.agreements.templates import ensure_default_template
from portal.auth.models import User
from portal.core.models import AuditEvent, Email
from portal.extensions import db
from portal.membership import services as membership
from portal.membership.models import (
    Application,
    ApplicationStatus,
    Invoice,
    InvoiceStatus,
    Membership,
    MembershipStatus,
    PaymentMethod,
)

from ..support.browser import Browser, emails_to, last_email_to, link_in, location, text
from ..support.factories import (
    APPLY,
    PASSWORD,
    commit,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
)
from ..support.stripe_support import PRICE, deliver


def audit(action: str) -> list[AuditEvent]:
    return list(db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)))


def make_rule(tier, officer, admin, **overrides):
    values = dict(
        name="Card payers",
        tier_id=tier.id,
        require_not_denied=True,
        require_tax_number=True,
        require_card=True,
        account_owner_id=officer.id,
        active=True,
    )
    values.update(overrides)
    return membership.save_rule(admin, None, membership.RuleData(**values))


@pytest.fixture
def zero_touch(stripe_app, ctx):
    """An Associate tier payable by card with a rule for card payers, a denied party, and a
    company (owner and signatory) that applies."""
    admin = make_staff(admin=True, full_name="Ada Lindqvist")
    officer = make_staff(full_name="Oscar Mbeki")
    tier = make_tier(slug="associate", name="Associate", stripe_price_id=PRICE)
    rule = make_rule(tier, officer, admin)
    membership.add_denied_party(
        admin, membership.DeniedPartyData(name="Schwarz & Söhne, GmbH", country="", number="", note="list")
    )
    organisation = make_organisation(legal_name="Acme Robotics GmbH", country="DE")
    owner = make_partner(organisation=organisation, email="owner@acme.example")
    commit()
    return {
        "admin": admin,
        "officer": officer,
        "tier": tier,
        "rule": rule,
        "org": organisation,
        "owner": owner,
    }


def apply(browser: Browser, **overrides):
    return browser.post(
        "/membership/apply", {**APPLY, "tier": "associate", "payment_method": "card", **overrides}
    )


def application_of(organisation) -> Application:
    db.session.expire_all()
    return db.session.scalar(
        sa.select(Application)
        .where(Application.organisation_id == organisation.id)
        .order_by(Application.id.desc())
    )


# --- the denied-parties list ----------------------------------------------------------------


def test_names_match_without_case_diacritics_or_punctuation_as_whole_words(zero_touch):
    assert membership.name_key("  SCHWARZ & SÖHNE, GmbH. ") == "schwarz sohne gmbh"
    application = Application(organisation=make_organisation(legal_name="schwarz-sohne gmbh (Berlin)"))
    assert str(membership.denied_match(application)) == "Schwarz & Söhne, GmbH"
    application.organisation = make_organisation(legal_name="Schwarzwald Söhne GmbH")
    assert membership.denied_match(application) is None  # whole words only


def test_numbers_and_countries_match_and_every_given_field_must_match(zero_touch):
    admin = zero_touch["admin"]
    membership.add_denied_party(
        admin, membership.DeniedPartyData(name="", country="", number="de 136.695-976", note="")
    )
    membership.add_denied_party(
        admin, membership.DeniedPartyData(name="Kumo", country="JP", number="", note="")
    )
    by_vat = Application(organisation=make_organisation(legal_name="Other AG"), vat_number="136695976")
    assert membership.denied_match(by_vat).number == "de 136.695-976"
    kumo_de = Application(organisation=make_organisation(legal_name="Kumo GmbH", country="DE"))
    assert membership.denied_match(kumo_de) is None  # the entry also names a country
    kumo_jp = Application(organisation=make_organisation(legal_name="Kumo Materials", country="JP"))
    assert membership.denied_match(kumo_jp).name == "Kumo"


def test_an_empty_or_malformed_denied_entry_is_refused_on_the_form(zero_touch, browser):
    browser.login_staff(zero_touch["admin"])
    response = browser.post("/admin/denied-parties/new", {"name": " ,. ", "country": "", "number": "-"})
    assert response.status_code == 400
    assert "Give a company name, a registration or VAT number, or a country." in text(response)
    response = browser.post("/admin/denied-parties/new", {"name": "X", "country": "ZZ"})
    assert response.status_code == 400 and "Choose a country from the list." in text(response)
    response = browser.post("/admin/denied-parties/new", {"name": "Evil Corp", "country": "", "number": ""})
    assert location(response) == "/admin/denied-parties"
    assert audit("denied_party.added")[-1].details["name"] == "Evil Corp"


# --- approval rules --------------------------------------------------------------------------


def test_a_matching_application_is_approved_through_the_staff_service(zero_touch, browser):
    browser.login(zero_touch["owner"].email)
    response = apply(browser)
    assert location(response) == "/membership"
    assert "Your application is approved" in text(browser.get("/membership"))
    application = application_of(zero_touch["org"])
    assert application.status is ApplicationStatus.APPROVED
    assert application.payment_method is PaymentMethod.CARD
    assert application.approval_rule_id == zero_touch["rule"].id and application.decided_by is None
    assert application.organisation.account_owner_id == zero_touch["officer"].id
    # What a manual approval gives: the membership, the invoice, the issued agreement, the email.
    assert membership.membership_of(zero_touch["org"]).status is MembershipStatus.AWAITING_PAYMENT
    assert db.session.scalar(sa.select(Invoice).where(Invoice.organisation_id == zero_touch["org"].id))
    agreement = db.session.scalar(
        sa.select(Agreement).where(Agreement.organisation_id == zero_touch["org"].id)
    )
    assert agreement.status is AgreementStatus.ISSUED and agreement.kind is AgreementKind.PARTNERSHIP
    assert any("Welcome to the" in m.subject for m in emails_to("owner@acme.example"))
    (approved,) = audit("application.approved")
    assert approved.actor_id is None
    assert approved.details["automatic"] is True and approved.details["rule"] == "Card payers"
    # Staff see it, marked, in the list and on the page; the open queue is empty.
    browser.logout()
    browser.login_staff(zero_touch["officer"])
    assert "Acme Robotics" not in text(browser.get("/admin/applications"))
    listing = text(browser.get("/admin/applications?status=automatic"))
    assert "Acme Robotics" in listing and "data-automatic" in listing and "Card payers" in listing
    page = text(browser.get(f"/admin/applications/{application.id}"))
    assert "Approved automatically" in page and "Revoke the approval" in page


@pytest.mark.parametrize(
    ("overrides", "country", "why"),
    [
        ({"payment_method": "invoice"}, "DE", "does not pay by card"),
        ({}, "DE", "on the denied-parties list"),
        ({"vat_number": "", "registration_number": ""}, "US", "no valid VAT or registration number"),
    ],
)
def test_an_application_that_matches_no_rule_waits_for_staff(
    stripe_app, zero_touch, browser, overrides, country, why
):
    organisation = zero_touch["org"]
    organisation.country = country
    if why == "on the denied-parties list":
        organisation.trading_name = "SCHWARZ UND SÖHNE"  # not listed
        organisation.legal_name = "Schwarz & Sohne GmbH"  # listed, spelt differently
    commit()
    browser.login(zero_touch["owner"].email)
    assert location(apply(browser, **overrides)) == "/membership"
    application = application_of(organisation)
    assert application.status is ApplicationStatus.SUBMITTED and application.approval_rule_id is None
    assert membership.membership_of(organisation) is None
    assert membership.unmet_conditions(zero_touch["rule"], application) == [why]
    assert audit("application.approved") == []
    assert "Application from" in last_email_to(stripe_app.config["CONTACT_EMAIL"]).subject


def test_card_is_refused_on_the_form_for_a_tier_without_card_payment(zero_touch, browser):
    zero_touch["tier"].stripe_price_id = ""
    commit()
    browser.login(zero_touch["owner"].email)
    response = apply(browser)
    assert response.status_code == 400
    assert "Card payment is not offered for this tier; choose payment by invoice." in text(response)
    assert application_of(zero_touch["org"]) is None


def test_admins_set_rules_in_the_console_with_clear_errors(zero_touch, browser):
    browser.login_staff(zero_touch["admin"])
    form = {
        "name": "Invoice payers",
        "tier": str(zero_touch["tier"].id),
        "require_not_denied": "y",
        "require_tax_number": "y",
        "account_owner": str(zero_touch["officer"].id),
        "active": "y",
    }
    response = browser.post("/admin/approval-rules/new", {**form, "require_tax_number": ""})
    assert response.status_code == 400 and "always checks the denied-parties list" in text(response)
    response = browser.post("/admin/approval-rules/new", {**form, "tier": "999999"})
    assert response.status_code == 400 and "Choose the tier the rule approves." in text(response)
    response = browser.post("/admin/approval-rules/new", {**form, "account_owner": "abc"})
    assert response.status_code == 400 and "Partnership Development Officer" in text(response)
    assert location(browser.post("/admin/approval-rules/new", form)) == "/admin/approval-rules"
    page = text(browser.get("/admin/approval-rules"))
    assert "Invoice payers" in page and "a valid VAT or registration number" in page
    assert audit("approval_rule.created")[-1].actor_id == zero_touch["admin"].id


# --- revoking ---------------------------------------------------------------------------------


def test_staff_revoke_an_automatic_approval_and_decide_it_themselves(zero_touch, browser):
    partner = Browser(browser.app)
    partner.login(zero_touch["owner"].email)
    apply(partner)
    application = application_of(zero_touch["org"])
    browser.login_staff(zero_touch["officer"])
    path = f"/admin/applications/{application.id}/revoke"
    response = browser.post(path, {"reason": ""})
    assert response.status_code == 400 and "This field is required" in text(response)
    assert location(browser.post(path, {"reason": "Sanctions check pending"})) == (
        f"/admin/applications/{application.id}"
    )
    application = application_of(zero_touch["org"])
    assert application.status is ApplicationStatus.SUBMITTED and application.auto_revoked_at is not None
    current = membership.membership_of(zero_touch["org"])
    assert current.status is MembershipStatus.CANCELLED
    assert not membership.has_partner_access(zero_touch["org"])
    assert {i.status for i in db.session.scalars(sa.select(Invoice))} == {InvoiceStatus.VOID}
    agreement = db.session.scalar(
        sa.select(Agreement).where(Agreement.organisation_id == zero_touch["org"].id)
    )
    assert agreement.status is AgreementStatus.VOID and "Sanctions check pending" in agreement.end_reason
    (revoked,) = audit("application.auto_approval_revoked")
    assert revoked.actor_id == zero_touch["officer"].id and revoked.details["rule"] == "Card payers"
    assert "back under review" in last_email_to("owner@acme.example").subject
    # Twice is refused; the application is in the queue and staff approve it with the usual form.
    response = browser.post(path, {"reason": "again"})
    assert response.status_code == 400 and "Only an application approved automatically" in text(response)
    assert "Acme Robotics" in text(browser.get("/admin/applications"))
    response = browser.post(
        f"/admin/applications/{application.id}/approve", {"account_owner": str(zero_touch["officer"].id)}
    )
    assert location(response) == f"/admin/applications/{application.id}"
    db.session.expire_all()
    assert membership.membership_of(zero_touch["org"]).status is MembershipStatus.AWAITING_PAYMENT
    assert application_of(zero_touch["org"]).decided_by_id == zero_touch["officer"].id


def test_an_approval_paid_for_is_not_revoked_here(zero_touch, browser):
    partner = Browser(browser.app)
    partner.login(zero_touch["owner"].email)
    apply(partner)
    application = application_of(zero_touch["org"])
    current = membership.membership_of(zero_touch["org"])
    current.status, current.stripe_subscription_id = MembershipStatus.AWAITING_SIGNATURE, "sub_paid"
    commit()
    browser.login_staff(zero_touch["officer"])
    response = browser.post(f"/admin/applications/{application.id}/revoke", {"reason": "late"})
    assert response.status_code == 400 and "A payment was already received" in text(response)
    assert application_of(zero_touch["org"]).status is ApplicationStatus.APPROVED


# --- standing countersignatures ----------------------------------------------------------------


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def approved_with_agreement(zero_touch) -> Agreement:
    application = Application(
        organisation=zero_touch["org"],
        tier=zero_touch["tier"],
        signatory_name="Clara Becker",
        signatory_title="Managing Director",
        billing_name="Jonas Weber",
        billing_email="billing@example.com",
        billing_address="Industriestraße 12\n80331 München",
        vat_number="DE136695976",
    )
    db.session.add(application)
    db.session.flush()
    membership.approve_application(zero_touch["officer"], application, zero_touch["officer"])
    commit()
    return db.session.scalar(sa.select(Agreement).where(Agreement.organisation_id == zero_touch["org"].id))


def give(zero_touch, **overrides):
    values = dict(
        template=ensure_default_template(AgreementKind.PARTNERSHIP),
        tier_id=zero_touch["tier"].id,
        signer=zero_touch["admin"],
        title="Head of Technology Transfer",
        valid_until=date.today() + timedelta(days=30),
    )
    values.update(overrides)
    standing = agreements.give_standing(zero_touch["admin"], **values)
    commit()
    return standing


def partner_signs(agreement: Agreement, owner: User) -> None:
    agreements.sign_as_partner(
        owner,
        agreement,
        agreements.Evidence(owner.full_name, "CEO", True, agreement.pdf_sha256, "192.0.2.1", "t"),
    )
    commit()


def test_the_partner_signature_executes_an_agreement_under_a_standing_countersignature(
    stripe_app, zero_touch
):
    standing = give(zero_touch)
    agreement = approved_with_agreement(zero_touch)
    partner_signs(agreement, zero_touch["owner"])
    assert agreement.status is AgreementStatus.EXECUTED
    institution = agreement.signature_of(SignatoryParty.INSTITUTION)
    assert institution.standing_id == standing.id and institution.user_id == zero_touch["admin"].id
    assert institution.title == "Head of Technology Transfer"
    signed = audit("agreement.signed_institution")
    assert signed[-1].details["standing_countersignature"] == standing.id
    assert audit("agreement.executed")
    # Triggered again: nothing more happens (one institution signature, still executed).
    assert agreements.countersign_under_standing(agreement) is False
    assert len(agreement.signatures) == 2
    # The executed PDF and /verify say under whose standing authorisation, given when.
    assert agreements.render_executed_after_commit(agreement.id)
    db.session.expire_all()
    agreement = db.session.get(Agreement, agreement.id)
    today = date.today()
    line = "Countersigned under the standing authorisation of Ada Lindqvist, "
    line += f"given {today.day} {today:%B %Y}."
    assert line in " ".join(pdf_text(agreement.executed_pdf).split())
    response = Browser(stripe_app).post(
        "/verify", {"number": agreement.number, "sha256": agreement.executed_sha256}
    )
    assert "Genuine" in text(response) and line in text(response)


@pytest.mark.parametrize("state", ["revoked", "expired", "other tier", "signer no longer admin"])
def test_a_standing_countersignature_that_does_not_apply_leaves_it_to_an_admin(zero_touch, state):
    standing = give(zero_touch)
    if state == "revoked":
        agreements.revoke_standing(zero_touch["admin"], standing, "Signer on leave")
        assert audit("standing_countersignature.revoked")[-1].details["reason"] == "Signer on leave"
    elif state == "expired":
        standing.valid_until = date.today() - timedelta(days=1)
    elif state == "other tier":
        standing.tier_id = make_tier().id
    else:
        zero_touch["admin"].platform_role = zero_touch["officer"].platform_role
    commit()
    agreement = approved_with_agreement(zero_touch)
    partner_signs(agreement, zero_touch["owner"])
    assert agreement.status is AgreementStatus.PARTNER_SIGNED
    assert agreement.signature_of(SignatoryParty.INSTITUTION) is None
    # The request goes to those who may countersign: the administrators, or the programme's
    # address when none is left; never to the officer, who may not.
    sent = db.session.scalars(sa.select(Email))
    askers = {m.to_address for m in sent if "countersignature needed" in m.subject}
    assert askers and zero_touch["officer"].email not in askers


def test_admins_give_and_revoke_standing_countersignatures_in_the_console(zero_touch, browser):
    browser.login_staff(zero_touch["admin"])
    template = ensure_default_template(AgreementKind.PARTNERSHIP)
    commit()
    form = {
        "template": str(template.id),
        "tier": str(zero_touch["tier"].id),
        "signer": str(zero_touch["officer"].id),  # staff, not an admin: may not countersign
        "title": "Director",
        "valid_until": (date.today() + timedelta(days=10)).isoformat(),
    }
    response = browser.post("/admin/standing-countersignatures/new", form)
    assert response.status_code == 400 and "Choose an administrator who may countersign." in text(response)
    response = browser.post(
        "/admin/standing-countersignatures/new",
        {**form, "signer": str(zero_touch["admin"].id), "valid_until": "2001-01-01"},
    )
    assert response.status_code == 400 and "Choose a date from today on." in text(response)
    response = browser.post(
        "/admin/standing-countersignatures/new", {**form, "signer": str(zero_touch["admin"].id)}
    )
    assert location(response) == "/admin/standing-countersignatures"
    (given,) = audit("standing_countersignature.given")
    assert given.actor_id == zero_touch["admin"].id and given.details["title"] == "Director"
    assert "In force" in text(browser.get("/admin/standing-countersignatures"))
    response = browser.post(
        f"/admin/standing-countersignatures/{given.target_id}/revoke", {"reason": "Retired"}
    )
    assert location(response) == "/admin/standing-countersignatures"
    assert "Revoked" in text(browser.get("/admin/standing-countersignatures"))
    assert audit("standing_countersignature.revoked")[-1].actor_id == zero_touch["admin"].id


# --- the whole path, no staff -----------------------------------------------------------------


def test_a_company_alone_reaches_an_active_membership(stripe_app, fake, ctx):
    admin = make_staff(admin=True, full_name="Ada Lindqvist")
    officer = make_staff(full_name="Oscar Mbeki")
    tier = make_tier(slug="associate", name="Associate", stripe_price_id=PRICE)
    make_rule(tier, officer, admin)
    give({"admin": admin, "tier": tier})
    staff_ids = {admin.id, officer.id}
    first_event = db.session.scalar(sa.select(sa.func.max(AuditEvent.id))) or 0
    commit()

    browser = Browser(stripe_app)
    response = browser.post(
        "/signup",
        {
            "legal_name": "Nimbus Sensorik GmbH",
            "country": "DE",
            "full_name": "Clara Becker",
            "job_title": "CEO",
            "email": "clara@nimbus.example",
            "password": PASSWORD,
            "confirm": PASSWORD,
            "accept": "y",
        },
    )
    assert location(response) == "/signup/check-email"
    browser.post(link_in(last_email_to("clara@nimbus.example"), "/verify-email/"))
    assert location(browser.login("clara@nimbus.example")) == "/dashboard"
    assert location(apply(browser)) == "/membership"
    organisation = db.session.scalar(sa.select(User).where(User.email == "clara@nimbus.example")).organisation
    assert application_of(organisation).status is ApplicationStatus.APPROVED

    response = browser.post("/membership/pay/card")
    assert response.status_code == 303
    session_id = response.headers["Location"].rsplit("/", 1)[1]
    fake.complete_checkout(session_id)
    commit()  # deliver() runs the webhook in the test's own session: end the test's reads first
    assert deliver(
        stripe_app, fake.event("checkout.session.completed", fake.checkout_sessions[session_id])
    ).json == {
        "received": True,
        "duplicate": False,
    }
    db.session.expire_all()
    assert membership.membership_of(organisation).status is MembershipStatus.AWAITING_SIGNATURE

    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.organisation_id == organisation.id))
    assert browser.get(f"/agreements/{agreement.id}").status_code == 200
    response = browser.post(
        f"/agreements/{agreement.id}/sign",
        {
            "full_name": "Clara Becker",
            "title": "CEO",
            "confirm": "y",
            "document_sha256": agreement.pdf_sha256,
        },
    )
    assert location(response) == f"/agreements/{agreement.id}"
    db.session.expire_all()
    agreement = db.session.get(Agreement, agreement.id)
    assert agreement.status is AgreementStatus.EXECUTED and agreement.executed_sha256 is not None
    assert agreement.signature_of(SignatoryParty.INSTITUTION).standing_id is not None
    current = db.session.get(Membership, membership.membership_of(organisation).id)
    assert current.status is MembershipStatus.ACTIVE and current.payment_method is PaymentMethod.CARD
    assert membership.has_partner_access(organisation)
    # Zero staff actions: no audit row of the whole path names a staff member as its actor (the
    # institution's signature is given under the standing authorisation, marked automatic).
    rows = db.session.scalars(sa.select(AuditEvent).where(AuditEvent.id > first_event)).all()
    staff_rows = [r for r in rows if r.actor_id in staff_ids and not r.details.get("automatic")]
    assert staff_rows == []
    assert "standing authorisation of Ada Lindqvist" in " ".join(pdf_text(agreement.executed_pdf).split())


def test_the_demo_seed_configures_the_zero_touch_path_once(app, ctx):
    from portal.agreements.models import StandingCountersignature
    from portal.membership.models import ApprovalRule, Tier

    runner = app.test_cli_runner()
    assert runner.invoke(args=["portal", "seed-demo"]).exit_code == 0
    assert "0 records created" in runner.invoke(args=["portal", "seed-demo"]).output
    associate = db.session.scalar(sa.select(Tier).where(Tier.slug == "associate"))
    (rule,) = db.session.scalars(sa.select(ApprovalRule).where(ApprovalRule.tier_id == associate.id)).all()
    assert rule.active and rule.require_card and rule.require_not_denied and rule.require_tax_number
    (standing,) = db.session.scalars(
        sa.select(StandingCountersignature).where(StandingCountersignature.tier_id == associate.id)
    ).all()
    assert standing.in_force(date.today()) and standing.signer.is_admin
    assert standing.template_id == ensure_default_template(AgreementKind.PARTNERSHIP).id
