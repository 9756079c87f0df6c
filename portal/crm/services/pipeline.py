"""The acquisition pipeline: prospects, their moves between stages, links to organisations, and the
figures per stage that the board and the KPI dashboard show.

Stages run identified -> contacted -> meeting -> proposal -> negotiation -> won, with lost (and its
reason) possible from any open stage. Every move is a `ProspectMove` row and an audit event, in the
caller's transaction.

Organisations that signed up but have no membership yet are shown to staff as suggestions
(`signup_suggestions`); one click makes a prospect of one (source "signed up", linked to it). They
are not made prospects automatically: a sign-up is not yet a sales conversation, and staff decide
which deserve one.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from ...auth.models import User
from ...core import audit
from ...core.countries import is_country_code
from ...core.errors import DomainError
from ...core.types import utcnow
from ...extensions import db
from ...membership.models import Application, Membership, Tier
from ...membership.services import latest_application, name_key
from ...partners.models import Organisation
from ..models import CollaborationModel, Interaction, Prospect, ProspectMove, ProspectSource, ProspectStage

S = ProspectStage

# The stages in the order a prospect passes them; lost stands aside.
ORDER: tuple[ProspectStage, ...] = (S.IDENTIFIED, S.CONTACTED, S.MEETING, S.PROPOSAL, S.NEGOTIATION, S.WON)
OPEN_STAGES = ORDER[:-1]
BOARD_STAGES = (*ORDER, S.LOST)

# Where a prospect may go from each stage: an open prospect anywhere else (forward, back, won, lost);
# a won one only to lost (the deal fell through); a lost one back into an open stage.
TRANSITIONS: dict[ProspectStage, tuple[ProspectStage, ...]] = {
    **{stage: tuple(s for s in BOARD_STAGES if s is not stage) for stage in OPEN_STAGES},
    S.WON: (S.LOST,),
    S.LOST: OPEN_STAGES,
}

CURRENCIES = ("EUR", "CHF", "GBP", "USD")
# Webmail domains say nothing about the company.
PUBLIC_MAIL_DOMAINS = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "yahoo.com",
        "icloud.com",
        "me.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "orange.fr",
        "free.fr",
        "proton.me",
        "protonmail.com",
        "aol.com",
        "example.com",
    }
)
# Legal forms that do not tell two companies apart ("Acme GmbH" is "Acme AG" for a suggestion).
LEGAL_FORMS = frozenset(
    [
        "ltd",
        "limited",
        "gmbh",
        "ag",
        "sa",
        "sas",
        "sarl",
        "srl",
        "spa",
        "bv",
        "nv",
        "inc",
        "llc",
        "plc",
        "co",
        "kg",
        "ug",
        "oy",
        "ab",
        "as",
        "aps",
        "corp",
        "corporation",
        "company",
        "the",
        "und",
        "and",
        "et",
    ]
)


def company_key(name: str) -> str:
    """The company name normalised for matching: folded, punctuation and legal forms removed."""
    words = [w for w in name_key(name or "").split() if w not in LEGAL_FORMS]
    return " ".join(words)[:200]


def web_domain(text: str) -> str:
    """The registrable-looking domain of an email address or a website ("" for webmail)."""
    text = (text or "").strip().lower()
    if "@" in text:
        host = text.rsplit("@", 1)[1]
    else:
        host = re.sub(r"^[a-z]+://", "", text).split("/", 1)[0].split(":", 1)[0]
    host = host.strip(".")
    if host.startswith("www."):
        host = host[4:]
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", host) or host in PUBLIC_MAIL_DOMAINS:
        return ""
    return host


# --- creating and editing ---------------------------------------------------------------------


@dataclass
class ProspectData:
    company: str
    country: str = ""
    website: str = ""
    contact_name: str = ""
    contact_email: str = ""
    interest: str = ""
    message: str = ""
    source: ProspectSource = ProspectSource.STAFF
    model_id: int | None = None
    expected_tier_id: int | None = None
    expected_value_cents: int = 0
    currency: str = "EUR"
    owner_id: int | None = None
    next_action: str = ""
    next_action_on: date | None = None

    def cleaned(self) -> ProspectData:
        one_line = lambda text: " ".join((text or "").split())  # noqa: E731
        return ProspectData(
            company=one_line(self.company),
            country=(self.country or "").strip().upper(),
            website=(self.website or "").strip(),
            contact_name=one_line(self.contact_name),
            contact_email=(self.contact_email or "").strip(),
            interest=one_line(self.interest),
            message=(self.message or "").strip(),
            source=self.source,
            model_id=self.model_id,
            expected_tier_id=self.expected_tier_id,
            expected_value_cents=self.expected_value_cents or 0,
            currency=(self.currency or "EUR").upper(),
            owner_id=self.owner_id,
            next_action=one_line(self.next_action),
            next_action_on=self.next_action_on,
        )


def _check(data: ProspectData) -> None:
    if not data.company:
        raise DomainError("Enter the company's name.", "company")
    if data.country and not is_country_code(data.country):
        raise DomainError("Choose a country from the list.", "country")
    if data.expected_value_cents < 0:
        raise DomainError("The expected value cannot be negative.", "expected_value")
    if data.currency not in CURRENCIES:
        raise DomainError("Choose a currency from the list.", "currency")
    if data.model_id is not None and db.session.get(CollaborationModel, data.model_id) is None:
        raise DomainError("Choose a collaboration model from the list.", "model_id")
    if data.expected_tier_id is not None and db.session.get(Tier, data.expected_tier_id) is None:
        raise DomainError("Choose a tier from the list.", "expected_tier_id")
    if data.owner_id is not None:
        owner = db.session.get(User, data.owner_id)
        if owner is None or not owner.is_staff or not owner.active:
            raise DomainError("Choose a member of staff as the owner.", "owner_id")
    if data.next_action_on is not None and not data.next_action:
        raise DomainError("Say what the next action is, or clear its date.", "next_action")


def _apply(prospect: Prospect, data: ProspectData) -> dict:
    """Copy the values; return what changed ({field: [old, new]}) for the audit row."""
    changes = {}
    for name in (
        "company",
        "country",
        "website",
        "contact_name",
        "contact_email",
        "interest",
        "message",
        "model_id",
        "expected_tier_id",
        "expected_value_cents",
        "currency",
        "owner_id",
        "next_action",
        "next_action_on",
    ):
        new = getattr(data, name)
        old = getattr(prospect, name)
        if old != new:
            if name != "message":
                changes[name] = [
                    str(old) if isinstance(old, date) else old,
                    str(new) if isinstance(new, date) else new,
                ]
            setattr(prospect, name, new)
    prospect.name_key = company_key(prospect.company)
    return changes


def create_prospect(
    actor: User | None,
    data: ProspectData,
    stage: ProspectStage = S.IDENTIFIED,
    organisation: Organisation | None = None,
) -> Prospect:
    """A new prospect at `stage` (an open stage), with its first move. `actor` None: the public
    enquiry form."""
    data = data.cleaned()
    _check(data)
    if not stage.is_open:
        raise DomainError("A new prospect starts in an open stage.", "stage")
    prospect = Prospect(
        source=data.source,
        stage=stage,
        created_by_id=getattr(actor, "id", None),
        organisation_id=organisation.id if organisation else None,
    )
    _apply(prospect, data)
    db.session.add(prospect)
    db.session.flush()
    db.session.add(
        ProspectMove(
            prospect_id=prospect.id, from_stage=None, to_stage=stage, actor_id=getattr(actor, "id", None)
        )
    )
    audit.record(
        "prospect.created",
        actor=actor,
        target=prospect,
        organisation_id=prospect.organisation_id,
        stage=stage.value,
        source=data.source.value,
    )
    return prospect


def update_prospect(actor: User, prospect: Prospect, data: ProspectData) -> dict:
    """Save the edit form; the source and the stage do not change here."""
    data = data.cleaned()
    data.source = prospect.source
    _check(data)
    changes = _apply(prospect, data)
    if changes:
        audit.record(
            "prospect.updated",
            actor=actor,
            target=prospect,
            organisation_id=prospect.organisation_id,
            changes=changes,
        )
    return changes


def allowed_targets(prospect: Prospect) -> tuple[ProspectStage, ...]:
    return TRANSITIONS[prospect.stage]


def move(actor: User, prospect: Prospect, target: ProspectStage, reason: str = "") -> ProspectMove:
    """Move the prospect to `target`; lost needs a reason."""
    reason = " ".join((reason or "").split())
    if target not in TRANSITIONS[prospect.stage]:
        raise DomainError(
            f"A prospect cannot go from {prospect.stage.label.lower()} to {target.label.lower()}.", "stage"
        )
    if target is S.LOST and not reason:
        raise DomainError("Say why the prospect was lost.", "reason")
    if len(reason) > 500:
        raise DomainError("At most 500 characters for the reason.", "reason")
    step = ProspectMove(
        prospect_id=prospect.id, from_stage=prospect.stage, to_stage=target, reason=reason, actor_id=actor.id
    )
    db.session.add(step)
    old = prospect.stage
    prospect.stage = target
    prospect.lost_reason = reason if target is S.LOST else ""
    prospect.stage_changed_at = utcnow()
    audit.record(
        "prospect.moved",
        actor=actor,
        target=prospect,
        organisation_id=prospect.organisation_id,
        old=old.value,
        new=target.value,
        **({"reason": reason} if reason else {}),
    )
    return step


# --- organisations --------------------------------------------------------------------------------


def link(actor: User, prospect: Prospect, organisation: Organisation) -> None:
    if prospect.organisation_id == organisation.id:
        raise DomainError(f"{prospect.company} is already linked to {organisation.display_name}.")
    old = prospect.organisation_id
    prospect.organisation_id = organisation.id
    prospect.organisation = organisation
    # What staff logged with the prospect joins the organisation's timeline (nothing typed twice).
    db.session.execute(
        sa.update(Interaction)
        .where(Interaction.prospect_id == prospect.id)
        .values(organisation_id=organisation.id)
    )
    audit.record(
        "prospect.linked",
        actor=actor,
        target=prospect,
        organisation_id=organisation.id,
        old=old,
        organisation=organisation.display_name,
    )


def unlink(actor: User, prospect: Prospect) -> None:
    if prospect.organisation_id is None:
        raise DomainError(f"{prospect.company} is not linked to an organisation.")
    old = prospect.organisation_id
    prospect.organisation_id = None
    prospect.organisation = None
    db.session.execute(
        sa.update(Interaction)
        .where(Interaction.prospect_id == prospect.id, Interaction.organisation_id == old)
        .values(organisation_id=None)
    )
    audit.record("prospect.unlinked", actor=actor, target=prospect, organisation_id=old)


@dataclass
class LinkSuggestion:
    organisation: Organisation
    reasons: list[str] = field(default_factory=list)


def link_suggestions(prospect: Prospect, limit: int = 5) -> list[LinkSuggestion]:
    """Organisations that may be the prospect's company: the same web domain (the prospect's email
    or website against the organisation's website and its users' emails), or the same normalised
    name (legal or trading). At most three queries."""
    found: dict[int, LinkSuggestion] = {}

    def add(organisation: Organisation, reason: str) -> None:
        if organisation.id == prospect.organisation_id:
            return
        suggestion = found.setdefault(organisation.id, LinkSuggestion(organisation))
        if reason not in suggestion.reasons:
            suggestion.reasons.append(reason)

    domains = {d for d in (web_domain(prospect.contact_email), web_domain(prospect.website)) if d}
    for domain in sorted(domains):
        pattern = "%" + domain.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        rows = db.session.scalars(
            sa.select(Organisation)
            .where(
                sa.func.lower(Organisation.website).like(pattern + "%", escape="\\")
                | Organisation.id.in_(
                    sa.select(User.organisation_id).where(
                        sa.func.lower(User.email).like("%@" + pattern[1:], escape="\\")
                    )
                )
            )
            .order_by(Organisation.id)
            .limit(20)
        ).all()
        for organisation in rows:
            if (
                web_domain(organisation.website) == domain
                or domain not in (organisation.website or "").lower()
            ):
                add(organisation, f"web domain {domain}")
    key = company_key(prospect.company)
    words = sorted(key.split(), key=len, reverse=True)
    if words:
        probe = "%" + words[0].replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = db.session.scalars(
            sa.select(Organisation)
            .where(
                sa.func.lower(Organisation.legal_name).like(probe, escape="\\")
                | sa.func.lower(Organisation.trading_name).like(probe, escape="\\")
            )
            .order_by(Organisation.id)
            .limit(50)
        ).all()
        for organisation in rows:
            if key in {company_key(organisation.legal_name), company_key(organisation.trading_name)}:
                add(organisation, "same name")
    return sorted(found.values(), key=lambda s: (-len(s.reasons), s.organisation.display_name))[:limit]


def organisations_without_membership() -> sa.Select:
    """Organisations that signed up, have no membership and are in no prospect."""
    return (
        sa.select(Organisation)
        .where(
            ~sa.exists().where(Membership.organisation_id == Organisation.id),
            ~sa.exists().where(Prospect.organisation_id == Organisation.id),
        )
        .order_by(Organisation.created_at.desc(), Organisation.id.desc())
    )


def signup_suggestions(limit: int = 8) -> tuple[int, list[Organisation]]:
    stmt = organisations_without_membership()
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    return total or 0, list(db.session.scalars(stmt.limit(limit)))


def prospect_from_signup(actor: User, organisation: Organisation, owner_id: int | None = None) -> Prospect:
    """A prospect for an organisation that signed up without a membership, linked to it."""
    if db.session.scalar(sa.select(Prospect.id).where(Prospect.organisation_id == organisation.id).limit(1)):
        raise DomainError(f"{organisation.display_name} is already in the pipeline.")
    if db.session.scalar(sa.select(Membership.id).where(Membership.organisation_id == organisation.id)):
        raise DomainError(f"{organisation.display_name} has a membership already.")
    contact = db.session.scalar(
        sa.select(User)
        .where(User.organisation_id == organisation.id, User.active.is_(True))
        .order_by(User.id)
        .limit(1)
    )
    membership_model = db.session.scalar(
        sa.select(CollaborationModel.id).where(CollaborationModel.slug == "membership")
    )
    return create_prospect(
        actor,
        ProspectData(
            company=organisation.display_name,
            country=organisation.country,
            website=organisation.website,
            contact_name=contact.full_name if contact else "",
            contact_email=contact.email if contact else "",
            source=ProspectSource.SIGNUP,
            model_id=membership_model,
            owner_id=owner_id if owner_id is not None else organisation.account_owner_id,
        ),
        organisation=organisation,
    )


@dataclass
class MembershipProgress:
    """The linked organisation's real membership path, for a membership prospect's page."""

    application: Application | None
    membership: Membership | None


def membership_progress(prospect: Prospect) -> MembershipProgress | None:
    if prospect.organisation is None:
        return None
    membership = db.session.scalar(
        sa.select(Membership)
        .where(Membership.organisation_id == prospect.organisation_id)
        .options(joinedload(Membership.tier))
    )
    return MembershipProgress(application=latest_application(prospect.organisation), membership=membership)


# --- lists, board and figures ---------------------------------------------------------------------


@dataclass
class ProspectFilters:
    stage: str = ""  # a stage, "open", or "" for any
    owner: str = ""  # a user id, or "none"
    model: str = ""  # a collaboration model id
    source: str = ""
    q: str = ""


def _person(relationship):
    """A joined user without their organisation roles (the console shows names, not roles): the
    roles' own SELECT would otherwise run once per path that reaches the same user."""
    return joinedload(relationship).options(lazyload(User.role_grants))


