"""Queries behind the console's lists and counts (filters and search stay out of the views).

Every text search goes through `like_pattern`, which escapes LIKE's wildcards."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from flask import g
from sqlalchemy.orm import joinedload, selectinload

from ..agreements.models import (
    Agreement,
    AgreementKind,
    AgreementSignature,
    AgreementStatus,
    AgreementTemplate,
    SignatoryParty,
    StandingCountersignature,
    TemplateStatus,
)
from ..auth.models import PlatformRole, User
from ..catalog.models import (
    DigestEntry,
    Domain,
    Lead,
    LeadStatus,
    Researcher,
    Technology,
    TechnologyDailyStat,
    TechnologyStatus,
    technology_inventor,
)
from ..challenges.models import Challenge, ChallengeStatus
from ..core.database import prepared
from ..core.models import AuditEvent
from ..extensions import db
from ..membership.models import (
    Application,
    ApplicationStatus,
    ApprovalRule,
    BankLine,
    BankLineDecision,
    BankLineOutcome,
    BankStatement,
    DeniedParty,
    Invoice,
    InvoiceStatus,
    Membership,
    Tier,
)
from ..partners.models import Organisation, OrganisationStatus
from .paging import bounded_count, prepared_first
from .sorting import Sorting, SortSpec


def like_pattern(term: str) -> str:
    """`%term%` for `lower(column) LIKE pattern ESCAPE '\\'`; the user's % and _ stay literal."""
    escaped = term.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


@dataclass
class UserFilters:
    q: str = ""
    role: str = ""
    status: str = ""


# The columns each list sorts by: indexed ones only (see sorting.py).
USER_SORT = SortSpec(
    {"joined": User.created_at, "email": User.email, "role": User.platform_role}, "-joined", User.id
)
ORGANISATION_SORT = SortSpec(
    {"joined": Organisation.created_at, "name": Organisation.legal_name, "status": Organisation.status},
    "-joined",
    Organisation.id,
)
APPLICATION_SORT = SortSpec(
    {"submitted": Application.submitted_at, "status": Application.status}, "submitted", Application.id
)
INVOICE_SORT = SortSpec(
    {"id": Invoice.id, "number": Invoice.number, "due": Invoice.due_on, "status": Invoice.status},
    "-id",
    Invoice.id,
)
AGREEMENT_SORT = SortSpec(
    {
        "created": Agreement.created_at,
        "number": Agreement.number,
        "status": Agreement.status,
        "kind": Agreement.kind,
    },
    "-created",
    Agreement.id,
)
AUDIT_SORT = SortSpec({"when": AuditEvent.id}, "-when", AuditEvent.id)  # paged by key (paging.keyset)


def users_query(filters: UserFilters, sorting: Sorting | None = None) -> sa.Select:
    stmt = USER_SORT.apply(
        sa.select(User).options(selectinload(User.organisation)), sorting or USER_SORT.parse(None)
    )
    if filters.q:
        stmt = stmt.outerjoin(Organisation, User.organisation_id == Organisation.id).where(
            contains(filters.q, User.email, User.full_name, Organisation.legal_name)
        )
    if filters.role in {r.value for r in PlatformRole}:
        stmt = stmt.where(User.platform_role == PlatformRole(filters.role))
    if filters.status == "active":
        stmt = stmt.where(User.active.is_(True))
    elif filters.status == "inactive":
        stmt = stmt.where(User.active.is_(False))
    elif filters.status == "unverified":
        stmt = stmt.where(User.email_verified_at.is_(None))
    return stmt


@dataclass
class OrganisationFilters:
    q: str = ""
    country: str = ""
    status: str = ""
    owner: str = ""  # "none": organisations nobody looks after yet


def organisations_query(filters: OrganisationFilters, sorting: Sorting | None = None) -> sa.Select:
    stmt = ORGANISATION_SORT.apply(
        sa.select(Organisation).options(selectinload(Organisation.account_owner)),
        sorting or ORGANISATION_SORT.parse(None),
    )
    if filters.q:
        stmt = stmt.where(contains(filters.q, Organisation.legal_name, Organisation.trading_name))
    if filters.country:
        stmt = stmt.where(Organisation.country == filters.country.upper()[:2])
    if filters.status in {s.value for s in OrganisationStatus}:
        stmt = stmt.where(Organisation.status == OrganisationStatus(filters.status))
    if filters.owner == "none":
        stmt = stmt.where(Organisation.account_owner_id.is_(None))
    return stmt


