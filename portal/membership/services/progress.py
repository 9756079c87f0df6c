"""The path to an active membership as one tracker (issue 10, point 4): applied -> approved -> signed
-> paid -> countersigned -> active, each step done, waiting (on whom, since when) or still to come,
with a link where the reader can do it. Read from two queries (the partnership agreement with its
signatures, the latest invoice); the application and membership come from the caller."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import url_for
from flask_babel import lazy_gettext as _l

from ...agreements.models import AgreementStatus, SignatoryParty
from ...agreements.services import partnership_agreement_of
from ...extensions import db
from ..models import Application, ApplicationStatus, Invoice, InvoiceStatus, Membership, MembershipStatus

DONE, WAITING, LATER = "done", "waiting", "later"


@dataclass
class Step:
    key: str
    label: object  # a lazy string
    state: str = LATER
    since: datetime | None = None
    waiting_on: object = None  # who the step waits for (lazy string), while it waits
    url: str | None = None  # where the reader does it, if it is theirs to do


def _latest_invoice(organisation_id: int) -> Invoice | None:
    return db.session.scalar(
        sa.select(Invoice)
        .where(Invoice.organisation_id == organisation_id)
        .order_by(Invoice.id.desc())
        .limit(1)
    )


def journey(
    organisation, viewer, application: Application | None, membership: Membership | None
) -> list[Step]:
    steps = {
        key: Step(key, label)
        for key, label in (
            ("applied", _l("Applied")),
            ("approved", _l("Approved")),
            ("signed", _l("Signed")),
            ("paid", _l("Paid")),
            ("countersigned", _l("Countersigned")),
            ("active", _l("Active")),
        )
    }
    is_owner = viewer.has_org_role("owner")
    is_signatory = viewer.has_org_role("signatory")
    pays = viewer.has_org_role("owner", "billing")
    if membership is not None and membership.status is MembershipStatus.ACTIVE:
        for step in steps.values():
            step.state = DONE
        start = membership.period_start
        steps["active"].since = datetime.combine(start, datetime.min.time()) if start else None
        return list(steps.values())

    if application is None or application.status in (ApplicationStatus.REJECTED, ApplicationStatus.WITHDRAWN):
        s = steps["applied"]
        s.state, s.waiting_on = WAITING, _l("you") if is_owner else _l("an owner of your organisation")
        s.url = url_for("membership.tiers") if is_owner else None
        return list(steps.values())
    steps["applied"].state, steps["applied"].since = DONE, application.submitted_at
    if membership is None:
        s = steps["approved"]
        s.state, s.since = WAITING, application.submitted_at
        s.waiting_on = _l("the partnerships team")
        if application.status is ApplicationStatus.MORE_INFO:
            s.waiting_on = _l("you") if is_owner else _l("an owner of your organisation")
            s.url = url_for("membership.apply") if is_owner else None
        return list(steps.values())
    steps["approved"].state, steps["approved"].since = DONE, application.decided_at

    agreement = partnership_agreement_of(organisation.id)
    partner_signature = agreement.signature_of(SignatoryParty.PARTNER) if agreement is not None else None
    sign = steps["signed"]
    if partner_signature is not None or not membership.agreement_required:
        sign.state, sign.since = DONE, partner_signature.signed_at if partner_signature else None
    elif agreement is not None:
        sign.state, sign.since = WAITING, agreement.issued_at
        sign.waiting_on = _l("you") if is_signatory else _l("your signatory")
        sign.url = url_for("agreements.detail", agreement_id=agreement.id) if is_signatory else None

    pay = steps["paid"]
    invoice = _latest_invoice(organisation.id)
    paid = invoice is not None and invoice.status is InvoiceStatus.PAID
    if paid or membership.status is MembershipStatus.AWAITING_SIGNATURE:  # card payments have no invoice
        pay.state, pay.since = DONE, invoice.paid_at if paid else None
    else:
        pay.state = WAITING
        pay.since = datetime.combine(invoice.issued_on, datetime.min.time()) if invoice is not None else None
        pay.waiting_on = _l("you") if pays else _l("your billing contact")
        pay.url = url_for("membership.overview") if pays else None

    counter = steps["countersigned"]
    executed = agreement is not None and agreement.status is AgreementStatus.EXECUTED
    if executed or not membership.agreement_required:
        counter.state, counter.since = DONE, agreement.executed_at if agreement is not None else None
    elif partner_signature is not None:
        counter.state, counter.since = WAITING, partner_signature.signed_at
        counter.waiting_on = _l("the institution")
    return list(steps.values())
