"""The access world's innovation objects (disclosures): tests/support/world.py calls `make_objects`;
`SAMPLES` joins its SAMPLE_VALUES.

- `disclosures.draft`: the researcher's draft (the edit and submit pages need a draft);
- `disclosures.submitted`: submitted, the world's researcher an inventor at 100 %, with a file;
- `disclosures.family`: a patent family of it with an EP application.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from portal.core.storage import get_storage
from portal.core.types import utcnow
from portal.extensions import db
from portal.innovation.models import (
    ApplicationKind,
    Disclosure,
    DisclosureAttachment,
    DisclosureInventor,
    DisclosureStatus,
    PatentApplication,
    PatentFamily,
)

DRAFT_ENDPOINTS = {
    "innovation.invention_edit",
    "innovation.invention_submit",
    "admin.disclosure_edit",
    "admin.disclosure_submit",
}

LAST: dict[str, Any] = {}  # the current world, for the redirect targets of access_disclosures.py


def make_objects(world: Any) -> None:
    """Adds this part's objects to `world.crm` (a dict: key -> object)."""
    draft = Disclosure(
        reference="D-2026-9001", title="Matrix draft invention", author_id=world.researcher_user.id
    )
    submitted = Disclosure(
        reference="D-2026-9002",
        title="Matrix submitted invention",
        description="How it works",
        problem="The problem",
        novelty="What is new",
        author_id=world.researcher_user.id,
        status=DisclosureStatus.SUBMITTED,
        submitted_at=utcnow(),
    )
    db.session.add_all([draft, submitted])
    db.session.flush()
    inventors = [
        DisclosureInventor(disclosure_id=d.id, researcher_id=world.researcher.id, share=Decimal("100"))
        for d in (draft, submitted)
    ]
    db.session.add_all(inventors)
    key = get_storage().save(b"%PDF-1.4 matrix disclosure file", suffix=".pdf")
    attachment = DisclosureAttachment(
        disclosure_id=submitted.id,
        storage_key=key,
        filename="disclosure.pdf",
        content_type="application/pdf",
        size=31,
        sha256="0" * 64,
        uploaded_by_id=world.researcher_user.id,
    )
    family = PatentFamily(reference="PF-MATRIX-1", title="Matrix family", disclosure_id=submitted.id)
    db.session.add_all([attachment, family])
    db.session.flush()
    application = PatentApplication(
        family_id=family.id,
        kind=ApplicationKind.PRIORITY,
        office="EP",
        application_number="EP26000001.1",
        filing_date=date(2026, 1, 15),
    )
    db.session.add(application)
    db.session.flush()
    world.crm.update(
        {
            "disclosures.draft": draft,
            "disclosures.submitted": submitted,
            "disclosures.attachment": attachment,
            "disclosures.inventor": inventors[1],
            "disclosures.family": family,
            "disclosures.application": application,
        }
    )
    LAST["world"] = world


SAMPLES: dict[str, Callable[[Any, str], Any]] = {
    "disclosure_id": lambda w, endpoint: (
        (w.crm["disclosures.draft"] if endpoint in DRAFT_ENDPOINTS else w.crm["disclosures.submitted"]).id
    ),
    "disclosure_file_id": lambda w, endpoint: w.crm["disclosures.attachment"].id,
    "inventor_id": lambda w, endpoint: w.crm["disclosures.inventor"].id,
    "family_id": lambda w, endpoint: w.crm["disclosures.family"].id,
    "application_id": lambda w, endpoint: w.crm["disclosures.application"].id,
}
