"""Licensing interest (leads): a partner with partner access states what it would use a
technology for; the organisation's account owner handles it through the console, from "new" to a
term sheet (an AgreementKind.LICENCE agreement made by the agreements area) and a licence.

Emails to the partner carry the listing's teaser fields (reference, title) and what the partner
wrote, never the gated fields: the ladder decides what a reader may see, not the email.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import joinedload

from ...agreements import services as agreements
from ...agreements.models import Agreement, AgreementKind
from ...auth.models import PlatformRole, User
from ...core import audit
from ...core.database import lock_for_update
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...core.types import utcnow
from ...extensions import db
from ...partners.models import Organisation
from ..models import Lead, LeadStatus, Technology
from .ladder import Level, Viewer, level_of

OPEN_STATUSES = (LeadStatus.NEW, LeadStatus.IN_DISCUSSION, LeadStatus.TERM_SHEET)

# The moves staff may make from each status (a closed lead may be reopened into discussion).
TRANSITIONS: dict[LeadStatus, tuple[LeadStatus, ...]] = {
    LeadStatus.NEW: (LeadStatus.IN_DISCUSSION, LeadStatus.TERM_SHEET, LeadStatus.DECLINED),
    LeadStatus.IN_DISCUSSION: (LeadStatus.TERM_SHEET, LeadStatus.LICENSED, LeadStatus.DECLINED),
    LeadStatus.TERM_SHEET: (LeadStatus.IN_DISCUSSION, LeadStatus.LICENSED, LeadStatus.DECLINED),
    LeadStatus.LICENSED: (),
    LeadStatus.DECLINED: (LeadStatus.IN_DISCUSSION,),
}


@dataclass
class InterestData:
    intended_use: str
    field_of_use: str = ""
    territory: str = ""
    timeline: str = ""
    message: str = ""

    def cleaned(self) -> InterestData:
        """Texts trimmed; the one-line fields on one line."""
        return InterestData(
            intended_use=(self.intended_use or "").strip(),
            field_of_use=" ".join((self.field_of_use or "").split()),
            territory=" ".join((self.territory or "").split()),
            timeline=" ".join((self.timeline or "").split()),
            message=(self.message or "").strip(),
        )


def open_lead(organisation_id: int, technology_id: int) -> Lead | None:
    return db.session.scalar(
        sa.select(Lead)
        .where(
            Lead.organisation_id == organisation_id,
            Lead.technology_id == technology_id,
            Lead.status.in_(OPEN_STATUSES),
        )
        .order_by(Lead.id.desc())
        .limit(1)
    )


def latest_lead(organisation_id: int, technology_id: int) -> Lead | None:
    """The organisation's latest lead on the technology, open or closed (the listing page says so)."""
    return db.session.scalar(
        sa.select(Lead)
        .where(Lead.organisation_id == organisation_id, Lead.technology_id == technology_id)
        .order_by(Lead.id.desc())
        .limit(1)
    )


def leads_of(organisation_id: int, limit: int = 10) -> list[Lead]:
    """The organisation's latest leads with their technology (the dashboard card)."""
    return list(
        db.session.scalars(
            sa.select(Lead)
            .where(Lead.organisation_id == organisation_id)
            .options(joinedload(Lead.technology))
            .order_by(Lead.created_at.desc(), Lead.id.desc())
            .limit(limit)
        )
    )


def staff_recipients(organisation: Organisation) -> tuple[User | None, list[str]]:
    """Who handles a lead: the organisation's account owner if it is an active staff user; else
    nobody is assigned and the programme address and the active admins hear of it."""
    owner = organisation.account_owner
    if owner is not None and owner.active and owner.is_staff:
        return owner, [owner.email]
    admins = db.session.scalars(
        sa.select(User.email)
        .where(User.platform_role == PlatformRole.ADMIN, User.active.is_(True))
        .order_by(User.id)
    )
    return None, [current_app.config["CONTACT_EMAIL"], *admins]


def express_interest(
    actor: User, organisation: Organisation, technology: Technology, viewer: Viewer, data: InterestData
) -> Lead:
    """A new lead for the organisation's account owner, emailed to them and confirmed to the
    partner. One open lead per organisation and technology."""
    if level_of(viewer, technology) < Level.PARTNER_DETAIL or viewer.organisation_id != organisation.id:
        raise DomainError(_("Licensing interest is open to members whose tier includes partner detail."))
    data = data.cleaned()
    if not data.intended_use:
        raise DomainError(_("Say what you would use the technology for."), "intended_use")
    # Concurrent submissions of one organisation serialise on its row (SQLite: the request's
    # write transaction), so the open-lead check below sees the other's lead.
    lock_for_update(organisation)
    existing = open_lead(organisation.id, technology.id)
    if existing is not None:
        raise DomainError(
            _(
                "Your organisation already expressed interest in this technology on %(day)s; "
                "it is %(status)s. Write to your contact at the Technology Transfer Office to add to it.",
                day=existing.created_at.date().isoformat(),
                status=str(existing.status.label).lower(),
            )
        )
    assignee, staff_emails = staff_recipients(organisation)
    lead = Lead(
        technology_id=technology.id,
        organisation_id=organisation.id,
        created_by_id=actor.id,
        assigned_to_id=assignee.id if assignee else None,
        intended_use=data.intended_use,
        field_of_use=data.field_of_use,
        territory=data.territory,
        timeline=data.timeline,
        message=data.message,
        status=LeadStatus.NEW,
    )
    db.session.add(lead)
    db.session.flush()
    audit.record("lead.created", actor=actor, target=lead, technology=technology.reference)
    notify(
        staff_emails,
        "lead_received",
        subject=_l(
            "New licensing interest: %(organisation)s, %(reference)s",
            organisation=organisation.display_name,
            reference=technology.reference,
        ),
        lead=lead_values(lead, technology, organisation),
        from_name=actor.full_name,
        from_email=actor.email,
        assigned=assignee.full_name if assignee else "",
        console_url=link("admin.lead_detail", lead_id=lead.id),
    )
    notify(
        [actor.email],
        "lead_confirmation",
        subject=_l("We received your licensing interest"),
        lead=lead_values(lead, technology, organisation),
        contact_name=assignee.full_name if assignee else "",
        contact_email=assignee.email if assignee else current_app.config["CONTACT_EMAIL"],
        listing_url=link("catalog.detail", slug=technology.slug),
        dashboard_url=link("main.dashboard"),
    )
    return lead


