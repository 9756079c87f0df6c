"""Access policies of the innovation routes (disclosures), merged into tests/core/test_access_matrix.py's
POLICY and ALLOWED_POST (same meanings).

A redirect target that holds an id of this part's world objects is a `WorldPath`: the matrix calls
`target.format(member_id=..., ...)` on it, and it answers with the path for the current world
(tests/support/world_disclosures.py keeps it), so no shared placeholder is needed.
"""

from __future__ import annotations

from ..support import world_disclosures


class WorldPath(str):
    def __new__(cls, template: str, key: str):
        made = super().__new__(cls, template)
        made.key = key
        return made

    def format(self, *args, **kwargs) -> str:
        world = world_disclosures.LAST["world"]
        return str.format(self, id=world.crm[self.key].id)


SUBMITTED, DRAFT = "disclosures.submitted", "disclosures.draft"

POLICY: dict[str, str] = {
    # researchers' pages (/inventions)
    "innovation.inventions": "researcher",
    "innovation.invention_new": "researcher",
    "innovation.invention_detail": "researcher",
    "innovation.invention_edit": "researcher",
    "innovation.invention_submit": "researcher",
    "innovation.invention_confirm": "researcher",
    "innovation.invention_upload": "researcher",
    "innovation.invention_file": "researcher",
    # the console
    "admin.disclosures_list": "staff",
    "admin.disclosure_new": "staff",
    "admin.disclosure_detail": "staff",
    "admin.disclosure_edit": "staff",
    "admin.disclosure_submit": "staff",
    "admin.disclosure_assess": "staff",
    "admin.disclosure_confirm_inventor": "staff",
    "admin.disclosure_to_market": "staff",
    "admin.disclosure_ip_record": "staff",
    "admin.disclosure_upload": "staff",
    "admin.disclosure_file": "staff",
    "admin.ip_families": "staff",
    "admin.ip_family_new": "staff",
    "admin.ip_family_detail": "staff",
    "admin.ip_application_add": "staff",
    "admin.ip_application_edit": "staff",
    "admin.ip_calendar": "staff",
    "admin.ip_deadline_done": "staff",
}

ALLOWED_POST: dict[str, tuple[int, str | None]] = {
    # the draft has no description yet: submitting is refused with a message, back to the page
    "innovation.invention_submit": (302, WorldPath("/inventions/{id}", DRAFT)),
    "innovation.invention_confirm": (302, WorldPath("/inventions/{id}", SUBMITTED)),
    "innovation.invention_upload": (302, WorldPath("/inventions/{id}", SUBMITTED)),
    "admin.disclosure_submit": (302, WorldPath("/admin/innovation/disclosures/{id}", DRAFT)),
    "admin.disclosure_assess": (400, "text:Score from 1 to 5."),
    "admin.disclosure_confirm_inventor": (302, WorldPath("/admin/innovation/disclosures/{id}", SUBMITTED)),
    # not assessed yet: refused with a message, back to the disclosure
    "admin.disclosure_to_market": (302, WorldPath("/admin/innovation/disclosures/{id}", SUBMITTED)),
    "admin.disclosure_ip_record": (400, None),
    "admin.disclosure_upload": (302, WorldPath("/admin/innovation/disclosures/{id}", SUBMITTED)),
    "admin.ip_application_add": (400, None),
    "admin.ip_deadline_done": (302, "/admin/innovation/ip-calendar"),
}
