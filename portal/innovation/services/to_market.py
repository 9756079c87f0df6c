"""To the market: one action turns an assessed disclosure into a draft catalog listing, prefilled
from the disclosure and its IP records (inventors, IP status, patent numbers), and keeps the link
(`disclosure.technology_id`). A second click gets the same listing back."""

from __future__ import annotations

import sqlalchemy as sa

from ...auth.models import User
from ...catalog import services as catalog
from ...catalog.models import IpStatus, Technology
from ...core import audit
from ...core.database import lock_for_update
from ...core.errors import DomainError
from ...extensions import db
from ..models import ApplicationKind, ApplicationStatus, Disclosure, DisclosureStatus, IpRecordKind
from .ip_records import IpOfDisclosure, ip_of_disclosures


def ip_status_of(ip: IpOfDisclosure) -> IpStatus:
    applications = [a for f in ip.families for a in f.applications if a.status.is_alive]
    if any(a.status is ApplicationStatus.GRANTED for a in applications):
        return IpStatus.GRANTED_PATENT
    if any(a.kind is ApplicationKind.PCT for a in applications):
        return IpStatus.PCT_APPLICATION
    if applications:
        return IpStatus.PATENT_APPLICATION
    if any(r.kind is IpRecordKind.SOFTWARE_COPYRIGHT for r in ip.records):
        return IpStatus.SOFTWARE_COPYRIGHT
    return IpStatus.KNOW_HOW


def patent_numbers_of(ip: IpOfDisclosure) -> list[str]:
    numbers = []
    for family in ip.families:
        for a in family.applications:
            if a.status.is_alive and (a.publication_number or a.application_number):
                numbers.append(a.publication_number or a.application_number)
    return numbers


def _benefit(disclosure: Disclosure) -> str:
    text = " ".join((disclosure.novelty or disclosure.problem or disclosure.title).split())
    return text if len(text) <= 300 else text[:297].rsplit(" ", 1)[0] + "…"


def listing_data(disclosure: Disclosure, ip: IpOfDisclosure) -> catalog.TechnologyData:
    inventors = sorted(disclosure.inventors, key=lambda i: (-i.share, i.position))
    lab = next((i.researcher.group for i in inventors if i.researcher.group), "")
    return catalog.TechnologyData(
        title=disclosure.title,
        benefit=_benefit(disclosure),
        problem=disclosure.problem,
        solution=disclosure.description,
        dossier_summary=disclosure.novelty,
        trl=1,
        ip_status=ip_status_of(ip),
        patent_numbers=patent_numbers_of(ip),
        lab=lab[:200],
        inventor_ids=[i.researcher_id for i in inventors],
    )


def to_market(actor: User, disclosure: Disclosure) -> tuple[Technology, bool]:
    """(the listing, True when created now). The disclosure row is locked first, so two clicks at
    once make one listing."""
    lock_for_update(disclosure)
    if disclosure.technology_id is not None:
        technology = db.session.get(Technology, disclosure.technology_id)
        if technology is not None:
            return technology, False
    if disclosure.status is not DisclosureStatus.ASSESSED:
        raise DomainError("Only an assessed disclosure the TTO pursues goes to the market.")
    ip = ip_of_disclosures([disclosure.id])[disclosure.id]
    technology = catalog.create_technology(listing_data(disclosure, ip), actor=actor)
    disclosure.technology_id = technology.id
    db.session.flush()
    audit.record(
        "disclosure.listing_created", actor=actor, target=disclosure, technology=technology.reference
    )
    return technology, True


def disclosure_of(technology_id: int) -> Disclosure | None:
    return db.session.scalar(sa.select(Disclosure).where(Disclosure.technology_id == technology_id))
