"""Access policies of the CRM's relations routes, merged into tests/core/test_access_matrix.py's POLICY
and ALLOWED_POST (same meanings)."""

from __future__ import annotations

POLICY: dict[str, str] = {
    # the organisation page's forms (its GET is admin.organisation_detail)
    "admin.crm_log_interaction": "staff",
    "admin.crm_organisation_task": "staff",
    "admin.crm_add_note": "staff",
    # tasks
    "admin.crm_tasks": "staff",
    "admin.crm_task_complete": "staff",
    "admin.crm_task_reopen": "staff",
    "admin.crm_challenge_tasks": "staff",
    # the calendar feed: its console page, and the feed itself. The feed is "public" with the world's
    # valid token (the token is the credential; it is GET-only, so not the POST-form "token" policy):
    # unknown, rotated and revoked tokens answer 404 in tests/crm/test_tasks_calendar.py.
    "admin.crm_calendar": "staff",
    "admin.crm_calendar_issue": "staff",
    "admin.crm_calendar_revoke": "staff",
    "crm.task_feed": "public",
    # renewals
    "admin.crm_renewals": "staff",
}
ALLOWED_POST: dict[str, tuple[int, str | None]] = {
    "admin.crm_log_interaction": (400, "text:Say in a few words what was discussed."),
    "admin.crm_organisation_task": (400, "text:Say what has to be done."),
    "admin.crm_add_note": (400, "text:Write the note first."),
    "admin.crm_task_complete": (302, "/admin/tasks"),
    "admin.crm_task_reopen": (302, "/admin/tasks"),
    "admin.crm_calendar_issue": (200, "text:Copy it now"),
    "admin.crm_calendar_revoke": (302, "/admin/calendar-feed"),
}
