"""Partner-facing membership pages: tiers, applying, the membership page, invoice PDFs."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ..agreements import services as agreement_services
from ..billing import gateway
from ..core.errors import DomainError
from ..core.forms import apply_domain_error
from ..core.i18n import format_when
from ..core.money import format_money
from ..core.permissions import get_owned_or_404, org_role_required, partner_required
from ..core.web import stored_pdf
from ..extensions import db
from ..partners.vat import is_eu
from . import card, changes, services
from .forms import ApplicationForm
from .models import ApplicationStatus, Invoice, MembershipStatus, PaymentMethod, Tier

bp = Blueprint("membership", __name__)


@bp.route("/tiers")
def tiers():
    return render_template("membership/tiers.html", tiers=services.active_tiers())


@bp.route("/membership")
@partner_required
def overview():
    organisation = current_user.organisation
    membership = services.membership_of(organisation)
    application = services.latest_application(organisation)
    return render_template(
        "membership/overview.html",
        organisation=organisation,
        membership=membership,
        application=application,
        summary=services.summary(application) if application is not None and membership is None else [],
        steps=services.journey(organisation, current_user, application, membership),
        invoices=services.invoices_of(organisation),
        has_access=services.has_partner_access(organisation, membership=membership),
        agreement_to_sign=next(iter(agreement_services.awaiting_signature(organisation)), None),
        card_available=card.card_available(membership),
        other_tiers=[t for t in services.active_tiers() if membership is None or t.id != membership.tier_id],
        today=date.today(),
    )


def _data(form: ApplicationForm) -> services.ApplicationData:
    return services.ApplicationData(
        tier_slug=form.tier.data,
        registration_number=form.registration_number.data or "",
        address_line1=form.address_line1.data or "",
        address_line2=form.address_line2.data or "",
        postcode=form.postcode.data or "",
        city=form.city.data or "",
        signatory_name=form.signatory_name.data,
        signatory_title=form.signatory_title.data,
        billing_name=form.billing_name.data,
        billing_email=form.billing_email.data,
        billing_address=form.billing_address.data or "",
        vat_number=form.vat_number.data or "",
        interests=form.interests.data or "",
        heard_from=form.heard_from.data or "",
        payment_method=PaymentMethod.CARD if form.payment_method.data == "card" else PaymentMethod.INVOICE,
    )


def _prefill(form: ApplicationForm, organisation, pending) -> None:
    """A first application starts from the profile and the person applying; an open one shows what
    was sent (its billing address empty when it is just the registered address)."""
    if pending is not None:
        form.tier.data = pending.tier.slug
        form.payment_method.data = pending.payment_method.value
        registered = services.registered_address(
            pending.address_line1, pending.address_line2, pending.postcode, pending.city
        )
        if pending.billing_address == registered:
            form.billing_address.data = ""
        return
    signs = current_user.has_org_role("signatory")
    form.tier.data = request.args.get("tier", "")
    form.signatory_name.data = current_user.full_name if signs else ""
    form.signatory_title.data = current_user.job_title if signs else ""
    form.billing_name.data = current_user.full_name
    form.billing_email.data = current_user.email
    form.vat_number.data = organisation.vat_number
    form.registration_number.data = organisation.registration_number
    form.address_line1.data = organisation.address_line1
    form.address_line2.data = organisation.address_line2
    form.postcode.data = organisation.postcode
    form.city.data = organisation.city


@bp.route("/membership/apply", methods=["GET", "POST"])
@org_role_required("owner")
def apply():
    """Apply; answer a request for more information; or correct an application while it waits."""
    organisation = current_user.organisation
    tiers = services.active_tiers()
    pending = services.open_application(organisation)
    form = ApplicationForm(obj=pending) if pending is not None else ApplicationForm()
    form.tier.choices = {
        "": _("Choose a tier…"),
        **{
            t.slug: _(
                "%(tier)s — %(fee)s a year", tier=t.name, fee=format_money(t.annual_fee_cents, t.currency)
            )
            for t in tiers
        },
    }
    if request.method == "GET":
        _prefill(form, organisation, pending)
    editing = pending is not None and pending.status is ApplicationStatus.SUBMITTED
    if form.validate_on_submit():
        try:
            if pending is None:
                application = services.submit_application(current_user, organisation, _data(form))
            elif pending.status is ApplicationStatus.MORE_INFO:
                services.resubmit_application(current_user, pending, _data(form))
                application = pending
            else:
                services.edit_application(current_user, pending, _data(form))
                application = pending
        except DomainError as exc:
            apply_domain_error(form, exc)
        else:
            db.session.commit()
            if application.status is ApplicationStatus.APPROVED:
                flash(
                    _("Your application is approved. Next: pay, and sign the partnership agreement."),
                    "success",
                )
            elif editing:
                flash(_("Your changes are saved; the application keeps its place in the queue."), "success")
            else:
                flash(
                    _(
                        "Thank you. Your application is with the partnerships team; "
                        "we usually answer within a few working days. We have emailed you a copy."
                    ),
                    "success",
                )
            return redirect(url_for("membership.overview"))
    return render_template(
        "membership/apply.html",
        form=form,
        tiers=tiers,
        pending=pending,
        editing=editing,
        organisation=organisation,
        is_eu=is_eu(organisation.country),
    ), (400 if request.method == "POST" else 200)  # a refused form answers 400, like the others


@bp.route("/membership/application/withdraw", methods=["POST"])
@org_role_required("owner")
def withdraw_application():
    pending = services.open_application(current_user.organisation)
    if pending is None:
        flash(_("There is no application waiting to withdraw."), "info")
        return redirect(url_for("membership.overview"))
    try:
        services.withdraw_application(current_user, pending)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("Your application is withdrawn. You can apply again at any time."), "success")
    return redirect(url_for("membership.overview"))


@bp.route("/membership/pay/card", methods=["POST"])
@org_role_required("owner", "billing")
def pay_by_card():
    try:
        url = card.start_checkout(current_user, current_user.organisation)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("membership.overview"))
    except gateway.PaymentsUnavailable:
        db.session.rollback()
        return render_template("membership/payments_unavailable.html"), 503
    except gateway.PaymentRefused as exc:
        db.session.rollback()
        flash(_("Stripe refused the payment request: %(reason)s", reason=exc), "danger")
        return redirect(url_for("membership.overview"))
    db.session.commit()
    return redirect(url, code=303)


@bp.route("/membership/card-return")
@partner_required
def card_return():
    """Stripe sends the payer back here. It shows status only: access comes from the webhook."""
    membership = services.membership_of(current_user.organisation)
    return render_template("membership/card_return.html", membership=membership)


@bp.route("/membership/billing-portal", methods=["POST"])
@org_role_required("owner", "billing")
def billing_portal():
    try:
        url = card.billing_portal_url(current_user.organisation)
    except DomainError as exc:
        flash(exc.message, "danger")
        return redirect(url_for("membership.overview"))
    except (gateway.PaymentsUnavailable, gateway.PaymentRefused):
        return render_template("membership/payments_unavailable.html"), 503
    return redirect(url, code=303)


@bp.route("/membership/<any(cancel, resume):action>", methods=["POST"])
@org_role_required("owner")
def cancel(action: str):
    membership = services.membership_of(current_user.organisation)
    if membership is None or membership.status not in (MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE):
        flash(_("There is no running membership to change."), "danger")
        return redirect(url_for("membership.overview"))
    try:
        card.cancel_at_period_end(current_user, membership, renew=(action == "resume"))
    except (gateway.PaymentsUnavailable, gateway.PaymentRefused):
        db.session.rollback()
        return render_template("membership/payments_unavailable.html"), 503
    db.session.commit()
    if action == "resume":
        flash(_("Your membership renews again at the end of the period."), "success")
    else:
        flash(
            _(
                "Your membership will not renew. It stays active until %(day)s.",
                day=format_when(membership.period_end),
            ),
            "success",
        )
    return redirect(url_for("membership.overview"))


def _tier_for_change() -> Tier | None:
    slug = request.values.get("tier", "")
    return db.session.scalar(sa.select(Tier).where(Tier.slug == slug, Tier.active.is_(True)))


@bp.route("/membership/change", methods=["GET", "POST"])
@org_role_required("owner")
def change_tier():
    membership = services.membership_of(current_user.organisation)
    tier = _tier_for_change()
    if tier is None and request.method == "GET":
        return render_template(
            "membership/change_choose.html", membership=membership, tiers=services.active_tiers()
        )
    if tier is None:
        flash(_("Choose one of the tiers on offer."), "danger")
        return redirect(url_for("membership.overview"))
    try:
        change = changes.preview(membership, tier)
        if request.method == "POST":
            invoice = changes.change_tier(current_user, membership, tier)
            db.session.commit()
            if change.kind == "downgrade":
                flash(
                    _(
                        "Your membership moves to %(tier)s from %(day)s.",
                        tier=tier.name,
                        day=format_when(change.starts_on),
                    ),
                    "success",
                )
            elif invoice is not None:
                flash(
                    _(
                        "Invoice %(number)s is on its way; %(tier)s starts when it is paid.",
                        number=invoice.number,
                        tier=tier.name,
                    ),
                    "success",
                )
            else:
                flash(
                    _("Welcome to %(tier)s: your card was charged the difference.", tier=tier.name), "success"
                )
            return redirect(url_for("membership.overview"))
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "danger")
        return redirect(url_for("membership.overview"))
    except (gateway.PaymentsUnavailable, gateway.PaymentRefused):
        db.session.rollback()
        return render_template("membership/payments_unavailable.html"), 503
    return render_template("membership/change.html", membership=membership, change=change)


@bp.route("/membership/change/cancel", methods=["POST"])
@org_role_required("owner")
def cancel_tier_change():
    membership = services.membership_of(current_user.organisation)
    try:
        changes.cancel_pending_downgrade(current_user, membership)
    except DomainError as exc:
        flash(exc.message, "danger")
    else:
        db.session.commit()
        flash(_("The scheduled tier change is cancelled."), "success")
    return redirect(url_for("membership.overview"))


@bp.route("/membership/invoices/<int:invoice_id>/pdf")
@partner_required
def invoice_pdf(invoice_id: int):
    invoice = get_owned_or_404(Invoice, invoice_id, current_user.organisation_id)
    return stored_pdf(*invoice.stored_document(), "invoice")
