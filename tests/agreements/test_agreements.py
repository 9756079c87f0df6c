"""Agreements: generation, the PDF's content, signing and countersigning with evidence, activation,
downloads, failure safety, voiding and replacing, /verify. Real WeasyPrint PDFs, read with pypdf."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from portal.agreements import gate, rendering, templates
from portal.agreements import nda as nda_gate
from portal.agreements import services as agreements
from portal.agreements.models import (
    Agreement,
    AgreementKind,
    AgreementSignature,
    AgreementStatus,
    AgreementTemplate,
    SignatoryParty,
)
from portal.auth.models import User
from portal.core.models import AuditEvent
from portal.extensions import db
from portal.membership import services as membership_services
from portal.membership.models import Invoice, InvoiceStatus, Membership, MembershipStatus
from portal.partners.models import OrgRole

from ..support.browser import Browser, emails_to, last_email_to, location, text
from ..support.concurrency import post_simultaneously
from ..support.context import app_context
from ..support.factories import (
    commit,
    make_agreement,
    make_application,
    make_organisation,
    make_partner,
    make_staff,
    make_tier,
    sign_and_countersign,
)

PARTNER_IP, PARTNER_UA = "203.0.113.7", "Mozilla/5.0 (X11; Linux x86_64) PartnerBrowser/1.0"
ADMIN_IP, ADMIN_UA = "198.51.100.20", "Mozilla/5.0 (Macintosh) StaffBrowser/2.0"


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def squashed(value: str) -> str:
    """Without whitespace: PDF text breaks lines anywhere."""
    return "".join(value.split())


def page_count(data: bytes) -> int:
    return len(PdfReader(io.BytesIO(data)).pages)


def fresh(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


@pytest.fixture
def acme(app, ctx):
    """Acme's application approved: its partnership agreement is issued and its invoice open."""
    organisation = make_organisation(
        legal_name="Acme Robotics GmbH",
        trading_name="Acme Robotics",
        country="DE",
        registration_number="HRB 123456",
        vat_number="DE136695976",
        address_line1="Industriestraße 12",
        postcode="80331",
        city="München",
    )
    owner = make_partner(
        organisation=organisation, email="owner@acme.example", full_name="Clara Becker", job_title="CEO"
    )
    member = make_partner(organisation=organisation, roles={OrgRole.MEMBER}, email="mia@acme.example")
    officer = make_staff(email="officer@tto.example", full_name="Oscar Mbeki")
    admin = make_staff(admin=True, email="director@tto.example", full_name="Ingrid Vos")
    tier = make_tier(
        name="Partner",
        slug="partner",
        annual_fee_cents=25_000_00,
        benefits=["Quarterly technology briefings", "Two seats at the research day"],
    )
    application = make_application(
        organisation, tier, signatory_name="Clara Becker", signatory_title="CEO", vat_number="DE136695976"
    )
    with app_context(app):
        membership = membership_services.approve_application(officer, application, officer)
    commit()
    agreement = db.session.scalar(sa.select(Agreement).where(Agreement.organisation_id == organisation.id))
    return {
        "org": organisation,
        "owner": owner,
        "member": member,
        "officer": officer,
        "admin": admin,
        "membership": membership,
        "agreement": agreement,
    }


def partner_browser(app, email="owner@acme.example") -> Browser:
    browser = Browser(app, REMOTE_ADDR=PARTNER_IP, HTTP_USER_AGENT=PARTNER_UA)
    assert location(browser.login(email)) == "/dashboard"
    return browser


def admin_browser(app, admin) -> Browser:
    browser = Browser(app, REMOTE_ADDR=ADMIN_IP, HTTP_USER_AGENT=ADMIN_UA)
    assert location(browser.login_staff(admin)) == "/admin/"
    return browser


def sign_form(agreement, name="Clara Becker", title="CEO", **overrides) -> dict:
    form = {"full_name": name, "title": title, "confirm": "y", "document_sha256": agreement.pdf_sha256}
    form.update(overrides)
    return form


def pay_invoice(app, acme) -> None:
    invoice = db.session.scalar(
        sa.select(Invoice)
        .where(Invoice.organisation_id == acme["org"].id, Invoice.status == InvoiceStatus.OPEN)
        .order_by(Invoice.id.desc())
    )
    with app_context(app):
        membership_services.record_payment(
            acme["officer"], invoice, invoice.total_cents, date.today(), "SEPA"
        )
    commit()


# --- generation ------------------------------------------------------------------------------


def test_approval_generates_and_issues_the_partnership_agreement_as_a_four_page_contract(app, acme):
    agreement = acme["agreement"]
    assert agreement.kind is AgreementKind.PARTNERSHIP and agreement.status is AgreementStatus.ISSUED
    assert agreement.number == f"LIA-{date.today().year}-0001"
    assert agreement.pdf_sha256 == hashlib.sha256(agreement.pdf).hexdigest()
    assert agreement.template.version == 1 and agreement.generated_at is not None

    content = pdf_text(agreement.pdf)
    assert page_count(agreement.pdf) == 4
    for expected in (
        agreement.number,
        "Partnership Agreement: Partner tier",
        "Northfield Institute of Technology",  # the institution, its registration and VAT
        "KvK 12345678",
        "Acme Robotics GmbH",  # the partner, trading name, address, registration, VAT
        "trading as Acme Robotics",
        "Industriestraße 12",
        "HRB 123456",
        "DE136695976",
        "represented by Clara Becker, CEO",
        "EUR 25,000.00",  # the fee and the tier's benefits
        "Quarterly technology briefings",
        "initial term of 12 months",
        "Partnership agreement, version 1 (en)",
        "Page 1 of 4",
        "Page 4 of 4",
    ):
        assert expected in content, expected
    # Numbered clauses and sub-clauses, and the empty signature blocks.
    for clause in ("1. Purpose", "1.1", "2. Definitions", "5. Fees and payment", "5.1", "13. General"):
        assert clause in content, clause
    assert "FOR THE INSTITUTION" in content.upper() and "FOR THE PARTNER" in content.upper()
    assert "Certificate of execution" not in content

    # The partner hears of it in the approval email: its signatory is asked to sign.
    assert any(
        f"partnership agreement {agreement.number}" in e.body_text for e in emails_to("owner@acme.example")
    )


