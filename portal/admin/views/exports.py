"""CSV exports of the console lists: each takes the list's filters and order from the same query
string as the list (the "Export CSV" link carries them), audited and streamed (admin/export.py)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from flask import request
from flask_login import current_user

from .. import audit_words, bp, queries, sorting_of
from ..export import amount, csv_export
from .accounts import user_filters
from .agreements import register_filters
from .audit import audit_filters
from .challenges import challenge_filters
from .membership import application_status, invoice_filters
from .organisations import organisation_filters


@bp.route("/users.csv")
def users_export():
    filters, sorting = user_filters(), sorting_of(queries.USER_SORT)
    return csv_export(
        "users",
        queries.users_query(filters, sorting),
        [
            "Name",
            "Email",
            "Organisation",
            "Roles",
            "Platform role",
            "Active",
            "Email confirmed",
            "Last sign-in",
        ],
        lambda users: (
            [
                u.full_name,
                u.email,
                u.organisation.legal_name if u.organisation else "TTO",
                ", ".join(str(label) for label in u.role_labels),
                u.platform_role.label,
                "yes" if u.active else "no",
                u.email_verified_at,
                u.last_login_at,
            ]
            for u in users
        ),
        asdict(filters),
        sorting.param,
    )


def _organisation_rows(organisations):
    counts = queries.member_counts([o.id for o in organisations])
    return (
        [
            o.legal_name,
            o.trading_name,
            o.country,
            o.sector,
            o.status.label,
            counts.get(o.id, 0),
            o.account_owner.full_name if o.account_owner else "",
            o.created_at,
        ]
        for o in organisations
    )


@bp.route("/organisations.csv")
def organisations_export():
    filters, sorting = organisation_filters(), sorting_of(queries.ORGANISATION_SORT)
    return csv_export(
        "organisations",
        queries.organisations_query(filters, sorting),
        [
            "Legal name",
            "Trading name",
            "Country",
            "Sector",
            "Status",
            "Active users",
            "Account owner",
            "Joined",
        ],
        _organisation_rows,
        asdict(filters),
        sorting.param,
    )


@bp.route("/applications.csv")
def applications_export():
    status, sorting = application_status(), sorting_of(queries.APPLICATION_SORT)
    return csv_export(
        "applications",
        queries.applications_query(status, sorting),
        ["Organisation", "Country", "Tier", "Status", "Submitted", "Decided"],
        lambda applications: (
            [
                a.organisation.legal_name,
                a.organisation.country,
                a.tier.name,
                a.status.label,
                a.submitted_at,
                a.decided_at,
            ]
            for a in applications
        ),
        {"status": status},
        sorting.param,
    )


@bp.route("/invoices.csv")
def invoices_export():
    filters, sorting, today = invoice_filters(), sorting_of(queries.INVOICE_SORT), date.today()
    return csv_export(
        "invoices",
        queries.invoices_query(filters["status"], today, filters["q"], sorting),
        ["Number", "Organisation", "Issued", "Due", "Currency", "Total", "Paid", "Still due", "Status"],
        lambda invoices: (
            [
                i.number,
                i.organisation.legal_name,
                i.issued_on,
                i.due_on,
                i.currency,
                amount(i.total_cents),
                amount(i.paid_cents),
                amount(i.balance_cents),
                "Overdue" if i.is_overdue(today) else i.status.label,
            ]
            for i in invoices
        ),
        {"status": filters["status"], "search": filters["q"]},
        sorting.param,
    )


@bp.route("/agreements.csv")
def agreements_export():
    filters, sorting = register_filters(), sorting_of(queries.AGREEMENT_SORT)
    return csv_export(
        "agreements",
        queries.agreements_query(filters["status"], filters["kind"], filters["q"], sorting),
        ["Number", "Organisation", "Kind", "Title", "Status", "Created", "Issued", "Executed"],
        lambda agreements: (
            [
                a.number,
                a.organisation.legal_name,
                a.kind.label,
                a.title,
                a.status.label,
                a.created_at,
                a.issued_at,
                a.executed_at,
            ]
            for a in agreements
        ),
        {"status": filters["status"], "kind": filters["kind"], "search": filters["q"]},
        sorting.param,
    )


@bp.route("/audit.csv")
def audit_export():
    filters, sorting = audit_filters(), sorting_of(queries.AUDIT_SORT)
    # The whole filtered log, in the order shown, not only the page on screen.
    stmt = queries.audit_query(filters["action"], filters["actor"], oldest_first=not sorting.descending)
    return csv_export(
        "audit",
        stmt,
        ["Time (UTC)", "Entry", "Action", "Who (email)", "IP", "Request id"],
        lambda events: (
            [e.event.created_at, e.plain, e.event.action, e.event.actor_email, e.event.ip, e.event.request_id]
            for e in audit_words.describe(events)
        ),
        {"action": filters["action"], "who": filters["actor"]},
        sorting.param,
    )


@bp.route("/tiers.csv")
def tiers_export():
    return csv_export(
        "tiers",
        queries.tiers_query(),
        [
            "Order",
            "Tier",
            "Slug",
            "Currency",
            "Annual fee",
            "Seats",
            "Catalog",
            "First look (days)",
            "Offered",
        ],
        lambda tiers: (
            [
                t.display_order,
                t.name,
                t.slug,
                t.currency,
                amount(t.annual_fee_cents),
                t.seat_limit or "unlimited",
                t.catalog_access.label,
                t.first_look_days,
                "yes" if t.active else "no",
            ]
            for t in tiers
        ),
        {},
    )


@bp.route("/challenges.csv")
def challenges_export():
    """The challenge queue with its filters: who, what, where it stands, how long it waited. The
    problem statement and the conversation stay in the portal (confidential, never in a spreadsheet)."""
    filters, sorting = challenge_filters(), sorting_of(queries.CHALLENGE_SORT)
    return csv_export(
        "challenges",
        queries.challenges_query(filters, current_user.id, sorting),
        [
            "Reference",
            "Title",
            "Organisation",
            "Status",
            "Confidentiality",
            "Domain",
            "Target TRL",
            "Collaboration",
            "Owner",
            "Submitted",
            "First answer",
        ],
        lambda items: (
            [
                c.reference,
                c.title,
                c.organisation.legal_name,
                c.status.label,
                c.confidentiality.label,
                c.domain.name if c.domain else "",
                c.target_trl or "",
                c.collaboration.label if c.collaboration else "",
                c.owner.full_name if c.owner else "",
                c.submitted_at,
                c.first_answer_at,
            ]
            for c in items
        ),
        asdict(filters),
        sorting.param,
    )


@bp.route("/leads.csv")
def leads_export():
    """The licensing leads with the list's filters; the partner's message stays in the portal."""
    status, q = request.args.get("status", "open")[:20], request.args.get("q", "")[:100]
    mine = current_user.id if request.args.get("mine", "") == "1" else None
    sorting = sorting_of(queries.LEAD_SORT)
    return csv_export(
        "leads",
        queries.leads_query(status, q, mine, sorting),
        [
            "Technology",
            "Title",
            "Organisation",
            "Status",
            "Field of use",
            "Territory",
            "Timeline",
            "Assigned to",
            "Received",
        ],
        lambda items: (
            [
                lead.technology.reference,
                lead.technology.title,
                lead.organisation.legal_name,
                lead.status.label,
                lead.field_of_use,
                lead.territory,
                lead.timeline,
                lead.assigned_to.full_name if lead.assigned_to else "",
                lead.created_at,
            ]
            for lead in items
        ),
        {"status": status, "q": q, "mine": "1" if mine else ""},
        sorting.param,
    )