def _like(term: str) -> str:
    escaped = term.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def prospects_query(filters: ProspectFilters) -> sa.Select:
    """Prospects with their model, owner and organisation (joined: one query per page)."""
    stmt = sa.select(Prospect).options(
        joinedload(Prospect.model), _person(Prospect.owner), joinedload(Prospect.organisation)
    )
    if filters.stage == "open":
        stmt = stmt.where(Prospect.stage.in_(OPEN_STAGES))
    elif filters.stage in {s.value for s in S}:
        stmt = stmt.where(Prospect.stage == S(filters.stage))
    if filters.owner == "none":
        stmt = stmt.where(Prospect.owner_id.is_(None))
    elif filters.owner.isdigit():
        stmt = stmt.where(Prospect.owner_id == int(filters.owner))
    if filters.model.isdigit():
        stmt = stmt.where(Prospect.model_id == int(filters.model))
    if filters.source in {s.value for s in ProspectSource}:
        stmt = stmt.where(Prospect.source == ProspectSource(filters.source))
    if filters.q.strip():
        pattern = _like(filters.q)
        stmt = stmt.where(
            sa.or_(
                sa.func.lower(Prospect.company).like(pattern, escape="\\"),
                sa.func.lower(Prospect.contact_name).like(pattern, escape="\\"),
                sa.func.lower(Prospect.contact_email).like(pattern, escape="\\"),
                sa.func.lower(Prospect.interest).like(pattern, escape="\\"),
            )
        )
    return stmt