def test_the_partner_downloads_the_stored_bytes_and_others_get_404(app, acme):
    agreement = acme["agreement"]
    for email in ("owner@acme.example", "mia@acme.example"):  # any user of the organisation
        response = partner_browser(app, email).get(f"/agreements/{agreement.id}/pdf")
        assert response.status_code == 200 and response.data == agreement.pdf
        assert hashlib.sha256(response.data).hexdigest() == agreement.pdf_sha256
        assert response.headers["Cache-Control"] == "no-store"
        assert (
            response.headers["Content-Disposition"]
            == f'attachment; filename="{agreement.number}-for-signature.pdf"'
        )
    staff = admin_browser(app, acme["officer"])
    assert staff.get(f"/agreements/{agreement.id}/pdf").data == agreement.pdf

    other = make_partner(organisation=make_organisation(legal_name="Beta SA"), email="owner@beta.example")
    draft = make_agreement(acme["org"], status=AgreementStatus.DRAFT)
    commit()
    outsider = partner_browser(app, other.email)
    for url in (
        f"/agreements/{agreement.id}",
        f"/agreements/{agreement.id}/pdf",
        f"/agreements/{agreement.id + 1000}/pdf",
    ):
        assert outsider.get(url).status_code == 404, url
    assert outsider.post(f"/agreements/{agreement.id}/sign", sign_form(agreement)).status_code == 404
    assert "Acme" not in text(outsider.get("/agreements"))
    # Drafts stay with staff until issued.
    owner = partner_browser(app)
    assert owner.get(f"/agreements/{draft.id}").status_code == 404
    assert owner.get(f"/agreements/{draft.id}/pdf").status_code == 404
    # Visitors are asked to sign in.
    assert location(Browser(app).get(f"/agreements/{agreement.id}/pdf")).startswith("/login")


def test_a_stored_pdf_that_no_longer_matches_its_hash_is_refused(app, acme, caplog):
    agreement = acme["agreement"]
    agreement.pdf = agreement.pdf[:-1] + b"X"
    commit()
    response = partner_browser(app).get(f"/agreements/{agreement.id}/pdf")
    assert response.status_code == 500
    assert "failed its integrity check" in text(response)
    assert "agreement.integrity_failure" in caplog.text


def test_invoice_pdfs_are_hash_checked_on_read_too(app, acme, caplog):
    invoice = db.session.scalar(sa.select(Invoice).where(Invoice.organisation_id == acme["org"].id))
    owner = partner_browser(app)
    assert owner.get(f"/membership/invoices/{invoice.id}/pdf").data == invoice.pdf
    invoice.pdf = invoice.pdf + b"%"
    commit()
    response = owner.get(f"/membership/invoices/{invoice.id}/pdf")
    assert response.status_code == 500 and "failed its integrity check" in text(response)
    assert "invoice.integrity_failure" in caplog.text


# --- signing ---------------------------------------------------------------------------------


def test_partner_signs_admin_countersigns_and_the_executed_pdf_carries_the_certificate(app, acme):
    agreement = acme["agreement"]
    owner = partner_browser(app)
    page = text(owner.get(f"/agreements/{agreement.id}"))
    assert "Sign this agreement" in page and agreement.pdf_sha256 in page

    response = owner.post(f"/agreements/{agreement.id}/sign", sign_form(agreement, title="Chief Executive"))
    assert location(response) == f"/agreements/{agreement.id}"
    agreement = fresh(Agreement, agreement.id)
    assert agreement.status is AgreementStatus.PARTNER_SIGNED
    (signature,) = agreement.signatures
    assert (signature.user_id, signature.full_name, signature.title) == (
        acme["owner"].id,
        "Clara Becker",
        "Chief Executive",
    )
    assert (signature.ip, signature.user_agent) == (PARTNER_IP, PARTNER_UA)
    assert signature.document_sha256 == agreement.pdf_sha256
    assert signature.signed_at.tzinfo is not None
    assert (
        "authorised to sign agreement" in signature.statement and "Acme Robotics GmbH" in signature.statement
    )
    assert not any("countersignature needed" in m.subject for m in emails_to("officer@tto.example"))
    assert "countersignature needed" in last_email_to("director@tto.example").subject

    # A Partnership Development Officer sees it but only an administrator countersigns.
    officer = admin_browser(app, acme["officer"])
    assert "An administrator countersigns" in text(officer.get(f"/admin/agreements/{agreement.id}"))
    assert (
        officer.post(f"/admin/agreements/{agreement.id}/countersign", sign_form(agreement)).status_code == 403
    )

    admin = admin_browser(app, acme["admin"])
    response = admin.post(
        f"/admin/agreements/{agreement.id}/countersign", sign_form(agreement, "Ingrid Vos", "Director")
    )
    assert location(response) == f"/admin/agreements/{agreement.id}"
    agreement = fresh(Agreement, agreement.id)
    assert agreement.status is AgreementStatus.EXECUTED and agreement.executed_at is not None
    institution = agreement.signature_of(SignatoryParty.INSTITUTION)
    assert (institution.ip, institution.user_agent, institution.user_id) == (
        ADMIN_IP,
        ADMIN_UA,
        acme["admin"].id,
    )

    executed = agreement.executed_pdf
    assert agreement.executed_sha256 == hashlib.sha256(executed).hexdigest() != agreement.pdf_sha256
    content = pdf_text(executed)
    assert page_count(executed) == 5
    for expected in (
        "Certificate of execution",
        "Clara Becker",
        "Chief Executive",
        "Ingrid Vos",
        "owner@acme.example",
        "director@tto.example",
        PARTNER_IP,
        ADMIN_IP,
        "PartnerBrowser/1.0",
        agreement.pdf_sha256[:32],  # the document both signed (wrapped over two lines in the PDF)
        "Signed electronically",
        "/verify",
        "Page 5 of 5",
    ):
        assert expected in content, expected

    # The partner downloads the executed PDF, byte for byte.
    download = owner.get(f"/agreements/{agreement.id}/pdf")
    assert download.data == executed
    assert (
        download.headers["Content-Disposition"] == f'attachment; filename="{agreement.number}-executed.pdf"'
    )
    assert "is executed" in last_email_to("owner@acme.example").subject
    assert "is executed" in last_email_to("officer@tto.example").subject


