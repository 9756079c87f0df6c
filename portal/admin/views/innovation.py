"""Console pages of invention disclosures, assessment, IP records and their calendar, licences,
spin-offs and lineage (issue 14)."""

from __future__ import annotations