def staff_members() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.platform_role.in_([PlatformRole.STAFF, PlatformRole.ADMIN]), User.active.is_(True))
            .order_by(User.full_name)
        )
    )


def member_counts(organisation_ids: list[int]) -> dict[int, int]:
    if not organisation_ids:
        return {}
    rows = db.session.execute(
        sa.select(User.organisation_id, sa.func.count(User.id))
        .where(User.organisation_id.in_(organisation_ids), User.active.is_(True))
        .group_by(User.organisation_id)
    ).all()
    return {org_id: count for org_id, count in rows}


def audit_actions() -> list[str]:
    """The distinct actions, by a loose index scan (one index seek per action, on both engines), so
    the filter costs the same at 100 and at 100,000 events."""
    seen = sa.select(sa.func.min(AuditEvent.action).label("action")).cte("seen", recursive=True)
    following = sa.select(
        sa.select(sa.func.min(AuditEvent.action)).where(AuditEvent.action > seen.c.action).scalar_subquery()
    ).where(seen.c.action.is_not(None))
    seen = seen.union_all(following)
    return list(db.session.scalars(sa.select(seen.c.action).where(seen.c.action.is_not(None))))


def audit_query(action: str = "", actor: str = "", oldest_first: bool = False) -> sa.Select:
    stmt = sa.select(AuditEvent).order_by(AuditEvent.id.asc() if oldest_first else AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if actor:
        stmt = stmt.where(contains(actor, AuditEvent.actor_email))
    return stmt


def _count(model, *where) -> sa.ScalarSelect:
    return sa.select(sa.func.count(model.id)).where(*where).scalar_subquery()


@prepared
def _dashboard_counts() -> sa.Select:
    return sa.select(
        _count(Organisation).label("organisations"),
        _count(User, User.platform_role == PlatformRole.PARTNER, User.active.is_(True)).label("partners"),
        _count(User, User.email_verified_at.is_(None)).label("unverified"),
        _count(User, User.platform_role.in_([PlatformRole.STAFF, PlatformRole.ADMIN])).label("staff"),
    )


def dashboard_counts() -> dict[str, int]:
    """The console home's counts, in one statement."""
    row = db.session.execute(_dashboard_counts()).one()
    return {**row._asdict(), "unassigned": console_queues()["unassigned"]}


@prepared
def _console_queues() -> sa.Select:
    return sa.select(
        _count(Organisation, Organisation.account_owner_id.is_(None)).label("unassigned"),
        _count(Application, Application.status == ApplicationStatus.SUBMITTED).label("applications"),
        _count(Agreement, Agreement.status == AgreementStatus.PARTNER_SIGNED).label("countersign"),
        _count(BankLine, BankLine.decision == BankLineDecision.PENDING).label("bank_lines"),
        _count(Lead, Lead.status == LeadStatus.NEW).label("new_leads"),
        _count(
            Challenge, Challenge.status == ChallengeStatus.SUBMITTED, Challenge.first_answer_at.is_(None)
        ).label("challenges"),
    )


def console_queues() -> dict[str, int]:
    """Counts of work waiting on staff (the console navigation and home), once per request."""
    if "console_queues" not in g:
        g.console_queues = db.session.execute(_console_queues()).one()._asdict()  # one statement
    return g.console_queues


def contains(term: str, *columns) -> sa.ColumnElement[bool]:
    """Any of `columns` contains `term`, case-insensitively, wildcards literal."""
    pattern = like_pattern(term)
    return sa.or_(*(sa.func.lower(column).like(pattern, escape="\\") for column in columns))


def agreements_query(status: str, kind: str, q: str, sorting: Sorting | None = None) -> sa.Select:
    stmt = AGREEMENT_SORT.apply(
        sa.select(Agreement).options(selectinload(Agreement.organisation)),
        sorting or AGREEMENT_SORT.parse(None),
    )
    if status == "open":
        stmt = stmt.where(Agreement.status.in_([s for s in AgreementStatus if s.is_open]))
    elif status in {s.value for s in AgreementStatus}:
        stmt = stmt.where(Agreement.status == AgreementStatus(status))
    if kind in {k.value for k in AgreementKind}:
        stmt = stmt.where(Agreement.kind == AgreementKind(kind))
    if q:
        stmt = stmt.join(Organisation).where(
            contains(q, Agreement.number, Organisation.legal_name, Agreement.title)
        )
    return stmt


def applications_query(status: str, sorting: Sorting | None = None) -> sa.Select:
    stmt = APPLICATION_SORT.apply(
        sa.select(Application).options(
            selectinload(Application.organisation),
            selectinload(Application.tier),
            selectinload(Application.approval_rule),
        ),
        sorting or APPLICATION_SORT.parse(None),
    )
    if status == "automatic":  # automatic approvals that stand, for staff to look over
        return stmt.where(
            Application.status == ApplicationStatus.APPROVED,
            Application.approval_rule_id.is_not(None),
            Application.auto_revoked_at.is_(None),
        )
    if status == "open":
        stmt = stmt.where(Application.status.in_([ApplicationStatus.SUBMITTED, ApplicationStatus.MORE_INFO]))
    elif status in {s.value for s in ApplicationStatus}:
        stmt = stmt.where(Application.status == ApplicationStatus(status))
    return stmt


def invoices_query(status: str, today: date, q: str = "", sorting: Sorting | None = None) -> sa.Select:
    stmt = INVOICE_SORT.apply(
        sa.select(Invoice).options(selectinload(Invoice.organisation)), sorting or INVOICE_SORT.parse(None)
    )
    if status == "overdue":
        stmt = stmt.where(Invoice.status == InvoiceStatus.OPEN, Invoice.due_on < today)
    elif status in {s.value for s in InvoiceStatus}:
        stmt = stmt.where(Invoice.status == InvoiceStatus(status))
    if q:
        stmt = stmt.join(Organisation, Invoice.organisation_id == Organisation.id).where(
            contains(q, Invoice.number, Organisation.legal_name, Organisation.trading_name)
        )
    return stmt


def denied_parties_query(q: str = "") -> sa.Select:
    stmt = sa.select(DeniedParty).order_by(DeniedParty.name_key, DeniedParty.id)
    if q:
        stmt = stmt.where(contains(q, DeniedParty.name, DeniedParty.number, DeniedParty.note))
    return stmt


def approval_rules_query() -> sa.Select:
    return (
        sa.select(ApprovalRule)
        .options(selectinload(ApprovalRule.tier), selectinload(ApprovalRule.account_owner))
        .order_by(ApprovalRule.id)
    )


def standing_query() -> sa.Select:
    return (
        sa.select(StandingCountersignature)
        .options(selectinload(StandingCountersignature.template))  # the signer's name is stored
        .order_by(StandingCountersignature.id.desc())
    )


def tiers_by_id() -> dict[int, Tier]:
    return {t.id: t for t in db.session.scalars(sa.select(Tier).order_by(Tier.display_order, Tier.name))}


def published_templates() -> list[AgreementTemplate]:
    return list(
        db.session.scalars(
            sa.select(AgreementTemplate)
            .where(AgreementTemplate.status == TemplateStatus.PUBLISHED)
            .order_by(AgreementTemplate.kind, AgreementTemplate.language, AgreementTemplate.version.desc())
        )
    )


# --- one organisation's page -------------------------------------------------------------------

ORGANISATION_PAGE_ROWS = 20  # the latest invoices and applications shown; the lists have the rest


def membership_of(organisation_id: int) -> Membership | None:
    return db.session.scalar(
        sa.select(Membership)
        .where(Membership.organisation_id == organisation_id)
        .options(joinedload(Membership.tier), joinedload(Membership.pending_tier))
    )


def invoices_of(organisation_id: int) -> list[Invoice]:
    return list(
        db.session.scalars(
            sa.select(Invoice)
            .where(Invoice.organisation_id == organisation_id)
            .order_by(Invoice.id.desc())
            .limit(ORGANISATION_PAGE_ROWS)
        )
    )


def admins() -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .where(User.platform_role == PlatformRole.ADMIN, User.active.is_(True))
            .order_by(User.full_name)
        )
    )


