"""The console overview as a work queue: what waits on staff, with how long it has waited.

The queue is a list of sources (`SOURCES`); each is a function `(today, limit) -> Queue` that
reads how many things wait and the oldest `limit` of them (two queries). Adding a kind of work is
one line in `sources()`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import url_for

from ..challenges.services import waits_too_long
from ..challenges.services.workflow import FIRST_ANSWER_WORKING_DAYS
from ..core.money import format_money
from . import queries

LIMIT = 10  # the oldest entries of each kind shown on the overview; the kind's list has them all


@dataclass
class QueueEntry:
    title: str  # what it is about: the organisation, the agreement, the invoice
    detail: str  # what is to be done, in a few words
    url: str
    since: date  # when the wait began
    verb: str = "waiting"  # "waiting 3 days", "overdue 12 days"

    def age(self, today: date) -> str:
        days = max(0, (today - self.since).days)
        if days == 0:
            return f"{self.verb} since today"
        return f"{self.verb} {days} day{'' if days == 1 else 's'}"

    def days(self, today: date) -> int:
        return max(0, (today - self.since).days)


@dataclass
class Queue:
    key: str
    title: str  # "Applications to decide"
    count: int
    list_url: str
    entries: list[QueueEntry] = field(default_factory=list)
    action: str = "Open"  # the label of the link to the whole list


Source = Callable[[date, int], Queue]


def _day(moment: datetime | date) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def applications_to_decide(today: date, limit: int) -> Queue:
    count, applications = queries.waiting_applications(limit)
    return Queue(
        "applications",
        "Applications to decide",
        count,
        url_for("admin.applications", status="submitted"),
        [
            QueueEntry(
                a.organisation.display_name,
                f"applies for the {a.tier.name} tier",
                url_for("admin.application_detail", application_id=a.id),
                _day(a.submitted_at),
            )
            for a in applications
        ],
        "All applications to decide",
    )


def agreements_to_countersign(today: date, limit: int) -> Queue:
    count, rows = queries.agreements_to_countersign(limit)
    return Queue(
        "countersign",
        "Agreements awaiting countersignature",
        count,
        url_for("admin.agreements_list", status="partner_signed"),
        [
            QueueEntry(
                a.organisation.display_name,
                f"{a.number} · {a.title}, signed by the partner",
                url_for("admin.agreement_detail", agreement_id=a.id),
                _day(signed_at),
            )
            for a, signed_at in rows
        ],
        "All agreements to countersign",
    )


def overdue_payments(today: date, limit: int) -> Queue:
    count, invoices = queries.overdue_invoices(today, limit)
    return Queue(
        "overdue",
        "Payments overdue",
        count,
        url_for("admin.invoices", status="overdue"),
        [
            QueueEntry(
                i.organisation.display_name,
                f"invoice {i.number}: {format_money(i.balance_cents, i.currency)}"
                f" was due on {i.due_on.strftime('%d %b %Y')}",
                url_for("admin.invoice_detail", invoice_id=i.id),
                i.due_on,
                "overdue",
            )
            for i in invoices
        ],
        "All overdue invoices",
    )


def organisations_to_assign(today: date, limit: int) -> Queue:
    count, organisations = queries.organisations_without_owner(limit)
    return Queue(
        "unassigned",
        "Organisations without an account owner",
        count,
        url_for("admin.organisations", owner="none"),
        [
            QueueEntry(
                o.display_name,
                "signed up without an account owner: assign an officer",
                url_for("admin.organisation_detail", organisation_id=o.id),
                _day(o.created_at),
            )
            for o in organisations
        ],
        "All organisations to assign",
    )


def unmatched_payments(today: date, limit: int) -> Queue:
    count, lines = queries.waiting_bank_lines(limit)
    return Queue(
        "bank",
        "Unmatched bank lines",
        count,
        url_for("admin.bank_lines"),
        [
            QueueEntry(
                line.payer_name or "Unknown payer",
                f"{format_money(line.amount_cents - line.allocated_cents, line.currency)} received: "
                f"{line.reason or 'assign it to an invoice or dismiss it'}",
                url_for("admin.bank_line_detail", line_id=line.id),
                line.booked_on,
            )
            for line in lines
        ],
        "All unmatched lines",
    )


def leads_to_answer(today: date, limit: int) -> Queue:
    count, leads = queries.new_leads(limit)
    return Queue(
        "leads",
        "Licensing interest to answer",
        count,
        url_for("admin.leads", status="new"),
        [
            QueueEntry(
                lead.organisation.display_name,
                f"interested in {lead.technology.reference} {lead.technology.title}",
                url_for("admin.lead_detail", lead_id=lead.id),
                _day(lead.created_at),
            )
            for lead in leads
        ],
        "All new leads",
    )


def challenges_to_answer(today: date, limit: int) -> Queue:
    count, rows = queries.waiting_challenges(limit)
    return Queue(
        "challenges",
        "Challenges waiting for a first answer",
        count,
        url_for("admin.challenges_list", status="submitted"),
        [
            QueueEntry(
                c.organisation.display_name,
                f"{c.reference} · {c.title}: answer or screen it"
                + (
                    f" (waiting more than {FIRST_ANSWER_WORKING_DAYS} working days)"
                    if waits_too_long(c, today)
                    else ""
                ),
                url_for("admin.challenge_detail", challenge_id=c.id),
                _day(c.submitted_at),
            )
            for c in rows
        ],
        "All challenges waiting",
    )


def sources() -> list[Source]:
    """The kinds of work on the overview, in the order of their cards."""
    return [
        applications_to_decide,
        agreements_to_countersign,
        overdue_payments,
        unmatched_payments,
        organisations_to_assign,
        leads_to_answer,
        challenges_to_answer,
    ]


def work_queue(today: date, limit: int = LIMIT) -> tuple[list[Queue], list[tuple[Queue, QueueEntry]]]:
    """Every queue, and their shown entries merged, oldest first."""
    queues = [source(today, limit) for source in sources()]
    merged = sorted(
        ((queue, entry) for queue in queues for entry in queue.entries),
        key=lambda pair: (pair[1].since, pair[0].key, pair[1].url),
    )
    return queues, merged
