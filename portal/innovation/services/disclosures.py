"""Invention disclosures: drafts, inventors and their shares, submission, co-inventors' confirmations,
attachments, who may see which disclosure, and the batched reads the lineage work uses.

A researcher sees a disclosure they wrote or are a directory inventor on; any other id is a 404.
Staff see every disclosure in the console. Only a draft is edited; submission fixes the shares and
each directory inventor with a portal account confirms their own share.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import IO

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import selectinload

from ...auth.models import User
from ...catalog.models import Researcher
from ...challenges.services import attachments as challenge_files
from ...core import audit
from ...core.database import next_in_sequence
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...core.storage import FileTooLarge, get_storage
from ...core.types import utcnow
from ...extensions import db
from ..models import (
    Disclosure,
    DisclosureAttachment,
    DisclosureInventor,
    DisclosureSequence,
    DisclosureStatus,
    ExternalInventor,
)

S = DisclosureStatus
HUNDRED = Decimal("100")
MAX_ATTACHMENTS = 20


@dataclass
class InventorShare:
    researcher_id: int
    share: Decimal


@dataclass
class ExternalShare:
    name: str
    affiliation: str
    share: Decimal


@dataclass
class DisclosureData:
    title: str
    description: str = ""
    problem: str = ""
    novelty: str = ""
    inventors: list[InventorShare] = field(default_factory=list)
    external: list[ExternalShare] = field(default_factory=list)
    public_funding: str = ""
    partner_funding: str = ""
    funding_organisation_id: int | None = None
    funding_agreement_id: int | None = None
    conception_date: date | None = None
    first_disclosure_date: date | None = None
    prior_publications: str = ""
    planned_publications: str = ""
    planned_publication_date: date | None = None
    software_data: str = ""


def parse_share(text: str | Decimal | int | None) -> Decimal:
    """A share in percent as typed ("50", "33.33", "33,34"); DomainError for anything else."""
    try:
        value = Decimal(str(text).strip().replace(",", ".").rstrip("%").strip())
    except (InvalidOperation, ValueError):
        raise DomainError(_("A share is a percentage like 50 or 33.33."), "inventors") from None
    if not value.is_finite() or value <= 0 or value > HUNDRED:
        raise DomainError(_("Each share is more than 0 and at most 100 percent."), "inventors")
    if value != value.quantize(Decimal("0.01")):
        raise DomainError(_("Give shares with at most two decimals, like 33.33."), "inventors")
    return value.quantize(Decimal("0.01"))


def check_shares(data: DisclosureData) -> None:
    """At least one directory inventor, each at most once, and all shares together exactly 100 %."""
    if not data.inventors:
        raise DomainError(_("Name at least one inventor from the researcher directory."), "inventors")
    ids = [i.researcher_id for i in data.inventors]
    if len(set(ids)) != len(ids):
        raise DomainError(_("Each inventor is named once."), "inventors")
    for external in data.external:
        if not external.name.strip():
            raise DomainError(_("Give the name of each external co-inventor."), "external")
    shares = [parse_share(i.share) for i in data.inventors] + [parse_share(e.share) for e in data.external]
    total = sum(shares, Decimal("0"))
    if total != HUNDRED:
        shown = f"{total.normalize():f}"
        raise DomainError(
            _(
                "The inventors' shares add up to %(total)s %%; they must add up to exactly 100 %%.",
                total=shown,
            ),
            "inventors",
        )


def _apply(actor: User, disclosure: Disclosure, data: DisclosureData) -> None:
    if not data.title.strip():
        raise DomainError(_("Give the invention a title, even a provisional one."), "title")
    check_shares(data)
    known = set(
        db.session.scalars(
            sa.select(Researcher.id).where(Researcher.id.in_([i.researcher_id for i in data.inventors]))
        )
    )
    if any(i.researcher_id not in known for i in data.inventors):
        raise DomainError(_("Choose each inventor from the directory."), "inventors")
    for name in (
        "title",
        "description",
        "problem",
        "novelty",
        "public_funding",
        "partner_funding",
        "prior_publications",
        "planned_publications",
        "software_data",
    ):
        setattr(disclosure, name, (getattr(data, name) or "").strip())
    for name in ("conception_date", "first_disclosure_date", "planned_publication_date"):
        setattr(disclosure, name, getattr(data, name))
    if actor.is_staff:  # the links to a partner and its agreement are the TTO's to make
        disclosure.funding_organisation_id = data.funding_organisation_id
        disclosure.funding_agreement_id = data.funding_agreement_id
    existing = {i.researcher_id: i for i in disclosure.inventors}
    wanted = []
    for position, entry in enumerate(data.inventors):
        row = existing.get(entry.researcher_id) or DisclosureInventor(researcher_id=entry.researcher_id)
        row.share, row.position = parse_share(entry.share), position
        wanted.append(row)
    disclosure.inventors = wanted
    disclosure.external_inventors = [
        ExternalInventor(
            name=e.name.strip()[:120],
            affiliation=e.affiliation.strip()[:200],
            share=parse_share(e.share),
            position=position,
        )
        for position, e in enumerate(data.external)
    ]


def next_reference(year: int | None = None) -> str:
    year = year or date.today().year
    return f"D-{year}-{next_in_sequence(DisclosureSequence, year):04d}"


def create_draft(actor: User, data: DisclosureData) -> Disclosure:
    disclosure = Disclosure(author_id=actor.id, status=S.DRAFT)
    if actor.is_staff:
        disclosure.officer_id = actor.id
    _apply(actor, disclosure, data)  # before it joins the session: nothing half-made is flushed
    disclosure.reference = next_reference()
    db.session.add(disclosure)
    db.session.flush()
    audit.record("disclosure.created", actor=actor, target=disclosure, on_behalf=actor.is_staff)
    return disclosure


def update_draft(actor: User, disclosure: Disclosure, data: DisclosureData) -> None:
    if disclosure.status is not S.DRAFT:
        raise DomainError(_("Only a draft can be changed. Write to the Technology Transfer Office instead."))
    with db.session.no_autoflush:
        _apply(actor, disclosure, data)
    db.session.flush()
    audit.record("disclosure.updated", actor=actor, target=disclosure)


def submit(actor: User, disclosure: Disclosure) -> None:
    """Draft -> submitted. The submitter's own share is confirmed by submitting; the other directory
    inventors with a portal account are asked to confirm theirs."""
    if disclosure.status is not S.DRAFT:
        raise DomainError(_("This disclosure was already submitted."))
    missing = [
        label
        for label, value in (
            (_("description"), disclosure.description),
            (_("problem"), disclosure.problem),
            (_("novelty"), disclosure.novelty),
        )
        if not value.strip()
    ]
    if missing:
        raise DomainError(
            _("Before submitting, fill in: %(fields)s.", fields=", ".join(str(m) for m in missing))
        )
    disclosure.status = S.SUBMITTED
    disclosure.submitted_at = utcnow()
    now = utcnow()
    to_ask = []
    for inventor in disclosure.inventors:
        if inventor.researcher.user_id == actor.id:
            inventor.confirmed_at, inventor.confirmed_by_id = now, actor.id
        elif inventor.researcher.user_id is not None:
            to_ask.append(inventor.researcher.email)
    db.session.flush()
    audit.record("disclosure.submitted", actor=actor, target=disclosure)
    notify(
        to_ask,
        "disclosure_confirm",
        subject=_l("Please confirm your inventor share in %(reference)s", reference=disclosure.reference),
        disclosure_reference=disclosure.reference,
        disclosure_title=disclosure.title,
        disclosure_url=link("innovation.invention_detail", disclosure_id=disclosure.id),
    )


def confirm_share(actor: User, researcher: Researcher, disclosure: Disclosure) -> DisclosureInventor:
    """A directory inventor confirms their own share of a submitted disclosure (twice: no change)."""
    if disclosure.status is S.DRAFT:
        raise DomainError(_("Shares are confirmed once the disclosure is submitted."))
    row = next((i for i in disclosure.inventors if i.researcher_id == researcher.id), None)
    if row is None:
        raise DomainError(_("You are not an inventor on this disclosure."))
    if row.confirmed_at is None:
        row.confirmed_at, row.confirmed_by_id = utcnow(), actor.id
        db.session.flush()
        audit.record("disclosure.share_confirmed", actor=actor, target=disclosure, share=str(row.share))
    return row


def confirm_for_inventor(actor: User, disclosure: Disclosure, inventor_id: int) -> DisclosureInventor:
    """Staff record the confirmation of an inventor without a portal account (by signature on paper
    or by email); audited with who recorded it."""
    if not actor.is_staff:
        raise DomainError(_("Only staff record a confirmation for an inventor."))
    if disclosure.status is S.DRAFT:
        raise DomainError(_("Shares are confirmed once the disclosure is submitted."))
    row = next((i for i in disclosure.inventors if i.id == inventor_id), None)
    if row is None:
        raise DomainError(_("No such inventor on this disclosure."), "inventor")
    if row.confirmed_at is None:
        row.confirmed_at, row.confirmed_by_id = utcnow(), actor.id
        db.session.flush()
        audit.record(
            "disclosure.share_confirmed_by_staff",
            actor=actor,
            target=disclosure,
            researcher_id=row.researcher_id,
            share=str(row.share),
        )
    return row


# --- who sees what ---------------------------------------------------------------------------


def _visible_to(researcher: Researcher, user: User) -> sa.ColumnElement[bool]:
    return sa.or_(
        Disclosure.author_id == user.id,
        Disclosure.id.in_(
            sa.select(DisclosureInventor.disclosure_id).where(
                DisclosureInventor.researcher_id == researcher.id
            )
        ),
    )


def _detail_options():
    return (
        selectinload(Disclosure.inventors).joinedload(DisclosureInventor.researcher),
        selectinload(Disclosure.external_inventors),
        selectinload(Disclosure.attachments),
        selectinload(Disclosure.assessment),
        selectinload(Disclosure.technology),
        selectinload(Disclosure.funding_organisation),
        selectinload(Disclosure.funding_agreement),
    )


def of_researcher(researcher: Researcher, user: User) -> list[Disclosure]:
    return list(
        db.session.scalars(
            sa.select(Disclosure)
            .where(_visible_to(researcher, user))
            .options(selectinload(Disclosure.assessment))
            .order_by(Disclosure.created_at.desc(), Disclosure.id.desc())
        )
    )


def for_researcher(researcher: Researcher, user: User, disclosure_id: int) -> Disclosure | None:
    """The disclosure when they wrote it or are an inventor on it; None (answer 404) otherwise."""
    return db.session.scalar(
        sa.select(Disclosure)
        .where(Disclosure.id == disclosure_id, _visible_to(researcher, user))
        .options(*_detail_options())
    )


def load(disclosure_id: int) -> Disclosure | None:
    return db.session.scalar(
        sa.select(Disclosure).where(Disclosure.id == disclosure_id).options(*_detail_options())
    )


def may_edit(user: User, disclosure: Disclosure) -> bool:
    return disclosure.status is S.DRAFT


def recipients(disclosure: Disclosure) -> list[str]:
    """Who hears of a decision: the author and every directory inventor with an address."""
    out = []
    if disclosure.author is not None and disclosure.author.active and not disclosure.author.is_staff:
        out.append(disclosure.author.email)
    out += [i.researcher.email for i in disclosure.inventors if i.researcher.email]
    return out


# --- attachments -----------------------------------------------------------------------------


def add_attachment(
    actor: User, disclosure: Disclosure, stream: IO[bytes], filename: str
) -> DisclosureAttachment:
    """Checked by content like a challenge's files (challenges.services.attachments.check), stored
    under a random key; the stored bytes are removed again if the row cannot be written."""
    if disclosure.status is not S.DRAFT and not actor.is_staff:
        raise challenge_files.Refused(_("Files are added while the disclosure is a draft."))
    if len(disclosure.attachments) >= MAX_ATTACHMENTS:
        raise challenge_files.Refused(_("A disclosure holds at most %(count)s files.", count=MAX_ATTACHMENTS))
    checked, data = challenge_files.check(stream, filename)
    storage = get_storage()
    try:
        key = storage.save(data, suffix=checked.suffix, max_size=challenge_files.MAX_BYTES)
    except FileTooLarge:
        raise challenge_files.Refused(_("The file is larger than 20 MB.")) from None
    try:
        attachment = DisclosureAttachment(
            disclosure=disclosure,
            storage_key=key,
            filename=checked.filename,
            content_type=checked.content_type,
            size=checked.size,
            sha256=checked.sha256,
            uploaded_by_id=actor.id,
        )
        db.session.add(attachment)
        db.session.flush()
        audit.record("disclosure.file_attached", actor=actor, target=disclosure, filename=checked.filename)
    except BaseException:
        storage.delete(key)
        raise
    return attachment


def discard(attachment: DisclosureAttachment) -> None:
    get_storage().delete(attachment.storage_key)


# --- batched reads for the lineage -------------------------------------------------------------


def disclosures_of_technology(technology_ids: Iterable[int]) -> dict[int, Disclosure]:
    """technology id -> the disclosure it came from, in one query (inventors and the assessment
    loaded in one more each)."""
    ids = sorted(set(technology_ids))
    if not ids:
        return {}
    rows = db.session.scalars(
        sa.select(Disclosure)
        .where(Disclosure.technology_id.in_(ids))
        .options(
            selectinload(Disclosure.inventors).joinedload(DisclosureInventor.researcher),
            selectinload(Disclosure.assessment),
        )
    )
    return {d.technology_id: d for d in rows if d.technology_id is not None}


def ip_records_of(disclosure_ids: Iterable[int]):
    """disclosure id -> its patent families (applications loaded) and copyright / know-how records
    (`ip_records.IpOfDisclosure`), in three queries whatever the number of disclosures."""
    from .ip_records import ip_of_disclosures

    return ip_of_disclosures(disclosure_ids)