def applications_of(organisation_id: int) -> list[Application]:
    return list(
        db.session.scalars(
            sa.select(Application)
            .where(Application.organisation_id == organisation_id)
            .options(joinedload(Application.tier))
            .order_by(Application.submitted_at.desc(), Application.id.desc())
            .limit(ORGANISATION_PAGE_ROWS)
        )
    )


# --- the work queue (console overview): what waits on staff, oldest first ------------------------


@prepared
def _waiting_applications() -> sa.Select:
    return (
        sa.select(Application)
        .where(Application.status == ApplicationStatus.SUBMITTED)
        .options(joinedload(Application.organisation), joinedload(Application.tier))
        .order_by(Application.submitted_at, Application.id)
    )


def waiting_applications(limit: int) -> tuple[int, list[Application]]:
    """Submitted applications to decide (those sent back for more wait on the partner)."""
    stmt = _waiting_applications()
    return bounded_count(stmt, params={})[0], list(db.session.scalars(prepared_first(stmt, limit)))


@prepared
def _partner_signed() -> sa.Select:
    return (
        sa.select(Agreement, AgreementSignature.signed_at)
        .join(
            AgreementSignature,
            sa.and_(
                AgreementSignature.agreement_id == Agreement.id,
                AgreementSignature.party == SignatoryParty.PARTNER,
            ),
        )
        .where(Agreement.status == AgreementStatus.PARTNER_SIGNED)
        .options(joinedload(Agreement.organisation))
        .order_by(AgreementSignature.signed_at, Agreement.id)
    )