@dataclass
class StageRow:
    stage: ProspectStage
    count: int = 0
    values: dict[str, int] = field(default_factory=dict)  # currency -> expected value in cents
    reached: int = 0  # prospects that ever reached this stage (or a later one)
    conversion: float | None = None  # share of `reached` that also reached the next stage

    @property
    def value_cents(self) -> int:
        """The expected value in the main currency (EUR); `values` has every currency."""
        return self.values.get("EUR", 0)


def _period(stmt: sa.Select, start: date | None, end: date | None) -> sa.Select:
    if start is not None:
        stmt = stmt.where(Prospect.created_at >= datetime.combine(start, time.min, UTC))
    if end is not None:
        stmt = stmt.where(Prospect.created_at < datetime.combine(end + timedelta(days=1), time.min, UTC))
    return stmt


def stage_summary(start: date | None = None, end: date | None = None) -> list[StageRow]:
    """Per stage (identified ... won, then lost): how many prospects are in it now, their expected
    value per currency, and the conversion to the next stage: of the prospects that ever reached
    stage N (a move to N or to a later stage of the order, from their ProspectMove history), the
    share that also reached N + 1. Lost has no next stage. With `start` / `end` (inclusive days,
    UTC), only the prospects created in that period count. Two queries."""
    rows = {stage: StageRow(stage) for stage in BOARD_STAGES}
    current = db.session.execute(
        _period(
            sa.select(
                Prospect.stage,
                Prospect.currency,
                sa.func.count(Prospect.id),
                sa.func.coalesce(sa.func.sum(Prospect.expected_value_cents), 0),
            ).group_by(Prospect.stage, Prospect.currency),
            start,
            end,
        )
    ).all()
    for stage, currency, count, value in current:
        rows[stage].count += count
        rows[stage].values[currency] = rows[stage].values.get(currency, 0) + int(value)
    # The furthest stage of the order each prospect ever reached.
    rank = sa.case({stage.value: i for i, stage in enumerate(ORDER)}, value=ProspectMove.to_stage, else_=-1)
    furthest = _period(
        sa.select(ProspectMove.prospect_id, sa.func.max(rank).label("furthest"))
        .join(Prospect, Prospect.id == ProspectMove.prospect_id)
        .group_by(ProspectMove.prospect_id),
        start,
        end,
    ).subquery()
    reached_counts = dict(
        db.session.execute(
            sa.select(furthest.c.furthest, sa.func.count()).group_by(furthest.c.furthest)
        ).all()
    )
    lost_total = db.session.scalar(
        _period(
            sa.select(sa.func.count(sa.distinct(ProspectMove.prospect_id)))
            .join(Prospect, Prospect.id == ProspectMove.prospect_id)
            .where(ProspectMove.to_stage == S.LOST),
            start,
            end,
        )
    )
    for i, stage in enumerate(ORDER):
        rows[stage].reached = sum(
            n for level, n in reached_counts.items() if level is not None and level >= i
        )
    rows[S.LOST].reached = lost_total or 0
    for i, stage in enumerate(ORDER[:-1]):
        row = rows[stage]
        row.conversion = rows[ORDER[i + 1]].reached / row.reached if row.reached else None
    return [rows[stage] for stage in BOARD_STAGES]


