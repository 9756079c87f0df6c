"""Access policies of the CRM's pipeline routes, merged into tests/core/test_access_matrix.py's POLICY
and ALLOWED_POST (same meanings)."""

from __future__ import annotations

POLICY: dict[str, str] = {
    # public collaboration pages (crm/routes/collaborate.py)
    "crm.collaborate": "public",
    "crm.collaborate_detail": "public",
    "crm.collaborate_thanks": "public",
    # the console's pipeline (admin/views/crm_pipeline.py)
    "admin.pipeline_board": "staff",
    "admin.prospects": "staff",
    "admin.prospects_export": "staff",
    "admin.prospect_new": "staff",
    "admin.prospect_detail": "staff",
    "admin.prospect_edit": "staff",
    "admin.prospect_move": "staff",
    "admin.prospect_interaction": "staff",
    "admin.prospect_link": "staff",
    "admin.prospect_unlink": "staff",
    "admin.prospect_from_signup": "staff",
    "admin.collaboration_models": "staff",
    "admin.collaboration_model_new": "admin",
    "admin.collaboration_model_edit": "admin",
}
ALLOWED_POST: dict[str, tuple[int, str | None]] = {
    "admin.prospect_edit": (400, "text:Enter the company"),
    "admin.prospect_move": (400, "text:Choose the stage to move to."),
    "admin.prospect_interaction": (400, "text:Choose what kind of interaction it was."),
    "admin.prospect_link": (400, "text:Choose the organisation to link."),
    "admin.prospect_unlink": (400, "text:is not linked to an organisation"),  # the world's prospect is not
    "admin.prospect_from_signup": (302, "/admin/pipeline"),  # no organisation chosen: back to the board
}