def agreements_to_countersign(limit: int) -> tuple[int, list[tuple[Agreement, datetime]]]:
    """Agreements the partner has signed, with the time they did: the wait starts there."""
    signed = _partner_signed()
    rows = db.session.execute(prepared_first(signed, limit)).all()
    return bounded_count(signed, params={})[0], [(agreement, signed_at) for agreement, signed_at in rows]


@prepared
def _overdue_invoices() -> sa.Select:
    return (
        sa.select(Invoice)
        .where(Invoice.status == InvoiceStatus.OPEN, Invoice.due_on < sa.bindparam("today", type_=sa.Date))
        .options(joinedload(Invoice.organisation))
        .order_by(Invoice.due_on, Invoice.id)
    )


def overdue_invoices(today: date, limit: int) -> tuple[int, list[Invoice]]:
    stmt, params = _overdue_invoices(), {"today": today}
    invoices = list(db.session.scalars(prepared_first(stmt, limit), params))
    return bounded_count(stmt, params=params)[0], invoices


@prepared
def _organisations_without_owner() -> sa.Select:
    return (
        sa.select(Organisation)
        .where(Organisation.account_owner_id.is_(None))
        .order_by(Organisation.created_at, Organisation.id)
    )


def organisations_without_owner(limit: int) -> tuple[int, list[Organisation]]:
    stmt = _organisations_without_owner()
    return bounded_count(stmt, params={})[0], list(db.session.scalars(prepared_first(stmt, limit)))


def tiers_query() -> sa.Select:
    return sa.select(Tier).order_by(Tier.display_order, Tier.annual_fee_cents, Tier.id)


def unmatched_bank_lines_count() -> int:
    """Bank statement lines waiting on a staff decision (unmatched money, over-payment surpluses);
    read from the request's console queue counts, so it costs no query of its own."""
    return console_queues()["bank_lines"]


@prepared
def _waiting_bank_lines() -> sa.Select:
    return (
        sa.select(BankLine)
        .where(BankLine.decision == BankLineDecision.PENDING)
        .order_by(BankLine.booked_on, BankLine.id)
    )


def waiting_bank_lines(limit: int) -> tuple[int, list[BankLine]]:
    """Imported credit lines waiting on a staff decision, oldest booking first (the work queue)."""
    stmt = _waiting_bank_lines()
    return bounded_count(stmt, params={})[0], list(db.session.scalars(prepared_first(stmt, limit)))


def bank_statements_query() -> sa.Select:
    return (
        sa.select(BankStatement)
        .options(selectinload(BankStatement.uploaded_by))
        .order_by(BankStatement.created_at.desc(), BankStatement.id.desc())
    )