def test_only_a_signatory_signs_and_a_changed_document_or_missing_consent_is_refused(app, acme):
    agreement = acme["agreement"]
    member = partner_browser(app, "mia@acme.example")
    page = text(member.get(f"/agreements/{agreement.id}"))
    assert "Only a signatory of your organisation can sign" in page and "Clara Becker" in page
    assert member.post(f"/agreements/{agreement.id}/sign", sign_form(agreement)).status_code == 403

    owner = partner_browser(app)
    stale = owner.post(f"/agreements/{agreement.id}/sign", sign_form(agreement, document_sha256="0" * 64))
    assert stale.status_code == 409 and "The document changed since you opened it" in text(stale)
    no_consent = owner.post(f"/agreements/{agreement.id}/sign", sign_form(agreement, confirm=""))
    assert no_consent.status_code == 400 and "Confirm that you have authority to sign" in text(no_consent)
    assert fresh(Agreement, agreement.id).signatures == []

    assert location(owner.post(f"/agreements/{agreement.id}/sign", sign_form(agreement)))
    again = owner.post(f"/agreements/{agreement.id}/sign", sign_form(agreement))
    assert again.status_code == 409 and "already been signed" in text(again)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AgreementSignature)) == 1


# --- activation: executed and paid, whichever comes last ---------------------------------------


def test_paid_first_then_executed_activates_on_the_countersignature(app, acme):
    pay_invoice(app, acme)
    membership = fresh(Membership, acme["membership"].id)
    assert membership.status is MembershipStatus.AWAITING_SIGNATURE
    assert not membership_services.has_partner_access(acme["org"])
    conditions = membership_services.access_conditions(membership, date.today())
    assert conditions == {"membership": True, "agreement_executed": False, "paid_and_current": False}

    sign_and_countersign(acme["agreement"], acme["owner"], acme["admin"])
    commit()
    membership = fresh(Membership, acme["membership"].id)
    assert membership.status is MembershipStatus.ACTIVE
    assert membership_services.has_partner_access(acme["org"])
    assert "Your membership is active" in last_email_to("owner@acme.example").subject
    assert "is now an active member" in last_email_to("officer@tto.example").subject


def test_executed_first_then_paid_activates_on_the_payment(app, acme):
    sign_and_countersign(acme["agreement"], acme["owner"], acme["admin"])
    commit()
    membership = fresh(Membership, acme["membership"].id)
    assert membership.status is MembershipStatus.AWAITING_PAYMENT
    assert not membership_services.has_partner_access(acme["org"])

    pay_invoice(app, acme)
    membership = fresh(Membership, acme["membership"].id)
    assert membership.status is MembershipStatus.ACTIVE
    assert membership_services.has_partner_access(acme["org"])


def test_a_card_payment_before_the_signature_waits_for_it(stripe_app, fake, ctx):
    from ..support.stripe_support import deliver, make_approved, pay

    approved = make_approved(stripe_app, executed=False)
    _, session_id, _, _ = pay(stripe_app, fake, approved)
    response = deliver(
        stripe_app, fake.event("checkout.session.completed", fake.checkout_sessions[session_id])
    )
    assert response.status_code == 200
    membership = fresh(Membership, approved["membership"].id)
    assert membership.status is MembershipStatus.AWAITING_SIGNATURE
    assert not membership_services.has_partner_access(approved["org"])
    assert "one signature to go" in last_email_to("owner@acme.example").subject

    from ..support.factories import execute_partnership

    execute_partnership(approved["org"])
    membership = fresh(Membership, approved["membership"].id)
    assert membership.status is MembershipStatus.ACTIVE
    assert membership_services.has_partner_access(approved["org"])


# --- failure safety --------------------------------------------------------------------------


def test_a_failed_render_keeps_the_signature_and_render_pending_produces_the_pdf(app, acme, monkeypatch):
    agreement = acme["agreement"]
    owner = partner_browser(app)
    owner.post(f"/agreements/{agreement.id}/sign", sign_form(agreement))

    def broken(*args, **kwargs):
        raise RuntimeError("WeasyPrint crashed")

    monkeypatch.setattr(rendering, "render_document", broken)
    admin = admin_browser(app, acme["admin"])
    response = admin.post(f"/admin/agreements/{agreement.id}/countersign", sign_form(agreement, "Ingrid Vos"))
    assert location(response) == f"/admin/agreements/{agreement.id}"
    agreement = fresh(Agreement, agreement.id)
    assert agreement.status is AgreementStatus.EXECUTED and len(agreement.signatures) == 2
    assert agreement.executed_sha256 is None and agreement.render_pending and agreement.render_attempts == 1
    assert "PDF could not be produced yet" in text(admin.get(f"/admin/agreements/{agreement.id}"))
    # Meanwhile the partner still gets the document they signed, and access does not wait for the PDF.
    assert owner.get(f"/agreements/{agreement.id}/pdf").data == agreement.pdf
    assert gate.partnership_executed(acme["org"].id)

    monkeypatch.undo()
    result = app.test_cli_runner().invoke(args=["portal", "render-pending"])
    assert result.exit_code == 0 and "rendered 1, failed 0" in result.output
    agreement = fresh(Agreement, agreement.id)
    assert agreement.executed_sha256 == hashlib.sha256(agreement.executed_pdf).hexdigest()
    assert "Certificate of execution" in pdf_text(agreement.executed_pdf)
    again = app.test_cli_runner().invoke(args=["portal", "render-pending"])
    assert "rendered 0, failed 0" in again.output


# --- void and replace ------------------------------------------------------------------------


