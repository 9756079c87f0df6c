"""Collaboration models (the public /collaborate pages, managed by admins) and their enquiry form:
an enquiry becomes a prospect of the pipeline (source "enquiry", with its model), is emailed to the
programme's staff and confirmed to the sender."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app
from flask_babel import lazy_gettext as _l

from ...auth.models import PlatformRole, User
from ...core import audit
from ...core.countries import country_name
from ...core.errors import DomainError
from ...core.links import link
from ...core.mail import notify
from ...extensions import db
from ..models import CollaborationModel, Prospect, ProspectSource
from . import pipeline


def staff_recipients() -> list[str]:
    """Who hears of an enquiry: the programme's address and the active admins (the recipients the
    catalog's leads fall back to when an organisation has no account owner; an enquiry has none)."""
    admins = db.session.scalars(
        sa.select(User.email)
        .where(User.platform_role == PlatformRole.ADMIN, User.active.is_(True))
        .order_by(User.id)
    )
    return [current_app.config["CONTACT_EMAIL"], *admins]


@dataclass
class EnquiryData:
    company: str
    country: str
    contact_name: str
    email: str
    interest: str = ""
    message: str = ""


def submit_enquiry(model: CollaborationModel, data: EnquiryData, language: str = "en") -> Prospect:
    """A prospect from the public form, the staff's email and the sender's confirmation (with the
    model's title in the sender's `language`), in the caller's transaction."""
    if not model.published:
        raise DomainError(str(_l("This collaboration model is not offered at the moment.")))
    prospect = pipeline.create_prospect(
        None,
        pipeline.ProspectData(
            company=data.company,
            country=data.country,
            contact_name=data.contact_name,
            contact_email=data.email,
            interest=data.interest,
            message=data.message,
            source=ProspectSource.ENQUIRY,
            model_id=model.id,
        ),
    )
    values = {
        "model": model.title,
        "company": prospect.company,
        "country": country_name(prospect.country) if prospect.country else "",
        "contact_name": prospect.contact_name,
        "email": prospect.contact_email,
        "interest": prospect.interest,
        "message": prospect.message,
    }
    audit.record("prospect.enquiry_received", target=prospect, model=model.slug)
    notify(
        staff_recipients(),
        "crm_enquiry_received",
        subject=_l("New enquiry: %(company)s, %(model)s", company=prospect.company, model=model.title),
        enquiry=values,
        console_url=link("admin.prospect_detail", prospect_id=prospect.id),
    )
    notify(
        [prospect.contact_email],
        "crm_enquiry_confirmation",
        subject=_l("We received your enquiry"),
        enquiry={**values, "model": model.text("title", language)},
        model_url=link("crm.collaborate_detail", model_slug=model.slug),
    )
    return prospect
