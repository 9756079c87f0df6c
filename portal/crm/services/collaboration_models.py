"""The collaboration models shown at /collaborate, as admins edit them in the console (English, like
the console; the seeded models carry French and German titles and summaries)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from ...auth.models import User
from ...core import audit
from ...core.errors import DomainError
from ...extensions import db
from ..models import CollaborationModel


@dataclass
class ModelData:
    slug: str
    title: str
    summary: str = ""
    suits: str = ""
    duration: str = ""
    cost: str = ""
    partner_gets: str = ""
    example: str = ""
    display_order: int = 0
    published: bool = True


SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def save_model(actor: User, model: CollaborationModel | None, data: ModelData) -> CollaborationModel:
    slug = (data.slug or "").strip().lower()
    if not SLUG.fullmatch(slug):
        raise DomainError(
            "Use lower-case letters, digits and hyphens for the address, like joint-lab.", "slug"
        )
    clash = db.session.scalar(sa.select(CollaborationModel.id).where(CollaborationModel.slug == slug))
    if clash is not None and (model is None or clash != model.id):
        raise DomainError("Another collaboration model has this address.", "slug")
    if model is not None and model.is_membership and slug != model.slug:
        raise DomainError(
            "The membership model keeps its address: the pipeline follows memberships by it.", "slug"
        )
    title = " ".join((data.title or "").split())
    if not title:
        raise DomainError("Enter a title.", "title")
    created = model is None
    if model is None:
        model = CollaborationModel()
        db.session.add(model)
    before = {
        name: getattr(model, name)
        for name in (*CollaborationModel.TEXT_FIELDS, "slug", "published", "display_order")
    }
    model.slug = slug
    model.title = title
    for name in ("summary", "suits", "duration", "cost", "partner_gets", "example"):
        setattr(model, name, (getattr(data, name) or "").strip())
    model.display_order = data.display_order or 0
    model.published = bool(data.published)
    db.session.flush()
    changed = sorted(name for name, old in before.items() if old != getattr(model, name))
    audit.record(
        "collaboration_model.created" if created else "collaboration_model.updated",
        actor=actor,
        target=model,
        fields=changed,
    )
    return model