def lead_values(lead: Lead, technology: Technology, organisation: Organisation) -> dict:
    """What the lead emails print: the lead, the listing's teaser fields only, the organisation."""
    return {
        "id": lead.id,
        "reference": technology.reference,
        "title": technology.title,
        "organisation": organisation.display_name,
        "intended_use": lead.intended_use,
        "field_of_use": lead.field_of_use,
        "territory": lead.territory,
        "timeline": lead.timeline,
        "message": lead.message,
        "status": lead.status.value,
    }


def _partner_recipient(lead: Lead) -> list[str]:
    person = lead.created_by
    if person is not None and person.active and person.organisation_id == lead.organisation_id:
        return [person.email]
    # The author left: the organisation's active owners hear of it.
    return [u.email for u in lead.organisation.users if u.active and u.has_org_role("owner")]


def set_status(
    actor: User, lead: Lead, status: LeadStatus, note: str = "", *, now: datetime | None = None
) -> None:
    """Move a lead (audited; the partner is emailed)."""
    previous = lead.status
    if status is previous:
        raise DomainError(_("The lead is already %(status)s.", status=str(previous.label).lower()), "status")
    if status not in TRANSITIONS[previous]:
        raise DomainError(
            _(
                "A lead that is %(before)s cannot become %(after)s.",
                before=str(previous.label).lower(),
                after=str(status.label).lower(),
            ),
            "status",
        )
    lead.status = status
    lead.updated_at = now or utcnow()
    db.session.flush()
    audit.record(
        "lead.status_changed",
        actor=actor,
        target=lead,
        before=previous.value,
        after=status.value,
        **({"note": note.strip()} if note.strip() else {}),
    )
    _tell_partner(lead, note)


def _tell_partner(lead: Lead, note: str = "") -> None:
    technology = lead.technology
    notify(
        _partner_recipient(lead),
        "lead_status_changed",
        subject=_l("Your licensing interest: %(reference)s", reference=technology.reference),
        lead=lead_values(lead, technology, lead.organisation),
        note=note.strip(),
        listing_url=link("catalog.detail", slug=technology.slug),
        dashboard_url=link("main.dashboard"),
    )


def term_sheet_terms(lead: Lead) -> agreements.Terms:
    """The licence term sheet prefilled from the listing and the interest."""
    technology = lead.technology
    exclusive = "exclusive" in (technology.licensing_options or [])
    return agreements.Terms(
        title=f"Licence term sheet: {technology.title}"[:200],
        term_months=12,
        subject=f"{technology.reference} {technology.title}",
        purpose=lead.intended_use,
        field_of_use=lead.field_of_use,
        territory=lead.territory,
        exclusive=exclusive,
        special_conditions=f"Timeline stated by the licensee: {lead.timeline}" if lead.timeline else "",
    )


def issue_term_sheet(actor: User, lead: Lead) -> tuple[Agreement, bool]:
    """A draft licence term sheet for the lead's organisation (agreements' create_agreement, source
    "lead:<id>"), linked to the lead, which moves to "term sheet". Idempotent: a second call (a
    double click, two staff at once) returns the same agreement. Returns (agreement, created)."""
    lock_for_update(lead)
    if lead.agreement_id is not None:
        existing = db.session.get(Agreement, lead.agreement_id)
        if existing is not None:
            return existing, False
    if lead.status in (LeadStatus.LICENSED, LeadStatus.DECLINED):
        raise DomainError(
            _(
                "The lead is %(status)s: reopen it before issuing a term sheet.",
                status=str(lead.status.label).lower(),
            )
        )
    agreement = agreements.create_agreement(
        actor, lead.organisation, AgreementKind.LICENCE, term_sheet_terms(lead), source=f"lead:{lead.id}"
    )
    lead.agreement_id = agreement.id
    previous = lead.status
    lead.status = LeadStatus.TERM_SHEET
    db.session.flush()
    audit.record(
        "lead.term_sheet_issued",
        actor=actor,
        target=lead,
        agreement=agreement.number,
        before=previous.value,
        after=LeadStatus.TERM_SHEET.value,
    )
    if previous is not LeadStatus.TERM_SHEET:
        _tell_partner(lead)
    return agreement, True