BOARD_CLOSED_LIMIT = 10  # the latest won and lost cards on the board; the list has them all


def board(filters: ProspectFilters) -> dict[ProspectStage, list[Prospect]]:
    """The board's cards: every open prospect (filtered) and the latest won and lost ones. Two
    queries whatever the number of prospects."""
    cards: dict[ProspectStage, list[Prospect]] = defaultdict(list)
    base = prospects_query(
        ProspectFilters(owner=filters.owner, model=filters.model, source=filters.source, q=filters.q)
    )
    opened = db.session.scalars(
        base.where(Prospect.stage.in_(OPEN_STAGES)).order_by(
            Prospect.next_action_on.is_(None), Prospect.next_action_on, Prospect.id
        )
    ).unique()
    for prospect in opened:
        cards[prospect.stage].append(prospect)
    ranked = (
        base.where(Prospect.stage.in_([S.WON, S.LOST]))
        .add_columns(
            sa.func.row_number()
            .over(
                partition_by=Prospect.stage, order_by=(Prospect.stage_changed_at.desc(), Prospect.id.desc())
            )
            .label("n")
        )
        .subquery()
    )
    closed_ids = sa.select(ranked.c.id).where(ranked.c.n <= BOARD_CLOSED_LIMIT)
    closed = db.session.scalars(
        sa.select(Prospect)
        .where(Prospect.id.in_(closed_ids))
        .options(joinedload(Prospect.model), _person(Prospect.owner), joinedload(Prospect.organisation))
        .order_by(Prospect.stage_changed_at.desc(), Prospect.id.desc())
    ).unique()
    for prospect in closed:
        cards[prospect.stage].append(prospect)
    return cards


