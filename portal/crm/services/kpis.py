"""The programme's KPIs for a date range, computed by SQL aggregates in a fixed number of queries
(one for the headline figures, one per breakdown), whatever the number of organisations.

Definitions (README.md "KPI dashboard" says the same for readers):

- A range is whole UTC days, both ends included: an event at 23:59 on the last day counts, one at
  00:00 the day after does not.
- **Activation** of a partner: the first `membership.activated` audit event of its organisation
  (a membership older than the audit trail, active without such an event, counts from its
  creation).
- **Active partnerships at a day D** (D = the range's last day, or today if that is later than
  today): memberships activated on or before D that are active or past due (in their grace
  period), or that lapsed or were cancelled but had a paid period still running at D. There is
  no membership history table, so a membership that ended is counted by its last paid period.
- **International**: an organisation whose country is not the institution's (SELLER_COUNTRY).
- **New partners**: organisations whose first activation falls in the range.
- **Annual recurring revenue**: the annual fees of the tiers of the partnerships active at D
  (tier fees are yearly prices already), per currency, in cents.
- **Renewal rate**: of the membership periods that ended in the range (each paid membership
  invoice's period, and each membership's current period), those followed by another paid
  period (the membership's paid-up end lies beyond it) over those due: renewed ones plus the
  ones whose end has passed (a period ending later this range, not yet renewed, is not yet due).
- **Challenges**: the challenges submitted in the range, by their current status. **Time to
  first answer**: from submission to the first staff answer, which is the first message from
  staff to the partner *or* the first move out of "submitted" by staff, whichever came first
  (`Challenge.first_answer_at`, kept by the challenges' workflow and conversation services).
- **Licensing funnel**: catalog listing views on days in the range -> licensing interests
  (leads) created in it -> term sheets (agreements whose source is `lead:<id>`) created in it ->
  licences (leads now licensed, last changed in it).
- **Sign-up to active**: days from an organisation's creation to its first activation, for the
  new partners of the range.
- **Document turnaround**: see `turnaround.py`; medians of the steps completed in the range.
- **Innovation** (issue 14): per calendar year of the range, invention disclosures submitted,
  licences that started (`start_on`; drafts left out) and spin-offs incorporated (`incorporated_on`;
  planned ones left out). **Licence income** is the upfront fees of those licences, per currency
  (royalties and milestones are not recorded as payments, so they are not counted). **Time to
  filing**: for disclosures submitted in the range whose patent families have an application, the
  median whole days from the day of submission (UTC) to the earliest filing date.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import aliased

from ...agreements.models import Agreement, AgreementSignature, SignatoryParty
from ...catalog.models import Lead, LeadStatus, TechnologyDailyStat
from ...challenges.models import Challenge, ChallengeStatus
from ...core.countries import country_name
from ...core.models import AuditEvent
from ...extensions import db
from ...innovation.models.disclosures import Disclosure
from ...innovation.models.ip import PatentApplication, PatentFamily
from ...innovation.models.licensing import Licence, LicenceStatus, SpinOff, SpinOffStatus
from ...membership.models import Invoice, InvoiceStatus, Membership, MembershipStatus, Tier
from ...partners.models import Organisation
from ..models.targets import ProgrammeTarget, TargetMetric
from .aggregates import days_between, days_to_date, median, utc_year

MAX_RANGE_DAYS = 366 * 20

# --- values with a kind (the page formats them, the CSV writes them plain) ---------------------


@dataclass(frozen=True)
class Money:
    cents: int
    currency: str
    kind: str = "money"

    def csv(self) -> str:
        sign = "-" if self.cents < 0 else ""
        cents = abs(self.cents)
        return f"{sign}{cents // 100}.{cents % 100:02d} {self.currency}"


@dataclass(frozen=True)
class Ratio:
    """A share from 0 to 1 (None: nothing to divide by); shown as a percentage."""

    value: float | None
    kind: str = "ratio"

    def csv(self) -> str:
        return "" if self.value is None else f"{self.value * 100:.1f}%"


@dataclass(frozen=True)
class Days:
    """A duration in days (None: no case in the range)."""

    value: float | None
    kind: str = "days"

    def csv(self) -> str:
        return "" if self.value is None else f"{self.value:.1f}"


def ratio(part: int | float | None, whole: int | float | None) -> Ratio:
    return Ratio(None if not whole else (part or 0) / whole)


@dataclass
class Table:
    """One table of the dashboard: what the page shows under a chart and what its CSV holds."""

    key: str
    title: str
    header: list[str]
    rows: list[list[Any]] = field(default_factory=list)


# --- the range -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # included

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, UTC)

    @property
    def end_at(self) -> datetime:
        """The first instant after the range (exclusive bound)."""
        return datetime.combine(self.end + timedelta(days=1), time.min, UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def snapshot_day(self, today: date) -> date:
        return min(self.end, today)


def this_year(today: date) -> Period:
    return Period(date(today.year, 1, 1), date(today.year, 12, 31))


def last_twelve_months(today: date) -> Period:
    try:
        start = today.replace(year=today.year - 1) + timedelta(days=1)
    except ValueError:  # 29 February
        start = date(today.year - 1, 3, 1)
    return Period(start, today)


def year_period(year: int) -> Period:
    return Period(date(year, 1, 1), date(year, 12, 31))


# --- SQL pieces --------------------------------------------------------------------------------

NEVER_ACTIVE = (MembershipStatus.AWAITING_SIGNATURE, MembershipStatus.AWAITING_PAYMENT)
STILL_ACTIVE = (MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE)


def _first_activation() -> sa.Subquery:
    return (
        sa.select(
            AuditEvent.organisation_id.label("organisation_id"),
            sa.func.min(AuditEvent.created_at).label("at"),
        )
        .where(AuditEvent.action == "membership.activated", AuditEvent.organisation_id.is_not(None))
        .group_by(AuditEvent.organisation_id)
        .subquery("first_activation")
    )


def _partners(cte: bool = False) -> Any:
    """One row per membership: organisation, country, tier, status, paid-up end, activation time
    (NULL: never active). As a materialised CTE (`cte=True`) a statement that reads it several
    times computes it once."""
    first = _first_activation()
    activated_at = sa.func.coalesce(
        first.c.at,
        sa.case((Membership.status.not_in(NEVER_ACTIVE), Membership.created_at), else_=None),
    )
    stmt = (
        sa.select(
            Membership.id.label("membership_id"),
            Membership.organisation_id.label("organisation_id"),
            Membership.tier_id.label("tier_id"),
            Membership.status.label("status"),
            Membership.period_end.label("period_end"),
            Organisation.country.label("country"),
            Organisation.created_at.label("signed_up_at"),
            sa.type_coerce(activated_at, Membership.created_at.type).label("activated_at"),
        )
        .join(Organisation, Organisation.id == Membership.organisation_id)
        .outerjoin(first, first.c.organisation_id == Membership.organisation_id)
    )
    return stmt.cte("partner").prefix_with("MATERIALIZED") if cte else stmt.subquery("partner")


def _active_at(partners: sa.Subquery, day: date) -> sa.ColumnElement[bool]:
    after_day = datetime.combine(day + timedelta(days=1), time.min, UTC)
    return sa.and_(
        partners.c.activated_at.is_not(None),
        partners.c.activated_at < after_day,
        sa.or_(partners.c.status.in_(STILL_ACTIVE), partners.c.period_end >= day),
    )


def _in(column: Any, period: Period) -> sa.ColumnElement[bool]:
    return sa.and_(column >= period.start_at, column < period.end_at)


def _count(stmt: sa.Select) -> sa.ScalarSelect:
    return stmt.with_only_columns(sa.func.count()).scalar_subquery()


# --- the figures ---------------------------------------------------------------------------------


@dataclass
class Headline:
    active: int
    international: int
    countries: int
    new_partners: int
    renewals_due: int
    renewals_done: int
    challenges: int
    first_answer_days: float | None
    signup_to_active_days: float | None
    views: int
    interests: int
    term_sheets: int
    licences: int
    issue_days: float | None
    sign_days: float | None
    countersign_days: float | None

    @property
    def international_share(self) -> Ratio:
        return ratio(self.international, self.active)

    @property
    def renewal_rate(self) -> Ratio:
        return ratio(self.renewals_done, self.renewals_due)


def _renewal_periods() -> sa.Subquery:
    invoice_periods = sa.select(
        Invoice.membership_id.label("membership_id"), Invoice.period_end.label("period_end")
    ).where(
        Invoice.purpose == "membership",
        Invoice.status == InvoiceStatus.PAID,
        Invoice.membership_id.is_not(None),
        Invoice.period_end.is_not(None),
    )
    current = sa.select(Membership.id, Membership.period_end).where(
        Membership.period_end.is_not(None), Membership.status.not_in(NEVER_ACTIVE)
    )
    return sa.union(invoice_periods, current).subquery("period")


def headline(period: Period, today: date, breakdown: Breakdown) -> Headline:
    """Every single-number figure of the range, in one statement of scalar subqueries (the active
    partnerships come from `breakdown`)."""
    partners = _partners(cte=True)
    new = sa.select(partners.c.membership_id).where(_in(partners.c.activated_at, period))

    periods = _renewal_periods()
    renewed = Membership.period_end > periods.c.period_end
    in_range = sa.and_(periods.c.period_end >= period.start, periods.c.period_end <= period.end)
    renewals = sa.select(periods.c.membership_id).join(Membership, Membership.id == periods.c.membership_id)

    submitted = sa.select(Challenge.id).where(
        Challenge.status != ChallengeStatus.DRAFT, _in(Challenge.submitted_at, period)
    )
    partner_sig = aliased(AgreementSignature)
    institution_sig = aliased(AgreementSignature)
    signed = sa.select(Agreement).join(
        partner_sig,
        sa.and_(partner_sig.agreement_id == Agreement.id, partner_sig.party == SignatoryParty.PARTNER),
    )
    stmt = sa.select(
        _count(new).label("new_partners"),
        _count(renewals.where(in_range, sa.or_(renewed, periods.c.period_end < today))).label("due"),
        _count(renewals.where(in_range, renewed)).label("renewed"),
        _count(submitted).label("challenges"),
        median(
            sa.select(days_between(Challenge.submitted_at, Challenge.first_answer_at)).where(
                Challenge.status != ChallengeStatus.DRAFT, _in(Challenge.submitted_at, period)
            )
        ).label("first_answer"),
        median(
            sa.select(days_between(partners.c.signed_up_at, partners.c.activated_at)).where(
                _in(partners.c.activated_at, period)
            )
        ).label("signup_to_active"),
        sa.select(sa.func.coalesce(sa.func.sum(TechnologyDailyStat.views), 0))
        .where(TechnologyDailyStat.day >= period.start, TechnologyDailyStat.day <= period.end)
        .scalar_subquery()
        .label("views"),
        _count(sa.select(Lead.id).where(_in(Lead.created_at, period))).label("interests"),
        _count(
            sa.select(Agreement.id).where(Agreement.source.like("lead:%"), _in(Agreement.created_at, period))
        ).label("term_sheets"),
        _count(
            sa.select(Lead.id).where(Lead.status == LeadStatus.LICENSED, _in(Lead.updated_at, period))
        ).label("licences"),
        median(
            sa.select(days_between(Agreement.created_at, Agreement.issued_at)).where(
                _in(Agreement.issued_at, period)
            )
        ).label("issue"),
        median(
            signed.with_only_columns(days_between(Agreement.issued_at, partner_sig.signed_at)).where(
                _in(partner_sig.signed_at, period)
            )
        ).label("sign"),
        median(
            signed.join(
                institution_sig,
                sa.and_(
                    institution_sig.agreement_id == Agreement.id,
                    institution_sig.party == SignatoryParty.INSTITUTION,
                ),
            )
            .with_only_columns(days_between(partner_sig.signed_at, institution_sig.signed_at))
            .where(_in(institution_sig.signed_at, period))
        ).label("countersign"),
    )
    row = db.session.execute(stmt).one()

    def days(value: Any) -> float | None:
        return None if value is None else max(float(value), 0.0)

    return Headline(
        active=breakdown.active,
        international=breakdown.international,
        countries=len(breakdown.countries),
        new_partners=row.new_partners,
        renewals_due=row.due,
        renewals_done=row.renewed,
        challenges=row.challenges,
        first_answer_days=days(row.first_answer),
        signup_to_active_days=days(row.signup_to_active),
        views=int(row.views or 0),
        interests=row.interests,
        term_sheets=row.term_sheets,
        licences=row.licences,
        issue_days=days(row.issue),
        sign_days=days(row.sign),
        countersign_days=days(row.countersign),
    )


@dataclass
class TierRow:
    name: str
    count: int
    arr: Money


@dataclass
class Breakdown:
    """The partnerships active at the snapshot day by tier and by country (one grouped query)."""

    tiers: list[TierRow]
    countries: list[tuple[str, int]]
    active: int
    international: int


def breakdown(period: Period, today: date, home_country: str) -> Breakdown:
    """One GROUP BY tier and country: at most tiers x countries rows, whatever the number of
    organisations; the per-tier and per-country totals are added up from them."""
    partners = _partners()
    rows = db.session.execute(
        sa.select(
            Tier.id,
            Tier.name,
            Tier.currency,
            Tier.display_order,
            Tier.annual_fee_cents,
            partners.c.country,
            sa.func.count(partners.c.membership_id),
        )
        .join(partners, partners.c.tier_id == Tier.id)
        .where(_active_at(partners, period.snapshot_day(today)))
        .group_by(
            Tier.id, Tier.name, Tier.currency, Tier.display_order, Tier.annual_fee_cents, partners.c.country
        )
    ).all()
    tiers: dict[int, TierRow] = {}
    order: dict[int, tuple] = {}
    countries: dict[str, int] = {}
    for tier_id, name, currency, display_order, fee, country, count in rows:
        row = tiers.setdefault(tier_id, TierRow(name, 0, Money(0, currency)))
        row.count += count
        row.arr = Money(row.arr.cents + fee * count, currency)
        order[tier_id] = (display_order, name)
        countries[country] = countries.get(country, 0) + count
    return Breakdown(
        tiers=[tiers[t] for t in sorted(tiers, key=lambda t: order[t])],
        countries=sorted(countries.items(), key=lambda item: (-item[1], item[0])),
        active=sum(countries.values()),
        international=sum(n for c, n in countries.items() if c != home_country),
    )


def challenges_by_status(period: Period) -> dict[ChallengeStatus, int]:
    rows = db.session.execute(
        sa.select(Challenge.status, sa.func.count())
        .where(Challenge.status != ChallengeStatus.DRAFT, _in(Challenge.submitted_at, period))
        .group_by(Challenge.status)
    ).all()
    return dict(rows)


def arr_by_currency(tiers: Iterable[TierRow]) -> list[Money]:
    totals: dict[str, int] = {}
    for row in tiers:
        totals[row.arr.currency] = totals.get(row.arr.currency, 0) + row.arr.cents
    return [Money(cents, currency) for currency, cents in sorted(totals.items())]


# --- targets -----------------------------------------------------------------------------------


@dataclass
class TargetProgress:
    target: ProgrammeTarget
    current: int
    expected: float  # on the straight line from baseline to target, at the snapshot day
    progress: float  # 0..1 of the way from baseline to target (clipped)

    @property
    def on_track(self) -> bool:
        rising = self.target.target_value >= self.target.baseline_value
        return self.current >= self.expected if rising else self.current <= self.expected


def targets() -> list[ProgrammeTarget]:
    return list(
        db.session.scalars(
            sa.select(ProgrammeTarget).order_by(
                ProgrammeTarget.target_on, ProgrammeTarget.metric, ProgrammeTarget.id
            )
        )
    )


def current_value(metric: TargetMetric, figures: Headline) -> int:
    if metric is TargetMetric.PARTNERSHIPS:
        return figures.active
    if metric is TargetMetric.COUNTRIES:
        return figures.countries
    share = figures.international_share.value
    return round(share * 100) if share is not None else 0


def progress_of(target: ProgrammeTarget, current: int, day: date) -> TargetProgress:
    span = (target.target_on - target.baseline_on).days
    elapsed = min(max((day - target.baseline_on).days, 0), max(span, 0))
    gap = target.target_value - target.baseline_value
    expected = target.target_value if span <= 0 else target.baseline_value + gap * elapsed / span
    progress = 1.0 if gap == 0 else min(max((current - target.baseline_value) / gap, 0.0), 1.0)
    return TargetProgress(target, current, expected, progress)


# --- the dashboard -------------------------------------------------------------------------------

StageSummary = Callable[[date, date], Iterable[Any]]


@dataclass
class PipelineStage:
    stage: str
    count: int
    value: Money | None
    conversion: Ratio


def _pipeline_rows(stage_summary: StageSummary, period: Period) -> list[PipelineStage]:
    """Adapts `portal.crm.services.pipeline.stage_summary(start, end)` (another part of issue 13):
    rows (objects or dicts) with a stage (or its label), count, value in cents and conversion."""

    def get(row: Any, *names: str) -> Any:
        for name in names:
            if isinstance(row, dict) and name in row:
                return row[name]
            if hasattr(row, name):
                return getattr(row, name)
        return None

    currency = current_app.config.get("PIPELINE_CURRENCY", "EUR")
    out = []
    for row in stage_summary(period.start, period.end):
        stage = get(row, "label", "stage")
        stage = getattr(stage, "label", stage)
        value = get(row, "value_cents", "value")
        conversion = get(row, "conversion")
        out.append(
            PipelineStage(
                stage=str(stage),
                count=int(get(row, "count") or 0),
                value=None if value is None else Money(int(value), str(get(row, "currency") or currency)),
                conversion=Ratio(None if conversion is None else float(conversion)),
            )
        )
    return out


# --- innovation (issue 14): disclosures, filings, licences, spin-offs, licence income -----------


@dataclass
class InnovationYear:
    year: int
    disclosures: int = 0
    licences: int = 0
    spin_offs: int = 0
    income: dict[str, int] = field(default_factory=dict)  # currency -> upfront fees in cents


@dataclass
class Innovation:
    years: list[InnovationYear]
    filing_days: float | None  # median days from submission to the first filing
    filed: int  # disclosures of the range with a filing (the median's cases)

    @property
    def currencies(self) -> list[str]:
        return sorted({c for y in self.years for c in y.income}) or ["EUR"]

    def total(self, name: str) -> int:
        return sum(getattr(y, name) for y in self.years)

    def income_total(self) -> list[Money]:
        return [Money(sum(y.income.get(c, 0) for y in self.years), c) for c in self.currencies]


def innovation(period: Period) -> Innovation:
    """Two queries: the counts per year (one UNION ALL) and the median time to filing."""
    start, end = period.start, period.end
    submitted_year = utc_year(Disclosure.submitted_at)
    start_year = sa.extract("year", Licence.start_on)  # dates: no time zone
    spin_year = sa.extract("year", SpinOff.incorporated_on)
    counts = sa.union_all(
        sa.select(
            sa.literal("disclosure").label("kind"),
            submitted_year.label("year"),
            sa.literal("").label("currency"),
            sa.func.count().label("n"),
            sa.literal(0).label("cents"),
        )
        .where(_in(Disclosure.submitted_at, period))
        .group_by(submitted_year),
        sa.select(
            sa.literal("licence"),
            start_year,
            Licence.currency,
            sa.func.count(),
            sa.func.coalesce(sa.func.sum(Licence.upfront_fee_cents), 0),
        )
        .where(Licence.start_on >= start, Licence.start_on <= end, Licence.status != LicenceStatus.DRAFT)
        .group_by(start_year, Licence.currency),
        sa.select(sa.literal("spin_off"), spin_year, sa.literal(""), sa.func.count(), sa.literal(0))
        .where(
            SpinOff.incorporated_on >= start,
            SpinOff.incorporated_on <= end,
            SpinOff.status != SpinOffStatus.PLANNED,
        )
        .group_by(spin_year),
    )
    years = {y: InnovationYear(y) for y in range(start.year, end.year + 1)}
    for kind, year, currency, n, cents in db.session.execute(counts):
        row = years.setdefault(int(year), InnovationYear(int(year)))
        if kind == "disclosure":
            row.disclosures += int(n)
        elif kind == "licence":
            row.licences += int(n)
            row.income[currency] = row.income.get(currency, 0) + int(cents or 0)
        else:
            row.spin_offs += int(n)

    first_filing = (
        sa.select(
            PatentFamily.disclosure_id.label("disclosure_id"),
            sa.func.min(PatentApplication.filing_date).label("filed_on"),
        )
        .join(PatentApplication, PatentApplication.family_id == PatentFamily.id)
        .where(PatentFamily.disclosure_id.is_not(None))
        .group_by(PatentFamily.disclosure_id)
        .subquery()
    )
    cases = (
        sa.select(days_to_date(Disclosure.submitted_at, first_filing.c.filed_on).label("days"))
        .join(first_filing, first_filing.c.disclosure_id == Disclosure.id)
        .where(_in(Disclosure.submitted_at, period))
    )
    filing_days, filed = db.session.execute(
        sa.select(median(cases), sa.select(sa.func.count()).select_from(cases.subquery()).scalar_subquery())
    ).one()
    return Innovation(
        years=[years[y] for y in sorted(years)],
        filing_days=None if filing_days is None else float(filing_days),
        filed=int(filed or 0),
    )


@dataclass
class Dashboard:
    period: Period
    today: date
    figures: Headline
    tiers: list[TierRow]
    countries: list[tuple[str, int]]
    challenges: list[tuple[ChallengeStatus, int]]
    targets: list[TargetProgress]
    arr: list[Money]
    home_country: str
    pipeline: list[PipelineStage] | None = None
    innovation: Innovation | None = None

    @property
    def snapshot_day(self) -> date:
        return self.period.snapshot_day(self.today)

    @property
    def funnel(self) -> list[tuple[str, int, Ratio]]:
        f = self.figures
        stages = [
            (str(_l("Catalog views")), f.views),
            (str(_l("Licensing interests")), f.interests),
            (str(_l("Term sheets")), f.term_sheets),
            (str(_l("Licences")), f.licences),
        ]
        return [
            (name, count, ratio(count, stages[i - 1][1]) if i else Ratio(None))
            for i, (name, count) in enumerate(stages)
        ]

    @property
    def turnaround(self) -> list[tuple[str, str, Days]]:
        f = self.figures
        return [
            (str(_l("Issued (drafted to sent)")), str(_l("Institution")), Days(f.issue_days)),
            (str(_l("Signed by the partner")), str(_l("Partner")), Days(f.sign_days)),
            (str(_l("Countersigned")), str(_l("Institution")), Days(f.countersign_days)),
        ]

    def _innovation_summary(self) -> list[list[Any]]:
        inno = self.innovation
        if inno is None:
            return []
        return [
            [str(_l("Invention disclosures submitted")), inno.total("disclosures")],
            [str(_l("Median days from disclosure to first patent filing")), Days(inno.filing_days)],
            [str(_l("Licences started")), inno.total("licences")],
            [str(_l("Spin-offs incorporated")), inno.total("spin_offs")],
            *[[str(_l("Licence income (upfront fees)")), money] for money in inno.income_total()],
        ]

    def tables(self) -> dict[str, Table]:
        f = self.figures
        tables = [
            Table(
                "summary",
                str(_l("Headline figures")),
                [str(_l("Figure")), str(_l("Value"))],
                [
                    [str(_l("Active partnerships on %(day)s", day=self.snapshot_day.isoformat())), f.active],
                    [str(_l("International partners")), f.international],
                    [str(_l("Share of international partners")), f.international_share],
                    [str(_l("Countries with a partner")), f.countries],
                    [str(_l("New partners")), f.new_partners],
                    *[[str(_l("Annual recurring revenue")), money] for money in self.arr],
                    [str(_l("Memberships due for renewal")), f.renewals_due],
                    [str(_l("Memberships renewed")), f.renewals_done],
                    [str(_l("Renewal rate")), f.renewal_rate],
                    [str(_l("Challenges submitted")), f.challenges],
                    [str(_l("Median days to first staff answer")), Days(f.first_answer_days)],
                    [str(_l("Median days from sign-up to active membership")), Days(f.signup_to_active_days)],
                    *self._innovation_summary(),
                ],
            ),
            Table(
                "targets",
                str(_l("Programme targets")),
                [
                    str(_l("Target")),
                    str(_l("Baseline")),
                    str(_l("Now")),
                    str(_l("Expected by now")),
                    str(_l("Target value")),
                    str(_l("By")),
                    str(_l("Progress")),
                ],
                [
                    [
                        str(t.target),
                        t.target.baseline_value,
                        t.current,
                        round(t.expected, 1),
                        t.target.target_value,
                        t.target.target_on,
                        Ratio(t.progress),
                    ]
                    for t in self.targets
                ],
            ),
            Table(
                "tiers",
                str(_l("Active partnerships by tier")),
                [str(_l("Tier")), str(_l("Partnerships")), str(_l("Annual recurring revenue"))],
                [[t.name, t.count, t.arr] for t in self.tiers],
            ),
            Table(
                "countries",
                str(_l("Active partnerships by country")),
                [str(_l("Country")), str(_l("Code")), str(_l("Partnerships")), str(_l("International"))],
                [
                    [country_name(c), c, n, str(_l("no")) if c == self.home_country else str(_l("yes"))]
                    for c, n in self.countries
                ],
            ),
            Table(
                "challenges",
                str(_l("Challenges by status")),
                [str(_l("Status")), str(_l("Challenges"))],
                [[status.label, n] for status, n in self.challenges],
            ),
            Table(
                "funnel",
                str(_l("Licensing funnel")),
                [str(_l("Stage")), str(_l("Count")), str(_l("From the stage before"))],
                [list(row) for row in self.funnel],
            ),
            Table(
                "turnaround",
                str(_l("Document turnaround (medians)")),
                [str(_l("Step")), str(_l("With")), str(_l("Median days"))],
                [list(row) for row in self.turnaround],
            ),
        ]
        if self.innovation is not None:
            inno = self.innovation
            currencies = inno.currencies
            tables.append(
                Table(
                    "innovation",
                    str(_l("Innovation by year")),
                    [
                        str(_l("Year")),
                        str(_l("Disclosures")),
                        str(_l("Licences")),
                        str(_l("Spin-offs")),
                        *[
                            str(_l("Licence income (upfront fees, %(currency)s)", currency=c))
                            for c in currencies
                        ],
                    ],
                    [
                        [str(y.year), y.disclosures, y.licences, y.spin_offs]
                        + [Money(y.income.get(c, 0), c) for c in currencies]
                        for y in inno.years
                    ],
                )
            )
        if self.pipeline is not None:
            tables.append(
                Table(
                    "pipeline",
                    str(_l("Pipeline by stage")),
                    [str(_l("Stage")), str(_l("Prospects")), str(_l("Value")), str(_l("Conversion"))],
                    [[p.stage, p.count, p.value, p.conversion] for p in self.pipeline],
                )
            )
        return {t.key: t for t in tables}


TABLE_KEYS = (
    "summary",
    "targets",
    "tiers",
    "countries",
    "challenges",
    "funnel",
    "turnaround",
    "pipeline",
    "innovation",
)


def dashboard(period: Period, today: date, *, stage_summary: StageSummary | None = None) -> Dashboard:
    """All the dashboard's figures: six queries (active partnerships by tier and country, the
    headline figures, challenges by status, targets, innovation counts per year, the median time
    to filing), plus whatever `stage_summary` costs.

    SLOT (pipeline, issue 13 item 2): pass `portal.crm.services.pipeline.stage_summary` as
    `stage_summary`; the pipeline section and its table are left out while it is None."""
    home = current_app.config["SELLER_COUNTRY"]
    active = breakdown(period, today, home)
    figures = headline(period, today, active)
    tiers = active.tiers
    statuses = challenges_by_status(period)
    day = period.snapshot_day(today)
    return Dashboard(
        period=period,
        today=today,
        figures=figures,
        tiers=tiers,
        countries=active.countries,
        challenges=[(s, statuses[s]) for s in ChallengeStatus if s in statuses],
        targets=[progress_of(t, current_value(t.metric, figures), day) for t in targets()],
        arr=arr_by_currency(tiers),
        home_country=home,
        pipeline=_pipeline_rows(stage_summary, period) if stage_summary is not None else None,
        innovation=innovation(period),
    )


def csv_cell(value: Any) -> Any:
    """A table cell as a spreadsheet reads it (money as `1234.00 EUR`, shares as `12.5%`)."""
    return value.csv() if hasattr(value, "csv") else value
