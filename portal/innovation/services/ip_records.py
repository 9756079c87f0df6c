"""IP records: patent families and their applications, software copyright and know-how records, the
IP calendar (computed deadlines of the next 12 months, overdue first) and the batched read of IP
records per disclosure for the lineage."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ...auth.models import User
from ...core import audit
from ...core.database import insert_if_absent
from ...core.errors import DomainError
from ...extensions import db
from ..models import (
    ApplicationKind,
    ApplicationStatus,
    Disclosure,
    IpDeadlineDone,
    IpRecord,
    IpRecordKind,
    PatentApplication,
    PatentFamily,
)
from . import deadlines as rules

CALENDAR_MONTHS = 12
# A deadline past due stays on the calendar (as overdue) for 6 months unless marked handled: the
# EPO and most offices accept a renewal fee late with a surcharge for 6 months (Rule 51(2) EPC).
OVERDUE_WINDOW_DAYS = 183


@dataclass
class FamilyData:
    reference: str
    title: str
    disclosure_id: int | None = None
    officer_id: int | None = None
    note: str = ""


@dataclass
class ApplicationData:
    kind: ApplicationKind
    office: str
    filing_date: date
    country: str = ""
    application_number: str = ""
    publication_number: str = ""
    priority_date: date | None = None
    grant_date: date | None = None
    status: ApplicationStatus = ApplicationStatus.FILED


def create_family(actor: User, data: FamilyData) -> PatentFamily:
    reference = data.reference.strip()
    if not reference:
        raise DomainError("Give the family a docket reference.", "reference")
    if not data.title.strip():
        raise DomainError("Give the family a title.", "title")
    if db.session.scalar(sa.select(PatentFamily.id).where(PatentFamily.reference == reference)):
        raise DomainError(f"The reference {reference} is taken.", "reference")
    if data.disclosure_id is not None and db.session.get(Disclosure, data.disclosure_id) is None:
        raise DomainError("Choose a disclosure.", "disclosure_id")
    family = PatentFamily(
        reference=reference,
        title=data.title.strip(),
        disclosure_id=data.disclosure_id,
        officer_id=data.officer_id or actor.id,
        note=data.note.strip(),
    )
    db.session.add(family)
    db.session.flush()
    audit.record("ip.family_created", actor=actor, target=family, disclosure_id=data.disclosure_id)
    return family


def _check_application(data: ApplicationData) -> None:
    office = data.office.strip().upper()
    if not office or len(office) > 10:
        raise DomainError("Give the office, like EP, US, DE or WO for a PCT application.", "office")
    if data.priority_date and data.priority_date > data.filing_date:
        raise DomainError("The priority date is on or before the filing date.", "priority_date")
    if data.grant_date and data.grant_date < data.filing_date:
        raise DomainError("The grant date is after the filing date.", "grant_date")
    if data.kind is ApplicationKind.PCT and office not in ("WO", "PCT"):
        raise DomainError("A PCT application is filed at office WO.", "office")


def _apply(application: PatentApplication, data: ApplicationData) -> None:
    application.kind = data.kind
    application.office = data.office.strip().upper()
    application.country = data.country.strip().upper()[:2]
    application.application_number = data.application_number.strip()
    application.publication_number = data.publication_number.strip()
    application.filing_date = data.filing_date
    application.priority_date = data.priority_date
    application.grant_date = data.grant_date
    application.status = data.status


def add_application(actor: User, family: PatentFamily, data: ApplicationData) -> PatentApplication:
    _check_application(data)
    application = PatentApplication(family=family)
    _apply(application, data)
    db.session.add(application)
    db.session.flush()
    audit.record(
        "ip.application_added",
        actor=actor,
        target=family,
        office=application.office,
        number=application.application_number,
        filing_date=application.filing_date.isoformat(),
    )
    return application


def update_application(actor: User, application: PatentApplication, data: ApplicationData) -> list[str]:
    _check_application(data)
    names = [
        "kind", "office", "country", "application_number", "publication_number",
        "filing_date", "priority_date", "grant_date", "status",
    ]  # fmt: skip
    before = {n: getattr(application, n) for n in names}
    _apply(application, data)
    changed = [n for n in names if getattr(application, n) != before[n]]
    db.session.flush()
    if changed:
        audit.record("ip.application_updated", actor=actor, target=application.family, fields=changed)
    return changed


def add_record(
    actor: User,
    kind: IpRecordKind,
    title: str,
    *,
    disclosure: Disclosure | None = None,
    description: str = "",
    registration: str = "",
    record_date: date | None = None,
) -> IpRecord:
    if not title.strip():
        raise DomainError("Give the record a title.", "title")
    record = IpRecord(
        kind=kind,
        disclosure_id=disclosure.id if disclosure else None,
        title=title.strip(),
        description=description.strip(),
        registration=registration.strip(),
        record_date=record_date,
        created_by_id=actor.id,
    )
    db.session.add(record)
    db.session.flush()
    audit.record("ip.record_added", actor=actor, target=record, kind=kind.value)
    return record


def load_family(family_id: int) -> PatentFamily | None:
    return db.session.scalar(
        sa.select(PatentFamily)
        .where(PatentFamily.id == family_id)
        .options(
            selectinload(PatentFamily.applications),
            joinedload(PatentFamily.officer),
            joinedload(PatentFamily.disclosure),
        )
    )


def deadlines_of(family: PatentFamily) -> list[rules.Deadline]:
    return rules.family_deadlines(family.id, list(family.applications))


def done_keys(keys: Iterable[str]) -> set[str]:
    keys = list(keys)
    if not keys:
        return set()
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        found |= set(db.session.scalars(sa.select(IpDeadlineDone.key).where(IpDeadlineDone.key.in_(chunk))))
    return found


def mark_done(actor: User, key: str) -> bool:
    """Mark a computed deadline handled (once; twice changes nothing)."""
    key = key.strip()[:80]
    if not key:
        raise DomainError("Choose a deadline.")
    added = insert_if_absent(IpDeadlineDone, key=key, done_by_id=actor.id)
    if added:
        audit.record("ip.deadline_done", actor=actor, key=key)
    return added


@dataclass
class CalendarEntry:
    deadline: rules.Deadline
    family: PatentFamily
    overdue: bool


@dataclass
class Calendar:
    overdue: list[CalendarEntry] = field(default_factory=list)
    months: list[tuple[date, list[CalendarEntry]]] = field(default_factory=list)


def live_families() -> list[PatentFamily]:
    """Every family with at least one live application, applications and officer loaded (2 queries)."""
    alive = [s for s in ApplicationStatus if s.is_alive]
    return list(
        db.session.scalars(
            sa.select(PatentFamily)
            .where(
                PatentFamily.id.in_(
                    sa.select(PatentApplication.family_id).where(PatentApplication.status.in_(alive))
                )
            )
            .options(selectinload(PatentFamily.applications), joinedload(PatentFamily.officer))
            .order_by(PatentFamily.id)
        )
    )


def open_deadlines(today: date, horizon_days: int) -> list[tuple[rules.Deadline, PatentFamily]]:
    """Deadlines not marked handled, from the overdue window up to `horizon_days` ahead."""
    earliest, latest = today - timedelta(days=OVERDUE_WINDOW_DAYS), today + timedelta(days=horizon_days)
    pairs = [
        (d, family) for family in live_families() for d in deadlines_of(family) if earliest <= d.due <= latest
    ]
    handled = done_keys(d.key for d, _f in pairs)
    return [(d, f) for d, f in pairs if d.key not in handled]


def calendar(today: date) -> Calendar:
    horizon = rules.add_months(today, CALENDAR_MONTHS)
    result = Calendar()
    by_month: dict[date, list[CalendarEntry]] = defaultdict(list)
    for deadline, family in open_deadlines(today, (horizon - today).days):
        if deadline.due < today:
            result.overdue.append(CalendarEntry(deadline, family, True))
        else:
            by_month[deadline.due.replace(day=1)].append(CalendarEntry(deadline, family, False))
    result.overdue.sort(key=lambda e: (e.deadline.due, e.deadline.key))
    result.months = [
        (month, sorted(entries, key=lambda e: (e.deadline.due, e.deadline.key)))
        for month, entries in sorted(by_month.items())
    ]
    return result


@dataclass
class IpOfDisclosure:
    families: list[PatentFamily] = field(default_factory=list)
    records: list[IpRecord] = field(default_factory=list)


def ip_of_disclosures(disclosure_ids: Iterable[int]) -> dict[int, IpOfDisclosure]:
    """disclosure id -> its patent families (applications loaded) and copyright / know-how records,
    in three queries whatever the number of disclosures."""
    ids = sorted(set(disclosure_ids))
    out = {i: IpOfDisclosure() for i in ids}
    if not ids:
        return out
    for family in db.session.scalars(
        sa.select(PatentFamily)
        .where(PatentFamily.disclosure_id.in_(ids))
        .options(selectinload(PatentFamily.applications))
        .order_by(PatentFamily.id)
    ):
        out[family.disclosure_id].families.append(family)
    for record in db.session.scalars(
        sa.select(IpRecord).where(IpRecord.disclosure_id.in_(ids)).order_by(IpRecord.id)
    ):
        out[record.disclosure_id].records.append(record)
    return out
