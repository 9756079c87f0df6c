"""Access policies of the CRM's kpis routes, merged into tests/core/test_access_matrix.py's POLICY
and ALLOWED_POST (same meanings)."""

from __future__ import annotations

POLICY: dict[str, str] = {
    "admin.kpis_csv": "staff",  # /admin/kpis/<kpi_table>.csv
    "admin.kpi_targets": "admin",  # programme targets: admins set them
    "admin.kpi_target_edit": "admin",
    "admin.kpi_target_delete": "admin",
    "admin.funder_report_pdf": "staff",
    "admin.funder_report_csv": "staff",
}
ALLOWED_POST: dict[str, tuple[int, str | None]] = {
    "admin.kpi_target_delete": (302, "/admin/kpis/targets"),
}
