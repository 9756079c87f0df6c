"""Console pages for membership: the application queue, tiers, invoices and payments."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload

from ...agreements import services as agreement_services
from ...agreements.models import AgreementStatus
from ...auth.models import User
from ...core.errors import DomainError
from ...core.forms import apply_domain_error
from ...core.money import format_money
from ...core.web import stored_pdf
from ...extensions import db
from ...membership import services as membership
from ...membership.forms import (
    HEARD_FROM,
    ApproveForm,
    MoreInfoForm,
    PaymentForm,
    RejectForm,
    RevokeApprovalForm,
    TierForm,
)
from ...membership.models import (
    Application,
    ApplicationStatus,
    CatalogAccess,
    Invoice,
    InvoiceStatus,
    MembershipStatus,
    Tier,
)
from .. import PER_PAGE, admin_only, bp, page_number, queries, sorting_of
from ..paging import paginate


def _cents(amount: Decimal) -> int:
    return int((amount * 100).quantize(Decimal("1")))


# --- applications --------------------------------------------------------------------------


def application_status() -> str:
    return request.args.get("status", "open")[:40]


@bp.route("/applications")
def applications():
    status, sorting = application_status(), sorting_of(queries.APPLICATION_SORT)
    stmt = queries.applications_query(status, sorting)
    page = paginate(stmt, page_number(), PER_PAGE)
    return render_template(
        "admin/membership/applications.html",
        page=page,
        sorting=sorting,
        status=status,
        statuses=list(ApplicationStatus),
        now=date.today(),
    )


def application_page(application: Application, approve=None, reject=None, more=None, revoke=None, status=200):
    approve = approve or ApproveForm(formdata=None)
    approve.account_owner.choices = {
        "": "Choose an officer…",
        **{str(u.id): u.full_name for u in queries.staff_members()},
    }
    if approve.account_owner.data is None and application.organisation.account_owner_id:
        approve.account_owner.data = str(application.organisation.account_owner_id)
    return render_template(
        "admin/membership/application.html",
        application=application,
        approve_form=approve,
        reject_form=reject or RejectForm(formdata=None),
        more_form=more or MoreInfoForm(formdata=None),
        revoke_form=revoke or RevokeApprovalForm(formdata=None),
        denied=membership.denied_match(application) if application.is_open else None,
        heard_from_labels=HEARD_FROM,
        registered_address=membership.registered_address,
    ), status


@bp.route("/applications/<int:application_id>")
def application_detail(application_id: int):
    application = db.get_or_404(
        Application,
        application_id,
        options=[
            joinedload(Application.organisation),
            joinedload(Application.tier),
            joinedload(Application.submitted_by),
            joinedload(Application.decided_by),
            joinedload(Application.approval_rule),
        ],
    )
    return application_page(application)


@bp.route("/applications/<int:application_id>/approve", methods=["POST"])
def approve_application(application_id: int):
    application = db.get_or_404(Application, application_id)
    form = ApproveForm()
    form.account_owner.choices = {str(u.id): u.full_name for u in queries.staff_members()}
    if form.validate_on_submit():
        officer = db.session.get(User, int(form.account_owner.data))
        try:
            membership.approve_application(current_user, application, officer)
        except DomainError as exc:
            db.session.rollback()
            flash(exc.message, "danger")
        else:
            db.session.commit()
            flash(
                f"{application.organisation.display_name} is approved; the invoice is on its way.", "success"
            )
            return redirect(url_for("admin.application_detail", application_id=application.id))
    return application_page(application, approve=form, status=400)


def _message_decision(application_id: int, form_class, decide, slot: str, done: str):
    """A decision that sends the applicant a written message (rejection, request for more)."""
    application = db.get_or_404(Application, application_id)
    form = form_class()
    if form.validate_on_submit():
        message = next(field.data for field in form if field.name != "csrf_token")
        try:
            decide(current_user, application, message)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(done, "success")
            return redirect(url_for("admin.application_detail", application_id=application.id))
    return application_page(application, **{slot: form}, status=400)


@bp.route("/applications/<int:application_id>/reject", methods=["POST"])
def reject_application(application_id: int):
    return _message_decision(
        application_id,
        RejectForm,
        membership.reject_application,
        "reject",
        "The application is rejected and the applicant informed.",
    )


@bp.route("/applications/<int:application_id>/more-info", methods=["POST"])
def request_more_information(application_id: int):
    return _message_decision(
        application_id,
        MoreInfoForm,
        membership.request_more_information,
        "more",
        "The applicant is asked for more information.",
    )


# --- tiers -----------------------------------------------------------------------------------


@bp.route("/tiers")
def tiers():
    return render_template("admin/membership/tiers.html", tiers=membership.all_tiers())


@bp.route("/tiers/new", methods=["GET", "POST"])
@bp.route("/tiers/<int:tier_id>", methods=["GET", "POST"])
@admin_only
def tier_form(tier_id: int | None = None):
    tier = db.get_or_404(Tier, tier_id) if tier_id else None
    form = TierForm(obj=tier) if tier else TierForm(active=True)
    if tier and request.method == "GET":
        form.annual_fee.data = Decimal(tier.annual_fee_cents) / 100
        form.benefits.data = "\n".join(tier.benefits)
        for language, texts in (tier.translations or {}).items():
            if language in ("fr", "de"):
                getattr(form, f"description_{language}").data = texts.get("description", "")
                getattr(form, f"benefits_{language}").data = "\n".join(texts.get("benefits", []))
        form.catalog_access.data = tier.catalog_access.value
    if form.validate_on_submit():
        values = {name: field.data for name, field in form._fields.items()}
        values["annual_fee_cents"] = _cents(form.annual_fee.data)
        values["catalog_access"] = CatalogAccess(form.catalog_access.data)
        try:
            saved = membership.save_tier(current_user, tier, values)
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            flash(f"Tier “{saved.name}” saved.", "success")
            return redirect(url_for("admin.tiers"))
    return render_template("admin/membership/tier_form.html", form=form, tier=tier)


# --- invoices --------------------------------------------------------------------------------


def invoice_filters() -> dict[str, str]:
    return {"status": request.args.get("status", "")[:40], "q": request.args.get("q", "").strip()[:100]}


@bp.route("/invoices")
def invoices():
    filters, sorting, today = invoice_filters(), sorting_of(queries.INVOICE_SORT), date.today()
    stmt = queries.invoices_query(filters["status"], today, filters["q"], sorting)
    page = paginate(stmt, page_number(), PER_PAGE)
    return render_template(
        "admin/membership/invoices.html", page=page, sorting=sorting, today=today, **filters
    )


@bp.route("/invoices/<int:invoice_id>", methods=["GET", "POST"])
def invoice_detail(invoice_id: int):
    invoice = db.get_or_404(Invoice, invoice_id, options=[joinedload(Invoice.organisation)])
    form = PaymentForm()
    if request.method == "GET":
        form.amount.data = Decimal(invoice.balance_cents) / 100
    if form.validate_on_submit():
        try:
            membership.record_payment(
                current_user,
                invoice,
                _cents(form.amount.data),
                form.received_on.data,
                form.reference.data or "",
            )
        except DomainError as exc:
            db.session.rollback()
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            if invoice.status is InvoiceStatus.PAID:
                flash(_after_payment(invoice), "success")
            else:
                balance = format_money(invoice.balance_cents, invoice.currency)
                flash(f"Payment recorded. {balance} is still due.", "success")
            return redirect(url_for("admin.invoice_detail", invoice_id=invoice.id))
    return render_template("admin/membership/invoice.html", invoice=invoice, form=form, today=date.today())


def _after_payment(invoice: Invoice) -> str:
    """What a paid invoice changed, truthfully: the membership is active only once the partnership
    agreement is executed too; otherwise say who is waited for."""
    paid = f"Payment recorded. Invoice {invoice.number} is paid"
    current = membership.membership_of(invoice.organisation)
    if current is not None and current.status is MembershipStatus.ACTIVE:
        return f"{paid} and the membership is active."
    agreement = agreement_services.partnership_agreement_of(invoice.organisation_id)
    if agreement is not None and agreement.status is AgreementStatus.PARTNER_SIGNED:
        return (
            f"{paid}. The membership becomes active when an administrator countersigns "
            f"agreement {agreement.number}."
        )
    if agreement is not None and agreement.status is AgreementStatus.ISSUED:
        return (
            f"{paid}. The membership becomes active when the partner signs agreement "
            f"{agreement.number} and it is countersigned."
        )
    return f"{paid}."


@bp.route("/invoices/<int:invoice_id>/pdf")
def invoice_pdf(invoice_id: int):
    return stored_pdf(*db.get_or_404(Invoice, invoice_id).stored_document(), "invoice")