def test_void_needs_a_reason_and_an_executed_agreement_is_replaced_not_voided(app, acme):
    agreement = acme["agreement"]
    admin = admin_browser(app, acme["admin"])
    no_reason = admin.post(f"/admin/agreements/{agreement.id}/void", {"reason": " "})
    assert no_reason.status_code == 400 and fresh(Agreement, agreement.id).status is AgreementStatus.ISSUED

    sign_and_countersign(agreement, acme["owner"], acme["admin"])
    with app_context(app):
        agreements.render_executed(agreement)
    commit()
    old_pdf = agreement.executed_pdf
    admin.post(f"/admin/agreements/{agreement.id}/void", {"reason": "Wrong tier"})
    assert fresh(Agreement, agreement.id).status is AgreementStatus.EXECUTED

    response = admin.post(f"/admin/agreements/{agreement.id}/replace")
    replacement = db.session.scalar(sa.select(Agreement).where(Agreement.replaces_id == agreement.id))
    assert location(response) == f"/admin/agreements/{replacement.id}"
    assert replacement.status is AgreementStatus.DRAFT and replacement.number != agreement.number
    admin.post(f"/admin/agreements/{replacement.id}/issue")
    sign_and_countersign(fresh(Agreement, replacement.id), acme["owner"], acme["admin"])
    old = fresh(Agreement, agreement.id)
    assert old.status is AgreementStatus.SUPERSEDED and old.end_reason == f"Replaced by {replacement.number}."
    assert old.executed_pdf == old_pdf  # a later agreement never changes an earlier document
    assert gate.partnership_executed(acme["org"].id)

    # An open agreement is voided with its reason, which the partner sees.
    term_sheet = make_agreement(acme["org"])
    commit()
    admin.post(f"/admin/agreements/{term_sheet.id}/void", {"reason": "The licence went to another field"})
    assert fresh(Agreement, term_sheet.id).status is AgreementStatus.VOID
    page = text(partner_browser(app).get(f"/agreements/{term_sheet.id}"))
    assert "The licence went to another field" in page and "Sign this agreement" not in page


# --- staff prepare the other kinds ------------------------------------------------------------


def test_staff_prepare_issue_and_the_partner_receives_a_licence_term_sheet(app, acme):
    officer = admin_browser(app, acme["officer"])
    url = f"/admin/organisations/{acme['org'].id}/agreements/new?kind=licence"
    form = text(officer.get(url))
    assert "Field of use" in form and "Royalty" in form and "Lead researcher" not in form

    missing = officer.post(url, {"kind": "licence", "language": "en", "term_months": "12"})
    assert missing.status_code == 400 and "Name the technology." in text(missing)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Agreement)) == 1

    response = officer.post(
        url,
        {
            "kind": "licence",
            "language": "en",
            "term_months": "12",
            "title": "Licence Term Sheet: Self-healing coatings",
            "subject": "Self-healing polymer coatings",
            "field_of_use": "Industrial robots",
            "territory": "European Union",
            "exclusive": "y",
            "upfront_fee": "EUR 15,000",
            "royalty": "3 % of net sales",
            "option_months": "6",
        },
    )
    draft = db.session.scalar(sa.select(Agreement).where(Agreement.kind == AgreementKind.LICENCE))
    assert location(response) == f"/admin/agreements/{draft.id}"
    assert draft.status is AgreementStatus.DRAFT
    content = squashed(pdf_text(draft.pdf))
    for expected in (
        "Self-healing polymer coatings",
        "an exclusive licence",
        "Industrial robots",
        "3 % of net sales",
        "6 months",
    ):
        assert squashed(expected) in content, expected
    owner = partner_browser(app)
    assert draft.number not in text(owner.get("/agreements"))

    officer.post(f"/admin/agreements/{draft.id}/issue")
    assert fresh(Agreement, draft.id).status is AgreementStatus.ISSUED
    assert draft.number in text(owner.get("/agreements"))
    assert (
        f"Agreement {draft.number} is ready for your signature" in last_email_to("owner@acme.example").subject
    )


def test_hostile_company_names_and_addresses_come_out_literally(app, ctx):
    hostile_name = "<b>Evil</b> {{ 7*7 }} Corp </style><style>*{display:none}</style>"
    hostile_address = "{% for x in range(3) %}loop{% endfor %} <script>alert(1)</script> Street"
    organisation = make_organisation(
        legal_name=hostile_name, address_line1=hostile_address, city="{{ config }}"
    )
    # A fixed name: the factory's numbered "Person 498" would contain the "49" looked for below.
    make_partner(organisation=organisation, full_name="Clara Becker")
    commit()
    with app_context(app):
        agreement = agreements.create_agreement(
            None,
            organisation,
            AgreementKind.NDA,
            agreements.Terms(purpose="{{ institution.__class__ }} <img src=file:///etc/passwd>"),
        )
    flat = squashed(pdf_text(agreement.pdf))
    for literal in (
        hostile_name,
        hostile_address,
        "{{ config }}",
        "{{ institution.__class__ }} <img src=file:///etc/passwd>",
    ):
        assert squashed(literal) in flat, literal
    assert "49" not in flat and "looplooploop" not in flat


# --- /verify ---------------------------------------------------------------------------------


@pytest.fixture
def executed(app, acme):
    agreement = acme["agreement"]
    sign_and_countersign(agreement, acme["owner"], acme["admin"])
    with app_context(app):
        agreements.render_executed(agreement)
    commit()
    return agreement