def board_totals(filters: ProspectFilters) -> dict[ProspectStage, StageRow]:
    """Count and value per stage of the board's (filtered) prospects: one query."""
    stmt = prospects_query(
        ProspectFilters(owner=filters.owner, model=filters.model, source=filters.source, q=filters.q)
    )
    ids = stmt.with_only_columns(Prospect.id).order_by(None)
    totals = {stage: StageRow(stage) for stage in BOARD_STAGES}
    for stage, currency, count, value in db.session.execute(
        sa.select(
            Prospect.stage,
            Prospect.currency,
            sa.func.count(Prospect.id),
            sa.func.coalesce(sa.func.sum(Prospect.expected_value_cents), 0),
        )
        .where(Prospect.id.in_(ids))
        .group_by(Prospect.stage, Prospect.currency)
    ):
        totals[stage].count += count
        totals[stage].values[currency] = int(value)
    return totals


def load_prospect(prospect_id: int) -> Prospect | None:
    """One prospect with everything its page shows."""
    return db.session.scalar(
        sa.select(Prospect)
        .where(Prospect.id == prospect_id)
        .options(
            joinedload(Prospect.model),
            _person(Prospect.owner),
            _person(Prospect.created_by),
            joinedload(Prospect.expected_tier),
            joinedload(Prospect.organisation)
            .joinedload(Organisation.account_owner)
            .options(lazyload(User.role_grants)),
            selectinload(Prospect.moves).joinedload(ProspectMove.actor).options(lazyload(User.role_grants)),
        )
    )


def collaboration_models(published_only: bool = False) -> list[CollaborationModel]:
    stmt = sa.select(CollaborationModel).order_by(CollaborationModel.display_order, CollaborationModel.id)
    if published_only:
        stmt = stmt.where(CollaborationModel.published.is_(True))
    return list(db.session.scalars(stmt))