def bank_statement_summaries(statement_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per statement: lines stored, lines matched to an invoice, lines waiting on staff."""
    if not statement_ids:
        return {}
    matched = (BankLineOutcome.EXACT, BankLineOutcome.PARTIAL, BankLineOutcome.OVERPAID)
    rows = db.session.execute(
        sa.select(
            BankLine.statement_id,
            sa.func.count(BankLine.id),
            sa.func.count(BankLine.id).filter(BankLine.outcome.in_(matched)),
            sa.func.count(BankLine.id).filter(BankLine.decision == BankLineDecision.PENDING),
        )
        .where(BankLine.statement_id.in_(statement_ids))
        .group_by(BankLine.statement_id)
    ).all()
    return {sid: {"lines": n, "matched": m, "waiting": w} for sid, n, m, w in rows}


BANK_LINE_FILTERS = {
    "pending": "Waiting for a decision",
    "assigned": "Assigned by staff",
    "dismissed": "Dismissed",
    "all": "All credit lines",
}


def bank_lines_query(status: str) -> sa.Select:
    stmt = (
        sa.select(BankLine)
        .options(selectinload(BankLine.invoice), selectinload(BankLine.decided_by))
        .where(BankLine.credit.is_(True))
        .order_by(BankLine.booked_on.desc(), BankLine.id.desc())
    )
    if status in {d.value for d in BankLineDecision} - {"none"}:
        stmt = stmt.where(BankLine.decision == BankLineDecision(status))
    return stmt


# --- the catalog -------------------------------------------------------------------------------

TECHNOLOGY_SORT = SortSpec(
    {
        "id": Technology.id,
        "reference": Technology.reference,
        "status": Technology.status,
        "trl": Technology.trl,
    },
    "-id",
    Technology.id,
)
RESEARCHER_SORT = SortSpec({"name": Researcher.name, "id": Researcher.id}, "name", Researcher.id)


@dataclass
class TechnologyFilters:
    status: str = ""
    domain: str = ""
    q: str = ""


def technologies_query(filters: TechnologyFilters, sorting: Sorting | None = None) -> sa.Select:
    stmt = TECHNOLOGY_SORT.apply(
        sa.select(Technology).options(selectinload(Technology.domain), selectinload(Technology.inventors)),
        sorting or TECHNOLOGY_SORT.parse(None),
    )
    if filters.status in {s.value for s in TechnologyStatus}:
        stmt = stmt.where(Technology.status == TechnologyStatus(filters.status))
    if filters.domain == "none":
        stmt = stmt.where(Technology.domain_id.is_(None))
    elif filters.domain.isdigit() and len(filters.domain) < 10:
        stmt = stmt.where(Technology.domain_id == int(filters.domain))
    if filters.q:
        stmt = stmt.where(
            contains(filters.q, Technology.reference, Technology.title, Technology.benefit, Technology.lab)
        )
    return stmt


def all_domains() -> list[Domain]:
    return list(db.session.scalars(sa.select(Domain).order_by(Domain.display_order, Domain.name, Domain.id)))


def domain_usage() -> dict[int, int]:
    stmt = (
        sa.select(Technology.domain_id, sa.func.count(Technology.id))
        .where(Technology.domain_id.is_not(None))
        .group_by(Technology.domain_id)
    )
    return dict(db.session.execute(stmt).all())


def researchers_query(q: str = "", sorting: Sorting | None = None) -> sa.Select:
    stmt = RESEARCHER_SORT.apply(sa.select(Researcher), sorting or RESEARCHER_SORT.parse(None))
    if q:
        stmt = stmt.where(contains(q, Researcher.name, Researcher.email, Researcher.group, Researcher.role))
    return stmt


def all_researchers() -> list[Researcher]:
    return list(db.session.scalars(sa.select(Researcher).order_by(Researcher.name, Researcher.id)))


def inventor_counts(researcher_ids: list[int]) -> dict[int, int]:
    if not researcher_ids:
        return {}
    stmt = (
        sa.select(technology_inventor.c.researcher_id, sa.func.count())
        .where(technology_inventor.c.researcher_id.in_(researcher_ids))
        .group_by(technology_inventor.c.researcher_id)
    )
    return dict(db.session.execute(stmt).all())


@dataclass(frozen=True)
class TechnologyStats:
    views_30_days: int
    views_all_time: int
    interests: int
    saved_search_hits: int


def technology_stats(technology_id: int, today: date) -> TechnologyStats:
    """One query: views over 30 days (today included) and all time, licensing interests, and how
    many saved searches announced the listing."""
    since = today - timedelta(days=29)
    views = sa.select(sa.func.coalesce(sa.func.sum(TechnologyDailyStat.views), 0)).where(
        TechnologyDailyStat.technology_id == technology_id
    )
    stmt = sa.select(
        views.where(TechnologyDailyStat.day >= since).scalar_subquery(),
        views.scalar_subquery(),
        sa.select(sa.func.count(Lead.id)).where(Lead.technology_id == technology_id).scalar_subquery(),
        sa.select(sa.func.count(DigestEntry.id))
        .where(DigestEntry.technology_id == technology_id)
        .scalar_subquery(),
    )
    row = db.session.execute(stmt).one()
    return TechnologyStats(*(int(v or 0) for v in row))


# --- licensing leads (catalog) ------------------------------------------------------------------

LEAD_SORT = SortSpec(
    {"created": Lead.created_at, "status": Lead.status, "updated": Lead.updated_at}, "-created", Lead.id
)


def leads_query(status: str, q: str, mine_id: int | None, sorting: Sorting | None = None) -> sa.Select:
    """Leads with their technology, organisation and assignee (joined: one query per page)."""
    stmt = LEAD_SORT.apply(
        sa.select(Lead).options(
            joinedload(Lead.technology), joinedload(Lead.organisation), joinedload(Lead.assigned_to)
        ),
        sorting or LEAD_SORT.parse(None),
    )
    if status == "open":
        stmt = stmt.where(Lead.status.in_([LeadStatus.NEW, LeadStatus.IN_DISCUSSION, LeadStatus.TERM_SHEET]))
    elif status in {s.value for s in LeadStatus}:
        stmt = stmt.where(Lead.status == LeadStatus(status))
    if mine_id is not None:
        stmt = stmt.where(Lead.assigned_to_id == mine_id)
    if q:
        stmt = stmt.where(
            Lead.technology_id.in_(
                sa.select(Technology.id).where(contains(q, Technology.reference, Technology.title))
            )
            | Lead.organisation_id.in_(
                sa.select(Organisation.id).where(
                    contains(q, Organisation.legal_name, Organisation.trading_name)
                )
            )
        )
    return stmt


@prepared
def _new_leads() -> sa.Select:
    return (
        sa.select(Lead)
        .where(Lead.status == LeadStatus.NEW)
        .options(joinedload(Lead.organisation), joinedload(Lead.technology))
        .order_by(Lead.created_at, Lead.id)
    )


def new_leads(limit: int) -> tuple[int, list[Lead]]:
    """Licensing interest nobody has answered yet, oldest first (the work queue)."""
    stmt = _new_leads()
    return bounded_count(stmt, params={})[0], list(db.session.scalars(prepared_first(stmt, limit)).unique())


# --- challenges -----------------------------------------------------------------------------

CHALLENGE_SORT = SortSpec(
    {"submitted": Challenge.submitted_at, "status": Challenge.status, "reference": Challenge.reference},
    "submitted",
    Challenge.id,
)


@dataclass
class ChallengeFilters:
    status: str = ""  # "" = every submitted challenge, "open", or a status value
    owner: str = ""  # "", "none", "me" or a user id
    domain: str = ""


def challenges_query(filters: ChallengeFilters, me: int, sorting: Sorting | None = None) -> sa.Select:
    """Submitted challenges (drafts are the partner's own), oldest first by default."""
    stmt = CHALLENGE_SORT.apply(
        sa.select(Challenge)
        .where(Challenge.status != ChallengeStatus.DRAFT)
        .options(
            joinedload(Challenge.organisation),
            joinedload(Challenge.owner),
            joinedload(Challenge.domain),
        ),
        sorting or CHALLENGE_SORT.parse(None),
    )
    if filters.status == "open":
        stmt = stmt.where(Challenge.status.in_([s for s in ChallengeStatus if s.is_open]))
    elif filters.status in {s.value for s in ChallengeStatus}:
        stmt = stmt.where(Challenge.status == ChallengeStatus(filters.status))
    if filters.owner == "none":
        stmt = stmt.where(Challenge.owner_id.is_(None))
    elif filters.owner == "me":
        stmt = stmt.where(Challenge.owner_id == me)
    elif filters.owner.isdigit():
        stmt = stmt.where(Challenge.owner_id == int(filters.owner))
    if filters.domain.isdigit():
        stmt = stmt.where(Challenge.domain_id == int(filters.domain))
    return stmt


def waiting_challenges(limit: int) -> tuple[int, list[Challenge]]:
    """Challenges waiting for a first answer (submitted, nobody has answered), oldest first."""
    rows = db.session.scalars(
        sa.select(Challenge)
        .where(Challenge.status == ChallengeStatus.SUBMITTED, Challenge.first_answer_at.is_(None))
        .options(joinedload(Challenge.organisation))
        .order_by(Challenge.submitted_at, Challenge.id)
        .limit(limit)
    ).all()
    return console_queues()["challenges"], list(rows)