def upload(browser, data: bytes, name="agreement.pdf"):
    return browser.post("/verify", {"document": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def test_verify_confirms_the_executed_pdf_and_rejects_a_one_byte_change(app, executed):
    visitor = Browser(app)
    assert "Verify an agreement" in text(visitor.get("/verify"))
    genuine = upload(visitor, executed.executed_pdf)
    page = text(genuine)
    assert genuine.status_code == 200 and "Genuine and unaltered" in page
    assert executed.number in page and "Partnership agreement, version 1 (en)" in page
    assert "Acme" not in page and "25,000" not in page  # nothing of the content

    changed = bytearray(executed.executed_pdf)
    changed[len(changed) // 2] ^= 0x01
    altered = text(upload(visitor, bytes(changed)))
    assert "Not verified" in altered and executed.number not in altered

    unsigned = text(upload(visitor, executed.pdf))
    assert "issued for signature, not an executed agreement" in unsigned

    by_hash = text(
        visitor.post(
            "/verify",
            {"number": executed.number.lower(), "sha256": executed.executed_sha256.upper()},
        )
    )
    assert "Genuine and unaltered" in by_hash
    wrong_number = text(
        visitor.post("/verify", {"number": "LIA-2020-0001", "sha256": executed.executed_sha256})
    )
    assert "Not verified" in wrong_number
    nothing = visitor.post("/verify", {})
    assert nothing.status_code == 400 and "Choose the PDF file" in text(nothing)
    garbage = visitor.post("/verify", {"number": "x", "sha256": "'; DROP TABLE agreement; --"})
    assert garbage.status_code == 200 and "Not verified" in text(garbage)


# --- the NDA gate ----------------------------------------------------------------------------


def test_the_nda_gate_asks_once_per_organisation_and_again_for_a_new_version(app, acme):
    org_id = acme["org"].id
    assert not gate.has_accepted_current_nda(org_id)
    member = partner_browser(app, "mia@acme.example")
    page = text(member.get("/nda"))
    assert "Confidential Information" in page and "Only a signatory of your organisation can accept" in page
    assert member.post("/nda", sign_form(acme["agreement"])).status_code == 403

    owner = partner_browser(app)
    page = owner.get("/nda")
    fingerprint = nda_gate.text_fingerprint(
        nda_gate.nda_preview_html(acme["org"], nda_gate.nda_for_reading())[0]
    )
    assert fingerprint in text(page)
    response = owner.post("/nda?next=/membership", sign_form(acme["agreement"], document_sha256=fingerprint))
    assert location(response) == "/membership"
    assert gate.has_accepted_current_nda(org_id)
    nda = gate.nda_acceptance(org_id)
    assert nda.status is AgreementStatus.EXECUTED and nda.countersignature_required is False
    (signature,) = nda.signatures
    assert (signature.user_id, signature.ip) == (acme["owner"].id, PARTNER_IP)
    assert signature.document_sha256 == nda.pdf_sha256
    assert "Certificate of execution" in pdf_text(nda.executed_pdf)
    assert "without a countersignature" in pdf_text(nda.executed_pdf)
    assert "accepted this NDA on" in text(owner.get("/nda"))
    again = owner.post("/nda", sign_form(acme["agreement"], document_sha256=fingerprint))
    assert again.status_code == 200
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(Agreement).where(Agreement.kind == AgreementKind.NDA)
        )
        == 1
    )

    # A new NDA version asks again.
    with app_context(app):
        template = templates.new_template_version(acme["admin"], AgreementKind.NDA, "en")
        template.effective_on = date.today()
        templates.publish_template(acme["admin"], template)
    commit()
    assert not gate.has_accepted_current_nda(org_id)
    assert "Accept the NDA" in text(owner.get("/nda"))


# --- templates ---------------------------------------------------------------------------------


def test_admins_edit_a_new_version_with_preview_and_publishing_never_changes_existing_documents(app, acme):
    original = acme["agreement"]
    original_pdf, v1_id = original.pdf, original.template_id
    admin = admin_browser(app, acme["admin"])
    response = admin.post("/admin/agreement-templates/new", {"kind": "partnership", "language": "en"})
    draft = db.session.scalar(sa.select(AgreementTemplate).where(AgreementTemplate.version == 2))
    assert location(response) == f"/admin/agreement-templates/{draft.id}"
    assert draft.body == original.template.body and not draft.is_published

    base = {
        "title": "Partnership agreement",
        "effective_on": date.today().isoformat(),
        "change_note": "Fee clause",
    }
    typo = admin.post(
        f"/admin/agreement-templates/{draft.id}/save", {**base, "body": "<p>{{ partner.legal_nam }}</p>"}
    )
    assert typo.status_code == 400 and "legal_nam" in text(typo)
    escape = admin.post(
        f"/admin/agreement-templates/{draft.id}/save", {**base, "body": "{{ ''.__class__.__mro__ }}"}
    )
    assert escape.status_code == 400 and "Not allowed in an agreement template" in text(escape)
    assert fresh(AgreementTemplate, draft.id).body == original.template.body  # nothing saved

    new_body = draft.body.replace("<h2>Purpose</h2>", "<h2>Purpose and scope</h2>")
    preview = admin.post(f"/admin/agreement-templates/{draft.id}/preview", {**base, "body": new_body})
    assert preview.data.startswith(b"%PDF-")
    preview_text = pdf_text(preview.data)
    assert (
        "Purpose and scope" in preview_text
        and "PREVIEW" in preview_text
        and "Example Industries GmbH" in preview_text
    )
    assert location(admin.post(f"/admin/agreement-templates/{draft.id}/save", {**base, "body": new_body}))
    admin.post(f"/admin/agreement-templates/{draft.id}/publish")
    published = fresh(AgreementTemplate, draft.id)
    assert published.is_published
    refused = admin.post(f"/admin/agreement-templates/{draft.id}/save", {**base, "body": "<p>changed</p>"})
    assert refused.status_code == 400 and "never changes" in text(refused)

    # The agreement generated before keeps its text and version; a new one uses version 2.
    old = fresh(Agreement, original.id)
    assert old.pdf == original_pdf and old.template_id == v1_id
    with app_context(app):
        agreements.void(acme["admin"], old, "Superseded by the new text before signature")
        newer = agreements.create_agreement(
            acme["admin"],
            acme["org"],
            AgreementKind.PARTNERSHIP,
            agreements.Terms(),
            tier=acme["membership"].tier,
        )
    assert newer.template_id == published.id and "Purpose and scope" in pdf_text(newer.pdf)


def test_a_version_effective_tomorrow_is_not_used_today(app, acme):
    with app_context(app):
        templates.ensure_default_template(AgreementKind.LICENCE)
        template = templates.new_template_version(acme["admin"], AgreementKind.LICENCE, "en")
        template.effective_on = date.today() + timedelta(days=1)
        templates.publish_template(acme["admin"], template)
        current = gate.current_template(AgreementKind.LICENCE)
        assert current.version == 1
        assert (
            gate.current_template(AgreementKind.LICENCE, today=date.today() + timedelta(days=1)).version == 2
        )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{{ ''.__class__ }}", "Not allowed"),
        ("{{ 'x' * 100000 }}", "too large"),
        ("{{ 9 ** 9 ** 9 }}", "powers"),
        ("{% for i in range(10) %}{% endfor %}", "range"),
        ("{% include '/etc/passwd' %}", "cannot be rendered"),
        ("{{ partner.legal_name.__init__.__globals__ }}", "Not allowed"),
        ("{% if %}", "cannot be rendered (line 1)"),
    ],
)
def test_the_template_sandbox_refuses_what_a_document_does_not_need(body, message):
    with pytest.raises(rendering.TemplateProblem) as refused:
        rendering.render_body(body, rendering.sample_params())
    assert message in refused.value.message


