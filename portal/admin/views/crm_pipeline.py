"""Console pages: crm_pipeline (issue 13)."""

from __future__ import annotations
