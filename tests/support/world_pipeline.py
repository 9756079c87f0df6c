"""The access world's CRM objects for the pipeline routes (tests/support/world.py calls `make_objects`;
`SAMPLES` joins its SAMPLE_VALUES)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from portal.crm.models import CollaborationModel
from portal.crm.services import pipeline
from portal.extensions import db

SAMPLES: dict[str, Callable[[Any, str], Any]] = {
    "prospect_id": lambda w, endpoint: w.crm["prospect"].id,
    "model_slug": lambda w, endpoint: w.crm["collaboration_model"].slug,
    "collaboration_model_id": lambda w, endpoint: w.crm["collaboration_model"].id,
}


def make_objects(world: Any) -> None:
    """Adds this part's objects to `world.crm` (a dict: key -> object): a seeded collaboration
    model and a prospect (not linked to an organisation) owned by the world's staff member."""
    model = db.session.scalar(
        sa.select(CollaborationModel).where(CollaborationModel.slug == "contract-research")
    )
    world.crm["collaboration_model"] = model
    world.crm["prospect"] = pipeline.create_prospect(
        world.staff,
        pipeline.ProspectData(
            company="Prospect World GmbH", country="DE", model_id=model.id, owner_id=world.staff.id
        ),
    )
