"""Catalog test helpers: members of each catalog level, NDA acceptance, listings with a canary in
every gated field, stored files."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, timedelta

from portal.catalog import services as catalog
from portal.catalog.models import FileKind, Researcher, Technology, TechnologyFile, TechnologyStatus
from portal.core.storage import get_storage
from portal.extensions import db
from portal.membership.models import CatalogAccess, Membership, MembershipStatus, PaymentMethod
from portal.partners.models import OrgRole

from .factories import make_executed_partnership, make_organisation, make_partner, make_tier

# One distinct canary per gated field (and the internal inventor's name).
CANARIES = {
    "problem": "CANARY-PROBLEM-7f3a",
    "solution": "CANARY-SOLUTION-2b9c",
    "advantages": "CANARY-ADVANTAGE-41de",
    "applications": "CANARY-APPLICATION-8e07",
    "keywords": "canarykeyword5a1f",
    "patent_numbers": "EP-CANARY-6c42",
    "lab": "CANARY-LAB-93b8",
    "dossier_summary": "CANARY-DOSSIER-0d5e",
    "internal_researcher": "Canary Internalname",
}
PARTNER_CANARIES = {k: v for k, v in CANARIES.items() if k not in ("dossier_summary", "internal_researcher")}
TEASER = {
    "title": "Quantum-safe sensor mesh",
    "benefit": "Cuts sensor network energy use by 40 %.",
}


@dataclass
class Member:
    organisation: object
    owner: object
    tier: object


def make_member(
    access: CatalogAccess = CatalogAccess.DETAILS, first_look_days: int = 0, **org_overrides
) -> Member:
    """An organisation with an active, paid membership on a tier of `access` and an executed
    partnership agreement: partner access."""
    tier = make_tier(catalog_access=access, first_look_days=first_look_days)
    organisation = make_organisation(**org_overrides)
    owner = make_partner(organisation=organisation)
    db.session.add(
        Membership(
            organisation=organisation,
            tier=tier,
            status=MembershipStatus.ACTIVE,
            payment_method=PaymentMethod.INVOICE,
            period_start=date.today() - timedelta(days=10),
            period_end=date.today() + timedelta(days=355),
        )
    )
    make_executed_partnership(organisation)
    db.session.flush()
    return Member(organisation, owner, tier)


def accept_nda(member: Member) -> None:
    """The member's signatory (the owner) accepts the current NDA through the service."""
    from portal.agreements import nda as nda_gate
    from portal.agreements.services import Evidence

    assert member.owner.has_org_role(OrgRole.SIGNATORY)
    template = nda_gate.current_nda()
    shown = nda_gate.text_fingerprint(nda_gate.nda_preview_html(member.organisation, template)[0])
    nda_gate.accept_nda(
        member.owner,
        member.organisation,
        template,
        Evidence(member.owner.full_name, "Director", True, shown, "192.0.2.9", "pytest"),
    )
    db.session.flush()


def make_canary_technology(staff=None, first_look_days: int | None = None, **overrides) -> Technology:
    """A published listing with a canary in every gated field and an internal inventor."""
    public = Researcher(name="Dr Public Inventor", role="Professor", public=True)
    internal = Researcher(name=CANARIES["internal_researcher"], public=False)
    db.session.add_all([public, internal])
    db.session.flush()
    values = dict(
        title=TEASER["title"],
        benefit=TEASER["benefit"],
        problem=f"Sensor meshes leak energy. {CANARIES['problem']}",
        solution=f"A lattice handshake. {CANARIES['solution']}",
        advantages=[f"40 % less energy {CANARIES['advantages']}"],
        applications=[f"Smart buildings {CANARIES['applications']}"],
        keywords=[CANARIES["keywords"]],
        patent_numbers=[CANARIES["patent_numbers"]],
        licensing_options=["exclusive", "field_of_use"],
        lab=CANARIES["lab"],
        dossier_summary=CANARIES["dossier_summary"],
        trl=6,
        inventor_ids=[public.id, internal.id],
    )
    values.update(overrides)
    technology = catalog.create_technology(
        catalog.TechnologyData(**values), actor=staff, status=TechnologyStatus.PUBLISHED
    )
    if first_look_days:
        technology.first_look_until = technology.published_at + timedelta(days=first_look_days)
        db.session.flush()
    return technology


# A 1x1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201a5f1d0"
    "3f0000000049454e44ae426082"
)


def store_file(
    technology: Technology,
    kind: FileKind,
    data: bytes,
    filename: str,
    content_type: str,
) -> TechnologyFile:
    key = get_storage().save(data, suffix="")
    row = TechnologyFile(
        technology_id=technology.id,
        kind=kind,
        storage_key=key,
        filename=filename,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    db.session.add(row)
    db.session.flush()
    return row