def test_a_template_cannot_reach_files_through_the_pdf_engine(app, ctx, tmp_path, monkeypatch):
    canary = tmp_path / "canary.txt"
    canary.write_text("CANARY-7f3a9 secret")
    body = (
        f'<p>Body</p><img src="file://{canary}"><link rel="attachment" href="file://{canary}">'
        f'<object data="file://{canary}"></object><style>@import url("http://127.0.0.1:9/x.css");</style>'
        '<img src="file:///etc/passwd"><img src="http://127.0.0.1:9/"><p style="break-after: page">x</p>'
    )
    info = {"title": "T", "version": 1, "language": "en", "effective_on": "today"}
    # First line of defence: an agreement text has no tags that fetch anything, and no styles.
    with pytest.raises(rendering.TemplateProblem) as refused:
        rendering.render_document(body, rendering.sample_params(), info)
    for tag in ("<img>", "<link>", "<object>", "<style>", 'style="…" on <p>'):
        assert tag in refused.value.message, tag
    # Second line: were such tags to get through, the locked fetcher still embeds nothing.
    monkeypatch.setattr(rendering, "check_markup", lambda html: None)
    data = rendering.render_document(body, rendering.sample_params(), info)
    assert b"CANARY-7f3a9" not in data and b"root:x:0:0" not in data
    assert "CANARY" not in pdf_text(data)
    assert not PdfReader(io.BytesIO(data)).attachments


def test_audit_trail_of_the_lifecycle(app, executed):
    actions = set(
        db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.target_type == "agreement"))
    )
    assert {
        "agreement.created",
        "agreement.issued",
        "agreement.signed_partner",
        "agreement.signed_institution",
        "agreement.executed",
        "agreement.executed_pdf_stored",
    } <= actions


# --- 20 simultaneous clicks on "Sign", with real commits ---------------------------------------


def test_20_simultaneous_signatures_give_one(scratch_database, monkeypatch):
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app("testing", {"DATABASE_URL": scratch_database})
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # real transactions
    with app_context(app):
        upgrade()
        organisation = make_organisation(legal_name="Acme Robotics GmbH")
        owner = make_partner(organisation=organisation, email="owner@acme.example", full_name="Clara Becker")
        officer = make_staff()
        application = make_application(organisation, make_tier())
        with app_context(app):
            membership_services.approve_application(officer, application, officer)
        db.session.commit()
        agreement = db.session.scalar(sa.select(Agreement))
        agreement_id, digest = agreement.id, agreement.pdf_sha256
        owner_id = owner.id

    signed_in = Browser(app)
    assert location(signed_in.login("owner@acme.example")) == "/dashboard"
    token = signed_in.csrf_token()
    cookie = signed_in.client.get_cookie("liaison_session").value
    form = {
        "full_name": "Clara Becker",
        "title": "CEO",
        "confirm": "y",
        "document_sha256": digest,
        "csrf_token": token,
    }

    statuses = post_simultaneously(app, 20, f"/agreements/{agreement_id}/sign", form, cookie)
    with app_context(app):
        signatures = db.session.scalars(sa.select(AgreementSignature)).all()
        assert [(s.agreement_id, s.user_id) for s in signatures] == [(agreement_id, owner_id)]
        assert db.session.get(Agreement, agreement_id).status is AgreementStatus.PARTNER_SIGNED
        signed_events = db.session.scalars(
            sa.select(AuditEvent).where(AuditEvent.action == "agreement.signed_partner")
        ).all()
        assert len(signed_events) == 1
        db.session.remove()
        db.engine.dispose()
    # One click signs (302); the others are told it is already signed (409), none fails.
    assert sorted(statuses) == [302] + [409] * 19, statuses


def test_a_returning_member_signs_the_new_partnership_agreement_before_access(app, acme):
    old = sign_and_countersign(acme["agreement"], acme["owner"], acme["admin"])
    pay_invoice(app, acme)
    assert fresh(Membership, acme["membership"].id).status is MembershipStatus.ACTIVE
    # The membership lapses; the company applies again and is approved.
    membership = fresh(Membership, acme["membership"].id)
    membership.status = MembershipStatus.LAPSED
    application = make_application(acme["org"], membership.tier)
    commit()
    with app_context(app):
        membership_services.approve_application(acme["officer"], application, acme["officer"])
    commit()
    new = db.session.scalar(
        sa.select(Agreement).where(Agreement.kind == AgreementKind.PARTNERSHIP, Agreement.id != old.id)
    )
    assert new.status is AgreementStatus.ISSUED
    old = fresh(Agreement, old.id)
    assert old.status is AgreementStatus.SUPERSEDED and new.number in old.end_reason
    assert not gate.partnership_executed(acme["org"].id)
    pay_invoice(app, acme)
    assert fresh(Membership, acme["membership"].id).status is MembershipStatus.AWAITING_SIGNATURE
    sign_and_countersign(new, acme["owner"], acme["admin"])
    assert fresh(Membership, acme["membership"].id).status is MembershipStatus.ACTIVE


def test_members_from_before_agreements_keep_their_access_after_the_migration(scratch_database, monkeypatch):
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app("testing", {"DATABASE_URL": scratch_database})
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # the scratch database's own
    with app_context(app):
        upgrade(revision="1da240b23142")  # the schema before agreements
        with db.engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO organisation (id, legal_name, trading_name, country, registration_number,"
                    " vat_number, address_line1, address_line2, postcode, city, website, sector, status,"
                    " created_at) VALUES (1, 'Old Member AG', '', 'DE', '', '', '', '', '', '', '', '',"
                    " 'member', CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO tier (id, name, slug, annual_fee_cents, currency, description, benefits,"
                    " catalog_access, first_look_days, agreement_template, stripe_price_id, active,"
                    " display_order, created_at) VALUES (1, 'Partner', 'partner', 100, 'EUR', '', '[]',"
                    " 'details', 0, '', '', true, 0, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                sa.text(
                    "INSERT INTO membership (id, organisation_id, tier_id, status, payment_method,"
                    " period_start, period_end, auto_renew, created_at, updated_at) VALUES (1, 1, 1,"
                    " 'active', 'invoice', :start, :end, true, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
                ),
                {"start": date.today() - timedelta(days=10), "end": date.today() + timedelta(days=300)},
            )
        upgrade()
        membership = db.session.get(Membership, 1)
        assert membership.agreement_required is False
        assert membership_services.has_partner_access(membership.organisation)
        db.session.remove()
        db.engine.dispose()


