"""Shared set-up for the challenge tests: an entitled partner, challenges, researcher accounts, files."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

from portal.auth.models import PlatformRole
from portal.catalog.models import Researcher
from portal.challenges import services
from portal.challenges.models import Challenge, ChallengeStatus
from portal.core.storage import get_storage
from portal.extensions import db
from portal.membership.models import CatalogAccess, Membership, MembershipStatus, PaymentMethod

from ..support.factories import (
    make_executed_partnership,
    make_organisation,
    make_partner,
    make_tier,
    make_user,
)


def entitled(challenge_limit: int | None = None, access: CatalogAccess = CatalogAccess.DETAILS, **org):
    """An owner of an organisation with an active membership (partner access) on a tier."""
    organisation = make_organisation(**org)
    user = make_partner(organisation=organisation)
    tier = make_tier(catalog_access=access, challenge_limit=challenge_limit)
    db.session.add(
        Membership(
            organisation=organisation,
            tier=tier,
            status=MembershipStatus.ACTIVE,
            payment_method=PaymentMethod.INVOICE,
            period_start=date.today(),
            period_end=date.today() + timedelta(days=365),
        )
    )
    make_executed_partnership(organisation)
    db.session.flush()
    db.session.refresh(user)
    return user


def data(**overrides) -> services.ChallengeData:
    values = {
        "title": "Find lost pallets inside our warehouses",
        "problem": "Pallets get lost inside the warehouse; forklifts search for hours.",
        "desired_outcome": "Know where every pallet is, to one metre, indoors.",
        "constraints": "No GPS indoors; metal racks everywhere.",
    }
    values.update(overrides)
    return services.ChallengeData(**values)


def submitted(user, status: ChallengeStatus = ChallengeStatus.SUBMITTED, **overrides) -> Challenge:
    challenge = services.create_draft(user, user.organisation, data(**overrides))
    services.submit(user, challenge)
    if status is not ChallengeStatus.SUBMITTED:
        from ..support.factories import make_staff

        staff = make_staff()
        path = [ChallengeStatus.SCREENING, ChallengeStatus.MATCHING, ChallengeStatus.PROPOSAL]
        for step in path:
            services.transition(staff, challenge, step)
            if step is status:
                break
    db.session.flush()
    return challenge


def researcher_account(name: str = "Dr Ada Lovelace", expertise=("indoor positioning",)):
    user = make_user(platform_role=PlatformRole.RESEARCHER, full_name=name)
    entry = Researcher(name=name, email=user.email, expertise=list(expertise), user_id=user.id, group="Lab")
    db.session.add(entry)
    db.session.flush()
    return user, entry


def stored_files() -> set[str]:
    root = get_storage().root
    return {p.name for p in root.iterdir()} if root.is_dir() else set()


# --- files ----------------------------------------------------------------------------------


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (4, 4), "blue").save(out, format="PNG")
    return out.getvalue()


def docx_bytes(document: bytes = b"<w:document/>") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", document)
    return out.getvalue()


def zip_bomb_docx() -> bytes:
    return docx_bytes(b"<w:document>" + b"0" * (60 * 1024 * 1024) + b"</w:document>")
