"""Console pages: crm_relations (issue 13)."""

from __future__ import annotations