@pytest.mark.parametrize(
    ("body", "message"),
    [
        # grows without end: refused by the child process's memory or time limit
        (
            "{% set a = 'xxxxxxxxxx' %}" + "{% set a = a ~ a %}" * 40 + "{{ a|length }}",
            "too large",
        ),
        # loops without end in practice: 50^6 iterations
        (
            "".join(f"{{% for {v} in institution.address %}}" for v in "abcdef") + "{% endfor %}" * 6,
            "too much time or memory",
        ),
        ("{{ 'x'|center(2000000000) }}", "No filter named 'center'"),
        ("{{ '%0200000000d' % 1 }}", "string formatting"),
        ("{% set ns = namespace(x=7) %}{{ ns.x }}", "namespace"),
        ("<p>{{ membership.benefits[0] }}</p>", "cannot be rendered"),  # fine with examples, not when empty
        ('<p style="break-after: page">x</p>' * 3, 'style="…" on <p>'),
    ],
)
def test_texts_that_would_hang_or_exhaust_the_server_are_refused_before_saving(body, message):
    with pytest.raises(rendering.TemplateProblem) as refused:
        templates.check_text(body)
    assert message in refused.value.message


def test_the_shipped_texts_pass_the_check(app):
    for kind in AgreementKind:
        templates.check_text(templates.shipped_text(kind))


def test_review_findings_replacements_partnership_slot_emails_dates_and_void_verdicts(app, acme):
    admin = admin_browser(app, acme["admin"])
    org_id = acme["org"].id
    # A second partnership agreement while one is open is refused, with the reason on the form.
    url = f"/admin/organisations/{org_id}/agreements/new?kind=partnership"
    second = admin.post(url, {"kind": "partnership", "language": "en", "term_months": "12"})
    assert second.status_code == 400 and "is still open" in text(second)
    # A far-future start date is a message, not a 500.
    far = admin.post(
        f"/admin/organisations/{org_id}/agreements/new?kind=nda",
        {"kind": "nda", "language": "en", "term_months": "12", "purpose": "x", "start_on": "9999-06-01"},
    )
    assert far.status_code == 400 and "within a year before and five years after today" in text(far)

    # Administrators hear that a countersignature is needed; the account owner, an officer who may
    # not countersign, is not asked to (issue 10, point 6).
    officer_mail = len(emails_to("officer@tto.example"))
    owner = partner_browser(app)
    owner.post(f"/agreements/{acme['agreement'].id}/sign", sign_form(acme["agreement"]))
    assert "countersignature needed" in last_email_to("director@tto.example").subject
    assert len(emails_to("officer@tto.example")) == officer_mail
    admin.post(
        f"/admin/agreements/{acme['agreement'].id}/countersign", sign_form(acme["agreement"], "Ingrid Vos")
    )

    # One replacement at a time; a replacement is always countersigned, even of a click-through NDA.
    first = admin.post(f"/admin/agreements/{acme['agreement'].id}/replace")
    again = admin.post(f"/admin/agreements/{acme['agreement'].id}/replace")
    replacements = db.session.scalars(
        sa.select(Agreement).where(Agreement.replaces_id == acme["agreement"].id)
    ).all()
    assert len(replacements) == 1 and location(first) == f"/admin/agreements/{replacements[0].id}"
    assert "already replaces this agreement" in text(admin.get(location(again)))
    nda_click = make_agreement(
        acme["org"],
        AgreementKind.NDA,
        AgreementStatus.EXECUTED,
        countersignature_required=False,
        source="nda-gate",
    )
    commit()
    admin.post(f"/admin/agreements/{nda_click.id}/replace")
    nda_copy = db.session.scalar(sa.select(Agreement).where(Agreement.replaces_id == nda_click.id))
    assert nda_copy.countersignature_required is True and nda_copy.source == ""

    # /verify says when the copy for signature belongs to a voided agreement.
    admin.post(f"/admin/agreements/{replacements[0].id}/void", {"reason": "Not needed"})
    verdict = text(Browser(app).post("/verify", {"number": "", "sha256": ""}))
    assert "Choose the PDF file" in verdict
    voided = fresh(Agreement, replacements[0].id)
    page = text(upload(Browser(app), voided.pdf))
    assert "voided and never executed" in page


def test_an_nda_text_that_cannot_render_for_a_partner_answers_503_not_500(app, acme, caplog):
    with app_context(app):
        template = templates.ensure_default_template(AgreementKind.NDA)
        template.body = "<p>{{ membership.benefits[0] }}</p>"  # as if published before the checks existed
    commit()
    response = partner_browser(app).get("/nda")
    assert response.status_code == 503 and "The NDA cannot be shown at the moment" in text(response)
    assert "cannot be shown to organisation" in caplog.text


def test_without_a_signatory_the_owners_are_told_to_name_one(app, ctx):
    organisation = make_organisation(legal_name="No Signer Ltd")
    make_partner(organisation=organisation, roles={OrgRole.OWNER}, email="owner@nosigner.example")
    commit()
    with app_context(app):
        draft = agreements.create_agreement(
            None, organisation, AgreementKind.NDA, agreements.Terms(purpose="talking about sensors")
        )
        agreements.issue(None, draft)
    commit()
    mail = last_email_to("owner@nosigner.example")
    assert (
        draft.number in mail.subject
        and "Nobody in your organisation has the signatory role" in mail.body_text
    )


