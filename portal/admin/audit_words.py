"""Audit entries in words: "Anna Admin approved the application of Acme Robotics for the Partner
tier", with the people and objects linked to their console pages and money formatted.

`describe(events)` loads what the sentences name (people, organisations, applications with their
tier, invoice currencies, tier names) in at most five queries, whatever the number of events, and
returns one `Entry` per event. A sentence is a list of `Part`s, so that the page links them and a
CSV export writes the same words as plain text. An action without a phrase here still reads as
words ("Anna Admin: widget frobbed, target X"), never as a code with JSON.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from flask import url_for
from sqlalchemy.orm import joinedload

from ..agreements.models import AgreementKind
from ..auth.models import PlatformRole, User
from ..core.models import AuditEvent
from ..core.money import format_money
from ..extensions import db
from ..membership.models import Application, Invoice, Tier
from ..partners.models import Organisation, OrgRole


@dataclass(frozen=True)
class Part:
    text: str
    url: str | None = None


@dataclass
class Entry:
    event: AuditEvent
    parts: list[Part]
    note: str = ""  # a reason, a message, the fields changed: what the sentence does not say

    @property
    def sentence(self) -> str:
        return "".join(part.text for part in self.parts)

    @property
    def plain(self) -> str:
        return f"{self.sentence}. {self.note}".strip() if self.note else f"{self.sentence}."


# --- the phrases --------------------------------------------------------------------------------
# {actor} who did it, {target} the object, {org} its organisation, {tier} the tier it concerns,
# {amount} money (details "amount" or "total", in the invoice's currency); any other {name} is the
# detail of that name, in words. `note` names the details shown below the sentence.

PHRASES: dict[str, str] = {
    "application.submitted": "{actor} applied for the {tier} tier for {org}",
    "application.resubmitted": "{actor} resubmitted the application of {org} for the {tier} tier",
    "application.edited": "{actor} changed the application of {org} for the {tier} tier while it waited",
    "application.withdrawn": "{actor} withdrew the application of {org} for the {tier} tier",
    "application.approved": "{actor} approved the application of {org} for the {tier} tier",
    "application.rejected": "{actor} rejected the application of {org} for the {tier} tier",
    "application.more_info_requested": (
        "{actor} asked {org} for more information on its application for the {tier} tier"
    ),
    "agreement.created": "{actor} prepared {kind} {target} for {org}",
    "agreement.updated": "{actor} changed the terms of draft agreement {target} of {org}",
    "agreement.issued": "{actor} issued agreement {target} to {org} for signature",
    "agreement.signed_partner": "{actor} signed agreement {target} for {org}",
    "agreement.signed_institution": "{actor} countersigned agreement {target} of {org} for the institution",
    "agreement.executed": "Agreement {target} with {org} is executed",
    "agreement.executed_pdf_stored": "The executed PDF of agreement {target} of {org} is stored",
    "agreement.void": "{actor} voided agreement {target} of {org}",
    "agreement.superseded": "Agreement {target} of {org} is superseded",
    "agreement_template.drafted": "{actor} started a new version of the template {target}",
    "agreement_template.saved": "{actor} saved the template {target}",
    "agreement_template.published": "{actor} published the template {target}, in effect from {effective_on}",
    "invoice.issued": "Invoice {target} for {amount} is issued to {org}",
    "invoice.voided": "Invoice {target} of {org} is void",
    "payment.recorded": "{actor} recorded a payment of {amount} on invoice {target} of {org}",
    "membership.activated": "The membership of {org} is active",
    "membership.paid_awaiting_signature": "{org} paid; the membership starts when the agreement is executed",
    "membership.past_due": "The membership of {org} is past due",
    "membership.lapsed": "The membership of {org} lapsed",
    "membership.ended": "The membership of {org} ended",
    "membership.cancel_requested": "{actor} asked to end the membership of {org} at the end of its period",
    "membership.renewal_resumed": "{actor} turned the renewal of the membership of {org} back on",
    "membership.downgrade_scheduled": "{actor} scheduled the move of {org} to the {tier} tier at renewal",
    "membership.downgrade_cancelled": "{actor} cancelled the scheduled tier change of {org}",
    "membership.upgraded": "{org} moved up to the {tier} tier",
    "membership.upgrade_invoiced": (
        "{actor} asked to move {org} up to the {tier} tier; invoice {invoice} is issued"
    ),
    "checkout.started": "{actor} started a card payment for {org}",
    "stripe.subscription_synced": "Stripe updated the card subscription of {org} ({status})",
    "organisation.signed_up": "{actor} signed up {org}",
    "organisation.updated": "{actor} updated the profile of {org}",
    "organisation.account_owner_set": "{actor} made {after} the account owner of {org}",
    "organisation.account_owner_cleared": "{actor} removed the account owner of {org}",
    "invitation.sent": "{actor} invited {email} to {org} as {roles}",
    "invitation.accepted": "{actor} accepted the invitation to {org}",
    "invitation.rejoined": "{actor} rejoined {org} through an invitation",
    "invitation.revoked": "{actor} revoked the {target}",
    "member.roles_changed": "{actor} changed the roles of {target} at {org} from {before} to {after}",
    "member.removed": "{actor} removed {target} from {org}",
    "user.created": "{actor} created the {role} account {target}",
    "user.deactivated": "{actor} deactivated the account of {target}",
    "user.reactivated": "{actor} reactivated the account of {target}",
    "user.password_changed": "{actor} changed their password",
    "user.password_reset": "{actor} reset their password by email",
    "user.email_changed": "{actor} changed their email address from {old} to {new}",
    "user.email_change_cancelled": "{actor} refused a change of their email address",
    "user.recovery_codes_regenerated": "{actor} made new recovery codes",
    "user.2fa_enabled": "{actor} turned two-factor sign-in on",
    "user.2fa_disabled": "{actor} turned two-factor sign-in off",
    "tier.created": "{actor} created the tier {target}",
    "tier.updated": "{actor} changed the tier {target}",
    "console.exported": "{actor} exported the {list} list as CSV",
    "technology.created": "{actor} created the listing {target}",
    "technology.updated": "{actor} changed the listing {target}",
    "technology.status_changed": "{actor} moved the listing {target} from {before} to {after}",
    "technology.file_added": "{actor} added {filename} to the listing {target}",
    "technology.file_removed": "{actor} removed {filename} from the listing {target}",
    "technology.imported": (
        "{actor} imported technologies from CSV: {created} created, {updated} updated, {unchanged} unchanged"
    ),
    "researcher.created": "{actor} added {target} to the researcher directory",
    "researcher.updated": "{actor} changed the directory entry of {target}",
    "researcher.deleted": "{actor} removed {target} from the researcher directory",
    "domain.created": "{actor} created the domain {target}",
    "domain.updated": "{actor} changed the domain {target}",
    "domain.deleted": "{actor} deleted the domain {target}",
    "lead.created": "{actor} expressed licensing interest for {org} in {technology} ({target})",
    "lead.status_changed": "{actor} moved {target} of {org} from {before} to {after}",
    "lead.term_sheet_issued": "{actor} prepared the licence term sheet {agreement} for {target} of {org}",
}

# Details shown below the sentence, by action, with their label.
NOTES: dict[str, tuple[tuple[str, str], ...]] = {
    "application.approved": (
        ("invoice", "Invoice"),
        ("agreement", "agreement"),
        ("account_owner", "account owner"),
    ),
    "application.rejected": (("reason", "Reason"),),
    "application.more_info_requested": (("message", "Message"),),
    "agreement.void": (("reason", "Reason"),),
    "agreement.superseded": (("reason", "Reason"),),
    "invoice.voided": (("reason", "Reason"),),
    "organisation.updated": (("fields", "Changed"), ("source", "from")),
    "application.edited": (("fields", "Changed"),),
    "organisation.account_owner_set": (("before", "Before"),),
    "console.exported": (("filters", "Filters"), ("sort", "sorted by")),
    "technology.updated": (("fields", "Changed"),),
    "technology.file_added": (("kind", "Kind"),),
    "technology.imported": (("researchers", "researchers added"), ("filename", "file")),
    "researcher.updated": (("fields", "Changed"),),
    "domain.updated": (("fields", "Changed"),),
    "lead.status_changed": (("note", "Note to the partner"),),
}

# Details that only machines need (hashes, internal ids): never shown.
HIDDEN_DETAILS = {"sha256", "attempt", "event", "subscription", "template", "slug", "total", "amount", "tier"}

ROLE_LABELS = {role.value: role.label for role in OrgRole} | {role.value: role.label for role in PlatformRole}
KIND_LABELS = {kind.value: kind.label for kind in AgreementKind}
FIELD_LABELS = {
    "legal_name": "legal name",
    "vat_number": "VAT number",
    "size_band": "size",
    "address_line1": "address",
}
NOBODY = "The system"


def _target_url(event: AuditEvent) -> str | None:
    kind, ident = event.target_type, event.target_id
    if ident is None:
        return None
    endpoint = {
        "user": ("admin.user_detail", "user_id"),
        "organisation": ("admin.organisation_detail", "organisation_id"),
        "application": ("admin.application_detail", "application_id"),
        "invoice": ("admin.invoice_detail", "invoice_id"),
        "agreement": ("admin.agreement_detail", "agreement_id"),
        "agreementtemplate": ("admin.agreement_template_detail", "template_id"),
        "technology": ("admin.technology_detail", "technology_id"),
        "researcher": ("admin.researcher_form", "researcher_id"),
        "lead": ("admin.lead_detail", "lead_id"),
    }.get(kind or "")
    if endpoint:
        return url_for(endpoint[0], **{endpoint[1]: ident})
    if kind == "tier":
        return url_for("admin.tiers")
    if kind == "domain":
        return url_for("admin.domains")
    if kind in ("membership", "invitation") and event.organisation_id:
        return url_for("admin.organisation_detail", organisation_id=event.organisation_id)
    return None


CODED_DETAILS = {"role": ROLE_LABELS, "roles": ROLE_LABELS, "before": ROLE_LABELS, "after": ROLE_LABELS}
CODED_DETAILS |= {"fields": FIELD_LABELS, "kind": KIND_LABELS}


def _words(value: Any, key: str = "") -> str:
    """A detail value as a reader would say it: codes (roles, fields) as labels, lists joined."""
    if value is None or value == "" or value == []:
        return "none"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, dict):
        return "; ".join(f"{_humanise(k)}: {_words(v, k)}" for k, v in sorted(value.items()))
    if isinstance(value, (list, tuple)):
        return ", ".join(_words(v, key) for v in value)
    text = str(value)
    labels = CODED_DETAILS.get(key)
    return labels.get(text, _humanise(text)) if labels else text


def _humanise(code: str) -> str:
    return re.sub(r"[._]+", " ", code).strip()


def action_label(action: str) -> str:
    """`application.more_info_requested` -> `Application more info requested` (the filter's labels)."""
    return _humanise(action).capitalize()


@dataclass
class _Context:
    users: dict[int, User] = field(default_factory=dict)
    users_by_email: dict[str, User] = field(default_factory=dict)
    organisations: dict[int, Organisation] = field(default_factory=dict)
    applications: dict[int, Application] = field(default_factory=dict)
    currencies: dict[int, str] = field(default_factory=dict)
    tiers: dict[str, str] = field(default_factory=dict)  # slug -> name


def _load(events: Sequence[AuditEvent]) -> _Context:
    ctx = _Context()
    user_ids = {e.actor_id for e in events if e.actor_id} | {
        e.target_id for e in events if e.target_type == "user" and e.target_id
    }
    emails = {
        e.details.get(key)
        for e in events
        if e.action == "organisation.account_owner_set"
        for key in ("before", "after")
        if isinstance(e.details.get(key), str)
    }
    if user_ids or emails:
        for user in db.session.scalars(
            sa.select(User).where(sa.or_(User.id.in_(user_ids), User.email.in_(emails)))
        ):
            ctx.users[user.id] = user
            ctx.users_by_email[user.email] = user
    organisation_ids = {e.organisation_id for e in events if e.organisation_id}
    if organisation_ids:
        found = db.session.scalars(sa.select(Organisation).where(Organisation.id.in_(organisation_ids)))
        ctx.organisations = {o.id: o for o in found}
    application_ids = {e.target_id for e in events if e.target_type == "application" and e.target_id}
    if application_ids:
        ctx.applications = {
            a.id: a
            for a in db.session.scalars(
                sa.select(Application)
                .where(Application.id.in_(application_ids))
                .options(joinedload(Application.tier))
            )
        }
    invoice_ids = {e.target_id for e in events if e.target_type == "invoice" and e.target_id}
    if invoice_ids:
        currencies = sa.select(Invoice.id, Invoice.currency).where(Invoice.id.in_(invoice_ids))
        ctx.currencies = dict(db.session.execute(currencies).all())
    if any(isinstance(e.details.get("tier"), str) for e in events if e.target_type != "application"):
        ctx.tiers = dict(db.session.execute(sa.select(Tier.slug, Tier.name)).all())
    return ctx


def _person(user: User | None, email: str | None) -> Part:
    if user is not None:
        return Part(user.full_name, url_for("admin.user_detail", user_id=user.id))
    return Part(email or NOBODY)


def _values(event: AuditEvent, ctx: _Context) -> dict[str, Part]:
    details = event.details or {}
    values: dict[str, Part] = {
        "actor": _person(ctx.users.get(event.actor_id or 0), event.actor_email),
        "target": Part(event.target_label or "—", _target_url(event)),
    }
    if event.target_type == "user" and event.target_id in ctx.users:
        values["target"] = _person(ctx.users[event.target_id], event.target_label)
    organisation = ctx.organisations.get(event.organisation_id or 0)
    if organisation is not None:
        values["org"] = Part(
            organisation.display_name, url_for("admin.organisation_detail", organisation_id=organisation.id)
        )
    else:
        gone = "an organisation no longer on record"
        values["org"] = Part(gone if event.organisation_id else "no organisation")
    application = ctx.applications.get(event.target_id or 0) if event.target_type == "application" else None
    if application is not None:
        values["tier"] = Part(application.tier.name)
    elif isinstance(details.get("tier"), str):
        values["tier"] = Part(ctx.tiers.get(details["tier"], details["tier"]))
    else:
        values["tier"] = Part("chosen")
    cents = details.get("amount", details.get("total"))
    if isinstance(cents, int):
        currency = ctx.currencies.get(event.target_id or 0) if event.target_type == "invoice" else None
        values["amount"] = Part(format_money(cents, currency) if currency else f"{cents / 100:,.2f}")
    if event.action == "organisation.account_owner_set":
        for key in ("before", "after"):
            email = details.get(key)
            values[key] = _person(ctx.users_by_email.get(email), email) if email else Part("nobody")
    if event.action == "agreement.created":
        values["kind"] = Part(f"the {KIND_LABELS.get(details.get('kind', ''), 'agreement').lower()}")
    return values


def _phrase_for(event: AuditEvent) -> str:
    action = event.action
    if action == "organisation.account_owner_set" and not event.details.get("after"):
        action = "organisation.account_owner_cleared"
    if action == "invitation.accepted" and event.details.get("returning"):
        action = "invitation.rejoined"
    return PHRASES.get(action, "")


_FIELD = re.compile(r"\{(\w+)\}")


def _sentence(phrase: str, values: dict[str, Part], details: dict[str, Any]) -> list[Part]:
    parts: list[Part] = []
    position = 0
    for match in _FIELD.finditer(phrase):
        if match.start() > position:
            parts.append(Part(phrase[position : match.start()]))
        name = match.group(1)
        parts.append(values.get(name) or Part(_words(details.get(name), name)))
        position = match.end()
    if position < len(phrase):
        parts.append(Part(phrase[position:]))
    return parts


def _note(event: AuditEvent, phrase_known: bool) -> str:
    details = event.details or {}
    if phrase_known:
        keys = NOTES.get(event.action, ())
        if event.action == "organisation.account_owner_set":
            return ""  # both names are in the sentence
        shown = [(k, label, details[k]) for k, label in keys if details.get(k) not in (None, "", [], {})]
        return "; ".join(f"{label}: {_words(value, key)}" for key, label, value in shown)
    return "; ".join(
        f"{_humanise(key)}: {_words(value, key)}"
        for key, value in sorted(details.items())
        if key not in HIDDEN_DETAILS and value not in (None, "", [], {})
    )


def describe(events: Iterable[AuditEvent]) -> list[Entry]:
    events = list(events)
    ctx = _load(events)
    entries = []
    for event in events:
        values = _values(event, ctx)
        phrase = _phrase_for(event)
        if phrase:
            parts = _sentence(phrase, values, event.details or {})
        else:
            parts = [values["actor"], Part(f": {_humanise(event.action)}")]
            if event.target_label:
                parts += [Part(", "), values["target"]]
        entries.append(Entry(event, parts, _note(event, bool(phrase))))
    return entries
