"""Access policies of the innovation routes (licensing), merged into tests/core/test_access_matrix.py's
POLICY and ALLOWED_POST (same meanings)."""

from __future__ import annotations

POLICY: dict[str, str] = {
    # partner pages: the licensee organisation's users (the world's licence is org_a's; another
    # organisation's licence answers 404 in tests/innovation/test_licences_partner.py)
    "innovation.licences": "partner",
    "innovation.licence_detail": "partner",
    "innovation.licence_submit_report": "partner",
    # the console
    "admin.licences": "staff",
    "admin.licence_new": "staff",
    "admin.licence_detail": "staff",
    "admin.licence_edit": "staff",
    "admin.licence_status": "staff",
    "admin.licence_milestone_add": "staff",
    "admin.licence_milestone_remove": "staff",
    "admin.licence_report_received": "staff",
    "admin.spin_offs": "staff",
    "admin.spin_off_new": "staff",
    "admin.spin_off_detail": "staff",
    "admin.spin_off_edit": "staff",
    "admin.spin_off_round_add": "staff",
    "admin.spin_off_round_remove": "staff",
    "admin.spin_off_partner": "staff",
}
ALLOWED_POST: dict[str, tuple[int, str | None]] = {
    "innovation.licence_submit_report": (400, "text:Choose the report you sent."),
    "admin.licence_status": (400, "text:Choose the new status."),
    "admin.licence_milestone_add": (400, "text:Describe the milestone."),
    "admin.licence_milestone_remove": (400, "text:Choose the milestone to remove."),
    "admin.licence_report_received": (400, "text:Choose the report that arrived."),
    "admin.spin_off_round_add": (400, "text:Enter the day the round closed."),
    "admin.spin_off_round_remove": (400, "text:Choose the round to remove."),
    "admin.spin_off_partner": (400, "text:Choose the country where the spin-off is registered."),
}


# --- lineage (issue 14 item 7): read-only console pages; the world's technology and licence are the
# samples (technology_id, licence_id already in SAMPLE_VALUES / world_licensing.SAMPLES).
POLICY.update(
    {
        "admin.technology_lineage": "staff",
        "admin.licence_lineage": "staff",
    }
)