def test_simultaneous_countersignatures_give_one_and_the_executed_pdf_is_stored(
    scratch_database, monkeypatch
):
    """Issue 9, point 5: the winning countersignature renders and stores the executed PDF in a
    write transaction of its own, with the other clicks (and their writes) queued behind it."""
    from flask_migrate import upgrade

    from portal import create_app

    app = create_app("testing", {"DATABASE_URL": scratch_database, "RATELIMIT_ENABLED": False})
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))  # real transactions
    with app_context(app):
        upgrade()
        organisation = make_organisation(legal_name="Acme Robotics GmbH")
        owner = make_partner(organisation=organisation, email="owner@acme.example", full_name="Clara Becker")
        officer = make_staff()
        admin = make_staff(admin=True, email="director@tto.example", full_name="Ingrid Vos")
        application = make_application(organisation, make_tier())
        with app_context(app):
            membership_services.approve_application(officer, application, officer)
        db.session.commit()
        agreement = db.session.scalar(sa.select(Agreement))
        evidence = agreements.Evidence("Clara Becker", "CEO", True, agreement.pdf_sha256, "192.0.2.1", "t")
        agreements.sign_as_partner(owner, agreement, evidence)
        db.session.commit()
        agreement_id, digest = agreement.id, agreement.pdf_sha256
        admin_id = admin.id

    console = Browser(app)
    with app_context(app):
        assert console.login_staff(db.session.get(User, admin_id)).status_code == 302
    form = {
        "full_name": "Ingrid Vos",
        "title": "Director",
        "confirm": "y",
        "document_sha256": digest,
        "csrf_token": console.csrf_token(),
    }
    cookie = console.client.get_cookie("liaison_session").value

    statuses = post_simultaneously(app, 8, f"/admin/agreements/{agreement_id}/countersign", form, cookie)
    with app_context(app):
        stored = db.session.get(Agreement, agreement_id)
        assert stored.status is AgreementStatus.EXECUTED
        assert stored.executed_sha256 == hashlib.sha256(stored.executed_pdf).hexdigest()
        assert "Ingrid Vos" in pdf_text(stored.executed_pdf)
        actions = db.session.scalars(sa.select(AuditEvent.action).where(AuditEvent.target_id == agreement_id))
        counted = list(actions)
        assert counted.count("agreement.signed_institution") == 1
        assert counted.count("agreement.executed_pdf_stored") == 1
        db.session.remove()
        db.engine.dispose()
    # Every click is answered (the winner and the "nothing to countersign" ones redirect, a click
    # that lost the race while checking is told so with 409), none fails.
    assert set(statuses) <= {302, 409} and statuses.count(302) >= 1, statuses


# --- languages ---------------------------------------------------------------------------------


def test_a_french_template_gives_a_pdf_with_french_labels_whoever_asks_for_it(app, acme):
    """The PDF is in its template's language, not the language of the request that makes it: the
    signature blocks, the certificate page and the dates of a French agreement are in French."""
    with app_context(app):
        template = templates.new_template_version(acme["admin"], AgreementKind.LICENCE, "fr")
        template.title = "Term sheet de licence"
        templates.publish_template(acme["admin"], template)
        agreement = agreements.create_agreement(
            acme["admin"],
            acme["org"],
            AgreementKind.LICENCE,
            agreements.Terms(subject="Revêtements polymères autocicatrisants", language="fr"),
        )
        agreements.issue(acme["admin"], agreement)
    commit()
    assert agreement.template_id == template.id
    offered = squashed(pdf_text(agreement.pdf))
    labels = ("Numéro de l'accord", "Pour l'Institution", "Pour le Partenaire", "Nom et fonction")
    labels += ("Page 1 sur",)
    for expected in labels:
        assert squashed(expected).upper() in offered.upper(), expected
    assert "FOR THE INSTITUTION" not in offered.upper()
    assert squashed("représentée par Clara Becker, CEO") in offered

    sign_and_countersign(fresh(Agreement, agreement.id), acme["owner"], acme["admin"])
    with app.test_request_context(headers={"Accept-Language": "de"}):  # a German reader's request
        assert agreements.render_executed_after_commit(agreement.id)
    agreement = fresh(Agreement, agreement.id)
    executed = squashed(pdf_text(agreement.executed_pdf))
    for expected in (
        "Certificat d'exécution",
        "Signé électroniquement le",
        "Signé le (UTC)",
        "Depuis l'adresse IP",
        "Empreinte SHA-256",
        "Exécuté le",
    ):
        assert squashed(expected).upper() in executed.upper(), expected
    assert "Certificate of execution" not in executed and "Signed electronically" not in executed
    months = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre")
    months += ("octobre", "novembre", "décembre")
    assert any(month in executed for month in months)  # a French date, e.g. 2 décembre 2026

    # An English agreement stays English when a French reader triggers its rendering.
    english = Browser(app, HTTP_ACCEPT_LANGUAGE="fr")
    english.login(acme["owner"].email)
    page = text(english.get(f"/agreements/{acme['agreement'].id}"))
    assert '<html lang="fr">' in page and "Signer cet accord" in page
    assert "Certificate of execution" not in pdf_text(acme["agreement"].pdf)
    assert "FOR THE INSTITUTION" in pdf_text(acme["agreement"].pdf).upper()


def test_a_german_reader_sees_the_term_and_fee_in_their_format_and_is_told_the_text_is_english(app, acme):
    agreement = acme["agreement"]
    page = text(partner_browser(app).get(f"/agreements/{agreement.id}", headers={"Accept-Language": "de"}))
    start = date.fromisoformat(agreement.params["agreement"]["start_iso"])
    assert start.strftime("%d.%m.%Y") in page  # the term as a German reader writes dates
    assert "25.000,00" in page and "EUR 25,000.00" not in page.split("agreement-text")[0]
    assert "(Englisch)" in page and "Er ist auf Englisch verfasst" in page
    english = text(partner_browser(app).get(f"/agreements/{agreement.id}"))
    assert "the language of the agreement" not in english  # an English reader needs no notice


def test_the_signing_statement_is_shown_and_recorded_in_the_signers_language(app, acme):
    from portal.agreements.models import AgreementSignature

    agreement = acme["agreement"]
    owner = partner_browser(app)
    owner.post("/language", {"language": "de"})
    page = text(owner.get(f"/agreements/{agreement.id}"))
    german = (
        "Ich bestätige, dass ich berechtigt bin, den Vertrag "
        f"{agreement.number} im Namen von Acme Robotics GmbH"
    )
    assert german in page and "I confirm that I am authorised" not in page
    assert (
        location(owner.post(f"/agreements/{agreement.id}/sign", sign_form(agreement)))
        == f"/agreements/{agreement.id}"
    )
    signature = db.session.scalar(
        sa.select(AgreementSignature).where(AgreementSignature.agreement_id == agreement.id)
    )
    assert signature.statement.startswith(german)  # the evidence is what the signer read
